"""sync / SyncResult / SyncProgress / SyncFileError: results against pyfs-watcher, and safety."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

import pyfs_jvm
from pyfs_jvm.errors import HashError, SyncError
from pyfs_jvm.types import SyncProgress, SyncResult
from transfer_helpers import held_deleted, make_tree, numbered_files, small_fs, snapshot, temp_files  # noqa: F401  (fixture)

import pyfs_watcher as pw  # noqa: E402  (a test dependency: never skipped)


def files_only(snap: dict[str, tuple[object, ...]]) -> dict[str, tuple[object, ...]]:
    return {k: v for k, v in snap.items() if v[0] == "file"}


@pytest.fixture
def src(tmp_path: Path) -> Path:
    return make_tree(tmp_path / "src")


def test_first_sync_copies_everything_and_matches_pyfs_watcher_on_files(src: Path, tmp_path: Path) -> None:
    ours = pyfs_jvm.sync(str(src), str(tmp_path / "t1"))
    theirs = pw.sync(str(src), str(tmp_path / "t2"))
    # pyfs-watcher syncs regular files only; we also make empty dirs and links
    assert [p for p in ours.copied if os.path.isfile(src / p) and not os.path.islink(src / p)] == sorted(theirs.copied)
    assert ours.copied == sorted(ours.copied)
    assert snapshot(tmp_path / "t1") == snapshot(src)
    assert files_only(snapshot(tmp_path / "t2")) == files_only(snapshot(src))
    assert ours.total_bytes_transferred == theirs.total_bytes_transferred
    assert (ours.deleted, ours.skipped, ours.errors) == ([], [], [])
    assert repr(ours) == "SyncResult(copied=9, deleted=0, skipped=0, errors=0)"
    assert os.stat(tmp_path / "t1" / "a.txt").st_mtime_ns == os.stat(src / "a.txt").st_mtime_ns


def test_resync_skips_by_size_and_mtime_and_checksum_compares_content(src: Path, tmp_path: Path) -> None:
    t = tmp_path / "t"
    pyfs_jvm.sync(str(src), str(t))
    again = pyfs_jvm.sync(str(src), str(t))
    assert again.copied == [] and len(again.skipped) == 9 and again.total_bytes_transferred == 0
    # same size and mtime but other bytes: the fast path trusts the times (as rsync does) ...
    st = os.stat(t / "a.txt")
    (t / "a.txt").write_bytes(b"HELLO")
    os.utime(t / "a.txt", ns=(st.st_atime_ns, st.st_mtime_ns))
    assert "a.txt" in pyfs_jvm.sync(str(src), str(t)).skipped
    # ... and checksum=True compares content, like pyfs-watcher always does
    r = pyfs_jvm.sync(str(src), str(t), checksum=True)
    assert r.copied == ["a.txt"] and (t / "a.txt").read_bytes() == b"hello"


def test_same_content_other_mtime_is_skipped_and_the_time_fixed(src: Path, tmp_path: Path) -> None:
    t = tmp_path / "t"
    pyfs_jvm.sync(str(src), str(t))
    os.utime(t / "zero", ns=(1, 1))
    os.utime(t / "a.txt", ns=(1, 1))
    r = pyfs_jvm.sync(str(src), str(t))
    assert r.copied == [] and "a.txt" in r.skipped
    assert os.stat(t / "a.txt").st_mtime_ns == os.stat(src / "a.txt").st_mtime_ns


def dir_times(root: Path) -> dict[str, tuple[int, int]]:
    """Every directory's mode and mtime (ns), by path relative to ``root``."""
    out = {}
    for d, _, _ in os.walk(root):
        st = os.lstat(d)
        out[os.path.relpath(d, root)] = (st.st_mode & 0o7777, st.st_mtime_ns)
    return out


