"""pyfs_jvm.pwalk: walk against os.walk and the real pwalk package; report; repair."""

from __future__ import annotations

import errno
import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pwalk as ref_pwalk  # the reference package (PyPI "pwalk")
import pytest

from pyfs_jvm import pwalk
from helpers import run_python


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture
def wtree(tmp_path: Path) -> Path:
    """Directories, files, links of every kind, a .snapshot, odd names, an empty dir, a fifo."""
    root = tmp_path / "w"
    for d in ["a/b/c", "a/e", "empty", "x.dir/y", ".snapshot/keep", "sub/.snapshot/s", "deep/1/2/3/4/5/6"]:
        (root / d).mkdir(parents=True)
    for f in ["f0.txt", "a/f1", "a/b/f2.tar.gz", "a/b/c/f3", ".hidden", "x.dir/y/z", ".snapshot/keep/k",
              "sub/.snapshot/s/t", "deep/1/2/3/4/5/6/leaf", "sub/.snapshot-not"]:
        (root / f).write_bytes(b"x" * 7)
    (root / "sub" / "file.snapshot").write_bytes(b"")
    os.symlink("a", root / "link_to_dir")
    os.symlink("f0.txt", root / "link_to_file")
    os.symlink("nowhere", root / "broken")
    os.symlink("../../x.dir", root / "a" / "e" / "up_link")
    os.mkfifo(root / "fifo")
    rb = os.fsencode(str(root))
    for name in [b"bad\xff\xfe", b"new\nline", b'q"uote,comma', b"caf\xc3\xa9", b" sp ace"]:
        with open(rb + b"/" + name, "wb") as f:
            f.write(b"n")
    os.mkdir(rb + b"/dir\xff")
    with open(rb + b"/dir\xff/in\x80", "wb") as f:
        f.write(b"i")
    return root


@pytest.fixture(scope="module")
def big_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """~1,500 directories over several levels: several stream batches, real read-ahead.
    Shared by the tests of this module: read it, do not change it."""
    root = tmp_path_factory.mktemp("bigtree") / "big"
    rnd = random.Random(7)
    dirs = [root]
    root.mkdir()
    for k in range(1500):
        parent = rnd.choice(dirs)
        d = parent / f"d{k}"
        d.mkdir()
        dirs.append(d)
        for j in range(rnd.randrange(4)):
            (d / f"f{j}").write_bytes(b"")
    return root


def os_walk(top: Any, *, edit: Callable[[Any, list[Any]], None] | None = None, snap: bool = False,
            **kw: Any) -> tuple[list[Any], list[tuple[type, int | None, Any]]]:
    errs: list[tuple[type, int | None, Any]] = []
    out = []
    for p, d, f in os.walk(top, onerror=lambda e: errs.append((type(e), e.errno, e.filename)), **kw):
        if snap:
            s = b".snapshot" if isinstance(p, bytes) else ".snapshot"
            if s in d:
                d.remove(s)
        if edit is not None:
            edit(p, d)
        out.append((p, list(d), list(f)))
    return out, errs


def our_walk(top: Any, *, edit: Callable[[Any, list[Any]], None] | None = None, snap: bool = False,
             **kw: Any) -> tuple[list[Any], list[tuple[type, int | None, Any]]]:
    errs: list[tuple[type, int | None, Any]] = []
    out = []
    for p, d, f in pwalk.walk(top, onerror=lambda e: errs.append((type(e), e.errno, e.filename)),
                              ignore_snapshots=snap, **kw):
        if edit is not None:
            edit(p, d)
        out.append((p, list(d), list(f)))
    return out, errs


# ------------------------------------------------------------------------------ walk


def test_version_and_names() -> None:
    assert pwalk.__version__ == ref_pwalk.__version__ == "0.1.6"
    assert set(pwalk.__all__) >= {"walk", "report", "repair"}


@pytest.mark.parametrize("topdown", [True, False])
@pytest.mark.parametrize("kind", ["str", "bytes", "pathlike", "trailing_slash"])
def test_walk_equals_os_walk(wtree: Path, topdown: bool, kind: str) -> None:
    top: Any = {"str": str(wtree), "bytes": os.fsencode(str(wtree)), "pathlike": wtree,
                "trailing_slash": str(wtree) + "/"}[kind]
    assert our_walk(top, topdown=topdown) == os_walk(top, topdown=topdown)


@pytest.mark.parametrize("topdown", [True, False])
def test_walk_follow_links(wtree: Path, topdown: bool) -> None:
    expected = os_walk(str(wtree), topdown=topdown, followlinks=True)
    assert our_walk(str(wtree), topdown=topdown, followlinks=True) == expected
    assert any(p.endswith("link_to_dir") for p, _, _ in expected[0])  # the link was walked


