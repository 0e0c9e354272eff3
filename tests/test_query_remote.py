"""The same queries against a real Oxigraph server give the same answers as the embedded engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import kgpub
from kgpub.errors import QueryError
from kgpub.sparql.results import AskResult, GraphResult, SelectResult
from kgpub.sparql.shipped import shipped_queries
from servers import Oxigraph, start_oxigraph, stop

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # slow: real endpoints


@pytest.fixture(scope="module")
def oxigraph(seed_build: Path) -> Iterator[Oxigraph]:
    server = start_oxigraph()
    try:
        # The server's default graph gets what kgpub's embedded default graph is: the data and the ontology.
        server.post("/store?default", (seed_build / "kg.ttl").read_bytes(), "text/turtle")
        server.post("/store?default", (seed_build / "ontology.ttl").read_bytes(), "text/turtle")
        server.post("/store", (seed_build / "kg.trig").read_bytes(), "application/trig")
        yield server
    finally:
        stop(server.process)


def canonical(result: SelectResult) -> list[tuple[tuple[str, str], ...]]:
    """Rows as sorted tuples; GROUP_CONCAT has no defined order in SPARQL, so its parts are sorted too, and over
    no values it is "" in SPARQL 1.1 (Virtuoso) but unbound in pyoxigraph: an empty value counts as none."""
    def value(text: str) -> str:
        return "; ".join(sorted(text.split("; ")))

    return sorted(tuple(sorted((k, value(v["value"])) for k, v in row.items() if v["value"] != ""))
                  for row in result.rows)


@pytest.mark.parametrize("name", [q.name for q in shipped_queries()])
def test_shipped_queries_agree(name: str, oxigraph: Oxigraph, seed_build: Path) -> None:
    query = next(q for q in shipped_queries() if q.name == name)
    params = {p.name: "id:mustafa-al-kadhemi" for p in query.params}
    local = kgpub.query(name, seed_build, params=params)
    remote = kgpub.query(name, endpoint=oxigraph.url + "/query", params=params)
    assert isinstance(local, SelectResult) and isinstance(remote, SelectResult)
    assert remote.variables == local.variables
    assert canonical(remote) == canonical(local)
    assert local.rows or name == "disagreements"  # one article: no two sources to disagree


def test_hostile_parameter_stays_a_literal_remotely(oxigraph: Oxigraph) -> None:
    result = kgpub.query("SELECT ?name ?x WHERE { ?e rdfs:label ?name . FILTER(?name = ?x) }",
                         endpoint=oxigraph.url + "/query", params={"x": 'a" } UNION { ?s ?p ?o } #'})
    assert isinstance(result, SelectResult) and result.rows == []


def test_ask_and_construct_remotely(oxigraph: Oxigraph) -> None:
    assert kgpub.query("ASK { ?e a kg:Event }", endpoint=oxigraph.url + "/query") == AskResult(True)
    graph = kgpub.query("CONSTRUCT { ?e kg:victim ?v } WHERE { ?e a kg:Event ; kg:victim ?v }", endpoint=oxigraph.url + "/query")
    assert isinstance(graph, GraphResult) and graph.ntriples.count(b"\n") == 4  # Soleimani, al-Muhandis, the contractor, Kataeb Hezbollah


def test_http_error_is_reported(oxigraph: Oxigraph) -> None:
    with pytest.raises(QueryError) as caught:
        kgpub.query("SELECT * WHERE { ?s ?p ?o } LIMIT 1", endpoint=oxigraph.url + "/nowhere")
    assert str(caught.value) == f"{oxigraph.url}/nowhere: HTTP 404 Not Found: POST /nowhere is not supported by this server"


def test_server_side_syntax_error_is_reported(oxigraph: Oxigraph) -> None:
    with pytest.raises(QueryError, match="/query: HTTP 400 Bad Request: "):  # parses, but the server refuses it
        kgpub.query("SELECT (?x AS ?x) WHERE { BIND (1 AS ?x) }", endpoint=oxigraph.url + "/query")
    with pytest.raises(QueryError, match="^SPARQL syntax error at line 1, column "):  # never sent
        kgpub.query("SELECT * WHERE { ?s ?p ?o } GROUP BY", endpoint=oxigraph.url + "/query")


@pytest.fixture(scope="module")
def virtuoso_seed(virtuoso, seed_build: Path):  # type: ignore[no-untyped-def]
    """Virtuoso's default graph is the union of its graphs: give it the seed's data and ontology only."""
    import requests

    for name in ("kg.nt", "ontology.ttl"):
        response = requests.post(f"{virtuoso.url}/sparql-graph-crud?graph-uri=urn:kgpub:test:{name}",
                                 data=(seed_build / name).read_bytes(), headers={"Content-Type": "text/turtle"}, timeout=60)
        assert response.status_code in (200, 201, 204), response.text
    return virtuoso


@pytest.mark.parametrize("name", [q.name for q in shipped_queries()])
def test_shipped_queries_agree_on_virtuoso(name: str, virtuoso_seed, seed_build: Path) -> None:  # type: ignore[no-untyped-def]
    query = next(q for q in shipped_queries() if q.name == name)
    params = {p.name: "id:mustafa-al-kadhemi" for p in query.params}
    local = kgpub.query(name, seed_build, params=params)
    remote = kgpub.query(name, endpoint=virtuoso_seed.url + "/sparql", params=params)
    assert isinstance(remote, SelectResult)
    assert canonical(remote) == canonical(local)


def test_virtuoso_ask(virtuoso_seed) -> None:  # type: ignore[no-untyped-def]
    assert kgpub.query("ASK { ?e a kg:Event }", endpoint=virtuoso_seed.url + "/sparql") == AskResult(True)
    assert kgpub.query("ASK { ?e a kg:Banana }", endpoint=virtuoso_seed.url + "/sparql") == AskResult(False)
