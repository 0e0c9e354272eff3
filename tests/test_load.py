"""`kgpub load`: real Oxigraph servers, and Fuseki/GraphDB layouts on a local Graph Store server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import kgpub
from kgpub import stores
from kgpub.cli import main
from kgpub.errors import StoreError
from conftest import MINI_FACTS, write_corpus
from servers import FakeStore, Oxigraph, free_port, start_oxigraph, stop

pytestmark = pytest.mark.integration
ARTICLE_GRAPH = "https://w3id.org/kgpub/id/graph/mini-1"


def fast(**kwargs) -> stores.Client:  # type: ignore[no-untyped-def]
    return stores.Client(backoff=0.01, timeout=10, **kwargs)


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


@pytest.fixture
def oxigraph() -> Iterator[Oxigraph]:
    server = start_oxigraph()
    yield server
    stop(server.process)


def remote_count(server: Oxigraph, graph: str) -> int:
    result = kgpub.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", endpoint=server.url + "/query")
    return int(result.rows[0]["n"]["value"])


def test_first_load_and_reload(oxigraph: Oxigraph, build: Path) -> None:
    first = stores.load(build, oxigraph.url, flavor="oxigraph", client=fast())
    assert first.ok and len(first.sent) == len(first.graphs) == 7
    assert {g.status for g in first.graphs} == {"loaded"}
    assert all(g.in_store == g.triples for g in first.graphs)
    before = {g.iri: remote_count(oxigraph, g.iri) for g in first.graphs}
    again = stores.load(build, oxigraph.url, flavor="oxigraph", client=fast())
    assert again.ok and again.sent == [] and {g.status for g in again.graphs} == {"unchanged"}
    forced = stores.load(build, oxigraph.url, flavor="oxigraph", client=fast(), force=True)
    assert len(forced.sent) == 7
    assert {g.iri: remote_count(oxigraph, g.iri) for g in first.graphs} == before  # no duplicates


def test_named_graphs_are_preserved(oxigraph: Oxigraph, build: Path) -> None:
    stores.load(build, oxigraph.url, flavor="oxigraph", client=fast())
    result = kgpub.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g", endpoint=oxigraph.url + "/query")
    graphs = [row["g"]["value"] for row in result.rows]
    assert ARTICLE_GRAPH in graphs and "https://w3id.org/kgpub/ontology" in graphs
    assert "https://w3id.org/kgpub/id/graph/entities" in graphs


def test_only_the_changed_article_is_sent_again(oxigraph: Oxigraph, two_articles: Path, build: Path) -> None:
    stores.load(build, oxigraph.url, flavor="oxigraph", client=fast())
    facts = two_articles / "articles" / "mini-2.facts.yaml"
    facts.write_text(facts.read_text().replace("label: Rocket attack on the Gamma base", "label: Rocket fire on the Gamma base"))
    kgpub.build(two_articles, build)
    result = stores.load(build, oxigraph.url, flavor="oxigraph", client=fast())
    assert [g.iri for g in result.sent] == ["https://w3id.org/kgpub/id/graph/mini-2"]
    assert result.ok
    label = kgpub.query('ASK { GRAPH ?g { ?e rdfs:label "Rocket fire on the Gamma base" } }', endpoint=oxigraph.url + "/query")
    assert label.value is True


def test_dry_run_changes_nothing(oxigraph: Oxigraph, build: Path) -> None:
    result = stores.load(build, oxigraph.url, flavor="oxigraph", client=fast(), dry_run=True)
    assert {g.status for g in result.graphs} == {"planned"}
    assert remote_count(oxigraph, ARTICLE_GRAPH) == 0
    plan = result.plan(stores.endpoints(oxigraph.url, "oxigraph")).splitlines()
    url = f"{oxigraph.url}/store?graph=https%3A%2F%2Fw3id.org%2Fkgpub%2Fid%2Fgraph%2Fmini-1"
    (line,) = [line for line in plan if line.endswith(url)]
    assert line.startswith("PUT ") and " triples " in line and " bytes " in line


def test_everything_into_one_graph_or_the_default_graph(oxigraph: Oxigraph, build: Path) -> None:
    one = stores.load(build, oxigraph.url, flavor="oxigraph", client=fast(), graph="https://example.org/all")
    assert [g.iri for g in one.graphs] == ["https://example.org/all"] and one.ok
    default = stores.load(build, oxigraph.url, flavor="oxigraph", client=fast(), default_graph=True)
    assert [g.iri for g in default.graphs] == [None] and default.ok


def test_chunked_load(oxigraph: Oxigraph, build: Path) -> None:
    result = stores.load(build, oxigraph.url, flavor="oxigraph", client=fast(), chunk_triples=20)
    assert result.ok and remote_count(oxigraph, ARTICLE_GRAPH) == next(g.triples for g in result.graphs if g.iri == ARTICLE_GRAPH)


def test_server_not_running(build: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(StoreError) as caught:
        stores.load(build, url, flavor="oxigraph", client=fast())
    assert str(caught.value) == (f"{url}/query: cannot connect: Connection refused (after 4 attempts)")


def test_server_killed_during_a_load_then_rerun(build: Path, tmp_path: Path) -> None:
    location, port = tmp_path / "store", free_port()
    server = start_oxigraph(port, location)
    killed = []

    def kill_after_two(plan: stores.GraphPlan) -> None:
        if len(killed) == 1:
            stop(server.process)
        killed.append(plan.iri)

    try:
        with pytest.raises(StoreError) as caught:
            stores.load(build, server.url, flavor="oxigraph", client=fast(), after_graph=kill_after_two)
        message = str(caught.value)
        assert "cannot connect" in message and "loaded before the failure: " in message and "not loaded: " in message
        assert f"loaded before the failure: {killed[0]}, {killed[1]}; not loaded:" in message
        server = start_oxigraph(port, location)
        rerun = stores.load(build, server.url, flavor="oxigraph", client=fast())
        assert rerun.ok  # each graph was replaced whole or not at all; the re-run completes the load
        assert {g.status for g in rerun.graphs} == {"loaded"}
    finally:
        stop(server.process)


# --------------------------------------------------------------------------- Fuseki and GraphDB layouts


@pytest.mark.parametrize(("flavor", "base_path", "gsp", "query"), [
    ("fuseki", "/ds", "/ds/data", "/ds/sparql"),
    ("graphdb", "/repositories/news", "/repositories/news/rdf-graphs/service", "/repositories/news"),
])
def test_store_layouts(build: Path, flavor: str, base_path: str, gsp: str, query: str) -> None:
    store = FakeStore(gsp, query)
    try:
        result = stores.load(build, store.url + base_path, flavor=flavor, client=fast())
        assert result.ok
        methods = {(m, p.split("?")[0]) for m, p, _ in store.requests}
        assert ("PUT", gsp) in methods and ("POST", query) in methods
        puts = [(p, h) for m, p, h in store.requests if m == "PUT"]
        assert all(h["Content-Type"] == "text/turtle; charset=utf-8" for _, h in puts)
        assert any("graph=https%3A%2F%2Fw3id.org%2Fkgpub%2Fid%2Fgraph%2Fmini-1" in p for p, _ in puts)
        assert store.count(ARTICLE_GRAPH) == next(g.triples for g in result.graphs if g.iri == ARTICLE_GRAPH)
    finally:
        store.close()


def test_flavor_is_guessed_and_said(build: Path) -> None:
    assert stores.guess_flavor("http://127.0.0.1:7200/repositories/news") == "graphdb"
    assert stores.guess_flavor("http://127.0.0.1:8890/sparql") == "virtuoso"
    assert stores.guess_flavor("http://127.0.0.1:3030/ds") == "fuseki"
    assert stores.guess_flavor("http://127.0.0.1:7878") == "oxigraph"
    assert stores.endpoints("http://h:8890/sparql", authenticated=True).graph_store == "http://h:8890/sparql-graph-crud-auth"
    with pytest.raises(StoreError, match="cannot tell which store this is; give --flavor"):
        stores.endpoints("http://127.0.0.1:1234/x")


def test_retry_after_503(build: Path) -> None:
    store = FakeStore("/ds/data", "/ds/sparql", fail_first=2)
    try:
        result = stores.load(build, store.url + "/ds", flavor="fuseki", client=fast())
        assert result.ok
        assert [m for m, _, _ in store.requests[:3]] == ["POST", "POST", "POST"]  # the manifest query, retried
    finally:
        store.close()


def test_unauthorized_is_clear_and_never_shows_the_password(build: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = FakeStore("/ds/data", "/ds/sparql", user="curator", password="s3cret-pass")
    try:
        runner = CliRunner()
        monkeypatch.setenv("KGPUB_PASSWORD", "wrong-pass")
        bad = runner.invoke(main, ["load", store.url + "/ds", "--flavor", "fuseki", "--data", str(build), "--user", "curator"])
        assert bad.exit_code == 3
        assert bad.stderr == f"{store.url}/ds/sparql: HTTP 401 Unauthorized while querying: check --user and KGPUB_PASSWORD\n"
        assert "wrong-pass" not in bad.output
        monkeypatch.setenv("KGPUB_PASSWORD", "s3cret-pass")
        good = runner.invoke(main, ["load", store.url + "/ds", "--flavor", "fuseki", "--data", str(build), "--user", "curator"])
        assert good.exit_code == 0, good.stderr
        assert "s3cret-pass" not in good.output
    finally:
        store.close()


def test_cli_table_and_dry_run(build: Path) -> None:
    store = FakeStore("/ds/data", "/ds/sparql")
    try:
        runner = CliRunner()
        dry = runner.invoke(main, ["load", store.url + "/ds", "--flavor", "fuseki", "--data", str(build), "--dry-run"])
        assert dry.exit_code == 0
        assert dry.stdout.splitlines()[-1].startswith("would send 7 of 7 graphs (")
        (line,) = [line for line in dry.stdout.splitlines()
                   if line.endswith(f"{store.url}/ds/data?graph=https%3A%2F%2Fw3id.org%2Fkgpub%2Fontology")]
        assert line.split()[:3] == ["PUT", "646", "triples"]
        assert not [m for m, _, _ in store.requests if m == "PUT"]
        real = runner.invoke(main, ["load", store.url + "/ds", "--flavor", "fuseki", "--data", str(build)])
        assert real.exit_code == 0
        lines = real.stdout.splitlines()
        assert lines[0].split() == ["graph", "sent", "in", "store", "status"]
        assert lines[-1].startswith("sent 7 of 7 graphs (") and f"to {store.url}/ds [fuseki], " in lines[-1]
        assert lines[-1].endswith(" triples/s")
        assert all(line.split()[-1] == "loaded" for line in lines[1:-1])
    finally:
        store.close()


@pytest.mark.skipif(not __import__("os").environ.get("KGPUB_TEST_ENDPOINT"),
                    reason="set KGPUB_TEST_ENDPOINT (and KGPUB_TEST_FLAVOR) to test a store of your own")
def test_your_own_store(build: Path) -> None:
    """Loads and re-loads into the store named by KGPUB_TEST_ENDPOINT, e.g. a local Fuseki or GraphDB."""
    import os

    endpoint, flavor = os.environ["KGPUB_TEST_ENDPOINT"], os.environ.get("KGPUB_TEST_FLAVOR")
    client = stores.Client(user=os.environ.get("KGPUB_TEST_USER"), password=os.environ.get("KGPUB_PASSWORD"))
    first = stores.load(build, endpoint, flavor=flavor, client=client, force=True)
    assert first.ok
    again = stores.load(build, endpoint, flavor=flavor, client=client)
    assert again.ok and again.sent == []


# --------------------------------------------------------------------------- Virtuoso


def test_virtuoso_load_reload_change_and_dry_run(virtuoso, two_articles: Path, build: Path) -> None:  # type: ignore[no-untyped-def]
    dry = stores.load(build, virtuoso.url + "/sparql", client=fast(), dry_run=True)
    assert dry.flavor == "virtuoso" and {g.status for g in dry.graphs} == {"planned"}
    first = stores.load(build, virtuoso.url, flavor="virtuoso", client=fast())
    assert first.ok and len(first.sent) == 7, first.table()
    again = stores.load(build, virtuoso.url, flavor="virtuoso", client=fast())
    assert again.ok and again.sent == [] and [g.in_store for g in again.graphs] == [g.in_store for g in first.graphs]
    facts = two_articles / "articles" / "mini-1.facts.yaml"
    facts.write_text(facts.read_text().replace("allegation: carrying out the rocket attack", "allegation: the rocket attack"))
    kgpub.build(two_articles, build)
    changed = stores.load(build, virtuoso.url, flavor="virtuoso", client=fast())
    assert [g.iri for g in changed.sent] == [ARTICLE_GRAPH] and changed.ok
    answer = kgpub.query('ASK { ?a kg:allegation "the rocket attack" }', endpoint=virtuoso.url + "/sparql")
    assert answer.value is True
    iris = kgpub.query("SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s a kg:Event } }", endpoint=virtuoso.url + "/sparql")
    assert all("\\" not in row["s"]["value"] for row in iris.rows)  # IRIs arrive unchanged
