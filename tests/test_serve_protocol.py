"""``kgpub serve`` held to the SPARQL 1.1 Protocol, the Service Description and Linked Data conventions, point by
point, against a real server process on 127.0.0.1 (the clients' own test harness is elsewhere)."""

from __future__ import annotations

import gzip
import html
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import kgserve
import pytest
import requests

import kgpub

pytestmark = pytest.mark.slow  # a running kgpub serve

ENTITIES = "https://w3id.org/kgpub/id/graph/entities"
KADHEMI = "/kgpub/id/mustafa-al-kadhemi"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
MAX_ROWS = 500


def start_serve(data: Path, log: Path, *options: str) -> tuple[subprocess.Popen[bytes], str]:
    """``kgpub serve`` on a free port, its log (uvicorn's, one line per request) written to ``log``."""
    served = kgserve.start_serve(data, *options, log_path=log)
    return served.process, served.url


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


@pytest.fixture(scope="module")
def server(seed_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    log = tmp_path_factory.mktemp("serve-log") / "serve.log"
    process, url = start_serve(seed_build, log, "--timeout", "3", "--max-rows", str(MAX_ROWS))
    yield url, log
    stop(process)


@pytest.fixture(scope="module")
def served(server: tuple[str, Path]) -> str:
    return server[0]


def count(answer: requests.Response) -> int:
    assert answer.status_code == 200, answer.text
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def embedded(seed_build: Path, text: str) -> int:
    result = kgpub.query(text, seed_build)
    return int(result.rows[0]["n"]["value"])  # type: ignore[union-attr]


# --------------------------------------------------------------------------- the request's dataset (2.1.4)


def test_default_graph_uri_makes_the_default_graph(served: str, seed_build: Path) -> None:
    """'the RDF Dataset ... the default graph is the RDF merge of the graphs named by default-graph-uri'."""
    whole = embedded(seed_build, COUNT)
    only = embedded(seed_build, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ENTITIES}> {{ ?s ?p ?o }} }}")
    assert 0 < only < whole
    assert count(requests.get(served + "/sparql", params={"query": COUNT, "default-graph-uri": ENTITIES}, timeout=30)) == only
    posted = requests.post(served + "/sparql", data={"query": COUNT, "default-graph-uri": ENTITIES}, timeout=30)
    assert count(posted) == only
    direct = requests.post(served + "/sparql", params={"default-graph-uri": ENTITIES}, data=COUNT.encode(), timeout=30,
                           headers={"Content-Type": "application/sparql-query"})
    assert count(direct) == only
    assert count(requests.get(served + "/sparql", params={"query": COUNT}, timeout=30)) == whole


def test_named_graph_uri_limits_the_named_graphs_and_empties_the_default(served: str, seed_build: Path) -> None:
    graphs = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert embedded(seed_build, graphs) > 2
    assert count(requests.get(served + "/sparql", params={"query": graphs, "named-graph-uri": ENTITIES}, timeout=30)) == 1
    # 'an RDF Dataset with ... no default-graph-uri: an empty default graph'
    assert count(requests.get(served + "/sparql", params={"query": COUNT, "named-graph-uri": ENTITIES}, timeout=30)) == 0
    # a graph the store does not have is an empty graph, not an error
    nowhere = {"query": "ASK { ?s ?p ?o }", "default-graph-uri": "http://example.org/no-such-graph"}
    assert requests.get(served + "/sparql", params=nowhere, timeout=30).json()["boolean"] is False


def test_the_protocol_dataset_wins_over_from(served: str, seed_build: Path) -> None:
    """'If an RDF Dataset is specified both in the protocol request and in the SPARQL query string, the
    service must execute the query using the RDF Dataset given in the protocol request.'"""
    only = embedded(seed_build, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ENTITIES}> {{ ?s ?p ?o }} }}")
    query = "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/kgpub/ontology> WHERE { ?s ?p ?o }"
    ontology = count(requests.get(served + "/sparql", params={"query": query}, timeout=30))
    assert ontology != only and ontology > 0
    assert count(requests.get(served + "/sparql", params={"query": query, "default-graph-uri": ENTITIES}, timeout=30)) == only
    bad = requests.get(served + "/sparql", params={"query": COUNT, "default-graph-uri": "not an iri"}, timeout=30)
    assert bad.status_code == 400 and "default-graph-uri" in bad.text


