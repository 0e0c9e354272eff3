"""Stage 6 — answer SPARQL queries over a build, embedded and fast, or on a remote endpoint.

Embedded queries run on pyoxigraph: milliseconds where rdflib's engine takes
seconds at a million triples, and an import that costs 16 ms instead of
rdflib's 114 ms, so ``kgpub query`` never imports rdflib.  A build folder gets
a persistent on-disk index (``.index/``) made on first use (or by the build)
and reused until ``kg.trig`` changes, so repeated queries do not re-parse the
data.  It starts with the default graph; the named graphs join it the first
time a query reads them (see :func:`reads_named_graphs`).

The default graph is the union of the *data graphs* (registry and articles):
claims and provenance stay reachable with ``GRAPH`` but are never mistaken for
facts.  Results of every engine go through the W3C JSON results format, which
pyoxigraph serializes to JSON, XML, CSV and TSV exactly per the specifications.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from kgpub.rdf import vocab
from kgpub.rdf.vocab import by_length, prefixed
from kgpub.errors import EndpointError, QueryError, QueryLimitError

INDEX_DIR = ".index"
INDEX_VERSION = 4
#: The graph the ontology is loaded into, so concept labels (event types) can be queried.
ONTOLOGY_GRAPH = vocab.ONTOLOGY_GRAPH
DATA_FORMATS = {".ttl": "TURTLE", ".nt": "N_TRIPLES", ".trig": "TRIG", ".nq": "N_QUADS",
                ".jsonld": "JSON_LD", ".rdf": "RDF_XML", ".owl": "RDF_XML", ".n3": "N3"}
SELECT_FORMATS = ("table", "csv", "tsv", "json", "xml", "markdown")
GRAPH_FORMATS = ("turtle", "ntriples", "jsonld")
_UPDATE = re.compile(r"^\s*(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)
_PROLOGUE = re.compile(r"^\s*(PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s*<[^>]*>)", re.IGNORECASE)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class SelectResult:
    """A SELECT result, kept as its W3C SPARQL JSON document (the exchange format of every engine)."""

    document: bytes

    @property
    def parsed(self) -> dict[str, Any]:
        return json.loads(self.document)

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(self.parsed["head"].get("vars", ()))

    @property
    def rows(self) -> list[dict[str, dict[str, str]]]:
        """Each solution as ``{var: {"type": ..., "value": ..., "datatype"/"xml:lang": ...}}``."""
        return list(self.parsed["results"]["bindings"])


@dataclass(frozen=True)
class AskResult:
    value: bool


@dataclass(frozen=True)
class GraphResult:
    """A CONSTRUCT or DESCRIBE result as canonical N-Triples."""

    ntriples: bytes


Result = SelectResult | AskResult | GraphResult


# --------------------------------------------------------------------------- shipped queries


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # IRI, string, date
    description: str


@dataclass(frozen=True)
class ShippedQuery:
    """A competency question in ``queries/NAME.rq``, described by its header comments."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str


def _queries_folder() -> Path:
    from kgpub.resources import shipped

    return shipped("queries")


def shipped_queries() -> list[ShippedQuery]:
    """Every shipped query, sorted by name."""
    return [_parse_shipped(p) for p in sorted(_queries_folder().glob("*.rq"))]


def _parse_shipped(path: Path) -> ShippedQuery:
    text = path.read_text(encoding="utf-8")
    title = description = ""
    params = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line.lstrip("# ").partition(":")
        value = value.strip()
        if key == "title":
            title = value
        elif key == "description":
            description = value
        elif key == "param":
            name, kind, *rest = value.split(None, 2)
            params.append(Param(name, kind, rest[0].lstrip("- ") if rest else ""))
    return ShippedQuery(path.stem, title, description, tuple(params), text)


