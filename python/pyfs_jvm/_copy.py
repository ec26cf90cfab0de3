"""Copying and moving: ``copy_files``, ``move_files``, ``CopyProgress`` (drop-in for pyfs-watcher).

The work runs in Java (``pyfsjvm.copy``): the whole copy is planned and checked against the
destination before the first byte is written, then files are copied on several threads with the
kernel's copy (``copy_file_range``/``sendfile`` through ``FileChannel.transferTo``), each under a
temporary name in its destination directory that is renamed to the final name only when complete.
A new tree (one source directory, destination missing) is built whole under a hidden name and
renamed into place once, so it appears complete or not at all.

Differences from pyfs-watcher, on purpose (docs/transfer.md lists them all):

* every conflict (``overwrite=False``) is found before anything is written, not file by file;
* hidden files, empty directories and symlinks (as symlinks) are copied; ``follow_symlinks=True``
  copies what links point to instead;
* an interrupted copy (Ctrl-C, ``kill -9``, a full disk, a vanished source) never leaves a
  truncated file under a final name;
* ``preserve_metadata`` keeps modification and access times (nanoseconds) as well as the mode;
* several sources with a destination that does not exist: the destination becomes a directory
  (pyfs-watcher copies every file onto the same path);
* ``move_files`` creates missing parents, never nests twice across devices, verifies the copy
  before deleting the source, and returns one path per source.
"""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from . import _args, _bridge, _jvm
from ._args import PathArg
from .errors import CopyError, domain_error

if TYPE_CHECKING:
    from pyfsjvm.copy import CopyApi, Transfer

__all__ = ["copy_files", "move_files", "CopyProgress"]


class CopyProgress:
    """Progress of a copy or move, passed to ``progress_callback``.

    src, dst: the file being copied (full paths); ``""`` and the destination argument in the final
        callback.
    bytes_copied, total_bytes: bytes of regular files copied so far, and planned.
    files_completed, total_files: entries (files and symlinks) done, and planned.
    current_file: the name of the file being copied (``""`` in the final callback).
    """

    __slots__ = ("src", "dst", "bytes_copied", "total_bytes", "files_completed", "total_files", "current_file")

    src: str
    dst: str
    bytes_copied: int
    total_bytes: int
    files_completed: int
    total_files: int
    current_file: str

    def __init__(self, src: str, dst: str, bytes_copied: int, total_bytes: int, files_completed: int,
                 total_files: int, current_file: str) -> None:
        for name, value in zip(self.__slots__, (src, dst, bytes_copied, total_bytes, files_completed,
                                                total_files, current_file)):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"CopyProgress is read-only (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"CopyProgress is read-only (cannot delete {name!r})")

    @property
    def percent(self) -> float:
        return self.bytes_copied / self.total_bytes * 100 if self.total_bytes else 100.0

    def __repr__(self) -> str:
        return (f'CopyProgress({self.percent:.1f}%, {self.files_completed}/{self.total_files} files, '
                f'"{self.current_file}")')


def rust_debug(text: str) -> str:
    """A string quoted as Rust's ``{:?}`` does (pyfs-watcher's messages quote paths this way)."""
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\0":
            out.append("\\0")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F or 0xDC80 <= ord(ch) <= 0xDCFF:
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


class _Reporter:
    """Turns the Java task's counters into throttled ``CopyProgress`` callbacks on this thread."""

    def __init__(self, callback: Callable[[CopyProgress], object] | None, interval_ms: int) -> None:
        self.callback = callback
        self.interval = interval_ms / 1000.0
        self.last = time.monotonic()
        self.seen: tuple[int, int] = (0, 0)
        self.task: Transfer | None = None

    def __call__(self) -> None:
        task = self.task
        if self.callback is None or task is None:
            return
        now = time.monotonic()
        if now - self.last < self.interval:
            return
        done_bytes, done_files, total_bytes, total_files, planned = (int(x) for x in task.progress())
        if not planned or (done_bytes, done_files) == self.seen:
            return
        cur = task.current()
        if cur is None:
            return
        src = _bridge.fsdecode(bytes(cur[0]))
        dst = _bridge.fsdecode(bytes(cur[1]))
        self.seen = (done_bytes, done_files)
        self.last = now
        self.callback(CopyProgress(src, dst, done_bytes, total_bytes, done_files, total_files,
                                   os.path.basename(src.rstrip("/"))))

    def final(self, destination: str) -> None:
        if self.callback is None:
            return
        total_bytes = total_files = done_bytes = 0
        if self.task is not None:
            done_bytes, _, total_bytes, total_files, _ = (int(x) for x in self.task.progress())
        self.callback(CopyProgress("", destination, done_bytes, total_bytes, total_files, total_files, ""))


