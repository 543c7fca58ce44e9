#!/usr/bin/env bash
# Installs the .deb that installer/build.sh made, checks it, starts it, removes it, and checks
# that nothing is left. Needs root (dpkg) and Xvfb. Usage: installer/test_deb.sh [FILE.deb]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
DEB="${1:-$(ls -t dist/handcue_*.deb 2>/dev/null | head -1)}"
[ -f "$DEB" ] || { echo "no .deb in dist/: run installer/build.sh first" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "installing a .deb needs root" >&2; exit 2; }
DEB="$(cd "$(dirname "$DEB")" && pwd)/$(basename "$DEB")"
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok   $*"; }
if dpkg -s handcue >/dev/null 2>&1; then fail "handcue is already installed: remove it first"; fi

WORK="$(mktemp -d)"
XPID=""
APP=""
cleanup() {
    [ -n "$APP" ] && kill "$APP" 2>/dev/null && wait "$APP" 2>/dev/null
    [ -n "$XPID" ] && kill "$XPID" 2>/dev/null
    dpkg -s handcue >/dev/null 2>&1 && dpkg -r handcue >/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "== install $(basename "$DEB") ($(du -h "$DEB" | cut -f1))"
# apt resolves the Depends: line (X, GL and xcb libraries) the way a user's install would.
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$DEB" >/dev/null \
    || fail "apt-get install failed"
dpkg -L handcue > "$WORK/files.txt"
for f in /opt/handcue/handcue /opt/handcue/_internal/models/hand_landmark_full.onnx \
    /opt/handcue/_internal/resources/style.qss /usr/bin/handcue \
    /usr/share/applications/handcue.desktop /usr/share/icons/hicolor/scalable/apps/handcue.svg \
    /usr/share/doc/handcue/NOTICE.txt; do
    [ -e "$f" ] || fail "$f is missing after install"
done
pass "$(wc -l < "$WORK/files.txt") paths installed, program, models, menu entry and icon in place"
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate /usr/share/applications/handcue.desktop || fail "bad .desktop file"
fi
grep -q '^Exec=/usr/bin/handcue gui$' /usr/share/applications/handcue.desktop || fail "Exec line"

HOMEDIR="$WORK/home"
mkdir -p "$HOMEDIR"
clean() { env -i HOME="$HOMEDIR" PATH=/usr/bin:/bin LANG=C.UTF-8 "$@"; }
v="$(clean handcue --version)" || fail "handcue --version"
pass "handcue on PATH: $v"
clean handcue detect "$ROOT/../shared/data/photos/victory.jpg" > "$WORK/detect.json" \
    || fail "detect"
grep -q '"landmarks"' "$WORK/detect.json" || fail "detect found no hand: $(cat "$WORK/detect.json")"
pass "detect works from the installed package"

DISP=""
for n in $(seq 121 150); do
    if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then DISP=":$n"; break; fi
done
Xvfb "$DISP" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
XPID=$!
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${DISP#:}" ] && break; sleep 0.1; done
# Started the way the menu entry does (its Exec line), on a video instead of a camera.
env -i HOME="$HOMEDIR" PATH=/usr/bin:/bin LANG=C.UTF-8 DISPLAY="$DISP" \
    /usr/bin/handcue gui --source "$ROOT/../shared/data/videos/open_hand_360p.mp4" \
    > "$WORK/gui.log" 2>&1 &
APP=$!
tracked=0
deadline=$(( $(date +%s) + 240 ))  # generous: a busy shared machine slows the first start
while [ "$(date +%s)" -lt "$deadline" ]; do
    kill -0 "$APP" 2>/dev/null || fail "the app exited: $(cat "$WORK/gui.log")"
    tracked="$(HANDCUE_CONFIG_DIR="$HOMEDIR/.config/HandCue" "$ROOT/.venv/bin/python" -c \
        'from app.desktop.instance_client import ask_running_instance as a; s = a({"cmd": "status"}); print(s["frames"] if s else 0)')"
    [ "$tracked" -gt 5 ] && break
    sleep 0.2
done
[ "$tracked" -gt 5 ] || fail "the installed app tracked no frames"
pass "the installed app starts and tracks ($tracked frames)"
kill "$APP"
wait "$APP" 2>/dev/null || true
APP=""

echo "== remove"
dpkg -r handcue >/dev/null || fail "dpkg -r failed"
left=""
while read -r path; do
    [ -z "$path" ] && continue
    case "$path" in /. | /opt | /usr | /usr/bin | /usr/share | /usr/share/applications | \
        /usr/share/icons | /usr/share/icons/hicolor | /usr/share/icons/hicolor/scalable | \
        /usr/share/icons/hicolor/scalable/apps | /usr/share/doc) continue ;; esac
    [ -e "$path" ] || [ -L "$path" ] && left="$left $path"
done < "$WORK/files.txt"
[ -z "$left" ] || fail "left after removal:$left"
[ ! -e /opt/handcue ] || fail "/opt/handcue is left after removal"
dpkg -s handcue >/dev/null 2>&1 && fail "dpkg still lists handcue"
pass "removed: none of the package's files is left"
echo "PASSED: $(basename "$DEB")"
