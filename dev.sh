#!/usr/bin/env bash
# Duet's one entry point for a fresh Debian 12 machine.
#   ./dev.sh run [duet args...]   install what is missing, build in release, launch the app
#   ./dev.sh test                 install what is missing (test tools too), build, run every test
#   ./dev.sh deps [--test]        only install packages
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"

build_packages=(
    build-essential cmake ninja-build pkg-config python3-glad
    libglfw3-dev libimgui-dev libenet-dev libstb-dev doctest-dev libsodium-dev libsqlite3-dev
    libfontconfig-dev nlohmann-json3-dev libcli11-dev libminiupnpc-dev libnatpmp-dev libxxhash-dev
    fonts-dejavu-core fonts-wqy-microhei libgl1-mesa-dri libglx-mesa0
)
test_packages=(
    python3 xvfb xauth xdotool x11-utils xclip imagemagick libx11-dev tcpdump iproute2 iptables iputils-ping iperf3 clang-14 libclang-rt-14-dev
    coturn miniupnpd netcat-openbsd openssh-client openssh-server
)

install_packages() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    echo "Installing: ${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

case "${1:-}" in
    run)
        shift
        install_packages "${build_packages[@]}"
        cmake --preset release >/dev/null
        cmake --build --preset release
        exec build/release/src/app/duet "$@"
        ;;
    test)
        install_packages "${build_packages[@]}" "${test_packages[@]}"
        exec tests/run-all.sh
        ;;
    deps)
        if [ "${2:-}" = "--test" ]; then
            install_packages "${build_packages[@]}" "${test_packages[@]}"
        else
            install_packages "${build_packages[@]}"
        fi
        ;;
    *)
        echo "usage: ./dev.sh run [duet args...] | test | deps [--test]" >&2
        exit 64
        ;;
esac
