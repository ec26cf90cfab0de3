"""Scanning rez package repositories: ``scan_repo``, ``scan_families``, ``iter_packages``.

``scan_repo(paths)`` lists the packages of rez *filesystem* repositories exactly as rez's own
repository plugin enumerates them (``rezplugins/package_repository/filesystem.py``: families,
version directories, ``.ignore``/``.building`` markers, package-file choice, repository-path
normalisation; docs/rez.md has the rules), but the directory work runs in the Java core
(``pyfsjvm.rez.RezScan`` over the shared walker), in parallel, with one directory read per
family and one ``stat`` per version. No ``package.py`` is executed, and rez need not be
installed.

Configuration that changes rez's enumeration is taken as keyword arguments, with rez's defaults:

* ``allow_unversioned_packages`` (rez config ``allow_unversioned_packages``, default True);
* ``check_package_definition_files`` (plugin setting, default False): strict version checks;
* ``package_filenames`` (plugin setting, default ``("package",)``);
* ``file_lock_dir`` (plugin setting, default None): that name is skipped at a repository root;
* ``disable_pkg_ignore`` (repository argument, default False): ``.ignore<ver>`` files are ignored.

Order: repositories come in the order given; within one, order is unspecified, as in rez (sort
the result if you need an order). Packages of one family are contiguous.

``iter_packages(paths)`` goes one step further and hands each scanned package to rez's own
loader (``rez.packages.Package`` over rez's package resource), with rez's de-duplication across
repositories; it needs rez installed.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import repeat
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Union

from . import _args, _bridge, _jvm
from ._args import PathArg
from .errors import RezScanError, argument_error, domain_error, os_error

if TYPE_CHECKING:
    from pyfsjvm.rez import RezScan  # stubs/pyfsjvm: the Java surface we call

__all__ = ["scan_repo", "scan_families", "iter_packages", "ScannedPackage", "ScannedFamily", "RezScanError"]

_log = logging.getLogger("pyfs_jvm.rez")

Format = Literal["py", "yaml"]
PathsArg = Union[PathArg, Iterable[PathArg]]

# Family row kinds and package formats of the Java batches (pyfsjvm.rez.RezScan).
_FAMILY, _FAMILY_PY, _FAMILY_YAML, _ERROR = 0, 1, 2, 5
_NO_FILE = 0
_FORMATS: tuple[Format | None, ...] = (None, "py", "yaml")


class ScannedPackage(NamedTuple):
    """One package of a repository, as rez's filesystem repository enumerates it.

    family: the package family name.
    version: the version as on disk (the version directory's name, or the string from a combined
        family file); ``""`` for an unversioned package. Not parsed: rez accepts any directory
        name here, and only ``rez.packages`` later parses it (see ``iter_packages``).
    format: "py" or "yaml", the package definition file's format; None when the version directory
        holds no package file (rez lists such versions too; its ``uri`` is then None).
    path: absolute path of the package definition file (None when there is none). For a version
        of a combined family this is the family file ``LOCATION/name.py|yaml``.
    repository: the repository location, canonical as rez makes it (symlinks resolved).
    combined: True for a version listed inside a combined family file.
    """

    family: str
    version: str
    format: Format | None
    path: str | None
    repository: str
    combined: bool = False

    @property
    def uri(self) -> str | None:
        """rez's ``package.uri``: the file path, ``FILE<version>`` for combined families, or None."""
        if self.combined:
            return f"{self.path}<{self.version}>"
        return self.path


class ScannedFamily(NamedTuple):
    """One package family of a repository (rez's ``iter_package_families``).

    name: the family name.
    format: None for a family directory; "py" or "yaml" for a combined family file.
    path: the family directory or combined file.
    repository: the canonical repository location.
    """

    name: str
    format: Format | None
    path: str
    repository: str


_new_package: Callable[[type[ScannedPackage], tuple[Any, ...]], ScannedPackage] = tuple.__new__
_new_family: Callable[[type[ScannedFamily], tuple[Any, ...]], ScannedFamily] = tuple.__new__


