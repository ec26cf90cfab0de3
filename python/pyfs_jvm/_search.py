"""Content search: ``search``, ``search_iter``, ``SearchResult``, ``SearchMatch`` (drop-in for pyfs-watcher).

The work runs in Java (``pyfsjvm.search``): the walk feeds worker threads that search files in
parallel, in blocks, jumping between occurrences of the pattern's literals; results come back in
walk order through a bounded stream (``pyfsjvm.search.SearchStream``) and become Python objects
here, one batch at a time.

Patterns use the syntax of Rust's ``regex`` crate, as in pyfs-watcher, and run in linear time
(RE2/J): no pattern can make a search hang. Differences from pyfs-watcher, on purpose (see
docs/search.md):

* ``search_iter`` streams: a file's result is yielded as soon as it and the files before it are
  searched, and leaving the loop (or ``close()``) stops the walk and the workers. The GIL is never
  held while waiting.
* Every match on a line is found: ``SearchMatch.spans`` lists them all (``match_start`` /
  ``match_end`` are still the first one, so one ``SearchMatch`` per line as in the reference).
* Lines that are not valid UTF-8 are searched (the reference stops reading the file there);
  their ``line_text`` keeps the undecodable bytes as surrogate escapes, so
  ``line_text.encode("utf-8", "surrogateescape")`` gives the exact bytes the offsets refer to.
* A file containing a NUL byte anywhere in what is read is binary and skipped (the reference
  only looks at the first 8 KiB). Files are read in blocks, never loaded whole.
* ``skip_hidden=True`` (the default) also prunes hidden directories such as ``.git``.
* A ``path`` that is a file is searched (the reference returns ``[]``).
* ``max_count=0`` means no matches (the reference treats it as 1).
* Unreadable files are not silently lost: each is logged on ``pyfs_jvm.search``, passed to
  ``on_error`` if given, and kept in ``SearchIter.errors``.
* Results come in a deterministic order: depth-first, siblings sorted by name.
"""

from __future__ import annotations

import errno as _errno
import logging
import re
from collections.abc import Callable, Iterator
from types import TracebackType
from itertools import repeat
from typing import TYPE_CHECKING, Any

from . import _args, _bridge, _jvm
from ._args import PathArg
from .errors import SearchError, argument_error, domain_error, os_error

if TYPE_CHECKING:
    from pyfsjvm.search import SearchApi  # stubs/pyfsjvm: the Java surface we call

__all__ = ["search", "search_iter", "SearchResult", "SearchMatch", "SearchIter"]

_log = logging.getLogger("pyfs_jvm.search")

_FIRST, _LAST, _ERROR = 1, 2, 255  # pyfsjvm.search.SearchStream flags
_LAST_ROW = re.compile(b"[\\x02\\x03]")  # flags with the LAST bit (errors, 255, are taken out first)


class SearchMatch(tuple):  # type: ignore[type-arg]
    """One matching line (read-only).

    line_number: 1-based.
    line_text: the line without its terminator ("\\n", or "\\r\\n").
    match_start, match_end: the first match on the line, as UTF-8 byte offsets into the line.
    context_before, context_after: up to ``context_lines`` lines around it (any lines, matches
        included; overlapping contexts are repeated, not merged). A new list on each access.
    spans: every match on the line as (start, end) byte offsets, the first one included
        (pyfs-jvm's own; the reference reports the first match only).

    Built straight from the Java batches as a tuple (fast for millions of matches); contexts
    and further spans are kept packed and unpacked only when asked for.
    """

    __slots__ = ()

    @property
    def line_number(self) -> int:
        v: int = self[0]
        return v

    @property
    def line_text(self) -> str:
        v: str = self[1]
        return v

    @property
    def match_start(self) -> int:
        v: int = self[2]
        return v

    @property
    def match_end(self) -> int:
        v: int = self[3]
        return v

    @property
    def context_before(self) -> list[str]:
        joined: str | None = self[4]
        return [] if joined is None else joined.split("\n")

    @property
    def context_after(self) -> list[str]:
        joined: str | None = self[5]
        return [] if joined is None else joined.split("\n")

    @property
    def spans(self) -> list[tuple[int, int]]:
        first = (self[2], self[3])
        extra: str = self[6]
        if not extra:
            return [first]
        nums = list(map(int, extra.split(",")))
        return [first, *zip(nums[0::2], nums[1::2])]

    def __repr__(self) -> str:
        return f"SearchMatch(line={self[0]}, col={self[2]}..{self[3]})"

    def __eq__(self, other: object) -> bool:
        return type(other) is SearchMatch and tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return tuple.__hash__(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_match, (tuple(self),))


def _rebuild_match(values: tuple[Any, ...]) -> SearchMatch:
    return tuple.__new__(SearchMatch, values)


