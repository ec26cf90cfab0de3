"""Shared fixtures: small real trees full of edge cases."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A small tree with every kind of entry the walkers must handle::

        root/
          a.txt (5 B)  b.log (0 B)  .hidden (3 B)  link_a -> a.txt  broken -> missing
          sub/ c.txt  deep/ d.txt  .hdir/ e.txt
          empty/
          a-b (file; sorts between "a" and "a/..." differently per directory vs. global)
          fifo (a named pipe)
    """
    root = tmp_path / "root"
    (root / "sub" / "deep").mkdir(parents=True)
    (root / "sub" / ".hdir").mkdir()
    (root / "empty").mkdir()
    (root / "a.txt").write_bytes(b"hello")
    (root / "b.log").write_bytes(b"")
    (root / ".hidden").write_bytes(b"abc")
    (root / "a-b").write_bytes(b"x")
    (root / "sub" / "c.txt").write_bytes(b"c" * 100)
    (root / "sub" / "deep" / "d.txt").write_bytes(b"d" * 1000)
    (root / "sub" / ".hdir" / "e.txt").write_bytes(b"e")
    os.symlink("a.txt", root / "link_a")
    os.symlink("missing", root / "broken")
    os.mkfifo(root / "fifo")
    return root


@pytest.fixture
def odd_names(tmp_path: Path) -> Path:
    """A tree whose names are not valid UTF-8, or hold newlines, quotes, spaces and accents."""
    root = tmp_path / "odd"
    root.mkdir()
    rb = os.fsencode(str(root))
    names = [b"bad\xff\xfename", b"new\nline", b"quote\"'s", b"caf\xc3\xa9", b" lead space", b"tab\there",
             b"\xe2\x98\x83 snowman", b"back\\slash", b"latin1-\xe9t\xe9"]
    for n in names:
        with open(rb + b"/" + n, "wb") as f:
            f.write(n)
    sub = rb + b"/dir\xff"
    os.mkdir(sub)
    with open(sub + b"/inner\x80.txt", "wb") as f:
        f.write(b"inner")
    return root
