"""`kgpub load` and `kgpub query --endpoint` on real stores: Apache Jena Fuseki, Eclipse RDF4J Server (the REST
protocol GraphDB implements), Oxigraph and Virtuoso, each under each default-graph policy it offers.

Every store is the server program users run, started on 127.0.0.1 by ``servers.py``. On each: the load
matrix (first load, reload, one changed article, dry run, ``--graph``, ``--default-graph``, chunked), the
shipped queries giving the embedded engine's rows, no claim ever asserted, the loaded graphs read back
conforming to the shapes, and the store's rewrites of terms reported.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

import kgpub
from kgpub import stores
from kgpub.errors import StoreError, UsageError
from kgpub.sparql.results import AskResult, SelectResult
from kgpub.sparql.shipped import shipped_queries
from conftest import MINI_FACTS, require, write_corpus
from servers import start_fuseki, start_oxigraph, start_rdf4j, start_virtuoso, stop

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # slow: real stores

#: What no store may ever answer true: the content of the seed's and the small corpus's claims.
CLAIM_ASKS = [
    "ASK { id:mustafa-al-kadhemi kg:complicitIn ?e }",
    "ASK { GRAPH ?g { id:mustafa-al-kadhemi kg:complicitIn ?e } }",
    "ASK { ?s kg:complicitIn ?o }",
    "ASK { id:pro-iran-factions kg:agent ?e }",
    "ASK { GRAPH ?g { id:pro-iran-factions kg:agent ?e } }",
    "ASK { id:alpha-brigade kg:agent ?e }",
    "ASK { GRAPH ?g { id:alpha-brigade kg:agent ?e } }",
]


@dataclass
class Store:
    """One running store: where kgpub loads it, where it answers queries, how to empty it."""

    name: str
    flavor: str
    load_url: str
    query_url: str
    update: Callable[[str], None]
    stop: Callable[[], None]


def _form(url: str, field: str, auth: Any = None) -> Callable[[str], None]:
    def run(text: str) -> None:
        response = requests.post(url, data={field: text}, auth=auth, timeout=60)
        assert response.status_code in (200, 204), response.text[:300]
    return run


def _start(name: str, folder: Path) -> Store:
    """Start the store ``name`` on 127.0.0.1; in CI a store that cannot start fails the run."""
    if name.startswith("oxigraph"):
        server = start_oxigraph(union=name.endswith("union"))
        return Store(name, "oxigraph", server.url, server.url + "/query", _form(server.url + "/update", "update"),
                     lambda: stop(server.process))
    if name.startswith("fuseki"):
        fuseki = start_fuseki(folder, union=name.endswith("union"))
        return Store(name, "fuseki", fuseki.url, fuseki.url + "/sparql", _form(fuseki.url + "/update", "update"),
                     lambda: stop(fuseki.process))
    if name == "rdf4j":
        rdf4j = start_rdf4j(folder)
        repository = rdf4j.create("kgpub")
        return Store(name, "rdf4j", repository, repository, _form(repository + "/statements", "update"),
                     lambda: stop(rdf4j.process))
    require(shutil.which("virtuoso-t"), "Virtuoso (Debian virtuoso-opensource)")
    virtuoso = start_virtuoso(folder)
    return Store(name, "virtuoso", virtuoso.url, virtuoso.url + "/sparql", _form(virtuoso.url + "/sparql", "query"),
                 lambda: stop(virtuoso.process))


STORES = ["oxigraph", "oxigraph-union", "fuseki", "fuseki-union", "rdf4j", "virtuoso"]


@pytest.fixture(scope="module", params=STORES)
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    running = _start(request.param, tmp_path_factory.mktemp(request.param))
    yield running
    running.stop()


@pytest.fixture
def empty(store: Store) -> Store:
    """The store with every graph kgpub may have written dropped (Virtuoso's own graphs are left alone)."""
    rows = requests.post(store.query_url, data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
                         headers={"Accept": "application/sparql-results+json"}, timeout=60).json()
    for row in rows["results"]["bindings"]:
        graph = row["g"]["value"]
        if graph.startswith(("https://w3id.org/kgpub/", "https://example.org/")):
            store.update(f"DROP SILENT GRAPH <{graph}>")
    if store.flavor != "virtuoso":
        store.update("DROP SILENT DEFAULT")
    return store


def client() -> stores.Client:
    return stores.Client(backoff=0.01, timeout=30)


def own_default(store: Store) -> bool:
    """Whether the store's default graph is its own (then a load adds a copy of the data to it)."""
    return store.name in ("oxigraph", "fuseki")


def graphs_of(store: Store, named: int = 7) -> int:
    return named + own_default(store)


@pytest.fixture(scope="module")
def two_articles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_corpus(tmp_path_factory.mktemp("corpus") / "seeds")
    write_corpus(root, facts=MINI_FACTS.replace("id: mini-1", "id: mini-2"), registry=None, name="mini-2")
    return root


@pytest.fixture
def build(two_articles: Path, tmp_path: Path) -> Path:
    seeds = Path(shutil.copytree(two_articles, tmp_path / "seeds"))
    out = tmp_path / "dist"
    kgpub.build(seeds, out)
    return out


# --------------------------------------------------------------------------- what every check compares


def rows(result: SelectResult) -> list[tuple[tuple[str, str, str], ...]]:
    """Rows as sorted tuples of (variable, kind, value); GROUP_CONCAT's parts sorted (SPARQL leaves their
    order open); Virtuoso's "typed-literal" is a literal; a GROUP_CONCAT over no values is "" in SPARQL 1.1
    and in the stores, unbound in pyoxigraph: an empty value counts as none."""
    def cell(term: dict[str, str]) -> tuple[str, str]:
        kind = "literal" if term["type"] == "typed-literal" else term["type"]
        return kind, "; ".join(sorted(term["value"].split("; ")))

    return sorted(tuple(sorted((k, *cell(v)) for k, v in row.items() if v["value"] != "")) for row in result.rows)


def assert_answers_like_the_build(store: Store, build: Path, entity: str) -> None:
    """Every shipped query gives the embedded engine's rows; no claim is asserted in any graph."""
    for query in shipped_queries():
        params = {p.name: entity for p in query.params}
        local = kgpub.query(query.name, build, params=params)
        remote = kgpub.query(query.name, endpoint=store.query_url, params=params)
        assert isinstance(local, SelectResult) and isinstance(remote, SelectResult)
        assert remote.variables == local.variables, query.name
        assert rows(remote) == rows(local), f"{store.name}: shipped query {query.name!r} differs"
    for ask in CLAIM_ASKS:
        assert kgpub.query(ask, endpoint=store.query_url) == AskResult(False), f"{store.name}: {ask}"
        assert kgpub.query(ask, build) == AskResult(False)


# --------------------------------------------------------------------------- the load matrix


def test_first_load_reload_and_one_changed_article(empty: Store, build: Path) -> None:
    dry = stores.load(build, empty.load_url, flavor=empty.flavor, client=client(), dry_run=True)
    # A dry run on a fresh store cannot ask it whether its default graph is the union of its graphs: it plans
    # the copy for the stores that may have a default graph of their own.
    planned_copy = empty.flavor in ("oxigraph", "fuseki")
    assert {g.status for g in dry.graphs} == {"planned"} and len(dry.graphs) == 7 + planned_copy
    assert (None in [g.iri for g in dry.graphs]) == planned_copy
    assert kgpub.query("ASK { ?e a kg:Event }", endpoint=empty.query_url) == AskResult(False)  # nothing sent

    first = stores.load(build, empty.load_url, flavor=empty.flavor, client=client())
    assert first.ok and len(first.sent) == graphs_of(empty), first.table()
    assert {g.status for g in first.graphs} == {"loaded"} and first.warnings == []
    assert all(g.in_store == g.triples for g in first.graphs)
    assert_answers_like_the_build(empty, build, "id:alpha-brigade")

    again = stores.load(build, empty.load_url, flavor=empty.flavor, client=client())
    assert again.ok and again.sent == [] and {g.status for g in again.graphs} == {"unchanged"}
    assert [g.in_store for g in again.graphs] == [g.in_store for g in first.graphs]  # no duplicates

    facts = build.parent / "seeds" / "articles" / "mini-2.facts.yaml"
    facts.write_text(facts.read_text().replace("label: Rocket attack on the Gamma base", "label: Rocket fire on the Gamma base"))
    kgpub.build(build.parent / "seeds", build)
    changed = stores.load(build, empty.load_url, flavor=empty.flavor, client=client())
    assert [g.iri for g in changed.sent] == ["https://w3id.org/kgpub/id/graph/mini-2"] + [None] * own_default(empty)
    assert changed.ok
    assert_answers_like_the_build(empty, build, "id:alpha-brigade")

    forced = stores.load(build, empty.load_url, flavor=empty.flavor, client=client(), force=True)
    assert len(forced.sent) == graphs_of(empty) and forced.ok and [g.in_store for g in forced.graphs] == [g.in_store for g in changed.graphs]


def test_everything_into_one_graph(empty: Store, seed_build: Path) -> None:
    one = stores.load(seed_build, empty.load_url, flavor=empty.flavor, client=client(), graph="https://example.org/all")
    assert [g.iri for g in one.graphs] == ["https://example.org/all"] and one.ok, one.table()
    assert_answers_like_the_build(empty, seed_build, "id:mustafa-al-kadhemi")


def test_everything_into_the_default_graph(empty: Store, seed_build: Path) -> None:
    if empty.flavor == "virtuoso":
        with pytest.raises(UsageError, match="virtuoso's Graph Store Protocol has no default graph; load into one named graph with --graph IRI"):
            stores.load(seed_build, empty.load_url, flavor=empty.flavor, client=client(), default_graph=True)
        return
    default = stores.load(seed_build, empty.load_url, flavor=empty.flavor, client=client(), default_graph=True)
    assert [g.iri for g in default.graphs] == [None] and default.ok, default.table()
    assert_answers_like_the_build(empty, seed_build, "id:mustafa-al-kadhemi")
    again = stores.load(seed_build, empty.load_url, flavor=empty.flavor, client=client(), default_graph=True)
    assert again.sent == [] and again.ok


def test_seed_in_named_graphs_answers_like_the_build(empty: Store, seed_build: Path) -> None:
    result = stores.load(seed_build, empty.load_url, flavor=empty.flavor, client=client())
    assert result.ok and result.warnings == [], result.table()
    assert_answers_like_the_build(empty, seed_build, "id:mustafa-al-kadhemi")


def test_chunked_load(empty: Store, seed_build: Path) -> None:
    result = stores.load(seed_build, empty.load_url, flavor=empty.flavor, client=client(), chunk_triples=200)
    assert result.ok and {g.status for g in result.graphs} == {"loaded"}, result.table()
    assert_answers_like_the_build(empty, seed_build, "id:mustafa-al-kadhemi")


def test_a_dump_of_the_loaded_store_conforms(empty: Store, seed_build: Path, tmp_path: Path) -> None:
    """Every graph read back from the store, as the store keeps it, passes kgpub validate."""
    import pyoxigraph as ox

    loaded = stores.load(seed_build, empty.load_url, flavor=empty.flavor, client=client())
    assert loaded.ok
    ends = stores.endpoints(empty.load_url, empty.flavor)
    quads = []
    for plan in [g for g in loaded.graphs if g.iri is not None]:  # the default graph's copy is their union
        response = requests.get(ends.graph_url(plan.iri), headers={"Accept": "application/n-triples"}, timeout=60)
        assert response.status_code == 200, response.text[:200]
        quads += [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(plan.iri))
                  for q in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)]
    dump = tmp_path / "dump.trig"
    dump.write_bytes(ox.serialize(quads, format=ox.RdfFormat.TRIG))
    report = kgpub.validate([dump])
    assert report.conforms(), report.summary()
    assert not [r for r in report.results if r.severity in ("Violation", "Warning")]


