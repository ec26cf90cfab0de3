"""Hashing files: ``hash_file``, ``hash_files``, ``HashResult`` (drop-in for pyfs-watcher).

The hashing runs in Java (``pyfsjvm.hash.ParallelHasher``): worker threads hash files in
parallel with the GIL released and stream results back in packed batches as they complete.
BLAKE3 is the core's own implementation; the SHA family and MD5 use the JDK's (intrinsic) code.

Differences from pyfs-watcher, on purpose (see docs/hash.md):

* Per-file failures are not silently dropped: ``hash_files`` returns a :class:`HashResults` list
  (a ``list`` subclass) whose ``errors`` holds one ``HashError`` per failed file (also the
  matching ``OSError`` subclass, with ``errno`` and ``filename``); each is also logged on
  ``pyfs_jvm.hash`` and passed to ``on_error`` if given.
* ``callback`` runs on the calling thread *as results arrive* (completion order), not after
  everything has been hashed. The returned list keeps input order, as the reference's does.
* ``chunk_size=0`` is a ``ValueError`` (the reference hashed nothing and returned the digest of
  the empty input). ``chunk_size`` is only a read-size hint; the digest never depends on it.
* Algorithms beyond ``"blake3"`` and ``"sha256"``: ``"sha1"``, ``"sha224"``, ``"sha384"``,
  ``"sha512"``, ``"md5"``, ``"sha3-256"``, ``"sha3-512"``. An unknown name raises
  ``HashError`` (also a ``ValueError``) before any file is touched.
* FIFOs, sockets and devices are refused (a ``HashError``) without being opened, so a named pipe
  never hangs the call; a directory is a ``HashError`` that is also ``IsADirectoryError``.
* A file that shrinks while it is hashed is an error for that file, never a crash (the
  reference's mmap could die of SIGBUS).
* Paths may be ``str``, ``bytes`` or ``os.PathLike``; ``HashResult.path`` is always ``str``.
"""

from __future__ import annotations

import errno as _errno
import logging
from collections import deque
from collections.abc import Callable, Generator, Sequence
from contextlib import nullcontext
from itertools import repeat
from typing import TYPE_CHECKING, Any

from . import _args, _bridge, _jvm
from ._args import PathArg
from .errors import HashError, argument_error, domain_error, os_error

if TYPE_CHECKING:
    from pyfsjvm.hash import HashApi  # stubs/pyfsjvm: the Java surface we call

__all__ = ["hash_file", "hash_files", "HashResult", "HashResults", "algorithms", "new_hasher", "Hasher"]

_log = logging.getLogger("pyfs_jvm.hash")

DEFAULT_CHUNK = 1_048_576
# chunk_size is a read-size hint: tiny reads would only be slow, huge ones waste memory per worker
_MIN_BUFFER = 64 * 1024
_MAX_BUFFER = 16 * 1024 * 1024


class HashResult:
    """The hash of one file.

    path: the path as given (as ``str``). hash_hex: lower-case hex digest. algorithm: its name.
    file_size: bytes hashed (the file's size when it was opened).

    Equality and ``hash()`` look at ``(hash_hex, algorithm)`` only, as in pyfs-watcher: two files
    with the same content compare equal whatever their paths.
    """

    __slots__ = ("path", "hash_hex", "algorithm", "file_size")

    path: str
    hash_hex: str
    algorithm: str
    file_size: int

    def __init__(self, path: str, hash_hex: str, algorithm: str, file_size: int) -> None:
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "hash_hex", hash_hex)
        object.__setattr__(self, "algorithm", algorithm)
        object.__setattr__(self, "file_size", file_size)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"HashResult is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"HashResult is immutable: cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, HashResult):
            return NotImplemented
        return self.hash_hex == other.hash_hex and self.algorithm == other.algorithm

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, HashResult):
            return NotImplemented
        return not self == other

    def __hash__(self) -> int:
        return hash((self.hash_hex, self.algorithm))

    def __repr__(self) -> str:
        return f'HashResult("{self.path}", {self.algorithm}={self.hash_hex[:16]}, {self.file_size}B)'

    def __reduce__(self) -> tuple[Any, ...]:
        return (HashResult, (self.path, self.hash_hex, self.algorithm, self.file_size))


class HashResults(list[HashResult]):
    """What ``hash_files`` returns: the results in input order (failed files left out).

    errors: one ``HashError`` per file that could not be hashed, in input order; each is also
        the matching ``OSError`` subclass (``FileNotFoundError``, ``PermissionError``,
        ``IsADirectoryError``, ...) with ``filename`` set, when the OS gave the reason.
    """

    errors: list[HashError]

    def __init__(self, results: Sequence[HashResult] = (), errors: Sequence[HashError] = ()) -> None:
        super().__init__(results)
        self.errors = list(errors)


