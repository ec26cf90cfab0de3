"""The one place that starts and talks to the JVM (everything else goes through here).

The JVM starts lazily, on the first call that needs it, once per process; it is never restarted.
``configure()`` (or the ``PYFS_JVM_*`` environment variables) can choose the JDK, the heap cap and
the worker count before that. If something else in the process already started JPype's JVM, we
use it: our jar is added to its class path, and whatever that JVM lacks (an old JDK, the Vector
API module, native access) is reported by ``runtime_info()`` or raised as a clear error.

Fork safety: a process must not fork after the JVM is up (DESIGN.md). Anything of ours that
needs another process uses the ``spawn`` start method.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import _jdk  # imported where used: `python -m pyfs_jvm._jdk` must find it not yet loaded

__all__ = ["configure", "runtime_info", "jclass", "ensure_started", "JvmError"]

# Flags for the in-process JVM (java-core/pom.xml passes the same ones to JUnit):
#  - the Vector API for BLAKE3's SIMD kernel;
#  - native access for the FFM platform layer (JDK >= 22), without JEP 472 warnings;
#  - sun.nio.fs opened so that NIO paths give us their raw bytes (platform/RawPaths.java).
_JVM_FLAGS = (
    "--add-modules=jdk.incubator.vector",
    "--enable-native-access=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.fs=ALL-UNNAMED",
    "-Dpyfsjvm.nativeAccess=true",
    "-XX:-UsePerfData",  # no hsperfdata file in /tmp, faster start
    "-Xss2m",
    # JPype calls System.gc() when Python's heap grows, to break cycles through proxies; a full
    # stop-the-world collection each time cost a walk of 1M entries ~150 ms. Concurrent is enough.
    "-XX:+ExplicitGCInvokesConcurrent",
    # Python owns the process's signals: without this the JVM installs SIGTERM/SIGHUP/SIGINT
    # handlers that run its shutdown from a signal thread while Python still runs, and a plain
    # `kill` aborted the process (SIGABRT and an hs_err file) instead of terminating it.
    "-Xrs",
    # The VM's own messages (and -XX:+Print... output asked for through PYFS_JVM_OPTS) belong on
    # stderr: stdout is the program's, e.g. the `hash` command's b3sum-format lines.
    "-XX:+DisplayVMOutputToStderr",
)

# What the JVM prints at start that is expected and not the user's business.
_EXPECTED_START_NOISE = re.compile(
    rb"^(WARNING: Using incubator modules: jdk\.incubator\.vector|\d+ compiler directives added)\s*$")


class JvmError(RuntimeError):
    """The JVM could not be started or used (no JDK >= 17, a bad setting, a foreign JVM)."""


@dataclass
class _Config:
    java_home: str | None = None
    max_heap: str | None = None
    workers: int | None = None
    extra_args: list[str] = field(default_factory=list)


_lock = threading.RLock()
_config = _Config()
_started = False
_foreign = False  # the JVM was started by someone else
_jdk_in_use: _jdk.Jdk | None = None
_classes: dict[str, Any] = {}


def configure(*, java_home: str | os.PathLike[str] | None = None, max_heap: str | None = None,
              workers: int | None = None) -> None:
    """Set how the JVM starts. Call before the first pyfs-jvm operation.

    java_home: the JDK to use (else ``PYFS_JVM_JAVA_HOME``, ``JAVA_HOME``, the newest JDK >= 17).
    max_heap: the heap cap as for ``-Xmx``, e.g. ``"2g"`` (else ``PYFS_JVM_MAX_HEAP``).
    workers: the default number of worker threads (else ``PYFS_JVM_WORKERS``, else the CPUs).

    Once the JVM runs, the JDK and heap can no longer change (``JvmError``); ``workers`` can.
    """
    if max_heap is not None and not re.fullmatch(r"\d+[kKmMgGtT]?", max_heap):
        raise ValueError(f"max_heap must look like '512m' or '4g', got {max_heap!r}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers must be a positive int, got {workers!r}")
    with _lock:
        if _started:
            if java_home is not None or max_heap is not None:
                raise JvmError("the JVM is already running; java_home and max_heap can only be set "
                               "before the first pyfs-jvm call")
            if workers is not None:
                _config.workers = workers
                jclass("pyfsjvm.bridge.Workers").configure(workers)
            return
        if java_home is not None:
            _config.java_home = os.fspath(java_home)
        if max_heap is not None:
            _config.max_heap = max_heap
        if workers is not None:
            _config.workers = workers


def _jar_path() -> Path:
    override = os.environ.get("PYFS_JVM_JAR")
    if override:
        return Path(override)
    jar = resources.files(__package__).joinpath("_jars").joinpath("pyfs-jvm-core.jar")
    path = Path(os.fspath(jar))  # type: ignore[call-overload]
    if not path.is_file():
        raise JvmError(f"the pyfs-jvm Java core is missing ({path}): the package was not built. "
                       f"Install it with 'pip install .' (which runs Maven), or build the jar with "
                       f"'mvn -f java-core/pom.xml package' and set PYFS_JVM_JAR.")
    return path


def ensure_started() -> None:
    """Start the JVM if needed (idempotent, thread-safe)."""
    if _started:
        return
    with _lock:
        if not _started:
            _start()


def _start() -> None:
    global _started, _foreign, _jdk_in_use
    import jpype

    from . import _jdk

    jar = _jar_path()
    if jpype.isJVMStarted():
        _adopt_foreign_jvm(jpype, jar)
        _foreign = True
    else:
        try:
            jdk = _jdk.find(_config.java_home)
        except _jdk.JdkNotFoundError as e:
            raise JvmError(str(e)) from None
        args = list(_JVM_FLAGS)
        heap = _config.max_heap or os.environ.get("PYFS_JVM_MAX_HEAP")
        if heap:
            args.append(f"-Xmx{heap}")
        extra = [*_config.extra_args, *os.environ.get("PYFS_JVM_OPTS", "").split()]  # e.g. -Xlog:gc
        if not any(a.startswith("-XX:CompilerDirectivesFile") for a in extra):  # theirs would replace ours
            args.extend(_jit_args())
        args.extend(_cds_args(jdk, jar))
        args.extend(extra)
        platform = os.environ.get("PYFS_JVM_PLATFORM")
        if platform:
            args.append(f"-Dpyfsjvm.platform={platform}")
        with _quiet_stderr():
            jpype.startJVM(str(jdk.libjvm), *args, classpath=[str(jar)], convertStrings=False,
                           interrupt=False)
        _jdk_in_use = jdk
    _started = True
    workers = _config.workers or _env_int("PYFS_JVM_WORKERS")
    if workers:
        jclass("pyfsjvm.bridge.Workers").configure(workers)
    from . import _bridge

    _bridge.sync_log_level()


def _adopt_foreign_jvm(jpype: Any, jar: Path) -> None:
    from . import _jdk

    feature = int(jpype.JClass("java.lang.Runtime").version().feature())
    if feature < _jdk.MIN_FEATURE:
        raise JvmError(f"this process already runs a JVM (JDK {feature}) started by other code; "
                       f"pyfs-jvm needs JDK {_jdk.MIN_FEATURE} or newer in the same process")
    try:
        jpype.JClass("pyfsjvm.bridge.RuntimeInfo")
    except Exception:
        jpype.addClassPath(str(jar))
        try:
            jpype.JClass("pyfsjvm.bridge.RuntimeInfo")
        except Exception as e:
            raise JvmError(f"this process already runs a JVM started by other code, and pyfs-jvm's "
                           f"classes ({jar}) could not be loaded into it: {e}") from None


def _jit_args() -> list[str]:
    """The compiler directives in ``compiler-directives.json``, and the property that tells the
    Java side they are in force (``pyfsjvm.hash.Blake3RegisterRounds``: BLAKE3's seven rounds in
    one method, which only C2 can compile). A JVM started by other code lacks both, and hashes
    with the round methods, and so does one given a directives file of the caller's own (only the
    last such flag counts). ``PYFS_JVM_DIRECTIVES=0`` leaves them out."""
    path = Path(os.fspath(resources.files(__package__).joinpath("compiler-directives.json")))  # type: ignore[call-overload]
    if os.environ.get("PYFS_JVM_DIRECTIVES") == "0" or not path.is_file():
        return []
    return ["-XX:+UnlockDiagnosticVMOptions", f"-XX:CompilerDirectivesFile={path}",
            "-Dpyfsjvm.hash.registerRounds=true"]


def _cds_args(jdk: _jdk.Jdk, jar: Path) -> list[str]:
    """Class-data sharing: the first process on a JDK >= 19 archives the classes it loaded
    (ours, JPype's, the FFM linker's) when it exits; later ones map that archive and start in
    about two thirds of the time (import + JVM + first walk: ~0.7 s -> ~0.45 s here).

    The archive is keyed by JDK, jar and flags, so a rebuilt jar gets a fresh one; older ones for
    the same JDK and install are removed. ``PYFS_JVM_CDS=0`` turns it off; an unwritable cache just skips it.
    JDK 17 has no auto-created archives, so it starts without.
    """
    if jdk.feature < 19 or os.environ.get("PYFS_JVM_CDS") == "0":
        return []
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    cache = Path(base) / "pyfs-jvm" / "cds"
    try:
        cache.mkdir(parents=True, exist_ok=True)
        if not os.access(cache, os.W_OK):
            return []
        st = jar.stat()
    except OSError:
        return []
    import hashlib

    ident = f"{jdk.home}|{jdk.version}|{jar}|{st.st_size}|{st.st_mtime_ns}|{' '.join(_JVM_FLAGS)}"
    # One archive per (JDK, installed jar): a rebuilt jar replaces its own install's archive but
    # never another install's (two virtualenvs or work trees would otherwise keep deleting each
    # other's and start without one).
    install = hashlib.sha256(f"{jdk.home}|{jar}".encode()).hexdigest()[:8]
    prefix = f"jdk{jdk.version}-{install}-"
    name = prefix + hashlib.sha256(ident.encode()).hexdigest()[:16] + ".jsa"
    for old in cache.glob(prefix + "*.jsa"):
        if old.name != name:
            try:
                old.unlink()
            except OSError:
                pass
    # The archive code reports on stdout through unified logging (skipped classes, flags that
    # differ from the JDK's base archive); none of it is the user's business.
    quiet = ["-Xlog:cds*=off"] + (["-Xlog:aot*=off"] if jdk.feature >= 24 else [])
    return ["-XX:+AutoCreateSharedArchive", f"-XX:SharedArchiveFile={cache / name}", *quiet]


class _quiet_stderr:
    """Capture fd 2 while the JVM starts; replay everything but the expected noise.

    The JVM writes its start-up warnings straight to file descriptor 2, so Python-level
    redirection cannot catch them.
    """

    def __enter__(self) -> None:
        sys.stderr.flush()
        self._saved = os.dup(2)
        self._tmp = tempfile.TemporaryFile()
        os.dup2(self._tmp.fileno(), 2)

    def __exit__(self, *exc: object) -> None:
        os.dup2(self._saved, 2)
        os.close(self._saved)
        self._tmp.seek(0)
        for line in self._tmp.read().splitlines(keepends=True):
            if not _EXPECTED_START_NOISE.match(line):
                os.write(2, line)
        self._tmp.close()


def _env_int(name: str) -> int | None:
    v = os.environ.get(name)
    if not v:
        return None
    try:
        n = int(v)
    except ValueError:
        raise JvmError(f"{name} must be a positive integer, got {v!r}") from None
    if n < 1:
        raise JvmError(f"{name} must be a positive integer, got {v!r}")
    return n


def jclass(name: str) -> Any:
    """The Java class ``name`` (cached). Starts the JVM if needed."""
    cls = _classes.get(name)
    if cls is None:
        ensure_started()
        import jpype

        cls = jpype.JClass(name)
        _classes[name] = cls
    return cls


def runtime_info() -> dict[str, Any]:
    """What runs under pyfs-jvm: JDK version and path, platform layer, SIMD, workers, ...

    Starts the JVM if it is not running yet.
    """
    info: dict[str, Any] = json.loads(str(jclass("pyfsjvm.bridge.RuntimeInfo").json()))
    info["jvm_started_by"] = "another library" if _foreign else "pyfs-jvm"
    info["jar"] = str(_jar_path())
    return info