class _Options(NamedTuple):
    allow_unversioned: bool
    strict: bool
    filenames: tuple[str, ...]
    lock_dir: str | None
    use_ignore: bool
    threads: int


def _options(allow_unversioned_packages: Any, check_package_definition_files: Any, package_filenames: Any,
             file_lock_dir: Any, disable_pkg_ignore: Any, threads: Any) -> _Options:
    allow = _args.flag(allow_unversioned_packages, "allow_unversioned_packages")
    strict = _args.flag(check_package_definition_files, "check_package_definition_files")
    no_ignore = _args.flag(disable_pkg_ignore, "disable_pkg_ignore")
    if isinstance(package_filenames, (str, bytes)) or not isinstance(package_filenames, Sequence):
        raise TypeError("package_filenames must be a list or tuple of str, "
                        f"got {type(package_filenames).__name__}")
    names = tuple(package_filenames)
    for n in names:
        if not isinstance(n, str):
            raise TypeError(f"package_filenames must hold str, got {type(n).__name__}")
        if not n or "\0" in n:
            raise argument_error(RezScanError, f"invalid package file name {n!r} in package_filenames")
    if file_lock_dir is not None:
        if not isinstance(file_lock_dir, str):
            raise TypeError(f"file_lock_dir must be a str or None, got {type(file_lock_dir).__name__}")
        if file_lock_dir == "":
            file_lock_dir = None  # rez: "if not dirname: return None"
        elif os.path.isabs(file_lock_dir) or os.path.basename(file_lock_dir) != file_lock_dir:
            # rez raises ConfigurationError with this message
            raise argument_error(RezScanError, "filesystem package repository setting 'file_lock_dir' must be "
                                               "a single relative directory such as '.lock'")
    n_threads = _args.uint(threads, "threads", allow_none=True, minimum=1)
    return _Options(allow, strict, names, file_lock_dir, not no_ignore, n_threads or 0)


def _locations(paths: Any) -> list[str]:
    """rez's repository locations for ``paths``: ``filesystem@`` accepted, abspath, then
    realpath + normpath (``canonical_path``), as ``package_repository_manager`` and
    ``FileSystemPackageRepository.__init__`` do."""
    if isinstance(paths, (str, bytes)) or hasattr(paths, "__fspath__"):
        items = [paths]
    else:
        try:
            items = list(paths)
        except TypeError:
            raise TypeError(f"paths must be a path or an iterable of paths, got {type(paths).__name__}") from None
    out = []
    for i, p in enumerate(items):
        text, _ = _args.path(p, f"paths[{i}]")
        repo_type, at, location = text.partition("@")
        if at:
            if repo_type != "filesystem":
                # rez splits every packages_path entry at its first '@' and looks up a plugin
                # named by the first part; a path containing '@' is misread the same way.
                raise argument_error(RezScanError, f"unsupported rez repository type {repo_type!r} in {text!r}: "
                                                   f"only filesystem repositories can be scanned (rez reads "
                                                   f"'TYPE@LOCATION' from any path that contains '@')")
            text = location
            if not text:
                raise argument_error(RezScanError, f"paths[{i}] has an empty location: {p!r}")
        out.append(os.path.normpath(os.path.realpath(os.path.abspath(text))))
    return out


def _scan(paths: Any, opts: _Options, versions: bool) -> tuple[list[str], _bridge.Batch, _bridge.Batch]:
    """Runs the Java scan: (locations, package batch, family batch)."""
    locations = _locations(paths)
    raw_roots = [os.fsencode(loc) for loc in locations]
    locks: list[bytes | None] = []
    for loc in locations:
        # rez skips the lock dir only if it exists (os.path.exists: follows symlinks)
        lock = opts.lock_dir
        locks.append(os.fsencode(lock) if lock and os.path.exists(os.path.join(loc, lock)) else None)
    api: type[RezScan] = _jvm.jclass("pyfsjvm.rez.RezScan")
    raw = _bridge.run_task(RezScanError, api.start, raw_roots, locks, opts.allow_unversioned, opts.strict,
                           opts.use_ignore, [os.fsencode(n) for n in opts.filenames], versions, opts.threads)
    return locations, _bridge.Batch(memoryview(raw[0])), _bridge.Batch(memoryview(raw[1]))


