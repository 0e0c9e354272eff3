"""Reports of one event that disagree, judged with precision (kgsh:ReportConflictShape), both ways: no false alarm
where a day falls in the registry's month, a base in its city in its country, or 14 killed in "at least 13"; and
no miss where days, places or exact counts cannot both be true. One warning per disagreement, places by label,
the same results from the compiled checks and pySHACL; and a hint for an article's own event that duplicates a
shared one."""

from __future__ import annotations

import textwrap
from pathlib import Path

from rdflib import Graph

import kgpub
from shacl_reference import load_ontology, validate_graph
from test_query_multisource import FACTS_3, TEXT_3, write

SHAPE = "kgsh:ReportConflictShape"


def conflicts(dist: Path) -> list[str]:
    report = kgpub.validate([dist])
    return sorted(r.message for r in report.results if r.source_shape == SHAPE)


def test_reports_that_agree_raise_no_alarm(tmp_path: Path) -> None:
    assert kgpub.build(write(tmp_path / "seeds", agreeing=True), tmp_path / "dist").written
    # the registry's May 2021 and Iraq, one report's 3 May and Gamma base, another's Baghdad; at least 13 and 14
    assert conflicts(tmp_path / "dist") == []
    assert kgpub.build(tmp_path / "seeds", tmp_path / "strict", strict=True).written


def test_each_disagreement_is_one_warning_naming_places_by_label(tmp_path: Path) -> None:
    assert kgpub.build(write(tmp_path / "seeds"), tmp_path / "dist").written
    event = "conflicting reports of “Rocket attack on the Gamma base”: this article gives the"
    assert conflicts(tmp_path / "dist") == [
        f"{event} count of killed 20, Fourteen dead at Gamma base gives 14",
        f"{event} date 2021-05-02, Rockets hit Gamma base gives 2021-05-03",
        f"{event} place Tehran, Fourteen dead at Gamma base gives Baghdad",
        f"{event} place Tehran, Rockets hit Gamma base gives Gamma base",
        f"{event} place Tehran, the registry gives Iraq",
    ]
    # the shipped query says the same, once per pair
    assert len(kgpub.query("disagreements", tmp_path / "dist").rows) == 5


def test_exact_counts_that_differ_conflict_and_qualified_ones_that_fit_do_not(tmp_path: Path) -> None:
    root = write(tmp_path / "seeds")
    for said, words, conflict in (("at_least: 10", "At least 10", False), ("at_most: 13", "At most 13", True),
                                  ("between: [12, 20]", "Between 12 and 20", False), ("exactly: 15", "15", True),
                                  ("about: 20", "About 20", False)):
        (root / "articles" / "a3.txt").write_text(TEXT_3.replace("Twenty", words), encoding="utf-8")
        (root / "articles" / "a3.facts.yaml").write_text(
            textwrap.dedent(FACTS_3).replace("exactly: 20", said).replace("Twenty guards died", f"{words} guards died"),
            encoding="utf-8")
        out = tmp_path / said.split(":")[0]
        assert kgpub.build(root, out).written
        counts = [m for m in conflicts(out) if "count of killed" in m]  # against a2's exactly 14
        assert bool(counts) == conflict, (said, counts)


def test_compiled_checks_and_pyshacl_agree_on_report_conflicts(tmp_path: Path) -> None:
    assert kgpub.build(write(tmp_path / "seeds"), tmp_path / "dist").written
    data = Graph().parse(tmp_path / "dist" / "kg.ttl")
    ontology = load_ontology()
    fast = validate_graph(data, ontology=ontology)
    reference = validate_graph(data, ontology=ontology, reference=True)
    assert fast.results == reference.results
    assert sum(r.source_shape == SHAPE for r in fast.results) == 5


