"""Crossing the bridge: waiting on Java tasks, reading streams, decoding batches, mapping errors.

Every family uses these; none talks to JPype directly (DESIGN.md, "The bridge").

* Long work runs as a Java ``Task``; the calling thread waits in short slices with the GIL
  released, so Ctrl-C raises ``KeyboardInterrupt`` here within one slice, the Java work is
  cancelled and waited for (nothing is left half-done), and queued callbacks run on the caller's
  thread between slices.
* Streams hand over packed batches (``pyfsjvm.bridge.Columns``); :class:`Batch` decodes one with
  memoryview casts and a single bulk decode of all names.
* Java failures arrive as ``pyfsjvm.bridge.FsException`` and become the family's error class,
  mixed with the matching OSError subclass, with the path decoded from raw bytes.
"""

from __future__ import annotations

import errno as _errno
import gc
import signal
import logging
import os
import struct
import sys
import threading
from collections.abc import Callable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar

from . import _jvm
from .errors import FsWatcherError, domain_error, os_error

if TYPE_CHECKING:
    from pyfsjvm.bridge import Log

_log = logging.getLogger("pyfs_jvm")

SLICE_MS = 50  # Ctrl-C latency bound while Java works (requirement: < 0.5 s)

_FS_ENCODING = sys.getfilesystemencoding()
_FS_ERRORS = sys.getfilesystemencodeerrors()

T = TypeVar("T")
E = TypeVar("E", bound=FsWatcherError)

# Task.await results (pyfsjvm.bridge.Task)
_TIMEOUT, _WOKEN, _DONE = 0, 1, 2


def fsdecode(raw: bytes | bytearray | memoryview) -> str:
    """Raw name bytes to str exactly as ``os.fsdecode`` does (surrogateescape)."""
    return str(raw, _FS_ENCODING, _FS_ERRORS)


# ------------------------------------------------------------------ errors


def is_java_exception(e: BaseException, java_name: str) -> bool:
    jc = getattr(e, "getClass", None)
    if jc is None:
        return False
    try:
        return str(jc().getName()) == java_name
    except Exception:
        return False


def map_error(e: BaseException, family: type[E]) -> BaseException:
    """The Python exception for a Java failure (or ``e`` itself if it is not one)."""
    if is_java_exception(e, "pyfsjvm.bridge.FsException"):
        jx: Any = e
        name = jx.errno()
        raw = jx.path()
        path = fsdecode(bytes(raw)) if raw is not None else None
        reason = str(jx.reason())
        if name is None:
            return domain_error(family, reason, path=path)
        code = getattr(_errno, str(name), None)
        return os_error(family, code, path, reason)
    if is_java_exception(e, "pyfsjvm.bridge.Cancel$CancelledException"):
        return KeyboardInterrupt()
    if is_java_exception(e, "java.lang.OutOfMemoryError"):
        return MemoryError("the JVM ran out of heap; raise it with pyfs_jvm.configure(max_heap=...) "
                           "or PYFS_JVM_MAX_HEAP")
    jx2: Any = e
    if hasattr(jx2, "stacktrace") and hasattr(jx2, "getClass"):
        # A bug on the Java side: keep the trace in the log, give the user a short message.
        _log.debug("Java exception:\n%s", jx2.stacktrace())
        return family(f"internal error in the Java core: {jx2.getClass().getName()}: {e}")
    return e


def call(family: type[E], fn: Callable[..., T], *args: Any) -> T:
    """A short Java call whose failures become ``family`` errors."""
    try:
        return fn(*args)
    except Exception as e:
        mapped = map_error(e, family)
        if mapped is e:
            raise
        raise mapped from None
    finally:
        drain_logs()


# ------------------------------------------------------------------ tasks


class deferred_interrupt:
    """Hold back Ctrl-C while a Java task or stream is being started.

    Without this, a ``KeyboardInterrupt`` landing between "Java started the work" and "Python
    holds the handle that cancels it" would leave the work running behind our back. A SIGINT
    that arrives inside the block is delivered (to whatever handler was installed) on exit.
    Only the main thread receives signals, so elsewhere this does nothing.
    """

    def __enter__(self) -> None:
        self._pending: list[int] = []
        self._old: Any = None
        if threading.current_thread() is threading.main_thread():
            self._old = signal.signal(signal.SIGINT, lambda signum, frame: self._pending.append(signum))

    def __exit__(self, *exc: object) -> None:
        if self._old is None:
            return
        signal.signal(signal.SIGINT, self._old)
        if self._pending:
            if callable(self._old):
                self._old(signal.SIGINT, None)
            elif self._old == signal.SIG_DFL:
                raise KeyboardInterrupt


