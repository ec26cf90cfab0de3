"""Result classes, as ``pyfs_watcher.types`` exports them."""

from __future__ import annotations

from ._copy import CopyProgress
from ._walk import WalkEntry, WalkIter

__all__ = ["WalkEntry", "WalkIter", "CopyProgress"]
