"""diff_dirs / DirDiff / DiffEntry / MovedEntry, against the real pyfs-watcher 0.3.0 on the same trees."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

import pyfs_jvm
from pyfs_jvm.errors import DirDiffError, HashError
from pyfs_jvm.types import DiffEntry, DirDiff

import pyfs_watcher as pw  # noqa: E402  (a test dependency: never skipped)


def rows(d: object) -> dict[str, list[tuple[object, ...]]]:
    out: dict[str, list[tuple[object, ...]]] = {}
    for k in ("added", "removed", "modified", "unchanged"):
        out[k] = [(e.path, e.source_size, e.target_size, e.source_hash, e.target_hash) for e in getattr(d, k)]
    out["moved"] = [(m.source_path, m.target_path, m.hash_hex, m.file_size) for m in getattr(d, "moved")]
    return out


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    s, t = tmp_path / "s", tmp_path / "t"
    for d in (s, t):
        (d / "sub" / "deep").mkdir(parents=True)
    files_s = {"same": b"x", "mod_size": b"x", "mod_content": b"a", "gone": b"gone", "mv": b"moved content",
               "dup1": b"dup", "dup2": b"dup", "sub/deep/keep.txt": b"k" * 5000, "a.txt": b"t", ".hid": b"h"}
    files_t = {"same": b"x", "mod_size": b"xy", "mod_content": b"b", "new": b"new", "sub/mv_here": b"moved content",
               "dupA": b"dup", "sub/deep/keep.txt": b"k" * 5000, "a.txt": b"t", ".hid": b"H", "b.txt": b"b"}
    for root, files in ((s, files_s), (t, files_t)):
        for rel, data in files.items():
            (root / rel).write_bytes(data)
    os.symlink("same", s / "link")  # symlinks are not compared (pyfs-watcher ignores them)
    os.symlink("nowhere", t / "link2")
    return s, t


@pytest.mark.parametrize("kwargs", [
    {},
    {"detect_moves": True},
    {"compare_content": False},
    {"algorithm": "sha256"},
    {"glob_pattern": "*.txt"},
    {"max_depth": 1},
    {"detect_moves": True, "compare_content": False},
])
def test_same_result_as_pyfs_watcher(pair: tuple[Path, Path], kwargs: dict[str, object]) -> None:
    s, t = pair
    stages: list[str] = []
    theirs_stages: list[str] = []
    ours = pyfs_jvm.diff_dirs(str(s), str(t), progress_callback=stages.append, **kwargs)  # type: ignore[arg-type]
    theirs = pw.diff_dirs(str(s), str(t), progress_callback=theirs_stages.append, **kwargs)
    r_ours, r_theirs = rows(ours), rows(theirs)
    for k in r_ours:
        assert r_ours[k] == sorted(r_ours[k]), f"{k} is not sorted by path"
        if kwargs.get("detect_moves"):
            # pyfs-watcher pairs equal files in random (HashMap) order: which "dup" file pairs with
            # "dupA" varies from run to run; everything else, and the counts, must agree
            assert len(r_ours[k]) == len(r_theirs[k])
            assert [r for r in r_ours[k] if "dup" not in str(r[:2])] == \
                   sorted(r for r in r_theirs[k] if "dup" not in str(r[:2])), k
        else:
            assert r_ours[k] == sorted(r_theirs[k]), k
    assert stages == theirs_stages == ["walking_source", "walking_target", "comparing"]
    assert ours.total_changes == theirs.total_changes
    assert repr(ours) == repr(theirs)


def test_detect_moves_pairs_by_content_one_to_one(pair: tuple[Path, Path]) -> None:
    s, t = pair
    d = pyfs_jvm.diff_dirs(str(s), str(t), detect_moves=True)
    moved = [(m.source_path, m.target_path) for m in d.moved]
    # "mv" -> "sub/mv_here"; of the two "dup" files only one can pair with the single "dupA"
    assert moved == [("dup1", "dupA"), ("mv", "sub/mv_here")]
    assert [e.path for e in d.removed] == ["dup2", "gone"]
    assert [e.path for e in d.added] == ["b.txt", "new"]
    m = d.moved[1]
    assert m.file_size == len(b"moved content") and len(m.hash_hex) == 64
    assert repr(m) == 'MovedEntry("mv" -> "sub/mv_here")'


def test_entries_have_the_reference_fields(pair: tuple[Path, Path]) -> None:
    s, t = pair
    d = pyfs_jvm.diff_dirs(str(s), str(t))
    assert isinstance(d, DirDiff)
    e = {x.path: x for x in d.modified}
    assert (e["mod_size"].source_size, e["mod_size"].target_size, e["mod_size"].source_hash) == (1, 2, None)
    assert e["mod_content"].source_hash != e["mod_content"].target_hash is not None
    assert repr(e["mod_size"]) == 'DiffEntry("mod_size")'
    assert all(isinstance(x, DiffEntry) for x in d.unchanged)
    with pytest.raises(AttributeError):
        d.added = []  # type: ignore[misc]
    with pytest.raises(AttributeError):
        e["mod_size"].path = "x"  # type: ignore[misc]
    lst = d.added
    lst.clear()
    assert d.added  # each access is a new list


def test_skip_hidden_also_skips_hidden_directories(tmp_path: Path) -> None:
    s, t = tmp_path / "s", tmp_path / "t"
    for d in (s, t):
        (d / ".git").mkdir(parents=True)
    (s / ".git" / "config").write_text("a")
    (t / ".git" / "config").write_text("b")
    assert pyfs_jvm.diff_dirs(str(s), str(t)).total_changes == 1
    assert pyfs_jvm.diff_dirs(str(s), str(t), skip_hidden=True).total_changes == 0


def test_names_that_are_not_utf8(odd_names: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(os.fsencode(str(odd_names)), os.fsencode(str(copy)))
    with open(os.fsencode(str(copy)) + b"/bad\xff\xfename", "wb") as f:
        f.write(b"changed!")
    d = pyfs_jvm.diff_dirs(str(odd_names), str(copy))
    assert [e.path for e in d.modified] == [os.fsdecode(b"bad\xff\xfename")]
    assert len(d.unchanged) == 9


def test_errors_match_the_reference(pair: tuple[Path, Path], tmp_path: Path) -> None:
    s, t = pair
    cases = [((str(tmp_path / "nope"), str(t)), {}), ((str(s), str(s / "same")), {}),
             ((str(s), str(t)), {"algorithm": "md4"}), ((str(s), str(t)), {"glob_pattern": "[a"})]
    for args, kw in cases:
        with pytest.raises(Exception) as theirs:
            pw.diff_dirs(*args, **kw)
        with pytest.raises(Exception) as ours:
            pyfs_jvm.diff_dirs(*args, **kw)  # type: ignore[arg-type]
        assert type(ours.value).__name__ == type(theirs.value).__name__
        assert str(ours.value).split(":")[0].split(", expected")[0] == \
               str(theirs.value).split(":")[0].split(", expected")[0]
    with pytest.raises(DirDiffError) as info:
        pyfs_jvm.diff_dirs(str(tmp_path / "nope"), str(t))
    assert isinstance(info.value, FileNotFoundError)
    with pytest.raises(HashError) as info2:
        pyfs_jvm.diff_dirs(str(s), str(t), algorithm="md4")
    assert isinstance(info2.value, ValueError)


def test_callback_runs_on_the_callers_thread_and_its_exception_propagates(pair: tuple[Path, Path]) -> None:
    s, t = pair
    threads = []

    def cb(stage: str) -> None:
        threads.append(threading.get_ident())
        if stage == "walking_target":
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        pyfs_jvm.diff_dirs(str(s), str(t), progress_callback=cb)
    assert set(threads) == {threading.get_ident()}


def test_a_pair_that_cannot_be_hashed_is_modified_not_unchanged(tmp_path: Path) -> None:
    from helpers import run_python

    base = Path(os.path.realpath("/tmp")) / f"pyfs-jvm-diffperm-{os.getpid()}"
    for d in ("s", "t"):
        (base / d).mkdir(parents=True)
        (base / d / "f").write_text("same")
        (base / d / "f").chmod(0)
    base.chmod(0o755)
    try:
        out = run_python(f"""
import json, pyfs_jvm
d = pyfs_jvm.diff_dirs({str(base / 's')!r}, {str(base / 't')!r})
print(json.dumps([[e.path for e in d.modified], [e.path for e in d.unchanged]]))
""", unprivileged=True)
    finally:
        import shutil

        shutil.rmtree(base)
    assert out == [["f"], []]  # pyfs-watcher: None == None, so "unchanged"
