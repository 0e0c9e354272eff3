"""``kgpub serve``: a read-only SPARQL 1.1 Protocol endpoint and a document for every IRI of a build.

People who never write SPARQL follow a citation to an IRI and must see the sentence a fact rests
on; machines dereference the same IRI and want RDF.  One process serves both over the build's
query index, on Starlette and uvicorn:

* ``/sparql``: the SPARQL 1.1 Protocol (GET ``?query=``, POST form-encoded or
  ``application/sparql-query``), with the request's dataset (``default-graph-uri``,
  ``named-graph-uri``, which replace the query's FROM and FROM NAMED), answered in the W3C JSON,
  XML, CSV or TSV results formats, or Turtle, N-Triples, JSON-LD, RDF/XML, N-Quads or TriG for
  graph queries, by ``Accept`` (406 when none of them is acceptable).  Queries run as ``kgpub
  query`` runs them (same default graph, SERVICE refused), each in a child process stopped at the
  time limit (503 with ``Retry-After``); an answer larger than ``max_rows`` is refused with a 400
  that says so, never cut silently.  An update is refused with 403: the endpoint is read-only.
  ``format=`` (json, xml, csv, tsv; a graph format's name) asks for one of them whatever ``Accept`` says, as a
  download: the SPARQL page's download links (a name the answer has no format of is left to ``Accept``).  Without a query, ``GET /sparql`` is the SPARQL Service
  Description in RDF, and a query editor in a browser; a browser that asks for a query (``Accept`` names
  ``text/html`` first) gets the SPARQL page with the query in its editor and its answer as a table in pages
  (``kgpub.web.sparql_page``), so ``/sparql?query=...`` is a permalink; any other client gets results.
* the path of each IRI kgpub publishes (``https://w3id.org/kgpub/id/x`` at ``/kgpub/id/x``; the
  ontology, its concepts ``/kgpub/type/...``, the named graphs, the VoID dataset and its dumps):
  HTML for a browser, RDF by ``Accept``, always by content negotiation at the IRI's own path (no
  303), with ``Vary: Accept``, a weak ``ETag``, ``Content-Location`` naming the representation
  sent (``?format=``) and ``Link`` to the others and to the VoID (``rel="describedby"``).
  ``/.well-known/void`` is the VoID, which names the endpoint (``void:sparqlEndpoint``).
* ``/queries``: the shipped queries with their parameters, runnable from a form.
* every other view of the list (``kgpub.web.views``) at its path, as ``kgpub site`` writes it: the front
  page, ``/search.js``, ``/timeline``, ``/ontology``, ``/void.ttl``; the style sheets and scripts at ``/static/``
  (a vendored package's in its folder: ``/static/vendor/codemirror/codemirror.js``).

Every answer carries ``Access-Control-Allow-Origin: *`` and large ones are gzip-compressed when the
client accepts it.  The server serves one build at a time: before each request it checks the build
folder's identity (the build swaps a new folder in), and when it changed every view (pages, RDF,
search, ``/sparql``, ``/queries``) moves to the new build at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import mimetypes
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

import pyoxigraph as ox

from kgpub.rdf import formats, vocab
from kgpub.errors import OutputError, QueryError, QueryLimitError
from kgpub.web import templating, views
from kgpub.web.pages import PARTS, Link, Pages
from kgpub.web.views import Ask, Build

#: The SPARQL results formats the endpoint answers in, by name: their media types are pyoxigraph's.
RESULTS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML, "csv": ox.QueryResultsFormat.CSV,
           "tsv": ox.QueryResultsFormat.TSV}
#: The RDF formats (of :mod:`kgpub.rdf.formats`) a graph is given in, in the server's order of preference.
GRAPH_FORMATS = tuple(f for f in (formats.by_name(n) for n in ("turtle", "ntriples", "jsonld", "rdfxml", "nquads",
                                                                 "trig", "n3")) if f is not None)
#: Media types by format name: what a response says it is.
MEDIA = {**{name: f.media_type.split(";")[0] for name, f in RESULTS.items()},
         **{f.name: f.media_type for f in GRAPH_FORMATS}, "html": "text/html"}
#: What may be asked for each kind of answer, in the server's order of preference (the first is the default).
#: ``text/n3`` gets Turtle, which is N3; ``text/xml`` and ``application/xml`` the XML results format.
SELECT_OFFERS = [*((MEDIA[n], n) for n in RESULTS), ("application/json", "json"), ("application/xml", "xml"),
                 ("text/xml", "xml")]
#: CSV and TSV are defined for SELECT results only: an ASK asked only as those is a 406.
ASK_OFFERS = [o for o in SELECT_OFFERS if o[1] in ("json", "xml")]
GRAPH_OFFERS = [(f.media_type, f.name) for f in GRAPH_FORMATS]
HTML_OFFERS = [("text/html", "html")]  # the pages are HTML, not XHTML
#: A document: HTML first (what a browser and a bare ``*/*`` get), then RDF.
DOCUMENT_OFFERS = HTML_OFFERS + GRAPH_OFFERS
#: The service description: RDF first (a SPARQL client's ``*/*``), the editor for a browser that asks for HTML.
DESCRIPTION_OFFERS = GRAPH_OFFERS + HTML_OFFERS
#: The formats ``/sparql?format=NAME`` may name (a download), whatever the kind of answer.
NAMED_FORMATS = {name for _, name in SELECT_OFFERS + GRAPH_OFFERS}
#: The formats a document links as its alternates (``?format=NAME``).
ALTERNATES = ("html", "turtle", "jsonld", "ntriples", "rdfxml")
FORMAT_NAMES = {"html", *(name for _, name in GRAPH_OFFERS)}
TEXT_FORMATS = {"csv", "tsv", "turtle", "n3", "html"}

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
#: The W3C format IRIs of what the endpoint answers in, for the service description.
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "N-Quads", "TriG", "N3")
#: The root of the vocabulary's IRIs (ontology, concepts, dumps), served at its own path beside the base.
VOCAB_ROOT = "https://w3id.org/kgpub/"
#: The largest request line and headers read (h11's default is 16 KiB): a query in the URL, as the SPARQL page's
#: permalinks and downloads carry it, may be longer than that (the longest shipped query is some 13 KB encoded).
REQUEST_HEAD = 128 * 1024
#: Seconds a client is told to wait after a 503.
RETRY_AFTER = "30"
#: Statements a named graph's or the VoID's page lists at most (its RDF has them all).
SHOWN = 2000
READ_ONLY = ("kgpub serve is a read-only SPARQL endpoint: SPARQL Update is not accepted here (the build is the "
             "source of truth: change the facts and run kgpub build)\n")
EXPOSED = "Content-Location, Content-Type, ETag, Link, Retry-After, Vary"

log = logging.getLogger("uvicorn.error")


@dataclass
class Settings:
    data: Path
    timeout: float = 30.0
    max_rows: int = 10_000
    #: The seeds folder, to show the texts whose licence (or dataset.yaml) allows it; None: quotes only.
    seeds: Path | None = None


# --------------------------------------------------------------------------- content negotiation


def _ranges(accept: str) -> list[tuple[str, float, int]]:
    """The media ranges of an ``Accept`` header with their q values and positions (other parameters ignored)."""
    out = []
    for i, part in enumerate(accept.split(",")):
        bits = [b.strip() for b in part.split(";")]
        if not bits[0]:
            continue
        q = 1.0
        for bit in bits[1:]:
            name, _, value = bit.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        out.append((bits[0].lower(), q, i))
    return out


def negotiate(accept: str, offered: list[tuple[str, str]]) -> tuple[str, str] | None:
    """The (media type, format) of ``offered`` that ``Accept`` prefers, None when it accepts none of them.

    RFC 9110 12.5.1: each offered type takes the q of the most specific range that matches it (so
    ``text/csv;q=0`` refuses CSV even beside ``*/*``); the highest q wins, then the more specific match,
    then the client's order, then the server's.  No ``Accept`` at all accepts anything: the default.
    """
    ranges = _ranges(accept)
    if not ranges:
        return offered[0] if offered else None
    best: tuple[tuple[float, int, int, int], tuple[str, str]] | None = None
    for rank, (media, name) in enumerate(offered):
        kind = media.split("/")[0]
        match = None
        for pattern, q, position in ranges:
            specific = 3 if pattern == media else 2 if pattern == kind + "/*" else 1 if pattern == "*/*" else 0
            if specific and (match is None or specific > match[1]):
                match = (q, specific, position)
        if match is None or match[0] <= 0:
            continue
        key = (-match[0], -match[1], match[2], rank)
        if best is None or key < best[0]:
            best = (key, (media, name))
    return best[1] if best else None


def wants_page(accept: str) -> bool:
    """Whether a request for a query's answer asks for the SPARQL page instead: ``Accept`` names ``text/html``
    itself and prefers it to every results format (a browser's ``text/html,...,*/*;q=0.8``).  ``*/*`` alone, or no
    ``Accept``, is a SPARQL client's: it gets results, as the protocol says."""
    if not any(media == "text/html" and q > 0 for media, q, _ in _ranges(accept)):
        return False
    chosen = negotiate(accept, HTML_OFFERS + SELECT_OFFERS + GRAPH_OFFERS)
    return chosen is not None and chosen[1] == "html"


def _content_type(media: str, fmt: str) -> str:
    return media + ("; charset=utf-8" if fmt in TEXT_FORMATS else "")


def _not_acceptable(accept: str, offered: list[tuple[str, str]], what: str) -> tuple[int, dict[str, str], bytes]:
    types = ", ".join(dict.fromkeys(media for media, _ in offered))
    return 406, {"content-type": "text/plain; charset=utf-8"}, (
        f"{what} cannot be given in any type the request accepts (Accept: {accept}); it is available as {types}\n"
    ).encode()


def rdf_bytes(triples: list[Any], fmt: str, prefixes: dict[str, str], graph: str | None = None) -> bytes:
    """Triples in one of the graph formats; N-Quads and TriG put them in ``graph`` (the default graph if None)."""
    import pyoxigraph as ox

    if fmt in ("nquads", "trig"):
        name = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        quads = [ox.Quad(t.subject, t.predicate, t.object, name) for t in triples]
        return ox.serialize(quads, format=_graph_format(fmt).rdf_format, prefixes=prefixes if fmt == "trig" else None) \
            or b""
    target = ox.RdfFormat.TURTLE if fmt == "n3" else _graph_format(fmt).rdf_format  # N3 as Turtle, which is N3
    return ox.serialize(triples, format=target, prefixes=prefixes if fmt in ("turtle", "n3", "rdfxml") else None) or b""


def _graph_format(name: str) -> formats.Format:
    found = formats.by_name(name)
    assert found is not None, name  # the server offers only formats of the table
    return found


def matches(if_none_match: str, etag: str) -> bool:
    """Whether an ``If-None-Match`` header (``*``, or a list of tags, weak or strong) matches ``etag``: the weak
    comparison RFC 9110 13.1.2 prescribes for it."""
    def opaque(tag: str) -> str:
        tag = tag.strip()
        return tag.removeprefix("W/")

    tags = [t for t in if_none_match.split(",") if t.strip()]
    return any(t.strip() == "*" or opaque(t) == opaque(etag) for t in tags)


# --------------------------------------------------------------------------- one build


class StorePages(Pages):
    """Pages read from the server's store, one pattern at a time (a page needs a few hundred at most).

    Links to the vocabulary's own IRIs (``kgt:``, the ontology) stay on this server, where they dereference.
    """

    def __init__(self, store: Any, base: str, base_path: str, prefixes: dict[str, str],
                 navigation: Sequence[Link] = ()) -> None:
        super().__init__(base, base_path, prefixes, navigation)
        self.store = store

    def outgoing(self, node: Any) -> list[Any]:
        import pyoxigraph as ox

        if not isinstance(node, ox.NamedNode):
            return []
        return [q.triple for q in self.store.quads_for_pattern(node, None, None, ox.DefaultGraph())]

    def incoming(self, node: Any) -> list[Any]:
        import pyoxigraph as ox

        return [q.triple for q in self.store.quads_for_pattern(None, None, node, ox.DefaultGraph())]


def build_identity(folder: Path) -> tuple[int, ...] | None:
    """What changes when a build is swapped in: the folder's inode (a new folder is renamed over the old one) and
    ``kg.trig``'s; None while there is no build (between the two renames of a swap without renameat2)."""
    try:
        here, trig = os.stat(folder), os.stat(folder / "kg.trig")
    except OSError:
        return None
    return (here.st_dev, here.st_ino, trig.st_ino, trig.st_size, trig.st_mtime_ns)


@dataclass
class Answer:
    """A response's parts, made without Starlette so the library's logic is testable on its own."""

    status: int
    headers: dict[str, str]
    body: bytes = b""
    path: Path | None = None  # a file sent as it is (a dump)


def _text(status: int, message: str, **headers: str) -> Answer:
    return Answer(status, {"content-type": "text/plain; charset=utf-8", **headers},
                  (message.rstrip("\n") + "\n").encode("utf-8"))


@dataclass
class Publisher:
    """One build as the server shows it: its index, opened once, its pages, its VoID and its named graphs."""

    settings: Settings
    identity: tuple[int, ...] | None = None
    _drawn: dict[str, tuple[int, bytes | None]] = field(default_factory=dict)
    _graph_sizes: dict[str, int] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        import pyoxigraph as ox

        from kgpub.sparql.index import open_index
        from kgpub.sparql.local import local_prefixes

        folder = Path(self.settings.data)
        self.folder = folder
        self.index = open_index(folder, graphs=True)
        self.base = self.index.base
        self.base_path = urlparse(self.base).path
        self.prefixes = local_prefixes(folder)
        self.pages = StorePages(self.index.store, self.base, self.base_path, self.prefixes,
                                views.navigation(static=False))
        self.texts = self._texts(self.settings.seeds)
        self.build = Build(self.pages, self.index.store, folder, self.nodes, self.texts, live=True,
                           timeout=self.settings.timeout, max_rows=self.settings.max_rows)
        self.graphs = {g.value for g in self.index.store.named_graphs() if isinstance(g, ox.NamedNode)}
        void = folder / "void.ttl"
        self.void = list(ox.parse(path=str(void), format=ox.RdfFormat.TURTLE)) if void.is_file() else []
        self.void_parts: dict[str, list[Any]] = {}  # by subject: a node's page asks whether it is a part of the VoID
        for t in self.void:
            self.void_parts.setdefault(t.subject.value, []).append(t)
        self.dataset = next((t.subject.value for t in self.void if t.predicate.value == vocab.RDF + "type"
                             and t.object.value == vocab.VOID + "Dataset"), self.base + "dataset")
        # the path of each dump of the build (its VoID download URL's, else /NAME; the front page links the same)
        self.dumps: dict[str, Path] = {path: folder / name for name, path in views.dump_paths(folder).items()
                                       if name != "void.ttl"}

    # -- where IRIs are served

    def spaces(self) -> list[tuple[str, str]]:
        """(IRI prefix, path prefix) of what this server dereferences: the build's base, then the vocabulary's."""
        out = [(self.base, self.base_path)]
        root_path = urlparse(VOCAB_ROOT).path
        if self.base != VOCAB_ROOT:
            out.append((VOCAB_ROOT, root_path))
        return out

    def iri_of(self, path: str) -> str | None:
        for iri, prefix in self.spaces():
            if path.startswith(prefix) and len(path) > len(prefix) or path + "/" == prefix:
                return iri + path[len(prefix):]
        return None

    def local(self, iri: str) -> str | None:
        """The path this server answers ``iri`` at, None for an IRI elsewhere."""
        for prefix, path in self.spaces():
            if iri.startswith(prefix):
                return path + iri[len(prefix):]
        return None

    # -- SPARQL

    def sparql(self, text: str, accept: str, dataset: Any = None, endpoint: str | None = None,
               fmt: str | None = None) -> Answer:
        """The answer to one query over this build (``dataset``: the request's graphs, see ``run_local``; relative
        IRIs resolve against ``endpoint``, the service-defined base the protocol allows; ``fmt``: the format asked
        by name, a download, instead of by ``Accept``)."""
        from kgpub.sparql.lexer import uses_service
        from kgpub.sparql.local import run_local
        from kgpub.sparql.results import AskResult, GraphResult, render

        if uses_service(text):
            return _text(400, "kgpub serve does not run SERVICE: a federated query would make this server send "
                              "requests to other hosts; federate from the client instead, with this endpoint as one "
                              "of the services")
        try:
            result = run_local(text, self.folder, timeout=self.settings.timeout, dataset=dataset, base_iri=endpoint)
        except QueryLimitError as exc:  # stopped at a limit: the server is busy, not the query wrong
            what = (f"the query ran longer than {exc.limit:g} s, this server's limit, and was stopped"
                    if exc.what == "time" else "the query needed more memory than this server gives one and was "
                    "stopped")
            return _text(503, what + "; narrow it (LIMIT, more specific patterns)", **{"retry-after": RETRY_AFTER})
        except QueryError as exc:
            message = str(exc)
            if message.startswith("kgpub query is read-only"):
                return _text(400, READ_ONLY)
            return _text(400, message)
        if isinstance(result, GraphResult):
            import pyoxigraph as ox

            triples = [q.triple for q in ox.parse(result.ntriples, format=ox.RdfFormat.N_TRIPLES)]
            if len(triples) > self.settings.max_rows:
                return self._too_large(len(triples), "triples")
            chosen, named = _asked(accept, fmt, GRAPH_OFFERS)
            if chosen is None:
                return Answer(*_not_acceptable(accept, GRAPH_OFFERS, "a CONSTRUCT or DESCRIBE answer"))
            try:
                body = rdf_bytes(triples, chosen[1], self.prefixes)
            except (ValueError, SyntaxError, OSError) as exc:
                return _text(406, f"this answer cannot be written as {chosen[0]}: {' '.join(str(exc).split())}; "
                                  "ask for text/turtle or application/n-triples")
        elif isinstance(result, AskResult):
            chosen, named = _asked(accept, fmt, ASK_OFFERS)
            if chosen is None:
                return Answer(*_not_acceptable(accept, ASK_OFFERS, "an ASK answer (a boolean: SPARQL's CSV and TSV "
                                                                    "formats are for SELECT only)"))
            body = render(result, chosen[1], self.prefixes)
        else:
            rows = result.rows
            if len(rows) > self.settings.max_rows:
                return self._too_large(len(rows), "rows")
            chosen, named = _asked(accept, fmt, SELECT_OFFERS)
            if chosen is None:
                return Answer(*_not_acceptable(accept, SELECT_OFFERS, "a SELECT answer"))
            body = render(result, chosen[1], self.prefixes)
        headers = {"content-type": _content_type(*chosen), "vary": "Accept"}
        if named:  # a download link's: saved as a file named for its format
            headers["content-disposition"] = f'attachment; filename="answer.{_extension(chosen[1])}"'
        return Answer(200, headers, body)

    def page(self, values: dict[str, str]) -> Answer:
        """The SPARQL page for a browser that asked for a query (``values``: the query, the page of its answer, the
        endpoint's URL): the query in the editor, its answer as a table (see :mod:`kgpub.web.sparql_page`)."""
        status, body = self.view("sparql", Ask(None, values))
        headers = {"content-type": "text/html; charset=utf-8", "vary": "Accept"}
        if status == 503:
            headers["retry-after"] = RETRY_AFTER
        return Answer(status, headers, body or b"")

    def _too_large(self, n: int, what: str) -> Answer:
        """A refusal: an answer is whole or none (a client reading a cut answer as complete gets wrong counts)."""
        return _text(400, f"the answer has {n:,} {what}, more than this server gives in one answer "
                          f"({self.settings.max_rows:,}, kgpub serve --max-rows): add LIMIT and page with OFFSET "
                          "(with ORDER BY), or aggregate")

    def view(self, name: str, ask: Ask | None = None) -> tuple[int, bytes | None]:
        """A view of the list (``kgpub.web.views``) for this build; those that ask nothing are drawn once."""
        view = views.by_name(name)
        if ask is not None:
            return views.draw(view, self.build, ask)
        with self._lock:
            known = self._drawn.get(name)
        if known is None:
            known = views.draw(view, self.build)
            with self._lock:
                self._drawn.setdefault(name, known)
        return known

    def editor(self) -> bytes:
        """``/sparql`` in a browser: the SPARQL view with its starting query (drawn once per build)."""
        return self.view("sparql")[1] or b""

    def graph_sizes(self) -> dict[str, int]:
        """Triples in each named graph and in the default graph (``""``), counted once per build (the service
        description gives them)."""
        with self._lock:
            if self._graph_sizes is None:
                store = self.index.store
                rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
                sizes = {r["g"].value: int(r["n"].value) for r in rows}
                sizes[""] = int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)
                self._graph_sizes = sizes
            return dict(self._graph_sizes)

    def description_triples(self, endpoint: str) -> list[Any]:
        """The SPARQL 1.1 Service Description of the endpoint at ``endpoint``: what it speaks and answers in, and
        its dataset (the default graph, each named graph with its size)."""
        import pyoxigraph as ox

        def n(iri: str) -> Any:
            return ox.NamedNode(iri)

        rdf_type = n(vocab.RDF + "type")
        service, data, default = ox.BlankNode("service"), n(self.dataset), ox.BlankNode("default")
        triples = [ox.Triple(service, rdf_type, n(SD + "Service")), ox.Triple(service, n(SD + "endpoint"), n(endpoint)),
                   ox.Triple(service, n(SD + "supportedLanguage"), n(SD + "SPARQL11Query")),
                   ox.Triple(service, n(SD + "defaultEntailmentRegime"), n("http://www.w3.org/ns/entailment/Simple")),
                   ox.Triple(service, n(vocab.RDFS + "comment"), ox.Literal(
                       "Read-only: SPARQL Update is refused (403), and so is SERVICE. The default graph is the union "
                       "of the build's data graphs and the ontology (claims and provenance stay in their named "
                       "graphs); default-graph-uri and named-graph-uri replace it and the query's FROM. An answer of "
                       f"more than {self.settings.max_rows} rows or triples is refused (400), never cut.")),
                   ox.Triple(service, n(SD + "defaultDataset"), data),
                   ox.Triple(data, rdf_type, n(SD + "Dataset")),
                   ox.Triple(data, n(SD + "defaultGraph"), default),
                   ox.Triple(default, rdf_type, n(SD + "Graph")),
                   ox.Triple(data, n(vocab.VOID + "sparqlEndpoint"), n(endpoint))]
        triples += [ox.Triple(service, n(SD + "resultFormat"), n(FORMATS_NS + f)) for f in RESULT_FORMATS]
        triples += [t for t in self.void if t.subject.value == self.dataset
                    and t.predicate.value in (vocab.DCTERMS + "title", vocab.VOID + "uriSpace")]
        sizes = self.graph_sizes()
        triples.append(ox.Triple(default, n(vocab.VOID + "triples"),
                                 ox.Literal(str(sizes.pop("")), datatype=n(vocab.XSD + "integer"))))
        for i, (graph, size) in enumerate(sorted(sizes.items())):
            named, inner = ox.BlankNode(f"named{i}"), ox.BlankNode(f"graph{i}")
            triples += [ox.Triple(data, n(SD + "namedGraph"), named), ox.Triple(named, rdf_type, n(SD + "NamedGraph")),
                        ox.Triple(named, n(SD + "name"), n(graph)), ox.Triple(named, n(SD + "graph"), inner),
                        ox.Triple(inner, rdf_type, n(SD + "Graph")),
                        ox.Triple(inner, n(vocab.VOID + "triples"), ox.Literal(str(size), datatype=n(vocab.XSD + "integer")))]
        return sorted(triples, key=lambda t: (t.subject != service, str(t.subject), str(t.predicate), str(t.object)))

    def service_description(self, endpoint: str, accept: str, example: str | None = None) -> Answer:
        """The service description, or for a browser the SPARQL page (with ``example``'s text in its editor)."""
        chosen = negotiate(accept, DESCRIPTION_OFFERS)
        if chosen is None:
            return Answer(*_not_acceptable(accept, DESCRIPTION_OFFERS, "the service description"))
        if chosen[1] == "html":
            if example is not None:
                status, body = self.view("sparql", Ask(None, {"example": example}))
                return Answer(status, {"content-type": "text/html; charset=utf-8", "vary": "Accept"}, body or b"")
            return Answer(200, {"content-type": "text/html; charset=utf-8", "vary": "Accept"}, self.editor())
        prefixes = {"sd": SD, "void": vocab.VOID, "rdfs": vocab.RDFS, "dcterms": vocab.DCTERMS, "xsd": vocab.XSD}
        body = rdf_bytes(self.description_triples(endpoint), chosen[1], prefixes)
        return Answer(200, {"content-type": _content_type(*chosen), "vary": "Accept"}, body)

    # -- documents

    def document(self, path: str, accept: str, fmt: str | None, endpoint: str,
                 if_none_match: str = "") -> Answer:
        """The document at ``path`` (an IRI's, the VoID's or a dump): by ``?format=`` or else ``Accept``."""
        dump = self.dumps.get(path)
        if dump is not None:
            return Answer(200, {"content-type": _dump_type(dump.name)}, path=dump)
        iri = self.dataset if path == "/.well-known/void" else self.iri_of(path)
        if iri is None:
            return _text(404, f"nothing is published at {path}")
        kind, triples, graph = self._triples(iri, endpoint)
        if not triples and kind != "graph":
            return _text(404, "nothing is known of this IRI")
        moved = self._merged_into(kind, iri, triples) if fmt is None else None
        if moved is not None:  # a merged entity's IRI resolves to the one it was merged into; ?format= shows its own
            return Answer(301, {"location": quote(moved), "vary": "Accept", "content-type": "text/plain; charset=utf-8"},
                          f"merged into {moved}\n".encode("utf-8"))
        if fmt is not None:
            if fmt not in FORMAT_NAMES:
                return _text(400, f"unknown format {fmt!r}: give one of {', '.join(sorted(FORMAT_NAMES))}")
            chosen: tuple[str, str] | None = (MEDIA[fmt], fmt)
        else:
            chosen = negotiate(accept, DOCUMENT_OFFERS)
        if chosen is None:
            return Answer(*_not_acceptable(accept, DOCUMENT_OFFERS, "this document"))
        media, name = chosen
        try:
            if name == "html":
                body = self._html(kind, iri, triples).encode("utf-8")
            else:
                body = rdf_bytes(triples, name, self.prefixes, graph)
        except (ValueError, SyntaxError, OSError) as exc:
            return _text(406, f"this document cannot be written as {media}: {' '.join(str(exc).split())}")
        own = self.local(iri) if path != "/.well-known/void" else path
        own = own.split("#")[0] if own else path
        etag = 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        links = [f'<{quote(own)}?format={f}>; rel="alternate"; type="{MEDIA[f]}"' for f in ALTERNATES if f != name]
        void_path = self.local(self.dataset)
        if void_path:
            links.append(f'<{quote(void_path)}>; rel="describedby"; type="text/turtle"')
        headers = {"content-type": _content_type(media, name), "vary": "Accept", "etag": etag,
                   "content-location": f"{quote(own)}?format={name}", "link": ", ".join(links)}
        if if_none_match and matches(if_none_match, etag):
            return Answer(304, {k: v for k, v in headers.items() if k != "content-type"})
        return Answer(200, headers, body)

    def _merged_into(self, kind: str, iri: str, triples: list[Any]) -> str | None:
        """The local path of the entity ``iri`` was merged into (``dct:isReplacedBy``), as Wikidata redirects a
        merged item; None for anything else."""
        if kind != "node":
            return None
        targets = sorted(t.object.value for t in triples
                         if t.subject.value == iri and t.predicate.value == vocab.DCTERMS + "isReplacedBy")
        return self.local(targets[0]) if targets else None

    def _triples(self, iri: str, endpoint: str) -> tuple[str, list[Any], str | None]:
        """What ``iri`` dereferences to: ("graph", a named graph's triples, its IRI), ("void", the VoID or a part
        of it) or ("node", the node's description)."""
        import pyoxigraph as ox

        if iri in self.graphs:
            node = ox.NamedNode(iri)
            return "graph", [q.triple for q in self.index.store.quads_for_pattern(None, None, None, node)], iri
        if iri == self.dataset:
            extra = [ox.Triple(ox.NamedNode(iri), ox.NamedNode(vocab.VOID + "sparqlEndpoint"), ox.NamedNode(endpoint))]
            return "void", sorted({*self.void, *extra}, key=str), None
        described = self.pages.description(iri)
        part = self.void_parts.get(iri, [])
        if part and not described:  # a part of the VoID only (a class partition, a distribution); a source
            return "void", part, None  # article, which the VoID credits too, is the graph's own node
        return "node", described, None

    def _texts(self, seeds: Path | None) -> dict[str, str]:
        """The full texts this server may show (see ``pages.article_texts``): read with the build, as the
        static site reads them, and checked against the hashes it recorded."""
        import pyoxigraph as ox

        from kgpub.web.pages import article_texts, full_text_choices

        if seeds is None:
            return {}
        kind = ox.NamedNode(vocab.SCHEMA + "NewsArticle")
        articles = sorted(q.subject.value for q in self.index.store.quads_for_pattern(
            None, ox.NamedNode(vocab.RDF + "type"), kind, ox.DefaultGraph()))
        return article_texts(self.pages, articles, seeds, full_text_choices(seeds))

    def _html(self, kind: str, iri: str, triples: list[Any]) -> str:
        if kind == "node":
            return (views.draw(views.by_name("node"), self.build, Ask(iri))[1] or b"").decode("utf-8")
        if iri == vocab.ONTOLOGY_GRAPH:
            return (self.view("ontology")[1] or b"").decode("utf-8")
        import pyoxigraph as ox

        pages = self.pages
        rows = [(pages.link(t.subject), pages.short(t.predicate.value), pages.link(t.object)) for t in triples[:SHOWN]
                if isinstance(t.subject, ox.NamedNode)]
        what = "named graph" if kind == "graph" else "dataset description (VoID and DCAT)"
        alternates = [(MEDIA[f], f"?format={f}") for f in ALTERNATES if f != "html"]
        title = pages.label(ox.NamedNode(iri)) if kind != "graph" else pages.short(iri)
        return pages.render("graph.html", title, iri=iri, what=what, total=len(triples), more=len(triples) > SHOWN,
                            shown=SHOWN, formats=alternates, rows=rows)

    # -- the views every request for the same build shares

    def nodes(self) -> list[str]:
        """The IRIs with a page of their own: every subject under the base but the parts of a fact (evidence)."""
        parts = " ".join(f"<{k}>" for k in sorted(PARTS))
        rows = self.index.store.query(f"""SELECT DISTINCT ?e WHERE {{ ?e ?p ?o FILTER (STRSTARTS(STR(?e), "{self.base}"))
            FILTER NOT EXISTS {{ ?e a ?part VALUES ?part {{ {parts} }} }} FILTER (isIRI(?e)) }}""")
        return sorted(r["e"].value for r in rows)


