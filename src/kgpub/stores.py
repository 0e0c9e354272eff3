"""Stage 7 — publish a build into a triple store over the W3C Graph Store Protocol.

Each named graph of the build (articles, registry, provenance, and the
ontology) lands whole or not at all, so a re-load never duplicates and a failed
request leaves that graph as it was: a graph the store holds already is
replaced with one ``PUT``; graphs it does not hold yet travel in bulk, whole
graphs batched into gzip-compressed N-Quads requests sent several at a time
through the store's documented dataset operation, each request one transaction.
Every ``PUT`` payload is parsed back locally before it is sent (some servers
empty the target graph when a PUT fails on bad syntax).  A manifest graph in
the store records the content hash and the role (data, provenance, ontology) of
every graph loaded, so only graphs that changed are sent again, and so ``kgpub
query --endpoint`` can ask the store for exactly the dataset the embedded
engine answers from, whatever the store makes of its default graph.  After
loading, what the store holds is compared with what was sent (the whole dataset
in one read after a bulk load, else graph by graph): a store that rewrites
terms (canonical numbers, lower-cased language tags, IRI escapes) is named in a
warning with an example, never passed over.

The payloads are made from lines, not terms: pyoxigraph serializes the build's
TriG once as N-Quads, cut per graph with byte operations (:func:`_build_payloads`),
the same bytes and hashes the term-based reference (:func:`_build_graphs`,
:func:`_payload`) gives, in a fraction of the time.

Every request goes through :mod:`kgpub.http` (retries, the deadline of an
answer, credentials masked in every message); this module only says what to
send and judges what comes back.
"""

from __future__ import annotations

import hashlib
import re
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox

from kgpub.rdf import formats, vocab
from kgpub.errors import StoreError, UsageError
from kgpub.http import Client, check as _check, excerpt as _excerpt, shown as _body
from kgpub.secrets import safe_url as _safe

ONTOLOGY_GRAPH = vocab.ONTOLOGY_GRAPH
MANIFEST_GRAPH = vocab.MANIFEST_GRAPH
FLAVORS = ("fuseki", "graphdb", "rdf4j", "virtuoso", "oxigraph", "gsp")
#: The role of each graph as the manifest records it: the embedded engine's default graph is the union
#: of the data graphs and the ontology; provenance is reached with GRAPH.
DATA, PROVENANCE, ONTOLOGY = vocab.KG + "DataGraph", vocab.KG + "ProvenanceGraph", vocab.KG + "OntologyGraph"
#: How each store names its own default graph inside a SPARQL dataset (``default-graph-uri``), where it
#: has a name: Fuseki's with ``unionDefaultGraph`` is otherwise hidden behind the union of its named graphs.
#: The syntaxes sent and read back, from the format table: graphs go as N-Triples lines (in the Turtle
#: media type when PUT, see :func:`_payload`), datasets as N-Quads; SPARQL answers are asked for as JSON.
TURTLE, NTRIPLES, NQUADS = (formats.by_rdf_format(f) for f in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES,
                                                                 ox.RdfFormat.N_QUADS))
SPARQL_JSON = ox.QueryResultsFormat.JSON.media_type
DEFAULT_GRAPH_NAMES = {"fuseki": "urn:x-arq:DefaultGraph", "rdf4j": "http://rdf4j.org/schema/rdf4j#nil",
                       "graphdb": "http://www.openrdf.org/schema/sesame#nil"}


@dataclass(frozen=True)
class Endpoints:
    """Where a store takes graphs (Graph Store Protocol) and answers queries."""

    flavor: str
    graph_store: str
    query: str
    graph_param: str = "graph"
    #: Whether the Graph Store Protocol end point takes ``?default`` (Virtuoso's does not).
    has_default_graph: bool = True

    def graph_url(self, graph: str | None) -> str:
        if graph is None:
            return f"{self.graph_store}?default"
        return f"{self.graph_store}?{urllib.parse.urlencode({self.graph_param: graph})}"


def guess_flavor(url: str) -> str | None:
    """The store behind ``url`` when its layout says so unambiguously."""
    parsed = urllib.parse.urlparse(url)
    if "/rdf4j-server/repositories/" in parsed.path:
        return "rdf4j"
    if "/repositories/" in parsed.path:
        return "graphdb"
    if parsed.path.rstrip("/").endswith(("/sparql", "/sparql-graph-crud", "/sparql-graph-crud-auth")) or parsed.port == 8890:
        return "virtuoso"
    if parsed.port == 3030:
        return "fuseki"
    if parsed.port == 7200:
        return "graphdb"
    if parsed.port == 7878:
        return "oxigraph"
    return None


def endpoints(url: str, flavor: str | None = None, *, graph_store: str | None = None,
              query_endpoint: str | None = None, authenticated: bool = False) -> Endpoints:
    """The URLs of each flavor's documented layout, from the base URL a user knows."""
    flavor = flavor or ("gsp" if graph_store else guess_flavor(url))
    if flavor is None:
        raise UsageError(f"{url}: cannot tell which store this is; give --flavor ({', '.join(FLAVORS)})")
    base = url.rstrip("/")
    if flavor == "fuseki":  # BASE/DATASET
        return Endpoints(flavor, f"{base}/data", f"{base}/sparql")
    if flavor in ("graphdb", "rdf4j"):  # BASE/repositories/REPO: GraphDB implements RDF4J's REST protocol
        return Endpoints(flavor, f"{base}/rdf-graphs/service", base)
    if flavor == "virtuoso":
        root = base.rsplit("/sparql", 1)[0] if "/sparql" in base else base
        crud = "/sparql-graph-crud-auth" if authenticated else "/sparql-graph-crud"
        return Endpoints(flavor, root + crud, root + "/sparql", graph_param="graph-uri", has_default_graph=False)
    if flavor == "oxigraph":
        return Endpoints(flavor, f"{base}/store", f"{base}/query")
    if flavor == "gsp":
        if not graph_store or not query_endpoint:
            raise UsageError("--flavor gsp needs --graph-store URL and --query-endpoint URL")
        return Endpoints(flavor, graph_store, query_endpoint)
    raise UsageError(f"unknown flavor {flavor!r}; one of {', '.join(FLAVORS)}")


# --------------------------------------------------------------------------- what to send


@dataclass
class GraphPlan:
    """One graph to load: its IRI (None for the default graph), role, payload and content hash."""

    iri: str | None
    payload: bytes
    triples: int
    sha256: str
    role: str = DATA
    action: str = "send"  # send | unchanged
    in_store: int | None = None
    status: str = ""
    #: How the store changed what it was sent, when it did: one example line.
    note: str = ""


def _build_graphs(build: Path, target: str | None, default_graph: bool) -> dict[str | None, tuple[str, list[Any]]]:
    """The graphs to load, each with its role: the build's named graphs (their roles are typed in its
    provenance graphs) and the ontology, or everything merged into one graph (then a data graph)."""
    from kgpub.output.folder import require_build

    trig, ontology = build / "kg.trig", build / "ontology.ttl"
    require_build(build)
    graphs: dict[str | None, list[Any]] = {}
    roles: dict[str, str] = {}
    for quad in ox.parse(path=str(trig), format=ox.RdfFormat.TRIG):
        graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
        if quad.predicate.value == vocab.RDF + "type" and quad.object.value in (DATA, PROVENANCE):
            roles[quad.subject.value] = quad.object.value
    if ontology.is_file():
        graphs[ONTOLOGY_GRAPH] = [q.triple for q in ox.parse(path=str(ontology), format=ox.RdfFormat.TURTLE)]
        roles[ONTOLOGY_GRAPH] = ONTOLOGY
    if target is None and not default_graph:
        return {iri: (roles.get(str(iri), DATA), triples) for iri, triples in graphs.items()}
    merged: list[Any] = []
    for triples in graphs.values():
        merged.extend(triples)
    return {None if default_graph else target: (DATA, merged)}


