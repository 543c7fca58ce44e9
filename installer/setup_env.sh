#!/usr/bin/env bash
# Shared set-up for run.sh and test.sh: system packages (Debian, as root), the virtualenv,
# the Python packages and the models. Usage: installer/setup_env.sh [EXTRA]  (e.g. "dev")
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-}"

# Qt, OpenGL and the X tools the GUI and the end-to-end tests need on a bare Debian machine
# (openbox: a window manager with EWMH, for the per-application profile tests); gcc and the
# kernel's input headers build evdev (the uinput backend).
DEB_PACKAGES="xvfb xauth xdotool openbox x11-utils imagemagick libgl1 libegl1 libglib2.0-0 libfontconfig1
libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xkb1 libdbus-1-3 xterm
gcc linux-libc-dev"
# The tests only: sway and foot (a headless Wayland compositor and a native client), wtype, and
# dbus-daemon (a private session bus with a scripted portal).
if [ "$extra" = dev ]; then
    DEB_PACKAGES="$DEB_PACKAGES sway foot wtype dbus-daemon"
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && command -v dpkg >/dev/null; then
    missing=""
    for p in $DEB_PACKAGES; do
        dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        echo "== installing system packages:$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $missing >/dev/null
    fi
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    echo "== creating .venv"
    "$PY" -m venv .venv
fi
echo "== installing HandCue${extra:+ [$extra]} into .venv"
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
spec="."
[ -n "$extra" ] && spec=".[$extra]"
.venv/bin/python -m pip install -q --disable-pip-version-check -e "$spec"

echo "== models"
.venv/bin/handcue models install
