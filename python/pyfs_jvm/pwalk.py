"""A drop-in for the ``pwalk`` package (python-pwalk 0.1.6): ``walk``, ``report``, ``repair``.

``walk`` yields exactly what ``os.walk`` yields (same triples, same order, same ``onerror``
calls, in-place pruning of ``dirnames`` honoured), while Java threads read directories ahead in
parallel (``pyfsjvm.pwalk.TreeStream`` over the shared walker). ``report`` writes pwalk's CSV
(or John Dey's original format, or Parquet) straight from Java into a zstd, gzip or plain file,
in constant memory. ``repair`` fixes group ownership and setgid bits in shared folders.

Differences from python-pwalk 0.1.6, on purpose (docs/pwalk.md has the full list):

* ``walk`` really is parallel; ``max_threads`` sets the read-ahead threads. ``.snapshot`` is
  skipped in bottom-up walks too (pwalk only hid the name). A symlink loop met with
  ``followlinks=True`` goes to ``onerror`` as ``ELOOP`` instead of being walked ~40 levels deep.
* ``report`` returns the real errors, honours ``max_threads``/``SLURM_CPUS_ON_NODE``, writes a
  valid ``.zst`` (header inside the frame, suffix kept), supports ``gzip`` and ``parquet``, and
  leaves no file behind when it fails.
* ``repair`` protects system paths by path components (``/usrdata`` is not ``/usr``) and stops
  the parent-group search at ``top``.
"""

from __future__ import annotations

import errno as _errno
import grp
import os
import stat
import sys
import syslog
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, AnyStr, NamedTuple, Union

from . import _args, _bridge, _jvm
from .errors import FsWatcherError, domain_error, os_class

if TYPE_CHECKING:
    from pyfsjvm.pwalk import PwalkApi, ReportTask, TreeStream

__version__ = "0.1.6"  # the pwalk release this module is a drop-in for

__all__ = ["walk", "report", "repair", "__version__"]

_PathT = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
WalkTuple = tuple[AnyStr, list[AnyStr], list[AnyStr]]


class PwalkError(FsWatcherError, RuntimeError):
    """A pwalk operation failed (also a RuntimeError, as python-pwalk raises)."""


# ------------------------------------------------------------------------------------- walk

# pyfsjvm.pwalk.TreeStream record kinds and entry flags
_DIR, _LINK, _DESC, _LOOP = 1, 2, 4, 8
_HEAD, _ERROR = 128, 255
_SIMPLE = _DIR | _DESC  # a real directory the walker descends: the common case
_BATCH = 32768


def _os_error(text: str, path: AnyStr) -> OSError:
    """The OSError os.scandir would have raised for ``path``, from a Java "ERRNO:reason" text."""
    name, _, reason = text.partition(":")
    code = getattr(_errno, name, None) if name else None
    if code is None:
        return OSError(_errno.EIO, reason, path)
    return os_class(code)(code, os.strerror(code), path)


class _Record:
    """One directory of the stream (or an error row when ``error`` is set)."""

    __slots__ = ("path", "depth", "dirs", "files", "flags", "error")

    def __init__(self, path: Any, depth: int, dirs: list[Any], files: list[Any], flags: bytes,
                 error: str | None) -> None:
        self.path = path
        self.depth = depth
        self.dirs = dirs
        self.files = files
        self.flags = flags
        self.error = error


def _records(reader: _bridge.StreamReader, as_bytes: bool) -> Iterator[_Record]:
    """The stream's directories in os.walk top-down order, decoded batch by batch."""
    while True:
        buf = reader.next_batch()
        if buf is None:
            return
        batch = _bridge.Batch(buf)
        if as_bytes:
            raw = bytes(batch.raw(0))
            names: list[Any] = raw[:-1].split(b"\0") if raw else []
        else:
            names = batch.strings(0)
        na = batch.ints(1)
        nb = batch.ints(2)
        depths = batch.ints(3)
        kinds = bytes(batch.raw(4))
        errs = iter(batch.strings(5)) if batch.byte_length(5) else iter(())
        pos, rows = 0, batch.rows
        while pos < rows:
            if kinds[pos] == _HEAD:
                s = pos + 1
                m = s + na[pos]
                e = m + nb[pos]
                yield _Record(names[pos], depths[pos], names[s:m], names[m:e], kinds[s:m], None)
                pos = e
            else:
                yield _Record(names[pos], depths[pos], [], [], b"", next(errs))
                pos += 1


