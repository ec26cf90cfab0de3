"""hash_file / hash_files / HashResult: against hashlib, the blake3 package, b3sum and pyfs-watcher."""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import blake3
import pytest

import pyfs_jvm
from pyfs_jvm.errors import FsWatcherError, HashError
from pyfs_jvm.types import HashResult

import pyfs_watcher as pw
from helpers import run_python

MIB = 1 << 20
GIB = 1 << 30
# every length where BLAKE3's block (64 B), chunk (1 KiB) and tree structure changes, the
# reference's 4 MiB mmap threshold, and around 64 KiB, where hash_files stops reading a file whole
# to hash it with others (a group of 16 chunks is 16 KiB: 32769 and 49152 leave 1 and 0 over)
BOUNDARY_SIZES = [0, 1, 63, 64, 65, 1023, 1024, 1025, 2048, 2049, 3072, 4096, 8191, 8193, 16384,
                  16385, 32769, 49152, 65535, 65536, 65537, MIB - 1, MIB, MIB + 1, 2 * MIB, 2 * MIB + 1, 4 * MIB, 4 * MIB + 1, 5_000_000,
                  8 * MIB, 9 * MIB + 3]  # 2 MiB: the tree-parallel segment; 8 MiB: where it starts


def b3sum(*paths: Path | str, extra: tuple[str, ...] = ()) -> list[str]:
    out = subprocess.run(["b3sum", "--no-names", *extra, *map(str, paths)], check=True,
                         capture_output=True, text=True).stdout
    return out.split()