def run_task(family: type[E], start: Callable[..., Any], *args: Any,
             on_wake: Callable[[], None] | None = None) -> Any:
    """Start a Java task (``start(*args)`` returns it, started) and wait for it with :func:`run`."""
    task = None
    try:
        with deferred_interrupt():
            task = call(family, start, *args)
        return run(task, family, on_wake)
    except BaseException:
        if task is not None and not task.isDone():
            cancel_and_wait(task)
        raise


def run(task: Any, family: type[E], on_wake: Callable[[], None] | None = None,
        slice_ms: int = SLICE_MS) -> Any:
    """Wait for a started Java task, running ``on_wake`` on this thread whenever it has news.

    ``on_wake`` runs after every slice in which the task woke us or time passed, and once more at
    the end, so throttled callbacks see the final state. Ctrl-C cancels the task, waits for it to
    unwind and re-raises ``KeyboardInterrupt``. An exception from ``on_wake`` (a user callback)
    also cancels the task and propagates unchanged.
    """
    try:
        while True:
            state = task.await_(slice_ms)
            drain_logs()
            if on_wake is not None:
                on_wake()
            if state == _DONE:
                break
        return _result(task, family)
    except BaseException as e:
        if not task.isDone():
            cancel_and_wait(task)
        if isinstance(e, KeyboardInterrupt) or is_java_exception(e, "java.lang.InterruptedException"):
            raise KeyboardInterrupt from None
        raise


def _result(task: Any, family: type[E]) -> Any:
    try:
        return task.result()
    except Exception as e:
        mapped = map_error(e, family)
        if mapped is e:
            raise
        raise mapped from None


def cancel_and_wait(task: Any) -> None:
    """Cancel a task and wait until its threads have stopped (so nothing is left half-done)."""
    task.cancel()
    while True:
        try:
            if task.await_(SLICE_MS) == _DONE:
                break
        except KeyboardInterrupt:
            continue  # a second Ctrl-C must not leave work running behind our back
        except Exception as e:
            if is_java_exception(e, "java.lang.InterruptedException"):
                continue
            raise
    drain_logs()


# ------------------------------------------------------------------ streams


def open_stream(family: type[E], start: Callable[..., Any], *args: Any) -> StreamReader:
    """Start a Java stream (``start(*args)`` returns it) and wrap it in a reader.

    If Ctrl-C arrives meanwhile, the reader is dropped as the interrupt propagates, which closes
    the stream: nothing is left running.
    """
    with deferred_interrupt():
        return StreamReader(call(family, start, *args), family)


class StreamReader:
    """Pulls batches from a Java ``Stream``; closing (or dropping) it stops the producers."""

    def __init__(self, stream: Any, family: type[FsWatcherError]) -> None:
        self._stream = stream
        self._family = family
        self._done = False

    def next_batch(self) -> memoryview | None:
        """The next batch's bytes, or None at the end. Ctrl-C closes the stream and re-raises."""
        if self._done:
            return None
        stream = self._stream
        try:
            while True:
                b = stream.next(SLICE_MS)
                if b is None:
                    drain_logs()
                    continue
                if len(b) == 0:  # Stream.END
                    self._done = True
                    drain_logs()
                    _result(stream, self._family)
                    return None
                return memoryview(b)
        except BaseException as e:
            self.close()
            if isinstance(e, KeyboardInterrupt) or is_java_exception(e, "java.lang.InterruptedException"):
                raise KeyboardInterrupt from None
            raise

    def close(self) -> None:
        """Stop the producers and wait until their threads have unwound."""
        if not self._done:
            self._done = True
            try:
                self._stream.close()
                cancel_and_wait(self._stream)
            except Exception:  # the JVM may be shutting down at interpreter exit
                pass

    def __del__(self) -> None:
        self.close()