def _payload(triples: list[Any]) -> tuple[bytes, str, int]:
    """The payload for ``triples`` (checked by parsing it back) and its hash.

    N-Triples, sent as Turtle (of which it is a subset): no prefixed names, so
    no local-name escapes such as ``id:article\\/x``, which Virtuoso stores with
    the backslash kept, silently changing the IRIs.
    """
    lines = sorted(set(cast(bytes, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)).decode("utf-8").splitlines()))
    payload = ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
    try:
        again = list(ox.parse(payload, format=ox.RdfFormat.TURTLE))
    except SyntaxError as exc:  # never expected: a local bug must not empty a remote graph
        raise StoreError(f"refusing to send a payload that does not parse back: {exc}") from None
    if len(set(again)) != len(lines):
        raise StoreError("refusing to send a payload that does not round-trip")
    return payload, hashlib.sha256(payload).hexdigest(), len(lines)


def _graph_label(body: bytes, p_end: int) -> int:
    """Where the graph label of an N-Quads statement (without its final `` .``) starts, or -1 for the
    default graph: ``p_end`` is the space after the predicate.  Subjects, predicates and graph labels hold
    no space; an object does only when it is a literal, and then its closing quote comes after its last
    space, while a graph label holds no quote."""
    if body[p_end + 1:p_end + 2] == b'"':
        last = body.rfind(b" ")
        return last + 1 if last > p_end and b'"' not in body[last + 1:] else -1
    space = body.find(b" ", p_end + 1)
    return space + 1 if space >= 0 else -1


def _split_nquads(nquads: bytes) -> dict[bytes | None, list[bytes]]:
    """N-Quads grouped by graph label (``b"<iri>"``; None for the default graph), each statement as the
    N-Triples line (`` .`` included) the same serializer writes for its triple: plain byte operations, no
    term objects, so a million statements take a second or two, not a minute."""
    graphs: dict[bytes | None, list[bytes]] = {}
    for line in nquads.split(b"\n"):
        if not line:
            continue
        body = line[:-2]  # without " ."
        p_end = body.index(b" ", body.index(b" ") + 1)
        start = _graph_label(body, p_end)
        if start < 0:
            graphs.setdefault(None, []).append(line)
        else:
            graphs.setdefault(body[start:], []).append(body[:start - 1] + b" .")
    return graphs


def _sorted_payload(lines: Any) -> tuple[bytes, str, int]:
    """The payload of N-Triples ``lines``: unique, sorted (UTF-8 byte order is code point order, the order
    :func:`_payload` sorts in), one a line; its hash, the manifest's; its triple count."""
    unique = list(dict.fromkeys(sorted(lines)))  # sorted first: runs already in order cost little
    payload = b"\n".join(unique) + b"\n" if unique else b""
    return payload, hashlib.sha256(payload).hexdigest(), len(unique)


@dataclass
class BuildGraph:
    """One graph of the build as it will be sent: role, payload, hash and size."""

    role: str
    payload: bytes
    sha256: str
    triples: int


def _build_payloads(build: Path, target: str | None, default_graph: bool, default_copy: bool = False
                    ) -> dict[str | None, BuildGraph]:
    """The graphs to load, as :func:`_build_graphs` and :func:`_payload` make them (the same bytes and
    hashes, tested), but read as lines: the build's TriG serialized once as N-Quads by pyoxigraph and cut
    per graph.  With ``default_copy``, also the default graph's copy (see :func:`_default_copy`)."""
    from kgpub.output.folder import require_build

    trig, ontology = build / "kg.trig", build / "ontology.ttl"
    require_build(build)
    groups = _split_nquads(ox.serialize(ox.parse(path=str(trig), format=ox.RdfFormat.TRIG),
                                        format=ox.RdfFormat.N_QUADS) or b"")
    graphs: dict[str | None, list[bytes]] = {
        (None if label is None else label[1:-1].decode("utf-8")): lines for label, lines in groups.items()}
    typed = {f" <{vocab.RDF}type> <{role}> .".encode(): role for role in (DATA, PROVENANCE)}
    roles: dict[str | None, str] = {}
    for lines in graphs.values():
        for line in lines:
            if line.endswith(b"Graph> .") and line.startswith(b"<"):
                subject, _, rest = line.partition(b" ")
                role = typed.get(b" " + rest)
                if role:
                    roles[subject[1:-1].decode("utf-8")] = role
    if ontology.is_file():
        graphs[ONTOLOGY_GRAPH] = (ox.serialize(ox.parse(path=str(ontology), format=ox.RdfFormat.TURTLE),
                                               format=ox.RdfFormat.N_TRIPLES) or b"").splitlines()
        roles[ONTOLOGY_GRAPH] = ONTOLOGY
    if target is not None or default_graph:
        merged = [line for lines in graphs.values() for line in lines]
        return {None if default_graph else target: BuildGraph(DATA, *_sorted_payload(merged))}
    result = {iri: BuildGraph(roles.get(iri, DATA), *_sorted_payload(lines)) for iri, lines in graphs.items()}
    if default_copy:
        union = [line for iri, graph in result.items() if graph.role in (DATA, ONTOLOGY)
                 for line in graph.payload.splitlines(keepends=False)]  # sorted runs: merged, not sorted again
        result[None] = BuildGraph(DATA, *_sorted_payload(union))
    return result


def _triples(payload: bytes) -> list[Any]:
    """The triples of a payload, as terms: for the few places that compare terms, not bytes."""
    return [q.triple for q in ox.parse(payload, format=ox.RdfFormat.N_TRIPLES)]


def _checked(payload: bytes, triples: int) -> None:
    """Refuse a payload that does not parse back to as many triples: some stores empty the target graph
    when a PUT fails on bad syntax, so a local bug must never reach them."""
    try:
        again = list(ox.parse(payload, format=ox.RdfFormat.TURTLE))
    except SyntaxError as exc:
        raise StoreError(f"refusing to send a payload that does not parse back: {exc}") from None
    if len(set(again)) != triples:
        raise StoreError("refusing to send a payload that does not round-trip")


# --------------------------------------------------------------------------- HTTP (kgpub.http)


def _select(client: Client, ends: Endpoints, query: str, allowance: float = 0.0) -> list[dict[str, Any]]:
    response = client.request("POST", ends.query, data={"query": query},
                              headers={"Accept": SPARQL_JSON}, allowance=allowance)
    _check(response, "querying")
    try:
        rows = list(response.json()["results"]["bindings"])
        if not all(isinstance(row, dict) for row in rows):
            raise ValueError("a solution is not an object")
        return rows
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{_safe(ends.query)}: malformed SPARQL results: {_excerpt(str(exc))}") from None


@dataclass
class Manifest:
    """What the store's load manifest says: whether there is one, the hash of every graph loaded (None for
    the default graph), and the graphs a query must name as its default graph (see :func:`load`)."""

    exists: bool = False
    hashes: dict[str | None, str] = field(default_factory=dict)
    query_defaults: tuple[str, ...] = ()


