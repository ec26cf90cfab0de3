"""Content search benchmark: pyfs-jvm against ripgrep, grep -r and pyfs-watcher, on one corpus.

    python bench/search.py [--size-mb 1024] [--corpus DIR] [--rounds 3] [--reps 3]

The corpus is about ``--size-mb`` of source text: copies of the JDK's ``src.zip`` (Java sources,
found beside any installed JDK), extracted once into ``--corpus`` and reused. Three patterns, as
the issue asks: a literal, a case-insensitive word and a regex with alternation. For each one, in
the same run, interleaved round by round, with a warm page cache:

* pyfs-jvm ``search()`` (all results as Python objects) and ``search_iter()`` consumed fully;
* pyfs-watcher 0.3.0 ``search()``;
* ``rg -n --no-heading -uu`` (ripgrep: every matching line printed, hidden and ignored files too,
  as pyfs-jvm's ``skip_hidden=False``) and ``grep -rn`` (``-E``/``-i -w`` as needed).

Counts are matching lines and must agree. Then ``search_iter``'s first-result latency (time from
the call to the first result, JVM warm). Times are seconds; ratios against pyfs-jvm ``search``.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import Tool, external, measure, report  # noqa: E402

# (label, pyfs-jvm / pyfs-watcher pattern and ignore_case, rg args, grep args)
PATTERNS = [
    ("literal", "ConcurrentHashMap", False, ["ConcurrentHashMap"], ["-F", "ConcurrentHashMap"]),
    ("case-insensitive word", r"\bvolatile\b", True, ["-i", "-w", "volatile"], ["-i", "-w", "volatile"]),
    ("alternation regex", r"Lock(Support|Free)|Semaphore|CountDownLatch", False,
     [r"Lock(Support|Free)|Semaphore|CountDownLatch"], ["-E", r"Lock(Support|Free)|Semaphore|CountDownLatch"]),
]


def find_src_zip() -> str | None:
    found = sorted((p for p in glob.glob("/usr/lib/jvm/*/lib/src.zip") if os.path.exists(p)),
                   key=lambda p: -os.path.getsize(p))  # some are dangling links (no -source package)
    return found[0] if found else None


def ensure_corpus(root: str, size_mb: int) -> tuple[int, int]:
    """Extract src.zip copies until the corpus holds about ``size_mb`` MiB. Returns (files, bytes)."""
    marker = os.path.join(root, ".complete.json")
    if os.path.exists(marker):
        with open(marker) as f:
            info = json.load(f)
        if info.get("size_mb") == size_mb:
            return info["files"], info["bytes"]
        shutil.rmtree(root)
    src = find_src_zip()
    if src is None:
        raise SystemExit("no JDK src.zip found under /usr/lib/jvm (install a JDK with sources)")
    os.makedirs(root, exist_ok=True)
    total = files = 0
    copy = 0
    with zipfile.ZipFile(src) as z:
        while total < size_mb << 20:
            dest = os.path.join(root, f"copy{copy:02d}")
            for info in z.infolist():
                if info.is_dir():
                    continue
                z.extract(info, dest)
                total += info.file_size
                files += 1
                if total >= size_mb << 20:
                    break
            copy += 1
            print(f"  corpus: {total >> 20} MiB, {files} files", file=sys.stderr)
    with open(marker, "w") as f:
        json.dump({"size_mb": size_mb, "files": files, "bytes": total}, f)
    return files, total


def tools(corpus: str, pattern: str, icase: bool, rg: list[str], grep: list[str]) -> list[Tool]:
    c, p = repr(corpus), repr(pattern)
    warm = f"import pyfs_jvm\npyfs_jvm.search({c}, 'zq_no_such_text_qz', skip_hidden=False)\n"
    kw = f"ignore_case={icase}, skip_hidden=False"
    return [
        Tool("pyfs-jvm search", setup=warm,
             code=f"def run():\n    return sum(len(r) for r in pyfs_jvm.search({c}, {p}, {kw}))"),
        Tool("pyfs-jvm search_iter", setup=warm,
             code=f"def run():\n    return sum(len(r) for r in pyfs_jvm.search_iter({c}, {p}, {kw}))"),
        Tool("pyfs-watcher search", setup="import pyfs_watcher",
             code=f"def run():\n    return sum(len(r) for r in pyfs_watcher.search({c}, {p}, ignore_case={icase}))"),
        external("rg -n -uu", ["rg", "-n", "--no-heading", "-uu", *rg, corpus], "apt-get install ripgrep"),
        external("grep -rn", ["grep", "-rn", *grep, corpus], "grep"),
    ]


def first_result_latency(corpus: str, pattern: str, reps: int = 10) -> list[float]:
    code = f"""
import json, time, pyfs_jvm
pyfs_jvm.search({corpus!r}, 'zq_no_such_text_qz')
out = []
for i in range({reps}):
    t = time.perf_counter()
    it = pyfs_jvm.search_iter({corpus!r}, {pattern!r})
    next(it)
    out.append(time.perf_counter() - t)
    it.close()
print(json.dumps(out))
"""
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    values: list[float] = json.loads(p.stdout.strip().splitlines()[-1])
    return values


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("--corpus", default="/tmp/pyfs-jvm-bench/search-corpus")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    files, total = ensure_corpus(args.corpus, args.size_mb)
    print(f"corpus: {args.corpus}: {files:,} files, {total / 2**20:,.0f} MiB (JDK sources); "
          f"{os.cpu_count()} CPUs")
    for label, pattern, icase, rg, grep in PATTERNS:
        print(f"\n== {label}: {pattern!r}{' (ignore_case)' if icase else ''}")
        ts = tools(args.corpus, pattern, icase, rg, grep)
        measure(ts, args.rounds, args.reps)
        report(ts, "pyfs-jvm search")
        counts = {t.name: t.counts[-1] for t in ts if t.available and t.counts}
        if len(set(counts.values())) > 1:
            print(f"  note: counts differ: {counts}")
    lat = first_result_latency(args.corpus, PATTERNS[0][1])
    print(f"\nsearch_iter first result ({PATTERNS[0][1]!r}): median {statistics.median(lat) * 1000:.1f} ms, "
          f"best {min(lat) * 1000:.1f} ms over {len(lat)} runs")


if __name__ == "__main__":
    main()