def _fail(message: str, *, path: str | None = None, standard: type[Exception] | None = None) -> RezScanError:
    """A RezScanError (mixed with ``standard``) whose ``filename`` is the file or directory at fault."""
    err = domain_error(RezScanError, message, path=path, standard=standard)
    if path is not None and not isinstance(err, OSError):
        err.filename = path  # type: ignore[attr-defined]
    return err


def _error(path: str, text: str) -> RezScanError:
    import errno as errno_mod

    name, _, reason = text.partition(":")
    code = getattr(errno_mod, name, None) if name else None
    if code is None:
        return _fail(f"{reason}: {path}", path=path)
    return os_error(RezScanError, code, path, reason)


class _Failure(NamedTuple):
    """A family rez would raise on: an unreadable family directory, a bad combined file."""

    family: str
    rank: int  # _source_rank of the family it belongs to
    repository: str
    error: RezScanError


def _report(err: RezScanError, on_error: Callable[[RezScanError], object] | None) -> None:
    if on_error is None:
        raise err
    _log.warning("%s", err)
    on_error(err)


def scan_repo(paths: PathsArg, *, allow_unversioned_packages: bool = True,
              check_package_definition_files: bool = False,
              package_filenames: Sequence[str] = ("package",), file_lock_dir: str | None = None,
              disable_pkg_ignore: bool = False, threads: int | None = None,
              on_error: Callable[[RezScanError], object] | None = None) -> list[ScannedPackage]:
    """Every package of the rez filesystem repositories ``paths``, as rez enumerates them.

    paths: one repository path or several (``packages_path`` order; ``filesystem@PATH`` is
        accepted). A path that does not exist or is not a directory has no packages (as in rez).
    allow_unversioned_packages, check_package_definition_files, package_filenames, file_lock_dir,
    disable_pkg_ignore: rez's settings of the same names (module docstring); rez's defaults.
    threads: directory-reading threads (default: the configured I/O parallelism).
    on_error: rez raises when it cannot list a family directory or read a combined family file,
        and so does this by default (``RezScanError``, also the matching ``OSError`` such as
        ``PermissionError``). With a callable, it is called on this thread with each such error
        and the scan goes on without that family.

    Combined families (``LOCATION/name.py`` or ``.yaml`` holding a ``versions`` list) are read
    here without executing anything: YAML with PyYAML, ``.py`` files statically (``versions``
    must be a literal list of strings, as in every file rez itself writes).
    """
    _args.callback(on_error, "on_error")
    _, items = _scan_all(paths, allow_unversioned_packages, check_package_definition_files, package_filenames,
                         file_lock_dir, disable_pkg_ignore, threads)
    if all(type(x) is ScannedPackage for x in items):
        return items  # type: ignore[return-value]
    out: list[ScannedPackage] = []
    for x in items:
        if isinstance(x, _Failure):
            _report(x.error, on_error)
        else:
            out.append(x)
    return out


def _scan_all(paths: Any, allow_unversioned_packages: Any, check_package_definition_files: Any,
              package_filenames: Any, file_lock_dir: Any, disable_pkg_ignore: Any,
              threads: Any) -> tuple[list[ScannedFamily], list[ScannedPackage | _Failure]]:
    opts = _options(allow_unversioned_packages, check_package_definition_files, package_filenames,
                    file_lock_dir, disable_pkg_ignore, threads)
    locations, packages, families = _scan(paths, opts, True)
    with _bridge.no_gc():
        return _decode(packages, families, locations, opts)


