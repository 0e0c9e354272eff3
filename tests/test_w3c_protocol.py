"""The W3C SPARQL 1.1 Protocol tests and Service Description tests, read from their manifests
(``shared/w3c-sparql-protocol``) and run against ``kgpub serve``.

Each protocol test names the graphs its dataset holds (``ut:graphData``): they are written, under their names,
into the ``kg.trig`` of a small real build, and ``serve`` serves that folder.  The update tests apply to a
read-only endpoint as requests it must refuse: every update request must get a 4xx, the queries that follow
must find nothing changed (their ASK is false), and the dataset must hold as many quads as before.  The run's
summary says how many passed.  Requests are sent with exactly the manifest's method, headers and body.
"""

from __future__ import annotations

import http.client
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import SUMMARY, in_ci, require, write_corpus
from kgserve import Served, start_serve, stop_serve
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF
from w3c_protocol import (
    ProtocolTest,
    Request,
    protocol_tests,
    service_description_tests,
    shared_folder,
)

import kgpub

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # slow: a running kgpub serve

SHARED = shared_folder()
SUITE = SHARED / "w3c-sparql-protocol" if SHARED else None
TESTS = protocol_tests(SUITE) if SUITE else []
SD_TESTS = service_description_tests(SUITE) if SUITE else []
PASSED: list[str] = []
SD_PASSED: list[str] = []
RAN: list[str] = []  # every test that started, so a run of a few says "of those run"
SD_RAN: list[str] = []

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
RESULTS = {"application/sparql-results+xml": "xml", "application/sparql-results+json": "json",
           "text/csv": "csv", "text/tab-separated-values": "tsv"}
#: The RDF formats the manifest names for CONSTRUCT and DESCRIBE (RDFa aside: nothing here writes HTML answers).
RDF_TYPES = {"application/rdf+xml": "xml", "text/turtle": "turtle", "application/n-triples": "nt"}


@pytest.fixture(scope="module", autouse=True)
def summary() -> Iterator[None]:
    yield
    updates = sum(1 for t in TESTS if any(r.is_update and r.statuses & {2, 3} for r in t.requests))
    def counted(passed: list[str], ran: list[str], total: int) -> str:
        return f"{len(passed)}/{total} passed" + (f" ({len(ran)} run)" if len(ran) != total else "")

    SUMMARY.append(f"W3C SPARQL 1.1 Protocol tests: {counted(PASSED, RAN, len(TESTS))} against kgpub serve "
                   f"({updates} update tests run as requests a read-only endpoint must refuse); "
                   f"W3C Service Description tests: {counted(SD_PASSED, SD_RAN, len(SD_TESTS))}")


def test_the_suite_is_there() -> None:
    """The manifests are read from shared/ beside the checkout; in CI their absence fails the run."""
    if SUITE is None and in_ci():
        pytest.fail("shared/w3c-sparql-protocol is not beside the checkout (nor in $KGPUB_SHARED)")
    require(SUITE, "shared/w3c-sparql-protocol (beside the checkout, or $KGPUB_SHARED)")
    assert len(TESTS) == 34 and len(SD_TESTS) == 3
    assert sum(1 for t in TESTS if t.updates) >= 7


# --------------------------------------------------------------------------- the datasets the tests name


def dataset_folder(root: Path, graphs: tuple[tuple[str, Path], ...]) -> Path:
    """A real build of a one-article corpus whose kg.trig also holds each of ``graphs`` under its name."""
    out = root / "dist"
    kgpub.build(write_corpus(root / "seeds"), out)
    with open(out / "kg.trig", "a", encoding="utf-8") as trig:
        trig.writelines(f"\n<{iri}> {{\n{file.read_text(encoding='utf-8')}}}\n" for iri, file in graphs)
    return out


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """``serve`` on the dataset of given graphs, one server per distinct dataset, started when first asked."""
    running: dict[tuple[tuple[str, Path], ...], Served] = {}

    def server(graphs: tuple[tuple[str, Path], ...]) -> Served:
        if graphs not in running:
            running[graphs] = start_serve(dataset_folder(tmp_path_factory.mktemp("w3c-data"), graphs))
        return running[graphs]

    yield server
    for served in running.values():
        stop_serve(served)


# --------------------------------------------------------------------------- one request, sent as written


