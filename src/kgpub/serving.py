"""``kgpub serve``: a read-only SPARQL 1.1 Protocol endpoint and a page for every IRI of a build.

People who never write SPARQL follow a citation to an IRI and must see the sentence a fact rests
on; machines dereference the same IRI and want RDF.  One process serves both over the build's
query index, on Starlette and uvicorn:

* ``/sparql``: the SPARQL 1.1 Protocol (GET ``?query=``, POST form-encoded or
  ``application/sparql-query``), answered in the W3C JSON, XML, CSV or TSV results formats, or
  Turtle, N-Triples or JSON-LD for graph queries, by ``Accept``.  Queries run as ``kgpub query``
  runs them (same default graph, parameters never pasted, SERVICE refused), each in a child process
  stopped at the time limit, and at most ``max_rows`` rows are returned.  An update is a 400.  Any
  origin may call it (CORS), so a YASGUI page elsewhere works; in a browser ``/sparql`` is an editor.
* the path of each IRI under the build's base (``https://w3id.org/kgpub/id/x`` at ``/kgpub/id/x``):
  HTML for a browser, Turtle, JSON-LD or N-Triples by ``Accept`` (``Vary: Accept``, an ``ETag``,
  ``Link: rel=alternate``).  The HTML page gives the label, the types, every statement about the
  node, every fact it takes part in with its role and its quote, and links to its neighbours
  (see ``pages``, which draws the same pages for ``kgpub site``).
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
from .pages import PARTS, Pages

#: Media types of the answers, by what ``Accept`` may ask.
SELECT_TYPES = {"application/sparql-results+json": "json", "application/json": "json",
                "application/sparql-results+xml": "xml", "application/xml": "xml", "text/csv": "csv",
                "text/tab-separated-values": "tsv"}
GRAPH_TYPES = {"text/turtle": "turtle", "application/n-triples": "ntriples", "application/ld+json": "jsonld"}
MEDIA = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml", "csv": "text/csv",
         "tsv": "text/tab-separated-values", "turtle": "text/turtle", "ntriples": "application/n-triples",
         "jsonld": "application/ld+json", "html": "text/html"}

@dataclass
class Settings:
    data: Path
    timeout: float = 30.0
    max_rows: int = 10_000
    #: The seeds folder, to show the texts whose licence (or dataset.yaml) allows it; None: quotes only.
    seeds: Path | None = None


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


class StorePages(Pages):
    """Pages read from the server's store, one pattern at a time (a page needs a few hundred at most)."""

    def __init__(self, store: Any, base: str, base_path: str, prefixes: dict[str, str]) -> None:
        super().__init__(base, base_path, prefixes)
        self.store = store

    def outgoing(self, node: Any) -> list[Any]:
        import pyoxigraph as ox

        if not isinstance(node, ox.NamedNode):
            return []
        return [q.triple for q in self.store.quads_for_pattern(node, None, None, ox.DefaultGraph())]

    def incoming(self, node: Any) -> list[Any]:
        import pyoxigraph as ox

        return [q.triple for q in self.store.quads_for_pattern(None, None, node, ox.DefaultGraph())]


