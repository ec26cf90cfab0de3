"""copy_files / move_files / CopyProgress: behaviour, data safety and faults on real file systems."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import stat
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import pyfs_jvm
from pyfs_jvm.errors import CopyError, FsWatcherError
from pyfs_jvm.types import CopyProgress
from transfer_helpers import held_deleted, make_tree, numbered_files, small_fs, snapshot, temp_files  # noqa: F401  (fixture)

import pyfs_watcher as pw  # noqa: E402  (a test dependency: never skipped)
import pyfs_watcher.errors  # noqa: E402  (not imported by the package itself)


# ------------------------------------------------------------------ helpers


@pytest.fixture
def src(tmp_path: Path) -> Path:
    return make_tree(tmp_path / "src")


def other_device_dir(name: str) -> Iterator[Path]:
    """A directory on another file system than tmp_path (/dev/shm is tmpfs; /tmp is on the disk here)."""
    d = Path("/dev/shm") / f"pyfs-jvm-test-{os.getpid()}-{name}"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir()
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def shm() -> Iterator[Path]:
    yield from other_device_dir("shm")


# ------------------------------------------------------------------ copy_files: what lands where


def test_copies_everything_hidden_empty_dirs_and_symlinks_as_links(src: Path, tmp_path: Path) -> None:
    out = pyfs_jvm.copy_files([str(src)], str(tmp_path / "dst"))
    dst = tmp_path / "dst" / "src"
    assert snapshot(dst) == snapshot(src)
    assert os.readlink(dst / "link") == "a.txt" and os.readlink(dst / "broken") == "nowhere"
    rel = [os.path.relpath(p, dst) for p in out]
    # one path per file or symlink, depth-first with names sorted (directories are not listed)
    assert rel == [".hdir/inside", ".hidden", "a.txt", "broken", "link", "sub/c.bin", "sub/deep/d.txt",
                   "sub/exec.sh", "zero"]
    assert temp_files(tmp_path) == []


def test_preserve_metadata_keeps_mode_and_nanosecond_times(src: Path, tmp_path: Path) -> None:
    pyfs_jvm.copy_files([str(src)], str(tmp_path / "dst"))
    d = tmp_path / "dst" / "src"
    s_st, d_st = os.stat(src / "a.txt"), os.stat(d / "a.txt")
    assert d_st.st_mtime_ns == s_st.st_mtime_ns == 1_600_000_000_987_654_321
    assert d_st.st_atime_ns == 1_500_000_000_123_456_789
    assert stat.S_IMODE(os.stat(d / "sub" / "exec.sh").st_mode) == 0o750
    # directories get their times after being filled
    assert os.stat(d / "sub").st_mtime_ns == os.stat(src / "sub").st_mtime_ns


def default_acl(*entries: tuple[int, int]) -> bytes:
    """A ``system.posix_acl_default`` value: version 2, then (tag, permissions) entries."""
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", tag, perm, 0xFFFFFFFF) for tag, perm in entries)


@pytest.mark.parametrize("acl", [False, True])
def test_modes_are_kept_whatever_creation_would_give(tmp_path: Path, acl: bool) -> None:
    # Files are created with their source's mode where the umask leaves it whole (no fchmod), so
    # the cases where creation gives something else must still end with the source's mode: bits
    # the umask takes, setuid, and a default ACL on the destination (which replaces the umask).
    s = tmp_path / "s"
    s.mkdir()
    modes = [0o644, 0o666, 0o600, 0o750, 0o777, 0o4755, 0o400]
    for m in modes:
        (s / f"{m:o}").write_bytes(b"x")
        (s / f"{m:o}").chmod(m)
    d = tmp_path / "d"
    d.mkdir()
    if acl:  # user rwx, group and others nothing: a new 0644 file would be 0600
        os.setxattr(d, "system.posix_acl_default", default_acl((0x01, 7), (0x04, 0), (0x20, 0)))
    old = os.umask(0o022)
    try:
        pyfs_jvm.copy_files([str(s)], str(d))
    finally:
        os.umask(old)
    assert {n: stat.S_IMODE(os.stat(d / "s" / n).st_mode) for n in os.listdir(s)} == {f"{m:o}": m for m in modes}


def test_without_preserve_metadata_times_are_new(src: Path, tmp_path: Path) -> None:
    pyfs_jvm.copy_files([str(src / "a.txt")], str(tmp_path / "x"), preserve_metadata=False)
    assert os.stat(tmp_path / "x").st_mtime_ns != os.stat(src / "a.txt").st_mtime_ns
    assert (tmp_path / "x").read_bytes() == b"hello"


def test_read_only_source_directory_is_filled_before_it_is_made_read_only(tmp_path: Path) -> None:
    s = tmp_path / "ro"
    s.mkdir()
    (s / "f").write_text("x")
    s.chmod(0o555)
    try:
        pyfs_jvm.copy_files([str(s)], str(tmp_path / "dst"))
        assert stat.S_IMODE(os.stat(tmp_path / "dst" / "ro").st_mode) == 0o555
        assert (tmp_path / "dst" / "ro" / "f").read_text() == "x"
    finally:
        s.chmod(0o755)
        (tmp_path / "dst" / "ro").chmod(0o755)


def test_follow_symlinks_copies_targets(src: Path, tmp_path: Path) -> None:
    (src / "broken").unlink()
    os.symlink("sub", src / "dirlink")
    pyfs_jvm.copy_files([str(src)], str(tmp_path / "dst"), follow_symlinks=True)
    d = tmp_path / "dst" / "src"
    assert not os.path.islink(d / "link") and (d / "link").read_bytes() == b"hello"
    assert not os.path.islink(d / "dirlink") and (d / "dirlink" / "deep" / "d.txt").read_bytes() == b"d" * 1000


def test_destination_rules_are_pyfs_watchers(src: Path, tmp_path: Path) -> None:
    """A directory always nests (dst/name/...); a file goes into an existing directory, else to the path."""
    (tmp_path / "exists").mkdir()
    a = pyfs_jvm.copy_files([str(src / "sub")], str(tmp_path / "missing"))
    b = pyfs_jvm.copy_files([str(src / "sub")], str(tmp_path / "exists"))
    c = pyfs_jvm.copy_files([str(src / "a.txt")], str(tmp_path / "exists"))
    d = pyfs_jvm.copy_files([str(src / "a.txt")], str(tmp_path / "newname.txt"))
    e = pyfs_jvm.copy_files([str(src / "sub") + "/"], str(tmp_path / "slash"))
    assert a[0] == str(tmp_path / "missing" / "sub" / "c.bin")
    assert b[0] == str(tmp_path / "exists" / "sub" / "c.bin")
    assert c == [str(tmp_path / "exists" / "a.txt")]
    assert d == [str(tmp_path / "newname.txt")]
    assert e[0] == str(tmp_path / "slash" / "sub" / "c.bin")  # no double nesting, no empty name
    assert not (tmp_path / "missing" / "sub" / "sub").exists()


def test_dot_source_copies_the_contents(src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(src / "sub")
    out = pyfs_jvm.copy_files(["."], str(tmp_path / "dst"))
    assert sorted(out) == sorted(str(tmp_path / "dst" / r) for r in ["c.bin", "deep/d.txt", "exec.sh"])


def test_several_files_into_a_missing_destination_make_a_directory(src: Path, tmp_path: Path) -> None:
    # pyfs-watcher copies both onto the same path (the second one fails or wins)
    out = pyfs_jvm.copy_files([str(src / "a.txt"), str(src / "zero")], str(tmp_path / "new"))
    assert out == [str(tmp_path / "new" / "a.txt"), str(tmp_path / "new" / "zero")]


def test_same_results_as_pyfs_watcher_on_a_plain_tree(tmp_path: Path) -> None:
    """On a tree pyfs-watcher copies fully (no hidden files, no links), the results are identical."""
    s = tmp_path / "plain"
    (s / "x" / "y").mkdir(parents=True)
    for i in range(30):
        (s / "x" / f"f{i:02}").write_bytes(os.urandom(i * 100))
    (s / "x" / "y" / "z").write_bytes(b"z")
    (s / "top").write_bytes(b"t")
    (tmp_path / "d1").mkdir()
    (tmp_path / "d2").mkdir()
    for dest_name, sources in [("d", [str(s)]), ("f", [str(s / "top")])]:
        ours = pyfs_jvm.copy_files(sources, str(tmp_path / "d1" / dest_name))
        theirs = pw.copy_files(sources, str(tmp_path / "d2" / dest_name))
        assert [os.path.relpath(p, tmp_path / "d1") for p in ours] == \
               [os.path.relpath(p, tmp_path / "d2") for p in theirs]
    assert snapshot(tmp_path / "d1") == snapshot(tmp_path / "d2")


def test_a_superset_of_pyfs_watcher_on_a_tree_with_hidden_files_and_links(src: Path, tmp_path: Path) -> None:
    ours = pyfs_jvm.copy_files([str(src)], str(tmp_path / "d1"))
    theirs = pw.copy_files([str(src)], str(tmp_path / "d2"))
    o = [os.path.relpath(p, tmp_path / "d1") for p in ours]
    t = [os.path.relpath(p, tmp_path / "d2") for p in theirs]
    assert set(t) < set(o)
    assert [p for p in o if p in t] == t  # same order for what both copy
    assert set(o) - set(t) == {"src/.hidden", "src/.hdir/inside", "src/link", "src/broken"}


def test_names_that_are_not_utf8_round_trip(odd_names: Path, tmp_path: Path) -> None:
    out = pyfs_jvm.copy_files([str(odd_names)], str(tmp_path / "dst"))
    assert snapshot(tmp_path / "dst" / "odd") == snapshot(odd_names)
    for p in out:
        assert os.path.exists(os.fsencode(p))


def test_accepts_pathlike_and_bytes(src: Path, tmp_path: Path) -> None:
    out = pyfs_jvm.copy_files([src / "a.txt", os.fsencode(str(src / "zero"))], tmp_path / "dst")
    assert out == [str(tmp_path / "dst" / "a.txt"), str(tmp_path / "dst" / "zero")]


# ------------------------------------------------------------------ copy_files: conflicts and errors


def test_all_conflicts_are_found_before_anything_is_written(src: Path, tmp_path: Path) -> None:
    dst = tmp_path / "dst"
    (dst / "src" / "sub" / "deep").mkdir(parents=True)
    (dst / "src" / "sub" / "deep" / "d.txt").write_bytes(b"mine")
    before = snapshot(dst)
    with pytest.raises(CopyError) as info:
        pyfs_jvm.copy_files([str(src)], str(dst))
    assert str(info.value) == f'destination already exists: "{dst}/src/sub/deep/d.txt" (use overwrite=True)'
    assert isinstance(info.value, FileExistsError) and info.value.filename == f"{dst}/src/sub/deep/d.txt"
    assert snapshot(dst) == before  # not one file written


def test_the_reference_raises_the_same_class_and_prefix(src: Path, tmp_path: Path) -> None:
    (tmp_path / "x").write_text("x")
    with pytest.raises(pw.errors.CopyError) as theirs:
        pw.copy_files([str(src / "a.txt")], str(tmp_path / "x"))
    with pytest.raises(CopyError) as ours:
        pyfs_jvm.copy_files([str(src / "a.txt")], str(tmp_path / "x"))
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(pw.errors.CopyError) as theirs:
        pw.copy_files([str(src / "a.txt"), str(tmp_path / "nope")], str(tmp_path / "y"))
    with pytest.raises(CopyError) as ours:
        pyfs_jvm.copy_files([str(src / "a.txt"), str(tmp_path / "nope")], str(tmp_path / "y"))
    assert str(ours.value) == str(theirs.value) == f'source does not exist: "{tmp_path}/nope"'
    assert isinstance(ours.value, FileNotFoundError)
    assert not (tmp_path / "y").exists()  # every source is checked first


def test_overwrite_replaces_atomically_never_in_place(src: Path, tmp_path: Path) -> None:
    dst = tmp_path / "dst"
    dst.mkdir()
    (dst / "a.txt").write_bytes(b"old contents")
    os.link(dst / "a.txt", tmp_path / "hardlink")  # a reader holding the old file
    pyfs_jvm.copy_files([str(src / "a.txt")], str(dst), overwrite=True)
    assert (dst / "a.txt").read_bytes() == b"hello"
    # a rename replaced the name; the old inode (seen through the hard link) was never truncated
    assert (tmp_path / "hardlink").read_bytes() == b"old contents"


def test_overwriting_many_files_frees_every_replaced_one_by_return(tmp_path: Path) -> None:
    # on a local file system the replaced files are freed on other threads (held across the
    # rename): more than may wait at once, and none still held once copy_files returns
    s, dst = tmp_path / "s", tmp_path / "dst"
    numbered_files(s, b"new %d")
    pyfs_jvm.copy_files([str(s / f"d{d}") for d in range(3)], str(dst))
    numbered_files(dst, b"old one %d")
    pyfs_jvm.copy_files([str(s / f"d{d}") for d in range(3)], str(dst), overwrite=True)
    assert held_deleted(tmp_path) == []
    assert snapshot(dst) == snapshot(s) and temp_files(dst) == []


def test_overwrite_onto_a_directory_fails_before_writing(src: Path, tmp_path: Path) -> None:
    dst = tmp_path / "dst"
    (dst / "a.txt").mkdir(parents=True)
    with pytest.raises(CopyError) as info:
        pyfs_jvm.copy_files([str(src / "a.txt"), str(src / "zero")], str(dst), overwrite=True)
    assert isinstance(info.value, IsADirectoryError)
    assert not (dst / "zero").exists()


def test_two_sources_onto_one_destination_fail_up_front(tmp_path: Path) -> None:
    for d in ("one", "two"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "same").write_text(d)
    with pytest.raises(CopyError) as info:
        pyfs_jvm.copy_files([str(tmp_path / "one" / "same"), str(tmp_path / "two" / "same")], str(tmp_path / "d"))
    assert "same destination" in str(info.value)
    assert not (tmp_path / "d").exists()


def test_copying_a_directory_into_itself_is_refused(src: Path) -> None:
    with pytest.raises(CopyError, match="into itself") as info:
        pyfs_jvm.copy_files([str(src)], str(src / "sub"))
    assert isinstance(info.value, ValueError)
    assert not (src / "sub" / "src").exists()


@pytest.mark.parametrize("kwargs, exc", [
    ({"sources": "a"}, TypeError),
    ({"sources": [1]}, TypeError),
    ({"overwrite": 1}, TypeError),
    ({"preserve_metadata": None}, TypeError),
    ({"callback_interval_ms": -1}, OverflowError),
    ({"callback_interval_ms": 1.5}, TypeError),
    ({"progress_callback": 3}, TypeError),
])
def test_bad_arguments_fail_before_any_work(tmp_path: Path, kwargs: dict[str, object],
                                            exc: type[Exception]) -> None:
    args: dict[str, object] = {"sources": [str(tmp_path)], "destination": str(tmp_path / "d"), **kwargs}
    with pytest.raises(exc):
        pyfs_jvm.copy_files(**args)  # type: ignore[arg-type]
    assert not (tmp_path / "d").exists()


def test_unreadable_subdirectory_fails_before_writing(tmp_path: Path) -> None:
    from helpers import run_python

    base = Path(os.path.realpath("/tmp")) / f"pyfs-jvm-copyperm-{os.getpid()}"
    (base / "s" / "locked").mkdir(parents=True)
    (base / "s" / "locked" / "x").write_text("x")
    (base / "s" / "ok").write_text("ok")
    (base / "noread").write_text("n")
    base.chmod(0o755)
    (base / "s" / "locked").chmod(0)
    (base / "noread").chmod(0)
    (base / "rodir").mkdir()
    (base / "rodir").chmod(0o555)
    try:
        out = run_python(f"""