def send(served: Served, request: Request) -> tuple[int, str, bytes]:
    """Status, media type and body of the response to ``request`` sent with exactly its method, headers and body
    (no Accept a library would add); a redirect, which the tests allow, is followed."""
    path = request.at(urlsplit(served.endpoint).path)
    for _ in range(5):
        target = urlsplit(served.url + path) if path.startswith("/") else urlsplit(path)
        connection = http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port or 80, timeout=90)
        try:
            connection.request(request.method, target.path + (f"?{target.query}" if target.query else ""),
                               body=request.body, headers=dict(request.headers))
            response = connection.getresponse()
            status, body = response.status, response.read()
            media = (response.getheader("content-type") or "").split(";")[0].strip().lower()
            location = response.getheader("location")
        finally:
            connection.close()
        if 300 <= status < 400 and location:
            path = location
            continue
        return status, media, body
    raise AssertionError(f"{request.path}: more than 5 redirects")


def boolean_of(media: str, body: bytes) -> bool:
    kind = RESULTS.get(media)
    assert kind in ("xml", "json"), f"an ASK answered as {media!r}, not SPARQL XML or JSON results"
    if kind == "json":
        value = json.loads(body)["boolean"]
        assert isinstance(value, bool)
        return value
    node = ET.fromstring(body).find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert node is not None and node.text in ("true", "false"), body[:300]
    return node.text == "true"


def check_tabular(media: str, body: bytes) -> None:
    kind = RESULTS.get(media)
    assert kind is not None, f"a SELECT answered as {media!r}, not XML, JSON, CSV or TSV results"
    from rdflib.query import Result

    result = Result.parse(source=io.BytesIO(body), format=kind)
    assert result.type == "SELECT" and [str(v) for v in result.vars or []] == ["value"]


def check_rdf(media: str, body: bytes) -> None:
    kind = RDF_TYPES.get(media)
    assert kind is not None, f"a graph answered as {media!r}, not RDF/XML, Turtle or N-Triples"
    Graph().parse(data=body, format=kind)


def quads(served: Served) -> int:
    """How many triples the dataset holds, default graph and named graphs, as the endpoint counts them."""
    query = Request("POST", "/sparql/", (("content-type", "application/sparql-query"),
                                         ("accept", "application/sparql-results+json")),
                    b"SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
                    frozenset({2}), None, None)
    status, _, body = send(served, query)
    assert status == 200, body[:300]
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_w3c_sparql_protocol(test: ProtocolTest, servers: Any) -> None:
    RAN.append(test.name)
    served = servers(test.graphs)
    before = quads(served) if test.updates else None
    for request in test.requests:
        status, media, body = send(served, request)
        where = f"{test.name} ({test.title}): {request.method} {request.path[:100]}"
        if request.is_update and request.statuses & {2, 3}:  # read-only: the update must be refused
            assert 400 <= status < 500, f"{where}: an update on a read-only endpoint got {status}, not a 4xx"
            continue
        assert status // 100 in request.statuses, \
            f"{where}: status {status}, expected {sorted(request.statuses)}xx: {body[:300]!r}"
        if request.format == "boolean":
            value = boolean_of(media, body)
            if request.boolean is not None:
                expected = request.boolean and not test.updates  # after a refused update nothing is there to find
                assert value is expected, f"{where}: ASK gave {value}"
        elif request.format == "tabular":
            check_tabular(media, body)
        elif request.format == "RDF":
            check_rdf(media, body)
    if before is not None:
        assert quads(served) == before, f"{test.name}: the dataset changed"
    PASSED.append(test.name)


# --------------------------------------------------------------------------- Service Description

SD_TERMS = {SD[n] for n in [
    "Service", "Language", "Function", "Aggregate", "EntailmentRegime", "EntailmentProfile", "Feature",
    "GraphCollection", "Dataset", "Graph", "NamedGraph", "SPARQL10Query", "SPARQL11Query", "SPARQL11Update",
    "DereferencesURIs", "UnionDefaultGraph", "RequiresDataset", "EmptyGraphs", "BasicFederatedQuery", "endpoint",
    "feature", "defaultEntailmentRegime", "defaultSupportedEntailmentProfile", "extensionFunction",
    "extensionAggregate", "languageExtension", "supportedLanguage", "propertyFeature", "defaultDataset",
    "availableGraphs", "resultFormat", "inputFormat", "defaultGraph", "namedGraph", "name", "graph",
    "entailmentRegime", "supportedEntailmentProfile"]}
#: Properties whose value is a resource, never a literal (their ranges in the Service Description vocabulary).
SD_RESOURCE_VALUED = {SD[n] for n in [
    "endpoint", "feature", "defaultEntailmentRegime", "defaultSupportedEntailmentProfile", "extensionFunction",
    "extensionAggregate", "languageExtension", "supportedLanguage", "propertyFeature", "defaultDataset",
    "availableGraphs", "resultFormat", "inputFormat", "defaultGraph", "namedGraph", "name", "graph",
    "entailmentRegime", "supportedEntailmentProfile"]}
