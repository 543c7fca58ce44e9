"""Huge image files made cheaply, and a command run under a memory cap that reports the most
memory it held.

:func:`one_colour_png16` writes a valid 16-bit RGB PNG of one colour of any size in a fraction
of a second and a few MB of file: one block of rows is deflated once, after a full flush (which
resets the compressor, so the same rows always give the same bytes), and its compressed bytes
are repeated; the stream's Adler-32 is combined arithmetically instead of read over gigabytes.
"""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_ADLER_BASE = 65521


def _adler32_combine(first: int, second: int, second_len: int) -> int:
    """Adler-32 of A + B from those of A and B and the length of B (zlib's adler32_combine)."""
    rem = second_len % _ADLER_BASE
    s1 = first & 0xFFFF
    s2 = (rem * s1) % _ADLER_BASE
    s1 = (s1 + (second & 0xFFFF) + _ADLER_BASE - 1) % _ADLER_BASE
    s2 = (s2 + (first >> 16) + (second >> 16) + _ADLER_BASE - rem) % _ADLER_BASE
    return s1 | (s2 << 16)


def _adler32_repeated(block: bytes, times: int) -> int:
    """Adler-32 of ``block * times`` (by doubling, without building it)."""
    total, part, part_len = 1, zlib.adler32(block), len(block)
    while times:
        if times & 1:
            total = _adler32_combine(total, part, part_len)
        part = _adler32_combine(part, part, part_len)
        part_len *= 2
        times >>= 1
    return total


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def one_colour_png16(
    path: Path, width: int, height: int, colour: Sequence[int] = (1000, 30000, 60000)
) -> Path:
    """A ``width`` x ``height`` 16-bit RGB PNG filled with ``colour`` (R, G, B), written to
    ``path`` without ever holding its pixels (20000x20000: 3.5 MB, ~0.1 s)."""
    row = b"\0" + np.tile(np.asarray(colour, dtype=">u2"), width).tobytes()  # filter 0: none
    rows_per_block = max(1, min(height, (1 << 22) // len(row)))
    block = row * rows_per_block
    blocks, rest = divmod(height, rows_per_block)
    comp = zlib.compressobj(9)
    header = comp.compress(b"") + comp.flush(zlib.Z_FULL_FLUSH)
    body = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    tail_rows = row * rest
    tail = (comp.compress(tail_rows) + comp.flush(zlib.Z_FINISH))[:-4]  # its Adler-32 is wrong
    adler = _adler32_combine(
        _adler32_repeated(block, blocks), zlib.adler32(tail_rows), len(tail_rows)
    )
    stream = header + body * blocks + tail + struct.pack(">I", adler)
    ihdr = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)  # 16-bit truecolour
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", stream)
        + _png_chunk(b"IEND", b"")
    )
    return path


@dataclass(frozen=True)
class CappedRun:
    returncode: int
    stdout: str
    stderr: str
    max_rss_mb: float  # the most resident memory the process held


# The launcher run_capped starts: caps the address space of ARGV's process, runs it, writes
# its peak resident memory (wait4's figure, as ru_maxrss gives it) to RSS_FILE, exits with its
# code. Usage: python -c _LAUNCH CAP_BYTES RSS_FILE ARGV...
_LAUNCH = """
import os, resource, subprocess, sys
cap, rss_file, argv = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
def limit():
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
proc = subprocess.Popen(argv, preexec_fn=limit)
_, status, usage = os.wait4(proc.pid, 0)
with open(rss_file, "w") as f:
    f.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_capped(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path,
    address_space_gb: float,
    timeout: float = 120,
) -> CappedRun:
    """``argv`` to its end with its address space capped (RLIMIT_AS: an allocation past the cap
    fails in the child instead of taking the machine's memory), and the most resident memory
    it held (``wait4``'s own figure for that child). POSIX only. A run past ``timeout``
    seconds is killed and fails the test."""
    import tempfile
    import threading

    cap = int(address_space_gb * (1 << 30))
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err, \
            tempfile.NamedTemporaryFile("w+", suffix=".rss") as rss:  # fmt: skip
        # Through a small launcher: a child forked straight from this (large) test process
        # counts the pages it shares with it in its peak memory (427 MB in the full suite for
        # a child that held about 100 MB); the launcher is a fresh, small process.
        launcher = [sys.executable, "-c", _LAUNCH, str(cap), rss.name, *argv]
        proc = subprocess.Popen(launcher, env=dict(env), cwd=cwd, stdout=out, stderr=err)
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            proc.kill()

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            proc.wait()
        finally:
            timer.cancel()
        assert not killed.is_set(), f"{argv} did not end within {timeout} s"
        out.seek(0)
        err.seek(0)
        rss.seek(0)
        kb = float(rss.read().strip() or "nan")
        rss_mb = kb / (1 << 20) if sys.platform == "darwin" else kb / 1024
        return CappedRun(proc.returncode, out.read(), err.read(), rss_mb)
