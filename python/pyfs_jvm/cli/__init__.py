"""The ``pyfs-jvm`` command line: one subcommand per family, each in its own module here.

A subcommand module defines ``register(subparsers)``, which adds its parser and sets
``func=run`` where ``run(args) -> int`` returns the exit status. Add a family by adding its module
in this package (names starting with ``_`` are helpers).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from collections.abc import Sequence


def _subcommands() -> list[str]:
    """Every public module of this package is a subcommand (its ``register`` names the command)."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pyfs-jvm", description="Fast filesystem tools with a parallel Java core.")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log more (repeat for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in _subcommands():
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(2, args.verbose)
    logging.basicConfig(level=level, format="pyfs-jvm: %(levelname)s: %(message)s", stream=sys.stderr)
    try:
        rc: int = args.func(args)
        return rc
    except KeyboardInterrupt:
        print("pyfs-jvm: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. "pyfs-jvm walk / | head"
        try:
            sys.stdout.close()
        except Exception:
            pass
        return 0
    except (OSError, ValueError, RuntimeError) as e:
        print(f"pyfs-jvm: error: {e}", file=sys.stderr)
        return 2
