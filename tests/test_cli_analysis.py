"""The analysis subcommands: ``dedup`` (including the linking action), ``snapshot``/``verify``,
``du`` (table, JSON, and the HTML treemap rendered by a real headless Chromium)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import pyfs_jvm
from pyfs_jvm.cli import main


def run_cli(capfdbinary: Any, *args: str) -> tuple[int, bytes, bytes]:
    rc = main(list(args))
    out, err = capfdbinary.readouterr()
    return rc, out, err


@pytest.fixture
def dups(tmp_path: Path) -> Path:
    root = tmp_path / "dups"
    (root / "x").mkdir(parents=True)
    (root / "a.bin").write_bytes(b"A" * 50_000)
    (root / "x" / "a-copy.bin").write_bytes(b"A" * 50_000)
    (root / "x" / "a-copy2.bin").write_bytes(b"A" * 50_000)
    (root / "b.txt").write_bytes(b"bbb")
    (root / ".b-hidden").write_bytes(b"bbb")
    (root / "unique").write_bytes(b"u")
    return root


def test_dedup_table_and_json(dups: Path, capfdbinary: Any) -> None:
    rc, out, _ = run_cli(capfdbinary, "dedup", str(dups))
    assert rc == 0
    assert b"2 groups, 5 files" in out
    assert out.index(b"a-copy.bin") < out.index(b"b.txt")  # biggest waste first
    rc, out, _ = run_cli(capfdbinary, "dedup", "--json", str(dups))
    doc = json.loads(out)
    assert [(g["copies"], g["wasted_bytes"]) for g in doc] == [(3, 100_000), (2, 3)]
    assert doc[1]["paths"] == [str(dups / ".b-hidden"), str(dups / "b.txt")]


def test_dedup_link_is_a_dry_run_unless_applied(dups: Path, capfdbinary: Any) -> None:
    before = {p: p.stat().st_ino for p in dups.rglob("*") if p.is_file()}
    rc, out, _ = run_cli(capfdbinary, "dedup", "--link", "hard", str(dups))
    assert rc == 0 and b"would link" in out and b"dry run" in out
    assert {p: p.stat().st_ino for p in dups.rglob("*") if p.is_file()} == before
    rc, out, _ = run_cli(capfdbinary, "dedup", "--link", "hard", "--apply", "--json", str(dups))
    assert rc == 0
    doc = json.loads(out)
    assert doc["dry_run"] is False and doc["freed_bytes"] == 100_003
    a = {(dups / n).stat().st_ino for n in ["a.bin", "x/a-copy.bin", "x/a-copy2.bin"]}
    assert len(a) == 1
    assert (dups / "x" / "a-copy2.bin").read_bytes() == b"A" * 50_000
    assert sorted(os.listdir(dups / "x")) == ["a-copy.bin", "a-copy2.bin"]  # no temporary left
    # nothing left to win: the groups are hard links now
    assert [(g.copies, g.wasted_bytes) for g in pyfs_jvm.find_duplicates([str(dups)])] == [(1, 0), (1, 0)]
    rc, out, _ = run_cli(capfdbinary, "dedup", str(dups))
    assert b"2 groups, 5 files, 0 B wasted" in out
    rc, out, _ = run_cli(capfdbinary, "dedup", "--link", "hard", str(dups))
    assert b"would free 0 B; 0 skipped" in out


def test_dedup_link_verifies_bytes_before_linking(dups: Path, capfdbinary: Any) -> None:
    from pyfs_jvm.cli import dedup as cli_dedup

    groups = pyfs_jvm.find_duplicates([str(dups)])
    (dups / "x" / "a-copy2.bin").write_bytes(b"A" * 49_999 + b"B")  # changed after the scan, same size
    failed = cli_dedup._link_all(groups, "hard", True, False)
    out = capfdbinary.readouterr().out
    assert failed == 1 and b"contents differ" in out
    assert (dups / "x" / "a-copy2.bin").read_bytes().endswith(b"B")
    assert (dups / "x" / "a-copy.bin").stat().st_ino == (dups / "a.bin").stat().st_ino


def test_dedup_reflink_links_or_leaves_files_alone(dups: Path, capfdbinary: Any) -> None:
    rc, out, _ = run_cli(capfdbinary, "dedup", "--link", "reflink", "--apply", str(dups / "x"), str(dups / "a.bin"))
    for n in ["a.bin", "x/a-copy.bin", "x/a-copy2.bin"]:
        assert (dups / n).read_bytes() == b"A" * 50_000
    inodes = {(dups / n).stat().st_ino for n in ["a.bin", "x/a-copy.bin", "x/a-copy2.bin"]}
    assert len(inodes) == 3  # a reflink is a separate file either way
    if b"not supported" in out:  # this file system cannot clone (ext4, overlayfs, tmpfs)
        assert rc == 1
    else:
        assert rc == 0 and b"linked" in out


def test_dedup_bad_input(tmp_path: Path, capfdbinary: Any) -> None:
    rc, _, err = run_cli(capfdbinary, "dedup", str(tmp_path / "missing"))
    assert rc == 2 and b"path does not exist" in err
    rc, _, err = run_cli(capfdbinary, "dedup", "--apply", str(tmp_path))
    assert rc == 2 and b"--link" in err


def test_snapshot_then_verify_exit_status(dups: Path, tmp_path: Path, capfdbinary: Any) -> None:
    snap = tmp_path / "s.json"
    rc, out, _ = run_cli(capfdbinary, "snapshot", str(dups), "-o", str(snap))
    assert rc == 0 and b"6 files" in out
    rc, out, _ = run_cli(capfdbinary, "verify", str(snap))
    assert (rc, out) == (0, b"OK\n")
    (dups / "unique").write_bytes(b"v")
    (dups / "new").write_bytes(b"n")
    rc, out, _ = run_cli(capfdbinary, "verify", "--json", str(snap))
    assert rc == 1
    doc = json.loads(out)
    assert [c["path"] for c in doc["modified"]] == ["unique"] and [c["path"] for c in doc["added"]] == ["new"]
    rc, _, err = run_cli(capfdbinary, "verify", str(tmp_path / "nope.json"))
    assert rc == 2 and b"error" in err
    # the real command's exit status, as a shell sees it
    p = subprocess.run([sys.executable, "-m", "pyfs_jvm", "verify", str(snap)], capture_output=True, timeout=120)
    assert p.returncode == 1 and p.stdout.endswith(b"CHANGED: 1 added, 1 modified\n"), p.stderr


def test_du_table_and_json(dups: Path, capfdbinary: Any) -> None:
    rc, out, _ = run_cli(capfdbinary, "du", str(dups), "--apparent", "--top", "2")
    assert rc == 0
    lines = out.decode().splitlines()
    assert lines[0].endswith("x/") and "#" in lines[0]
    assert "(3 more)" in lines[2] and "total" in lines[3]
    rc, out, _ = run_cli(capfdbinary, "du", str(dups), "--json", "--depth", "2")
    doc = json.loads(out)
    u = pyfs_jvm.disk_usage(str(dups))
    assert (doc["total_size"], doc["apparent_size"], doc["allocated_size"]) == \
        (u.total_size, u.apparent_size, u.allocated_size)
    x = next(c for c in doc["children"] if c["path"] == "x")
    assert x["file_count"] == 2 and x["children"] == []


# ------------------------------------------------------------------ the treemap, in Chromium


class _Cells(HTMLParser):
    """Collects every div.cell of the rendered DOM with its geometry and label."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[dict[str, Any]] = []
        self.external: list[str] = []
        self._label: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for key in ("src", "href"):
            if a.get(key, "").startswith(("http:", "https:", "//")):
                self.external.append(a[key])
        if tag == "div" and "cell" in a.get("class", "").split():
            style = dict(part.split(":", 1) for part in a["style"].replace(" ", "").split(";") if ":" in part)
            self.cells.append({"path": a["data-path"], "size": int(a["data-size"]), "depth": int(a["data-depth"]),
                               "kind": a["data-kind"], "x": float(style["left"][:-2]),
                               "y": float(style["top"][:-2]), "w": float(style["width"][:-2]),
                               "h": float(style["height"][:-2]), "label": ""})
        if tag == "span" and a.get("class") == "label" and self.cells:
            self._label = self.cells[-1]

    def handle_data(self, data: str) -> None:
        if self._label is not None:
            self._label["label"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "span":
            self._label = None


def chromium_dom(page: Path, fragment: str = "") -> str:
    exe = shutil.which("chromium")
    assert exe, "Debian's chromium is needed (scripts/test-all.sh installs it)"
    p = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1200,800",
                        "--dump-dom", page.as_uri() + fragment],
                       capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr.decode(errors="replace")
    return p.stdout.decode()


