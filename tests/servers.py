"""Real triple stores for integration tests, started on 127.0.0.1 and stopped by PID.

Nothing here is a mock: the tests talk HTTP to the same server programs users run.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_ready(url: str, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers, even if not 200
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Oxigraph:
    process: subprocess.Popen
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def post(self, path: str, data: bytes, content_type: str) -> None:
        request = urllib.request.Request(self.url + path, data=data, method="POST", headers={"Content-Type": content_type})
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status in (200, 201, 204)


def oxigraph_binary() -> str | None:
    candidate = Path(sys.executable).parent / "oxigraph"
    return str(candidate) if candidate.exists() else shutil.which("oxigraph")


def start_oxigraph(port: int | None = None) -> Oxigraph:
    binary = oxigraph_binary()
    if binary is None:
        raise RuntimeError("the oxigraph server (PyPI package 'oxigraph', a test extra) is not installed")
    port = port or free_port()
    process = subprocess.Popen([binary, "serve", "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "RUST_LOG": "warn"})
    server = Oxigraph(process, port)
    try:
        wait_until_ready(server.url + "/", process)
    except Exception:
        stop(process)
        raise
    return server
