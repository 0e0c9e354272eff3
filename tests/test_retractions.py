"""Retractions: a retracted fact leaves the data graphs, a tombstone keeps what it said; bad retractions refused."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import MINI_FACTS, write_corpus

import kgpub
from kgpub.cli import main

KG = "https://w3id.org/kgpub/ontology#"
ART = "https://w3id.org/kgpub/id/article/mini-1"
RETRACTED = """    retracted:
      date: "2026-12-01"
      reason: The base was hit on 2 May; the attack is re-dated below.
"""


def _with(after: str, addition: str, facts: str = MINI_FACTS) -> str:
    """``facts`` with ``addition`` inserted after the first line that ends with ``after``."""
    lines = facts.splitlines(keepends=True)
    i = next(k for k, line in enumerate(lines) if line.rstrip().endswith(after))
    return "".join(lines[: i + 1]) + addition + "".join(lines[i + 1:])


def _store(build: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(build / "kg.trig"), format=ox.RdfFormat.TRIG)
    return store


def _ask(store: ox.Store, query: str) -> bool:
    return bool(store.query(f"PREFIX kg: <{KG}> PREFIX prov: <http://www.w3.org/ns/prov#> ASK {{ {query} }}",
                            use_default_graph_as_union=True))


@pytest.fixture
def retracted_build(tmp_path: Path) -> tuple[Path, Path]:
    """The mini corpus built as published and built again with its threat retracted."""
    before = write_corpus(tmp_path / "before")
    after = write_corpus(tmp_path / "after", _with('evidence: ["“We will strike again.”"]', RETRACTED))
    kgpub.build(before, tmp_path / "b1")
    kgpub.build(after, tmp_path / "b2")
    return tmp_path / "b1", tmp_path / "b2"


def test_a_retracted_fact_is_gone_and_its_tombstone_stays(retracted_build: tuple[Path, Path]) -> None:
    _, build = retracted_build
    store = _store(build)
    threat = f"<{ART}/zed-threat>"
    assert not _ask(store, f"GRAPH ?g {{ {threat} a ?type }}")
    assert not _ask(store, f"GRAPH ?g {{ {threat} kg:evidence ?e }}")
    assert _ask(store, f"GRAPH <https://w3id.org/kgpub/id/graph/mini-1> {{ {threat} prov:wasInvalidatedBy ?r . "
                       f"?r a kg:Retraction ; kg:retracts {threat} ; kg:retractedLabel ?label ; "
                       "kg:retractionReason 'The base was hit on 2 May; the attack is re-dated below.' }")
    assert _ask(store, f"GRAPH <https://w3id.org/kgpub/id/graph/mini-1/provenance> {{ {threat} kg:sourceLine ?line }}")
    # a fact never said has no IRI at all: the two are told apart
    assert not _ask(store, f"GRAPH ?g {{ <{ART}/never-said> ?p ?o }}")
    nt = (build / "kg.nt").read_text()
    assert f"{threat} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>" not in nt


def test_diff_lists_it_as_retracted(retracted_build: tuple[Path, Path]) -> None:
    result = kgpub.diff(*retracted_build)
    assert [(f.kind, f.iri) for f in result.facts] == [("retracted", f"{ART}/zed-threat")]
    fact = result.facts[0]
    assert fact.reason == "The base was hit on 2 May; the attack is re-dated below." and fact.date == "2026-12-01"
    assert fact.quote == "“We will strike again.”"
    assert "Retracted (1):" in result.text()


def test_a_correction_supersedes_the_fact(tmp_path: Path) -> None:
    corrected = MINI_FACTS.replace("accusations:", """  - id: rocket-attack-redated
    type: ShellingMissileAttack
    label: Rocket attack on the Gamma base
    date: "2021-05-02"
    place: gamma-base
    agent: alpha-brigade
    target: gamma-base
    evidence: ["Alpha Brigade fighters fired rockets at the Gamma base"]
accusations:""").replace("concerns: rocket-attack", "concerns: rocket-attack-redated").replace(
        "{subject: rocket-attack,", "{subject: rocket-attack-redated,") + """retractions:
  - fact: rocket-attack
    date: "2026-12-01"
    reason: The attack was on 2 May.
    superseded_by: rocket-attack-redated
