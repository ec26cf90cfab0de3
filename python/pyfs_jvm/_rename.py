"""Safe bulk rename: ``bulk_rename``, ``RenameResult``, ``RenameEntry``, ``RenameFileError`` and
``undo`` (drop-in for pyfs-watcher), plus ``undo_journal``.

Java (``pyfsjvm.rename``) walks the tree and computes every new name (Rust ``regex`` syntax and
``replace_all`` semantics, linear-time RE2/J). This module then checks the whole plan before
anything is touched, and applies it.

Safety, beyond the reference (which overwrites files and lets several names collapse onto one):

* A rename onto an existing file, several entries onto one name, and a new name that holds a
  path separator (or is empty, ``.`` or ``..``) are refused and reported in ``errors``, never
  carried out. ``dry_run=True`` (the default) reports the same refusals.
* Chains and cycles inside the plan (``a -> b``, ``b -> c``; ``a -> b``, ``b -> a``) are ordered
  or go through a temporary name, so they succeed without losing anything.
* Each rename is done with ``renameat2(RENAME_NOREPLACE)`` where the kernel has it, so a file
  that appears after the check is not overwritten either.
* A real run writes a journal (JSON lines) before each step; ``undo_journal(path)`` (or
  ``pyfs-jvm rename --undo JOURNAL``) undoes an interrupted or finished run later, from
  another process. ``RenameResult.undo()`` restores exactly and reports what it could not.
* A replacement that refers to a group the pattern does not have (``$2`` with one group, the
  ``$1_bak`` trap) is an error before anything happens.
"""

from __future__ import annotations

import ctypes
import errno as _errno
import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Union

from . import _args, _bridge, _jvm
from ._args import PathArg
from ._search import check_pattern
from .errors import RenameError, argument_error

if TYPE_CHECKING:
    from pyfsjvm.rename import RenameApi

__all__ = ["bulk_rename", "undo_journal", "RenameResult", "RenameEntry", "RenameFileError"]

JournalArg = Union[str, "os.PathLike[str]", bool, None]


class RenameEntry(NamedTuple):
    """One rename: paths are the root as given joined with the names."""

    old_path: str
    new_path: str
    old_name: str
    new_name: str

    def __repr__(self) -> str:
        return f'RenameEntry("{self.old_name}" -> "{self.new_name}")'


class RenameFileError(NamedTuple):
    """A rename that was refused or failed (``path`` is the entry's path), or an undo failure."""

    path: str
    message: str

    def __repr__(self) -> str:
        return f'RenameFileError("{self.path}", "{self.message}")'


class _Step(NamedTuple):
    """One rename system call actually made (a plan entry may take two, through a temp name);
    ``n`` is its number in the journal."""

    n: int
    src: bytes
    dst: bytes


class RenameResult:
    """What ``bulk_rename`` did (or, with ``dry_run``, would do).

    renamed: the renames, in the order planned (walk order; deepest first with ``include_dirs``).
    skipped: entries the pattern did not match or did not change.
    errors: refused renames (conflicts) and failed ones; never carried out.
    dry_run: whether this was a preview.
    journal: path of the journal of a real run (None for a dry run or ``journal=False``).
    """

    def __init__(self, renamed: list[RenameEntry], skipped: int, errors: list[RenameFileError], dry_run: bool,
                 steps: list[_Step], journal: str | None) -> None:
        self._renamed = renamed
        self._skipped = skipped
        self._errors = errors
        self._dry_run = dry_run
        self._steps = steps
        self._journal = journal
        self._undo_available = not dry_run

    @property
    def renamed(self) -> list[RenameEntry]:
        return list(self._renamed)

    @property
    def skipped(self) -> int:
        return self._skipped

    @property
    def errors(self) -> list[RenameFileError]:
        return list(self._errors)

    @property
    def dry_run(self) -> bool:
        return self._dry_run

    @property
    def journal(self) -> str | None:
        return self._journal

    def __repr__(self) -> str:
        return (f"RenameResult(renamed={len(self._renamed)}, skipped={self._skipped}, errors={len(self._errors)}, "
                f"dry_run={'true' if self._dry_run else 'false'})")

    def undo(self) -> list[RenameFileError]:
        """Rename everything back, last rename first. Returns what could not be restored (empty on
        success). Nothing is overwritten: if an old name has been taken meanwhile, that entry is
        reported and left as it is."""
        if self._dry_run:
            raise RenameError("cannot undo a dry-run operation")
        if not self._undo_available:
            raise RenameError("undo already performed or no renames to undo")
        self._undo_available = False
        journal = _Journal.reopen(self._journal) if self._journal else None
        try:
            return _undo_steps(self._steps, journal)
        finally:
            if journal is not None:
                journal.close()


