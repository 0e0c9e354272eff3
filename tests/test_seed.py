"""The seed article end to end: golden file, determinism, and the questions the graph must answer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

import kgpub
import kgpub.facts
from conftest import GOLDEN, ROOT, SEEDS

ARTICLE = SEEDS / "articles" / "000_eb2d348de878cb8c.txt"
PREFIXES = """
PREFIX kg: <https://w3id.org/kgpub/ontology#>
PREFIX id: <https://w3id.org/kgpub/id/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
"""


@pytest.fixture(scope="module")
def kg(seed_build: Path) -> Graph:
    return Graph().parse(seed_build / "kg.ttl")


def ask(graph: Graph, query: str) -> set[tuple[str, ...]]:
    return {tuple(str(v) for v in row) for row in graph.query(PREFIXES + query)}


def test_seed_article_is_byte_identical_to_the_shared_seed() -> None:
    shared = ROOT.parent / "shared" / "seeds" / ARTICLE.name
    if not shared.exists():
        pytest.skip("../shared/seeds is not beside this checkout")
    assert ARTICLE.read_bytes() == shared.read_bytes()


def test_golden_kg_ttl(seed_build: Path) -> None:
    """kg.ttl equals the reviewed golden file, as a graph and byte for byte.

    After an intended change, regenerate with KGPUB_UPDATE_GOLDEN=1 and review the diff.
    """
    built = (seed_build / "kg.ttl").read_bytes()
    golden = GOLDEN / "kg.ttl"
    if os.environ.get("KGPUB_UPDATE_GOLDEN"):
        golden.write_bytes(built)
    assert isomorphic(Graph().parse(data=built, format="turtle"), Graph().parse(golden))
    assert built == golden.read_bytes()


def test_build_is_byte_identical_across_runs_and_hash_seeds(seed_build: Path, tmp_path: Path) -> None:
    """A second build, in a process with another hash seed, writes the very same bytes."""
    out = tmp_path / "again"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", f"import kgpub; kgpub.build({str(SEEDS)!r}, {str(out)!r})"],
                   check=True, env=env)
    def output(folder: Path) -> list[Path]:  # the query index and the article cache are kgpub's state, not output
        return sorted(p.relative_to(folder) for p in folder.rglob("*")
                      if p.is_file() and p.relative_to(folder).parts[0] not in (".index", ".cache"))

    first, second = output(seed_build), output(out)
    assert (out / ".index" / "meta.json").is_file() and (out / ".cache").is_dir()
    assert first == second
    for rel in first:
        assert (seed_build / rel).read_bytes() == (out / rel).read_bytes(), rel


def test_all_formats_carry_the_same_graph(seed_build: Path, kg: Graph) -> None:
    assert isomorphic(kg, Graph().parse(seed_build / "kg.nt", format="nt"))
    assert isomorphic(kg, Graph().parse(seed_build / "kg.jsonld", format="json-ld"))
    ds = Dataset()
    ds.parse(seed_build / "kg.trig", format="trig")
    data_graphs = [URIRef("https://w3id.org/kgpub/id/graph/entities"),
                   URIRef("https://w3id.org/kgpub/id/graph/000_eb2d348de878cb8c")]
    union = Graph()
    for iri in data_graphs:
        for triple in ds.graph(iri):
            union.add(triple)
    assert isomorphic(kg, union)


def test_curation_is_complete(kg: Graph) -> None:
    def count(cls: str) -> int:
        return len(ask(kg, f"SELECT ?x WHERE {{ ?x a kg:{cls} }}"))

    assert count("Person") >= 8
    assert count("ArmedGroup") >= 5
    assert count("Event") >= 10
    assert count("Accusation") >= 4
    assert count("Threat") >= 3
    named = ask(kg, "SELECT ?n WHERE { ?p a kg:Person ; rdfs:label ?n }")
    for name in ["Donald Trump", "Joe Biden", "Qasem Soleimani", "Abu Mahdi al-Muhandis", "Mustafa al-Kadhemi",
                 "Saddam Hussein", "Sajad Jiyad", "Abu Jihad al-Hashemi"]:
        assert (name,) in named


def test_who_was_accused_over_the_killing_of_soleimani(kg: Graph) -> None:
    rows = ask(kg, """
        SELECT ?accused ?accuser WHERE {
          ?a a kg:Accusation ; kg:concerns ?e ; kg:accused/rdfs:label ?accused ; kg:accuser/rdfs:label ?accuser .
          ?e kg:victim id:qasem-soleimani .
        }""")
    assert rows == {("Mustafa al-Kadhemi", "Pro-Iran armed factions in Iraq")}


def test_who_died_on_3_january_2020_and_where(kg: Graph) -> None:
    rows = ask(kg, """
        SELECT ?victim ?place WHERE {
          ?e a kg:Event ; kg:date "2020-01-03"^^xsd:date ; kg:victim/rdfs:label ?victim ; kg:place/rdfs:label ?place .
        }""")
    assert rows == {("Qasem Soleimani", "Baghdad"), ("Abu Mahdi al-Muhandis", "Baghdad")}


def test_which_factions_belong_to_the_hashed(kg: Graph) -> None:
    rows = ask(kg, "SELECT ?name WHERE { ?g a kg:ArmedGroup ; kg:partOf id:hashed-al-shaabi ; rdfs:label ?name }")
    assert rows == {("Asaib Ahl al-Haq",), ("Kataeb Hezbollah",)}


def test_who_threatened_al_kadhemi(kg: Graph) -> None:
    rows = ask(kg, "SELECT ?who WHERE { ?t a kg:Threat ; kg:threatened id:mustafa-al-kadhemi ; kg:threatener/rdfs:label ?who }")
    assert rows == {("Pro-Iran armed factions in Iraq",), ("Asaib Ahl al-Haq",), ("Masked fighter in an online video",),
                    ("Unnamed group that threatened to cut off al-Kadhemi's ears",), ("Kataeb Hezbollah spokesman",)}


def test_dates_keep_the_precision_of_the_text(kg: Graph) -> None:
    rows = ask(kg, "SELECT ?d WHERE { ?e kg:date ?d ; rdfs:label ?l . FILTER(CONTAINS(?l, '14 members')) }")
    assert rows == {("2020-06",)}
    (row,) = kg.query(PREFIXES + "SELECT ?d WHERE { ?e kg:eventType ?t ; kg:date ?d . FILTER(STRENDS(STR(?t), 'Invasion')) }")
    assert str(row[0].datatype).endswith("gYear")


def test_claims_are_not_in_the_default_graph(kg: Graph) -> None:
    assert not kg.query(PREFIXES + "ASK { ?s kg:complicitIn ?o }").askAnswer


def test_every_quote_sits_at_its_offsets(kg: Graph) -> None:
    text = ARTICLE.read_bytes().decode("utf-8")
    rows = list(kg.query(PREFIXES + """
        SELECT DISTINCT ?r ?exact ?prefix ?suffix ?start ?end WHERE {
          ?fact kg:evidence ?r . ?r oa:hasSelector ?q , ?p .
          ?q a oa:TextQuoteSelector ; oa:exact ?exact ; oa:prefix ?prefix ; oa:suffix ?suffix .
          ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
        }"""))
    corpus = kgpub.facts.load(SEEDS)
    quotes = sum(len(x.evidence) for a in corpus.articles
                 for x in (*a.entities, *a.relations, *a.events, *a.accusations, *a.threats, *a.statements,
                           *(c for e in a.events for c in e.counts)))
    assert len(rows) == quotes >= 80
    for _, exact, prefix, suffix, start, end in rows:
        start, end = int(start), int(end)
        assert text[start:end] == str(exact)
        assert text[:start].endswith(str(prefix)) and text[end:].startswith(str(suffix))


def test_every_fact_has_evidence(kg: Graph) -> None:
    missing = ask(kg, """
        SELECT ?f WHERE {
          { ?f a kg:Event } UNION { ?f a kg:Accusation } UNION { ?f a kg:Threat } UNION { ?f a kg:Relationship }
          FILTER NOT EXISTS { ?f kg:evidence ?r }
        }""")
    assert missing == set()


def test_void_counts_match_the_data(seed_build: Path, kg: Graph) -> None:
    void = Graph().parse(seed_build / "void.ttl")
    triples = void.value(URIRef("https://w3id.org/kgpub/id/dataset"), URIRef("http://rdfs.org/ns/void#triples"))
    assert int(triples) == len(kg)
    persons = ask(void, """
        PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?n WHERE { ?d void:classPartition [ void:class kg:Person ; void:entities ?n ] }""")
    assert persons == {(str(len(ask(kg, "SELECT ?p WHERE { ?p a kg:Person }"))),)}


def test_library_result_describes_the_build(tmp_path: Path) -> None:
    result = kgpub.build(SEEDS, tmp_path / "out")
    assert result.articles == 1 and result.accusations >= 4 and result.threats >= 3
    assert "kg.trig" in result.files and "articles/000_eb2d348de878cb8c.ttl" in result.files
    assert result.triples == len(Graph().parse(tmp_path / "out" / "kg.ttl"))
