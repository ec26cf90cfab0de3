"""``pyfs-jvm rename PATTERN REPLACEMENT [PATH]``: preview a bulk rename (the default), ``--apply``
it, or ``--undo JOURNAL`` a earlier (possibly interrupted) run."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("rename", help="rename many files by regex, safely (preview, conflicts, undo)",
                       description="Rename entries under PATH (default: .) whose name matches PATTERN "
                                   "(Rust regex syntax) to REPLACEMENT ($1, ${1}, ${name}, $$). Shows a "
                                   "preview unless --apply is given. Conflicts are refused, never "
                                   "overwritten.")
    p.add_argument("pattern", nargs="?")
    p.add_argument("replacement", nargs="?")
    p.add_argument("path", nargs="?", default=".")
    p.add_argument("--apply", action="store_true", help="really rename (default: preview only)")
    p.add_argument("--undo", metavar="JOURNAL", help="undo the run recorded in JOURNAL")
    p.add_argument("-r", "--recursive", action="store_true")
    p.add_argument("-d", "--max-depth", type=int, default=None, help="with -r: deepest level")
    p.add_argument("-g", "--glob", default=None, help="only names matching this glob")
    p.add_argument("--hidden", action="store_true", help="rename hidden entries too")
    p.add_argument("--dirs", action="store_true", help="rename directories too")
    p.add_argument("--journal", default=None, metavar="FILE", help="where --apply records its steps")
    p.add_argument("--no-journal", action="store_true", help="do not record an undo journal")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import bulk_rename, undo_journal

    if args.undo:
        if args.pattern is not None:
            print("pyfs-jvm: error: --undo takes no PATTERN or REPLACEMENT", file=sys.stderr)
            return 2
        errors = undo_journal(args.undo)
        for e in errors:
            print(f"could not restore {e.path}: {e.message}", file=sys.stderr)
        print(f"undo of {args.undo}: {'done' if not errors else f'{len(errors)} entries not restored'}")
        return 1 if errors else 0
    if args.pattern is None or args.replacement is None:
        print("pyfs-jvm: error: PATTERN and REPLACEMENT are required (or --undo JOURNAL)", file=sys.stderr)
        return 2
    journal: Any = False if args.no_journal else args.journal
    r = bulk_rename(args.path, args.pattern, args.replacement, recursive=args.recursive,
                    skip_hidden=not args.hidden, glob_pattern=args.glob, max_depth=args.max_depth,
                    dry_run=not args.apply, include_dirs=args.dirs, journal=journal)
    root = args.path
    rows = [(_rel(e.old_path, root), e.new_name) for e in r.renamed]
    width = min(60, max((len(a) for a, _ in rows), default=0))
    out = sys.stdout
    for old, new in rows:
        out.write(f"  {old:<{width}}  ->  {new}\n")
    for e in r.errors:
        out.write(f"  {_rel(e.path, root):<{width}}  !!  {e.message}\n")
    verb = "renamed" if args.apply else "would rename"
    out.write(f"{verb} {len(r.renamed)}, skipped {r.skipped}, refused or failed {len(r.errors)}\n")
    if not args.apply and r.renamed:
        out.write("dry run: nothing was renamed; add --apply to do it\n")
    if r.journal:
        out.write(f"journal: {r.journal}\nundo with: pyfs-jvm rename --undo {r.journal}\n")
    return 1 if r.errors else 0


def _rel(path: str, root: str) -> str:
    try:
        return os.path.relpath(path, root)
    except ValueError:
        return path
