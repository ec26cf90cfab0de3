"""Finding duplicate files: ``find_duplicates``, ``DuplicateGroup`` (drop-in for pyfs-watcher).

The pipeline runs in Java (``pyfsjvm.dedup.DedupTask``): collect files with the shared walker,
group by size, hash the first and last ``partial_hash_size`` bytes, then the full contents, each
hashing stage in parallel and in inode order. Progress reaches ``progress_callback`` on the
calling thread as pyfs-watcher's seven calls.

Differences from pyfs-watcher, on purpose (see docs/analysis.md):

* Hidden files and directories are scanned (pyfs-watcher skips them by accident).
* The same file reached twice (overlapping or repeated inputs, a symlink given as input) is
  counted once: it is not its own duplicate.
* Hard links are one file: ``wasted_bytes`` counts distinct files only (``copies``), and
  ``DuplicateGroup.hard_links`` lists the paths that share an inode. Paths that are all hard links
  to one file still make a group (as in pyfs-watcher) but with ``copies == 1`` and nothing wasted.
* A missing input raises (``HashError``, also ``FileNotFoundError``) before any work; files that
  cannot be read, or that change while being compared, are left out, logged on
  ``pyfs_jvm.dedup`` and passed to ``on_error``.
* Groups are sorted by wasted bytes (descending), then hash; paths by name. Deterministic.
"""

from __future__ import annotations

import errno as errno_mod
import logging
import os
import stat as stat_mod
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from . import _args, _bridge, _jvm
from .errors import HashError, argument_error, domain_error

if TYPE_CHECKING:
    from pyfsjvm.dedup import DedupApi

__all__ = ["find_duplicates", "DuplicateGroup"]

_log = logging.getLogger("pyfs_jvm.dedup")

_STAGES = ("collecting", "size_grouping", "partial_hash", "full_hash")  # pyfsjvm.dedup.DedupTask.STAGES

ProgressCallback = Callable[[str, int, int], object]


class DuplicateGroup:
    """Files with identical contents.

    hash_hex: the full-content hash (hex) in the chosen algorithm.
    file_size: size of each file in bytes.
    paths: every path with these contents, sorted.
    hard_links: the sets of ``paths`` that are hard links to one file (each set sorted).
    copies: distinct files (inodes) in the group; hard links count once.
    wasted_bytes: ``file_size * (copies - 1)``, what deleting all copies but one would free.
    """

    __slots__ = ("_hash", "_size", "_paths", "_links", "_copies")

    def __init__(self, hash_hex: str, file_size: int, paths: list[str], hard_links: list[list[str]],
                 copies: int) -> None:
        self._hash = hash_hex
        self._size = file_size
        self._paths = paths
        self._links = hard_links
        self._copies = copies

    @property
    def hash_hex(self) -> str:
        return self._hash

    @property
    def file_size(self) -> int:
        return self._size

    @property
    def paths(self) -> list[str]:
        return list(self._paths)

    @property
    def hard_links(self) -> list[list[str]]:
        return [list(s) for s in self._links]

    @property
    def copies(self) -> int:
        return self._copies

    @property
    def wasted_bytes(self) -> int:
        return self._size * (self._copies - 1) if self._copies > 1 else 0

    def __len__(self) -> int:
        return len(self._paths)

    def __setattr__(self, name: str, value: object) -> None:
        if name in DuplicateGroup.__slots__ and not hasattr(self, name):
            object.__setattr__(self, name, value)
            return
        raise AttributeError(f"DuplicateGroup is read-only: cannot set {name!r}")

    def __repr__(self) -> str:
        return f"DuplicateGroup({self._size}B x {len(self._paths)} copies, wasted={self.wasted_bytes}B)"


def check_algorithm(algorithm: Any) -> str:
    """The algorithm name, or ``HashError`` (also ``ValueError``) before any work starts."""
    if not isinstance(algorithm, str):
        raise TypeError(f"algorithm must be a str, got {type(algorithm).__name__}")
    names = [str(n) for n in _jvm.jclass("pyfsjvm.hash.HashAlgorithm").names()]
    if algorithm not in names:
        expected = ", ".join(f'"{n}"' for n in names)
        raise argument_error(HashError, f'unknown algorithm "{algorithm}", expected one of {expected}')
    return algorithm


