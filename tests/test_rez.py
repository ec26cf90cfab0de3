"""pyfs_jvm.rez: differential tests against rez itself (rez 3.4.0 from PyPI) on generated
repositories full of edge cases, under each configuration that changes rez's enumeration.

rez runs in a fresh interpreter per configuration (its config is process-wide and cached), with
``HOME`` pointed at an empty directory and ``REZ_CONFIG_FILE`` at a per-case file. Order is
unspecified in rez (listdir order plus set order), so both sides are compared sorted.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pyfs_jvm import rez as prez
from pyfs_jvm.errors import RezScanError

from helpers import run_python

# rez's plugin loader (used in-process by iter_packages) still calls importlib's load_module()
pytestmark = pytest.mark.filterwarnings("ignore:the load_module:DeprecationWarning")

# ----------------------------------------------------------------------------- trees


def _file(p: Path, text: str = "") -> None:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)


def build_spec_tree(root: Path) -> Path:
    """The repository of specs/rez-scan.md section 7 (every rule there has a case here)."""
    root.mkdir(parents=True)
    _file(root / "settings.yaml", "disable_memcache: true\n")
    for d in ("Bad-Name", "__pycache__", ".git", "a..b", "empty", "9lives/1.0", "_priv/2.0", "a.b/1.0"):
        (root / d).mkdir(parents=True, exist_ok=True)
    _file(root / "9lives" / "1.0" / "package.py")
    _file(root / "_priv" / "2.0" / "package.py")
    _file(root / "a.b" / "1.0" / "package.py")
    _file(root / "notes.txt")
    _file(root / "x.PY")
    _file(root / "x.yml", "versions: ['1.0']\n")
    _file(root / ".py")
    _file(root / "foo.bar.py", "versions = ['1.0', '2.0']\n")
    foo = root / "foo"
    _file(foo / "1.0" / "package.py")
    _file(foo / "1.1" / "package.yaml")
    _file(foo / ".ignore1.1")
    (foo / "1.2").mkdir()
    (foo / "1.3").mkdir()
    _file(foo / ".building1.3")
    _file(foo / "1.4" / "package.py")
    _file(foo / ".building1.4")
    _file(foo / "_1.5" / "package.py")
    _file(root.parent / (root.name + "_elsewhere") / "1.6" / "package.py")
    os.symlink(root.parent / (root.name + "_elsewhere") / "1.6", foo / "1.6")
    _file(foo / "2.0" / "package.txt")
    _file(foo / "3.0" / "package.py")
    _file(foo / "3.0" / "package.yaml")
    (foo / ".ignore3.0").mkdir()
    _file(foo / "4.0" / "pkgdef.yaml")
    _file(foo / "5.0" / "pkgdef.py")
    _file(foo / "5.0" / "package.yaml")
    (foo / ".hidden").mkdir()
    (foo / ".ignoredir").mkdir()
    (foo / ".building2.5").mkdir()
    _file(foo / "somefile")
    bar = root / "bar"
    _file(bar / "package.py")
    _file(bar / "1.0" / "package.py")
    bad = root / "bad"
    (bad / "1..0").mkdir(parents=True)
    _file(bad / "ok" / "package.py")
    _file(root / "qux.yaml", "versions: ['1.0', '2.0']\n")
    _file(root / "baz.py", "description = 'no versions'\n")
    _file(root / "baz.yaml", "description: no versions\n")
    # equal versions spelled differently: rez.packages keeps one of each
    for v in ("1.0", "1-0", "1 0", "01.0", "1.0.0"):
        _file(root / "foo2" / v / "package.py")
    # a directory family and a combined file of the same name: both listed, the directory wins
    _file(root / "dup" / "1.0" / "package.py")
    _file(root / "dup.py", "versions = ['9.0']\n")
    return root


_VERSION_CHARS = "0123456789.._-- aé+"


def _rand_name(rng: random.Random, chars: str, n: int) -> str:
    return "".join(rng.choice(chars) for _ in range(rng.randint(1, n)))


def build_fuzz_tree(root: Path, seed: int, families: int = 25) -> Path:
    """A random repository: odd family and version names, empty and marker-only versions,
    .ignore/.building files and directories, symlinks (good and broken), package files of every
    kind, unversioned families, combined families."""
    rng = random.Random(seed)
    root.mkdir(parents=True)
    outside = root.parent / f"{root.name}_targets"
    outside.mkdir()
    for f in range(families):
        fam = rng.choice([f"fam{f}", f"f.{f}", f"_f{f}", f"{f}x", f"bad-{f}", f"f..{f}", f".f{f}", f"fé{f}"])
        fdir = root / fam
        if rng.random() < 0.1:  # a symlinked family
            target = outside / f"famtarget{f}"
            target.mkdir()
            os.symlink(target, fdir)
            fdir = target
        else:
            fdir.mkdir()
        if rng.random() < 0.15:
            _file(fdir / rng.choice(["package.py", "package.yaml", "pkgdef.py"]))
        for _ in range(rng.randint(0, 12)):
            ver = _rand_name(rng, _VERSION_CHARS, 5).strip("/")
            if ver in (".", ".."):
                continue
            vdir = fdir / ver
            roll = rng.random()
            if roll < 0.07:
                target = outside / f"v{f}_{rng.randint(0, 10**9)}"
                target.mkdir()
                _file(target / "package.py")
                if not vdir.exists() and not vdir.is_symlink():
                    os.symlink(target, vdir)
                continue
            if roll < 0.1:
                if not vdir.exists() and not vdir.is_symlink():
                    os.symlink(outside / "missing", vdir)  # broken
                continue
            if roll < 0.15:
                if not vdir.exists():
                    _file(vdir)  # a plain file where a version could be
                continue
            if vdir.is_file() or vdir.is_symlink():
                continue
            vdir.mkdir(exist_ok=True)
            content = rng.random()
            if content < 0.5:
                _file(vdir / "package.py")
            elif content < 0.65:
                _file(vdir / "package.yaml")
            elif content < 0.75:
                _file(vdir / "pkgdef.yaml")
            elif content < 0.8:
                (vdir / "package.py").mkdir()  # a directory named package.py is not a file
            elif content < 0.85:
                _file(outside / f"pf{f}_{rng.randint(0, 10**9)}.py")
                os.symlink(next(outside.glob(f"pf{f}_*.py")), vdir / "package.py")
            # else: empty version directory
            marker = rng.random()
            if marker < 0.15:
                _file(fdir / f".ignore{ver}")
            elif marker < 0.2:
                (fdir / f".ignore{ver}").mkdir(exist_ok=True)
            elif marker < 0.35:
                _file(fdir / f".building{ver}")
            elif marker < 0.4:
                (fdir / f".building{ver}").mkdir(exist_ok=True)
    for c in range(3):
        vers = sorted({_rand_name(rng, "0123456789.", 4).strip(".") or "0" for _ in range(3)})
        vers = [v for v in vers if ".." not in v]
        if rng.random() < 0.5:
            _file(root / f"comb{c}.yaml", f"versions: {json.dumps(vers)}\n")
        else:
            _file(root / f"comb{c}.py", f"name = 'comb{c}'\nversions = {vers!r}\n")
    return root


# ----------------------------------------------------------------------------- both sides

# rez's view, printed as JSON. Repository level (repo.iter_package_families / iter_packages, raw
# names) and user level (rez.packages.iter_packages per family: parsed, deduplicated, may raise).
PROBE = r"""
import json, re, sys
cfg = json.loads(sys.argv[1])
from rez.package_repository import package_repository_manager as manager
from rez.packages import iter_packages

