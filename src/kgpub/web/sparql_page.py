"""The SPARQL page: an editor, the shipped queries as examples, and the answer as a table a reader pages through.

A reader who opens ``/sparql`` in a browser writes a query (CodeMirror highlights it, from files kgpub serves),
picks one of the shipped queries to start from, runs it and pages through the rows; the page's own URL
(``/sparql?query=...``) is the permalink that opens the same query and runs it again, and the answer downloads
in the endpoint's own results formats (``/sparql?query=...&format=csv``).  The server draws the rows itself, so
the table, its paging and its links work with no script at all; the script only makes the editor.

A static site has no endpoint: its page shows the same starting query, every example with its text, and where to
run them (``kgpub query NAME`` on the build, or ``/sparql`` of ``kgpub serve``).

Every query the page offers starts with a PREFIX line for each predeclared prefix it uses, so it runs as written on
any SPARQL engine.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from kgpub.web.pages import Link, Pages

#: Rows shown on one page of an answer.
PAGE_SIZE = 100
#: Where the page posts its queries (the endpoint of ``kgpub serve``).
ENDPOINT = "/sparql"
#: The starting query: the events by label.
STARTER = "\nSELECT ?event ?label WHERE {\n  ?event a kg:Event ; rdfs:label ?label .\n} ORDER BY ?label LIMIT 20"
#: The results formats an answer downloads in, by kind of answer: (format parameter, what a reader reads).
DOWNLOADS = {"select": (("csv", "CSV"), ("json", "JSON"), ("tsv", "TSV"), ("xml", "XML")),
             "ask": (("json", "JSON"), ("xml", "XML")),
             "graph": (("turtle", "Turtle"), ("ntriples", "N-Triples"), ("jsonld", "JSON-LD"))}


@dataclass(frozen=True)
class Example:
    """A query the page offers to start from: a shipped query (its name, title, description) with the prologue."""

    name: str
    title: str
    description: str
    text: str


@dataclass(frozen=True)
class Cell:
    """One value of an answer as the table shows it: its text (an IRI by its prefixed name), where it leads, and
    what kind of literal it is (``@en``, ``xsd:date``: "" for a plain string, an IRI or a blank node)."""

    text: str
    href: str | None = None
    note: str = ""
    title: str = ""


def prologue(prefixes: Mapping[str, str], text: str) -> str:
    """A PREFIX line, in name order, for each prefix the endpoint predeclares that ``text`` names (``kg:``; a name
    in a comment or a string counts too: a line too many is harmless, one too few is an error elsewhere)."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes.items())
                   if re.search(rf"(?<![\w.-]){re.escape(p)}:", text))


def examples(prefixes: Mapping[str, str]) -> list[Example]:
    """The starting query and every shipped query, each with the prologue.

    A shipped query's parameter is bound at the end of its text (``VALUES ?entity { id:... }``) to the example its
    description gives (``e.g. id:mustafa-al-kadhemi``), so the example runs as it stands and shows where a reader
    puts another value; a parameter without an example is left unbound, with a comment saying so."""
    from kgpub.sparql.shipped import shipped_queries

    out = [Example("", "Events by label", "The starting query: every event with its label.",
                   prologue(prefixes, STARTER) + STARTER)]
    for query in shipped_queries():
        text = query.text.rstrip("\n")
        for param in query.params:
            given = re.search(r"\be\.g\.\s+(\S+)", param.description)
            value = given.group(1).rstrip(".,;") if given else ""
            if value:
                text += (f"\n# the parameter ?{param.name} ({param.kind}), bound to its example: give another here"
                         f"\nVALUES ?{param.name} {{ {value} }}")
            else:
                text += f"\n# ?{param.name} ({param.kind}) is a parameter: bind it with VALUES ?{param.name} {{ ... }}"
        out.append(Example(query.name, query.title, query.description, prologue(prefixes, text) + text + "\n"))
    return out


def permalink(query: str, **more: str) -> str:
    """The URL that opens the page with ``query`` and runs it (and, with ``format``, downloads its answer)."""
    return ENDPOINT + "?" + urlencode({"query": query, **more})


def page(pages: Pages, folder: Path, live: bool, values: Mapping[str, str], timeout: float = 30.0,
         max_rows: int = 10_000) -> dict[str, Any]:
    """The SPARQL view's context: on a server (``live``), the editor with the query asked (``values["query"]``,
    run, its answer's page ``values["page"]``) or an example (``values["example"]``) or the starting query; in a
    static site, the starting query and the examples with where to run them.

    ``values["endpoint"]`` (set by the server, never by a reader) is what relative IRIs in the query resolve
    against, as they do at the endpoint."""
    shown = examples(pages.prefixes)
    by_name = {e.name: e for e in shown}
    context: dict[str, Any] = {
        "title": "SPARQL", "live": live, "prefixes": ", ".join(sorted(pages.prefixes)), "examples": shown,
        "example": shown[0].text, "chosen": "", "query": shown[0].text, "error": "", "answer": None,
        "permalink": "", "endpoint": ENDPOINT,
        "texts": {e.name: e.text for e in shown}}
    if not live:
        return context
    asked = values.get("query")
    if asked is None:
        name = values.get("example", "")
        if name not in by_name:
            context.update(status=404, error=f"there is no example named {name!r}: pick one of the list")
            return context
        context.update(chosen=name, query=by_name[name].text)
        return context
    asked = asked.replace("\r\n", "\n")  # a form sends its lines ending in CRLF; the editor's are LF
    context.update(query=asked, permalink=permalink(asked),
                   chosen=next((e.name for e in shown if e.text == asked), ""))
    try:
        answer = run(pages, folder, asked, values.get("page", ""), timeout, max_rows, values.get("endpoint"))
    except Refused as exc:
        context.update(status=exc.status, error=str(exc))
        return context
    context["answer"] = answer
    return context


