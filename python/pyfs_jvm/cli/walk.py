"""``pyfs-jvm walk PATH``: list a tree (paths, or JSON lines), or ``--summary`` it."""

from __future__ import annotations

import argparse
import heapq
import json
import os
import sys
from typing import Any

from ._output import Progress, human_size, write_path


def register(sub: Any) -> None:
    p = sub.add_parser("walk", help="walk a directory tree in parallel",
                       description="Walk PATH depth-first and print every entry (the root itself excluded).")
    p.add_argument("path")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("-0", "--null", action="store_true", help="end paths with NUL, not newline")
    p.add_argument("--summary", action="store_true",
                   help="print counts, sizes and the largest directories instead of paths")
    p.add_argument("--top", type=int, default=10, metavar="N", help="directories in the summary (10)")
    p.add_argument("-d", "--max-depth", type=int, default=None)
    p.add_argument("-L", "--follow", action="store_true", help="follow symlinks")
    p.add_argument("--sort", action="store_true", help="sort siblings by name")
    p.add_argument("-H", "--skip-hidden", action="store_true", help="leave out hidden entries")
    p.add_argument("-t", "--type", choices=["any", "file", "dir"], default="any")
    p.add_argument("-g", "--glob", default=None, help="keep names matching this glob")
    p.add_argument("--progress", action="store_true", help="show progress on stderr even when not a terminal")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import walk

    errors = 0

    def on_error(err: Exception) -> None:
        nonlocal errors
        errors += 1

    it = walk(args.path, max_depth=args.max_depth, follow_symlinks=args.follow, sort=args.sort,
              skip_hidden=args.skip_hidden, file_type=args.type, glob_pattern=args.glob, on_error=on_error)
    progress = Progress(force=args.progress)
    with it:
        if args.summary:
            _summary(args, it, progress)
        else:
            out = sys.stdout.buffer
            end = b"\0" if args.null else b"\n"
            n = 0
            for e in it:
                if args.json:
                    out.write(json.dumps({"path": e.path, "is_dir": e.is_dir, "is_file": e.is_file,
                                          "is_symlink": e.is_symlink, "depth": e.depth,
                                          "file_size": e.file_size}).encode() + b"\n")
                else:
                    write_path(e.path, out, end)
                n += 1
                if n % 4096 == 0:
                    progress.update(f"{n:,} entries, {n / max(progress.elapsed, 1e-9):,.0f}/s")
            progress.done()
            out.flush()
    if errors:
        print(f"pyfs-jvm: {errors} director{'y' if errors == 1 else 'ies'} could not be read "
              f"(run with -v to see which)", file=sys.stderr)
    return 1 if errors else 0


def _summary(args: argparse.Namespace, it: Any, progress: Progress) -> None:
    root = args.path
    files = dirs = links = other = 0
    total = 0
    per_top: dict[str, int] = {}
    sep = os.sep
    cut = len(root.rstrip(sep)) + 1 if root != sep else 1
    for e in it:
        if e.is_file:
            files += 1
            total += e.file_size
            top = e.path[cut:].split(sep, 1)[0]
            per_top[top] = per_top.get(top, 0) + e.file_size
        elif e.is_dir:
            dirs += 1
        elif e.is_symlink:
            links += 1
        else:
            other += 1
        n = files + dirs + links + other
        if n % 4096 == 0:
            progress.update(f"{n:,} entries, {human_size(total)}, {n / max(progress.elapsed, 1e-9):,.0f}/s")
    progress.done()
    n = files + dirs + links + other
    secs = progress.elapsed
    print(f"{root}: {n:,} entries in {secs:.2f} s ({n / max(secs, 1e-9):,.0f}/s)")
    print(f"  files     {files:>12,}   {human_size(total):>10}")
    print(f"  dirs      {dirs:>12,}")
    print(f"  symlinks  {links:>12,}")
    if other:
        print(f"  other     {other:>12,}")
    largest = heapq.nlargest(args.top, per_top.items(), key=lambda kv: kv[1])
    if largest:
        print("  largest top-level entries (file bytes below them):")
        width = max(len(k) for k, _ in largest)
        for name, size in largest:
            share = size / total if total else 0.0
            bar = "#" * round(share * 30)
            print(f"    {name:<{width}}  {human_size(size):>10}  {share:6.1%}  {bar}")
