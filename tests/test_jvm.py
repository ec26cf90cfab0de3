"""Starting the JVM: discovery, configuration, errors, warnings, a JVM someone else started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import pyfs_jvm
from helpers import child_stderr, run_python
from pyfs_jvm import _jdk


def test_runtime_info() -> None:
    info = pyfs_jvm.runtime_info()
    assert info["jdk_feature"] >= 17
    assert Path(info["java_home"]).is_dir()
    assert info["platform_layer"] in ("nio", "ffm-linux")
    if info["jdk_feature"] >= 22 and sys.platform == "linux" and os.environ.get("PYFS_JVM_PLATFORM") != "nio":
        assert info["platform_layer"] == "ffm-linux"
    assert info["workers"] >= 1
    assert info["exact_names"] is True
    assert "simd" in info
    # the launcher installs the compiler directive, so the seven-round method is available wherever
    # there is a vector kernel (it switches on after 4 GiB per thread: see test_hash)
    vector = info["blake3_kernel"].startswith("vector")
    assert info["blake3_register_rounds"] in (("waiting", "compiling", "on") if vector else ("off",))


def test_vm_output_goes_to_stderr_and_directives_stay_quiet() -> None:
    """The compiler directive's "1 compiler directives added" is start-up noise, and what the VM
    itself prints belongs on stderr: stdout is the program's (the hash command's lines)."""
    code = "import pyfs_jvm; pyfs_jvm.runtime_info(); print('only this')"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and p.stdout == "only this\n" and p.stderr == "", (p.stdout, p.stderr)


@pytest.mark.parametrize("env", [{"PYFS_JVM_DIRECTIVES": "0"},
                                 {"PYFS_JVM_OPTS": "-XX:+UnlockDiagnosticVMOptions -XX:CompilerDirectivesFile=DIR"}])
def test_without_our_directive_the_register_rounds_stay_off(env: dict[str, str], tmp_path: Path) -> None:
    """Off with PYFS_JVM_DIRECTIVES=0, and with a directives file of the caller's own (which
    would replace ours while the property still said ours was in force)."""
    (tmp_path / "d.json").write_text('[{"match": "java/lang/String.hashCode", "c2": {"Exclude": false}}]')
    env = {k: v.replace("DIR", str(tmp_path / "d.json")) for k, v in env.items()}
    code = "import pyfs_jvm; print(pyfs_jvm.runtime_info()['blake3_register_rounds'])"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, **env))
    assert p.returncode == 0 and p.stdout == "off\n", (p.stdout, p.stderr)


def test_no_warnings_are_printed(tmp_path: Path) -> None:
    err = child_stderr(f"import pyfs_jvm; pyfs_jvm.walk_collect({str(tmp_path)!r}); pyfs_jvm.runtime_info()")
    assert err == ""


def test_jdk_listing_command_runs_cleanly() -> None:
    """`python -m pyfs_jvm._jdk --all` (README, scripts/test-all.sh) lists the JDKs found, with
    nothing on stderr: the package must not import _jdk before runpy runs it as __main__."""
    p = subprocess.run([sys.executable, "-W", "error", "-m", "pyfs_jvm._jdk", "--all"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stderr == "", p.stderr
    features = [int(line.split("\t")[0]) for line in p.stdout.splitlines()]
    assert features and all(f >= 17 for f in features)


def test_configure_workers_and_heap_in_a_fresh_process() -> None:
    out = run_python("""
import json, pyfs_jvm
pyfs_jvm.configure(max_heap="256m", workers=3)
info = pyfs_jvm.runtime_info()
print(json.dumps([info["workers"], info["max_heap_bytes"]]))
""")
    assert out[0] == 3
    assert 200 << 20 < out[1] <= 256 << 20


def test_configure_after_start_refuses_jdk_and_heap() -> None:
    pyfs_jvm.runtime_info()
    with pytest.raises(pyfs_jvm.JvmError, match="already running"):
        pyfs_jvm.configure(max_heap="1g")
    with pytest.raises(ValueError):
        pyfs_jvm.configure(workers=0)


def test_explicit_java_home_that_is_not_a_jdk(tmp_path: Path) -> None:
    out = run_python("""
