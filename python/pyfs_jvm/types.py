"""Result classes, as ``pyfs_watcher.types`` exports them."""

from __future__ import annotations

from ._copy import CopyProgress
from ._diff import DiffEntry, DirDiff, MovedEntry
from ._sync import SyncFileError, SyncProgress, SyncResult
from ._walk import WalkEntry, WalkIter

__all__ = ["WalkEntry", "WalkIter", "CopyProgress", "DiffEntry", "MovedEntry", "DirDiff",
           "SyncFileError", "SyncProgress", "SyncResult"]
