"""Result classes, as ``pyfs_watcher.types`` exports them."""

from __future__ import annotations

# one family per line, so that families merge without touching each other's lines
from ._hash import HashResult, HashResults
from ._rename import RenameEntry, RenameFileError, RenameResult
from ._search import SearchIter, SearchMatch, SearchResult
from ._walk import WalkEntry, WalkIter
from .watch import FileChange

__all__ = [
    "HashResult", "HashResults",
    "RenameEntry", "RenameFileError", "RenameResult",
    "SearchIter", "SearchMatch", "SearchResult",
    "WalkEntry", "WalkIter",
    "FileChange",
]
