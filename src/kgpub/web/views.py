"""The one list of views: what a reader can open, drawn alike by ``kgpub serve`` and ``kgpub site``.

Each :class:`View` is a name, the path ``serve`` answers it at, the file ``site`` writes it as, the
template that draws it (None for a view that is data: ``search.js``, ``void.ttl``) and a function
that computes what it shows from a :class:`Build`.  Both backends draw every view of :data:`VIEWS`
and take their navigation from it, so a view added here (one entry and one template) is on the
server and in the site at once, and the front page or the search are computed in one place.

A :class:`Build` is what a view may read of one build: the :class:`~kgpub.web.pages.Pages` of the
backend (the server's store, the site's snapshot), the build's index store, its folder, the nodes
that have pages, the article texts that may be shown, and whether it is live (a server can run a
query when asked; a static site shows what it can without one).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from kgpub.rdf import vocab
from kgpub.web.pages import ENTITIES, Link, Pages
from kgpub.web import actor, article, event  # noqa: F401  (each kind's page adds itself to pages.KIND_PAGES)
from kgpub.web.timeline import FILTERS as TIMELINE_FILTERS

#: Where the vocabulary's IRIs (the ontology, its concepts) live: ``https://w3id.org/kgpub/...`` at ``/kgpub/...``.
VOCAB_ROOT = "https://w3id.org/kgpub/"


@dataclass
class Build:
    """One build as the views read it (see the module's docstring)."""

    pages: Pages
    store: Any
    folder: Path
    nodes: Callable[[], list[str]]
    texts: dict[str, str] = field(default_factory=dict)
    live: bool = False
    timeout: float = 30.0
    max_rows: int = 10_000


@dataclass(frozen=True)
class Ask:
    """What a request asks of a view: a node's IRI or a query's name (``key``) and the form's values."""

    key: str | None = None
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class View:
    """One thing a reader can open (see the module's docstring).

    ``data`` returns the template's context (``title`` and the rest; ``status`` for an answer other than
    200; ``template`` to draw this page with another template than the view's) or, for a view without a template, the bytes themselves (None: this build has none)."""

    name: str
    path: str
    file: str
    template: str | None
    data: Callable[[Build, Ask], Any]
    #: The navigation's text for it ("": not in the navigation).
    nav: str = ""
    #: What the front page says of it among the ways in ("": not there).
    way: str = ""
    media_type: str = "text/html; charset=utf-8"
    #: Drawn once for each node with a page (the path and the file are the node's), not once for the build.
    each_node: bool = False
    #: The query parameters a server passes it (its filter's): a request with any of them is drawn afresh.
    filters: tuple[str, ...] = ()


def href(view: View, static: bool) -> str:
    """Where a page links ``view``: the site's file, or the server's path."""
    return "/" + view.file if static else view.path


def navigation(static: bool) -> list[Link]:
    """The navigation every page shows: the views that have a navigation text, in the list's order."""
    return [Link(v.nav, href(v, static)) for v in VIEWS if v.nav]


def draw(view: View, build: Build, ask: Ask = Ask()) -> tuple[int, bytes | None]:
    """The view's status and bytes for this build (None: nothing to give, such as a build without ``void.ttl``)."""
    data = view.data(build, ask)
    if view.template is None:
        return (200, data) if data is not None else (404, None)
    context = dict(data)
    status = context.pop("status", 200)
    title = context.pop("title")
    # a view may draw some of its pages with another template (a node's page by the node's kind)
    template = context.pop("template", view.template)
    return status, build.pages.render(template, title, **context).encode("utf-8")


# --------------------------------------------------------------------------- answers asked ahead


def asked_ahead(base: str) -> list[tuple[str, dict[str, Any]]]:
    """The store queries of the views a site draws once (the front page's figures, latest articles and lists, the
    timeline's rows), as (text, options): they need no page, only the store, so a site asks them while it is
    still reading the graph (see :func:`prefetch`)."""
    from kgpub.web.timeline import timeline_query

    return [*((text, {}) for _, text in _figure_queries(base)), (_latest_query(base), {}), (_listing_query(base), {}),
            timeline_query(base)]


def _asked(text: str, options: Mapping[str, Any]) -> str:
    return text + "\0" + repr(sorted(options.items()))


def prefetch(store: Any, base: str) -> dict[str, list[dict[str, Any]]]:
    """The answers of :func:`asked_ahead`'s queries, each row a plain dictionary (one that crosses a process, unlike
    the store's solutions); :class:`Answered` gives them back to the views."""
    found = {}
    for text, options in asked_ahead(base):
        solutions = store.query(text, **options)
        names = [v.value for v in solutions.variables]
        found[_asked(text, options)] = [{name: row[name] for name in names} for row in solutions]
    return found


class Answered:
    """A store that answers the queries asked ahead from their rows (see :func:`prefetch`) and passes everything
    else to the store itself."""

    def __init__(self, store: Any, answers: Mapping[str, list[dict[str, Any]]]) -> None:
        self._store, self._answers = store, answers

    def query(self, text: str, **options: Any) -> Any:
        rows = self._answers.get(_asked(text, options))
        return iter(rows) if rows is not None else self._store.query(text, **options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def by_name(name: str) -> View:
    return next(v for v in VIEWS if v.name == name)


# --------------------------------------------------------------------------- what each view shows


@dataclass(frozen=True)
class Download:
    """One file of the build a reader may download: its name, where it is here, its media type and size."""

    file: str
    href: str
    media_type: str
    size: str
    what: str


@dataclass(frozen=True)
class Dataset:
    """What the build's ``void.ttl`` says of the dataset (from ``dataset.yaml``, as the build wrote it)."""

    title: str = "kgpub"
    description: str = ""
    licence: Link | None = None
    publisher: str = ""
    created: str = ""
    version: str = ""
    #: Each distribution's download URL by its file's name (``kg.ttl``: ``https://.../dist/kg.ttl``).
    downloads: dict[str, str] = field(default_factory=dict)


def dataset(folder: Path) -> Dataset:
    """The dataset as the build's VoID describes it; a build without ``void.ttl`` is "kgpub" and nothing more.

    Read from the build, not from the seeds: the front page shows what was published, and a server or a site
    may have no seeds folder at all."""
    import pyoxigraph as ox

    from kgpub.web.pages import LICENCE_NAMES

    path = folder / "void.ttl"
    if not path.is_file():
        return Dataset()
    triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    subjects = sorted(t.subject.value for t in triples if t.predicate.value == vocab.RDF + "type"
                      and t.object.value == vocab.VOID + "Dataset")
    if not subjects:
        return Dataset()
    of: dict[str, dict[str, list[str]]] = {}
    for t in triples:
        of.setdefault(t.subject.value, {}).setdefault(t.predicate.value, []).append(t.object.value)

    def first(subject: str, predicate: str) -> str:
        values = sorted(of.get(subject, {}).get(predicate, []))
        return values[0] if values else ""

    ds = subjects[0]
    licence = first(ds, vocab.DCTERMS + "license")
    downloads = {}
    for dist in of.get(ds, {}).get(vocab.DCAT + "distribution", []):
        name, url = first(dist, vocab.DCTERMS + "title"), first(dist, vocab.DCAT + "downloadURL")
        if name and url:
            downloads[name] = url
    return Dataset(first(ds, vocab.DCTERMS + "title") or "kgpub", first(ds, vocab.DCTERMS + "description"),
                   Link(LICENCE_NAMES.get(licence, licence), licence, "license") if licence else None,
                   first(ds, vocab.DCTERMS + "publisher"), first(ds, vocab.DCTERMS + "created"),
                   first(ds, vocab.DCAT + "version"), downloads)


def dump_files(folder: Path) -> list[tuple[str, str, str]]:
    """The dumps the build wrote, with their media types and what each holds: every file of the output writers'
    registry, the ontology and the VoID, in that order, those that are in ``folder``."""
    from kgpub.output import writers
    from kgpub.output.void import ONTOLOGY_FILE, VOID_FILE
    from kgpub.rdf import formats

    turtle = formats.by_name("turtle")
    assert turtle is not None
    listed = [(w.file, w.format.media_type,
               f"every named graph: each article's facts and their provenance, {w.format.rdf_format.name}"
               if w.file == writers.file_of("trig") else f"the facts in one graph, {w.format.rdf_format.name}")
              for w in writers.WRITERS]
    listed += [(ONTOLOGY_FILE, turtle.media_type, "the ontology, Turtle"),
               (VOID_FILE, turtle.media_type, "the VoID and DCAT description of the dataset, Turtle")]
    return [(name, media, what) for name, media, what in listed if (folder / name).is_file()]


def dump_paths(folder: Path, described: Dataset | None = None) -> dict[str, str]:
    """Where serve answers, and site writes, each dump of the build: the path of the download URL the VoID
    gives it (``/kgpub/dist/kg.ttl``), else ``/NAME``; the VoID itself is its view's (``/void.ttl``)."""
    from urllib.parse import urlparse

    described = described or dataset(folder)
    out = {}
    for name, _, _ in dump_files(folder):
        url = described.downloads.get(name)
        path = urlparse(url).path if url else ""
        out[name] = "/void.ttl" if name == "void.ttl" else path if _plain(path, name) else "/" + name
    return out


def _plain(path: str, name: str) -> bool:
    """Whether a download URL's path may be where a dump is answered and written: it ends in the file's name and
    every folder of it is a plain name (no ``..``, nothing hidden), so a site never writes outside its folder or
    over its manifest, whatever ``dataset.yaml`` gave as ``download:``."""
    parts = path.split("/")
    return (path.startswith("/") and parts[-1] == name and "\\" not in path
            and all(part and not part.startswith(".") for part in parts[1:]))


def _size(n: int) -> str:
    """A file's size as a reader reads it (SI units, as a browser's downloads show them)."""
    if n < 1000:
        return f"{n} bytes"
    size, units = n / 1000, ["kB", "MB", "GB"]
    while size >= 1000 and len(units) > 1:
        size, units = size / 1000, units[1:]
    return f"{size:.1f} {units[0]}"


def downloads(folder: Path, described: Dataset | None = None) -> list[Download]:
    """Every dump of the build with where to download it here (see :func:`dump_paths`)."""
    paths = dump_paths(folder, described)
    return [Download(name, paths[name], media.split(";")[0], _size((folder / name).stat().st_size), what)
            for name, media, what in dump_files(folder)]


#: The figures the front page gives, each counted by a query over the build's default graph (the facts: a claim is
#: a kg:Claim, reified, and never an event, an actor or a quote of a fact; a retracted fact is not counted).
FIGURES = (
    ("Articles", "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a schema:NewsArticle {base} }}"),
    ("Publishers", "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?x a schema:NewsArticle ; schema:publisher ?p {base} }}"),
    ("Events", "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a kg:Event {base} {live} }}"),
    ("Actors", "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a kg:Agent {base} }}"),
    ("Quotes", "SELECT (COUNT(DISTINCT ?q) AS ?n) WHERE {{ ?x kg:evidence ?q {base} {live} }}"),
)
#: Latest articles the front page lists.
LATEST = 10


def _figure_queries(base: str) -> list[tuple[str, str]]:
    """Each figure's name and the text of the query that counts it (see :data:`FIGURES`) for the build under ``base``."""
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(vocab.PREFIXES.items()))
    within = f'FILTER (STRSTARTS(STR(?x), "{base}"))'
    live = f"FILTER NOT EXISTS {{ ?x <{vocab.PROV}wasInvalidatedBy> ?gone }}"
    return [(name, prologue + query.format(base=within, live=live)) for name, query in FIGURES]


def figures(store: Any, base: str) -> list[tuple[str, int]]:
    """The front page's figures (see :data:`FIGURES`) for the build under ``base``."""
    out = []
    for name, text in _figure_queries(base):
        rows = list(store.query(text))
        out.append((name, int(rows[0]["n"].value) if rows and rows[0]["n"] is not None else 0))
    return out


def _latest_query(base: str, limit: int = LATEST) -> str:
    return f"""SELECT ?a (SAMPLE(STR(?d)) AS ?date) (SAMPLE(?p) AS ?publisher) WHERE {{
        ?a a <{vocab.SCHEMA}NewsArticle> FILTER (STRSTARTS(STR(?a), "{base}"))
        OPTIONAL {{ ?a <{vocab.SCHEMA}datePublished> ?d }} OPTIONAL {{ ?a <{vocab.SCHEMA}publisher> ?p }} }}
        GROUP BY ?a ORDER BY DESC(?date) ?a LIMIT {limit}"""


def latest_articles(build: Build, limit: int = LATEST) -> list[dict[str, Any]]:
    """The articles last published (by ``schema:datePublished``, as precise as the article gives it), each with
    its date, publisher and page."""
    import pyoxigraph as ox

    rows = build.store.query(_latest_query(build.pages.base, limit))
    out = []
    for row in rows:
        publisher = row["publisher"]
        out.append({"date": row["date"].value if row["date"] else "",
                    "article": build.pages.link(ox.NamedNode(row["a"].value)),
                    "publisher": build.pages.link(publisher) if publisher is not None else None})
    return out


def _schema_dataset(described: Dataset, offered: list[Download]) -> str:
    """The dataset in schema.org terms, embedded as JSON-LD: what a dataset search engine reads of the front page
    (its name, description, licence and each download, at its published URL where the VoID gives one)."""
    import json

    node: dict[str, Any] = {"@context": "https://schema.org/", "@type": "Dataset", "name": described.title}
    if described.description:
        node["description"] = described.description
    if described.licence is not None:
        node["license"] = described.licence.href
    if described.publisher:
        node["publisher"] = {"@type": "Organization", "name": described.publisher}
    if described.created:
        node["dateCreated"] = described.created
    if described.version:
        node["version"] = described.version
    node["distribution"] = [{"@type": "DataDownload", "name": d.file, "encodingFormat": d.media_type,
                             "contentUrl": described.downloads.get(d.file, d.href)} for d in offered]
    return json.dumps(node, ensure_ascii=False, separators=(",", ":"))


#: What the front page lists: every actor, place and article, under these headings.
LISTED = {vocab.KG + "Agent": "Actors", vocab.KG + "Place": "Places", vocab.SCHEMA + "NewsArticle": "Articles"}


def _listing_query(base: str) -> str:
    kinds = " ".join(f"<{k}>" for k in LISTED)
    return f"""SELECT DISTINCT ?e ?k WHERE {{ ?e a ?k VALUES ?k {{ {kinds} }}
        FILTER (STRSTARTS(STR(?e), "{base}")) }}"""


def _index(build: Build, ask: Ask) -> dict[str, Any]:
    """The front page: the dataset (title, description, licence, as its VoID says), its figures, its downloads, the
    latest articles, the ways in and a search over every page, and every actor, place and article by label."""
    import pyoxigraph as ox

    heading = LISTED
    listed: dict[str, list[tuple[str, str]]] = {h: [] for h in heading.values()}
    rows = build.store.query(_listing_query(build.pages.base))
    for row in rows:
        node = ox.NamedNode(row["e"].value)
        listed[heading[row["k"].value]].append((build.pages.label(node), node.value))
    static = build.pages.suffix != ""
    ways = [Link(v.way, href(v, static)) for v in VIEWS if v.way]
    described = dataset(build.folder)
    offered = downloads(build.folder, described)
    return {"title": described.title, "dataset": described, "figures": figures(build.store, build.pages.base),
            "downloads": offered, "embedded": _schema_dataset(described, offered), "latest": latest_articles(build),
            "ways": ways, "void": href(by_name("void"), static),
            "listed": [(h, [Link(text, build.pages.href(iri)) for text, iri in sorted(items)])
                       for h, items in listed.items()]}


def _search(build: Build, ask: Ask) -> bytes:
    """``search.js``: the label, kind and link of every node with a page, and an entity's aliases (``skos:altLabel``:
    the registry's other names, and the names of entities merged into it), which it is found by too (see
    :meth:`~kgpub.web.pages.Pages.search_data`)."""
    import pyoxigraph as ox

    pages, entries = build.pages, []
    short: dict[str, str] = {}  # each type's short name made once: a large build has tens of thousands of pages
    for iri in build.nodes():
        node = ox.NamedNode(iri)
        types = pages.types(node)
        for k in types:
            if k not in short:
                short[k] = pages.short(k)
        aliases = sorted({a.value for a in pages.objects(node, vocab.SKOS + "altLabel")}) if types & ENTITIES else None
        entries.append((pages.label(node), min((short[k] for k in types), default=""), iri, aliases))
    return pages.search_data(entries)


def _timeline(build: Build, ask: Ask) -> dict[str, Any]:
    """Each dated event with its date as the article gives it, its actors by role and its place linked, its
    counts, and a filter by year, type and actor (see :mod:`kgpub.web.timeline`)."""
    from kgpub.web import timeline

    return timeline.view(build.pages, build.store, ask.values, static=build.pages.suffix != "")


def _ontology(build: Build, ask: Ask) -> dict[str, Any]:
    """The ontology's classes, properties and individuals with their labels and comments, and each SKOS scheme
    with its concepts and their ACLED and CAMEO mappings: the documentation, from the ontology itself.

    Each term's row has its IRI's fragment as its id (``kg:Event`` at ``#Event``), so the hash IRI
    ``https://w3id.org/kgpub/ontology#Event`` opens on it; each concept's and scheme's has its prefixed name
    (``#kgt:Protest``), where the site's redirect rules send ``/kgpub/type/Protest``."""
    import pyoxigraph as ox

    from kgpub.resources import ontology_file

    store = ox.Store()
    store.bulk_load(ontology_file().read_bytes(), format=ox.RdfFormat.TURTLE)
    shorten = vocab.shortener({**vocab.PREFIXES, "acled": VOCAB_ROOT + "acled/", "cameo": VOCAB_ROOT + "cameo/"})

    def short(iri: str) -> str:
        return shorten(iri) or iri

    def value(term: Any) -> str:
        return term.value if term else ""

    def table(kind: str) -> list[dict[str, str]]:
        which = f"?t a <{kind}> ." if kind else (  # the individuals: every other kg: term (kg:Certain, kg:Exactly)
            f"?t a ?k . FILTER NOT EXISTS {{ ?t a ?c VALUES ?c {{ <{vocab.OWL}Class> <{vocab.OWL}ObjectProperty> "
            f"<{vocab.OWL}DatatypeProperty> <{vocab.OWL}Ontology> }} }}")
        rows = cast(ox.QuerySolutions, store.query(f"""SELECT ?t (SAMPLE(?l) AS ?label) (SAMPLE(?c) AS ?comment) WHERE {{ {which}
            FILTER (STRSTARTS(STR(?t), "{vocab.KG}")) OPTIONAL {{ ?t <{vocab.RDFS}label> ?l }}
            OPTIONAL {{ ?t <{vocab.RDFS}comment> ?c }} }} GROUP BY ?t ORDER BY ?t"""))  # a SELECT: solutions
        return [{"id": r["t"].value.rsplit("#", 1)[-1], "term": short(r["t"].value), "label": value(r["label"]),
                 "comment": value(r["comment"])} for r in rows]

    schemes = []
    for scheme in cast(ox.QuerySolutions, store.query(f"SELECT DISTINCT ?s WHERE {{ ?c <{vocab.SKOS}inScheme> ?s "
                                                      f'FILTER (STRSTARTS(STR(?s), "{vocab.KGT}")) }} ORDER BY ?s')):
        concepts = cast(ox.QuerySolutions, store.query(f"""SELECT ?c (SAMPLE(?l) AS ?label) (GROUP_CONCAT(DISTINCT STR(?m); separator=" ") AS ?maps)
            WHERE {{ ?c <{vocab.SKOS}inScheme> <{scheme["s"].value}> . OPTIONAL {{ ?c <{vocab.SKOS}prefLabel> ?l }}
            OPTIONAL {{ ?c <{vocab.SKOS}exactMatch>|<{vocab.SKOS}closeMatch> ?m }} }} GROUP BY ?c ORDER BY ?c"""))
        schemes.append({"name": short(scheme["s"].value), "concepts": [
            {"term": short(c["c"].value), "label": value(c["label"]),
             "maps": " ".join(short(m) for m in sorted(c["maps"].value.split())) if c["maps"] else ""}
            for c in concepts]})
    return {"title": "The kgpub ontology", "tables": [
        ("Classes", table(vocab.OWL + "Class")), ("Object properties", table(vocab.OWL + "ObjectProperty")),
        ("Datatype properties", table(vocab.OWL + "DatatypeProperty")), ("Individuals", table(""))],
        "schemes": schemes}


def _void(build: Build, ask: Ask) -> bytes | None:
    """The build's VoID and DCAT description of the dataset, as the build wrote it."""
    path = build.folder / "void.ttl"
    return path.read_bytes() if path.is_file() else None


def _queries(build: Build, ask: Ask) -> dict[str, Any]:
    """The shipped queries with their parameters: on a server, forms that run them (and the answer to the one
    asked); in a static site, each query's text, to run with ``kgpub query NAME`` or on a server."""
    from kgpub.errors import QueryError
    from kgpub.sparql.local import run_local
    from kgpub.sparql.results import SelectResult
    from kgpub.sparql.shipped import bind_params, resolve_query, shipped_queries

    shipped = [{"name": q.name, "title": q.title, "description": q.description,
                "params": [(p.name, ask.values.get(p.name, "") if ask.key == q.name else "") for p in q.params],
                "text": "" if build.live else resolve_query(q.name)[0]} for q in shipped_queries()]
    context: dict[str, Any] = {"title": "Queries", "live": build.live, "queries": shipped, "error": "",
                               "result": None}
    if ask.key is None or not build.live:
        return context
    try:
        text, spec = resolve_query(ask.key)
        bound = bind_params(dict(ask.values), spec, build.pages.prefixes)
        result = run_local(text, build.folder, bound, timeout=build.timeout)
    except QueryError as exc:
        context.update(status=400, error=str(exc))
        return context
    if isinstance(result, SelectResult):
        rows = result.rows
        shown = rows[:build.max_rows]
        context["result"] = {"name": ask.key, "variables": result.variables, "total": len(rows),
                             "rows": [[_cell(build.pages, row.get(v)) for v in result.variables] for row in shown]}
    return context


def _cell(pages: Pages, cell: dict[str, str] | None) -> Link:
    if cell is None:
        return Link("")
    if cell["type"] == "uri":
        import pyoxigraph as ox

        return pages.link(ox.NamedNode(cell["value"]))
    return Link(cell["value"])


def _sparql(build: Build, ask: Ask) -> dict[str, Any]:
    """The SPARQL page (see :mod:`kgpub.web.sparql_page`): on a server, the editor and the answer of the query asked;
    in a static site, the starting query, the examples and where to run them."""
    from kgpub.web.sparql_page import page

    return page(build.pages, build.folder, build.live, ask.values, build.timeout, build.max_rows)


def _node(build: Build, ask: Ask) -> dict[str, Any]:
    """A node's page (see :meth:`~kgpub.web.pages.Pages.node`: an article's, an actor's or place's, an event's, or
    the generic one), with an article's text where it may be shown."""
    assert ask.key is not None
    return build.pages.node(ask.key, build.texts.get(ask.key))


#: Every view, in the navigation's order.  Add a view here (and its template under ``web/templates``): the server
#: answers it at its path, the site writes its file, and the navigation and the front page link it.
VIEWS: list[View] = [
    View("index", "/", "index.html", "index.html", _index, nav="kgpub"),
    View("timeline", "/timeline", "timeline.html", "timeline.html", _timeline, nav="Timeline", way="Timeline",
         filters=TIMELINE_FILTERS),
    View("ontology", "/ontology", "ontology.html", "ontology.html", _ontology, nav="Ontology", way="Ontology"),
    View("queries", "/queries", "queries.html", "queries.html", _queries, nav="Queries", way="The shipped queries"),
    View("sparql", "/sparql", "sparql.html", "sparql.html", _sparql, nav="SPARQL", way="SPARQL"),
    View("search", "/search.js", "search.js", None, _search, media_type="text/javascript; charset=utf-8"),
    View("void", "/void.ttl", "void.ttl", None, _void, media_type="text/turtle; charset=utf-8"),
    View("node", "/{path:path}", "{path}.html", "node.html", _node, each_node=True),
]