@pytest.fixture
def sized_tree(tmp_path: Path) -> Path:
    root = tmp_path / "sized"
    sizes = {"big/one.bin": 4_000_000, "big/two.bin": 2_000_000, "mid/a/x.bin": 1_500_000, "mid/b.bin": 500_000,
             "small.txt": 1_000_000, "<script>&.txt": 1_200_000}
    for rel, n in sizes.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"\x01" * n)
    return root


def test_treemap_renders_proportional_rectangles_in_chromium(sized_tree: Path, tmp_path: Path,
                                                              capfdbinary: Any) -> None:
    page = tmp_path / "map.html"
    rc, out, _ = run_cli(capfdbinary, "du", str(sized_tree), "--html", str(page), "--apparent")
    assert rc == 0 and b"treemap" in out
    parser = _Cells()
    parser.feed(chromium_dom(page))
    assert parser.external == []  # self-contained
    top = [c for c in parser.cells if c["depth"] == 1]
    u = pyfs_jvm.disk_usage(str(sized_tree))
    measure = {c.path: (c.allocated_size if c.allocated_size is not None else c.apparent_size) for c in u.children}
    assert {c["path"][1:] for c in top} >= set(measure)  # every top-level entry has a rectangle
    shown = [c for c in top if c["path"][1:] in measure]
    total_area = sum(c["w"] * c["h"] for c in top)
    total_size = sum(c["size"] for c in top)
    assert 1200 * 600 < total_area <= 1200 * 800  # the map fills the window below the header
    for c in shown:
        assert c["size"] == measure[c["path"][1:]]
        share = c["w"] * c["h"] / total_area
        assert abs(share - c["size"] / total_size) < 0.005, c  # areas proportional to sizes
        assert c["label"].startswith(c["path"][1:])  # big enough to be labelled
    for i, a in enumerate(top):  # siblings do not overlap
        for b in top[i + 1:]:
            ox = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
            oy = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
            assert ox <= 0.01 or oy <= 0.01, (a["path"], b["path"])
    nested = {c["path"] for c in parser.cells if c["depth"] == 2}
    assert {"/big/one.bin", "/big/two.bin", "/mid/a"} <= nested  # second level inside directories
    assert any(c["label"].startswith("<script>&.txt") for c in top)  # names are text, not markup


def test_treemap_zooms_to_the_directory_in_the_fragment(sized_tree: Path, tmp_path: Path, capfdbinary: Any) -> None:
    page = tmp_path / "map.html"
    run_cli(capfdbinary, "du", str(sized_tree), "--html", str(page))
    parser = _Cells()
    parser.feed(chromium_dom(page, "#/mid"))
    top = {c["path"] for c in parser.cells if c["depth"] == 1 and c["kind"] != "o"}
    assert top == {"/mid/a", "/mid/b.bin"}
    assert sorted(c["path"] for c in parser.cells if c["kind"] == "o") == ["/mid/(the directory itself)",
                                                                       "/mid/a/(the directory itself)"]