import json, os, pyfs_jvm
res = {{}}
for name, srcs, dst in [("tree", [{str(base / 's')!r}], {str(base / 'd1')!r}),
                        ("file", [{str(base / 's' / 'ok')!r}, {str(base / 'noread')!r}], {str(base / 'd2')!r}),
                        ("rodst", [{str(base / 's' / 'ok')!r}], {str(base / 'rodir')!r})]:
    try:
        pyfs_jvm.copy_files(srcs, dst, max_workers=1)
        res[name] = None
    except pyfs_jvm.errors.CopyError as e:
        res[name] = [type(e).__mro__[1].__name__, isinstance(e, PermissionError), e.errno, e.filename]
print(json.dumps(res))
""", unprivileged=True)
    finally:
        (base / "s" / "locked").chmod(0o755)
        (base / "rodir").chmod(0o755)
        listing = sorted(os.listdir(base / "rodir")) + (sorted(os.listdir(base / "d2")) if (base / "d2").exists() else [])
        exists_d1 = (base / "d1").exists()
        shutil.rmtree(base)
    assert out["tree"] == ["CopyError", True, 13, str(base / "s" / "locked")]
    assert not exists_d1  # refused before anything was written
    assert out["file"] == ["CopyError", True, 13, str(base / "noread")]
    assert out["rodst"] == ["CopyError", True, 13, str(base / "rodir" / "ok")]
    assert [n for n in listing if n != "ok"] == []  # no partial or temporary files anywhere


def test_disk_full_leaves_no_partial_file_and_a_clear_error(tmp_path: Path, small_fs: Path) -> None:
    big = tmp_path / "big"
    big.write_bytes(os.urandom(3 << 20))
    (tmp_path / "small1").write_bytes(b"1" * 1000)
    with pytest.raises(CopyError) as info:
        pyfs_jvm.copy_files([str(tmp_path / "small1"), str(big)], str(small_fs), max_workers=1)
    assert info.value.errno == 28 and "No space left" in str(info.value)
    assert info.value.filename == str(small_fs / "big")
    assert sorted(os.listdir(small_fs)) == ["small1"]  # the finished file stays; no partial "big"
    assert (small_fs / "small1").read_bytes() == b"1" * 1000
    assert len(big.read_bytes()) == 3 << 20


def test_disk_full_in_a_new_tree_leaves_neither_tree(tmp_path: Path, small_fs: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a").write_bytes(b"1" * 1000)
    (tree / "big").write_bytes(os.urandom(3 << 20))
    with pytest.raises(CopyError) as info:
        pyfs_jvm.copy_files([str(tree)], str(small_fs), max_workers=1)
    assert info.value.errno == 28 and "No space left" in str(info.value)
    assert info.value.filename == str(small_fs / "tree" / "big")  # the final name, not the hidden one
    assert os.listdir(small_fs) == []  # no partial tree under its name, and the hidden one removed
    assert len((tree / "big").read_bytes()) == 3 << 20


# A source that vanishes between planning and copying: java-core CopyTest.sourceVanishingAfterPlanning*
# (deterministic there; from Python the copy of a small tree ends before any callback could act).


# ------------------------------------------------------------------ progress


def test_progress_on_the_callers_thread_with_a_final_callback(tmp_path: Path) -> None:
    s = tmp_path / "s"
    s.mkdir()
    for i in range(40):
        (s / f"{i:02}").write_bytes(os.urandom(100_000))
    seen: list[CopyProgress] = []
    threads: set[int] = set()

    def cb(p: CopyProgress) -> None:
        seen.append(p)
        threads.add(threading.get_ident())

    pyfs_jvm.copy_files([str(s)], str(tmp_path / "d"), progress_callback=cb, callback_interval_ms=0)
    assert threads == {threading.get_ident()}
    final = seen[-1]
    assert (final.src, final.dst, final.current_file) == ("", str(tmp_path / "d"), "")
    assert (final.bytes_copied, final.total_bytes, final.files_completed, final.total_files) == \
           (4_000_000, 4_000_000, 40, 40)
    assert repr(final) == 'CopyProgress(100.0%, 40/40 files, "")'
    for p in seen[:-1]:
        assert p.src.startswith(str(s)) and p.dst.startswith(str(tmp_path / "d")) and p.current_file
        assert p.total_bytes == 4_000_000 and 0 <= p.bytes_copied <= 4_000_000
    counts = [(p.bytes_copied, p.files_completed) for p in seen]
    assert counts == sorted(counts)
    with pytest.raises(AttributeError):
        final.bytes_copied = 3  # type: ignore[misc]


def test_a_long_interval_gives_only_the_final_callback(src: Path, tmp_path: Path) -> None:
    seen: list[CopyProgress] = []
    pyfs_jvm.copy_files([str(src)], str(tmp_path / "d"), progress_callback=seen.append,
                        callback_interval_ms=10_000_000)
    assert len(seen) == 1 and seen[0].files_completed == 9


def test_zero_files_still_give_the_final_callback(tmp_path: Path) -> None:
    (tmp_path / "e").mkdir()
    seen: list[CopyProgress] = []
    assert pyfs_jvm.copy_files([str(tmp_path / "e")], str(tmp_path / "d"), progress_callback=seen.append) == []
    assert (tmp_path / "d" / "e").is_dir()  # the empty directory is copied
    assert [repr(p) for p in seen] == ['CopyProgress(100.0%, 0/0 files, "")']


@pytest.mark.parametrize("into", ["new", "existing"])
def test_a_failing_callback_stops_the_copy_and_propagates(tmp_path: Path, into: str) -> None:
    s = tmp_path / "s"
    s.mkdir()
    for i in range(2000):
        (s / f"{i:04}").write_bytes(b"x" * 5000)
    if into == "existing":
        (tmp_path / "d" / "s").mkdir(parents=True)  # files are put in place one by one

    class Stop(Exception):
        pass

    def cb(p: CopyProgress) -> None:
        raise Stop

    with pytest.raises(Stop):
        pyfs_jvm.copy_files([str(s)], str(tmp_path / "d"), progress_callback=cb, callback_interval_ms=0)
    assert temp_files(tmp_path / "d") == []
    if into == "new":
        assert os.listdir(tmp_path / "d") == []  # a new tree appears whole or not at all
    else:
        for n in os.listdir(tmp_path / "d" / "s"):
            assert (tmp_path / "d" / "s" / n).stat().st_size == 5000


def test_a_new_tree_is_not_published_over_a_directory_made_meanwhile(tmp_path: Path) -> None:
    s = tmp_path / "s"
    s.mkdir()
    (s / "a").write_bytes(b"a")
    with open(s / "big", "wb") as f:  # sparse, but every byte is copied: the copy outlasts a callback
        f.truncate(512 << 20)
    d = tmp_path / "d"
    d.mkdir()

    def cb(p: CopyProgress) -> None:
        (d / "s").mkdir(exist_ok=True)  # someone else's, made after the plan found the name free

    with pytest.raises(CopyError) as info:
        pyfs_jvm.copy_files([str(s)], str(d), progress_callback=cb, callback_interval_ms=0)
    assert info.value.errno == errno.EEXIST and "already exists" in str(info.value)
    assert info.value.filename == str(d / "s")
    assert os.listdir(d) == ["s"] and os.listdir(d / "s") == []  # theirs, untouched; ours removed


# ------------------------------------------------------------------ interrupting a real process

_CHILD = """
import sys, pyfs_jvm
def cb(p):
    if 0 < p.bytes_copied < p.total_bytes:
        print("mid", flush=True)
