"""Parallel delta transfer of one large file, compatible with pdiffcopy (client and server).

A drop-in for ``pdiffcopy``'s Python API and wire protocol, with the work done by the Java core:

* :class:`Client` (shaped like ``pdiffcopy.client.Client``) synchronises a SOURCE to a TARGET,
  each a local path or ``http://host[:port]/path`` on a pdiffcopy-compatible server (ours or the
  real one). Both sides' block hashes are computed at the same time, each in parallel; the
  changed blocks are copied in parallel over kept-alive connections.
* :class:`Server` serves the files under one export root over pdiffcopy's HTTP protocol, so the
  real ``pdiffcopy`` client syncs to and from it.

Differences from pdiffcopy, on purpose (docs/delta.md has the full list):

* Secure by default: the server listens on 127.0.0.1 unless told otherwise, serves only files
  under its root (URL path ``/x/y`` is ``<root>/x/y``; no ``..``, no symlinks out), can require
  a token (it must, beyond loopback, unless ``allow_tokenless``), bounds block sizes and
  hashing threads, and answers a bad request with a 4xx instead of hanging.
* A local target is replaced atomically (temporary file + rename) unless ``inplace=True``: an
  interrupted run leaves it as it was. Server writes are fsynced before they are acknowledged.
* Empty files work, an empty source creates the target, and hash methods include BLAKE3
  (fast, when both ends are pyfs-jvm) besides pdiffcopy's ``sha1`` default.
* Threads, not processes: ``concurrency`` threads per side, no ``fork`` after the JVM started.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from . import _bridge, _jvm
from .errors import DeltaError, argument_error

if TYPE_CHECKING:
    from pyfsjvm.delta import DeltaServer, DeltaSync, Endpoint

__all__ = [
    "BLOCK_SIZE",
    "DEFAULT_CONCURRENCY",
    "DEFAULT_PORT",
    "Client",
    "Location",
    "Server",
    "SyncResult",
    "Progress",
    "start_server",
    "parse_size",
    "parse_listen",
    "hash_methods",
]

_log = logging.getLogger("pyfs_jvm.delta")

BLOCK_SIZE = 1048576
"""Default block size (1 MiB), as pdiffcopy."""

DEFAULT_CONCURRENCY = max(4, os.cpu_count() or 1)
"""Threads per side. pdiffcopy uses a third of the cores (processes); threads are cheaper and a
transfer waits on the network as much as on the CPU."""

DEFAULT_PORT = 8080

DEFAULT_TIMEOUT = 300.0
"""Seconds to wait for a server's answer (pdiffcopy waits forever, and a real server given a bad
hash method never answers)."""

TOKEN_ENV = "PYFS_JVM_DELTA_TOKEN"

_MAX_BLOCK = 64 * 1024 * 1024


def hash_methods() -> list[str]:
    """The hash methods this side can compute (``sha1``, ``blake3``, ``sha256``, ...)."""
    names = _jvm.jclass("pyfsjvm.hash.HashAlgorithm").names()
    return [str(n) for n in names]


# ------------------------------------------------------------------ parsing helpers

_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)
_DECIMAL = {"": 1, "b": 1, "byte": 1, "bytes": 1}
for _i, _p in enumerate("kmgtpezy", start=1):
    _DECIMAL[_p] = _DECIMAL[_p + "b"] = 1000 ** _i
    _DECIMAL[_p + "ib"] = 1024 ** _i
for _i, _w in enumerate(["kilo", "mega", "giga", "tera", "peta", "exa", "zetta", "yotta"], start=1):
    _DECIMAL[_w + "byte"] = _DECIMAL[_w + "bytes"] = 1000 ** _i
    _DECIMAL[_w[:2] + "bibyte"] = _DECIMAL[_w[:2] + "bibytes"] = 1024 ** _i


def parse_size(text: str) -> int:
    """A byte count in pdiffcopy's (humanfriendly's) syntax.

    Plain integers are bytes; suffixes without ``i`` are decimal (``5K`` = 5000, ``1M`` =
    1000000, ``10 megabytes``); ``iB`` suffixes are binary (``1MiB`` = 1048576). Case-insensitive.
    """
    m = _SIZE_RE.match(text)
    factor = _DECIMAL.get(m.group(2).lower()) if m else None
    if m is None or factor is None:
        raise ValueError(f"invalid size: {text!r} (examples: 1048576, 1MiB, 512KiB, 5M)")
    return int(float(m.group(1)) * factor) if "." in m.group(1) else int(m.group(1)) * factor


def parse_listen(value: str | None, default_host: str = "127.0.0.1") -> tuple[str, int]:
    """``--listen`` as pdiffcopy reads it: ``PORT``, ``HOST`` or ``HOST:PORT``; IPv6 as ``[::1]:9000``.

    Unlike pdiffcopy, no address means loopback (``127.0.0.1:8080``), not every interface; an
    empty host (``:8080``) still means every interface, and IPv6 works.
    """
    if value is None or value == "":
        return default_host, DEFAULT_PORT
    if value.isdigit():
        return default_host, _port(int(value), value)
    try:
        parsed = urlparse("http://" + value)
        port = parsed.port
    except ValueError as e:
        raise argument_error(DeltaError, f"invalid listen address {value!r}: {e}") from None
    host = parsed.hostname or ""
    if value.startswith(":"):
        host = ""
    return host, _port(port if port is not None else DEFAULT_PORT, value)


def _port(n: int, text: str) -> int:
    if not 0 <= n <= 65535:
        raise argument_error(DeltaError, f"invalid port in {text!r}")
    return n


# ------------------------------------------------------------------ locations


class Location:
    """A local file, or a file on a server: ``http://host[:port]/path`` (port default 8080).

    Parsed as pdiffcopy parses it: a scheme other than ``http`` is a ``ValueError``; a URL with a
    host name is remote and its path is the remote ``filename``; anything else is a local path.
    ``token`` is sent as ``Authorization: Bearer`` to servers that require one.
    """

    def __init__(self, expression: str | os.PathLike[str] | None = None, *, token: str | None = None) -> None:
        self.filename: str = ""
        self.hostname: str | None = None
        self.port_number: int | None = None
        self.token = token
        if expression is not None:
            self.expression = os.fspath(expression)

    @property
    def expression(self) -> str:
        if self.hostname:
            host = f"[{self.hostname}]" if ":" in self.hostname else self.hostname
            return f"http://{host}:{self.port_number}{self.filename}"
        return self.filename

    @expression.setter
    def expression(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"a location must be a str or os.PathLike, got {type(value).__name__}")
        parsed = urlparse(value)
        if parsed.scheme and parsed.scheme != "http":
            raise argument_error(DeltaError,
                                 f"Invalid URL scheme! (expected 'http', got {parsed.scheme!r} instead)")
        if parsed.hostname:
            try:
                port = parsed.port
            except ValueError as e:
                raise argument_error(DeltaError, f"invalid port in {value!r}: {e}") from None
            self.filename = parsed.path or "/"
            self.hostname = parsed.hostname
            self.port_number = port or DEFAULT_PORT
        else:
            if value == "" or "\0" in value:
                raise argument_error(DeltaError, f"invalid local path: {value!r}")
            self.filename = value
            self.hostname = None
            self.port_number = None

    @property
    def is_remote(self) -> bool:
        return bool(self.hostname)

    @property
    def label(self) -> str:
        return f"{'remote' if self.hostname else 'local'} file {self.filename}"

    def __repr__(self) -> str:
        return f"Location({self.expression!r})"

    def _endpoint(self, http: Any, timeout: float) -> Endpoint:
        sync: type[DeltaSync] = _jvm.jclass("pyfsjvm.delta.DeltaSync")
        if self.hostname:
            assert self.port_number is not None
            token = self.token if self.token is not None else os.environ.get(TOKEN_ENV)
            return sync.remote(http, self.hostname, self.port_number, os.fsencode(self.filename), token)
        return _bridge.call(DeltaError, sync.local, os.fsencode(self.filename))


# ------------------------------------------------------------------ results and progress


@dataclass(frozen=True)
class SyncResult:
    """What one synchronisation did.

    changed: blocks that differed (pdiffcopy's return value; blocks only in a longer target count).
    similarity: percentage of identical blocks (100.0 for two empty files).
    blocks_copied / bytes_copied: what was actually moved (0 for a dry run).
    delta_used: False when the target did not exist or delta transfer was off.
    """

    changed: int
    hits: int
    misses: int
    similarity: float
    delta_used: bool
    target_existed: bool
    source_size: int
    target_size: int
    blocks_to_copy: int
    bytes_to_copy: int
    blocks_copied: int
    bytes_copied: int
    hash_seconds: float
    transfer_seconds: float
    dry_run: bool


@dataclass(frozen=True)
class Progress:
    """A progress snapshot handed to ``Client(progress=...)`` (on the caller's thread)."""

    phase: str  # "info", "hashing", "transferring", "committing"
    hashed_blocks: int
    hash_total: int
    copied_blocks: int
    copied_bytes: int
    total_blocks: int
    total_bytes: int


_PHASES = ("info", "hashing", "transferring", "committing")


# ------------------------------------------------------------------ client


def _format_size(n: float) -> str:
    """humanfriendly.format_size(binary=True)-like: ``512 KiB``, ``2.86 MiB``."""
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            if unit == "bytes":
                return f"{int(n)} byte" + ("" if int(n) == 1 else "s")
            return f"{n:.2f}".rstrip("0").rstrip(".") + f" {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def _format_timespan(s: float) -> str:
    if s < 60:
        return f"{s:.2f} seconds"
    m, s = divmod(s, 60)
    return f"{int(m)} minute{'s' if m >= 2 else ''} and {s:.2f} seconds"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


class Client:
    """Synchronise :attr:`source` to :attr:`target` (the API of ``pdiffcopy.client.Client``).

    Keyword arguments set the attributes of the same names: ``source`` and ``target`` (a path,
    a URL or a :class:`Location`), ``block_size`` (bytes, default 1 MiB), ``hash_method``
    (default ``sha1``; ``blake3`` is the fast choice when no real pdiffcopy server is involved),
    ``delta_transfer`` (False = whole-file copy, ``-W``), ``concurrency`` (threads per side),
    ``dry_run``, ``benchmark`` (iterations for :meth:`synchronize`).

    pyfs-jvm's own: ``token`` (bearer token for servers that need one; default from
    ``$PYFS_JVM_DELTA_TOKEN``), ``inplace`` (write a local target in place instead of replacing
    it atomically), ``timeout`` (seconds per request), ``progress`` (a callable taking a
    :class:`Progress`, called on this thread at most every ``callback_interval_ms``).
    """

    def __init__(self, source: str | os.PathLike[str] | Location | None = None,
                 target: str | os.PathLike[str] | Location | None = None, *,
                 block_size: int = BLOCK_SIZE, hash_method: str = "sha1", delta_transfer: bool = True,
                 concurrency: int = DEFAULT_CONCURRENCY, dry_run: bool = False, benchmark: int = 0,
                 token: str | None = None, inplace: bool = False, timeout: float = DEFAULT_TIMEOUT,
                 progress: Callable[[Progress], None] | None = None, callback_interval_ms: int = 200) -> None:
        self._source: Location | None = None
        self._target: Location | None = None
        self.token = token
        if source is not None:
            self.source = source
        if target is not None:
            self.target = target
        self.block_size = block_size
        self.hash_method = hash_method
        self.delta_transfer = delta_transfer
        self.concurrency = concurrency
        self.dry_run = dry_run
        self.benchmark = benchmark
        self.inplace = inplace
        self.timeout = timeout
        self.progress = progress
        self.callback_interval_ms = callback_interval_ms
        self.last_result: SyncResult | None = None

    @property
    def source(self) -> Location:
        if self._source is None:
            raise argument_error(DeltaError, "no source given")
        return self._source

    @source.setter
    def source(self, value: str | os.PathLike[str] | Location) -> None:
        self._source = value if isinstance(value, Location) else Location(value, token=self.token)

    @property
    def target(self) -> Location:
        if self._target is None:
            raise argument_error(DeltaError, "no target given")
        return self._target

    @target.setter
    def target(self, value: str | os.PathLike[str] | Location) -> None:
        self._target = value if isinstance(value, Location) else Location(value, token=self.token)

    # -------------------------------------------------------------- pdiffcopy's API

    def synchronize(self) -> None:
        """Synchronise once, or run the benchmark when :attr:`benchmark` is positive."""
        if self.benchmark > 0:
            self.run_benchmark()
        else:
            self.synchronize_once()

    def synchronize_once(self) -> int:
        """Synchronise; returns the number of blocks that differed (pdiffcopy's value)."""
        r = self.sync()
        return r.changed

    def compute_transfer_size(self, offsets: list[int], source_size: int) -> int:
        """Bytes that copying the blocks at ``offsets`` moves (the last block may be short)."""
        return sum(max(0, min(self.block_size, source_size - o)) for o in offsets)

    def mutate_target(self, percentage: float) -> None:
        """Overwrite ``percentage`` % of the local target with zeros from offset 0 (benchmark)."""
        if self.target.is_remote:
            raise TypeError("Benchmark requires local target file!")
        size = os.path.getsize(self.target.filename)
        num_bytes = size / 100 * percentage
        block = 1024 * 1024 if size > 1024 ** 3 else 256 * 1024
        _log.info("Mutating %i%% of the target file ..", percentage)
        with open(self.target.filename, "r+b") as f:
            zeros = b"\0" * block
            for _ in range(int(num_bytes / block)):
                f.write(zeros)

    def run_benchmark(self, confirm: Callable[[str], bool] | None = None) -> list[list[str]]:
        """pdiffcopy's benchmark: mutate 100/N, 200/N, ... % of the target and time each sync.

        Needs ``$PDIFFCOPY_BENCHMARK=allowed`` or ``confirm(question)`` returning True. Returns
        the table rows (also printed to stdout) and leaves the target in sync.
        """
        import sys

        if os.environ.get("PDIFFCOPY_BENCHMARK") != "allowed":
            question = ("This will mutate the target file and then restore its original contents. "
                        "Are you sure this is okay?")
            ok = confirm(question) if confirm is not None else _ask(question)
            if not ok:
                raise DeltaError("Permission to run benchmark denied.")
        if self.target.is_remote:
            raise TypeError("Benchmark requires local target file!")
        _log.info("Performing initial synchronization to level the playing ground ..")
        self.synchronize_once()
        # pdiffcopy's optional rsync comparison: an rsync daemon serving the source's directory.
        rsync_server = os.environ.get("PDIFFCOPY_BENCHMARK_RSYNC_SERVER")
        rsync_module = os.environ.get("PDIFFCOPY_BENCHMARK_RSYNC_MODULE")
        rsync_root = os.environ.get("PDIFFCOPY_BENCHMARK_RSYNC_ROOT")
        have_rsync = bool(rsync_server and rsync_module and rsync_root)
        rows: list[list[str]] = []
        for i in range(1, self.benchmark + 1):
            difference = 100 / self.benchmark * i
            self.mutate_target(difference)
            t = time.monotonic()
            num_blocks = self.synchronize_once()
            elapsed = time.monotonic() - t
            row = [f"{int(difference)}%", _format_size(num_blocks * self.block_size), _format_timespan(elapsed)]
            if have_rsync:
                import subprocess

                self.mutate_target(difference)
                rel = os.path.relpath(self.source.filename, rsync_root)
                cmd = ["rsync", "--inplace", f"rsync://{rsync_server}/{os.path.join(str(rsync_module), rel)}",
                       self.target.filename]
                _log.info("Synchronizing changes using %s ..", " ".join(cmd))
                t = time.monotonic()
                subprocess.check_call(cmd)
                row.append(_format_timespan(time.monotonic() - t))
            rows.append(row)
        header = ["Delta size", "Data transferred", "Runtime of pyfs-jvm delta"]
        if have_rsync:
            header.append("Runtime of rsync")
        sys.stdout.write(_table(rows, header))
        sys.stdout.flush()
        return rows

    # -------------------------------------------------------------- the work

    def sync(self) -> SyncResult:
        """Synchronise once and return the full :class:`SyncResult` (also in :attr:`last_result`)."""
        self._check()
        source, target = self.source, self.target
        sync_cls: type[DeltaSync] = _jvm.jclass("pyfsjvm.delta.DeltaSync")
        http = (sync_cls.httpClient(float(min(self.timeout, 30.0)), float(self.timeout))
                if (source.is_remote or target.is_remote) else None)
        src = source._endpoint(http, self.timeout)
        dst = target._endpoint(http, self.timeout)
        if self.delta_transfer:
            _log.info("Computing similarity index for delta transfer ..")
        task_box: list[Any] = []
        last = [0.0]

        def on_wake() -> None:
            if self.progress is None or not task_box:
                return
            now = time.monotonic()
            t = task_box[0]
            if now - last[0] < self.callback_interval_ms / 1000 and not t.isDone():
                return
            last[0] = now
            self.progress(Progress(_PHASES[int(t.phase())], int(t.hashedBlocks()), int(t.hashTotal()),
                                   int(t.copiedBlocks()), int(t.copiedBytes()), int(t.copyTotalBlocks()),
                                   int(t.copyTotalBytes())))

        def start(*args: Any) -> Any:
            task = sync_cls.start(*args)
            task_box.append(task)
            return task

        started = time.monotonic()
        jr = _bridge.run_task(DeltaError, start, src, dst, self.block_size, self.hash_method,
                              self.delta_transfer, self.concurrency, self.dry_run, self.inplace,
                              on_wake=on_wake)
        task = task_box[0]
        result = SyncResult(
            changed=int(jr.changed()), hits=int(jr.hits()), misses=int(jr.misses()),
            similarity=float(jr.similarity()), delta_used=bool(jr.deltaUsed()),
            target_existed=bool(jr.targetExisted()), source_size=int(jr.sourceSize()),
            target_size=int(jr.targetSize()), blocks_to_copy=int(task.copyTotalBlocks()),
            bytes_to_copy=int(task.copyTotalBytes()), blocks_copied=int(jr.blocksCopied()),
            bytes_copied=int(jr.bytesCopied()), hash_seconds=int(jr.hashNanos()) / 1e9,
            transfer_seconds=int(jr.transferNanos()) / 1e9, dry_run=bool(jr.dryRun()))
        self.last_result = result
        self._log_result(result, time.monotonic() - started)
        return result

    def _check(self) -> None:
        for name in ("block_size", "concurrency"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise argument_error(DeltaError, f"{name} must be a positive int, got {v!r}")
        if self.block_size > _MAX_BLOCK:
            raise argument_error(DeltaError, f"block_size must be at most {_MAX_BLOCK} (64 MiB), got {self.block_size}")
        if not isinstance(self.hash_method, str) or not self.hash_method:
            raise argument_error(DeltaError, f"hash_method must be a non-empty str, got {self.hash_method!r}")
        if not (isinstance(self.timeout, (int, float)) and self.timeout > 0):
            raise argument_error(DeltaError, f"timeout must be a positive number, got {self.timeout!r}")
        if self.progress is not None and not callable(self.progress):
            raise TypeError("progress must be callable")

    def _log_result(self, r: SyncResult, elapsed: float) -> None:
        if not r.target_existed and self.delta_transfer:
            _log.info("Disabling delta transfer because target file doesn't exist ..")
        if r.delta_used:
            _log.info("Computed %i%% similarity in %s.", r.similarity, _format_timespan(r.hash_seconds))
        elif not self.delta_transfer:
            _log.info("Performing whole file copy (skipping delta transfer) ..")
        action = "download" if self.source.is_remote else "upload"
        if r.blocks_to_copy or r.changed:
            _log.info("Will %s %s totaling %s.", action, _plural(r.blocks_to_copy, "block"),
                      _format_size(r.bytes_to_copy))
            if not r.dry_run:
                rate = r.bytes_copied / r.transfer_seconds if r.transfer_seconds > 0 else 0.0
                _log.info("%sed %s (%s) in %s (%s/s).", action.capitalize(), _plural(r.blocks_copied, "block"),
                          _format_size(r.bytes_copied), _format_timespan(r.transfer_seconds), _format_size(rate))
            _log.info("Synchronized changes in %s ..", _format_timespan(elapsed))
        else:
            _log.info("Nothing to do! (file contents match)")


def _ask(question: str) -> bool:
    import sys

    if not sys.stdin.isatty():
        return False
    answer = input(f"{question} [y/N] ").strip().lower()
    return answer in ("y", "yes")


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(header[c]), *(len(r[c]) for r in rows)) for c in range(len(header))]
    line = "-" * (sum(widths) + 3 * len(widths) + 1)

    def fmt(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    return "\n".join([line, fmt(header), line, *map(fmt, rows), line]) + "\n"


# ------------------------------------------------------------------ server


class Server:
    """A pdiffcopy-compatible server over the files under ``root``.

    ``address``: ``--listen`` syntax (``PORT``, ``HOST``, ``HOST:PORT``, ``[::1]:PORT``);
    default ``127.0.0.1:8080``; port 0 picks a free one (see :attr:`port`).
    ``token``: required from every client as ``Authorization: Bearer``; default
    ``$PYFS_JVM_DELTA_TOKEN``. Listening beyond loopback without one is refused unless
    ``allow_tokenless`` (the real pdiffcopy client cannot send a token).
    ``read_only``: refuse writes. ``threads``: request handler threads. ``concurrency``: most
    hashing threads one ``/hashes`` request may use. ``max_block_size``: largest block read or
    written (bytes).
    """

    def __init__(self, root: str | os.PathLike[str], address: str | None = None, *, token: str | None = None,
                 allow_tokenless: bool = False, read_only: bool = False, threads: int = 16,
                 concurrency: int | None = None, max_block_size: int = _MAX_BLOCK) -> None:
        if not isinstance(root, (str, bytes)) and not hasattr(root, "__fspath__"):
            raise TypeError(f"root must be a path, got {type(root).__name__}")
        self.root = os.fsdecode(os.fspath(root))
        self.host, port = parse_listen(address)
        self._requested_port = port
        self.token = token if token is not None else os.environ.get(TOKEN_ENV) or None
        self.allow_tokenless = bool(allow_tokenless)
        self.read_only = bool(read_only)
        for name, v in (("threads", threads), ("max_block_size", max_block_size)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise argument_error(DeltaError, f"{name} must be a positive int, got {v!r}")
        if concurrency is not None and (isinstance(concurrency, bool) or not isinstance(concurrency, int)
                                        or concurrency < 1):
            raise argument_error(DeltaError, f"concurrency must be a positive int, got {concurrency!r}")
        self.threads = threads
        self.concurrency = concurrency or max(2, os.cpu_count() or 1)
        self.max_block_size = max_block_size
        self._server: DeltaServer | None = None
        self._task: Any = None

    def start(self) -> Server:
        """Bind and start serving in the background; returns self."""
        if self._server is not None:
            return self
        cls: type[DeltaServer] = _jvm.jclass("pyfsjvm.delta.DeltaServer")
        try:
            self._server = cls.create(os.fsencode(self.root), self.host, self._requested_port, self.token,
                                      self.allow_tokenless, self.read_only, self.threads, self.max_block_size,
                                      self.concurrency)
        except Exception as e:
            if _bridge.is_java_exception(e, "java.lang.IllegalArgumentException"):
                raise argument_error(DeltaError, str(e.getMessage())) from None  # type: ignore[attr-defined]
            if _bridge.is_java_exception(e, "java.net.BindException"):
                raise DeltaError(f"cannot listen on {self.host or '*'}:{self._requested_port}: "
                                 f"{e.getMessage()}") from None  # type: ignore[attr-defined]
            mapped = _bridge.map_error(e, DeltaError)
            if mapped is e:
                raise
            raise mapped from None
        self._task = _bridge.call(DeltaError, self._server.start)
        return self

    @property
    def port(self) -> int:
        if self._server is None:
            raise DeltaError("server not started")
        return int(self._server.port())

    @property
    def address(self) -> str:
        if self._server is None:
            raise DeltaError("server not started")
        return str(self._server.address())

    def url(self, path: str = "/") -> str:
        """``http://host:port/path`` for a file under the root (path relative to the root)."""
        return f"http://{self.address}/{path.lstrip('/')}"

    @property
    def request_count(self) -> int:
        return int(self._server.requestCount()) if self._server is not None else 0

    @property
    def rejected_count(self) -> int:
        return int(self._server.rejectedCount()) if self._server is not None else 0

    def serve_forever(self) -> None:
        """Start if needed and serve until Ctrl-C (or :meth:`close` from another thread)."""
        self.start()
        try:
            _bridge.run(self._task, DeltaError)
        finally:
            self.close()

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            _bridge.cancel_and_wait(self._task)
            self._server = None

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


def start_server(address: str | None = None, concurrency: int = 4, *, root: str | os.PathLike[str] = ".",
                 token: str | None = None, allow_tokenless: bool = False, read_only: bool = False) -> None:
    """pdiffcopy's ``start_server``: serve until interrupted (here: the files under ``root``)."""
    Server(root, address, token=token, allow_tokenless=allow_tokenless, read_only=read_only,
           threads=max(4, concurrency), concurrency=concurrency).serve_forever()
