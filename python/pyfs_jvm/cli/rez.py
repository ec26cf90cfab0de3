"""``pyfs-jvm rez-scan PATH...``: list the packages of rez filesystem repositories."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ._output import Progress


def register(sub: Any) -> None:
    p = sub.add_parser("rez-scan", help="list the packages of rez package repositories",
                       description="List every package of the rez filesystem repositories PATH..., as rez "
                                   "enumerates them (no package.py is executed; rez need not be installed). "
                                   "Text output: one 'family-version<TAB>package file' line per package, sorted "
                                   "('-' when a version directory has no package file).")
    p.add_argument("paths", nargs="+", metavar="PATH", help="repository paths, in packages_path order")
    p.add_argument("--json", action="store_true", help="a JSON array of objects instead of text")
    p.add_argument("--families", action="store_true", help="list families, not packages")
    p.add_argument("--strict", action="store_true",
                   help="rez's check_package_definition_files: versions need a package file")
    p.add_argument("--no-unversioned", action="store_true", help="rez's allow_unversioned_packages = False")
    p.add_argument("--package-filename", action="append", metavar="NAME",
                   help="rez's package_filenames (repeat; default: package)")
    p.add_argument("--file-lock-dir", metavar="NAME", help="rez's file_lock_dir")
    p.add_argument("--no-ignore", action="store_true", help="let .ignore<version> files hide nothing")
    p.add_argument("--keep-going", action="store_true",
                   help="report unreadable families on stderr and go on (rez stops at the first)")
    p.add_argument("--progress", action="store_true", help="show timing on stderr even when not a terminal")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import rez

    progress = Progress(force=args.progress)
    progress.update("scanning...", now=True)
    if args.families:
        fams = sorted(rez.scan_families(args.paths, file_lock_dir=args.file_lock_dir))
        progress.done()
        if args.json:
            json.dump([f._asdict() for f in fams], sys.stdout, indent=1)
            sys.stdout.write("\n")
        else:
            out = sys.stdout.buffer
            for f in fams:
                out.write(f"{f.name}\t{f.path}\n".encode("utf-8", "surrogateescape"))
        return 0
    errors: list[Exception] = []
    pkgs = rez.scan_repo(args.paths, allow_unversioned_packages=not args.no_unversioned,
                         check_package_definition_files=args.strict,
                         package_filenames=args.package_filename or ("package",),
                         file_lock_dir=args.file_lock_dir, disable_pkg_ignore=args.no_ignore,
                         on_error=errors.append if args.keep_going else None)
    secs = progress.elapsed
    progress.done()
    if args.json:
        rows = [dict(p._asdict(), uri=p.uri) for p in sorted(pkgs, key=_order)]
        json.dump(rows, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        out = sys.stdout.buffer
        for p in sorted(pkgs, key=_order):
            name = f"{p.family}-{p.version}" if p.version else p.family
            out.write(f"{name}\t{p.uri or '-'}\n".encode("utf-8", "surrogateescape"))
        out.flush()
    if args.progress:
        print(f"pyfs-jvm: {len(pkgs):,} packages in {secs:.2f} s", file=sys.stderr)
    for e in errors:
        print(f"pyfs-jvm: {e}", file=sys.stderr)
    return 1 if errors else 0


def _order(p: Any) -> tuple[str, str, str]:
    return (p.family, p.version, p.uri or "")