class Refused(Exception):
    """A query the page does not answer, with the status it is given (a syntax error: 400; a time limit: 503)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def run(pages: Pages, folder: Path, text: str, asked_page: str, timeout: float, max_rows: int,
        base_iri: str | None = None) -> dict[str, Any]:
    """Run ``text`` as the endpoint runs it and give the page of its answer asked (a number from 1; anything else:
    the first): its kind, heading, rows, the pages around it and the download links.

    An answer larger than ``max_rows`` is refused as the endpoint refuses it, so the table and the downloads are
    the same answer."""
    from kgpub.errors import QueryError, QueryLimitError
    from kgpub.sparql.lexer import uses_service
    from kgpub.sparql.local import run_local
    from kgpub.sparql.results import AskResult, GraphResult

    if uses_service(text):
        raise Refused(400, "kgpub serve does not run SERVICE: a federated query would make this server send "
                           "requests to other hosts")
    try:
        result = run_local(text, folder, timeout=timeout, base_iri=base_iri)
    except QueryLimitError as exc:
        what = f"ran longer than {exc.limit:g} s, this server's limit" if exc.what == "time" else \
            "needed more memory than this server gives one"
        raise Refused(503, f"the query {what}, and was stopped; narrow it (LIMIT, more specific patterns)") from None
    except QueryError as exc:
        raise Refused(400, str(exc)) from None
    if isinstance(result, AskResult):
        return {"kind": "ask", "boolean": result.value, "downloads": _downloads(text, "ask")}
    if isinstance(result, GraphResult):
        import pyoxigraph as ox

        triples = [q.triple for q in ox.parse(result.ntriples, format=ox.RdfFormat.N_TRIPLES)]
        heads: tuple[str, ...] = ("subject", "predicate", "object")
        rows = [[_term(pages, t.subject), _term(pages, t.predicate), _term(pages, t.object)] for t in triples]
        kind, unit = "graph", "triples"
    else:
        heads = result.variables
        rows = [[_cell(pages, row.get(v)) for v in heads] for row in result.rows]
        kind, unit = "select", "rows"
    if len(rows) > max_rows:
        raise Refused(400, f"the answer has {len(rows):,} {unit}, more than this server gives in one answer "
                           f"({max_rows:,}): add LIMIT and page with OFFSET (with ORDER BY), or aggregate")
    count = max(1, -(-len(rows) // PAGE_SIZE))
    number = int(asked_page) if asked_page.isdigit() and int(asked_page) >= 1 else 1
    number = min(number, count)
    first = (number - 1) * PAGE_SIZE
    return {"kind": kind, "unit": unit, "heads": heads, "rows": rows[first:first + PAGE_SIZE], "total": len(rows),
            "first": first + 1, "last": min(first + PAGE_SIZE, len(rows)), "page": number, "pages": count,
            "paging": _paging(text, number, count), "downloads": _downloads(text, kind)}


def _paging(text: str, number: int, count: int) -> list[Link]:
    """The links between the pages of an answer: first, previous, next, last (those that lead elsewhere)."""
    if count == 1:
        return []

    def to(n: int) -> str:
        return permalink(text, page=str(n)) if n > 1 else permalink(text)

    out = []
    if number > 1:
        out += [Link("First", to(1)), Link("Previous", to(number - 1), "prev")]
    if number < count:
        out += [Link("Next", to(number + 1), "next"), Link("Last", to(count))]
    return out


def _downloads(text: str, kind: str) -> list[Link]:
    """The answer's downloads: the endpoint's own formats, asked by the ``format`` parameter."""
    return [Link(name, permalink(text, format=fmt)) for fmt, name in DOWNLOADS[kind]]


def _cell(pages: Pages, cell: Mapping[str, str] | None) -> Cell:
    """A value of a SELECT answer (W3C JSON results form) as the table shows it."""
    if cell is None:
        return Cell("")
    kind, value = cell["type"], cell["value"]
    if kind == "uri":
        return _iri(pages, value)
    if kind == "bnode":
        return Cell("_:" + value)
    if "xml:lang" in cell:
        return Cell(value, note="@" + cell["xml:lang"])
    datatype = cell.get("datatype", "")
    plain = ("", "http://www.w3.org/2001/XMLSchema#string")
    return Cell(value, note="" if datatype in plain else pages.short(datatype), title=datatype)


def _term(pages: Pages, term: Any) -> Cell:
    """A term of a graph answer as the table shows it."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return _iri(pages, term.value)
    if isinstance(term, ox.Literal):
        cell = {"type": "literal", "value": term.value}
        if term.language:
            cell["xml:lang"] = term.language
        else:
            cell["datatype"] = term.datatype.value
        return _cell(pages, cell)
    return Cell(str(term))


def _iri(pages: Pages, iri: str) -> Cell:
    """An IRI by its prefixed name, linked to its page here when it has one, else to itself."""
    href = pages.href(iri) if iri.startswith(pages.base) else iri
    return Cell(pages.short(iri), href, title=iri)
