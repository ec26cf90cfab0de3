"""Building and installing: the wheel carries the jar and works without Maven; the build fails
loudly without Maven or a JDK."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_the_jar_and_installs_without_maven(tmp_path: Path) -> None:
    env = dict(os.environ, PYFS_JVM_SKIP_MAVEN="1")  # the jar of this checkout is already built
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path / "dist"), str(ROOT)], check=True, env=env, cwd=tmp_path)
    wheel = next((tmp_path / "dist").glob("pyfs_jvm-*.whl"))
    assert wheel.name.endswith("-py3-none-any.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "pyfs_jvm/_jars/pyfs-jvm-core.jar" in names and "pyfs_jvm/py.typed" in names

    # A fresh environment whose PATH has no mvn (and no java): only the JDK discovery finds one.
    venv.create(tmp_path / "venv", with_pip=True, system_site_packages=True)
    py = str(tmp_path / "venv" / "bin" / "python")
    bare = {"PATH": str(tmp_path / "venv" / "bin"), "HOME": os.environ.get("HOME", "/root"),
            "PYFS_JVM_JAVA_HOME": os.environ.get("PYFS_JVM_JAVA_HOME", "")}
    subprocess.run([py, "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(wheel)],
                   check=True, env=bare)
    out = subprocess.run([py, "-c", "import pyfs_jvm, os; print(pyfs_jvm.__file__); "
                                    f"print(len(pyfs_jvm.walk_collect({str(ROOT / 'bench')!r})))"],
                         check=True, env=bare, capture_output=True, text=True, cwd=tmp_path).stdout.split()
    assert out[0].startswith(str(tmp_path / "venv"))
    assert int(out[1]) > 2


def test_build_without_maven_fails_loudly() -> None:
    code = ("import sys; sys.path.insert(0, 'build_backend'); import pyfs_jvm_build as b; "
            "b._sources_newer_than = lambda jar: True; b.build_jar()")
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       env={"PATH": "/nonexistent", "HOME": os.environ.get("HOME", "/root")})
    assert p.returncode != 0
    assert "needs Maven ('mvn' is not on PATH)" in p.stderr and "apt-get install maven" in p.stderr


def test_build_without_a_jdk_fails_loudly(tmp_path: Path) -> None:
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "mvn").write_text("#!/bin/sh\nexit 99\n")
    (fake / "mvn").chmod(0o755)
    code = ("import sys; sys.path.insert(0, 'build_backend'); import pyfs_jvm_build as b; "
            "b._sources_newer_than = lambda jar: True; m = b._jdk_module(); m._usual_places = lambda: []; "
            "b._jdk_module = lambda: m; b.build_jar()")
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       env={"PATH": str(fake), "HOME": os.environ.get("HOME", "/root")})
    assert p.returncode != 0
    assert "needs a JDK 17 or newer" in p.stderr
