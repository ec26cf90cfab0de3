"""Argument checks shared by every family, so that bad input fails the same way everywhere and
before any work starts (pyfs-watcher spec 1.2; DESIGN.md, "Errors").

* Paths: ``str``, ``bytes`` or ``os.PathLike``; returned as the ``str`` the user will see in
  results and messages (``os.fsdecode``) and the raw ``bytes`` Java gets.
* Unsigned ints: negative raises an error that is both ``ValueError`` and ``OverflowError`` (what
  pyfs-watcher raises), a non-int raises ``TypeError``.
* Bools are strict, as in pyfs-watcher: ``0``/``1`` are a ``TypeError``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Union

from .errors import FsWatcherError, argument_error, domain_error

PathArg = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]


class NegativeValueError(ValueError, OverflowError):
    """A negative value where an unsigned int is expected (both ValueError and OverflowError)."""


def path(value: Any, name: str = "path") -> tuple[str, bytes]:
    """``(str_form, raw_bytes)`` of a path argument."""
    if isinstance(value, (str, bytes)) or hasattr(value, "__fspath__"):
        try:
            p = os.fspath(value)
        except TypeError as e:
            raise TypeError(f"{name} must be a str, bytes or os.PathLike, got {type(value).__name__}") from e
        text = os.fsdecode(p)
        if "\0" in text:
            raise ValueError(f"{name} contains a NUL character: {text!r}")
        if text == "":
            raise ValueError(f"{name} must not be empty")
        return text, os.fsencode(p)
    raise TypeError(f"{name} must be a str, bytes or os.PathLike, got {type(value).__name__}")


def paths(values: Any, name: str = "paths") -> list[tuple[str, bytes]]:
    """A sequence of paths (a bare str/bytes is refused, as in pyfs-watcher)."""
    if isinstance(values, (str, bytes)) or hasattr(values, "__fspath__"):
        raise TypeError(f"{name} must be a sequence of paths, not a single path")
    if not isinstance(values, Sequence):
        raise TypeError(f"{name} must be a sequence (list or tuple) of paths, got {type(values).__name__}")
    return [path(v, f"{name}[{i}]") for i, v in enumerate(values)]


def path_blob(values: Any, name: str = "paths") -> tuple[list[str], bytes]:
    """:func:`paths` as ``(str forms, raw paths each followed by a NUL)``, the form Java reads.

    A list of plain ``str`` (the usual case: 20k paths from ``os.walk``) is checked and encoded in
    a few whole-list operations instead of one :func:`path` call per item (14 ms -> 2 ms for 20k
    paths, time the caller otherwise waits before any work starts); anything else, or a bad item,
    takes the per-item route and gets its exact error.
    """
    if isinstance(values, (list, tuple)) and values and set(map(type, values)) == {str} and "" not in values:
        joined = "\0".join(values)
        if joined.count("\0") == len(values) - 1:  # no item holds a NUL of its own
            return list(values), os.fsencode(joined + "\0")
    items = paths(values, name)
    return [text for text, _ in items], b"".join(raw + b"\0" for _, raw in items)


def uint(value: Any, name: str, *, allow_none: bool = False, minimum: int = 0) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int{' or None' if allow_none else ''}, got {type(value).__name__}")
    if value < 0:
        raise NegativeValueError(f"{name} must not be negative, got {value}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


def flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__}")
    return value


def optional_str(value: Any, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"{name} must be a str or None, got {type(value).__name__}")


def callback(value: Any, name: str) -> Any:
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be callable or None, got {type(value).__name__}")
    return value


def require_dir(text: str, raw: bytes, family: type[FsWatcherError], *, missing: str = "path does not exist",
                not_dir: str = "path is not a directory") -> None:
    """The reference's root checks: exists, then is a directory (following symlinks).

    Messages are the reference's (``path does not exist: <p>``); the errors are also
    ``FileNotFoundError`` / ``NotADirectoryError`` with ``errno`` and ``filename`` set.
    """
    import errno
    import stat

    try:
        st = os.stat(raw)
    except FileNotFoundError:
        raise domain_error(family, f"{missing}: {text}", code=errno.ENOENT, path=text) from None
    except NotADirectoryError:  # a path component is a file
        raise domain_error(family, f"{missing}: {text}", code=errno.ENOENT, path=text) from None
    except OSError as e:
        raise domain_error(family, f"cannot access {text}: {e.strerror}", code=e.errno, path=text) from None
    if not stat.S_ISDIR(st.st_mode):
        raise domain_error(family, f"{not_dir}: {text}", code=errno.ENOTDIR, path=text)


def require_readable_dir(text: str, raw: bytes, family: type[FsWatcherError]) -> None:
    """Fails (PermissionError flavour) if the directory cannot be listed."""
    try:
        fd = os.open(raw, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as e:
        raise domain_error(family, f"cannot read directory {text}: {e.strerror}", code=e.errno,
                           path=text) from None
    os.close(fd)


def choice(value: Any, name: str, options: Sequence[str], family: type[FsWatcherError],
           message: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if value not in options:
        raise argument_error(family, message)
    return value


def check_glob(glob: str, family: type[FsWatcherError]) -> None:
    """A globset pattern the walker accepts, else ``family``'s ValueError naming the pattern."""
    from . import _bridge, _jvm  # not at import time: _args is imported before the JVM exists

    try:
        _bridge.call(family, _jvm.jclass("pyfsjvm.walk.WalkApi").checkGlob, glob)
    except FsWatcherError as e:
        raise argument_error(family, f'invalid glob pattern "{glob}": {e}') from None