def write_random(path: Path, size: int, seed: int = 0) -> bytes:
    data = (hashlib.shake_256(f"{seed}:{size}".encode()).digest(min(size, 1 << 16)) * (size // (1 << 16) + 1))[:size]
    if size > 1 << 16:  # vary every 64 KiB so that equal-content blocks cannot hide a bug
        data = b"".join(bytes([i & 0xFF]) + data[i * 65536 + 1:(i + 1) * 65536]
                        for i in range((size + 65535) // 65536))[:size]
    path.write_bytes(data)
    return data


@pytest.fixture(scope="module")
def boundary_files(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, bytes]]:
    d = tmp_path_factory.mktemp("sizes")
    return [(d / f"f{n}", write_random(d / f"f{n}", n)) for n in BOUNDARY_SIZES]


# ------------------------------------------------------------------ correctness


def test_known_values(tmp_path: Path) -> None:
    f = tmp_path / "hw"
    f.write_bytes(b"hello world")
    assert pyfs_jvm.hash_file(str(f)).hash_hex == \
        "d74981efa70a0c880b8d8c1985d075dbcbf679b99a5f9914e5aaf96b831a9e24"
    assert pyfs_jvm.hash_file(str(f), algorithm="sha256").hash_hex == \
        "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"


def test_blake3_equals_the_blake3_package_and_b3sum_at_every_boundary(
        boundary_files: list[tuple[Path, bytes]]) -> None:
    paths = [p for p, _ in boundary_files]
    expected = [blake3.blake3(data).hexdigest() for _, data in boundary_files]
    assert b3sum(*paths) == expected
    assert [pyfs_jvm.hash_file(p).hash_hex for p in paths] == expected
    got = pyfs_jvm.hash_files([str(p) for p in paths])
    assert [r.hash_hex for r in got] == expected
    assert [r.file_size for r in got] == BOUNDARY_SIZES
    for workers in (1, 3):  # a lone file is hashed tree-parallel on every worker
        assert pyfs_jvm.hash_files([paths[-1]], max_workers=workers)[0].hash_hex == expected[-1]


@pytest.mark.parametrize("algorithm", ["sha256", "sha1", "sha224", "sha384", "sha512", "md5", "sha3-256",
                                       "sha3-512"])
def test_other_algorithms_equal_hashlib(boundary_files: list[tuple[Path, bytes]], algorithm: str) -> None:
    got = pyfs_jvm.hash_files([p for p, _ in boundary_files], algorithm=algorithm)
    assert [r.hash_hex for r in got] == [hashlib.new(algorithm.replace("-", "_"), d).hexdigest()
                                         for _, d in boundary_files]
    assert {r.algorithm for r in got} == {algorithm}


@pytest.mark.parametrize("chunk_size", [1, 4096, 65537, MIB, 64 * MIB])
def test_chunk_size_never_changes_the_digest(boundary_files: list[tuple[Path, bytes]], chunk_size: int) -> None:
    path, data = boundary_files[-1]
    assert pyfs_jvm.hash_file(path, chunk_size=chunk_size).hash_hex == blake3.blake3(data).hexdigest()


def test_sparse_file_over_2_gib_equals_b3sum(tmp_path: Path) -> None:
    f = tmp_path / "sparse"
    size = 2 * GIB + 4097  # offsets past 2^31 and a partial last chunk
    with open(f, "wb") as fh:
        fh.write(b"head" * 1000)
        fh.seek(GIB - 3)
        fh.write(b"middle across a chunk boundary")
        fh.seek(2 * GIB - 10)
        fh.write(b"around 2^31" * 3)
        fh.truncate(size)
    got = pyfs_jvm.hash_file(f)
    assert got.file_size == size
    assert got.hash_hex == b3sum(f)[0]


# ------------------------------------------------------------------ drop-in for pyfs-watcher


def test_same_results_as_pyfs_watcher(boundary_files: list[tuple[Path, bytes]], tmp_path: Path) -> None:
    paths = [str(p) for p, _ in boundary_files]
    for algorithm in ("blake3", "sha256"):
        ours = pyfs_jvm.hash_files(paths, algorithm=algorithm)
        theirs = pw.hash_files(paths, algorithm=algorithm)
        assert [(r.path, r.hash_hex, r.algorithm, r.file_size, repr(r)) for r in ours] == \
               [(r.path, r.hash_hex, r.algorithm, r.file_size, repr(r)) for r in theirs]
        one = pyfs_jvm.hash_file(paths[3], algorithm=algorithm)
        ref = pw.hash_file(paths[3], algorithm=algorithm)
        assert (one.path, one.hash_hex, one.file_size, repr(one)) == (ref.path, ref.hash_hex, ref.file_size, repr(ref))


def test_result_equality_hash_and_immutability(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"same")
    (tmp_path / "b").write_bytes(b"same")
    (tmp_path / "c").write_bytes(b"other")
    a, b, c = pyfs_jvm.hash_files([str(tmp_path / n) for n in "abc"])
    assert a == b and hash(a) == hash(b) and a.path != b.path  # content only, as in pyfs-watcher
    assert a != c
    assert a != pyfs_jvm.hash_file(tmp_path / "a", algorithm="sha256")
    assert (a == "x") is False and a != "x"
    assert len({a, b, c}) == 2
    with pytest.raises(AttributeError):
        a.hash_hex = "0"  # type: ignore[misc]
    assert isinstance(a, HashResult)


def test_input_order_kept_with_duplicates_and_many_workers(tmp_path: Path) -> None:
    paths = []
    for i in range(300):
        p = tmp_path / f"f{i:03d}"
        p.write_bytes(os.urandom(i * 37))
        paths.append(str(p))
    order = paths[::-1] + paths[:5]
    got = pyfs_jvm.hash_files(order, max_workers=4)
    assert [r.path for r in got] == order
    assert [r.hash_hex for r in got] == [blake3.blake3(Path(p).read_bytes()).hexdigest() for p in order]
    assert pyfs_jvm.hash_files([]) == []


def test_accepts_str_bytes_pathlike_and_odd_names(odd_names: Path) -> None:
    files = sorted(p for p in odd_names.iterdir() if p.is_file())
    got = pyfs_jvm.hash_files([os.fsencode(str(p)) for p in files])
    assert [r.path for r in got] == [str(p) for p in files]
    assert [r.hash_hex for r in got] == [blake3.blake3(p.read_bytes()).hexdigest() for p in files]
    assert pyfs_jvm.hash_file(files[0]).path == str(files[0])


def test_symlinks_are_followed(tree: Path) -> None:
    assert pyfs_jvm.hash_file(tree / "link_a").hash_hex == pyfs_jvm.hash_file(tree / "a.txt").hash_hex


# ------------------------------------------------------------------ callbacks


def test_callback_runs_on_the_callers_thread_once_per_result(tree: Path) -> None:
    seen: list[tuple[str, int]] = []
    paths = [str(tree / n) for n in ("a.txt", "b.log", ".hidden", "sub/c.txt")]
    got = pyfs_jvm.hash_files(paths, callback=lambda r: seen.append((r.path, threading.get_ident())))
    assert sorted(p for p, _ in seen) == sorted(paths)
    assert {t for _, t in seen} == {threading.get_ident()}
    assert [r.path for r in got] == paths


def test_callback_exception_propagates_and_stops(tmp_path: Path) -> None:
    paths = []
    for i in range(50):
        (tmp_path / str(i)).write_bytes(b"x" * i)
        paths.append(str(tmp_path / str(i)))

    class Stop(Exception):
        pass

    def boom(r: HashResult) -> None:
        raise Stop(r.path)

    with pytest.raises(Stop):
        pyfs_jvm.hash_files(paths, callback=boom)
    assert len(pyfs_jvm.hash_files(paths)) == 50  # the core is still usable afterwards


# ------------------------------------------------------------------ bad input


def test_per_file_failures_are_reported_and_the_rest_completes(tree: Path, caplog: pytest.LogCaptureFixture) -> None:
    paths = [str(tree / "a.txt"), str(tree / "missing"), str(tree / "sub"), str(tree / "fifo"),
             str(tree / "broken"), str(tree / "sub/c.txt")]
    errors: list[HashError] = []
    with caplog.at_level(logging.WARNING, logger="pyfs_jvm.hash"):
        got = pyfs_jvm.hash_files(paths, on_error=errors.append)
    assert [r.path for r in got] == [paths[0], paths[5]]
    assert sorted(map(id, got.errors)) == sorted(map(id, errors))  # on_error: completion order
    assert [e.filename if isinstance(e, OSError) else str(e)[-len(p):] for e, p in zip(got.errors, paths[1:5])] \
        == paths[1:5]
    missing, directory, fifo, broken = got.errors
    assert isinstance(missing, FileNotFoundError) and isinstance(missing, HashError)
    assert isinstance(directory, IsADirectoryError)
    assert isinstance(broken, FileNotFoundError)
    assert isinstance(fifo, HashError) and "not a regular file" in str(fifo)
    assert sum("hash error" in r.getMessage() for r in caplog.records) == 4


def test_hash_file_errors(tree: Path) -> None:
    with pytest.raises(FileNotFoundError) as e:
        pyfs_jvm.hash_file(str(tree / "missing"))
    assert isinstance(e.value, HashError) and e.value.filename == str(tree / "missing")
    with pytest.raises(IsADirectoryError):
        pyfs_jvm.hash_file(str(tree / "sub"))
    with pytest.raises(HashError, match="not a regular file"):
        pyfs_jvm.hash_file(tree / "fifo")  # must not hang on the pipe
    with pytest.raises(HashError):
        pyfs_jvm.hash_file("/dev/zero")  # a device that never ends


def test_unreadable_file_is_a_permission_error(tmp_path: Path) -> None:
    f = tmp_path / "secret"
    f.write_bytes(b"x")
    f.chmod(0)
    if os.geteuid() != 0:
        with pytest.raises(PermissionError):
            pyfs_jvm.hash_file(f)
        return
    # root reads anything: check in a child process without the capabilities that let it
    drop = "-dac_override,-dac_read_search"
    code = ("import sys, pyfs_jvm, pyfs_jvm.errors\n"
            "try: pyfs_jvm.hash_file(sys.argv[1])\n"
            "except PermissionError as e: print('PermissionError', isinstance(e, pyfs_jvm.errors.HashError))\n")
    out = subprocess.run(["setpriv", f"--bounding-set={drop}", f"--inh-caps={drop}", sys.executable, "-c", code,
                          str(f)], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "PermissionError True", out.stderr


TRUNCATE_WHILE_HASHING = """
import os, subprocess, sys, threading, time, pyfs_jvm
path, size = sys.argv[1], 256 << 20
block = os.urandom(1 << 20)
shrank = whole = 0
for delay in [0.002, 0.005, 0.01, 0.02, 0.04, 0.08] * 2:
    with open(path, "wb") as f:
        for _ in range(size >> 20):
            f.write(block)
    cut = threading.Timer(delay, subprocess.run, (["truncate", "-s", str(3 << 20), path],))
    cut.start()
    got = pyfs_jvm.hash_files([path], max_workers=2)
    cut.join()
    if got.errors:
        assert "file shrank while being hashed" in str(got.errors[0]), got.errors
        shrank += 1
    else:
        assert got[0].file_size in (size, 3 << 20), got[0]
        whole += 1
print("shrank", shrank, "whole", whole)
"""


def test_a_file_truncated_while_hashed_is_an_error_not_a_crash(tmp_path: Path) -> None:
    # Big files are hashed from a mapping, and a page lost to truncate(1) faults (SIGBUS). That
    # must be the file's error; run in a child, so that a crashed JVM fails this test only.
    out = subprocess.run([sys.executable, "-c", TRUNCATE_WHILE_HASHING, str(tmp_path / "big")],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr[-3000:]
    shrank = int(out.stdout.split()[1])
    assert shrank > 0, out.stdout  # the cut landed during hashing at least once


SWITCH_TO_REGISTER_ROUNDS = """
import json, sys, pyfs_jvm
path = sys.argv[1]
before = [pyfs_jvm.hash_files([path], max_workers=1)[0].hash_hex for _ in range(20)]  # 1.25 GiB
from pyfs_jvm import _jvm
state = str(_jvm.jclass("pyfsjvm.hash.HashApi").awaitBlake3RegisterRounds(600_000))
after = [pyfs_jvm.hash_files([path], max_workers=w)[0].hash_hex for w in (1, 2, 1, 2)]
print(json.dumps({"state": state, "before": sorted(set(before)), "after": sorted(set(after)),
                  "kernel": pyfs_jvm.runtime_info()["blake3_kernel"]}))
"""


def test_the_switch_to_register_rounds_keeps_every_digest(tmp_path: Path) -> None:
    """After enough hashing on a thread (4 GiB; 256 MiB here, set through the property) BLAKE3
    moves to its seven-round method once C2 has compiled it (docs/hash.md); in a fresh process, the
    digests before, during and after the switch are the blake3 package's."""
    data = write_random(tmp_path / "64m", 64 << 20, seed=7)
    want = blake3.blake3(data).hexdigest()
    # a busy C2 can take over the default 60 s to compile it: give up only after 600 s here
    opts = " -Dpyfsjvm.hash.registerRoundsAfterMiB=256 -Dpyfsjvm.hash.registerRoundsGiveUpSeconds=600"
    env = dict(os.environ, PYFS_JVM_OPTS=os.environ.get("PYFS_JVM_OPTS", "") + opts)
    out = run_python(SWITCH_TO_REGISTER_ROUNDS.replace("sys.argv[1]", repr(str(tmp_path / "64m"))), env=env,
                     timeout=900)
    assert out["before"] == [want] and out["after"] == [want], out
    assert out["state"] == ("on" if out["kernel"].startswith("vector") else "off"), out


def test_unknown_algorithm_is_checked_before_the_path() -> None:
    with pytest.raises(HashError, match='unknown algorithm "crc32"') as e:
        pyfs_jvm.hash_file("/does/not/exist", algorithm="crc32")
    assert isinstance(e.value, ValueError) and isinstance(e.value, FsWatcherError)
    with pytest.raises(HashError, match="unknown algorithm"):
        pyfs_jvm.hash_files(["/does/not/exist"], algorithm="")


def test_bad_arguments(tree: Path) -> None:
    f = str(tree / "a.txt")
    with pytest.raises(ValueError):
        pyfs_jvm.hash_file(f, chunk_size=0)  # the reference hashed nothing and returned b"" 's digest
    with pytest.raises(ValueError):
        pyfs_jvm.hash_files([f], chunk_size=0)
    with pytest.raises(OverflowError):
        pyfs_jvm.hash_file(f, chunk_size=-1)
    with pytest.raises(OverflowError):
        pyfs_jvm.hash_files([f], max_workers=-1)
    with pytest.raises(TypeError):
        pyfs_jvm.hash_file(f, chunk_size="1")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        pyfs_jvm.hash_file(f, algorithm=None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        pyfs_jvm.hash_files(f)  # a bare str is not a list of paths
    with pytest.raises(TypeError):
        pyfs_jvm.hash_files([f, 3])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        pyfs_jvm.hash_files([f], callback=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        pyfs_jvm.hash_file(3)  # type: ignore[arg-type]
    assert pyfs_jvm.hash_files([f], max_workers=0)[0].file_size == 5


# ------------------------------------------------------------------ streaming hasher


@pytest.mark.parametrize("algorithm", ["blake3", "sha256", "md5"])
def test_new_hasher_streams_like_hashlib(algorithm: str) -> None:
    from pyfs_jvm._hash import new_hasher

    data = os.urandom(3 * MIB + 17)
    h = new_hasher(algorithm)
    for i in range(0, len(data), 100_003):
        h.update(data[i:i + 100_003])
    ref = blake3.blake3(data) if algorithm == "blake3" else hashlib.new(algorithm, data)
    assert h.hexdigest() == ref.hexdigest() and h.digest_size == ref.digest_size


# ------------------------------------------------------------------ command line


def cli(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "pyfs_jvm", "hash", *args], capture_output=True, input=stdin,
                          cwd=cwd, timeout=120)


def tool(cmd: list[str], cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(cmd, capture_output=True, cwd=cwd, input=stdin, timeout=120)


@pytest.fixture
def sums_dir(tmp_path: Path) -> Path:
    for name, data in [(b"plain", b"a"), (b"new\nline", b"b"), (b"back\\slash", b"c"), (b"bad\xffname", b"d"),
                       (b"big", os.urandom(9 * MIB + 5)), (b"empty", b"")]:
        with open(os.fsencode(str(tmp_path)) + b"/" + name, "wb") as f:
            f.write(data)
    (tmp_path / "dir").mkdir()
    return tmp_path


NAMES = ["plain", "new\nline", "back\\slash", os.fsdecode(b"bad\xffname"), "big", "empty"]


@pytest.mark.parametrize("ours,theirs", [([], ["b3sum"]), (["-a", "sha256"], ["sha256sum"])])
def test_cli_output_is_byte_identical_to_b3sum_and_sha256sum(sums_dir: Path, ours: list[str],
                                                              theirs: list[str]) -> None:
    names = [os.fsencode(n) for n in NAMES]
    mine = subprocess.run([sys.executable, "-m", "pyfs_jvm", "hash", *ours, *map(os.fsdecode, names)],
                          capture_output=True, cwd=sums_dir, timeout=120)
    ref = tool([*theirs, *map(os.fsdecode, names)], sums_dir)
    assert mine.returncode == ref.returncode == 0, mine.stderr
    if theirs == ["b3sum"]:  # b3sum prints names lossily (U+FFFD); we print the bytes, as sha256sum does
        assert mine.stdout.decode(errors="replace") == ref.stdout.decode()
    else:
        assert mine.stdout == ref.stdout


def test_cli_reports_unreadable_files_and_goes_on(sums_dir: Path) -> None:
    p = cli("plain", "missing", "dir", "empty", cwd=sums_dir)
    ref = tool(["b3sum", "plain", "missing", "dir", "empty"], sums_dir)
    assert p.returncode == ref.returncode == 1
    assert p.stdout == ref.stdout
    assert p.stderr.decode().splitlines() == ["pyfs-jvm: missing: No such file or directory",
                                              "pyfs-jvm: dir: Is a directory"]


def test_cli_stdin(sums_dir: Path) -> None:
    data = os.urandom(300_000)
    assert cli(stdin=data).stdout == tool(["b3sum"], sums_dir, stdin=data).stdout
    assert cli("-a", "sha256", "-", stdin=data).stdout == tool(["sha256sum", "-"], sums_dir, stdin=data).stdout


@pytest.mark.parametrize("flags", [[], ["--quiet", "--strict"], ["--status", "--ignore-missing"]])
def test_cli_check_behaves_like_sha256sum_check(sums_dir: Path, flags: list[str]) -> None:
    listing = tool(["sha256sum", *NAMES], sums_dir).stdout
    listing += b"this line is not a checksum\n"
    listing += b"0" * 64 + b"  missing\n"
    (sums_dir / "SUMS").write_bytes(listing)
    (sums_dir / "plain").write_bytes(b"changed")
    mine = cli("-a", "sha256", "--check", *flags, "SUMS", cwd=sums_dir)
    ref = tool(["sha256sum", "--check", *flags, "SUMS"], sums_dir)
    assert mine.returncode == ref.returncode
    assert mine.stdout == ref.stdout
    assert mine.stderr.replace(b"pyfs-jvm:", b"sha256sum:") == ref.stderr.replace(b"SUMS: ", b"")


def test_cli_check_accepts_b3sum_lists(sums_dir: Path) -> None:
    names = [n for n in NAMES if n.isprintable() or "\n" in n]  # b3sum cannot list non-UTF-8 names
    (sums_dir / "B3SUMS").write_bytes(tool(["b3sum", *names], sums_dir).stdout)
    p = cli("-c", "B3SUMS", cwd=sums_dir)
    assert p.returncode == 0, p.stderr
    assert p.stdout == tool(["b3sum", "-c", "B3SUMS"], sums_dir).stdout


def test_cli_unknown_algorithm_is_an_argument_error(sums_dir: Path) -> None:
    p = cli("-a", "crc32", "plain", cwd=sums_dir)
    assert p.returncode == 2 and b'unknown algorithm "crc32"' in p.stderr