_MARKER = f"<{MANIFEST_GRAPH}> <{vocab.RDF}type> <{vocab.KG}LoadManifest> .\n"


def _manifest(client: Client, ends: Endpoints) -> Manifest:
    kg = vocab.KG
    rows = _select(client, ends, f"""SELECT ?g ?p ?o WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ ?g ?p ?o
        VALUES ?p {{ <{kg}contentSha256> <{kg}defaultGraphSha256> <{kg}queryDefaultGraph> <{vocab.RDF}type> }} }} }}""")
    found = Manifest(exists=bool(rows))
    defaults = []
    if not all(isinstance(row.get(v), dict) and "value" in row[v] for row in rows for v in ("g", "p", "o")):
        raise StoreError(f"{_safe(ends.query)}: malformed SPARQL results: the manifest query's variables are missing")
    for row in rows:
        p, o = row["p"]["value"], row["o"]["value"]
        if p == kg + "contentSha256":
            found.hashes[row["g"]["value"]] = o
        elif p == kg + "defaultGraphSha256":
            found.hashes[None] = o
        elif p == kg + "queryDefaultGraph":
            defaults.append(o)
    found.query_defaults = tuple(sorted(defaults))
    return found


def _manifest_payload(hashes: dict[str | None, str], roles: dict[str | None, str], query_defaults: tuple[str, ...]) -> bytes:
    """The manifest: each graph's hash and role, the default graph's hash, and the graphs queries must name."""
    kg = vocab.KG
    lines = {_MARKER}
    lines |= {f'<{g}> <{kg}contentSha256> "{h}" .\n' for g, h in hashes.items() if g is not None}
    lines |= {f"<{g}> <{vocab.RDF}type> <{roles[g]}> .\n" for g in hashes if g is not None and g in roles}
    if None in hashes:
        lines.add(f'<{MANIFEST_GRAPH}> <{kg}defaultGraphSha256> "{hashes[None]}" .\n')
    lines |= {f"<{MANIFEST_GRAPH}> <{kg}queryDefaultGraph> <{g}> .\n" for g in query_defaults}
    return "".join(sorted(lines)).encode("utf-8")


def _put_manifest(client: Client, ends: Endpoints, hashes: dict[str | None, str], roles: dict[str | None, str],
                  query_defaults: tuple[str, ...]) -> None:
    response = client.request("PUT", ends.graph_url(MANIFEST_GRAPH), data=_manifest_payload(hashes, roles, query_defaults),
                              headers={"Content-Type": TURTLE.content_type})
    _check(response, "recording the load manifest")


def _ask(client: Client, ends: Endpoints, pattern: str) -> bool:
    """An ASK on the store's own default graph (no dataset named)."""
    response = client.request("POST", ends.query, data={"query": f"ASK {{ {pattern} }}"},
                              headers={"Accept": SPARQL_JSON})
    _check(response, "querying")
    try:
        return bool(response.json()["boolean"])
    except (ValueError, KeyError):  # Virtuoso answers some ASKs as a one-cell SELECT
        try:
            rows = response.json()["results"]["bindings"]
            return bool(rows) and next(iter(rows[0].values()))["value"] in ("1", "true")
        except (ValueError, KeyError, StopIteration):
            raise StoreError(f"{_safe(ends.query)}: malformed ASK answer: {_body(response)}") from None


#: Stores whose default graph is always the union of their graphs.
_UNION_FLAVORS = ("graphdb", "rdf4j", "virtuoso")


def _union_default(client: Client, ends: Endpoints, manifest: Manifest, dry_run: bool) -> bool:
    """Whether the store's default graph shows its named graphs: asked of the manifest graph itself (written
    first, marker only, on a first load), so kgpub never writes a probe of its own into a user's store."""
    if not manifest.exists:
        if dry_run:
            return ends.flavor in _UNION_FLAVORS
        response = client.request("PUT", ends.graph_url(MANIFEST_GRAPH), data=_MARKER.encode(),
                                  headers={"Content-Type": TURTLE.content_type})
        _check(response, "recording the load manifest")
    return _ask(client, ends, f"<{MANIFEST_GRAPH}> <{vocab.RDF}type> <{vocab.KG}LoadManifest>")


# --------------------------------------------------------------------------- verification


def _read_back(client: Client, ends: Endpoints, iri: str | None) -> set[Any]:
    """Every triple the store holds in graph ``iri``, read with a Graph Store Protocol GET."""
    response = client.request("GET", ends.graph_url(iri), headers={"Accept": f"{NTRIPLES.media_type}, {TURTLE.media_type};q=0.5"})
    if response.status_code == 404:  # an empty graph, for a store that drops empty graphs
        return set()
    _check(response, f"reading back {iri or 'the default graph'}")
    kind = response.headers.get("Content-Type", "")
    fmt = ox.RdfFormat.N_TRIPLES if "n-triples" in kind or "text/plain" in kind else ox.RdfFormat.TURTLE
    try:
        return {q.triple for q in ox.parse(response.content, format=fmt)}
    except SyntaxError as exc:
        raise StoreError(f"{_safe(response.url)}: what the store sent back does not parse: {_excerpt(str(exc))}") from None


def _same_value(term: Any) -> Any:
    """A key under which a term and the form a store may rewrite it into are equal: numbers by value,
    language tags without case, lexical forms without surrounding space, IRIs without backslash escapes."""
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value.replace("\\", ""))
    if isinstance(term, ox.Literal):
        if term.language:
            return ("lang", term.value, term.language.lower())
        datatype = term.datatype.value
        if datatype.startswith(vocab.XSD) and datatype[len(vocab.XSD):] in _NUMERIC:
            try:
                return ("number", float(term.value))
            except ValueError:
                pass
        return ("literal", term.value.strip(), datatype)
    return ("other", str(term))


_NUMERIC = {"integer", "decimal", "double", "float", "nonNegativeInteger", "positiveInteger", "negativeInteger",
            "nonPositiveInteger", "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort",
            "unsignedByte"}


def _compare(sent: set[Any], stored: set[Any]) -> tuple[str, str]:
    """``(status, note)``: loaded, normalised (the store rewrote terms; an example) or MISMATCH (an example).

    Blank nodes cannot be matched by label: triples holding them are compared
    as graphs (isomorphism), the rest term by term.
    """
    missing, extra = sent - stored, stored - sent
    if not missing and not extra:
        return "loaded", ""
    if _blank(missing) or _blank(extra):
        if _isomorphic(sent, stored):
            return "loaded", ""
        missing, extra = {t for t in missing if not _has_blank(t)}, {t for t in extra if not _has_blank(t)}
        if not missing and not extra:
            return "MISMATCH", "the triples with blank nodes differ"
    key = lambda t: (_same_value(t.subject), _same_value(t.predicate), _same_value(t.object))  # noqa: E731
    rewritten = {key(t): t for t in extra}
    pairs = [(t, rewritten.get(key(t))) for t in sorted(missing, key=str)]
    if len(missing) == len(extra) and all(after is not None for _, after in pairs):
        before, after = pairs[0]
        return "normalised", f"{len(pairs)} triple(s) rewritten, e.g. {before} came back as {after}"
    lost = [t for t, after in pairs if after is None]
    added = sorted(set(extra) - {after for _, after in pairs if after is not None}, key=str)
    example = f"missing {lost[0]}" if lost else f"unexpected {added[0]}"
    return "MISMATCH", f"{len(lost)} triple(s) missing, {len(added)} unexpected, e.g. {example}"


