"""scripts/test.sh and scripts/java-deps.sh on a machine without Maven or Java: they say, in one line, what to
install, instead of stopping at 'mvn: command not found'.  Run on a copy of the scripts, with a PATH that holds
only the few programs they call before the check (so no apt-get: nothing is installed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from conftest import ROOT


def _machine_without_java(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    for name in ("test.sh", "java-deps.sh"):
        shutil.copy(ROOT / "scripts" / name, repo / "scripts" / name)
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("bash", "dirname", "mkdir", "id"):
        found = shutil.which(tool)
        assert found, tool
        (tools / tool).symlink_to(found)
    return repo, {"PATH": str(tools), "HOME": str(tmp_path)}


def test_java_deps_says_what_to_install(tmp_path: Path) -> None:
    repo, env = _machine_without_java(tmp_path)
    run = subprocess.run(["/bin/bash", str(repo / "scripts" / "java-deps.sh")], env=env, capture_output=True, check=False,
                         text=True, timeout=60)
    assert run.returncode == 1
    (line,) = run.stderr.splitlines()
    assert line.startswith("java-deps: Maven (mvn) is needed to fetch org.apache.jena:jena-fuseki-server:5.6.0")
    assert "apt-get install maven default-jdk-headless" in line
    assert "command not found" not in run.stderr


def test_test_sh_names_maven_and_java_among_what_is_missing(tmp_path: Path) -> None:
    repo, env = _machine_without_java(tmp_path)
    run = subprocess.run(["/bin/bash", str(repo / "scripts" / "test.sh")], env=env, capture_output=True, text=True, check=False,
                         timeout=60)
    assert run.returncode == 1
    note, failure = run.stderr.splitlines()
    assert note.startswith("note: not installed: default-jdk-headless maven ")
    assert failure.startswith("java-deps: Maven (mvn) is needed")
    assert "command not found" not in run.stderr
