"""search / search_iter / SearchResult / SearchMatch: behaviour through the public API on real
trees, compared with the real pyfs-watcher 0.3.0 where we promise the same results."""

from __future__ import annotations

import errno
import json
import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pyfs_watcher
import pytest

import pyfs_jvm
from pyfs_jvm.errors import FsWatcherError, SearchError
from pyfs_jvm.types import SearchIter, SearchMatch, SearchResult

from helpers import run_python, wait_for


def flat(results: Any) -> list[tuple[Any, ...]]:
    """Results of either implementation as comparable tuples, in path order."""
    return sorted((r.path, r.match_count, len(r), [(m.line_number, m.line_text, m.match_start, m.match_end,
                                                    list(m.context_before), list(m.context_after))
                                                   for m in r.matches]) for r in results)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Text files where pyfs-watcher and pyfs-jvm must agree exactly (no hidden directories,
    valid UTF-8 only, NUL bytes only inside the first 8 KiB)."""
    root = tmp_path / "corpus"
    (root / "src" / "deep").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "src" / "main.py").write_text(
        "import os\n\ndef main():\n    print('hello world')  # hello again\n    return os.getcwd()\n\n"
        "class Hello:\n    pass\n")
    (root / "src" / "deep" / "crlf.txt").write_bytes(
        b"first line\r\nhello\r\nlone\rcarriage hello\r\n\r\nlast hello")
    (root / "src" / "deep" / "unicode.md").write_text(
        "caf\u00e9 hello\n\u65e5\u672c\u8a9e hello \u65e5\u672c\nna\u00efve\nHELLO \u00c9T\u00c9\n\u00e9\u00e9\u00e9\n",
        encoding="utf-8")
    (root / "docs" / "many.txt").write_text("".join(f"line {i} {'hello' if i % 7 == 0 else 'x'}\n"
                                                    for i in range(1, 200)))
    (root / "docs" / "empty.txt").write_bytes(b"")
    (root / "docs" / "blank_lines.txt").write_bytes(b"\n\n\nhello\n\n")
    (root / "docs" / ".hidden.txt").write_text("hello from a hidden file\n")
    (root / "bin.dat").write_bytes(b"hello\x00binary hello\n")
    (root / "big.log").write_text("hello\n" * 3000)
    return root


PATTERNS: list[tuple[str, dict[str, Any]]] = [
    ("hello", {}),
    ("HELLO", {"ignore_case": True}),
    (r"h\w+o", {}),
    (r"^\s*$", {}),
    ("x*", {}),
    ("caf\u00e9|\u65e5\u672c", {}),
    (r"(?i)\bclass\b", {}),
    (r"\d+", {}),
    ("hello", {"context_lines": 2}),
    ("hello", {"context_lines": 1, "max_count": 2}),
    ("hello", {"max_count": 3}),
    ("hello", {"glob_pattern": "*.{txt,md}"}),
    ("hello", {"max_depth": 1}),
    ("hello", {"max_depth": 2, "glob_pattern": "m*"}),
    ("hello", {"max_filesize": 100}),
    ("hello", {"skip_hidden": False}),
    ("o", {"max_workers": 1}),
    (r"l(o)?\s", {"context_lines": 3}),
]


@pytest.mark.parametrize("pattern,kw", PATTERNS, ids=[f"{p}-{sorted(k)}" for p, k in PATTERNS])
def test_same_results_as_pyfs_watcher(corpus: Path, pattern: str, kw: dict[str, Any]) -> None:
    want = flat(pyfs_watcher.search(str(corpus), pattern, **kw))
    got = pyfs_jvm.search(str(corpus), pattern, **kw)
    assert flat(got) == want
    assert flat(pyfs_jvm.search_iter(str(corpus), pattern, **kw)) == want


def test_byte_offsets_and_crlf(corpus: Path) -> None:
    by = {Path(r.path).name: r for r in pyfs_jvm.search(corpus, "hello")}
    u = by["unicode.md"].matches
    assert (u[0].line_text, u[0].match_start, u[0].match_end) == ("caf\u00e9 hello", 6, 11)  # bytes, not chars
    assert (u[1].match_start, u[1].match_end) == (10, 15)
    crlf = by["crlf.txt"].matches
    assert [(m.line_number, m.line_text) for m in crlf] == [
        (2, "hello"), (3, "lone\rcarriage hello"), (5, "last hello")]


def test_every_match_on_a_line_is_in_spans(corpus: Path) -> None:
    [r] = pyfs_jvm.search(corpus / "src", "hello", glob_pattern="main.py")
    m = r.matches[0]
    assert (m.match_start, m.match_end) == (11, 16)
    assert m.spans == [(11, 16), (28, 33)]
    assert [m.line_text.encode()[s:e] for s, e in m.spans] == [b"hello", b"hello"]
    [r] = pyfs_jvm.search(corpus / "src", r"o\w*", glob_pattern="main.py", max_count=1)
    assert r.matches[0].spans == [(3, 6), (7, 9)]  # "import os": "ort", "os"
    [r] = pyfs_jvm.search(corpus / "src", "l+", glob_pattern="main.py")
    line4 = [m for m in r.matches if m.line_number == 4][0]
    assert [line4.line_text[s:e] for s, e in line4.spans] == ["ll", "l", "ll"]


def test_result_objects(corpus: Path) -> None:
    [r] = pyfs_jvm.search(corpus / "docs", "hello", glob_pattern="blank_lines.txt")
    assert isinstance(r, SearchResult) and isinstance(r.matches[0], SearchMatch)
    assert r.path == str(corpus / "docs" / "blank_lines.txt")
    assert len(r) == r.match_count == 1
    assert repr(r) == f'SearchResult("{r.path}", 1 matches)'
    assert repr(r.matches[0]) == "SearchMatch(line=4, col=0..5)"
    with pytest.raises(AttributeError):
        r.path = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        r.matches[0].line_number = 3  # type: ignore[misc]
    # list-valued attributes are fresh copies, as in the reference
    [c] = pyfs_jvm.search(corpus / "docs", "hello", glob_pattern="blank_lines.txt", context_lines=2)
    m = c.matches[0]
    assert m.context_before == ["", ""] and m.context_after == [""]
    m.context_before.append("x")
    assert m.context_before == ["", ""]
    import pickle
    assert pickle.loads(pickle.dumps(m)) == m


def test_binary_files_are_skipped_even_past_8k(tmp_path: Path) -> None:
    (tmp_path / "late_nul.bin").write_bytes(b"hello\n" * 5000 + b"\x00hello\n")
    (tmp_path / "text.txt").write_bytes(b"hello\n")
    assert [Path(r.path).name for r in pyfs_jvm.search(tmp_path, "hello")] == ["text.txt"]


def test_invalid_utf8_lines_are_searched_not_truncated(tmp_path: Path) -> None:
    (tmp_path / "latin1.txt").write_bytes(b"first hello\ncaf\xe9 hello\nafter hello\n")
    [r] = pyfs_jvm.search(tmp_path, "hello")
    assert [m.line_number for m in r.matches] == [1, 2, 3]
    m = r.matches[1]
    raw = m.line_text.encode("utf-8", "surrogateescape")
    assert raw == b"caf\xe9 hello" and raw[m.match_start:m.match_end] == b"hello"
    # the reference stops reading at the first bad line
    assert [m.line_number for r in pyfs_watcher.search(str(tmp_path), "hello") for m in r.matches] == [1]


def test_hidden_directories_are_pruned(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("hello\n")
    (tmp_path / "a.txt").write_text("hello\n")
    assert [Path(r.path).name for r in pyfs_jvm.search(tmp_path, "hello")] == ["a.txt"]
    assert sorted(Path(r.path).name for r in pyfs_jvm.search(tmp_path, "hello", skip_hidden=False)) == [
        "a.txt", "config"]


def test_a_file_root_is_searched(corpus: Path) -> None:
    f = corpus / "docs" / "blank_lines.txt"
    [r] = pyfs_jvm.search(str(f), "hello")
    assert r.path == str(f) and r.matches[0].line_number == 4


def test_max_count_zero_means_no_matches(corpus: Path) -> None:
    assert pyfs_jvm.search(corpus, "hello", max_count=0) == []


def test_long_lines_and_large_files_cross_block_boundaries(tmp_path: Path) -> None:
    # lines straddle the 256 KiB read blocks; one line is longer than a block
    lines = [f"{i:07d} " + ("needle" if i % 1000 == 0 else "hay") * (i % 13) for i in range(120_000)]
    lines[60_000] = "x" * 700_000 + "needle" + "y" * 10
    data = "\n".join(lines).encode()
    (tmp_path / "big.txt").write_bytes(data)
    want = [i + 1 for i, line in enumerate(lines) if "needle" in line]
    [r] = pyfs_jvm.search(tmp_path, "needle", context_lines=1)
    assert [m.line_number for m in r.matches] == want
    m = [m for m in r.matches if m.line_number == 60_001][0]
    assert m.match_start == 700_000 and m.context_before == [lines[59_999]] and m.context_after == [lines[60_001]]
    ref = flat(pyfs_watcher.search(str(tmp_path), "needle", context_lines=1))
    assert flat([r]) == ref
    [r2] = pyfs_jvm.search(tmp_path, r"n(e)+dle\b", context_lines=2)
    assert flat([r2]) == flat(pyfs_watcher.search(str(tmp_path), r"n(e)+dle\b", context_lines=2))


def test_rust_syntax_differences_are_translated(tmp_path: Path) -> None:
    (tmp_path / "u.txt").write_text("x \u0663\u0664 y\nna\u00efve_word\n\u00a0nbsp\nplain\n", encoding="utf-8")
    # \d, \w, \s are Unicode-aware as in Rust (RE2 alone would treat them as ASCII)
    assert [m.line_number for r in pyfs_jvm.search(tmp_path, r"\d\d") for m in r.matches] == [1]
    assert [m.line_text for r in pyfs_jvm.search(tmp_path, r"^\w+$") for m in r.matches] == [
        "na\u00efve_word", "plain"]
    assert [m.line_number for r in pyfs_jvm.search(tmp_path, r"^\snbsp") for m in r.matches] == [3]
    # named groups both ways, verbose mode, \u escapes
    for pat in [r"(?<w>plain)", r"(?P<w>plain)", "(?x) p l a i n  # comment", r"\u0070lain", r"\u{70}lain"]:
        assert [m.line_number for r in pyfs_jvm.search(tmp_path, pat) for m in r.matches] == [4], pat
    for pat in [r"\d\d", r"^\w+$", r"(?<w>plain)", r"(?x) p l a i n  # comment"]:
        assert flat(pyfs_jvm.search(tmp_path, pat)) == flat(pyfs_watcher.search(str(tmp_path), pat)), pat


def test_search_iter_streams_and_stops_early(tmp_path: Path) -> None:
    for d in range(30):
        sub = tmp_path / f"d{d:02d}"
        sub.mkdir()
        for f in range(40):
            (sub / f"f{f:02d}.txt").write_text("needle\n" if f % 3 == 0 else "hay\n")
    it = pyfs_jvm.search_iter(tmp_path, "needle")
    assert isinstance(it, SearchIter)
    first = next(it)
    assert first.path == str(tmp_path / "d00" / "f00.txt")
    it.close()
    assert list(it) == []
    paths = [r.path for r in pyfs_jvm.search_iter(tmp_path, "needle")]
    assert paths == sorted(paths) and len(paths) == 30 * 14


def test_leaving_search_iter_stops_the_java_threads(tmp_path: Path) -> None:
    # each file's result is one batch; the stream holds four, so the workers must wait for us
    for i in range(12):
        (tmp_path / f"f{i:02d}.txt").write_text("needle\n" * 5000)
    with pyfs_jvm.search_iter(tmp_path, "needle", max_workers=2) as it:
        for r in it:
            assert len(r) == 5000
            assert _search_threads() >= 1  # held by backpressure, not finished
            break
    wait_for(lambda: _search_threads() == 0, "search threads to stop")


def _search_threads() -> int:
    from pyfs_jvm import _jvm

    threads = _jvm.jclass("java.lang.Thread").getAllStackTraces().keySet()
    return sum(1 for t in threads if str(t.getName()) == "pyfs-jvm-search" and t.isAlive())


def test_search_iter_does_not_hold_the_gil(tmp_path: Path) -> None:
    for i in range(200):
        (tmp_path / f"f{i:03d}.txt").write_text("needle\n" * 2000)
    ticks = 0
    stop = threading.Event()

    def spin() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        n = sum(1 for _ in pyfs_jvm.search_iter(tmp_path, "needle", max_workers=1))
    finally:
        stop.set()
        t.join()
    assert n == 200 and ticks > 0


def test_pathological_patterns_run_in_linear_time(tmp_path: Path) -> None:
    """Patterns that make backtracking engines (java.util.regex, PCRE, Python's re) run for
    hours finish at once: RE2/J never backtracks. Run in a child with a generous timeout so a
    regression shows up as a failure, not a hung suite."""
    (tmp_path / "p.txt").write_text("a" * 100_000 + "!\n" + "x" * 30_000 + "\n" + "ab" * 20_000 + "\n")
    code = f"""
import json, pyfs_jvm
out = {{}}
for pat in [r"(a+)+$", r"(a|aa)+$", r"(a|a)*b", r"(.*a){{25}}$", r"(x+x+)+y", r"^(a|ab|b)*c$", r"(\\w+\\s?)+$"]:
    out[pat] = sum(len(r) for r in pyfs_jvm.search({str(tmp_path)!r}, pat))
print(json.dumps(out))
"""
    got = run_python(code, timeout=120)
    assert got == {r"(a+)+$": 0, r"(a|aa)+$": 0, r"(a|a)*b": 1, r"(.*a){25}$": 0, r"(x+x+)+y": 0,
                   r"^(a|ab|b)*c$": 0, r"(\w+\s?)+$": 2}


@pytest.mark.parametrize("pattern", ["[invalid", "(?=x)", r"(a)\1", "(?<!a)b", "[a&&b]", r"\<word"])
def test_invalid_regex(corpus: Path, pattern: str) -> None:
    with pytest.raises(SearchError, match="^invalid regex pattern: ") as ei:
        pyfs_jvm.search(corpus, pattern)
    assert isinstance(ei.value, ValueError) and isinstance(ei.value, FsWatcherError)
    with pytest.raises(SearchError, match="^invalid regex pattern: "):
        pyfs_jvm.search_iter(corpus, pattern)


def test_bad_input_messages_and_order(tmp_path: Path, corpus: Path) -> None:
    missing = str(tmp_path / "nope")
    with pytest.raises(SearchError, match="^path does not exist: ") as ei:
        pyfs_jvm.search(missing, "[bad")  # the path is checked first
    assert isinstance(ei.value, FileNotFoundError) and ei.value.errno == errno.ENOENT
    with pytest.raises(SearchError, match="^invalid regex pattern"):
        pyfs_jvm.search(corpus, "[bad", glob_pattern="[")  # then the regex
    with pytest.raises(SearchError, match='^invalid glob pattern "\\[z-a\\]": error parsing glob'):
        pyfs_jvm.search(corpus, "x", glob_pattern="[z-a]")
    with pytest.raises(TypeError):
        pyfs_jvm.search(corpus, "x", ignore_case=1)  # type: ignore[arg-type]
    with pytest.raises(OverflowError):
        pyfs_jvm.search(corpus, "x", max_count=-1)
    with pytest.raises(TypeError):
        pyfs_jvm.search(corpus, 3)  # type: ignore[arg-type]


def test_unreadable_files_are_reported_not_lost(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("hello\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("hello\n")
    secret.chmod(0)
    code = f"""
import json, logging, pyfs_jvm
logging.disable(logging.CRITICAL)
errs = []
res = pyfs_jvm.search({str(tmp_path)!r}, "hello", on_error=errs.append)
it = pyfs_jvm.search_iter({str(tmp_path)!r}, "hello")
n = len(list(it))
print(json.dumps({{"paths": [r.path for r in res], "errors": [[type(e).__name__, isinstance(e, PermissionError),
                   e.filename] for e in errs], "iter": n, "iter_errors": len(it.errors)}}))
"""
    got = run_python(code, unprivileged=True)
    assert got == {"paths": [str(tmp_path / "ok.txt")], "errors": [["SearchError", True, str(secret)]],
                   "iter": 1, "iter_errors": 1}


def test_names_that_are_not_utf8(odd_names: Path) -> None:
    results = pyfs_jvm.search(odd_names, "inner|bad|caf", skip_hidden=False)
    paths = {r.path for r in results}
    for p in paths:
        assert os.path.exists(os.fsencode(p))
    assert os.fsdecode(os.fsencode(str(odd_names)) + b"/dir\xff/inner\x80.txt") in paths


def test_follow_symlinks(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "f.txt").write_text("hello\n")
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(real, root / "linkdir")
    os.symlink(real / "f.txt", root / "link.txt")
    assert pyfs_jvm.search(root, "hello") == []
    got = sorted(os.path.relpath(r.path, root) for r in pyfs_jvm.search(root, "hello", follow_symlinks=True))
    assert got == ["link.txt", "linkdir/f.txt"]
    assert flat(pyfs_jvm.search(str(root), "hello", follow_symlinks=True)) == flat(
        pyfs_watcher.search(str(root), "hello", follow_symlinks=True))


def test_unreadable_file_is_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # a directory where a file is expected at search time cannot happen; a vanished file can:
    # search a FIFO named like a text file? FIFOs are not regular files and are never opened.
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "a.txt").write_text("hello\n")
    with caplog.at_level(logging.WARNING, logger="pyfs_jvm.search"):
        assert [Path(r.path).name for r in pyfs_jvm.search(tmp_path, "hello")] == ["a.txt"]
    assert caplog.records == []


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "pyfs_jvm", *args], capture_output=True, timeout=120,
                          stdin=subprocess.DEVNULL, cwd=cwd)


def test_cli_search_output(corpus: Path) -> None:
    p = _cli("search", "-C", "1", "-g", "blank_lines.txt", "hello", str(corpus))
    f = str(corpus / "docs" / "blank_lines.txt").encode()
    assert p.returncode == 0, p.stderr
    assert p.stdout == f + b"-3-\n" + f + b":4:hello\n" + f + b"-5-\n"
    p = _cli("search", "--color", "always", "--heading", "-i", "HELLO WORLD", str(corpus / "src"))
    assert p.stdout == (b"\x1b[35m" + str(corpus / "src" / "main.py").encode() + b"\x1b[0m\n"
                        b"\x1b[32m4\x1b[0m:    print('\x1b[1;31mhello world\x1b[0m')  # hello again\n")
    p = _cli("search", "--json", "again", str(corpus))
    [row] = [json.loads(line) for line in p.stdout.splitlines()]
    assert row["line_number"] == 4 and row["spans"] == [[34, 39]]
    p = _cli("search", "-c", "hello", str(corpus / "docs"))
    assert sorted(p.stdout.splitlines()) == sorted(
        [str(corpus / "docs" / "many.txt").encode() + b":28", str(corpus / "docs" / "blank_lines.txt").encode() + b":1"])
    assert _cli("search", "nothing-matches-this", str(corpus)).returncode == 1
    bad = _cli("search", "[bad", str(corpus))
    assert bad.returncode == 2 and b"invalid regex pattern" in bad.stderr


def test_ctrl_c_cancels_a_search_and_its_threads(tmp_path: Path) -> None:
    for i in range(20):
        (tmp_path / f"f{i:02d}.txt").write_text("x needle y\n" * 20_000)
    code = f"""
import pyfs_jvm
from pyfs_jvm import _jvm
pyfs_jvm.search({str(tmp_path)!r}, "needle", max_count=1)  # JVM up and warm
try:
    print("ready", flush=True)
    while True:
        pyfs_jvm.search({str(tmp_path)!r}, "needle")
except KeyboardInterrupt:
    threads = _jvm.jclass("java.lang.Thread").getAllStackTraces().keySet()
    alive = sum(1 for th in threads if str(th.getName()) == "pyfs-jvm-search" and th.isAlive())
    print(f"interrupted {{alive}}", flush=True)
"""
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.stdout is not None and p.stderr is not None
    assert p.stdout.readline().strip() == "ready"
    p.send_signal(signal.SIGINT)
    line = p.stdout.readline().split()
    p.wait(timeout=60)
    assert line == ["interrupted", "0"], p.stderr.read()  # the Java search had stopped when KeyboardInterrupt arrived
