"""Delta transfer benchmark: pyfs-jvm against pdiffcopy and rsync, over loopback, on the same data.

    python bench/delta.py [--size 1GiB] [--changes 0,5,100] [--reps 2] [--dir /tmp/pyfs-delta-bench]

A source file of random data sits in a served directory; three servers run on 127.0.0.1 over it:
pyfs-jvm's (``pyfs-jvm delta --root``), the real pdiffcopy server (gunicorn), and an rsync daemon.
For each change level (the percentage of 1 MiB blocks with a few bytes changed, chosen at random
with a fixed seed) the local target is rebuilt identically before every timed run, then each tool
downloads the changes into it (the direction of pdiffcopy's own benchmark):

* ``pyfs-jvm delta`` CLI (end to end: process start, JVM start, sync): its defaults (sha1, atomic
  replacement, which also copies the target to a temporary file), sha1 in place, BLAKE3 in place;
* the same sync through the Python API in one long-lived process whose JVM was started and warmed
  once at the beginning (what a library user sees),
  also with the source re-stamped before the run, so the server's cache of block hashes of
  unchanged files cannot help (the first sync of a file after it changed costs this much);
* the ``pdiffcopy`` CLI (sha1, its default and the only choice its server knows that is cheap),
  and pdiffcopy's ``Client.synchronize()`` in a long-lived process, which the warm rows are
  compared with too;
* ``rsync --inplace`` from the daemon.

Every run's result is checked against the source (SHA-256). Prints times and ratios against
pdiffcopy.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import Tool, report  # noqa: E402

MiB = 1024 * 1024
HERE = os.path.dirname(os.path.abspath(__file__))
PYTHONPATH = os.pathsep.join(p for p in [os.path.join(HERE, "..", "python"), os.environ.get("PYTHONPATH")] if p)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(port: int, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with {proc.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/info?filename=%2Fnone", timeout=2)
        except urllib.error.HTTPError:
            return  # 404: it answers
        except OSError:
            time.sleep(0.1)
            continue
        return
    raise SystemExit(f"{what} did not start")


def wait_port(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit("rsync daemon did not start")


def make_source(path: str, size: int) -> None:
    if os.path.exists(path) and os.path.getsize(path) == size:
        return
    rng = random.Random(1)
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, 16 * MiB)
            f.write(rng.randbytes(n))
            left -= n


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(8 * MiB):
            h.update(chunk)
    return h.hexdigest()


def prepare_target(source: str, target: str, percent: float, size: int) -> None:
    """The target = the source with ``percent`` % of its 1 MiB blocks changed (a few bytes each)."""
    shutil.copyfile(source, target)
    blocks = (size + MiB - 1) // MiB
    chosen = random.Random(int(percent * 1000)).sample(range(blocks), round(blocks * percent / 100))
    with open(target, "r+b") as f:
        for b in chosen:
            f.seek(b * MiB + 4096)
            f.write(b"pyfs-jvm bench: changed block")
    os.utime(target, (time.time() - 3600, time.time() - 3600))  # rsync must not skip by mtime
    # Write the rebuilt target back now: otherwise the kernel flushes its 1 GiB of dirty pages
    # about 30 s later, in the middle of some other tool's timed run.
    os.sync()


API_CHILD = """
import sys, time
from pyfs_jvm.delta import Client
url, target, warm_src, warm_dst = sys.argv[1:5]
# JVM up and JIT warm: a 64 MiB file with each method (C2 compiles the BLAKE3 kernel during the
# first BLAKE3 run, ~1.7 s here; 4 MiB left it interpreted, so the first timed sync paid for that)
for method in ("sha1", "blake3", "blake3"):
    Client(url.rsplit('/', 1)[0] + '/' + warm_src, warm_dst, hash_method=method).sync()
print("ready", flush=True)
for line in sys.stdin:  # one timed in-place sync per line naming the hash method
    t = time.perf_counter()
    Client(url, target, hash_method=line.strip(), inplace=True).sync()
    print(time.perf_counter() - t, flush=True)
"""

# pdiffcopy's own API in a long-lived process, the same way: what the ratios of the warm rows are
# also taken against, so neither side pays process start-up
PDIFF_CHILD = """
import sys, time
from pdiffcopy.client import Client
url, target = sys.argv[1:3]
print("ready", flush=True)
for line in sys.stdin:
    t = time.perf_counter()
    Client(source=url, target=target).synchronize()
    print(time.perf_counter() - t, flush=True)
