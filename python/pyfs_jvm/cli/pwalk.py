"""``pyfs-jvm report`` and ``pyfs-jvm repair``: pwalk's reports and shared-folder repair.

``pyfs-jvm report PATH -o FILE`` scans PATH into a pwalk CSV (zstd by default) with a progress
line; ``pyfs-jvm report --sql "SELECT ..." FILE`` queries a finished report with DuckDB, where
the report is the table ``report``.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ._output import Progress, human_size


def register(sub: Any) -> None:
    p = sub.add_parser(
        "report", help="scan a tree into a pwalk CSV/Parquet report, or query one with --sql",
        description="Scan PATH into a pwalk-format report (python-pwalk's CSV columns; zstd by default). "
                    "With --sql, PATH is a finished report and the query runs over it as the table `report`.")
    p.add_argument("path", help="directory to scan (with --sql: the report file)")
    p.add_argument("-o", "--output", default=None,
                   help="report file (default scan.csv.zst; the suffix is added when compressing)")
    p.add_argument("-c", "--compress", choices=["auto", "zstd", "gzip", "none"], default="auto")
    p.add_argument("-f", "--format", choices=["csv", "dey", "parquet"], default="csv",
                   help="csv: python-pwalk's columns; dey: John Dey's pwalk (full paths); parquet (needs duckdb)")
    p.add_argument("-j", "--max-threads", type=int, default=None,
                   help="scan threads (default: SLURM_CPUS_ON_NODE, else the CPU count)")
    p.add_argument("--level", type=int, default=None, help="compression level (default 1)")
    hdr = p.add_mutually_exclusive_group()
    hdr.add_argument("--header", dest="header", action="store_true", default=None, help="write the header line")
    hdr.add_argument("--no-header", dest="header", action="store_false", help="leave the header out")
    p.add_argument("--include-snapshots", action="store_true", help="scan .snapshot directories too")
    p.add_argument("--progress", action="store_true", help="show progress on stderr even when not a terminal")
    p.add_argument("--sql", default=None, metavar="QUERY",
                   help="run QUERY (DuckDB SQL; the report is table `report`) over the report file PATH")
    p.set_defaults(func=run_report)

    r = sub.add_parser("repair", help="fix group ownership and setgid bits in a shared folder (pwalk repair)",
                       description="Give every directory the setgid bit and every entry in a private, root or "
                                   "listed group its nearest ancestor's group (within PATH). Applies changes "
                                   "unless --dry-run (applying needs root).")
    r.add_argument("path")
    r.add_argument("--dry-run", action="store_true", help="show the changes without making them")
    r.add_argument("--change-gids", default=None, help="comma-separated GIDs to treat as private groups")
    r.add_argument("--force-group-writable", action="store_true", help="directories g+rwx, files g+rw")
    r.add_argument("--exclude", action="append", default=None, help="a path to leave alone (repeatable)")
    r.add_argument("--max-threads", type=int, default=None)
    r.set_defaults(func=run_repair)


def run_report(args: argparse.Namespace) -> int:
    if args.sql is not None:
        return _sql(args.path, args.sql)
    from ..pwalk import ReportProgress, report

    progress = Progress(force=args.progress)

    def show(p: ReportProgress) -> None:
        if p.done:
            return
        rate = p.rows / max(p.elapsed, 1e-9)
        progress.update(f"{p.rows:,} entries, {rate:,.0f}/s, {p.directories:,} dirs, CSV {human_size(p.csv_bytes)}, "
                        f"written {human_size(p.written_bytes)}, {p.errors:,} errors")

    final: list[ReportProgress] = []

    def on_progress(p: ReportProgress) -> None:
        final[:] = [p]
        show(p)

    path, errors = report(args.path, args.output, args.max_threads, args.compress, format=args.format,
                          header=args.header, ignore_snapshots=not args.include_snapshots, level=args.level,
                          progress=on_progress)
    progress.done()
    print(f"Report saved to: {path}")
    if final:
        p = final[0]
        print(f"Entries: {p.rows:,} in {p.elapsed:.2f} s ({p.rows / max(p.elapsed, 1e-9):,.0f}/s), "
              f"{p.directories:,} directories; CSV {human_size(p.csv_bytes)}, file {human_size(os.path.getsize(path))}")
    print(f"Errors: {len(errors)}")
    for err in errors[:10]:
        print(f"  {err}", file=sys.stderr)
    if len(errors) > 10:
        print(f"  ... and {len(errors) - 10} more", file=sys.stderr)
    return 1 if errors else 0


def _sql(path: str, query: str) -> int:
    try:
        import duckdb
    except ImportError:
        print("pyfs-jvm: error: --sql needs the duckdb package (pip install duckdb)", file=sys.stderr)
        return 2
    from ..pwalk import _read_csv_sql, _sql_str

    if not os.path.isfile(path):
        raise FileNotFoundError(2, "No such file or directory (the report to query)", path)
    source = f"read_parquet('{_sql_str(path)}')" if path.endswith(".parquet") else _read_csv_sql(path)
    con = duckdb.connect()
    try:
        con.execute(f"CREATE VIEW report AS SELECT * FROM {source}")
        rel: Any = con.sql(query)
        if rel is None:
            return 0
        names = [d[0] for d in rel.description]
        rows = rel.fetchall()
    except duckdb.Error as e:
        print(f"pyfs-jvm: error: {e}", file=sys.stderr)
        return 2
    finally:
        con.close()
    _table(names, rows)
    return 0


def _table(names: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Rows as an aligned text table (numbers right-aligned)."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(n)] + [len(r[k]) for r in cells]) for k, n in enumerate(names)]
    numeric = [all(isinstance(row[k], (int, float)) or row[k] is None for row in rows) for k in range(len(names))]
    out = sys.stdout
    out.write("  ".join(n.rjust(w) if num else n.ljust(w) for n, w, num in zip(names, widths, numeric)).rstrip() + "\n")
    for r in cells:
        out.write("  ".join(c.rjust(w) if num else c.ljust(w) for c, w, num in zip(r, widths, numeric)).rstrip() + "\n")


def _cell(v: Any) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v).replace("\n", "\\n")


def run_repair(args: argparse.Namespace) -> int:
    from ..pwalk import repair

    if not args.dry_run and os.geteuid() != 0:
        print("ERROR: repair command must be run as root (use sudo)", file=sys.stderr)
        print("       or use --dry-run to preview changes", file=sys.stderr)
        return 1
    gids = [int(g.strip()) for g in args.change_gids.split(",") if g.strip()] if args.change_gids else None
    repair(args.path, dry_run=args.dry_run, change_gids=gids, force_group_writable=args.force_group_writable,
           exclude=args.exclude, max_threads=args.max_threads)
    return 0
