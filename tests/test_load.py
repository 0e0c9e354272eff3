"""`kgpub load` faults on real stores: a server killed mid-load, credentials, the CLI's table and plan, the
GraphDB flavor on RDF4J's protocol; and the one fault no real server gives on demand (503, then success)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from click.testing import CliRunner

import kgpub
from kgpub import stores
from kgpub.cli import main
from kgpub.errors import StoreError, UsageError
from conftest import MINI_FACTS, require, write_corpus
from servers import (FakeStore, free_port, kill, start_fuseki, start_oxigraph, start_rdf4j, start_virtuoso, stop)
from test_stores import Store, assert_answers_like_the_build

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # slow: real stores
ARTICLE_GRAPH = "https://w3id.org/kgpub/id/graph/mini-1"


def fast(**kwargs: Any) -> stores.Client:
    return stores.Client(backoff=0.01, timeout=30, **kwargs)


@pytest.fixture
def two_articles(tmp_path: Path) -> Path:
    root = write_corpus(tmp_path / "seeds")
    write_corpus(root, facts=MINI_FACTS.replace("id: mini-1", "id: mini-2"), registry=None, name="mini-2")
    return root


@pytest.fixture
def build(two_articles: Path, tmp_path: Path) -> Path:
    out = tmp_path / "dist"
    kgpub.build(two_articles, out)
    return out


# --------------------------------------------------------------------------- the server killed mid-load


class Persistent:
    """A store keeping its data on disk, that can be killed (SIGKILL) and started again on the same data."""

    def __init__(self, kind: str, folder: Path) -> None:
        self.kind, self.folder = kind, folder
        self.port = free_port()
        self.process: Any = None
        self.store: Store | None = None

    def start(self) -> Store:
        folder = self.folder
        if self.kind == "oxigraph":
            server = start_oxigraph(self.port, folder / "data")
            self.process, url = server.process, server.url
            self.store = Store("oxigraph", "oxigraph", url, url + "/query", lambda _: None, lambda: stop(server.process))
        elif self.kind == "fuseki":
            fuseki = start_fuseki(folder, port=self.port, location=folder / "tdb2")
            self.process = fuseki.process
            self.store = Store("fuseki", "fuseki", fuseki.url, fuseki.url + "/sparql", lambda _: None,
                               lambda: stop(fuseki.process))
        elif self.kind == "rdf4j":
            rdf4j = start_rdf4j(folder, port=self.port)
            repository = rdf4j.repository("kgpub")
            if requests.get(repository + "/size", timeout=30).status_code != 200:
                rdf4j.create("kgpub", persistent=True)
            self.process = rdf4j.process
            self.store = Store("rdf4j", "rdf4j", repository, repository, lambda _: None, lambda: stop(rdf4j.process))
        else:
            require(shutil.which("virtuoso-t"), "Virtuoso (Debian virtuoso-opensource)")
            virtuoso = start_virtuoso(folder)
            self.process = virtuoso.process
            self.store = Store("virtuoso", "virtuoso", virtuoso.url, virtuoso.url + "/sparql", lambda _: None,
                               lambda: stop(virtuoso.process))
        return self.store


def graph_contents(store: Store, iris: list[str]) -> dict[str, set[Any]]:
    """Each graph as the store holds it, read back over the Graph Store Protocol."""
    ends = stores.endpoints(store.load_url, store.flavor)
    return {iri: stores._read_back(fast(), ends, iri) for iri in iris}


def build_contents(build: Path) -> dict[str, set[Any]]:
    return {str(iri): set(triples) for iri, (_, triples) in stores._build_graphs(build, None, False).items()}


@pytest.mark.parametrize("kind", ["oxigraph", "fuseki", "rdf4j", "virtuoso"])
def test_server_killed_mid_load_then_rerun(kind: str, two_articles: Path, build: Path, tmp_path: Path) -> None:
    """SIGKILL after the first changed graph: after a restart every graph is fully old or fully new, and a
    re-run completes the load, after which the store answers like the build."""
    server = Persistent(kind, tmp_path / kind)
    store = server.start()
    try:
        assert stores.load(build, store.load_url, flavor=store.flavor, client=fast()).ok
        old = build_contents(build)
        for name in ("mini-1", "mini-2"):
            facts = two_articles / "articles" / f"{name}.facts.yaml"
            facts.write_text(facts.read_text().replace("Rocket attack on the Gamma base", "Rocket fire on the Gamma base"))
        kgpub.build(two_articles, build)
        new = build_contents(build)
        changed = sorted(iri for iri in new if new[iri] != old.get(iri))
        assert len(changed) >= 2
        sent: list[str | None] = []

        def kill_after_the_first(plan: stores.GraphPlan) -> None:
            sent.append(plan.iri)
            if len(sent) == 1:
                kill(server.process)

        with pytest.raises(StoreError) as caught:
            stores.load(build, store.load_url, flavor=store.flavor, client=fast(), after_graph=kill_after_the_first)
        assert f"loaded before the failure: {sent[0]}; not loaded: " in str(caught.value)
        store = server.start()
        after = graph_contents(store, sorted(new))
        for iri in sorted(new):
            assert after[iri] in (old.get(iri), new[iri]), f"{kind}: graph {iri} is neither the old nor the new one"
        assert after[sent[0]] == new[sent[0]]
        rerun = stores.load(build, store.load_url, flavor=store.flavor, client=fast())
        assert rerun.ok and {g.iri for g in rerun.sent} >= set(changed) - {sent[0]}, rerun.table()
        assert graph_contents(store, sorted(new)) == new
        assert_answers_like_the_build(store, build, "id:alpha-brigade")
    finally:
        if server.process is not None:
            kill(server.process)


def test_server_not_running(build: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(StoreError) as caught:
        stores.load(build, url, flavor="oxigraph", client=fast())
    assert str(caught.value) == f"{url}/query: cannot connect: Connection refused (after 4 attempts)"


# --------------------------------------------------------------------------- credentials, CLI, flavors


@pytest.fixture(scope="module")
def fuseki_with_auth(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    server = start_fuseki(tmp_path_factory.mktemp("fuseki-auth"), auth=("curator", "s3cret-pass"))
    yield server
    stop(server.process)


def test_fuseki_credentials(fuseki_with_auth, build: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    url = fuseki_with_auth.url
    none = runner.invoke(main, ["load", url, "--flavor", "fuseki", "--data", str(build)])
    assert none.exit_code == 3
    assert none.stderr == f"{url}/sparql: HTTP 401 Unauthorized while querying: check --user and KGPUB_PASSWORD\n"
    monkeypatch.setenv("KGPUB_PASSWORD", "wrong-pass")
    bad = runner.invoke(main, ["load", url, "--flavor", "fuseki", "--data", str(build), "--user", "curator"])
    assert bad.exit_code == 3 and "wrong-pass" not in bad.output
    monkeypatch.setenv("KGPUB_PASSWORD", "s3cret-pass")
    good = runner.invoke(main, ["load", url, "--flavor", "fuseki", "--data", str(build), "--user", "curator"])
    assert good.exit_code == 0, good.stderr
    assert "s3cret-pass" not in good.output and good.stdout.splitlines()[-1].startswith("sent 8 of 8 graphs (")
    asked = runner.invoke(main, ["query", "ASK { ?e a kg:Event }", "--endpoint", url + "/sparql", "--user", "curator"])
    assert asked.exit_code == 0 and asked.stdout == "true\n"
    claim = runner.invoke(main, ["query", "ASK { GRAPH ?g { id:alpha-brigade kg:agent ?e } }",
                                 "--endpoint", url + "/sparql", "--user", "curator"])
    assert claim.exit_code == 1 and claim.stdout == "false\n"


def test_no_line_of_a_dry_run_shows_the_password(fuseki_with_auth, build: Path) -> None:  # type: ignore[no-untyped-def]
    """Credentials in the URL authenticate (the store demands them) and appear in no line of the plan, the
    table or a message; with --flavor gsp the Graph Store and query URLs are redacted the same way."""
    runner = CliRunner()
    base = fuseki_with_auth.url.replace("http://", "http://curator:s3cret-pass@")
    for args in (["load", base, "--flavor", "fuseki", "--data", str(build), "--dry-run"],
                 ["load", base, "--flavor", "gsp", "--graph-store", base + "/data", "--query-endpoint", base + "/sparql",
                  "--data", str(build), "--dry-run"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert sum(1 for line in lines if line.startswith(("PUT ", "skip (unchanged) "))) == 8  # the plan is printed
        assert all("s3cret-pass" not in line and "curator" not in line for line in lines), result.output
        assert f"{fuseki_with_auth.url}/data?graph=" in result.stdout


def test_virtuoso_digest_credentials(virtuoso, build: Path) -> None:  # type: ignore[no-untyped-def]
    """With --user, Virtuoso's authenticated Graph Store end point (digest) takes the graphs."""
    with pytest.raises(StoreError, match="401 Unauthorized"):
        stores.load(build, virtuoso.url, flavor="virtuoso", client=fast(user="dba", password="nope", digest=True))
    result = stores.load(build, virtuoso.url, flavor="virtuoso", client=fast(user="dba", password="dba", digest=True))
    assert result.ok and len(result.sent) == 7, result.table()


