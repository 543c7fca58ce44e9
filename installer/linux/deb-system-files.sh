#!/usr/bin/env sh
# Puts the .deb's system files into the package tree ROOT (installer/build.sh calls it): the
# udev rule and module loading for the uinput option, and the maintainer scripts that apply
# them at install and removal. Usage: deb-system-files.sh ROOT
set -eu
[ $# -eq 1 ] || { echo "usage: deb-system-files.sh ROOT" >&2; exit 2; }
here="$(cd "$(dirname "$0")" && pwd)"
root="$1"
mkdir -p "$root/usr/lib/udev/rules.d" "$root/usr/lib/modules-load.d" "$root/DEBIAN"
install -m 0644 "$here/70-handcue-uinput.rules" "$root/usr/lib/udev/rules.d/70-handcue-uinput.rules"
install -m 0644 "$here/handcue-uinput.conf" "$root/usr/lib/modules-load.d/handcue-uinput.conf"
install -m 0755 "$here/postinst" "$root/DEBIAN/postinst"
install -m 0755 "$here/postrm" "$root/DEBIAN/postrm"
