"""The pyfs-jvm command line (info, walk)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "pyfs_jvm", *args], capture_output=True, timeout=120)


def test_info_json() -> None:
    p = cli("info", "--json")
    assert p.returncode == 0, p.stderr
    info = json.loads(p.stdout)
    assert info["jdk_feature"] >= 17 and info["platform_layer"] in ("nio", "ffm-linux")


def test_walk_prints_raw_paths(odd_names: Path) -> None:
    p = cli("walk", "--sort", str(odd_names), "-0")
    assert p.returncode == 0, p.stderr
    got = sorted(p.stdout.split(b"\0")[:-1])
    want = sorted(os.path.join(d, x) for d, ds, fs in os.walk(os.fsencode(str(odd_names))) for x in ds + fs)
    assert got == want


def test_walk_json_lines(tree: Path) -> None:
    p = cli("walk", str(tree), "--json", "--sort", "--max-depth", "1", "--type", "file")
    rows = [json.loads(line) for line in p.stdout.splitlines()]
    assert [Path(r["path"]).name for r in rows] == [".hidden", "a-b", "a.txt", "b.log"]
    assert rows[2]["file_size"] == 5 and rows[2]["is_file"] is True


def test_walk_summary(tree: Path) -> None:
    p = cli("walk", "--summary", str(tree))
    assert p.returncode == 0
    text = p.stdout.decode()
    assert "14 entries" in text and "files" in text and "sub" in text


def test_walk_bad_root_is_a_clear_error(tmp_path: Path) -> None:
    p = cli("walk", str(tmp_path / "missing"))
    assert p.returncode == 2
    assert p.stderr.decode().strip() == f"pyfs-jvm: error: path does not exist: {tmp_path / 'missing'}"


def test_module_and_script_entry_points_agree() -> None:
    p = subprocess.run(["pyfs-jvm", "info", "--json"], capture_output=True, timeout=120)
    assert p.returncode == 0 and json.loads(p.stdout)["jdk_feature"] >= 17
