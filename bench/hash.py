"""Hashing benchmark: pyfs-jvm against b3sum, the blake3 package, hashlib, sha256sum, pyfs-watcher.

    python bench/hash.py [--dir DIR] [--big-mib 1024] [--small 20000] [--rounds 3] [--reps 3]
                         [--only big|small] [--kernel] [--jmh]

In one run, on the same data (generated once under DIR, page cache warm), interleaved round by
round:

* one 1 GiB file: pyfs-jvm ``hash_file`` BLAKE3 (all workers, tree-parallel) and with one worker,
  SHA-256; ``b3sum`` with all threads and with ``--num-threads 1``; the ``blake3`` package (one
  thread, and ``max_threads=AUTO``, both ``update_mmap``); ``hashlib.sha256`` (``file_digest``);
  ``sha256sum``; pyfs-watcher ``hash_file`` BLAKE3 and SHA-256;
* 20k files of 4-64 KiB: pyfs-jvm ``hash_files`` against pyfs-watcher ``hash_files``, ``b3sum``
  over all of them, and Python loops over the ``blake3`` package and ``hashlib``.

Prints times, GB/s and ratios against pyfs-jvm. ``--kernel`` also runs the in-process BLAKE3
kernel benchmark (``pyfsjvm.hash.Blake3Bench``: every kernel, in-memory, wall and CPU-time GB/s);
``--jmh`` builds and runs the JMH benchmark of the kernels (``java-core/jmh``) with the launcher's
JVM flags, and nothing else.
Set ``PYFS_JVM_JAVA_HOME`` to measure another JDK (e.g. 17).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import Tool, external, measure, report  # noqa: E402

WARM_JVM = "import sys, pyfs_jvm\npyfs_jvm.hash_file(sys.executable)\n"
# After 4 GiB on a thread BLAKE3 asks C2 for its seven-round method and switches to it once
# compiled (docs/hash.md, "Register rounds"): about a second of one core, then the callers are
# recompiled. The steady state is what a long job sees, so the BLAKE3 warm-ups go on until the
# switch has started (at most 60 calls), wait for it, and warm the callers again: 15 calls, as
# -XX:+PrintCompilation showed C2 still compiling callers (Blake3Hasher.subtreeWide,
# Blake3FileTree.mappedCv) 10-14 calls of 1 GiB after the switch, each time slowing that call by
# up to 30 % (three warm calls left such a dip inside the timed ones).
ROUNDS = "pyfs_jvm.runtime_info()['blake3_register_rounds']"
AFTER_SWITCH = 15


def warm_rounds(call: str) -> str:
    return ("for _ in range(60):\n"
            f"    {call}\n    if {ROUNDS} != 'waiting':\n        break\n"
            "from pyfs_jvm import _jvm\n_jvm.jclass('pyfsjvm.hash.HashApi').awaitBlake3RegisterRounds(120_000)\n"
            f"for _ in range({AFTER_SWITCH}):\n    {call}\n")


def ensure_data(root: str, big_mib: int, small: int) -> tuple[str, str, list[str]]:
    """``(big file, small dir, small files)``, generated once and reused (random content)."""
    os.makedirs(root, exist_ok=True)
    big = os.path.join(root, f"big-{big_mib}M.bin")
    if not os.path.exists(big) or os.path.getsize(big) != big_mib << 20:
        print(f"generating {big} ...", file=sys.stderr)
        with open(big + ".tmp", "wb") as f:
            for _ in range(big_mib):
                f.write(os.urandom(1 << 20))
        os.replace(big + ".tmp", big)
    sdir = os.path.join(root, f"small-{small}")
    files = [os.path.join(sdir, f"d{i // 1000:03d}", f"f{i:06d}") for i in range(small)]
    if not os.path.exists(os.path.join(sdir, "done")):
        print(f"generating {small} small files in {sdir} ...", file=sys.stderr)
        rnd = random.Random(1)
        for i, p in enumerate(files):
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(os.urandom(rnd.randint(4 << 10, 64 << 10)))
        open(os.path.join(sdir, "done"), "w").close()
    return big, sdir, files


def big_tools(big: str) -> list[Tool]:
    b = repr(big)
    # In a fresh JVM the first call over the 1 GiB file runs at 0.8 GB/s and the second at 2.4
    # while C2 compiles the kernel; from the third on the times are steady. Four warm-up calls
    # (and for BLAKE3, those up to the register rounds).
    warm = "for _ in range(4):\n    {}\n"
    return [
        Tool("pyfs-jvm hash_file blake3", setup=WARM_JVM + warm_rounds(f"pyfs_jvm.hash_file({b})"),
             code=f"def run():\n    return pyfs_jvm.hash_file({b}).file_size"),
        Tool("pyfs-jvm blake3, 1 worker",
             setup=WARM_JVM + warm_rounds(f"pyfs_jvm.hash_files([{b}], max_workers=1)"),
             code=f"def run():\n    return pyfs_jvm.hash_files([{b}], max_workers=1)[0].file_size"),
        external("b3sum (all threads)", ["b3sum", big], "apt-get install b3sum"),
        external("b3sum --num-threads 1", ["b3sum", "--num-threads", "1", big], "apt-get install b3sum"),
        Tool("blake3 package, 1 thread (mmap)", setup="import blake3",
             code=f"def run():\n    blake3.blake3().update_mmap({b}).hexdigest()\n    return 1"),
        Tool("blake3 package, AUTO threads", setup="import blake3",
             code=(f"def run():\n    blake3.blake3(max_threads=blake3.blake3.AUTO).update_mmap({b}).hexdigest()\n"
                   f"    return 1")),
        Tool("pyfs-watcher hash_file blake3", setup="import pyfs_watcher",
             code=f"def run():\n    return pyfs_watcher.hash_file({b}).file_size"),
        Tool("pyfs-jvm hash_file sha256",
             setup=WARM_JVM + warm.format(f"pyfs_jvm.hash_file({b}, algorithm='sha256')"),
             code=f"def run():\n    return pyfs_jvm.hash_file({b}, algorithm='sha256').file_size"),
        Tool("hashlib.sha256 (file_digest)", setup="import hashlib",
             code=(f"def run():\n    with open({b}, 'rb') as f:\n"
                   f"        hashlib.file_digest(f, 'sha256').hexdigest()\n    return 1")),
        external("sha256sum", ["sha256sum", big], "coreutils"),
        Tool("pyfs-watcher hash_file sha256", setup="import pyfs_watcher",
             code=f"def run():\n    return pyfs_watcher.hash_file({b}, algorithm='sha256').file_size"),
    ]


def small_tools(sdir: str, files: list[str]) -> list[Tool]:
    listing = os.path.join(sdir, "files.txt")
    with open(listing, "w") as f:
        f.write("\n".join(files))
    load = f"paths = open({listing!r}).read().split(chr(10))\n"
    # The JIT compiles hash_files' path during the first calls: in a fresh process the calls over
    # a fifth of the files take 1.0, 0.15, 0.15 s (0.05 once compiled), and then the calls over
    # all of them, in three processes: 0.56 0.38 0.24 0.24 0.27 0.26 0.23 0.23 ...,
    # 0.38 0.37 0.30 0.24 0.25 0.24 0.23 0.24 ..., 0.44 0.40 0.24 0.22 0.25 0.24 0.22 0.22 ...
    # (C2 still recompiling through the sixth). Warm it like the sync bench warms sync, until the
    # times settle (three calls over a fifth, six over all), so that the median is the steady
    # state; "first" still shows the first timed call.
    warm = ("for _ in range(3):\n    pyfs_jvm.hash_files(paths[:4000], algorithm=ALGO)\n"
            "for _ in range(6):\n    pyfs_jvm.hash_files(paths, algorithm=ALGO)\n")
    return [
        Tool("pyfs-jvm hash_files blake3",
             setup=WARM_JVM + load + "ALGO = 'blake3'\n" + warm + warm_rounds("pyfs_jvm.hash_files(paths)"),
             code="def run():\n    return len(pyfs_jvm.hash_files(paths))"),
        Tool("pyfs-watcher hash_files blake3", setup="import pyfs_watcher\n" + load,
             code="def run():\n    return len(pyfs_watcher.hash_files(paths))"),
        Tool("pyfs-jvm hash_files sha256", setup=WARM_JVM + load + "ALGO = 'sha256'\n" + warm,
             code="def run():\n    return len(pyfs_jvm.hash_files(paths, algorithm='sha256'))"),
        Tool("pyfs-watcher hash_files sha256", setup="import pyfs_watcher\n" + load,
             code="def run():\n    return len(pyfs_watcher.hash_files(paths, algorithm='sha256'))"),
        external("b3sum (all files)", ["b3sum", *files], "apt-get install b3sum"),
        Tool("blake3 package loop", setup="import blake3\n" + load,
             code=("def run():\n    for p in paths:\n        with open(p, 'rb') as f:\n"
                   "            blake3.blake3(f.read()).hexdigest()\n    return len(paths)")),
        Tool("hashlib.sha256 loop", setup="import hashlib\n" + load,
             code=("def run():\n    for p in paths:\n        with open(p, 'rb') as f:\n"
                   "            hashlib.sha256(f.read()).hexdigest()\n    return len(paths)")),
    ]


def throughput(tools: list[Tool], nbytes: int) -> None:
    print(f"{'tool':<34} {'GB/s (median)':>14} {'GB/s (best)':>12}")
    for t in tools:
        if t.available and t.times:
            print(f"{t.name:<34} {nbytes / statistics.median(t.times) / 1e9:>14.2f} "
                  f"{nbytes / min(t.times) / 1e9:>12.2f}")


def kernel(mib: int) -> None:
    import pyfs_jvm
    from pyfs_jvm import _jvm

    info = pyfs_jvm.runtime_info()
    print(f"\nBLAKE3 kernel, in memory, one thread (JDK {info['jdk_version']}, "
          f"{_jvm.jclass('pyfsjvm.hash.HashApi').blake3Kernel()}):")
    print(str(_jvm.jclass("pyfsjvm.hash.Blake3Bench").run(mib, 5)), end="")


def jmh() -> None:
    """The JMH benchmark of the BLAKE3 kernels (java-core/jmh/Blake3KernelBenchmark), built with
    Maven against the jar the package uses and run on the JDK it would use, with its JIT flags."""
    import subprocess
    from pathlib import Path

    from pyfs_jvm import _jdk, _jvm

    root = Path(__file__).resolve().parent.parent
    jdk = _jdk.find()
    env = dict(os.environ, JAVA_HOME=str(jdk.home))
    subprocess.run(["mvn", "-B", "-q", "-f", str(root / "java-core/jmh/pom.xml"), "package"], env=env, check=True)
    cp = f"{root / 'java-core/jmh/target/benchmarks.jar'}{os.pathsep}{_jvm._jar_path()}"
    flags = " ".join(["--add-modules=jdk.incubator.vector", *_jvm._jit_args()])
    print(f"JMH on {jdk}; forks run with: {flags}", flush=True)
    # prepended, so that each benchmark class's own -Dpyfsjvm.hash.registerRounds (appended) wins
    subprocess.run([str(jdk.home / "bin/java"), "-cp", cp, "org.openjdk.jmh.Main", "-jvmArgsPrepend", flags,
                    "pyfsjvm.hash.Blake3"], env=env, check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default="/tmp/pyfs-jvm-bench-hash")
    ap.add_argument("--big-mib", type=int, default=1024)
    ap.add_argument("--small", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--only", choices=["big", "small"], default=None)
    ap.add_argument("--kernel", action="store_true", help="also run the in-process kernel benchmark")
    ap.add_argument("--jmh", action="store_true", help="run only the JMH benchmark of the BLAKE3 kernels")
    a = ap.parse_args()
    if a.jmh:
        jmh()
        return
    big, sdir, files = ensure_data(a.dir, a.big_mib, a.small)
    print(f"cores: {os.cpu_count()}; JDK: {os.environ.get('PYFS_JVM_JAVA_HOME', 'newest found')}")
    if a.only != "small":
        ts = big_tools(big)
        print(f"\n== one {a.big_mib} MiB file ({a.rounds} rounds x {a.reps} reps) ==", file=sys.stderr)
        measure(ts, a.rounds, a.reps)
        print(f"\none {a.big_mib} MiB file:")
        report(ts, "pyfs-jvm hash_file blake3")
        throughput(ts, a.big_mib << 20)
    if a.only != "big":
        ts = small_tools(sdir, files)
        nbytes = sum(os.path.getsize(p) for p in files)
        print(f"\n== {len(files)} small files ==", file=sys.stderr)
        measure(ts, a.rounds, a.reps)
        print(f"\n{len(files)} files of 4-64 KiB ({nbytes / 1e6:.0f} MB):")
        report(ts, "pyfs-jvm hash_files blake3")
        throughput(ts, nbytes)
    if a.kernel:
        kernel(256)


if __name__ == "__main__":
    main()