def _decode(pb: _bridge.Batch, fb: _bridge.Batch, locations: list[str],
            opts: _Options) -> tuple[list[ScannedFamily], list[ScannedPackage | _Failure]]:
    families, extras = _decode_families(fb, locations, opts, True)
    packages = _decode_packages(pb, locations)
    if not any(extras):
        return families, packages  # type: ignore[return-value]
    # Combined families and failures go after their repository's directory packages, so that
    # everything stays in repository order (iter_packages' precedence depends on it).
    roots = pb.ints(0)
    out: list[ScannedPackage | _Failure] = []
    start = 0
    for r, extra in enumerate(extras):
        end = start
        while end < len(roots) and roots[end] == r:
            end += 1
        out.extend(packages[start:end])
        out.extend(extra)
        start = end
    return families, out


def _decode_packages(pb: _bridge.Batch, locations: list[str]) -> list[ScannedPackage]:
    n = pb.rows
    if n == 0:
        return []
    fams = pb.strings(1)
    vers = pb.strings(2)
    paths: list[str | None] = pb.strings(3)  # type: ignore[assignment]
    formats = bytes(pb.raw(4))
    if _NO_FILE in formats:
        paths = [p or None for p in paths]
    repos = repeat(locations[0], n) if len(locations) == 1 else map(locations.__getitem__, pb.ints(0))
    rows = zip(fams, vers, map(_FORMATS.__getitem__, formats), paths, repos, repeat(False, n))
    return list(map(_new_package, repeat(ScannedPackage, n), rows))


def _decode_families(fb: _bridge.Batch, locations: list[str], opts: _Options | None,
                     with_versions: bool) -> tuple[list[ScannedFamily], list[list[ScannedPackage | _Failure]]]:
    """Family rows, and per repository the combined families' packages and the failures."""
    extras: list[list[ScannedPackage | _Failure]] = [[] for _ in locations]
    if fb.rows == 0:
        return [], extras
    roots = fb.ints(0)
    kinds = bytes(fb.raw(1))
    names = fb.strings(2)
    paths = fb.strings(3)
    texts = fb.strings(4)
    families: list[ScannedFamily] = []
    for r, k, name, path, text in zip(roots, kinds, names, paths, texts):
        repo = locations[r]
        if k == _ERROR:
            extras[r].append(_Failure(name, 0, repo, _error(path, text)))
            continue
        families.append(_new_family(ScannedFamily, (name, _FORMATS[k] if k else None, path, repo)))
        if k != _FAMILY and with_versions and opts is not None:
            ext: Format = "py" if k == _FAMILY_PY else "yaml"
            try:
                vers = _combined_versions(path, ext, opts.allow_unversioned)
            except RezScanError as e:
                extras[r].append(_Failure(name, k, repo, e))
                continue
            extras[r].extend(_new_package(ScannedPackage, (name, v, ext, path, repo, True)) for v in vers)
    return families, extras


def scan_families(paths: PathsArg, *, file_lock_dir: str | None = None,
                  threads: int | None = None) -> list[ScannedFamily]:
    """The package families of the repositories ``paths`` (rez's ``iter_package_families``).

    Like rez, this keeps duplicates: a directory ``foo`` and a file ``foo.py`` are two families,
    and so are ``baz.py`` and ``baz.yaml``. Only the repository roots are read.
    """
    opts = _options(True, False, ("package",), file_lock_dir, False, threads)
    locations, _, fb = _scan(paths, opts, False)
    return _decode_families(fb, locations, None, False)[0]


# ------------------------------------------------------------------ combined families