def _check_sources(sources: list[tuple[str, bytes]]) -> None:
    for text, raw in sources:
        if not os.path.lexists(raw):
            raise domain_error(CopyError, f"source does not exist: {rust_debug(text)}", code=errno.ENOENT,
                               path=text)


def _check_not_into_itself(sources: list[tuple[str, bytes]], targets: list[bytes]) -> None:
    """Refuse to copy or move a directory into itself (``cp``: "cannot copy a directory into itself")."""
    for (text, raw), target in zip(sources, targets):
        if os.path.isdir(raw) and not os.path.islink(raw):
            top = os.path.realpath(raw)
            dst = os.path.realpath(target)
            if dst == top or dst.startswith(top.rstrip(b"/") + b"/"):
                raise domain_error(CopyError, f"cannot copy a directory into itself: {rust_debug(text)} -> "
                                   f"{rust_debug(os.fsdecode(target))}", code=errno.EINVAL, path=text,
                                   standard=ValueError)


def _targets(sources: list[tuple[str, bytes]], dest: bytes, nest_dirs: bool) -> list[bytes]:
    dest_is_dir = len(sources) > 1 or os.path.isdir(dest)
    out = []
    for _, raw in sources:
        name = os.path.basename(raw.rstrip(b"/"))
        if name in (b".", b".."):
            name = b""
        is_dir = nest_dirs and os.path.isdir(raw) and not os.path.islink(raw)
        out.append(os.path.join(dest, name) if (is_dir or dest_is_dir) else dest)
    return out


def _run(task_start: Callable[..., Any], args: tuple[Any, ...], reporter: _Reporter, destination: str,
         sources: list[tuple[str, bytes]] | None = None) -> list[str]:
    task: Transfer | None = None

    def start() -> Any:
        nonlocal task
        task = task_start(*args)
        reporter.task = task
        return task

    try:
        result = _bridge.run_task(CopyError, start, on_wake=reporter)
    except FileExistsError as e:
        if e.strerror == "destination already exists":
            raise domain_error(CopyError, f"destination already exists: {rust_debug(str(e.filename))} "
                               f"(use overwrite=True)", code=errno.EEXIST, path=e.filename) from None
        raise
    except OSError as e:
        failed = task.failedSource() if sources is not None and task is not None else -1  # type: ignore[attr-defined]
        if failed >= 0 and sources is not None and isinstance(e, CopyError):
            src = sources[failed][0]
            raise domain_error(CopyError, f"failed to move {rust_debug(src)} to {rust_debug(str(e.filename))}: "
                               f"{e.strerror} (os error {e.errno})", code=e.errno, path=src) from None
        raise
    reporter()  # one last intermediate report if the copy moved on since the previous one
    reporter.final(destination)
    batch = _bridge.Batch(memoryview(bytes(result)))
    return batch.strings(0) if batch.rows else []


def _java_paths(raws: list[bytes]) -> Any:
    import jpype

    return jpype.JArray(jpype.JByte, 2)([jpype.JArray(jpype.JByte)(r) for r in raws])