def resolve_query(spec: str, stdin: Any = None) -> tuple[str, ShippedQuery | None]:
    """The query text for ``spec``: inline SPARQL, ``@file.rq``, ``-`` (stdin) or a shipped query's name."""
    if spec == "-":
        return (stdin or sys.stdin).read(), None
    if spec.startswith("@"):
        path = Path(spec[1:])
        try:
            return path.read_text(encoding="utf-8"), None
        except OSError as exc:
            raise QueryError(f"{path}: cannot read the query: {exc.strerror}") from None
        except UnicodeDecodeError as exc:
            raise QueryError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if re.fullmatch(r"[A-Za-z0-9_-]+", spec):
        path = _queries_folder() / f"{spec}.rq"
        if path.is_file():
            shipped = _parse_shipped(path)
            return shipped.text, shipped
        names = ", ".join(q.name for q in shipped_queries())
        raise QueryError(f"no shipped query named {spec!r}; shipped queries: {names} (kgpub query --list)")
    return spec, None


# --------------------------------------------------------------------------- parameters


def bind_params(values: dict[str, str], shipped: ShippedQuery | None, prefixes: dict[str, str]) -> dict[str, Any]:
    """Turn ``name=value`` strings into RDF terms, checked against the query's declared parameters.

    The terms are bound to variables (never pasted into the query text), so a
    value with quotes, braces or ``} UNION {`` stays one literal.
    """
    import pyoxigraph as ox

    declared = {p.name: p for p in shipped.params} if shipped else {}
    if shipped:
        missing = [p.name for p in shipped.params if p.name not in values]
        if missing:
            raise QueryError(f"query {shipped.name!r} needs --param {missing[0]}=VALUE "
                             f"({declared[missing[0]].description or declared[missing[0]].kind})")
        unknown = [n for n in values if n not in declared]
        if unknown:
            known = ", ".join(declared) or "none"
            raise QueryError(f"query {shipped.name!r} has no parameter {unknown[0]!r} (parameters: {known})")
    out = {}
    for name, raw in values.items():
        kind = declared[name].kind if name in declared else None
        out[name] = _term(name, raw, kind, prefixes, ox)
    return out


def _term(name: str, raw: str, kind: str | None, prefixes: dict[str, str], ox: Any) -> Any:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):  # a name is never pasted, but must be a variable's
        raise QueryError(f"--param {name!r}: not a variable name (letters, digits and '_')")
    try:
        return _typed_term(name, raw, kind, prefixes, ox)
    except ValueError as exc:  # pyoxigraph refuses the IRI: '<foo>' is relative, 'id:a>b' holds a '>'
        raise QueryError(f"--param {name}: {raw!r} is not a valid IRI: {exc}") from None


def _typed_term(name: str, raw: str, kind: str | None, prefixes: dict[str, str], ox: Any) -> Any:
    iri = None
    if raw.startswith("<") and raw.endswith(">"):
        iri = raw[1:-1]
    elif re.fullmatch(r"[A-Za-z][\w-]*:[^\s]*", raw) and raw.split(":", 1)[0] in prefixes:
        prefix, local = raw.split(":", 1)
        iri = prefixes[prefix] + local
    elif re.fullmatch(r"https?://\S+", raw):
        iri = raw
    if kind == "IRI":
        if iri is None:
            raise QueryError(f"--param {name}: {raw!r} is not an IRI (give <https://...> or a prefixed name like id:...)")
        return ox.NamedNode(iri)
    if kind == "date":
        from kgpub.corpus.dates import parse_date

        try:
            date = parse_date(raw)
        except ValueError as exc:
            raise QueryError(f"--param {name}: {exc}") from None
        return ox.Literal(date.lexical, datatype=ox.NamedNode(vocab.XSD + date.datatype))
    if kind is None and iri is not None:
        return ox.NamedNode(iri)
    return ox.Literal(raw)


# --------------------------------------------------------------------------- local engine


@dataclass
class _Index:
    """A store ready to query: the build's data as its default graph (or, for foreign quads, ``union``)."""

    store: Any
    base: str
    union: bool = False


def _file_format(path: Path) -> Any:
    import pyoxigraph as ox

    fmt = DATA_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise QueryError(f"{path}: unknown RDF format (expected one of {', '.join(sorted(DATA_FORMATS))})")
    return getattr(ox.RdfFormat, fmt)


def _data_graphs(store: Any) -> list[Any]:
    rows = store.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?pg {{ ?g a <{vocab.KG}DataGraph> }} }} ORDER BY ?g")
    return [row["g"] for row in rows]


