"""``pyfs-jvm du PATH``: the largest entries as a table with bars, ``--json``, or ``--html FILE``
(a self-contained interactive treemap page)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from ._output import human_size, write_path


def register(sub: Any) -> None:
    p = sub.add_parser("du", help="disk usage of a tree (table, JSON or an HTML treemap)",
                       description="Sum sizes under PATH like du: apparent and allocated bytes, hard links "
                                   "once. Prints the largest top-level entries.")
    p.add_argument("path")
    p.add_argument("-n", "--top", type=int, default=20, metavar="N", help="entries in the table (20)")
    p.add_argument("--json", action="store_true", help="print the totals and entries as JSON")
    p.add_argument("--html", metavar="FILE", default=None, help="write an interactive treemap page to FILE")
    p.add_argument("--depth", type=int, default=1, metavar="N",
                   help="levels of nested entries in --json output (1: top level only)")
    p.add_argument("--apparent", action="store_true", help="rank by apparent size, not disk usage")
    p.add_argument("-d", "--max-depth", type=int, default=None, help="do not read deeper directories")
    p.add_argument("-H", "--skip-hidden", action="store_true", help="leave out hidden files and directories")
    p.add_argument("-L", "--follow", action="store_true", help="follow symlinks")
    p.add_argument("-g", "--glob", default=None, help="count only files whose name matches")
    p.add_argument("-j", "--workers", type=int, default=None, help="directory-reading threads")
    p.set_defaults(func=run)


def _measure(e: Any, apparent: bool) -> int:
    if apparent or e.allocated_size is None:
        return int(e.apparent_size)
    return int(e.allocated_size)


def run(args: argparse.Namespace) -> int:
    from .._du import _scan

    # the treemap wants big files as their own rectangles: 256 KiB and up are listed individually
    # (smaller ones become one "(files)" rectangle per directory)
    threshold = 256 << 10 if args.html else 1 << 62
    u = _scan(args.path, args.max_depth, args.skip_hidden, args.follow, args.glob, args.workers, threshold)
    for err in u.errors:
        print(f"pyfs-jvm: {err}", file=sys.stderr)
    if args.html:
        from ._treemap import render

        name = os.path.basename(os.path.abspath(args.path)) or args.path
        page = render(u, name)
        tmp = args.html + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(page)
        os.replace(tmp, args.html)
        print(f"treemap of {args.path} ({human_size(_measure(u, args.apparent))}) -> {args.html}")
    if args.json:
        doc = _json(u, args.depth)
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    elif not args.html:
        _table(args, u)
    return 1 if u.errors else 0


def _json(u: Any, depth: int) -> dict[str, Any]:
    def entry(e: Any, level: int) -> dict[str, Any]:
        d: dict[str, Any] = {"path": e.path, "is_dir": e.is_dir, "size": e.size, "file_count": e.file_count,
                             "dir_count": e.dir_count, "apparent_size": e.apparent_size,
                             "allocated_size": e.allocated_size}
        if e.is_dir and level < depth:
            d["children"] = [entry(c, level + 1) for c in e.children]
        return d

    return {"total_size": u.total_size, "total_files": u.total_files, "total_dirs": u.total_dirs,
            "apparent_size": u.apparent_size, "allocated_size": u.allocated_size,
            "children": [entry(c, 1) for c in u.children],
            "errors": [str(e) for e in u.errors]}


def _table(args: argparse.Namespace, u: Any) -> None:
    out = sys.stdout.buffer
    total = max(1, _measure(u, args.apparent))
    children = sorted(u.children, key=lambda c: (-_measure(c, args.apparent), c.path))
    shown = children[: max(0, args.top)]
    for c in shown:
        m = _measure(c, args.apparent)
        share = m / total
        bar = "#" * round(share * 30)
        kind = "/" if c.is_dir else ""
        out.write(f"{human_size(m):>10}  {share:6.1%}  {bar:<30}  {c.file_count:>9,} files  ".encode())
        write_path(c.path + kind, out)
    if len(children) > len(shown):
        rest = sum(_measure(c, args.apparent) for c in children[len(shown):])
        out.write(f"{human_size(rest):>10}  {rest / total:6.1%}  {'':<30}  ({len(children) - len(shown)} more)\n"
                  .encode())
    what = "apparent" if args.apparent or u.allocated_size is None else "on disk"
    out.write(f"{human_size(_measure(u, args.apparent)):>10}  total {what} ({human_size(u.apparent_size)} apparent"
              f"{'' if u.allocated_size is None else ', ' + human_size(u.allocated_size) + ' allocated'}), "
              f"{u.total_files:,} files, {u.total_dirs:,} dirs in ".encode())
    write_path(args.path, out)
    out.flush()