def _asked(accept: str, fmt: str | None, offered: list[tuple[str, str]]) -> tuple[tuple[str, str] | None, bool]:
    """The (media type, format) an answer is given in (None: none acceptable), and whether ``format=`` chose it.

    ``format=`` wins when this kind of answer has a format of that name; otherwise ``Accept`` decides, as it does
    without one: clients send the parameter with meanings of their own (SPARQLWrapper sends ``format=xml`` with
    every query, RDF/XML for a CONSTRUCT), and a client's request must keep its protocol answer."""
    found = next((o for o in offered if o[1] == fmt), None) if fmt is not None else None
    return (found, True) if found is not None else (negotiate(accept, offered), False)


def _extension(fmt: str) -> str:
    """A downloaded answer's file extension (``answer.csv``, ``answer.ttl``)."""
    return fmt if fmt in RESULTS else _graph_format(fmt).extension


def _dump_type(name: str) -> str:
    """The ``Content-Type`` of a dump the VoID names, by its extension."""
    fmt = formats.by_extension(name)
    served = ("turtle", "ntriples", "trig", "jsonld", "nquads")
    return fmt.content_type if fmt is not None and fmt.name in served else "application/octet-stream"


class Current:
    """The build being served: one :class:`Publisher` at a time, replaced between requests when the build folder
    is swapped for a new one, so no request sees pages of one build and query answers of another."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        identity = build_identity(Path(settings.data))
        self.publisher = Publisher(settings, identity)

    def get(self) -> Publisher:
        identity = build_identity(Path(self.settings.data))
        if identity is None or identity == self.publisher.identity:
            return self.publisher
        with self._lock:
            if identity != self.publisher.identity:
                try:
                    self.publisher = Publisher(self.settings, identity)
                except (QueryError, OutputError, OSError) as exc:  # a build half there: keep serving the last whole one
                    log.warning("kgpub serve: the new build in %s cannot be opened yet (%s); still serving the "
                                "previous one", self.settings.data, exc)
                else:
                    log.info("kgpub serve: a new build in %s, now served", self.settings.data)
            return self.publisher


# --------------------------------------------------------------------------- the protocol's requests


@dataclass
class Operation:
    """What a request to ``/sparql`` asks: a query (with its dataset), an update to refuse, or nothing."""

    query: str | None = None
    default: list[str] = field(default_factory=list)
    named: list[str] = field(default_factory=list)
    error: Answer | None = None
    #: The SPARQL page's own parameters, which the protocol leaves to the service: the answer's format asked by
    #: name (a download), the page of the answer a browser shows, the example it opens.
    format: str | None = None
    page: str = ""
    example: str | None = None


def read_operation(method: str, params: dict[str, list[str]], content_type: str, body: bytes) -> Operation:
    """The operation of a SPARQL 1.1 Protocol request (section 2.1), or the error it deserves.

    The URL's parameters and a form body's count together: two ``query`` parameters are a 400, an ``update``
    anywhere or an ``application/sparql-update`` body a 403 (read-only), another body type a 415.
    """
    merged = {k: list(v) for k, v in params.items()}
    kind, _, rest = content_type.partition(";")
    kind = kind.strip().lower()
    charset = next((p.split("=", 1)[1].strip().strip('"').lower() for p in rest.split(";")
                    if p.strip().lower().startswith("charset=")), "utf-8")
    direct = None
    if method == "POST":
        if kind == "application/sparql-update" or "update" in merged:
            return Operation(error=_text(403, READ_ONLY))
        if kind not in ("application/sparql-query", "application/x-www-form-urlencoded"):
            return Operation(error=_text(415, "a query is POSTed as application/sparql-query or as an "
                                              "application/x-www-form-urlencoded form with a query parameter"
                                         + (f", not {kind}" if kind else " (the request has no Content-Type)")))
        if charset not in ("utf-8", "utf8"):
            return Operation(error=_text(415, f"the request is in {charset}: SPARQL requests are UTF-8"))
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return Operation(error=_text(400, "the request body is not UTF-8"))
        if kind == "application/sparql-query":
            direct = text
        else:
            for key, values in parse_qs(text, keep_blank_values=True).items():
                merged.setdefault(key, []).extend(values)
    if "update" in merged or any(k.startswith("using-") for k in merged):
        return Operation(error=_text(403, READ_ONLY))
    queries = merged.get("query", []) + ([direct] if direct is not None else [])
    if len(queries) > 1:
        return Operation(error=_text(400, f"the request holds {len(queries)} queries; the SPARQL Protocol takes "
                                          "exactly one"))
    operation = Operation(queries[0] if queries else None, merged.get("default-graph-uri", []),
                          merged.get("named-graph-uri", []), format=_first(merged, "format"),
                          page=_first(merged, "page") or "", example=_first(merged, "example"))
    import pyoxigraph as ox

    for name, graphs in (("default-graph-uri", operation.default), ("named-graph-uri", operation.named)):
        for graph in graphs:
            try:
                ox.NamedNode(graph)
            except ValueError:
                operation.error = _text(400, f"{name}: not an absolute IRI: {graph!r}")
    return operation


def _first(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[0] if values else None


# --------------------------------------------------------------------------- the application


def _endpoint_url(request: Any) -> str:
    return str(request.url.replace(query="", fragment=""))


def _response(answer: Answer) -> Any:
    from starlette.responses import FileResponse, Response

    if answer.path is not None:
        return FileResponse(answer.path, headers={k: v for k, v in answer.headers.items() if k != "content-type"},
                            media_type=answer.headers.get("content-type"))
    return Response(answer.body, answer.status, headers=answer.headers)


def application(settings: Settings, url: str | None = None) -> Any:
    """The ASGI application of ``kgpub serve`` (``url``: where it listens, said at start-up)."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.middleware import Middleware
    from starlette.middleware.gzip import GZipMiddleware
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    current = Current(settings)

    async def sparql(request: Request) -> Response:
        if request.method == "OPTIONS":
            # Any origin may query (no credentials are involved): a YASGUI page or a notebook served elsewhere
            # calls the endpoint from the browser, after a preflight for a POST of application/sparql-query.
            return Response(b"", 204, headers={"access-control-allow-methods": "GET, POST",
                                               "access-control-allow-headers": "Content-Type, Accept",
                                               "access-control-max-age": "86400"})
        params: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            params.setdefault(key, []).append(value)
        body = await request.body() if request.method == "POST" else b""
        operation = read_operation(request.method, params, request.headers.get("content-type", ""), body)
        if operation.error is not None:
            return _response(operation.error)
        publisher = await run_in_threadpool(current.get)
        accept = request.headers.get("accept", "")
        if operation.query is None:
            if request.method == "GET" and not operation.default and not operation.named:
                answer = await run_in_threadpool(publisher.service_description, _endpoint_url(request), accept,
                                                 operation.example)
                return _response(answer)
            return _response(_text(400, "give a query: ?query=... , a form with a query parameter, or an "
                                        "application/sparql-query body"))
        from kgpub.sparql.results import Dataset

        dataset = Dataset(tuple(operation.default), tuple(operation.named)) \
            if operation.default or operation.named else None
        if operation.format not in NAMED_FORMATS and dataset is None and wants_page(accept):  # a browser: the page
            values = {"query": operation.query, "page": operation.page, "endpoint": _endpoint_url(request)}
            return _response(await run_in_threadpool(publisher.page, values))
        answer = await run_in_threadpool(publisher.sparql, operation.query, accept, dataset, _endpoint_url(request),
                                         operation.format)
        return _response(answer)

    def queries(request: Request) -> Response:
        ask = Ask(request.path_params.get("name"), dict(request.query_params))
        status, body = current.get().view("queries", ask if ask.key is not None or ask.values else None)
        return Response(body, status, media_type="text/html")

    def drawn(view: views.View) -> Any:
        def answer(request: Request) -> Response:
            values = {k: request.query_params[k] for k in view.filters if request.query_params.get(k)}
            status, body = current.get().view(view.name, Ask(None, values) if values else None)
            if body is None:
                return _response(_text(404, f"this build has no {view.file}"))
            return Response(body, status, media_type=view.media_type)

        return answer

    files = templating.static_files()

    def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in files:
            return _response(_text(404, f"nothing is published at /static/{name}"))
        plain = "." not in name.rsplit("/", 1)[-1]  # a vendored package's LICENSE
        return Response(files[name], media_type=mimetypes.guess_type(name)[0]
                        or ("text/plain" if plain else "application/octet-stream"))

    def document(request: Request) -> Response:
        publisher = current.get()
        endpoint = str(request.url.replace(path="/sparql", query="", fragment=""))
        answer = publisher.document(request.url.path, request.headers.get("accept", ""),
                                    request.query_params.get("format"), endpoint,
                                    request.headers.get("if-none-match", ""))
        return _response(answer)

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> Any:
        where = url or "this server"
        log.info("kgpub serve: %s (SPARQL endpoint %s/sparql), serving the build in %s", where,
                 (url or "").rstrip("/"), settings.data)
        yield

    # every view of the list at its path (the endpoint and the query forms answer more than their view), the nodes last
    special = {"sparql": [Route("/sparql", sparql, methods=["GET", "POST", "OPTIONS"])],
               "queries": [Route("/queries", queries), Route("/queries/{name}", queries)]}
    routes = [Route("/static/{name:path}", static)]
    for view in sorted(views.VIEWS, key=lambda v: v.each_node):
        routes += special.get(view.name) or [Route(view.path, document if view.each_node else drawn(view))]
    return Starlette(routes=routes,
                     middleware=[Middleware(Cors), Middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)],
                     lifespan=lifespan)


