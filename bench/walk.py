"""Walking benchmark: pyfs-jvm against the tools its users switch from, on one generated tree.

    python bench/walk.py [--entries 1000000] [--tree DIR] [--rounds 3] [--reps 3]

In one run, on the same tree (bench/gen_tree.py, page cache warm), interleaved round by round:
pyfs-jvm walk_collect and streaming walk, pyfs-watcher walk_collect, os.walk (names only, and with
an lstat of every entry for size parity), pwalk's walk, fd and find -printf '%s %p'. Prints times,
ratios against pyfs-jvm walk_collect and peak RSS, then pyfs-jvm's first-entry latency and its
cold-start time (fresh process: import + JVM start + first walk_collect of a small directory).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import Tool, external, measure, report  # noqa: E402
from gen_tree import ensure  # noqa: E402


def tools(tree: str) -> list[Tool]:
    t = repr(tree)
    warm_jvm = "import pyfs_jvm\npyfs_jvm.walk_collect('/usr/lib/python3')\n"
    return [
        Tool("pyfs-jvm walk_collect", setup=warm_jvm,
             code=f"def run():\n    return len(pyfs_jvm.walk_collect({t}))"),
        Tool("pyfs-jvm walk (streaming)", setup=warm_jvm,
             code=f"def run():\n    return sum(1 for _ in pyfs_jvm.walk({t}))"),
        Tool("pyfs-watcher walk_collect", setup="import pyfs_watcher",
             code=f"def run():\n    return len(pyfs_watcher.walk_collect({t}))"),
        Tool("os.walk (names only)", setup="import os",
             code=f"def run():\n    n = 0\n    for d, ds, fs in os.walk({t}):\n        n += len(ds) + len(fs)\n    return n"),
        Tool("os.walk + lstat (size parity)", setup="import os",
             code=(f"def run():\n    n = 0\n    for d, ds, fs in os.walk({t}):\n        for x in ds + fs:\n"
                   f"            os.lstat(os.path.join(d, x)).st_size\n            n += 1\n    return n")),
        Tool("pwalk.walk", setup="import pwalk",
             code=f"def run():\n    n = 0\n    for d, ds, fs in pwalk.walk({t}):\n        n += len(ds) + len(fs)\n    return n"),
        external("fd -HI --no-ignore", ["fdfind", "-HI", "--no-ignore", ".", tree], "apt-get install fd-find"),
        external("find -printf '%s %p'", ["find", tree, "-mindepth", "1", "-printf", "%s %p\\n"], "findutils"),
    ]


def first_entry_latency(tree: str, reps: int = 20) -> list[float]:
    code = f"""
import json, time, pyfs_jvm
pyfs_jvm.walk_collect('/usr/lib/python3')
out = []
for i in range({reps}):
    t = time.perf_counter()
    it = pyfs_jvm.walk({tree!r})
    next(it)
    out.append(time.perf_counter() - t)
    it.close()
print(json.dumps(out))
"""
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return list(json.loads(p.stdout.strip().splitlines()[-1]))


def cold_start(small: str, reps: int = 5) -> list[float]:
    code = f"""
import json, time
t = time.perf_counter()
import pyfs_jvm
pyfs_jvm.walk_collect({small!r})
print(json.dumps(time.perf_counter() - t))
"""
    out = []
    for _ in range(reps):
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        out.append(float(p.stdout.strip().splitlines()[-1]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--tree", default=None)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    tree = a.tree or f"/tmp/pyfs-bench/walk/tree-{a.entries}"
    info = ensure(tree, a.entries)
    print(f"tree {tree}: {info['entries']:,} entries ({info['files']:,} files, {info['dirs']:,} dirs, "
          f"{info['symlinks']:,} symlinks)")
    subprocess.run(["find", tree], stdout=subprocess.DEVNULL)  # warm the dentry/inode caches
    import pyfs_jvm

    rt = pyfs_jvm.runtime_info()
    print(f"pyfs-jvm on JDK {rt['jdk_version']}, platform layer {rt['platform_layer']}, {rt['workers']} workers; "
          f"{os.cpu_count()} CPUs")
    ts = tools(tree)
    measure(ts, a.rounds, a.reps)
    print()
    report(ts, "pyfs-jvm walk_collect")
    lat = first_entry_latency(tree)
    print(f"\nstreaming walk, first entry after the call (JVM up): median {statistics.median(lat) * 1000:.1f} ms, "
          f"max {max(lat) * 1000:.1f} ms over {len(lat)} calls")
    cs = cold_start(os.path.dirname(os.path.abspath(__file__)))
    print(f"fresh process, import pyfs_jvm + first walk_collect of a small directory: median "
          f"{statistics.median(cs):.3f} s, best {min(cs):.3f} s")


if __name__ == "__main__":
    main()
