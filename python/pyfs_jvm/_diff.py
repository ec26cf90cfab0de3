"""Comparing two trees: ``diff_dirs``, ``DirDiff``, ``DiffEntry``, ``MovedEntry`` (drop-in for pyfs-watcher).

Both trees are listed by the shared Java walker, paired by relative path in Java
(``pyfsjvm.diff.DiffTask``), same-size pairs hashed in parallel, and the five result lists come
back as packed batches, each sorted by path.

Differences from pyfs-watcher, on purpose (docs/transfer.md):

* every list is sorted by path (pyfs-watcher's order changes from run to run);
* a pair where either side cannot be hashed is ``modified`` (pyfs-watcher calls a pair where both
  fail ``unchanged``); the failure is logged on ``pyfs_jvm.diff``;
* ``skip_hidden=True`` also skips the contents of hidden directories;
* paths may be ``str``, ``bytes`` or ``os.PathLike``; unreadable directories are logged, not silent.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import _args, _bridge, _jvm
from ._hash import check_algorithm  # the one algorithm check (diff, sync, dedup, snapshot)
from ._args import PathArg
from .errors import DirDiffError, FsWatcherError, domain_error

if TYPE_CHECKING:
    from pyfsjvm.diff import DiffApi

__all__ = ["diff_dirs", "DirDiff", "DiffEntry", "MovedEntry"]


class _Frozen:
    """Read-only attributes, like pyfs-watcher's frozen result classes."""

    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only (cannot delete {name!r})")

    def _init(self, **values: object) -> None:
        for k, v in values.items():
            object.__setattr__(self, k, v)


class DiffEntry(_Frozen):
    """One file in a diff. ``path`` is relative to both roots; sizes and digests are None where absent."""

    __slots__ = ("path", "source_size", "target_size", "source_hash", "target_hash")
    path: str
    source_size: int | None
    target_size: int | None
    source_hash: str | None
    target_hash: str | None

    def __init__(self, path: str, source_size: int | None, target_size: int | None, source_hash: str | None,
                 target_hash: str | None) -> None:
        self._init(path=path, source_size=source_size, target_size=target_size, source_hash=source_hash,
                   target_hash=target_hash)

    def __repr__(self) -> str:
        return f'DiffEntry("{self.path}")'


class MovedEntry(_Frozen):
    """A file only in the source paired with a file only in the target with the same content."""

    __slots__ = ("source_path", "target_path", "hash_hex", "file_size")
    source_path: str
    target_path: str
    hash_hex: str
    file_size: int

    def __init__(self, source_path: str, target_path: str, hash_hex: str, file_size: int) -> None:
        self._init(source_path=source_path, target_path=target_path, hash_hex=hash_hex, file_size=file_size)

    def __repr__(self) -> str:
        return f'MovedEntry("{self.source_path}" -> "{self.target_path}")'


class DirDiff(_Frozen):
    """The result of ``diff_dirs``: source is the old state, target the new one.

    added: only in the target; removed: only in the source; modified: in both, different;
    unchanged: in both, same; moved: removed/added pairs with the same content (``detect_moves``).
    Each list is sorted by path; each access returns a new list.
    """

    __slots__ = ("_added", "_removed", "_modified", "_unchanged", "_moved")

    def __init__(self, added: list[DiffEntry], removed: list[DiffEntry], modified: list[DiffEntry],
                 unchanged: list[DiffEntry], moved: list[MovedEntry]) -> None:
        self._init(_added=added, _removed=removed, _modified=modified, _unchanged=unchanged, _moved=moved)

    @property
    def added(self) -> list[DiffEntry]:
        return list(self._added)  # type: ignore[attr-defined]

    @property
    def removed(self) -> list[DiffEntry]:
        return list(self._removed)  # type: ignore[attr-defined]

    @property
    def modified(self) -> list[DiffEntry]:
        return list(self._modified)  # type: ignore[attr-defined]

    @property
    def unchanged(self) -> list[DiffEntry]:
        return list(self._unchanged)  # type: ignore[attr-defined]

    @property
    def moved(self) -> list[MovedEntry]:
        return list(self._moved)  # type: ignore[attr-defined]

    @property
    def total_changes(self) -> int:
        return len(self._added) + len(self._removed) + len(self._modified) + len(self._moved)  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        return (f"DirDiff(added={len(self._added)}, removed={len(self._removed)}, "  # type: ignore[attr-defined]
                f"modified={len(self._modified)}, unchanged={len(self._unchanged)}, "  # type: ignore[attr-defined]
                f"moved={len(self._moved)})")  # type: ignore[attr-defined]


