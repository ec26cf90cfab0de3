"""Names that are not valid UTF-8 (or hold newlines, quotes...) are walked completely and every
returned path works when passed back in: in this process, in the C locale without coercion, and
on both platform layers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import pyfs_jvm
from helpers import run_python

CHECK = """
import json, os, pyfs_jvm
root = {root!r}
got = pyfs_jvm.walk_collect(root, sort=True)
ok = []
for e in got:
    st = os.lstat(e.path)            # every path exists as returned...
    if e.is_file:
        with open(e.path, "rb") as f:  # ...and opens
            f.read()
    if e.is_dir:                     # ...and round-trips as a root
        pyfs_jvm.walk_collect(e.path)
    ok.append(e.path)
print(json.dumps({{"paths": [os.fsencode(p).hex() for p in ok],
                   "layer": pyfs_jvm.runtime_info()["platform_layer"]}}))
"""


def expected(root: Path) -> list[str]:
    out = []
    for d, dirs, files in os.walk(os.fsencode(str(root))):
        out.extend(os.path.join(d, x).hex() for x in dirs + files)
    return sorted(out)


def test_odd_names_in_process(odd_names: Path) -> None:
    got = pyfs_jvm.walk_collect(odd_names)
    assert sorted(os.fsencode(e.path).hex() for e in got) == expected(odd_names)
    for e in got:
        os.lstat(e.path)
        if e.is_file:
            assert open(e.path, "rb").read() == os.fsencode(e.path).rsplit(b"/", 1)[1] or e.path.endswith(".txt")


@pytest.mark.parametrize("env", [
    {"LANG": None, "LC_ALL": None, "LC_CTYPE": None, "PYTHONCOERCECLOCALE": "0"},
    {"LANG": None, "LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"},
    {"PYFS_JVM_PLATFORM": "nio"},
    {"PYFS_JVM_PLATFORM": "nio", "LANG": None, "LC_ALL": None, "PYTHONCOERCECLOCALE": "0"},
], ids=["c-locale", "c-locale-no-utf8-mode", "nio-layer", "nio-layer-c-locale"])
def test_odd_names_in_other_locales_and_layers(odd_names: Path, env: dict[str, str]) -> None:
    out = run_python(CHECK.format(root=str(odd_names)), env=env)
    assert sorted(out["paths"]) == expected(odd_names)
    if env.get("PYFS_JVM_PLATFORM") == "nio":
        assert out["layer"] == "nio"
