"""``pyfs-jvm copy SRC... DEST``: copy files and trees (checked up front, atomic per file, parallel)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ._output import human_size, write_path
from ._transfer import rate, sources_and_dest, table, with_copy_bar


def register(sub: Any) -> None:
    p = sub.add_parser("copy", help="copy files and directory trees",
                       description="Copy SRC... to DEST as copy_files does: a directory goes to DEST/<name>/..., "
                                   "a file to DEST/<name> if DEST is a directory (or several sources are given), "
                                   "else to DEST. Every conflict is found before anything is written; each file "
                                   "appears under its final name only when complete.")
    p.add_argument("paths", nargs="+", metavar="SRC... DEST")
    p.add_argument("-f", "--overwrite", action="store_true", help="replace existing files (atomically)")
    p.add_argument("--no-preserve", action="store_true", help="do not keep mode and times")
    p.add_argument("-L", "--follow", action="store_true", help="copy what symlinks point to")
    p.add_argument("--fsync", action="store_true", help="flush every file to disk before it is renamed into place")
    p.add_argument("-j", "--workers", type=int, default=None, help="files copied at once")
    p.add_argument("-n", "--dry-run", action="store_true", help="check and print the plan; write nothing")
    p.add_argument("--progress", action="store_true", help="show the progress bar even when stderr is not a terminal")
    p.add_argument("-q", "--quiet", action="store_true", help="no summary")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import copy_files

    split = sources_and_dest(args.paths, "copy")
    if split is None:
        return 2
    sources, dest = split
    out, last, bar = with_copy_bar(args.progress, lambda cb: copy_files(
        sources, dest, overwrite=args.overwrite, preserve_metadata=not args.no_preserve,
        follow_symlinks=args.follow, fsync=args.fsync, max_workers=args.workers, dry_run=args.dry_run,
        progress_callback=None if args.dry_run else cb, callback_interval_ms=200))
    if args.dry_run:
        for path in out:
            write_path(path, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        if not args.quiet:
            print(f"dry run: {len(out):,} files would be copied; nothing was written", file=sys.stderr)
        return 0
    if not args.quiet:
        nbytes = last.bytes_copied if last else 0
        table([("files copied", f"{len(out):,}"), ("bytes", human_size(nbytes)),
               ("time", f"{bar.elapsed:.2f} s"), ("rate", rate(nbytes, bar.elapsed))])
    return 0
