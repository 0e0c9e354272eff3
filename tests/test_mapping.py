"""Stage 2: facts to RDF — IRIs, classes, roles, dates, and claims kept apart."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from kgpub.corpus import reader
from kgpub.pipeline import mapping
from kgpub.pipeline.mapping import KG, KGT
from kgpub.resources import ontology_file
from conftest import MINI_FACTS, ROOT, write_corpus

sys.path.insert(0, str(ROOT / "benchmarks"))
import reference  # noqa: E402

BASE = "https://example.org/id/"


def mapped_of(root: Path, base: str = BASE) -> reference.MappedCorpus:
    return reference.map_corpus(reader.load(root), base)


def test_entity_classes_match_the_ontology() -> None:
    """Every kg: superclass of a type (by the ontology's subClassOf closure) is materialised."""
    onto = Graph().parse(ontology_file())
    for name, classes in mapping.ENTITY_CLASSES.items():
        closure = {str(c) for c in onto.transitive_objects(KG[name], RDFS.subClassOf)}
        expected = {c[len(str(KG)):] for c in closure if c.startswith(str(KG))}
        assert set(classes) == expected, name


def test_iris_are_minted_from_ids(mini: Path) -> None:
    m = mapped_of(mini)
    g = m.article_graphs["mini-1"]
    event = URIRef(BASE + "article/mini-1/rocket-attack")
    assert (event, RDF.type, KG.Event) in g
    assert (event, KG.agent, URIRef(BASE + "alpha-brigade")) in g
    assert (event, KG.place, URIRef(BASE + "gamma-base")) in g
    assert (event, KG.eventType, KGT.ShellingMissileAttack) in g
    person = URIRef(BASE + "article/mini-1/omar-zed")
    assert set(g.objects(person, RDF.type)) == {KG.Person, KG.Agent}


def test_registry_entities_carry_all_kg_classes(mini: Path) -> None:
    g = mapped_of(mini).registry_graph
    group = URIRef(BASE + "alpha-brigade")
    assert set(g.objects(group, RDF.type)) == {KG.ArmedGroup, KG.Organization, KG.Agent}
    assert list(g.objects(group, RDFS.label)) == [Literal("Alpha Brigade")]
    assert (URIRef(BASE + "news-co"), URIRef("https://schema.org/sameAs"), URIRef("http://www.wikidata.org/entity/Q1")) in g


def test_relationships_are_asserted_and_reified(mini: Path) -> None:
    g = mapped_of(mini).article_graphs["mini-1"]
    zed, alpha = URIRef(BASE + "article/mini-1/omar-zed"), URIRef(BASE + "alpha-brigade")
    assert (zed, KG.memberOf, alpha) in g
    node = URIRef(BASE + "article/mini-1/relation/omar-zed/memberOf/alpha-brigade")
    assert (node, RDF.type, KG.Relationship) in g
    assert (node, RDF.subject, zed) in g and (node, RDF.object, alpha) in g
    assert (node, KG.role, Literal("commander")) in g


def test_claims_are_never_asserted(mini: Path) -> None:
    m = mapped_of(mini)
    g = m.article_graphs["mini-1"]
    alpha, attack = URIRef(BASE + "alpha-brigade"), URIRef(BASE + "article/mini-1/rocket-attack")
    accusation = URIRef(BASE + "article/mini-1/beta-accuses-alpha")
    claim = URIRef(BASE + "article/mini-1/beta-accuses-alpha/claim/rocket-attack/agent/alpha-brigade")
    assert (accusation, KG.claim, claim) in g
    assert (accusation, KG.concerns, attack) in g
    # The claim "Alpha did the attack" is a reified statement, attributed to the accuser ...
    assert {(p, o) for p, o in g.predicate_objects(claim)} == {
        (RDF.type, KG.Claim), (RDF.type, RDF.Statement), (RDF.subject, attack), (RDF.predicate, KG.agent),
        (RDF.object, alpha), (PROV.wasAttributedTo, URIRef(BASE + "beta-government")),
        (RDFS.label, Literal("Claim by Beta government: Rocket attack on the Gamma base agent Alpha Brigade"))}
    # ... and, where the article itself does not state it (no agent on the event), no graph of the build
    # holds the triple: no store can turn the claim into a fact.
    text = MINI_FACTS.replace("    agent: alpha-brigade\n", "")
    root = write_corpus(mini.parent / "other", facts=text)
    other = mapped_of(root)
    assert (attack, KG.agent, alpha) not in other.article_graphs["mini-1"]
    assert (attack, KG.agent, alpha) not in other.instance_data()
    assert not any(isinstance(graph, Graph) and (attack, KG.agent, alpha) in graph for _, graph in other.named_graphs())


@pytest.mark.parametrize(("value", "datatype"), [('"2021"', XSD.gYear), ('"2021-05"', XSD.gYearMonth), ('"2021-05-03"', XSD.date)])
def test_dates_keep_their_precision(tmp_path: Path, value: str, datatype: URIRef) -> None:
    root = write_corpus(tmp_path, facts=MINI_FACTS.replace('date: "2021-05-03"', f"date: {value}"))
    g = mapped_of(root).article_graphs["mini-1"]
    (date,) = g.objects(URIRef(BASE + "article/mini-1/rocket-attack"), KG.date)
    assert date.datatype == datatype and str(date) == value.strip('"')


def test_speech_acts_get_labels_and_types(mini: Path) -> None:
    g = mapped_of(mini).article_graphs["mini-1"]
    threat = URIRef(BASE + "article/mini-1/zed-threat")
    assert set(g.objects(threat, RDF.type)) == {KG.Threat, KG.SpeechAct}
    assert (threat, KG.actType, KGT.ThreatenMilitaryForce) in g
    assert str(g.value(threat, RDFS.label)) == "Threat by Omar Zed against Beta government"


def test_the_same_entity_is_the_same_iri_in_two_articles(tmp_path: Path) -> None:
    root = write_corpus(tmp_path)
    second = MINI_FACTS.replace("id: mini-1", "id: mini-2")
    write_corpus(root, facts=second, registry=None, name="mini-2")
    m = mapped_of(root)
    alpha = URIRef(BASE + "alpha-brigade")
    for article in ("mini-1", "mini-2"):
        assert (URIRef(f"{BASE}article/{article}/rocket-attack"), KG.agent, alpha) in m.article_graphs[article]


@pytest.mark.parametrize("text", ["a\\b", 'say "hi"', "line\nnext", "cr\rx", "tab\tx", "é ü 😀", "back\\nslash-n",
                                  "\\u0041", "end\\"])
def test_terms_written_as_ntriples_reach_both_sinks_unchanged(text: str) -> None:
    """Provenance is written as N-Triples terms: an rdflib graph must get the very literal, lines the same text."""
    from kgpub.pipeline.mapping import Lines, nt_adder, nt_string, nt_term

    graph, lines = Graph(), Lines()
    for sink in (graph, lines):
        nt_adder(sink)("<http://x.example/s>", "<http://x.example/p>", nt_string(text))
    assert set(graph) == {(URIRef("http://x.example/s"), URIRef("http://x.example/p"), Literal(text))}
    assert lines.sorted() == [f"<http://x.example/s> <http://x.example/p> {nt_term(Literal(text))} .\n"]
