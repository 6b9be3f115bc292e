#!/bin/sh
# `cmake --install` into a DESTDIR puts the binary, the desktop entry and the icons in standard places.
set -eu
build="$1"
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
DESTDIR="$dest" cmake --install "$build" --prefix /usr >/dev/null
for f in usr/bin/duet usr/share/applications/duet.desktop usr/share/icons/hicolor/256x256/apps/duet.png \
         usr/share/icons/hicolor/scalable/apps/duet.svg; do
    [ -f "$dest/$f" ] || { echo "missing $f"; exit 1; }
done
grep -q '^Exec=duet$' "$dest/usr/share/applications/duet.desktop"
grep -q '^Icon=duet$' "$dest/usr/share/applications/duet.desktop"
echo PASS
