"""``kgpub serve`` held to clients nobody here wrote: Apache Jena's ``rsparql`` and ``arq`` (a federated
``SERVICE`` query), rdflib's ``SPARQLStore`` on the default graph and on a named graph, SPARQLWrapper in every
return format with its defaults, and Comunica.  Each answer must equal the embedded engine's
(``kgpub.query`` over the same build): what a client reads is what the build says.

The tools come from Maven Central (scripts/java-deps.sh) and npm (scripts/npm-deps.sh), both run by
scripts/test.sh; in CI a missing one fails its tests.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.dom.minidom import Document

import pytest
import requests
from conftest import require
from kgserve import (
    Served,
    comunica,
    jena_tool,
    run_comunica,
    run_jena,
    start_serve,
    stop_serve,
)
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS, XSD
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import Result, ResultRow
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

import kgpub
from kgpub.sparql.results import AskResult, GraphResult, SelectResult

pytestmark = [pytest.mark.integration, pytest.mark.external, pytest.mark.slow]  # slow: a running kgpub serve and its clients

PROLOGUE = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX kg: <https://w3id.org/kgpub/ontology#>
"""
ENTITIES = "https://w3id.org/kgpub/id/graph/entities"
KADHEMI = "https://w3id.org/kgpub/id/mustafa-al-kadhemi"

#: Patterns the SELECT queries and the federated ones share: IRIs, plain, typed and language-tagged literals,
#: unbound OPTIONAL values, aggregates over named graphs.
PATTERNS = {
    "agents": ("?agent ?label", "?agent a kg:Agent ; rdfs:label ?label ."),
    "events": ("?event ?label ?date", "?event a kg:Event ; rdfs:label ?label . OPTIONAL { ?event kg:date ?date }"),
    "english": ("?term ?label", '?term rdfs:label ?label FILTER (lang(?label) = "en")'),
    "graphs": ("?g (COUNT(*) AS ?n)", "GRAPH ?g { ?s ?p ?o }", "GROUP BY ?g"),
}
SELECTS = {name: PROLOGUE + f"SELECT {p[0]} WHERE {{ {p[1]} }} {p[2] if len(p) > 2 else ''}"
           for name, p in PATTERNS.items()}
ASKS = {"ask-true": PROLOGUE + f"ASK {{ <{KADHEMI}> rdfs:label ?l }}",
        "ask-false": PROLOGUE + "ASK { ?s kg:noSuchProperty ?o }"}
GRAPHS = {"construct": PROLOGUE + "CONSTRUCT { ?e rdfs:label ?l ; kg:date ?d } WHERE { ?e a kg:Event ; rdfs:label ?l ; "
                                  "kg:date ?d }",
          "describe": PROLOGUE + f"DESCRIBE <{KADHEMI}>"}
QUERIES = {**SELECTS, **ASKS, **GRAPHS}


@pytest.fixture(scope="module")
def served(seed_build: Path) -> Iterator[Served]:
    server = start_serve(seed_build, "--timeout", "30")
    yield server
    stop_serve(server)


# --------------------------------------------------------------------------- answers in one canonical form

Term = tuple[str, str, str]  # kind (uri, literal, bnode), value, datatype or @lang
Row = tuple[tuple[str, Term], ...]


def _term_of_json(cell: dict[str, str]) -> Term:
    kind = {"typed-literal": "literal"}.get(cell["type"], cell["type"])
    if kind == "bnode":
        return ("bnode", "", "")
    if kind == "uri":
        return ("uri", cell["value"], "")
    if "xml:lang" in cell:
        return ("literal", cell["value"], "@" + cell["xml:lang"].lower())
    datatype = cell.get("datatype", "")
    return ("literal", cell["value"], "" if datatype == str(XSD.string) else datatype)


def _term_of_rdflib(term: Any) -> Term:
    if isinstance(term, URIRef):
        return ("uri", str(term), "")
    if isinstance(term, BNode):
        return ("bnode", "", "")
    assert isinstance(term, Literal), term
    if term.language:
        return ("literal", str(term), "@" + term.language.lower())
    datatype = str(term.datatype) if term.datatype else ""
    return ("literal", str(term), "" if datatype == str(XSD.string) else datatype)


def rows_of_json(document: dict[str, Any]) -> list[Row]:
    return sorted(tuple(sorted((v, _term_of_json(c)) for v, c in b.items())) for b in document["results"]["bindings"])


def rows_of_rdflib(result: Result) -> list[Row]:
    rows = []
    for row in result:
        assert isinstance(row, ResultRow)
        rows.append(tuple(sorted((str(v), _term_of_rdflib(t)) for v, t in row.asdict().items() if t is not None)))
    return sorted(rows)


