"""FileWatcher / FileChange / async_watch through the public API, on real trees and real inotify.

Where the reference defines the behaviour, the same operations run under pyfs-watcher 0.3.0 and
pyfs-jvm at once (both watching the same directory) and the changes are compared. Waits poll a
condition with a deadline; nothing sleeps a fixed time.
"""

from __future__ import annotations

import asyncio
import errno
import os
import resource
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import pyfs_jvm
from pyfs_jvm.errors import FsWatcherError, WatchError
from pyfs_jvm.watch import FileChange, FileWatcher, async_watch
from helpers import wait_for

import pyfs_watcher as pw  # noqa: E402  (a test dependency: never skipped)

DEADLINE = 15.0


def collect(w: Any, until: Callable[[list[Any]], bool], timeout: float = DEADLINE) -> list[Any]:
    """Poll ``w`` until ``until(changes so far)`` holds; fail after ``timeout`` seconds."""
    got: list[Any] = []
    end = time.monotonic() + timeout
    while not until(got):
        assert time.monotonic() < end, f"condition not met; got {got}"
        got.extend(w.poll_events(100))
    return got


def rel(changes: list[Any], root: Path) -> set[tuple[str, str]]:
    prefix = str(root) + os.sep
    return {(c.path[len(prefix):] if c.path.startswith(prefix) else c.path, c.change_type) for c in changes}


def seen(name: str, root: Path, kind: str | None = None) -> Callable[[list[Any]], bool]:
    path = str(root / name)
    return lambda got: any(c.path == path and (kind is None or c.change_type == kind) for c in got)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "w"
    (r / "sub").mkdir(parents=True)
    (r / "sub" / "old.txt").write_text("old")
    (r / "keep.txt").write_text("keep")
    return r


# ---------------------------------------------------------------------------------- basics


def test_created_modified_deleted_with_fields(root: Path) -> None:
    with FileWatcher(str(root), debounce_ms=50) as w:
        assert w.running and w.backend in ("inotify", "watchservice")
        t0 = time.time()
        (root / "new.txt").write_text("x")
        got = collect(w, seen("new.txt", root))
        c = next(c for c in got if c.path == str(root / "new.txt"))
        assert c.change_type == "created" and c.is_dir is False and c.old_path is None
        assert t0 - 1 <= c.timestamp <= time.time()
        assert repr(c) == f'FileChange("{root / "new.txt"}", created, file)'
        with pytest.raises(AttributeError):
            c.path = "x"  # type: ignore[misc]
        (root / "keep.txt").write_text("changed")
        assert rel(collect(w, seen("keep.txt", root)), root) == {("keep.txt", "modified")}
        (root / "sub" / "old.txt").unlink()
        got = collect(w, seen("sub/old.txt", root))
        assert rel(got, root) == {("sub/old.txt", "deleted")}
        os.mkdir(root / "d")
        got = collect(w, seen("d", root))
        assert [(c.change_type, c.is_dir) for c in got] == [("created", True)]
    assert not w.running
    assert w.poll_events(10) == []


