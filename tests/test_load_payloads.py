"""What `kgpub load` sends, made from lines (the fast path) equals what the term-based reference makes:
the same bytes and hashes for every graph, so manifests recorded before stay valid; and the N-Quads cutter
under any literal, label and graph a serializer can write."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from hypothesis import given, settings
from hypothesis import strategies as st

from kgpub import stores


def reference(build: Path, target: str | None, default_graph: bool, copy: bool) -> dict[str | None, tuple]:
    graphs = stores._build_graphs(build, target, default_graph)
    if copy:
        graphs[None] = (stores.DATA, stores._default_copy(graphs))
    return {iri: (role, *stores._payload(triples)) for iri, (role, triples) in graphs.items()}


def fast(build: Path, target: str | None, default_graph: bool, copy: bool) -> dict[str | None, tuple]:
    graphs = stores._build_payloads(build, target, default_graph, default_copy=copy)
    return {iri: (g.role, g.payload, g.sha256, g.triples) for iri, g in graphs.items()}


def test_the_seed_build_gives_the_reference_payloads(seed_build: Path) -> None:
    for target, default_graph, copy in [(None, False, True), (None, False, False), ("https://example.org/all", False, False),
                                        (None, True, False)]:
        assert fast(seed_build, target, default_graph, copy) == reference(seed_build, target, default_graph, copy)
    roles = {iri: role for iri, (role, *_) in fast(seed_build, None, False, False).items()}
    assert set(roles.values()) == {stores.DATA, stores.PROVENANCE, stores.ONTOLOGY}


IRIS = st.sampled_from(["http://e.org/a", "http://e.org/b c".replace(" ", "%20"), "http://e.org/\u00e9", "urn:x:1"])
TEXT = st.text(alphabet=st.sampled_from(list('ab "<>\\\n\t.@^_:') + ["\u00e9", "\u0007"]), max_size=12)


@st.composite
def quads(draw: st.DrawFn) -> ox.Quad:
    subject = ox.NamedNode(draw(IRIS)) if draw(st.booleans()) else ox.BlankNode(draw(st.sampled_from(["b1", "x2"])))
    kind = draw(st.sampled_from(["iri", "blank", "plain", "lang", "typed"]))
    value = draw(TEXT)
    obj = {"iri": lambda: ox.NamedNode(draw(IRIS)), "blank": lambda: ox.BlankNode("o1"),
           "plain": lambda: ox.Literal(value), "lang": lambda: ox.Literal(value, language="en-gb"),
           "typed": lambda: ox.Literal(value, datatype=ox.NamedNode("http://e.org/dt"))}[kind]()
    graph = draw(st.sampled_from([ox.DefaultGraph(), ox.NamedNode("http://e.org/g"), ox.BlankNode("g1"),
                                  ox.NamedNode("http://e.org/a")]))
    return ox.Quad(subject, ox.NamedNode(draw(IRIS)), obj, graph)


@settings(max_examples=300, deadline=None)
@given(st.lists(quads(), max_size=8))
def test_cutting_n_quads_per_graph_equals_the_serializer(statements: list[ox.Quad]) -> None:
    cut = stores._split_nquads(ox.serialize(statements, format=ox.RdfFormat.N_QUADS) or b"")
    expected: dict[bytes | None, list[bytes]] = {}
    for quad in statements:
        label = None if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name).encode()
        line = (ox.serialize([quad.triple], format=ox.RdfFormat.N_TRIPLES) or b"").rstrip(b"\n")
        expected.setdefault(label, []).append(line)
    assert cut == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(quads(), max_size=8))
def test_the_checksum_computed_locally_equals_the_stores(statements: list[ox.Quad]) -> None:
    """The count and checksum kgpub computes from the lines it sends equal those a store's SPARQL computes from
    the terms it holds (pyoxigraph's engine here), under any literal a serializer can write; a graph holding a
    blank node has none on either side (it is read back instead)."""
    named = [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode("http://e.org/g")) for q in statements]
    store = ox.Store()
    store.extend(named)
    lines = (ox.serialize([q.triple for q in named], format=ox.RdfFormat.N_TRIPLES) or b"").splitlines()
    if not lines:
        return
    payload, sha256, triples = stores._sorted_payload(lines)
    plan = stores.GraphPlan("http://e.org/g", payload, triples, sha256)
    local = stores._local_checksums([plan])["http://e.org/g"]
    (row,) = list(store.query(stores._checksum_query()))
    counted = int(row["n"].value)
    theirs = None if row["x"] is None else (counted, int(row["x"].value))
    blank = any(isinstance(t, ox.BlankNode) for q in named for t in (q.subject, q.object))
    assert local == theirs
    assert (local is None) == blank


def test_a_bulk_load_is_one_transaction_a_request_unless_asked_otherwise() -> None:
    """Atomic per graph where the store allows is the default, from the library and the command line alike;
    only ``--no-atomic`` hands Oxigraph's requests to its bulk loader without a transaction."""
    import inspect

    import kgpub
    from kgpub.cli import main

    oxigraph = stores.Endpoints("oxigraph", "http://127.0.0.1:7878/store", "http://127.0.0.1:7878/query")
    assert stores._dataset_endpoint(oxigraph) == ("http://127.0.0.1:7878/store", True)
    assert stores._dataset_endpoint(oxigraph, atomic=False) == ("http://127.0.0.1:7878/store?no_transaction", True)
    assert inspect.signature(kgpub.load).parameters["atomic"].default is True
    assert inspect.signature(stores.load).parameters["atomic"].default is True
    option = next(p for p in main.commands["load"].params if p.name == "atomic")
    assert option.default is True


class _Recorder:
    """A client that takes every request and remembers where each went and which graphs it carried."""

    def __init__(self) -> None:
        import threading

        self.sent: list[tuple[str, bytes]] = []
        self.lock = threading.Lock()

    def request(self, method: str, url: str, data: bytes = b"", **_: object) -> object:
        import zlib

        from types import SimpleNamespace

        with self.lock:
            self.sent.append((url, zlib.decompress(data, wbits=31)))
        return SimpleNamespace(status_code=204, ok=True, headers={}, text="", content=b"", url=url)


def test_named_graphs_go_in_transactions_and_the_default_graphs_copy_through_the_bulk_loader(monkeypatch) -> None:
    """By default each request of named graphs is one transaction (``/store``); the shares of the default
    graph's copy, never one transaction, go to Oxigraph's bulk loader (``?no_transaction``), first;
    ``--no-atomic`` sends everything there."""
    monkeypatch.setattr(stores, "_check", lambda response, doing: None)
    oxigraph = stores.Endpoints("oxigraph", "http://127.0.0.1:7878/store", "http://127.0.0.1:7878/query")
    named = [stores.GraphPlan(f"http://e.org/g{i}", f"<http://e.org/s> <http://e.org/p> \"{i}\" .\n".encode(), 1, "")
             for i in range(6)]
    copy_lines = [f"<http://e.org/s> <http://e.org/p> \"{i}\" .\n".encode() for i in range(6)]
    copy = stores.GraphPlan(None, b"".join(copy_lines), 6, "")
    for atomic in (True, False):
        client = _Recorder()
        landed: list[stores.GraphPlan] = []
        stores._post_batches(client, oxigraph, stores._batches([*named, copy], 2), 1, landed.append,  # type: ignore[arg-type]
                             atomic=atomic)
        assert sorted(id(p) for p in landed) == sorted(id(p) for p in [*named, copy])
        copies = [url for url, body in client.sent if b"<http://e.org/g" not in body]
        graphs = [url for url, body in client.sent if b"<http://e.org/g" in body]
        assert len(copies) == 3 and len(graphs) == 3
        assert set(copies) == {"http://127.0.0.1:7878/store?no_transaction"}
        assert set(graphs) == {"http://127.0.0.1:7878/store" + ("" if atomic else "?no_transaction")}
        assert [url for url, _ in client.sent[:3]] == copies  # one at a time: the copy's shares went first