def find_duplicates(paths: Sequence[_args.PathArg], *, recursive: bool = True, min_size: int = 1,
                    algorithm: str = "blake3", partial_hash_size: int = 4096, max_workers: int | None = None,
                    progress_callback: ProgressCallback | None = None,
                    on_error: Callable[[HashError], object] | None = None) -> list[DuplicateGroup]:
    """Groups of files with identical contents under ``paths`` (files or directories).

    recursive: walk directories fully (False: their direct children only).
    min_size: ignore files smaller than this (0 includes empty files).
    algorithm: "blake3" (default), "sha256", or another name ``hash_file`` accepts.
    partial_hash_size: bytes hashed at each end of a file before the full hash.
    max_workers: hashing threads (None: ``pyfs_jvm.configure`` default).
    progress_callback: ``(stage, processed, total)`` on this thread, seven calls, stages
        "collecting", "size_grouping", "partial_hash", "full_hash".
    on_error: called on this thread with a ``HashError`` (also the matching OSError) for each
        file or directory that could not be read or changed during the scan.

    Returns groups sorted by wasted bytes (descending), then hash.
    """
    items = _args.paths(paths)
    rec = _args.flag(recursive, "recursive")
    minimum = _args.uint(min_size, "min_size")
    assert minimum is not None
    partial = _args.uint(partial_hash_size, "partial_hash_size", minimum=1)
    assert partial is not None
    workers = _args.uint(max_workers, "max_workers", allow_none=True)
    _args.callback(progress_callback, "progress_callback")
    _args.callback(on_error, "on_error")
    algo = check_algorithm(algorithm)
    raws = [_check_input(text, raw) for text, raw in items]

    api: type[DedupApi] = _jvm.jclass("pyfsjvm.dedup.DedupApi")
    task_box: list[Any] = []

    def on_wake() -> None:
        if progress_callback is None or not task_box:
            return
        ev = list(task_box[0].drainProgress())
        for k in range(0, len(ev), 3):
            progress_callback(_STAGES[ev[k]], int(ev[k + 1]), int(ev[k + 2]))

    def start(*args: Any) -> Any:
        t = api.start(*args)
        task_box.append(t)
        return t

    result = _bridge.run_task(HashError, start, _byte_arrays(raws), rec, minimum, algo, partial,
                              workers or 0, on_wake=on_wake)
    groups_buf, paths_buf, errors_buf = (bytes(result[0]), bytes(result[1]), result[2])
    for err in _bridge.decode_errors(errors_buf, HashError):
        _log.warning("%s", err)
        if on_error is not None:
            on_error(err)
    return _decode(groups_buf, paths_buf)


def _byte_arrays(items: list[bytes]) -> Any:
    """A Java byte[][] holding ``items`` (few: the inputs)."""
    import jpype

    return jpype.JArray(jpype.JByte, 2)([jpype.JArray(jpype.JByte)(b) for b in items])


def _check_input(text: str, raw: bytes) -> bytes:
    try:
        st = os.stat(raw)
    except FileNotFoundError:
        raise domain_error(HashError, f"path does not exist: {text}", code=errno_mod.ENOENT, path=text) from None
    except OSError as e:
        raise domain_error(HashError, f"cannot access {text}: {e.strerror}", code=e.errno, path=text) from None
    if not (stat_mod.S_ISREG(st.st_mode) or stat_mod.S_ISDIR(st.st_mode)):
        raise argument_error(HashError, f"path is neither a file nor a directory: {text}")
    return raw


def _decode(groups_buf: bytes, paths_buf: bytes) -> list[DuplicateGroup]:
    g = _bridge.Batch(groups_buf)
    if g.rows == 0:
        return []
    sizes = g.ints(0)
    copies = g.ints(1)
    hashes = g.strings(2)
    p = _bridge.Batch(paths_buf)
    members: list[list[str]] = [[] for _ in range(g.rows)]
    links: list[dict[int, list[str]]] = [{} for _ in range(g.rows)]
    for gi, link, path in zip(p.ints(0), p.ints(1), p.strings(2)):
        members[gi].append(path)
        if link >= 0:
            links[gi].setdefault(link, []).append(path)
    return [DuplicateGroup(hashes[i], sizes[i], members[i], sorted(links[i].values()), copies[i])
            for i in range(g.rows)]