class _Stream:
    """Records in order, with one record of look-ahead."""

    def __init__(self, reader: _bridge.StreamReader, as_bytes: bool) -> None:
        self.reader = reader
        self._it = _records(reader, as_bytes)
        self._next: _Record | None = None

    def peek(self) -> _Record | None:
        if self._next is None:
            self._next = next(self._it, None)
        return self._next

    def pop(self) -> _Record | None:
        rec = self._next
        if rec is None:
            return next(self._it, None)
        self._next = None
        return rec

    def take(self, path: Any) -> _Record:
        """The record of directory ``path``; records before it belong to pruned subtrees."""
        while True:
            rec = self.pop()
            if rec is None:
                raise PwalkError(f"internal error: the walk stream ended before {path!r}")
            if rec.path == path:
                return rec

    def skip_below(self, depth: int) -> None:
        """Drop the records deeper than ``depth`` that come next (pruned subtrees)."""
        while True:
            rec = self.peek()
            if rec is None or rec.depth <= depth:
                return
            self._next = None


def _join(top: AnyStr, name: AnyStr) -> AnyStr:
    return os.path.join(top, name)


def walk(top: _PathT, topdown: bool = True, onerror: Callable[[OSError], object] | None = None,
         followlinks: bool = False, max_threads: int | None = None,
         ignore_snapshots: bool = True) -> Iterator[tuple[Any, list[Any], list[Any]]]:
    """Yield ``(dirpath, dirnames, filenames)`` exactly as ``os.walk`` does, read ahead in parallel.

    top: a str, bytes or os.PathLike (bytes in, bytes out, as with os.walk).
    topdown: parents before children; edit ``dirnames`` in place to prune or reorder.
    onerror: called with the OSError of each directory that cannot be listed (the root too).
    followlinks: walk into symlinked directories (a link back to an ancestor goes to onerror as
        ELOOP instead of being walked again).
    max_threads: directory-reading threads (default: the configured worker count, times two).
    ignore_snapshots: leave out and do not walk directories named ``.snapshot``.
    """
    if max_threads is not None and (isinstance(max_threads, bool) or not isinstance(max_threads, int)):
        raise TypeError(f"max_threads must be an int or None, got {type(max_threads).__name__}")
    if max_threads is not None and max_threads < 1:
        raise ValueError(f"max_threads must be at least 1, got {max_threads}")
    sys.audit("os.walk", top, topdown, onerror, followlinks)
    root: Any = os.fspath(top)
    as_bytes = isinstance(root, bytes)
    raw = root if as_bytes else os.fsencode(root)
    snap: Any = b".snapshot" if as_bytes else ".snapshot"
    if "\0" in os.fsdecode(raw):
        # os.scandir refuses it the same way, before anything is read
        raise ValueError("embedded null byte")
    api: type[PwalkApi] = _jvm.jclass("pyfsjvm.pwalk.PwalkApi")
    reader = _bridge.open_stream(PwalkError, api.openTree, raw, bool(followlinks), bool(ignore_snapshots),
                                 max_threads or 0, _BATCH)
    try:
        stream = _Stream(reader, as_bytes)
        if topdown:
            yield from _topdown(stream, onerror, followlinks, ignore_snapshots, snap)
        else:
            yield from _bottomup(stream, onerror, ignore_snapshots, snap)
    finally:
        reader.close()


def _onerror(onerror: Callable[[OSError], object] | None, rec: _Record) -> None:
    if onerror is not None:
        assert rec.error is not None
        onerror(_os_error(rec.error, rec.path))


