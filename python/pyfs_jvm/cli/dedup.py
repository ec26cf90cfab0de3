"""``pyfs-jvm dedup PATH...``: list duplicate files, or replace them with hard links / reflinks.

Replacing is opt-in (``--link hard|reflink``) and a dry run unless ``--apply`` is given. Before a
file is replaced it is compared with the kept copy byte for byte (hashes can collide, files can
change after the scan), and the replacement is atomic: the link is made under a temporary name in
the same directory and renamed over the duplicate, so the duplicate's path always holds either
the old file or the new link, never nothing.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import stat
import sys
from typing import Any

from ._output import Progress, human_size, write_path

_FICLONE = 0x40049409  # linux/fs.h: _IOW(0x94, 9, int)
_CHUNK = 1 << 20


def register(sub: Any) -> None:
    p = sub.add_parser("dedup", help="find duplicate files (and optionally link them)",
                       description="Find files with identical contents under PATHs: size, then partial "
                                   "hash, then full hash. With --link, replace duplicates by links to one copy.")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help="print the groups as one JSON document")
    p.add_argument("-m", "--min-size", type=int, default=1, help="ignore smaller files (bytes, default 1)")
    p.add_argument("-a", "--algorithm", default="blake3")
    p.add_argument("--no-recursive", action="store_true", help="only the direct children of directories")
    p.add_argument("-j", "--workers", type=int, default=None, help="hashing threads")
    p.add_argument("--link", choices=["hard", "reflink"], default=None,
                   help="replace duplicates with hard links or reflinks (copy-on-write clones) of one copy")
    p.add_argument("--apply", action="store_true", help="really replace files (default with --link: dry run)")
    p.add_argument("--progress", action="store_true", help="show progress on stderr even when not a terminal")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import find_duplicates

    progress = Progress(force=args.progress)
    errors: list[Exception] = []

    def on_progress(stage: str, done: int, total: int) -> None:
        progress.update(f"{stage.replace('_', ' ')}: {done:,}/{total:,}", now=True)

    if args.apply and args.link is None:
        print("pyfs-jvm: error: --apply needs --link hard or --link reflink", file=sys.stderr)
        return 2
    groups = find_duplicates(args.paths, recursive=not args.no_recursive, min_size=args.min_size,
                             algorithm=args.algorithm, max_workers=args.workers, progress_callback=on_progress,
                             on_error=errors.append)
    progress.done()
    if args.json and args.link is None:
        doc = [{"hash": g.hash_hex, "file_size": g.file_size, "copies": g.copies, "wasted_bytes": g.wasted_bytes,
                "paths": g.paths, "hard_links": g.hard_links} for g in groups]
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n")
    elif args.link is None:
        _table(groups)
    rc = 1 if errors else 0
    if errors:
        print(f"pyfs-jvm: {len(errors)} file(s) could not be compared (run with -v to see which)", file=sys.stderr)
    if args.link is not None:
        failed = _link_all(groups, args.link, args.apply, args.json)
        rc = 1 if failed else rc
    return rc


def _table(groups: list[Any]) -> None:
    out = sys.stdout.buffer
    wasted = sum(g.wasted_bytes for g in groups)
    files = sum(len(g) for g in groups)
    for g in groups:
        links = f", {len(g) - g.copies} hard-linked" if g.copies != len(g) else ""
        out.write(f"{human_size(g.wasted_bytes):>10} wasted  {g.copies} copies x {human_size(g.file_size)}"
                  f"{links}  {g.hash_hex[:16]}\n".encode())
        for p in g.paths:
            out.write(b"    ")
            write_path(p, out)
    out.write(f"{len(groups):,} groups, {files:,} files, {human_size(wasted)} wasted\n".encode())
    out.flush()


# ------------------------------------------------------------------ linking


def _link_all(groups: list[Any], how: str, apply: bool, as_json: bool) -> int:
    """Replace each group's other copies with links to one kept copy. Returns the failure count."""
    freed = 0
    failed = 0
    actions: list[dict[str, Any]] = []
    out = sys.stdout.buffer
    for g in groups:
        keep = _keeper(g)
        done_inodes = {_inode(keep)}
        for p in g.paths:
            if p == keep:
                continue
            ino = _inode(p)
            if ino in done_inodes:
                continue  # already a hard link to the kept copy, or to one we just replaced
            status = "would link" if not apply else "linked"
            reason = ""
            try:
                if apply:
                    _replace(keep, p, g.file_size, how)
                else:
                    _check_pair(keep, p, g.file_size, how)
                freed += g.file_size
            except _Skip as e:
                status, reason = "skipped", str(e)
                failed += 1
            done_inodes.add(ino)
            actions.append({"action": status, "path": p, "target": keep, "reason": reason})
            if not as_json:
                line = f"{status}: ".encode() + os.fsencode(p) + b" -> " + os.fsencode(keep)
                out.write(line + (f"  ({reason})".encode() if reason else b"") + b"\n")
    if as_json:
        doc = {"dry_run": not apply, "link": how, "freed_bytes": freed, "actions": actions}
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n")
    else:
        verb = "freed" if apply else "would free"
        out.write(f"{verb} {human_size(freed)}; {failed} skipped"
                  f"{'' if apply else ' (dry run: add --apply to change files)'}\n".encode())
    out.flush()
    return failed