def _build_base(folder: Path) -> str:
    """The IRI base of a build, from ``void.ttl``'s ``void:uriSpace``."""
    import pyoxigraph as ox

    void = folder / "void.ttl"
    if void.is_file():
        for quad in ox.parse(path=str(void), format=ox.RdfFormat.TURTLE):
            if quad.predicate.value == vocab.VOID + "uriSpace":
                return quad.object.value
    return vocab.DEFAULT_BASE


def _load_build(store: Any, folder: Path, graphs: bool) -> bool:
    """Load a build into ``store``: a default graph holding the data and the ontology, and the named graphs
    when ``graphs``; return whether the named graphs are in.

    The default graph is a copy of the union of the data graphs (``kg.nt`` is
    exactly that) plus the ontology, rather than a list of graphs to union at
    query time: pyoxigraph would evaluate every triple pattern once per graph,
    thousands of times on a large build.
    """
    import pyoxigraph as ox

    nt = folder / "kg.nt"
    if not nt.is_file():  # a build folder without kg.nt: its data graphs, copied to the default graph
        _load_graphs(store, folder)
        _copy_to_default(store, _data_graphs(store))
        graphs = True
    else:
        store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
        if graphs:
            _load_graphs(store, folder)
    ontology = folder / "ontology.ttl"
    if ontology.is_file():
        store.bulk_load(path=str(ontology), format=ox.RdfFormat.TURTLE)
    return graphs


def _load_graphs(store: Any, folder: Path) -> None:
    """The named graphs of a build: ``kg.trig``'s, and the ontology in its own graph."""
    import pyoxigraph as ox

    store.bulk_load(path=str(folder / "kg.trig"), format=ox.RdfFormat.TRIG)
    ontology = folder / "ontology.ttl"
    if ontology.is_file():
        store.bulk_load(path=str(ontology), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ONTOLOGY_GRAPH))


def _copy_to_default(store: Any, graphs: list[Any]) -> None:
    for graph in graphs:
        store.update(f"ADD <{graph.value}> TO DEFAULT")


def _build_key(folder: Path) -> dict[str, Any]:
    key: dict[str, Any] = {"version": INDEX_VERSION}
    for name in ("kg.trig", "ontology.ttl", "void.ttl"):
        path = folder / name
        if path.exists():
            stat = path.stat()
            key[name] = [stat.st_size, stat.st_mtime_ns]
    return key


#: GRAPH patterns and FROM / FROM NAMED clauses: the only ways a query reads named graphs.
_GRAPH_KEYWORD = re.compile(r"(?<![\w?$:])(?:GRAPH|FROM)(?![\w:-])", re.IGNORECASE)
#: Text where such a word is not a keyword: strings, IRIs and comments.
_NOT_KEYWORDS = re.compile(r'"""(?:[^\\]|\\.)*?"""|\'\'\'(?:[^\\]|\\.)*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
                           r"|'(?:[^'\\\n]|\\.)*'|<[^<>\"{}|^`\\\x00-\x20]*>|#[^\n]*")


def reads_named_graphs(text: str) -> bool:
    """Whether a query may read named graphs: it says GRAPH or FROM outside strings, IRIs and comments.

    A word that only looks like the keyword costs a one-off completion of the
    index (see :func:`open_index`), never a wrong answer.
    """
    return _GRAPH_KEYWORD.search(_NOT_KEYWORDS.sub(" ", text)) is not None


def _meta(index: Path) -> dict[str, Any] | None:
    try:
        meta = json.loads((index / "meta.json").read_text())
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def prepare_index(folder: Path, graphs: bool = False) -> dict[str, Any] | None:
    """Make sure the persistent index of a build folder is up to date; its metadata, None if it cannot be made.

    ``graphs``: the query reads named graphs.  A build indexes only the default
    graph (what the shipped queries read: half the work of indexing
    everything); the first query that needs the named graphs adds them, once.
    None: the build folder is read-only, so the index lives in memory for one run.
    """
    index = folder / INDEX_DIR
    meta = _meta(index)
    try:
        if meta is not None and meta.get("key") == _build_key(folder) and "base" in meta:
            return add_graphs(folder) if graphs and not meta.get("graphs") else meta
        return create_index(folder, graphs)
    except OSError:
        fresh = _meta(index)
        if fresh is not None and fresh != meta:  # another process won the race
            return prepare_index(folder, graphs)
        return None


