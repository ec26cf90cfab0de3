"""Copy and sync benchmark: pyfs-jvm against the tools its users switch from, on the same data.

    python bench/transfer.py [--dir /tmp/pyfs-bench/transfer] [--small 20000] [--big-mib 1024]
                             [--sync-files 100000] [--rounds 2] [--reps 2] [--only copy-tree,copy-big,resync]
                             [--fresh-ext4]

In one run, interleaved round by round (bench/_harness.py), each repetition starting from the same
state (the destination removed, or the target damaged again, untimed):

* copy-tree: a tree of --small small files (0-8 KiB, 100 per directory): pyfs-jvm copy_files,
  pyfs-watcher copy_files, shutil.copytree, cp -a, rsync -a;
* copy-big: one --big-mib MiB file: pyfs-jvm copy_files, pyfs-watcher copy_files, shutil.copy2,
  cp -a, rsync -a;
* resync: a --sync-files tree whose target is a full copy with 1% of its files changed before each
  run (half rewritten in place with the same size, half grown), then synced back: pyfs-jvm sync,
  pyfs-watcher sync, rsync -a.

Source and destination are on the same file system (the --dir one; with --fresh-ext4 the
small-file tree is copied within a new loop-mounted ext4 instead). Prints times, ratios against
pyfs-jvm and peak RSS per scenario.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import Tool, measure, report  # noqa: E402


def make_tree(root: str, files: int, max_size: int, seed: int = 1) -> None:
    marker = os.path.join(root, ".bench-complete")
    if os.path.exists(marker):
        return
    shutil.rmtree(root, ignore_errors=True)
    rng = random.Random(seed)
    blob = os.urandom(max_size + 4096)
    for i in range(files):
        d = os.path.join(root, f"d{i // 100:04}")
        if i % 100 == 0:
            os.makedirs(d, exist_ok=True)
        n = rng.randint(0, max_size)
        off = rng.randint(0, 4096)
        with open(os.path.join(d, f"f{i % 100:03}.dat"), "wb") as f:
            f.write(blob[off:off + n])
    open(marker, "w").close()


def make_big(path: str, mib: int) -> None:
    if os.path.exists(path) and os.path.getsize(path) == mib << 20:
        return
    with open(path, "wb") as f:
        chunk = os.urandom(8 << 20)
        for i in range(mib // 8):
            f.write(chunk[i % 7:] + chunk[:i % 7])  # not all-identical blocks
        f.write(os.urandom((mib % 8) << 20))


def copy_tools(src: str, dst: str, is_dir: bool) -> list[Tool]:
    """Each run copies into a fresh, empty directory under ``dst``.

    For the tree, the earlier runs' copies are kept until the scenario ends: on an ext4 without a
    journal (this machine's), creating files within ~30 s of deleting thousands makes the inode
    allocator check every recently deleted inode (``recently_deleted``), and a copy after an
    ``rmtree`` of the previous one took 3.5 s instead of 0.4 s, whichever tool ran. The big file
    is one inode, so its earlier copy is simply removed (20 copies of it would not fit).
    """
    s = repr(src)
    name = os.path.basename(src)
    before = ("import os, shutil, itertools\n_runs = itertools.count()\n"
              "def before():\n    global DST\n"
              + ("" if is_dir else f"    shutil.rmtree({dst!r}, ignore_errors=True)\n")
              + f"    DST = os.path.join({dst!r}, f'{{os.getpid()}}-{{next(_runs)}}')\n    os.makedirs(DST)\n"
              "    os.sync()  # earlier runs' writes go to disk before the clock starts\n")
    # The JVM's copy path is compiled during the first calls: warm it on 10 of the tree's
    # directories, three times (kept under dst like the timed copies), so that the median is the
    # warm speed; "first" still shows a cold call. Each directory is its own call, a new tree as
    # the timed copy is (one call with the ten as sources took the per-file rename path, so the
    # timed copies compiled the new-tree path). The big file's path is short: no warm-up.
    # (Three copies of the whole tree warm it further: in one process, full copies took 0.52,
    # 0.33, 0.31, 0.30, 0.29, 0.27 s. In the one bench run with that warm-up, every tool's timed
    # copies still swung by up to 2x with the file system's state (docs/transfer.md), so the
    # smaller warm-up, which leaves 57k fewer files on the file system, stays.)
    jvm_setup = "import pyfs_jvm, os\npyfs_jvm.runtime_info()\n"
    if is_dir:
        jvm_setup += (f"_parts = [os.path.join({s}, p) for p in sorted(os.listdir({s}))[:10]]\n"
                      f"for _k in range(3):\n"
                      f"    _w = os.path.join({dst!r}, f'warm-{{os.getpid()}}-{{_k}}')\n"
                      f"    os.makedirs(_w)\n    for _p in _parts:\n        pyfs_jvm.copy_files([_p], _w)\n")
    copy_py = (f"    shutil.copytree({s}, os.path.join(DST, {name!r}), symlinks=True)\n" if is_dir else
               f"    shutil.copy2({s}, os.path.join(DST, {name!r}))\n")
    return [
        Tool("pyfs-jvm copy_files", setup=jvm_setup, before=before,
             code=f"def run():\n    return len(pyfs_jvm.copy_files([{s}], DST))"),
        Tool("pyfs-watcher copy_files", setup="import pyfs_watcher", before=before,
             code=f"def run():\n    return len(pyfs_watcher.copy_files([{s}], DST))"),
        Tool("shutil.copytree" if is_dir else "shutil.copy2", setup="import shutil", before=before,
             code="def run():\n" + copy_py + "    return 0"),
        Tool("cp -a", setup="import subprocess", before=before,
             code=f"def run():\n    subprocess.run(['cp', '-a', {s}, DST + '/'], check=True)\n    return 0",
             available=shutil.which("cp") is not None),
        Tool("rsync -a", setup="import subprocess", before=before,
             code=f"def run():\n    subprocess.run(['rsync', '-a', {s}, DST + '/'], check=True)\n    return 0",
             available=shutil.which("rsync") is not None, note="apt-get install rsync"),
    ]


_DAMAGE = """
import os, random
_rng = random.Random(7)
def before():
    # 1% of the target's files differ from the source: half rewritten with the same size (only
    # content and mtime differ), half grown by a few bytes
    files = _FILES
    for i, p in enumerate(_rng.sample(files, max(1, len(files) // 100))):
        if i % 2:
            with open(p, "ab") as f:
                f.write(b"grown")
        else:
            n = os.path.getsize(p)
            with open(p, "r+b") as f:
                f.write(os.urandom(n))
    os.sync()  # the damage is written back before the clock starts
"""


SYNC_WARMUP = 16


def sync_tools(src: str, targets: dict[str, str]) -> list[Tool]:
    s = repr(src)

    def damage(t: str) -> str:
        files = f"[os.path.join(d, f) for d, _, fs in os.walk({t!r}) for f in fs if f.endswith('.dat')]"
        return _DAMAGE.replace("_FILES", "_ALL") + f"_ALL = {files}\n"

    jt, wt, rt = targets["jvm"], targets["pw"], targets["rsync"]
    # As for the copies: the JVM compiles the walk, compare and copy paths during the first calls,
    # so the setup runs untimed damage-and-sync passes on the same target (the timed runs then
    # start from the same state as every other tool's); "first" still shows a cold call. Sixteen,
    # because C2 is still compiling until about then: in a profile of syncs 7-18 of one process,
    # its compiler thread took 6-16 % of the CPU samples of each sync up to the 15th, then none.
    jvm_setup = ("import pyfs_jvm\npyfs_jvm.runtime_info()\n" + damage(jt)
                 + f"for _k in range({SYNC_WARMUP}):\n    before()\n    pyfs_jvm.sync({s}, {jt!r})\n")
    return [
        Tool("pyfs-jvm sync", setup=jvm_setup, before=damage(jt),
             code=f"def run():\n    r = pyfs_jvm.sync({s}, {jt!r})\n    return len(r.copied)"),
        Tool("pyfs-watcher sync", setup="import pyfs_watcher", before=damage(wt),
             code=f"def run():\n    r = pyfs_watcher.sync({s}, {wt!r})\n    return len(r.copied)"),
        Tool("rsync -a", setup="import subprocess", before=damage(rt),
             code=f"def run():\n    subprocess.run(['rsync', '-a', {src + '/'!r}, {rt + '/'!r}], check=True)\n    return 0",
             available=shutil.which("rsync") is not None, note="apt-get install rsync"),
    ]


@contextlib.contextmanager
def fresh_ext4(base: str, wanted: bool, trees: int = 40) -> Iterator[str | None]:
    """With ``wanted``: a new ext4 (mkfs defaults, journal included) loop-mounted under ``base``,
    removed afterwards; else None. Sized for the copies of the 20k-file tree the scenario keeps
    (``trees``: every tool's warm-up and timed runs; 40 fit in the smallest image)."""
    if not wanted:
        yield None
        return
    if os.geteuid() != 0 or shutil.which("mkfs.ext4") is None:
        sys.exit("--fresh-ext4 needs root and mkfs.ext4")
    img = os.path.join(base, "fresh-ext4.img")
    mnt = os.path.join(base, "fresh-ext4")
    os.makedirs(mnt, exist_ok=True)
    with open(img, "wb") as f:
        f.truncate(max(8 << 30, trees * (200 << 20)))  # sparse; a copy of the tree takes ~120 MB
    try:
        # Inode tables and journal written now: left lazy, the kernel's ext4lazyinit thread zeroes
        # them (512 MB of inode tables here) in the background for minutes after the mount, on the
        # CPUs and the disk the tools are being timed on (one resync measured 0.52 s with it, 0.25 s
        # once it was done).
        subprocess.run(["mkfs.ext4", "-q", "-F", "-N", str(max(2_000_000, trees * 25_000)), "-E",
                        "lazy_itable_init=0,lazy_journal_init=0", img], check=True)
        # Direct I/O from the loop device to its image: a plain loop mount caches every block twice
        # (the device's page cache and the image file's), and a run's copies fill gigabytes of it.
        dev = subprocess.run(["losetup", "--direct-io=on", "--sector-size", "4096", "--show", "-f", img],
                             check=True, capture_output=True, text=True).stdout.strip()
        try:
            subprocess.run(["mount", dev, mnt], check=True)
            try:
                yield mnt
            finally:
                subprocess.run(["umount", mnt], check=False)
        finally:
            subprocess.run(["losetup", "-d", dev], check=False)
    finally:
        os.remove(img)
        with contextlib.suppress(OSError):
            os.rmdir(mnt)  # only if the unmount left it empty


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default="/tmp/pyfs-bench/transfer")
    ap.add_argument("--small", type=int, default=20_000)
    ap.add_argument("--big-mib", type=int, default=1024)
    ap.add_argument("--sync-files", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--only", default="copy-tree,copy-big,resync")
    ap.add_argument("--fresh-ext4", action="store_true",
                    help="copy the small-file tree, and run the resync, within a new ext4 (default mkfs "
                         "options, loop-mounted; needs root): the tools then see the same clean file system "
                         "instead of one whose state, left by earlier deletions, swings every tool's small-file "
                         "copy 2-3x and the resync up to 2x")
    a = ap.parse_args()
    only = set(a.only.split(","))
    os.makedirs(a.dir, exist_ok=True)
    import pyfs_jvm

    rt = pyfs_jvm.runtime_info()
    fs = subprocess.run(["stat", "-f", "-c", "%T", a.dir], capture_output=True, text=True).stdout.strip()
    print(f"pyfs-jvm on JDK {rt['jdk_version']}, platform layer {rt['platform_layer']}, {rt['workers']} workers; "
          f"{os.cpu_count()} CPUs; data in {a.dir} ({fs}); load average {os.getloadavg()[0]:.1f}")

    if "copy-tree" in only:
        src = os.path.join(a.dir, f"small-{a.small}")
        t = time.perf_counter()
        make_tree(src, a.small, 8192)
        where = a.dir
        with fresh_ext4(a.dir, a.fresh_ext4, trees=5 * a.rounds * a.reps + 10) as mnt:
            if mnt is not None:
                where = mnt
                subprocess.run(["cp", "-a", src, mnt], check=True)
                src = os.path.join(mnt, os.path.basename(src))
                os.sync()
            print(f"\n== copy-tree: {a.small:,} files of 0-8 KiB ({time.perf_counter() - t:.0f} s to make), "
                  f"within {where}" + (" (a new ext4)" if mnt else ""))
            ts = copy_tools(src, os.path.join(where, "dst-tree"), True)
            measure(ts, a.rounds, a.reps)
            report(ts, "pyfs-jvm copy_files")
            if mnt is None:  # a fresh file system goes as a whole
                shutil.rmtree(os.path.join(where, "dst-tree"), ignore_errors=True)

    if "copy-big" in only:
        big = os.path.join(a.dir, f"big-{a.big_mib}.bin")
        make_big(big, a.big_mib)
        print(f"\n== copy-big: one {a.big_mib:,} MiB file")
        ts = copy_tools(big, os.path.join(a.dir, "dst-big"), False)
        measure(ts, a.rounds, a.reps)
        report(ts, "pyfs-jvm copy_files")
        shutil.rmtree(os.path.join(a.dir, "dst-big"), ignore_errors=True)

    if "resync" in only:
        src = os.path.join(a.dir, f"sync-{a.sync_files}")
        t = time.perf_counter()
        make_tree(src, a.sync_files, 4096, seed=2)
        with fresh_ext4(a.dir, a.fresh_ext4) as mnt:
            where = a.dir
            if mnt is not None:  # the source and the three targets all within the new file system
                where = mnt
                subprocess.run(["cp", "-a", src, mnt], check=True)
                src = os.path.join(mnt, os.path.basename(src))
            targets = {}
            for k in ("jvm", "pw", "rsync"):
                targets[k] = os.path.join(where, f"sync-target-{k}")
                shutil.rmtree(targets[k], ignore_errors=True)
                subprocess.run(["cp", "-a", src, targets[k]], check=True)  # identical, times included
            os.sync()
            print(f"\n== resync: {a.sync_files:,} files, 1% of the target changed before each run "
                  f"({time.perf_counter() - t:.0f} s to prepare), within {where}" + (" (a new ext4)" if mnt else ""))
            ts = sync_tools(src, targets)
            measure(ts, a.rounds, a.reps)
            report(ts, "pyfs-jvm sync")
            if mnt is None:
                for v in targets.values():
                    shutil.rmtree(v, ignore_errors=True)


if __name__ == "__main__":
    main()