def rows_of_dom(document: Document) -> list[Row]:
    """The rows of a SPARQL XML results document, read from the DOM SPARQLWrapper gives."""
    rows = []
    for result in document.getElementsByTagName("result"):
        row = []
        for binding in result.getElementsByTagName("binding"):
            node = next(n for n in binding.childNodes if n.nodeType == n.ELEMENT_NODE)
            text = "".join(t.data for t in node.childNodes if t.nodeType == t.TEXT_NODE)
            cell: dict[str, str] = {"type": node.tagName, "value": text}
            if node.getAttribute("xml:lang"):
                cell["xml:lang"] = node.getAttribute("xml:lang")
            if node.getAttribute("datatype"):
                cell["datatype"] = node.getAttribute("datatype")
            row.append((binding.getAttribute("name"), _term_of_json(cell)))
        rows.append(tuple(sorted(row)))
    return sorted(rows)


def csv_rows(result: SelectResult) -> tuple[list[str], list[tuple[str, ...]]]:
    """What the W3C CSV format of ``result`` must hold: the variables, and per row each value's string
    (an IRI's text, a literal's lexical form, nothing when unbound)."""
    variables = list(result.variables)
    return variables, sorted(tuple(row.get(v, {}).get("value", "") for v in variables) for row in result.rows)


def embedded(name: str, seed_build: Path) -> SelectResult | AskResult | GraphResult:
    return kgpub.query(QUERIES[name], seed_build)


def expected_rows(name: str, seed_build: Path) -> list[Row]:
    result = embedded(name, seed_build)
    assert isinstance(result, SelectResult)
    rows = rows_of_json(result.parsed)
    assert rows, f"{name} has no rows over the seeds: it would prove nothing"
    return rows


def expected_graph(name: str, seed_build: Path) -> Graph:
    result = embedded(name, seed_build)
    assert isinstance(result, GraphResult)
    graph = Graph().parse(data=result.ntriples.decode("utf-8"), format="nt")
    assert len(graph) > 0
    return graph


def expected_boolean(name: str, seed_build: Path) -> bool:
    result = embedded(name, seed_build)
    assert isinstance(result, AskResult)
    return result.value


# --------------------------------------------------------------------------- Apache Jena: rsparql and arq


def need_jena(tool: str) -> None:
    require(jena_tool(tool), f"Apache Jena's {tool} (scripts/java-deps.sh)")


@pytest.mark.parametrize("name", list(QUERIES))
def test_jena_rsparql_gets_the_embedded_answer(name: str, served: Served, seed_build: Path, tmp_path: Path) -> None:
    need_jena("rsparql")
    query = tmp_path / "q.rq"
    query.write_text(QUERIES[name], encoding="utf-8")
    graph_query = name in GRAPHS
    run = run_jena("rsparql", "--service", served.endpoint, "--query", str(query),
                   "--results", "nt" if graph_query else "json")
    assert run.returncode == 0, run.stderr[-2000:]
    if graph_query:
        assert isomorphic(Graph().parse(data=run.stdout, format="nt"), expected_graph(name, seed_build))
    elif name in ASKS:
        assert json.loads(run.stdout)["boolean"] is expected_boolean(name, seed_build)
    else:
        assert rows_of_json(json.loads(run.stdout)) == expected_rows(name, seed_build)


@pytest.mark.parametrize("name", ["events", "graphs"])
def test_jena_arq_federates_to_the_endpoint(name: str, served: Served, seed_build: Path, tmp_path: Path) -> None:
    """arq runs the query itself and sends the SERVICE block's pattern to ``serve``: the endpoint is one part of
    a query it did not see whole, as when another dataset joins ours."""
    need_jena("arq")
    head, pattern, *tail = PATTERNS[name]
    federated = PROLOGUE + f"SELECT {head} WHERE {{ SERVICE <{served.endpoint}> {{ {pattern} }} }} {' '.join(tail)}"
    query = tmp_path / "federated.rq"
    query.write_text(federated, encoding="utf-8")
    run = run_jena("arq", "--query", str(query), "--results", "json")
    assert run.returncode == 0, run.stderr[-2000:]
    assert rows_of_json(json.loads(run.stdout)) == expected_rows(name, seed_build)


# --------------------------------------------------------------------------- rdflib's SPARQLStore


