"""Duplicates, snapshots and disk usage: pyfs-jvm against pyfs-watcher, jdupes, fdupes and du.

    python bench/analysis.py [--files 100000] [--tree DIR] [--rounds 3] [--reps 2]

One run, one generated tree (page cache warm), tools interleaved round by round:

* find_duplicates: pyfs-jvm, pyfs-watcher, ``jdupes -r``, ``fdupes -r`` (counts: lines of output
  = paths in groups + one blank line per group, the same measure for all);
* snapshot: pyfs-jvm (warm, and in a fresh process: its "first" is a one-off run), pyfs-watcher
  (count: files);
* disk_usage: pyfs-jvm, pyfs-watcher, ``du -s``, ``du --apparent-size -s`` (the totals are
  compared after the timings).

The tree (made once, reused): ``--files`` files of mixed sizes (log-normal around a few KiB, and
a few dozen of 4-12 MiB) in about 2,000 directories, with about 10% exact duplicates, and traps for
partial hashes: large files of equal size and head that differ only at the end, or only in the
middle. No hidden names, so every tool sees the same files.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import Tool, external, measure, report  # noqa: E402


def generate(dest: str, files: int, seed: int = 5) -> dict[str, int]:
    info_path = os.path.join(dest, "..", os.path.basename(dest) + ".info.json")
    want = {"files": files, "seed": seed, "version": 1}
    if os.path.exists(info_path):
        with open(info_path) as f:
            info = json.load(f)
        if info.get("params") == want:
            return dict(info["counts"])
    rng = random.Random(seed)
    os.makedirs(dest, exist_ok=True)
    dirs = [dest]
    for k in range(2000):
        parent = rng.choice(dirs[-200:]) if k > 20 else dest
        d = os.path.join(parent, f"d{k:04d}")
        os.makedirs(d, exist_ok=True)
        dirs.append(d)
    contents: list[bytes] = []
    counts = {"files": 0, "duplicates": 0, "large": 0, "traps": 0, "bytes": 0}

    def write(data: bytes) -> None:
        path = os.path.join(rng.choice(dirs), f"f{counts['files']:06d}.dat")
        with open(path, "wb") as f:
            f.write(data)
        counts["files"] += 1
        counts["bytes"] += len(data)

    n_large = max(4, files // 2000)
    for k in range(n_large):  # large files: unique, exact copies, and same-size-and-head traps
        data = rng.randbytes(rng.randint(4 << 20, 12 << 20))
        write(data)
        counts["large"] += 1
        if k % 3 == 0:
            write(data)
            counts["duplicates"] += 1
        elif k % 3 == 1:
            tail = bytearray(data)
            tail[-1] ^= 0xFF
            write(bytes(tail))
            mid = bytearray(data)
            mid[len(mid) // 2] ^= 0xFF
            write(bytes(mid))
            counts["traps"] += 2
    while counts["files"] < files:
        if contents and rng.random() < 0.10:
            write(rng.choice(contents))
            counts["duplicates"] += 1
            continue
        size = min(1 << 20, int(rng.lognormvariate(7.5, 1.6)))
        data = rng.randbytes(size)
        contents.append(data)
        if len(contents) > 20000:
            contents.pop(rng.randrange(len(contents)))
        write(data)
    with open(info_path, "w") as f:
        json.dump({"params": want, "counts": counts}, f)
    return counts


def tools(tree: str) -> tuple[list[Tool], list[Tool], list[Tool]]:
    t = repr(tree)
    # JVM start and JIT warm-up on parts of the tree (the large files' hashing, the top level)
    warm = (f"import pyfs_jvm\npyfs_jvm.find_duplicates([{t}], min_size=1 << 20)\n"
            f"pyfs_jvm.snapshot({t}, max_depth=1)\npyfs_jvm.disk_usage({t}, max_depth=2)\n")
    dedup = [
        Tool("pyfs-jvm find_duplicates", setup=warm,
             code=f"def run():\n    g = pyfs_jvm.find_duplicates([{t}])\n    return sum(len(x) for x in g) + len(g)"),
        Tool("pyfs-watcher find_duplicates", setup="import pyfs_watcher",
             code=f"def run():\n    g = pyfs_watcher.find_duplicates([{t}])\n    return sum(len(x) for x in g) + len(g)"),
        external("jdupes -r", ["jdupes", "-r", "-q", tree], "apt-get install jdupes"),
        external("fdupes -r", ["fdupes", "-r", "-q", tree], "apt-get install fdupes"),
    ]
    # snapshot's own paths (the small-file reads and batches) need more than the top level: three
    # passes over 8 of the ~80 top directories get the first timed call to the steady state
    warm_snap = (f"import os\n{warm}subs = sorted(os.path.join({t}, d) for d in os.listdir({t}) if d.startswith('d'))\n"
                 f"for _ in range(3):\n    for d in subs[:8]:\n        pyfs_jvm.snapshot(d)\n")
    snap = [
        Tool("pyfs-jvm snapshot", setup=warm_snap, code=f"def run():\n    return pyfs_jvm.snapshot({t}).total_files"),
        # the same calls in a fresh process: "first" is what a one-off run (JVM start, cold JIT) costs
        Tool("pyfs-jvm snapshot, fresh process", setup="import pyfs_jvm",
             code=f"def run():\n    return pyfs_jvm.snapshot({t}).total_files"),
        Tool("pyfs-watcher snapshot", setup="import pyfs_watcher",
             code=f"def run():\n    return pyfs_watcher.snapshot({t}).total_files"),
    ]
    du = [
        Tool("pyfs-jvm disk_usage", setup=warm, code=f"def run():\n    return pyfs_jvm.disk_usage({t}).total_files"),
        Tool("pyfs-watcher disk_usage", setup="import pyfs_watcher",
             code=f"def run():\n    return pyfs_watcher.disk_usage({t}).total_files"),
        external("du -s", ["du", "-s", tree], "coreutils"),
        external("du --apparent-size -s", ["du", "--apparent-size", "-s", tree], "coreutils"),
    ]
    return dedup, snap, du


def cpu_seconds(tree: str, reps: int) -> list[str]:
    """CPU time (user + system, all threads) per call, median of ``reps`` warm calls: on a
    shared machine whose load swings, this is steadier than wall time."""
    code = f"""
