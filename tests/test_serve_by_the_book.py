"""``kgpub serve`` of the seeds, held to the SPARQL 1.1 Protocol, the SPARQL 1.1 Service Description and HTTP's
content negotiation, conditional requests, compression and CORS, each as the spec words it:

* the protocol's dataset: ``default-graph-uri`` and ``named-graph-uri`` are honoured, or the request is refused
  with 400; never the whole dataset's answer with a 200;
* one ``query`` per request (more is a 400);
* ``GET /sparql`` without a query, asked for RDF, is the service description (SD §2: "should return a service
  description document at the service endpoint when dereferenced using the HTTP GET operation");
* an RDF type asked for is given, or 406 (RFC 9110 §15.5.7), never another type in its place;
* the graph's own IRIs (ontology, concepts, graphs, the dataset) dereference to RDF;
* every document may be read by any origin, is compressed when the client asks, and carries a validator that
  ``If-None-Match`` compares weakly (RFC 9110 §13.1.2).
"""

from __future__ import annotations

import gzip
import http.client
from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode, urlsplit

import pytest
import requests
from kgserve import Served, start_serve, stop_serve
from rdflib import Graph, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF
from SPARQLWrapper import GET, JSON, POST, SPARQLWrapper

import kgpub
from kgpub.sparql.results import SelectResult

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # slow: a running kgpub serve

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
FORMATS = "http://www.w3.org/ns/formats/"
ENTITIES = "https://w3id.org/kgpub/id/graph/entities"
KADHEMI_PATH = "/kgpub/id/mustafa-al-kadhemi"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CONSTRUCT = ("PREFIX kg: <https://w3id.org/kgpub/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
             "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a kg:Event ; rdfs:label ?l }")
RDF_ACCEPT = "text/turtle, application/rdf+xml;q=0.9, application/n-triples;q=0.8"
#: Media types of the result formats the W3C names at http://www.w3.org/ns/formats/.
FORMAT_TYPES = {"SPARQL_Results_JSON": "application/sparql-results+json",
                "SPARQL_Results_XML": "application/sparql-results+xml", "SPARQL_Results_CSV": "text/csv",
                "SPARQL_Results_TSV": "text/tab-separated-values", "Turtle": "text/turtle",
                "N-Triples": "application/n-triples", "RDF_XML": "application/rdf+xml", "JSON-LD": "application/ld+json",
                "N-Quads": "application/n-quads", "TriG": "application/trig", "N3": "text/n3"}
PARSERS = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/n-triples": "nt",
           "application/ld+json": "json-ld", "application/n-quads": "nquads", "text/n3": "n3"}


@pytest.fixture(scope="module")
def served(seed_build: Path) -> Iterator[Served]:
    server = start_serve(seed_build, "--timeout", "10")
    yield server
    stop_serve(server)


def count_of(result: object) -> int:
    assert isinstance(result, SelectResult)
    return int(result.rows[0]["n"]["value"])


def get(served: Served, path: str, accept: str = "*/*", **headers: str) -> requests.Response:
    return requests.get(served.url + path, headers={"Accept": accept, **headers}, timeout=60)


def media(response: requests.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


# --------------------------------------------------------------------------- the protocol's dataset


def test_default_graph_uri_of_the_entities_graph_counts_that_graph(served: Served, seed_build: Path) -> None:
    in_graph = count_of(kgpub.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ENTITIES}> {{ ?s ?p ?o }} }}", seed_build))
    assert 0 < in_graph < count_of(kgpub.query(COUNT, seed_build))
    for how in ("GET", "POST form", "POST direct"):
        if how == "GET":
            answer = requests.get(served.endpoint, params={"query": COUNT, "default-graph-uri": ENTITIES},
                                  headers={"Accept": "application/sparql-results+json"}, timeout=60)
        elif how == "POST form":
            answer = requests.post(served.endpoint, data={"query": COUNT, "default-graph-uri": ENTITIES},
                                   headers={"Accept": "application/sparql-results+json"}, timeout=60)
        else:
            answer = requests.post(served.endpoint + "?" + urlencode({"default-graph-uri": ENTITIES}), data=COUNT,
                                   headers={"Accept": "application/sparql-results+json",
                                            "Content-Type": "application/sparql-query"}, timeout=60)
        assert answer.status_code in (200, 400), how
        if answer.status_code == 200:
            got = int(answer.json()["results"]["bindings"][0]["n"]["value"])
            assert got == in_graph, f"{how}: default-graph-uri <{ENTITIES}> counted {got}, that graph holds {in_graph}"