class Publisher:
    """The state of one server: the build's index, opened once, and its base."""

    def __init__(self, settings: Settings) -> None:
        from .querying import local_prefixes, open_index

        self.settings = settings
        self.index = open_index(Path(settings.data), graphs=True)
        self.base = self.index.base
        self.base_path = urlparse(self.base).path
        self.prefixes = local_prefixes(Path(settings.data))
        self.pages = StorePages(self.index.store, self.base, self.base_path, self.prefixes)
        self.texts = self._texts(settings.seeds)
        self._search: bytes | None = None

    def _texts(self, seeds: Path | None) -> dict[str, str]:
        """The full texts this server may show: read once, at start, like the static site's."""
        import pyoxigraph as ox

        from .pages import article_texts, full_text_choices

        if seeds is None:
            return {}
        kind = ox.NamedNode(vocab.SCHEMA + "NewsArticle")
        articles = sorted(q.subject.value for q in self.index.store.quads_for_pattern(
            None, ox.NamedNode(vocab.RDF + "type"), kind, ox.DefaultGraph()))
        return article_texts(self.pages, articles, seeds, full_text_choices(seeds))

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

    def editor(self) -> bytes:
        """``/sparql`` in a browser: a query editor that posts to the endpoint and shows the rows."""
        example = ("SELECT ?event ?label WHERE {\n  ?event a kg:Event ; rdfs:label ?label .\n} ORDER BY ?label LIMIT 20")
        body = ('<p>This endpoint speaks the SPARQL 1.1 Protocol: any client (SPARQLWrapper, '
                '<code>kgpub query --endpoint</code>, YASGUI) can query it; it is read-only. The prefixes '
                + html.escape(", ".join(sorted(self.prefixes))) + ' are predeclared.</p>'
                f'<form id="editor" data-base="{html.escape(self.base)}" data-path="{html.escape(self.base_path)}">'
                '<label for="query">Query</label><br><textarea id="query" name="query" rows="10" '
                f'cols="80" spellcheck="false">{html.escape(example)}</textarea><br><button>Run</button></form>'
                '<p id="status" role="status"></p><table id="rows"></table>'
                f"<script>{EDITOR_SCRIPT}</script>")
        return self.pages.frame("SPARQL", body).encode("utf-8")

    # -- pages

    def iri_of(self, path: str) -> str | None:
        return self.base + path[len(self.base_path):] if path.startswith(self.base_path) else None

    def page(self, path: str, accept: str) -> tuple[int, dict[str, str], bytes]:
        """An IRI's page: 404 when the graph says nothing of it."""
        import pyoxigraph as ox

        iri = self.iri_of(path)
        triples = self.pages.description(iri) if iri else []
        if iri is None or not triples:
            return 404, {"content-type": "text/plain; charset=utf-8"}, b"nothing is known of this IRI\n"
        fmt = _accepts(accept, {**GRAPH_TYPES, "text/html": "html", "application/xhtml+xml": "html"}) or "html"
        if fmt == "html":
            text = self.texts.get(iri)
            body = self.pages.page(iri, self.pages.marked_text(iri, text) if text is not None else "").encode("utf-8")
        else:
            target = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}
            body = ox.serialize(triples, format=target[fmt], prefixes=self.prefixes if fmt == "turtle" else None)
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        links = ", ".join(f'<{quote(path)}>; rel="alternate"; type="{MEDIA[f]}"' for f in ("turtle", "jsonld", "ntriples"))
        headers = {"content-type": MEDIA[fmt] + "; charset=utf-8" if fmt != "jsonld" else MEDIA[fmt],
                   "vary": "Accept", "etag": etag, "link": links}
        return 200, headers, body

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
        return status, self.pages.frame("Queries", f"<ul>{''.join(forms)}</ul>{table}").encode("utf-8")

    def _cell(self, cell: dict[str, str] | None) -> str:
        if cell is None:
            return ""
        if cell["type"] == "uri":
            import pyoxigraph as ox

            return self.pages.link(ox.NamedNode(cell["value"]))
        return html.escape(cell["value"])

    # -- the front page

    def listed(self) -> dict[str, list[tuple[str, str]]]:
        """The front page's lists: every actor, place and article, by label."""
        out = {}
        for heading, kind in (("Actors", vocab.KG + "Agent"), ("Places", vocab.KG + "Place"),
                              ("Articles", vocab.SCHEMA + "NewsArticle")):
            rows = self.index.store.query(f"""SELECT ?e (SAMPLE(?l) AS ?label) WHERE {{ ?e a <{kind}> ;
                <{vocab.RDFS}label> ?l FILTER (STRSTARTS(STR(?e), "{self.base}")) }} GROUP BY ?e""")
            out[heading] = sorted((r["label"].value, r["e"].value) for r in rows)
        return out

    def index_page(self) -> bytes:
        ways = ('<a href="/queries">The shipped queries</a> · <a href="/sparql">SPARQL endpoint</a> '
                "(<code>/sparql</code>)")
        return self.pages.index(self.listed(), ways).encode("utf-8")

    def search_entries(self) -> list[tuple[str, str, str]]:
        """(label, kind, IRI) of every node with a page: everything under the base but evidence."""
        parts = " ".join(f"<{k}>" for k in sorted(PARTS))
        rows = self.index.store.query(f"""SELECT ?e (SAMPLE(?l) AS ?label) (MIN(?t) AS ?type) WHERE {{
            ?e <{vocab.RDFS}label> ?l ; a ?t FILTER (STRSTARTS(STR(?e), "{self.base}"))
            FILTER NOT EXISTS {{ ?e a ?part VALUES ?part {{ {parts} }} }} }} GROUP BY ?e""")
        return [(r["label"].value, self.pages.short(r["type"].value), r["e"].value) for r in rows]

    def search(self) -> bytes:
        if self._search is None:
            self._search = self.pages.search_data(self.search_entries())
        return self._search