# ------------------------------------------------------------------ renaming without overwriting

_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_libc: Any = None
_renameat2_ok = True


def _rename_noreplace(src: bytes, dst: bytes) -> None:
    """Rename ``src`` to ``dst``; fail with FileExistsError instead of replacing ``dst``."""
    global _libc, _renameat2_ok
    if _renameat2_ok:
        try:
            if _libc is None:
                _libc = ctypes.CDLL(None, use_errno=True)
            fn = _libc.renameat2
        except (OSError, AttributeError):
            _renameat2_ok = False
        else:
            if fn(_AT_FDCWD, src, _AT_FDCWD, dst, _RENAME_NOREPLACE) == 0:
                return
            err = ctypes.get_errno()
            if err not in (_errno.EINVAL, _errno.ENOSYS, _errno.ENOTSUP):
                raise OSError(err, os.strerror(err), os.fsdecode(src), None, os.fsdecode(dst))
            # the file system cannot do it atomically: check, then rename (a tiny window remains)
    if os.path.lexists(dst) and not _same_file(src, dst):
        raise FileExistsError(_errno.EEXIST, os.strerror(_errno.EEXIST), os.fsdecode(dst))
    os.rename(src, dst)


def _same_file(a: bytes, b: bytes) -> bool:
    try:
        sa, sb = os.lstat(a), os.lstat(b)
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def _io_message(e: OSError) -> str:
    return f"{e.strerror} (os error {e.errno})" if e.errno is not None else str(e)


# ------------------------------------------------------------------ journal


def _state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "pyfs-jvm" / "rename"


class _Journal:
    """A JSON-lines journal of one run: a header, then for each rename system call a ``step``
    line written (and flushed) before the call and a ``done`` line after it, and ``undone`` lines
    as undo proceeds. Paths are ``os.fsdecode`` strings; JSON's ``\\udcXX`` escapes keep names
    that are not UTF-8 exact."""

    def __init__(self, path: str, f: Any) -> None:
        self.path = path
        self._f = f

    @classmethod
    def create(cls, where: JournalArg, header: dict[str, Any]) -> _Journal:
        if where is None or where is True:
            d = _state_dir()
            d.mkdir(parents=True, exist_ok=True)
            stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
            path = str(d / f"rename-{stamp}-{os.getpid()}-{os.urandom(3).hex()}.jsonl")
        else:
            path = os.fspath(where)  # type: ignore[arg-type]
        f = open(path, "x", encoding="ascii")
        j = cls(path, f)
        j.write({"pyfs_jvm_rename_journal": 1, **header})
        os.fsync(f.fileno())
        return j

    @classmethod
    def reopen(cls, path: str) -> _Journal | None:
        try:
            return cls(path, open(path, "a", encoding="ascii"))
        except OSError:
            return None

    def write(self, record: dict[str, Any]) -> None:
        self._f.write(json.dumps(record, ensure_ascii=True) + "\n")
        self._f.flush()

    def close(self) -> None:
        try:
            self._f.flush()
            os.fsync(self._f.fileno())
        finally:
            self._f.close()


def _read_journal(path: str) -> list[_Step]:
    """Every step that was (probably) carried out and not undone yet, in order."""
    steps: dict[int, _Step] = {}
    done: set[int] = set()
    undone: set[int] = set()
    with open(path, encoding="ascii") as f:
        first = f.readline()
        try:
            header = json.loads(first)
        except ValueError:
            header = {}
        if not isinstance(header, dict) or "pyfs_jvm_rename_journal" not in header:
            raise argument_error(RenameError, f"not a pyfs-jvm rename journal: {path}")
        for line in f:
            try:
                rec = json.loads(line)
            except ValueError:
                break  # a torn last line from a crash: the steps before it are intact
            if "step" in rec:
                steps[rec["step"]] = _Step(rec["step"], os.fsencode(rec["from"]), os.fsencode(rec["to"]))
            elif "done" in rec:
                done.add(rec["done"])
            elif "failed" in rec:
                steps.pop(rec["failed"], None)
            elif "undone" in rec:
                undone.add(rec["undone"])
    out = []
    for n in sorted(steps):
        if n in undone:
            continue
        s = steps[n]
        # a step without its "done" line may still have happened (crash between the two writes)
        if n in done or (os.path.lexists(s.dst) and not os.path.lexists(s.src)):
            out.append(s)
    return out