def test_named_graph_uri_limits_the_named_graphs(served: Served) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    answer = requests.get(served.endpoint, params={"query": query, "named-graph-uri": ENTITIES},
                          headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert answer.status_code in (200, 400)
    if answer.status_code == 200:
        graphs = {row["g"]["value"] for row in answer.json()["results"]["bindings"]}
        assert graphs == {ENTITIES}


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_add_default_graph_is_honoured_or_refused(method: str, served: Served, seed_build: Path) -> None:
    client = SPARQLWrapper(served.endpoint)
    client.setQuery(COUNT)
    client.setReturnFormat(JSON)
    client.setMethod(method)
    client.addDefaultGraph(ENTITIES)
    in_graph = count_of(kgpub.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ENTITIES}> {{ ?s ?p ?o }} }}", seed_build))
    try:
        got = client.query().convert()
    except HTTPError as exc:  # SPARQLWrapper raises on a 400 (QueryBadFormed wraps it)
        assert exc.code == 400
        return
    except Exception as exc:  # noqa: BLE001 - SPARQLWrapper's QueryBadFormed for a 400
        assert type(exc).__name__ == "QueryBadFormed", exc
        return
    assert isinstance(got, dict) and int(got["results"]["bindings"][0]["n"]["value"]) == in_graph


def test_two_queries_are_a_400(served: Served) -> None:
    twice = [("query", "ASK {}"), ("query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1")]
    assert requests.get(served.endpoint, params=twice, timeout=60).status_code == 400
    assert requests.post(served.endpoint, data=twice, timeout=60).status_code == 400


# --------------------------------------------------------------------------- the service description


def service_description(served: Served, accept: str = RDF_ACCEPT) -> Graph:
    answer = requests.get(served.endpoint, headers={"Accept": accept}, timeout=60)
    assert answer.status_code == 200, f"GET /sparql with Accept: {accept} gave {answer.status_code}: {answer.text[:200]}"
    assert media(answer) in PARSERS, media(answer)
    return Graph().parse(data=answer.content, format=PARSERS[media(answer)])


def test_get_sparql_asked_for_rdf_is_a_service_description(served: Served, seed_build: Path) -> None:
    """It names the endpoint, the formats it answers in (each of which it then does answer in) and its default
    graph."""
    graph = service_description(served)
    (service,) = set(graph.subjects(SD.endpoint, URIRef(served.endpoint)))
    assert (service, RDF.type, SD.Service) in graph
    assert SD.SPARQL11Query in set(graph.objects(service, SD.supportedLanguage))
    formats = {str(f) for f in graph.objects(service, SD.resultFormat)}
    for needed in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle"):
        assert FORMATS + needed in formats, f"sd:resultFormat does not name {needed}"
    for fmt in formats:  # what it says it gives, it gives
        media_type = FORMAT_TYPES.get(fmt.removeprefix(FORMATS))
        assert media_type is not None, f"unknown result format {fmt}"
        query = "ASK {}" if media_type.startswith(("application/sparql", "text/csv", "text/tab")) else CONSTRUCT
        if media_type in ("text/csv", "text/tab-separated-values"):
            query = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
        answer = requests.get(served.endpoint, params={"query": query}, headers={"Accept": media_type}, timeout=60)
        assert answer.status_code == 200 and media(answer) == media_type, (fmt, answer.status_code, media(answer))
    dataset = graph.value(service, SD.defaultDataset)
    assert dataset is not None, "no sd:defaultDataset"
    default = graph.value(dataset, SD.defaultGraph)
    assert default is not None, "the default dataset has no sd:defaultGraph"
    triples = graph.value(default, VOID.triples)
    if triples is not None:
        assert int(str(triples)) == count_of(kgpub.query(COUNT, seed_build))


def test_the_service_description_names_the_endpoint_as_it_was_reached(served: Served) -> None:
    """Reached as localhost, the description's sd:endpoint is the localhost URL: the one the client used."""
    port = urlsplit(served.url).port
    answer = requests.get(f"http://localhost:{port}/sparql", headers={"Accept": "text/turtle"}, timeout=60)
    assert answer.status_code == 200 and media(answer) == "text/turtle"
    graph = Graph().parse(data=answer.content, format="turtle")
    assert any(graph.subjects(SD.endpoint, URIRef(f"http://localhost:{port}/sparql"))), \
        {str(o) for o in graph.objects(None, SD.endpoint)}


