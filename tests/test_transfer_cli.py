"""pyfs-jvm copy / move / diff / sync on the command line (real child processes)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from transfer_helpers import make_tree, snapshot


def cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "pyfs_jvm", *args], capture_output=True, timeout=120)


def test_copy_then_diff_then_sync(tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src")
    p = cli("copy", "--progress", str(src), str(tmp_path / "dst"))
    assert p.returncode == 0, p.stderr
    assert b"files copied" in p.stdout and b"ETA" in p.stderr  # summary table and a progress bar
    assert snapshot(tmp_path / "dst" / "src") == snapshot(src)

    p = cli("copy", str(src), str(tmp_path / "dst"))  # conflict: clear error, status 2
    assert p.returncode == 2 and b"destination already exists" in p.stderr

    (src / "a.txt").write_bytes(b"changed!")
    (src / "new").write_bytes(b"n")
    p = cli("diff", str(src), str(tmp_path / "dst" / "src"))
    assert p.returncode == 1
    assert p.stdout.splitlines() == [b"M a.txt", b"- new"]  # source is the old side

    before = snapshot(tmp_path / "dst")
    p = cli("sync", "--dry-run", "--delete", str(src), str(tmp_path / "dst" / "src"))
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines() == [b"copy   a.txt", b"copy   new"]
    assert snapshot(tmp_path / "dst") == before
    p = cli("sync", "--delete", str(src), str(tmp_path / "dst" / "src"))
    assert p.returncode == 0 and b"copied" in p.stdout
    assert snapshot(tmp_path / "dst" / "src") == snapshot(src)
    assert cli("diff", "-s", str(src), str(tmp_path / "dst" / "src")).returncode == 0


def test_move_dry_run_then_move(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("a")
    p = cli("move", "-n", str(tmp_path / "a"), str(tmp_path / "b"))
    assert p.returncode == 0 and p.stdout == os.fsencode(f"{tmp_path}/a -> {tmp_path}/b\n")
    assert (tmp_path / "a").exists()
    p = cli("move", str(tmp_path / "a"), str(tmp_path / "b"))
    assert p.returncode == 0 and (tmp_path / "b").read_text() == "a" and not (tmp_path / "a").exists()