import json, pyfs_jvm
try:
    pyfs_jvm.walk_collect("/tmp")
    print(json.dumps(None))
except pyfs_jvm.JvmError as e:
    print(json.dumps(str(e)))
""", env={"PYFS_JVM_JAVA_HOME": str(tmp_path)})
    assert "PYFS_JVM_JAVA_HOME" in out and "not a JDK" in out


def test_no_jdk_anywhere_gives_one_clear_error() -> None:
    out = run_python("""
import json, pyfs_jvm
from pyfs_jvm import _jdk
_jdk._usual_places = lambda: []
try:
    pyfs_jvm.runtime_info()
    print(json.dumps(None))
except pyfs_jvm.JvmError as e:
    print(json.dumps(str(e)))
""", env={"PYFS_JVM_JAVA_HOME": None, "JAVA_HOME": "/nonexistent"})
    assert "needs a JDK 17 or newer" in out
    assert "JAVA_HOME=/nonexistent is not a JDK" in out
    assert "PYFS_JVM_JAVA_HOME" in out


def test_discovery_prefers_explicit_then_java_home(monkeypatch: pytest.MonkeyPatch) -> None:
    jdks = _jdk.discover()
    assert jdks and all(j.feature >= 1 for j in jdks)
    oldest = min((j for j in jdks if j.feature >= 17), key=lambda j: j.feature)
    monkeypatch.delenv("PYFS_JVM_JAVA_HOME", raising=False)
    monkeypatch.setenv("JAVA_HOME", str(oldest.home))
    assert _jdk.find().home == oldest.home
    assert _jdk.find(explicit=str(jdks[0].home)).home == jdks[0].home
    monkeypatch.delenv("JAVA_HOME")
    assert _jdk.find().home == max(jdks, key=lambda j: _jdk._version_key(j.version)).home


def test_a_jvm_started_by_someone_else_is_used() -> None:
    out = run_python(f"""
import json, jpype
from pyfs_jvm import _jdk
jpype.startJVM(str(_jdk.find().libjvm), convertStrings=False)
import pyfs_jvm
n = len(pyfs_jvm.walk_collect({os.path.dirname(__file__)!r}))
info = pyfs_jvm.runtime_info()
print(json.dumps([n, info["jvm_started_by"]]))
""")
    assert out[0] > 3 and out[1] == "another library"


def test_ctrl_c_cancels_a_long_walk_promptly() -> None:
    code = """
import sys, time, pyfs_jvm
from pyfs_jvm import _jvm
pyfs_jvm.walk_collect("/usr/share/doc")   # JVM up and warm
try:
    print("ready", flush=True)  # inside the try: the signal may land before the first walk starts
    while True:
        pyfs_jvm.walk_collect("/usr")
except KeyboardInterrupt:
    t = time.monotonic()
    threads = _jvm.jclass("java.lang.Thread").getAllStackTraces().keySet()
    alive = sum(1 for th in threads if str(th.getName()) == "pyfs-jvm-walk" and th.isAlive())
    print(f"interrupted {t!r} {alive}", flush=True)
"""
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert p.stdout is not None
    assert p.stdout.readline().strip() == "ready"
    sent = time.monotonic()
    p.send_signal(signal.SIGINT)
    line = p.stdout.readline().split()
    p.wait(timeout=30)
    assert line[0] == "interrupted"
    assert float(line[1]) - sent < 0.5
    assert line[2] == "0"  # the Java walk had stopped by the time KeyboardInterrupt arrived


def test_sigterm_terminates_like_any_python_process(tmp_path: Path) -> None:
    # The JVM must not take over SIGTERM: its shutdown thread racing Python used to abort the
    # process (SIGABRT, an hs_err file) instead of letting it end as a plain `kill` should.
    code = "import pyfs_jvm, time; pyfs_jvm.walk_collect('.'); print('ready', flush=True); time.sleep(60)"
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=tmp_path)
    assert p.stdout is not None
    assert p.stdout.readline().strip() == "ready"
    p.send_signal(signal.SIGTERM)
    assert p.wait(timeout=30) == -signal.SIGTERM
    assert not list(tmp_path.glob("hs_err*"))
