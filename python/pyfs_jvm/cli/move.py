"""``pyfs-jvm move SRC... DEST``: rename, or copy + verify + delete across file systems."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ._output import human_size, write_path
from ._transfer import sources_and_dest, table, with_copy_bar


def register(sub: Any) -> None:
    p = sub.add_parser("move", help="move files and directories (safely across file systems)",
                       description="Move SRC... to DEST (DEST/<name> if DEST is a directory or several sources "
                                   "are given). Across file systems the data is copied, checked, and only then "
                                   "deleted from the source.")
    p.add_argument("paths", nargs="+", metavar="SRC... DEST")
    p.add_argument("-f", "--overwrite", action="store_true", help="replace existing destinations")
    p.add_argument("--verify", action="store_true", help="compare BLAKE3 digests before deleting a source")
    p.add_argument("--fsync", action="store_true", help="flush copies to disk before deleting a source")
    p.add_argument("-n", "--dry-run", action="store_true", help="check and print SRC -> DEST; move nothing")
    p.add_argument("--progress", action="store_true", help="show the progress bar even when stderr is not a terminal")
    p.add_argument("-q", "--quiet", action="store_true", help="no summary")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import move_files

    split = sources_and_dest(args.paths, "move")
    if split is None:
        return 2
    sources, dest = split
    out, last, bar = with_copy_bar(args.progress, lambda cb: move_files(
        sources, dest, overwrite=args.overwrite, verify=args.verify, fsync=args.fsync, dry_run=args.dry_run,
        progress_callback=None if args.dry_run else cb, callback_interval_ms=200))
    if args.dry_run:
        for s, d in zip(sources, out):
            sys.stdout.buffer.write(os.fsencode(s) + b" -> ")
            write_path(d, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return 0
    if not args.quiet:
        nbytes = last.bytes_copied if last else 0
        table([("moved", f"{len(out):,}"), ("bytes copied across devices", human_size(nbytes)),
               ("time", f"{bar.elapsed:.2f} s")])
    return 0
