"""``pyfs-jvm sync SOURCE TARGET``: make TARGET hold what SOURCE holds."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ._output import human_size, write_path
from ._transfer import TransferBar, rate, table


def register(sub: Any) -> None:
    p = sub.add_parser("sync", help="one-way sync of a directory tree",
                       description="Copy new and changed files from SOURCE to TARGET (unchanged = same size and "
                                   "modification time, or same content with --checksum). Never touches anything "
                                   "outside TARGET; refuses nested SOURCE/TARGET.")
    p.add_argument("source")
    p.add_argument("target")
    p.add_argument("--delete", action="store_true", help="remove what only TARGET has")
    p.add_argument("-n", "--dry-run", action="store_true", help="print the plan; change nothing")
    p.add_argument("-c", "--checksum", action="store_true", help="compare same-size files by content")
    p.add_argument("-a", "--algorithm", default="blake3")
    p.add_argument("--no-preserve", action="store_true", help="do not copy mode and times")
    p.add_argument("-H", "--skip-hidden", action="store_true")
    p.add_argument("-g", "--glob", default=None, help="only files whose name matches")
    p.add_argument("-d", "--max-depth", type=int, default=None)
    p.add_argument("-j", "--workers", type=int, default=None)
    p.add_argument("--progress", action="store_true", help="show the progress bar even when stderr is not a terminal")
    p.add_argument("-q", "--quiet", action="store_true", help="no summary")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import sync

    bar = TransferBar(force=args.progress)

    def cb(p: Any) -> None:
        if p.stage == "syncing" and p.total_files:
            bar.update(p.bytes_transferred, 0, p.files_completed, p.total_files, p.current_file)
        else:
            bar.progress.update(f"{p.stage}...", now=True)

    try:
        r = sync(args.source, args.target, delete_extra=args.delete, dry_run=args.dry_run, checksum=args.checksum,
                 algorithm=args.algorithm, preserve_metadata=not args.no_preserve, skip_hidden=args.skip_hidden,
                 glob_pattern=args.glob, max_depth=args.max_depth, max_workers=args.workers,
                 progress_callback=cb)
    finally:
        bar.done()
    out = sys.stdout.buffer
    if args.dry_run:
        for path in r.copied:
            out.write(b"copy   ")
            write_path(path, out)
        for path in r.deleted:
            out.write(b"delete ")
            write_path(path, out)
        out.flush()
    for e in r.errors:
        sys.stderr.buffer.write(b"pyfs-jvm: sync: ")
        write_path(e.path, sys.stderr.buffer, b": ")
        sys.stderr.buffer.write(e.message.encode() + b"\n")
    sys.stderr.flush()
    if not args.quiet:
        verb = "would be " if args.dry_run else ""
        table([(f"{verb}copied", f"{len(r.copied):,}"), (f"{verb}deleted", f"{len(r.deleted):,}"),
               ("unchanged", f"{len(r.skipped):,}"), ("errors", f"{len(r.errors):,}"),
               ("bytes", human_size(r.total_bytes_transferred)), ("time", f"{bar.elapsed:.2f} s"),
               ("rate", rate(r.total_bytes_transferred, bar.elapsed))],
              out=sys.stderr if args.dry_run else sys.stdout)
    return 1 if r.errors else 0
