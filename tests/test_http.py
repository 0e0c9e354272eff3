"""kgpub.http, the one place that sends requests to stores and endpoints: its retry policy (urllib3's Retry, set
to what the store client always did), the deadline of an answer, credentials masked in every error; and the rule
that no other module under src/ talks HTTP by itself."""

from __future__ import annotations

import ast
import base64
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT

from kgpub import http as kgpub_http
from kgpub.errors import EndpointError, StoreError


class Counting:
    """A server on 127.0.0.1 answering ``statuses`` in turn (the last one for ever after) to any method, with
    ``headers`` added, recording each request and when it came."""

    def __init__(self, *statuses: int, headers: dict[str, str] | None = None) -> None:
        import http.server

        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.times: list[float] = []
        lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    outer.requests.append((self.command, self.path, dict(self.headers.items()), body))
                    outer.times.append(time.monotonic())
                    status = statuses[min(len(outer.requests), len(statuses)) - 1]
                out = f"status {status}; you sent {self.headers.get('Authorization', 'nothing')}".encode()
                self.send_response(status)
                for name, value in {"Content-Type": "text/plain", **(headers or {})}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def flaky() -> Iterator[Counting]:
    server = Counting(503, 502, 500, 200)
    yield server
    server.close()


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_a_5xx_is_tried_again_whatever_the_method(method: str) -> None:
    server = Counting(503, 500, 200)
    try:
        response = kgpub_http.Client(backoff=0.01).request(method, server.url + "/x", data=b"<a> <b> <c> .\n")
        assert response.status_code == 200 and len(server.requests) == 3
        assert [r[0] for r in server.requests] == [method] * 3
        assert all(r[3] == b"<a> <b> <c> .\n" for r in server.requests)  # the body sent again, whole
    finally:
        server.close()


def test_four_attempts_in_all_then_the_last_answer_is_the_error() -> None:
    server = Counting(503)
    try:
        with pytest.raises(StoreError) as caught:
            kgpub_http.Client(backoff=0.01).request("POST", server.url + "/ds/sparql", data={"query": "ASK {}"})
        assert str(caught.value) == (f"{server.url}/ds/sparql: HTTP 503 Service Unavailable: status 503; you sent "
                                     "nothing (after 4 attempts)")
        assert len(server.requests) == kgpub_http.ATTEMPTS == 4
    finally:
        server.close()


def test_the_backoff_doubles_from_the_first_retry(flaky: Counting) -> None:
    """backoff, twice that, four times that between the attempts (urllib3 alone would retry the first time at
    once); a Retry-After header is not obeyed."""
    assert kgpub_http.Client(backoff=0.2).request("GET", flaky.url).status_code == 200
    gaps = [b - a for a, b in zip(flaky.times, flaky.times[1:])]
    assert len(gaps) == 3
    for gap, wanted in zip(gaps, (0.2, 0.4, 0.8)):
        assert wanted <= gap < wanted + 1.0, gaps


@pytest.mark.parametrize("status", [400, 401, 404, 405, 413, 429])
def test_an_answer_below_500_is_not_tried_again(status: int) -> None:
    """The caller judges it (a 404 on a graph read is an empty graph); a 429 with Retry-After is no exception."""
    server = Counting(status, headers={"Retry-After": "1"})
    try:
        response = kgpub_http.Client(backoff=0.01).request("GET", server.url)
        assert response.status_code == status and len(server.requests) == 1
    finally:
        server.close()


def test_a_refused_connection_is_tried_again_and_said_so() -> None:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))  # bound, never listening: refused
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/store"
    try:
        started = time.monotonic()
        with pytest.raises(StoreError) as caught:
            kgpub_http.Client(backoff=0.1).request("GET", url)
        assert str(caught.value) == f"{url}: cannot connect: Connection refused (after 4 attempts)"
        assert time.monotonic() - started >= 0.1 + 0.2 + 0.4  # three waits: the attempts happened
    finally:
        sock.close()


