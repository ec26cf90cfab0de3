"""Watching benchmark: pyfs-jvm against watchfiles, watchdog and pyfs-watcher, in one run.

    python bench/watch.py [--writes 1000] [--debounce 50] [--dirs 100] [--files 500] [--idle 30]
                          [--only NAME ...]

Each tool runs in a fresh child process, one after the other, on a fresh directory under one
scratch root (same filesystem for all):

1. latency: create ``--writes`` files one at a time; for each, the time from the write to the
   change being delivered to Python. p50/p99/max per tool. Debounced tools get ``--debounce`` ms
   (pyfs-jvm and pyfs-watcher ``debounce_ms``; watchfiles ``debounce``, ``step`` = 10 ms);
   watchdog does not debounce. Target for pyfs-jvm: p99 <= debounce + 50 ms.
2. burst: ``--dirs`` new directories with ``--files`` files each, created as fast as Python can;
   then the changes are drained until 3 s pass without news. Counts: files and directories
   reported as created vs. made, and (pyfs-jvm) overflow signals. Never a silent shortfall.
3. idle: a watcher on a tree of 1000 directories with a consumer blocked waiting, for ``--idle``
   seconds of no changes: the process's CPU time (all threads) as a share of one core. The row
   "(JVM alone)" is a process with the JVM started and no watcher: the floor under pyfs-jvm.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

PRELUDE = r"""
import json, os, resource, sys, threading, time
ROOT = sys.argv[1]; WRITES = int(sys.argv[2]); DEB = int(sys.argv[3]); DIRS = int(sys.argv[4])
FILES = int(sys.argv[5]); IDLE = float(sys.argv[6]); MODE = sys.argv[7]
SETTLE = 3  # let start-up work (JIT compiles, the initial scan's garbage) finish first: same for all
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
def burst_make(root):
    for d in range(DIRS):
        dp = os.path.join(root, f"d{d}")
        os.mkdir(dp)
        for f in range(FILES):
            open(os.path.join(dp, f"f{f}"), "wb").close()
def idle_tree(root):
    for d in range(1000):
        os.makedirs(os.path.join(root, f"t{d // 100}", f"u{d}"))
def result(**kw):
    print(json.dumps(kw))
"""

TOOLS = {
    "pyfs-jvm": r"""
import pyfs_jvm
from pyfs_jvm.watch import FileWatcher
if MODE == "latency":
    with FileWatcher(ROOT, debounce_ms=DEB) as w:
        lat = []
        for i in range(WRITES):
            p = os.path.join(ROOT, f"l{i}")
            t = time.perf_counter(); open(p, "wb").close()
            while not any(c.path == p for c in w.poll_events(1000)):
                pass
            lat.append(time.perf_counter() - t)
    result(lat=lat, backend=pyfs_jvm.runtime_info().get("platform_layer"))
elif MODE == "burst":
    with FileWatcher(ROOT, debounce_ms=DEB) as w:
        t = time.perf_counter(); burst_make(ROOT); made = time.perf_counter() - t
        files, dirs, overflow, last = set(), set(), 0, time.monotonic()
        while time.monotonic() - last < 3:
            b = w.poll_events(500)
            if b: last = time.monotonic()
            for c in b:
                if c.change_type == "overflow": overflow += 1
                elif c.change_type == "created": (dirs if c.is_dir else files).add(c.path)
    result(files=len(files), dirs=len(dirs), overflow=overflow, make_s=made)
else:
    idle_tree(ROOT)
    w = FileWatcher(ROOT, debounce_ms=DEB); w.start()
    threading.Timer(IDLE + SETTLE, w.stop).start()
    time.sleep(SETTLE); c0 = cpu(); t0 = time.monotonic()
    for _ in w: pass
    result(cpu=cpu() - c0, wall=time.monotonic() - t0)
""",
    "(JVM alone)": r"""
import pyfs_jvm
pyfs_jvm.walk_collect(ROOT)  # the JVM up, no watcher: the floor for pyfs-jvm's idle figure
time.sleep(SETTLE); c0 = cpu(); t0 = time.monotonic()
time.sleep(IDLE)
result(cpu=cpu() - c0, wall=time.monotonic() - t0)
""",
    "watchfiles": r"""
