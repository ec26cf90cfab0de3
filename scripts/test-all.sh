#!/usr/bin/env bash
# Install pyfs-jvm with its test dependencies, then run every test:
#   1. the Java tests (JUnit) on the newest JDK (>= 22: includes the FFM layer) and on JDK 17;
#   2. mypy over the typed public API;
#   3. the Python tests on JDK 17 (NIO layer) and on the newest JDK (FFM layer).
# Needs: python3 with pip, Maven, a JDK 17 and a JDK >= 22 (found as pyfs-jvm finds JDKs).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

if [ "${PYFS_JVM_IN_TREE:-}" = 1 ]; then
    # Development in a second work tree (docs/development.md): no pip install, which would
    # re-point the machine's editable install; build the jar here and import from here.
    step "build the jar in this tree (PYFS_JVM_IN_TREE=1)"
    python3 build_backend/pyfs_jvm_build.py
    export PYTHONPATH="$PWD/python${PYTHONPATH:+:$PYTHONPATH}"
else
    step "install pyfs-jvm (editable) with test dependencies"
    python3 -m pip install --disable-pip-version-check -q -e '.[test]'
fi

# Debian packages the tests compare against or drive (CI: a fresh machine, as root, no stdin).
# One line per package: "command package  # who needs it". Missing ones are installed in one go.
debian_needs="
b3sum b3sum                # hash tests compare digests with it
chromium chromium          # the du treemap page is rendered headless (tests/test_cli_analysis.py)
zstd zstd                  # pwalk report tests decompress .zst reports with it
"
missing=$(printf '%s\n' "$debian_needs" | awk 'NF >= 2 { print $1, $2 }' | while read -r cmd pkg; do
    command -v "$cmd" >/dev/null 2>&1 || printf '%s ' "$pkg"; done)
if [ -n "$missing" ]; then
    step "install Debian packages: $missing"
    apt-get update -qq
    # shellcheck disable=SC2086  # one word per package
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

jdk17=$(python3 -m pyfs_jvm._jdk --all | awk '$1 == 17 { print $2; exit }')
jdk_new=$(python3 -m pyfs_jvm._jdk --min 22 || true)
[ -n "$jdk17" ] || { echo "test-all: no JDK 17 found (python3 -m pyfs_jvm._jdk --all)" >&2; exit 1; }
[ -n "$jdk_new" ] || { echo "test-all: no JDK >= 22 found (python3 -m pyfs_jvm._jdk --all)" >&2; exit 1; }
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"

step "Java tests on $jdk_new"
JAVA_HOME="$jdk_new" mvn -B -q -f java-core/pom.xml test
step "Java tests on $jdk17"
JAVA_HOME="$jdk17" MAVEN_OPTS="" mvn -B -q -f java-core/pom.xml clean test  # clean: no JDK 25 class files

step "mypy"
python3 -m mypy

step "Python tests on $jdk17"
PYFS_JVM_JAVA_HOME="$jdk17" python3 -m pytest -q
step "Python tests on $jdk_new"
PYFS_JVM_JAVA_HOME="$jdk_new" python3 -m pytest -q

step "all tests passed"
