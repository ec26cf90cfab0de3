"""rez repository scan benchmark: pyfs_jvm.rez.scan_repo against rez's own enumeration.

    python bench/rez.py [--families 2000] [--versions 50000] [--repo DIR] [--rounds 3] [--reps 5]

One generated repository (a realistic studio shape: 2,000 families, 50,000 versions, a few
unversioned families, ~2 % of versions hidden by ``.ignore<ver>``, ~1 % with a ``.building<ver>``
marker of which half are still being built (no package file), some versions without a package
file, symlinked versions; version directories hold package.py, build.rxt and a payload
directory). Page cache warm. Interleaved round by round, each in fresh child processes:

* warm: a long-lived process that has scanned before (--warmups untimed scans; rez: repository
  caches cleared before every scan, so it reads the filesystem again; pyfs-jvm: JVM up and its
  code compiled). Wall time (harness) and CPU time (user + sys of all threads).
* cold: a fresh interpreter from ``exec`` to the result (imports, rez config / JVM start, scan),
  timed by the parent.

rez's enumeration through its repository API is measured twice: families and versions only
(``iter_package_families`` + ``iter_packages``), and with each package's ``uri`` (the package
file: what scan_repo returns). Both sides' results are checked to be identical first.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import Tool, measure, report  # noqa: E402

_STAMP = ".pyfs-bench-rez.json"


def generate(repo: str, families: int, versions: int, seed: int = 1) -> dict[str, int]:
    """Build the repository once (a stamp file records what was built)."""
    stamp = os.path.join(repo, _STAMP)
    want = {"families": families, "versions": versions, "seed": seed, "layout": 2}
    try:
        with open(stamp) as f:
            info: dict[str, int] = json.load(f)
        if all(info.get(k) == v for k, v in want.items()):
            return info
    except (OSError, ValueError):
        pass
    if os.path.exists(repo):
        subprocess.run(["rm", "-rf", repo], check=True)
    rng = random.Random(seed)
    os.makedirs(repo)
    outside = repo + "-targets"
    os.makedirs(outside, exist_ok=True)
    # versions per family: skewed, as in real repositories (a few families have hundreds)
    weights = [rng.paretovariate(1.2) for _ in range(families)]
    scale = versions / sum(weights)
    counts = [max(1, round(w * scale)) for w in weights]
    counts[-1] += versions - sum(counts)
    while counts[-1] < 1:  # rounding overshoot: take from the largest family
        i = counts.index(max(counts))
        counts[i] -= 1
        counts[-1] += 1
    stats = {"ignored": 0, "building": 0, "unbuilt": 0, "no_file": 0, "unversioned": 0, "linked": 0}
    for f, n in enumerate(counts):
        fam = os.path.join(repo, f"family_{f:04d}")
        os.mkdir(fam)
        if rng.random() < 0.01:
            stats["unversioned"] += 1
            _touch(os.path.join(fam, "package.py"), f"name = 'family_{f:04d}'\n")
        major = 0
        for v in range(n):
            if v % 10 == 0:
                major += 1
            ver = f"{major}.{v % 10}.{rng.randint(0, 20)}"
            while os.path.lexists(os.path.join(fam, ver)):
                ver += ".1"
            vdir = os.path.join(fam, ver)
            roll = rng.random()
            if roll < 0.005:
                target = os.path.join(outside, f"{f}-{ver}")
                os.makedirs(target)
                _touch(os.path.join(target, "package.py"), "")
                os.symlink(target, vdir)
                stats["linked"] += 1
                continue
            os.mkdir(vdir)
            os.mkdir(os.path.join(vdir, "python"))
            _touch(os.path.join(vdir, "build.rxt"), "{}\n")
            roll = rng.random()
            if roll < 0.005:
                stats["unbuilt"] += 1
                _touch(os.path.join(fam, ".building" + ver), "")
                continue  # no package file yet: hidden by the marker
            if roll < 0.01:
                stats["building"] += 1
                _touch(os.path.join(fam, ".building" + ver), "")
            elif roll < 0.03:
                stats["ignored"] += 1
                _touch(os.path.join(fam, ".ignore" + ver), "")
            elif roll < 0.035:
                stats["no_file"] += 1
                continue
            _touch(os.path.join(vdir, "package.py"), f"name = 'family_{f:04d}'\nversion = '{ver}'\n")
    info = dict(want, **stats)
    with open(stamp, "w") as fh:
        json.dump(info, fh)
    return info


def _touch(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


REZ_SETUP = """
import os
os.environ.setdefault("HOME", "/nonexistent-pyfs-bench-home")
from rez.package_repository import package_repository_manager as manager
"""


def rez_code(repo: str, uri: bool) -> str:
    body = "                p.uri\n" if uri else ""
    return (f"def run():\n"
            f"    manager.clear_caches()\n"
            f"    repo = manager.get_repository({repo!r})\n"
            f"    n = 0\n"
            f"    for fam in repo.iter_package_families():\n"
            f"            for p in repo.iter_packages(fam):\n{body}"
            f"                n += 1\n"
            f"    return n\n")


def tools(repo: str, warmups: int) -> list[Tool]:
    """Warm = a long-lived process: each tool first scans ``warmups`` times untimed (for pyfs-jvm:
    JVM started, scan code JIT-compiled; for rez: modules and plugins loaded)."""
    warm = f"for _ in range({warmups}):\n    run()\n"
    ours = f"from pyfs_jvm.rez import scan_repo\ndef run():\n    return len(scan_repo({repo!r}))\n"
    return [
        Tool("pyfs-jvm scan_repo", setup=ours + warm, code=""),
        Tool("rez iter_packages + uri", setup=REZ_SETUP + rez_code(repo, True) + warm, code=""),
        Tool("rez iter_packages (no uri)", setup=REZ_SETUP + rez_code(repo, False) + warm, code=""),
    ]


def cold(repo: str, rounds: int, reps: int) -> dict[str, tuple[list[float], list[float]]]:
    """Fresh interpreters: wall time from the parent, and CPU time (user + sys, all threads)."""
    import resource

    progs = {
        "pyfs-jvm scan_repo": f"from pyfs_jvm.rez import scan_repo\nprint(len(scan_repo({repo!r})))\n",
        "rez iter_packages + uri": REZ_SETUP + rez_code(repo, True) + "print(run())\n",
        "rez iter_packages (no uri)": REZ_SETUP + rez_code(repo, False) + "print(run())\n",
    }
    out: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in progs}
    for _ in range(rounds):
        for name, prog in progs.items():
            for _ in range(reps):
                r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                t = time.perf_counter()
                subprocess.run([sys.executable, "-c", prog], check=True, stdout=subprocess.DEVNULL)
                out[name][0].append(time.perf_counter() - t)
                r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                out[name][1].append(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
    return out


_CPU_CHILD = """
import json, resource, time
{setup}
{code}
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime
out = []
for i in range({reps}):
    c = cpu()
    run()
    out.append(cpu() - c)