import watchfiles
if MODE == "latency":
    gen = watchfiles.watch(ROOT, debounce=DEB, step=10, rust_timeout=1000, yield_on_timeout=True)
    next(gen)  # starts the watcher (first yield on timeout)
    lat = []
    for i in range(WRITES):
        p = os.path.join(ROOT, f"l{i}")
        t = time.perf_counter(); open(p, "wb").close()
        while not any(path == p for _, path in next(gen)):
            pass
        lat.append(time.perf_counter() - t)
    result(lat=lat)
elif MODE == "burst":
    stop = threading.Event()
    gen = watchfiles.watch(ROOT, debounce=DEB, step=10, rust_timeout=500, yield_on_timeout=True, stop_event=stop)
    next(gen)
    t = time.perf_counter(); burst_make(ROOT); made = time.perf_counter() - t
    files, dirs, last = set(), set(), time.monotonic()
    while time.monotonic() - last < 3:
        b = next(gen)
        if b: last = time.monotonic()
        for ch, path in b:
            if ch == watchfiles.Change.added:
                (dirs if os.path.basename(path).startswith("d") else files).add(path)
    stop.set()
    result(files=len(files), dirs=len(dirs), overflow=0, make_s=made)
else:
    idle_tree(ROOT)
    stop = threading.Event()
    threading.Timer(IDLE + SETTLE, stop.set).start()
    time.sleep(SETTLE); c0 = cpu(); t0 = time.monotonic()
    for _ in watchfiles.watch(ROOT, debounce=DEB, stop_event=stop): pass
    result(cpu=cpu() - c0, wall=time.monotonic() - t0)
""",
    "watchdog": r"""
from watchdog.observers import Observer
from watchdog.events import FileSystemEventHandler
class H(FileSystemEventHandler):
    def __init__(self):
        self.cond = threading.Condition(); self.created = []; self.dirs = []
    def on_created(self, e):
        with self.cond:
            (self.dirs if e.is_directory else self.created).append(e.src_path); self.cond.notify_all()
h = H(); obs = Observer()
if MODE == "idle":
    idle_tree(ROOT)
obs.schedule(h, ROOT, recursive=True); obs.start()
if MODE == "latency":
    lat = []
    for i in range(WRITES):
        p = os.path.join(ROOT, f"l{i}")
        with h.cond:
            t = time.perf_counter(); open(p, "wb").close()
            while p not in h.created[-5:]:
                h.cond.wait(1)
            lat.append(time.perf_counter() - t)
    result(lat=lat)
elif MODE == "burst":
    t = time.perf_counter(); burst_make(ROOT); made = time.perf_counter() - t
    n, last = -1, time.monotonic()
    while time.monotonic() - last < 3:
        time.sleep(0.2)
        with h.cond:
            m = len(h.created) + len(h.dirs)
        if m != n: n, last = m, time.monotonic()
    result(files=len(set(h.created)), dirs=len(set(h.dirs)), overflow=0, make_s=made)
else:
    time.sleep(SETTLE); c0 = cpu(); t0 = time.monotonic()
    time.sleep(IDLE)
    result(cpu=cpu() - c0, wall=time.monotonic() - t0)
obs.stop(); obs.join()
""",
    "pyfs-watcher": r"""
import pyfs_watcher
w = pyfs_watcher.FileWatcher(ROOT, debounce_ms=DEB)
if MODE == "idle":
    idle_tree(ROOT)
w.start()
if MODE == "latency":
    lat = []
    for i in range(WRITES):
        p = os.path.join(ROOT, f"l{i}")
        t = time.perf_counter(); open(p, "wb").close()
        while not any(c.path == p for c in w.poll_events(1000)):
            pass
        lat.append(time.perf_counter() - t)
    result(lat=lat)
elif MODE == "burst":
    t = time.perf_counter(); burst_make(ROOT); made = time.perf_counter() - t
    files, dirs, last = set(), set(), time.monotonic()
    while time.monotonic() - last < 3:
        b = w.poll_events(500)
        if b: last = time.monotonic()
        for c in b:
            if c.change_type == "created": (dirs if os.path.basename(c.path).startswith("d") else files).add(c.path)
    result(files=len(files), dirs=len(dirs), overflow=0, make_s=made)
