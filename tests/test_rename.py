"""bulk_rename / RenameResult / undo / undo_journal on real trees: the reference's behaviour
where it is safe (compared with pyfs-watcher 0.3.0), refusals where it loses data."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyfs_watcher
import pytest

import pyfs_jvm
from pyfs_jvm.errors import FsWatcherError, RenameError
from pyfs_jvm.types import RenameEntry, RenameFileError, RenameResult


def snap(root: Path) -> dict[str, bytes | str | None]:
    """Every entry under root with its content (None for directories, the target for links)."""
    out: dict[str, bytes | str | None] = {}
    for d, dirs, files in os.walk(root):
        for n in dirs:
            out[os.path.relpath(os.path.join(d, n), root)] = None
        for n in files:
            p = os.path.join(d, n)
            out[os.path.relpath(p, root)] = os.readlink(p) if os.path.islink(p) else Path(p).read_bytes()
    return out


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "t"
    (root / "sub" / ".h").mkdir(parents=True)
    (root / "photos").mkdir()
    for rel in ["a1.txt", "a2.txt", "b.txt", ".hid1.txt", "sub/a3.txt", "sub/.h/a4.txt", "photos/IMG_001.jpg",
                "photos/IMG_002.jpg", "photos/notes.md"]:
        (root / rel).write_text(f"content of {rel}")
    os.symlink("b.txt", root / "link_a9.txt")
    return root


@pytest.fixture(autouse=True)
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(d))
    return d


def entries(r: Any) -> list[tuple[str, str, str, str]]:
    return sorted((e.old_path, e.new_path, e.old_name, e.new_name) for e in r.renamed)


CASES: list[tuple[str, str, dict[str, Any]]] = [
    (r"a(\d)", r"x_${1}", {}),
    (r"a(\d)", r"x_$1", {"recursive": True, "max_depth": 2}),
    (r"^", "bk_", {"include_dirs": True, "recursive": True}),
    (r"\.txt$", ".md", {"glob_pattern": "a*"}),
    (r"(?P<n>a)", "$n$n$$", {"recursive": True, "skip_hidden": False, "max_depth": 2}),
    (r"IMG_(\d+)", r"photo_${1}", {"recursive": True}),
    (r"(?i)img", "pic", {"recursive": True}),
    (r"nomatch", "x", {"recursive": True}),
]


@pytest.mark.parametrize("pattern,replacement,kw", CASES, ids=[f"{p}->{r}" for p, r, _ in CASES])
def test_same_as_pyfs_watcher(tmp_path: Path, tree: Path, pattern: str, replacement: str,
                              kw: dict[str, Any]) -> None:
    shutil.rmtree(tree / "sub" / ".h")  # hidden directories are pruned on purpose (tested below)
    other = tmp_path / "ref"
    shutil.copytree(tree, other, symlinks=True)
    before = snap(tree)
    ref = pyfs_watcher.bulk_rename(str(other), pattern, replacement, dry_run=False, **kw)
    got = pyfs_jvm.bulk_rename(str(tree), pattern, replacement, dry_run=False, **kw)
    assert isinstance(got, RenameResult)
    strip = len(str(tree)), len(str(other))
    assert [(e[0][strip[0]:], e[1][strip[0]:], e[2], e[3]) for e in entries(got)] == \
        [(e[0][strip[1]:], e[1][strip[1]:], e[2], e[3]) for e in entries(ref)]
    assert (got.skipped, got.errors, got.dry_run) == (ref.skipped, [], False)
    assert repr(got) == repr(ref)
    assert snap(tree) == snap(other)
    assert got.undo() == [] == ref.undo()
    assert snap(tree) == before == snap(other)


def test_dry_run_is_the_default_and_touches_nothing(tree: Path, state_dir: Path) -> None:
    before = snap(tree)
    r = pyfs_jvm.bulk_rename(tree, r"a(\d)", "x$1")
    assert r.dry_run and r.journal is None
    assert [(e.old_name, e.new_name) for e in r.renamed] == [("a1.txt", "x1.txt"), ("a2.txt", "x2.txt")]
    assert repr(r.renamed[0]) == 'RenameEntry("a1.txt" -> "x1.txt")'
    assert snap(tree) == before and not state_dir.exists()
    with pytest.raises(RenameError, match="cannot undo a dry-run operation"):
        r.undo()


def test_existing_target_is_refused_not_overwritten(tree: Path) -> None:
    (tree / "x1.txt").write_text("precious")
    for dry in (True, False):
        r = pyfs_jvm.bulk_rename(tree, r"a(\d)", "x$1", dry_run=dry)
        assert [e.old_name for e in r.renamed] == ["a2.txt"] if dry else True
        assert len(r.errors) == 1 and isinstance(r.errors[0], RenameFileError)
        assert r.errors[0].path == str(tree / "a1.txt")
        assert "already exists" in r.errors[0].message
    assert (tree / "x1.txt").read_text() == "precious"
    assert (tree / "a1.txt").read_text() == "content of a1.txt"
    assert (tree / "x2.txt").exists() and not (tree / "a2.txt").exists()


def test_two_files_onto_one_name_are_both_refused(tree: Path) -> None:
    before = snap(tree)
    for dry in (True, False):
        r = pyfs_jvm.bulk_rename(tree, r"a\d", "same", dry_run=dry)
        assert r.renamed == []
        assert sorted(e.path for e in r.errors) == [str(tree / "a1.txt"), str(tree / "a2.txt")]
        assert all("2 entries would be renamed to" in e.message for e in r.errors)
    assert snap(tree) == before
    # the reference silently loses a file here
    ref_root = tree.parent / "ref"
    shutil.copytree(tree, ref_root, symlinks=True)
    pyfs_watcher.bulk_rename(str(ref_root), r"a\d", "same", dry_run=False)
    assert not (ref_root / "a1.txt").exists() and not (ref_root / "a2.txt").exists()


def test_separator_in_new_name_is_refused(tree: Path) -> None:
    before = snap(tree)
    r = pyfs_jvm.bulk_rename(tree, r"^b", "../escaped", dry_run=False)
    assert r.renamed == [] and "path separator" in r.errors[0].message
    r = pyfs_jvm.bulk_rename(tree, r"^b\.txt$", "..", dry_run=False)
    assert r.renamed == [] and "not a valid file name" in r.errors[0].message
    assert snap(tree) == before


def test_chains_and_cycles_inside_the_plan(tmp_path: Path) -> None:
    root = tmp_path / "c"
    root.mkdir()
    contents = {"x": "1", "xx": "2", "ab": "AB", "ba": "BA", "abc": "ABC", "bca": "BCA", "cab": "CAB"}
    for n, c in contents.items():
        (root / n).write_text(c)
    # a chain: x -> xx while xx -> xxx; done from the end, nothing refused
    chain = pyfs_jvm.bulk_rename(root, r"^(x+)$", "${1}x", dry_run=False)
    assert chain.errors == [] and len(chain.renamed) == 2
    assert {n: (root / n).read_text() for n in ["xx", "xxx"]} == {"xx": "1", "xxx": "2"}
    # a 2-cycle and a 3-cycle: through a temporary name
    two = pyfs_jvm.bulk_rename(root, r"^([ab])([ab])$", "$2$1", dry_run=False)
    three = pyfs_jvm.bulk_rename(root, r"^([abc])([abc]{2})$", "$2$1", dry_run=False)
    assert two.errors == [] == three.errors
    assert {n: (root / n).read_text() for n in ["ab", "ba", "abc", "bca", "cab"]} == {
        "ab": "BA", "ba": "AB", "bca": "ABC", "cab": "BCA", "abc": "CAB"}
    assert not [n for n in os.listdir(root) if n.startswith(".pyfs-jvm")]
    assert three.undo() == [] == two.undo() == chain.undo()
    assert {n: (root / n).read_text() for n in os.listdir(root)} == contents


def test_undo_restores_exactly_and_reports_what_it_cannot(tree: Path) -> None:
    before = snap(tree)
    r = pyfs_jvm.bulk_rename(tree, r"a(\d)", "z$1", dry_run=False)
    assert r.journal is not None and os.path.exists(r.journal)
    (tree / "a2.txt").write_text("someone took the old name")  # undo must not overwrite it
    errs = r.undo()
    assert len(errs) == 1 and errs[0].path == str(tree / "z2.txt")
    assert errs[0].message.startswith("failed to undo rename: ")
    assert (tree / "a1.txt").read_text() == "content of a1.txt"
    assert (tree / "a2.txt").read_text() == "someone took the old name"
    assert (tree / "z2.txt").read_text() == "content of a2.txt"
    with pytest.raises(RenameError, match="undo already performed or no renames to undo"):
        r.undo()
    (tree / "a2.txt").unlink()
    assert pyfs_jvm.undo_journal(r.journal) == []  # the journal knows what is still undone
    assert snap(tree) == before
    assert pyfs_jvm.undo_journal(r.journal) == []  # and that it is all done now
    assert snap(tree) == before
    nothing = pyfs_jvm.bulk_rename(tree, "nomatch", "x", dry_run=False)
    assert nothing.undo() == [] and nothing.journal is None


def test_directories_renamed_deepest_first_and_undone(tree: Path) -> None:
    before = snap(tree)
    r = pyfs_jvm.bulk_rename(tree, r"^(sub|photos|IMG)", "new_$1", recursive=True, include_dirs=True,
                             dry_run=False)
    assert r.errors == []
    names = [e.old_name for e in r.renamed]
    assert names.index("IMG_001.jpg") < names.index("photos")
    assert sorted(snap(tree)) == sorted(["a1.txt", "a2.txt", "b.txt", ".hid1.txt", "link_a9.txt", "new_sub",
                                         "new_sub/a3.txt", "new_sub/.h", "new_sub/.h/a4.txt", "new_photos",
                                         "new_photos/new_IMG_001.jpg", "new_photos/new_IMG_002.jpg",
                                         "new_photos/notes.md"])
    assert r.undo() == []
    assert snap(tree) == before


def test_symlinks_and_hidden_entries_are_left_alone(tree: Path) -> None:
    r = pyfs_jvm.bulk_rename(tree, r"(\d)", "N", recursive=True)
    assert "link_a9.txt" not in [e.old_name for e in r.renamed]
    assert ".hid1.txt" not in [e.old_name for e in r.renamed]
    assert "a4.txt" not in [e.old_name for e in r.renamed]  # inside a hidden directory: pruned
    r = pyfs_jvm.bulk_rename(tree, r"(\d)", "N", recursive=True, skip_hidden=False)
    assert {".hid1.txt", "a4.txt"} <= {e.old_name for e in r.renamed}


def test_interrupted_run_is_undone_from_the_journal(tree: Path, tmp_path: Path) -> None:
    """The process dies (os._exit, like kill -9) after three renames: the journal written so far
    is enough for another process to put everything back."""
    for i in range(10):
        (tree / f"many{i}.dat").write_text(str(i))
    before = snap(tree)
    journal = tmp_path / "j.jsonl"
    code = f"""