def _topdown(stream: _Stream, onerror: Callable[[OSError], object] | None, followlinks: bool,
             ignore_snapshots: bool, snap: Any) -> Iterator[tuple[Any, list[Any], list[Any]]]:
    """os.walk's top-down recursion, with directory listings taken from the stream.

    While the caller leaves ``dirnames`` alone, the stream's order is exactly os.walk's and
    records are simply taken one after the other. A directory whose ``dirnames`` the caller
    edited gets a frame: the steps left for its children, decided after the edit. ("s", path)
    takes the child's record from the stream (skipping the subtrees dropped before it), ("l",
    path) walks it here with os.walk (a name the caller added, or moved before one the stream has
    passed), ("e", path) reports a symlink loop. Records deeper than a frame's children belong
    to the child being walked and are taken in order, like any unedited directory's.
    """
    frames: list[tuple[int, Iterator[tuple[str, Any]]]] = []  # (depth, steps) of edited directories
    rec: _Record | None = stream.pop()
    if rec is None:
        raise PwalkError("internal error: the walk stream ended before the root")
    while True:
        if rec is not None:
            if rec.error is not None:
                _onerror(onerror, rec)
            else:
                top, dirs, flags = rec.path, rec.dirs, rec.flags
                orig = dirs[:]
                if ignore_snapshots and snap in dirs:
                    dirs.remove(snap)
                yield top, dirs, rec.files
                if dirs != orig or flags.count(_SIMPLE) != len(flags):
                    frames.append((rec.depth, iter(_plan(stream, top, orig, flags, dirs, followlinks))))
            rec = None
        if not frames:
            rec = stream.pop()
            if rec is None:
                return
            continue
        depth, steps = frames[-1]
        nxt = stream.peek()
        if nxt is not None and nxt.depth > depth + 1:
            rec = stream.pop()  # inside the subtree of the child being walked
            continue
        step = next(steps, None)
        if step is None:
            stream.skip_below(depth)  # children dropped after the last one walked
            frames.pop()
            continue
        kind, path = step
        if kind == "s":
            rec = stream.take(path)
        elif kind == "l":
            yield from _local_walk(path, onerror, followlinks, ignore_snapshots, snap)
        elif onerror is not None:
            onerror(OSError(_errno.ELOOP, os.strerror(_errno.ELOOP), path))


def _plan(stream: _Stream, top: Any, orig: list[Any], flags: bytes, dirs: list[Any],
          followlinks: bool) -> list[tuple[str, Any]]:
    """What to do for each child the caller left in ``dirs`` (see ``_topdown``)."""
    info = dict(zip(orig, flags))
    order = {name: k for k, (name, f) in enumerate(zip(orig, flags)) if f & _DESC}
    steps: list[tuple[str, Any]] = []
    taken: set[Any] = set()
    last = -1
    for name in dirs:
        f = info.get(name)
        path = _join(top, name)
        if f is None:
            is_link = os.path.islink(path)
        else:
            is_link = bool(f & _LINK)
        if not followlinks and is_link:
            continue
        k = order.get(name, -1) if name not in taken else -1
        if k > last:
            steps.append(("s", path))
            taken.add(name)
            last = k
        elif f is not None and f & _LOOP:
            steps.append(("e", path))
        else:
            steps.append(("l", path))
    pruned = [os.fsencode(_join(top, name)) for name in order if name not in taken]
    if pruned:
        _prune(stream, pruned)
    return steps


def _prune(stream: _Stream, paths: list[bytes]) -> None:
    """Tell the Java walk not to read subtrees the caller dropped (best effort: it may be past them)."""
    java: TreeStream = stream.reader._stream
    for p in paths:
        java.prune(p)


def _local_walk(path: Any, onerror: Callable[[OSError], object] | None, followlinks: bool,
                ignore_snapshots: bool, snap: Any) -> Iterator[tuple[Any, list[Any], list[Any]]]:
    """os.walk itself, for a subtree the stream has already passed (the caller reordered names)."""
    for triple in os.walk(path, True, onerror, followlinks):
        if ignore_snapshots and snap in triple[1]:
            triple[1].remove(snap)
        yield triple


def _bottomup(stream: _Stream, onerror: Callable[[OSError], object] | None, ignore_snapshots: bool,
              snap: Any) -> Iterator[tuple[Any, list[Any], list[Any]]]:
    """Children before parents: the pre-order stream turned around with a stack of ancestors."""
    stack: list[_Record] = []
    while True:
        rec = stream.pop()
        if rec is None:
            break
        while stack and stack[-1].depth >= rec.depth:
            yield _finish(stack.pop(), onerror, ignore_snapshots, snap)
        if rec.error is not None:
            _onerror(onerror, rec)
        else:
            stack.append(rec)
    while stack:
        yield _finish(stack.pop(), onerror, ignore_snapshots, snap)