import json, resource, statistics, pyfs_jvm, pyfs_watcher
t = {tree!r}
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
calls = {{
    "pyfs-jvm find_duplicates": lambda: pyfs_jvm.find_duplicates([t]),
    "pyfs-watcher find_duplicates": lambda: pyfs_watcher.find_duplicates([t]),
    "pyfs-jvm snapshot": lambda: pyfs_jvm.snapshot(t),
    "pyfs-watcher snapshot": lambda: pyfs_watcher.snapshot(t),
    "pyfs-jvm disk_usage": lambda: pyfs_jvm.disk_usage(t),
    "pyfs-watcher disk_usage": lambda: pyfs_watcher.disk_usage(t),
}}
out = {{}}
for name, f in calls.items():
    f()  # warm-up (JIT)
    xs = []
    for _ in range({reps}):
        c = cpu()
        f()
        xs.append(cpu() - c)
    out[name] = statistics.median(xs)
print(json.dumps(out))
"""
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    res: dict[str, float] = json.loads(p.stdout.strip().splitlines()[-1])
    for name, argv in [("jdupes -r", ["jdupes", "-r", "-q", tree]), ("fdupes -r", ["fdupes", "-r", "-q", tree]),
                       ("du -s", ["du", "-s", tree]), ("du --apparent-size -s", ["du", "--apparent-size", "-s", tree])]:
        xs = []
        for _ in range(reps):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            xs.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        res[name] = statistics.median(xs)
    return [f"  {name:<32} {secs:8.3f} s CPU" for name, secs in res.items()]


def same_groups(tree: str) -> str:
    """Whether pyfs-jvm, pyfs-watcher and jdupes found the same groups (as sets of paths)."""
    code = f"""
