"""Queries on a SPARQL 1.1 endpoint: a store that ``kgpub load`` filled, or any other.

The same query text, parameters and result types as a local query (see
:mod:`kgpub.sparql.local`), so a user moves from the build to a store without
rewriting anything: the predeclared prefixes are sent with the query, the
parameters are pre-bound into it, and the answer, whatever the store's
dialect (Virtuoso's ASK-as-SELECT, escaped slashes), becomes the same
:class:`~kgpub.sparql.results.SelectResult`.  Only a query ever leaves: the
text is parsed (by rdflib) before any request, and an update is refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, cast

from kgpub.errors import EndpointError, QueryError
from kgpub.rdf import vocab
from kgpub.sparql.lexer import READ_ONLY, declares_dataset
from kgpub.sparql.prebinding import prebound
from kgpub.sparql.results import AskResult, Dataset, GraphResult, Result, SelectResult


def query_form(text: str, offset: int = 0) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE, as a real SPARQL parser (rdflib's) reads ``text``; an update,
    whatever comments or prefixes stand before it, is refused, and text that is neither is a syntax error.

    Used before a query leaves for an endpoint: the endpoint must only ever get a query.  ``offset``: the
    lines put before the user's text (the predeclared prefixes), so errors point at the user's line.
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql import parser

    try:
        tree = parser.parseQuery(text)
    except ParseException as exc:
        try:
            parser.parseUpdate(text)
        except ParseException:
            raise QueryError(f"SPARQL syntax error at line {exc.lineno - offset}, column {exc.col}: "
                             f"{' '.join(str(exc.msg).split())[:120]}") from None
        raise QueryError(READ_ONLY) from None
    except Exception as exc:  # noqa: BLE001 - rdflib raises what it likes on odd input
        raise QueryError(f"SPARQL syntax error: {' '.join(str(exc).split())[:200]}") from None
    return {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
            "DescribeQuery": "DESCRIBE"}[tree[1].name]


#: What each query asks for: SPARQL results as JSON (in the media types SPARQLWrapper, which sent these
#: queries before, asked for), or a graph as N-Triples (Turtle where an endpoint has no N-Triples).
_RESULTS_ACCEPT = "application/sparql-results+json,application/json,text/javascript,application/javascript"
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"


def _client(user: str | None, password: str | None, timeout: float) -> Any:
    """The HTTP client of a query (:mod:`kgpub.http`): one attempt, a query not being worth sending twice to
    an endpoint that failed it; no ``~/.netrc`` login unless a user is given (see :mod:`kgpub.secrets`)."""
    from kgpub.http import Client

    return Client(user=user, password=password, timeout=timeout, attempts=1, netrc_without_user=False)


def _fields(query: str, dataset: Dataset | None, answer: str) -> list[tuple[str, str]]:
    """The form of a query: the graphs of its dataset, the text, and the answer's format named again in the
    parameters some endpoints read instead of ``Accept`` (Virtuoso's ``format``, others' ``output`` and
    ``results``), as SPARQLWrapper sent them."""
    fields = [("default-graph-uri", g) for g in dataset.default] if dataset else []
    fields += [("named-graph-uri", g) for g in dataset.named] if dataset else []
    return [*fields, ("query", query), *((name, answer) for name in ("format", "output", "results"))]


def store_dataset(endpoint: str, *, user: str | None = None, password: str | None = None,
                  timeout: float = 30.0) -> Dataset | None:
    """The dataset a query needs on a store that ``kgpub load`` filled, from its load manifest.

    None almost always: the load leaves the data where the store's own default
    graph shows it (the union of the graphs, or a copy of the data in a default
    graph of its own).  Only a build loaded into one named graph of a store whose
    default graph is its own, or into the hidden default graph of a Fuseki with
    ``unionDefaultGraph``, needs that graph named in each query.
    """
    query = f"SELECT ?g WHERE {{ GRAPH <{vocab.MANIFEST_GRAPH}> {{ <{vocab.MANIFEST_GRAPH}> <{vocab.KG}queryDefaultGraph> ?g }} }}"
    raw = _client(user, password, timeout).query(endpoint, _fields(query, None, "json"), _RESULTS_ACCEPT)[0]
    try:
        graphs = sorted(row["g"]["value"] for row in json.loads(raw)["results"]["bindings"])
    except (ValueError, KeyError, TypeError):
        return None  # an endpoint that cannot say: query its own default graph
    return Dataset(tuple(graphs), ()) if graphs else None


def run_remote(text: str, endpoint: str, *, params: dict[str, Any] | None = None, user: str | None = None,
               password: str | None = None, timeout: float = 30.0,
               dataset: Dataset | Callable[[], Dataset | None] | None = None) -> Result:
    """Run ``text`` on a SPARQL 1.1 endpoint, sent by :mod:`kgpub.http` (see :meth:`kgpub.http.Client.query`).

    Parameters are put in place of their variables as correctly escaped
    terms (``prebound``); the query uses a form POST (Virtuoso hangs on
    ``application/sparql-query`` bodies); Virtuoso's ASK-as-SELECT
    (``__ASK_RETVAL``) is read as a boolean.  ``dataset`` (or a function that
    asks the store for it, called once the text is known to be a query) names
    the graphs in the request, unless the query names its own with FROM.
    """
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in {**vocab.PREFIXES, "id": vocab.DEFAULT_BASE}.items())
    body = prologue + prebound(text, params or {})
    form = query_form(body, prologue.count("\n"))  # an update never leaves, however it is dressed: checked before any request
    if callable(dataset):
        dataset = dataset()
    graph_query = form in ("CONSTRUCT", "DESCRIBE")
    fields = _fields(body, dataset if not declares_dataset(text) else None, "n3" if graph_query else "json")
    raw, content_type = _client(user, password, timeout).query(endpoint, fields,
                                                                _GRAPH_ACCEPT if graph_query else _RESULTS_ACCEPT)
    return _remote_result(raw, content_type, graph_query, endpoint, ask=form == "ASK")


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _remote_result(raw: bytes, content_type: str, graph_query: bool, endpoint: str, ask: bool = False) -> Result:
    import pyoxigraph as ox

    if graph_query:
        fmt = ox.RdfFormat.N_TRIPLES if "n-triples" in content_type else ox.RdfFormat.TURTLE
        try:
            triples = [q.triple for q in ox.parse(raw, format=fmt)]
        except SyntaxError as exc:
            raise EndpointError(f"{endpoint}: malformed RDF in the answer: {_one_line(str(exc))}") from None
        return GraphResult(cast(bytes, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)))  # no output: bytes
    try:
        document = json.loads(raw)
        if "boolean" in document:
            return AskResult(bool(document["boolean"]))
        head = document["head"].get("vars", [])
        bindings = document["results"]["bindings"]
        if head == ["__ASK_RETVAL"]:  # Virtuoso answers ASK as a one-row SELECT
            return AskResult(bool(bindings) and bindings[0]["__ASK_RETVAL"]["value"] not in ("0", "false"))
        if ask:
            raise ValueError("an ASK was answered without a boolean")
        # Re-encode first (Virtuoso escapes "/" as "\/", which pyoxigraph's parser rejects inside IRIs),
        # then round-trip through pyoxigraph's parser: it checks the document and normalises it.
        solutions = ox.parse_query_results(json.dumps(document), format=ox.QueryResultsFormat.JSON)
        return SelectResult(cast(bytes, solutions.serialize(format=ox.QueryResultsFormat.JSON)))  # no output: bytes
    except (ValueError, KeyError, TypeError, SyntaxError) as exc:
        raise EndpointError(f"{endpoint}: malformed SPARQL results ({content_type or 'no content type'}): "
                         f"{_one_line(str(exc))}") from None