def _combined_versions(path: str, ext: Format, allow_unversioned: bool) -> list[str]:
    """The versions of combined family file ``path`` (``[""]``: one unversioned package)."""
    try:
        with open(path, "rb") as f:
            text = f.read()
    except OSError as e:
        raise os_error(RezScanError, e.errno, path, e.strerror) from None
    if ext == "yaml":
        data = _load_yaml(path, text)
        if data is not None and not isinstance(data, dict):
            raise _fail(f"combined family file is not a YAML mapping: {path}", path=path)
        versions = None if data is None else data.get("versions")
    else:
        versions = _static_py_versions(path, text)
    if not versions:
        # rez: "if allow_unversioned_packages and not self.versions": one unversioned package;
        # otherwise it iterates the versions: none for [], TypeError for a missing key.
        if allow_unversioned:
            return [""]
        if versions is None:
            raise _fail("combined family has no 'versions' and unversioned packages "
                        f"are not allowed: {path}", path=path, standard=TypeError)
        return []
    if not isinstance(versions, list) or not all(isinstance(v, str) for v in versions):
        raise _fail(f"'versions' must be a list of strings in {path}", path=path,
                    standard=ValueError)
    for v in versions:
        if not is_valid_version(v):  # rez's schema turns each into a Version, which raises
            raise _fail(f"invalid version {v!r} in {path}", path=path, standard=ValueError)
    return versions


_TOKEN = re.compile(r"[a-zA-Z0-9_]+")


def is_valid_version(text: str) -> bool:
    """Whether rez's ``Version(text)`` accepts ``text``: "" (unversioned), or runs of
    ``[a-zA-Z0-9_]`` separated by exactly one other character each, nothing before or after."""
    if text == "":
        return True
    tokens = _TOKEN.findall(text)
    if not tokens:
        return False
    seps = _TOKEN.split(text)
    return seps[0] == "" and seps[-1] == "" and all(len(s) <= 1 for s in seps[1:-1])


def _load_yaml(path: str, text: bytes) -> Any:
    import importlib

    yaml: Any
    try:
        yaml = importlib.import_module("yaml")  # PyYAML (what rez uses; rez also vendors it)
    except ImportError:
        try:
            yaml = importlib.import_module("rez.vendor.yaml")
        except ImportError:
            raise _fail(f"reading the combined family {path} needs PyYAML "
                        f"(pip install pyyaml)", path=path,
                        standard=ModuleNotFoundError) from None
    try:
        return yaml.load(text, Loader=yaml.FullLoader)  # what rez.utils.yaml.load_yaml does
    except Exception as e:
        raise _fail(f"cannot parse {path}: {e}", path=path, standard=ValueError) from None


def _static_py_versions(path: str, text: bytes) -> Any:
    """``versions`` of a combined ``.py`` family, read without executing it: the literal value of
    its last top-level assignment. None when the name is never assigned."""
    import ast  # only for combined .py families (rare): not at import time

    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as e:
        raise _fail(f"cannot parse {path}: {e}", path=path, standard=ValueError) from None
    value: Any = None
    found = False
    for node in tree.body:
        targets: list[Any] = []
        expr: Any = None
        if isinstance(node, ast.Assign):
            targets, expr = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, expr = [node.target], node.value
        if expr is not None and any(isinstance(t, ast.Name) and t.id == "versions" for t in targets):
            try:
                value = ast.literal_eval(expr)
            except ValueError:
                raise _fail(f"'versions' in {path} is not a literal: pyfs_jvm.rez reads "
                            f"combined .py families without executing them", path=path,
                            standard=ValueError) from None
            found = True
    return value if found else None


# ------------------------------------------------------------------ through rez


def _rez() -> tuple[Any, Any, Any, Any, Any]:
    try:
        from rez.package_repository import package_repository_manager
        from rez.packages import Package
        from rez.serialise import FileFormat
    except ImportError as e:
        raise _fail("pyfs_jvm.rez.iter_packages needs rez, which is not installed "
                    f"(pip install rez): {e}", standard=ModuleNotFoundError) from None
    try:
        from rez.version import Version, VersionRange
    except ImportError:  # rez 2.x
        from rez.vendor.version.version import Version, VersionRange  # type: ignore[no-redef]
    return package_repository_manager, Package, Version, VersionRange, FileFormat


