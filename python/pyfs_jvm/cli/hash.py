"""``pyfs-jvm hash``: print ``HEX  PATH`` lines like ``b3sum`` / ``sha256sum``, or ``--check`` them.

Output and exit status follow GNU ``sha256sum`` (and ``b3sum``, which uses the same format):

* one ``HEX  PATH`` line per file, in the order given; a name holding a backslash or a newline
  is escaped (``\\\\``, ``\\n``) and its line starts with a backslash;
* a file that cannot be hashed: ``pyfs-jvm: PATH: reason`` on stderr, exit status 1, the others
  still printed;
* ``--check``: ``PATH: OK`` / ``PATH: FAILED`` / ``PATH: FAILED open or read``, then
  ``WARNING: ...`` summaries on stderr; exit status 1 if anything failed or could not be read.
  Names with a newline are escaped as in the list; a name with only a backslash is escaped as
  b3sum does for BLAKE3 and left as is, as sha256sum does, for the other algorithms.

Files are hashed in parallel (a single big file tree-parallel) and printed as soon as all files
before them are done. ``-`` (or no PATH) reads standard input.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from typing import IO, Any

from ._output import Progress, human_size

_STDIN_CHUNK = 1 << 20


def register(sub: Any) -> None:
    p = sub.add_parser("hash", help="hash files (b3sum / sha256sum compatible output)",
                       description="Print the checksum of each FILE (BLAKE3 by default) as 'HEX  FILE', "
                                   "or verify a list of them with --check.")
    p.add_argument("paths", nargs="*", metavar="FILE", help="files to hash ('-' or none: standard input)")
    p.add_argument("-a", "--algorithm", default="blake3",
                   help="blake3 (default), sha256, sha1, sha224, sha384, sha512, md5, sha3-256, sha3-512")
    p.add_argument("-c", "--check", action="store_true",
                   help="read checksum lines from the FILEs and verify them")
    p.add_argument("--quiet", action="store_true", help="with --check: do not print OK lines")
    p.add_argument("--status", action="store_true", help="with --check: print nothing, only the exit status")
    p.add_argument("--ignore-missing", action="store_true", help="with --check: skip files that do not exist")
    p.add_argument("--strict", action="store_true", help="with --check: a badly formatted line is a failure")
    p.add_argument("--no-names", action="store_true", help="print only the checksums")
    p.add_argument("-j", "--num-threads", type=int, default=None, metavar="N",
                   help="worker threads (default: all cores)")
    p.add_argument("--progress", action="store_true", help="show progress on stderr even when not a terminal")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .._hash import check_algorithm

    algorithm = check_algorithm(args.algorithm)
    paths = args.paths or ["-"]
    if args.check:
        return _check(args, algorithm, paths)
    out = sys.stdout.buffer
    rc = 0
    for path, hexdigest, err in _hash_in_order(paths, algorithm, args.num_threads, Progress(force=args.progress)):
        if err is not None:
            _complain(path, err)
            rc = 1
            continue
        if args.no_names:
            out.write(hexdigest.encode() + b"\n")
        else:
            out.write(_line(hexdigest, path))
    out.flush()
    return rc


# ------------------------------------------------------------------ hashing in input order


def _hash_in_order(paths: list[str], algorithm: str, workers: int | None,
                   progress: Progress) -> Iterator[tuple[str, str, BaseException | None]]:
    """``(path, hex, error)`` per path, in the given order, each as soon as it and all before it are done."""
    from .. import _args
    from .._hash import HashResult, _run

    files = [(i, p) for i, p in enumerate(paths) if p != "-"]
    texts, blob = _args.path_blob([p for _, p in files])
    done: dict[int, tuple[str, str, BaseException | None]] = {}
    want = 0
    hashed = 0
    total_bytes = 0

    def ready() -> Iterator[tuple[str, str, BaseException | None]]:
        nonlocal want
        while want < len(paths):
            if paths[want] == "-":
                yield _hash_stdin(algorithm)
            elif want in done:
                yield done.pop(want)
            else:
                return
            want += 1

    yield from ready()
    if texts:
        for idx, results, _ in _run(texts, blob, algorithm, 1 << 20, 0 if workers is None else workers):
            for j, r in zip(idx, results):
                i = files[j][0]
                if isinstance(r, HashResult):
                    done[i] = (paths[i], r.hash_hex, None)
                    total_bytes += r.file_size
                else:
                    done[i] = (paths[i], "", r)
                hashed += 1
            progress.update(f"{hashed:,}/{len(texts):,} files, {human_size(total_bytes)}, "
                            f"{human_size(total_bytes / max(progress.elapsed, 1e-9))}/s")
            yield from ready()
    progress.done()
    yield from ready()


def _hash_stdin(algorithm: str) -> tuple[str, str, BaseException | None]:
    from .._hash import new_hasher

    h = new_hasher(algorithm)
    stdin = sys.stdin.buffer
    while True:
        block = stdin.read(_STDIN_CHUNK)
        if not block:
            break
        h.update(block)
    return "-", h.hexdigest(), None


# ------------------------------------------------------------------ output format


def _escape(path: str) -> tuple[bytes, bool]:
    raw = os.fsencode(path)
    if b"\\" in raw or b"\n" in raw or b"\r" in raw:
        return raw.replace(b"\\", b"\\\\").replace(b"\n", b"\\n").replace(b"\r", b"\\r"), True
    return raw, False


def _line(hexdigest: str, path: str) -> bytes:
    name, escaped = _escape(path)
    return (b"\\" if escaped else b"") + hexdigest.encode() + b"  " + name + b"\n"


def _unescape(name: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(name):
        c = name[i:i + 1]
        if c == b"\\" and i + 1 < len(name):
            nxt = name[i + 1:i + 2]
            out += {b"\\": b"\\", b"n": b"\n", b"r": b"\r"}.get(nxt, b"\\" + nxt)
            i += 2
        else:
            out += c
            i += 1
    return bytes(out)


def _check_name(path: str, like_b3sum: bool) -> bytes:
    """A name in --check output: sha256sum escapes it (leading backslash) only if it holds a
    newline, b3sum also if it holds a backslash; we do as the tool of that algorithm does."""
    raw = os.fsencode(path)
    if b"\n" in raw or b"\r" in raw or (like_b3sum and b"\\" in raw):
        return b"\\" + _escape(path)[0]
    return raw


def _reason(err: BaseException) -> str:
    strerror = getattr(err, "strerror", None)
    if isinstance(err, OSError) and strerror:
        return str(strerror)
    text = str(err)
    # domain errors read "<reason>: <path>"; the path is printed separately
    filename = getattr(err, "filename", None)
    if filename and text.endswith(": " + str(filename)):
        return text[:-len(str(filename)) - 2]
    return text.rsplit(": ", 1)[0] if ": " in text else text


def _complain(path: str, err: BaseException) -> None:
    name, _ = _escape(path)
    sys.stderr.buffer.write(b"pyfs-jvm: " + name + b": " + _reason(err).encode() + b"\n")
    sys.stderr.flush()


# ------------------------------------------------------------------ --check


def _parse(line: bytes, digest_hex_len: int) -> tuple[str, bytes] | None:
    """``(hex, raw name)`` of one checksum line (GNU text or binary ``*`` form), or None."""
    line = line.rstrip(b"\n").rstrip(b"\r")
    escaped = line.startswith(b"\\")
    if escaped:
        line = line[1:]
    hexpart, sep, rest = line.partition(b" ")
    if not sep or len(hexpart) != digest_hex_len or not rest or rest[:1] not in (b" ", b"*"):
        return None
    try:
        hexdigest = hexpart.decode("ascii").lower()
        int(hexdigest, 16)
    except ValueError:
        return None
    name = rest[1:]
    if not name:
        return None
    return hexdigest, _unescape(name) if escaped else name


def _check(args: argparse.Namespace, algorithm: str, lists: list[str]) -> int:
    from .._hash import new_hasher

    hex_len = 2 * new_hasher(algorithm).digest_size
    out = sys.stdout.buffer
    failed = unreadable = bad_lines = 0
    rc = 0
    for listing in lists:
        try:
            stream: IO[bytes] = sys.stdin.buffer if listing == "-" else open(listing, "rb")
        except OSError as e:
            _complain(listing, e)
            rc = 1
            continue
        with stream:
            entries: list[tuple[str, str]] = []
            for line in stream:
                parsed = _parse(line, hex_len)
                if parsed is None:
                    if line.strip():
                        bad_lines += 1
                    continue
                entries.append((parsed[0], os.fsdecode(parsed[1])))
        if not entries:
            name = "standard input" if listing == "-" else listing
            print(f"pyfs-jvm: {name}: no properly formatted {algorithm} checksum lines found", file=sys.stderr)
            rc = 1
            continue
        paths = [p for _, p in entries]
        if args.ignore_missing:
            keep = [os.path.lexists(p) or p == "-" for p in paths]
            entries = [e for e, k in zip(entries, keep) if k]
            paths = [p for _, p in entries]
        results = _hash_in_order(paths, algorithm, args.num_threads, Progress(force=args.progress))
        for (want, _), (path, got, err) in zip(entries, results):
            shown = _check_name(path, algorithm == "blake3")
            if err is not None:
                unreadable += 1
                _complain(path, err)  # even with --status, as sha256sum does
                if not args.status:
                    out.write(shown + b": FAILED open or read\n")
            elif got != want:
                failed += 1
                if not args.status:
                    out.write(shown + b": FAILED\n")
            elif not (args.quiet or args.status):
                out.write(shown + b": OK\n")
        out.flush()
    if not args.status:
        if bad_lines:
            print(f"pyfs-jvm: WARNING: {bad_lines} line{' is' if bad_lines == 1 else 's are'} improperly formatted",
                  file=sys.stderr)
        if unreadable:
            print(f"pyfs-jvm: WARNING: {unreadable} listed file{'' if unreadable == 1 else 's'} could not be read",
                  file=sys.stderr)
        if failed:
            print(f"pyfs-jvm: WARNING: {failed} computed checksum{'' if failed == 1 else 's'} did NOT match",
                  file=sys.stderr)
    if failed or unreadable or (args.strict and bad_lines):
        rc = 1
    return rc
