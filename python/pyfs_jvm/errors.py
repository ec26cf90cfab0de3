"""The exception hierarchy, the same as pyfs-watcher's (``pyfs_watcher.errors``)::

    FsWatcherError
    ├── WalkError      ├── SearchError    ├── SnapshotError
    ├── HashError      ├── DirDiffError   ├── DiskUsageError
    ├── CopyError      ├── SyncError      └── RenameError
    └── WatchError

Beyond the reference: where a standard exception fits as well, the error raised is *also* an
instance of it. A missing root raises a ``WalkError`` that is also a ``FileNotFoundError`` (with
``errno``, ``strerror`` and ``filename`` set), a bad argument a ``WalkError`` that is also a
``ValueError``. So both ``except WalkError`` and ``except FileNotFoundError`` work, and code
written for pyfs-watcher keeps working. Those combined classes are made by :func:`combine`;
they are named like the family class and live in this module.
"""

from __future__ import annotations

import errno as _errno
import os
from typing import Any, TypeVar

__all__ = [
    "FsWatcherError",
    "WalkError",
    "HashError",
    "CopyError",
    "WatchError",
    "SearchError",
    "DirDiffError",
    "SyncError",
    "SnapshotError",
    "DiskUsageError",
    "RenameError",
]
# pyfs-jvm's own families (RezScanError, DeltaError) are defined here to keep one hierarchy but
# left out of __all__, which stays pyfs-watcher's; pyfs_jvm.rez and pyfs_jvm.delta export them.


class FsWatcherError(Exception):
    """Base class of every pyfs-jvm error."""


class WalkError(FsWatcherError):
    """Directory walking failed."""


class HashError(FsWatcherError):
    """Hashing failed (or the algorithm is unknown)."""


class CopyError(FsWatcherError):
    """Copying or moving failed."""


class WatchError(FsWatcherError):
    """Watching failed."""


class SearchError(FsWatcherError):
    """Content search failed."""


class DirDiffError(FsWatcherError):
    """Directory comparison failed."""


class SyncError(FsWatcherError):
    """Synchronisation failed."""


class SnapshotError(FsWatcherError):
    """Snapshot creation, loading or verification failed."""


class DiskUsageError(FsWatcherError):
    """Disk usage calculation failed."""


class RenameError(FsWatcherError):
    """Bulk rename failed."""


class RezScanError(FsWatcherError):
    """A rez repository could not be scanned (pyfs_jvm.rez; pyfs-jvm's own, not in pyfs-watcher)."""


class DeltaError(FsWatcherError):
    """Delta transfer (pyfs_jvm.delta, pdiffcopy-compatible) failed."""


# ---------------------------------------------------------------- combined classes

_OS_CLASSES: dict[int, type[OSError]] = {
    _errno.ENOENT: FileNotFoundError,
    _errno.EACCES: PermissionError,
    _errno.EPERM: PermissionError,
    _errno.ENOTDIR: NotADirectoryError,
    _errno.EISDIR: IsADirectoryError,
    _errno.EEXIST: FileExistsError,
    _errno.ENOTEMPTY: OSError,
    _errno.EINTR: InterruptedError,
    _errno.ETIMEDOUT: TimeoutError,
    _errno.EAGAIN: BlockingIOError,
    _errno.EPIPE: BrokenPipeError,
    _errno.ECONNREFUSED: ConnectionRefusedError,
    _errno.ECONNRESET: ConnectionResetError,
}

def _combined_str(self: BaseException) -> str:
    # A domain error keeps the reference's message even though errno/filename are set (which
    # would otherwise make OSError print "[Errno 2] ..."); an OS error reads like Python's own.
    message = getattr(self, "_message", None)
    if message is not None:
        return str(message)
    return OSError.__str__(self) if isinstance(self, OSError) else Exception.__str__(self)


_combined: dict[tuple[type[FsWatcherError], type[Exception]], type[FsWatcherError]] = {}

E = TypeVar("E", bound=FsWatcherError)


def combine(family: type[E], standard: type[Exception]) -> type[E]:
    """The class that is both ``family`` and ``standard`` (made once, then cached)."""
    if issubclass(family, standard):
        return family
    key = (family, standard)
    cls = _combined.get(key)
    if cls is None:
        cls = type(family.__name__, (family, standard), {
            "__module__": __name__,
            "__qualname__": family.__qualname__,
            "__doc__": f"{family.__name__} that is also a {standard.__name__}.",
            "__str__": _combined_str,
        })
        _combined[key] = cls
    return cls  # type: ignore[return-value]


def os_class(code: int | None) -> type[OSError]:
    """The OSError subclass Python itself would raise for ``code``."""
    return _OS_CLASSES.get(code, OSError) if code is not None else OSError


def os_error(family: type[E], code: int | None, path: str | None, reason: str | None = None) -> E:
    """An OS failure: ``family`` mixed with the errno's OSError subclass, fields set.

    ``str()`` reads like Python's own: ``[Errno 2] No such file or directory: '/x'``.
    """
    cls = combine(family, os_class(code))
    strerror = reason or (os.strerror(code) if code is not None else "unknown error")
    if path is None:
        return cls(code, strerror)
    return cls(code, strerror, path)


def domain_error(family: type[E], message: str, *, code: int | None = None, path: str | None = None,
                 standard: type[Exception] | None = None) -> E:
    """A failure with the reference's own message (e.g. ``path does not exist: /x``).

    The message stays exactly the reference's; ``errno``/``filename`` are set when ``code`` is
    given, and the class is mixed with ``standard`` or, from ``code``, the matching OSError.
    """
    std: type[Exception] | None = standard or (os_class(code) if code is not None else None)
    cls = combine(family, std) if std is not None else family
    err = cls(message)
    raw: Any = err  # it is an OSError too when ``std`` was one
    if isinstance(raw, OSError):
        raw._message = message  # type: ignore[attr-defined]
        raw.errno = code
        raw.strerror = os.strerror(code) if code is not None else None
        raw.filename = path
    return err


def argument_error(family: type[E], message: str) -> E:
    """A bad argument: ``family`` that is also a ``ValueError``."""
    return domain_error(family, message, standard=ValueError)