def undo_journal(journal: str | os.PathLike[str]) -> list[RenameFileError]:
    """Undo the renames recorded in a journal (from ``RenameResult.journal`` or the CLI), last
    first, even from another process after an interrupted run. Steps already undone are skipped.
    Returns what could not be restored; nothing is overwritten."""
    path = os.fspath(journal)
    try:
        entries = _read_journal(path)
    except FileNotFoundError:
        raise argument_error(RenameError, f"journal does not exist: {path}") from None
    j = _Journal.reopen(path)
    try:
        return _undo_steps(entries, j)
    finally:
        if j is not None:
            j.close()


def _undo_steps(steps: list[_Step], journal: _Journal | None) -> list[RenameFileError]:
    errors: list[RenameFileError] = []
    for s in reversed(steps):
        try:
            _rename_noreplace(s.dst, s.src)
        except OSError as e:
            errors.append(RenameFileError(os.fsdecode(s.dst), f"failed to undo rename: {_io_message(e)}"))
            continue
        if journal is not None:
            journal.write({"undone": s.n})
    return errors


# ------------------------------------------------------------------ planning


class _Planned:
    __slots__ = ("old", "new", "old_path", "new_path", "old_name", "new_name", "depth", "error")

    def __init__(self, old: bytes, new_name_b: bytes, depth: int) -> None:
        parent, _, name = old.rpartition(b"/")
        self.old = old
        self.new = (parent + b"/" if old.count(b"/") else b"") + new_name_b
        self.old_path = os.fsdecode(old)
        self.new_path = os.fsdecode(self.new)
        self.old_name = os.fsdecode(name)
        self.new_name = os.fsdecode(new_name_b)
        self.depth = depth
        self.error: str | None = None


def _check_conflicts(plan: list[_Planned]) -> None:
    """Mark every entry that must not be renamed, with the reason."""
    for p in plan:
        nb = os.fsencode(p.new_name)
        if b"/" in nb or b"\0" in nb:
            p.error = f'refused: the new name "{p.new_name}" contains a path separator'
        elif nb in (b"", b".", b".."):
            p.error = f'refused: "{p.new_name}" is not a valid file name'
    targets: dict[bytes, list[_Planned]] = {}
    for p in plan:
        if p.error is None:
            targets.setdefault(p.new, []).append(p)
    for tgt, ps in targets.items():
        if len(ps) > 1:
            for p in ps:
                p.error = (f"refused: {len(ps)} entries would be renamed to {os.fsdecode(tgt)}: "
                           + ", ".join(q.old_name for q in ps))
    by_source = {p.old: p for p in plan}
    changed = True
    while changed:  # a target is free only if nothing is there, or what is there moves away
        changed = False
        for p in plan:
            if p.error is not None:
                continue
            mover = by_source.get(p.new)
            if mover is not None and mover is not p:
                if mover.error is not None:
                    p.error = f"refused: {p.new_path} already exists (and is not renamed: {mover.error})"
                    changed = True
                continue
            if os.path.lexists(p.new) and not _same_file(p.old, p.new):
                p.error = f"refused: {p.new_path} already exists"
                changed = True


def _apply(plan: list[_Planned], journal: _Journal | None) -> tuple[list[_Planned], list[RenameFileError],
                                                                    list[_Step]]:
    """Carry out the accepted entries: deepest first (so paths below a renamed directory stay
    valid), chains in dependency order, cycles through a temporary name."""
    renamed: list[_Planned] = []
    errors: list[RenameFileError] = []
    steps: list[_Step] = []
    counter = [0, 0]  # temp names, journal step numbers

    def step(src: bytes, dst: bytes) -> None:
        n = counter[1]
        counter[1] += 1
        if journal is not None:
            journal.write({"step": n, "from": os.fsdecode(src), "to": os.fsdecode(dst)})
        try:
            _rename_noreplace(src, dst)
        except OSError:
            if journal is not None:
                journal.write({"failed": n})
            raise
        steps.append(_Step(n, src, dst))
        if journal is not None:
            journal.write({"done": n})

    depths = sorted({p.depth for p in plan}, reverse=True)
    for d in depths:
        pending = [p for p in plan if p.depth == d]
        current = {p.old: p.old for p in pending}  # where each entry is now (temp names for cycles)
        waiting_on = {p.old for p in pending}
        while pending:
            progress = False
            rest = []
            for p in pending:
                if p.new in waiting_on and p.new != p.old:
                    rest.append(p)
                    continue
                try:
                    step(current[p.old], p.new)
                    renamed.append(p)
                except OSError as e:
                    errors.append(RenameFileError(p.old_path, _io_message(e)))
                    # what waits for this name stays waiting; it fails safely (the name is taken)
                waiting_on.discard(p.old)
                progress = True
            pending = rest
            if pending and not progress:  # a cycle: move one member aside first
                p = pending[0]
                counter[0] += 1
                parent = p.old.rpartition(b"/")[0]
                tmp = (parent + b"/" if b"/" in p.old else b"") + \
                    f".pyfs-jvm-rename-{os.getpid()}-{counter[0]}.tmp".encode()
                try:
                    step(p.old, tmp)
                    current[p.old] = tmp
                except OSError as e:
                    errors.append(RenameFileError(p.old_path, _io_message(e)))
                    pending.pop(0)
                waiting_on.discard(p.old)
    order = {id(p): i for i, p in enumerate(plan)}
    renamed.sort(key=lambda p: order[id(p)])
    return renamed, errors, steps


