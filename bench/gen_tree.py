"""Deterministic test trees for the walk/report benchmarks.

    python bench/gen_tree.py DEST --entries 1000000 [--seed 1]

The same seed and size give the same tree, byte for byte in names and sizes: directories of
mixed fan-out and depth (most small, a few with thousands of files), files of mixed sizes (made
with truncate, so they are sparse and cost no disk), a sprinkling of symlinks, hidden names and
names with non-ASCII letters. File *contents* do not matter for walking; benchmarks that read
data (hash, dedup) build their own files.

Writes DEST/.tree-info.json (entry counts) and skips the work if it already exists for the
same parameters.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time


def generate(dest: str, entries: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    counts = {"dirs": 0, "files": 0, "symlinks": 0}
    made = 0
    os.makedirs(dest, exist_ok=True)
    # Breadth-first over a work list keeps depth mixed: each directory gets files and subdirs.
    work: list[tuple[str, int]] = [(dest, 0)]
    i = 0
    while made < entries and i < len(work):
        d, depth = work[i]
        i += 1
        big = rng.random() < 0.002
        nfiles = rng.randint(2000, 6000) if big else int(rng.expovariate(1 / 12))
        nsub = 0 if depth >= 10 else rng.randint(0, 6)
        for k in range(nfiles):
            if made >= entries:
                break
            name = _name(rng, k, "f")
            path = os.path.join(d, name)
            r = rng.random()
            if r < 0.01 and k > 0:
                os.symlink(_name(rng, k - 1, "f"), path)
                counts["symlinks"] += 1
            else:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                size = int(rng.lognormvariate(8, 2.5)) if r < 0.97 else rng.randint(1 << 20, 1 << 30)
                os.ftruncate(fd, size)
                os.close(fd)
                counts["files"] += 1
            made += 1
        for k in range(nsub):
            if made >= entries:
                break
            sub = os.path.join(d, _name(rng, k, "d"))
            os.mkdir(sub)
            counts["dirs"] += 1
            made += 1
            work.append((sub, depth + 1))
    counts["entries"] = made
    return counts


def _name(rng: random.Random, k: int, kind: str) -> str:
    r = rng.random()
    if r < 0.02:
        return f".hidden_{kind}{k}"
    if r < 0.03:
        return f"café_{kind}{k}"
    if r < 0.5:
        return f"{kind}{k}_{rng.randrange(1 << 20):05x}.dat"
    return f"{kind}{k}.txt" if kind == "f" else f"{kind}{k}"


def ensure(dest: str, entries: int, seed: int = 1) -> dict[str, int]:
    """Build the tree unless DEST already holds the one for these parameters."""
    info_path = os.path.join(dest, ".tree-info.json")
    want = {"entries_requested": entries, "seed": seed}
    try:
        with open(info_path, encoding="utf-8") as f:
            info = json.load(f)
        if all(info.get(k) == v for k, v in want.items()):
            return dict(info)
    except (OSError, ValueError):
        pass
    if os.path.exists(dest) and os.listdir(dest):
        sys.exit(f"{dest} exists and is not the tree for these parameters; remove it first")
    t = time.time()
    counts = generate(dest, entries, seed)
    info = {**want, **counts, "seconds_to_build": round(time.time() - t, 1)}
    with open(info_path, "w", encoding="utf-8") as f:
        json.dump(info, f)
    return info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dest")
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    print(json.dumps(ensure(a.dest, a.entries, a.seed)))


if __name__ == "__main__":
    main()
