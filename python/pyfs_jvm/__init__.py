"""pyfs-jvm: a fast filesystem toolkit for Python with a parallel Java core.

The top-level names are a drop-in for pyfs-watcher 0.3.0; ``pyfs_jvm.pwalk`` for pwalk,
``pyfs_jvm.delta`` for pdiffcopy, ``pyfs_jvm.rez`` scans rez repositories. The Java core runs
in-process through JPype; it starts on first use (see ``configure`` and ``runtime_info``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._jvm import JvmError, configure, runtime_info

__version__ = "0.1.0"

# Families are imported on first use, so that ``import pyfs_jvm`` stays cheap for a short-lived
# process that needs one of them (asyncio for watch, the regex layer for search, ...).
# One family per line, so that families merge without touching each other's lines.
_LAZY = {
    "copy_files": "._copy", "move_files": "._copy",
    "find_duplicates": "._dedup",
    "diff_dirs": "._diff",
    "disk_usage": "._du",
    "hash_file": "._hash", "hash_files": "._hash",
    "bulk_rename": "._rename", "undo_journal": "._rename",
    "search": "._search", "search_iter": "._search",
    "snapshot": "._snapshot", "verify": "._snapshot",
    "sync": "._sync",
    "walk": "._walk", "walk_collect": "._walk",
    "FileChange": ".watch", "FileWatcher": ".watch", "async_watch": ".watch",
}

if TYPE_CHECKING:
    from . import watch
    from ._copy import copy_files, move_files
    from ._dedup import find_duplicates
    from ._diff import diff_dirs
    from ._du import disk_usage
    from ._hash import hash_file, hash_files
    from ._rename import bulk_rename, undo_journal
    from ._search import search, search_iter
    from ._snapshot import snapshot, verify
    from ._sync import sync
    from ._walk import walk, walk_collect
    from .watch import FileChange, FileWatcher, async_watch


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        if name in ("watch", "pwalk", "delta", "rez", "errors", "types"):
            return importlib.import_module(f".{name}", __name__)
        raise AttributeError(f"module 'pyfs_jvm' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    # pyfs-watcher 0.3.0's names, in its order
    "FileWatcher", "async_watch", "bulk_rename", "copy_files", "diff_dirs", "disk_usage",
    "find_duplicates", "hash_file", "hash_files", "move_files", "search", "search_iter",
    "snapshot", "sync", "verify", "walk", "walk_collect",
    # pyfs-jvm's own
    "FileChange", "undo_journal", "configure", "runtime_info", "JvmError",
]
