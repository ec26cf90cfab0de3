"""PEP 517 backend: setuptools, plus Maven for the Java core.

``build_wheel`` and ``build_editable`` first run ``mvn package`` on ``java-core/`` and put the
shaded jar at ``python/pyfs_jvm/_jars/pyfs-jvm-core.jar``, where setuptools picks it up as
package data. The wheel is pure Python plus that jar (``py3-none-any``), so it installs
anywhere a JDK >= 17 exists at run time; Maven is only needed to build it.

Maven runs on the newest JDK found (``pyfs_jvm._jdk``, the same discovery the runtime uses),
preferring one >= 22 so that the FFM platform layer is compiled too; with only JDK 17-21 the jar
runs on the NIO layer everywhere. A missing ``mvn`` or JDK fails the build with what to install.
``PYFS_JVM_SKIP_MAVEN=1`` skips Maven when a jar is already in place (e.g. a prebuilt one).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from setuptools import build_meta as _setuptools
from setuptools.build_meta import (  # noqa: F401  (re-exported hooks)
    build_sdist,
    get_requires_for_build_editable,
    get_requires_for_build_sdist,
    get_requires_for_build_wheel,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)

ROOT = Path(__file__).resolve().parent.parent
POM = ROOT / "java-core" / "pom.xml"
JAR_OUT = ROOT / "python" / "pyfs_jvm" / "_jars" / "pyfs-jvm-core.jar"


class BuildError(RuntimeError):
    pass


def _jdk_module() -> Any:
    spec = importlib.util.spec_from_file_location("_pyfs_jvm_jdk", ROOT / "python" / "pyfs_jvm" / "_jdk.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses need the module registered
    spec.loader.exec_module(mod)
    return mod


def _sources_newer_than(jar: Path) -> bool:
    if not jar.exists():
        return True
    built = jar.stat().st_mtime
    for p in [POM, *(ROOT / "java-core" / "src").rglob("*")]:
        if p.is_file() and p.stat().st_mtime > built:
            return True
    return False


def build_jar() -> Path:
    """Run Maven if the jar is missing or older than the Java sources; return the jar."""
    if os.environ.get("PYFS_JVM_SKIP_MAVEN") == "1" and JAR_OUT.exists():
        return JAR_OUT
    if not POM.exists():
        if JAR_OUT.exists():
            return JAR_OUT
        raise BuildError(f"neither java-core/pom.xml nor a prebuilt jar at {JAR_OUT}: broken source tree")
    if not _sources_newer_than(JAR_OUT):
        return JAR_OUT
    mvn = shutil.which("mvn")
    if mvn is None:
        raise BuildError("building pyfs-jvm needs Maven ('mvn' is not on PATH) to compile the Java core. "
                         "Install it (e.g. 'apt-get install maven') or install a prebuilt wheel.")
    jdk_mod = _jdk_module()
    try:
        jdk = jdk_mod.find(minimum=22)
    except jdk_mod.JdkNotFoundError:
        try:
            jdk = jdk_mod.find()
        except jdk_mod.JdkNotFoundError as e:
            raise BuildError(f"building pyfs-jvm needs a JDK 17 or newer: {e}") from None
        print(f"pyfs-jvm build: no JDK >= 22 found, building with {jdk}: the FFM platform layer is "
              f"left out and the NIO layer is used at run time", file=sys.stderr)
    env = dict(os.environ, JAVA_HOME=str(jdk.home))
    if jdk.feature >= 23:  # Maven's own Guava warns about sun.misc.Unsafe on new JDKs
        env["MAVEN_OPTS"] = (env.get("MAVEN_OPTS", "") + " --sun-misc-unsafe-memory-access=allow").strip()
    cmd = [mvn, "-B", "-q", "-f", str(POM), "package", "-DskipTests"]
    print(f"pyfs-jvm build: {' '.join(cmd)} (JDK {jdk.version})", file=sys.stderr)
    proc = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise BuildError(f"Maven failed (exit {proc.returncode}) building the Java core; see its output above")
    built = ROOT / "java-core" / "target" / "pyfs-jvm-core.jar"
    JAR_OUT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(built, JAR_OUT)
    return JAR_OUT


def build_wheel(wheel_directory: str, config_settings: dict[str, Any] | None = None,
                metadata_directory: str | None = None) -> str:
    build_jar()
    return _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_editable(wheel_directory: str, config_settings: dict[str, Any] | None = None,
                   metadata_directory: str | None = None) -> str:
    build_jar()
    return _setuptools.build_editable(wheel_directory, config_settings, metadata_directory)


if __name__ == "__main__":
    # Development: (re)build the jar into python/pyfs_jvm/_jars without pip.
    try:
        print(build_jar())
    except BuildError as e:
        raise SystemExit(f"pyfs-jvm build: {e}") from None