"""
    before, after = write_corpus(tmp_path / "before"), write_corpus(tmp_path / "after", corrected)
    kgpub.build(before, tmp_path / "b1")
    result = kgpub.build(after, tmp_path / "b2")
    assert result.written
    store = _store(tmp_path / "b2")
    assert _ask(store, f"<{ART}/rocket-attack/retraction> kg:supersededBy <{ART}/rocket-attack-redated> . "
                       f"<{ART}/rocket-attack-redated> kg:supersedes <{ART}/rocket-attack>")
    kinds = {f.iri.rsplit("/", 1)[-1]: f for f in kgpub.diff(tmp_path / "b1", tmp_path / "b2").facts}
    assert kinds["rocket-attack"].kind == "retracted"
    assert kinds["rocket-attack"].superseded_by.endswith("/rocket-attack-redated")
    assert kinds["rocket-attack-redated"].kind == "added"


def test_a_withdrawn_article_keeps_only_its_tombstone(tmp_path: Path) -> None:
    withdrawn = MINI_FACTS.replace('  published: "2021-05-04"\n', '  published: "2021-05-04"\n  withdrawn:\n'
                                   '    date: "2026-12-01"\n    reason: The publisher withdrew the story.\n')
    kgpub.build(write_corpus(tmp_path / "before"), tmp_path / "before-dist")
    seeds = write_corpus(tmp_path / "seeds", withdrawn)
    kgpub.build(seeds, tmp_path / "dist")
    changes = kgpub.diff(tmp_path / "before-dist", tmp_path / "dist")
    assert {f.kind for f in changes.facts} == {"retracted"}
    assert {f.reason for f in changes.facts} == {"The publisher withdrew the story."}
    assert f"{ART}" in {f.iri for f in changes.facts} and f"{ART}/zed-threat" in {f.iri for f in changes.facts}
    store = _store(tmp_path / "dist")
    assert _ask(store, f"<{ART}> prov:wasInvalidatedBy ?r . ?r kg:retracts <{ART}> ; "
                       "kg:retractionReason 'The publisher withdrew the story.'")
    assert not _ask(store, f"<{ART}/rocket-attack> a ?type")
    assert not _ask(store, "?s a kg:Event")


def _errors(tmp_path: Path, facts: str) -> tuple[int, list[str]]:
    seeds = write_corpus(tmp_path / "seeds", facts)
    out = tmp_path / "dist"
    result = CliRunner().invoke(main, ["build", str(seeds), "--out", str(out), "-q"])
    assert not out.exists()
    return result.exit_code, result.output.strip().splitlines()


def test_a_retraction_of_a_fact_that_does_not_exist(tmp_path: Path) -> None:
    code, lines = _errors(tmp_path, MINI_FACTS + 'retractions:\n  - fact: rocket-atack\n    date: "2026-12-01"\n'
                                                 "    reason: wrong\n")
    assert code == 2
    assert lines == [("articles/mini-1.facts.yaml:49: retractions[0].fact: no fact 'rocket-atack' in this file to "
                      "retract; did you mean 'rocket-attack'?")]


def test_a_fact_cannot_supersede_itself_or_a_missing_or_retracted_fact(tmp_path: Path) -> None:
    facts = _with("    concerns: rocket-attack", "    superseded_by: beta-accuses-alpha\n")
    facts = _with("threatened: beta-government", "    superseded_by: nothing-here\n", facts)
    code, lines = _errors(tmp_path, facts)
    assert code == 2
    assert any("'beta-accuses-alpha' cannot be superseded by itself" in line for line in lines)
    assert any("no fact 'nothing-here' in this file to supersede 'zed-threat'" in line for line in lines)
    assert all(line.startswith("articles/mini-1.facts.yaml:") for line in lines)


def test_a_standing_fact_cannot_refer_to_a_retracted_one(tmp_path: Path) -> None:
    code, lines = _errors(tmp_path, _with('evidence: ["Alpha Brigade fighters fired rockets at the Gamma base on 3 May '
                                          '2021"]', RETRACTED))
    assert code == 2
    assert lines == [("articles/mini-1.facts.yaml:40: accusations[0].concerns: refers to 'rocket-attack', which is "
                      "retracted: retract or correct this fact too")]


def test_a_correction_quote_must_be_in_the_text(tmp_path: Path) -> None:
    code, lines = _errors(tmp_path, _with('evidence: ["“We will strike again.”"]',
                                          RETRACTED + "      evidence: Correction printed nowhere\n"))
    assert code == 2 and len(lines) == 1 and "retracted.evidence" in lines[0]


def test_shapes_check_tombstones(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(f"""@prefix kg: <{KG}> . @prefix prov: <http://www.w3.org/ns/prov#> .
<{ART}/x/retraction> a kg:Retraction ; kg:retracts <{ART}/x> .
<{ART}/x> a kg:Event .
""")
    result = CliRunner().invoke(main, ["validate", str(bad)])
    assert result.exit_code == 1
    assert "kg:retractedLabel" in result.output
    assert "the retracted fact is still stated" in result.output
    assert "must point back to its retraction" in result.output


def test_pages_show_a_retracted_fact_as_retracted_with_its_reason(retracted_build: tuple[Path, Path],
                                                                  tmp_path: Path) -> None:
    _, build = retracted_build
    kgpub.site(build, tmp_path / "site", seeds=None)
    page = (tmp_path / "site" / "kgpub" / "id" / "article" / "mini-1" / "zed-threat.html").read_text()
    assert "<title>Retracted: " in page
    assert ('<div role="note" class="retracted"><p><strong>Retracted</strong> on 2026-12-01: The base was hit on '
            "2 May; the attack is re-dated below.</p>") in page
    assert "<q>“We will strike again.”</q>" in page


def test_a_correction_quote_in_the_text_is_kept_on_the_tombstone(tmp_path: Path) -> None:
    seeds = write_corpus(tmp_path / "seeds", _with('evidence: ["“We will strike again.”"]',
                                                   RETRACTED + "      evidence: Alpha Brigade denied it.\n"))
    kgpub.build(seeds, tmp_path / "dist")
    assert _ask(_store(tmp_path / "dist"), f"<{ART}/zed-threat/retraction> kg:correctionQuote 'Alpha Brigade denied it.'")