def test_a_store_rewriting_terms_is_reported(empty: Store, build: Path) -> None:
    """A term the store rewrites (here a number not in its canonical form) is a warning naming the store, the
    graph and an example; a store that keeps terms as sent is silent.  (Language tags are sent in lower
    case, their canonical form in RDF 1.1, so a store cannot rewrite their case.)"""
    trig = build / "kg.trig"
    text = trig.read_text()
    marker = "<https://w3id.org/kgpub/id/graph/mini-1> {\n"
    assert marker in text
    trig.write_text(text.replace(marker, marker + '    <https://example.org/x> <https://example.org/n> "05"^^'
                                 '<http://www.w3.org/2001/XMLSchema#integer> .\n', 1))
    result = stores.load(build, empty.load_url, flavor=empty.flavor, client=client())
    assert result.ok, result.table()
    (graph,) = [g for g in result.graphs if g.iri == "https://w3id.org/kgpub/id/graph/mini-1"]
    mine = [w for w in result.warnings if " graph https://w3id.org/kgpub/id/graph/mini-1: " in w]
    assert len(result.warnings) == len(mine) + (own_default(empty) and graph.status == "normalised")  # its copy
    if graph.status == "normalised":
        (line,) = mine
        assert line.startswith(f"warning: {empty.flavor} store at {empty.load_url}: graph "
                               "https://w3id.org/kgpub/id/graph/mini-1: ")
        assert "rewritten, e.g. <https://example.org/x> <https://example.org/n>" in line and "came back as" in line
    else:
        assert graph.status == "loaded" and result.warnings == []
    if empty.name.startswith("oxigraph"):  # Oxigraph keeps numbers as values
        assert graph.status == "normalised"
        assert mine[0].endswith('1 triple(s) rewritten, e.g. <https://example.org/x> <https://example.org/n> '
                                           '"05"^^<http://www.w3.org/2001/XMLSchema#integer> came back as '
                                           '<https://example.org/x> <https://example.org/n> '
                                           '"5"^^<http://www.w3.org/2001/XMLSchema#integer>')


