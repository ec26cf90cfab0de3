"""pyfs-jvm: a fast filesystem toolkit for Python with a parallel Java core.

The top-level names are a drop-in for pyfs-watcher 0.3.0; ``pyfs_jvm.pwalk`` for pwalk,
``pyfs_jvm.delta`` for pdiffcopy, ``pyfs_jvm.rez`` scans rez repositories. The Java core runs
in-process through JPype; it starts on first use (see ``configure`` and ``runtime_info``).
"""

from __future__ import annotations

# one family per line, so that families merge without touching each other's lines
from . import watch
from ._copy import copy_files, move_files
from ._dedup import find_duplicates
from ._diff import diff_dirs
from ._du import disk_usage
from ._hash import hash_file, hash_files
from ._jvm import JvmError, configure, runtime_info
from ._rename import bulk_rename, undo_journal
from ._search import search, search_iter
from ._snapshot import snapshot, verify
from ._sync import sync
from ._walk import walk, walk_collect
from .watch import FileChange, FileWatcher, async_watch

__version__ = "0.1.0"

__all__ = [
    # pyfs-watcher 0.3.0's names, in its order
    "FileWatcher", "async_watch", "bulk_rename", "copy_files", "diff_dirs", "disk_usage",
    "find_duplicates", "hash_file", "hash_files", "move_files", "search", "search_iter",
    "snapshot", "sync", "verify", "walk", "walk_collect",
    # pyfs-jvm's own
    "FileChange", "undo_journal", "configure", "runtime_info", "JvmError",
]