def copy_files(sources: Sequence[PathArg], destination: PathArg, *, overwrite: bool = False,
               preserve_metadata: bool = True,
               progress_callback: Callable[[CopyProgress], object] | None = None,
               callback_interval_ms: int = 100, follow_symlinks: bool = False, fsync: bool = False,
               max_workers: int | None = None, dry_run: bool = False) -> list[str]:
    """Copy files and directory trees into ``destination``; returns the destination paths.

    A directory source is copied to ``destination/<its name>/...``; a file source to
    ``destination/<its name>`` if ``destination`` is a directory (or there are several sources),
    else to ``destination`` itself. Hidden files, empty directories and symlinks are copied.

    overwrite: replace existing destination files (atomically); without it any existing
        destination fails the call before anything is written.
    preserve_metadata: keep mode (with setuid/setgid/sticky bits) and access/modification times.
    progress_callback: called on this thread with a ``CopyProgress`` at most every
        ``callback_interval_ms`` while copying, and once at the end.
    follow_symlinks: copy what symlinks point to instead of the links.
    fsync: flush each file (and its directory) to disk before reporting it done.
    max_workers: files copied at once (default: 2x the configured workers, at least 4).
    dry_run: plan and check everything (conflicts included), write nothing, return the paths.

    Returns one path per copied file or symlink (directories are not listed), in plan order:
    sources in the order given, each directory depth-first with names sorted.

    Raises CopyError (also FileNotFoundError, FileExistsError, PermissionError... as fits):
    ``source does not exist: "<p>"``, ``destination already exists: "<p>" (use overwrite=True)``,
    or the failing file's OS error. Files finished before a failure stay, complete.
    """
    srcs = _args.paths(sources, "sources")
    dest_text, dest = _args.path(destination, "destination")
    ow = _args.flag(overwrite, "overwrite")
    keep = _args.flag(preserve_metadata, "preserve_metadata")
    follow = _args.flag(follow_symlinks, "follow_symlinks")
    sync = _args.flag(fsync, "fsync")
    dry = _args.flag(dry_run, "dry_run")
    interval = _args.uint(callback_interval_ms, "callback_interval_ms")
    workers = _args.uint(max_workers, "max_workers", allow_none=True)
    cb = _args.callback(progress_callback, "progress_callback")
    _check_sources(srcs)
    _check_not_into_itself(srcs, _targets(srcs, dest, nest_dirs=True))
    api: type[CopyApi] = _jvm.jclass("pyfsjvm.copy.CopyApi")
    reporter = _Reporter(cb, interval or 0)
    return _run(api.copy, (_java_paths([r for _, r in srcs]), dest, ow, keep, follow, sync, workers or 0,
                                  dry), reporter, dest_text)


def move_files(sources: Sequence[PathArg], destination: PathArg, *, overwrite: bool = False,
               progress_callback: Callable[[CopyProgress], object] | None = None,
               callback_interval_ms: int = 100, verify: bool = False, fsync: bool = False,
               max_workers: int | None = None, dry_run: bool = False) -> list[str]:
    """Move files and directories; returns one destination path per source.

    Each source goes to ``destination/<its name>`` if ``destination`` is a directory (or there are
    several sources), else to ``destination``. Missing parent directories are created. Within a
    file system this is ``rename(2)``. Across file systems the source is copied (hidden files,
    empty directories and symlinks included, metadata kept), the copy's sizes are checked (and with
    ``verify=True`` its BLAKE3 digests), and only then is the source deleted; any failure removes
    the partial copy and leaves the source as it was.

    progress_callback: ``CopyProgress`` while copying across devices (at most every
        ``callback_interval_ms``), and once at the end.
    verify: also compare BLAKE3 digests of a cross-device copy before deleting the source.
    fsync: flush copied files to disk before the source is deleted.
    dry_run: check everything, move nothing, return the destinations.

    Raises CopyError: ``source does not exist: "<p>"``, ``destination already exists: "<p>"
    (use overwrite=True)`` (all checked before anything moves), ``failed to move "<src>" to
    "<dst>": <reason>``, or the OS error of a cross-device copy.
    """
    srcs = _args.paths(sources, "sources")
    dest_text, dest = _args.path(destination, "destination")
    ow = _args.flag(overwrite, "overwrite")
    check = _args.flag(verify, "verify")
    sync = _args.flag(fsync, "fsync")
    dry = _args.flag(dry_run, "dry_run")
    interval = _args.uint(callback_interval_ms, "callback_interval_ms")
    workers = _args.uint(max_workers, "max_workers", allow_none=True)
    cb = _args.callback(progress_callback, "progress_callback")
    _check_sources(srcs)
    _check_not_into_itself(srcs, _targets(srcs, dest, nest_dirs=False))
    api: type[CopyApi] = _jvm.jclass("pyfsjvm.copy.CopyApi")
    reporter = _Reporter(cb, interval or 0)
    return _run(api.move, (_java_paths([r for _, r in srcs]), dest, ow, check, sync, workers or 0, dry), reporter,
                dest_text, srcs)