# ---------------------------------------------------------------- arguments

_ALGORITHMS: tuple[str, ...] | None = None


def algorithms() -> tuple[str, ...]:
    """Every supported algorithm name, the default (``"blake3"``) first."""
    global _ALGORITHMS
    if _ALGORITHMS is None:
        api: type[HashApi] = _jvm.jclass("pyfsjvm.hash.HashApi")
        _ALGORITHMS = tuple(str(n) for n in api.algorithms())
    return _ALGORITHMS


def check_algorithm(algorithm: Any) -> str:
    """The canonical name of ``algorithm``, or the reference's ``HashError`` (also a ValueError).

    Shared by every family that takes an ``algorithm=`` argument (dedup, diff, sync, snapshot).
    """
    if not isinstance(algorithm, str):
        raise TypeError(f"algorithm must be a str, got {type(algorithm).__name__}")
    names = algorithms()
    if algorithm in names:
        return algorithm
    lower = algorithm.lower()
    if lower in names:
        return lower
    expected = '"sha256" or "blake3"' if len(names) <= 2 else ", ".join(f'"{n}"' for n in names)
    raise argument_error(HashError, f'unknown algorithm "{algorithm}", expected {expected}')


def _buffer_size(chunk_size: Any) -> int:
    n = _args.uint(chunk_size, "chunk_size", minimum=1)
    assert n is not None
    return max(_MIN_BUFFER, min(_MAX_BUFFER, n))


def _workers(max_workers: Any) -> int:
    n = _args.uint(max_workers, "max_workers", allow_none=True)
    return 0 if n is None else n  # 0: the configured default (all cores), as rayon's 0 does


# ---------------------------------------------------------------- the stream


def _error(path: str, text: str) -> HashError:
    """The HashError for an error row ``"ERRNO:reason"`` (``":message"`` for a domain error)."""
    name, _, reason = text.partition(":")
    code = getattr(_errno, name, None) if name else None
    if code is None:
        return domain_error(HashError, f"{reason}: {path}", path=path)
    return os_error(HashError, code, path, reason)


_Rows = tuple[list[int], Sequence["HashResult | HashError"], int]  # indices, results, errors


def _run(texts: list[str], blob: bytes, algorithm: str, buffer: int, workers: int,
         ) -> Generator[_Rows, None, None]:
    """Hash the NUL-terminated paths of ``blob`` in Java; yields each batch as ``(input indices,
    results or errors, number of errors)``, ``texts[index]`` being the path as the caller shows it.

    Rows come in completion order. Closing the generator (or Ctrl-C) stops the Java workers.
    """
    api: type[HashApi] = _jvm.jclass("pyfsjvm.hash.HashApi")
    reader = _bridge.open_stream(HashError, api.hashFiles, blob, algorithm, buffer, workers)
    try:
        while True:
            buf = reader.next_batch()
            if buf is None:
                return
            batch = _bridge.Batch(buf)
            idx, sizes, hexes = batch.ints(0), batch.ints(1), batch.strings(2)
            paths = list(map(texts.__getitem__, idx))
            if batch.byte_length(3) == len(idx):  # every error text empty (one NUL each)
                yield idx, _results(paths, hexes, algorithm, sizes), 0
                continue
            errs = batch.strings(3)
            rows: list[HashResult | HashError] = [
                _error(p, err) if err else _results([p], [hx], algorithm, [size])[0]
                for p, size, hx, err in zip(paths, sizes, hexes, errs)]
            yield idx, rows, sum(1 for e in errs if e)
    finally:
        reader.close()


_SLOTS = vars(HashResult)  # the __slots__ member descriptors
_SET_PATH, _SET_HEX = _SLOTS["path"].__set__, _SLOTS["hash_hex"].__set__
_SET_ALGORITHM, _SET_SIZE = _SLOTS["algorithm"].__set__, _SLOTS["file_size"].__set__


def _results(paths: list[str], hexes: list[str], algorithm: str, sizes: list[int]) -> list[HashResult]:
    """``[HashResult(p, h, algorithm, s) for ...]`` at a fraction of the cost: the objects made and
    their slots filled by C-level ``map`` loops through the slot descriptors, not ``__init__``'s
    four ``object.__setattr__`` calls per result (those were half the Python time of
    ``hash_files`` over 20k small files)."""
    out: list[HashResult] = list(map(object.__new__, repeat(HashResult, len(paths))))
    for setter, values in ((_SET_PATH, paths), (_SET_HEX, hexes), (_SET_SIZE, sizes)):
        deque(map(setter, out, values), maxlen=0)
    deque(map(_SET_ALGORITHM, out, repeat(algorithm)), maxlen=0)
    return out


# ---------------------------------------------------------------- streaming


