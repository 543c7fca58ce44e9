#!/usr/bin/env sh
# Installs this unpacked HandCue tarball for the current user: a launcher in ~/.local/bin, the
# menu entry and the icon. Run it from the unpacked folder; `install-user.sh --remove` undoes it.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
bin="${XDG_BIN_HOME:-$HOME/.local/bin}"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
if [ "${1:-}" = "--remove" ]; then
    rm -f "$bin/handcue" "$data/applications/handcue.desktop" \
        "$data/icons/hicolor/scalable/apps/handcue.svg"
    echo "HandCue launcher removed (the unpacked folder $here is left to you)."
    exit 0
fi
mkdir -p "$bin" "$data/applications" "$data/icons/hicolor/scalable/apps"
ln -sf "$here/handcue/handcue" "$bin/handcue"
sed "s|^Exec=handcue|Exec=$here/handcue/handcue|" "$here/handcue.desktop" \
    > "$data/applications/handcue.desktop"
cp "$here/handcue.svg" "$data/icons/hicolor/scalable/apps/handcue.svg"
echo "HandCue installed for $(id -un): run 'handcue' or pick HandCue in the applications menu."
