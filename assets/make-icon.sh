#!/usr/bin/env bash
# Renders duet-256.png from the same shapes as duet.svg, with ImageMagick drawing primitives (Debian's
# ImageMagick may lack an SVG reader). Run from anywhere: ./assets/make-icon.sh
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
dark='#1d2433'
blue='#73b8ff'
orange='#f9b862'
convert -size 256x256 xc:none \
    -fill "$dark" -draw 'roundrectangle 8,8 247,247 52,52' \
    -fill "$blue" -draw 'roundrectangle 30,48 171,147 26,26' -draw 'polygon 58,140 52,186 98,146' \
    -fill "$dark" -draw 'roundrectangle 84,106 231,209 30,30' \
    -fill "$orange" -draw 'roundrectangle 88,110 227,205 26,26' -draw 'polygon 186,200 206,232 212,198' \
    -fill "$dark" -draw 'circle 128,158 138,158' -draw 'circle 158,158 168,158' -draw 'circle 188,158 198,158' \
    -strip -define png:exclude-chunks=date,time \
    PNG32:duet-256.png
echo "wrote $(pwd)/duet-256.png"