#: The editor's script: the query is POSTed to this endpoint as application/sparql-query, the answer read as
#: SPARQL JSON results and shown as a table (a graph answer as Turtle text).
EDITOR_SCRIPT = """(function(){var f=document.getElementById('editor'),st=document.getElementById('status'),t=document.getElementById('rows');
f.addEventListener('submit',function(e){e.preventDefault();st.textContent='running…';t.textContent='';
fetch('/sparql',{method:'POST',headers:{'Content-Type':'application/sparql-query','Accept':'application/sparql-results+json, text/turtle;q=0.9'},
body:document.getElementById('query').value}).then(function(r){return r.text().then(function(b){return [r,b];});}).then(function(x){var r=x[0],b=x[1];
if(!r.ok){st.textContent=b;return;}if((r.headers.get('content-type')||'').indexOf('json')<0){var p=document.createElement('pre');p.textContent=b;t.appendChild(p);st.textContent='done';return;}
var d=JSON.parse(b);if(d.boolean!==undefined){st.textContent='answer: '+d.boolean;return;}var v=d.head.vars,tr=document.createElement('tr');
v.forEach(function(n){var th=document.createElement('th');th.textContent=n;tr.appendChild(th);});t.appendChild(tr);
d.results.bindings.forEach(function(row){var tr=document.createElement('tr');v.forEach(function(n){var td=document.createElement('td'),c=row[n];
if(c){if(c.type==='uri'){var a=document.createElement('a'),B=f.dataset.base;a.href=c.value.indexOf(B)===0?f.dataset.path+c.value.slice(B.length):c.value;a.textContent=c.value;td.appendChild(a);}else{td.textContent=c.value;}}tr.appendChild(td);});t.appendChild(tr);});
st.textContent=d.results.bindings.length+' rows';}).catch(function(err){st.textContent=String(err);});});})();"""


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
            if request.method == "GET" and _accepts(request.headers.get("accept", ""), {"text/html": "html"}):
                return Response(publisher.editor(), media_type="text/html")
            return Response("give a query: ?query=... or a POST body\n", 400, media_type="text/plain")
        status, media, body = await run_in_threadpool(publisher.sparql, text, request.headers.get("accept", ""))
        return Response(body, status, headers={"content-type": media, "vary": "Accept"})

    def queries(request: Request) -> Response:
        name = request.path_params.get("name")
        status, body = publisher.queries_page(name, dict(request.query_params))
        return Response(body, status, media_type="text/html")

    def index(request: Request) -> Response:
        return Response(publisher.index_page(), media_type="text/html")

    async def search(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        return Response(await run_in_threadpool(publisher.search), media_type="text/javascript")

    def page(request: Request) -> Response:
        accept = request.headers.get("accept", "")
        fmt = request.query_params.get("format")
        if fmt in ("turtle", "jsonld", "ntriples"):
            accept = MEDIA[fmt]
        status, headers, body = publisher.page(request.url.path, accept)
        if status == 200 and request.headers.get("if-none-match") == headers.get("etag"):
            return Response(b"", 304, headers={k: v for k, v in headers.items() if k != "content-type"})
        return Response(body, status, headers=headers)

    async def endpoint(request: Request) -> Response:
        # Any origin may query (no credentials are involved): a YASGUI page or a notebook served elsewhere
        # calls the endpoint from the browser, after a preflight for a POST of application/sparql-query.
        if request.method == "OPTIONS":
            response = Response(b"", 204, headers={"access-control-allow-methods": "GET, POST",
                                                   "access-control-allow-headers": "Content-Type, Accept",
                                                   "access-control-max-age": "86400"})
        else:
            response = await sparql(request)
        response.headers["access-control-allow-origin"] = "*"
        return response

    return Starlette(routes=[Route("/", index), Route("/sparql", endpoint, methods=["GET", "POST", "OPTIONS"]),
                             Route("/search.js", search), Route("/queries", queries),
                             Route("/queries/{name}", queries), Route("/{path:path}", page)])


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the server until interrupted."""
    import uvicorn

    uvicorn.run(application(settings), host=host, port=port, log_level="warning", access_log=False)
