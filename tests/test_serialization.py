"""Stage 5: byte-stable files, and all-or-nothing writes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

import kgpub
from kgpub.output import blocks, folder, writers
from kgpub.errors import InputError, OutputError
from kgpub.pipeline.mapping import Minter
from conftest import MINI_FACTS, ROOT, write_corpus

sys.path.insert(0, str(ROOT / "benchmarks"))
import reference  # noqa: E402

BASE = "https://example.org/id/"
EX = "https://example.org/id/"
MINT = Minter(BASE, set())


def turtle(g: Graph) -> bytes:
    return blocks.turtle_file(blocks.nt_lines(g), BASE)[0]


def ntriples(g: Graph) -> bytes:
    return "".join(blocks.nt_lines(g)).encode("utf-8")


def jsonld(g: Graph) -> bytes:
    lines = blocks.nt_lines(g)
    return writers.by_name("jsonld").render(writers.BuildLines(MINT, lines, []))[0]


def trig(named: list[tuple[URIRef, Graph]]) -> bytes:
    return writers.trig_file([(str(iri), blocks.nt_lines(g)) for iri, g in named], BASE)[0]


def small_graph(order: list[int]) -> Graph:
    g = Graph()
    triples = [
        (URIRef(EX + "b"), URIRef("https://w3id.org/kgpub/ontology#agent"), URIRef(EX + "a")),
        (URIRef(EX + "a"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("Ä “quoted”")),
        (URIRef(EX + "a"), URIRef("https://w3id.org/kgpub/ontology#date"),
         Literal("2020-06", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYearMonth"))),
        (URIRef(EX + "a"), URIRef("https://schema.org/headline"), Literal("title", lang="en")),
    ]
    for i in order:
        g.add(triples[i])
    return g


@pytest.mark.parametrize("writer", [turtle, ntriples, jsonld])
def test_bytes_do_not_depend_on_insertion_order(writer) -> None:  # type: ignore[no-untyped-def]
    assert writer(small_graph([0, 1, 2, 3])) == writer(small_graph([3, 2, 1, 0]))


def test_jsonld_is_compact_and_round_trips() -> None:
    g = small_graph([0, 1, 2, 3])
    data = jsonld(g)
    doc = json.loads(data)
    assert doc["@context"]["kg"] == "https://w3id.org/kgpub/ontology#"
    assert {node["@id"] for node in doc["@graph"]} == {"id:a", "id:b"}
    assert isomorphic(g, Graph().parse(data=data, format="json-ld"))


def test_turtle_uses_the_project_prefixes() -> None:
    text = turtle(small_graph([0, 1, 2, 3])).decode()
    assert "@prefix kg: <https://w3id.org/kgpub/ontology#> ." in text
    assert "id:b kg:agent id:a ." in text


def test_trig_orders_graphs_by_iri() -> None:
    g1, g2 = small_graph([0]), small_graph([1])
    data = trig([(URIRef(EX + "graph/z"), g1), (URIRef(EX + "graph/a"), g2)]).decode()
    assert data.index("graph/a") < data.index("graph/z")


def test_build_writes_every_output(mini: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    result = kgpub.build(mini, out)
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and ".index" not in p.parts}
    cache = {".cache/manifest.pickle", ".cache/units.log", ".cache/layout.pickle"}
    assert names == {"kg.ttl", "kg.nt", "kg.jsonld", "kg.trig", "ontology.ttl", "void.ttl",
                     "articles/mini-1.ttl", folder.MARKER, *cache}
    assert result.files == tuple(sorted(names - {folder.MARKER, *cache}))
    assert (out / ".index" / "meta.json").is_file()


def test_failed_build_leaves_the_previous_output_untouched(mini: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    kgpub.build(mini, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    facts_file = mini / "articles" / "mini-1.facts.yaml"
    facts_file.write_text(MINI_FACTS.replace("Commander Omar Zed", "Commandant Omar Zed"), encoding="utf-8")
    with pytest.raises(InputError):
        kgpub.build(mini, out)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".dist")] == []


def test_failed_first_build_creates_nothing(tmp_path: Path) -> None:
    root = write_corpus(tmp_path / "seeds", facts=MINI_FACTS.replace("agent: alpha-brigade", "agent: nobody"))
    with pytest.raises(InputError):
        kgpub.build(root, tmp_path / "dist")
    assert not (tmp_path / "dist").exists()


def test_refuses_to_replace_a_folder_it_did_not_write(mini: Path, tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    with pytest.raises(OutputError, match="not a kgpub build folder"):
        kgpub.build(mini, precious)
    assert (precious / "notes.txt").read_text() == "keep me"


def test_rebuild_replaces_stale_files(mini: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    kgpub.build(mini, out)
    (out / "articles" / "stale.ttl").write_text("old")
    kgpub.build(mini, out)
    assert not (out / "articles" / "stale.ttl").exists()


def test_custom_base(mini: Path, tmp_path: Path) -> None:
    kgpub.build(mini, tmp_path / "dist", base="https://news.example/kg/")
    g = Graph().parse(tmp_path / "dist" / "kg.ttl")
    assert (URIRef("https://news.example/kg/article/mini-1/rocket-attack"), None, None) in g


def test_fast_jsonld_writer_equals_json_dumps(seed_build: Path) -> None:
    """kgpub's JSON-LD layout writer gives exactly json.dumps(indent=2)'s bytes, on tricky strings too."""
    import json

    lines = (seed_build / "kg.nt").read_text(encoding="utf-8").splitlines(keepends=True)
    lines.append('<https://w3id.org/kgpub/id/x> <http://www.w3.org/2000/01/rdf-schema#label> '
                 '"quote \\" back\\\\slash\\nnew line, é, \\u2028, emoji 😀"@en .\n')
    lines.append('<https://w3id.org/kgpub/id/x> <https://w3id.org/kgpub/ontology#personCount> '
                 '"3"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger> .\n')
    lines.append('<https://w3id.org/kgpub/id/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
                 '<https://w3id.org/kgpub/ontology#Person> .\n')
    lines.append('<https://w3id.org/kgpub/id/x/y> <urn:other:p> "tab\there" .\n')
    lines.append('<urn:other:s> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <https://w3id.org/kgpub/id/x> .\n')
    for subset in (sorted(lines), []):
        document = reference.jsonld_document(subset, "https://w3id.org/kgpub/id/")
        expected = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        assert reference.jsonld_text(document) == expected
        lines = blocks.nt_lines(Graph().parse(data="".join(subset), format="nt"))
        built = writers.BuildLines(Minter("https://w3id.org/kgpub/id/", set()), lines, [])
        assert writers.by_name("jsonld").render(built)[0] == expected.encode("utf-8")
