"""Walking directory trees: ``walk``, ``walk_collect``, ``WalkEntry`` (drop-in for pyfs-watcher).

The traversal runs in Java (``pyfsjvm.walk.Walker``): worker threads read directories ahead in
parallel while entries come out in strict depth-first pre-order, as pyfs-watcher (jwalk) gives
them. Entries cross the bridge in packed batches (``pyfsjvm.walk.WalkStream``) and become
``WalkEntry`` tuples here without a Python-level call per entry.

Differences from pyfs-watcher, on purpose (see docs/compatibility.md):

* ``path`` may be ``str``, ``bytes`` or ``os.PathLike``; entry paths are always ``str``
  (``os.fsdecode``), and names that are not valid UTF-8 come back exactly (surrogateescape), so
  every path can be opened or passed back in.
* ``skip_hidden=True`` prunes hidden directories as well (their contents are not walked).
* Unreadable directories are not silently lost: each is logged on ``pyfs_jvm.walk``, handed to
  ``on_error`` if given, and kept in ``WalkIter.errors``. An unreadable *root* raises.
* With ``follow_symlinks=True`` a broken symlink is reported as the link itself
  (``is_symlink=True``) instead of being dropped; a symlink loop is reported as an error and not
  descended.
* ``walk()`` streams through a bounded queue: the producer waits when you are slow, and
  leaving the loop (or ``close()``) stops it. The GIL is never held while waiting.
* ``WalkEntry`` is an immutable named tuple: same attributes, plus value equality and hashing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from itertools import repeat
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from . import _args, _bridge, _jvm
from ._args import PathArg
from .errors import WalkError, domain_error, os_error

if TYPE_CHECKING:
    from pyfsjvm.walk import WalkApi  # stubs/pyfsjvm: the Java surface we call

__all__ = ["walk", "walk_collect", "WalkEntry", "WalkIter"]

_log = logging.getLogger("pyfs_jvm.walk")

FileType = Literal["any", "file", "dir"]
_FILE_TYPES = {"any": 0, "file": 1, "dir": 2}  # pyfsjvm.walk.WalkStream.ANY/FILES/DIRS
_ERROR_KIND = 255
_STREAM_BATCH = 4096
_COLLECT_BATCH = 65536

# kind byte (pyfsjvm.platform.FileType) -> 0/1, as bytes.translate tables (see _flags)
_IS_FILE = bytes(k == 1 for k in range(256))
_IS_DIR = bytes(k == 2 for k in range(256))
_IS_LINK = bytes(k == 3 for k in range(256))


def _flags(kinds: bytes, table: bytes) -> list[bool]:
    """One bool per kind byte, made in C: translate to 0/1 bytes and read them back as C bools."""
    flags: Any = memoryview(kinds.translate(table)).cast("?").tolist()  # typeshed says list[int]
    return flags  # type: ignore[no-any-return]


class WalkEntry(NamedTuple):
    """One entry of a walk.

    path: the root as given joined with the names (relative if the root was).
    is_dir, is_file, is_symlink: the entry's type; with ``follow_symlinks`` the target's, and
        then ``is_symlink`` is False except for a broken link.
    depth: 1 for the root's children.
    file_size: ``lstat`` size (the target's ``stat`` size when following); for a directory the
        size the OS reports for it (e.g. 4096), for a symlink the length of its target text.
    """

    path: str
    is_dir: bool
    is_file: bool
    is_symlink: bool
    depth: int
    file_size: int

    def __repr__(self) -> str:
        kind = "dir" if self.is_dir else "symlink" if self.is_symlink else "file"
        return f'WalkEntry("{self.path}", {kind}, {self.file_size}B)'


_new_entry: Callable[[type[WalkEntry], tuple[Any, ...]], WalkEntry] = tuple.__new__


def _decode(batch: _bridge.Batch, errors: list[WalkError]) -> list[WalkEntry]:
    """A batch's entries as WalkEntry tuples; error rows go to ``errors``."""
    paths = batch.strings(0)
    sizes = batch.ints(1)
    depths = batch.ints(2)
    kinds = bytes(batch.raw(3))
    if batch.byte_length(4) > 0:  # some rows are errors: separate them (rare, slow path)
        texts = iter(batch.strings(4))
        keep = [i for i, k in enumerate(kinds) if k != _ERROR_KIND]
        for i, k in enumerate(kinds):
            if k == _ERROR_KIND:
                errors.append(_walk_error(paths[i], next(texts)))
        paths = [paths[i] for i in keep]
        sizes = [sizes[i] for i in keep]
        depths = [depths[i] for i in keep]
        kinds = bytes(kinds[i] for i in keep)
    rows = zip(paths, _flags(kinds, _IS_DIR), _flags(kinds, _IS_FILE), _flags(kinds, _IS_LINK), depths, sizes)
    return _bridge.build_list(map(_new_entry, repeat(WalkEntry), rows))


def _walk_error(path: str, text: str) -> WalkError:
    import errno as errno_mod

    name, _, reason = text.partition(":")
    code = getattr(errno_mod, name, None) if name else None
    if code is None:
        return domain_error(WalkError, f"{reason}: {path}", path=path)
    return os_error(WalkError, code, path, reason)


class WalkIter(Iterator[WalkEntry]):
    """The iterator ``walk()`` returns. Also a context manager; ``close()`` stops the walk.

    errors: the directories that could not be read (and other per-entry failures) so far, as
        ``WalkError`` instances that are also the matching ``OSError`` subclass.
    """

    def __init__(self, reader: _bridge.StreamReader, on_error: Callable[[WalkError], object] | None) -> None:
        self._reader = reader
        self._on_error = on_error
        self._pending: Iterator[WalkEntry] = iter(())
        self.errors: list[WalkError] = []

    def __iter__(self) -> WalkIter:
        return self

    def __next__(self) -> WalkEntry:
        for entry in self._pending:
            return entry
        while True:
            buf = self._reader.next_batch()
            if buf is None:
                raise StopIteration
            entries = self._take(_bridge.Batch(buf))
            if entries:
                self._pending = iter(entries)
                return next(self._pending)

    def _take(self, batch: _bridge.Batch) -> list[WalkEntry]:
        new_errors: list[WalkError] = []
        entries = _decode(batch, new_errors)
        for err in new_errors:
            _report(err, self._on_error)
        self.errors.extend(new_errors)
        return entries

    def close(self) -> None:
        """Stop the walk now (also done when the iterator is dropped)."""
        self._reader.close()

    def __enter__(self) -> WalkIter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _report(err: WalkError, on_error: Callable[[WalkError], object] | None) -> None:
    _log.warning("%s", err)
    if on_error is not None:
        on_error(err)


def _open(path: PathArg, max_depth: int | None, follow_symlinks: bool, sort: bool, skip_hidden: bool,
          file_type: str, glob_pattern: str | None, on_error: Any, batch: int) -> _bridge.StreamReader:
    text, raw = _args.path(path)
    depth = _args.uint(max_depth, "max_depth", allow_none=True)
    follow = _args.flag(follow_symlinks, "follow_symlinks")
    do_sort = _args.flag(sort, "sort")
    hidden = _args.flag(skip_hidden, "skip_hidden")
    glob = _args.optional_str(glob_pattern, "glob_pattern")
    _args.callback(on_error, "on_error")
    if not isinstance(file_type, str):
        raise TypeError(f"file_type must be a str, got {type(file_type).__name__}")
    _args.require_dir(text, raw, WalkError)
    _args.choice(file_type, "file_type", tuple(_FILE_TYPES), WalkError,
                 f'invalid file_type: "{file_type}", expected "any", "file", or "dir"')
    api: type[WalkApi] = _jvm.jclass("pyfsjvm.walk.WalkApi")
    if glob is not None:
        _args.check_glob(glob, WalkError)
    _args.require_readable_dir(text, raw, WalkError)
    return _bridge.open_stream(WalkError, api.open, raw, -1 if depth is None else depth, follow, do_sort,
                               hidden, _FILE_TYPES[file_type], glob, 0, batch)


def walk(path: PathArg, *, max_depth: int | None = None, follow_symlinks: bool = False, sort: bool = False,
         skip_hidden: bool = False, file_type: FileType = "any", glob_pattern: str | None = None,
         on_error: Callable[[WalkError], object] | None = None) -> WalkIter:
    """Walk ``path`` depth-first, streaming entries as they are found (the root is not yielded).

    max_depth: deepest level to yield (1 = the root's children; 0 yields nothing).
    follow_symlinks: descend into symlinked directories and report targets' types and sizes.
    sort: siblings sorted by name (bytes), per directory.
    skip_hidden: leave out names starting with "." (and do not walk hidden directories).
    file_type: "any", "file" (regular files only) or "dir".
    glob_pattern: keep entries whose name matches (globset syntax); does not prune the walk.
    on_error: called on this thread with a ``WalkError`` for each directory that cannot be read.

    Raises WalkError (also FileNotFoundError / NotADirectoryError / PermissionError / ValueError
    as fits) before anything is walked if the root or an argument is bad.
    """
    reader = _open(path, max_depth, follow_symlinks, sort, skip_hidden, file_type, glob_pattern, on_error,
                   _STREAM_BATCH)
    return WalkIter(reader, on_error)


def walk_collect(path: PathArg, *, max_depth: int | None = None, follow_symlinks: bool = False,
                 sort: bool = False, skip_hidden: bool = False, file_type: FileType = "any",
                 glob_pattern: str | None = None,
                 on_error: Callable[[WalkError], object] | None = None) -> list[WalkEntry]:
    """Everything ``walk()`` would yield, as a list (same arguments and errors)."""
    reader = _open(path, max_depth, follow_symlinks, sort, skip_hidden, file_type, glob_pattern, on_error,
                   _COLLECT_BATCH)
    it = WalkIter(reader, on_error)
    out: list[WalkEntry] = []
    try:
        while True:
            buf = reader.next_batch()
            if buf is None:
                return out
            out.extend(it._take(_bridge.Batch(buf)))
    finally:
        reader.close()
