"""walk / walk_collect / WalkEntry: behaviour through the public API on real trees."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

import pyfs_jvm
from pyfs_jvm.errors import FsWatcherError, WalkError
from pyfs_jvm.types import WalkEntry
from helpers import wait_for

SORTED_ALL = [
    ".hidden", "a-b", "a.txt", "b.log", "broken", "empty", "fifo", "link_a", "sub",
    "sub/.hdir", "sub/.hdir/e.txt", "sub/c.txt", "sub/deep", "sub/deep/d.txt",
]


def rel(entries: list[WalkEntry], root: Path) -> list[str]:
    prefix = str(root) + os.sep
    return [e.path[len(prefix):] for e in entries]


def test_sorted_walk_is_depth_first_preorder_by_name_bytes(tree: Path) -> None:
    assert rel(pyfs_jvm.walk_collect(str(tree), sort=True), tree) == SORTED_ALL


def test_unsorted_walk_gives_the_same_entries_in_preorder(tree: Path) -> None:
    got = rel(pyfs_jvm.walk_collect(str(tree)), tree)
    assert sorted(got) == sorted(SORTED_ALL)
    # pre-order: every entry comes after its parent directory
    for i, p in enumerate(got):
        if "/" in p:
            assert got.index(p.rsplit("/", 1)[0]) < i


def test_entry_fields(tree: Path) -> None:
    by = {e.path.rsplit("/", 1)[-1]: e for e in pyfs_jvm.walk_collect(tree, sort=True)}
    a = by["a.txt"]
    assert (a.is_file, a.is_dir, a.is_symlink, a.depth, a.file_size) == (True, False, False, 1, 5)
    assert by["d.txt"].depth == 3 and by["d.txt"].file_size == 1000
    sub = by["sub"]
    assert sub.is_dir and not sub.is_file and sub.file_size == os.lstat(tree / "sub").st_size
    link = by["link_a"]
    assert link.is_symlink and not link.is_file and not link.is_dir
    assert link.file_size == len("a.txt")  # lstat size: the length of the target text
    fifo = by["fifo"]
    assert not (fifo.is_file or fifo.is_dir or fifo.is_symlink)
    assert repr(a) == f'WalkEntry("{a.path}", file, 5B)'
    assert repr(sub) == f'WalkEntry("{sub.path}", dir, {sub.file_size}B)'
    assert repr(link) == f'WalkEntry("{link.path}", symlink, 5B)'


def test_entries_are_immutable(tree: Path) -> None:
    e = pyfs_jvm.walk_collect(tree)[0]
    with pytest.raises(AttributeError):
        e.path = "x"  # type: ignore[misc]


def test_paths_keep_the_root_as_given(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert pyfs_jvm.walk_collect(str(tree) + "/", max_depth=1, sort=True)[0].path == str(tree) + "/.hidden"
    monkeypatch.chdir(tree)
    assert [e.path for e in pyfs_jvm.walk_collect(".", max_depth=1, sort=True)][:2] == ["./.hidden", "./a-b"]
    monkeypatch.chdir(tree / "sub")
    assert pyfs_jvm.walk_collect("..", max_depth=1, sort=True)[1].path == "../a-b"


def test_accepts_str_bytes_and_pathlike(tree: Path) -> None:
    want = pyfs_jvm.walk_collect(str(tree), sort=True)
    assert pyfs_jvm.walk_collect(tree, sort=True) == want
    assert pyfs_jvm.walk_collect(os.fsencode(str(tree)), sort=True) == want


@pytest.mark.parametrize("depth,expected", [
    (0, []),
    (1, [p for p in SORTED_ALL if "/" not in p]),
    (2, [p for p in SORTED_ALL if p.count("/") <= 1]),
    (None, SORTED_ALL),
])
def test_max_depth(tree: Path, depth: int | None, expected: list[str]) -> None:
    assert rel(pyfs_jvm.walk_collect(tree, max_depth=depth, sort=True), tree) == expected


def test_file_type_filter(tree: Path) -> None:
    files = rel(pyfs_jvm.walk_collect(tree, file_type="file", sort=True), tree)
    assert files == [".hidden", "a-b", "a.txt", "b.log", "sub/.hdir/e.txt", "sub/c.txt", "sub/deep/d.txt"]
    dirs = rel(pyfs_jvm.walk_collect(tree, file_type="dir", sort=True), tree)
    assert dirs == ["empty", "sub", "sub/.hdir", "sub/deep"]


def test_glob_matches_basenames_and_does_not_prune(tree: Path) -> None:
    got = rel(pyfs_jvm.walk_collect(tree, glob_pattern="*.txt", sort=True), tree)
    assert got == ["a.txt", "sub/.hdir/e.txt", "sub/c.txt", "sub/deep/d.txt"]
    got = rel(pyfs_jvm.walk_collect(tree, glob_pattern="{a,b}.*", sort=True), tree)
    assert got == ["a.txt", "b.log"]
    got = rel(pyfs_jvm.walk_collect(tree, glob_pattern="[!a-c]*", sort=True), tree)
    assert "empty" in got and "a.txt" not in got and ".hidden" in got
    assert rel(pyfs_jvm.walk_collect(tree, glob_pattern="*.txt", file_type="dir"), tree) == []


def test_skip_hidden_leaves_out_hidden_entries_and_their_contents(tree: Path) -> None:
    got = rel(pyfs_jvm.walk_collect(tree, skip_hidden=True, sort=True), tree)
    assert got == [p for p in SORTED_ALL if not any(part.startswith(".") for part in p.split("/"))]


def test_follow_symlinks(tree: Path) -> None:
    os.symlink("sub", tree / "sublink")
    by = {e.path[len(str(tree)) + 1:]: e for e in pyfs_jvm.walk_collect(tree, follow_symlinks=True)}
    assert by["link_a"].is_file and not by["link_a"].is_symlink and by["link_a"].file_size == 5
    assert by["sublink"].is_dir and "sublink/deep/d.txt" in by
    # a broken link is reported as the link itself, not dropped
    assert by["broken"].is_symlink and by["broken"].file_size == len("missing")


def test_symlink_loops_are_reported_not_followed_forever(tree: Path) -> None:
    os.symlink("..", tree / "sub" / "up")
    os.symlink(".", tree / "self")
    errors: list[WalkError] = []
    got = pyfs_jvm.walk_collect(tree, follow_symlinks=True, on_error=errors.append)
    paths = rel(got, tree)
    assert "self" in paths and "sub/up" in paths  # the links are entries...
    assert not any(p.startswith(("self/", "sub/up/")) for p in paths)  # ...but not descended
    assert sorted(e.filename for e in errors) == sorted([str(tree / "self"), str(tree / "sub" / "up")])
    assert all(e.errno == 40 for e in errors)  # ELOOP


def test_walk_streams_and_equals_walk_collect(tree: Path) -> None:
    it = pyfs_jvm.walk(tree, sort=True)
    assert iter(it) is it
    assert list(it) == pyfs_jvm.walk_collect(tree, sort=True)
    with pytest.raises(StopIteration):
        next(it)


def test_walk_yields_before_the_walk_finishes() -> None:
    it = pyfs_jvm.walk("/usr")
    first = next(it)
    assert first.depth == 1
    assert not it._reader._stream.isDone()  # the Java side is still walking
    it.close()


def _walker_threads() -> int:
    from pyfs_jvm import _jvm

    threads = _jvm.jclass("java.lang.Thread").getAllStackTraces().keySet()
    return sum(1 for t in threads if str(t.getName()) == "pyfs-jvm-walk" and t.isAlive())


def test_leaving_the_loop_stops_the_java_walk() -> None:
    for n, _ in enumerate(pyfs_jvm.walk("/usr")):
        if n == 10:
            break
    wait_for(lambda: _walker_threads() == 0, "walker threads to stop", timeout=5)


def test_walk_collect_crosses_the_bridge_in_few_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    from pyfs_jvm import _bridge

    batches = []
    real = _bridge.Batch

    def counting(buf: bytes) -> _bridge.Batch:
        batches.append(1)
        return real(buf)

    monkeypatch.setattr(_bridge, "Batch", counting)
    n = len(pyfs_jvm.walk_collect("/usr"))
    assert n > 20000
    assert len(batches) <= 4 + n // 65536 + 1


def test_os_walk_sees_the_same_entries(tree: Path) -> None:
    expected = set()
    for d, dirs, files in os.walk(tree):
        expected.update(os.path.join(d, x) for x in dirs + files)
    assert {e.path for e in pyfs_jvm.walk_collect(tree)} == expected


def test_empty_directory_gives_nothing(tmp_path: Path) -> None:
    assert pyfs_jvm.walk_collect(tmp_path) == []
    assert list(pyfs_jvm.walk(tmp_path)) == []


def test_root_symlink_to_a_directory_is_walked(tree: Path, tmp_path: Path) -> None:
    link = tmp_path / "rootlink"
    os.symlink(tree, link)
    assert len(pyfs_jvm.walk_collect(link)) == len(SORTED_ALL)


def test_large_directory_and_deep_chain(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.mkdir()
    for i in range(5000):
        (big / f"f{i:05d}").touch()
    deep = tmp_path / "deep"
    p = deep
    for i in range(200):
        p = p / "d"
    p.mkdir(parents=True)
    entries = pyfs_jvm.walk_collect(tmp_path, sort=True)
    assert len(entries) == 2 + 5000 + 200
    assert [e.path for e in entries if e.path.startswith(str(big) + "/")] == \
        [str(big / f"f{i:05d}") for i in range(5000)]
    assert max(e.depth for e in entries) == 201


# ------------------------------------------------------------------ bad input


def test_missing_root(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope")
    with pytest.raises(WalkError, match="^path does not exist: ") as ei:
        pyfs_jvm.walk_collect(missing)
    assert isinstance(ei.value, FileNotFoundError) and ei.value.filename == missing
    with pytest.raises(FileNotFoundError):
        pyfs_jvm.walk(missing)  # raised at the call, not on first next()


def test_file_as_root(tree: Path) -> None:
    with pytest.raises(WalkError, match="^path is not a directory: ") as ei:
        pyfs_jvm.walk_collect(tree / "a.txt")
    assert isinstance(ei.value, NotADirectoryError)


def test_bad_file_type_and_glob(tree: Path) -> None:
    with pytest.raises(WalkError, match='invalid file_type: "files"') as ei:
        pyfs_jvm.walk_collect(tree, file_type="files")  # type: ignore[arg-type]
    assert isinstance(ei.value, ValueError)
    for bad in ["[a", "{a,b", "a}", "{a,{b}}", "[z-a]", "x\\"]:
        with pytest.raises(WalkError, match=r'^invalid glob pattern "') as ei:
            pyfs_jvm.walk(tree, glob_pattern=bad)
        assert isinstance(ei.value, ValueError)


def test_validation_order_is_the_references(tmp_path: Path) -> None:
    # a missing root wins over a bad file_type, which wins over a bad glob
    with pytest.raises(WalkError, match="does not exist"):
        pyfs_jvm.walk_collect(tmp_path / "x", file_type="bad", glob_pattern="[")  # type: ignore[arg-type]
    with pytest.raises(WalkError, match="file_type"):
        pyfs_jvm.walk_collect(tmp_path, file_type="bad", glob_pattern="[")  # type: ignore[arg-type]


@pytest.mark.parametrize("kwargs,exc", [
    ({"max_depth": -1}, OverflowError),
    ({"max_depth": -1}, ValueError),
    ({"max_depth": "2"}, TypeError),
    ({"sort": 1}, TypeError),
    ({"follow_symlinks": None}, TypeError),
    ({"glob_pattern": 3}, TypeError),
    ({"file_type": 1}, TypeError),
    ({"on_error": 5}, TypeError),
])
def test_wrong_argument_types(tree: Path, kwargs: dict[str, object], exc: type[Exception]) -> None:
    with pytest.raises(exc, match=next(iter(kwargs))):
        pyfs_jvm.walk_collect(tree, **kwargs)  # type: ignore[arg-type]


def test_path_of_wrong_type() -> None:
    with pytest.raises(TypeError, match="path"):
        pyfs_jvm.walk_collect(42)  # type: ignore[arg-type]


def test_errors_are_one_hierarchy() -> None:
    from pyfs_jvm import errors

    assert errors.__all__ == ["FsWatcherError", "WalkError", "HashError", "CopyError", "WatchError",
                              "SearchError", "DirDiffError", "SyncError", "SnapshotError", "DiskUsageError",
                              "RenameError"]
    for name in errors.__all__[1:]:
        assert issubclass(getattr(errors, name), FsWatcherError)
    assert not issubclass(FsWatcherError, OSError)


# ------------------------------------------------------------------ logging


def test_java_logs_reach_python_logging(caplog: pytest.LogCaptureFixture) -> None:
    from pyfs_jvm import _bridge, _jvm

    caplog.set_level(logging.DEBUG, logger="pyfs_jvm")
    _jvm.jclass("pyfsjvm.bridge.Log").log(30, "walk", "a test record", os.fsencode("/x\udcff"))
    _bridge.drain_logs()
    rec = [r for r in caplog.records if r.name == "pyfs_jvm.walk"]
    assert rec and rec[0].levelno == logging.WARNING and rec[0].getMessage() == "a test record: /x\udcff"


def test_unreadable_directories_are_reported_not_lost(tmp_path: Path) -> None:
    from helpers import run_python

    base = Path(os.path.realpath("/tmp")) / f"pyfs-jvm-perm-{os.getpid()}"
    (base / "locked").mkdir(parents=True)
    (base / "locked" / "secret").write_text("s")
    (base / "open.txt").write_text("o")
    base.chmod(0o755)
    (base / "locked").chmod(0)
    try:
        out = run_python(f"""
