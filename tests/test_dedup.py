"""find_duplicates: against a brute-force grouping, against pyfs-watcher, and on the edge cases
pyfs-watcher gets wrong (hidden files, the same file twice, hard links)."""

from __future__ import annotations

import hashlib
import os
import random
from collections import defaultdict
from pathlib import Path

import pytest

import pyfs_jvm
from pyfs_jvm.errors import HashError

from helpers import run_python

import pyfs_watcher as pw  # noqa: E402  (a test dependency: never skipped)


def brute_force(root: Path, min_size: int = 1) -> set[frozenset[str]]:
    """Every group of >1 distinct inodes with equal full contents (sha256), as sets of paths."""
    by_hash: dict[bytes, list[str]] = defaultdict(list)
    inodes: dict[bytes, set[tuple[int, int]]] = defaultdict(set)
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            st = os.stat(p)
            if st.st_size < min_size:
                continue
            h = hashlib.sha256(Path(p).read_bytes()).digest()
            by_hash[h].append(p)
            inodes[h].add((st.st_dev, st.st_ino))
    return {frozenset(v) for h, v in by_hash.items() if len(inodes[h]) > 1}


def groups_of(result: list[pyfs_jvm.types.DuplicateGroup]) -> set[frozenset[str]]:
    return {frozenset(g.paths) for g in result}


