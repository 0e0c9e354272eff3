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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


#: Every server the tests started, as "name version (how)", for the run's closing summary.
STARTED: list[str] = []


def started(what: str) -> None:
    STARTED.append(what)


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


def start_oxigraph(port: int | None = None, location: Path | None = None, union: bool = False) -> Oxigraph:
    """An Oxigraph server on 127.0.0.1: in memory, or persisted in ``location``; its default graph the
    union of every graph when ``union``."""
    binary = oxigraph_binary()
    if binary is None:
        raise RuntimeError("the oxigraph server (PyPI package 'oxigraph', a test extra) is not installed")
    port = port or free_port()
    if location:
        location.parent.mkdir(parents=True, exist_ok=True)
    storage = ["--location", str(location)] if location else []
    storage += ["--union-default-graph"] if union else []
    process = subprocess.Popen([binary, "serve", *storage, "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "RUST_LOG": "warn"})
    server = Oxigraph(process, port)
    try:
        wait_until_ready(server.url + "/", process)
    except Exception:
        stop(process)
        raise
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    started(f"{version} ({'on disk' if location else 'in memory'}{', union default graph' if union else ''})")
    return server


# --------------------------------------------------------------------------- a documented-layout store


class FakeStore:
    """An HTTP server on 127.0.0.1 implementing the Graph Store Protocol and SPARQL query endpoints,
    backed by pyoxigraph, for the faults no real server produces on demand.

    It records every request, can demand credentials, and can answer 503 a given number of times
    first (as a proxy in front of a restarting server does).  Like Fuseki's, its Graph Store end point
    takes and gives a whole dataset (N-Quads, gzip-compressed or not) when no graph is named.
    """

    def __init__(self, gsp_path: str, query_path: str, user: str | None = None, password: str | None = None,
                 fail_first: int = 0) -> None:
        import http.server
        import threading

        import pyoxigraph as ox

        self.store = ox.Store()
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.gsp_path, self.query_path = gsp_path, query_path
        self.user, self.password, self.fail_first = user, password, fail_first
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self, code: int, body: bytes = b"", content_type: str = "text/plain") -> None:
                self.send_response(code)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _handle(self) -> None:
                import base64
                import urllib.parse

                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.requests.append((self.command, self.path, dict(self.headers)))
                if outer.fail_first > 0:
                    outer.fail_first -= 1
                    return self._answer(503, b"Service Unavailable: restarting")
                if outer.user is not None:
                    expected = "Basic " + base64.b64encode(f"{outer.user}:{outer.password}".encode()).decode()
                    if self.headers.get("Authorization") != expected:
                        return self._answer(401, b"Unauthorized")
                url = urllib.parse.urlsplit(self.path)
                params = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
                if self.headers.get("Content-Encoding") == "gzip":
                    import gzip

                    body = gzip.decompress(body)
                dataset = not ({"graph", "default"} & set(params))
                if url.path == outer.gsp_path and self.command == "POST" and dataset:  # Fuseki's dataset POST
                    try:
                        quads = list(ox.parse(body, format=ox.RdfFormat.N_QUADS))
                    except SyntaxError as exc:
                        return self._answer(400, str(exc).encode())
                    outer.store.extend(quads)
                    return self._answer(204)
                if url.path == outer.gsp_path and self.command == "GET" and dataset:
                    return self._answer(200, ox.serialize(outer.store, format=ox.RdfFormat.N_QUADS) or b"",
                                        "application/n-quads")
                if url.path == outer.gsp_path and self.command in ("PUT", "POST"):
                    graph = ox.NamedNode(params["graph"]) if "graph" in params else ox.DefaultGraph()
                    try:
                        triples = [q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE)]
                    except SyntaxError as exc:
                        return self._answer(400, str(exc).encode())
                    if self.command == "PUT":
                        outer.store.clear_graph(graph)
                    outer.store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
                    return self._answer(204)
                if url.path == outer.gsp_path and self.command == "GET":
                    graph = ox.NamedNode(params["graph"]) if "graph" in params else ox.DefaultGraph()
                    data = ox.serialize((q.triple for q in outer.store.quads_for_pattern(None, None, None, graph)),
                                        format=ox.RdfFormat.N_TRIPLES)
                    return self._answer(200, data, "application/n-triples")
                if url.path == outer.query_path:
                    form = dict(urllib.parse.parse_qsl(body.decode())) if self.command == "POST" else params
                    result = outer.store.query(form["query"])
                    data = result.serialize(format=ox.QueryResultsFormat.JSON)
                    return self._answer(200, data, "application/sparql-results+json")
                return self._answer(404, b"not found")

            do_GET = do_PUT = do_POST = _handle

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def count(self, graph: str) -> int:
        (row,) = self.store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return int(row["n"].value)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --------------------------------------------------------------------------- Virtuoso

VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = ., {dir}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 5
ServerThreads = 5

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""


@dataclass
class Virtuoso:
    process: subprocess.Popen
    http_port: int
    sql_port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"


def start_virtuoso(folder: Path) -> Virtuoso:
    """Virtuoso (Debian virtuoso-opensource) in ``folder``, with anonymous SPARQL updates allowed."""
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if binary is None or isql is None:
        raise RuntimeError("Virtuoso (Debian virtuoso-opensource) is not installed")
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=folder, sql_port=sql_port, http_port=http_port))
    process = subprocess.Popen([binary, "+configfile", str(ini), "+foreground"], cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Virtuoso(process, http_port, sql_port)
    try:
        wait_until_ready(f"{server.url}/sparql?query=ASK%7B%7D", process, timeout=60)
        subprocess.run([isql, f"127.0.0.1:{sql_port}", "dba", "dba", "exec=GRANT SPARQL_UPDATE TO \"SPARQL\";"],
                       check=True, capture_output=True, timeout=60)
    except Exception:
        stop(process)
        raise
    run = subprocess.run([binary, "+version"], capture_output=True, text=True)
    version = next((line.split()[1] for line in (run.stdout + run.stderr).splitlines() if line.startswith("Version ")), "?")
    started(f"Virtuoso {version} (Debian virtuoso-opensource)")
    return server


# --------------------------------------------------------------------------- Java servers (Fuseki, RDF4J) and Jena tools

#: Where scripts/test.sh puts the Java artifacts it fetches from Maven Central (git ignores it).
JAVA_CACHE = Path(__file__).resolve().parents[1] / ".cache" / "java"
FUSEKI_VERSION = "5.6.0"
RDF4J_VERSION = "4.1.3"
JETTY_RUNNER_VERSION = "9.4.57.v20241219"
JENA_VERSION = "5.6.0"


def java_artifact(name: str) -> Path:
    """A fetched artifact by file name; a clear error naming the command that fetches it when missing."""
    path = JAVA_CACHE / name
    if not path.exists():
        raise RuntimeError(f"{path} is missing: run 'bash scripts/java-deps.sh' (scripts/test.sh does)")
    return path


def java() -> str:
    binary = shutil.which("java")
    if binary is None:
        raise RuntimeError("no 'java' on PATH (Java 17 is needed for Fuseki, RDF4J and Jena)")
    return binary


def _start_java(args: list[str], ready: str, log: Path, timeout: float = 90.0, cwd: Path | None = None,
                auth: tuple[str, str] | None = None) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        process = subprocess.Popen([java(), "-Xmx1g", "-XX:+UseSerialGC", *args], stdout=out,
                                   stderr=subprocess.STDOUT, cwd=cwd)
    try:
        _wait_answering(ready, process, timeout, auth)
    except Exception as exc:
        stop(process)
        tail = log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{exc}; its log ends:\n{tail}") from None
    return process


def _wait_answering(url: str, process: subprocess.Popen, timeout: float, auth: tuple[str, str] | None) -> None:
    """Wait until ``url`` answers 200 (a 404 while a web application deploys is not ready)."""
    import base64

    deadline = time.monotonic() + timeout
    headers = {}
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def kill(process: subprocess.Popen) -> None:
    """SIGKILL: the server gets no chance to finish what it was doing."""
    if process.poll() is None:
        process.kill()
        process.wait()


FUSEKI_CONFIG = """@prefix fuseki: <http://jena.apache.org/fuseki#> .
@prefix tdb2: <http://jena.apache.org/2016/tdb#> .
<#service> a fuseki:Service ; fuseki:name "ds" ;
  fuseki:endpoint [ fuseki:operation fuseki:query ; fuseki:name "sparql" ] ,
                  [ fuseki:operation fuseki:update ; fuseki:name "update" ] ,
                  [ fuseki:operation fuseki:gsp-rw ; fuseki:name "data" ] ;
  fuseki:dataset <#dataset> .
<#dataset> a tdb2:DatasetTDB2 ; tdb2:location "{location}" ; tdb2:unionDefaultGraph {union} .
"""


@dataclass
class Fuseki:
    """Apache Jena Fuseki serving one dataset at ``/ds``."""

    process: subprocess.Popen
    port: int
    union: bool
    folder: Path
    location: Path | None
    auth: tuple[str, str] | None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/ds"

    def restart(self) -> "Fuseki":
        return start_fuseki(self.folder, port=self.port, location=self.location, union=self.union, auth=self.auth)


def start_fuseki(folder: Path, *, port: int | None = None, location: Path | None = None, union: bool = False,
                 auth: tuple[str, str] | None = None) -> Fuseki:
    """Fuseki on 127.0.0.1 with a TDB2 dataset at ``/ds``: in memory, or persisted at ``location``;
    its default graph the union of the named graphs when ``union``; basic authentication when ``auth``."""
    jar = java_artifact(f"jena-fuseki-server-{FUSEKI_VERSION}.jar")
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    config = folder / "config.ttl"
    config.write_text(FUSEKI_CONFIG.format(location=str(location) if location else "--mem--",
                                           union="true" if union else "false"))
    args = ["-jar", str(jar), "--localhost", "--port", str(port), "--config", str(config)]
    if auth:
        (folder / "passwd").write_text(f"{auth[0]}: {auth[1]}\n")
        args += ["--passwd", str(folder / "passwd"), "--auth", "basic"]
    process = _start_java(args, f"http://127.0.0.1:{port}/ds/sparql?query=ASK%7B%7D", folder / "fuseki.log",
                          cwd=folder, auth=auth)
    started(f"Apache Jena Fuseki {FUSEKI_VERSION} (TDB2 {'on disk' if location else 'in memory'}"
            f"{', unionDefaultGraph' if union else ''}{', basic authentication' if auth else ''})")
    return Fuseki(process, port, union, folder, location, auth)




@dataclass
class Rdf4j:
    """Eclipse RDF4J Server (the REST protocol GraphDB implements) on Jetty."""

    process: subprocess.Popen
    port: int
    folder: Path

    @property
    def server(self) -> str:
        return f"http://127.0.0.1:{self.port}/rdf4j-server"

    def repository(self, name: str) -> str:
        return f"{self.server}/repositories/{name}"

    def create(self, name: str, persistent: bool = False) -> str:
        """A new repository over the REST API (``PUT /repositories/ID`` with its configuration); its URL."""
        from kgpub.stores import RDF4J_CONFIG

        body = RDF4J_CONFIG.format(id=name, repository="openrdf:SailRepository",
                                   sail="openrdf:NativeStore" if persistent else "openrdf:MemoryStore").encode()
        request = urllib.request.Request(self.repository(name), data=body, method="PUT",
                                         headers={"Content-Type": "text/turtle"})
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status in (200, 204), response.status
        return self.repository(name)

    def restart(self) -> "Rdf4j":
        return start_rdf4j(self.folder, port=self.port)


def start_rdf4j(folder: Path, *, port: int | None = None) -> Rdf4j:
    """RDF4J Server's war on Jetty 9.4 (jetty-runner) on 127.0.0.1, its data in ``folder``."""
    war = java_artifact(f"rdf4j-http-server-{RDF4J_VERSION}.war")
    runner = java_artifact(f"jetty-runner-{JETTY_RUNNER_VERSION}.jar")
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    args = [f"-Dorg.eclipse.rdf4j.appdata.basedir={folder / 'data'}", f"-Djava.io.tmpdir={folder}",
            "-jar", str(runner), "--host", "127.0.0.1", "--port", str(port), "--path", "/rdf4j-server", str(war)]
    process = _start_java(args, f"http://127.0.0.1:{port}/rdf4j-server/protocol", folder / "rdf4j.log", cwd=folder)
    started(f"Eclipse RDF4J Server {RDF4J_VERSION} (war on Jetty {JETTY_RUNNER_VERSION})")
    return Rdf4j(process, port, folder)


def jena_home() -> Path:
    """The unpacked Apache Jena distribution (riot, shacl)."""
    home = java_artifact(f"apache-jena-{JENA_VERSION}")
    return home


def jena(tool: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run one of Jena's command-line tools (``riot``, ``shacl``) and return what it printed."""
    home = jena_home()
    env = {**os.environ, "JENA_HOME": str(home), "JVM_ARGS": "-Xmx1g"}
    return subprocess.run([str(home / "bin" / tool), *args], capture_output=True, text=True, timeout=timeout, env=env)


class LocalHTTP:
    """A small HTTP server on 127.0.0.1 for a test: ``answer(method, path, headers, body)`` gives each GET, POST or
    PUT its (status, content type, body).  The stand-in for an endpoint that misbehaves in one known way."""

    def __init__(self, answer: "Callable[[str, str, dict[str, str], bytes], tuple[int, str, bytes]]") -> None:
        import http.server
        import threading

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, kind, out = answer(self.command, self.path, dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("Content-Type", kind or "text/plain")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST = do_PUT = _answer

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