class SearchResult:
    """The matches in one file. Read-only; ``len()`` is the number of matching lines."""

    __slots__ = ("path", "matches", "match_count")

    path: str
    matches: list[SearchMatch]
    match_count: int

    def __init__(self, path: str, matches: list[SearchMatch]) -> None:
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "matches", matches)
        object.__setattr__(self, "match_count", len(matches))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"SearchResult is read-only (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"SearchResult is read-only (cannot delete {name!r})")

    def __len__(self) -> int:
        return self.match_count

    def __repr__(self) -> str:
        return f'SearchResult("{self.path}", {self.match_count} matches)'


def _texts(batch: _bridge.Batch, col: int) -> list[str]:
    """A string column of line text: UTF-8 with undecodable bytes kept as surrogate escapes."""
    raw = batch.raw(col)
    if len(raw) == 0:
        return []
    return str(raw[:-1], "utf-8", "surrogateescape").split("\0")


class _Decoder:
    """Turns batches into complete SearchResults; a file's rows may span batches."""

    def __init__(self) -> None:
        self._path = ""
        self._cur: list[SearchMatch] = []

    def decode(self, batch: _bridge.Batch, errors: list[SearchError]) -> list[SearchResult]:
        with _bridge.no_gc():
            return self._decode(batch, errors)

    def _decode(self, batch: _bridge.Batch, errors: list[SearchError]) -> list[SearchResult]:
        rows = batch.rows
        if rows == 0:
            return []
        paths = batch.strings(0)
        flags = bytes(batch.raw(1))
        texts = _texts(batch, 5)
        extra = _texts(batch, 10)
        before = _context(batch.ints(6), batch, 7, rows)
        after = _context(batch.ints(8), batch, 9, rows)
        matches: list[SearchMatch] = list(map(tuple.__new__, repeat(SearchMatch), zip(
            batch.ints(2), texts, batch.ints(3), batch.ints(4), before, after, extra)))
        if _ERROR in flags:  # rare: take the error rows out first
            keep = [i for i, f in enumerate(flags) if f != _ERROR]
            for i, f in enumerate(flags):
                if f == _ERROR:
                    errors.append(_file_error(paths[i], extra[i]))
            paths = [paths[i] for i in keep]
            matches = [matches[i] for i in keep]
            flags = bytes(flags[i] for i in keep)
        out: list[SearchResult] = []
        begin = 0
        for m in _LAST_ROW.finditer(flags):  # one result per file: rows begin..end
            end = m.start() + 1
            if flags[begin] & _FIRST:
                out.append(SearchResult(paths[begin], matches[begin:end]))
            else:  # the file's first rows came in the previous batch
                out.append(SearchResult(self._path, self._cur + matches[begin:end]))
                self._cur = []
            begin = end
        if begin < len(matches):  # the file goes on in the next batch
            if flags[begin] & _FIRST:
                self._path = paths[begin]
                self._cur = matches[begin:]
            else:
                self._cur += matches[begin:]
        return out


def _context(counts: list[int], batch: _bridge.Batch, col: int, rows: int) -> list[str | None]:
    """Joined context lines per row, None where there are none (most rows, usually all)."""
    if not any(counts):
        return [None] * rows
    return [t if n else None for n, t in zip(counts, _texts(batch, col))]


def _file_error(path: str, text: str) -> SearchError:
    name, _, reason = text.partition(":")
    code = getattr(_errno, name, None) if name else None
    if code is None:
        return domain_error(SearchError, f"{reason}: {path}", path=path)
    return os_error(SearchError, code, path, reason)


class SearchIter(Iterator[SearchResult]):
    """The iterator ``search_iter()`` returns; a context manager too. ``close()`` stops the search.

    errors: files (or directories) that could not be read so far, as ``SearchError`` instances
        that are also the matching ``OSError`` subclass.
    """

    def __init__(self, reader: _bridge.StreamReader,
                 on_error: Callable[[SearchError], object] | None) -> None:
        self._reader = reader
        self._on_error = on_error
        self._decoder = _Decoder()
        self._pending: Iterator[SearchResult] = iter(())
        self.errors: list[SearchError] = []

    def __iter__(self) -> SearchIter:
        return self

    def __next__(self) -> SearchResult:
        for r in self._pending:
            return r
        while True:
            results = self._next_batch()
            if results is None:
                raise StopIteration
            if results:
                self._pending = iter(results)
                return next(self._pending)

    def _next_batch(self) -> list[SearchResult] | None:
        buf = self._reader.next_batch()
        if buf is None:
            return None
        new_errors: list[SearchError] = []
        results = self._decoder.decode(_bridge.Batch(buf), new_errors)
        for err in new_errors:
            _log.warning("%s", err)
            if self._on_error is not None:
                self._on_error(err)
        self.errors.extend(new_errors)
        return results

    def close(self) -> None:
        """Stop the search now (also done when the iterator is dropped); iteration ends."""
        self._pending = iter(())
        self._reader.close()

    def __enter__(self) -> SearchIter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _api() -> type[SearchApi]:
    api: type[SearchApi] = _jvm.jclass("pyfsjvm.search.SearchApi")
    return api


