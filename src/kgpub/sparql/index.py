"""The build's query index: a persistent pyoxigraph store beside the build, made once and reused.

Parsing a build's Turtle or TriG for every query would cost seconds at a
million triples; a store on disk (``.index/`` in the build folder) costs
that once, made by the build itself (while it validates) or by the first
query, and is reused until ``kg.trig`` changes.  It starts with the default
graph; the named graphs join it the first time a query reads them (see
:func:`kgpub.sparql.lexer.reads_named_graphs`), since most queries never do.

The default graph is the union of the *data graphs* (registry and articles):
claims and provenance stay reachable with ``GRAPH`` but are never mistaken for
facts.  An RDF file that is not a build is loaded in memory for one query.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgpub.errors import QueryError
from kgpub.rdf import vocab

if TYPE_CHECKING:
    from kgpub.rdf.ntriples import LineBlob

INDEX_DIR = ".index"
INDEX_VERSION = 4


@dataclass
class Index:
    """A store ready to query: the build's data as its default graph (or, for foreign quads, ``union``)."""

    store: Any
    base: str
    union: bool = False


def _file_format(path: Path) -> Any:
    """The syntax of a data file, by its extension (its suffix alone: a file named ``ttl`` says nothing)."""
    from kgpub.rdf import formats

    fmt = formats.by_extension(path.suffix[1:])  # "ttl": by_extension reads ".ttl" as a file with no extension
    if fmt is None:
        raise QueryError(f"{path}: unknown RDF format (expected one of "
                         f"{', '.join('.' + ext for ext in formats.extensions())})")
    return fmt.rdf_format


def _data_graphs(store: Any) -> list[Any]:
    rows = store.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?pg {{ ?g a <{vocab.KG}DataGraph> }} }} ORDER BY ?g")
    return [row["g"] for row in rows]


def build_base(folder: Path) -> str:
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
        store.bulk_load(path=str(ontology), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(vocab.ONTOLOGY_GRAPH))


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


def open_index(folder: Path, graphs: bool = False) -> Index:
    """The persistent index of a build folder (see :func:`prepare_index`), open for reading."""
    import pyoxigraph as ox

    meta = prepare_index(folder, graphs)
    if meta is None:
        return _memory_build(folder)
    return Index(ox.Store.read_only(str(folder / INDEX_DIR / "store")), meta["base"])


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


def index_from_lines(location: Path, data: bytes | LineBlob, ontology: bytes, checked: bool = False,
                     piece: int | None = None) -> None:
    """Create an index store in the empty folder ``location`` from a build's data, before any file exists.

    The default graph :func:`create_index` loads from the files (the data and
    the ontology), so a build can make its index while it validates (the
    loader releases the GIL).  The named graphs wait for a query that reads
    them: loading them too would more than double the work.  ``checked``: the
    build parses the same data strictly as it validates it (and keeps no
    index when that fails), so the loader may skip checking IRIs again, a
    fifth of its time.  ``piece``: load the data in pieces of about that many bytes, so the loader holds
    what it parses of one piece at a time (it holds a whole call's, up to a million statements a thread).
    """
    import pyoxigraph as ox

    from kgpub.rdf.ntriples import pieces, whole

    store = ox.Store(str(location / "store"))
    for part in pieces(data, piece) if piece is not None else [whole(data)]:
        store.bulk_load(part, format=ox.RdfFormat.N_TRIPLES, lenient=checked)
    store.bulk_load(ontology, format=ox.RdfFormat.TURTLE)
    store.flush()  # see create_index: no compaction


def previous_index(folder: Path) -> Path | None:
    """The index of the build in ``folder`` if it is up to date with that build's files, else None."""
    index = folder / INDEX_DIR
    meta = _meta(index)
    return index if meta is not None and meta.get("key") == _build_key(folder) and (index / "store").is_dir() \
        else None


def index_by_update(location: Path, previous: Path, removed_graphs: list[str], added: list[tuple[str, Iterable[str]]],
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
    meta = {"key": _build_key(folder), "base": build_base(folder), "graphs": graphs}
    (location / "meta.json").write_text(json.dumps(meta, indent=1))
    os.chmod(location, 0o755)
    index = folder / INDEX_DIR
    if index.exists():
        old = Path(tempfile.mkdtemp(prefix=".index.old-", dir=folder))
        os.rename(index, old / "index")
        shutil.rmtree(old, ignore_errors=True)
    os.rename(location, index)
    return meta


def _memory_build(folder: Path) -> Index:
    import pyoxigraph as ox

    store = ox.Store()
    try:
        _load_build(store, folder, True)
    except (SyntaxError, ValueError, OSError) as exc:
        raise QueryError(f"{folder / 'kg.trig'}: cannot load: {' '.join(str(exc).split())}") from None
    return Index(store, build_base(folder))


def _memory_file(path: Path) -> Index:
    import pyoxigraph as ox

    store = ox.Store()
    try:
        store.bulk_load(path=str(path), format=_file_format(path))
    except (SyntaxError, ValueError, OSError) as exc:
        raise QueryError(f"{path}: cannot load: {' '.join(str(exc).split())}") from None
    graphs = _data_graphs(store)
    _copy_to_default(store, graphs)  # a kgpub TriG: its data graphs are the default graph
    any_named = next(iter(store.named_graphs()), None) is not None
    return Index(store, vocab.DEFAULT_BASE, union=any_named and not graphs)


def open_data(data: Path, graphs: bool = False) -> Index:
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