def test_a_server_that_closes_the_connection_is_tried_again() -> None:
    """A connection closed before any answer (a proxy restarting) counts as an attempt, as a refused one does."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    accepted: list[int] = []

    def close_each() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            accepted.append(1)
            conn.recv(65536)
            conn.close()

    threading.Thread(target=close_each, daemon=True).start()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/x"
    try:
        with pytest.raises(StoreError) as caught:
            kgpub_http.Client(backoff=0.01).request("GET", url)
        assert str(caught.value).startswith(f"{url}: connected, but the store closed the connection before answering")
        assert str(caught.value).endswith("(after 4 attempts)") and len(accepted) == 4
    finally:
        sock.close()


def test_the_deadline_is_for_the_whole_answer_of_an_attempt() -> None:
    """A server that sends its headers at once and then a byte every 0.2 s never trips a per-read timeout of 1 s;
    the deadline stops it at 1 s, and it is not asked again (it took the request)."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    accepted: list[int] = []

    def trickle() -> None:
        try:
            conn, _ = sock.accept()
        except OSError:
            return
        accepted.append(1)
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n")
            for _ in range(50):
                try:
                    conn.sendall(b" ")
                except OSError:
                    return
                time.sleep(0.2)

    threading.Thread(target=trickle, daemon=True).start()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/x"
    try:
        started = time.monotonic()
        with pytest.raises(StoreError) as caught:
            kgpub_http.Client(timeout=1, backoff=0.01).request("GET", url)
        assert str(caught.value) == f"{url}: connected, but no complete answer within 1 s (raise --timeout)"
        assert time.monotonic() - started < 5 and accepted == [1]
    finally:
        sock.close()


def test_credentials_go_to_the_server_and_never_into_a_message() -> None:
    """Basic auth as given; the URL shown without its user:password@; the server's answer that echoes the
    Authorization header shown with the token and the password masked."""
    server = Counting(500)
    secret = "s3cret-Pass"
    token = base64.b64encode(f"bob:{secret}".encode()).decode()
    try:
        client = kgpub_http.Client(user="bob", password=secret, backoff=0.01)
        with pytest.raises(StoreError) as caught:
            client.request("GET", server.url.replace("http://", f"http://bob:{secret}@") + "/x")
        assert server.requests[0][2]["Authorization"] == f"Basic {token}"
        message = str(caught.value)
        assert secret not in message and token not in message and "bob:" not in message
        assert message.startswith(f"{server.url}/x: HTTP 500") and "you sent Basic ***" in message
    finally:
        server.close()


# --------------------------------------------------------------------------- SPARQL endpoints


def test_a_query_is_a_form_post_of_its_fields() -> None:
    server = Counting(200)
    try:
        fields = [("default-graph-uri", "urn:g"), ("query", "ASK { ?s ?p 'a/b é' }"), ("format", "json")]
        raw, kind = kgpub_http.Client(attempts=1).query(server.url + "/sparql", fields, "application/sparql-results+json")
        method, path, headers, body = server.requests[0]
        assert (method, path, headers["Accept"]) == ("POST", "/sparql", "application/sparql-results+json")
        assert headers["Content-Type"] == "application/x-www-form-urlencoded"
        from urllib.parse import parse_qsl

        assert parse_qsl(body.decode("ascii")) == fields
        assert raw.startswith(b"status 200") and kind == "text/plain"
    finally:
        server.close()


@pytest.mark.parametrize(("status", "message"), [
    (400, "HTTP 400 Bad Request: status 400; you sent Basic ***"),
    (401, "HTTP 401 Unauthorized: check --user and KGPUB_PASSWORD"),
    (403, "HTTP 403 Forbidden: status 403; you sent Basic ***"),
    (404, "HTTP 404 Not Found: status 404; you sent Basic ***"),
    (405, "HTTP 405 Method Not Allowed: status 405; you sent Basic ***"),
    (500, "HTTP 500 Internal Server Error: status 500; you sent Basic ***"),
    (503, "HTTP 503 Service Unavailable: status 503; you sent Basic ***"),
    (307, "HTTP 307 Temporary Redirect: status 307; you sent Basic ***"),
])
def test_an_endpoint_that_refuses_is_one_line_with_credentials_masked(status: int, message: str) -> None:
    """Asked once (a query is not tried again), never redirected (the credentials stay with the endpoint named)."""
    server = Counting(status, headers={"Location": "http://127.0.0.1:9/elsewhere"})
    secret = "s3cret-Pass"
    try:
        with pytest.raises(EndpointError) as caught:
            kgpub_http.Client(user="bob", password=secret, attempts=1).query(server.url + "/sparql",
                                                                             [("query", "ASK {}")], "*/*")
        assert str(caught.value) == f"{server.url}/sparql: {message}"
        assert len(server.requests) == 1 and caught.value.exit_code == 3
    finally:
        server.close()