def test_rdflib_sparqlstore_on_the_default_graph(served: Served, seed_build: Path) -> None:
    graph = Graph(SPARQLStore(served.endpoint))
    count = kgpub.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", seed_build)
    assert isinstance(count, SelectResult)
    assert len(graph) == int(count.rows[0]["n"]["value"]) > 0
    for name in ("agents", "events", "english"):
        assert rows_of_rdflib(graph.query(SELECTS[name])) == expected_rows(name, seed_build), name
    labels = {(str(s), str(o)) for s, _, o in graph.triples((URIRef(KADHEMI), RDFS.label, None))}
    assert labels == {(KADHEMI, "Mustafa al-Kadhemi")}


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore_on_a_named_graph_answers_from_that_graph(method: str, served: Served,
                                                                     seed_build: Path) -> None:
    """Bound to the entities graph, the store sends ``default-graph-uri`` (in the URL, or in the form it posts):
    its answers are that graph's, not the whole dataset's (the 2,880-for-192 mistake)."""
    graph = Graph(SPARQLStore(served.endpoint, method=method), identifier=URIRef(ENTITIES))
    count = kgpub.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ENTITIES}> {{ ?s ?p ?o }} }}", seed_build)
    whole = kgpub.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", seed_build)
    assert isinstance(count, SelectResult) and isinstance(whole, SelectResult)
    in_graph = int(count.rows[0]["n"]["value"])
    assert 0 < in_graph < int(whole.rows[0]["n"]["value"])
    assert len(graph) == in_graph
    labels = kgpub.query(PROLOGUE + f"SELECT ?s ?l WHERE {{ GRAPH <{ENTITIES}> {{ ?s rdfs:label ?l }} }}", seed_build)
    assert isinstance(labels, SelectResult) and labels.rows
    got = graph.query(PROLOGUE + "SELECT ?s ?l WHERE { ?s rdfs:label ?l }")
    assert rows_of_rdflib(got) == rows_of_json(labels.parsed)
    triples = {(str(s), str(o)) for s, _, o in graph.triples((None, RDFS.label, None))}
    assert triples == {(row["s"]["value"], row["l"]["value"]) for row in labels.rows}


# --------------------------------------------------------------------------- SPARQLWrapper, every return format


def wrapper(served: Served, query: str, fmt: str | None) -> Any:
    """SPARQLWrapper's answer, converted as it converts by default (GET, its own Accept for the format)."""
    client = SPARQLWrapper(served.endpoint)
    client.setQuery(query)
    if fmt is not None:
        client.setReturnFormat(fmt)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # "unknown response content type": not what it asked for
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)  # its RDF/XML graph
        return client.query().convert()


@pytest.mark.parametrize("name", list(SELECTS))
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select_in_every_format(name: str, fmt: str, served: Served, seed_build: Path) -> None:
    got = wrapper(served, SELECTS[name], fmt)
    if fmt == JSON:
        assert rows_of_json(got) == expected_rows(name, seed_build)
    elif fmt == XML:
        assert isinstance(got, Document) and rows_of_dom(got) == expected_rows(name, seed_build)
    elif fmt == CSV:
        assert isinstance(got, bytes)
        header, *rows = list(csv.reader(io.StringIO(got.decode("utf-8"), newline="")))
        result = embedded(name, seed_build)
        assert isinstance(result, SelectResult)
        assert (header, sorted(tuple(r) for r in rows)) == csv_rows(result)
    else:
        assert isinstance(got, bytes)
        assert rows_of_rdflib(Result.parse(io.StringIO(got.decode("utf-8")), format="tsv")) == \
            expected_rows(name, seed_build)


@pytest.mark.parametrize("name", list(ASKS))
@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_ask(name: str, fmt: str, served: Served, seed_build: Path) -> None:
    got = wrapper(served, ASKS[name], fmt)
    if fmt == JSON:
        assert got["boolean"] is expected_boolean(name, seed_build)
    else:
        assert isinstance(got, Document)
        (node,) = got.getElementsByTagName("boolean")
        text = "".join(t.data for t in node.childNodes if t.nodeType == t.TEXT_NODE)
        assert text.strip() == str(expected_boolean(name, seed_build)).lower()