@pytest.fixture(scope="module")
def fuseki(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    server = start_fuseki(tmp_path_factory.mktemp("fuseki-cli"))
    yield server
    stop(server.process)


def test_cli_table_and_dry_run(fuseki, build: Path) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    url = fuseki.url
    dry = runner.invoke(main, ["load", url, "--flavor", "fuseki", "--data", str(build), "--dry-run", "--force"])
    assert dry.exit_code == 0
    assert dry.stdout.splitlines()[-1].startswith("would send 8 of 8 graphs (")  # with the default graph's copy
    (line,) = [line for line in dry.stdout.splitlines() if line.endswith(f"{url}/data?graph=https%3A%2F%2Fw3id.org%2Fkgpub%2Fontology")]
    assert line.split()[0] == "PUT" and line.split()[2] == "triples"
    real = runner.invoke(main, ["load", url, "--flavor", "fuseki", "--data", str(build), "--force"])
    assert real.exit_code == 0, real.stderr
    lines = real.stdout.splitlines()
    assert lines[0].split() == ["graph", "sent", "in", "store", "status"]
    assert lines[-1].startswith("sent 8 of 8 graphs (") and f"to {url} [fuseki], " in lines[-1]
    assert lines[-1].endswith(" triples/s")
    assert all(line.split()[-1] == "loaded" for line in lines[1:-1])
    assert real.stderr == ""


@pytest.fixture(scope="module")
def rdf4j(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    server = start_rdf4j(tmp_path_factory.mktemp("rdf4j-flavors"))
    yield server
    stop(server.process)


def test_graphdb_flavor_speaks_rdf4j_protocol(rdf4j, build: Path) -> None:  # type: ignore[no-untyped-def]
    """GraphDB implements RDF4J's REST protocol: the graphdb flavor loads an RDF4J repository, in named graphs
    and into the default graph."""
    repository = rdf4j.create("as-graphdb")
    assert stores.guess_flavor(repository) == "rdf4j"
    assert stores.guess_flavor("http://127.0.0.1:7200/repositories/news") == "graphdb"
    named = stores.load(build, repository, flavor="graphdb", client=fast())
    assert named.ok, named.table()
    store = Store("graphdb", "graphdb", repository, repository, lambda _: None, lambda: None)
    assert_answers_like_the_build(store, build, "id:alpha-brigade")
    other = rdf4j.create("as-graphdb-default")
    default = stores.load(build, other, flavor="graphdb", client=fast(), default_graph=True)
    assert default.ok, default.table()
    # GraphDB's and RDF4J's default graph is every graph, the default one (sesame:nil) included: queries need
    # no dataset, and the manifest names none.
    manifest = requests.post(other, data={"query": "SELECT ?g WHERE { GRAPH <https://w3id.org/kgpub/load-manifest> "
                                                   "{ ?m <https://w3id.org/kgpub/ontology#queryDefaultGraph> ?g } }"},
                             headers={"Accept": "application/sparql-results+json"}, timeout=30).json()
    assert manifest["results"]["bindings"] == []
    assert_answers_like_the_build(Store("graphdb", "graphdb", other, other, lambda _: None, lambda: None),
                                  build, "id:alpha-brigade")


def test_flavor_is_guessed_and_said() -> None:
    assert stores.guess_flavor("http://127.0.0.1:7200/repositories/news") == "graphdb"
    assert stores.guess_flavor("http://127.0.0.1:8080/rdf4j-server/repositories/news") == "rdf4j"
    assert stores.guess_flavor("http://127.0.0.1:8890/sparql") == "virtuoso"
    assert stores.guess_flavor("http://127.0.0.1:3030/ds") == "fuseki"
    assert stores.guess_flavor("http://127.0.0.1:7878") == "oxigraph"
    assert stores.endpoints("http://h:8890/sparql", authenticated=True).graph_store == "http://h:8890/sparql-graph-crud-auth"
    with pytest.raises(UsageError, match="cannot tell which store this is; give --flavor"):
        stores.endpoints("http://127.0.0.1:1234/x")


# --------------------------------------------------------------------------- what only a stand-in can do


def test_retry_after_503(build: Path) -> None:
    """A proxy in front of a restarting server answers 503 for a while: the load retries, then succeeds."""
    store = FakeStore("/ds/data", "/ds/sparql", fail_first=2)
    try:
        result = stores.load(build, store.url + "/ds", flavor="fuseki", client=fast())
        assert result.ok, result.table()
        assert [m for m, _, _ in store.requests[:3]] == ["POST", "POST", "POST"]  # the manifest query, retried
    finally:
        store.close()


@pytest.mark.skipif(not __import__("os").environ.get("KGPUB_TEST_ENDPOINT"),
                    reason="set KGPUB_TEST_ENDPOINT (and KGPUB_TEST_FLAVOR) to test a store of your own")
def test_your_own_store(build: Path) -> None:
    """Loads and re-loads into the store named by KGPUB_TEST_ENDPOINT, e.g. a GraphDB of your own."""
    import os

    endpoint, flavor = os.environ["KGPUB_TEST_ENDPOINT"], os.environ.get("KGPUB_TEST_FLAVOR")
    client = stores.Client(user=os.environ.get("KGPUB_TEST_USER"), password=os.environ.get("KGPUB_PASSWORD"))
    first = stores.load(build, endpoint, flavor=flavor, client=client, force=True)
    assert first.ok
    again = stores.load(build, endpoint, flavor=flavor, client=client)
    assert again.ok and again.sent == []


def test_load_table_never_prints_a_claim_as_asserted(build: Path) -> None:
    """The graphs a load sends hold no claim triple: the accusation's content is only reified."""
    for iri, (_, triples) in stores._build_graphs(build, None, False).items():
        text = stores._payload(triples)[0].decode()
        assert "<https://w3id.org/kgpub/id/alpha-brigade> <https://w3id.org/kgpub/ontology#agent>" not in text, iri


# --------------------------------------------------------------------------- --create


def test_create_makes_a_fuseki_dataset(fuseki, build: Path) -> None:  # type: ignore[no-untyped-def]
    url = fuseki.url.rsplit("/", 1)[0] + "/made"
    with pytest.raises(StoreError, match="no dataset or repository answers here; check the URL, or make it with --create"):
        stores.load(build, url, flavor="fuseki", client=fast())
    result = CliRunner().invoke(main, ["load", url, "--flavor", "fuseki", "--data", str(build), "--create"])
    assert result.exit_code == 0, result.stderr
    assert stores.create(url, "fuseki", fast()) is False  # it exists now
    assert kgpub.query("ASK { ?e a kg:Event }", endpoint=url + "/sparql").value is True


def test_create_makes_an_rdf4j_repository(rdf4j, build: Path) -> None:  # type: ignore[no-untyped-def]
    url = rdf4j.repository("made")
    assert requests.get(url + "/size", timeout=30).status_code == 404
    result = kgpub.load(url, build, flavor="rdf4j", create=True)
    assert result.ok, result.table()
    assert stores.create(url, "rdf4j", fast()) is False
    assert kgpub.query("ASK { ?e a kg:Event }", endpoint=url).value is True


def test_graphdb_creation_is_its_rest_api() -> None:
    """GraphDB makes repositories through /rest/repositories (a multipart configuration of its own sail),
    not RDF4J's PUT /repositories/ID: the request, at the protocol level."""
    plan = stores.creation("http://127.0.0.1:7200/repositories/news", "graphdb")
    assert plan is not None
    assert (plan.method, plan.url, plan.exists) == ("POST", "http://127.0.0.1:7200/rest/repositories",
                                                     "http://127.0.0.1:7200/rest/repositories/news")
    assert plan.files is not None and plan.data is None
    name, config, kind = plan.files["config"]
    assert (name, kind) == ("news.ttl", "text/turtle")
    assert b'rep:repositoryID "news"' in config and b'"graphdb:SailRepository"' in config and b'"graphdb:Sail"' in config
    rdf4j = stores.creation("http://127.0.0.1:8080/rdf4j-server/repositories/news", "rdf4j")
    assert rdf4j is not None and (rdf4j.method, rdf4j.url) == ("PUT", "http://127.0.0.1:8080/rdf4j-server/repositories/news")
    assert stores.creation("http://127.0.0.1:7878", "oxigraph") is None


# --------------------------------------------------------------------------- a store that goes quiet


class Quiet:
    """A TCP server on 127.0.0.1 that accepts connections and then goes quiet: it reads a request's head
    and body (``read=True``) or nothing at all, and never answers."""

    def __init__(self, read: bool) -> None:
        import socket
        import threading

        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.accepted = 0
        self.connections: list[Any] = []
        self.read = read
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        import threading

        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.accepted += 1
            self.connections.append(connection)
            if self.read:
                threading.Thread(target=self._drain, args=(connection,), daemon=True).start()

    @staticmethod
    def _drain(connection: Any) -> None:
        try:
            while connection.recv(65536):
                pass
        except OSError:
            pass

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.listener.close()
        for connection in self.connections:
            connection.close()


def test_a_store_that_stops_reading_is_not_a_connection_failure() -> None:
    """A store that took the connection and then stopped reading a large body: the message says so, with the
    wait, and the request is not sent three more times (a million-triple PUT did, in about two minutes)."""
    quiet = Quiet(read=False)
    try:
        client = stores.Client(timeout=1, backoff=0.01)
        with pytest.raises(StoreError) as caught:
            client.request("PUT", quiet.url + "/store?default", data=b"<a> <b> <c> .\n" * 2_000_000)
        assert str(caught.value) == (f"{quiet.url}/store?default: connected, but the store stopped taking the request "
                                     "for 1 s while it was being sent (raise --timeout)")
        assert quiet.accepted == 1
    finally:
        quiet.close()


def test_a_store_that_never_answers_from_the_command_line(build: Path) -> None:
    """Through the CLI: a store that reads the request and never answers is a store that failed (exit 3), in
    one line that says it was connected and how long it waited, after one attempt."""
    quiet = Quiet(read=True)
    try:
        result = CliRunner().invoke(main, ["load", quiet.url, "--flavor", "oxigraph", "--timeout", "1",
                                           "--data", str(build)])
        assert result.exit_code == 3, result.output
        assert result.stderr == (f"{quiet.url}/query: connected and sent the request, but no answer came within "
                                 "1 s (raise --timeout)\n")
        assert quiet.accepted == 1
    finally:
        quiet.close()


@pytest.mark.parametrize("by", ["checksum", "dump"])
def test_verification_without_reading_every_graph(build: Path, monkeypatch: pytest.MonkeyPatch, by: str) -> None:
    """After a bulk load, every graph is checked without reading each back: by the count and checksum the
    store computes in one query (a store that can), or else by one read of the whole dataset.  A graph the
    store lost a triple of is a MISMATCH, one whose number it rewrote is normalised, with the same notes as
    graph by graph; and no graph is read on its own unless its checksum (or its bytes) differ."""
    import pyoxigraph as ox

    monkeypatch.setattr(stores, "DUMP_FROM", 1)
    if by == "dump":
        monkeypatch.setattr(stores, "CHECKSUM_FLAVORS", ())
    trig = build / "kg.trig"
    marker = f"<{ARTICLE_GRAPH}> {{\n"
    trig.write_text(trig.read_text().replace(marker, marker + '    <https://example.org/x> <https://example.org/n> "05"^^'
                                             '<http://www.w3.org/2001/XMLSchema#integer> .\n', 1))
    other = "https://w3id.org/kgpub/id/graph/mini-2"
    store = FakeStore("/ds/data", "/ds/sparql")
    removed: list[Any] = []

    def lose_one(plan: stores.GraphPlan) -> None:
        if plan.iri == other and not removed:
            removed.append(next(iter(store.store.quads_for_pattern(None, None, None, ox.NamedNode(other)))))
            store.store.remove(removed[0])

    try:
        result = stores.load(build, store.url + "/ds", flavor="fuseki", client=fast(), after_graph=lose_one)
        assert result.bulk == len(result.sent) == 8
        status = {g.iri: (g.status, g.note) for g in result.graphs}
        assert status[ARTICLE_GRAPH][0] == "normalised" and "came back as" in status[ARTICLE_GRAPH][1]
        assert status[other] == ("MISMATCH", f"1 triple(s) missing, 0 unexpected, e.g. missing {removed[0].triple}")
        assert {s for iri, (s, _) in status.items() if iri not in (ARTICLE_GRAPH, other, None)} == {"loaded"}
        gets = [path for method, path, _ in store.requests if method == "GET"]
        if by == "dump":
            assert gets == ["/ds/data"]
        else:  # the two graphs that differ, and the default graph's copy: the statement mini-2 lost is in no
            # named graph any more
            assert gets == [f"/ds/data?graph={quote(ARTICLE_GRAPH, safe='')}", f"/ds/data?graph={quote(other, safe='')}",
                            "/ds/data?default"]
    finally:
        store.close()