def open_index(folder: Path, graphs: bool = False) -> _Index:
    """The persistent index of a build folder (see :func:`prepare_index`), open for reading."""
    import pyoxigraph as ox

    meta = prepare_index(folder, graphs)
    if meta is None:
        return _memory_build(folder)
    return _Index(ox.Store.read_only(str(folder / INDEX_DIR / "store")), meta["base"])


def create_index(folder: Path, graphs: bool = True) -> dict[str, Any]:
    """Create (or replace) the persistent index of the build in ``folder`` from its files; return its metadata."""
    import pyoxigraph as ox

    def fill(location: Path) -> bool:
        store = ox.Store(str(location))
        loaded = _load_build(store, folder, graphs)
        store.flush()  # not optimize(): compaction costs a fifth of the load and saves milliseconds per query
        return loaded

    return _made_index(folder, fill)


def add_graphs(folder: Path) -> dict[str, Any]:
    """Add the named graphs to the build's default-graph index (a copy of it, swapped in); return its metadata."""
    def fill(location: Path) -> bool:
        store = _linked_copy(location, folder / INDEX_DIR / "store")
        _load_graphs(store, folder)
        store.flush()
        return True

    return _made_index(folder, fill)


def _made_index(folder: Path, fill: Callable[[Path], bool]) -> dict[str, Any]:
    """An index store made by ``fill`` (which says whether it holds the named graphs) installed in ``folder``.

    The store is made beside the current index and swapped in whole, so a
    reader never sees a half-made one.
    """
    tmp = Path(tempfile.mkdtemp(prefix=".index.tmp-", dir=folder))
    try:
        graphs = fill(tmp / "store")
    except (SyntaxError, ValueError) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise QueryError(f"{folder / 'kg.trig'}: cannot load: {' '.join(str(exc).split())}") from None
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return install_index(tmp, folder, graphs)


def _linked_copy(target: Path, source: Path) -> Any:
    """A writable store in ``target`` holding what the store in ``source`` holds.

    A store's SST files never change once written, so they are hard-linked
    rather than copied: the source keeps serving readers, untouched.
    """
    import pyoxigraph as ox

    target.mkdir()
    for path in source.iterdir():
        if path.suffix == ".sst":
            os.link(path, target / path.name)
        elif path.is_file():
            shutil.copy2(path, target / path.name)
    return ox.Store(str(target))


def index_from_lines(location: Path, data: bytes, ontology: bytes, checked: bool = False) -> None:
    """Create an index store in the empty folder ``location`` from a build's data, before any file exists.

    The default graph :func:`create_index` loads from the files (the data and
    the ontology), so a build can make its index while it validates (the
    loader releases the GIL).  The named graphs wait for a query that reads
    them: loading them too would more than double the work.  ``checked``: the
    build parses the same data strictly as it validates it (and keeps no
    index when that fails), so the loader may skip checking IRIs again, a
    fifth of its time.
    """
    import pyoxigraph as ox

    store = ox.Store(str(location / "store"))
    store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, lenient=checked)
    store.bulk_load(ontology, format=ox.RdfFormat.TURTLE)
    store.flush()  # see create_index: no compaction


def previous_index(folder: Path) -> Path | None:
    """The index of the build in ``folder`` if it is up to date with that build's files, else None."""
    index = folder / INDEX_DIR
    meta = _meta(index)
    return index if meta is not None and meta.get("key") == _build_key(folder) and (index / "store").is_dir() \
        else None


