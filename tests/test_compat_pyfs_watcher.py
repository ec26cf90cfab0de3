"""Differential tests: pyfs-jvm's walk against the real pyfs-watcher 0.3.0 on the same trees."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import pyfs_jvm

import pyfs_watcher as pw  # noqa: E402  (a test dependency: never skipped)


def as_rows(entries: list) -> list[tuple[object, ...]]:  # type: ignore[type-arg]
    return [(e.path, e.is_dir, e.is_file, e.is_symlink, e.depth, e.file_size) for e in entries]


@pytest.mark.parametrize("kwargs", [
    {},
    {"max_depth": 1},
    {"max_depth": 2},
    {"file_type": "file"},
    {"file_type": "dir"},
    {"glob_pattern": "*.txt"},
    {"glob_pattern": "{a,b}*"},
    {"glob_pattern": "[!a-c]*"},
    {"glob_pattern": "?.txt"},
    {"glob_pattern": "**"},
])
def test_same_entries_same_order_as_pyfs_watcher(tree: Path, kwargs: dict[str, object]) -> None:
    ours = as_rows(pyfs_jvm.walk_collect(str(tree), sort=True, **kwargs))  # type: ignore[arg-type]
    theirs = as_rows(pw.walk_collect(str(tree), sort=True, **kwargs))
    assert ours == theirs


def test_same_as_pyfs_watcher_when_following_links_except_broken_ones(tree: Path) -> None:
    os.symlink("sub", tree / "sublink")
    ours = as_rows(pyfs_jvm.walk_collect(str(tree), sort=True, follow_symlinks=True))
    theirs = as_rows(pw.walk_collect(str(tree), sort=True, follow_symlinks=True))
    # pyfs-watcher drops a broken link (an error item); we report the link itself
    assert [r for r in ours if not r[0].endswith("/broken")] == theirs


def test_skip_hidden_differs_only_by_pruning_hidden_directories(tree: Path) -> None:
    ours = as_rows(pyfs_jvm.walk_collect(str(tree), sort=True, skip_hidden=True))
    theirs = as_rows(pw.walk_collect(str(tree), sort=True, skip_hidden=True))
    assert ours == [r for r in theirs if "/." not in r[0]]


def test_same_as_pyfs_watcher_on_a_real_tree() -> None:
    root = "/usr/lib/python3"
    ours = sorted(as_rows(pyfs_jvm.walk_collect(root)))
    theirs = sorted(as_rows(pw.walk_collect(root)))
    assert ours == theirs