import os, pyfs_jvm._rename as R
real = R._rename_noreplace
count = [0]
def dying(src, dst):
    real(src, dst)
    count[0] += 1
    if count[0] == 3:
        os._exit(3)
R._rename_noreplace = dying
import pyfs_jvm
pyfs_jvm.bulk_rename({str(tree)!r}, "many([0-9])", "renamed_$1", dry_run=False, journal={str(journal)!r})
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 3, proc.stderr.decode()
    assert len([n for n in os.listdir(tree) if n.startswith("renamed_")]) == 3
    records = [json.loads(line) for line in journal.read_text().splitlines()]
    assert records[0]["pyfs_jvm_rename_journal"] == 1 and records[0]["pattern"] == "many([0-9])"
    # the CLI does the same as undo_journal
    out = subprocess.run([sys.executable, "-m", "pyfs_jvm", "rename", "--undo", str(journal)],
                         capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out.stderr.decode()
    assert snap(tree) == before


@pytest.mark.parametrize("replacement", ["$2", "${2}", "$1_bak", "${name}", "$nope"])
def test_replacement_with_a_missing_group_is_an_error(tree: Path, replacement: str) -> None:
    before = snap(tree)
    with pytest.raises(RenameError, match="^invalid replacement") as ei:
        pyfs_jvm.bulk_rename(tree, r"a(\d)", replacement, dry_run=False)
    assert isinstance(ei.value, ValueError)
    if replacement == "$1_bak":
        assert "${1}_bak" in str(ei.value)
    assert snap(tree) == before


def test_replacement_syntax(tmp_path: Path) -> None:
    root = tmp_path / "r"
    root.mkdir()
    (root / "abc.txt").write_text("")
    cases = {r"${1}_bak": "a_bak", "$$1": "$1", r"\1": "\\1", "${g}${g}": "aa", "[$0]": "[a]",
             "$1$g": "aa", "$": "$", "${unclosed": "${unclosed"}
    for rep, want in cases.items():
        r = pyfs_jvm.bulk_rename(root, r"(?P<g>a)", rep)
        assert r.renamed[0].new_name == want + "bc.txt", rep
        ref = pyfs_watcher.bulk_rename(str(root), r"(?P<g>a)", rep)
        assert ref.renamed[0].new_name == want + "bc.txt", rep
    # empty matches: a prefix once, as Rust replace_all
    assert pyfs_jvm.bulk_rename(root, "^", "p_").renamed[0].new_name == "p_abc.txt"
    for pat in ["x*", "t*", r"\b"]:
        assert pyfs_jvm.bulk_rename(root, pat, "-").renamed[0].new_name == \
            pyfs_watcher.bulk_rename(str(root), pat, "-").renamed[0].new_name, pat


def test_bad_input(tmp_path: Path, tree: Path) -> None:
    before = snap(tree)
    with pytest.raises(RenameError, match="^path is not a directory: ") as ei:
        pyfs_jvm.bulk_rename(tmp_path / "missing", "a", "b")
    assert isinstance(ei.value, FileNotFoundError)
    with pytest.raises(RenameError, match="^path is not a directory: ") as ei:
        pyfs_jvm.bulk_rename(tree / "b.txt", "a", "b")
    assert isinstance(ei.value, NotADirectoryError)
    with pytest.raises(RenameError, match="^invalid regex pattern: "):
        pyfs_jvm.bulk_rename(tree, "(unclosed", "b", dry_run=False)
    with pytest.raises(RenameError, match='^invalid glob pattern "\\[": '):
        pyfs_jvm.bulk_rename(tree, "a", "b", glob_pattern="[", dry_run=False)
    with pytest.raises(TypeError):
        pyfs_jvm.bulk_rename(tree, "a", "b", dry_run=0)  # type: ignore[arg-type]
    with pytest.raises(RenameError, match="journal does not exist"):
        pyfs_jvm.undo_journal(tmp_path / "no-journal")
    bogus = tmp_path / "bogus.jsonl"
    bogus.write_text('{"x": 1}\n')
    with pytest.raises(RenameError, match="not a pyfs-jvm rename journal"):
        pyfs_jvm.undo_journal(bogus)
    assert snap(tree) == before
    assert issubclass(RenameError, FsWatcherError)


def test_result_types(tree: Path) -> None:
    r = pyfs_jvm.bulk_rename(tree, r"a(\d)", "x$1")
    e = r.renamed[0]
    assert isinstance(e, RenameEntry)
    with pytest.raises(AttributeError):
        e.old_name = "x"  # type: ignore[misc]
    r.renamed.clear()
    assert len(r.renamed) == 2  # a fresh list on each access
    err = RenameFileError("p", "m")
    assert repr(err) == 'RenameFileError("p", "m")'
    assert repr(r) == "RenameResult(renamed=2, skipped=1, errors=0, dry_run=true)"


def test_names_that_are_not_utf8(odd_names: Path) -> None:
    before = snap(odd_names)
    r = pyfs_jvm.bulk_rename(odd_names, "^", "x_", recursive=True, include_dirs=True, dry_run=False)
    assert r.errors == []
    assert len(r.renamed) == len(before)
    assert os.path.exists(os.fsencode(str(odd_names)) + b"/x_dir\xff/x_inner\x80.txt")
    assert pyfs_jvm.undo_journal(r.journal) == [] if r.journal else False
    assert snap(odd_names) == before


def test_cli_preview_apply_undo(tree: Path, tmp_path: Path) -> None:
    before = snap(tree)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pyfs_jvm", "rename", *args], capture_output=True, text=True,
                              timeout=120, stdin=subprocess.DEVNULL)

    (tree / "x2.txt").write_text("taken")
    p = cli(r"a(\d)", "x$1", str(tree))
    assert p.returncode == 1  # one refusal
    assert "a1.txt  ->  x1.txt" in p.stdout and "a2.txt  !!  refused:" in p.stdout
    assert "dry run: nothing was renamed" in p.stdout
    journal = tmp_path / "cli.jsonl"
    p = cli(r"a(\d)", "x$1", str(tree), "--apply", "--journal", str(journal))
    assert (tree / "x1.txt").exists() and (tree / "a2.txt").exists()
    assert f"undo with: pyfs-jvm rename --undo {journal}" in p.stdout
    p = cli("--undo", str(journal))
    assert p.returncode == 0, p.stderr
    (tree / "x2.txt").unlink()
    assert snap(tree) == before
    assert cli().returncode == 2
