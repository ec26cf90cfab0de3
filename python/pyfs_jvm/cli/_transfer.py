"""Shared parts of ``pyfs-jvm copy|move|diff|sync``: the progress bar and the summary table."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from typing import IO, Any, TypeVar

from ._output import Progress, human_size

T = TypeVar("T")


def bar(fraction: float, width: int = 24) -> str:
    fraction = min(1.0, max(0.0, fraction))
    full = int(fraction * width)
    return "[" + "#" * full + ("." * (width - full)) + "]"


def eta(seconds: float) -> str:
    if seconds != seconds or seconds < 0 or seconds > 360_000:  # NaN, or more than 100 h: unknown
        return "--:--"
    m, s = divmod(int(seconds + 0.5), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02}:{s:02}" if h else f"{m:02}:{s:02}"


class TransferBar:
    """``[#####.....]  42.0%  1.2 GiB / 2.9 GiB  310 MiB/s  1,234/5,000 files  ETA 00:05``."""

    def __init__(self, force: bool = False) -> None:
        self.progress = Progress(force=force)
        self.start = time.monotonic()

    def update(self, done_bytes: int, total_bytes: int, done_files: int, total_files: int, name: str = "") -> None:
        elapsed = max(time.monotonic() - self.start, 1e-9)
        rate = done_bytes / elapsed
        if total_bytes:
            frac = done_bytes / total_bytes
            left = (total_bytes - done_bytes) / rate if rate > 0 else float("nan")
        else:
            frac = done_files / total_files if total_files else 1.0
            left = (total_files - done_files) * elapsed / done_files if done_files else float("nan")
        text = (f"{bar(frac)} {frac * 100:5.1f}%  {human_size(done_bytes)} / {human_size(total_bytes)}  "
                f"{human_size(rate)}/s  {done_files:,}/{total_files:,} files  ETA {eta(left)}")
        if name:
            text += f"  {name}"
        self.progress.update(text)

    def done(self) -> None:
        self.progress.done()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.start


def table(rows: Sequence[tuple[str, str]], out: IO[str] | None = None) -> None:
    """A two-column summary table."""
    out = out or sys.stdout
    width = max(len(k) for k, _ in rows)
    vwidth = max(len(v) for _, v in rows)
    line = "+" + "-" * (width + 2) + "+" + "-" * (vwidth + 2) + "+"
    print(line, file=out)
    for k, v in rows:
        print(f"| {k:<{width}} | {v:>{vwidth}} |", file=out)
    print(line, file=out)


def rate(nbytes: int, seconds: float) -> str:
    return f"{human_size(nbytes / max(seconds, 1e-9))}/s"


def sources_and_dest(paths: list[str], command: str) -> tuple[list[str], str] | None:
    """``SRC... DEST`` split, or None after telling the user that a DEST is missing (exit status 2)."""
    if len(paths) < 2:
        print(f"pyfs-jvm {command}: need at least one SRC and a DEST", file=sys.stderr)
        return None
    *sources, dest = paths
    return sources, dest


def with_copy_bar(force: bool, call: Callable[[Callable[[Any], None]], T]) -> tuple[T, Any, TransferBar]:
    """Runs ``call(progress_callback)`` with a TransferBar fed by its CopyProgress events.

    Returns the result, the last progress event (None if there was none) and the finished bar.
    """
    bar = TransferBar(force=force)
    last: list[Any] = []

    def cb(p: Any) -> None:
        last[:] = [p]
        bar.update(p.bytes_copied, p.total_bytes, p.files_completed, p.total_files, p.current_file)

    try:
        out = call(cb)
    finally:
        bar.done()
    return out, (last[0] if last else None), bar

