"""Watching a tree for changes: ``FileWatcher``, ``FileChange``, ``async_watch`` (drop-in for
``pyfs_watcher.watch``).

The Java side (``pyfsjvm.watch.Watcher``) reads inotify directly on JDK >= 22 (FFM) or through
``java.nio.file.WatchService`` on JDK 17, keeps the tree's state, and debounces with
notify-debouncer-full's rules, as pyfs-watcher does: create+modify is one ``"created"``,
create+delete is nothing, a deleted directory swallows its children's events, a rename is two
``"modified"`` (old path, new path). Batches cross the bridge packed; nothing polls while idle.

Beyond the reference (docs/watch.md lists every difference):

* Nothing is lost silently. A kernel queue overflow (or a watch that vanished) yields a change
  with ``change_type == "overflow"`` for the directory concerned, followed in the same or the
  next batch by the differences a rescan found. Hitting the inotify watch limit raises
  ``WatchError`` (also an ``OSError`` with ``errno.ENOSPC``) naming the limit and how to raise it.
* A directory created under the watch is watched at once and listed, so files created in it
  before its watch existed are reported too.
* ``ignore_patterns`` match the basename *or* the path relative to the root (``.git/**`` works);
  a directory whose contents are all ignored is not even watched.
* ``timestamp`` is when the change was observed; ``is_dir`` is known for deleted entries too.
* ``report_moves=True``: a rename inside the tree is one ``"moved"`` change (``old_path`` set), a
  move out is ``"deleted"``, a move in ``"created"`` (with the moved directory's contents).
* ``stop()`` works from any thread and wakes a blocked ``poll_events`` or iterator at once;
  ``poll_events`` returns every batch that is ready, not just one; ``debounce_ms=0`` does not spin.
* If the watched path itself is deleted or moved away, a ``"deleted"`` change for it is delivered
  and the watcher stops (iteration ends).
* ``async_watch`` checks its arguments when called, needs no thread (the event loop waits on a
  pipe the Java side writes to), and stops the watcher when the loop is left or the task is
  cancelled.
"""

from __future__ import annotations

import asyncio
import errno as _errno
import os
import threading
import time
from collections.abc import AsyncIterator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Literal, NamedTuple

from . import _args, _bridge, _jvm
from ._args import PathArg
from .errors import WatchError, argument_error, domain_error

if TYPE_CHECKING:
    from pyfsjvm.watch import Watcher, WatchApi

__all__ = ["FileWatcher", "FileChange", "async_watch"]

ChangeType = Literal["created", "modified", "deleted", "moved", "overflow"]
_KINDS: tuple[ChangeType, ...] = ("created", "modified", "deleted", "moved", "overflow")  # Watcher.CREATED...

# Slices for a blocked wait on the main thread, the only one where Ctrl-C is delivered: short
# enough to react within the 0.5 s the bridge promises, long enough to cost nothing idle.
_MAIN_SLICE_MS = 400


class FileChange(NamedTuple):
    """One change.

    path: absolute path of what changed (the watched path made absolute, symlinks not resolved).
    change_type: ``"created"``, ``"modified"`` or ``"deleted"`` as in pyfs-watcher; also
        ``"overflow"`` (events under ``path`` were lost; the changes a rescan found follow) and,
        with ``report_moves=True``, ``"moved"``.
    is_dir: whether the entry is (or, for a deleted one, was) a directory.
    timestamp: when the change was observed (Unix seconds).
    old_path: the previous path of a ``"moved"`` entry, else None.
    """

    path: str
    change_type: ChangeType
    is_dir: bool
    timestamp: float
    old_path: str | None = None

    def __repr__(self) -> str:
        return f'FileChange("{self.path}", {self.change_type}, {"dir" if self.is_dir else "file"})'


def _decode(buf: memoryview) -> list[FileChange]:
    batch = _bridge.Batch(buf)
    paths = batch.strings(0)
    kinds = bytes(batch.raw(1))
    dirs = bytes(batch.raw(2))
    stamps = batch.ints(3)
    olds = batch.strings(4)
    return [FileChange(p, _KINDS[k], d == 1, t / 1e9, o or None)
            for p, k, d, t, o in zip(paths, kinds, dirs, stamps, olds)]


