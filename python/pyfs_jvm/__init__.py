"""pyfs-jvm: a fast filesystem toolkit for Python with a parallel Java core.

The top-level names are a drop-in for pyfs-watcher 0.3.0; ``pyfs_jvm.pwalk`` for pwalk,
``pyfs_jvm.delta`` for pdiffcopy, ``pyfs_jvm.rez`` scans rez repositories. The Java core runs
in-process through JPype; it starts on first use (see ``configure`` and ``runtime_info``).
"""

from __future__ import annotations

from ._jvm import JvmError, configure, runtime_info
from ._dedup import find_duplicates
from ._du import disk_usage
from ._snapshot import snapshot, verify
from ._walk import walk, walk_collect

__version__ = "0.1.0"

__all__ = [
    "walk",
    "walk_collect",
    "find_duplicates",
    "snapshot",
    "verify",
    "disk_usage",
    # pyfs-jvm's own
    "configure",
    "runtime_info",
    "JvmError",
]
