"""Shared terminal output for the subcommands: raw-byte path printing, sizes, progress lines."""

from __future__ import annotations

import os
import sys
import time
from typing import IO


def write_path(path: str, out: IO[bytes], end: bytes = b"\n") -> None:
    """Print a path exactly as its bytes are on disk (names need not be valid UTF-8)."""
    out.write(os.fsencode(path) + end)


def human_size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


class Progress:
    """A single self-overwriting status line on stderr, at most every ``interval`` seconds.

    Silent unless stderr is a terminal or ``force`` is set; ``done()`` clears the line.
    """

    def __init__(self, force: bool = False, interval: float = 0.2, stream: IO[str] | None = None) -> None:
        self._stream = stream or sys.stderr
        self._on = force or self._stream.isatty()
        self._interval = interval
        self._last = 0.0
        self._start = time.monotonic()
        self._width = 0

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._start

    def update(self, text: str, *, now: bool = False) -> None:
        if not self._on:
            return
        t = time.monotonic()
        if not now and t - self._last < self._interval:
            return
        self._last = t
        line = text[:200]
        self._stream.write("\r" + line + " " * max(0, self._width - len(line)))
        self._stream.flush()
        self._width = len(line)

    def done(self) -> None:
        if self._on and self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._width = 0
