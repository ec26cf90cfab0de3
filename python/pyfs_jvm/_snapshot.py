"""Snapshots: ``snapshot``, ``verify``, ``Snapshot`` and friends (drop-in for pyfs-watcher).

Java (``pyfsjvm.snapshot.SnapshotTask``) lists the files with the shared walker and hashes them
in parallel; this module builds the result objects, reads and writes the JSON file, and compares.
The JSON file is pyfs-watcher's, byte for byte (serde_json pretty: 2-space indent, fixed key
order, no trailing newline), so snapshots move between the two in both directions.

Differences from pyfs-watcher, on purpose (see docs/analysis.md):

* Filters given to ``snapshot`` (skip_hidden, glob_pattern, max_depth, follow_symlinks) are
  recorded (an extra ``"options"`` key, written only when one is set; pyfs-watcher ignores it)
  and ``verify`` walks with them, so filtered-out files are not reported as added.
* ``save`` is atomic: a temporary file in the same directory, flushed, fsynced, renamed.
* ``verify`` can also report mtime and permission changes (``check_mtime``,
  ``check_permissions``), and can check a snapshot against another directory (``root``).
* Files that cannot be hashed are not silently lost: ``Snapshot.errors`` lists them; in
  ``verify`` they are ``errors`` (so ``ok`` is False), as are unreadable directories.
* Entries are sorted by path; change lists too. Loading checks every field's type and refuses
  entry paths that are absolute or climb out of the root.
* ``skip_hidden`` also prunes hidden directories (as in ``walk``).
"""

from __future__ import annotations

import datetime as _dt
import errno as errno_mod
import json
import os
import re
import time
from collections.abc import Callable, Iterable
from itertools import compress
from typing import TYPE_CHECKING, Any

from . import _args, _bridge, _jvm
from ._args import PathArg
from ._dedup import check_algorithm
from .errors import SnapshotError, domain_error, os_error

if TYPE_CHECKING:
    from pyfsjvm.snapshot import SnapshotApi

__all__ = ["snapshot", "verify", "Snapshot", "SnapshotEntry", "VerifyResult", "VerifyChange"]

ProgressCallback = Callable[[str, int, int], object]

_OPTION_DEFAULTS: dict[str, Any] = {"skip_hidden": False, "glob_pattern": None, "max_depth": None,
                                    "follow_symlinks": False}


class _ReadOnly:
    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only: cannot set {name!r}")

    def _init(self, **fields: Any) -> None:
        for k, v in fields.items():
            object.__setattr__(self, k, v)


class SnapshotEntry(_ReadOnly):
    """One file of a snapshot: path relative to the root ('/'-separated), content hash, size,
    mtime (float seconds), permissions (the full ``st_mode``, e.g. 33188 for rw-r--r--)."""

    __slots__ = ("path", "hash_hex", "file_size", "mtime", "permissions")
    path: str
    hash_hex: str
    file_size: int
    mtime: float
    permissions: int

    def __init__(self, path: str, hash_hex: str, file_size: int, mtime: float, permissions: int) -> None:
        self._init(path=path, hash_hex=hash_hex, file_size=file_size, mtime=mtime, permissions=permissions)

    def __repr__(self) -> str:
        return f'SnapshotEntry("{self.path}", {self.file_size}B, {self.hash_hex[:16]})'

    @classmethod
    def _many(cls, paths: Iterable[str], hashes: Iterable[str], sizes: Iterable[int], mtimes: Iterable[float],
              modes: Iterable[int]) -> list[SnapshotEntry]:
        """Entries from parallel columns, through the slots' setters rather than ``__init__``'s
        keyword round trip: half the time for a 100k-file snapshot (0.16 s -> 0.08 s here)."""
        new = object.__new__
        set_path, set_hash, set_size, set_mtime, set_mode = _ENTRY_SETTERS
        out: list[SnapshotEntry] = []
        append = out.append
        for p, h, n, m, x in zip(paths, hashes, sizes, mtimes, modes):
            e = new(cls)
            set_path(e, p)
            set_hash(e, h)
            set_size(e, n)
            set_mtime(e, m)
            set_mode(e, x)
            append(e)
        return out


_ENTRY_SETTERS = tuple(SnapshotEntry.__dict__[name].__set__ for name in SnapshotEntry.__slots__)