def test_the_service_description_in_rdf_xml_or_406(served: Served) -> None:
    answer = requests.get(served.endpoint, headers={"Accept": "application/rdf+xml"}, timeout=60)
    assert answer.status_code in (200, 406), answer.status_code
    if answer.status_code == 200:
        assert media(answer) == "application/rdf+xml"
        graph = Graph().parse(data=answer.content, format="xml")
        assert any(graph.subjects(SD.endpoint, URIRef(served.endpoint)))


# --------------------------------------------------------------------------- the type asked for, or 406


@pytest.mark.parametrize("query", [CONSTRUCT, "DESCRIBE <https://w3id.org/kgpub/id/mustafa-al-kadhemi>"],
                         ids=["construct", "describe"])
def test_graph_answers_in_rdf_xml_or_406(query: str, served: Served, seed_build: Path) -> None:
    answer = requests.get(served.endpoint, params={"query": query}, headers={"Accept": "application/rdf+xml"}, timeout=60)
    assert answer.status_code in (200, 406), answer.status_code
    if answer.status_code == 200:
        assert media(answer) == "application/rdf+xml", f"asked for RDF/XML, got {media(answer)}"
        local = kgpub.query(query, seed_build)
        got = Graph().parse(data=answer.content, format="xml")
        assert isomorphic(got, Graph().parse(data=local.ntriples.decode(), format="nt"))  # type: ignore[union-attr]


@pytest.mark.parametrize("accept", ["application/rdf+xml", "application/n-quads", "text/n3"])
def test_an_entity_document_in_an_rdf_type_or_406_never_html(accept: str, served: Served) -> None:
    answer = get(served, KADHEMI_PATH, accept)
    assert answer.status_code in (200, 406), answer.status_code
    if answer.status_code == 200:
        assert media(answer) == accept, f"asked for {accept}, got {media(answer)}"
        graph = Graph().parse(data=answer.content, format=PARSERS[accept])
        assert any(graph.triples((URIRef("https://w3id.org/kgpub/id/mustafa-al-kadhemi"), None, None)))


def test_q_zero_means_not_acceptable(served: Served) -> None:
    """RFC 9110 §12.4.2: "a value of 0 means not acceptable"; a type so marked is never the answer."""
    page = get(served, KADHEMI_PATH, "text/turtle;q=0")
    assert page.status_code in (200, 406) and media(page) != "text/turtle", media(page)
    page = get(served, KADHEMI_PATH, "text/turtle;q=0, text/html")
    assert media(page) == "text/html"
    select = {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}
    rows = requests.get(served.endpoint, params=select, timeout=60,
                        headers={"Accept": "application/sparql-results+json;q=0"})
    assert rows.status_code in (200, 406) and media(rows) != "application/sparql-results+json", media(rows)
    rows = requests.get(served.endpoint, params=select, timeout=60,
                        headers={"Accept": "application/sparql-results+json;q=0, application/sparql-results+xml"})
    assert rows.status_code == 200 and media(rows) == "application/sparql-results+xml"


def test_text_xml_gets_xml_results(served: Served) -> None:
    rows = requests.get(served.endpoint, params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"},
                        headers={"Accept": "text/xml"}, timeout=60)
    assert rows.status_code == 200 and media(rows) in ("text/xml", "application/sparql-results+xml")
    assert b"http://www.w3.org/2005/sparql-results#" in rows.content


def test_an_ask_asked_as_csv_is_not_json(served: Served) -> None:
    """The CSV results format has no boolean: an ASK asked only for CSV is a 406 or CSV, never JSON under a
    name it was not asked for."""
    answer = requests.get(served.endpoint, params={"query": "ASK {}"}, headers={"Accept": "text/csv"}, timeout=60)
    assert answer.status_code in (200, 406)
    if answer.status_code == 200:
        assert media(answer) == "text/csv"


# --------------------------------------------------------------------------- the graph's own IRIs


