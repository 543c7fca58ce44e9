"""An image file's width and height from its header, before anything is decoded.

OpenCV has no call that reads only a header: ``imdecode`` allocates the whole picture at once
(a 20000x20000 16-bit PNG: 2.4 GB from a 3.5 MB file). :func:`image_size` reads the sizes of
the formats HandCue lists as images (PNG, JPEG, BMP, WebP, TIFF) from the bytes of the file, so
that a picture past the pixel limit is refused before its pixels take memory. Other formats,
and headers it cannot make sense of, give None: the decoded picture is checked instead.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

Buffer = bytes | bytearray | memoryview

# JPEG start-of-frame markers (baseline, progressive, lossless, ...): C0-CF except DHT (C4),
# JPG (C8) and DAC (CC), which share the range.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers that stand alone (no length follows): TEM, RST0-7, SOI, EOI.
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xDA)})


def image_size(data: Buffer) -> tuple[int, int] | None:
    """(width, height) in pixels from the header at the start of ``data`` (the file's bytes),
    or None for a format not read here or a header too short or malformed to tell."""
    view = memoryview(data).cast("B")
    reader = _reader_for(view)
    if reader is None:
        return None
    try:
        size = reader(view)
    except (struct.error, IndexError, ValueError):  # cut short inside the header
        return None
    if size is None or size[0] <= 0 or size[1] <= 0:
        return None
    return size


def _reader_for(view: memoryview) -> Callable[[memoryview], tuple[int, int] | None] | None:
    if bytes(view[:4]) == b"RIFF" and bytes(view[8:12]) == b"WEBP":
        return _webp
    for magic, reader in _READERS:
        if bytes(view[: len(magic)]) == magic:
            return reader
    return None


def _png(view: memoryview) -> tuple[int, int] | None:
    # Signature (8), IHDR chunk length (4) and type (4), then width and height (big-endian).
    if bytes(view[12:16]) != b"IHDR":
        return None
    width, height = struct.unpack_from(">II", view, 16)
    return int(width), int(height)


def _jpeg(view: memoryview) -> tuple[int, int] | None:
    i = 2  # after SOI
    n = len(view)
    while i + 4 <= n:
        if view[i] != 0xFF:
            return None  # not at a marker: damaged, or scan data without a frame before it
        marker = view[i + 1]
        if marker == 0xFF:  # fill byte before a marker
            i += 1
            continue
        if marker in _JPEG_STANDALONE:
            i += 2
            continue
        (length,) = struct.unpack_from(">H", view, i + 2)
        if marker in _JPEG_SOF:
            height, width = struct.unpack_from(">HH", view, i + 5)  # after the sample precision
            return int(width), int(height)
        if marker == 0xDA or length < 2:  # start of scan before any frame header: malformed
            return None
        i += 2 + length
    return None


def _bmp(view: memoryview) -> tuple[int, int] | None:
    (header_size,) = struct.unpack_from("<I", view, 14)
    if header_size == 12:  # OS/2 BITMAPCOREHEADER: 16-bit sizes
        width, height = struct.unpack_from("<HH", view, 18)
    else:  # BITMAPINFOHEADER and later: signed 32-bit; a negative height is a top-down picture
        width, height = struct.unpack_from("<ii", view, 18)
    return int(width), abs(int(height))


def _tiff(view: memoryview) -> tuple[int, int] | None:
    order = "<" if bytes(view[:2]) == b"II" else ">"
    (magic,) = struct.unpack_from(order + "H", view, 2)
    if magic != 42:  # BigTIFF (43) and others are not read here
        return None
    (ifd,) = struct.unpack_from(order + "I", view, 4)
    (count,) = struct.unpack_from(order + "H", view, ifd)
    sizes: dict[int, int] = {}
    for k in range(count):
        tag, kind, _n = struct.unpack_from(order + "HHI", view, ifd + 2 + 12 * k)
        if tag in (256, 257):  # ImageWidth, ImageLength: SHORT (3) or LONG (4)
            fmt = {3: "H", 4: "I"}.get(kind)
            if fmt is None:
                return None
            (sizes[tag],) = struct.unpack_from(order + fmt, view, ifd + 2 + 12 * k + 8)
    if 256 not in sizes or 257 not in sizes:
        return None
    return sizes[256], sizes[257]


def _webp(view: memoryview) -> tuple[int, int] | None:
    chunk = bytes(view[12:16])
    if chunk == b"VP8X":  # extended: 24-bit canvas width - 1 and height - 1
        w = int.from_bytes(view[24:27], "little") + 1
        h = int.from_bytes(view[27:30], "little") + 1
        return w, h
    if chunk == b"VP8L":  # lossless: signature 0x2F, then 14-bit width - 1 and height - 1
        if view[20] != 0x2F:
            return None
        (bits,) = struct.unpack_from("<I", view, 21)
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 ":  # lossy: frame tag (3), start code 9D 01 2A, 14-bit width and height
        if bytes(view[23:26]) != b"\x9d\x01\x2a":
            return None
        w, h = struct.unpack_from("<HH", view, 26)
        return w & 0x3FFF, h & 0x3FFF
    return None


_READERS: tuple[tuple[bytes, Callable[[memoryview], tuple[int, int] | None]], ...] = (
    (b"\x89PNG\r\n\x1a\n", _png),
    (b"\xff\xd8", _jpeg),
    (b"BM", _bmp),
    (b"II*\x00", _tiff),
    (b"MM\x00*", _tiff),
)
