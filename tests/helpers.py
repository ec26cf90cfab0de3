"""Running snippets in a child process: another locale, another JDK, no root privileges."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any


def run_python(code: str, *, env: dict[str, str] | None = None, unprivileged: bool = False,
               timeout: float = 120) -> Any:
    """Run ``code`` in a fresh interpreter; it must print one JSON document last. Returns it.

    ``unprivileged``: when we are root, drop the capabilities that bypass file permissions
    (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) so that a mode-000 directory really is unreadable.
    """
    cmd = [sys.executable, "-c", code]
    if unprivileged and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux) is needed to test permission failures as root"
        cmd = [setpriv, "--inh-caps=-dac_override,-dac_read_search",
               "--bounding-set=-dac_override,-dac_read_search", *cmd]
    full_env = dict(os.environ)
    if env:
        for k, v in env.items():
            if v is None:
                full_env.pop(k, None)
            else:
                full_env[k] = v
    proc = subprocess.run(cmd, env=full_env, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise AssertionError(f"child failed ({proc.returncode}):\nstdout:\n{proc.stdout.decode(errors='replace')}"
                             f"\nstderr:\n{proc.stderr.decode(errors='replace')}")
    lines = proc.stdout.decode().strip().splitlines()
    return json.loads(lines[-1])


def child_stderr(code: str, *, env: dict[str, str] | None = None) -> str:
    """Run ``code`` and return what it wrote to stderr (for "no warnings" checks)."""
    full_env = dict(os.environ, **(env or {}))
    proc = subprocess.run([sys.executable, "-c", code], env=full_env, capture_output=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return proc.stderr.decode(errors="replace")


def wait_for(cond: Callable[[], object], what: str, timeout: float = 30.0) -> None:
    """Poll ``cond`` until it is true; fail naming ``what`` after ``timeout`` seconds.

    The one way tests wait for another thread or process: a condition with a deadline, never a
    fixed sleep.
    """
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)