def test_directories_get_the_sources_mode_and_times_back(src: Path, tmp_path: Path) -> None:
    """Directories written into (a copy renamed in, a file deleted) get the source's times back;
    untouched ones are fixed only where their mode or times already differ."""
    t = tmp_path / "t"
    pyfs_jvm.sync(str(src), str(t))
    for i, d in enumerate(["", "sub", "sub/deep", ".hdir", "empty"]):  # distinct times, far from now
        os.utime(src / d, ns=(1_700_000_000_000_000_000 + i, 1_600_000_000_000_000_000 + i * 1_000_003))
    pyfs_jvm.sync(str(src), str(t))
    assert dir_times(t) == dir_times(src)
    (t / "sub" / "deep" / "d.txt").write_bytes(b"changed")   # copied back: a rename into sub/deep
    (t / "sub" / "extra").write_bytes(b"x")                  # deleted: an unlink in sub
    (t / ".hdir").chmod(0o700)                               # mode only
    os.utime(t / "empty", ns=(1, 2))                         # times only
    result = pyfs_jvm.sync(str(src), str(t), delete_extra=True)
    assert (result.copied, result.deleted) == (["sub/deep/d.txt"], ["sub/extra"])
    assert dir_times(t) == dir_times(src)
    assert snapshot(t) == snapshot(src)