#: An article (a3) whose own event duplicates the registry's shared gamma-attack: the same type, actor, days and
#: place; each test adds events of its own after it.
OWN_ATTACK = textwrap.dedent("""
        article:
          id: a3
          headline: Rockets on a base
          publisher: other-paper
          language: en
          published: "2021-05-06"
        events:
          - id: own-attack
            type: ShellingMissileAttack
            label: Alpha Brigade fires rockets at a base
            date: "2021-05-03"
            place: iraq
            agent: alpha-brigade
            evidence: ["Alpha Brigade fired rockets at a base in Iraq on 3 May"]
""")


def with_events(extra: str) -> str:
    """OWN_ATTACK followed by ``extra``, more events written as the items of its list."""
    return OWN_ATTACK + textwrap.indent(textwrap.dedent(extra), "  ")


def test_an_own_event_duplicating_a_shared_one_gets_a_hint(tmp_path: Path) -> None:
    root = write(tmp_path / "seeds", agreeing=True)
    (root / "articles" / "a3.txt").write_text(
        "Alpha Brigade fired rockets at a base in Iraq on 3 May. Unrelated: Alpha Brigade paraded in 2019.",
        encoding="utf-8")
    (root / "articles" / "a3.facts.yaml").write_text(with_events("""
          - id: parade
            type: ShowOfForce
            label: Alpha Brigade parades
            date: "2019"
            agent: alpha-brigade
            evidence: ["Alpha Brigade paraded in 2019"]
        """), encoding="utf-8")
    assert kgpub.build(root, tmp_path / "dist").written
    hints = [r for r in kgpub.validate([tmp_path / "dist"]).results if r.source_shape == "kgsh:LocalDuplicateShape"]
    assert [(r.severity, r.focus, r.message) for r in hints] == [
        ("Info", "https://w3id.org/kgpub/id/article/a3/own-attack",
         "“Alpha Brigade fires rockets at a base” looks like shared event “Rocket attack on the Gamma base” (the same "
         "type and actors, overlapping dates): report it with 'report: gamma-attack' instead of defining it")]


def test_the_duplicate_hint_needs_every_actor_and_the_type_and_agrees_with_pyshacl(tmp_path: Path) -> None:
    """The hint's query finds its shared events through an actor of the article's event and compares the type
    after (joined on the type first it walked every event of that type, for each event): an own event with an
    actor the shared one lacks, or of another type, gets no hint; the reference engine says the same."""
    root = write(tmp_path / "seeds", agreeing=True)
    (root / "articles" / "a3.txt").write_text(
        "Alpha Brigade fired rockets at a base in Iraq on 3 May. Alpha Brigade and the Delta network shelled a "
        "base in Iraq on 3 May. Alpha Brigade paraded in Iraq on 3 May.", encoding="utf-8")
    (root / "articles" / "a3.facts.yaml").write_text(with_events("""
          - id: joint-attack
            type: ShellingMissileAttack
            label: Alpha Brigade and the Delta network shell a base
            date: "2021-05-03"
            place: iraq
            agent: [alpha-brigade, delta-network]
            evidence: ["Alpha Brigade and the Delta network shelled a base in Iraq on 3 May"]
          - id: parade
            type: ShowOfForce
            label: Alpha Brigade parades
            date: "2021-05-03"
            place: iraq
            agent: alpha-brigade
            evidence: ["Alpha Brigade paraded in Iraq on 3 May"]
        """), encoding="utf-8")
    assert kgpub.build(root, tmp_path / "dist").written
    hints = [r.focus for r in kgpub.validate([tmp_path / "dist"]).results
             if r.source_shape == "kgsh:LocalDuplicateShape"]
    assert hints == ["https://w3id.org/kgpub/id/article/a3/own-attack"]
    data = Graph().parse(tmp_path / "dist" / "kg.ttl")
    ontology = load_ontology()
    fast = [r for r in validate_graph(data, ontology=ontology).results if "LocalDuplicate" in str(r.source_shape)]
    reference = [r for r in validate_graph(data, ontology=ontology, reference=True).results
                 if "LocalDuplicate" in str(r.source_shape)]
    assert fast == reference and len(fast) == 1
