"""Result classes, as ``pyfs_watcher.types`` exports them."""

from __future__ import annotations

# one family per line, so that families merge without touching each other's lines
from ._copy import CopyProgress
from ._dedup import DuplicateGroup
from ._diff import DiffEntry, DirDiff, MovedEntry
from ._du import DiskUsage, DiskUsageEntry
from ._hash import HashResult, HashResults
from ._rename import RenameEntry, RenameFileError, RenameResult
from ._search import SearchIter, SearchMatch, SearchResult
from ._snapshot import Snapshot, SnapshotEntry, VerifyChange, VerifyResult
from ._sync import SyncFileError, SyncProgress, SyncResult
from ._walk import WalkEntry, WalkIter
from .watch import FileChange

__all__ = [
    "CopyProgress",
    "DuplicateGroup",
    "DiffEntry", "DirDiff", "MovedEntry",
    "DiskUsage", "DiskUsageEntry",
    "HashResult", "HashResults",
    "RenameEntry", "RenameFileError", "RenameResult",
    "SearchIter", "SearchMatch", "SearchResult",
    "Snapshot", "SnapshotEntry", "VerifyChange", "VerifyResult",
    "SyncFileError", "SyncProgress", "SyncResult",
    "WalkEntry", "WalkIter",
    "FileChange",
]