# ------------------------------------------------------------------ the API


def _entry(p: _Planned) -> RenameEntry:
    return RenameEntry(p.old_path, p.new_path, p.old_name, p.new_name)


def bulk_rename(path: PathArg, pattern: str, replacement: str, *, recursive: bool = False, skip_hidden: bool = True,
                glob_pattern: str | None = None, max_depth: int | None = None, dry_run: bool = True,
                include_dirs: bool = False, journal: JournalArg = None) -> RenameResult:
    """Rename the entries under ``path`` whose name matches ``pattern``: each name becomes
    ``re.replace_all(name, replacement)`` (Rust syntax: ``$1``, ``${1}``, ``${name}``, ``$$``).

    recursive: also below subdirectories (``max_depth`` then limits the depth; without
        ``recursive`` only the directory's own entries are renamed and ``max_depth`` is ignored).
    skip_hidden: leave hidden names alone (and do not enter hidden directories).
    glob_pattern: only names matching this glob (globset syntax).
    dry_run: only report what would happen (the default).
    include_dirs: rename directories too (deepest first). Symlinks and special files never.
    journal: where a real run records its steps for ``undo_journal``: None (default) for a new
        file under ``$XDG_STATE_HOME/pyfs-jvm/rename/``, a path, or False for none.

    Conflicts (existing targets, several entries onto one name, separators in the new name) are
    refused and listed in ``errors``; they are never carried out. Raises RenameError (also a
    ValueError / NotADirectoryError / FileNotFoundError as fits) before anything is touched for a
    path that is not a directory, an invalid pattern, glob or replacement.
    """
    text, raw = _args.path(path)
    for value, name in ((pattern, "pattern"), (replacement, "replacement")):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    rec = _args.flag(recursive, "recursive")
    hidden = _args.flag(skip_hidden, "skip_hidden")
    glob = _args.optional_str(glob_pattern, "glob_pattern")
    depth = _args.uint(max_depth, "max_depth", allow_none=True)
    dry = _args.flag(dry_run, "dry_run")
    dirs = _args.flag(include_dirs, "include_dirs")
    if journal is not None and not isinstance(journal, (str, bool)) and not hasattr(journal, "__fspath__"):
        raise TypeError(f"journal must be a path, a bool or None, got {type(journal).__name__}")
    _args.require_dir(text, raw, RenameError, missing="path is not a directory")
    check_pattern(pattern, False, RenameError)
    if glob is not None:
        _args.check_glob(glob, RenameError)
    api: type[RenameApi] = _jvm.jclass("pyfsjvm.rename.RenameApi")
    try:
        _bridge.call(RenameError, api.checkReplacement, pattern, replacement)
    except RenameError as e:
        raise argument_error(RenameError, str(e)) from None
    _args.require_readable_dir(text, raw, RenameError)

    eff_depth = 1 if not rec else (-1 if depth is None else depth)
    plan_task = _bridge.run_task(RenameError, api.plan, raw, pattern, replacement, eff_depth, hidden, glob, dirs)
    batch = _bridge.Batch(memoryview(bytes(plan_task.batch())))
    skipped = int(plan_task.skipped())
    olds = [os.fsencode(s) for s in batch.strings(0)]
    news = [os.fsencode(s) for s in batch.strings(1)]
    depths = batch.ints(2)
    plan = [_Planned(o, n, d) for o, n, d in zip(olds, news, depths)]
    if dirs:
        plan.sort(key=lambda p: -p.depth)  # stable: deepest first, walk order within a depth
    _check_conflicts(plan)
    accepted = [p for p in plan if p.error is None]
    errors = [RenameFileError(p.old_path, p.error) for p in plan if p.error is not None]
    if dry:
        return RenameResult([_entry(p) for p in accepted], skipped, errors, True, [], None)
    j = None
    if journal is not False and accepted:
        j = _Journal.create(journal, {"root": text, "pattern": pattern, "replacement": replacement,
                                      "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    try:
        done, failed, steps = _apply(accepted, j)
    finally:
        if j is not None:
            j.close()
    return RenameResult([_entry(p) for p in done], skipped, errors + failed, False, steps,
                        j.path if j is not None else None)
