"""pwalk benchmark: pyfs-jvm's pwalk.report / pwalk.walk against python-pwalk and os.walk.

    python bench/report.py [--entries 1000000] [--tree DIR] [--rounds 3] [--reps 2]

One run, one generated tree (bench/gen_tree.py, page cache warm), tools interleaved round by round
in fresh processes (bench/_harness.py):

* report: pyfs-jvm ``pwalk.report`` (zstd, and uncompressed) against python-pwalk's ``report``
  (its C core; zstd and uncompressed). Prints times, rows per second and ratios. Then checks that
  both wrote the same rows, compared as sets after decompressing.
* walk: ``os.walk``, python-pwalk's ``walk`` (which is os.walk) and pyfs-jvm's ``pwalk.walk``,
  counting names; then checks that pyfs-jvm's triples equal os.walk's, in order.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import Tool, measure, report  # noqa: E402
from gen_tree import ensure  # noqa: E402

OUT = "/tmp/pyfs-bench/pwalk"


def report_tools(tree: str) -> list[Tool]:
    t = repr(tree)
    # The JIT needs a few passes before it has compiled the hot loops. /usr/lib alone (a few
    # thousand directories) left the first timed report ~10 % slower than the next; two of the
    # tree's own top-level directories (about a quarter of it) as well still left it 3-5 % slower
    # (1.06-1.11 s against ~1.05). So the warm-up ends with one report of the whole tree, as the
    # other benches warm until their times settle: the median is the steady state. "first" still
    # shows a call right after the warm-up, and python-pwalk (C) needs none.
    parts = [os.path.join(tree, d) for d in ("d0", "d1") if os.path.isdir(os.path.join(tree, d))]
    warm = ("from pyfs_jvm import pwalk\nfor _ in range(3):\n"
            "    pwalk.report('/usr/lib', '/tmp/pyfs-bench/pwalk/warm.csv')\n"
            f"for _p in {parts + [tree]!r}:\n"
            "    pwalk.report(_p, '/tmp/pyfs-bench/pwalk/warm.csv.zst', compress='zstd')\n")
    count = f"ROWS = {_entries(tree)} + 1  # entries + the root row\n"
    return [
        Tool("pyfs-jvm report zstd", setup=warm + count,
             code=f"def run():\n    pwalk.report({t}, '{OUT}/ours.csv.zst', compress='zstd')\n    return ROWS"),
        Tool("pyfs-jvm report none", setup=warm + count,
             code=f"def run():\n    pwalk.report({t}, '{OUT}/ours.csv', compress='none')\n    return ROWS"),
        Tool("python-pwalk report zstd", setup="import pwalk\n" + count,
             code=f"def run():\n    pwalk.report({t}, '{OUT}/theirs-z.csv', compress='zstd')\n    return ROWS"),
        Tool("python-pwalk report none", setup="import pwalk\n" + count,
             code=f"def run():\n    pwalk.report({t}, '{OUT}/theirs.csv', compress='none')\n    return ROWS"),
    ]


def walk_tools(tree: str) -> list[Tool]:
    t = repr(tree)
    body = "def run():\n    n = 0\n    for d, ds, fs in {fn}({t}):\n        n += len(ds) + len(fs)\n    return n"
    return [
        Tool("pyfs-jvm pwalk.walk",
             setup="from pyfs_jvm import pwalk\nfor _ in range(3):\n    sum(1 for _ in pwalk.walk('/usr/lib'))",
             code=body.format(fn="pwalk.walk", t=t)),
        Tool("os.walk", setup="import os", code=body.format(fn="os.walk", t=t)),
        Tool("python-pwalk walk", setup="import pwalk", code=body.format(fn="pwalk.walk", t=t)),
    ]


def _entries(tree: str) -> int:
    import json
    with open(os.path.join(tree, ".tree-info.json")) as f:
        return int(json.load(f)["entries"])


def same_rows() -> str:
    """Our zstd report and python-pwalk's plain one hold the same rows (as sets)."""
    ours = subprocess.run(["zstd", "-dc", f"{OUT}/ours.csv.zst"], capture_output=True, check=True).stdout
    with open(f"{OUT}/theirs.csv", "rb") as f:
        theirs = f.read()
    a = _records(ours)
    b = _records(theirs)
    return f"same rows: {a == b} ({len(a):,} vs {len(b):,} distinct rows)"


def _records(data: bytes) -> set[bytes]:
    import csv
    import io
    rows = csv.reader(io.StringIO(data.decode("latin-1"), newline=""))
    return {"\x1f".join(r).encode("latin-1") for r in rows}


def same_walk(tree: str) -> str:
    code = (f"import os, json\nfrom pyfs_jvm import pwalk\nt = {tree!r}\n"
            "a = list(os.walk(t))\nb = list(pwalk.walk(t, ignore_snapshots=False))\n"
            "print(json.dumps([a == b, len(a)]))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return f"pwalk.walk == os.walk: {p.stdout.strip()}"


def rates(tools: list[Tool], rows: int) -> None:
    print(f"\n{'tool':<34} {'rows/s (median)':>16}")
    for t in tools:
        if t.times:
            print(f"{t.name:<34} {rows / statistics.median(t.times):>16,.0f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--tree", default=None)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--reps", type=int, default=2)
    a = ap.parse_args()
    tree = a.tree or f"/tmp/pyfs-bench/walk/tree-{a.entries}"
    info = ensure(tree, a.entries)
    os.makedirs(OUT, exist_ok=True)
    print(f"tree {tree}: {info['entries']:,} entries ({info['files']:,} files, {info['dirs']:,} dirs)")
    subprocess.run(["find", tree], stdout=subprocess.DEVNULL)  # warm the caches, settle directory atimes
    import pyfs_jvm

    rt = pyfs_jvm.runtime_info()
    print(f"pyfs-jvm on JDK {rt['jdk_version']}, platform layer {rt['platform_layer']}; {os.cpu_count()} CPUs; "
          f"report threads: SLURM_CPUS_ON_NODE or the CPU count; python-pwalk: up to 32 threads\n")
    rt_tools = report_tools(tree)
    measure(rt_tools, a.rounds, a.reps)
    report(rt_tools, "python-pwalk report none")
    rates(rt_tools, info["entries"] + 1)
    print(same_rows())
    print()
    w_tools = walk_tools(tree)
    measure(w_tools, a.rounds, a.reps)
    report(w_tools, "os.walk")
    print(same_walk(tree))


if __name__ == "__main__":
    main()
