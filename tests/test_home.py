"""The suite never writes into the real home folder: HOME and the XDG folders are the session's own
(tests/conftest.py), in this process and in every process a test starts, and a build's cache key lands there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import HOME_VARIABLES, REAL_HOMES, SESSION_HOME, write_corpus

KGPUB = Path(sys.executable).parent / "kgpub"


def _outside_real_home(path: str) -> bool:
    resolved = Path(path).resolve()
    return not any(resolved == Path(home) or Path(home) in resolved.parents for home in REAL_HOMES)


def test_this_process_sees_the_sessions_home() -> None:
    assert REAL_HOMES, "the real home could not be told"
    for name, path in HOME_VARIABLES.items():
        assert os.environ[name] == str(path), name
        assert _outside_real_home(os.environ[name]), name
    assert Path.home() == SESSION_HOME and _outside_real_home(str(Path.home()))
    assert _outside_real_home(os.path.expanduser("~/.netrc"))


def test_a_child_process_sees_the_sessions_home() -> None:
    script = ("import json, os, pathlib; print(json.dumps({'home': str(pathlib.Path.home()), "
              "'env': {k: os.environ.get(k) for k in " + repr(sorted(HOME_VARIABLES)) + "}}))")
    seen = json.loads(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                     check=True).stdout)
    assert _outside_real_home(seen["home"]) and seen["home"] == str(SESSION_HOME)
    assert seen["env"] == {name: str(path) for name, path in HOME_VARIABLES.items()}


def test_a_builds_cache_key_goes_to_the_sessions_state_folder(tmp_path: Path) -> None:
    """``kgpub build`` run as a command keeps its cache's sealing key under $XDG_STATE_HOME, which is the
    session's: the key file is there after the build (made by this build or an earlier one of the session)."""
    seeds = write_corpus(tmp_path / "seeds")
    result = subprocess.run([str(KGPUB), "build", str(seeds), "--out", str(tmp_path / "dist"), "-q"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    key = HOME_VARIABLES["XDG_STATE_HOME"] / "kgpub" / "cache-secret"
    assert key.is_file() and _outside_real_home(str(key))