import json, pyfs_jvm, pyfs_watcher
a = sorted(sorted(g.paths) for g in pyfs_jvm.find_duplicates([{tree!r}]))
b = sorted(sorted(g.paths) for g in pyfs_watcher.find_duplicates([{tree!r}]))
print(json.dumps([a, b]))
"""
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    ours, theirs = json.loads(p.stdout.strip().splitlines()[-1])
    out = subprocess.run(["jdupes", "-r", "-q", tree], capture_output=True, text=True).stdout
    jd = sorted(sorted(block.splitlines()) for block in out.strip().split("\n\n") if block.strip())
    return (f"groups: pyfs-jvm {len(ours)}, pyfs-watcher {len(theirs)}, jdupes {len(jd)}; "
            f"pyfs-jvm == pyfs-watcher: {ours == theirs}; pyfs-jvm == jdupes: {ours == jd}")


def du_totals(tree: str) -> str:
    code = f"""
import json, pyfs_jvm
u = pyfs_jvm.disk_usage({tree!r})
print(json.dumps([u.apparent_size, u.allocated_size]))
"""
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    app, alloc = json.loads(p.stdout.strip().splitlines()[-1])
    du_app = int(subprocess.run(["du", "-s", "-B1", "--apparent-size", tree], capture_output=True, text=True)
                 .stdout.split()[0])
    du_alloc = int(subprocess.run(["du", "-s", "-B1", tree], capture_output=True, text=True).stdout.split()[0])
    return (f"apparent: pyfs-jvm {app:,} vs du {du_app:,} ({'equal' if app == du_app else 'DIFFERENT'}); "
            f"allocated: pyfs-jvm {alloc if alloc is None else format(alloc, ',')} vs du {du_alloc:,} "
            f"({'equal' if alloc == du_alloc else 'DIFFERENT'})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=100_000)
    ap.add_argument("--tree", default=None)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--only", choices=["dedup", "snapshot", "du"], action="append", default=None)
    a = ap.parse_args()
    tree = a.tree or f"/tmp/pyfs-bench/analysis/tree-{a.files}"
    info = generate(tree, a.files)
    print(f"tree {tree}: {info['files']:,} files, {info['bytes'] / 2**30:.2f} GiB, {info['duplicates']:,} exact "
          f"duplicates, {info['large']} large files, {info['traps']} same-size-and-head traps")
    subprocess.run(f"find {tree} -type f -print0 | xargs -0 cat > /dev/null", shell=True)  # warm the page cache
    import pyfs_jvm

    rt = pyfs_jvm.runtime_info()
    print(f"pyfs-jvm on JDK {rt['jdk_version']}, platform layer {rt['platform_layer']}, {rt['workers']} workers, "
          f"SIMD {rt.get('simd')}; {os.cpu_count()} CPUs")
    dedup, snap, du = tools(tree)
    only = set(a.only or ["dedup", "snapshot", "du"])
    if "dedup" in only:
        print("\n== find_duplicates")
        measure(dedup, a.rounds, a.reps)
        report(dedup, "pyfs-jvm find_duplicates")
        print(same_groups(tree))
    if "snapshot" in only:
        print("\n== snapshot")
        measure(snap, a.rounds, a.reps)
        report(snap, "pyfs-jvm snapshot")
    if "du" in only:
        print("\n== disk_usage")
        measure(du, a.rounds, max(a.reps, 3))
        report(du, "pyfs-jvm disk_usage")
        print(du_totals(tree))
    print("\n== CPU time per call (user + system, all threads; median of warm calls)")
    print("\n".join(cpu_seconds(tree, a.reps)))


if __name__ == "__main__":
    main()