print(json.dumps(out))
"""


def warm_cpu(ts: list[Tool], reps: int) -> dict[str, list[float]]:
    """CPU time (user + sys, every thread of the process) per warm scan: a fairer measure than
    wall time when other work shares the machine."""
    out = {}
    for t in ts:
        src = _CPU_CHILD.format(setup=t.setup, code=t.code, reps=reps)
        p = subprocess.run([sys.executable, "-c", src], capture_output=True, text=True, check=True)
        out[t.name] = json.loads(p.stdout.strip().splitlines()[-1])
    return out


def check_identical(repo: str) -> int:
    code = REZ_SETUP + f"""
import json
repo = manager.get_repository({repo!r})
rows = sorted([f.name, p.get("version") or "", p.uri] for f in repo.iter_package_families()
              for p in repo.iter_packages(f))
print(json.dumps(rows))
"""
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    theirs = json.loads(p.stdout.strip().splitlines()[-1])
    from pyfs_jvm.rez import scan_repo

    ours = sorted([x.family, x.version, x.uri] for x in scan_repo(repo))
    assert ours == theirs, "pyfs-jvm and rez disagree"
    return len(ours)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", type=int, default=2000)
    ap.add_argument("--versions", type=int, default=50000)
    ap.add_argument("--repo", default=None)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--cold-reps", type=int, default=3)
    ap.add_argument("--warmups", type=int, default=10, help="untimed scans before the warm ones")
    a = ap.parse_args()
    repo = os.path.abspath(a.repo or f"/tmp/pyfs-bench/rez/repo-{a.families}-{a.versions}")
    # The child interpreters import rez; from this directory they would find this file instead.
    os.chdir(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    # pyfs-jvm's class-data-sharing archive lives in $XDG_CACHE_HOME/pyfs-jvm/cds, one per JDK:
    # another pyfs-jvm (another checkout or virtualenv) on the same JDK replaces it with its own,
    # and then every start runs without it and dumps a new one at exit. Keep ours to ourselves.
    os.environ["XDG_CACHE_HOME"] = os.path.join(os.path.dirname(repo), "cache")
    t = time.perf_counter()
    info = generate(repo, a.families, a.versions)
    print(f"repository {repo}: {info} ({time.perf_counter() - t:.1f} s to make or check)")
    subprocess.run(["find", repo, repo + "-targets"], stdout=subprocess.DEVNULL)  # warm the caches
    n = check_identical(repo)
    print(f"identical results: {n:,} packages")
    import pyfs_jvm

    rt = pyfs_jvm.runtime_info()
    print(f"pyfs-jvm on JDK {rt['jdk_version']}, platform layer {rt['platform_layer']}, {rt['workers']} workers; "
          f"{os.cpu_count()} CPUs")
    print(f"\nwarm (long-lived process: {a.warmups} untimed scans, then {a.reps} timed; "
          f"load average {os.getloadavg()[0]:.1f}):")
    ts = tools(repo, a.warmups)
    measure(ts, a.rounds, a.reps)
    report(ts, "pyfs-jvm scan_repo")
    cpu = warm_cpu(ts, a.reps)
    ref_cpu = statistics.median(cpu["pyfs-jvm scan_repo"])
    print("\nwarm, CPU time per scan (user + sys, all threads):")
    for name, times in cpu.items():
        med = statistics.median(times)
        print(f"  {name:<30} median {med:.3f} s  {med / ref_cpu:6.2f}x pyfs-jvm")
    print("\ncold (fresh interpreter: start, imports, scan; wall time from the parent, CPU of the child):")
    cs = cold(repo, a.rounds, a.cold_reps)
    ref = statistics.median(cs["pyfs-jvm scan_repo"][0])
    ref_c = statistics.median(cs["pyfs-jvm scan_repo"][1])
    for name, (walls, cpus) in cs.items():
        med = statistics.median(walls)
        medc = statistics.median(cpus)
        print(f"  {name:<30} wall best {min(walls):.3f} s median {med:.3f} s {med / ref:6.2f}x pyfs-jvm;"
              f"  CPU median {medc:.3f} s {medc / ref_c:6.2f}x")
    base = statistics.median(_bare_python(5))
    print(f"  (a bare 'python3 -c pass' takes {base:.3f} s here; load average {os.getloadavg()[0]:.1f})")


def _bare_python(n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        out.append(time.perf_counter() - t)
    return out


if __name__ == "__main__":
    main()