class Snapshot:
    """The hashes and metadata of every file under a root at one moment.

    root_path: the root as given to ``snapshot`` (verbatim). algorithm: the hash used.
    created_at: RFC 3339 UTC time. total_files, total_size: counts over ``entries``.
    options: the filters the snapshot was taken with (``verify`` reuses them).
    errors: files that could not be hashed when the snapshot was taken (not saved).
    """

    __slots__ = ("_root", "_algorithm", "_created", "_files", "_size", "_entries", "_options", "_errors")

    def __init__(self, root_path: str, algorithm: str, created_at: str, total_files: int, total_size: int,
                 entries: list[SnapshotEntry], options: dict[str, Any] | None = None,
                 errors: list[str] | None = None) -> None:
        self._root = root_path
        self._algorithm = algorithm
        self._created = created_at
        self._files = total_files
        self._size = total_size
        self._entries = entries
        self._options = dict(_OPTION_DEFAULTS, **(options or {}))
        self._errors = errors or []

    @property
    def root_path(self) -> str:
        return self._root

    @property
    def algorithm(self) -> str:
        return self._algorithm

    @property
    def created_at(self) -> str:
        return self._created

    @property
    def total_files(self) -> int:
        return self._files

    @property
    def total_size(self) -> int:
        return self._size

    @property
    def entries(self) -> list[SnapshotEntry]:
        return list(self._entries)

    @property
    def options(self) -> dict[str, Any]:
        return dict(self._options)

    @property
    def errors(self) -> list[str]:
        return list(self._errors)

    def __len__(self) -> int:
        return self._files

    def __repr__(self) -> str:
        return f'Snapshot("{self._root}", {self._files} files, {self._size}B, {self._created})'

    # ------------------------------------------------------------ JSON

    def to_json(self) -> str:
        """The file contents ``save`` writes (pyfs-watcher's format)."""
        doc: dict[str, Any] = {
            "root_path": self._root,
            "algorithm": self._algorithm,
            "created_at": self._created,
            "total_files": self._files,
            "total_size": self._size,
            "entries": [{"path": e.path, "hash_hex": e.hash_hex, "file_size": e.file_size,
                         "mtime": float(e.mtime), "permissions": e.permissions} for e in self._entries],
        }
        if self._options != _OPTION_DEFAULTS:
            doc["options"] = self._options
        text = json.dumps(doc, indent=2, ensure_ascii=False)
        # Names that are not UTF-8 hold lone surrogates (os.fsdecode); write them as \udcXX escapes,
        # which json.loads turns back into the same surrogates (the file stays valid UTF-8).
        return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)

    def save(self, path: PathArg) -> None:
        """Write the snapshot as JSON to ``path``, atomically (the old file stays until the new
        one is complete)."""
        text, raw = _args.path(path)
        data = self.to_json().encode("utf-8")
        _atomic_write(text, raw, data)

    @staticmethod
    def load(path: PathArg) -> Snapshot:
        """Read a snapshot saved by ``save`` (or by pyfs-watcher)."""
        text, raw = _args.path(path)
        try:
            with open(raw, "rb") as f:
                data = f.read()
        except OSError as e:
            raise os_error(SnapshotError, e.errno, text, e.strerror) from None
        return _parse(data, text)


_SURROGATE = re.compile("[\udc80-\udcff]")