def _finish(rec: _Record, onerror: Callable[[OSError], object] | None, ignore_snapshots: bool,
            snap: Any) -> tuple[Any, list[Any], list[Any]]:
    if onerror is not None and _LOOP in bytes(f & _LOOP for f in rec.flags):
        for name, f in zip(rec.dirs, rec.flags):
            if f & _LOOP:
                path = _join(rec.path, name)
                onerror(OSError(_errno.ELOOP, os.strerror(_errno.ELOOP), path))
    dirs = rec.dirs
    if ignore_snapshots and snap in dirs:
        dirs.remove(snap)
    return rec.path, dirs, rec.files


# ------------------------------------------------------------------------------------ report

_FORMATS = ("csv", "dey", "parquet")
_COMPRESS = ("auto", "zstd", "gzip", "none")
_SUFFIX = {"zstd": ".zst", "gzip": ".gz", "none": ""}
_DEFAULT_LEVEL = {"zstd": 1, "gzip": 1, "none": 0}  # level 1: the scan, not the CPU, sets the pace

#: The CSV header python-pwalk writes (and John Dey's pwalk prints with --header).
HEADER = ('inode,parent-inode,directory-depth,"filename","fileExtension",UID,GID,st_size,st_dev,st_blocks,'
          'st_nlink,"st_mode",st_atime,st_mtime,st_ctime,pw_fcount,pw_dirsum')

#: Column types for reading a report back (DuckDB, pandas ...): names as in the header.
COLUMNS = {
    "inode": "UBIGINT", "parent-inode": "UBIGINT", "directory-depth": "BIGINT", "filename": "VARCHAR",
    "fileExtension": "VARCHAR", "UID": "UBIGINT", "GID": "UBIGINT", "st_size": "BIGINT", "st_dev": "UBIGINT",
    "st_blocks": "BIGINT", "st_nlink": "UBIGINT", "st_mode": "VARCHAR", "st_atime": "BIGINT",
    "st_mtime": "BIGINT", "st_ctime": "BIGINT", "pw_fcount": "BIGINT", "pw_dirsum": "BIGINT",
}


class ReportProgress(NamedTuple):
    """What ``report(progress=...)`` is told, a few times a second and once at the end."""

    rows: int             # CSV rows written so far
    directories: int      # directories listed
    csv_bytes: int        # uncompressed CSV bytes
    written_bytes: int    # bytes in the output file (compressed)
    errors: int           # unreadable directories, failed stats
    elapsed: float        # seconds since the scan started
    done: bool


def _threads(max_threads: Any) -> int:
    """max_threads, else SLURM_CPUS_ON_NODE (as pwalk reads it), else the CPU count."""
    if max_threads is None:
        slurm = os.environ.get("SLURM_CPUS_ON_NODE")
        if slurm is not None:
            try:
                max_threads = int(slurm)
            except ValueError:
                raise ValueError(f"SLURM_CPUS_ON_NODE must be an integer, got {slurm!r}") from None
        else:
            max_threads = os.cpu_count() or 4
    if isinstance(max_threads, bool) or not isinstance(max_threads, int):
        raise TypeError(f"max_threads must be an int or None, got {type(max_threads).__name__}")
    if max_threads < 1:
        raise ValueError(f"max_threads must be at least 1, got {max_threads}")
    return int(max_threads)


def _fail(code: int, path: str, what: str = "") -> PwalkError:
    msg = f"Failed to generate report: [Errno {code}] {what or os.strerror(code)}: {path!r}"
    return domain_error(PwalkError, msg, code=code, path=path)


def _zstd_available() -> bool:
    try:
        native: Any = _jvm.jclass("com.github.luben.zstd.util.Native")
        native.load()
        return bool(native.isLoaded())
    except Exception:
        return False


def _resolve_output(output: Any, compress: str, fmt: str) -> tuple[str, str]:
    """(output path, compression): pwalk's naming, but the suffix says what the file holds."""
    if fmt == "parquet":
        name = "scan.parquet" if output is None else os.fsdecode(os.fspath(output))
        return name, ("zstd" if compress == "auto" else compress)
    if output is not None:
        name = os.fsdecode(os.fspath(output))
        if compress == "auto":
            compress = "gzip" if name.endswith(".gz") else "zstd"
        if compress in ("zstd", "gzip") and not name.endswith(_SUFFIX[compress]):
            name += _SUFFIX[compress]
        return name, compress
    if compress == "auto":
        compress = "zstd"
    return "scan.csv" + _SUFFIX[compress], compress


