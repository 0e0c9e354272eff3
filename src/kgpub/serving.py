"""``kgpub serve``: a read-only SPARQL 1.1 Protocol endpoint and a page for every IRI of a build.

People who never write SPARQL follow a citation to an IRI and must see the sentence a fact rests
on; machines dereference the same IRI and want RDF.  One process serves both over the build's
query index, on Starlette and uvicorn:

* ``/sparql``: the SPARQL 1.1 Protocol (GET ``?query=``, POST form-encoded or
  ``application/sparql-query``), answered in the W3C JSON, XML, CSV or TSV results formats, or
  Turtle, N-Triples or JSON-LD for graph queries, by ``Accept``.  Queries run as ``kgpub query``
  runs them (same default graph, parameters never pasted, SERVICE refused), each in a child process
  stopped at the time limit, and at most ``max_rows`` rows are returned.  An update is a 400.
* the path of each IRI under the build's base (``https://w3id.org/kgpub/id/x`` at ``/kgpub/id/x``):
  HTML for a browser, Turtle, JSON-LD or N-Triples by ``Accept`` (``Vary: Accept``, an ``ETag``,
  ``Link: rel=alternate``).  The HTML page gives the label, the types, every statement about the
  node, every fact it takes part in with its role and its quote, and links to its neighbours.
* ``/queries``: the shipped queries with their parameters, runnable from a form; no script or
  style is fetched from any host.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

from . import vocab
from .errors import QueryError, QueryLimitError

#: Media types of the answers, by what ``Accept`` may ask.
SELECT_TYPES = {"application/sparql-results+json": "json", "application/json": "json",
                "application/sparql-results+xml": "xml", "application/xml": "xml", "text/csv": "csv",
                "text/tab-separated-values": "tsv"}
GRAPH_TYPES = {"text/turtle": "turtle", "application/n-triples": "ntriples", "application/ld+json": "jsonld"}
MEDIA = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml", "csv": "text/csv",
         "tsv": "text/tab-separated-values", "turtle": "text/turtle", "ntriples": "application/n-triples",
         "jsonld": "application/ld+json", "html": "text/html"}
_STYLE = ("body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}"
          "a{color:#0645ad}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;"
          "text-align:left;vertical-align:top}q{background:#fff3b0;color:#1a1a1a}code{font-size:90%}")


@dataclass
class Settings:
    data: Path
    timeout: float = 30.0
    max_rows: int = 10_000


def _accepts(accept: str, offered: dict[str, str]) -> str | None:
    """The first media type of ``Accept`` (by q, then order) that ``offered`` has; None when none is."""
    choices = []
    for i, part in enumerate(accept.split(",")):
        bits = [b.strip() for b in part.split(";")]
        q = 1.0
        for bit in bits[1:]:
            if bit.startswith("q="):
                try:
                    q = float(bit[2:])
                except ValueError:
                    q = 0.0
        choices.append((-q, i, bits[0].lower()))
    for _, _, media in sorted(choices):
        if media in offered:
            return offered[media]
        if media in ("*/*", "application/*", "text/*"):
            return None
    return None


class Publisher:
    """The state of one server: the build's index, opened once, and its base."""

    #: Links of a static site end in ``.html`` (no content negotiation there); a server's are the IRIs' paths.
    suffix = ""

    def __init__(self, settings: Settings) -> None:
        from .querying import by_length, local_prefixes, open_index

        self.settings = settings
        self.index = open_index(Path(settings.data), graphs=True)
        self.base = self.index.base
        self.base_path = urlparse(self.base).path
        self.prefixes = local_prefixes(Path(settings.data))
        self.ordered = by_length(self.prefixes)

    # -- SPARQL

    def sparql(self, text: str, accept: str) -> tuple[int, str, bytes]:
        """Status, media type and body of the answer to one query."""
        from .querying import AskResult, GraphResult, render, run_local

        try:
            result = run_local(text, Path(self.settings.data), timeout=self.settings.timeout)
        except QueryError as exc:  # stopped at a limit: the server is busy, not the query wrong
            code = 503 if isinstance(exc, QueryLimitError) else 400
            return code, "text/plain; charset=utf-8", (str(exc) + "\n").encode()
        if isinstance(result, GraphResult):
            fmt = _accepts(accept, GRAPH_TYPES) or "turtle"
        elif isinstance(result, AskResult):
            fmt = _accepts(accept, SELECT_TYPES) or "json"
            fmt = fmt if fmt in ("json", "xml") else "json"
        else:
            fmt = _accepts(accept, SELECT_TYPES) or "json"
            result = _limited(result, self.settings.max_rows)
        return 200, MEDIA[fmt] + ("; charset=utf-8" if fmt in ("csv", "tsv", "turtle") else ""), \
            render(result, fmt, self.prefixes)

    # -- pages

    def iri_of(self, path: str) -> str | None:
        return self.base + path[len(self.base_path):] if path.startswith(self.base_path) else None

    def describe(self, iri: str) -> list[Any]:
        """Every triple of the default graph with the node as subject or object."""
        import pyoxigraph as ox

        node = ox.NamedNode(iri)
        store = self.index.store
        return [*(q.triple for q in store.quads_for_pattern(node, None, None, ox.DefaultGraph())),
                *(q.triple for q in store.quads_for_pattern(None, None, node, ox.DefaultGraph()))]

    def page(self, path: str, accept: str) -> tuple[int, dict[str, str], bytes]:
        """An IRI's page: 404 when the graph says nothing of it."""
        import pyoxigraph as ox

        iri = self.iri_of(path)
        triples = self.describe(iri) if iri else []
        if not triples:
            return 404, {"content-type": "text/plain; charset=utf-8"}, b"nothing is known of this IRI\n"
        fmt = _accepts(accept, {**GRAPH_TYPES, "text/html": "html", "application/xhtml+xml": "html"}) or "html"
        if fmt == "html":
            body = self.html_page(iri, triples).encode("utf-8")
        else:
            target = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}
            body = ox.serialize(sorted(triples, key=str), format=target[fmt],
                                prefixes=self.prefixes if fmt == "turtle" else None)
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        links = ", ".join(f'<{quote(path)}>; rel="alternate"; type="{MEDIA[f]}"' for f in ("turtle", "jsonld", "ntriples"))
        headers = {"content-type": MEDIA[fmt] + "; charset=utf-8" if fmt != "jsonld" else MEDIA[fmt],
                   "vary": "Accept", "etag": etag, "link": links}
        return 200, headers, body

    def label(self, term: Any) -> str:
        import pyoxigraph as ox

        if isinstance(term, ox.Literal):
            return term.value
        labels = [q.object.value for q in self.index.store.quads_for_pattern(
            term, ox.NamedNode(vocab.RDFS + "label"), None, ox.DefaultGraph())] if isinstance(term, ox.NamedNode) else []
        return labels[0] if labels else self.short(term.value if hasattr(term, "value") else str(term))

    def short(self, iri: str) -> str:
        from .querying import prefixed

        return prefixed(iri, self.ordered) or iri

    def href(self, iri: str) -> str:
        """Where the page of an IRI under the base is served (its path; a static site's ``PATH.html``)."""
        return iri[len(self.base) - len(self.base_path):] + self.suffix

    def link(self, term: Any) -> str:
        import pyoxigraph as ox

        if isinstance(term, ox.Literal):
            return html.escape(term.value)
        if isinstance(term, ox.NamedNode):
            href = self.href(term.value) if term.value.startswith(self.base) else term.value
            return f'<a href="{html.escape(href)}">{html.escape(self.label(term))}</a>'
        return html.escape(str(term))

    def quotes(self, fact: Any) -> list[tuple[str, str]]:
        """The quotes a fact rests on, with the headline of each quote's article."""
        rows = self.index.store.query(f"""SELECT ?quote ?headline WHERE {{
            <{fact.value}> <{vocab.KG}evidence> ?r . ?r <{vocab.OA}hasSelector> ?s .
            ?s a <{vocab.OA}TextQuoteSelector> ; <{vocab.OA}exact> ?quote .
            OPTIONAL {{ ?r <{vocab.OA}hasSource>/<{vocab.RDFS}label> ?headline }} }} ORDER BY ?quote""")
        return [(r["quote"].value, r["headline"].value if r["headline"] else "") for r in rows]

    def html_page(self, iri: str, triples: list[Any], extra: str = "") -> str:
        import pyoxigraph as ox

        node = ox.NamedNode(iri)
        rdf_type = ox.NamedNode(vocab.RDF + "type")
        types = sorted({self.link(t.object) for t in triples if t.subject == node and t.predicate == rdf_type})
        out_rows = sorted((self.short(t.predicate.value), self.link(t.object)) for t in triples
                          if t.subject == node and t.predicate != rdf_type)
        facts = []
        for t in sorted((t for t in triples if t.object == node), key=lambda t: (t.predicate.value, t.subject.value)):
            quoted = "".join(f"<li><q>{html.escape(q)}</q>" + (f" — {html.escape(h)}" if h else "") + "</li>"
                             for q, h in self.quotes(t.subject))
            facts.append(f"<li>{self.link(t.subject)} <small>({html.escape(self.short(t.predicate.value))})</small>"
                         + (f"<ul>{quoted}</ul>" if quoted else "") + "</li>")
        own = "".join(f"<li><q>{html.escape(q)}</q>" + (f" — {html.escape(h)}" if h else "") + "</li>"
                      for q, h in self.quotes(node))
        title = html.escape(self.label(node))
        outgoing = sorted((t for t in triples if t.subject == node), key=str)
        embedded = ox.serialize(outgoing, format=ox.RdfFormat.JSON_LD).decode("utf-8").replace("</", "<\\/")
        extensions = {"turtle": "ttl", "jsonld": "jsonld", "ntriples": "nt"}
        alternates = "".join(
            f'<link rel="alternate" type="{MEDIA[f]}" href="'
            + (html.escape(iri.rsplit("/", 1)[-1] + "." + extensions[f]) if self.suffix else f"?format={f}") + '">'
            for f in ("turtle", "jsonld", "ntriples"))
        return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>{title}</title>'
                f'<link rel="canonical" href="{html.escape(iri)}">{alternates}<style>{_STYLE}</style>'
                f'<script type="application/ld+json">{embedded}</script></head><body>'
                f'<p><a href="/{"index.html" if self.suffix else ""}">kgpub</a>'
                + ("" if self.suffix else ' · <a href="/queries">queries</a>') + "</p>"
                f"<h1>{title}</h1><p><code>{html.escape(iri)}</code></p>"
                + (f"<p>{' · '.join(types)}</p>" if types else "")
                + (f"<h2>What the quotes say</h2><ul>{own}</ul>" if own else "")
                + "<h2>Statements</h2><table><tr><th>property</th><th>value</th></tr>"
                + "".join(f"<tr><td>{html.escape(p)}</td><td>{v}</td></tr>" for p, v in out_rows) + "</table>"
                + (f"<h2>Facts it takes part in</h2><ul>{''.join(facts)}</ul>" if facts else "")
                + extra + "</body></html>\n")

    # -- the query page

    def queries_page(self, name: str | None, values: dict[str, str]) -> tuple[int, bytes]:
        from .querying import SelectResult, bind_params, resolve_query, run_local, shipped_queries

        shipped = shipped_queries()
        forms = []
        for q in shipped:
            fields = "".join(f'<label>{html.escape(p.name)} <input name="{html.escape(p.name)}" '
                             f'value="{html.escape(values.get(p.name, "") if name == q.name else "")}"></label> '
                             for p in q.params)
            forms.append(f'<li><form action="/queries/{html.escape(q.name)}" method="get"><strong>{html.escape(q.title)}</strong>'
                         f" — {html.escape(q.description)} {fields}<button>Run</button></form></li>")
        table = ""
        status = 200
        if name is not None:
            try:
                text, spec = resolve_query(name)
                bound = bind_params(values, spec, self.prefixes)
                result = run_local(text, Path(self.settings.data), bound, timeout=self.settings.timeout)
            except QueryError as exc:
                status, table = 400, f"<p role=\"alert\">{html.escape(str(exc))}</p>"
            else:
                if isinstance(result, SelectResult):
                    result = _limited(result, self.settings.max_rows)
                    head = "".join(f"<th>{html.escape(v)}</th>" for v in result.variables)
                    rows = "".join("<tr>" + "".join(f"<td>{self._cell(row.get(v))}</td>" for v in result.variables) + "</tr>"
                                   for row in result.rows)
                    table = f'<h2 id="result">{html.escape(name)}</h2><table><tr>{head}</tr>{rows}</table>'
        body = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>kgpub queries</title>'
                f"<style>{_STYLE}</style></head><body><p><a href=\"/\">kgpub</a></p><h1>Queries</h1>"
                f"<ul>{''.join(forms)}</ul>{table}</body></html>\n")
        return status, body.encode("utf-8")

    def _cell(self, cell: dict[str, str] | None) -> str:
        if cell is None:
            return ""
        if cell["type"] == "uri":
            import pyoxigraph as ox

            return self.link(ox.NamedNode(cell["value"]))
        return html.escape(cell["value"])

    def index_page(self, static: bool = False) -> bytes:
        """The front page: the actors, and the ways in (the query page and the endpoint, or a site's VoID)."""
        rows = self.index.store.query(f"""SELECT ?e ?label WHERE {{ ?e a <{vocab.KG}Agent> ; <{vocab.RDFS}label> ?label
                                          FILTER (STRSTARTS(STR(?e), "{self.base}")) }} ORDER BY ?label LIMIT 2000""")
        import pyoxigraph as ox

        items = "".join(f"<li>{self.link(ox.NamedNode(r['e'].value))}</li>" for r in rows)
        return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>kgpub</title><style>{_STYLE}</style>'
                f'</head><body><h1>kgpub</h1><p>'
                + ('<a href="timeline.html">Timeline</a> · <a href="ontology.html">Ontology</a> · <a href="void.ttl">VoID</a>'
                   if static else '<a href="/queries">Queries</a> · SPARQL endpoint: <code>/sparql</code>')
                + "</p>"
                f"<h2>Actors</h2><ul>{items}</ul></body></html>\n").encode("utf-8")