def _has_blank(triple: Any) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def _blank(triples: set[Any]) -> bool:
    return any(_has_blank(t) for t in triples)


def _isomorphic(a: set[Any], b: set[Any]) -> bool:
    from rdflib import Graph
    from rdflib.compare import isomorphic

    def graph(triples: set[Any]) -> Any:
        return Graph().parse(data=ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES), format="nt")

    return len(a) == len(b) and isomorphic(graph(a), graph(b))


def _counts(client: Client, ends: Endpoints) -> dict[str | None, int]:
    """The triples of every named graph, in one query (to check graphs that were not sent again); a caller may add
    the default graph's count under None."""
    rows = _select(client, ends, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    try:
        return {row["g"]["value"]: _count(row.get("n"), ends) for row in rows}
    except (KeyError, TypeError):
        raise StoreError(f"{_safe(ends.query)}: malformed SPARQL results: a graph without its name") from None


#: The datatypes a COUNT may come back as (SPARQL says xsd:integer; some stores name a narrower type).
_COUNT_TYPES = {vocab.XSD + t for t in ("integer", "nonNegativeInteger", "long", "int", "unsignedLong", "unsignedInt")}


def _count(cell: Any, ends: Endpoints) -> int:
    """A COUNT from the store: a literal of ASCII digits, typed as an integer or untyped; anything else (a
    word, a decimal, an IRI, digits int() would take but SPARQL does not, "٣" or "1_0") fails the check."""
    value = cell.get("value") if isinstance(cell, dict) else None
    if (not isinstance(value, str) or cell.get("type") not in ("literal", "typed-literal")
            or cell.get("datatype", vocab.XSD + "integer") not in _COUNT_TYPES
            or not re.fullmatch(r"\+?[0-9]+", value)):
        shown = _excerpt(repr(value if isinstance(value, str) else cell), 60)
        raise StoreError(f"{_safe(ends.query)}: malformed SPARQL results: a count that is not a number ({shown})")
    return int(value)


# --------------------------------------------------------------------------- creating the dataset


#: A repository's configuration, in the vocabulary each server reads: RDF4J's native store, GraphDB's own sail.
RDF4J_CONFIG = """@prefix rep: <http://www.openrdf.org/config/repository#> .
@prefix sr: <http://www.openrdf.org/config/repository/sail#> .
@prefix sail: <http://www.openrdf.org/config/sail#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
[] a rep:Repository ; rep:repositoryID "{id}" ; rdfs:label "{id} (made by kgpub load --create)" ;
   rep:repositoryImpl [ rep:repositoryType "{repository}" ; sr:sailImpl [ sail:sailType "{sail}" ] ] .
"""


@dataclass(frozen=True)
class Creation:
    """How a store is asked whether a dataset exists, and to make it."""

    exists: str  # a URL that answers 200 when it does
    method: str
    url: str
    data: dict[str, str] | bytes | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    headers: dict[str, str] | None = None


def creation(endpoint: str, flavor: str) -> Creation | None:
    """The requests that make the dataset or repository ``endpoint`` names, per store; None where a store
    has no such thing to make (Oxigraph, Virtuoso and a plain Graph Store make graphs as they get them).

    Fuseki: its admin API, ``POST /$/datasets`` (a TDB2 dataset).  RDF4J: ``PUT /repositories/ID`` with a
    native-store configuration.  GraphDB: ``POST /rest/repositories`` with the configuration as a
    multipart file, its own repository type.
    """
    base = endpoint.rstrip("/")
    if flavor == "fuseki":
        root, name = base.rsplit("/", 1)
        return Creation(f"{root}/$/datasets/{name}", "POST", f"{root}/$/datasets", data={"dbName": name, "dbType": "tdb2"})
    if flavor in ("rdf4j", "graphdb"):
        root, name = base.split("/repositories/", 1)
        if flavor == "rdf4j":
            config = RDF4J_CONFIG.format(id=name, repository="openrdf:SailRepository", sail="openrdf:NativeStore")
            return Creation(f"{base}/size", "PUT", base, data=config.encode(), headers={"Content-Type": TURTLE.media_type})
        config = RDF4J_CONFIG.format(id=name, repository="graphdb:SailRepository", sail="graphdb:Sail")
        return Creation(f"{root}/rest/repositories/{name}", "POST", f"{root}/rest/repositories",
                        files={"config": (f"{name}.ttl", config.encode(), TURTLE.media_type)})
    return None


def create(endpoint: str, flavor: str | None = None, client: Client | None = None) -> bool:
    """Make the dataset or repository ``endpoint`` names unless it exists; True when it was made."""
    client = client or Client()
    ends = endpoints(endpoint, flavor, authenticated=bool(client.user))
    plan = creation(endpoint, ends.flavor)
    if plan is None:
        return False
    if client.request("GET", plan.exists).status_code == 200:
        return False
    response = client.request(plan.method, plan.url, data=plan.data, files=plan.files, headers=plan.headers)
    _check(response, f"creating {_safe(endpoint)}")
    return True


# --------------------------------------------------------------------------- load


@dataclass
class LoadResult:
    """What a load did, graph by graph; ``ok`` is False when any graph does not hold what was sent."""

    endpoint: str
    flavor: str
    graphs: list[GraphPlan]
    dry_run: bool
    seconds: float = 0.0
    #: How many of the graphs sent travelled in bulk (N-Quads batches) rather than one request each.
    bulk: int = 0
    #: Graphs an earlier load put in the store that this build no longer has (a withdrawn or deleted article):
    #: dropped from the store, or kept with ``--keep-removed``.
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    #: Where the graphs went (or would go): the plan's URLs.
    ends: Endpoints | None = None

    @property
    def ok(self) -> bool:
        return all(g.status in ("loaded", "unchanged", "planned", "normalised") for g in self.graphs)

    @property
    def sent(self) -> list[GraphPlan]:
        return [g for g in self.graphs if g.action == "send"]

    @property
    def warnings(self) -> list[str]:
        """One line per graph the store changed or did not keep: the store, the graph and an example."""
        return [f"{'warning' if g.status == 'normalised' else 'error'}: {self.flavor} store at {self.endpoint}: "
                f"graph {g.iri or '(default graph)'}: {g.note}" for g in self.graphs if g.note]

    def table(self) -> str:
        name: dict[str | None, str] = {None: "(default graph)"}
        rows = [("graph", "sent", "in store", "status")]
        for g in self.graphs:
            shown = str(g.triples) if g.action == "send" else "-"
            rows.append((name.get(g.iri, g.iri or ""), shown, "" if g.in_store is None else str(g.in_store), g.status))
        gone = "would remove" if self.dry_run else "removed"
        rows += [(iri, "-", "0" if not self.dry_run else "", f"{gone} (not in the build)") for iri in self.removed]
        rows += [(iri, "-", "", "kept (not in the build)") for iri in self.kept]
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = ["  ".join(c.ljust(w) if i in (0, 3) else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip()
                 for r in rows]
        sent = self.sent
        triples = sum(g.triples for g in sent)
        rate = f", {triples / self.seconds:,.0f} triples/s" if self.seconds and triples and not self.dry_run else ""
        verb = "would send" if self.dry_run else "sent"
        lines.append(f"{verb} {len(sent)} of {len(self.graphs)} graphs ({triples} triples) to {self.endpoint} "
                     f"[{self.flavor}]{rate}")
        if self.removed:
            lines.append(f"{'would remove' if self.dry_run else 'removed'} {len(self.removed)} graphs an earlier load "
                         "put there that the build no longer has")
        if self.kept:
            lines.append(f"kept {len(self.kept)} graphs an earlier load put there that the build no longer has "
                         "(--keep-removed)")
        return "\n".join(lines)

    def plan(self, ends: Endpoints | None = None) -> str:
        """One line per graph: the method, its size and the URL it goes to (never with credentials)."""
        ends = ends or self.ends
        assert ends is not None, "a LoadResult from load() knows its endpoints"
        lines = []
        for g in self.graphs:
            method = "PUT" if g.action == "send" else "skip (unchanged)"
            lines.append(f"{method:<17} {g.triples:>8} triples {len(g.payload):>10} bytes  "
                         f"{_safe(ends.graph_url(g.iri))}")
        return "\n".join(lines)


def _graph_list(graphs: list[str], shown: int = 3) -> str:
    """A few graph IRIs and how many more: one line, not 56 KB for a thousand articles."""
    if not graphs:
        return "none"
    more = len(graphs) - shown
    return ", ".join(graphs[:shown]) + (f" and {more} more" if more > 0 else "")


#: Whole graphs per bulk request: big enough that a request's overhead is small, small enough that several
#: requests share the work and a slow one is not a long silence.
BATCH_TRIPLES = 50_000
#: Requests in flight at once in a bulk load (``--parallel``).
PARALLEL = 4
#: Seconds a request may take per triple it carries, on top of ``--timeout``: a store taking a million
#: triples in one transaction is busy, not gone (1 s per 10,000 triples).
SECONDS_PER_TRIPLE = 1e-4
#: Graphs sent from which one read of the whole dataset verifies faster than one read per graph.
DUMP_FROM = 50


def _dataset_endpoint(ends: Endpoints, atomic: bool = True) -> tuple[str, bool] | None:
    """Where a store takes a whole dataset (N-Quads) in one POST, and gives it back in one GET; and whether
    it takes the body gzip-compressed.  Oxigraph's ``/store`` and Fuseki's Graph Store end point without a
    graph (both documented as dataset operations, both decode ``Content-Encoding: gzip``); RDF4J's
    ``/statements`` (GraphDB's too), sent plain.  None for the rest (Virtuoso's Graph Store takes one graph a
    request).  Each request is one transaction, except Oxigraph's unless ``atomic``: its ``no_transaction``
    option hands the request to its bulk loader, three times faster on disk than a transaction (the default
    graph's copy always goes there: see :func:`_post_batches`)."""
    if ends.flavor == "oxigraph" and not atomic:
        return ends.graph_store + "?no_transaction", True
    if ends.flavor in ("oxigraph", "fuseki"):
        return ends.graph_store, True
    if ends.flavor in ("rdf4j", "graphdb"):
        return ends.query.rstrip("/") + "/statements", False
    return None


def load(build: Path, endpoint: str, *, flavor: str | None = None, graph: str | None = None,
         default_graph: bool = False, mode: str = "replace", force: bool = False, dry_run: bool = False,
         chunk_triples: int | None = None, graph_store: str | None = None, query_endpoint: str | None = None,
         client: Client | None = None, progress: Callable[[int, int], None] | None = None,
         after_graph: Callable[[GraphPlan], None] | None = None, parallel: int = PARALLEL,
         atomic: bool = True, keep_removed: bool = False) -> LoadResult:
    """Load the build in ``build`` into the store at ``endpoint`` and verify what landed, term by term.

    Graphs the store does not hold yet travel in bulk: whole graphs batched into N-Quads requests, gzip
    compressed, ``parallel`` at a time, each request one transaction of the store (so each graph lands
    whole or not at all; the default graph's copy, sent in shares, never was one and always takes the fastest
    route); with ``atomic`` False, Oxigraph's bulk loader takes them without one, three times
    faster on disk (a failed request may leave part of graphs the store did not hold, which the error says; a
    re-run replaces them whole).  A
    graph the store holds already is replaced with its own PUT (atomic), one after the other, so a failure
    names exactly what landed.

    A graph the store's manifest records from an earlier load that the build no longer has (an article
    withdrawn or deleted) is dropped, unless ``keep_removed``, so the store equals a fresh load of the build.
    """
    client = client or Client()
    ends = endpoints(endpoint, flavor, graph_store=graph_store, query_endpoint=query_endpoint,
                     authenticated=bool(client.user))
    if default_graph and not ends.has_default_graph:
        raise UsageError(f"{_safe(endpoint)}: {ends.flavor}'s Graph Store Protocol has no default graph; "
                         "load into one named graph with --graph IRI instead")
    from kgpub.output.folder import require_build

    require_build(build)
    manifest = Manifest() if force or mode == "append" else _manifest(client, ends)
    if force and not dry_run:
        manifest.exists = _manifest(client, ends).exists
    union = _union_default(client, ends, manifest, dry_run)
    copy = graph is None and not default_graph and not union and ends.has_default_graph
    graphs = _build_payloads(Path(build), graph, default_graph, default_copy=copy)
    plans = [GraphPlan(iri, g.payload, g.triples, g.sha256, g.role)  # the default graph's copy last: their union
             for iri, g in sorted(graphs.items(), key=lambda item: (item[0] is None, item[0] or ""))]
    for plan in plans:
        if manifest.hashes.get(plan.iri) == plan.sha256:
            plan.action, plan.status = "unchanged", "unchanged"
    result = LoadResult(_safe(endpoint), ends.flavor, plans, dry_run, ends=ends)
    if mode == "replace" and graph is None and not default_graph:
        recorded = manifest.hashes if not force else _manifest(client, ends).hashes
        ours = {p.iri for p in plans}
        gone = sorted(g for g in recorded if g is not None and g not in ours)
        if keep_removed:
            result.kept = gone
        else:
            result.removed = gone
    if dry_run:
        for plan in plans:
            plan.status = "planned" if plan.action == "send" else "unchanged"
        return result
    started = time.perf_counter()
    to_send = [p for p in plans if p.action == "send"]
    bulk, single = _routes(client, ends, to_send, mode, chunk_triples)
    result.bulk = len(bulk)
    hashes = dict(manifest.hashes)
    roles = {p.iri: p.role for p in plans}
    loaded: list[GraphPlan] = []

    def landed(plan: GraphPlan) -> None:
        loaded.append(plan)
        hashes[plan.iri] = plan.sha256
        if progress:
            progress(len(loaded), len(to_send))
        if after_graph:
            after_graph(plan)

    # what the store's checksums will be compared with, computed while the store is busy taking the graphs
    local = (_in_background(lambda: _local_checksums([p for p in to_send if p.iri is not None]))
             if len(to_send) >= DUMP_FROM and ends.flavor in CHECKSUM_FLAVORS else None)
    try:
        for plan in single:
            _send(client, ends, plan, mode, chunk_triples)
            landed(plan)
        _post_batches(client, ends, _batches(bulk, BATCH_TRIPLES), parallel, landed, atomic)
    except StoreError as exc:
        done = _graph_list([str(p.iri or "(default graph)") for p in loaded])
        landed_ids = {id(p) for p in loaded}  # by identity: comparing plans compares their payloads
        rest = _graph_list([str(p.iri or "(default graph)") for p in to_send if id(p) not in landed_ids])
        if loaded and mode == "replace":
            try:  # record what did land, so a re-run sends only the rest
                _put_manifest(client, ends, hashes, roles, manifest.query_defaults)
            except StoreError:
                pass  # the store is gone: a re-run sends those graphs again, still correct
        partly = "" if atomic or _dataset_endpoint(ends) == _dataset_endpoint(ends, atomic) or not bulk else (
            " (those sent in bulk may be partly in the store: a re-run replaces them whole)")
        raise StoreError(f"{exc}; loaded before the failure: {done}; not loaded: {rest}{partly}") from None
    for iri in result.removed:
        response = client.request("DELETE", ends.graph_url(iri))
        if response.status_code != 404:  # already gone: what was wanted
            _check(response, f"removing graph {iri}, which the build no longer has")
        hashes.pop(iri, None)
        manifest.hashes.pop(iri, None)
    result.seconds = time.perf_counter() - started
    query_defaults = manifest.query_defaults
    if to_send:
        query_defaults = _query_defaults(client, ends, plans)
    if mode == "replace" and (to_send or result.removed or query_defaults != manifest.query_defaults):
        _put_manifest(client, ends, hashes, roles, query_defaults)
    _verify(client, ends, plans, mode, own_default=not union, local=local)
    return result


def _in_background(work: Callable[[], Any]) -> Future[Any]:
    """``work`` run in a thread of its own, as a future: a daemon, so a load that fails does not wait for it."""
    import threading

    future: Future[Any] = Future()

    def run() -> None:
        try:
            future.set_result(work())
        except BaseException as exc:  # handed to whoever asks for the result
            future.set_exception(exc)

    threading.Thread(target=run, daemon=True).start()
    return future


def _routes(client: Client, ends: Endpoints, to_send: list[GraphPlan], mode: str,
            chunk: int | None) -> tuple[list[GraphPlan], list[GraphPlan]]:
    """``(bulk, one by one)``: a POST adds, so only a graph the store does not hold yet (or any graph, when
    appending) may travel in bulk; the rest are replaced one PUT each.  The store is asked once which
    graphs it holds, not trusted from the manifest (a store may have been changed by hand)."""
    if chunk or not to_send or _dataset_endpoint(ends) is None:
        return [], to_send
    if mode == "append":
        return to_send, []
    held = set(_counts(client, ends)) if any(p.iri is not None for p in to_send) else set()
    default_held = any(p.iri is None for p in to_send) and _ask(client, ends, "?s ?p ?o")
    bulk = [p for p in to_send if (p.iri is None and not default_held) or (p.iri is not None and p.iri not in held)]
    chosen = {id(p) for p in bulk}  # by identity: ``p in bulk`` compares payloads, quadratic in the graphs
    return bulk, [p for p in to_send if id(p) not in chosen]


@dataclass
class _Piece:
    """Part of a bulk request: a whole graph as N-Quads, or a share of the default graph's copy."""

    plan: GraphPlan
    body: bytes
    triples: int


def _batches(plans: list[GraphPlan], size: int) -> list[list[_Piece]]:
    """Whole graphs gathered into requests of about ``size`` triples, the largest first, to finish together.
    A larger graph is a request of its own: never split, it lands in one transaction.  The default graph's
    copy is the exception: it goes in bulk only into an empty default graph, so a failure part-way leaves a
    part of a graph that had nothing, its hash unrecorded, and a re-run replaces it whole; one transaction of
    a million triples is what a store digests worst (Oxigraph on disk stops reading for minutes)."""
    batches: list[list[_Piece]] = []
    current: list[_Piece] = []
    count = 0
    for plan in plans:
        if plan.iri is None and plan.triples > size:
            lines = plan.payload.splitlines(keepends=True)
            batches += [[_Piece(plan, b"".join(lines[i:i + size]), len(lines[i:i + size]))]
                        for i in range(0, len(lines), size)]
            continue
        piece = _Piece(plan, _as_quads(plan), plan.triples)
        if plan.triples >= size:
            batches.append([piece])
            continue
        current.append(piece)
        count += plan.triples
        if count >= size:
            batches.append(current)
            current, count = [], 0
    if current:
        batches.append(current)
    return sorted(batches, key=lambda batch: -sum(p.triples for p in batch))


def _as_quads(plan: GraphPlan) -> bytes:
    """A graph's N-Triples payload as N-Quads in its graph: each line ends with `` .\\n`` and nowhere else
    holds a raw newline (N-Triples escapes those inside literals), so one replacement names the graph."""
    if plan.iri is None:
        return plan.payload
    return plan.payload.replace(b" .\n", f" <{plan.iri}> .\n".encode())


def _post_batch(client: Client, url: str, batch: list[_Piece], gzip: bool) -> None:
    import zlib

    body = b"".join(piece.body for piece in batch)
    headers = {"Content-Type": NQUADS.content_type}
    if gzip:  # level 1: nearly all the size gone for little time (zlib lets other threads run meanwhile)
        body = zlib.compress(body, 1, wbits=31)
        headers["Content-Encoding"] = "gzip"
    triples = sum(piece.triples for piece in batch)
    response = client.request("POST", url, data=body, headers=headers, allowance=triples * SECONDS_PER_TRIPLE)
    _check(response, f"loading {_graph_list([str(p.plan.iri or '(default graph)') for p in batch], 1)}")


def _copy_only(batch: list[_Piece]) -> bool:
    """Whether a bulk request carries only shares of the default graph's copy."""
    return all(piece.plan.iri is None for piece in batch)


def _post_batches(client: Client, ends: Endpoints, batches: list[list[_Piece]], parallel: int,
                  landed: Callable[[GraphPlan], None], atomic: bool = True) -> None:
    """Send the batches, ``parallel`` at a time; ``landed`` hears of each graph of each batch the store
    took (in this thread).  After a failure nothing new is started, and the first failure is raised once
    the requests in flight have finished."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    if not batches:
        return
    batches = sorted(batches, key=lambda batch: not _copy_only(batch))  # the copy first: see below
    target = _dataset_endpoint(ends, atomic)
    assert target is not None
    url, gzip = target
    # the default graph's copy goes only into an empty default graph and in shares, never one transaction (see
    # :func:`_batches`), so a transaction a share buys nothing: its shares take the store's fastest route, and
    # go first, so Oxigraph's bulk loader does not ingest its files beside the transactions' writes
    copy_url = (_dataset_endpoint(ends, atomic=False) or target)[0]
    pieces: dict[int, int] = {}
    for batch in batches:
        for piece in batch:
            pieces[id(piece.plan)] = pieces.get(id(piece.plan), 0) + 1
    failure: StoreError | None = None
    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        futures = {pool.submit(_post_batch, client, copy_url if _copy_only(batch) else url, batch, gzip): batch
                   for batch in batches}
        for future in as_completed(futures):
            if future.cancelled():
                continue
            try:
                future.result()
            except StoreError as exc:
                if failure is None:
                    failure = exc
                    for other in futures:
                        other.cancel()
                continue
            for piece in futures[future]:
                pieces[id(piece.plan)] -= 1
                if not pieces[id(piece.plan)]:  # every piece of it landed
                    landed(piece.plan)
    if failure is not None:
        raise failure


def _default_copy(graphs: dict[str | None, tuple[str, list[Any]]]) -> list[Any]:
    """What the embedded engine's default graph holds: the data graphs and the ontology, merged.

    A store whose default graph is its own (Fuseki, Oxigraph) gets this copy, so
    that a query there needs no dataset: naming thousands of article graphs in
    every query costs more than the query (tens of seconds at a million triples).
    """
    merged = {t for role, triples in graphs.values() if role in (DATA, ONTOLOGY) for t in triples}
    return sorted(merged, key=str)


def _query_defaults(client: Client, ends: Endpoints, plans: list[GraphPlan]) -> tuple[str, ...]:
    """The graphs a query must name as its default graph, when the store's own does not show the data:
    a build loaded into one named graph of a store whose default graph is its own, or into the default
    graph of one that hides it behind the union of its named graphs (Fuseki with ``unionDefaultGraph``)."""
    data = next((p for p in plans if p.role == DATA and p.triples), None)
    if data is None:
        return ()
    triples = _triples(data.payload)
    # a triple whose terms no store rewrites (an IRI object), so that "not found" means "not shown"
    probe = next((t for t in triples if isinstance(t.object, ox.NamedNode)), triples[0])
    if _ask(client, ends, f"{probe.subject} {probe.predicate} {probe.object}"):
        return ()
    if data.iri is not None:
        return tuple(sorted(p.iri for p in plans if p.iri is not None and p.role in (DATA, ONTOLOGY)))
    name = DEFAULT_GRAPH_NAMES.get(ends.flavor)
    return (name,) if name else ()


def _dataset_dump(client: Client, ends: Endpoints, triples: int) -> dict[bytes | None, list[bytes]] | None:
    """The whole dataset in one GET (N-Quads), cut per graph; None where the store has no such read or
    answers in a form this cannot cut (then each graph is read on its own)."""
    target = _dataset_endpoint(ends)
    if target is None:
        return None
    response = client.request("GET", target[0], headers={"Accept": NQUADS.media_type},
                              allowance=triples * SECONDS_PER_TRIPLE)
    if response.status_code != 200 or "n-quads" not in response.headers.get("Content-Type", ""):
        return None
    try:
        return _split_nquads(response.content)
    except ValueError:  # not one space between terms: read graph by graph instead
        return None


def _verify(client: Client, ends: Endpoints, plans: list[GraphPlan], mode: str, own_default: bool,
            local: Future[Any] | None = None) -> None:
    """Check that every graph holds what was sent.  After a bulk load, the whole dataset is read once and
    compared statement by statement as bytes (a graph whose bytes differ is compared term by term, to tell
    a store that rewrites terms from one that lost them); otherwise every graph sent is read back and
    compared term by term, and those not sent again are counted (the default graph too, where the store's
    default graph is its own, not the union of every graph)."""
    sent = [p for p in plans if p.action == "send"]
    if len(sent) >= DUMP_FROM and _checksummed(client, ends, plans, mode, own_default, local):
        return
    if len(sent) >= DUMP_FROM:
        dump = _dataset_dump(client, ends, sum(p.triples for p in plans))
        if dump is not None:
            _verify_against(dump, plans, mode, own_default)
            return
    counts = _counts(client, ends) if any(p.action == "unchanged" and p.iri for p in plans) else {}
    if own_default and any(p.action == "unchanged" and p.iri is None for p in plans):
        rows = _select(client, ends, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        if len(rows) != 1:  # a COUNT without GROUP BY is one row, even of 0
            raise StoreError(f"{_safe(ends.query)}: malformed SPARQL results: {len(rows)} rows for one count")
        counts[None] = _count(rows[0].get("n"), ends)
    for plan in plans:
        counted = plan.iri is not None or None in counts  # the default graph only where it is the store's own
        if plan.action == "unchanged" and counted:
            _count_check(plan, counts.get(plan.iri, 0))
            continue
        stored = _read_back(client, ends, plan.iri)
        _term_check(plan, set(_triples(plan.payload)), stored, mode)


#: Stores whose SPARQL computes :data:`_CHECKSUM` (SPARQL 1.1's MD5, CONCAT, STRBEFORE, COALESCE) over a whole
#: dataset in one query: a load into them is verified by what they compute, not by reading every graph back.
#: Virtuoso's Graph Store has no dataset read either: its graphs are read back one by one.
CHECKSUM_FLAVORS = ("oxigraph", "fuseki", "rdf4j", "graphdb")
#: Hex digits of each statement's MD5 summed into a graph's checksum: 24 bits a statement, so a changed term
#: goes unnoticed once in 16 million, and the sum of a million statements stays far inside a 64-bit integer.
CHECKSUM_DIGITS = 6
_HEX = "0123456789abcdef"
#: One statement as text, the same in SPARQL and in :func:`_statement_text`: subject, predicate, object, the
#: object's language tag (lower case, as stores may keep it) and datatype, tab-separated.  STR of a blank node
#: is an error, so a graph holding one gets no checksum from the store and is read back instead.
_STATEMENT = ('CONCAT(STR(?s), "\t", STR(?p), "\t", STR(?o), "\t", COALESCE(LCASE(LANG(?o)), ""), "\t", '
              'COALESCE(STR(DATATYPE(?o)), ""))')
#: The checksum of one statement in SPARQL: the first hex digits of its MD5 as a number (a digit's value is
#: the length of what comes before it in "0123456789abcdef").
_CHECKSUM = " + ".join(f'STRLEN(STRBEFORE("{_HEX}", SUBSTR(?h, {i + 1}, 1))) * {16 ** (CHECKSUM_DIGITS - i - 1)}'
                       for i in range(CHECKSUM_DIGITS))


def _statement_text(triple: Any) -> str:
    """:data:`_STATEMENT` computed locally, for a triple without blank nodes."""
    o = triple.object
    language = (o.language or "").lower() if isinstance(o, ox.Literal) else ""
    datatype = o.datatype.value if isinstance(o, ox.Literal) else ""
    return f"{triple.subject.value}\t{triple.predicate.value}\t{o.value}\t{language}\t{datatype}"


_XSD_STRING, _LANG_STRING = (vocab.XSD + "string").encode(), (vocab.RDF + "langString").encode()


def _line_text(line: bytes) -> bytes | None:
    """:data:`_STATEMENT` of one N-Triples line as the serializer writes it, read with byte operations (a
    million lines in a second or two); None for a line this does not read (an escape, a blank node), which
    :func:`_statement_text` then reads as terms.  An IRI holds no space, ``>`` or quote; a literal's lexical
    form ends at its last quote."""
    if b"\\" in line or line.startswith(b"_:"):
        return None
    s_end = line.find(b"> <")
    p_end = line.find(b"> ", s_end + 3)
    if not line.startswith(b"<") or s_end < 0 or p_end < 0:
        return None
    obj = line[p_end + 2:-2]
    language = datatype = b""
    if obj.startswith(b"<"):
        value = obj[1:-1]
    elif obj.startswith(b'"'):
        close = obj.rindex(b'"')
        value, rest = obj[1:close], obj[close + 1:]
        if not rest:
            datatype = _XSD_STRING
        elif rest.startswith(b"@"):
            language, datatype = rest[1:].lower(), _LANG_STRING
        elif rest.startswith(b"^^<"):
            datatype = rest[3:-1]
        else:
            return None
    else:
        return None
    return b"\t".join((line[1:s_end], line[s_end + 3:p_end], value, language, datatype))


def _local_checksums(plans: list[GraphPlan]) -> dict[str | None, tuple[int, int] | None]:
    """``(count, checksum)`` of each plan's payload as :func:`_checksum_query` computes it in the store; None
    for a graph with blank nodes (their labels are the store's own).  A statement met again (the default
    graph's copy repeats the data graphs) is not hashed again."""
    seen: dict[bytes, int] = {}
    sums: dict[str | None, tuple[int, int] | None] = {}
    md5 = hashlib.md5
    for plan in plans:
        lines = plan.payload.splitlines()
        blank = False
        for line in lines:
            if line in seen:
                continue
            text = _line_text(line)
            if text is None:
                triple = _triples(line + b"\n")[0]
                if _has_blank(triple):
                    blank = True
                    break
                text = _statement_text(triple).encode("utf-8")
            seen[line] = int(md5(text).hexdigest()[:CHECKSUM_DIGITS], 16)
        sums[plan.iri] = None if blank else (len(lines), sum(seen[line] for line in lines))
    return sums


def _checksum_query() -> str:
    """Every named graph's statement count and checksum."""
    return (f"SELECT ?g (COUNT(*) AS ?n) (SUM({_CHECKSUM}) AS ?x) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
            f"BIND(MD5({_STATEMENT}) AS ?h) }} GROUP BY ?g")


#: The default graph's statements, and how many of them no named graph holds: the default graph's copy is the
#: union of the data graphs, checked by their checksums, so this is its check, on the store's own term
#: identifiers (a checksum of it would decode every term of a million statements a second time).
_DEFAULT_QUERIES = ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o MINUS { GRAPH ?g { ?s ?p ?o } } }")


def _store_checksums(client: Client, ends: Endpoints, triples: int) -> dict[str | None, tuple[int, int | None]]:
    """What the store computes: ``(count, checksum)`` per named graph, the checksum None where the store
    could not compute it (a blank node).  The query reads every statement, so it may take as long as a
    request carrying ``triples``."""
    result: dict[str | None, tuple[int, int | None]] = {}
    for row in _select(client, ends, _checksum_query(), allowance=triples * SECONDS_PER_TRIPLE):
        if not isinstance(row.get("g"), dict) or "value" not in row["g"]:
            raise StoreError(f"{_safe(ends.query)}: malformed SPARQL results: a graph without its name")
        cell = row.get("x")
        checksum = _count(cell, ends) if isinstance(cell, dict) and "value" in cell else None
        result[row["g"]["value"]] = (_count(row.get("n"), ends), checksum)
    return result


def _default_check(client: Client, ends: Endpoints, triples: int) -> tuple[int, int]:
    """The default graph's ``(count, statements no named graph holds)``: :data:`_DEFAULT_QUERIES`."""
    counts = []
    for query in _DEFAULT_QUERIES:
        rows = _select(client, ends, query, allowance=triples * SECONDS_PER_TRIPLE)
        if len(rows) != 1:  # a COUNT without GROUP BY is one row, even of 0
            raise StoreError(f"{_safe(ends.query)}: malformed SPARQL results: {len(rows)} rows for one count")
        counts.append(_count(rows[0].get("n"), ends))
    return counts[0], counts[1]


def _checksummed(client: Client, ends: Endpoints, plans: list[GraphPlan], mode: str, own_default: bool,
                 computed: Future[Any] | None = None) -> bool:
    """Verify by what the store computes (:data:`CHECKSUM_FLAVORS`): one query gives every graph's count and
    checksum, compared with the same computed locally (``computed``, or meanwhile in this thread); a graph sent whose
    checksum differs is read back and compared term by term (to tell a rewritten term from a lost one), a
    graph not sent again is counted.  False, verifying nothing, where the store cannot (then the caller reads
    the dataset back)."""
    from concurrent.futures import ThreadPoolExecutor

    default = any(p.iri is None for p in plans)
    if ends.flavor not in CHECKSUM_FLAVORS or (default and not own_default):
        return False
    triples = sum(p.triples for p in plans)
    with ThreadPoolExecutor(max_workers=2) as pool:  # the two queries at once: a store answers each on a core
        asked = pool.submit(_store_checksums, client, ends, triples)
        default_asked = pool.submit(_default_check, client, ends, triples) if default else None
        local = (computed.result() if computed is not None
                 else _local_checksums([p for p in plans if p.action == "send" and p.iri is not None]))
        try:
            stored = asked.result()
            if default_asked is not None:
                stored[None] = default_asked.result()
        except StoreError:
            return False
    for plan in plans:
        count, checksum = stored.get(plan.iri, (0, 0))
        expected = (plan.triples, 0) if plan.iri is None else local.get(plan.iri)
        if plan.action == "unchanged":
            _count_check(plan, count)
        elif expected is not None and expected == (count, checksum):
            plan.in_store, plan.status, plan.note = count, "loaded", ""
        else:
            _term_check(plan, set(_triples(plan.payload)), _read_back(client, ends, plan.iri), mode)
    return True


def _count_check(plan: GraphPlan, in_store: int) -> None:
    plan.in_store = in_store
    plan.status = "unchanged" if plan.in_store == plan.triples else "MISMATCH"
    if plan.status == "MISMATCH":
        plan.note = f"holds {plan.in_store} triples where {plan.triples} were loaded; re-load with --force"


def _term_check(plan: GraphPlan, sent: set[Any], stored: set[Any], mode: str) -> None:
    plan.in_store = len(stored)
    if mode == "append" and sent <= stored:  # the graph may hold more than this build
        plan.status, plan.note = "loaded", ""
    else:
        plan.status, plan.note = _compare(sent, stored)
    if plan.action == "unchanged" and plan.status == "loaded":
        plan.status = "unchanged"


def _verify_against(dump: dict[bytes | None, list[bytes]], plans: list[GraphPlan], mode: str,
                    own_default: bool) -> None:
    """:func:`_verify` on the dataset read in one piece."""
    for plan in plans:
        if plan.iri is None and not own_default and plan.action == "unchanged":
            continue  # a union default graph holds every graph: nothing to count
        label = None if plan.iri is None else f"<{plan.iri}>".encode()
        stored = set(dump.get(label, ()))
        if plan.action == "unchanged":
            _count_check(plan, len(stored))
            continue
        sent = set(plan.payload.splitlines())
        if stored == sent or (mode == "append" and sent <= stored):
            plan.in_store, plan.status, plan.note = len(stored), "loaded", ""
            continue
        text = b"\n".join(stored) + b"\n" if stored else b""
        _term_check(plan, set(_triples(plan.payload)), set(_triples(text)), mode)


def _send(client: Client, ends: Endpoints, plan: GraphPlan, mode: str, chunk: int | None) -> None:
    """One graph, replaced with one PUT (checked first: see :func:`_checked`), or appended with a POST; in
    chunks of ``chunk`` triples when asked (the first PUT, the rest POSTed: not atomic)."""
    url = ends.graph_url(plan.iri)
    lines = plan.payload.splitlines(keepends=True)
    parts = [lines] if not chunk or len(lines) <= chunk else [lines[i:i + chunk] for i in range(0, len(lines), chunk)]
    for i, part in enumerate(parts):
        payload = plan.payload if len(parts) == 1 else b"".join(part)
        triples = plan.triples if len(parts) == 1 else len(part)
        method = "PUT" if mode == "replace" and i == 0 else "POST"
        if method == "PUT":
            _checked(payload, triples)
        response = client.request(method, url, data=payload, headers={"Content-Type": TURTLE.content_type},
                                  allowance=triples * SECONDS_PER_TRIPLE)
        _check(response, f"loading {plan.iri or 'the default graph'}")


__all__ = ["Client", "Endpoints", "LoadResult", "create", "creation", "endpoints", "guess_flavor", "load"]