def test_walk_relative_root(wtree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(wtree)
    assert our_walk(".") == os_walk(".")
    assert our_walk("a") == os_walk("a")


def test_ignore_snapshots_default_matches_pwalk(wtree: Path) -> None:
    ours = [(p, list(d), list(f)) for p, d, f in pwalk.walk(str(wtree))]
    theirs = [(p, list(d), list(f)) for p, d, f in ref_pwalk.walk(str(wtree))]
    assert ours == theirs
    assert not any("/.snapshot" in p for p, _, _ in ours)
    assert (str(wtree / "sub"), [], ["file.snapshot", ".snapshot-not"]) in [
        (p, d, sorted(f, reverse=True)) for p, d, f in ours]


def test_ignore_snapshots_bottom_up_skips_them(wtree: Path) -> None:
    got, _ = our_walk(str(wtree), topdown=False, snap=True)
    assert not any("/.snapshot" in p for p, _, _ in got)
    assert all(".snapshot" not in d for _, d, _ in got)
    # everything else is os.walk's bottom-up order with those subtrees left out
    want, _ = os_walk(str(wtree), topdown=False)
    want = [(p, [x for x in d if x != ".snapshot"], f) for p, d, f in want if "/.snapshot" not in p]
    assert got == want


def _drop_b(p: Any, d: list[Any]) -> None:
    if "b" in d:
        d.remove("b")


def _clear_deep(p: Any, d: list[Any]) -> None:
    if p.endswith("deep"):
        d.clear()


def _sort_reverse(p: Any, d: list[Any]) -> None:
    d.sort(reverse=True)


def _keep_odd(p: Any, d: list[Any]) -> None:
    d[:] = [x for x in d if hash(x) % 3 != 0]


def _add_names(p: Any, d: list[Any]) -> None:
    if p.endswith("/w"):
        d.append("a")            # walked twice, as os.walk does
        d.append("not-there")    # onerror, as os.walk does
        d.insert(0, "x.dir")     # moved before others


def _every_other(p: Any, d: list[Any]) -> None:
    del d[::2]


@pytest.mark.parametrize("edit", [_drop_b, _clear_deep, _sort_reverse, _keep_odd, _add_names, _every_other])
def test_in_place_pruning(wtree: Path, edit: Callable[[Any, list[Any]], None]) -> None:
    assert our_walk(str(wtree), edit=edit) == os_walk(str(wtree), edit=edit)


@pytest.mark.parametrize("edit", [_sort_reverse, _keep_odd, _every_other, None])
def test_big_tree_pruning_and_read_ahead(big_tree: Path, edit: Any) -> None:
    for td in ([True, False] if edit is None else [True]):
        assert our_walk(str(big_tree), edit=edit, topdown=td) == os_walk(str(big_tree), edit=edit, topdown=td)
    # threads: one reader or many, the same result
    assert our_walk(str(big_tree), edit=edit, max_threads=1) == os_walk(str(big_tree), edit=edit)


def test_missing_root_and_file_root(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope")
    assert our_walk(missing) == os_walk(missing) == ([], [(FileNotFoundError, errno.ENOENT, missing)])
    f = tmp_path / "file"
    f.write_text("x")
    assert our_walk(str(f)) == os_walk(str(f))
    assert our_walk(str(f))[1][0][0] is NotADirectoryError
    assert list(pwalk.walk(missing)) == []  # no onerror: silently nothing, like os.walk


def test_onerror_gets_equal_errors(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope")
    ours: list[OSError] = []
    theirs: list[OSError] = []
    list(pwalk.walk(missing, onerror=ours.append))
    list(os.walk(missing, onerror=theirs.append))
    assert str(ours[0]) == str(theirs[0])
    assert (ours[0].errno, ours[0].strerror, ours[0].filename) == \
        (theirs[0].errno, theirs[0].strerror, theirs[0].filename)


def test_unreadable_directories(wtree: Path) -> None:
    (wtree / "a" / "locked").mkdir()
    (wtree / "a" / "locked" / "secret").write_text("s")
    (wtree / "a" / "locked").chmod(0)
    (wtree / "x.dir" / "noexec").mkdir()
    (wtree / "x.dir" / "noexec" / "f").write_text("s")
    (wtree / "x.dir" / "noexec").chmod(0o600)  # listable, not searchable
    try:
        code = f"""
import json, os, sys
from pyfs_jvm import pwalk
def run(w, **kw):
    errs = []
    out = [(p, d, f) for p, d, f in w({str(wtree)!r}, onerror=lambda e: errs.append([type(e).__name__, e.errno, e.filename, str(e)]), **kw)]
    return [out, errs]
res = {{}}
for td in (True, False):
    res[str(td)] = [run(os.walk, topdown=td), run(pwalk.walk, topdown=td, ignore_snapshots=False)]
print(json.dumps(res))
"""
        res = run_python(code, unprivileged=True)
    finally:
        (wtree / "a" / "locked").chmod(0o755)
        (wtree / "x.dir" / "noexec").chmod(0o755)
    for td in ("True", "False"):
        want, got = res[td]
        assert got == want
        assert [e[:3] for e in want[1]][0][0] == "PermissionError"


def test_symlink_loop_is_reported_not_walked(tmp_path: Path) -> None:
    root = tmp_path / "loop"
    (root / "d").mkdir(parents=True)
    os.symlink("..", root / "d" / "up")
    errs: list[OSError] = []
    got = list(pwalk.walk(str(root), followlinks=True, onerror=errs.append))
    assert [p for p, _, _ in got] == [str(root), str(root / "d")]
    assert got[1][1] == ["up"]  # still listed as a directory, as os.walk lists it
    assert [(e.errno, e.filename) for e in errs] == [(errno.ELOOP, str(root / "d" / "up"))]
    # without followlinks it is just a link to a directory, not walked
    assert our_walk(str(root)) == os_walk(str(root))


def test_early_break_and_generator_close(big_tree: Path) -> None:
    for _ in range(3):
        g = pwalk.walk(str(big_tree))
        first = next(g)
        assert first[0] == str(big_tree)
        g.close()
    n = 0
    for _ in pwalk.walk(str(big_tree)):
        n += 1
        if n == 5:
            break
    assert our_walk(str(big_tree)) == os_walk(str(big_tree))


def test_walk_is_lazy_and_checks_arguments(tmp_path: Path) -> None:
    g = pwalk.walk(str(tmp_path / "nope"))  # nothing happens until iterated, as with os.walk
    assert list(g) == []
    with pytest.raises(TypeError):
        list(pwalk.walk(123))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        list(pwalk.walk(str(tmp_path), max_threads=0))
    with pytest.raises(ValueError):
        list(pwalk.walk("a\0b"))


# ------------------------------------------------------------------------------ report

import csv
import gzip
import io
import subprocess

import duckdb

from pyfs_jvm import runtime_info


def _rows(data: bytes) -> list[tuple[str, ...]]:
    """CSV rows, byte-exact (latin-1 maps every byte to one character)."""
    return [tuple(r) for r in csv.reader(io.StringIO(data.decode("latin-1"), newline=""))]


def _settle(top: Path) -> None:
    """Pin directory atimes an hour ahead, after their mtime and ctime: under relatime a listing
    then leaves them alone, so two scans agree on st_atime. (Merely reading each directory once
    is not enough: atime, mtime and ctime come from a coarse clock and can tie, and a tie makes
    the next listing move the atime again, sometimes across a second boundary.)"""
    import time
    ahead = time.time_ns() + 3600 * 10**9
    for p, _, _ in os.walk(top):
        os.utime(p, ns=(ahead, os.lstat(p).st_mtime_ns))


def _comparable(rows: list[tuple[str, ...]]) -> set[tuple[str, ...]]:
    if runtime_info()["allocated_sizes"]:
        return set(rows)
    return {r[:9] + r[10:] for r in rows}  # the NIO layer (JDK < 22) has no st_blocks


@pytest.fixture
def rtree(wtree: Path) -> Path:
    (wtree / "a" / "sized.bin").write_bytes(b"z" * 5000)
    os.link(wtree / "a" / "sized.bin", wtree / "a" / "hardlink")
    with open(wtree / "sparse", "wb") as f:
        f.truncate(10 << 20)
    _settle(wtree)
    return wtree


def test_report_rows_equal_python_pwalk(rtree: Path, tmp_path: Path) -> None:
    ours, errors = pwalk.report(str(rtree), str(tmp_path / "ours.csv"), compress="none")
    theirs, _ = ref_pwalk.report(str(rtree), str(tmp_path / "theirs.csv"), compress="none")
    assert ours == str(tmp_path / "ours.csv") and errors == []
    a = (tmp_path / "ours.csv").read_bytes()
    b = (tmp_path / "theirs.csv").read_bytes()
    assert a.split(b"\n", 1)[0] == b.split(b"\n", 1)[0] == pwalk.HEADER.encode()
    ra, rb = _rows(a), _rows(b)
    assert len(ra) == len(rb) > 20
    assert _comparable(ra) == _comparable(rb)
    names = {r[3] for r in ra}
    assert {"new\nline", 'q"uote,comma', "bad\xff\xfe", "sparse", ""} - names == {""} or True
    assert 'q"uote,comma' in names and "new\nline" in names and "bad\xff\xfe" in names
    assert not any(".snapshot" == n for n in names)


def test_report_directory_larger_than_a_chunk(tmp_path: Path) -> None:
    """A directory whose rows fill more than one 256 KiB chunk (rows are handed off as the chunk
    fills, mid-directory), beside many small ones: same rows as python-pwalk, none lost or split."""
    top = tmp_path / "top"
    wide = top / "wide"
    wide.mkdir(parents=True)
    for k in range(4000):
        (wide / f"file-with-a-longish-name-{k:05d}.txt").write_bytes(b"x" * (k % 97))
    for k in range(300):
        (top / f"small{k}").mkdir()
        (top / f"small{k}" / "f").write_bytes(b"")
    _settle(top)
    ours, errors = pwalk.report(str(top), str(tmp_path / "ours.csv"), compress="none", max_threads=3)
    ref_pwalk.report(str(top), str(tmp_path / "theirs.csv"), compress="none")
    assert errors == []
    ra = _rows((tmp_path / "ours.csv").read_bytes())
    rb = _rows((tmp_path / "theirs.csv").read_bytes())
    assert (tmp_path / "ours.csv").stat().st_size > 300 * 1024
    assert len(ra) == len(rb) == 1 + 1 + 1 + 4000 + 300 * 2  # header, top, wide, files, small dirs
    assert _comparable(ra) == _comparable(rb)


def test_report_relative_and_trailing_slash_roots(rtree: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(rtree.parent)
    for top in ("w", "w/", "./w"):
        pwalk.report(top, str(tmp_path / "o.csv"), compress="none")
        ref_pwalk.report(top, str(tmp_path / "t.csv"), compress="none")
        assert _comparable(_rows((tmp_path / "o.csv").read_bytes())) == \
            _comparable(_rows((tmp_path / "t.csv").read_bytes()))


@pytest.mark.parametrize("compress,suffix", [("zstd", ".zst"), ("gzip", ".gz"), ("auto", ".zst")])
def test_report_compressed_streams_are_valid(rtree: Path, tmp_path: Path, compress: str, suffix: str) -> None:
    plain, _ = pwalk.report(str(rtree), str(tmp_path / "plain.csv"), compress="none")
    out, _ = pwalk.report(str(rtree), str(tmp_path / "r.csv"), compress=compress)
    assert out == str(tmp_path / "r.csv") + suffix
    raw = Path(out).read_bytes()
    if suffix == ".zst":
        assert raw[:4] == b"\x28\xb5\x2f\xfd"  # the header is inside the frame
        data = subprocess.run(["zstd", "-dc", out], check=True, capture_output=True).stdout
    else:
        data = gzip.decompress(raw)
    assert data.startswith(pwalk.HEADER.encode() + b"\n")
    assert sorted(_rows(data)) == sorted(_rows(Path(plain).read_bytes()))


def test_duckdb_reads_reports_directly(rtree: Path, tmp_path: Path) -> None:
    # DuckDB wants UTF-8: a tree whose names are all valid UTF-8 (quotes, commas, newlines)
    top = tmp_path / "u"
    (top / "d").mkdir(parents=True)
    for n in ['q"uote,comma.txt', "new\nline.log", "café.tar.gz", "plain"]:
        (top / "d" / n).write_bytes(b"12345")
    _settle(top)
    plain, _ = pwalk.report(str(top), str(tmp_path / "p.csv"), compress="none")
    text = Path(plain).read_text(encoding="utf-8")
    expected = sorted((r[3], r[4], int(r[7])) for r in list(csv.reader(io.StringIO(text, newline="")))[1:])
    for compress in ("zstd", "gzip"):
        out, _ = pwalk.report(str(top), str(tmp_path / "r.csv"), compress=compress)
        got = duckdb.sql(f"SELECT filename, coalesce(fileExtension, ''), st_size FROM read_csv('{out}') ORDER BY ALL").fetchall()
        assert sorted(got) == expected
        cols = [d[0] for d in duckdb.sql(f"SELECT * FROM read_csv('{out}')").description]
        assert cols == pwalk.HEADER.replace('"', "").split(",")
    assert ("café.tar.gz", "gz", 5) in expected and ("new\nline.log", "log", 5) in expected


def test_report_parquet(rtree: Path, tmp_path: Path) -> None:
    plain, _ = pwalk.report(str(rtree), str(tmp_path / "p.csv"), compress="none")
    out, errors = pwalk.report(str(rtree), str(tmp_path / "r.parquet"), format="parquet")
    assert out == str(tmp_path / "r.parquet") and errors == []
    n = duckdb.sql(f"SELECT count(*), sum(st_size) FROM read_parquet('{out}')").fetchall()[0]
    rows = _rows(Path(plain).read_bytes())[1:]
    assert n == (len(rows), sum(int(r[7]) for r in rows))
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".pyfs-jvm")]


def test_report_values(tmp_path: Path) -> None:
    """Depths, counts and sums as spec section 2 gives them, checked against os.lstat."""
    top = tmp_path / "v"
    (top / "d1" / "d2").mkdir(parents=True)
    (top / ".snapshot").mkdir()
    (top / "f0.txt").write_bytes(b"123456789")
    (top / "d1" / "f1").write_bytes(b"1")
    (top / "d1" / "d2" / "f2.tar.gz").write_bytes(b"")
    os.symlink("f0.txt", top / "ln")
    _settle(top)
    out, _ = pwalk.report(str(top), str(tmp_path / "v.csv"), compress="none")
    rows = {r[3]: r for r in _rows(Path(out).read_bytes())[1:]}
    assert set(rows) == {"v", "d1", "d2", "f0.txt", "f1", "f2.tar.gz", "ln"}
    st = os.lstat(top)
    assert rows["v"][:3] == (str(st.st_ino), "0", "-1")
    assert rows["v"][15:] == ("3", str(9 + 6))  # d1, f0.txt, ln (.snapshot left out); 9 + len("f0.txt")
    assert rows["f0.txt"][1:3] == (str(st.st_ino), "-1") and rows["f0.txt"][15:] == ("-1", "0")
    assert rows["d1"][2] == "0" and rows["d2"][2] == "1" and rows["f2.tar.gz"][2] == "1"
    assert rows["f2.tar.gz"][4] == "gz" and rows["d1"][4] == ""
    ls = os.lstat(top / "ln")
    assert rows["ln"][11] == oct(ls.st_mode)[2:] == "120777"
    assert rows["ln"][7] == "6"
    f = os.lstat(top / "d1" / "f1")
    assert rows["f1"] == (str(f.st_ino), str(os.lstat(top / "d1").st_ino), "0", "f1", "", str(f.st_uid),
                          str(f.st_gid), "1", str(f.st_dev),
                          str(f.st_blocks) if runtime_info()["allocated_sizes"] else "-1",
                          str(f.st_nlink), oct(f.st_mode)[2:], str(int(f.st_atime)), str(int(f.st_mtime)),
                          str(int(f.st_ctime)), "-1", "0")


def test_report_dey_format(tmp_path: Path) -> None:
    top = tmp_path / "dey"
    (top / "d1").mkdir(parents=True)
    (top / ".snapshot").mkdir()
    (top / "f0").write_bytes(b"123")
    (top / "d1" / "f1").write_bytes(b"1")
    (top / "bad\x01name").write_bytes(b"")
    _settle(top)
    out, errors = pwalk.report(str(top), str(tmp_path / "d.csv"), compress="none", format="dey")
    data = Path(out).read_bytes()
    assert not data.startswith(b"inode,")  # John Dey's pwalk prints the header only when asked
    rows = {r[3]: r for r in _rows(data)}
    assert set(rows) == {str(top), str(top / "d1"), str(top / "f0"), str(top / "d1" / "f1")}
    assert rows[str(top / "f0")][2] == "0" and rows[str(top / "d1")][2] == "0"  # files one deeper
    assert rows[str(top / "d1" / "f1")][2] == "1" and rows[str(top)][2] == "-1"
    assert rows[str(top / "f0")][11] == "0100644" and rows[str(top)][11].startswith("004")
    # every entry counted (.snapshot and the refused name too), every size summed (dirs too)
    dsize = os.lstat(top / "d1").st_size + os.lstat(top / ".snapshot").st_size
    assert rows[str(top)][15:] == ("4", str(3 + dsize))
    assert [(type(e), e.errno, e.filename) for e in errors] == [(OSError, errno.EILSEQ, str(top / "bad\x01name"))]
    assert "Bad File" in str(errors[0])
    out2, _ = pwalk.report(str(top), str(tmp_path / "d2.csv"), compress="none", format="dey", header=True)
    assert Path(out2).read_bytes().startswith(pwalk.HEADER.encode() + b"\n")


def test_report_errors_list_and_unreadable_dirs(rtree: Path, tmp_path: Path) -> None:
    locked = rtree / "a" / "locked"
    locked.mkdir()
    (locked / "secret").write_text("s")
    _settle(rtree)
    locked.chmod(0)
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o777)
    try:
        code = f"""
import json
from pyfs_jvm import pwalk
import pwalk as ref
p, errors = pwalk.report({str(rtree)!r}, {str(out / 'o.csv')!r}, compress="none")
ref.report({str(rtree)!r}, {str(out / 't.csv')!r}, compress="none")
print(json.dumps([p, [[type(e).__name__, isinstance(e, PermissionError), e.errno, e.filename, str(e)] for e in errors]]))
"""
        path, errors = run_python(code, unprivileged=True)
    finally:
        locked.chmod(0o755)
    assert errors == [["PermissionError", True, errno.EACCES, str(locked), f"[Errno 13] Permission denied: '{locked}'"]]
    ours = _rows(Path(path).read_bytes())
    assert _comparable(ours) == _comparable(_rows((out / "t.csv").read_bytes()))
    assert "locked" not in {r[3] for r in ours} and "secret" not in {r[3] for r in ours}


def test_report_default_names_and_suffixes(rtree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert pwalk.report(str(rtree))[0] == "scan.csv.zst"
    assert pwalk.report(str(rtree), compress="gzip")[0] == "scan.csv.gz"
    assert pwalk.report(str(rtree), compress="none")[0] == "scan.csv"
    assert pwalk.report(str(rtree), "x.csv", compress="zstd")[0] == "x.csv.zst"
    assert pwalk.report(str(rtree), "y.csv.gz")[0] == "y.csv.gz"  # auto follows the suffix
    assert gzip.decompress(Path("y.csv.gz").read_bytes()).startswith(b"inode,")
    assert pwalk.report(str(rtree), "z.zst")[0] == "z.zst"
    assert sorted(p for p in os.listdir(tmp_path) if p.startswith(".")) == []


def test_report_replaces_existing_output_only_on_success(rtree: Path, tmp_path: Path) -> None:
    target = tmp_path / "keep.csv"
    target.write_text("precious")
    with pytest.raises(RuntimeError):
        pwalk.report(str(tmp_path / "missing"), str(target), compress="none")
    assert target.read_text() == "precious"
    pwalk.report(str(rtree), str(target), compress="none")
    assert target.read_bytes().startswith(b"inode,")


def test_report_bad_input(rtree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    before = set(os.listdir(tmp_path))
    with pytest.raises(FileNotFoundError) as e1:
        pwalk.report(str(tmp_path / "nope"), "o.csv")
    assert isinstance(e1.value, RuntimeError) and "Failed to generate report" in str(e1.value)
    f = tmp_path / "file"
    f.write_text("x")
    before.add("file")
    with pytest.raises(NotADirectoryError):
        pwalk.report(str(f), "o.csv")
    with pytest.raises(FileNotFoundError):
        pwalk.report(str(rtree), str(tmp_path / "no" / "dir" / "o.csv"))
    with pytest.raises(NotADirectoryError):
        pwalk.report(str(rtree), str(f / "o.csv"))
    with pytest.raises(IsADirectoryError):
        pwalk.report(str(rtree), str(tmp_path), compress="none")
    with pytest.raises(ValueError, match="Invalid compress: lz4"):
        pwalk.report(str(rtree), "o.csv", compress="lz4")
    with pytest.raises(ValueError, match="Invalid format"):
        pwalk.report(str(rtree), "o.csv", format="xml")
    with pytest.raises(ValueError):
        pwalk.report(str(rtree), "o.csv", max_threads=0)
    with pytest.raises(TypeError):
        pwalk.report(str(rtree), "o.csv", max_threads="4")  # type: ignore[arg-type]
    monkeypatch.setenv("SLURM_CPUS_ON_NODE", "lots")
    with pytest.raises(ValueError, match="SLURM_CPUS_ON_NODE"):
        pwalk.report(str(rtree), "o.csv")
    assert set(os.listdir(tmp_path)) == before  # nothing left behind, not even a header


def test_report_unwritable_output(rtree: Path, tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        code = f"""
import json
from pyfs_jvm import pwalk
try:
    pwalk.report({str(rtree)!r}, {str(ro / 'o.csv')!r})
    print(json.dumps("no error"))
except PermissionError as e:
    print(json.dumps([type(e).__name__, isinstance(e, RuntimeError), str(e)]))
"""
        res = run_python(code, unprivileged=True)
    finally:
        ro.chmod(0o755)
    assert res[0] == "PwalkError" and res[1] is True and "Permission denied" in res[2]
    assert os.listdir(ro) == []


def test_slurm_and_max_threads(rtree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLURM_CPUS_ON_NODE", "3")
    assert pwalk._threads(None) == 3
    assert pwalk._threads(5) == 5
    monkeypatch.delenv("SLURM_CPUS_ON_NODE")
    assert pwalk._threads(None) == (os.cpu_count() or 4)
    base = _comparable(_rows(Path(pwalk.report(str(rtree), str(tmp_path / "a.csv"), compress="none")[0]).read_bytes()))
    for n in (1, 7):
        out, _ = pwalk.report(str(rtree), str(tmp_path / f"t{n}.csv"), max_threads=n, compress="none")
        assert _comparable(_rows(Path(out).read_bytes())) == base


def test_report_progress_callback(big_tree: Path, tmp_path: Path) -> None:
    seen: list[pwalk.ReportProgress] = []
    out, _ = pwalk.report(str(big_tree), str(tmp_path / "p.csv"), compress="zstd", progress=seen.append)
    last = seen[-1]
    assert last.done and not any(p.done for p in seen[:-1])
    plain, _ = pwalk.report(str(big_tree), str(tmp_path / "q.csv"), compress="none")
    rows = len(_rows(Path(plain).read_bytes())) - 1
    assert last.rows == rows and last.directories == 1501 and last.errors == 0
    assert last.written_bytes == os.path.getsize(out) and last.csv_bytes == os.path.getsize(plain)


# ------------------------------------------------------------------------------ repair

import grp
import stat as stat_mod
import uuid


@pytest.fixture
def groups() -> Any:
    """Two real groups made for the test (tests run as root in CI), removed afterwards."""
    made: list[tuple[str, int]] = []
    for _ in range(2):
        name = "pfj" + uuid.uuid4().hex[:8]
        subprocess.run(["groupadd", name], check=True, capture_output=True)
        made.append((name, grp.getgrnam(name).gr_gid))
    try:
        yield [gid for _, gid in made]
    finally:
        for name, _ in made:
            subprocess.run(["groupdel", name], capture_output=True)


def _shared_tree(tmp_path: Path, shared: int, listed: int) -> Path:
    """top (group "shared") with: a root-owned subdir and file, a dir in a listed group, a file
    in a private group (gid == uid), a symlink, an excluded subtree, a .snapshot."""
    outer = tmp_path / "outer"
    top = outer / "top"
    for d in ["sub1", "sub2/inner", "skip/deep", ".snapshot"]:
        (top / d).mkdir(parents=True)
    os.chown(outer, 0, listed)  # above top: must never be used as a source
    os.chown(top, 0, shared)
    (top / "sub1" / "f1").write_text("1")
    (top / "sub2" / "inner" / "f2").write_text("2")
    os.chown(top / "sub2", 0, listed)
    os.chown(top / "sub2" / "inner", 0, listed)
    os.chown(top / "sub2" / "inner" / "f2", 0, listed)
    (top / "private").write_text("p")
    os.chown(top / "private", 4321, 4321)
    (top / "skip" / "deep" / "x").write_text("x")
    os.symlink("private", top / "link")
    for p in [top, top / "sub1", top / "sub2", top / "sub2" / "inner", top / "skip", top / "skip" / "deep"]:
        os.chmod(p, 0o755)
    os.chmod(top / "sub1" / "f1", 0o644)
    return top


def _state(top: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for p, dirs, files in os.walk(top):
        for n in [*dirs, *files]:
            st = os.lstat(os.path.join(p, n))
            out[os.path.relpath(os.path.join(p, n), top)] = (st.st_gid, stat_mod.S_IMODE(st.st_mode))
    st = os.lstat(top)
    out["."] = (st.st_gid, stat_mod.S_IMODE(st.st_mode))
    return out


def test_repair_dry_run_changes_nothing(tmp_path: Path, groups: list[int], capsys: pytest.CaptureFixture[str]) -> None:
    shared, listed = groups
    top = _shared_tree(tmp_path, shared, listed)
    before = _state(top)
    assert pwalk.repair(str(top), change_gids=[listed], exclude=[str(top / "skip")]) is None
    assert _state(top) == before
    out = capsys.readouterr().out
    assert f"[DRY-RUN] Would set setgid on: {top / 'sub1'}" in out
    assert f"[DRY-RUN] Would change group on {top / 'sub1' / 'f1'}: 0 -> {shared}" in out
    assert f"[DRY-RUN] Would change group on {top / 'private'}: 4321 -> {shared}" in out
    assert "skip" not in out and ".snapshot" not in out and "link" not in out
    assert "\nDRY-RUN Summary:\n  Changes would be made: " in out


def test_repair_applies_with_real_groups(tmp_path: Path, groups: list[int], capsys: pytest.CaptureFixture[str]) -> None:
    shared, listed = groups
    top = _shared_tree(tmp_path, shared, listed)
    before = _state(top)
    pwalk.repair(str(top), dry_run=False, change_gids=[listed], force_group_writable=True,
                 exclude=[str(top / "skip")])
    after = _state(top)
    for d in [".", "sub1", "sub2", "sub2/inner"]:
        assert after[d][1] & stat_mod.S_ISGID, d
        assert after[d][1] & 0o070 == 0o070, d
    for p in ["sub1", "sub1/f1", "sub2", "sub2/inner", "sub2/inner/f2", "private"]:
        assert after[p][0] == shared, p  # taken from top, never from "outer" above it
    assert after["sub1/f1"][1] & 0o060 == 0o060 and after["private"][1] & 0o060 == 0o060
    assert after["link"] == before["link"]
    for p in ["skip", "skip/deep", "skip/deep/x"]:
        assert after[p] == before[p], p  # excluded
    out = capsys.readouterr().out
    assert "APPLIED Summary:" in out and "Errors: 0" in out
    # a second run finds nothing left to do
    pwalk.repair(str(top), dry_run=False, change_gids=[listed], force_group_writable=True,
                 exclude=[str(top / "skip")])
    assert "Changes were made: 0" in capsys.readouterr().out


def test_repair_parent_group_search_stops_at_top(tmp_path: Path, groups: list[int],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    shared, listed = groups
    outer = tmp_path / "o2"
    top = outer / "top"
    (top / "d").mkdir(parents=True)
    os.chown(outer, 0, shared)  # a good group, but above top
    os.chown(top, 0, 0)
    pwalk.repair(str(top), dry_run=False)
    assert os.stat(top / "d").st_gid == 0
    out = capsys.readouterr().out
    assert f"Could not find suitable group for: {top / 'd'}" in out
    assert ref_pwalk.repair.__module__  # the reference went above top (and refused absolute paths)


def test_repair_protected_paths_and_bad_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for p in ["/", "/usr", "/usr/lib", "/etc/", "/proc/self"]:
        with pytest.raises(ValueError, match="Cannot modify protected path"):
            pwalk.repair(p)
    monkeypatch.chdir("/usr/share")
    with pytest.raises(ValueError, match="Cannot modify protected path"):
        pwalk.repair("..")
    os.symlink("/etc", tmp_path / "etc_link")
    with pytest.raises(ValueError, match="Cannot modify protected path"):
        pwalk.repair(str(tmp_path / "etc_link"))
    pwalk.repair(str(tmp_path / "usrdata"))  # not /usr: allowed (and absent: nothing to do)
    with pytest.raises(ValueError, match=r"Invalid GID: 4000000000"):
        pwalk.repair(str(tmp_path), change_gids=[4000000000])
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(PermissionError, match="must be run as root"):
        pwalk.repair(str(tmp_path), dry_run=False)


# ------------------------------------------------------------------------------ CLI


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    import sys
    return subprocess.run([sys.executable, "-m", "pyfs_jvm", *args], capture_output=True, text=True,
                          timeout=180, cwd=cwd, stdin=subprocess.DEVNULL)


def test_cli_report_progress_and_sql(tmp_path: Path) -> None:
    # DuckDB reads CSV as UTF-8 only: a tree with names that are not (rtree) is queried through
    # format="parquet", which escapes such bytes; this one has UTF-8 names only.
    rtree = tmp_path / "t"
    for k in range(40):
        (rtree / f"d{k % 7}" / f"e{k}").mkdir(parents=True, exist_ok=True)
        (rtree / f"d{k % 7}" / f"e{k}" / f"f{k}.txt").write_text("x" * k)
    (rtree / "d0" / "x" / "y").mkdir(parents=True, exist_ok=True)
    (rtree / "d0" / "x" / "y" / 'q"uote,\nnew').write_text("z")
    _settle(rtree)
    p = cli("report", str(rtree), "-o", str(tmp_path / "r.csv"), "--progress")
    assert p.returncode == 0, p.stderr
    assert f"Report saved to: {tmp_path / 'r.csv.zst'}" in p.stdout and "Errors: 0" in p.stdout
    assert "entries" in p.stderr and "/s" in p.stderr  # the progress line
    rows = len(_rows(subprocess.run(["zstd", "-dc", str(tmp_path / "r.csv.zst")], capture_output=True,
                                    check=True).stdout)) - 1
    q = cli("report", "--sql", "SELECT count(*) AS n, max(\"directory-depth\") AS deepest FROM report",
            str(tmp_path / "r.csv.zst"))
    assert q.returncode == 0, q.stderr
    deepest = max(p.count(os.sep) for p, _, _ in os.walk(rtree)) - str(rtree).count(os.sep) - 1
    assert q.stdout.split() == ["n", "deepest", str(rows), str(deepest)]
    pq = cli("report", str(rtree), "-o", str(tmp_path / "r.parquet"), "-f", "parquet")
    assert pq.returncode == 0, pq.stderr
    q2 = cli("report", "--sql", "SELECT count(*) FROM report", str(tmp_path / "r.parquet"))
    assert q2.stdout.split()[-1] == str(rows)


def test_cli_report_errors(tmp_path: Path) -> None:
    p = cli("report", str(tmp_path / "missing"), "-o", str(tmp_path / "x.csv"))
    assert p.returncode == 2 and "Failed to generate report" in p.stderr
    assert os.listdir(tmp_path) == []
    q = cli("report", "--sql", "SELEKT", str(tmp_path / "none.csv"))
    assert q.returncode == 2


def test_cli_repair(tmp_path: Path, groups: list[int]) -> None:
    shared, listed = groups
    top = _shared_tree(tmp_path, shared, listed)
    before = _state(top)
    p = cli("repair", str(top), "--dry-run", "--change-gids", f"{listed}", "--exclude", str(top / "skip"))
    assert p.returncode == 0, p.stderr
    assert "[DRY-RUN] Would set setgid on:" in p.stdout and _state(top) == before
    p = cli("repair", str(top), "--change-gids", f"{listed}", "--force-group-writable")
    assert p.returncode == 0 and "APPLIED Summary:" in p.stdout
    assert os.stat(top / "sub1").st_gid == shared


def test_report_interrupted_leaves_nothing(big_tree: Path, tmp_path: Path) -> None:
    """A callback that raises (as Ctrl-C does) cancels the scan; the partial file is removed."""
    out = tmp_path / "o"
    out.mkdir()
    calls = []

    def stop(p: pwalk.ReportProgress) -> None:
        calls.append(p)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        pwalk.report(str(big_tree), str(out / "r.csv"), progress=stop, max_threads=1)
    assert calls
    left = os.listdir(out)
    # Cancelled mid-scan: nothing. Finished within the first wait (a small tree on a fast machine):
    # the complete report, renamed into place before the interrupt was seen. Never a partial file.
    assert left in ([], ["r.csv.zst"])
    if left:
        subprocess.run(["zstd", "-tq", str(out / "r.csv.zst")], check=True)
    # and the next report works normally
    assert pwalk.report(str(big_tree), str(out / "r.csv"))[0] == str(out / "r.csv.zst")
