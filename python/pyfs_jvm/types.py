"""Result classes, as ``pyfs_watcher.types`` exports them."""

from __future__ import annotations

from ._walk import WalkEntry, WalkIter
from .watch import FileChange

__all__ = ["WalkEntry", "WalkIter", "FileChange"]