def test_paths_are_absolute_for_a_relative_root(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(root.parent)
    with FileWatcher("w", debounce_ms=20) as w:
        (root / "r.txt").write_text("x")
        got = collect(w, seen("r.txt", root))
    assert got[0].path == str(root / "r.txt")


def test_exports_match_the_reference() -> None:
    assert pyfs_jvm.FileWatcher is FileWatcher and pyfs_jvm.async_watch is async_watch
    assert pyfs_jvm.watch.FileChange is FileChange
    from pyfs_jvm.types import FileChange as TC

    assert TC is FileChange
    assert issubclass(WatchError, FsWatcherError)


# ---------------------------------------------------------------------------------- vs the reference


def _both(root: Path, ops: Callable[[], None], sentinel: str, debounce: int = 300) -> tuple[set[Any], set[Any]]:
    """Run ``ops`` under both watchers at once; then touch ``sentinel`` and collect until both saw it."""
    ours = FileWatcher(str(root), debounce_ms=debounce)
    theirs = pw.FileWatcher(str(root), debounce_ms=debounce)
    ours.start()
    theirs.start()
    try:
        ops()
        # the reference gives no "ready" signal; its watches exist once start() returned, and
        # the sentinel below orders everything
        got_ours: list[Any] = []
        got_theirs: list[Any] = []
        end = time.monotonic() + DEADLINE
        (root / sentinel).write_text("s")
        while not (seen(sentinel, root)(got_ours) and seen(sentinel, root)(got_theirs)):
            assert time.monotonic() < end, (got_ours, got_theirs)
            got_ours.extend(ours.poll_events(50))
            got_theirs.extend(theirs.poll_events(50))
    finally:
        ours.stop()
        theirs.stop()
    drop = {(sentinel, "created"), (sentinel, "modified")}
    return rel(got_ours, root) - drop, rel(got_theirs, root) - drop


@pytest.mark.parametrize("case", ["create_modify", "create_delete", "rmtree", "rename", "modify", "delete",
                                  "mkdir", "rename_dir"])
def test_coalescing_matches_pyfs_watcher(root: Path, case: str) -> None:
    (root / "tree" / "x" / "y").mkdir(parents=True)
    for n in ("a", "b"):
        (root / "tree" / "x" / "y" / n).write_text(n)

    def ops() -> None:
        if case == "create_modify":
            p = root / "cm.txt"
            p.write_text("1")
            with open(p, "a") as f:
                f.write("2")
        elif case == "create_delete":
            (root / "tmp.txt").write_text("1")
            (root / "tmp.txt").unlink()
        elif case == "rmtree":
            shutil.rmtree(root / "tree")
        elif case == "rename":
            os.rename(root / "keep.txt", root / "renamed.txt")
        elif case == "modify":
            with open(root / "keep.txt", "a") as f:
                f.write("more")
        elif case == "delete":
            (root / "sub" / "old.txt").unlink()
        elif case == "mkdir":
            os.mkdir(root / "nd")
        elif case == "rename_dir":
            os.rename(root / "tree" / "x", root / "tree" / "x2")

    ours, theirs = _both(root, ops, "sentinel")
    expected = {
        "create_modify": {("cm.txt", "created")},
        "create_delete": set(),
        "rmtree": {("tree", "deleted")},
        "rename": {("keep.txt", "modified"), ("renamed.txt", "modified")},
        "modify": {("keep.txt", "modified")},
        "delete": {("sub/old.txt", "deleted")},
        "mkdir": {("nd", "created")},
        "rename_dir": {("tree/x", "modified"), ("tree/x2", "modified")},
    }[case]
    assert ours == expected
    assert theirs == expected


# ---------------------------------------------------------------------------------- beyond the reference


def test_files_created_in_a_new_directory_before_its_watch_are_reported(root: Path) -> None:
    with FileWatcher(str(root), debounce_ms=50) as w:
        names = []
        for i in range(20):
            d = root / f"n{i}" / "deep"
            d.mkdir(parents=True)
            for j in range(5):
                (d / f"f{j}").write_text("x")
                names.append(f"n{i}/deep/f{j}")
        want = {(n, "created") for n in names}
        got = collect(w, lambda g: want <= rel(g, root))
    kinds = rel(got, root)
    assert ("n0", "created") in kinds and ("n0/deep", "created") in kinds
    assert all(k == "created" for _, k in kinds)


def test_ignore_patterns_match_relative_paths_and_basenames(root: Path) -> None:
    (root / ".git" / "objects").mkdir(parents=True)
    with FileWatcher(str(root), debounce_ms=30, ignore_patterns=[".git/**", "*.pyc", "__pycache__/**"]) as w:
        (root / ".git" / "objects" / "o1").write_text("x")
        (root / ".git" / "HEAD").write_text("x")
        (root / "sub" / "m.pyc").write_text("x")
        (root / "__pycache__").mkdir()
        (root / "__pycache__" / "c").write_text("x")
        (root / "visible.txt").write_text("x")
        got = collect(w, seen("visible.txt", root))
    assert rel(got, root) == {("visible.txt", "created"), ("__pycache__", "created")}


def test_report_moves(root: Path) -> None:
    outside = root.parent / "outside.txt"
    outside.write_text("o")
    with FileWatcher(str(root), debounce_ms=30, report_moves=True) as w:
        os.rename(root / "keep.txt", root / "moved.txt")
        got = collect(w, seen("moved.txt", root))
        assert [(c.change_type, c.path, c.old_path) for c in got] == [
            ("moved", str(root / "moved.txt"), str(root / "keep.txt"))]
        os.rename(root / "moved.txt", root.parent / "gone.txt")
        assert rel(collect(w, seen("moved.txt", root)), root) == {("moved.txt", "deleted")}
        os.rename(outside, root / "in.txt")
        assert rel(collect(w, seen("in.txt", root)), root) == {("in.txt", "created")}


def test_stop_from_another_thread_wakes_a_blocked_iterator(root: Path) -> None:
    w = FileWatcher(str(root), debounce_ms=10)
    w.start()
    batches: list[Any] = []
    done = threading.Event()

    def consume() -> None:
        for b in w:
            batches.append(b)
        done.set()

    t = threading.Thread(target=consume)
    t.start()
    (root / "x").write_text("x")
    wait_for(lambda: batches, "a batch", timeout=DEADLINE)
    w.stop()
    assert done.wait(DEADLINE)
    t.join()
    assert not w.running and list(w) == []


def test_stop_from_another_thread_wakes_poll_events(root: Path) -> None:
    w = FileWatcher(str(root))
    w.start()
    out: list[Any] = []
    t = threading.Thread(target=lambda: out.append(w.poll_events(600_000)))
    t.start()
    while not t.is_alive():
        pass
    w.stop()
    t.join(DEADLINE)
    assert not t.is_alive() and out == [[]]


@pytest.mark.parametrize("debounce", [0, 500])
def test_idle_watcher_burns_no_cpu(root: Path, debounce: int) -> None:
    for i in range(50):
        (root / "sub" / f"d{i}").mkdir()
    with FileWatcher(str(root), debounce_ms=debounce) as w:
        (root / "wake").write_text("x")
        collect(w, seen("wake", root))

        def consume() -> None:  # a consumer blocked meanwhile (late events about "wake" may still come)
            end = time.monotonic() + 1.5
            while (left := end - time.monotonic()) > 0:
                w.poll_events(int(left * 1000) + 1)

        t = threading.Thread(target=consume)
        before = resource.getrusage(resource.RUSAGE_SELF)
        wall = time.monotonic()
        t.start()
        t.join()
        after = resource.getrusage(resource.RUSAGE_SELF)
        spent = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        elapsed = time.monotonic() - wall
    # a spinning thread would use about one core for the whole wait; idle is ~0
    assert spent < 0.25 * elapsed, (spent, elapsed)


def test_a_single_file_can_be_watched(root: Path) -> None:
    f = root / "keep.txt"
    with FileWatcher(str(f), debounce_ms=30) as w:
        (root / "other.txt").write_text("x")
        f.write_text("new")
        got = collect(w, seen("keep.txt", root))
        assert rel(got, root) == {("keep.txt", "modified")}
        f.unlink()
        assert rel(collect(w, seen("keep.txt", root, "deleted")), root) == {("keep.txt", "deleted")}


@pytest.mark.parametrize("how", ["rmtree", "rename"])
def test_losing_the_root_reports_it_and_ends_iteration(root: Path, how: str) -> None:
    w = FileWatcher(str(root), debounce_ms=30)
    w.start()
    if how == "rmtree":
        shutil.rmtree(root)
    else:  # replaced: moved away and a new directory made under the same name
        os.rename(root, root.parent / "elsewhere")
        root.mkdir()
        (root / "in-the-new-one").write_text("x")
    batches = list(w)  # ends by itself
    flat = [c for b in batches for c in b]
    assert (str(root), "deleted") in {(c.path, c.change_type) for c in flat}
    assert not w.running
    if how == "rmtree":
        with pytest.raises(WatchError, match="failed to watch") as ei:
            w.start()
        assert isinstance(ei.value, FileNotFoundError)
    else:
        assert not any("in-the-new-one" in c.path for c in flat)
        w.start()  # watches the new directory
        (root / "later").write_text("x")
        assert rel(collect(w, seen("later", root)), root) == {("later", "created")}
        w.stop()


def test_a_directory_renamed_inside_the_tree_reports_its_new_paths(root: Path) -> None:
    (root / "a" / "b").mkdir(parents=True)
    with FileWatcher(str(root), debounce_ms=30) as w:
        os.rename(root / "a", root / "z")
        collect(w, seen("z", root))
        (root / "z" / "b" / "f").write_text("x")
        got = collect(w, seen("z/b/f", root))
    assert rel(got, root) == {("z/b/f", "created")}


def test_names_that_are_not_utf8_round_trip(root: Path) -> None:
    raw = os.fsencode(str(root)) + b"/bad\xff\xfename"
    with FileWatcher(str(root), debounce_ms=30) as w:
        with open(raw, "wb") as f:
            f.write(b"x")
        want = os.fsdecode(raw)
        got = collect(w, lambda g: any(c.path == want for c in g))
    c = next(c for c in got if c.path == want)
    assert c.change_type == "created" and os.path.exists(c.path)


def test_watcher_restarts_after_stop(root: Path) -> None:
    w = FileWatcher(str(root), debounce_ms=20)
    w.start()
    w.start()  # no-op
    w.stop()
    w.stop()
    w.start()
    (root / "again").write_text("x")
    assert rel(collect(w, seen("again", root)), root) == {("again", "created")}
    w.stop()


# ---------------------------------------------------------------------------------- bad input


def test_bad_input(tmp_path: Path) -> None:
    with pytest.raises(WatchError, match="path does not exist") as ei:
        FileWatcher(str(tmp_path / "missing"))
    assert isinstance(ei.value, FileNotFoundError)
    with pytest.raises(WatchError, match='invalid ignore pattern "a\\[b"') as ej:
        FileWatcher(str(tmp_path), ignore_patterns=["a[b"])
    assert isinstance(ej.value, ValueError)
    with pytest.raises(OverflowError):
        FileWatcher(str(tmp_path), debounce_ms=-1)
    with pytest.raises(TypeError):
        FileWatcher(str(tmp_path), recursive=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        FileWatcher(str(tmp_path), ignore_patterns="*.txt")
    with pytest.raises(OverflowError):
        FileWatcher(str(tmp_path)).poll_events(-1)
    assert FileWatcher(tmp_path).poll_events(0) == []  # PathLike accepted; not started: no wait


# ---------------------------------------------------------------------------------- lost events and limits


def _sysctl(name: str, value: int | None = None) -> int:
    p = Path("/proc/sys/fs/inotify") / name
    old = int(p.read_text())
    if value is not None:
        p.write_text(str(value))
    return old


def test_queue_overflow_is_signalled_and_the_rescan_reports_everything(root: Path) -> None:
    # A queue of one event: each file's create, write and close come microseconds apart, so 400
    # files overflow it however quickly the reader drains it (with 16, a reader on the other CPU
    # kept up with all of them once in CI). Read once, when the inotify instance is made.
    old = _sysctl("max_queued_events", 1)
    try:
        w = FileWatcher(str(root), debounce_ms=300)
        w.start()
    finally:
        _sysctl("max_queued_events", old)
    try:
        names = {f"sub/f{i}" for i in range(400)}
        for n in names:
            (root / n).write_text("x")
        (root / "keep.txt").unlink()
        want = {(n, "created") for n in names} | {("keep.txt", "deleted")}
        got = collect(w, lambda g: want <= rel(g, root))
    finally:
        w.stop()
    kinds = [c.change_type for c in got]
    assert "overflow" in kinds
    first = kinds.index("overflow")
    ov = got[first]
    assert ov.is_dir and ov.path.startswith(str(root))


def _inotify_watches_in_use() -> int:
    n = 0
    for fd in Path("/proc").glob("[0-9]*/fdinfo/*"):
        try:
            n += sum(1 for line in fd.read_text().splitlines() if line.startswith("inotify wd:"))
        except OSError:
            pass
    return n


def test_watch_limit_is_a_clear_error(root: Path) -> None:
    for i in range(30):
        (root / f"d{i}").mkdir()
    w = FileWatcher(str(root))
    old = _sysctl("max_user_watches")
    try:
        _sysctl("max_user_watches", _inotify_watches_in_use() + 5)
        with pytest.raises(WatchError) as ei:
            w.start()
    finally:
        _sysctl("max_user_watches", old)
    e = ei.value
    assert isinstance(e, OSError) and e.errno == errno.ENOSPC
    assert "fs.inotify.max_user_watches" in str(e) and "sysctl" in str(e)
    assert not w.running
    w.start()  # usable again once the limit allows it
    try:
        old = _sysctl("max_user_watches")
        try:  # now a burst of new directories meets the limit while running
            _sysctl("max_user_watches", _inotify_watches_in_use() + 2)
            for i in range(10):
                (root / "late" / str(i)).mkdir(parents=True)
            with pytest.raises(WatchError) as ek:
                collect(w, lambda g: False)
        finally:
            _sysctl("max_user_watches", old)
        assert ek.value.errno == errno.ENOSPC and "max_user_watches" in str(ek.value)
        assert w.running  # the rest goes on being watched
        (root / "still").write_text("x")
        collect(w, seen("still", root))
    finally:
        w.stop()


# ---------------------------------------------------------------------------------- asyncio


def test_async_watch(root: Path) -> None:
    async def main() -> list[Any]:
        got: list[Any] = []
        async for changes in async_watch(root, debounce_ms=30):
            got.extend(changes)
            break
        return got

    async def driver() -> list[Any]:
        task = asyncio.create_task(main())
        end = time.monotonic() + DEADLINE
        i = 0
        while not task.done():  # the watch starts at the first iteration: keep making news
            assert time.monotonic() < end
            (root / f"a{i}.txt").write_text("x")
            i += 1
            await asyncio.wait({task}, timeout=0.1)
        return task.result()

    got = asyncio.run(driver())
    assert got and all(c.change_type == "created" and c.path.startswith(str(root / "a")) for c in got)


def test_async_watch_checks_the_path_at_once_and_stops_on_cancel(root: Path) -> None:
    with pytest.raises(WatchError):
        async_watch(root / "missing")

    async def main() -> tuple[bool, bool]:
        it = async_watch(root, debounce_ms=30)
        task = asyncio.create_task(it.__anext__())
        await asyncio.sleep(0)  # a yield, not a wait: lets the task start before we poll its watcher
        end = time.monotonic() + DEADLINE
        watcher = it._watcher  # type: ignore[attr-defined]
        while not watcher.running:
            assert time.monotonic() < end
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return watcher.running, True

    running, _ = asyncio.run(main())
    assert running is False


# ---------------------------------------------------------------------------------- CLI


def _cli(*args: str) -> Any:
    import subprocess
    import sys

    return subprocess.Popen([sys.executable, "-m", "pyfs_jvm", "watch", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)


def test_cli_prints_changes_and_exits_cleanly_on_ctrl_c(root: Path) -> None:
    import signal

    p = _cli(str(root), "--debounce", "20", "--ignore", "*.tmp")
    try:
        line = p.stderr.readline()  # "watching ..." once the watch is in place
        assert b"watching" in line
        (root / "x.tmp").write_text("x")
        (root / "x.txt").write_text("x")
        assert p.stdout.readline() == f"created {root / 'x.txt'}\n".encode()
        p.send_signal(signal.SIGINT)
        rc = p.wait(60)
        err = p.stderr.read()
    finally:
        p.kill()
    assert rc == 0 and b"Traceback" not in err


def test_cli_reruns_the_command_after_each_batch(root: Path, tmp_path: Path) -> None:
    import signal

    log = tmp_path / "runs.log"
    p = _cli(str(root), "--debounce", "20", "--", "sh", "-c", f'echo "$PYFS_JVM_CHANGES" >> {log}')
    try:
        wait_for(lambda: log.exists() and log.read_text().count("\n") >= 1, "first run")
        i = 0
        while log.read_text().count("\n") < 2:  # the first run may start before the watch is ready
            (root / f"n{i}.txt").write_text("x")
            i += 1
            time.sleep(0.05)  # pacing the writes only; the loop waits on the log's content
            assert i < 600
        p.send_signal(signal.SIGINT)
        assert p.wait(60) == 0
    finally:
        p.kill()
    runs = log.read_text().splitlines()
    assert runs[0] == "[]"
    assert "created" in runs[1] and str(root / "n") in runs[1]


def test_cli_bad_path_is_a_clear_error(tmp_path: Path) -> None:
    p = _cli(str(tmp_path / "missing"))
    out, err = p.communicate(timeout=60)
    assert p.returncode == 2 and b"path does not exist" in err and b"Traceback" not in err


# ---------------------------------------------------------------------------------- no leftovers


def _watch_threads() -> int:
    from pyfs_jvm import _jvm

    thread = _jvm.jclass("java.lang.Thread")
    return sum(1 for t in thread.getAllStackTraces().keySet() if str(t.getName()).startswith("pyfs-jvm-watch"))


def _no_watch_threads_left(base: int) -> None:
    wait_for(lambda: _watch_threads() <= base, "watcher threads to stop", timeout=60)


def test_every_way_out_stops_the_java_side(root: Path) -> None:
    base = _watch_threads()
    w = FileWatcher(str(root))
    w.start()
    assert _watch_threads() == base + 1
    w.stop()
    _no_watch_threads_left(base)

    FileWatcher(str(root)).start()  # dropped at once: garbage collection stops it
    import gc

    gc.collect()
    _no_watch_threads_left(base)

    async def leave_the_loop() -> None:
        async for _ in async_watch(root, debounce_ms=10):
            break  # the iterator is dropped here
        else:
            raise AssertionError

    async def with_news() -> None:
        task = asyncio.create_task(leave_the_loop())
        i = 0
        while not task.done():
            (root / f"b{i}").write_text("x")
            i += 1
            await asyncio.wait({task}, timeout=0.05)
        task.result()

    asyncio.run(with_news())
    _no_watch_threads_left(base)


def test_non_recursive_reports_only_direct_entries(root: Path) -> None:
    with FileWatcher(str(root), recursive=False, debounce_ms=30) as w:
        (root / "sub" / "deep.txt").write_text("x")
        (root / "top.txt").write_text("x")
        got = collect(w, seen("top.txt", root))
    assert rel(got, root) == {("top.txt", "created")}