def _check_output(name: str) -> None:
    """The output's directory must exist and be writable; the output must not be a directory."""
    parent = os.path.dirname(os.path.abspath(name))
    if not os.path.exists(parent):
        raise _fail(_errno.ENOENT, name, "No such file or directory (the output's directory does not exist)")
    if not os.path.isdir(parent):
        raise _fail(_errno.ENOTDIR, name, "Not a directory (the output's parent is not a directory)")
    if os.path.isdir(name):
        raise _fail(_errno.EISDIR, name)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise _fail(_errno.EACCES, name, "Permission denied (cannot create files in the output's directory)")
    if os.path.exists(name) and not os.access(name, os.W_OK):
        raise _fail(_errno.EACCES, name)


def report(top: _PathT, output: _PathT | None = None, max_threads: int | None = None, compress: str = "auto",
           *, format: str = "csv", header: bool | None = None, ignore_snapshots: bool = True,
           level: int | None = None, progress: Callable[[ReportProgress], object] | None = None,
           ) -> tuple[str, list[OSError]]:
    """Scan ``top`` into a pwalk CSV report; return ``(output_path, errors)``.

    output: the file to write (default ``scan.csv.zst``, ``scan.csv.gz``, ``scan.csv`` or
        ``scan.parquet``). A compressed output gets its suffix (``.zst``/``.gz``) if it lacks it.
        It is written beside itself and renamed into place: a failed scan leaves no file behind.
    max_threads: scanning threads (default ``SLURM_CPUS_ON_NODE``, else the CPU count).
    compress: "auto" (from the output's suffix, else zstd), "zstd", "gzip" or "none". With
        ``format="parquet"`` it is the Parquet column compression.
    format: "csv" (python-pwalk's columns), "dey" (John Dey's pwalk: full paths, ``%07o`` modes)
        or "parquet" (needs the ``duckdb`` package).
    header: write the header line (default: yes, except for "dey", which had ``--header``).
    ignore_snapshots: leave out ``.snapshot`` entries.
    level: compression level (default 1, as pwalk; zstd 1-19, gzip 1-9).
    progress: called on this thread with a :class:`ReportProgress` while the scan runs.

    errors: one ``OSError`` (also a ``PwalkError``) per directory that could not be read and per
    entry whose ``lstat`` failed (``"dey"`` adds names with control characters as "Bad File").
    """
    if format not in _FORMATS:
        raise ValueError(f"Invalid format: {format}. Use 'csv', 'dey' or 'parquet'")
    if compress not in _COMPRESS:
        raise ValueError(f"Invalid compress: {compress}. Use 'auto', 'zstd', 'gzip', or 'none'")
    threads = _threads(max_threads)
    text, raw = _args.path(top, "top")
    if header is not None and not isinstance(header, bool):
        raise TypeError(f"header must be a bool or None, got {type(header).__name__}")
    with_header = (format != "dey") if header is None else header
    name, comp = _resolve_output(output, compress, format)
    if level is not None and (isinstance(level, bool) or not isinstance(level, int)):
        raise TypeError(f"level must be an int or None, got {type(level).__name__}")
    lvl = _DEFAULT_LEVEL[comp] if level is None else level
    if comp == "gzip" and not 1 <= lvl <= 9 or comp == "zstd" and not 1 <= lvl <= 19:
        raise ValueError(f"level {lvl} is out of range for {comp}")
    _args.callback(progress, "progress")
    _check_top(text, raw)
    _check_output(name)
    if format == "parquet":
        return _report_parquet(text, raw, name, comp, threads, with_header, ignore_snapshots, progress)
    if comp == "zstd" and not _zstd_available():
        if compress == "zstd":
            raise ValueError("zstd compression not available on this platform. Use compress='gzip' or "
                             "compress='none' instead.")
        comp = "gzip"
        name = name[:-4] + ".gz" if name.endswith(".zst") else name + ".gz"
    errors = _run_report(raw, os.fsencode(name), comp, lvl, 1 if format == "dey" else 0, with_header,
                         ignore_snapshots, threads, progress)
    return name, errors


