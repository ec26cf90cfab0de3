"""One-way synchronisation: ``sync``, ``SyncResult``, ``SyncProgress``, ``SyncFileError`` (drop-in for pyfs-watcher).

The work runs in Java (``pyfsjvm.diff.SyncTask``): both trees listed once, merged by relative
path, unchanged files recognised by size and modification time (hashing only same-size files whose
times differ, or all with ``checksum=True``), files copied in parallel through the same atomic
copier as ``copy_files``.

Differences from pyfs-watcher, on purpose (docs/transfer.md):

* a file with the same size and mtime as its source is skipped without hashing (rsync's rule);
  ``checksum=True`` compares every same-size pair by content, as pyfs-watcher always does;
* mode and modification time are copied with ``preserve_metadata`` (pyfs-watcher only chmods), so
  the next run is fast;
* empty directories are created and symlinks recreated as symlinks; with ``delete_extra``,
  directories that only the target has are removed once empty;
* the target must not be inside the source or the source inside the target (``SyncError``);
* the algorithm and glob are checked before the target is created;
* ``max_workers`` is honoured; deletions also report progress; every list is sorted by path;
* an interrupted sync never leaves a truncated file behind (temporary name, then rename).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import _args, _bridge, _jvm
from ._args import PathArg
from ._diff import _Frozen, check_root
from ._hash import check_algorithm
from .errors import SyncError, domain_error, os_error

if TYPE_CHECKING:
    from pyfsjvm.diff import DiffApi

__all__ = ["sync", "SyncResult", "SyncProgress", "SyncFileError"]


class SyncFileError(_Frozen):
    """A file that could not be synced: ``path`` (relative) and ``message``."""

    __slots__ = ("path", "message", "errno")
    path: str
    message: str
    errno: int | None

    def __init__(self, path: str, message: str, errno: int | None = None) -> None:
        self._init(path=path, message=message, errno=errno)

    def __repr__(self) -> str:
        return f'SyncFileError("{self.path}", "{self.message}")'


class SyncProgress(_Frozen):
    """Progress of a sync: stage "walking", "comparing" or "syncing"; in "syncing", one call per
    file copied or deleted, with the relative path, counts and bytes copied so far."""

    __slots__ = ("stage", "current_file", "files_completed", "total_files", "bytes_transferred")
    stage: str
    current_file: str
    files_completed: int
    total_files: int
    bytes_transferred: int

    def __init__(self, stage: str, current_file: str, files_completed: int, total_files: int,
                 bytes_transferred: int) -> None:
        self._init(stage=stage, current_file=current_file, files_completed=files_completed,
                   total_files=total_files, bytes_transferred=bytes_transferred)

    def __repr__(self) -> str:
        return f"SyncProgress({self.stage}, {self.files_completed}/{self.total_files} files, {self.bytes_transferred}B)"


class _Paths:
    """A batch's relative paths, decoded when first asked for.

    A resync lists nearly every file as skipped (100k paths for a 100k-file tree, about 5 ms of
    decoding and the strings' memory), and most callers only look at what was copied or failed.
    """

    __slots__ = ("_batch", "_items", "count")

    def __init__(self, buf: Any) -> None:
        self._batch: _bridge.Batch | None = _bridge.Batch(memoryview(bytes(buf)))
        self._items: list[str] | None = None
        self.count: int = self._batch.rows

    def items(self) -> list[str]:
        if self._items is None:
            b = self._batch
            assert b is not None
            self._items = b.strings(0) if b.rows else []
            self._batch = None  # two threads racing here decode the same list: harmless
        return self._items


class SyncResult(_Frozen):
    """What a sync did (or, with ``dry_run``, would do). Lists hold relative paths, sorted."""

    __slots__ = ("_copied", "_deleted", "_skipped", "_errors", "total_bytes_transferred")
    total_bytes_transferred: int

    def __init__(self, copied: list[str] | _Paths, deleted: list[str] | _Paths, skipped: list[str] | _Paths,
                 errors: list[SyncFileError], total_bytes_transferred: int) -> None:
        self._init(_copied=copied, _deleted=deleted, _skipped=skipped, _errors=errors,
                   total_bytes_transferred=total_bytes_transferred)

    @staticmethod
    def _list(v: list[str] | _Paths) -> list[str]:
        return list(v.items() if isinstance(v, _Paths) else v)

    @staticmethod
    def _len(v: list[str] | _Paths) -> int:
        return v.count if isinstance(v, _Paths) else len(v)

    @property
    def copied(self) -> list[str]:
        return self._list(self._copied)  # type: ignore[attr-defined]

    @property
    def deleted(self) -> list[str]:
        return self._list(self._deleted)  # type: ignore[attr-defined]

    @property
    def skipped(self) -> list[str]:
        return self._list(self._skipped)  # type: ignore[attr-defined]

    @property
    def errors(self) -> list[SyncFileError]:
        return list(self._errors)  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        return (f"SyncResult(copied={self._len(self._copied)}, "  # type: ignore[attr-defined]
                f"deleted={self._len(self._deleted)}, "  # type: ignore[attr-defined]
                f"skipped={self._len(self._skipped)}, errors={len(self._errors)})")  # type: ignore[attr-defined]


def _check_not_nested(src: bytes, tgt: bytes, src_text: str, tgt_text: str) -> None:
    s = os.path.realpath(src)
    t = os.path.realpath(tgt)
    if s == t:
        raise domain_error(SyncError, f"source and target are the same directory: {src_text}", code=errno.EINVAL,
                           path=tgt_text, standard=ValueError)
    if t.startswith(s.rstrip(b"/") + b"/"):
        raise domain_error(SyncError, f"target is inside the source: {tgt_text} (in {src_text})", code=errno.EINVAL,
                           path=tgt_text, standard=ValueError)
    if s.startswith(t.rstrip(b"/") + b"/"):
        raise domain_error(SyncError, f"source is inside the target: {src_text} (in {tgt_text})", code=errno.EINVAL,
                           path=src_text, standard=ValueError)


def _errors(buf: Any) -> list[SyncFileError]:
    b = _bridge.Batch(memoryview(bytes(buf)))
    if not b.rows:
        return []
    out = []
    for path, name, text in zip(b.strings(0), b.strings(1), b.strings(2)):
        code = getattr(errno, name, None) if name else None
        out.append(SyncFileError(path, f"{text} (os error {code})" if code is not None else text, code))
    return out


def sync(source: PathArg, target: PathArg, *, algorithm: str = "blake3", delete_extra: bool = False,
         skip_hidden: bool = False, glob_pattern: str | None = None, max_depth: int | None = None,
         dry_run: bool = False, preserve_metadata: bool = True, max_workers: int | None = None,
         progress_callback: Callable[[SyncProgress], object] | None = None, checksum: bool = False) -> SyncResult:
    """Make ``target`` hold what ``source`` holds (created if missing, unless ``dry_run``).

    A file is copied when it is missing from the target or differs: another size, or the same size
    and other content (compared byte by byte when the modification times differ, or always with
    ``checksum=True``; ``algorithm`` is checked for pyfs-watcher's sake, but a yes-or-no comparison
    needs no digest, so no hash is computed). Directories (empty ones too) are created, symlinks recreated as links.
    delete_extra: remove what only the target has (files, links, then emptied directories);
        nothing outside the target is ever touched, and symlinks are never followed.
    skip_hidden, glob_pattern, max_depth: which entries take part (the same filter on both sides;
        target files outside the filter are never deleted).
    dry_run: change nothing; the result says what would be done.
    preserve_metadata: copy mode and access/modification times.
    max_workers: files copied or compared at once.
    progress_callback: ``SyncProgress`` on this thread: ("walking"), ("comparing"), ("syncing")
        and then one call per file copied or deleted.

    Raises SyncError before any work for a source that is not a directory, a target that is not a
    directory, a target inside the source (or the reverse) or a bad glob; HashError for an unknown
    algorithm. Per-file failures are collected in ``result.errors``.
    """
    src_text, src = _args.path(source, "source")
    tgt_text, tgt = _args.path(target, "target")
    delete = _args.flag(delete_extra, "delete_extra")
    hidden = _args.flag(skip_hidden, "skip_hidden")
    glob = _args.optional_str(glob_pattern, "glob_pattern")
    depth = _args.uint(max_depth, "max_depth", allow_none=True)
    dry = _args.flag(dry_run, "dry_run")
    keep = _args.flag(preserve_metadata, "preserve_metadata")
    full = _args.flag(checksum, "checksum")
    workers = _args.uint(max_workers, "max_workers", allow_none=True)
    cb = _args.callback(progress_callback, "progress_callback")
    check_root(src_text, src, SyncError, "source")
    if os.path.lexists(tgt) and not os.path.isdir(tgt):
        raise domain_error(SyncError, f"target is not a directory: {tgt_text}", code=errno.ENOTDIR, path=tgt_text)
    algo = check_algorithm(algorithm)
    if glob is not None:
        _args.check_glob(glob, SyncError)
    _check_not_nested(src, tgt, src_text, tgt_text)
    if not dry and not os.path.isdir(tgt):
        try:
            os.makedirs(tgt, exist_ok=True)
        except OSError as e:
            raise os_error(SyncError, e.errno, os.fsdecode(e.filename) if e.filename else tgt_text,
                           e.strerror) from None
    api: type[DiffApi] = _jvm.jclass("pyfsjvm.diff.DiffApi")
    task: Any = None

    def start() -> Any:
        nonlocal task
        task = api.sync(src, tgt, algo, delete, hidden, glob, -1 if depth is None else depth, dry, keep, full,
                        cb is not None, workers or 0)
        return task

    def on_wake() -> None:
        if cb is None or task is None:
            return
        b = _bridge.Batch(memoryview(bytes(task.events())))
        if not b.rows:
            return
        for stage, rel, done, total, nbytes in zip(b.strings(0), b.strings(1), b.ints(2), b.ints(3), b.ints(4)):
            cb(SyncProgress(stage, rel, done, total, nbytes))

    copied, deleted, skipped, errors, nbytes = _bridge.run_task(SyncError, start, on_wake=on_wake)
    on_wake()
    return SyncResult(_Paths(copied), _Paths(deleted), _Paths(skipped), _errors(errors),
                      int.from_bytes(bytes(nbytes), "little"))