else:
    time.sleep(SETTLE); c0 = cpu(); t0 = time.monotonic()
    end = time.monotonic() + IDLE
    while time.monotonic() < end:
        w.poll_events(1000)
    result(cpu=cpu() - c0, wall=time.monotonic() - t0)
w.stop()
""",
}


def run(tool: str, mode: str, args: argparse.Namespace, scratch: str) -> dict[str, object]:
    root = tempfile.mkdtemp(prefix=f"{tool}-{mode}-", dir=scratch)
    try:
        p = subprocess.run([sys.executable, "-c", PRELUDE + TOOLS[tool], root, str(args.writes), str(args.debounce),
                            str(args.dirs), str(args.files), str(args.idle), mode],
                           capture_output=True, text=True, timeout=1800)
        if p.returncode != 0:
            return {"error": (p.stderr.strip().splitlines() or ["?"])[-1]}
        out: dict[str, object] = json.loads(p.stdout.strip().splitlines()[-1])
        return out
    finally:
        shutil.rmtree(root, ignore_errors=True)


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--writes", type=int, default=1000)
    ap.add_argument("--debounce", type=int, default=50)
    ap.add_argument("--dirs", type=int, default=100)
    ap.add_argument("--files", type=int, default=500)
    ap.add_argument("--idle", type=float, default=30)
    ap.add_argument("--scratch", default=None, help="directory for the trees (default: a temp dir)")
    ap.add_argument("--only", nargs="*", default=list(TOOLS))
    ap.add_argument("--modes", nargs="*", default=["latency", "burst", "idle"])
    args = ap.parse_args()
    scratch = tempfile.mkdtemp(prefix="bench-watch-", dir=args.scratch)
    tools = [t for t in TOOLS if t in args.only and not t.startswith("(")]
    try:
        if "latency" in args.modes:
            print(f"\nlatency: write -> event, {args.writes} creations, debounce {args.debounce} ms "
                  f"(target for pyfs-jvm p99 <= {args.debounce + 50} ms)")
            print(f"{'tool':<14} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'p99 vs pyfs-jvm':>16}")
            res = {t: run(t, "latency", args, scratch) for t in tools}
            ref = res.get("pyfs-jvm", {})
            ref_p99 = pct(ref["lat"], 0.99) if "lat" in ref else None  # type: ignore[arg-type]
            for t, r in res.items():
                if "lat" not in r:
                    print(f"{t:<14} {r.get('error')}")
                    continue
                lat: list[float] = r["lat"]  # type: ignore[assignment]
                p99 = pct(lat, 0.99)
                ratio = f"{p99 / ref_p99:.2f}x" if ref_p99 else "-"
                print(f"{t:<14} {pct(lat, 0.5) * 1e3:>8.1f} {p99 * 1e3:>8.1f} {max(lat) * 1e3:>8.1f} {ratio:>16}")
        if "burst" in args.modes:
            n = args.dirs * args.files
            print(f"\nburst: {n:,} files in {args.dirs} new directories")
            print(f"{'tool':<14} {'files':>9} {'dirs':>6} {'overflow':>9} {'make s':>7}  verdict")
            for t in tools:
                r = run(t, "burst", args, scratch)
                if "files" not in r:
                    print(f"{t:<14} {r.get('error')}")
                    continue
                files, dirs, ov = int(r["files"]), int(r["dirs"]), int(r["overflow"])  # type: ignore[call-overload]
                ok = files == n and dirs == args.dirs
                verdict = "all reported" if ok else ("shortfall, signalled" if ov else "SILENT SHORTFALL")
                print(f"{t:<14} {files:>9,} {dirs:>6} {ov:>9} {float(r['make_s']):>7.2f}  {verdict}")  # type: ignore[arg-type]
        if "idle" in args.modes:
            print(f"\nidle: {args.idle:.0f} s, 1000 watched directories, consumer blocked (target < 0.1% of a core)")
            print(f"{'tool':<14} {'cpu ms':>8} {'% core':>8}")
            for t in [*tools, "(JVM alone)"] if "pyfs-jvm" in tools else tools:
                r = run(t, "idle", args, scratch)
                if "cpu" not in r:
                    print(f"{t:<14} {r.get('error')}")
                    continue
                c, w = float(r["cpu"]), float(r["wall"])  # type: ignore[arg-type]
                print(f"{t:<14} {c * 1e3:>8.1f} {100 * c / w:>7.3f}%")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