def _check_top(text: str, raw: bytes) -> None:
    try:
        st = os.stat(raw)
    except OSError as e:
        raise _fail(e.errno or _errno.ENOENT, text) from None
    if not stat.S_ISDIR(st.st_mode):
        raise _fail(_errno.ENOTDIR, text)
    try:
        fd = os.open(raw, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as e:
        raise _fail(e.errno or _errno.EACCES, text) from None
    os.close(fd)


def _run_report(raw: bytes, out: bytes, comp: str, level: int, fmt: int, header: bool, snaps: bool,
                threads: int, progress: Callable[[ReportProgress], object] | None) -> list[OSError]:
    api: type[PwalkApi] = _jvm.jclass("pyfsjvm.pwalk.PwalkApi")
    start = time.monotonic()
    task_box: list[ReportTask] = []

    def start_task(*args: Any) -> ReportTask:
        t = api.startReport(*args)
        task_box.append(t)
        return t

    def tell(done: bool = False) -> None:
        if progress is not None and task_box:
            p = [int(x) for x in task_box[0].progress()]
            progress(ReportProgress(p[0], p[1], p[2], p[3], p[4], time.monotonic() - start, done))

    try:
        packed = _bridge.run_task(PwalkError, start_task, raw, out, comp, level, fmt, header, snaps, threads,
                                  on_wake=tell if progress is not None else None)
    except PwalkError as e:
        raise _with_os_fields(e) from None
    tell(True)
    return _decode_errors(_bridge.Batch(memoryview(bytes(packed))))


def _with_os_fields(e: PwalkError) -> PwalkError:
    """A Java failure as pwalk words it. PwalkError is a RuntimeError, whose constructor comes
    first and leaves the OSError fields empty when the error is also an OSError: set them."""
    if isinstance(e, OSError) and e.errno is None and len(e.args) >= 2 and isinstance(e.args[0], int):
        e.errno, e.strerror = e.args[0], e.args[1]
        if len(e.args) >= 3:
            e.filename = e.args[2]
        text = OSError.__str__(e)
        e._message = f"Failed to generate report: {text}"  # type: ignore[attr-defined]
    return e


def _decode_errors(batch: _bridge.Batch) -> list[OSError]:
    """The scan's error list: the OSError os.scandir / os.lstat would raise for each failure."""
    if batch.rows == 0:
        return []
    out: list[OSError] = []
    for path, text in zip(batch.strings(0), batch.strings(1)):
        name, _, reason = text.partition(":")
        code = getattr(_errno, name, None) if name else None
        if code is None:  # "Bad File": a name with control characters, which John Dey's format refuses
            err = OSError(_errno.EILSEQ, f"{reason} (control characters in the name)", path)
        else:
            err = os_class(code)(code, os.strerror(code), path)
        out.append(err)
    return out


_PWALK_UTF8 = 2  # pyfsjvm.pwalk.ReportTask.PWALK_UTF8: names not valid UTF-8 get \xNN escapes


def _report_parquet(text: str, raw: bytes, name: str, comp: str, threads: int, header: bool, snaps: bool,
                    progress: Callable[[ReportProgress], object] | None) -> tuple[str, list[OSError]]:
    """The CSV goes to a zstd file beside the output, then DuckDB turns it into Parquet."""
    try:
        import duckdb
    except ImportError:
        raise ValueError("format='parquet' needs the duckdb package (pip install duckdb)") from None
    if comp not in ("zstd", "gzip", "none"):
        raise ValueError(f"Invalid compress for parquet: {comp}")
    directory = os.path.dirname(os.path.abspath(name))
    fd, tmp_csv = tempfile.mkstemp(prefix=".pyfs-jvm-report.", suffix=".csv.zst", dir=directory)
    os.close(fd)
    fd, tmp_pq = tempfile.mkstemp(prefix=".pyfs-jvm-report.", suffix=".parquet", dir=directory)
    os.close(fd)
    try:
        zstd = _zstd_available()
        if not zstd:
            os.replace(tmp_csv, tmp_csv[:-4] + ".gz")
            tmp_csv = tmp_csv[:-4] + ".gz"
        errors = _run_report(raw, os.fsencode(tmp_csv), "zstd" if zstd else "gzip", 1, _PWALK_UTF8, True, snaps,
                             threads, progress)
        con = duckdb.connect()
        try:
            con.execute(f"SET threads TO {threads}")
            codec = {"zstd": "zstd", "gzip": "gzip", "none": "uncompressed"}[comp]
            con.execute(f"COPY (SELECT * FROM {_read_csv_sql(tmp_csv)}) TO '{_sql_str(tmp_pq)}' "
                        f"(FORMAT parquet, COMPRESSION {codec})")
        finally:
            con.close()
        os.replace(tmp_pq, name)
    finally:
        for p in (tmp_csv, tmp_pq):
            try:
                os.unlink(p)
            except FileNotFoundError:
                pass
    return name, errors


def _sql_str(s: str) -> str:
    return s.replace("'", "''")


def _read_csv_sql(path: str) -> str:
    """A DuckDB ``read_csv(...)`` over a report, with the column types spelled out."""
    cols = ", ".join(f"'{k}': '{v}'" for k, v in COLUMNS.items())
    return (f"read_csv('{_sql_str(path)}', header=true, quote='\"', escape='\"', delim=',', "
            f"columns={{{cols}}}, strict_mode=false)")


# ------------------------------------------------------------------------------------ repair

#: System directories repair() refuses to touch: each itself and everything below it ("/" only itself).
PROTECTED_PATHS = ["/", "/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/root", "/sbin", "/sys", "/usr"]


def _under(path: str, prefix: str) -> bool:
    """``path`` is ``prefix`` or inside it, by whole path components (``/usrdata`` is not in ``/usr``)."""
    prefix = prefix.rstrip("/") or "/"
    return path == prefix or path.startswith(prefix + "/") if prefix != "/" else path == "/"


def _is_protected(top: str) -> bool:
    real = os.path.realpath(top)  # "../../usr" and links to /etc are what they point at
    for p in PROTECTED_PATHS:
        if _under(real, p) or _under(os.path.abspath(top), p):
            syslog.syslog(syslog.LOG_WARNING, f"pwalk: Attempted modification of protected path: {top}")
            return True
    return False


def _find_parent_group(path: str, top: str, change_gids: list[int], exclude: list[str]) -> int | None:
    """The group of the nearest ancestor of ``path`` (up to ``top``, not above it) whose group is
    not a private one (gid == uid), not root's and not one of ``change_gids``."""
    stop = os.path.normpath(top)
    if os.path.normpath(path) == stop:
        return None  # nothing above top counts
    current = os.path.dirname(path)
    while current:
        if not any(_under(os.path.normpath(current), os.path.normpath(ex)) for ex in exclude):
            try:
                st = os.stat(current)
                if st.st_gid != st.st_uid and st.st_gid not in change_gids and st.st_gid != 0:
                    return st.st_gid
            except OSError:
                pass
        if os.path.normpath(current) == stop or current in ("/", os.path.dirname(current)):
            return None
        current = os.path.dirname(current)
    return None


def repair(top: str, dry_run: bool = True, change_gids: list[int] | None = None,
           force_group_writable: bool = False, exclude: list[str] | None = None,
           max_threads: int | None = None) -> None:
    """Fix permissions in a shared folder, as python-pwalk's ``repair`` (a port of repair-shared).

    Every directory gets the setgid bit; a directory or file whose group is private (gid == uid),
    root's, or listed in ``change_gids`` takes the group of its nearest ancestor (within ``top``)
    that has a proper one; with ``force_group_writable`` directories get g+rwx and files g+rw.
    Symlinks are left alone. ``dry_run`` (the default) prints what would change; applying needs
    root. Changes go to syslog (ident ``pwalk-repair``); a summary is printed at the end.

    Deviations from python-pwalk 0.1.6: system paths are matched by path components (pwalk's
    string prefix test with "/" in the list refused every absolute path), ``exclude`` entries too,
    and the parent-group search stops at ``top``.
    """
    top = os.fsdecode(os.fspath(top))
    change_gids = list(change_gids or [])
    exclude = [os.fsdecode(os.fspath(e)) for e in (exclude or [])]
    if os.geteuid() != 0 and not dry_run:
        raise PermissionError("repair() must be run as root to modify filesystem")
    if _is_protected(top):
        raise ValueError(f"Cannot modify protected path: {top}")
    for gid in change_gids:
        try:
            grp.getgrgid(gid)
        except (KeyError, TypeError, OverflowError):
            syslog.syslog(syslog.LOG_WARNING, f"pwalk: Invalid GID {gid} not in /etc/group")
            raise ValueError(f"Invalid GID: {gid}") from None
    syslog.openlog("pwalk-repair", syslog.LOG_PID, syslog.LOG_USER)
    fixer = _Repair(top, dry_run, change_gids, force_group_writable, exclude)
    try:
        for dirpath, dirnames, filenames in walk(top, max_threads=max_threads):
            if fixer.excluded(dirpath):
                dirnames.clear()
                continue
            fixer.directory(dirpath)
            for name in filenames:
                fixer.file(os.path.join(dirpath, name))
    finally:
        syslog.closelog()
    mode = "DRY-RUN" if dry_run else "APPLIED"
    print(f"\n{mode} Summary:")
    print(f"  Changes {'would be' if dry_run else 'were'} made: {fixer.changes}")
    print(f"  Errors: {len(fixer.errors)}")
    if fixer.errors:
        print("\nErrors:")
        for error in fixer.errors[:10]:
            print(f"  {error}")
        if len(fixer.errors) > 10:
            print(f"  ... and {len(fixer.errors) - 10} more")


class _Repair:
    """One repair run: the rules per directory and per file, the change count and the errors."""

    def __init__(self, top: str, dry_run: bool, change_gids: list[int], writable: bool,
                 exclude: list[str]) -> None:
        self.top = top
        self.dry_run = dry_run
        self.change_gids = change_gids
        self.writable = writable
        self.exclude = [os.path.normpath(e) for e in exclude]
        self.changes = 0
        self.errors: list[str] = []

    def excluded(self, path: str) -> bool:
        p = os.path.normpath(path)
        return any(_under(p, ex) for ex in self.exclude)

    def _bad_group(self, st: os.stat_result) -> bool:
        return st.st_gid == st.st_uid or st.st_gid in self.change_gids or st.st_gid == 0

    def directory(self, path: str) -> None:
        try:
            st = os.stat(path)
            if stat.S_ISDIR(st.st_mode) and not st.st_mode & stat.S_ISGID:
                self._act(f"[DRY-RUN] Would set setgid on: {path}", f"Set setgid: {path}",
                          lambda: os.chmod(path, st.st_mode | stat.S_ISGID))
            if self._bad_group(st):
                gid = _find_parent_group(path, self.top, self.change_gids, self.exclude)
                if gid:
                    self._chgrp(path, st.st_gid, gid)
                else:
                    self.errors.append(f"Could not find suitable group for: {path}")
            if self.writable:
                st = os.stat(path)
                need = stat.S_IRWXG if stat.S_ISDIR(st.st_mode) else stat.S_IRGRP | stat.S_IWGRP
                self._chmod(path, st.st_mode, need)
        except OSError as e:
            self.errors.append(f"Error processing {path}: {e}")

    def file(self, path: str) -> None:
        try:
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                return
            if self._bad_group(st):
                gid = _find_parent_group(path, self.top, self.change_gids, self.exclude)
                if gid:
                    self._chgrp(path, st.st_gid, gid)
            if self.writable:
                self._chmod(path, st.st_mode, stat.S_IRGRP | stat.S_IWGRP)
        except OSError as e:
            self.errors.append(f"Error processing {path}: {e}")

    def _chgrp(self, path: str, old: int, new: int) -> None:
        self._act(f"[DRY-RUN] Would change group on {path}: {old} -> {new}",
                  f"Changed group: {path}: {old} -> {new}", lambda: os.chown(path, -1, new, follow_symlinks=False))

    def _chmod(self, path: str, mode: int, need: int) -> None:
        if mode & need == need:
            return
        new = mode | need
        self._act(f"[DRY-RUN] Would change permissions on {path}: {oct(mode)} -> {oct(new)}",
                  f"Changed permissions: {path}: {oct(mode)} -> {oct(new)}", lambda: os.chmod(path, new))

    def _act(self, dry: str, done: str, change: Callable[[], None]) -> None:
        if self.dry_run:
            print(dry)
        else:
            change()
            syslog.syslog(syslog.LOG_INFO, done)
        self.changes += 1
