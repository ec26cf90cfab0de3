"""``pyfs-jvm watch PATH [--ignore GLOB] [-- COMMAND ...]``: print changes as they happen, or run
COMMAND and run it again after each debounced batch of changes (as the watchfiles CLI does)."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from typing import Any

from ._output import write_path

_STOP_GRACE_S = 5.0


def register(sub: Any) -> None:
    p = sub.add_parser(
        "watch", help="watch a tree for changes (or re-run a command on changes)",
        description="Watch PATH recursively and print one line per change (\"created PATH\"), or, "
                    "with -- COMMAND, run COMMAND now and again after each batch of changes (a run "
                    "still going is stopped first). The changes of the batch are in the environment "
                    "variable PYFS_JVM_CHANGES as JSON [[change_type, path], ...]. Ctrl-C stops.")
    p.add_argument("path")
    _add_options(p)
    p.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARG ...] to run on changes")
    p.set_defaults(func=run)


def _add_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("-i", "--ignore", action="append", default=[], metavar="GLOB",
                   help="ignore changes whose name or path relative to PATH matches (repeatable), "
                        "e.g. '.git/**' or '*.pyc'")
    p.add_argument("-d", "--debounce", type=int, default=500, metavar="MS",
                   help="wait this long for changes to settle (default 500)")
    p.add_argument("--no-recursive", action="store_true", help="watch PATH's own entries only")
    p.add_argument("--moves", action="store_true", help="report renames as 'moved OLD -> NEW'")
    p.add_argument("--json", action="store_true", help="one JSON object per change")


def _split_command(args: argparse.Namespace) -> list[str]:
    """argparse's REMAINDER takes everything after PATH, options included: parse the options
    before ``--`` here, and return what follows ``--`` (the command)."""
    rest = list(args.command)
    if "--" in rest:
        i = rest.index("--")
        opts, command = rest[:i], rest[i + 1:]
    else:
        opts, command = rest, []
    if opts:
        parser = argparse.ArgumentParser(prog="pyfs-jvm watch PATH")
        _add_options(parser)
        parser.parse_args(opts, namespace=args)
    return command


def run(args: argparse.Namespace) -> int:
    from ..watch import FileWatcher

    command = _split_command(args)
    watcher = FileWatcher(args.path, recursive=not args.no_recursive, debounce_ms=args.debounce,
                          ignore_patterns=args.ignore, report_moves=args.moves)
    child: subprocess.Popen[bytes] | None = None
    out = sys.stdout.buffer
    try:
        watcher.start()
        if command:
            child = _spawn(command, [])
        else:
            print(f"pyfs-jvm: watching {watcher._text} ({watcher.backend}); Ctrl-C to stop", file=sys.stderr)
        for batch in watcher:
            if command:
                _stop(child)
                print(f"pyfs-jvm: {len(batch)} change{'s' if len(batch) != 1 else ''}, running "
                      f"{' '.join(command)}", file=sys.stderr)
                child = _spawn(command, batch)
                continue
            for c in batch:
                if args.json:
                    out.write(json.dumps({"path": c.path, "change_type": c.change_type, "is_dir": c.is_dir,
                                          "timestamp": c.timestamp, "old_path": c.old_path}).encode() + b"\n")
                elif c.old_path is not None:
                    out.write(f"{c.change_type} ".encode())
                    write_path(c.old_path, out, b" -> ")
                    write_path(c.path, out)
                else:
                    out.write(f"{c.change_type} ".encode())
                    write_path(c.path, out)
            out.flush()
        print(f"pyfs-jvm: {watcher._text} went away; stopped", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0  # Ctrl-C is how a watch ends
    finally:
        watcher.stop()
        _stop(child)


def _spawn(command: list[str], batch: list[Any]) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYFS_JVM_CHANGES=json.dumps([[c.change_type, c.path] for c in batch]))
    try:
        # its own process group, so that stopping it also stops what it started (a shell's children)
        return subprocess.Popen(command, env=env, start_new_session=True)
    except OSError as e:
        raise OSError(e.errno, f"cannot run {command[0]}: {e.strerror}") from None


def _stop(child: subprocess.Popen[bytes] | None) -> None:
    if child is None or child.poll() is not None:
        return
    try:
        os.killpg(child.pid, signal.SIGTERM)
        child.wait(_STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    except ProcessLookupError:
        pass
