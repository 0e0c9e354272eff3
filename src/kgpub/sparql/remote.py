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
import re
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


def _wrapper(endpoint: str, user: str | None, password: str | None, timeout: float) -> Any:
    from SPARQLWrapper import POST, URLENCODED, SPARQLWrapper

    client = SPARQLWrapper(endpoint)
    client.setMethod(POST)
    client.setRequestMethod(URLENCODED)
    client.timeout = timeout  # type: ignore[assignment]  # a float reaches urlopen as it is; setTimeout() would truncate 0.5 to 0, which means no limit at all
    if user:
        client.setCredentials(user, password or "")
    return client


def store_dataset(endpoint: str, *, user: str | None = None, password: str | None = None,
                  timeout: float = 30.0) -> Dataset | None:
    """The dataset a query needs on a store that ``kgpub load`` filled, from its load manifest.

    None almost always: the load leaves the data where the store's own default
    graph shows it (the union of the graphs, or a copy of the data in a default
    graph of its own).  Only a build loaded into one named graph of a store whose
    default graph is its own, or into the hidden default graph of a Fuseki with
    ``unionDefaultGraph``, needs that graph named in each query.
    """
    from SPARQLWrapper import JSON

    client = _wrapper(endpoint, user, password, timeout)
    client.setQuery(f"SELECT ?g WHERE {{ GRAPH <{vocab.MANIFEST_GRAPH}> {{ <{vocab.MANIFEST_GRAPH}> <{vocab.KG}queryDefaultGraph> ?g }} }}")
    client.setReturnFormat(JSON)
    raw = _send(client, endpoint, timeout, user, password)[0]
    try:
        graphs = sorted(row["g"]["value"] for row in json.loads(raw)["results"]["bindings"])
    except (ValueError, KeyError, TypeError):
        return None  # an endpoint that cannot say: query its own default graph
    return Dataset(tuple(graphs), ()) if graphs else None


def run_remote(text: str, endpoint: str, *, params: dict[str, Any] | None = None, user: str | None = None,
               password: str | None = None, timeout: float = 30.0,
               dataset: Dataset | Callable[[], Dataset | None] | None = None) -> Result:
    """Run ``text`` on a SPARQL 1.1 endpoint through SPARQLWrapper.

    Parameters are put in place of their variables as correctly escaped
    terms (``prebound``); the query uses a form POST (Virtuoso hangs on
    ``application/sparql-query`` bodies); Virtuoso's ASK-as-SELECT
    (``__ASK_RETVAL``) is read as a boolean.  ``dataset`` (or a function that
    asks the store for it, called once the text is known to be a query) names
    the graphs in the request, unless the query names its own with FROM.
    """
    from SPARQLWrapper import JSON, N3

    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in {**vocab.PREFIXES, "id": vocab.DEFAULT_BASE}.items())
    body = prologue + prebound(text, params or {})
    form = query_form(body, prologue.count("\n"))  # an update never leaves, however it is dressed: checked before any request
    if callable(dataset):
        dataset = dataset()
    client = _wrapper(endpoint, user, password, timeout)
    client.setQuery(body)
    client.queryType = form  # what the parser read, not SPARQLWrapper's guess from the text
    if dataset is not None and not declares_dataset(text):
        for graph in dataset.default:
            client.addDefaultGraph(graph)
        for graph in dataset.named:
            client.addNamedGraph(graph)
    kind = client.queryType
    graph_query = kind in ("CONSTRUCT", "DESCRIBE")
    client.setReturnFormat(N3 if graph_query else JSON)
    if graph_query:
        client.addCustomHttpHeader("Accept", "application/n-triples, text/turtle;q=0.9")
    raw, content_type = _send(client, endpoint, timeout, user, password)
    return _remote_result(raw, content_type, graph_query, endpoint, ask=form == "ASK")


def _send(client: Any, endpoint: str, timeout: float, user: str | None = None,
          password: str | None = None) -> tuple[bytes, str]:
    """The answer's body and content type; every failure a one-line QueryError, credentials masked."""
    import urllib.error

    from SPARQLWrapper import SPARQLExceptions as errors

    from kgpub.secrets import redact

    def _excerpt(text: str) -> str:
        return _one_line(redact(text, user, password))

    import time

    deadline = time.monotonic() + timeout
    try:
        response = client.query().response
        chunks = []
        while chunk := response.read1(65536):  # what has arrived, so a trickling server meets the deadline
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise TimeoutError
        raw = b"".join(chunks)
        content_type = response.headers.get("Content-Type", "")
    except errors.Unauthorized:
        raise EndpointError(f"{endpoint}: HTTP 401 Unauthorized: check --user and KGPUB_PASSWORD") from None
    except errors.SPARQLWrapperException as exc:
        status = _STATUS.get(type(exc), "error")
        body = _response_body(str(exc))
        raise EndpointError(f"{endpoint}: HTTP {status}: {_excerpt(body) or type(exc).__name__}") from None
    except urllib.error.HTTPError as exc:
        body_text = exc.read().decode("utf-8", "replace") if exc.fp else ""
        raise EndpointError(f"{endpoint}: HTTP {exc.code} {exc.reason}: {_excerpt(body_text)}") from None
    except urllib.error.URLError as exc:
        raise EndpointError(f"{endpoint}: cannot reach the endpoint: {exc.reason}") from None
    except TimeoutError:
        raise EndpointError(f"{endpoint}: no complete answer within {timeout:g} s") from None
    except OSError as exc:
        raise EndpointError(f"{endpoint}: connection failed: {exc}") from None
    return raw, content_type


def _response_body(message: str) -> str:
    """The server's answer that SPARQLWrapper folds into its exception text as ``Response: b'...'``."""
    import ast

    match = re.search(r"Response:\s*(b(['\"]).*\2)\s*$", message, flags=re.DOTALL)
    if match is None:
        return ""
    try:
        return ast.literal_eval(match.group(1)).decode("utf-8", "replace")
    except (ValueError, SyntaxError):
        return match.group(1)


def _status_names() -> dict[type, str]:
    from SPARQLWrapper import SPARQLExceptions as errors

    return {errors.QueryBadFormed: "400 Bad Request", errors.Unauthorized: "401 Unauthorized",
            errors.EndPointNotFound: "404 Not Found", errors.URITooLong: "414 URI Too Long",
            errors.EndPointInternalError: "500 Internal Server Error"}


class _LazyStatus(dict):  # type: ignore[type-arg]
    """SPARQLWrapper's exception classes by HTTP status, filled on first use (keeps imports lazy)."""

    def get(self, key, default=None):  # type: ignore[no-untyped-def, override]
        if not self:
            self.update(_status_names())
        return super().get(key, default)


_STATUS = _LazyStatus()


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
