"""Disk usage: ``disk_usage``, ``DiskUsage``, ``DiskUsageEntry`` (drop-in for pyfs-watcher).

The tree is walked in parallel by Java (``pyfsjvm.du.DuTask``), which sums per directory and
sends one row per directory (and per listed file) in one batch; the entries here are built from
those columns lazily, so a tree with a hundred thousand directories costs only what is looked at.

Differences from pyfs-watcher, on purpose (see docs/analysis.md):

* ``max_depth`` is honoured: directories deeper than it are not read (pyfs-watcher ignores it).
* ``total_dirs`` and ``dir_count`` count directories (all of them below, empty ones too);
  pyfs-watcher counts parents of files.
* ``children`` holds every top-level directory and regular file; ``is_dir`` comes from the file
  system (pyfs-watcher guesses from the name, so ``conf.d`` is "not a directory").
* Hard links are counted once (the first path the walk reaches), everywhere.
* Beyond: ``apparent_size`` and ``allocated_size`` as ``du --apparent-size -s -B1`` and
  ``du -s -B1`` give them (all entries, the root included; ``allocated_size`` is None where the
  JDK cannot tell, i.e. on the JDK 17 NIO layer), nested ``children`` for directories, and
  ``errors`` for directories that could not be read.
* Children are sorted by size (descending), then name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _args, _bridge, _jvm
from ._args import PathArg
from .errors import DiskUsageError

if TYPE_CHECKING:
    from pyfsjvm.du import DuApi

__all__ = ["disk_usage", "DiskUsage", "DiskUsageEntry"]

_NO_LISTING = 1 << 62


class _Tree:
    """The decoded rows of one scan: columns, and each row's children (rows) on demand."""

    def __init__(self, buf: Any) -> None:
        b = _bridge.Batch(memoryview(bytes(buf)))
        with _bridge.no_gc():
            self.names = b.strings(0)
            self.parent = b.ints(1)
            self.depth = b.ints(2)
            self.kind = bytes(b.raw(3))
            self.files = b.ints(4)
            self.file_bytes = b.ints(5)
            self.apparent = b.ints(6)
            self.allocated = b.ints(7)
            self.dirs = b.ints(8)
        self._children: dict[int, list[int]] | None = None

    def children(self, row: int) -> list[int]:
        if self._children is None:
            kids: dict[int, list[int]] = {}
            for i, p in enumerate(self.parent):
                if p >= 0:
                    kids.setdefault(p, []).append(i)
            self._children = kids
        rows = self._children.get(row, [])
        return sorted(rows, key=lambda i: (-self.file_bytes[i], self.names[i]))


class DiskUsageEntry:
    """One directory or file in the breakdown.

    path: its name (top-level entries: the name inside the root, as pyfs-watcher gives it).
    size: bytes of the regular files in it (apparent, hard links once); a file: its size.
    file_count: regular files in it. dir_count: directories below it (all depths).
    is_dir: whether it is a directory.
    apparent_size, allocated_size: as ``du --apparent-size`` / ``du`` count it (everything
        below, itself included); allocated_size is None where the platform cannot tell.
    children: a directory's own entries (directories, and files listed individually), sorted.
    """

    __slots__ = ("_t", "_r")
    _t: _Tree
    _r: int

    def __init__(self, tree: _Tree, row: int) -> None:
        object.__setattr__(self, "_t", tree)
        object.__setattr__(self, "_r", row)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"DiskUsageEntry is read-only: cannot set {name!r}")

    @property
    def path(self) -> str:
        return self._t.names[self._r]

    @property
    def size(self) -> int:
        return self._t.file_bytes[self._r]

    @property
    def file_count(self) -> int:
        return self._t.files[self._r]

    @property
    def dir_count(self) -> int:
        return self._t.dirs[self._r]

    @property
    def is_dir(self) -> bool:
        return self._t.kind[self._r] == 0

    @property
    def depth(self) -> int:
        return self._t.depth[self._r]

    @property
    def apparent_size(self) -> int:
        return self._t.apparent[self._r]

    @property
    def allocated_size(self) -> int | None:
        v = self._t.allocated[self._r]
        return None if v < 0 else v

    @property
    def children(self) -> list[DiskUsageEntry]:
        return [DiskUsageEntry(self._t, i) for i in self._t.children(self._r)]

    def __repr__(self) -> str:
        return f'DiskUsageEntry("{self.path}", {self.size}B, {self.file_count} files, {self.dir_count} dirs)'