def key(v):
    return "|".join(re.findall(r"[a-zA-Z0-9_]+", str(v)))

families, packages, names = [], [], set()
for path in cfg["paths"]:
    repo = manager.get_repository(path)
    if cfg["disable_pkg_ignore"]:
        repo.disable_pkg_ignore = True
    for fam in repo.iter_package_families():
        ext = getattr(fam, "ext", None)
        families.append([repo.location, fam.name, ext])
        names.add(fam.name)
        try:
            for p in repo.iter_packages(fam):
                packages.append([repo.location, fam.name, ext, p.get("version") or "", p.uri])
        except Exception as e:
            packages.append([repo.location, fam.name, ext, "raises", None])
user = {}
for name in sorted(names):
    try:
        user[name] = sorted([key(p.version), p.uri] for p in iter_packages(name, paths=cfg["paths"]))
    except Exception as e:
        user[name] = "raises:" + type(e).__name__
print(json.dumps({"families": sorted(families, key=json.dumps), "packages": sorted(packages, key=json.dumps),
                  "user": user}))
"""

CONFIGS: dict[str, dict[str, Any]] = {
    "default": {},
    "no-unversioned": {"allow_unversioned_packages": False},
    "strict": {"check_package_definition_files": True},
    "strict-pkgdef": {"check_package_definition_files": True, "package_filenames": ["pkgdef", "package"]},
    "pkgdef": {"package_filenames": ["pkgdef", "package"]},
    "lock-dir": {"file_lock_dir": "empty"},
    "no-ignore": {"disable_pkg_ignore": True},
}


def rez_view(paths: list[str], cfg: dict[str, Any], tmp: Path) -> Any:
    plugin = {k: v for k, v in cfg.items()
              if k in ("check_package_definition_files", "package_filenames", "file_lock_dir")}
    lines = []
    if "allow_unversioned_packages" in cfg:
        lines.append(f"allow_unversioned_packages = {cfg['allow_unversioned_packages']!r}")
    if plugin:
        lines.append(f"plugins = {{'package_repository': {{'filesystem': {plugin!r}}}}}")
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    conf = tmp / "rezconfig.py"
    conf.write_text("\n".join(lines) + "\n")
    env = {"HOME": str(home), "REZ_CONFIG_FILE": str(conf), "REZ_PACKAGES_PATH": None}
    arg = json.dumps({"paths": paths, "disable_pkg_ignore": cfg.get("disable_pkg_ignore", False)})
    return run_python(PROBE.replace("sys.argv[1]", repr(arg)), env=env)  # type: ignore[arg-type]


def _key(v: Any) -> str:
    return "|".join(re.findall(r"[a-zA-Z0-9_]+", str(v)))


def our_view(paths: list[str], cfg: dict[str, Any]) -> Any:
    families = [[f.repository, f.name, f.format]
                for f in prez.scan_families(paths, file_lock_dir=cfg.get("file_lock_dir"))]
    failures: list[RezScanError] = []
    scanned = prez.scan_repo(paths, on_error=failures.append, **cfg)
    packages = [[p.repository, p.family, p.format if p.combined else None, p.version, p.uri] for p in scanned]
    for e in failures:
        base = os.path.basename(e.filename)  # type: ignore[attr-defined]
        stem, ext = os.path.splitext(base)
        combined = ext in (".py", ".yaml") and os.path.isfile(e.filename)  # type: ignore[attr-defined]
        packages.append([os.path.dirname(e.filename), stem if combined else base,  # type: ignore[attr-defined]
                         ext[1:] if combined else None, "raises", None])
    user: dict[str, Any] = {}
    for name in sorted({f[1] for f in families}):
        try:
            user[name] = sorted([_key(p.version), p.uri] for p in prez.iter_packages(paths, name, **cfg))
        except Exception as e:
            user[name] = "raises:" + type(e).__name__
    return {"families": sorted(families, key=json.dumps), "packages": sorted(packages, key=json.dumps),
            "user": user}


def assert_same(ours: Any, theirs: Any) -> None:
    assert ours["families"] == theirs["families"]
    assert ours["packages"] == theirs["packages"]
    assert ours["user"].keys() == theirs["user"].keys()
    for name, want in theirs["user"].items():
        got = ours["user"][name]
        if isinstance(want, str) or isinstance(got, str):
            # rez raises VersionError; we raise rez's VersionError too (or our error for a broken
            # combined file, where rez raises whatever its loader hit)
            assert isinstance(got, str) and isinstance(want, str), (name, got, want)
            if "VersionError" in want:
                assert got == want, name
            continue
        # equal versions spelled differently: which spelling survives depends on set order
        assert [k for k, _ in got] == [k for k, _ in want], name
        repo_uris = {p[4] for p in theirs["packages"] if p[1] == name}
        assert all(uri in repo_uris for _, uri in got), name


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    base = tmp_path_factory.mktemp("rezrepos")
    spec = build_spec_tree(base / "spec")
    fuzz = [build_fuzz_tree(base / f"fuzz{s}", s) for s in range(3)]
    os.symlink(fuzz[0], base / "fuzzlink")  # reached through a symlink: URIs use the real path
    (base / "plainfile").write_text("x")
    return [str(spec), str(base / "fuzzlink"), str(fuzz[1]), "filesystem@" + str(fuzz[2]),
            str(base / "missing"), str(base / "plainfile"), str(spec)]


@pytest.mark.parametrize("config", list(CONFIGS))
def test_identical_to_rez(config: str, repos: list[str], tmp_path: Path) -> None:
    cfg = CONFIGS[config]
    theirs = rez_view(repos, cfg, tmp_path)
    ours = our_view(repos, cfg)
    assert theirs["packages"], "the trees must give rez something to list"
    assert_same(ours, theirs)


# ----------------------------------------------------------------------------- the spec's matrix


def _versions(scanned: list[prez.ScannedPackage], family: str) -> dict[str, str | None]:
    return {p.version: (os.path.basename(p.path) if p.path else None) for p in scanned if p.family == family}


def test_spec_matrix_default(tmp_path: Path) -> None:
    root = build_spec_tree(tmp_path / "repo")
    got = prez.scan_repo(str(root))
    assert _versions(got, "foo") == {
        "1.0": "package.py", "1.2": None, "1.4": "package.py", "_1.5": "package.py", "1.6": "package.py",
        "2.0": None, "3.0": "package.py", "4.0": None, "5.0": "package.yaml", ".building2.5": None,
    }
    assert _versions(got, "bar") == {"": "package.py"}
    assert _versions(got, "qux") == {"1.0": "qux.yaml", "2.0": "qux.yaml"}
    assert sorted(p.uri for p in got if p.family == "baz") == [f"{root}/baz.py<>", f"{root}/baz.yaml<>"]
    names = sorted(f.name for f in prez.scan_families(root))
    assert names == sorted(["9lives", "_priv", "a.b", "bad", "bar", "baz", "baz", "dup", "dup", "empty", "foo",
                            "foo.bar", "foo2", "qux"])


def test_spec_matrix_strict_with_pkgdef(tmp_path: Path) -> None:
    root = build_spec_tree(tmp_path / "repo")
    got = prez.scan_repo([root], check_package_definition_files=True, package_filenames=["pkgdef", "package"])
    assert _versions(got, "foo") == {
        "1.0": "package.py", "1.4": "package.py", "_1.5": "package.py", "1.6": "package.py",
        "3.0": "package.py", "5.0": "pkgdef.py",
    }


def test_unversioned_off_lists_versions_and_lock_dir_hides_family(tmp_path: Path) -> None:
    root = build_spec_tree(tmp_path / "repo")
    errors: list[RezScanError] = []
    got = prez.scan_repo([root], allow_unversioned_packages=False, on_error=errors.append)
    assert _versions(got, "bar") == {"1.0": "package.py"}
    # baz.py / baz.yaml have no versions: rez raises TypeError on them when unversioned is off
    assert sorted(os.path.basename(e.filename) for e in errors) == ["baz.py", "baz.yaml"]  # type: ignore[attr-defined]
    assert all(isinstance(e, TypeError) for e in errors)
    with pytest.raises(RezScanError):
        prez.scan_repo([root], allow_unversioned_packages=False)
    assert "empty" not in {f.name for f in prez.scan_families([root], file_lock_dir="empty")}
    # a lock dir that does not exist is no lock dir (rez falls back to None)
    assert "empty" in {f.name for f in prez.scan_families([root], file_lock_dir="nolock")}


def test_repository_is_canonical_and_paths_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = build_spec_tree(tmp_path / "repo")
    os.symlink(root, tmp_path / "link")
    monkeypatch.chdir(tmp_path)
    got = prez.scan_repo(["link/../link/."])
    assert got and {p.repository for p in got} == {str(root)}
    assert all(p.path is None or p.path.startswith(str(root) + "/") for p in got)


# ----------------------------------------------------------------------------- iter_packages


def test_iter_packages_loads_through_rez(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    _file(root / "tool" / "1.0" / "package.py", "name = 'tool'\nversion = '1.0'\nrequires = ['python-3']\n")
    _file(root / "tool" / "2.0" / "package.py", "name = 'tool'\nversion = '2.0'\n")
    other = tmp_path / "other"
    _file(other / "tool" / "1.0" / "package.py", "name = 'tool'\nversion = '1.0'\n")  # shadowed
    _file(other / "tool" / "3.0" / "package.py", "name = 'tool'\nversion = '3.0'\n")
    pkgs = list(prez.iter_packages([root, other], "tool"))
    assert sorted(str(p.version) for p in pkgs) == ["1.0", "2.0", "3.0"]
    one = next(p for p in pkgs if str(p.version) == "1.0")
    assert one.uri == str(root / "tool" / "1.0" / "package.py")
    assert [str(r) for r in one.requires] == ["python-3"]  # package.py evaluated by rez
    assert sorted(str(p.version) for p in prez.iter_packages([root, other], "tool", "2+")) == ["2.0", "3.0"]


def test_iter_packages_without_rez_names_the_dependency(tmp_path: Path) -> None:
    code = (
        "import sys, json\n"
        "sys.modules['rez'] = None\n"  # as if rez were not installed
        "from pyfs_jvm import rez\n"
        f"print(len(rez.scan_repo({str(tmp_path)!r})))\n"
        "try:\n"
        f"    list(rez.iter_packages({str(tmp_path)!r}))\n"
        "except ModuleNotFoundError as e:\n"
        "    print(json.dumps([type(e).__name__, str(e)]))\n"
    )
    name, msg = run_python(code)
    assert "rez" in msg and "pip install rez" in msg


# ----------------------------------------------------------------------------- bad input


def test_bad_arguments_fail_before_work(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        prez.scan_repo(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        prez.scan_repo(["memcached@host:1234"])
    with pytest.raises(ValueError, match="single relative directory"):
        prez.scan_repo([tmp_path], file_lock_dir="a/b")
    with pytest.raises(TypeError):
        prez.scan_repo([tmp_path], package_filenames="package")
    with pytest.raises(TypeError):
        prez.scan_repo([tmp_path], allow_unversioned_packages=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        prez.scan_repo([""])


def test_missing_and_file_paths_have_no_packages(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    assert prez.scan_repo([tmp_path / "nope", tmp_path / "f"]) == []
    assert prez.scan_families([tmp_path / "nope"]) == []


def test_unreadable_family_raises_like_rez_or_goes_to_on_error(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    _file(root / "ok" / "1.0" / "package.py")
    _file(root / "locked" / "1.0" / "package.py")
    _file(root / "unv" / "package.py")
    os.chmod(root / "locked", 0o311)  # searchable, not listable
    os.chmod(root / "unv", 0o311)     # rez finds unv/package.py by path without listing
    closed = tmp_path / "closed"      # a repository root that cannot be listed: rez raises
    _file(closed / "x" / "1.0" / "package.py")
    os.chmod(closed, 0o311)
    try:
        code = (
            "import json\n"
            "from pyfs_jvm import rez\n"
            "out = {}\n"
            "try:\n"
            f"    rez.scan_repo({str(root)!r})\n"
            "except PermissionError as e:\n"
            "    out['raised'] = [type(e).__name__, e.filename, isinstance(e, rez.RezScanError)]\n"
            "errs = []\n"
            f"pk = rez.scan_repo({str(root)!r}, on_error=errs.append)\n"
            "out['packages'] = sorted([p.family, p.version] for p in pk)\n"
            "out['errors'] = [e.filename for e in errs]\n"
            "try:\n"
            f"    rez.scan_repo({str(closed)!r})\n"
            "except PermissionError as e:\n"
            "    out['closed'] = e.filename\n"
            "print(json.dumps(out))\n"
        )
        out = run_python(code, unprivileged=True)
    finally:
        os.chmod(closed, 0o755)
        os.chmod(root / "locked", 0o755)
        os.chmod(root / "unv", 0o755)
    assert out["raised"][1:] == [str(root / "locked"), True]
    assert out["packages"] == [["ok", "1.0"], ["unv", ""]]
    assert out["errors"] == [str(root / "locked")]
    assert out["closed"] == str(closed)


def test_non_utf8_names_round_trip(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    raw = os.fsencode(str(root / "fam")) + b"/1.\xff"
    os.makedirs(raw)
    open(raw + b"/package.py", "wb").close()
    got = prez.scan_repo([root])
    assert len(got) == 1 and got[0].path is not None
    assert os.path.isfile(got[0].path) and os.fsencode(got[0].version) == b"1.\xff"


# ----------------------------------------------------------------------------- CLI


def test_cli_json_matches_api(tmp_path: Path) -> None:
    root = build_spec_tree(tmp_path / "repo")
    proc = subprocess.run([sys.executable, "-m", "pyfs_jvm", "rez-scan", str(root), "--json"],
                          capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr.decode()
    rows = json.loads(proc.stdout)
    want = sorted([p.family, p.version, p.format, p.path] for p in prez.scan_repo([root]))
    assert sorted([r["family"], r["version"], r["format"], r["path"]] for r in rows) == want


def _cli(args: list[str], capfdbinary: pytest.CaptureFixture[bytes]) -> tuple[int, str, str]:
    """The rez-scan subcommand in this process (the JVM is already up): status, stdout, stderr."""
    from pyfs_jvm.cli import main

    rc = main(["rez-scan", *args])
    out, err = capfdbinary.readouterr()
    return rc, out.decode(), err.decode()


def test_cli_text_is_sorted(tmp_path: Path, capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    root = build_spec_tree(tmp_path / "repo")
    rc, out, _ = _cli([str(root)], capfdbinary)
    assert rc == 0
    lines = out.splitlines()
    assert "foo-1.0\t" + str(root / "foo" / "1.0" / "package.py") in lines
    assert "foo-1.2\t-" in lines and "bar\t" + str(root / "bar" / "package.py") in lines
    assert lines == sorted(lines)


def test_cli_families_and_keep_going(tmp_path: Path, capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    root = tmp_path / "repo"
    _file(root / "good" / "1.0" / "package.py")
    _file(root / "broken.yaml", "versions: ['1..0']\n")  # an invalid version: rez raises on it
    rc, out, _ = _cli([str(root), "--families"], capfdbinary)
    assert rc == 0 and out.splitlines() == [f"broken\t{root}/broken.yaml", f"good\t{root}/good"]
    rc, out, err = _cli([str(root)], capfdbinary)
    assert rc == 2 and "broken.yaml" in err
    rc, out, err = _cli([str(root), "--keep-going"], capfdbinary)
    assert rc == 1 and "broken.yaml" in err
    assert out.splitlines() == [f"good-1.0\t{root}/good/1.0/package.py"]
