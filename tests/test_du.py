"""disk_usage: totals equal to GNU du's (apparent and allocated, hard links once), the
pyfs-watcher attributes where it is right, and max_depth / directory counts where it is not."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

import pyfs_jvm
from pyfs_jvm.errors import DiskUsageError

from helpers import run_python

import pyfs_watcher as pw  # noqa: E402  (a test dependency: never skipped)


def du(*args: str) -> dict[str, int]:
    out = subprocess.run(["du", "-B1", *args], capture_output=True, text=True, check=True).stdout
    return {line.split("\t", 1)[1]: int(line.split("\t", 1)[0]) for line in out.splitlines()}


def has_blocks() -> bool:
    return bool(pyfs_jvm.runtime_info()["allocated_sizes"])


@pytest.fixture
def usage_tree(tmp_path: Path) -> Path:
    root = tmp_path / "u"
    (root / "src" / "pkg" / "deep").mkdir(parents=True)
    (root / "conf.d").mkdir()
    (root / "empty" / "also-empty").mkdir(parents=True)
    (root / "src" / "a.py").write_bytes(b"a" * 5000)
    (root / "src" / "pkg" / "b.py").write_bytes(b"b" * 70000)
    (root / "src" / "pkg" / "deep" / "c.py").write_bytes(b"c" * 10)
    (root / "conf.d" / "x.conf").write_bytes(b"x" * 300)
    (root / "top.bin").write_bytes(os.urandom(123457))
    with open(root / "sparse.img", "wb") as f:  # 64 MiB apparent, almost nothing allocated
        f.truncate(64 << 20)
        f.write(b"data")
    os.symlink("top.bin", root / "link")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "h.txt").write_bytes(b"h" * 4000)
    return root


def test_totals_equal_du(usage_tree: Path) -> None:
    os.link(usage_tree / "src" / "pkg" / "b.py", usage_tree / "conf.d" / "b-link")  # across top-level dirs
    os.link(usage_tree / "top.bin", usage_tree / "top-link")
    u = pyfs_jvm.disk_usage(str(usage_tree))
    assert u.apparent_size == du("--apparent-size", "-s", str(usage_tree))[str(usage_tree)]
    if has_blocks():
        assert u.allocated_size == du("-s", str(usage_tree))[str(usage_tree)]
        assert u.allocated_size < u.apparent_size  # the sparse file
    else:
        assert u.allocated_size is None  # the JDK 17 NIO layer has no st_blocks
    files = [p for p in usage_tree.rglob("*") if p.is_file() and not p.is_symlink()]
    inodes = {p.stat().st_ino: p.stat().st_size for p in files}
    assert u.total_files == len(inodes)  # each hard-linked file once
    assert u.total_size == sum(inodes.values())
    assert u.total_dirs == sum(1 for p in usage_tree.rglob("*") if p.is_dir() and not p.is_symlink())


def test_children_equal_du_max_depth_1(usage_tree: Path) -> None:
    u = pyfs_jvm.disk_usage(str(usage_tree))
    apparent = du("--apparent-size", "-a", "-d1", str(usage_tree))
    allocated = du("-a", "-d1", str(usage_tree))
    names = {c.path for c in u.children}
    assert names == {"src", "conf.d", "empty", "top.bin", "sparse.img", ".hidden"}  # no symlink
    for c in u.children:
        full = str(usage_tree / c.path)
        assert c.apparent_size == apparent[full], c.path
        if has_blocks():
            assert c.allocated_size == allocated[full], c.path
    sizes = [(-c.size, c.path) for c in u.children]
    assert sizes == sorted(sizes)
    src = next(c for c in u.children if c.path == "src")
    assert (src.is_dir, src.file_count, src.dir_count, src.size) == (True, 3, 2, 75010)
    assert [(c.path, c.size) for c in src.children] == [("pkg", 70010)]  # files are not listed below depth 1
    assert [(c.path, c.dir_count) for c in src.children[0].children] == [("deep", 0)]
    empty = next(c for c in u.children if c.path == "empty")
    assert (empty.is_dir, empty.size, empty.file_count, empty.dir_count) == (True, 0, 0, 1)
    assert next(c for c in u.children if c.path == "conf.d").is_dir  # pyfs-watcher: False (a ".d" suffix)


def test_every_directory_equals_du(tmp_path: Path) -> None:
    """Each directory's totals at every depth, not only the root's and its children: the nodes
    are linked to their parents as the parallel walk finds them, so a mix-up would show here."""
    root = tmp_path / "many"
    level = [root]
    for depth in range(4):
        nxt = []
        for k, d in enumerate(level):
            for j in range(3 if depth < 3 else 2):
                c = d / f"d{j}"
                c.mkdir(parents=True)
                (c / f"f{depth}").write_bytes(b"x" * (100 * (k + 1) + j))
                nxt.append(c)
        level = nxt
    (root / "d1" / "d1" / "empty").mkdir()
    apparent = du("--apparent-size", str(root))
    allocated = du(str(root))
    u = pyfs_jvm.disk_usage(str(root), max_workers=3)
    seen = 0
    stack = [(root / c.path, c) for c in u.children]
    while stack:
        path, e = stack.pop()
        if not e.is_dir:
            continue
        seen += 1
        assert e.apparent_size == apparent[str(path)], path
        if has_blocks():
            assert e.allocated_size == allocated[str(path)], path
        assert e.dir_count == sum(1 for p in path.rglob("*") if p.is_dir()), path
        stack.extend((path / c.path, c) for c in e.children)
    assert seen == len(apparent) - 1 == 3 + 9 + 27 + 54 + 1  # every directory below the root


def test_same_as_pyfs_watcher_where_it_is_right(usage_tree: Path) -> None:
    ours = pyfs_jvm.disk_usage(str(usage_tree))
    theirs = pw.disk_usage(str(usage_tree))
    assert (ours.total_size, ours.total_files) == (theirs.total_size, theirs.total_files)
    ref = {c.path: (c.size, c.file_count) for c in theirs.children}
    assert {c.path: (c.size, c.file_count) for c in ours.children if c.path in ref} == ref
    assert repr(ours).startswith(f"DiskUsage({ours.total_size}B, {ours.total_files} files, ")
    a = pyfs_jvm.disk_usage(str(usage_tree), glob_pattern="*.py")
    b = pw.disk_usage(str(usage_tree), glob_pattern="*.py")
    assert (a.total_size, a.total_files) == (b.total_size, b.total_files) == (75010, 3)
    # skip_hidden: we also prune hidden directories (pyfs-watcher still counts .hidden/h.txt)
    a = pyfs_jvm.disk_usage(str(usage_tree), skip_hidden=True)
    b = pw.disk_usage(str(usage_tree), skip_hidden=True)
    assert (a.total_size, a.total_files) == (b.total_size - 4000, b.total_files - 1)


def test_max_depth_is_honoured(usage_tree: Path) -> None:
    one = pyfs_jvm.disk_usage(str(usage_tree), max_depth=1)
    assert one.total_files == 2  # top.bin, sparse.img
    assert one.total_dirs == 4  # the top-level directories themselves, not read
    two = pyfs_jvm.disk_usage(str(usage_tree), max_depth=2)
    assert two.total_files == 5  # + src/a.py, conf.d/x.conf, .hidden/h.txt
    assert pyfs_jvm.disk_usage(str(usage_tree), max_depth=0).total_files == 0
    full = pyfs_jvm.disk_usage(str(usage_tree))
    assert full.total_files == 7


def test_follow_symlinks_counts_targets_once(usage_tree: Path) -> None:
    os.symlink("src", usage_tree / "src-link")
    plain = pyfs_jvm.disk_usage(str(usage_tree))
    followed = pyfs_jvm.disk_usage(str(usage_tree), follow_symlinks=True)
    assert followed.total_files == plain.total_files  # every target was already counted
    assert followed.apparent_size == du("-L", "--apparent-size", "-s", str(usage_tree))[str(usage_tree)]


def test_non_utf8_names(odd_names: Path) -> None:
    u = pyfs_jvm.disk_usage(odd_names)
    assert u.total_files == 10
    for c in u.children:
        assert os.path.lexists(os.path.join(odd_names, c.path))


def test_bad_input(usage_tree: Path) -> None:
    with pytest.raises(DiskUsageError, match="path does not exist") as e:
        pyfs_jvm.disk_usage(str(usage_tree / "missing"))
    assert isinstance(e.value, FileNotFoundError)
    with pytest.raises(DiskUsageError, match="path is not a directory"):
        pyfs_jvm.disk_usage(str(usage_tree / "top.bin"))
    with pytest.raises(DiskUsageError, match="invalid glob pattern"):
        pyfs_jvm.disk_usage(str(usage_tree), glob_pattern="{a")
    with pytest.raises(OverflowError):
        pyfs_jvm.disk_usage(str(usage_tree), max_depth=-1)
    u = pyfs_jvm.disk_usage(usage_tree)
    with pytest.raises(AttributeError):
        u.total_size = 1  # type: ignore[misc]


def test_unreadable_directories_are_reported(usage_tree: Path) -> None:
    (usage_tree / "src" / "pkg").chmod(0)
    code = f"""
import json, pyfs_jvm
u = pyfs_jvm.disk_usage({str(usage_tree)!r})
print(json.dumps({{"files": u.total_files, "errors": [(type(e).__name__, e.filename) for e in u.errors]}}))
"""
    try:
        out = run_python(code, unprivileged=True)
    finally:
        (usage_tree / "src" / "pkg").chmod(0o755)
    assert out["errors"] == [["DiskUsageError", str(usage_tree / "src" / "pkg")]]
    assert out["files"] == 5