@pytest.fixture
def dup_tree(tmp_path: Path) -> Path:
    """Random files with many traps: equal sizes, equal heads and tails, one byte off in the middle."""
    rng = random.Random(7)
    root = tmp_path / "d"
    for k in range(6):
        (root / f"dir{k}" / "sub").mkdir(parents=True)
    blobs = [rng.randbytes(rng.choice([1, 10, 4096, 8192, 8193, 20000, 300000])) for _ in range(25)]
    n = 0
    for b in blobs:
        for c in range(rng.randint(1, 4)):
            (root / f"dir{rng.randrange(6)}" / rng.choice(["", "sub"]) / f"f{n}").write_bytes(b)
            n += 1
        if len(b) > 2 * 4096:  # same size, head and tail; differs in the middle
            v = bytearray(b)
            v[len(b) // 2] ^= 1
            (root / f"dir{rng.randrange(6)}" / f"v{n}").write_bytes(bytes(v))
            n += 1
    # same size and head, different end (the trap for head-only partial hashes)
    big = rng.randbytes(200_000)
    (root / "dir0" / "big_a").write_bytes(big)
    (root / "dir1" / "big_b").write_bytes(big)
    (root / "dir2" / "big_c").write_bytes(big[:-1] + bytes([big[-1] ^ 0xFF]))
    (root / "empty1").write_bytes(b"")
    (root / "empty2").write_bytes(b"")
    return root


@pytest.mark.parametrize("algorithm", ["blake3", "sha256"])
def test_same_groups_as_brute_force(dup_tree: Path, algorithm: str) -> None:
    result = pyfs_jvm.find_duplicates([str(dup_tree)], algorithm=algorithm)
    assert groups_of(result) == brute_force(dup_tree)
    assert any("big_a" in p for g in result for p in g.paths)
    assert not any("big_c" in p for g in result for p in g.paths)
    for g in result:
        data = Path(g.paths[0]).read_bytes()
        assert g.file_size == len(data)
        if algorithm == "sha256":
            assert g.hash_hex == hashlib.sha256(data).hexdigest()
        assert g.paths == sorted(g.paths)
        assert g.wasted_bytes == g.file_size * (len(g) - 1)


def test_small_partial_size_and_one_worker_give_the_same_groups(dup_tree: Path) -> None:
    expected = brute_force(dup_tree)
    assert groups_of(pyfs_jvm.find_duplicates([str(dup_tree)], partial_hash_size=1, max_workers=1)) == expected
    assert groups_of(pyfs_jvm.find_duplicates([str(dup_tree)], partial_hash_size=1 << 20)) == expected


def test_same_groups_and_hashes_as_pyfs_watcher(dup_tree: Path) -> None:
    ours = pyfs_jvm.find_duplicates([str(dup_tree)])
    theirs = pw.find_duplicates([str(dup_tree)])
    assert {(g.hash_hex, g.file_size, frozenset(g.paths)) for g in ours} == \
        {(g.hash_hex, g.file_size, frozenset(g.paths)) for g in theirs}
    assert [g.wasted_bytes for g in ours] == sorted((g.wasted_bytes for g in ours), reverse=True)
    keys = [(-g.wasted_bytes, g.hash_hex) for g in ours]
    assert keys == sorted(keys)


def test_progress_is_pyfs_watchers_seven_calls(dup_tree: Path) -> None:
    ours: list[tuple[str, int, int]] = []
    theirs: list[tuple[str, int, int]] = []
    pyfs_jvm.find_duplicates([str(dup_tree)], progress_callback=lambda *a: ours.append(a))
    pw.find_duplicates([str(dup_tree)], progress_callback=lambda *a: theirs.append(a))
    assert [s for s, _, _ in ours] == ["collecting", "size_grouping", "size_grouping", "partial_hash",
                                       "partial_hash", "full_hash", "full_hash"]
    assert ours[0] == ("collecting", 0, 0)
    assert ours[1][2] == theirs[1][2]  # same files collected
    assert ours[-1] == theirs[-1]  # same files in duplicate groups
    assert ours[-1][1] == sum(len(g) for g in pyfs_jvm.find_duplicates([str(dup_tree)]))


def test_callback_exception_propagates(dup_tree: Path) -> None:
    def boom(stage: str, done: int, total: int) -> None:
        if stage == "partial_hash":
            raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        pyfs_jvm.find_duplicates([str(dup_tree)], progress_callback=boom)


def test_hidden_files_are_included(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "blob").write_bytes(b"same")
    (tmp_path / ".dot").write_bytes(b"same")
    (tmp_path / "visible").write_bytes(b"same")
    [g] = pyfs_jvm.find_duplicates([str(tmp_path)])
    assert g.paths == sorted(str(tmp_path / n) for n in [".git/blob", ".dot", "visible"])
    assert [len(x) for x in pw.find_duplicates([str(tmp_path)])] == []  # it misses all but one


def test_same_file_given_twice_is_not_its_own_duplicate(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "only").write_bytes(b"unique contents")
    os.symlink(tmp_path / "sub" / "only", tmp_path / "link")
    inputs = [str(tmp_path), str(tmp_path / "sub"), str(tmp_path / "sub" / "only"), str(tmp_path / "link"),
              str(tmp_path / "sub" / ".." / "sub")]
    assert pyfs_jvm.find_duplicates(inputs) == []
    assert len(pw.find_duplicates(inputs)) == 1  # the reference reports the file as its own duplicate


def test_hard_links_are_one_file(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"x" * 1000)
    os.link(tmp_path / "a", tmp_path / "a_link")
    [g] = pyfs_jvm.find_duplicates([str(tmp_path)])  # reported as hard links: no space to win
    assert (g.copies, g.wasted_bytes, len(g)) == (1, 0, 2)
    assert g.hard_links == [g.paths] == [[str(tmp_path / "a"), str(tmp_path / "a_link")]]
    assert g.hash_hex == pw.find_duplicates([str(tmp_path)])[0].hash_hex
    (tmp_path / "b").write_bytes(b"x" * 1000)
    [g] = pyfs_jvm.find_duplicates([str(tmp_path)])
    assert g.paths == [str(tmp_path / n) for n in ["a", "a_link", "b"]]
    assert g.hard_links == [[str(tmp_path / "a"), str(tmp_path / "a_link")]]
    assert g.copies == 2 and len(g) == 3
    assert g.wasted_bytes == 1000
    # a hard-linked file among other sizes, and one whose size matches a different file
    (tmp_path / "c").write_bytes(b"y" * 1000)
    os.link(tmp_path / "c", tmp_path / "c_link")
    (tmp_path / "big").write_bytes(b"z" * 50_000)
    os.link(tmp_path / "big", tmp_path / "big_link")
    result = pyfs_jvm.find_duplicates([str(tmp_path)])
    assert [(len(x), x.copies, x.wasted_bytes) for x in result] == [(3, 2, 1000), (2, 1, 0), (2, 1, 0)]
    assert {frozenset(x.paths) for x in result} == {frozenset(x.paths) for x in pw.find_duplicates([str(tmp_path)])}


def test_min_size_and_empty_files(tmp_path: Path) -> None:
    for n in ["e1", "e2", "e3"]:
        (tmp_path / n).write_bytes(b"")
    (tmp_path / "s1").write_bytes(b"ab")
    (tmp_path / "s2").write_bytes(b"ab")
    assert [len(g) for g in pyfs_jvm.find_duplicates([str(tmp_path)])] == [2]
    result = pyfs_jvm.find_duplicates([str(tmp_path)], min_size=0)
    assert sorted(len(g) for g in result) == [2, 3]
    assert pyfs_jvm.find_duplicates([str(tmp_path)], min_size=3) == []


def test_not_recursive_reads_direct_children_only(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for p in ["a", "b", "sub/c"]:
        (tmp_path / p).write_bytes(b"dup")
    [g] = pyfs_jvm.find_duplicates([tmp_path], recursive=False)  # PathLike accepted
    assert len(g) == 2
    [g] = pyfs_jvm.find_duplicates([tmp_path])
    assert len(g) == 3


def test_non_utf8_names_round_trip(tmp_path: Path) -> None:
    raw = os.fsencode(str(tmp_path))
    for n in [b"bad\xff", b"caf\xc3\xa9", b"new\nline"]:
        with open(raw + b"/" + n, "wb") as f:
            f.write(b"same bytes")
    [g] = pyfs_jvm.find_duplicates([str(tmp_path)])
    assert len(g) == 3
    for p in g.paths:
        assert Path(p).read_bytes() == b"same bytes"


def test_bad_input_fails_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(HashError, match="path does not exist") as e:
        pyfs_jvm.find_duplicates([str(tmp_path / "missing")])
    assert isinstance(e.value, FileNotFoundError)
    with pytest.raises(HashError, match="unknown algorithm"):
        pyfs_jvm.find_duplicates([str(tmp_path)], algorithm="md4")
    with pytest.raises(TypeError):
        pyfs_jvm.find_duplicates(str(tmp_path))  # type: ignore[arg-type]
    with pytest.raises(OverflowError):
        pyfs_jvm.find_duplicates([str(tmp_path)], min_size=-1)
    with pytest.raises(TypeError):
        pyfs_jvm.find_duplicates([str(tmp_path)], recursive=1)  # type: ignore[arg-type]
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(HashError, match="neither a file nor a directory"):
        pyfs_jvm.find_duplicates([str(tmp_path / "fifo")])


def test_result_objects_are_read_only(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"1")
    (tmp_path / "b").write_bytes(b"1")
    [g] = pyfs_jvm.find_duplicates([str(tmp_path)])
    with pytest.raises(AttributeError):
        g.file_size = 3  # type: ignore[misc]
    g.paths.append("x")
    assert len(g.paths) == 2
    assert repr(g) == "DuplicateGroup(1B x 2 copies, wasted=1B)"


def test_unreadable_files_are_reported_and_left_out(tmp_path: Path) -> None:
    for n in ["a", "b", "c"]:
        (tmp_path / n).write_bytes(b"same")
    (tmp_path / "c").chmod(0)
    code = f"""
import json, pyfs_jvm
errs = []
groups = pyfs_jvm.find_duplicates([{str(tmp_path)!r}], on_error=errs.append)
print(json.dumps({{"groups": [g.paths for g in groups],
                  "errors": [(type(e).__name__, isinstance(e, PermissionError), e.filename) for e in errs]}}))
"""
    out = run_python(code, unprivileged=True)
    assert out["groups"] == [[str(tmp_path / "a"), str(tmp_path / "b")]]
    assert out["errors"] == [["HashError", True, str(tmp_path / "c")]]


@pytest.mark.parametrize("call", ["find_duplicates([root])", "snapshot(root)"])
def test_ctrl_c_cancels_promptly(tmp_path: Path, call: str) -> None:
    import signal
    import subprocess
    import sys
    import time

    block = os.urandom(1 << 20)
    for k in range(48):
        (tmp_path / f"dup{k}").write_bytes(block * 2)  # 96 MiB of duplicates: seconds of hashing
    code = f"""
import time, pyfs_jvm
from pyfs_jvm import *
root = {str(tmp_path)!r}
pyfs_jvm.find_duplicates([root], min_size=1 << 30)   # JVM up
try:
    print("ready", flush=True)
    while True:
        {call}
except KeyboardInterrupt:
    t = time.monotonic()
    print(f"interrupted {{t!r}}", flush=True)
    # the cancelled work has unwound: the next call runs normally
    print(len(pyfs_jvm.find_duplicates([root], min_size=1 << 30)), flush=True)
"""
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.stdout is not None and p.stderr is not None
    assert p.stdout.readline().strip() == "ready"
    sent = time.monotonic()
    p.send_signal(signal.SIGINT)
    line = p.stdout.readline().split()
    after = p.stdout.readline().strip()
    p.wait(timeout=60)
    assert line and line[0] == "interrupted", p.stderr.read()
    assert float(line[1]) - sent < 0.5
    assert after == "0"
