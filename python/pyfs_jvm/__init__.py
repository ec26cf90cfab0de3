"""pyfs-jvm: a fast filesystem toolkit for Python with a parallel Java core.

The top-level names are a drop-in for pyfs-watcher 0.3.0; ``pyfs_jvm.pwalk`` for pwalk,
``pyfs_jvm.delta`` for pdiffcopy, ``pyfs_jvm.rez`` scans rez repositories. The Java core runs
in-process through JPype; it starts on first use (see ``configure`` and ``runtime_info``).
"""

from __future__ import annotations

from ._jvm import JvmError, configure, runtime_info
from ._hash import hash_file, hash_files
from ._rename import bulk_rename, undo_journal
from ._search import search, search_iter
from ._copy import copy_files, move_files
from ._diff import diff_dirs
from ._sync import sync
from ._dedup import find_duplicates
from ._du import disk_usage
from ._snapshot import snapshot, verify
from ._walk import walk, walk_collect
from . import watch
from .watch import FileChange, FileWatcher, async_watch

__version__ = "0.1.0"

__all__ = [
    "FileWatcher",
    "async_watch",
    "copy_files",
    "move_files",
    "diff_dirs",
    "sync",
    "walk",
    "walk_collect",
    "hash_file",
    "hash_files",
    "search",
    "search_iter",
    "bulk_rename",
    "find_duplicates",
    "snapshot",
    "verify",
    "disk_usage",
    # pyfs-jvm's own
    "FileChange",
    "configure",
    "runtime_info",
    "undo_journal",
    "JvmError",
]