class Batch:
    """One packed batch (layout: java-core ``pyfsjvm.bridge.Columns``)."""

    __slots__ = ("rows", "_buf", "_cols")

    def __init__(self, buf: bytes | memoryview) -> None:
        rows, ncols = struct.unpack_from("<II", buf, 0)
        self.rows: int = rows
        self._buf = memoryview(buf)
        cols: list[tuple[str, int, int]] = []
        pos = 8 + 8 * ncols
        for c in range(ncols):
            kind, length = struct.unpack_from("<c3xI", buf, 8 + 8 * c)
            cols.append((kind.decode(), pos, length))
            pos += (length + 7) & ~7
        self._cols = cols

    def ints(self, col: int) -> list[int]:
        kind, start, length = self._cols[col]
        view: Any = self._buf[start:start + length]
        values: list[int] = view.cast(kind).tolist()
        return values

    def raw(self, col: int) -> memoryview:
        _, start, length = self._cols[col]
        return self._buf[start:start + length]

    def strings(self, col: int) -> list[str]:
        """The NUL-terminated items of a string column, decoded like os.fsdecode."""
        _, start, length = self._cols[col]
        if length == 0:
            return []
        text = str(self._buf[start:start + length - 1], _FS_ENCODING, _FS_ERRORS)
        return text.split("\0")

    def byte_length(self, col: int) -> int:
        return self._cols[col][2]


class no_gc:
    """Pause the cyclic GC while a batch becomes Python objects.

    Building a million tuples with the collector on costs about four times as much: it runs
    every 700 allocations and rescans the growing result each time. The objects hold only
    strings and numbers, so nothing is lost by collecting later.
    """

    def __enter__(self) -> None:
        self._was = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self._was:
            gc.enable()


_YOUNG_CHUNK = 8192


def build_list(items: Iterator[T]) -> list[T]:
    """``list(items)`` for many new tuples (or other tracked objects), at a fraction of the GC cost.

    Left on, the cyclic collector rescans the growing result every few hundred allocations; left
    off, the first collection afterwards walks a million cold tuples (~140 ms). Instead: off while
    building, and the youngest generation cleared after every few thousand items while they are
    still in cache (that pass also untracks tuples of plain values, so they are never scanned
    again). A caller that turned the collector off keeps it off.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        out: list[T] = []
        while True:
            n = len(out)
            out.extend(islice(items, _YOUNG_CHUNK))
            if len(out) - n < _YOUNG_CHUNK:
                return out
            if was:
                gc.collect(0)
    finally:
        if was:
            gc.enable()


# ------------------------------------------------------------------ logging

_LEVELS_CHECKED = False


def sync_log_level() -> None:
    """Tell Java the lowest level anyone listens to, so it skips records nobody wants."""
    level = _log.getEffectiveLevel()
    try:
        _jvm.jclass("pyfsjvm.bridge.Log").setThreshold(level)
    except Exception:
        pass


def drain_logs() -> None:
    """Re-emit queued Java log records on the ``pyfs_jvm.<name>`` loggers."""
    log_cls: type[Log] = _jvm.jclass("pyfsjvm.bridge.Log")
    if not log_cls.pending():
        return
    for rec in log_cls.drain():
        logger = logging.getLogger(f"pyfs_jvm.{rec.logger()}")
        msg = str(rec.message())
        raw = rec.path()
        if raw is not None:
            msg = f"{msg}: {fsdecode(bytes(raw))}"
        logger.log(int(rec.level()), "%s", msg)


def fsencode(path: str) -> bytes:
    return os.fsencode(path)


def decode_errors(buf: Any, family: type[E]) -> list[E]:
    """A ``pyfsjvm.bridge.ErrorBatch`` (path, ``ERRNO:reason`` rows) as ``family`` errors, each
    mixed with the matching OSError subclass (a domain error when the errno is empty)."""
    batch = Batch(memoryview(bytes(buf)))
    if batch.rows == 0:
        return []
    out: list[E] = []
    for path, text in zip(batch.strings(0), batch.strings(1)):
        name, _, reason = text.partition(":")
        code = getattr(_errno, name, None) if name else None
        if code is None:
            out.append(domain_error(family, f"{reason}: {path}", path=path))
        else:
            out.append(os_error(family, code, path, reason))
    return out