@pytest.mark.parametrize("iri", ["https://w3id.org/kgpub/ontology", "https://w3id.org/kgpub/ontology#Person",
                                 "https://w3id.org/kgpub/type/Killed", ENTITIES, "https://w3id.org/kgpub/id/dataset"],
                         ids=["ontology", "ontology-term", "concept", "named-graph", "dataset"])
def test_the_graphs_own_iris_give_turtle(iri: str, served: Served, seed_build: Path) -> None:
    """Dereferenced (a fragment stays with the client), each gives Turtle, directly or after a 303, that says
    something of the IRI."""
    path = urlsplit(iri).path
    answer = get(served, path, "text/turtle")
    assert answer.status_code == 200, f"{path}: {answer.status_code}"
    assert all(r.status_code in (301, 302, 303, 307, 308) for r in answer.history)
    assert media(answer) == "text/turtle", f"{path}: {media(answer)}"
    graph = Graph().parse(data=answer.content, format="turtle")
    node = URIRef(iri)
    mentioned = any(graph.triples((node, None, None))) or any(graph.triples((None, None, node)))
    if iri == ENTITIES and not mentioned:  # a named graph's document may be the graph itself: all of its triples
        held = kgpub.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}", seed_build)
        content = Graph().parse(data=held.ntriples.decode(), format="nt")  # type: ignore[union-attr]
        assert len(content) > 0 and all(t in graph for t in content), f"{path}: neither of {iri} nor its triples"
    else:
        assert mentioned, f"{path}: nothing of {iri}"
    if iri == "https://w3id.org/kgpub/ontology":
        assert (node, RDF.type, OWL.Ontology) in graph


def test_a_crawl_from_one_entity_finds_no_dead_link(served: Served) -> None:
    """Every IRI under https://w3id.org/kgpub/ that a document names (its fragment aside) dereferences to Turtle:
    followed from one entity through everything it reaches."""
    root = "https://w3id.org/kgpub/"
    seen: set[str] = set()
    queue, dead = ["https://w3id.org/kgpub/id/mustafa-al-kadhemi"], []
    while queue and len(seen) < 5000:
        iri = queue.pop()
        if iri in seen:
            continue
        seen.add(iri)
        answer = get(served, urlsplit(iri).path, "text/turtle")
        if answer.status_code != 200 or media(answer) != "text/turtle":
            dead.append(f"{iri}: {answer.status_code} {media(answer)}")
            continue
        for triple in Graph().parse(data=answer.content, format="turtle"):
            for term in triple:
                if isinstance(term, URIRef) and str(term).startswith(root):
                    queue.append(str(term).split("#")[0])
    assert not dead, f"{len(dead)} dead links in {len(seen)} documents: {dead[:10]}"
    assert len(seen) > 50  # the crawl went somewhere


def test_void_is_found_from_the_server(served: Served) -> None:
    void = get(served, "/.well-known/void", "text/turtle")
    assert void.status_code == 200 and media(void) == "text/turtle", void.status_code
    graph = Graph().parse(data=void.content, format="turtle")
    endpoints = {str(e) for e in graph.objects(None, VOID.sparqlEndpoint)}
    assert endpoints and all(e.endswith("/sparql") for e in endpoints), endpoints
    page = get(served, KADHEMI_PATH, "text/turtle")
    assert 'rel="describedby"' in page.headers.get("link", ""), page.headers.get("link")


# --------------------------------------------------------------------------- CORS, compression, validators, links


@pytest.mark.parametrize("accept", ["text/html", "text/turtle", "application/ld+json"])
def test_an_entity_document_carries_cors(accept: str, served: Served) -> None:
    answer = get(served, KADHEMI_PATH, accept, Origin="https://app.example")
    assert answer.status_code == 200
    assert answer.headers.get("access-control-allow-origin") in ("*", "https://app.example")