def check_pattern(pattern: str, ignore_case: bool, family: type[Any]) -> None:
    """Raise ``family("invalid regex pattern: ...")`` (also a ValueError) for a bad pattern."""
    try:
        _bridge.call(family, _api().checkRegex, pattern, ignore_case)
    except family as e:
        raise argument_error(family, f"invalid regex pattern: {e}") from None


def _open(path: PathArg, pattern: str, glob_pattern: str | None, max_depth: int | None, skip_hidden: bool,
          ignore_case: bool, max_count: int | None, max_filesize: int | None, context_lines: int,
          follow_symlinks: bool, max_workers: int | None, on_error: Any,
          streaming: bool) -> _bridge.StreamReader:
    import errno
    import os

    text, raw = _args.path(path)
    if not isinstance(pattern, str):
        raise TypeError(f"pattern must be a str, got {type(pattern).__name__}")
    glob = _args.optional_str(glob_pattern, "glob_pattern")
    depth = _args.uint(max_depth, "max_depth", allow_none=True)
    hidden = _args.flag(skip_hidden, "skip_hidden")
    icase = _args.flag(ignore_case, "ignore_case")
    count = _args.uint(max_count, "max_count", allow_none=True)
    fsize = _args.uint(max_filesize, "max_filesize", allow_none=True)
    context = _args.uint(context_lines, "context_lines")
    follow = _args.flag(follow_symlinks, "follow_symlinks")
    workers = _args.uint(max_workers, "max_workers", allow_none=True)
    _args.callback(on_error, "on_error")
    # The reference's order: the root exists, then the regex, then the glob.
    try:
        os.stat(raw)
    except (FileNotFoundError, NotADirectoryError):
        raise domain_error(SearchError, f"path does not exist: {text}", code=errno.ENOENT, path=text) from None
    except OSError as e:
        raise domain_error(SearchError, f"cannot access {text}: {e.strerror}", code=e.errno, path=text) from None
    check_pattern(pattern, icase, SearchError)
    if glob is not None:
        _args.check_glob(glob, SearchError)
    return _bridge.open_stream(SearchError, _api().open, raw, pattern, icase, glob,
                               -1 if depth is None else depth, hidden, -1 if count is None else count,
                               -1 if fsize is None else fsize, context, follow, workers or 0, streaming)


def search_iter(path: PathArg, pattern: str, *, glob_pattern: str | None = None, max_depth: int | None = None,
                skip_hidden: bool = True, ignore_case: bool = False, max_count: int | None = None,
                max_filesize: int | None = None, context_lines: int = 0, follow_symlinks: bool = False,
                max_workers: int | None = None,
                on_error: Callable[[SearchError], object] | None = None) -> SearchIter:
    """Search the files under ``path`` for ``pattern``, yielding one ``SearchResult`` per file with
    matches, as soon as it is found (same arguments as :func:`search`)."""
    reader = _open(path, pattern, glob_pattern, max_depth, skip_hidden, ignore_case, max_count, max_filesize,
                   context_lines, follow_symlinks, max_workers, on_error, True)
    return SearchIter(reader, on_error)


def search(path: PathArg, pattern: str, *, glob_pattern: str | None = None, max_depth: int | None = None,
           skip_hidden: bool = True, ignore_case: bool = False, max_count: int | None = None,
           max_filesize: int | None = None, context_lines: int = 0, follow_symlinks: bool = False,
           max_workers: int | None = None,
           on_error: Callable[[SearchError], object] | None = None) -> list[SearchResult]:
    """Search the regular files under ``path`` (or ``path`` itself, if a file) for ``pattern``.

    pattern: Rust ``regex`` syntax (RE2-like); runs in linear time. Matched line by line.
    glob_pattern: only files whose name matches (globset syntax).
    max_depth: deepest level searched (1 = the root's children).
    skip_hidden: leave out hidden files and do not enter hidden directories.
    ignore_case: Unicode case-insensitive matching (the pattern gets a ``(?i)`` prefix).
    max_count: stop a file after this many matching lines.
    max_filesize: skip files larger than this many bytes.
    context_lines: lines of context before and after each match.
    follow_symlinks: search symlinked files and descend symlinked directories.
    max_workers: threads searching files (default: all cores).
    on_error: called on this thread with a ``SearchError`` for each file that cannot be read.

    Returns one ``SearchResult`` per file with at least one match, in walk order. Raises
    SearchError (also FileNotFoundError / ValueError as fits) before any work starts for a missing
    path, an invalid pattern or an invalid glob.
    """
    reader = _open(path, pattern, glob_pattern, max_depth, skip_hidden, ignore_case, max_count, max_filesize,
                   context_lines, follow_symlinks, max_workers, on_error, False)
    it = SearchIter(reader, on_error)
    out: list[SearchResult] = []
    try:
        while True:
            results = it._next_batch()
            if results is None:
                return out
            out.extend(results)
    finally:
        reader.close()