#: Properties whose value must be an IRI: an address, a name, a language or format the spec names by IRI.
SD_IRI_VALUED = {SD.endpoint, SD.name, SD.supportedLanguage, SD.resultFormat, SD.inputFormat, SD.feature}
SD_LANGUAGES = {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}
SD_FEATURES = {SD.DereferencesURIs, SD.UnionDefaultGraph, SD.RequiresDataset, SD.EmptyGraphs, SD.BasicFederatedQuery}
#: An RDF client's Accept: RDF only, Turtle first.
RDF_ACCEPT = "text/turtle, application/rdf+xml;q=0.9, application/n-triples;q=0.8"


def service_description(served: Served) -> tuple[int, str, bytes]:
    request = Request("GET", "/sparql/", (("accept", RDF_ACCEPT),), None, frozenset({2}), "RDF", None)
    return send(served, request)


def described(served: Served) -> Graph:
    status, media, body = service_description(served)
    assert status == 200, f"GET {served.endpoint} with Accept: {RDF_ACCEPT} gave {status}: {body[:200]!r}"
    assert media in RDF_TYPES, f"the service description came as {media!r}"
    return Graph().parse(data=body, format=RDF_TYPES[media])


def conformance_problems(graph: Graph) -> list[str]:
    """What in a service description breaks the Service Description vocabulary: unknown sd: terms, a literal
    where a resource is meant, a language or feature the spec does not define, a service with no endpoint, a
    named graph without its one IRI name, a read-only service that claims SPARQL Update."""
    problems = []
    used = {p for p in graph.predicates() if str(p).startswith(str(SD))} | \
        {o for o in graph.objects(None, None) if isinstance(o, URIRef) and str(o).startswith(str(SD))}
    problems += [f"{t} is not a term of the vocabulary" for t in sorted(str(u) for u in used - SD_TERMS)]
    for s, p, o in graph:
        if p in SD_RESOURCE_VALUED and isinstance(o, Literal):
            problems.append(f"{p} has the literal {o!r}, not a resource")
        elif p in SD_IRI_VALUED and not isinstance(o, URIRef):
            problems.append(f"{p} of {s} is not an IRI")
    services = set(graph.subjects(RDF.type, SD.Service)) | set(graph.subjects(SD.endpoint, None))
    if not services:
        problems.append("no sd:Service")
    for service in services:
        if (service, RDF.type, SD.Service) not in graph:
            problems.append(f"{service} is not typed sd:Service")
        if graph.value(service, SD.endpoint) is None:
            problems.append(f"{service} has no sd:endpoint")
        languages = set(graph.objects(service, SD.supportedLanguage))
        problems += [f"{lang} is not a SPARQL language" for lang in languages - SD_LANGUAGES]
        if SD.SPARQL11Query not in languages:
            problems.append("sd:SPARQL11Query is not among the supported languages")
        if SD.SPARQL11Update in languages:
            problems.append("a read-only service claims sd:SPARQL11Update")
        problems += [f"{f} is not a feature of the vocabulary" for f in graph.objects(service, SD.feature)
                     if str(f).startswith(str(SD)) and f not in SD_FEATURES]
    for named in set(graph.objects(None, SD.namedGraph)):
        names = list(graph.objects(named, SD.name))
        if len(names) != 1:
            problems.append(f"a named graph has {len(names)} sd:name values, not one")
    for dataset in graph.objects(None, SD.defaultDataset):
        if not isinstance(dataset, URIRef | BNode):
            problems.append("sd:defaultDataset is not a resource")
    return problems


@pytest.mark.parametrize("name", [n for n, _ in SD_TESTS])
def test_w3c_service_description(name: str, servers: Any) -> None:
    SD_RAN.append(name)
    served = servers(())
    if name == "returns-rdf":  # asked for RDF, and asked for nothing in particular (no Accept at all)
        for headers in ((("accept", RDF_ACCEPT),), ()):
            request = Request("GET", "/sparql/", headers, None, frozenset({2}), "RDF", None)
            status, media, body = send(served, request)
            assert status == 200 and media in RDF_TYPES, \
                f"GET on the endpoint with {headers or 'no Accept'} gave {status} {media!r}: {body[:200]!r}"
            assert len(Graph().parse(data=body, format=RDF_TYPES[media])) > 0
    elif name == "has-endpoint-triple":
        graph = described(served)
        assert any(graph.subjects(SD.endpoint, URIRef(served.endpoint))), \
            f"no sd:endpoint <{served.endpoint}> in the service description"
    elif name == "conforms-to-schema":
        assert conformance_problems(described(served)) == []
    else:
        pytest.fail(f"unknown Service Description test {name}")
    SD_PASSED.append(name)