def test_relative_iris_resolve_against_the_endpoint(served: str) -> None:
    """The protocol's 'service-defined BASE URI (which MAY be the service endpoint)'."""
    answer = requests.post(served + "/sparql", data=b"CONSTRUCT { <s> <p> 1 } WHERE {}", timeout=30,
                           headers={"Content-Type": "application/sparql-query", "Accept": "application/n-triples"})
    assert answer.status_code == 200 and answer.text.startswith(f"<{served}/s> <{served}/p> ")


# --------------------------------------------------------------------------- malformed and refused requests


def test_two_queries_are_a_400(served: str) -> None:
    twice = requests.get(served + "/sparql?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D", timeout=30)
    assert twice.status_code == 400 and "2 queries" in twice.text
    form = requests.post(served + "/sparql", data="query=ASK%20%7B%7D&query=ASK%20%7B%7D", timeout=30,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code == 400
    both = requests.post(served + "/sparql", params={"query": "ASK {}"}, data=b"ASK {}", timeout=30,
                         headers={"Content-Type": "application/sparql-query"})
    assert both.status_code == 400


@pytest.mark.parametrize("request_kwargs", [
    {"method": "POST", "data": b"CLEAR ALL", "headers": {"Content-Type": "application/sparql-update"}},
    {"method": "POST", "data": {"update": "CLEAR ALL"}},
    {"method": "GET", "params": {"update": "CLEAR ALL"}},
    {"method": "POST", "data": "CLEAR NAMED".encode("utf-16"),
     "headers": {"Content-Type": "application/sparql-update; charset=UTF-16"}},
], ids=["direct", "form", "get", "utf-16"])
def test_an_update_is_refused_as_such(served: str, request_kwargs: dict) -> None:
    answer = requests.request(url=served + "/sparql", timeout=30, **request_kwargs)
    assert answer.status_code == 403
    assert "read-only" in answer.text and "Update is not accepted" in answer.text and "give a query" not in answer.text


def test_a_post_that_is_no_query_request_is_a_415(served: str) -> None:
    for headers, body in (({"Content-Type": "text/plain"}, b"ASK {}"), ({}, b"query=ASK%20%7B%7D"),
                          ({"Content-Type": "application/sparql-query; charset=UTF-16"}, "ASK {}".encode("utf-16"))):
        answer = requests.post(served + "/sparql", data=body, headers=headers, timeout=30)
        assert answer.status_code == 415, (headers, answer.text)
    assert requests.put(served + "/sparql?query=ASK%20%7B%7D", timeout=30).status_code == 405


def test_the_service_refusal_names_no_option_serve_lacks(served: str) -> None:
    answer = requests.get(served + "/sparql", timeout=30, params={
        "query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
    assert answer.status_code == 400 and "SERVICE" in answer.text and "--allow-service" not in answer.text


def test_a_stopped_query_is_a_503_with_retry_after(served: str) -> None:
    answer = requests.get(served + "/sparql", timeout=120, params={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"})
    assert answer.status_code == 503 and int(answer.headers["retry-after"]) > 0
    assert "longer than 3 s" in answer.text and "--max-memory" not in answer.text


def test_an_answer_larger_than_max_rows_is_refused_not_cut(served: str, seed_build: Path) -> None:
    everything = requests.get(served + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, timeout=30)
    assert everything.status_code == 400
    assert f"{embedded(seed_build, COUNT):,} rows" in everything.text and "--max-rows" in everything.text
    page = requests.get(served + "/sparql", params={"query": f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {MAX_ROWS}"}, timeout=30)
    assert page.status_code == 200 and len(page.json()["results"]["bindings"]) == MAX_ROWS
    graph = requests.get(served + "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, timeout=30)
    assert graph.status_code == 400 and "triples" in graph.text


# --------------------------------------------------------------------------- formats and negotiation


def test_construct_and_describe_by_accept_or_406(served: str) -> None:
    import rdflib

    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER (?s = <https://w3id.org/kgpub/id/baghdad>) }"
    turtle = requests.get(served + "/sparql", params={"query": construct}, headers={"Accept": "text/turtle"}, timeout=30)
    expected = rdflib.Graph().parse(data=turtle.text, format="turtle")
    assert len(expected) > 3
    for media, parser in (("application/rdf+xml", "xml"), ("text/n3", "n3"), ("application/n-quads", "nquads"),
                          ("application/trig", "trig"), ("application/ld+json", "json-ld")):
        got = requests.get(served + "/sparql", params={"query": construct}, headers={"Accept": media}, timeout=30)
        assert got.status_code == 200 and got.headers["content-type"].split(";")[0] == media
        graph = rdflib.Dataset().parse(data=got.content, format=parser) if parser in ("nquads", "trig") \
            else rdflib.Graph().parse(data=got.content, format=parser)
        assert set(graph) == set(expected) if parser not in ("nquads", "trig") else len(graph) == len(expected)
    describe = requests.get(served + "/sparql", params={"query": "DESCRIBE <https://w3id.org/kgpub/id/baghdad>"},
                            headers={"Accept": "application/rdf+xml"}, timeout=30)
    assert describe.status_code == 200 and len(rdflib.Graph().parse(data=describe.content, format="xml")) > 3
    refused = requests.get(served + "/sparql", params={"query": construct}, headers={"Accept": "application/sparql-results+json"},
                           timeout=30)
    assert refused.status_code == 406 and "text/turtle" in refused.text


def test_sparqlwrapper_defaults_give_a_graph_for_construct(served: str) -> None:
    import rdflib
    from SPARQLWrapper import SPARQLWrapper

    client = SPARQLWrapper(served + "/sparql")
    client.setQuery("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 7")
    graph = client.query().convert()
    assert isinstance(graph, rdflib.Graph) and len(graph) == 7


def test_select_and_ask_formats(served: str) -> None:
    select = {"query": "SELECT ?l WHERE { <https://w3id.org/kgpub/id/baghdad> rdfs:label ?l }"}
    xml = requests.get(served + "/sparql", params=select, headers={"Accept": "text/xml"}, timeout=30)
    assert xml.headers["content-type"].startswith("text/xml") and "<literal>Baghdad</literal>" in xml.text
    # q=0 is 'not acceptable': JSON is refused even beside */*
    not_json = requests.get(served + "/sparql", params=select, timeout=30,
                            headers={"Accept": "application/sparql-results+json;q=0, */*;q=0.5"})
    assert not_json.status_code == 200 and "json" not in not_json.headers["content-type"]
    assert requests.get(served + "/sparql", params=select, headers={"Accept": "image/png"}, timeout=30).status_code == 406
    ask = {"query": "ASK { ?s ?p ?o }"}
    csv = requests.get(served + "/sparql", params=ask, headers={"Accept": "text/csv"}, timeout=30)
    assert csv.status_code == 406 and "SELECT only" in csv.text  # CSV and TSV are defined for SELECT results
    fallback = requests.get(served + "/sparql", params=ask, timeout=30,
                            headers={"Accept": "text/csv, application/sparql-results+xml;q=0.5"})
    assert fallback.headers["content-type"].startswith("application/sparql-results+xml") and "<boolean>true" in fallback.text


def test_entity_documents_in_every_rdf_type_or_406(served: str) -> None:
    import rdflib

    url = served + KADHEMI
    turtle = rdflib.Graph().parse(data=requests.get(url, headers={"Accept": "text/turtle"}, timeout=30).text, format="turtle")
    for media, parser in (("application/rdf+xml", "xml"), ("text/n3", "n3"), ("application/n-quads", "nquads")):
        got = requests.get(url, headers={"Accept": media}, timeout=30)
        assert got.status_code == 200 and got.headers["content-type"].split(";")[0] == media, media
        assert "<html" not in got.text
        graph = rdflib.Dataset().parse(data=got.content, format=parser) if parser == "nquads" \
            else rdflib.Graph().parse(data=got.content, format=parser)
        assert len(graph) == len(turtle)
    # a browser's Accept gets the page; one that refuses HTML never gets it
    assert requests.get(url, headers={"Accept": "text/html;q=0, */*;q=0.1"}, timeout=30).headers["content-type"] \
        .startswith("text/turtle")
    refused = requests.get(url, headers={"Accept": "image/png"}, timeout=30)
    assert refused.status_code == 406 and "application/rdf+xml" in refused.text


def test_links_content_location_and_conditional_requests(served: str) -> None:
    url = served + KADHEMI
    for accept, fmt in (("text/turtle", "turtle"), ("text/html", "html"), ("application/ld+json", "jsonld")):
        got = requests.get(url, headers={"Accept": accept}, timeout=30)
        assert got.headers["content-location"] == f"{KADHEMI}?format={fmt}"
        alternates = re.findall(r'<([^>]*)>; rel="alternate"; type="([^"]*)"', got.headers["link"])
        assert alternates and all(target != got.headers["content-location"] for target, _ in alternates)
        assert accept not in {media for _, media in alternates}  # the others, not back to this one
        for target, media in alternates:
            other = requests.get(served + target, timeout=30)
            assert other.status_code == 200 and other.headers["content-type"].startswith(media)
    etag = requests.get(url, headers={"Accept": "text/turtle"}, timeout=30).headers["etag"]
    opaque = etag.removeprefix("W/")
    for condition in (etag, opaque, f'"other", {etag}', f"W/{opaque}", "*"):
        again = requests.get(url, headers={"Accept": "text/turtle", "If-None-Match": condition}, timeout=30)
        assert again.status_code == 304, condition
        assert again.headers["etag"] == etag
    assert requests.get(url, headers={"Accept": "text/turtle", "If-None-Match": '"other"'}, timeout=30).status_code == 200


def test_every_document_is_readable_from_any_origin_and_compressed(served: str) -> None:
    for path in (KADHEMI, "/", "/search.js", "/queries", "/kgpub/ontology", "/.well-known/void", "/sparql?query=ASK%7B%7D"):
        got = requests.get(served + path, headers={"Origin": "https://elsewhere.example", "Accept-Encoding": "gzip"},
                           timeout=30)
        assert got.status_code == 200 and got.headers["access-control-allow-origin"] == "*", path
        assert "Link" in got.headers["access-control-expose-headers"]
    page = requests.get(served + KADHEMI, headers={"Accept-Encoding": "gzip"}, timeout=30, stream=True)
    raw = page.raw.read(decode_content=False)
    assert page.headers["content-encoding"] == "gzip" and b"<h1>Mustafa al-Kadhemi</h1>" in gzip.decompress(raw)
    assert "Accept-Encoding" in page.headers["vary"]
    plain = requests.get(served + KADHEMI, headers={"Accept-Encoding": "identity"}, timeout=30)
    assert "content-encoding" not in plain.headers


# --------------------------------------------------------------------------- the service description


def test_get_sparql_gives_the_service_description(served: str, seed_build: Path) -> None:
    import rdflib
    from rdflib.namespace import Namespace

    sd = Namespace(SD)
    for accept, parser in (("text/turtle", "turtle"), ("application/rdf+xml", "xml"), ("*/*", "turtle"), ("", "turtle")):
        got = requests.get(served + "/sparql", headers={"Accept": accept} if accept else {}, timeout=30)
        assert got.status_code == 200, accept
        graph = rdflib.Graph().parse(data=got.content, format=parser)
        service = graph.value(predicate=rdflib.RDF.type, object=sd.Service)
        assert graph.value(service, sd.endpoint) == rdflib.URIRef(served + "/sparql")
        assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in set(graph.objects(service, sd.resultFormat))
        assert rdflib.URIRef("http://www.w3.org/ns/formats/RDF_XML") in set(graph.objects(service, sd.resultFormat))
        assert graph.value(service, sd.supportedLanguage) == sd.SPARQL11Query
        dataset = graph.value(service, sd.defaultDataset)
        default = graph.value(dataset, sd.defaultGraph)
        assert int(str(graph.value(default, rdflib.URIRef(VOID + "triples")))) == embedded(seed_build, COUNT)
        names = {graph.value(n, sd.name) for n in graph.objects(dataset, sd.namedGraph)}
        assert rdflib.URIRef(ENTITIES) in names
    editor = requests.get(served + "/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, timeout=30)
    assert '<textarea id="query"' in editor.text


def test_the_editor_writes_the_prefixes_so_its_query_runs_anywhere(served: str) -> None:
    page = requests.get(served + "/sparql", headers={"Accept": "text/html"}, timeout=30).text
    query = html.unescape(re.search(r'<textarea id="query"[^>]*>(.*?)</textarea>', page, re.DOTALL).group(1))  # type: ignore[union-attr]
    assert "PREFIX kg: <https://w3id.org/kgpub/ontology#>" in query and "PREFIX rdfs: " in query
    store = ox.Store()  # an engine that predeclares nothing
    store.add(ox.Quad(ox.NamedNode("https://w3id.org/kgpub/id/e"), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                      ox.NamedNode("https://w3id.org/kgpub/ontology#Event")))
    store.add(ox.Quad(ox.NamedNode("https://w3id.org/kgpub/id/e"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                      ox.Literal("an event")))
    assert [s["label"].value for s in store.query(query)] == ["an event"]  # type: ignore[union-attr]


# --------------------------------------------------------------------------- IRIs that dereference


def test_vocabulary_graph_and_dataset_iris_dereference(served: str, seed_build: Path) -> None:
    def rdf(path: str) -> list[ox.Triple]:
        got = requests.get(served + path, headers={"Accept": "text/turtle"}, timeout=30)
        assert got.status_code == 200 and got.headers["content-type"].startswith("text/turtle"), path
        return [q.triple for q in ox.parse(got.content, format=ox.RdfFormat.TURTLE)]

    ontology = rdf("/kgpub/ontology")  # kg:Event is https://w3id.org/kgpub/ontology#Event
    assert any(t.subject == ox.NamedNode("https://w3id.org/kgpub/ontology#Event") for t in ontology)
    page = requests.get(served + "/kgpub/ontology", headers={"Accept": "text/html"}, timeout=30).text
    assert 'id="Event"' in page  # the hash IRI opens on its row
    scheme = rdf("/kgpub/type/EventTypes")
    assert any(t.object == ox.NamedNode("http://www.w3.org/2004/02/skos/core#ConceptScheme") for t in scheme)
    assert rdf("/kgpub/type/Attack")
    graph = rdf("/kgpub/id/graph/entities")
    assert len(graph) == embedded(seed_build, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ENTITIES}> {{ ?s ?p ?o }} }}")
    quads = requests.get(served + "/kgpub/id/graph/entities", headers={"Accept": "application/n-quads"}, timeout=30)
    assert {q.graph_name.value for q in ox.parse(quads.content, format=ox.RdfFormat.N_QUADS)} == {ENTITIES}
    endpoint = served + "/sparql"
    for path in ("/kgpub/id/dataset", "/.well-known/void"):
        void = rdf(path)
        assert ox.Triple(ox.NamedNode("https://w3id.org/kgpub/id/dataset"), ox.NamedNode(VOID + "sparqlEndpoint"),
                         ox.NamedNode(endpoint)) in void
    assert rdf("/kgpub/id/dataset/class/kg-Agent")
    dump = requests.get(served + "/kgpub/dist/kg.nt", timeout=30)
    assert dump.status_code == 200 and dump.content == (seed_build / "kg.nt").read_bytes()
    entity = requests.get(served + KADHEMI, timeout=30)
    assert '</kgpub/id/dataset>; rel="describedby"' in entity.headers["link"]
    assert requests.get(served + "/kgpub/id/no-such-thing", timeout=30).status_code == 404


def test_startup_url_and_one_log_line_per_request(server: tuple[str, Path]) -> None:
    url, log = server
    marker = f"/kgpub/id/baghdad?probe={time.monotonic_ns()}"
    requests.get(url + marker, timeout=30)
    time.sleep(0.5)
    text = log.read_text(errors="replace")
    assert f"{url}/" in text.split("\n", 10)[-1] or f"{url}/" in text  # said at start-up
    assert len([line for line in text.splitlines() if marker in line and '" 200' in line]) == 1


# --------------------------------------------------------------------------- one build at a time


def test_a_rebuild_switches_pages_and_sparql_together(seeds_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    kgpub.build(seeds_copy, out)
    process, url = start_serve(out, tmp_path / "serve.log")
    label = {"query": "SELECT ?l WHERE { <https://w3id.org/kgpub/id/baghdad> rdfs:label ?l }"}

    def views() -> tuple[str, str, str, str]:
        page = requests.get(url + "/kgpub/id/baghdad", headers={"Accept": "text/html"}, timeout=30).text
        turtle = requests.get(url + "/kgpub/id/baghdad", headers={"Accept": "text/turtle"}, timeout=30).text
        search = requests.get(url + "/search.js", timeout=30).text
        rows = requests.get(url + "/sparql", params=label, timeout=30).json()["results"]["bindings"]
        return page, turtle, search, rows[0]["l"]["value"]

    try:
        page, turtle, search, value = views()
        assert "<h1>Baghdad</h1>" in page and '"Baghdad"' in turtle and '["Baghdad"' in search and value == "Baghdad"
        registry = seeds_copy / "entities.yaml"
        registry.write_text(registry.read_text().replace("    name: Baghdad\n", "    name: Baghdad City\n"))
        kgpub.build(seeds_copy, out)
        page, turtle, search, value = views()
        assert "<h1>Baghdad City</h1>" in page and '"Baghdad City"' in turtle and '["Baghdad City"' in search
        assert value == "Baghdad City"
        queried = requests.get(url + "/queries/about", params={"entity": "id:baghdad"}, timeout=60).text
        assert "Baghdad City" in queried
    finally:
        stop(process)
    assert "now served" in (tmp_path / "serve.log").read_text()
    shutil.rmtree(out, ignore_errors=True)
