"""Finding a JDK >= 17 to run the Java core on (and to build it with).

Order (DESIGN.md, "The JVM"): an explicit setting (``configure(java_home=...)`` or
``PYFS_JVM_JAVA_HOME``), then ``JAVA_HOME``, then the newest JDK >= 17 in the usual places.
An explicit setting that is not a usable JDK is an error, never silently replaced; a
``JAVA_HOME`` that is too old is passed over (and named in the error if nothing else is found).

This module does not import jpype and never starts a JVM: ``python -m pyfs_jvm._jdk`` lists
what it finds, which the build backend and the test script use too.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

MIN_FEATURE = 17


@dataclass(frozen=True)
class Jdk:
    """A JDK installation."""

    home: Path
    version: str
    feature: int
    libjvm: Path

    def __str__(self) -> str:
        return f"JDK {self.version} at {self.home}"


class JdkNotFoundError(RuntimeError):
    """No usable JDK >= 17 was found (the message says where we looked and how to fix it)."""


def _libjvm(home: Path) -> Path | None:
    for rel in ("lib/server/libjvm.so", "lib/server/libjvm.dylib", "bin/server/jvm.dll",
                "jre/lib/amd64/server/libjvm.so"):
        p = home / rel
        if p.is_file():
            return p
    return None


def _version(home: Path) -> str | None:
    try:
        text = (home / "release").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    m = re.search(r'^JAVA_VERSION="([^"]+)"', text, re.M)
    return m.group(1) if m else None


def _feature(version: str) -> int:
    head = version.split(".")[0].split("-")[0].split("+")[0]
    if head == "1":  # 1.8.0_x
        return int(version.split(".")[1])
    return int(head) if head.isdigit() else 0


def probe(home: str | os.PathLike[str]) -> Jdk | None:
    """The JDK at ``home``, or None if it is not a JDK (any version)."""
    p = Path(home).expanduser()
    try:
        p = p.resolve()
    except OSError:
        return None
    version = _version(p)
    lib = _libjvm(p)
    if version is None or lib is None:
        return None
    return Jdk(home=p, version=version, feature=_feature(version), libjvm=lib)


def _usual_places() -> list[Path]:
    patterns = [
        "/usr/lib/jvm/*", "/usr/java/*", "/usr/local/java/*", "/opt/java/*", "/opt/jdk*",
        "/opt/homebrew/opt/openjdk*/libexec/openjdk.jdk/Contents/Home",
        "/Library/Java/JavaVirtualMachines/*/Contents/Home",
        "~/Library/Java/JavaVirtualMachines/*/Contents/Home",
        "~/.sdkman/candidates/java/*", "~/.jdks/*", "~/.gradle/jdks/*",
        "C:/Program Files/Java/*", "C:/Program Files/Eclipse Adoptium/*",
    ]
    found: list[Path] = []
    for pat in patterns:
        found.extend(Path(x) for x in glob.glob(os.path.expanduser(pat)))
    java = shutil.which("java")
    if java:
        found.append(Path(os.path.realpath(java)).parent.parent)
    return found


def discover() -> list[Jdk]:
    """Every distinct JDK in the usual places, newest first."""
    seen: dict[Path, Jdk] = {}
    for place in _usual_places():
        jdk = probe(place)
        if jdk is not None and jdk.home not in seen:
            seen[jdk.home] = jdk
    return sorted(seen.values(), key=lambda j: _version_key(j.version), reverse=True)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", version)[:4])


def find(explicit: str | os.PathLike[str] | None = None, *, minimum: int = MIN_FEATURE) -> Jdk:
    """The JDK to use, by the order above. Raises JdkNotFoundError with a useful message."""
    setting = explicit if explicit is not None else os.environ.get("PYFS_JVM_JAVA_HOME") or None
    if setting is not None:
        jdk = probe(setting)
        where = "configure(java_home=...)" if explicit is not None else "PYFS_JVM_JAVA_HOME"
        if jdk is None:
            raise JdkNotFoundError(
                f"{where} is {os.fspath(setting)!r}, which is not a JDK (no 'release' file or no "
                f"libjvm). Point it at a JDK {minimum} or newer.")
        if jdk.feature < minimum:
            raise JdkNotFoundError(
                f"{where} points at {jdk}, but pyfs-jvm needs JDK {minimum} or newer.")
        return jdk
    notes: list[str] = []
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        jdk = probe(java_home)
        if jdk is not None and jdk.feature >= minimum:
            return jdk
        notes.append(f"JAVA_HOME={java_home} is " + (f"too old ({jdk.version})" if jdk else "not a JDK"))
    candidates = discover()
    for jdk in candidates:
        if jdk.feature >= minimum:
            return jdk
    older = ", ".join(str(j) for j in candidates) or "none"
    raise JdkNotFoundError(
        f"pyfs-jvm needs a JDK {minimum} or newer and found none. Looked at: "
        f"PYFS_JVM_JAVA_HOME (unset), JAVA_HOME ({'; '.join(notes) or 'unset'}), /usr/lib/jvm, "
        f"/usr/java, /opt/java, /Library/Java/JavaVirtualMachines, ~/.sdkman, ~/.jdks and the "
        f"'java' on PATH (older JDKs found: {older}). Install one (e.g. 'apt-get install "
        f"openjdk-17-jdk-headless' or a Temurin build) or set PYFS_JVM_JAVA_HOME to its directory.")


def _main(argv: list[str]) -> int:
    """``python -m pyfs_jvm._jdk [--min N] [--all]``: print the chosen JDK home (or all)."""
    minimum = MIN_FEATURE
    if "--min" in argv:
        minimum = int(argv[argv.index("--min") + 1])
    if "--all" in argv:
        for jdk in discover():
            if jdk.feature >= minimum:
                print(f"{jdk.feature}\t{jdk.home}")
        return 0
    try:
        print(find(minimum=minimum).home)
    except JdkNotFoundError as e:
        print(e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
