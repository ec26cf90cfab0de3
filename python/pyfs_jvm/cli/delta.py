"""``pyfs-jvm delta [OPTIONS] [SOURCE TARGET]``: pdiffcopy's command line.

Two positional arguments synchronise SOURCE to TARGET (each a local path or
``http://host[:port]/path``); none starts the server. The options and their meanings are
pdiffcopy's (``-b`` takes its size syntax: ``1M`` = 1000000, ``1MiB`` = 1048576), plus the
server's security settings (``--root``, ``--token``, ``--allow-tokenless``, ``--read-only``).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from typing import Any

from ._output import Progress, human_size


def _size(text: str) -> int:
    from ..delta import parse_size

    try:
        n = parse_size(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    if n < 1:
        raise argparse.ArgumentTypeError("the block size must be positive")
    return n


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {n}")
    return n


def register(sub: Any) -> None:
    from ..delta import BLOCK_SIZE, DEFAULT_CONCURRENCY

    p = sub.add_parser(
        "delta", help="parallel delta transfer of one large file (pdiffcopy-compatible client and server)",
        description="With SOURCE and TARGET: synchronise SOURCE to TARGET, copying only the blocks "
                    "that differ. Each is a local path or http://host[:port]/path on a pdiffcopy-compatible "
                    "server (default port 8080). Without arguments: serve the files under --root.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Security: the server listens on 127.0.0.1:8080 unless --listen says otherwise, serves only "
               "files under --root (URL path /x/y is ROOT/x/y), and needs --token (or --allow-tokenless) to "
               "listen beyond loopback. The real pdiffcopy client cannot send a token.")
    p.add_argument("source", nargs="?", help="file to read (local path or URL)")
    p.add_argument("target", nargs="?", help="file to write (local path or URL)")
    p.add_argument("-b", "--block-size", type=_size, default=BLOCK_SIZE, metavar="BYTES",
                   help="block size (default 1MiB; 1M = 1000000, 1MiB = 1048576)")
    p.add_argument("-m", "--hash-method", default="sha1", metavar="NAME",
                   help="block hash: sha1 (default, as pdiffcopy), blake3 (fastest; pyfs-jvm on both ends), "
                        "sha256, md5, ...")
    p.add_argument("-W", "--whole-file", action="store_true", help="copy every block, compute no hashes")
    p.add_argument("-c", "--concurrency", type=_positive, default=None, metavar="COUNT",
                   help=f"client: threads per side (default {DEFAULT_CONCURRENCY}); server: hashing threads "
                        "per request")
    p.add_argument("-n", "--dry-run", action="store_true",
                   help="compute and log the similarity index, change nothing")
    p.add_argument("-B", "--benchmark", type=_positive, default=0, metavar="COUNT",
                   help="mutate the (local) target COUNT times by growing amounts and time each sync "
                        "(needs PDIFFCOPY_BENCHMARK=allowed or a yes at the prompt)")
    p.add_argument("-l", "--listen", default=None, metavar="ADDRESS",
                   help="server: PORT, HOST or HOST:PORT ([::1]:PORT for IPv6); default 127.0.0.1:8080")
    p.add_argument("-v", "--verbose", dest="delta_verbose", action="count", default=0, help="log more")
    p.add_argument("-q", "--quiet", dest="delta_quiet", action="count", default=0, help="log less")
    g = p.add_argument_group("pyfs-jvm options")
    g.add_argument("--root", default=".", help="server: directory whose files are served (default: .)")
    g.add_argument("--token", default=None,
                   help="server: require this bearer token; client: send it (default: $PYFS_JVM_DELTA_TOKEN)")
    g.add_argument("--allow-tokenless", action="store_true",
                   help="server: allow listening beyond loopback without a token (for the real pdiffcopy client)")
    g.add_argument("--read-only", action="store_true", help="server: refuse writes")
    g.add_argument("--threads", type=_positive, default=16, help="server: request handler threads (16)")
    g.add_argument("--inplace", action="store_true",
                   help="client: write a local target in place instead of replacing it atomically")
    g.add_argument("--timeout", type=float, default=300.0, help="client: seconds to wait for a server (300)")
    g.add_argument("--progress", action="store_true", help="show progress on stderr even when not a terminal")
    p.set_defaults(func=run)


def _setup_logging(args: argparse.Namespace) -> None:
    # pdiffcopy logs progress at INFO by default; -v and -q move one level each way.
    level = logging.INFO - 10 * (args.delta_verbose + getattr(args, "verbose", 0)) + 10 * args.delta_quiet
    root = logging.getLogger()
    root.setLevel(max(logging.DEBUG, level))
    logging.getLogger("pyfs_jvm").setLevel(max(logging.DEBUG, level))


def run(args: argparse.Namespace) -> int:
    from ..errors import DeltaError

    _setup_logging(args)
    if (args.source is None) != (args.target is None):
        print("pyfs-jvm delta: error: Two positional arguments expected!", file=sys.stderr)
        return 1
    try:
        if args.source is None:
            return _serve(args)
        return _client(args)
    except DeltaError as e:
        print(f"pyfs-jvm delta: error: {e}", file=sys.stderr)
        return 1


def _serve(args: argparse.Namespace) -> int:
    from ..delta import Server

    server = Server(args.root, args.listen, token=args.token, allow_tokenless=args.allow_tokenless,
                    read_only=args.read_only, threads=args.threads, concurrency=args.concurrency)
    server.start()

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # SIGTERM stops the server like Ctrl-C does. Installed after the JVM started, so that Python's
    # handler (not the JVM's, which would exit under the interpreter's feet) receives it.
    signal.signal(signal.SIGTERM, stop)
    print(f"pyfs-jvm delta: serving {server.root} on http://{server.address}/ (Ctrl-C stops)", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("pyfs-jvm delta: server stopped", file=sys.stderr)
    return 0


def _client(args: argparse.Namespace) -> int:
    from .. import delta

    bar = Progress(force=args.progress)

    def show(p: delta.Progress) -> None:
        if p.phase == "hashing" and p.hash_total:
            bar.update(f"Computing hashes: {p.hashed_blocks}/{p.hash_total} blocks")
        elif p.phase == "transferring" and p.total_blocks:
            rate = p.copied_bytes / bar.elapsed if bar.elapsed > 0 else 0.0
            pct = 100 * p.copied_bytes / p.total_bytes if p.total_bytes else 100.0
            bar.update(f"Copying changed blocks: {p.copied_blocks}/{p.total_blocks} "
                       f"({human_size(p.copied_bytes)} of {human_size(p.total_bytes)}, {pct:.0f}%, "
                       f"{human_size(rate)}/s)")

    client = delta.Client(args.source, args.target, block_size=args.block_size, hash_method=args.hash_method,
                          delta_transfer=not args.whole_file, dry_run=args.dry_run, benchmark=args.benchmark,
                          token=args.token, inplace=args.inplace, timeout=args.timeout, progress=show)
    if args.concurrency is not None:
        client.concurrency = args.concurrency
    try:
        client.synchronize()
    finally:
        bar.done()
    return 0