def index_by_update(location: Path, previous: Path, removed_graphs: list[str], added: list[tuple[str, list[str]]],
                    data_removed: list[str], data_added: list[str]) -> bool:
    """Make in ``location`` the previous build's index with a few articles' graphs replaced.

    The previous build keeps its own index intact until the new build is
    swapped in (see :func:`_linked_copy`).  Re-indexing a million triples
    because one article changed would take a quarter of a minute.  Named
    graphs are replaced only when the previous index has them; returns
    whether it has.
    """
    import pyoxigraph as ox

    graphs = bool((_meta(previous) or {}).get("graphs"))
    store = _linked_copy(location / "store", previous / "store")
    if graphs:
        for graph in removed_graphs:
            store.remove_graph(ox.NamedNode(graph))
        quads = "".join(f"{line[:-3]} <{graph}> .\n" for graph, lines in added for line in lines)
        store.load(quads.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    for triple in ox.parse("".join(data_removed).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES):
        store.remove(ox.Quad(triple.subject, triple.predicate, triple.object, ox.DefaultGraph()))
    store.load("".join(data_added).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    store.flush()
    return graphs


def install_index(location: Path, folder: Path, graphs: bool) -> dict[str, Any]:
    """Make the index store in ``location`` the index of the build in ``folder`` (its key from the files there).

    ``graphs``: the store holds the named graphs too, not only the default graph.
    """
    meta = {"key": _build_key(folder), "base": _build_base(folder), "graphs": graphs}
    (location / "meta.json").write_text(json.dumps(meta, indent=1))
    os.chmod(location, 0o755)
    index = folder / INDEX_DIR
    if index.exists():
        old = Path(tempfile.mkdtemp(prefix=".index.old-", dir=folder))
        os.rename(index, old / "index")
        shutil.rmtree(old, ignore_errors=True)
    os.rename(location, index)
    return meta


def _memory_build(folder: Path) -> _Index:
    import pyoxigraph as ox

    store = ox.Store()
    try:
        _load_build(store, folder, True)
    except (SyntaxError, ValueError, OSError) as exc:
        raise QueryError(f"{folder / 'kg.trig'}: cannot load: {' '.join(str(exc).split())}") from None
    return _Index(store, _build_base(folder))


def _memory_file(path: Path) -> _Index:
    import pyoxigraph as ox

    store = ox.Store()
    try:
        store.bulk_load(path=str(path), format=_file_format(path))
    except (SyntaxError, ValueError, OSError) as exc:
        raise QueryError(f"{path}: cannot load: {' '.join(str(exc).split())}") from None
    graphs = _data_graphs(store)
    _copy_to_default(store, graphs)  # a kgpub TriG: its data graphs are the default graph
    any_named = next(iter(store.named_graphs()), None) is not None
    return _Index(store, vocab.DEFAULT_BASE, union=any_named and not graphs)


def open_data(data: Path, graphs: bool = False) -> _Index:
    """The store to query for ``data``: a build folder (persistent index) or any RDF file (in memory).

    ``graphs``: the query reads named graphs (see :func:`open_index`).
    """
    if data.is_dir():
        from kgpub.output.folder import require_build

        require_build(data, "--data FILE")
        return open_index(data, graphs)
    if not data.is_file():
        raise QueryError(f"{data}: no such file or folder")
    return _memory_file(data)


_READ_ONLY = ("kgpub query is read-only: SPARQL UPDATE is refused (the build is the source of truth; "
              "change the facts and run kgpub build)")
#: SPARQL's codepoint escapes, which the grammar says are replaced before a query is parsed (so a keyword
#: may be written with them: SERV\u0049CE).
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SERVICE = re.compile(r"(?<![\w?$:])SERVICE(?![\w:-])", re.IGNORECASE)


def _check_readonly(text: str) -> None:
    """Refuse an update with a clear message (pyoxigraph's query parser would refuse it anyway)."""
    body = re.sub(r"(?m)^\s*#.*$", "", text)
    while (match := _PROLOGUE.match(body)) is not None:
        body = body[match.end():]
    if _UPDATE.match(body):
        raise QueryError(_READ_ONLY)


def uses_service(text: str) -> bool:
    """Whether a query may call a SERVICE: the keyword outside strings, IRIs and comments, codepoint
    escapes decoded first as SPARQL's grammar does.  An over-approximation: a word that only looks like
    the keyword refuses the query (with the way to allow it), never lets a federated call through."""
    decoded = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    return _SERVICE.search(_NOT_KEYWORDS.sub(" ", decoded)) is not None


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
        raise QueryError(_READ_ONLY) from None
    except Exception as exc:  # noqa: BLE001 - rdflib raises what it likes on odd input
        raise QueryError(f"SPARQL syntax error: {' '.join(str(exc).split())[:200]}") from None
    return {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
            "DescribeQuery": "DESCRIBE"}[tree[1].name]


def _syntax_error(text: str, exc: Exception) -> QueryError:
    """A SPARQL syntax error with the offending line and a caret under the column."""
    message = " ".join(str(exc).split())
    match = re.search(r"at (\d+):(\d+)", message)
    if match is None:
        return QueryError(f"SPARQL syntax error: {message}")
    line_no, col = int(match.group(1)), int(match.group(2))
    lines = text.splitlines() or [""]
    line = lines[min(line_no, len(lines)) - 1]
    prefix = re.match(r"([A-Za-z][\w.-]*):", line[col - 1:]) if col - 1 < len(line) else None
    if prefix is None:
        name = re.search(r"([A-Za-z][\w.-]*):[\w-]*$", line[:col - 1])
        prefix = name
    if "Prefix not found" in message and prefix is not None:
        what = f"unknown prefix '{prefix.group(1)}:'"
    else:
        expected = re.search(r"expected (.*)", message)
        what = f"expected {expected.group(1)[:80]}" if expected else message
    return QueryError([f"SPARQL syntax error at line {line_no}, column {col}: {what}", f"  {line}",
                       f"  {' ' * (col - 1)}^"])


def prebound(text: str, params: dict[str, Any]) -> str:
    """``text`` with each parameter's term in place of its variable, everywhere (see ``prebinding``).

    ``SELECT *`` would lose the bound variables' columns: a trailing VALUES
    clause gives them back (the variables no longer occur in the pattern).
    """
    from kgpub.sparql.prebinding import BindingError, has_trailing_values, is_select_star, substitute

    if not params:
        return text
    try:
        query = substitute(text, {name: str(term) for name, term in params.items()})
    except BindingError as exc:
        raise QueryError(f"cannot bind the parameters: {exc}") from None
    if is_select_star(text) and not has_trailing_values(text):
        query += values_clause(params)
    return query


def values_clause(params: dict[str, Any]) -> str:
    """A trailing VALUES clause binding each parameter to its term.

    The terms are pyoxigraph terms written in their canonical syntax (IRIs
    checked, literals escaped), so a value can never close the clause and add
    query text of its own.
    """
    names = " ".join(f"?{n}" for n in params)
    terms = " ".join(str(t) for t in params.values())
    return f"\nVALUES ({names}) {{ ({terms}) }}"


#: Seconds a local query may run by default (``--timeout``).
LOCAL_TIMEOUT = 60.0


def run_local(text: str, data: Path, params: dict[str, Any] | None = None, *, allow_service: bool = False,
              timeout: float = LOCAL_TIMEOUT, memory: int | None = None, dataset: Dataset | None = None,
              base_iri: str | None = None) -> Result:
    """Run ``text`` over a build folder or an RDF file with pyoxigraph, within ``timeout`` seconds and ``memory`` bytes.

    A ``SERVICE`` clause would make the embedded engine send requests to
    whatever host the query names: refused unless ``allow_service``.  The
    query runs in a child process (``execution.bounded``) that is stopped at
    its limits, so a cross product ends with a clear error, not a hang or a
    machine out of memory; ``memory`` defaults to half of what the machine (or
    its container) has.  A build's index is made first, outside the limits.
    ``dataset``: the graphs a SPARQL Protocol request names (``default-graph-uri``,
    ``named-graph-uri``); they replace the query's own FROM and FROM NAMED, as the
    protocol says, and a graph the store does not have is an empty one.  ``base_iri``: what relative IRIs in
    the query resolve against (a server's endpoint URL, as the protocol suggests); None: they are an error.
    """
    from kgpub.execution import LimitExceeded, bounded, memory_available

    _check_readonly(text)
    if not allow_service and uses_service(text):
        raise QueryError("the query calls SERVICE, which would send requests to another host; "
                         "kgpub query refuses it unless --allow-service is given")
    data = Path(data)
    graphs = reads_named_graphs(text) or dataset is not None
    if data.is_dir() and (data / "kg.trig").is_file():
        prepare_index(data, graphs)
    query = prebound(text, params or {})
    limit = memory if memory is not None else memory_available() // 2
    try:
        return bounded(lambda: _evaluate(text, query, data, graphs, dataset, base_iri), seconds=timeout, memory=limit)
    except LimitExceeded as exc:
        if exc.what == "time":
            raise QueryLimitError(f"the query ran longer than {exc.limit:g} s and was stopped; "
                                  "narrow it (LIMIT, more specific patterns) or raise --timeout",
                                  what="time", limit=exc.limit) from None
        raise QueryLimitError(f"the query needed more than {size(int(exc.limit))} of memory and was stopped; "
                              "narrow it (LIMIT, more specific patterns) or raise --max-memory",
                              what="memory", limit=exc.limit) from None


def size(n: int) -> str:
    """A number of bytes for a person: ``1.5 GiB``."""
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= factor:
            return f"{n / factor:.1f} {unit}"
    return f"{n} bytes"


def _evaluate(text: str, query: str, data: Path, graphs: bool, dataset: Dataset | None = None,
              base_iri: str | None = None) -> Result:
    """Open the data and run the (pre-bound) query: the part of a local query that runs within its limits."""
    import pyoxigraph as ox

    index = open_data(data, graphs)
    prefixes = {**vocab.PREFIXES, "id": index.base}
    kwargs: dict[str, Any] = {"prefixes": prefixes}
    if base_iri is not None:
        kwargs["base_iri"] = base_iri
    if dataset is not None:  # the request's dataset, whole: an absent part is empty (SPARQL 1.1 Query, 13.2)
        kwargs["default_graph"] = [ox.NamedNode(g) for g in dataset.default]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in dataset.named]
    elif index.union:  # quads from elsewhere, no data graphs marked: query them all
        kwargs["use_default_graph_as_union"] = True
    try:
        result = index.store.query(query, **kwargs)
    except SyntaxError as exc:
        if query is not text:
            try:
                ox.Store().query(text, prefixes=prefixes)  # the query alone, on nothing: only its syntax
            except SyntaxError:
                pass
            else:  # e.g. a literal bound to a variable that stands as a subject
                raise QueryError("cannot bind the parameters: a value stands where SPARQL does not allow "
                                 f"such a term ({' '.join(str(exc).split())[:160]})") from None
        raise _syntax_error(text, exc) from None
    except RuntimeError as exc:
        raise QueryError(f"cannot run the query: {' '.join(str(exc).split())}") from None
    try:
        if isinstance(result, ox.QueryBoolean):
            return AskResult(bool(result))
        if isinstance(result, ox.QuerySolutions):
            return SelectResult(cast(bytes, result.serialize(format=ox.QueryResultsFormat.JSON)))  # no output: bytes
        return GraphResult(cast(bytes, ox.serialize(result, format=ox.RdfFormat.N_TRIPLES)))
    except (RuntimeError, OSError) as exc:  # evaluation errors surface while the results are read
        raise QueryError(f"cannot run the query: {' '.join(str(exc).split())}") from None


def local_prefixes(data: Path) -> dict[str, str]:
    """The prefixes a result over ``data`` is shown with (``id:`` is the build's base)."""
    base = _build_base(data) if Path(data).is_dir() else vocab.DEFAULT_BASE
    return {**vocab.PREFIXES, "id": base}


# --------------------------------------------------------------------------- remote engine


@dataclass(frozen=True)
class Dataset:
    """The graphs a query runs over, named in the request (``default-graph-uri``, ``named-graph-uri``)."""

    default: tuple[str, ...]
    named: tuple[str, ...]


#: Where ``kgpub load`` records each graph's hash and role (see ``stores``).
MANIFEST_GRAPH = vocab.MANIFEST_GRAPH
_FROM = re.compile(r"(?<![\w?$:])FROM(?![\w:-])", re.IGNORECASE)


def declares_dataset(text: str) -> bool:
    """Whether a query names its own dataset (FROM, FROM NAMED) outside strings, IRIs and comments."""
    return _FROM.search(_NOT_KEYWORDS.sub(" ", text)) is not None


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
    client.setQuery(f"SELECT ?g WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ <{MANIFEST_GRAPH}> <{vocab.KG}queryDefaultGraph> ?g }} }}")
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


# --------------------------------------------------------------------------- formatting


def _short(cell: dict[str, str] | None, prefixes: list[tuple[str, str]]) -> str:
    if cell is None:
        return ""
    value = cell["value"]
    if cell["type"] == "uri":
        return prefixed(value, prefixes) or f"<{value}>"
    if cell["type"] == "bnode":
        return f"_:{value}"
    return value


def _cells(result: SelectResult, prefixes: dict[str, str]) -> tuple[list[str], list[list[str]]]:
    ordered = by_length(prefixes)
    header = list(result.variables)
    from kgpub.terminal import printable

    # one line a row, whatever a value holds: whitespace runs as one space, other control characters escaped
    rows = [[printable(" ".join(_short(row.get(v), ordered).split())) for v in header] for row in result.rows]
    return header, rows


def _fit(widths: list[int], limit: int | None) -> list[int]:
    """Shrink the widest columns until the table fits ``limit`` characters."""
    if limit is None:
        return widths
    widths = list(widths)
    while sum(widths) + 2 * (len(widths) - 1) > limit and max(widths) > 8:
        widest = widths.index(max(widths))
        widths[widest] -= 1
    return widths


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(result: SelectResult, prefixes: dict[str, str], width: int | None = None) -> str:
    header, rows = _cells(result, prefixes)
    widths = _fit([max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)], width)
    out = ["  ".join(_clip(h, w).ljust(w) for h, w in zip(header, widths)).rstrip(),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(_clip(c, w).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(out) + "\n"


def format_markdown(result: SelectResult, prefixes: dict[str, str]) -> str:
    header, rows = _cells(result, prefixes)

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(header), "|" + "|".join("---" for _ in header) + "|", *map(line, rows)]) + "\n"


