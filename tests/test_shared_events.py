"""One event, many sources: a shared event of the registry reported by several articles is one node, with the
evidence of each; corroboration counts independent sources; conflicting reports are kept and warned of."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import kgpub
from kgpub.cli import main
from kgpub.errors import InputError
from kgpub.sparql.results import AskResult
from conftest import MINI_REGISTRY, MINI_TEXT, write_corpus

REGISTRY = MINI_REGISTRY + """
  - id: wire-agency
    type: Organization
    name: Wire Agency
    wikidata: Q2
  - id: other-paper
    type: Organization
    name: Other Paper
    wikidata: Q3
events:
  - id: gamma-attack
    type: ShellingMissileAttack
    label: Rocket attack on the Gamma base
    date: "2021-05-03"
    place: gamma-base
"""

REPORT = """
article:
  id: {id}
  headline: Rockets hit Gamma base ({id})
  publisher: {publisher}
  {agency}
  language: en
  published: "2021-05-04"
events:
  - report: gamma-attack
    date: "{date}"
    agent: alpha-brigade
    target: gamma-base
    evidence: ["Alpha Brigade fighters fired rockets at the Gamma base on 3 May 2021"]
accusations:
  - id: beta-accuses-alpha
    accuser: beta-government
    accused: alpha-brigade
    concerns: gamma-attack
    evidence: ["The Beta government accused Alpha Brigade of the attack"]
relations:
  - subject: alpha-brigade
    predicate: partOf
    object: delta-network
    evidence: ["Alpha Brigade is a faction of the Delta network"]
