"""The ontology under a reasoner: OWL 2 RL (owlrl) over the ontology and a build infers nothing absurd. No node
is both an event and an actor or a place; no place is an agent unless the ontology declares it a geopolitical
entity (a country). A target may be a place or a thing: a compound that was attacked is not an actor."""

from __future__ import annotations

from pathlib import Path

import owlrl
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

import kgpub
from conftest import write_corpus
from test_query_multisource import write

pytestmark = pytest.mark.slow  # OWL 2 RL over whole builds

KG = Namespace("https://w3id.org/kgpub/ontology#")


def closure(build: Path) -> Graph:
    graph = Graph().parse(build / "ontology.ttl").parse(build / "kg.ttl")
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return graph


def absurd(graph: Graph) -> dict[str, list[str]]:
    """What the closure says that cannot be: each kind with the nodes it holds for."""
    def of(cls: URIRef) -> set[str]:
        return {str(s) for s in graph.subjects(RDF.type, cls)}

    events, agents, places = of(KG.Event) | of(KG.SpeechAct), of(KG.Agent), of(KG.Place)
    return {"event and agent": sorted(events & agents), "event and place": sorted(events & places),
            "place and agent, not a geopolitical entity": sorted((places & agents) - of(KG.GeopoliticalEntity))}


NOTHING: dict[str, list[str]] = {"event and agent": [], "event and place": [],
                                 "place and agent, not a geopolitical entity": []}


def test_owl_rl_over_the_seeds_build(seed_build: Path) -> None:
    graph = closure(seed_build)
    # a target is no longer an agent: the military compound next to the embassy (a facility) was attacked
    compound = URIRef("https://w3id.org/kgpub/id/article/000_eb2d348de878cb8c/us-military-compound")
    assert (compound, RDF.type, KG.Place) in graph
    assert (compound, RDF.type, KG.Agent) not in graph
    found = absurd(graph)
    # the embassy is the mission (an organisation) and its compound a facility: two entities, nothing absurd
    assert found == NOTHING, found
    assert {str(s) for s in graph.subjects(RDF.type, KG.GeopoliticalEntity)} >= {
        "https://w3id.org/kgpub/id/iraq", "https://w3id.org/kgpub/id/iran", "https://w3id.org/kgpub/id/united-states"}


@pytest.mark.parametrize("corpus", ["mini", "multi"])
def test_owl_rl_over_the_test_builds(corpus: str, tmp_path: Path) -> None:
    seeds = write_corpus(tmp_path / "seeds") if corpus == "mini" else write(tmp_path / "seeds")
    assert kgpub.build(seeds, tmp_path / "dist").written
    graph = closure(tmp_path / "dist")
    assert absurd(graph) == NOTHING
    # the mini corpus's rocket attack targets a base: a place, not an actor
    if corpus == "mini":
        base = URIRef("https://w3id.org/kgpub/id/gamma-base")
        assert (base, RDF.type, KG.Place) in graph and (base, RDF.type, KG.Agent) not in graph


def test_the_reasoner_would_catch_a_target_made_an_actor(tmp_path: Path) -> None:
    """The test can fail: with kg:target under kg:participant again (range kg:Agent), a facility becomes an agent."""
    seeds = write_corpus(tmp_path / "seeds")
    assert kgpub.build(seeds, tmp_path / "dist").written
    graph = closure(tmp_path / "dist")
    graph.add((KG.target, URIRef("http://www.w3.org/2000/01/rdf-schema#subPropertyOf"), KG.participant))
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    assert absurd(graph)["place and agent, not a geopolitical entity"] == ["https://w3id.org/kgpub/id/gamma-base"]