def _limited(result: Any, max_rows: int) -> Any:
    """A SELECT result with at most ``max_rows`` rows."""
    from .querying import SelectResult

    doc = json.loads(result.document)
    bindings = doc["results"]["bindings"]
    if len(bindings) <= max_rows:
        return result
    doc["results"]["bindings"] = bindings[:max_rows]
    return SelectResult(json.dumps(doc).encode("utf-8"))


def application(settings: Settings) -> Any:
    """The ASGI application of ``kgpub serve``."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    publisher = Publisher(settings)

    async def sparql(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        text = request.query_params.get("query")
        if request.method == "POST":
            body = (await request.body()).decode("utf-8", "replace")
            kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if kind == "application/sparql-query":
                text = body
            elif kind == "application/x-www-form-urlencoded":
                form = parse_qs(body)
                if "update" in form:
                    return Response("kgpub serve is read-only: SPARQL UPDATE is refused\n", 400, media_type="text/plain")
                text = (form.get("query") or [None])[0]
        if "update" in request.query_params:
            return Response("kgpub serve is read-only: SPARQL UPDATE is refused\n", 400, media_type="text/plain")
        if not text:
            return Response("give a query: ?query=... or a POST body\n", 400, media_type="text/plain")
        status, media, body = await run_in_threadpool(publisher.sparql, text, request.headers.get("accept", ""))
        return Response(body, status, headers={"content-type": media, "vary": "Accept"})

    def queries(request: Request) -> Response:
        name = request.path_params.get("name")
        status, body = publisher.queries_page(name, dict(request.query_params))
        return Response(body, status, media_type="text/html")

    def index(request: Request) -> Response:
        return Response(publisher.index_page(), media_type="text/html")

    def page(request: Request) -> Response:
        accept = request.headers.get("accept", "")
        fmt = request.query_params.get("format")
        if fmt in ("turtle", "jsonld", "ntriples"):
            accept = MEDIA[fmt]
        status, headers, body = publisher.page(request.url.path, accept)
        if status == 200 and request.headers.get("if-none-match") == headers.get("etag"):
            return Response(b"", 304, headers={k: v for k, v in headers.items() if k != "content-type"})
        return Response(body, status, headers=headers)

    return Starlette(routes=[Route("/", index), Route("/sparql", sparql, methods=["GET", "POST"]),
                             Route("/queries", queries), Route("/queries/{name}", queries),
                             Route("/{path:path}", page)])


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the server until interrupted."""
    import uvicorn

    uvicorn.run(application(settings), host=host, port=port, log_level="warning", access_log=False)