def raw_get(served: Served, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """A GET whose body is read as sent (requests would undo the compression)."""
    connection = http.client.HTTPConnection("127.0.0.1", urlsplit(served.url).port, timeout=60)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("what", ["results", "graph", "page"])
def test_gzip_is_used_when_asked(what: str, served: Served) -> None:
    path, accept = {"results": ("/sparql?" + urlencode({"query": "SELECT * WHERE { ?s ?p ?o }"}),
                                "application/sparql-results+json"),
                    "graph": ("/sparql?" + urlencode({"query": "CONSTRUCT WHERE { ?s ?p ?o }"}), "application/n-triples"),
                    "page": (KADHEMI_PATH, "text/html")}[what]
    status, headers, plain = raw_get(served, path, Accept=accept)
    assert status == 200 and headers.get("content-encoding") in (None, "identity")
    status, headers, packed = raw_get(served, path, Accept=accept, **{"Accept-Encoding": "gzip, deflate"})
    assert status == 200 and headers.get("content-encoding") == "gzip", headers
    assert len(packed) < len(plain) and gzip.decompress(packed) == plain
    assert "accept-encoding" in headers.get("vary", "").lower()


def test_if_none_match_compares_weakly_and_takes_lists(served: Served) -> None:
    first = get(served, KADHEMI_PATH, "text/turtle")
    tag = first.headers["etag"]
    opaque = tag.removeprefix("W/")
    for header in (tag, opaque, "W/" + opaque, f'"nothing-like-it", {tag}', "*"):
        again = get(served, KADHEMI_PATH, "text/turtle", **{"If-None-Match": header})
        assert again.status_code == 304, f"If-None-Match: {header} gave {again.status_code}"
    assert get(served, KADHEMI_PATH, "text/turtle", **{"If-None-Match": '"other"'}).status_code == 200


def test_alternate_links_point_at_each_format_and_content_location_says_which(served: Served) -> None:
    page = get(served, KADHEMI_PATH, "text/html")
    links = requests.utils.parse_header_links(page.headers.get("link", ""))
    alternates = {link["type"]: link["url"] for link in links if link.get("rel") == "alternate" and "type" in link}
    assert {"text/turtle", "application/ld+json", "application/n-triples"} <= set(alternates)
    assert len(set(alternates.values())) == len(alternates), f"alternates share a URL: {alternates}"
    for kind, url in alternates.items():
        answer = requests.get(requests.compat.urljoin(served.url + KADHEMI_PATH, url), timeout=60)
        assert answer.status_code == 200 and media(answer) == kind, (kind, url, media(answer))
    turtle = get(served, KADHEMI_PATH, "text/turtle")
    location = turtle.headers.get("content-location")
    assert location and location != KADHEMI_PATH, location
    again = requests.get(requests.compat.urljoin(served.url + KADHEMI_PATH, location), timeout=60)
    assert media(again) == "text/turtle" and again.content == turtle.content


# --------------------------------------------------------------------------- what an error says


def test_an_update_posted_as_sparql_update_is_refused_as_an_update(served: Served) -> None:
    answer = requests.post(served.endpoint, data="CLEAR ALL", headers={"Content-Type": "application/sparql-update"},
                           timeout=60)
    assert 400 <= answer.status_code < 500
    assert "read-only" in answer.text and "give a query" not in answer.text, answer.text


def test_the_service_refusal_names_no_option_serve_lacks(served: Served) -> None:
    answer = requests.get(served.endpoint, params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }"},
                          timeout=60)
    assert answer.status_code == 400 and "SERVICE" in answer.text
    assert "--allow-service" not in answer.text, answer.text


def test_a_stopped_query_says_when_to_retry(served: Served) -> None:
    answer = requests.get(served.endpoint, timeout=120, params={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"})
    assert answer.status_code == 503
    assert answer.headers.get("retry-after", "").isdigit(), answer.headers


def test_results_are_never_cut_silently(seed_build: Path, tmp_path: Path) -> None:
    """Past ``--max-rows`` the answer is refused, or says it was cut: never a 200 that looks whole."""
    server = start_serve(seed_build, "--max-rows", "5")
    try:
        answer = requests.get(server.endpoint, params={"query": "SELECT * WHERE { ?s ?p ?o }"},
                              headers={"Accept": "application/sparql-results+json"}, timeout=60)
    finally:
        stop_serve(server)
    if answer.status_code == 200:
        rows = answer.json()["results"]["bindings"]
        if len(rows) <= 5:  # cut: a header must say so (Warning, or one naming the limit or the truncation)
            said = [f"{k}: {v}" for k, v in answer.headers.items()
                    if k.lower() == "warning" or any(w in f"{k} {v}".lower() for w in ("truncat", "partial", "max-rows",
                                                                                      "limit"))]
            assert said, f"{len(rows)} rows with a 200 and no header saying the answer was cut: {dict(answer.headers)}"
    else:
        assert 400 <= answer.status_code < 600