def render(result: Result, fmt: str | None, prefixes: dict[str, str], width: int | None = None) -> bytes:
    """The bytes to print for ``result`` in ``fmt`` (None: table, true/false, or Turtle)."""
    import pyoxigraph as ox

    if isinstance(result, AskResult):
        if fmt in (None, "table", "markdown", "csv", "tsv"):
            return b"true\n" if result.value else b"false\n"
        if fmt in ("json", "xml"):
            doc = {"head": {}, "boolean": result.value}
            parsed = ox.parse_query_results(json.dumps(doc), format=ox.QueryResultsFormat.JSON)
            return cast(bytes, parsed.serialize(format=getattr(ox.QueryResultsFormat, fmt.upper())))  # no output: bytes
        raise QueryError(f"--format {fmt} does not apply to an ASK result (use table, json or xml)")
    if isinstance(result, GraphResult):
        fmt = fmt or "turtle"
        if fmt not in GRAPH_FORMATS:
            raise QueryError(f"--format {fmt} does not apply to a CONSTRUCT/DESCRIBE result "
                             f"(use {', '.join(GRAPH_FORMATS)})")
        triples = [q.triple for q in ox.parse(result.ntriples, format=ox.RdfFormat.N_TRIPLES)]
        target = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
                  "jsonld": ox.RdfFormat.JSON_LD}[fmt]
        return cast(bytes, ox.serialize(triples, format=target, prefixes=prefixes if fmt == "turtle" else None))
    fmt = fmt or "table"
    if fmt not in SELECT_FORMATS:
        raise QueryError(f"--format {fmt} does not apply to a SELECT result (use {', '.join(SELECT_FORMATS)})")
    if fmt == "table":
        return format_table(result, prefixes, width).encode("utf-8")
    if fmt == "markdown":
        return format_markdown(result, prefixes).encode("utf-8")
    if fmt == "json":
        return result.document
    solutions = ox.parse_query_results(result.document, format=ox.QueryResultsFormat.JSON)
    return cast(bytes, solutions.serialize(format=getattr(ox.QueryResultsFormat, fmt.upper())))  # no output: bytes


def is_empty(result: Result) -> bool:
    if isinstance(result, SelectResult):
        return not result.rows
    if isinstance(result, GraphResult):
        return not result.ntriples.strip()
    return False