@pytest.mark.parametrize("where", [0, 65535, 65536, 200_000 - 1])
def test_same_size_pairs_are_compared_to_the_last_byte(tmp_path: Path, where: int) -> None:
    # the comparison reads both files block by block (64 KiB): a difference in any block, the
    # first, either side of a block boundary or the very last byte, means a copy
    s, t = tmp_path / "s", tmp_path / "t"
    s.mkdir()
    body = bytes(range(256)) * (200_000 // 256) + bytes(200_000 % 256)
    (s / "big").write_bytes(body)
    (s / "same").write_bytes(body)
    pyfs_jvm.sync(str(s), str(t))
    changed = bytearray(body)
    changed[where] ^= 1
    (t / "big").write_bytes(bytes(changed))
    os.utime(t / "big", ns=(1, 1))
    os.utime(t / "same", ns=(1, 1))
    r = pyfs_jvm.sync(str(s), str(t))
    assert r.copied == ["big"] and r.skipped == ["same"]
    assert (t / "big").read_bytes() == body
    assert os.stat(t / "same").st_mtime_ns == os.stat(s / "same").st_mtime_ns


def test_changed_files_are_copied_atomically(src: Path, tmp_path: Path) -> None:
    t = tmp_path / "t"
    pyfs_jvm.sync(str(src), str(t))
    (src / "a.txt").write_bytes(b"changed")
    os.link(t / "a.txt", tmp_path / "reader")
    r = pyfs_jvm.sync(str(src), str(t))
    assert r.copied == ["a.txt"] and r.total_bytes_transferred == 7
    assert (t / "a.txt").read_bytes() == b"changed"
    assert (tmp_path / "reader").read_bytes() == b"hello"  # replaced by rename, never rewritten in place


def test_delete_extra_removes_only_inside_the_target(src: Path, tmp_path: Path) -> None:
    t = tmp_path / "t"
    pyfs_jvm.sync(str(src), str(t))
    outside = tmp_path / "outside"
    (outside / "d").mkdir(parents=True)
    (outside / "precious").write_text("keep me")
    (outside / "d" / "x").write_text("keep me too")
    os.symlink(str(outside / "precious"), t / "link_to_outside")
    os.symlink(str(outside / "d"), t / "dirlink_to_outside")
    (t / "extra_dir" / "nested").mkdir(parents=True)
    (t / "extra_dir" / "nested" / "f").write_text("x")
    (t / "extra").write_text("x")
    r = pyfs_jvm.sync(str(src), str(t), delete_extra=True)
    assert r.deleted == ["dirlink_to_outside", "extra", "extra_dir", "extra_dir/nested", "extra_dir/nested/f",
                         "link_to_outside"]
    assert snapshot(t) == snapshot(src)
    assert (outside / "precious").read_text() == "keep me" and (outside / "d" / "x").exists()


def test_replaced_and_deleted_files_are_all_freed_by_the_time_sync_returns(tmp_path: Path) -> None:
    # on a local file system the sync frees them on other threads (held across the rename or the
    # unlink): none may still be held once it returns, more than may wait at once included
    s, t = tmp_path / "s", tmp_path / "t"
    numbered_files(s, b"new %d")
    pyfs_jvm.sync(str(s), str(t))
    numbered_files(t, b"old one %d")  # other size: replaced
    for f in list(t.glob("d*/f*")):
        f.with_name("extra" + f.name[1:]).write_bytes(b"x")  # only in the target: deleted
    r = pyfs_jvm.sync(str(s), str(t), delete_extra=True)
    assert len(r.copied) == 450 and len(r.deleted) == 450 and not r.errors
    assert held_deleted(tmp_path) == []
    assert snapshot(t) == snapshot(s)


def test_an_interrupted_resync_frees_what_it_replaced_and_leaves_whole_files(tmp_path: Path) -> None:
    # Ctrl-C in the middle of replacing files: every file is the old one or the new one, whole,
    # and the replaced ones are freed (none still held) by the time the interrupt reaches us
    n = 4000
    s, t = tmp_path / "s", tmp_path / "t"
    s.mkdir()
    for i in range(n):
        (s / f"{i:04}").write_bytes(b"N" * 4096)
    pyfs_jvm.sync(str(s), str(t))
    for i in range(n):
        (t / f"{i:04}").write_bytes(b"o" * 100)

    def cb(p: SyncProgress) -> None:
        if p.files_completed > 0:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        pyfs_jvm.sync(str(s), str(t), progress_callback=cb)
    assert held_deleted(tmp_path) == [] and temp_files(t) == []
    contents = {(t / f"{i:04}").read_bytes() for i in range(n)}
    assert contents == {b"N" * 4096, b"o" * 100}  # some replaced, some not yet: nothing in between


def test_without_delete_extra_nothing_is_deleted(src: Path, tmp_path: Path) -> None:
    t = tmp_path / "t"
    t.mkdir()
    (t / "mine").write_text("x")
    r = pyfs_jvm.sync(str(src), str(t))
    assert r.deleted == [] and (t / "mine").exists()


def test_glob_limits_both_sides(src: Path, tmp_path: Path) -> None:
    t = tmp_path / "t"
    t.mkdir()
    (t / "other.bin").write_text("not matched: never deleted")
    (t / "stale.txt").write_text("matched: deleted")
    r = pyfs_jvm.sync(str(src), str(t), glob_pattern="*.txt", delete_extra=True)
    assert r.copied == ["a.txt", "sub/deep/d.txt"] and r.deleted == ["stale.txt"]
    assert (t / "other.bin").exists()


def test_dry_run_changes_nothing_in_either_tree(src: Path, tmp_path: Path) -> None:
    t = tmp_path / "t"
    pyfs_jvm.sync(str(src), str(t))
    (src / "a.txt").write_bytes(b"new content")
    (src / "brand_new").write_text("n")
    (t / "extra").write_text("x")
    os.utime(t / "zero", ns=(5, 5))
    before = (snapshot(src), snapshot(t), os.stat(t / "zero").st_mtime_ns)
    dry = pyfs_jvm.sync(str(src), str(t), delete_extra=True, dry_run=True)
    assert (snapshot(src), snapshot(t), os.stat(t / "zero").st_mtime_ns) == before
    assert dry.copied == ["a.txt", "brand_new"] and dry.deleted == ["extra"] and dry.total_bytes_transferred == 0
    real = pyfs_jvm.sync(str(src), str(t), delete_extra=True)
    assert (real.copied, real.deleted) == (dry.copied, dry.deleted)


def test_dry_run_with_a_missing_target_creates_nothing(src: Path, tmp_path: Path) -> None:
    r = pyfs_jvm.sync(str(src), str(tmp_path / "none"), dry_run=True)
    assert not (tmp_path / "none").exists() and len(r.copied) == 9


def test_dry_run_matches_pyfs_watcher(src: Path, tmp_path: Path) -> None:
    t = tmp_path / "t"
    pyfs_jvm.sync(str(src), str(t))
    (src / "a.txt").write_bytes(b"other")
    (t / "extra").write_text("x")
    ours = pyfs_jvm.sync(str(src), str(t), delete_extra=True, dry_run=True)
    theirs = pw.sync(str(src), str(t), delete_extra=True, dry_run=True)
    assert ours.copied == sorted(theirs.copied) and ours.deleted == sorted(theirs.deleted)


def test_nested_source_and_target_are_refused(src: Path, tmp_path: Path) -> None:
    with pytest.raises(SyncError, match="^target is inside the source") as info:
        pyfs_jvm.sync(str(src), str(src / "sub" / "backup"), delete_extra=True)
    assert isinstance(info.value, ValueError) and not (src / "sub" / "backup").exists()
    with pytest.raises(SyncError, match="^source is inside the target"):
        pyfs_jvm.sync(str(src / "sub"), str(src), delete_extra=True)
    with pytest.raises(SyncError, match="same directory"):
        pyfs_jvm.sync(str(src), str(src) + "/.", delete_extra=True)
    os.symlink(str(src), tmp_path / "alias")
    with pytest.raises(SyncError, match="inside the source"):
        pyfs_jvm.sync(str(tmp_path / "alias"), str(src / "x"))


def test_validation_errors_match_the_reference_and_come_first(src: Path, tmp_path: Path) -> None:
    cases = [((str(tmp_path / "nope"), str(tmp_path / "t")), {}), ((str(src), str(src / "a.txt")), {}),
             ((str(src), str(tmp_path / "t")), {"glob_pattern": "{a"})]
    for args, kw in cases:
        with pytest.raises(Exception) as theirs:
            pw.sync(*args, **kw)
        with pytest.raises(Exception) as ours:
            pyfs_jvm.sync(*args, **kw)  # type: ignore[arg-type]
        assert type(ours.value).__name__ == type(theirs.value).__name__
        assert str(ours.value) == str(theirs.value)
        shutil.rmtree(tmp_path / "t", ignore_errors=True)
    with pytest.raises(HashError, match='^unknown algorithm "nope"'):
        pyfs_jvm.sync(str(src), str(tmp_path / "t2"), algorithm="nope")
    assert not (tmp_path / "t2").exists()  # checked before the target is created (pyfs-watcher creates it)


def test_progress_stages_and_one_call_per_file(src: Path, tmp_path: Path) -> None:
    t = tmp_path / "t"
    t.mkdir()
    (t / "extra").write_text("x")
    seen: list[SyncProgress] = []
    threads = set()

    def cb(p: SyncProgress) -> None:
        seen.append(p)
        threads.add(threading.get_ident())

    r = pyfs_jvm.sync(str(src), str(t), delete_extra=True, progress_callback=cb)
    assert threads == {threading.get_ident()}
    assert [(p.stage, p.current_file, p.files_completed) for p in seen[:3]] == \
           [("walking", "", 0), ("comparing", "", 0), ("syncing", "", 0)]
    assert seen[1].total_files == 9
    per_file = seen[3:]
    assert sorted(p.current_file for p in per_file) == sorted(r.copied + r.deleted)
    assert [p.files_completed for p in per_file] == list(range(1, 11))
    assert all(p.total_files == 10 for p in per_file)
    assert per_file[-1].bytes_transferred == r.total_bytes_transferred
    assert repr(seen[0]) == "SyncProgress(walking, 0/0 files, 0B)"


def test_an_interrupted_sync_leaves_no_partial_file(tmp_path: Path) -> None:
    # enough files that the copies outlast the callback's wake-up even on a loaded machine (with
    # 1,000 files and two busy-looping processes beside it, all were copied before the interrupt)
    n = 5000
    s = tmp_path / "s"
    s.mkdir()
    for i in range(n):
        (s / f"{i:04}").write_bytes(os.urandom(4096))

    def cb(p: SyncProgress) -> None:
        if p.files_completed > 0:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        pyfs_jvm.sync(str(s), str(tmp_path / "t"), progress_callback=cb)
    assert temp_files(tmp_path / "t") == []
    names = os.listdir(tmp_path / "t")
    assert 0 < len(names) < n
    for name in names:
        assert (tmp_path / "t" / name).read_bytes() == (s / name).read_bytes()
    r = pyfs_jvm.sync(str(s), str(tmp_path / "t"))  # and the next run finishes the job
    assert len(r.copied) + len(r.skipped) == n and not r.errors


def test_per_file_failures_are_collected_not_raised(tmp_path: Path) -> None:
    from helpers import run_python

    base = Path(os.path.realpath("/tmp")) / f"pyfs-jvm-syncperm-{os.getpid()}"
    (base / "s" / "d").mkdir(parents=True)
    (base / "s" / "ok").write_text("ok")
    (base / "s" / "secret").write_text("s")
    (base / "s" / "secret").chmod(0)
    (base / "s" / "d" / "f").write_text("f")
    (base / "t" / "d").mkdir(parents=True)
    (base / "t" / "d").chmod(0o555)
    base.chmod(0o755)
    try:
        out = run_python(f"""
import json, pyfs_jvm
r = pyfs_jvm.sync({str(base / 's')!r}, {str(base / 't')!r})
print(json.dumps([r.copied, [(e.path, e.message) for e in r.errors], repr(r.errors[0])]))
""", unprivileged=True)
        left = sorted(os.listdir(base / "t")) + sorted(os.listdir(base / "t" / "d"))
    finally:
        (base / "t" / "d").chmod(0o755)
        shutil.rmtree(base)
    assert out[0] == ["ok"]
    assert out[1] == [["d/f", "Permission denied (os error 13)"], ["secret", "Permission denied (os error 13)"]]
    assert out[2] == 'SyncFileError("d/f", "Permission denied (os error 13)")'
    assert left == ["d", "ok"]  # no partial or temporary files


def test_a_same_size_target_that_cannot_be_read_is_replaced(tmp_path: Path) -> None:
    # the byte comparison cannot open the target: it is copied over (the rename needs only the
    # directory), never left stale or reported as the same
    from helpers import run_python

    base = Path(os.path.realpath("/tmp")) / f"pyfs-jvm-synccmp-{os.getpid()}"
    (base / "s").mkdir(parents=True)
    (base / "t").mkdir()
    (base / "s" / "f").write_bytes(b"new contents")
    (base / "t" / "f").write_bytes(b"old contents")
    os.utime(base / "t" / "f", ns=(1, 1))
    (base / "t" / "f").chmod(0)
    base.chmod(0o755)
    try:
        out = run_python(f"""
import json, pyfs_jvm
r = pyfs_jvm.sync({str(base / 's')!r}, {str(base / 't')!r})
print(json.dumps([r.copied, r.skipped, len(r.errors)]))
""", unprivileged=True)
        data = (base / "t" / "f").read_bytes()
        left = sorted(os.listdir(base / "t"))
    finally:
        shutil.rmtree(base)
    assert out == [["f"], [], 0]
    assert data == b"new contents" and left == ["f"]


def test_result_types_are_read_only(src: Path, tmp_path: Path) -> None:
    r = pyfs_jvm.sync(str(src), str(tmp_path / "t"))
    assert isinstance(r, SyncResult)
    with pytest.raises(AttributeError):
        r.copied = []  # type: ignore[misc]
    r.copied.clear()
    assert r.copied


def test_a_full_disk_is_a_per_file_error_with_no_partial_file(tmp_path: Path, small_fs: Path) -> None:
    s = tmp_path / "s"
    s.mkdir()
    (s / "a_small").write_bytes(b"x" * 1000)
    (s / "big").write_bytes(os.urandom(2 << 20))
    r = pyfs_jvm.sync(str(s), str(small_fs / "t"), max_workers=1)
    assert r.copied == ["a_small"]
    assert [(e.path, e.message, e.errno) for e in r.errors] == \
           [("big", "No space left on device (os error 28)", 28)]
    assert sorted(os.listdir(small_fs / "t")) == ["a_small"]