class _Skip(Exception):
    """This pair is left alone (the reason is printed)."""


def _inode(p: str) -> tuple[int, int]:
    try:
        st = os.lstat(p)
    except OSError:
        return (-1, hash(p))
    return (st.st_dev, st.st_ino)


def _keeper(g: Any) -> str:
    """The copy to keep: the one with most hard links already (least work), then the first path."""
    best = g.paths[0]
    best_links = -1
    for p in g.paths:
        try:
            n = os.lstat(p).st_nlink
        except OSError:
            continue
        if n > best_links:
            best, best_links = p, n
    return str(best)


def _check_pair(keep: str, dup: str, size: int, how: str) -> tuple[os.stat_result, os.stat_result]:
    """Both still regular files of the group's size, on one device for hard links, and equal
    byte for byte. Returns their stats."""
    try:
        ks = os.lstat(keep)
        ds = os.lstat(dup)
    except OSError as e:
        raise _Skip(f"cannot stat: {e.strerror}") from None
    if not (stat.S_ISREG(ks.st_mode) and stat.S_ISREG(ds.st_mode)):
        raise _Skip("no longer a regular file")
    if ks.st_size != size or ds.st_size != size:
        raise _Skip("size changed since the scan")
    if how == "hard" and ks.st_dev != ds.st_dev:
        raise _Skip("on another file system (hard links cannot cross)")
    if not _same_bytes(keep, dup):
        raise _Skip("contents differ (changed since the scan?)")
    return ks, ds


def _same_bytes(a: str, b: str) -> bool:
    try:
        with open(a, "rb") as fa, open(b, "rb") as fb:
            while True:
                x = fa.read(_CHUNK)
                y = fb.read(_CHUNK)
                if x != y:
                    return False
                if not x:
                    return True
    except OSError as e:
        raise _Skip(f"cannot read: {e.strerror}") from None


def _replace(keep: str, dup: str, size: int, how: str) -> None:
    _, ds = _check_pair(keep, dup, size, how)
    directory = os.path.dirname(dup) or "."
    tmp = os.path.join(directory, f".pyfs-jvm-dedup.{os.getpid()}.{os.path.basename(dup)}")
    try:
        if how == "hard":
            os.link(keep, tmp)
        else:
            _reflink(keep, tmp, ds)
    except OSError as e:
        _unlink_quietly(tmp)
        if e.errno in (errno.EOPNOTSUPP, errno.ENOTTY, errno.EINVAL, errno.EXDEV):
            raise _Skip(f"{'reflinks' if how == 'reflink' else 'links'} not supported here ({e.strerror})") from None
        raise _Skip(f"cannot link: {e.strerror}") from None
    try:
        now = os.lstat(dup)
        if (now.st_ino, now.st_size, now.st_mtime_ns) != (ds.st_ino, ds.st_size, ds.st_mtime_ns):
            raise _Skip("changed while being compared")
        os.rename(tmp, dup)  # atomic: dup is the old file or the link, never missing
    except OSError as e:
        _unlink_quietly(tmp)
        raise _Skip(f"cannot replace: {e.strerror}") from None
    except _Skip:
        _unlink_quietly(tmp)
        raise


def _reflink(src: str, dst: str, like: os.stat_result) -> None:
    import fcntl

    fd_src = os.open(src, os.O_RDONLY)
    try:
        fd_dst = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IMODE(like.st_mode))
        try:
            fcntl.ioctl(fd_dst, _FICLONE, fd_src)
            os.utime(fd_dst, ns=(like.st_atime_ns, like.st_mtime_ns))  # a clone keeps the duplicate's times
        finally:
            os.close(fd_dst)
    finally:
        os.close(fd_src)


def _unlink_quietly(p: str) -> None:
    try:
        os.unlink(p)
    except OSError:
        pass
