"""snapshot / verify / Snapshot.save/load: the JSON file moves between pyfs-jvm and the real
pyfs-watcher 0.3.0 in both directions, and the fixes (filters recorded, atomic saves, metadata
checks, errors reported) hold."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

import pyfs_jvm
from pyfs_jvm.errors import HashError, SnapshotError
from pyfs_jvm.types import Snapshot

from helpers import run_python

import pyfs_watcher as pw  # noqa: E402  (a test dependency: never skipped)
import pyfs_watcher.types as pw_types  # noqa: E402


@pytest.fixture
def data(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    (root / "sub" / "deep").mkdir(parents=True)
    (root / "a.txt").write_bytes(b"hello")
    (root / "b.bin").write_bytes(bytes(range(256)) * 40)
    (root / "sub" / "c.txt").write_bytes(b"c" * 100)
    (root / "sub" / "deep" / "d.log").write_bytes(b"")
    (root / "caf\u00e9 \u2603.txt").write_bytes(b"unicode")
    (root / "exec.sh").write_bytes(b"#!/bin/sh\n")
    (root / "exec.sh").chmod(0o755)
    os.symlink("a.txt", root / "link")  # not a regular file: never in a snapshot
    return root


def entry_rows(entries: list) -> list[tuple[object, ...]]:  # type: ignore[type-arg]
    return sorted((e.path, e.hash_hex, e.file_size, e.mtime, e.permissions) for e in entries)


def test_same_entries_as_pyfs_watcher(data: Path) -> None:
    for algorithm in ["blake3", "sha256"]:
        ours = pyfs_jvm.snapshot(str(data), algorithm=algorithm)
        theirs = pw.snapshot(str(data), algorithm=algorithm)
        assert entry_rows(ours.entries) == entry_rows(theirs.entries)
        assert [e.path for e in ours.entries] == sorted(e.path for e in ours.entries)
        assert (ours.root_path, ours.algorithm, ours.total_files, ours.total_size, len(ours)) == \
            (theirs.root_path, theirs.algorithm, theirs.total_files, theirs.total_size, len(theirs))
        assert repr(ours.entries[0]).startswith('SnapshotEntry("')


def test_pyfs_watcher_file_loads_and_saves_back_byte_for_byte(data: Path, tmp_path: Path) -> None:
    theirs = pw.snapshot(str(data))
    theirs.save(str(tmp_path / "pw.json"))
    text = (tmp_path / "pw.json").read_text("utf-8")
    loaded = Snapshot.load(str(tmp_path / "pw.json"))
    assert loaded.created_at == theirs.created_at
    assert loaded.to_json() == text  # same format: indent, key order, floats, no trailing newline
    loaded.save(tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == (tmp_path / "pw.json").read_bytes()
    assert pyfs_jvm.verify(str(tmp_path / "pw.json")).ok


def test_our_file_loads_in_pyfs_watcher(data: Path, tmp_path: Path) -> None:
    ours = pyfs_jvm.snapshot(str(data))
    ours.save(str(tmp_path / "ours.json"))
    text = (tmp_path / "ours.json").read_text("utf-8")
    assert not text.endswith("\n") and "\n  \"entries\": [\n    {\n      \"path\"" in text
    assert "\u2603" in text  # non-ASCII written raw, as serde_json does
    theirs = pw_types.Snapshot.load(str(tmp_path / "ours.json"))
    # serde_json parses floats "best effort" (its float_roundtrip feature is off), so pyfs-watcher
    # may read an mtime 1 ULP off what the file says; everything else must be exact
    assert [r[:3] + r[4:] for r in entry_rows(theirs.entries)] == [r[:3] + r[4:] for r in entry_rows(ours.entries)]
    for a, b in zip(entry_rows(theirs.entries), entry_rows(ours.entries)):
        assert a[3] == pytest.approx(b[3], rel=0, abs=1e-6)
    assert theirs.created_at == ours.created_at
    assert pw.verify(str(tmp_path / "ours.json")).ok
    # chrono's to_rfc3339(): "+00:00", and 0, 3, 6 or 9 fraction digits
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.(\d{3}|\d{6}|\d{9}))?\+00:00", ours.created_at)


def test_verify_finds_added_removed_modified_like_pyfs_watcher(data: Path, tmp_path: Path) -> None:
    pyfs_jvm.snapshot(str(data)).save(str(tmp_path / "s.json"))
    (data / "a.txt").write_bytes(b"HELLO")  # same size, other contents
    (data / "sub" / "c.txt").unlink()
    (data / "new.txt").write_bytes(b"new")
    (data / "b.bin").write_bytes(b"shorter")
    events: list[tuple[str, int, int]] = []
    ours = pyfs_jvm.verify(str(tmp_path / "s.json"), progress_callback=lambda *a: events.append(a))
    theirs = pw.verify(str(tmp_path / "s.json"))
    assert not ours.ok
    for kind in ["added", "removed", "modified"]:
        mine = [(c.path, c.change_type, c.expected_hash, c.actual_hash, c.expected_size, c.actual_size)
                for c in getattr(ours, kind)]
        ref = sorted((c.path, c.change_type, c.expected_hash, c.actual_hash, c.expected_size, c.actual_size)
                     for c in getattr(theirs, kind))
        assert mine == ref, kind
    assert [c.path for c in ours.modified] == ["a.txt", "b.bin"]
    assert repr(ours) == "VerifyResult(ok=false, added=1, removed=1, modified=2, errors=0)"
    n = len(Snapshot.load(str(tmp_path / "s.json")).entries)
    assert events == [("walking", 0, 0), ("verifying", 0, n), ("done", n, n)]


def test_snapshot_progress_matches_pyfs_watcher(data: Path) -> None:
    ours: list[tuple[str, int, int]] = []
    theirs: list[tuple[str, int, int]] = []
    pyfs_jvm.snapshot(str(data), progress_callback=lambda *a: ours.append(a))
    pw.snapshot(str(data), progress_callback=lambda *a: theirs.append(a))
    assert ours == theirs


def test_filters_are_recorded_and_reused_by_verify(data: Path, tmp_path: Path) -> None:
    (data / ".hidden").write_bytes(b"h")
    snap = pyfs_jvm.snapshot(str(data), glob_pattern="*.txt", skip_hidden=True, max_depth=2)
    assert sorted(e.path for e in snap.entries) == ["a.txt", "caf\u00e9 \u2603.txt", "sub/c.txt"]
    snap.save(str(tmp_path / "f.json"))
    doc = json.loads((tmp_path / "f.json").read_text("utf-8"))
    assert doc["options"] == {"skip_hidden": True, "glob_pattern": "*.txt", "max_depth": 2,
                              "follow_symlinks": False}
    assert pyfs_jvm.verify(str(tmp_path / "f.json")).ok  # pyfs-watcher would report 4 files "added"
    assert not pw.verify(str(tmp_path / "f.json")).ok  # it loads the file (unknown key ignored)
    (data / "sub" / "new.txt").write_bytes(b"n")
    (data / "sub" / "ignored.bin").write_bytes(b"n")
    assert [c.path for c in pyfs_jvm.verify(str(tmp_path / "f.json")).added] == ["sub/new.txt"]
    # default filters: no "options" key, the file is exactly pyfs-watcher's shape
    pyfs_jvm.snapshot(str(data)).save(str(tmp_path / "d.json"))
    assert "options" not in json.loads((tmp_path / "d.json").read_text("utf-8"))


def test_metadata_changes_are_reported_on_request(data: Path) -> None:
    snap = pyfs_jvm.snapshot(str(data))
    os.chmod(data / "a.txt", 0o600)
    os.utime(data / "sub" / "c.txt", (1_000_000_000, 1_000_000_000.5))
    assert pyfs_jvm.verify(snap).ok  # contents unchanged: pyfs-watcher's notion of ok
    r = pyfs_jvm.verify(snap, check_mtime=True, check_permissions=True)
    assert not r.ok
    assert [(c.path, c.change_type) for c in r.metadata_changed] == [("a.txt", "metadata"), ("sub/c.txt", "metadata")]
    a = r.metadata_changed[0]
    assert (a.expected_permissions, a.actual_permissions) == (0o100644, 0o100600)
    assert [c.path for c in pyfs_jvm.verify(snap, check_mtime=True).metadata_changed] == ["sub/c.txt"]


def test_verify_against_another_root(data: Path, tmp_path: Path) -> None:
    import shutil

    snap = pyfs_jvm.snapshot(str(data))
    copy = tmp_path / "copy"
    shutil.copytree(data, copy, symlinks=True)
    assert pyfs_jvm.verify(snap, root=copy).ok
    (copy / "a.txt").write_bytes(b"x")
    assert [c.path for c in pyfs_jvm.verify(snap, root=str(copy)).modified] == ["a.txt"]


def test_saves_are_atomic_and_failures_leave_the_old_file(data: Path, tmp_path: Path) -> None:
    target = tmp_path / "s.json"
    target.write_text("previous")
    snap = pyfs_jvm.snapshot(str(data))
    snap.save(str(target))
    assert Snapshot.load(target).total_files == snap.total_files
    assert sorted(os.listdir(tmp_path)) == ["data", "s.json"]  # no temporary file left
    with pytest.raises(SnapshotError) as e:
        snap.save(str(tmp_path / "missing-dir" / "s.json"))
    assert isinstance(e.value, FileNotFoundError)
    ro = tmp_path / "ro"
    ro.mkdir()
    (ro / "s.json").write_text("old contents")
    code = f"""