@pytest.mark.parametrize("name", list(GRAPHS))
@pytest.mark.parametrize("fmt", [None, RDFXML, TURTLE, N3, JSONLD], ids=["default", "rdfxml", "turtle", "n3", "jsonld"])
def test_sparqlwrapper_graph_queries(name: str, fmt: str | None, served: Served, seed_build: Path) -> None:
    """By default SPARQLWrapper asks CONSTRUCT and DESCRIBE for RDF/XML and converts the answer to an rdflib
    graph; Turtle and N3 it hands back as text."""
    got = wrapper(served, GRAPHS[name], fmt)
    if fmt in (TURTLE, N3):
        assert isinstance(got, bytes)
        got = Graph().parse(data=got.decode("utf-8"), format="turtle")
    assert isinstance(got, Graph), f"convert() gave {type(got).__name__}, not a graph"
    plain = Graph()
    for triple in got:
        plain.add(triple)
    assert isomorphic(plain, expected_graph(name, seed_build))


# --------------------------------------------------------------------------- Comunica


def need_comunica() -> None:
    require(comunica(), "Comunica (@comunica/query-sparql, scripts/npm-deps.sh)")


@pytest.mark.parametrize("name", list(QUERIES))
def test_comunica_gets_the_embedded_answer(name: str, served: Served, seed_build: Path) -> None:
    need_comunica()
    graph_query = name in GRAPHS
    run = run_comunica(served.endpoint, QUERIES[name],
                       "application/n-triples" if graph_query else "application/sparql-results+json")
    assert run.returncode == 0, run.stderr[-2000:]
    if graph_query:
        assert isomorphic(Graph().parse(data=run.stdout, format="nt"), expected_graph(name, seed_build))
    elif name in ASKS:
        assert json.loads(run.stdout)["boolean"] is expected_boolean(name, seed_build)
    else:
        assert rows_of_json(json.loads(run.stdout)) == expected_rows(name, seed_build)


# --------------------------------------------------------------------------- the editor's query, elsewhere


def editor_query(served: Served) -> str:
    page = requests.get(served.endpoint, headers={"Accept": "text/html"}, timeout=60)
    assert page.status_code == 200
    found = re.search(r'<textarea id="query"[^>]*>(.*?)</textarea>', page.text, re.DOTALL)
    assert found is not None, "no query editor at /sparql"
    return html.unescape(found.group(1))


@pytest.mark.parametrize("client", ["rsparql", "comunica"])
def test_the_editors_query_runs_in_other_clients(client: str, served: Served, seed_build: Path, tmp_path: Path) -> None:
    """The editor writes its PREFIX lines in: a query copied from it runs in a client that knows none of the
    prefixes ``serve`` predeclares, with the embedded engine's answer."""
    query = editor_query(served)
    local = kgpub.query(query, seed_build)
    assert isinstance(local, SelectResult) and local.rows
    if client == "rsparql":
        need_jena("rsparql")
        (tmp_path / "q.rq").write_text(query, encoding="utf-8")
        run = run_jena("rsparql", "--service", served.endpoint, "--query", str(tmp_path / "q.rq"), "--results", "json")
    else:
        need_comunica()
        run = run_comunica(served.endpoint, query, "application/sparql-results+json")
    assert run.returncode == 0, run.stderr[-2000:]
    assert rows_of_json(json.loads(run.stdout)) == rows_of_json(local.parsed)


# --------------------------------------------------------------------------- Jena's riot over the documents


def test_jena_riot_validates_an_entity_document_in_every_rdf_format(served: Served, tmp_path: Path) -> None:
    """Each RDF representation of an entity's document, as ``serve`` negotiates it, is valid to a strict parser
    that is not ours, and all say the same."""
    need_jena("riot")
    files = {}
    for media_type, suffix in (("text/turtle", "ttl"), ("application/n-triples", "nt"), ("application/ld+json", "jsonld"),
                               ("application/rdf+xml", "rdf")):
        answer = requests.get(served.url + "/kgpub/id/mustafa-al-kadhemi", headers={"Accept": media_type}, timeout=60)
        assert answer.status_code == 200, (media_type, answer.status_code)
        assert answer.headers["content-type"].split(";")[0] == media_type, (media_type, answer.headers["content-type"])
        files[suffix] = tmp_path / f"doc.{suffix}"
        files[suffix].write_bytes(answer.content)
    checked = run_jena("riot", "--validate", "--strict", *map(str, files.values()))
    complaints = [line for line in checked.stderr.splitlines() if not re.search(r"INFO +riot +:: File: ", line)]
    assert checked.returncode == 0 and complaints == [], checked.stderr[-2000:]
    graphs = {}
    for suffix, path in files.items():
        out = run_jena("riot", "--output", "nt", str(path))
        assert out.returncode == 0, out.stderr[-2000:]
        graphs[suffix] = Graph().parse(data=out.stdout, format="nt")
    assert len(graphs["ttl"]) > 0 and all(isomorphic(g, graphs["ttl"]) for g in graphs.values())