class Cors:
    """Every answer may be read by a page of any origin (nothing here needs credentials), with the headers that
    say what it is (``Link``, ``Content-Location``, ``ETag``)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from starlette.datastructures import MutableHeaders

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["access-control-allow-origin"] = "*"
                headers["access-control-expose-headers"] = EXPOSED
            await send(message)

        await self.app(scope, receive, sending)


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the server until interrupted; it logs the URL it listens on and one line per request (uvicorn's)."""
    import uvicorn

    shown = f"[{host}]" if ":" in host else host
    sock = _listening(host, port, shown)
    app = application(settings, f"http://{shown}:{port}/")
    uvicorn.Server(uvicorn.Config(app, log_level="info", access_log=True,
                                  h11_max_incomplete_event_size=REQUEST_HEAD)).run(sockets=[sock])


def _listening(host: str, port: int, shown: str) -> Any:
    """The server's socket, bound here so that a taken port or a wrong address is one line and exit 2 (uvicorn
    would log it and end the process itself, with its own code)."""
    import socket

    from kgpub.errors import UsageError

    # TCP named as the protocol: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on the connections of a socket
    # that says so, and without it every answer after the first on a kept-alive connection waits for the client's
    # delayed acknowledgement (some 40 ms)
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = exc.strerror or str(exc)
        raise UsageError(f"{shown}:{port}: cannot listen there: {reason}; give another --port or --host") from None
    return sock
