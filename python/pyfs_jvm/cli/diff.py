"""``pyfs-jvm diff SOURCE TARGET``: what changed between two trees (exit status 1 if anything did)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ._output import write_path
from ._transfer import table


def register(sub: Any) -> None:
    p = sub.add_parser("diff", help="compare two directory trees",
                       description="List files added (+), removed (-), modified (M) and moved (R) going from "
                                   "SOURCE (old) to TARGET (new). Exit status 0 if the trees match, 1 if not.")
    p.add_argument("source")
    p.add_argument("target")
    p.add_argument("-a", "--algorithm", default="blake3")
    p.add_argument("--size-only", action="store_true", help="equal sizes mean unchanged (no hashing)")
    p.add_argument("-m", "--moves", action="store_true", help="pair removed and added files by content")
    p.add_argument("-H", "--skip-hidden", action="store_true")
    p.add_argument("-g", "--glob", default=None, help="only files whose name matches")
    p.add_argument("-d", "--max-depth", type=int, default=None)
    p.add_argument("-j", "--workers", type=int, default=None)
    p.add_argument("--json", action="store_true", help="one JSON object per changed file")
    p.add_argument("-s", "--summary", action="store_true", help="only the summary table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import diff_dirs

    stages: list[str] = []

    def cb(stage: str) -> None:
        stages.append(stage)
        if sys.stderr.isatty():
            print(f"\r{stage.replace('_', ' ')}...   ", end="", file=sys.stderr, flush=True)

    d = diff_dirs(args.source, args.target, algorithm=args.algorithm, compare_content=not args.size_only,
                  skip_hidden=args.skip_hidden, glob_pattern=args.glob, max_depth=args.max_depth,
                  detect_moves=args.moves, max_workers=args.workers, progress_callback=cb)
    if sys.stderr.isatty():
        print("\r" + " " * 30 + "\r", end="", file=sys.stderr)
    out = sys.stdout.buffer
    if not args.summary:
        rows: list[tuple[str, str, Any]] = [("+", e.path, e) for e in d.added] + [("-", e.path, e) for e in d.removed] \
            + [("M", e.path, e) for e in d.modified]
        rows.sort(key=lambda r: r[1])
        for tag, path, e in rows:
            if args.json:
                out.write(json.dumps({"change": {"+": "added", "-": "removed", "M": "modified"}[tag], "path": path,
                                      "source_size": e.source_size, "target_size": e.target_size,
                                      "source_hash": e.source_hash, "target_hash": e.target_hash}).encode() + b"\n")
            else:
                out.write(tag.encode() + b" ")
                write_path(path, out)
        for m in d.moved:
            if args.json:
                out.write(json.dumps({"change": "moved", "path": m.source_path, "target_path": m.target_path,
                                      "hash": m.hash_hex, "size": m.file_size}).encode() + b"\n")
            else:
                out.write(b"R ")
                write_path(m.source_path, out, b" -> ")
                write_path(m.target_path, out)
        out.flush()
    if not args.json:
        table([("added", f"{len(d.added):,}"), ("removed", f"{len(d.removed):,}"),
               ("modified", f"{len(d.modified):,}"), ("moved", f"{len(d.moved):,}"),
               ("unchanged", f"{len(d.unchanged):,}")], out=sys.stderr if not args.summary else sys.stdout)
    return 1 if d.total_changes else 0
