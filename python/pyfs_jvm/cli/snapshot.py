"""``pyfs-jvm snapshot PATH -o FILE`` and ``pyfs-jvm verify FILE`` (exit status 1 on changes)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ._output import Progress, human_size, write_path


def register(sub: Any) -> None:
    p = sub.add_parser("snapshot", help="record hashes and metadata of a tree",
                       description="Hash every regular file under PATH and save the snapshot as JSON "
                                   "(pyfs-watcher's format).")
    p.add_argument("path")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="where to save the snapshot")
    p.add_argument("-a", "--algorithm", default="blake3")
    p.add_argument("-H", "--skip-hidden", action="store_true", help="leave out hidden files and directories")
    p.add_argument("-g", "--glob", default=None, help="only files whose name matches")
    p.add_argument("-d", "--max-depth", type=int, default=None)
    p.add_argument("-L", "--follow", action="store_true", help="follow symlinks")
    p.add_argument("-j", "--workers", type=int, default=None, help="hashing threads")
    p.add_argument("--progress", action="store_true", help="show progress on stderr even when not a terminal")
    p.set_defaults(func=run_snapshot)

    v = sub.add_parser("verify", help="check a tree against a snapshot (exit 1 on changes)",
                       description="Re-hash the files a snapshot recorded and report what was added, "
                                   "removed or modified. Exit status: 0 unchanged, 1 changed, 2 error.")
    v.add_argument("snapshot", metavar="FILE")
    v.add_argument("--root", default=None, help="check this directory instead of the snapshot's root")
    v.add_argument("--check-mtime", action="store_true", help="also report changed modification times")
    v.add_argument("--check-permissions", action="store_true", help="also report changed permissions")
    v.add_argument("--json", action="store_true", help="print the result as JSON")
    v.add_argument("-j", "--workers", type=int, default=None, help="hashing threads")
    v.add_argument("--progress", action="store_true", help="show progress on stderr even when not a terminal")
    v.set_defaults(func=run_verify)


def _progress_cb(progress: Progress) -> Any:
    def cb(stage: str, done: int, total: int) -> None:
        progress.update(f"{stage}: {done:,}/{total:,}" if total else f"{stage}...", now=True)
    return cb


def run_snapshot(args: argparse.Namespace) -> int:
    from .. import snapshot

    progress = Progress(force=args.progress)
    snap = snapshot(args.path, algorithm=args.algorithm, skip_hidden=args.skip_hidden, glob_pattern=args.glob,
                    max_depth=args.max_depth, follow_symlinks=args.follow, max_workers=args.workers,
                    progress_callback=_progress_cb(progress))
    progress.done()
    snap.save(args.output)
    print(f"{snap.total_files:,} files, {human_size(snap.total_size)} -> {args.output}")
    for err in snap.errors:
        print(f"pyfs-jvm: not in the snapshot: {err}", file=sys.stderr)
    return 1 if snap.errors else 0


def run_verify(args: argparse.Namespace) -> int:
    from .. import verify

    progress = Progress(force=args.progress)
    r = verify(args.snapshot, root=args.root, check_mtime=args.check_mtime,
               check_permissions=args.check_permissions, max_workers=args.workers,
               progress_callback=_progress_cb(progress))
    progress.done()
    kinds = [("added", r.added), ("removed", r.removed), ("modified", r.modified),
             ("metadata", r.metadata_changed)]
    if args.json:
        doc: dict[str, Any] = {"ok": r.ok, "errors": r.errors}
        for name, changes in kinds:
            doc[name] = [{k: getattr(c, k) for k in c.__slots__} for c in changes]
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    else:
        out = sys.stdout.buffer
        marks = {"added": b"+ ", "removed": b"- ", "modified": b"M ", "metadata": b"m "}
        for name, changes in kinds:
            for c in changes:
                out.write(marks[name])
                write_path(c.path, out)
        for e in r.errors:
            out.write(f"! {e}\n".encode(errors="surrogateescape"))
        summary = ", ".join(f"{len(ch)} {name}" for name, ch in kinds if ch)
        out.write(f"{'OK' if r.ok else 'CHANGED'}{': ' + summary if summary else ''}"
                  f"{f', {len(r.errors)} errors' if r.errors else ''}\n".encode())
        out.flush()
    return 0 if r.ok else 1
