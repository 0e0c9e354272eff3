"""``kgpub serve`` as a real process on 127.0.0.1 for the tests that hold it to other people's clients, and
the tools those clients are: Jena's ``rsparql`` and ``arq`` (scripts/java-deps.sh) and Comunica
(scripts/npm-deps.sh, into the git-ignored .cache/npm).  In CI (CI=true) a missing tool fails its test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from servers import STARTED, free_port, java_artifact, stop

ROOT = Path(__file__).resolve().parents[1]
NPM_CACHE = ROOT / ".cache" / "npm"


@dataclass
class Served:
    """A running ``kgpub serve``: its process, its root URL and the build folder it serves."""

    process: subprocess.Popen
    url: str
    data: Path

    @property
    def endpoint(self) -> str:
        return self.url + "/sparql"


def start_serve(data: Path, *extra: str, what: str = "kgpub serve (Starlette on uvicorn)",
                log_path: Path | None = None) -> Served:
    """``kgpub serve --data DATA`` on a free port, once it answers ``/``; its output (uvicorn's, a line per request)
    goes to ``log_path`` (default: beside DATA), a file rather than a pipe nobody reads, and into a failure's message."""
    port = free_port()
    log = open(log_path or Path(data).parent / f"serve-{port}.log", "wb")  # noqa: SIM115 - kept open while it runs
    process = subprocess.Popen([sys.executable, "-m", "kgpub", "serve", "--data", str(data), "--port", str(port), *extra],
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            requests.get(url + "/", timeout=2)
            break
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise RuntimeError(f"kgpub serve did not start: {Path(log.name).read_text(errors='replace')[-2000:]}")
        time.sleep(0.2)
    STARTED.append(what)
    return Served(process, url, Path(data))


def stop_serve(served: Served) -> None:
    stop(served.process)


def jena_tool(name: str) -> Path | None:
    """A Jena command-line tool of the fetched distribution, None when it is not there."""
    try:
        home = java_artifact("apache-jena-5.6.0")
    except RuntimeError:
        return None
    tool = home / "bin" / name
    return tool if tool.exists() and shutil.which("java") else None


def run_jena(name: str, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    tool = jena_tool(name)
    assert tool is not None
    env = {**os.environ, "JENA_HOME": str(tool.parents[1]), "JVM_ARGS": "-Xmx512m"}
    return subprocess.run([str(tool), *args], capture_output=True, text=True, timeout=timeout, env=env,
                          check=False)


def comunica() -> Path | None:
    """Comunica's SPARQL command (``@comunica/query-sparql``), None when scripts/npm-deps.sh has not run."""
    tool = NPM_CACHE / "node_modules" / ".bin" / "comunica-sparql"
    return tool if tool.exists() and shutil.which("node") else None


def run_comunica(endpoint: str, query: str, media_type: str, timeout: float = 120) -> subprocess.CompletedProcess:
    tool = comunica()
    assert tool is not None
    return subprocess.run([str(tool), f"sparql@{endpoint}", query, "-t", media_type],
                          capture_output=True, text=True, timeout=timeout, check=False)