"""


class ApiChild:
    """One long-lived Python process using the library, as a program that syncs now and then
    would: its JVM stays up, so every timed sync after the first runs on a warm JIT (a fresh child
    per run measured JIT transients: the first big sync after a short warm-up still runs some
    kernel methods at C1 while C2 catches up)."""

    def __init__(self, code: str, args: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", code, *args], env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self._expect("ready")

    def _expect(self, what: str) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line or (what and line != what):
            raise SystemExit(f"the API child failed (exit {self.proc.poll()}): {line!r}")
        return line

    def sync(self, method: str = "") -> float:
        assert self.proc.stdin is not None
        self.proc.stdin.write(method + "\n")
        self.proc.stdin.flush()
        return float(self._expect(""))

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="1GiB", help="source size (default 1GiB)")
    ap.add_argument("--changes", default="0,5,100", help="percentages of changed blocks (0,5,100)")
    ap.add_argument("--reps", type=int, default=2, help="timed runs per tool and level (2)")
    ap.add_argument("--dir", default="/tmp/pyfs-delta-bench", help="working directory")
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(HERE, "..", "python"))
    from pyfs_jvm.delta import parse_size

    size = parse_size(args.size)
    root = os.path.join(args.dir, "served")
    os.makedirs(root, exist_ok=True)
    source = os.path.join(root, "source.bin")
    target = os.path.join(args.dir, "target.bin")
    warm = os.path.join(root, "warm.bin")
    print(f"making a {size / MiB:.0f} MiB source ...", file=sys.stderr)
    make_source(source, size)
    make_source(warm, 64 * MiB)
    want = sha256(source)
    env = dict(os.environ, PYTHONPATH=PYTHONPATH, PDIFFCOPY_BENCHMARK="allowed")

    procs: list[subprocess.Popen[bytes]] = []
    try:
        ours = free_port()
        procs.append(subprocess.Popen([sys.executable, "-m", "pyfs_jvm", "delta", "-q", "--listen",
                                       f"127.0.0.1:{ours}", "--root", root], env=env))
        wait_http(ours, procs[-1], "pyfs-jvm delta server")
        theirs = free_port()
        procs.append(subprocess.Popen([sys.executable, "-m", "pdiffcopy", "--listen", f"127.0.0.1:{theirs}"],
                                      env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_http(theirs, procs[-1], "pdiffcopy server")
        rsync_port = free_port()
        conf = os.path.join(args.dir, "rsyncd.conf")
        with open(conf, "w") as f:
            f.write(f"use chroot = false\nuid = 0\ngid = 0\n[data]\npath = {root}\nread only = true\n")
        have_rsync = shutil.which("rsync") is not None
        if have_rsync:
            procs.append(subprocess.Popen(["rsync", "--daemon", "--no-detach", f"--config={conf}",
                                           f"--port={rsync_port}", "--address=127.0.0.1"]))
            wait_port(rsync_port)

        our_url = f"http://127.0.0.1:{ours}/source.bin"
        cli = [sys.executable, "-m", "pyfs_jvm", "delta", "-q", "-m", "blake3"]
        commands: dict[str, list[str] | None] = {
            "pyfs-jvm delta CLI (defaults: sha1, atomic)": [*cli[:-2], our_url, target],
            "pyfs-jvm delta CLI, sha1, inplace": [*cli[:-1], "sha1", "--inplace", our_url, target],
            "pyfs-jvm delta CLI, blake3, inplace": [*cli, "--inplace", our_url, target],
            "pyfs-jvm API (warm JVM), blake3, inplace": None,
            "pyfs-jvm API (warm JVM), sha1, inplace": None,
            "pyfs-jvm API (warm JVM), sha1, inplace, cold hash cache": None,
            "pdiffcopy CLI (sha1)": [sys.executable, "-m", "pdiffcopy", "-q",
                                     f"http://127.0.0.1:{theirs}{source}", target],
            "pdiffcopy API (warm process, sha1)": None,
        }
        if have_rsync:
            commands["rsync --inplace (daemon)"] = ["rsync", "--inplace", f"rsync://127.0.0.1:{rsync_port}/data/source.bin",
                                                    target]
        api = ApiChild(API_CHILD, [our_url, target, "warm.bin", os.path.join(args.dir, "warm.out")], env)
        pdiff_api = ApiChild(PDIFF_CHILD, [f"http://127.0.0.1:{theirs}{source}", target], env)
        for percent in [float(p) for p in args.changes.split(",")]:
            tools = [Tool(name) for name in commands]
            for rep in range(args.reps):
                for tool in tools:
                    prepare_target(source, target, percent, size)
                    if "cold hash cache" in tool.name:
                        os.utime(source)  # a fresh ctime: the server must hash the source again
                    argv = commands[tool.name]
                    if tool.name.startswith("pdiffcopy API"):
                        tool.times.append(pdiff_api.sync())
                    elif argv is None:
                        tool.times.append(api.sync("blake3" if "blake3" in tool.name else "sha1"))
                    else:
                        t = time.perf_counter()
                        p = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                           text=True)
                        tool.times.append(time.perf_counter() - t)
                        if p.returncode != 0:
                            raise SystemExit(f"{tool.name} failed: {p.stderr[-2000:]}")
                    if sha256(target) != want:
                        raise SystemExit(f"{tool.name}: target differs from the source after the run")
                    tool.counts.append(1)
                print(f"  {percent:g}%: round {rep + 1}/{args.reps} done", file=sys.stderr)
            print(f"\n== {size / MiB:.0f} MiB file, {percent:g}% of blocks changed "
                  f"(target rebuilt before each run; every result verified by SHA-256)")
            report(tools, "pdiffcopy CLI (sha1)")
            print("warm rows against pdiffcopy's warm API:")
            report([t for t in tools if "warm" in t.name], "pdiffcopy API (warm process, sha1)")
            sys.stdout.flush()
        api.close()
        pdiff_api.close()
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    main()
