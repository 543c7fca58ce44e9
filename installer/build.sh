#!/usr/bin/env bash
# Builds the bundled HandCue for Linux: dist/handcue/ (PyInstaller one-folder, models inside),
# dist/handcue-VERSION-linux-ARCH.tar.gz (bundle + .desktop + icon) and dist/handcue_VERSION_ARCH.deb.
# Usage: installer/build.sh [--no-deb]   (from anywhere; uses and sets up the checkout's .venv;
#        --no-deb: the bundle and the tarball only, a few minutes less)
# PyInstaller is installed into .venv here; it is a build tool, not a run-time dependency.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
MAKE_DEB=1
case "${1:-}" in
    "") ;;
    --no-deb) MAKE_DEB=0 ;;
    *) echo "usage: installer/build.sh [--no-deb]" >&2; exit 2 ;;
esac

installer/setup_env.sh
PY=.venv/bin/python
echo "== PyInstaller"
$PY -m pip install -q --disable-pip-version-check "pyinstaller>=6.10,<7"

VERSION="$($PY -c 'import importlib.metadata as m; print(m.version("handcue"))')"
ARCH_DEB="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
ARCH="$(uname -m)"

echo "== converting the models for the bundle"
# Converted now from the checked MediaPipe members (models/cache, sha256 against the manifest),
# so the bundle ships exactly what this converter makes and the app needs no network.
MODELS="$ROOT/build/bundle-models"
rm -rf "$MODELS"
mkdir -p "$MODELS/cache"
if [ -d models/cache ]; then cp models/cache/* "$MODELS/cache/"; fi
HANDCUE_MODELS_DIR="$MODELS" .venv/bin/handcue models install --force

echo "== PyInstaller bundle"
rm -rf dist/handcue
HANDCUE_BUNDLE_MODELS="$MODELS" $PY -m PyInstaller --noconfirm --log-level WARN \
    --distpath dist --workpath build/pyinstaller installer/handcue.spec
# The interpreter's shared library carries debug symbols in some Python builds (pyenv): strip
# it alone. Not the wheels' libraries: strip breaks auditwheel-patched ones (numpy's OpenBLAS).
if command -v strip >/dev/null; then
    strip --strip-unneeded dist/handcue/_internal/libpython3*.so* 2>/dev/null || true
fi
dist/handcue/handcue --version

echo "== tarball"
STAGE="build/tar/handcue-$VERSION"
rm -rf build/tar
mkdir -p "$STAGE"
cp -a dist/handcue "$STAGE/handcue"
cp installer/linux/handcue.desktop "$STAGE/"
cp resources/icons/hand.svg "$STAGE/handcue.svg"
cp installer/linux/install-user.sh "$STAGE/"
TARBALL="dist/handcue-$VERSION-linux-$ARCH.tar.gz"
tar -C build/tar -czf "$TARBALL" "handcue-$VERSION"

if [ "$MAKE_DEB" = 1 ]; then
echo "== .deb"
DEBROOT="build/deb/handcue"
rm -rf build/deb
mkdir -p "$DEBROOT/DEBIAN" "$DEBROOT/opt" "$DEBROOT/usr/bin" \
    "$DEBROOT/usr/share/applications" "$DEBROOT/usr/share/icons/hicolor/scalable/apps" \
    "$DEBROOT/usr/share/doc/handcue"
cp -a dist/handcue "$DEBROOT/opt/handcue"
ln -s /opt/handcue/handcue "$DEBROOT/usr/bin/handcue"
sed 's|^Exec=handcue|Exec=/usr/bin/handcue|' installer/linux/handcue.desktop \
    > "$DEBROOT/usr/share/applications/handcue.desktop"
cp resources/icons/hand.svg "$DEBROOT/usr/share/icons/hicolor/scalable/apps/handcue.svg"
cp resources/licenses/* "$DEBROOT/usr/share/doc/handcue/"
# The uinput option's udev rule and module loading, and the scripts that apply them.
sh installer/linux/deb-system-files.sh "$DEBROOT"
SIZE_KB="$(du -sk "$DEBROOT" | cut -f1)"
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH_DEB/" -e "s/@SIZE@/$SIZE_KB/" \
    installer/linux/control.in > "$DEBROOT/DEBIAN/control"
chmod -R u+rwX,go+rX,go-w "$DEBROOT"
DEB="dist/handcue_${VERSION}_${ARCH_DEB}.deb"
dpkg-deb --root-owner-group -Zxz --build "$DEBROOT" "$DEB" >/dev/null
fi

echo "== sizes"
if [ "$MAKE_DEB" = 1 ]; then du -sh dist/handcue "$TARBALL" "$DEB"; else du -sh dist/handcue "$TARBALL"; fi