def _atomic_write(text: str, raw: bytes, data: bytes) -> None:
    directory, name = os.path.split(raw)
    tmp = os.path.join(directory, b".%s.%d.%d.tmp" % (name, os.getpid(), time.monotonic_ns()))
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as e:
        raise os_error(SnapshotError, e.errno, text, e.strerror) from None
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, raw)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise os_error(SnapshotError, e.errno, text, e.strerror) from None
    try:  # make the rename itself durable
        dfd = os.open(directory or b".", os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def _parse(data: bytes, source: str) -> Snapshot:
    def fail(why: str) -> SnapshotError:
        return domain_error(SnapshotError, f"failed to parse snapshot: {why} ({source})", standard=ValueError)

    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise fail(str(e)) from None
    if not isinstance(doc, dict):
        raise fail("expected a JSON object")

    def field(obj: dict[str, Any], key: str, kinds: tuple[type, ...], where: str = "") -> Any:
        if key not in obj:
            raise fail(f"missing field `{key}`{where}")
        v = obj[key]
        if not isinstance(v, kinds) or isinstance(v, bool) and bool not in kinds:
            raise fail(f"invalid type for `{key}`{where}: {type(v).__name__}")
        if isinstance(v, int) and not isinstance(v, bool) and v < 0:
            raise fail(f"invalid value for `{key}`{where}: {v}")
        return v

    root = field(doc, "root_path", (str,))
    algorithm = field(doc, "algorithm", (str,))
    created = field(doc, "created_at", (str,))
    total_files = field(doc, "total_files", (int,))
    total_size = field(doc, "total_size", (int,))
    raw_entries = field(doc, "entries", (list,))
    entries: list[SnapshotEntry] = []
    for i, item in enumerate(raw_entries):
        where = f" in entry {i}"
        if not isinstance(item, dict):
            raise fail(f"expected an object{where}")
        p = field(item, "path", (str,), where)
        if not p or p.startswith("/") or ".." in p.split("/") or "\0" in p:
            raise fail(f"entry path must be relative and inside the root{where}: {p!r}")
        mtime = field(item, "mtime", (int, float), where)
        if mtime < 0:  # the int check above does not cover floats
            raise fail(f"invalid value for `mtime`{where}: {mtime}")
        entries.append(SnapshotEntry(p, field(item, "hash_hex", (str,), where), field(item, "file_size", (int,), where),
                                     float(mtime), field(item, "permissions", (int,), where)))
    options: dict[str, Any] = {}
    raw_opts = doc.get("options")
    if isinstance(raw_opts, dict):
        for k, default in _OPTION_DEFAULTS.items():
            v = raw_opts.get(k, default)
            ok = (isinstance(v, bool) if k in ("skip_hidden", "follow_symlinks")
                  else v is None or (isinstance(v, str) if k == "glob_pattern" else isinstance(v, int)
                                     and not isinstance(v, bool) and v >= 0))
            if not ok:
                raise fail(f"invalid value for `options.{k}`: {v!r}")
            options[k] = v
    return Snapshot(root, algorithm, created, total_files, total_size, entries, options)


def _now_rfc3339() -> str:
    """Current UTC time as chrono's ``to_rfc3339()`` writes it (``+00:00``, 0/3/6/9 digits)."""
    sec, nsec = divmod(time.time_ns(), 1_000_000_000)
    base = _dt.datetime.fromtimestamp(sec, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    if nsec == 0:
        frac = ""
    elif nsec % 1_000_000 == 0:
        frac = f".{nsec // 1_000_000:03d}"
    elif nsec % 1000 == 0:
        frac = f".{nsec // 1000:06d}"
    else:
        frac = f".{nsec:09d}"
    return f"{base}{frac}+00:00"


# ------------------------------------------------------------------ the Java part


_STAGES = ("walking", "hashing", "verifying", "done")  # pyfsjvm.snapshot.SnapshotTask.STAGES


class _Rows:
    def __init__(self, buf: Any) -> None:
        b = _bridge.Batch(memoryview(bytes(buf)))
        self.rel = b.strings(0) if b.rows else []
        self.hashes = b.strings(1) if b.rows else []
        self.sizes = b.ints(2) if b.rows else []
        self.msec = b.ints(3) if b.rows else []
        self.mnsec = b.ints(4) if b.rows else []
        self.modes = b.ints(5) if b.rows else []
        self.hashed = bytes(b.raw(6)) if b.rows else b""


def _run(root_raw: bytes, algorithm: str, options: dict[str, Any], workers: int | None, only: bytes | None,
         on_event: Callable[[int, int, int], None]) -> tuple[_Rows, list[SnapshotError]]:
    api: type[SnapshotApi] = _jvm.jclass("pyfsjvm.snapshot.SnapshotApi")
    box: list[Any] = []

    def start(*args: Any) -> Any:
        t = api.start(*args)
        box.append(t)
        return t

    def on_wake() -> None:
        if box:
            ev = list(box[0].drainProgress())
            for k in range(0, len(ev), 3):
                on_event(int(ev[k]), int(ev[k + 1]), int(ev[k + 2]))

    depth = options["max_depth"]
    result = _bridge.run_task(SnapshotError, start, root_raw, algorithm, options["skip_hidden"],
                              options["glob_pattern"], -1 if depth is None else depth, options["follow_symlinks"],
                              workers or 0, only, on_wake=on_wake)
    return _Rows(result[0]), _bridge.decode_errors(result[1], SnapshotError)


def snapshot(path: PathArg, *, algorithm: str = "blake3", skip_hidden: bool = False,
             glob_pattern: str | None = None, max_depth: int | None = None, follow_symlinks: bool = False,
             max_workers: int | None = None, progress_callback: ProgressCallback | None = None) -> Snapshot:
    """Hash every regular file under ``path`` and record size, mtime and permissions.

    progress_callback: ``(stage, processed, total)`` on this thread: ("walking", 0, 0),
        ("hashing", 0, total), ("done", entries, total).
    Raises SnapshotError (also NotADirectoryError/FileNotFoundError) if ``path`` is not a
    directory, HashError for an unknown algorithm, SnapshotError (also ValueError) for a bad glob.
    """
    text, raw = _args.path(path)
    hidden = _args.flag(skip_hidden, "skip_hidden")
    glob = _args.optional_str(glob_pattern, "glob_pattern")
    depth = _args.uint(max_depth, "max_depth", allow_none=True)
    follow = _args.flag(follow_symlinks, "follow_symlinks")
    workers = _args.uint(max_workers, "max_workers", allow_none=True)
    _args.callback(progress_callback, "progress_callback")
    _args.require_dir(text, raw, SnapshotError, missing="path is not a directory")
    algo = check_algorithm(algorithm)
    if glob is not None:
        _args.check_glob(glob, SnapshotError)
    options = {"skip_hidden": hidden, "glob_pattern": glob, "max_depth": depth, "follow_symlinks": follow}

    def on_event(stage: int, done: int, total: int) -> None:
        if progress_callback is not None and stage != 3:
            progress_callback(_STAGES[stage], done, total)

    rows, errors = _run(raw, algo, options, workers, None, on_event)
    hashed = rows.hashed
    with _bridge.no_gc():  # entries hold only strings and numbers: no cycles to look for
        mtimes = [sec + nsec / 1e9 for sec, nsec in zip(compress(rows.msec, hashed), compress(rows.mnsec, hashed))]
        entries = SnapshotEntry._many(compress(rows.rel, hashed), compress(rows.hashes, hashed),
                                      compress(rows.sizes, hashed), mtimes, compress(rows.modes, hashed))
    if progress_callback is not None:
        progress_callback("done", len(entries), len(rows.rel))
    return Snapshot(text, algo, _now_rfc3339(), len(entries), sum(e.file_size for e in entries), entries, options,
                    [str(e) for e in errors])


# ------------------------------------------------------------------ verify


class VerifyChange(_ReadOnly):
    """One difference between a snapshot and the disk.

    change_type: "added", "removed", "modified" (contents or size) or, with ``check_mtime`` /
        ``check_permissions``, "metadata" (same contents, other mtime or mode).
    """

    __slots__ = ("path", "change_type", "expected_hash", "actual_hash", "expected_size", "actual_size",
                 "expected_mtime", "actual_mtime", "expected_permissions", "actual_permissions")
    path: str
    change_type: str
    expected_hash: str | None
    actual_hash: str | None
    expected_size: int | None
    actual_size: int | None
    expected_mtime: float | None
    actual_mtime: float | None
    expected_permissions: int | None
    actual_permissions: int | None

    def __init__(self, path: str, change_type: str, expected_hash: str | None = None, actual_hash: str | None = None,
                 expected_size: int | None = None, actual_size: int | None = None,
                 expected_mtime: float | None = None, actual_mtime: float | None = None,
                 expected_permissions: int | None = None, actual_permissions: int | None = None) -> None:
        self._init(path=path, change_type=change_type, expected_hash=expected_hash, actual_hash=actual_hash,
                   expected_size=expected_size, actual_size=actual_size, expected_mtime=expected_mtime,
                   actual_mtime=actual_mtime, expected_permissions=expected_permissions,
                   actual_permissions=actual_permissions)

    def __repr__(self) -> str:
        return f'VerifyChange("{self.path}", "{self.change_type}")'


class VerifyResult(_ReadOnly):
    """The outcome of ``verify``: ``ok`` is True only when nothing was added, removed, modified,
    changed in metadata (when checked) and nothing failed (``errors``)."""

    __slots__ = ("ok", "added", "removed", "modified", "metadata_changed", "errors")
    ok: bool
    added: list[VerifyChange]
    removed: list[VerifyChange]
    modified: list[VerifyChange]
    metadata_changed: list[VerifyChange]
    errors: list[str]

    def __init__(self, added: list[VerifyChange], removed: list[VerifyChange], modified: list[VerifyChange],
                 metadata_changed: list[VerifyChange], errors: list[str]) -> None:
        ok = not (added or removed or modified or metadata_changed or errors)
        self._init(ok=ok, added=added, removed=removed, modified=modified, metadata_changed=metadata_changed,
                   errors=errors)

    def __getattribute__(self, name: str) -> Any:
        v = object.__getattribute__(self, name)
        return list(v) if isinstance(v, list) else v  # lists are copies, as in pyfs-watcher

    def __repr__(self) -> str:
        return (f"VerifyResult(ok={'true' if self.ok else 'false'}, added={len(self.added)}, "
                f"removed={len(self.removed)}, modified={len(self.modified)}, errors={len(self.errors)})")


def verify(snapshot_or_path: Snapshot | PathArg, *, max_workers: int | None = None,
           progress_callback: ProgressCallback | None = None, root: PathArg | None = None,
           check_mtime: bool = False, check_permissions: bool = False) -> VerifyResult:
    """Compare the files under the snapshot's root with the snapshot.

    snapshot_or_path: a ``Snapshot`` or the path of a saved one.
    root: check this directory instead of ``snapshot.root_path`` (e.g. a copy or a restore).
    check_mtime, check_permissions: also report files whose contents are unchanged but whose
        mtime or mode differ (in ``metadata_changed``).
    progress_callback: ("walking", 0, 0), ("verifying", 0, n), ("done", n, n), n = entries.
    """
    if isinstance(snapshot_or_path, Snapshot):
        snap = snapshot_or_path
    elif isinstance(snapshot_or_path, (str, bytes)) or hasattr(snapshot_or_path, "__fspath__"):
        snap = Snapshot.load(snapshot_or_path)
    else:
        raise domain_error(SnapshotError, "expected a Snapshot object or a path string", standard=TypeError)
    workers = _args.uint(max_workers, "max_workers", allow_none=True)
    _args.callback(progress_callback, "progress_callback")
    want_mtime = _args.flag(check_mtime, "check_mtime")
    want_mode = _args.flag(check_permissions, "check_permissions")
    algo = check_algorithm(snap.algorithm)
    text, raw = _args.path(snap.root_path if root is None else root, "root")
    _require_root(text, raw)
    options = snap.options
    if options["glob_pattern"] is not None:
        _args.check_glob(options["glob_pattern"], SnapshotError)

    entries = snap.entries
    n = len(entries)

    def on_event(stage: int, done: int, total: int) -> None:
        if progress_callback is not None and stage in (0, 2):
            progress_callback(_STAGES[stage], 0, 0 if stage == 0 else n)

    only = b"".join(os.fsencode(e.path) + b"\0" for e in entries)
    rows, walk_errors = _run(raw, algo, options, workers, only, on_event)
    on_disk = {p: i for i, p in enumerate(rows.rel)}
    by_path = {getattr(err, "filename", None) or str(err): err for err in walk_errors}
    added: list[VerifyChange] = []
    removed: list[VerifyChange] = []
    modified: list[VerifyChange] = []
    meta: list[VerifyChange] = []
    errors: list[str] = []
    expected_paths = set()
    for e in entries:
        expected_paths.add(e.path)
        i = on_disk.get(e.path)
        if i is None:
            removed.append(VerifyChange(e.path, "removed", e.hash_hex, None, e.file_size, None))
            continue
        if not rows.hashed[i]:
            full = text + e.path if text.endswith("/") else f"{text}/{e.path}"
            err = by_path.pop(full, None)
            why = err is not None and (getattr(err, "strerror", None) or str(err))
            errors.append(f"failed to hash: {e.path}" + (f" ({why})" if why else ""))
            continue
        h, size = rows.hashes[i], rows.sizes[i]
        mtime = rows.msec[i] + rows.mnsec[i] / 1e9
        mode = rows.modes[i]
        if h != e.hash_hex or size != e.file_size:
            modified.append(VerifyChange(e.path, "modified", e.hash_hex, h, e.file_size, size, e.mtime, mtime,
                                         e.permissions, mode))
        elif (want_mtime and mtime != e.mtime) or (want_mode and mode != e.permissions):
            meta.append(VerifyChange(e.path, "metadata", e.hash_hex, h, e.file_size, size, e.mtime, mtime,
                                     e.permissions, mode))
    for p in rows.rel:
        if p not in expected_paths:
            added.append(VerifyChange(p, "added"))
    errors.extend(str(err) for err in by_path.values())  # the rest: unreadable directories...
    for lst in (added, removed, modified, meta):
        lst.sort(key=lambda c: os.fsencode(c.path))
    if progress_callback is not None:
        progress_callback("done", n, n)
    return VerifyResult(added, removed, modified, meta, errors)


def _require_root(text: str, raw: bytes) -> None:
    import stat as stat_mod

    try:
        st = os.stat(raw)
    except OSError as e:
        code = e.errno if e.errno is not None else errno_mod.ENOENT
        raise domain_error(SnapshotError, f"snapshot root does not exist: {text}", code=code, path=text) from None
    if not stat_mod.S_ISDIR(st.st_mode):
        raise domain_error(SnapshotError, f"snapshot root does not exist: {text}", code=errno_mod.ENOTDIR,
                           path=text)