pyfs_jvm.copy_files([sys.argv[1]], sys.argv[2], progress_callback=cb, callback_interval_ms=0)
print("done", flush=True)
"""


def interrupt_copy(src: Path, dst: Path, sig: int) -> None:
    """Copies ``src`` into ``dst`` in a child process and sends it ``sig`` mid-copy."""
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(src), str(dst)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line == b"mid\n", proc.stderr.read() if proc.stderr else line
        proc.send_signal(sig)
        rc = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert rc != 0


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_interrupting_a_large_copy_leaves_no_truncated_file(tmp_path: Path, sig: int) -> None:
    big = tmp_path / "big.img"
    with open(big, "wb") as f:  # sparse: instant to make, but every byte is really copied
        f.truncate(6 << 30)
    dst = tmp_path / "out"
    dst.mkdir()
    interrupt_copy(big, dst, sig)
    assert not (dst / "big.img").exists()  # never a partial file under the final name
    leftovers = os.listdir(dst)
    if sig == signal.SIGINT:
        assert leftovers == []  # Ctrl-C cancels and removes the temporary file
    else:
        # kill -9 gives no chance to clean up: only a hidden, recognisable temporary file remains
        assert len(leftovers) == 1 and leftovers[0].startswith(".big.img.") and leftovers[0].endswith(".pyfsjvm-tmp")
    assert big.stat().st_size == 6 << 30


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_interrupting_a_new_tree_leaves_nothing_under_its_name(tmp_path: Path, sig: int) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.txt").write_bytes(b"a" * 1000)
    with open(tree / "big.img", "wb") as f:
        f.truncate(6 << 30)
    dst = tmp_path / "out"
    dst.mkdir()
    interrupt_copy(tree, dst, sig)
    assert not (dst / "tree").exists()  # the tree is built under a hidden name and renamed when whole
    leftovers = os.listdir(dst)
    if sig == signal.SIGINT:
        assert leftovers == []  # Ctrl-C cancels and removes the hidden tree
    else:
        assert len(leftovers) == 1 and leftovers[0].startswith(".tree.") and leftovers[0].endswith(".pyfsjvm-tmp")
        assert (dst / leftovers[0]).is_dir()
    assert (tree / "big.img").stat().st_size == 6 << 30


# ------------------------------------------------------------------ move_files


def test_move_within_a_file_system_renames(src: Path, tmp_path: Path) -> None:
    ino = os.stat(src).st_ino
    out = pyfs_jvm.move_files([str(src)], str(tmp_path / "new" / "parents" / "moved"))
    assert out == [str(tmp_path / "new" / "parents" / "moved")]  # missing parents are created
    assert os.stat(tmp_path / "new" / "parents" / "moved").st_ino == ino and not src.exists()


def test_move_into_a_directory_and_reference_results(tmp_path: Path) -> None:
    for base in ("o", "t"):
        (tmp_path / base / "d").mkdir(parents=True)
        (tmp_path / base / "f1").write_text("1")
        (tmp_path / base / "f2").write_text("2")
    ours = pyfs_jvm.move_files([str(tmp_path / "o" / "f1"), str(tmp_path / "o" / "f2")], str(tmp_path / "o" / "d"))
    theirs = pw.move_files([str(tmp_path / "t" / "f1"), str(tmp_path / "t" / "f2")], str(tmp_path / "t" / "d"))
    assert [os.path.relpath(p, tmp_path / "o") for p in ours] == [os.path.relpath(p, tmp_path / "t") for p in theirs]
    assert snapshot(tmp_path / "o") == snapshot(tmp_path / "t")


def test_move_over_many_files_frees_every_replaced_one_by_return(tmp_path: Path) -> None:
    # a rename over a file frees it: held across the rename and freed on other threads (local
    # file systems), none still held once move_files returns, more than may wait at once
    s, dst = tmp_path / "s", tmp_path / "dst"
    moved = numbered_files(s, b"new %d", dirs=1, per_dir=450)
    numbered_files(dst, b"old one %d", dirs=1, per_dir=450)
    old = {p.name: os.stat(dst / "d0" / p.name).st_ino for p in moved}
    out = pyfs_jvm.move_files([str(p) for p in moved], str(dst / "d0"), overwrite=True)
    assert len(out) == 450 and not any(p.exists() for p in moved)
    assert held_deleted(tmp_path) == []
    for i in range(450):
        f = dst / "d0" / f"f{i}"
        assert f.read_bytes() == b"new %d" % i and os.stat(f).st_ino != old[f.name]


def test_move_checks_every_source_before_moving_any(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("a")
    (tmp_path / "b").write_text("b")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "b").write_text("old")
    with pytest.raises(CopyError, match=r"^destination already exists: .*\(use overwrite=True\)$"):
        pyfs_jvm.move_files([str(tmp_path / "a"), str(tmp_path / "b")], str(tmp_path / "d"))
    assert (tmp_path / "a").exists() and not (tmp_path / "d" / "a").exists()  # nothing moved
    with pytest.raises(CopyError, match="^source does not exist: "):
        pyfs_jvm.move_files([str(tmp_path / "a"), str(tmp_path / "zz")], str(tmp_path / "d"))
    assert (tmp_path / "a").exists()


def test_move_failure_has_the_references_prefix(tmp_path: Path) -> None:
    (tmp_path / "busy" / "s").mkdir(parents=True)
    (tmp_path / "busy" / "s" / "keep").write_text("k")
    (tmp_path / "s").mkdir()
    with pytest.raises(CopyError) as info:  # rename(2) onto a non-empty directory: ENOTEMPTY
        pyfs_jvm.move_files([str(tmp_path / "s")], str(tmp_path / "busy"), overwrite=True)
    assert str(info.value) == (f'failed to move "{tmp_path}/s" to "{tmp_path}/busy/s": '
                               f'Directory not empty (os error 39)')
    assert isinstance(info.value, OSError) and info.value.errno == 39
    assert (tmp_path / "s").is_dir() and (tmp_path / "busy" / "s" / "keep").exists()


def test_move_across_devices_copies_everything_then_deletes(src: Path, shm: Path) -> None:
    assert os.stat(src).st_dev != os.stat(shm).st_dev
    expected = snapshot(src)
    mtime = os.stat(src / "a.txt").st_mtime_ns
    seen: list[CopyProgress] = []
    out = pyfs_jvm.move_files([str(src)], str(shm / "moved"), progress_callback=seen.append, verify=True)
    assert out == [str(shm / "moved")]  # one path per source, no double nesting
    assert snapshot(shm / "moved") == expected  # hidden files, empty dirs, links: nothing lost
    assert os.stat(shm / "moved" / "a.txt").st_mtime_ns == mtime
    assert not src.exists()
    assert held_deleted(src.parent) == []  # the deleted source files were all freed by return
    assert seen and seen[-1].src == "" and seen[-1].files_completed == seen[-1].total_files


def test_move_across_devices_into_an_existing_directory(src: Path, shm: Path) -> None:
    out = pyfs_jvm.move_files([str(src / "sub"), str(src / "a.txt")], str(shm))
    assert out == [str(shm / "sub"), str(shm / "a.txt")]
    assert (shm / "sub" / "deep" / "d.txt").exists() and not (shm / "sub" / "sub").exists()
    assert not (src / "sub").exists() and not (src / "a.txt").exists()


def test_move_across_devices_to_a_full_disk_keeps_the_source(src: Path, small_fs: Path) -> None:
    (src / "sub" / "big").write_bytes(os.urandom(2 << 20))
    before = snapshot(src)
    with pytest.raises(CopyError) as info:
        pyfs_jvm.move_files([str(src)], str(small_fs / "moved"))
    assert info.value.errno == 28
    assert snapshot(src) == before  # the source is untouched
    assert os.listdir(small_fs) == []  # and the partial copy was taken back


def test_errors_are_one_hierarchy() -> None:
    assert issubclass(CopyError, FsWatcherError)
    import pyfs_jvm.errors as errors

    assert errors.CopyError is CopyError


def test_dry_run_plans_and_checks_but_writes_nothing(src: Path, tmp_path: Path) -> None:
    dst = tmp_path / "dst"
    planned = pyfs_jvm.copy_files([str(src)], str(dst), dry_run=True)
    assert not dst.exists()
    assert pyfs_jvm.copy_files([str(src)], str(dst)) == planned
    with pytest.raises(CopyError, match="overwrite"):
        pyfs_jvm.copy_files([str(src)], str(dst), dry_run=True)  # conflicts are found in a dry run too
    moved = pyfs_jvm.move_files([str(src / "a.txt"), str(src / "sub")], str(tmp_path / "m"), dry_run=True)
    assert moved == [str(tmp_path / "m" / "a.txt"), str(tmp_path / "m" / "sub")]
    assert (src / "a.txt").exists() and not (tmp_path / "m").exists()


def test_fsync_copies_the_same(src: Path, shm: Path) -> None:
    # Destinations on tmpfs: the fsync calls are made (strace shows them) but cost nothing there,
    # while on the shared VM's ext4 each one can wait seconds for other sessions' writeback.
    pyfs_jvm.copy_files([str(src)], str(shm / "dst"), fsync=True)
    assert snapshot(shm / "dst" / "src") == snapshot(src)
    expected = snapshot(src / "sub")
    pyfs_jvm.move_files([str(src / "sub")], str(shm / "sub"), fsync=True, verify=True)
    assert snapshot(shm / "sub") == expected and not (src / "sub").exists()