import json, logging, pyfs_jvm
records = []
class H(logging.Handler):
    def emit(self, r): records.append((r.name, r.levelname, r.getMessage()))
logging.getLogger("pyfs_jvm").addHandler(H())
errs = []
got = [e.path for e in pyfs_jvm.walk_collect({str(base)!r}, sort=True, on_error=errs.append)]
it = pyfs_jvm.walk({str(base)!r})
list(it)
try:
    pyfs_jvm.walk_collect({str(base / 'locked')!r})
    root_error = None
except PermissionError as e:
    root_error = [type(e).__name__, e.errno, e.filename, isinstance(e, pyfs_jvm.errors.WalkError)]
print(json.dumps({{"got": got, "errors": [[type(e).__name__, e.errno, e.filename] for e in errs],
                  "iter_errors": [e.filename for e in it.errors], "records": records,
                  "root_error": root_error}}))
""", unprivileged=True)
    finally:
        (base / "locked").chmod(0o755)
        import shutil

        shutil.rmtree(base)
    assert out["got"] == [str(base / "locked"), str(base / "open.txt")]
    assert out["errors"] == [["WalkError", 13, str(base / "locked")]]
    assert out["iter_errors"] == [str(base / "locked")]
    assert any(r[0] == "pyfs_jvm.walk" and r[1] == "WARNING" and str(base / "locked") in r[2]
               for r in out["records"])
    assert out["root_error"] == ["WalkError", 13, str(base / "locked"), True]
