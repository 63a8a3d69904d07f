# Sourced by scripts/check and scripts/demo: install what peerc needs on
# Debian 12 (as root, or through sudo), then bootstrap and configure.
# Usage: peerc_prepare BUILD_DIR [configure args...]

PEERC_DEBIAN_PACKAGES="build-essential autoconf automake libtool pkg-config
  libglib2.0-dev libnice-dev libssl-dev libsrtp2-dev libusrsctp-dev libopus-dev libvpx-dev libasound2-dev libjson-glib-dev
  abigail-tools python3 python3-aiortc chromium coturn gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-nice python3-gst-1.0 gir1.2-gst-plugins-bad-1.0"

peerc_install_packages() {
    local missing=() wanted=$PEERC_DEBIAN_PACKAGES
    # Node.js may come from elsewhere (its own npm conflicts with Debian's).
    command -v node >/dev/null 2>&1 || wanted="$wanted nodejs"
    command -v npm >/dev/null 2>&1 || wanted="$wanted npm"
    for p in $wanted; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "peerc: installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# npm packages for the browser tests (playwright-core drives Debian's chromium).
peerc_install_node_modules() {
    local dir="$1/tests/interop"
    [ -d "$dir/node_modules/playwright-core" ] && return 0
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
}

peerc_prepare() {
    local top build
    top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    build="$1"
    shift
    peerc_install_packages
    peerc_install_node_modules "$top"
    if [ ! -x "$top/configure" ] || [ "$top/configure.ac" -nt "$top/configure" ]; then
        (cd "$top" && autoreconf -fi)
    fi
    mkdir -p "$build"
    if [ ! -f "$build/Makefile" ] || [ "$top/configure" -nt "$build/Makefile" ]; then
        (cd "$build" && "$top/configure" -q "$@")
    fi
    make -C "$build" -j"$(nproc)" >/dev/null
}
