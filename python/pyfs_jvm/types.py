"""Result classes, as ``pyfs_watcher.types`` exports them."""

from __future__ import annotations

from ._dedup import DuplicateGroup
from ._du import DiskUsage, DiskUsageEntry
from ._snapshot import Snapshot, SnapshotEntry, VerifyChange, VerifyResult
from ._walk import WalkEntry, WalkIter

__all__ = ["WalkEntry", "WalkIter", "DuplicateGroup", "SnapshotEntry", "Snapshot",
           "VerifyChange", "VerifyResult", "DiskUsageEntry", "DiskUsage"]
