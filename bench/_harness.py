"""Shared benchmark machinery: run each tool in a fresh child process, interleaved, repeated.

Each measurement is a child Python process that runs one tool ``reps`` times on the same data and
prints JSON (per-repetition seconds, peak RSS, a result count). Tools take turns round by round, so
a machine whose speed drifts (these VMs do) disturbs them all alike. Results: best and median of the
warm repetitions (the first one in a process also pays imports, JVM start and JIT warm-up), ratios
against a reference tool, peak RSS.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field


@dataclass
class Tool:
    name: str
    code: str | None = None          # Python body: must define run() -> int (a count)
    argv: list[str] | None = None    # or an external command, timed by the parent
    setup: str = ""                  # Python run once before timing (imports, warm-up)
    before: str = ""                 # Python defining before(): run before each repetition, untimed
    available: bool = True
    note: str = ""
    times: list[float] = field(default_factory=list)
    first: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)


_CHILD = """
import json, resource, time, sys
{setup}
{code}
{before}
times = []
count = None
for i in range({reps}):
    if "before" in globals():
        before()
    t = time.perf_counter()
    count = run()
    times.append(time.perf_counter() - t)
print(json.dumps({{"times": times, "count": count,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def external(name: str, argv: list[str], install_hint: str) -> Tool:
    exe = shutil.which(argv[0])
    if exe is None:
        return Tool(name, argv=argv, available=False, note=f"not installed ({install_hint})")
    return Tool(name, argv=[exe, *argv[1:]])


def measure(tools: list[Tool], rounds: int, reps: int, env: dict[str, str] | None = None) -> None:
    child_env = dict(os.environ, **(env or {}))
    for r in range(rounds):
        for tool in tools:
            if not tool.available:
                continue
            if tool.code is not None:
                src = _CHILD.format(setup=tool.setup, code=tool.code, before=tool.before, reps=reps)
                p = subprocess.run([sys.executable, "-c", src], capture_output=True, text=True, env=child_env)
                if p.returncode != 0:
                    tool.available = False
                    tool.note = "failed: " + (p.stderr.strip().splitlines() or ["?"])[-1]
                    continue
                out = json.loads(p.stdout.strip().splitlines()[-1])
                tool.first.append(out["times"][0])
                tool.times.extend(out["times"][1:] or out["times"])
                tool.rss_mb.append(out["rss_mb"])
                tool.counts.append(out["count"])
            else:
                assert tool.argv is not None
                for _ in range(reps):
                    t = time.perf_counter()
                    p2 = subprocess.run(tool.argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                    tool.times.append(time.perf_counter() - t)
                    tool.counts.append(p2.stdout.count(b"\n"))
        print(f"  round {r + 1}/{rounds} done", file=sys.stderr)


def report(tools: list[Tool], reference: str, unit: str = "s") -> None:
    ref = next(t for t in tools if t.name == reference)
    ref_med = statistics.median(ref.times)
    print(f"{'tool':<34} {'best':>8} {'median':>8} {'first':>8} {'vs ' + reference:>22} {'peak RSS':>10} {'count':>10}")
    for t in tools:
        if not t.available or not t.times:
            print(f"{t.name:<34} {t.note}")
            continue
        med = statistics.median(t.times)
        first = f"{statistics.median(t.first):.3f}" if t.first else "-"
        rss = f"{max(t.rss_mb):.0f} MB" if t.rss_mb else "-"
        ratio = med / ref_med
        print(f"{t.name:<34} {min(t.times):>8.3f} {med:>8.3f} {first:>8} {ratio:>16.2f}x time {rss:>10} "
              f"{t.counts[-1] if t.counts else '-':>10}")