def iter_packages(paths: PathsArg, family: str | None = None, range_: Any = None, *,
                  allow_unversioned_packages: bool = True, check_package_definition_files: bool = False,
                  package_filenames: Sequence[str] = ("package",), file_lock_dir: str | None = None,
                  disable_pkg_ignore: bool = False, threads: int | None = None,
                  on_error: Callable[[RezScanError], object] | None = None) -> Iterator[Any]:
    """``rez.packages.Package`` objects for the packages ``scan_repo`` finds, loaded by rez.

    The enumeration is ``scan_repo``'s; each package then goes through rez's own resource and
    loader (``package.py`` is evaluated lazily by rez, when an attribute needs it). What
    ``rez.packages.iter_packages(name, range_, paths)`` does on top is done here too, per family:
    the family directory wins over a combined ``name.py``, which wins over ``name.yaml``; versions
    are parsed (an invalid version directory name raises rez's ``VersionError``, as in rez); and a
    (family, version) already seen in an earlier repository, or under an equal spelling
    (``1.0``/``1-0``), is skipped.

    family: only this family (None: every family). range_: a rez version range (str or
        ``VersionRange``) to keep.

    Needs rez installed (``RezScanError`` that is also ``ModuleNotFoundError`` otherwise).
    """
    manager, package_cls, version_cls, range_cls, file_format = _rez()
    if family is not None and not isinstance(family, str):
        raise TypeError(f"family must be a str or None, got {type(family).__name__}")
    _args.callback(on_error, "on_error")
    if isinstance(range_, str):
        range_ = range_cls(range_)
    families, items = _scan_all(paths, allow_unversioned_packages, check_package_definition_files,
                                package_filenames, file_lock_dir, disable_pkg_ignore, threads)
    return _through_rez(families, items, family, range_, on_error, manager, package_cls, version_cls, file_format)


def _through_rez(families: list[ScannedFamily], items: list[ScannedPackage | _Failure], family: str | None,
                 range_: Any, on_error: Callable[[RezScanError], object] | None, manager: Any,
                 package_cls: Any, version_cls: Any, file_format: Any) -> Iterator[Any]:
    # rez's get_package_family(name) per repository: the directory, else NAME.py, else NAME.yaml
    # (even when the directory holds no packages); only that source's packages count.
    best: dict[tuple[str, str], int] = {}
    for f in families:
        if family is None or f.name == family:
            key = (f.repository, f.name)
            rank = 0 if f.format is None else 1 if f.format == "py" else 2
            best[key] = min(rank, best.get(key, 3))
    seen: set[tuple[str, Any]] = set()
    repos: dict[str, Any] = {}
    for x in items:
        if family is not None and x.family != family:
            continue
        if isinstance(x, _Failure):
            if best.get((x.repository, x.family)) == x.rank:
                _report(x.error, on_error)
            continue
        if best.get((x.repository, x.family)) != _source_rank(x):
            continue
        version = version_cls(x.version)  # raises rez's VersionError on a bad name, as rez does
        key = (x.family, version)
        if key in seen:
            continue
        seen.add(key)
        if range_ is not None and version not in range_:
            continue
        repo = repos.get(x.repository)
        if repo is None:
            repo = repos[x.repository] = manager.get_repository(x.repository)
        variables: dict[str, Any] = {"location": repo.location, "name": x.family}
        if x.combined:
            variables["ext"] = x.format
            resource_key = "filesystem.package.combined"
        else:
            resource_key = "filesystem.package"
        if x.version:
            variables["version"] = x.version
        resource = repo.get_resource(resource_key, **variables)
        if not x.combined:
            # The file we found (with the package_filenames given here, which need not be rez's
            # configured ones) is the file rez loads: seed rez's cached lookup instead of letting
            # it stat the candidates again.
            # (rez caches these per resource, and resources per repository: set all of them.)
            fmt = None if x.format is None else file_format[x.format]
            resource._filepath_and_format = (x.path, fmt)
            resource.filepath = x.path
            resource.file_format = fmt
            resource.uri = x.path
        yield package_cls(resource)


def _source_rank(p: ScannedPackage) -> int:
    return 0 if not p.combined else 1 if p.format == "py" else 2
