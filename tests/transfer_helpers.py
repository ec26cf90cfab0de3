"""Helpers shared by the copy, move and sync tests: tree snapshots and a tree full of edge cases."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def snapshot(root: Path) -> dict[str, tuple[object, ...]]:
    """Every entry under ``root`` (the root included): type, mode, content digest or link target."""
    out: dict[str, tuple[object, ...]] = {}
    rb = os.fsencode(str(root))
    if not os.path.lexists(rb):
        return out
    for dirpath, dirnames, filenames in os.walk(rb):
        for name in [b""] + dirnames + filenames if dirpath == rb else dirnames + filenames:
            p = os.path.join(dirpath, name) if name else dirpath
            st = os.lstat(p)
            key = os.fsdecode(os.path.relpath(p, rb))
            if stat.S_ISLNK(st.st_mode):
                out[key] = ("link", os.readlink(p))
            elif stat.S_ISDIR(st.st_mode):
                out[key] = ("dir", stat.S_IMODE(st.st_mode))
            elif stat.S_ISREG(st.st_mode):
                with open(p, "rb") as f:
                    out[key] = ("file", stat.S_IMODE(st.st_mode), hashlib.sha256(f.read()).hexdigest())
            else:
                out[key] = ("other",)
    return out


def temp_files(root: Path) -> list[str]:
    """Temporary files, and the hidden directories new trees are built in, left under ``root``."""
    return [os.path.join(d, f) for d, ds, fs in os.walk(root) for f in fs + ds if f.endswith(".pyfsjvm-tmp")]


def make_tree(root: Path) -> Path:
    """Files, hidden files and directories, an empty directory, symlinks (good and broken)."""
    (root / "sub" / "deep").mkdir(parents=True)
    (root / ".hdir").mkdir()
    (root / "empty").mkdir()
    (root / "a.txt").write_bytes(b"hello")
    (root / "zero").write_bytes(b"")
    (root / ".hidden").write_bytes(b"secret")
    (root / ".hdir" / "inside").write_bytes(b"in")
    (root / "sub" / "c.bin").write_bytes(os.urandom(300_000))
    (root / "sub" / "deep" / "d.txt").write_bytes(b"d" * 1000)
    os.symlink("a.txt", root / "link")
    os.symlink("nowhere", root / "broken")
    (root / "sub" / "exec.sh").write_bytes(b"#!/bin/sh\n")
    (root / "sub" / "exec.sh").chmod(0o750)
    os.utime(root / "a.txt", ns=(1_500_000_000_123_456_789, 1_600_000_000_987_654_321))
    return root


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs of our own (a disk that fills up). Needs root, as CI has."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], check=True)
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def held_deleted(under: Path) -> list[str]:
    """This process's descriptors (the JVM's included) that name a deleted file under ``under``."""
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(under)) and target.endswith(" (deleted)"):
            out.append(target)
    return out


def numbered_files(root: Path, content: bytes, dirs: int = 3, per_dir: int = 150) -> list[Path]:
    """``root/d{d}/f{i}`` holding ``content % i``: more files than Releases lets wait at once."""
    out = []
    for d in range(dirs):
        (root / f"d{d}").mkdir(parents=True, exist_ok=True)
        for i in range(per_dir):
            f = root / f"d{d}" / f"f{i}"
            f.write_bytes(content % i)
            out.append(f)
    return out