def test_a_wrong_path_is_a_clear_error(store: Store, build: Path) -> None:
    wrong = store.load_url + "/nowhere"
    with pytest.raises(StoreError) as caught:
        stores.load(build, wrong, flavor=store.flavor, client=client())
    assert str(caught.value).startswith(wrong) and "HTTP 4" in str(caught.value)


def test_cli_prints_the_warning_and_exits_0(empty: Store, build: Path) -> None:
    """Through the CLI: the table on stdout, the store's rewrites on stderr, exit 0 (the values are kept)."""
    from click.testing import CliRunner

    from kgpub.cli import main

    trig = build / "kg.trig"
    marker = "<https://w3id.org/kgpub/id/graph/mini-2> {\n"
    trig.write_text(trig.read_text().replace(marker, marker + '    <https://example.org/y> <https://example.org/n> '
                                             '"+7"^^<http://www.w3.org/2001/XMLSchema#integer> .\n', 1))
    result = CliRunner().invoke(main, ["load", empty.load_url, "--flavor", empty.flavor, "--data", str(build)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith(f"sent {graphs_of(empty)} of {graphs_of(empty)} graphs (")
    status = {line.split()[0]: line.split()[-1] for line in result.stdout.splitlines()[1:-1]}
    if status["https://w3id.org/kgpub/id/graph/mini-2"] == "normalised":
        assert (f"warning: {empty.flavor} store at {empty.load_url}: graph "
                "https://w3id.org/kgpub/id/graph/mini-2: 1 triple(s) rewritten, e.g. ") in result.stderr
    else:
        assert result.stderr == ""
    if empty.name.startswith("oxigraph"):
        assert status["https://w3id.org/kgpub/id/graph/mini-2"] == "normalised"