import json, pyfs_jvm
from pyfs_jvm.types import Snapshot
snap = Snapshot.load({str(target)!r})
try:
    snap.save({str(ro / 's.json')!r})
    print(json.dumps("saved"))
except PermissionError as e:
    print(json.dumps(type(e).__name__))
"""
    os.chmod(ro, 0o555)
    try:
        assert run_python(code, unprivileged=True) == "SnapshotError"
    finally:
        os.chmod(ro, 0o755)
    assert (ro / "s.json").read_text() == "old contents"


@pytest.mark.parametrize("text, why", [
    ("", "failed to parse snapshot"),
    ("{\"root_path\": \"/x\"", "failed to parse snapshot"),
    ("[]", "expected a JSON object"),
    ("{\"root_path\": \"/x\", \"algorithm\": \"blake3\", \"created_at\": \"t\", \"total_files\": 0, "
     "\"total_size\": 0}", "missing field `entries`"),
    ("{\"root_path\": \"/x\", \"algorithm\": \"blake3\", \"created_at\": \"t\", \"total_files\": \"0\", "
     "\"total_size\": 0, \"entries\": []}", "invalid type for `total_files`"),
    ("{\"root_path\": \"/x\", \"algorithm\": \"blake3\", \"created_at\": \"t\", \"total_files\": 1, "
     "\"total_size\": 0, \"entries\": [{\"path\": \"../../etc/passwd\", \"hash_hex\": \"00\", \"file_size\": 1, "
     "\"mtime\": 1, \"permissions\": 33188}]}", "inside the root"),
    ("\xff\xfe", "failed to parse snapshot"),
])
def test_corrupt_or_truncated_files_raise(tmp_path: Path, text: str, why: str) -> None:
    p = tmp_path / "bad.json"
    p.write_bytes(text.encode("latin-1"))
    with pytest.raises(SnapshotError, match="failed to parse snapshot") as e:
        Snapshot.load(str(p))
    assert why in str(e.value)
    assert isinstance(e.value, ValueError)
    with pytest.raises(SnapshotError):
        pyfs_jvm.verify(str(p))


def test_truncated_real_snapshot_raises(data: Path, tmp_path: Path) -> None:
    pyfs_jvm.snapshot(str(data)).save(str(tmp_path / "s.json"))
    raw = (tmp_path / "s.json").read_bytes()
    (tmp_path / "t.json").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(SnapshotError, match="failed to parse snapshot"):
        pyfs_jvm.verify(str(tmp_path / "t.json"))


def test_bad_input(data: Path, tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="path is not a directory"):
        pyfs_jvm.snapshot(str(tmp_path / "missing"))
    with pytest.raises(SnapshotError, match="path is not a directory"):
        pyfs_jvm.snapshot(str(data / "a.txt"))
    with pytest.raises(HashError):
        pyfs_jvm.snapshot(str(data), algorithm="nope")
    with pytest.raises(SnapshotError, match="invalid glob pattern"):
        pyfs_jvm.snapshot(str(data), glob_pattern="[")
    with pytest.raises(SnapshotError, match="expected a Snapshot object or a path string"):
        pyfs_jvm.verify(42)  # type: ignore[arg-type]
    with pytest.raises(SnapshotError) as e:
        pyfs_jvm.verify(str(tmp_path / "nothing.json"))
    assert isinstance(e.value, FileNotFoundError)
    snap = pyfs_jvm.snapshot(str(data))
    snap.save(str(tmp_path / "s.json"))
    moved = tmp_path / "moved"
    data.rename(moved)
    with pytest.raises(SnapshotError, match="snapshot root does not exist") as e2:
        pyfs_jvm.verify(str(tmp_path / "s.json"))
    assert isinstance(e2.value, FileNotFoundError)
    doc = json.loads((tmp_path / "s.json").read_text())
    doc["algorithm"] = "md4"
    (tmp_path / "s.json").write_text(json.dumps(doc))
    with pytest.raises(HashError):
        pyfs_jvm.verify(str(tmp_path / "s.json"), root=moved)


def test_non_utf8_names_survive_save_load_verify(odd_names: Path, tmp_path: Path) -> None:
    snap = pyfs_jvm.snapshot(odd_names)
    assert snap.total_files == 10
    snap.save(tmp_path / "odd.json")
    (tmp_path / "odd.json").read_bytes().decode("utf-8")  # still valid UTF-8
    loaded = Snapshot.load(tmp_path / "odd.json")
    assert entry_rows(loaded.entries) == entry_rows(snap.entries)
    assert pyfs_jvm.verify(loaded).ok


def test_read_only_results(data: Path) -> None:
    snap = pyfs_jvm.snapshot(str(data))
    with pytest.raises(AttributeError):
        snap.entries[0].path = "x"  # type: ignore[misc]
    r = pyfs_jvm.verify(snap)
    with pytest.raises(AttributeError):
        r.ok = False  # type: ignore[misc]
    r.added.append(r.added[0] if r.added else None)  # type: ignore[arg-type]
    assert r.added == []


def test_unreadable_files_are_errors_not_silently_ok(data: Path, tmp_path: Path) -> None:
    pyfs_jvm.snapshot(str(data)).save(str(tmp_path / "s.json"))
    (data / "a.txt").chmod(0)
    code = f"""
import json, pyfs_jvm
snap = pyfs_jvm.snapshot({str(data)!r})
r = pyfs_jvm.verify({str(tmp_path / 's.json')!r})
print(json.dumps({{"snap": [e.path for e in snap.entries], "snap_errors": snap.errors,
                  "ok": r.ok, "errors": r.errors, "removed": [c.path for c in r.removed]}}))
"""
    out = run_python(code, unprivileged=True)
    assert "a.txt" not in out["snap"] and len(out["snap_errors"]) == 1 and "a.txt" in out["snap_errors"][0]
    assert out["ok"] is False
    assert out["errors"] == ["failed to hash: a.txt (Permission denied)"]
    assert out["removed"] == []
