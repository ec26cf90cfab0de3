"""Delta transfer: interop with the real pdiffcopy (both directions), edge cases, security, load.

Everything runs over loopback with real servers: ours in this process (``Server``), the real
pdiffcopy server and client as child processes (installed from PyPI; see pyproject's test extra).
"""

from __future__ import annotations

import hashlib
import http.client
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyfs_jvm import delta
from pyfs_jvm.delta import Client, Location, Server, parse_listen, parse_size
from pyfs_jvm.errors import DeltaError
from helpers import wait_for

MiB = 1024 * 1024


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def random_file(path: Path, size: int, seed: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(size) if seed == 0 else _seeded(size, seed))
    return path


def _seeded(size: int, seed: int) -> bytes:
    import random

    return random.Random(seed).randbytes(size)


def mutate(path: Path, offsets: list[int], data: bytes = b"changed!") -> None:
    with open(path, "r+b") as f:
        for off in offsets:
            f.seek(off)
            f.write(data)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pdiffcopy(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real pdiffcopy program (client mode)."""
    return subprocess.run([sys.executable, "-m", "pdiffcopy", *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})})


# ------------------------------------------------------------------ fixtures


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    root = tmp_path / "export"
    root.mkdir()
    with Server(root, "127.0.0.1:0") as s:
        yield s


def _http_ok(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/info?filename=%2Fnonexistent")
        status = conn.getresponse().status
        conn.close()
        return status == 404
    except OSError:
        return False


@pytest.fixture(scope="module")
def real_server() -> Iterator[int]:
    """The real pdiffcopy server (gunicorn), as pdiffcopy's own tests run it."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "pdiffcopy", "--listen", f"127.0.0.1:{port}", "-c", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: _http_ok(port) or proc.poll() is not None, "pdiffcopy server")
        assert proc.poll() is None, "the real pdiffcopy server did not start"
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def remote(port: int, path: Path) -> str:
    """URL of an absolute local path on the real pdiffcopy server (it serves the whole FS)."""
    return f"http://127.0.0.1:{port}{path}"


# ------------------------------------------------------------------ real pdiffcopy client -> our server


def test_real_client_uploads_to_our_server_full_then_delta(server: Server, tmp_path: Path) -> None:
    src = random_file(tmp_path / "src.bin", 3 * MiB + 12345)
    url = server.url("sub/dir/dst.bin")
    r = pdiffcopy(str(src), url)
    assert r.returncode == 0, r.stderr
    dst = Path(server.root) / "sub" / "dir" / "dst.bin"
    assert digest(dst) == digest(src)
    mutate(src, [10, 2 * MiB + 7])
    r = pdiffcopy(str(src), url)
    assert r.returncode == 0, r.stderr
    assert "Will upload 2 blocks" in r.stderr
    assert digest(dst) == digest(src)
    # nothing to do the third time
    r = pdiffcopy(str(src), url)
    assert r.returncode == 0 and "Nothing to do" in r.stderr


def test_real_client_downloads_from_our_server(server: Server, tmp_path: Path) -> None:
    src = random_file(Path(server.root) / "data.bin", 2 * MiB + 999)
    dst = random_file(tmp_path / "local.bin", 5 * MiB)  # longer: must be truncated
    for method in ("sha1", "sha256", "md5"):
        r = pdiffcopy("-m", method, "-b", "512KiB", server.url("data.bin"), str(dst))
        assert r.returncode == 0, r.stderr
        assert digest(dst) == digest(src)
        mutate(dst, [0])


def test_real_client_dry_run_against_our_server(server: Server, tmp_path: Path) -> None:
    src = random_file(tmp_path / "src.bin", 4 * MiB, seed=1)
    dst = Path(server.root) / "dst.bin"
    dst.write_bytes(src.read_bytes())
    mutate(dst, [MiB + 1])
    before = digest(dst)
    r = pdiffcopy("-n", str(src), server.url("dst.bin"))
    assert r.returncode == 0, r.stderr
    assert "Computed 75% similarity" in r.stderr
    assert digest(dst) == before


# ------------------------------------------------------------------ our client -> real pdiffcopy server


def test_our_client_with_real_server_both_directions(real_server: int, tmp_path: Path) -> None:
    src = random_file(tmp_path / "src.bin", 3 * MiB + 1, seed=2)
    up = tmp_path / "remote" / "up.bin"  # missing, with a missing parent: the server creates both
    r = Client(src, remote(real_server, up), concurrency=3).sync()
    assert digest(up) == digest(src) and not r.delta_used and r.blocks_copied == 4
    mutate(src, [MiB])
    r = Client(src, remote(real_server, up)).sync()
    assert r.delta_used and r.changed == 1 and r.bytes_copied == MiB
    assert digest(up) == digest(src)
    down = random_file(tmp_path / "down.bin", 6 * MiB, seed=3)  # longer than the source
    r = Client(remote(real_server, up), down, hash_method="sha256").sync()
    assert digest(down) == digest(src) and down.stat().st_size == src.stat().st_size
    assert r.changed == 6 and r.hits == 0


def test_our_client_refuses_unknown_method_before_asking_real_server(real_server: int, tmp_path: Path) -> None:
    src = random_file(tmp_path / "src.bin", 1000)
    dst = random_file(tmp_path / "dst.bin", 1000)
    # blake3 is not in hashlib: the real server would hang a worker forever. We refuse up front.
    with pytest.raises(DeltaError, match="not pyfs-jvm"):
        Client(src, remote(real_server, dst), hash_method="blake3").sync()
    with pytest.raises(DeltaError, match="unsupported hash method"):
        Client(src, remote(real_server, dst), hash_method="nonsense").sync()
    assert _http_ok(real_server)  # still answering


# ------------------------------------------------------------------ our client <-> our server


@pytest.mark.parametrize("method", ["blake3", "sha1"])
def test_our_client_with_our_server(server: Server, tmp_path: Path, method: str) -> None:
    src = random_file(tmp_path / "src.bin", 5 * MiB + 77, seed=4)
    url = server.url(f"{method}/dst.bin")
    seen: list[delta.Progress] = []
    r = Client(src, url, hash_method=method, progress=seen.append, callback_interval_ms=0).sync()
    dst = Path(server.root) / method / "dst.bin"
    assert digest(dst) == digest(src) and r.bytes_copied == src.stat().st_size
    assert seen and seen[-1].copied_blocks == 6
    mutate(src, [3 * MiB + 5, 5 * MiB + 60])
    r = Client(src, url, hash_method=method).sync()
    assert (r.changed, r.hits, r.bytes_copied) == (2, 4, MiB + 77)
    assert digest(dst) == digest(src)
    back = tmp_path / "back.bin"
    Client(url, back, hash_method=method).sync()
    assert digest(back) == digest(src)


def test_remote_to_remote_relay(server: Server, real_server: int, tmp_path: Path) -> None:
    src = random_file(Path(server.root) / "a.bin", MiB + 5, seed=5)
    dst = tmp_path / "relay.bin"
    Client(server.url("a.bin"), remote(real_server, dst)).sync()
    assert digest(dst) == digest(src)


# ------------------------------------------------------------------ edge cases


def test_empty_source_creates_missing_target(tmp_path: Path, server: Server) -> None:
    src = tmp_path / "empty"
    src.write_bytes(b"")
    dst = tmp_path / "new" / "empty.out"
    r = Client(src, dst).sync()
    assert dst.exists() and dst.stat().st_size == 0 and r.changed == 0
    Client(src, server.url("e/empty")).sync()
    assert (Path(server.root) / "e" / "empty").stat().st_size == 0


def test_both_empty_is_full_similarity(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"")
    (tmp_path / "b").write_bytes(b"")
    r = Client(tmp_path / "a", tmp_path / "b").sync()
    assert r.similarity == 100.0 and r.changed == 0


def test_target_longer_is_truncated_and_partial_last_block(tmp_path: Path, server: Server) -> None:
    src = random_file(tmp_path / "src", 2 * MiB + 3, seed=6)
    dst = Path(server.root) / "t"
    dst.write_bytes(src.read_bytes() + os.urandom(3 * MiB))
    r = Client(src, server.url("t")).sync()
    assert digest(dst) == digest(src)
    assert r.changed == 4  # the partial block (now different) and three target-only blocks
    assert r.bytes_copied == 3


def test_dry_run_writes_nothing_and_reports_similarity(tmp_path: Path) -> None:
    src = random_file(tmp_path / "src", 4 * MiB, seed=7)
    dst = tmp_path / "dst"
    dst.write_bytes(src.read_bytes())
    mutate(dst, [0, MiB])
    before = digest(dst)
    r = Client(src, dst, dry_run=True).sync()
    assert r.similarity == 50.0 and r.blocks_to_copy == 2 and r.bytes_copied == 0
    assert digest(dst) == before
    assert Client(src, tmp_path / "absent", dry_run=True).synchronize_once() == 4
    assert not (tmp_path / "absent").exists()


def test_whole_file_mode_and_small_blocks(tmp_path: Path) -> None:
    src = random_file(tmp_path / "src", 100_003, seed=8)
    dst = tmp_path / "dst"
    dst.write_bytes(src.read_bytes())
    r = Client(src, dst, delta_transfer=False, block_size=parse_size("10K")).sync()
    assert r.blocks_copied == 11 and not r.delta_used and digest(dst) == digest(src)
    r = Client(src, dst, block_size=parse_size("3b")).sync()
    assert r.changed == 0 and r.hits == 33335


class FailingSource:
    """A pdiffcopy-protocol server (Python's http.server) for one file whose block reads fail
    from ``fail_at`` on: a transfer from it breaks off part-way, deterministically."""

    def __init__(self, path: Path, fail_at: int, hang: bool = False) -> None:
        import http.server

        self.release = threading.Event()

        data = path.read_bytes()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                from urllib.parse import parse_qs, urlparse

                u = urlparse(self.path)
                q = {k: v[0] for k, v in parse_qs(u.query).items()}
                if u.path == "/info":
                    body = b'{"size":%d}' % len(data)
                elif u.path == "/hashes":
                    bs = int(q["block_size"])
                    body = b"".join(b"%d\t%s\n" % (o, hashlib.new(q["method"], data[o:o + bs]).hexdigest().encode())
                                    for o in range(0, len(data), bs))
                else:
                    off, size = int(q["offset"]), int(q["size"])
                    if off >= fail_at:
                        outer.failed += 1
                        if hang:  # a stalled server: answer nothing until the test is over
                            outer.release.wait(120)
                        self.send_error(500)
                        return
                    body = data[off:off + size]
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.failed = 0
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/src"

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def test_interrupted_local_run_leaves_target_intact_then_resumes(tmp_path: Path, server: Server) -> None:
    src = random_file(Path(server.root) / "src", 4 * MiB, seed=9)
    dst = tmp_path / "here" / "dst"
    dst.parent.mkdir()
    dst.write_bytes(os.urandom(4 * MiB))
    before = digest(dst)
    failing = FailingSource(src, fail_at=2 * MiB)
    try:
        with pytest.raises(DeltaError, match="answered 500"):
            Client(failing.url(), dst, concurrency=1).sync()
    finally:
        failing.close()
    assert failing.failed == 1
    assert digest(dst) == before  # the atomic replacement never happened
    assert os.listdir(dst.parent) == ["dst"]  # no temporary file left behind
    r = Client(server.url("src"), dst).sync()
    assert digest(dst) == digest(src) and r.changed == 4


def test_interrupted_remote_run_resumes_by_recomparing(tmp_path: Path, server: Server) -> None:
    src = random_file(tmp_path / "src", 16 * MiB, seed=10)
    failing = FailingSource(src, fail_at=2 * MiB)
    try:
        with pytest.raises(DeltaError):
            Client(failing.url(), server.url("r.bin"), concurrency=1).sync()
    finally:
        failing.close()
    r = Client(src, server.url("r.bin")).sync()
    assert r.delta_used and r.hits == 2 and r.changed == 14  # the blocks that made it are kept
    assert digest(Path(server.root) / "r.bin") == digest(src)


def test_ctrl_c_stops_a_transfer_stuck_on_a_stalled_server(tmp_path: Path) -> None:
    src = random_file(tmp_path / "src", 3 * MiB, seed=14)
    dst = tmp_path / "here" / "dst"
    dst.parent.mkdir()
    dst.write_bytes(b"old")
    stalled = FailingSource(src, fail_at=MiB, hang=True)
    outcome: list[BaseException] = []

    def interrupt(p: delta.Progress) -> None:
        if stalled.failed:  # a block request is now hanging in the server
            raise KeyboardInterrupt

    def sync() -> None:
        try:
            Client(stalled.url(), dst, concurrency=1, timeout=600, progress=interrupt,
                   callback_interval_ms=0).sync()
        except BaseException as e:  # noqa: BLE001 - inspected below
            outcome.append(e)

    t = threading.Thread(target=sync)
    t.start()
    t.join(60)  # the request timeout is 600 s: only cancelling can end it this soon
    alive = t.is_alive()
    stalled.close()
    t.join()
    assert not alive, "Ctrl-C did not stop a transfer blocked on a stalled server"
    assert len(outcome) == 1 and isinstance(outcome[0], KeyboardInterrupt)
    assert dst.read_bytes() == b"old" and os.listdir(dst.parent) == ["dst"]


def test_ctrl_c_cancels_promptly_and_keeps_target(tmp_path: Path) -> None:
    src = random_file(tmp_path / "src", 8 * MiB, seed=13)
    dst = tmp_path / "dst"
    dst.write_bytes(b"old")

    def interrupt(p: delta.Progress) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Client(src, dst, block_size=4096, progress=interrupt, callback_interval_ms=0).sync()
    # whether it was cancelled mid-way or had just finished, the target is whole, never mixed
    assert dst.read_bytes() in (b"old", src.read_bytes())
    assert sorted(os.listdir(tmp_path)) == ["dst", "src"]


def test_inplace_local_target_keeps_inode(tmp_path: Path) -> None:
    src = random_file(tmp_path / "src", 2 * MiB, seed=11)
    dst = tmp_path / "dst"
    dst.write_bytes(src.read_bytes())
    mutate(dst, [5])
    ino = dst.stat().st_ino
    Client(src, dst, inplace=True).sync()
    assert dst.stat().st_ino == ino and digest(dst) == digest(src)
    mutate(dst, [5])
    os.chmod(dst, 0o640)
    Client(src, dst).sync()  # atomic: a new inode, same mode
    assert dst.stat().st_ino != ino and digest(dst) == digest(src)
    assert dst.stat().st_mode & 0o777 == 0o640
    ino2 = dst.stat().st_ino
    r = Client(src, dst).sync()  # nothing to do: the original stays, the staged copy is dropped
    assert r.changed == 0 and dst.stat().st_ino == ino2 and sorted(os.listdir(tmp_path)) == ["dst", "src"]


def test_symlinked_local_target_is_updated_through_the_link(tmp_path: Path) -> None:
    src = random_file(tmp_path / "src", MiB + 1, seed=15)
    real = tmp_path / "real.bin"
    real.write_bytes(src.read_bytes())
    mutate(real, [100])
    link = tmp_path / "link.bin"
    os.symlink("real.bin", link)
    Client(src, link).sync()
    assert link.is_symlink() and digest(real) == digest(src)


def test_bad_arguments_fail_before_work(tmp_path: Path) -> None:
    src = random_file(tmp_path / "src", 10)
    with pytest.raises(ValueError, match="Invalid URL scheme"):
        Client(src, "https://host/x")
    with pytest.raises(DeltaError, match="unsupported hash method"):
        Client(src, tmp_path / "d", hash_method="md4").sync()
    with pytest.raises(ValueError):
        Client(src, tmp_path / "d", block_size=0).sync()
    with pytest.raises(FileNotFoundError):
        Client(tmp_path / "missing", tmp_path / "d").sync()
    assert not (tmp_path / "d").exists()
    with pytest.raises(DeltaError, match="cannot connect"):
        Client(src, f"http://127.0.0.1:{free_port()}/x").sync()


def test_location_and_size_parsing() -> None:
    loc = Location("http://server:12345/foo/bar")
    assert (loc.hostname, loc.port_number, loc.filename) == ("server", 12345, "/foo/bar")
    assert Location("http://h/x").port_number == 8080
    assert Location("rel/path").filename == "rel/path" and not Location("rel/path").is_remote
    with pytest.raises(ValueError):
        Location("udp://x/y")
    assert [parse_size(s) for s in ("5K", "1M", "1.5M", "1 KB", "1KiB", "1MiB", "2 GiB", "1mb", "3b", "42")] == [
        5000, 1000000, 1500000, 1000, 1024, 1048576, 2147483648, 1000000, 3, 42]
    assert parse_listen(None) == ("127.0.0.1", 8080)
    assert parse_listen("9000") == ("127.0.0.1", 9000)
    assert parse_listen("0.0.0.0") == ("0.0.0.0", 8080)
    assert parse_listen("[::1]:9000") == ("::1", 9000)
    assert parse_listen(":7000") == ("", 7000)


# ------------------------------------------------------------------ security


def request(server: Server, method: str, target: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def test_paths_are_confined_to_the_root(server: Server, tmp_path: Path) -> None:
    secret = random_file(tmp_path / "secret.bin", 100)
    root = Path(server.root)
    os.symlink(secret, root / "link_out")
    os.symlink(tmp_path, root / "dir_out")
    os.symlink("/nonexistent/target", root / "dangling")
    random_file(root / "inside.bin", 10)
    os.symlink("inside.bin", root / "link_in")
    q = "filename="
    assert request(server, "GET", "/info?" + q + "%2F..%2Fsecret.bin")[0] == 403
    assert request(server, "GET", "/info?" + q + "%2Fsub%2F..%2F..%2Fsecret.bin")[0] == 403
    assert request(server, "GET", "/blocks?" + q + "%2Flink_out&offset=0&size=100")[0] == 403
    assert request(server, "GET", "/info?" + q + "%2Fdir_out%2Fsecret.bin")[0] == 403
    assert request(server, "POST", "/resize?" + q + "%2Fdir_out%2Fnew.bin&size=10")[0] == 403
    assert request(server, "POST", "/resize?" + q + "%2Fdangling&size=10")[0] == 403
    assert not (tmp_path / "new.bin").exists() and not Path("/nonexistent").exists()
    # an absolute path is taken relative to the root, never as the server's own /etc/passwd
    assert request(server, "GET", "/info?" + q + "%2Fetc%2Fpasswd")[0] == 404
    assert request(server, "GET", "/info?" + q + "%2Flink_in") == (200, b'{"size":10}\n')
    assert request(server, "GET", "/info?" + q + "%2Fa%00b")[0] == 400
    assert digest(secret) == digest(secret)  # untouched
    assert secret.stat().st_size == 100


def test_malformed_requests_get_4xx_and_server_keeps_serving(server: Server) -> None:
    root = Path(server.root)
    random_file(root / "f.bin", 3000)
    cases = [
        ("GET", "/hashes?filename=%2Ff.bin&block_size=1024", 400),  # no method: pdiffcopy wedges
        ("GET", "/hashes?filename=%2Ff.bin&method=shake_128", 400),
        ("GET", "/hashes?filename=%2Ff.bin&method=sha1&block_size=0", 400),
        ("GET", "/hashes?filename=%2Ff.bin&method=sha1&block_size=99999999999", 400),
        ("GET", "/hashes?filename=%2Ff.bin&method=sha1&concurrency=-1", 400),
        ("GET", "/hashes?filename=%2Fmissing&method=sha1", 404),
        ("GET", "/blocks?filename=%2Ff.bin&offset=-5&size=10", 400),
        ("GET", "/blocks?filename=%2Ff.bin&offset=0&size=9999999999", 400),
        ("GET", "/blocks?filename=%2Ff.bin&offset=abc&size=10", 400),
        ("GET", "/blocks?filename=%2Ff.bin&offset=0", 400),
        ("POST", "/resize?filename=%2Ff.bin", 400),
        ("POST", "/resize?filename=%2Ff.bin&size=-1", 400),
        ("GET", "/info", 400),
        ("GET", "/info?filename=%2F", 400),
        ("GET", "/info?filename=%ZZ", 400),
        ("PUT", "/blocks?filename=%2Ff.bin&offset=0", 405),
        ("GET", "/resize?filename=%2Ff.bin&size=1", 405),
        ("GET", "/nothing", 404),
        ("POST", "/blocks?filename=%2Fmissing&offset=0", 404),
    ]
    for method, target, want in cases:
        status, _ = request(server, method, target, body=b"x" if method == "POST" else None)
        assert status == want, (method, target, status)
    # a block larger than the cap is refused before it is read
    small = Server(root, "127.0.0.1:0", max_block_size=1024).start()
    try:
        status, _ = request(small, "POST", "/blocks?filename=%2Ff.bin&offset=0", body=b"y" * 4096)
        assert status == 413
    finally:
        small.close()
    assert (root / "f.bin").read_bytes()[:1] != b"y"
    # raw garbage on the socket, and a client that vanishes mid-request
    for junk in (b"\x00\x01\x02garbage\r\n\r\n", b"GET /info?filename=%2Ff.bin HTTP/1.1\r\nHost: x\r\nContent-Le"):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
            s.sendall(junk)
    # the server still answers correctly, and the hashes are right
    status, body = request(server, "GET", "/hashes?filename=%2Ff.bin&method=sha1&block_size=1024")
    assert status == 200
    data = (root / "f.bin").read_bytes()
    lines = sorted(body.decode().splitlines(), key=lambda line: int(line.split("\t")[0]))
    assert lines == [f"{o}\t{hashlib.sha1(data[o:o + 1024]).hexdigest()}" for o in range(0, 3000, 1024)]


def test_post_body_is_taken_raw_whatever_the_content_type(server: Server) -> None:
    root = Path(server.root)
    (root / "w.bin").write_bytes(b"\0" * 10)
    status, _ = request(server, "POST", "/blocks?filename=%2Fw.bin&offset=2", body=b"abc",
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and (root / "w.bin").read_bytes() == b"\0\0abc" + b"\0" * 5


def test_token_required_when_set(tmp_path: Path) -> None:
    root = tmp_path / "r"
    random_file(root / "f.bin", 2 * MiB, seed=12)
    with Server(root, "127.0.0.1:0", token="s3cret") as s:
        assert request(s, "GET", "/info?filename=%2Ff.bin")[0] == 401
        assert request(s, "GET", "/info?filename=%2Ff.bin", headers={"Authorization": "Bearer nope"})[0] == 401
        assert request(s, "GET", "/info?filename=%2Ff.bin", headers={"Authorization": "Bearer s3cret"})[0] == 200
        with pytest.raises(PermissionError):
            Client(s.url("f.bin"), tmp_path / "out").sync()
        Client(s.url("f.bin"), tmp_path / "out", token="s3cret").sync()
        assert digest(tmp_path / "out") == digest(root / "f.bin")
        r = pdiffcopy(s.url("f.bin"), str(tmp_path / "out2"))
        assert r.returncode != 0  # the real client cannot send a token


def test_beyond_loopback_needs_token_or_explicit_switch(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="without a token"):
        Server(tmp_path, "0.0.0.0:0").start()
    s = Server(tmp_path, "0.0.0.0:0", allow_tokenless=True).start()
    s.close()
    s = Server(tmp_path, "0.0.0.0:0", token="t").start()
    s.close()


def test_read_only_server(tmp_path: Path) -> None:
    random_file(tmp_path / "f.bin", 100)
    with Server(tmp_path, "127.0.0.1:0", read_only=True) as s:
        assert request(s, "POST", "/resize?filename=%2Fg.bin&size=5")[0] == 403
        Client(s.url("f.bin"), tmp_path / "copy").sync()
        with pytest.raises(PermissionError):
            Client(tmp_path / "copy", s.url("g.bin")).sync()
        # Same size, other bytes: blocks are posted while hashing still runs, and the refusal of
        # the first one (not the cancellation it causes) is what the caller sees.
        other = random_file(tmp_path / "h.bin", 100, seed=99)
        before = other.read_bytes()
        with pytest.raises(PermissionError):
            Client(tmp_path / "copy", s.url("h.bin"), block_size=4096).sync()
        assert other.read_bytes() == before
    assert not (tmp_path / "g.bin").exists()


# ------------------------------------------------------------------ load


def test_concurrent_clients_on_different_files(server: Server, tmp_path: Path) -> None:
    sources = [random_file(tmp_path / f"s{i}.bin", 2 * MiB + i * 1000, seed=20 + i) for i in range(6)]
    errors: list[BaseException] = []

    def one(i: int) -> None:
        try:
            url = server.url(f"load/{i}.bin")
            Client(sources[i], url, hash_method="blake3", block_size=256 * 1024, concurrency=2).sync()
            mutate(sources[i], [i * 1000 + 1])
            Client(sources[i], url, hash_method="blake3", block_size=256 * 1024, concurrency=2).sync()
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(6)]
    procs = []
    for i in range(2):  # real pdiffcopy clients at the same time
        src = random_file(tmp_path / f"p{i}.bin", MiB + 17, seed=40 + i)
        procs.append((src, subprocess.Popen([sys.executable, "-m", "pdiffcopy", str(src),
                                             server.url(f"load/p{i}.bin")],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for i, src in enumerate(sources):
        assert digest(Path(server.root) / "load" / f"{i}.bin") == digest(src)
    for i, (src, p) in enumerate(procs):
        assert p.wait(timeout=120) == 0
        assert digest(Path(server.root) / "load" / f"p{i}.bin") == digest(src)


# ------------------------------------------------------------------ command line


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyfs_jvm", "delta", *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})})


def cli_here(*args: str) -> int:
    """The CLI in this process (the JVM is already up): fast, output through capsys/caplog."""
    from pyfs_jvm.cli import main

    return main(["delta", *args])


def test_cli_server_with_real_client_and_cli_client(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    root = tmp_path / "root"
    root.mkdir()
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "pyfs_jvm", "delta", "--listen", f"127.0.0.1:{port}",
                             "--root", str(root)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: _http_ok(port) or proc.poll() is not None, "pyfs-jvm delta server")
        assert proc.poll() is None
        src = random_file(tmp_path / "src.bin", 3 * MiB, seed=30)
        r = pdiffcopy(str(src), f"http://127.0.0.1:{port}/a.bin")
        assert r.returncode == 0, r.stderr
        mutate(src, [MiB])
        caplog.set_level("INFO", logger="pyfs_jvm")
        rc = cli_here("-b", "512KiB", "-m", "blake3", "-c", "3", "--progress", str(src),
                      f"http://127.0.0.1:{port}/a.bin")
        assert rc == 0
        assert "Will upload 1 block totaling 512 KiB." in caplog.text
        assert digest(root / "a.bin") == digest(src)
        assert cli_here("-n", f"http://127.0.0.1:{port}/a.bin", str(tmp_path / "other.bin")) == 0
        assert not (tmp_path / "other.bin").exists()
    finally:
        proc.terminate()  # SIGTERM stops it cleanly, like Ctrl-C
        assert proc.wait(timeout=30) == 0


def test_cli_benchmark_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    src = random_file(tmp_path / "src.bin", MiB, seed=31)
    dst = tmp_path / "dst.bin"
    monkeypatch.setenv("PDIFFCOPY_BENCHMARK", "allowed")
    assert cli_here("-B", "2", "-b", "64KiB", str(src), str(dst)) == 0
    out = capsys.readouterr().out
    assert "| Delta size | Data transferred | Runtime of pyfs-jvm delta |" in out
    assert "| 50%        | 512 KiB" in out and "| 100%       | 1 MiB" in out
    assert digest(dst) == digest(src)
    monkeypatch.setenv("PDIFFCOPY_BENCHMARK", "")
    assert cli_here("-B", "1", str(src), str(dst)) == 1  # stdin is no TTY: permission denied
    assert "denied" in capsys.readouterr().err
    assert cli_here("only-one") == 1
    assert "Two positional arguments expected" in capsys.readouterr().err
    assert cli_here("-m", "nope", str(src), str(dst)) == 1
    assert "unsupported hash method" in capsys.readouterr().err
    r = cli("-b", "lots", str(src), str(dst))  # argparse exits: run it as a program
    assert r.returncode == 2 and "invalid size" in r.stderr