def _limit_message(text: str, what: str) -> str:
    """The watch-limit error, naming the limit, its value and how to raise it."""
    if what == "EMFILE":
        name = "max_user_instances"
    else:
        name = "max_user_watches"
    try:
        with open(f"/proc/sys/fs/inotify/{name}") as f:
            value = int(f.read().strip())
        current = f" = {value}"
        suggested = max(value * 2, 65536 if name == "max_user_watches" else 512)
    except (OSError, ValueError):
        current = ""
        suggested = 524288 if name == "max_user_watches" else 512
    kind = "watch" if name == "max_user_watches" else "instance"
    return (f'failed to watch "{text}": the inotify {kind} limit was reached (fs.inotify.{name}{current}, '
            f"per user). Raise it with 'sysctl fs.inotify.{name}={suggested}' as root, and keep it "
            f"across reboots with a line 'fs.inotify.{name}={suggested}' in /etc/sysctl.d/90-inotify.conf")


def _watch_error(e: BaseException, text: str) -> BaseException:
    """A failure while watching ``text`` (a Java exception or an already mapped error) as the
    WatchError users should see: the reference's ``failed to watch "<p>": <reason>``, or for the
    inotify limits a message naming the limit and how to raise it."""
    mapped = _bridge.map_error(e, WatchError)
    if not isinstance(mapped, WatchError) or not isinstance(mapped, OSError) or mapped.errno is None:
        return mapped
    where = mapped.filename if isinstance(mapped.filename, str) else text
    if mapped.errno in (_errno.ENOSPC, _errno.EMFILE):
        name = "EMFILE" if mapped.errno == _errno.EMFILE else "ENOSPC"
        return domain_error(WatchError, _limit_message(where, name), code=mapped.errno, path=where)
    return domain_error(WatchError, f'failed to watch "{where}": {mapped.strerror}', code=mapped.errno, path=where)


