"""Result classes, as ``pyfs_watcher.types`` exports them."""

from __future__ import annotations

from ._rename import RenameEntry, RenameFileError, RenameResult
from ._search import SearchIter, SearchMatch, SearchResult
from ._walk import WalkEntry, WalkIter

__all__ = ["WalkEntry", "WalkIter", "SearchMatch", "SearchResult", "SearchIter", "RenameEntry", "RenameFileError",
           "RenameResult"]