class DiskUsage:
    """The totals for a tree and its top-level breakdown.

    total_size: bytes in regular files (apparent, hard links once). total_files: regular files.
    total_dirs: directories below the root. children: top-level directories and files.
    apparent_size / allocated_size: ``du --apparent-size -s -B1`` / ``du -s -B1`` of the root.
    errors: directories (or entries) that could not be read; their contents are not counted.
    """

    __slots__ = ("_t", "_errors")
    _t: _Tree
    _errors: list[DiskUsageError]

    def __init__(self, tree: _Tree, errors: list[DiskUsageError]) -> None:
        object.__setattr__(self, "_t", tree)
        object.__setattr__(self, "_errors", errors)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"DiskUsage is read-only: cannot set {name!r}")

    @property
    def total_size(self) -> int:
        return self._t.file_bytes[0]

    @property
    def total_files(self) -> int:
        return self._t.files[0]

    @property
    def total_dirs(self) -> int:
        return self._t.dirs[0]

    @property
    def apparent_size(self) -> int:
        return self._t.apparent[0]

    @property
    def allocated_size(self) -> int | None:
        v = self._t.allocated[0]
        return None if v < 0 else v

    @property
    def children(self) -> list[DiskUsageEntry]:
        return [DiskUsageEntry(self._t, i) for i in self._t.children(0)]

    @property
    def errors(self) -> list[DiskUsageError]:
        return list(self._errors)

    def __repr__(self) -> str:
        return (f"DiskUsage({self.total_size}B, {self.total_files} files, {self.total_dirs} dirs, "
                f"{len(self._t.children(0))} children)")


def disk_usage(path: PathArg, *, max_depth: int | None = None, skip_hidden: bool = False,
               follow_symlinks: bool = False, glob_pattern: str | None = None,
               max_workers: int | None = None) -> DiskUsage:
    """Sizes and counts for the tree under ``path``.

    max_depth: do not read directories deeper than this (1: only the root's own entries).
    skip_hidden: leave out names starting with "." (hidden directories are not read).
    follow_symlinks: count what symlinks point to (each inode once) instead of the links.
    glob_pattern: count only regular files whose name matches (directories are still read).
    max_workers: directory-reading threads (None: the default).

    Raises DiskUsageError (also FileNotFoundError / NotADirectoryError / ValueError as fits)
    before any work when the path or an argument is bad.
    """
    return _scan(path, max_depth, skip_hidden, follow_symlinks, glob_pattern, max_workers, _NO_LISTING)


def _scan(path: PathArg, max_depth: int | None, skip_hidden: bool, follow_symlinks: bool,
          glob_pattern: str | None, max_workers: int | None, file_threshold: int) -> DiskUsage:
    text, raw = _args.path(path)
    depth = _args.uint(max_depth, "max_depth", allow_none=True)
    hidden = _args.flag(skip_hidden, "skip_hidden")
    follow = _args.flag(follow_symlinks, "follow_symlinks")
    glob = _args.optional_str(glob_pattern, "glob_pattern")
    workers = _args.uint(max_workers, "max_workers", allow_none=True)
    _args.require_dir(text, raw, DiskUsageError)
    api: type[DuApi] = _jvm.jclass("pyfsjvm.du.DuApi")
    if glob is not None:
        _args.check_glob(glob, DiskUsageError)
    _args.require_readable_dir(text, raw, DiskUsageError)
    root = raw.rstrip(b"/") or b"/"
    result = _bridge.run_task(DiskUsageError, api.start, root, -1 if depth is None else depth, hidden, follow, glob,
                              workers or 0, file_threshold)
    return DiskUsage(_Tree(result[0]), _bridge.decode_errors(result[1], DiskUsageError))