"""

EVENT = "https://w3id.org/kgpub/id/event/gamma-attack"


def corpus(root: Path, *articles: tuple[str, str, str | None, str]) -> Path:
    for n, (article_id, publisher, agency, date) in enumerate(articles):
        facts = REPORT.format(id=article_id, publisher=publisher, date=date,
                              agency=f"source: {agency}" if agency else "")
        write_corpus(root, facts=facts, registry=REGISTRY if n == 0 else None, name=article_id)
    return root


@pytest.fixture
def three(tmp_path: Path) -> Path:
    """The same attack reported by three articles: two republish one agency's story, one is the paper's own."""
    root = corpus(tmp_path / "seeds", ("a1", "news-co", "wire-agency", "2021-05-03"),
                  ("a2", "other-paper", "wire-agency", "2021-05-03"), ("a3", "other-paper", None, "2021-05-03"))
    kgpub.build(root, tmp_path / "dist")
    return tmp_path / "dist"


def test_a_shared_event_is_one_node_with_the_evidence_of_every_article(three: Path) -> None:
    events = kgpub.query("SELECT DISTINCT ?e WHERE { ?e a kg:Event }", three)
    assert [r["e"]["value"] for r in events.rows] == [EVENT]  # a careful reader counts one attack
    sources = kgpub.query(f"SELECT ?a WHERE {{ <{EVENT}> kg:evidence/oa:hasSource ?a }} ORDER BY ?a", three)
    assert [r["a"]["value"].rsplit("/", 1)[-1] for r in sources.rows] == ["a1", "a2", "a3"]
    reports = kgpub.query(f"SELECT ?r WHERE {{ ?r a kg:EventReport ; kg:reports <{EVENT}> }} ORDER BY ?r", three)
    assert [r["r"]["value"] for r in reports.rows] == [
        f"https://w3id.org/kgpub/id/article/{a}/report/gamma-attack" for a in ("a1", "a2", "a3")]
    assert kgpub.query(f"ASK {{ <{EVENT}> kg:agent id:alpha-brigade ; kg:date \"2021-05-03\"^^xsd:date }}", three) \
        == AskResult(True)
    accused = kgpub.query("SELECT DISTINCT ?e WHERE { ?a a kg:Accusation ; kg:concerns ?e }", three)
    assert [r["e"]["value"] for r in accused.rows] == [EVENT]
    timeline = kgpub.query("timeline", three)
    assert [r["event"]["value"] for r in timeline.rows] == ["Rocket attack on the Gamma base"]


def test_corroboration_counts_independent_sources(three: Path) -> None:
    (row,) = kgpub.query("corroboration", three).rows
    assert row["event"]["value"] == EVENT
    assert (row["articles"]["value"], row["sources"]["value"]) == ("3", "2")  # the wire story counts once
    assert sorted(row["by"]["value"].split("; ")) == ["Other Paper", "Wire Agency"]
    about = kgpub.query("about", three, params={"entity": "id:alpha-brigade"})
    assert {r["source"]["value"] for r in about.rows if r["kind"]["value"] == "event"} == {"Wire Agency", "Other Paper"}


def test_conflicting_reports_are_kept_and_warned_of(tmp_path: Path) -> None:
    root = corpus(tmp_path / "seeds", ("a1", "news-co", None, "2021-05-03"), ("a2", "other-paper", None, "2021-05-02"))
    result = kgpub.build(root, tmp_path / "dist")
    assert result.written  # a warning: built, never silently resolved
    dates = kgpub.query("SELECT ?d WHERE { ?r kg:reports ?e ; kg:date ?d } ORDER BY ?d", tmp_path / "dist")
    assert [r["d"]["value"] for r in dates.rows] == ["2021-05-02", "2021-05-03"]  # both kept, with their evidence
    report = kgpub.validate([tmp_path / "dist"])
    conflicts = [r for r in report.results if r.source_shape == "kgsh:ReportConflictShape"]
    assert conflicts and {r.severity for r in conflicts} == {"Warning"}
    text = CliRunner().invoke(main, ["validate", str(tmp_path / "dist")])
    assert text.exit_code == 0 and "conflicting reports of" in text.stdout and "kg:date" in text.stdout
    strict = CliRunner().invoke(main, ["build", str(root), "--out", str(tmp_path / "strict"), "--strict", "-q"])
    assert strict.exit_code == 1 and not (tmp_path / "strict").exists()


def test_report_mistakes_are_located(tmp_path: Path) -> None:
    root = corpus(tmp_path / "seeds", ("a1", "news-co", None, "2021-05-03"))
    facts = root / "articles" / "a1.facts.yaml"
    text = facts.read_text()
    facts.write_text(text.replace("  - report: gamma-attack", "  - report: gamma-atack"))
    with pytest.raises(InputError) as caught:
        kgpub.build(root, tmp_path / "dist")
    assert "a1.facts.yaml:10: events[0].report: report of undefined shared event id 'gamma-atack'; did you mean 'gamma-attack'?" in str(caught.value)
    facts.write_text(text.replace("  - report: gamma-attack", "  - id: gamma-attack\n    type: Attack\n    label: Again"))
    with pytest.raises(InputError, match="'gamma-attack' is a shared event of the registry; report it with 'report: gamma-attack'"):
        kgpub.build(root, tmp_path / "dist")


def test_facts_without_shared_events_build_as_before(tmp_path: Path) -> None:
    """Backward compatible: a registry without events and facts without reports build exactly as before."""
    root = write_corpus(tmp_path / "seeds")
    assert kgpub.build(root, tmp_path / "dist").written
    assert kgpub.query("ASK { ?r a kg:EventReport }", tmp_path / "dist") == AskResult(False)
    assert MINI_TEXT in (root / "articles" / "mini-1.txt").read_text()


def test_an_own_event_matching_a_shared_one_is_a_hint(tmp_path: Path) -> None:
    root = corpus(tmp_path / "seeds", ("a1", "news-co", None, "2021-05-03"))
    facts = root / "articles" / "a1.facts.yaml"
    facts.write_text(facts.read_text().replace("  - report: gamma-attack\n    date:", "  - id: own-attack\n"
                     "    type: ShellingMissileAttack\n    label: An attack\n    place: gamma-base\n    date:"))
    facts.write_text(facts.read_text().replace("concerns: gamma-attack", "concerns: own-attack"))
    result = kgpub.build(root, tmp_path / "dist")
    (note,) = result.notes
    assert (note.severity, note.line, note.field) == ("hint", 10, "events[own-attack]")
    assert "has the date, place and type of shared event 'gamma-attack'" in note.message
    assert note.message.endswith("write 'report: gamma-attack' instead of defining it")