class FileWatcher:
    """Watches ``path`` (a directory, recursively by default, or a single file) for changes.

    Nothing is watched until :meth:`start` (or ``with``). Then :meth:`poll_events` or iteration
    give lists of :class:`FileChange`, debounced: a change is delivered ``debounce_ms`` after it
    happened, merged with the others on the same path as pyfs-watcher merges them.

    Raises WatchError (also FileNotFoundError / ValueError / TypeError as fits) for a missing path,
    a bad ignore pattern or a bad argument, before anything is watched.
    """

    def __init__(self, path: PathArg, *, recursive: bool = True, debounce_ms: int = 500,
                 ignore_patterns: Sequence[str] | None = None, report_moves: bool = False) -> None:
        text, raw = _args.path(path)
        self._recursive = _args.flag(recursive, "recursive")
        self._debounce = _args.uint(debounce_ms, "debounce_ms") or 0
        self._moves = _args.flag(report_moves, "report_moves")
        self._ignore = _ignore_list(ignore_patterns)
        try:
            os.stat(raw)
        except (FileNotFoundError, NotADirectoryError):
            raise domain_error(WatchError, f"path does not exist: {text}", code=_errno.ENOENT, path=text) from None
        except OSError as e:
            raise domain_error(WatchError, f"cannot access {text}: {e.strerror}", code=e.errno, path=text) from None
        self._raw = os.path.abspath(raw)
        self._text = os.fsdecode(self._raw)
        api: type[WatchApi] = _jvm.jclass("pyfsjvm.watch.WatchApi")
        for g in self._ignore:
            try:
                _bridge.call(WatchError, api.checkGlob, g)
            except WatchError as e:
                raise argument_error(WatchError, f'invalid ignore pattern "{g}": {e}') from None
        self._lock = threading.Lock()
        self._java: Watcher | None = None
        self._sig_w = -1  # write end of the signal pipe (see _signals_reach)
        self._sig_java: Watcher | None = None
        self._listening = False

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Start watching (does nothing if already running; after stop() it starts afresh).

        Raises WatchError if the path is gone, cannot be read, or the inotify limits are reached.
        """
        with self._lock:
            if self._java is not None:
                return
            try:
                st = os.stat(self._raw)
            except OSError as e:
                raise domain_error(WatchError, f'failed to watch "{self._text}": {e.strerror}', code=e.errno,
                                   path=self._text) from None
            import stat as _stat

            api: type[WatchApi] = _jvm.jclass("pyfsjvm.watch.WatchApi")
            try:
                java = _bridge.call(WatchError, api.create, self._raw, not _stat.S_ISDIR(st.st_mode),
                                    self._recursive, self._debounce, self._ignore, self._moves)
                _bridge.run_task(WatchError, api.start, java)
            except WatchError as e:
                raise _watch_error(e, self._text) from None
            self._java = java

    def stop(self) -> None:
        """Stop watching (pending changes are dropped). Safe from any thread; wakes a blocked
        :meth:`poll_events` or iterator, which then returns ``[]`` / ends."""
        with self._lock:
            java, self._java = self._java, None
            if not self._listening:  # else the waiting main thread closes it when it wakes
                self._close_signal_pipe()
        if java is not None:
            java.close()
            _bridge.drain_logs()

    @property
    def running(self) -> bool:
        """True between start() and stop() (or until the watched path went away)."""
        return self._java is not None

    @property
    def backend(self) -> str | None:
        """``"inotify"`` (FFM, JDK >= 22) or ``"watchservice"``; None when not running."""
        java = self._java
        return str(java.backend()) if java is not None else None

    def __enter__(self) -> FileWatcher:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def __del__(self) -> None:
        try:
            self.stop()
        except Exception:
            pass

    # ------------------------------------------------------------------ events

    def poll_events(self, timeout_ms: int = 1000) -> list[FileChange]:
        """Every change batch ready within ``timeout_ms`` (``[]`` on timeout or when not running).

        Waits with the GIL released; a stop() from another thread ends the wait at once.
        """
        ms = _args.uint(timeout_ms, "timeout_ms") or 0
        java = self._java
        if java is None:
            return []
        return self._wait(java, ms)

    def __iter__(self) -> FileWatcher:
        return self

    def __next__(self) -> list[FileChange]:
        """The next non-empty list of changes; blocks until there is one. Ends (StopIteration)
        once the watcher is stopped, from any thread, or its path went away."""
        while True:
            java = self._java
            if java is None:
                raise StopIteration
            changes = self._wait(java, None)
            if changes:
                return changes

    def _wait(self, java: Watcher, timeout_ms: int | None) -> list[FileChange]:
        # Only the main thread gets Ctrl-C. There a long wait listens on the signal wakeup fd (the
        # Java side returns when Python's handler writes to it), else it waits in slices.
        main = threading.current_thread() is threading.main_thread()
        listen = main and (timeout_ms is None or timeout_ms > _MAIN_SLICE_MS) and self._signals_reach(java)
        sliced = main and not listen
        deadline = None if timeout_ms is None else time.monotonic() + timeout_ms / 1000
        while True:
            if deadline is None:
                wait = _MAIN_SLICE_MS if sliced else -1
            else:
                wait = max(0, int((deadline - time.monotonic()) * 1000))
                if sliced:
                    wait = min(wait, _MAIN_SLICE_MS)
            if listen and wait != 0:
                buf = self._take_listening(java, wait)
            else:
                buf = self._take(java, wait)
            if buf is None:
                if self._java is not java:
                    return []
                if deadline is not None and time.monotonic() >= deadline:
                    return []
                continue
            if len(buf) == 0:
                self._ended(java)
                return []
            changes = _decode(buf)
            while True:  # everything else that is ready, without waiting
                more = self._take(java, 0)
                if more is None:
                    break
                if len(more) == 0:
                    self._ended(java)
                    break
                changes.extend(_decode(more))
            return changes

    def _signals_reach(self, java: Watcher) -> bool:
        """Sets up (once per start) the pipe that carries signals into a blocked Java wait."""
        if self._sig_java is java:
            return True
        self._close_signal_pipe()
        try:
            r, w = os.pipe()
        except OSError:
            return False
        try:
            os.set_blocking(w, False)
            fd_dir = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
            java.interruptOn(f"{fd_dir}/{r}")  # Java opens its own descriptor for the read end
        except Exception:
            os.close(w)
            return False
        finally:
            os.close(r)
        self._sig_w, self._sig_java = w, java
        return True

    def _close_signal_pipe(self) -> None:
        if self._sig_w >= 0:
            os.close(self._sig_w)  # EOF: the Java thread that forwards signals ends
            self._sig_w, self._sig_java = -1, None

    def _take_listening(self, java: Watcher, wait_ms: int) -> memoryview | None:
        import signal

        with self._lock:  # stop() must not close the pipe while it is Python's wakeup fd
            if self._java is not java or self._sig_java is not java:
                return None
            self._listening = True
            fd = self._sig_w
        try:
            try:
                old = signal.set_wakeup_fd(fd, warn_on_full_buffer=False)
            except ValueError:  # not the main interpreter: fall back to a short wait
                return self._take(java, min(wait_ms, _MAIN_SLICE_MS) if wait_ms >= 0 else _MAIN_SLICE_MS)
            try:
                return self._take(java, wait_ms)
            finally:
                signal.set_wakeup_fd(old)
        finally:
            with self._lock:
                self._listening = False
                if self._java is not java:
                    self._close_signal_pipe()

    def _take(self, java: Watcher, wait_ms: int) -> memoryview | None:
        try:
            b = java.poll(wait_ms)
        except Exception as e:
            _bridge.drain_logs()
            raise _watch_error(e, self._text) from None
        _bridge.drain_logs()
        return None if b is None else memoryview(b)

    def _ended(self, java: Watcher) -> None:
        with self._lock:
            if self._java is java:
                self._java = None

    def __repr__(self) -> str:
        state = "running" if self._java is not None else "stopped"
        return f"FileWatcher({self._text!r}, {state})"


def _ignore_list(patterns: Sequence[str] | None) -> list[str]:
    if patterns is None:
        return []
    if isinstance(patterns, (str, bytes)):
        raise TypeError("ignore_patterns must be a sequence of str, not a single str")
    if not isinstance(patterns, Sequence):
        raise TypeError(f"ignore_patterns must be a sequence (list or tuple) of str, got {type(patterns).__name__}")
    out = []
    for i, p in enumerate(patterns):
        if not isinstance(p, str):
            raise TypeError(f"ignore_patterns[{i}] must be a str, got {type(p).__name__}")
        out.append(p)
    return out


# ---------------------------------------------------------------------- asyncio


class _AsyncWatch(AsyncIterator[list[FileChange]]):
    """What :func:`async_watch` returns: an async iterator (and async context manager).

    The Java watcher writes a byte into a pipe when a batch is ready and we asked for one
    (``Watcher.arm``); the event loop waits on the pipe's read end, so no thread is used.
    """

    def __init__(self, watcher: FileWatcher) -> None:
        self._watcher = watcher
        self._rfd = -1
        self._closed = False

    def __aiter__(self) -> _AsyncWatch:
        return self

    async def __anext__(self) -> list[FileChange]:
        if self._closed:
            raise StopAsyncIteration
        try:
            if self._rfd < 0:
                self._open()
            while True:
                java = self._watcher._java
                if java is None:
                    self._close()
                    raise StopAsyncIteration
                changes = self._watcher._wait(java, 0)
                if changes:
                    return changes
                if self._watcher._java is None:
                    continue
                if java.arm():  # something became ready meanwhile
                    continue
                await self._readable()
        except StopAsyncIteration:
            raise
        except BaseException:  # cancelled, Ctrl-C, an error: stop the Java side now
            self._close()
            raise

    def _open(self) -> None:
        self._watcher.start()
        java = self._watcher._java
        assert java is not None
        r, w = os.pipe()
        try:
            os.set_blocking(r, False)
            fd_dir = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
            java.notifyTo(f"{fd_dir}/{w}")  # Java opens its own descriptor for the pipe
        except BaseException:
            os.close(r)
            raise
        finally:
            os.close(w)
        self._rfd = r

    async def _readable(self) -> None:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()

        def ready() -> None:
            if not fut.done():
                fut.set_result(None)

        loop.add_reader(self._rfd, ready)
        try:
            await fut
        finally:
            loop.remove_reader(self._rfd)
            try:
                while os.read(self._rfd, 4096):
                    pass
            except (BlockingIOError, OSError):
                pass

    def _close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._watcher.stop()
        if self._rfd >= 0:
            os.close(self._rfd)
            self._rfd = -1

    async def aclose(self) -> None:
        """Stop watching."""
        self._close()

    async def __aenter__(self) -> _AsyncWatch:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._close()

    def __del__(self) -> None:
        try:
            self._close()
        except Exception:
            pass


def async_watch(path: PathArg, *, recursive: bool = True, debounce_ms: int = 500,
                ignore_patterns: Sequence[str] | None = None, poll_interval_ms: int = 100,
                report_moves: bool = False) -> AsyncIterator[list[FileChange]]:
    """Watch ``path`` from asyncio: ``async for changes in async_watch(path): ...``.

    Arguments as for :class:`FileWatcher`, checked now (a missing path raises WatchError here, not
    at the first iteration). ``poll_interval_ms`` is accepted for compatibility and not needed:
    the event loop is woken when a batch is ready. Watching starts at the first iteration and
    stops when the loop is left (the iterator is dropped or ``aclose()``d) or the task cancelled.
    """
    _args.uint(poll_interval_ms, "poll_interval_ms")
    watcher = FileWatcher(path, recursive=recursive, debounce_ms=debounce_ms, ignore_patterns=ignore_patterns,
                          report_moves=report_moves)
    return _AsyncWatch(watcher)
