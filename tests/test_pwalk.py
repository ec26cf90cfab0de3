"""pyfs_jvm.pwalk: walk against os.walk and the real pwalk package; report; repair."""

from __future__ import annotations

import errno
import json
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


@pytest.fixture
def big_tree(tmp_path: Path) -> Path:
    """~1,500 directories over several levels: several stream batches, real read-ahead."""
    root = tmp_path / "big"
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
