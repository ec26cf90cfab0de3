"""``pyfs-jvm search PATTERN [PATH]``: ripgrep-like output of :func:`pyfs_jvm.search_iter`.

On a terminal: a heading per file, ``line:text`` rows, matches in colour, ``--`` between
separated context groups. Piped: ``path:line:text`` rows (context rows use ``-``), no colour.
``--json``: one JSON object per matching line. Exit status as ripgrep's: 0 if something
matched, 1 if nothing did, 2 on an error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import IO, Any

from ._output import Progress

_PATH, _LINE, _MATCH, _RESET = b"\x1b[35m", b"\x1b[32m", b"\x1b[1;31m", b"\x1b[0m"


def register(sub: Any) -> None:
    p = sub.add_parser("search", help="search file contents (Rust regex syntax, linear time)",
                       description="Search the files under PATH (default: .) for PATTERN, line by line.")
    p.add_argument("pattern")
    p.add_argument("path", nargs="?", default=".")
    p.add_argument("-i", "--ignore-case", action="store_true")
    p.add_argument("-C", "--context", type=int, default=0, metavar="N", help="lines of context around matches")
    p.add_argument("-g", "--glob", default=None, help="only files whose name matches this glob")
    p.add_argument("-d", "--max-depth", type=int, default=None)
    p.add_argument("-m", "--max-count", type=int, default=None, metavar="N", help="matching lines per file")
    p.add_argument("--max-filesize", type=int, default=None, metavar="BYTES")
    p.add_argument("--hidden", action="store_true", help="search hidden files and directories too")
    p.add_argument("-L", "--follow", action="store_true", help="follow symlinks")
    p.add_argument("-j", "--threads", type=int, default=None)
    p.add_argument("-l", "--files-with-matches", action="store_true", help="print only the paths")
    p.add_argument("-c", "--count", action="store_true", help="print path:count per file")
    p.add_argument("--json", action="store_true", help="one JSON object per matching line")
    p.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    p.add_argument("--heading", dest="heading", action="store_true", default=None,
                   help="group matches under a file heading (default on a terminal)")
    p.add_argument("--no-heading", dest="heading", action="store_false")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import search_iter

    out = sys.stdout.buffer
    tty = sys.stdout.isatty()
    color = args.color == "always" or (args.color == "auto" and tty and os.environ.get("NO_COLOR") is None)
    heading = tty if args.heading is None else args.heading
    errors = 0

    def on_error(err: Exception) -> None:
        nonlocal errors
        errors += 1

    found = 0
    progress = Progress()
    it = search_iter(args.path, args.pattern, glob_pattern=args.glob, max_depth=args.max_depth,
                     skip_hidden=not args.hidden, ignore_case=args.ignore_case, max_count=args.max_count,
                     max_filesize=args.max_filesize, context_lines=args.context, follow_symlinks=args.follow,
                     max_workers=args.threads, on_error=on_error)
    with it:
        first = True
        for r in it:
            found += 1
            path = os.fsencode(r.path)
            if args.json:
                for m in r.matches:
                    out.write(json.dumps({"path": r.path, "line_number": m.line_number, "line_text": m.line_text,
                                          "spans": m.spans, "context_before": m.context_before,
                                          "context_after": m.context_after}).encode("utf-8", "surrogateescape")
                              + b"\n")
            elif args.files_with_matches:
                out.write(_c(path, _PATH, color) + b"\n")
            elif args.count:
                out.write(_c(path, _PATH, color) + b":" + str(r.match_count).encode() + b"\n")
            else:
                if heading:
                    if not first:
                        out.write(b"\n")
                    out.write(_c(path, _PATH, color) + b"\n")
                _print_file(out, None if heading else path, r.matches, color)
            first = False
            if tty:
                out.flush()
    progress.done()
    out.flush()
    if errors:
        print(f"pyfs-jvm: {errors} file{'' if errors == 1 else 's'} could not be read (run with -v to see which)",
              file=sys.stderr)
    return 0 if found else (2 if errors else 1)


def _c(text: bytes, code: bytes, color: bool) -> bytes:
    return code + text + _RESET if color else text


def _print_file(out: IO[bytes], path: bytes | None, matches: Any, color: bool) -> None:
    """Matching lines and their context, merged by line number, '--' between separate groups."""
    lines: dict[int, tuple[str, Any]] = {}
    for m in matches:
        for k, t in enumerate(m.context_before):
            lines.setdefault(m.line_number - len(m.context_before) + k, (t, None))
        lines[m.line_number] = (m.line_text, m)
        for k, t in enumerate(m.context_after):
            lines.setdefault(m.line_number + 1 + k, (t, None))
    prev = None
    for n in sorted(lines):
        if prev is not None and n != prev + 1:
            out.write(b"--\n")
        prev = n
        text, m = lines[n]
        raw = text.encode("utf-8", "surrogateescape")
        sep = b":" if m is not None else b"-"
        prefix = (_c(path, _PATH, color) + sep if path is not None else b"") + _c(str(n).encode(), _LINE, color) + sep
        if m is not None and color:
            parts, last = [], 0
            for s, e in m.spans:
                parts += [raw[last:s], _MATCH, raw[s:e], _RESET]
                last = e
            parts.append(raw[last:])
            raw = b"".join(parts)
        out.write(prefix + raw + b"\n")