def test_an_endpoint_that_cannot_be_reached() -> None:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/sparql"
    try:
        with pytest.raises(EndpointError) as caught:
            kgpub_http.Client(attempts=1, timeout=5).query(url, [("query", "ASK {}")], "*/*")
        assert str(caught.value) == f"{url}: cannot reach the endpoint: [Errno 111] Connection refused"
    finally:
        sock.close()


def test_an_endpoint_that_trickles_meets_the_deadline() -> None:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)

    def trickle() -> None:
        try:
            conn, _ = sock.accept()
        except OSError:
            return
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: 1000\r\n\r\n")
            for _ in range(50):
                try:
                    conn.sendall(b" ")
                except OSError:
                    return
                time.sleep(0.2)

    threading.Thread(target=trickle, daemon=True).start()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/sparql"
    try:
        started = time.monotonic()
        with pytest.raises(EndpointError) as caught:
            kgpub_http.Client(attempts=1, timeout=1).query(url, [("query", "ASK {}")], "*/*")
        assert str(caught.value) == f"{url}: no complete answer within 1 s"
        assert time.monotonic() - started < 5
    finally:
        sock.close()


def test_netrc_without_a_user_only_where_it_always_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """requests sends the login ~/.netrc names for a host when no user is given: stores have always had that,
    endpoint queries never did (they take ~/.netrc only for --user, see kgpub.secrets.credentials)."""
    (tmp_path / ".netrc").write_text("machine 127.0.0.1 login curator password from-netrc\n")
    os.chmod(tmp_path / ".netrc", 0o600)
    monkeypatch.setenv("HOME", str(tmp_path))
    server = Counting(200)
    try:
        kgpub_http.Client().request("GET", server.url)
        kgpub_http.Client(netrc_without_user=False, attempts=1).query(server.url, [("query", "ASK {}")], "*/*")
        sent = [headers.get("Authorization") for _, _, headers, _ in server.requests]
        assert sent == ["Basic " + base64.b64encode(b"curator:from-netrc").decode(), None]
    finally:
        server.close()


# --------------------------------------------------------------------------- one place for HTTP

#: Modules that send HTTP requests (or parse URLs into requests) by themselves.
HTTP_MODULES = ("requests", "urllib3", "urllib.request", "http.client", "SPARQLWrapper", "httpx", "aiohttp")
#: Modules under src/kgpub that may import one of them anyway, each with the reason.
ALLOWED = {
    "kgpub/http.py": "the one place that sends requests to stores and endpoints",
}


def _http_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
        if isinstance(node, ast.ImportFrom) and node.module in ("urllib", "http"):  # from urllib import request
            names += [f"{node.module}.{alias.name}" for alias in node.names]
        found += [name for name in names if any(name == m or name.startswith(m + ".") for m in HTTP_MODULES)]
    return found


def test_only_kgpub_http_sends_requests() -> None:
    src = ROOT / "src"
    offenders = {str(path.relative_to(src)): imports for path in sorted((src / "kgpub").rglob("*.py"))
                 if (imports := _http_imports(path)) and str(path.relative_to(src)) not in ALLOWED}
    assert offenders == {}
    stale = [name for name in ALLOWED if not _http_imports(src / name)]
    assert stale == [], "an exception no longer needed: remove it"


def test_the_rule_sees_every_way_of_importing(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import requests\nfrom urllib import request\nimport urllib.request as r\n"
                      "from http.client import HTTPConnection\nfrom SPARQLWrapper import SPARQLWrapper\n"
                      "from urllib3.util import Retry\nimport urllib.parse\nfrom http import HTTPStatus\n"
                      "from starlette.requests import Request\n")
    assert _http_imports(sample) == ["requests", "urllib.request", "urllib.request", "http.client", "SPARQLWrapper",
                                     "urllib3.util"]