class Hasher:
    """A running hash computed in Java, with hashlib's interface (``update``, ``digest``,
    ``hexdigest``, ``digest_size``, ``name``). Feed it large blocks: each ``update`` crosses into
    Java once (BLAKE3 fills its SIMD lanes from blocks of 16 KiB and more)."""

    def __init__(self, algorithm: str) -> None:
        self.name = check_algorithm(algorithm)
        api: type[HashApi] = _jvm.jclass("pyfsjvm.hash.HashApi")
        self._h = api.newHasher(self.name)
        self.digest_size: int = int(self._h.digestLength())
        self._done: bytes | None = None

    def update(self, data: bytes | bytearray | memoryview) -> None:
        if self._done is not None:
            raise ValueError("update() after digest()")
        b = bytes(data)
        if b:
            self._h.update(b, 0, len(b))

    def digest(self) -> bytes:
        if self._done is None:
            self._done = bytes(self._h.digest())
        return self._done

    def hexdigest(self) -> str:
        return self.digest().hex()


def new_hasher(algorithm: str = "blake3") -> Hasher:
    """A streaming :class:`Hasher` for ``algorithm`` (any of :func:`algorithms`)."""
    return Hasher(algorithm)


# ---------------------------------------------------------------- public API


def hash_file(path: PathArg, *, algorithm: str = "blake3", chunk_size: int = DEFAULT_CHUNK) -> HashResult:
    """Hash one file (symlinks followed); a big BLAKE3 file on every worker (``configure(workers=...)``).

    algorithm: "blake3" (default), "sha256", or another of :func:`algorithms`.
    chunk_size: read size hint in bytes (must be positive; the digest does not depend on it).

    Raises HashError (also ValueError) for an unknown algorithm, before the path is looked at;
    HashError that is also FileNotFoundError / PermissionError / IsADirectoryError / OSError when
    the file cannot be hashed.
    """
    algo = check_algorithm(algorithm)
    buffer = _buffer_size(chunk_size)
    text, raw = _args.path(path)
    # every worker: a big BLAKE3 file is hashed tree-parallel (other algorithms are sequential)
    for _, results, _ in _run([text], raw + b"\0", algo, buffer, _workers(None)):
        for r in results:
            if isinstance(r, HashError):
                raise r
            return r
    raise AssertionError("the hash stream ended without a result")  # pragma: no cover


def hash_files(paths: Sequence[PathArg], *, algorithm: str = "blake3", chunk_size: int = DEFAULT_CHUNK,
               max_workers: int | None = None, callback: Callable[[HashResult], object] | None = None,
               on_error: Callable[[HashError], object] | None = None) -> HashResults:
    """Hash many files in parallel; the results come back in input order.

    algorithm, chunk_size: as for :func:`hash_file`.
    max_workers: threads to hash with (None or 0: every core, or ``configure(workers=...)``).
    callback: called on this thread with each ``HashResult`` as soon as it is ready (completion
        order). An exception from it stops the hashing and propagates.
    on_error: called on this thread with the ``HashError`` of each file that fails.

    Files that fail are left out of the list, logged on ``pyfs_jvm.hash`` and kept in the
    returned list's ``errors``. Duplicate paths are hashed each time they appear.
    """
    algo = check_algorithm(algorithm)
    buffer = _buffer_size(chunk_size)
    workers = _workers(max_workers)
    _args.callback(callback, "callback")
    _args.callback(on_error, "on_error")
    texts, blob = _args.path_blob(paths)
    if not texts:
        return HashResults()
    slots: list[HashResult | HashError | None] = [None] * len(texts)
    gen = _run(texts, blob, algo, buffer, workers)
    failed = received = 0
    # Results hold only strings and numbers: no cycles for the collector to find while 20k of
    # them are made (left on, it ran every 700 allocations: 44 -> 37 ms of this thread's CPU per
    # 20k files, time taken from the hashing threads). Not with callbacks: the caller's code may
    # make cycles, and it gets each result on its own anyway.
    quiet = callback is None and on_error is None
    with _bridge.no_gc() if quiet else nullcontext():
        try:
            for idx, batch, errors in gen:
                received += len(idx)
                failed += errors
                if quiet and not errors:
                    deque(map(slots.__setitem__, idx, batch), maxlen=0)
                    continue
                for i, r in zip(idx, batch):
                    slots[i] = r
                    if type(r) is not HashResult:  # a HashError (its class varies with the errno)
                        _log.warning("hash error: %s", r)
                        if on_error is not None:
                            on_error(r)  # type: ignore[arg-type]
                    elif callback is not None:
                        callback(r)
        finally:
            gen.close()
    if not failed and received == len(slots):  # one row per input: every slot is a HashResult
        return HashResults(slots)  # type: ignore[arg-type]
    results = HashResults()
    for slot in slots:
        if isinstance(slot, HashResult):
            results.append(slot)
        elif slot is not None:
            results.errors.append(slot)
    return results