# ------------------------------------------------------------------ shared with sync


def check_root(text: str, raw: bytes, family: type[FsWatcherError], which: str) -> None:
    """``<which> is not a directory: <p>`` (pyfs-watcher's message, missing paths included)."""
    if not os.path.isdir(raw):
        code = errno.ENOTDIR if os.path.exists(raw) else errno.ENOENT
        raise domain_error(family, f"{which} is not a directory: {text}", code=code, path=text)


def _entries(batch: _bridge.Batch) -> list[DiffEntry]:
    if not batch.rows:
        return []
    paths = batch.strings(0)
    src_sizes = batch.ints(1)
    tgt_sizes = batch.ints(2)
    src_hash = batch.strings(3)
    tgt_hash = batch.strings(4)
    return [DiffEntry(p, None if a < 0 else a, None if b < 0 else b, ha or None, hb or None)
            for p, a, b, ha, hb in zip(paths, src_sizes, tgt_sizes, src_hash, tgt_hash)]


def _moves(batch: _bridge.Batch) -> list[MovedEntry]:
    if not batch.rows:
        return []
    return [MovedEntry(s, t, h, n) for s, t, h, n in
            zip(batch.strings(0), batch.strings(1), batch.strings(2), batch.ints(3))]


def diff_dirs(source: PathArg, target: PathArg, *, algorithm: str = "blake3", compare_content: bool = True,
              skip_hidden: bool = False, glob_pattern: str | None = None, max_depth: int | None = None,
              detect_moves: bool = False, max_workers: int | None = None,
              progress_callback: Callable[[str], object] | None = None) -> DirDiff:
    """Compare the regular files under ``source`` (old) and ``target`` (new); symlinks are ignored.

    compare_content: hash same-size pairs (else equal size means unchanged).
    skip_hidden: leave out hidden names (and the contents of hidden directories).
    glob_pattern: only files whose name matches; max_depth: 1 = the roots' direct children.
    detect_moves: pair files only in the source with files only in the target by content.
    max_workers: hashing threads (default: the configured workers).
    progress_callback: called on this thread with "walking_source", "walking_target", "comparing".

    Raises DirDiffError (``source is not a directory: <p>``, ``target is not a directory: <p>``,
    ``invalid glob pattern ...``) or HashError (unknown algorithm) before any work starts.
    """
    src_text, src = _args.path(source, "source")
    tgt_text, tgt = _args.path(target, "target")
    content = _args.flag(compare_content, "compare_content")
    hidden = _args.flag(skip_hidden, "skip_hidden")
    glob = _args.optional_str(glob_pattern, "glob_pattern")
    depth = _args.uint(max_depth, "max_depth", allow_none=True)
    moves = _args.flag(detect_moves, "detect_moves")
    workers = _args.uint(max_workers, "max_workers", allow_none=True)
    cb = _args.callback(progress_callback, "progress_callback")
    check_root(src_text, src, DirDiffError, "source")
    check_root(tgt_text, tgt, DirDiffError, "target")
    algo = check_algorithm(algorithm)
    if glob is not None:
        _args.check_glob(glob, DirDiffError)
    api: type[DiffApi] = _jvm.jclass("pyfsjvm.diff.DiffApi")
    task: Any = None

    def start() -> Any:
        nonlocal task
        task = api.diff(src, tgt, algo, content, hidden, glob, -1 if depth is None else depth, moves, workers or 0)
        return task

    def on_wake() -> None:
        if cb is not None and task is not None:
            for stage in task.stages():
                cb(str(stage))

    result = _bridge.run_task(DirDiffError, start, on_wake=on_wake)
    added, removed, modified, unchanged, moved = (_bridge.Batch(memoryview(bytes(b))) for b in result)
    with _bridge.no_gc():
        return DirDiff(_entries(added), _entries(removed), _entries(modified), _entries(unchanged), _moves(moved))
