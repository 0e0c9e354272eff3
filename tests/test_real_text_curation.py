"""What curating real texts ran into: statements with a label and about several things, counted in the build's
summary; a registry prepared ahead of its articles; a count held to the number its quote gives; the new date
phrases and a publication date known only to its month, through a whole build."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import kgpub
from kgpub.cli import main
from kgpub.errors import InputError
from conftest import MINI_FACTS, MINI_REGISTRY, MINI_TEXT, write_corpus

TEXT = MINI_TEXT + (" Fourteen guards were killed and 31 rockets fell. The Beta government demanded the withdrawal of"
                    " Alpha Brigade. Alpha Brigade denies both charges. The January strike was recalled.")

STATEMENTS = MINI_FACTS.replace("\nthreats:\n", """
statements:
  - id: beta-demands
    act: Demand
    label: The Beta government demands that Alpha Brigade withdraw
    speaker: beta-government
    about: [alpha-brigade, rocket-attack]
    evidence: ["The Beta government demanded the withdrawal of Alpha Brigade"]
  - id: alpha-denies
    act: Deny
    speaker: alpha-brigade
    about: [beta-accuses-alpha, beta-demands]
    evidence: ["Alpha Brigade denies both charges"]
threats:
""", 1)


def build(tmp_path: Path, facts: str, registry: str | None = MINI_REGISTRY, text: str = TEXT) -> Path:
    root = write_corpus(tmp_path / "seeds", facts=facts, text=text, registry=registry)
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(tmp_path / "dist"), "--strict"])
    assert result.exit_code == 0, result.output
    return tmp_path / "dist"


def test_statements_take_a_label_and_a_list_and_are_counted(tmp_path: Path) -> None:
    root = write_corpus(tmp_path / "seeds", facts=STATEMENTS, text=TEXT)
    result = kgpub.build(root, tmp_path / "dist")
    assert result.statements == 2 and result.facts == 7
    assert "5 facts" not in result.summary() and "7 facts (1 events, 1 accusations, 1 threats, 2 relations, " \
        "2 statements)" in result.summary()
    rows = kgpub.query("""SELECT ?label ?about WHERE { ?s a kg:SpeechAct ; rdfs:label ?label ; kg:about ?about
                          FILTER NOT EXISTS { ?s a kg:Accusation } FILTER NOT EXISTS { ?s a kg:Threat } }
                          ORDER BY ?label ?about""", tmp_path / "dist").rows
    base = "https://w3id.org/kgpub/id/"
    assert [(r["label"]["value"], r["about"]["value"]) for r in rows] == [
        ("Denial by Alpha Brigade about Accusation by Beta government against Alpha Brigade: carrying out the "
         "rocket attack and beta-demands", f"{base}article/mini-1/beta-accuses-alpha"),
        ("Denial by Alpha Brigade about Accusation by Beta government against Alpha Brigade: carrying out the "
         "rocket attack and beta-demands", f"{base}article/mini-1/beta-demands"),
        ("The Beta government demands that Alpha Brigade withdraw", f"{base}alpha-brigade"),
        ("The Beta government demands that Alpha Brigade withdraw", f"{base}article/mini-1/rocket-attack"),
    ]
    # what is demanded is a role of the entity (the about query)
    about = kgpub.query("about", tmp_path / "dist", params={"entity": "id:alpha-brigade"})
    assert ("demanded", "statement") in {(r["role"]["value"], r["kind"]["value"]) for r in about.rows}


def test_a_statement_about_something_undefined_is_located(tmp_path: Path) -> None:
    root = write_corpus(tmp_path / "seeds", facts=STATEMENTS.replace("about: [alpha-brigade, rocket-attack]",
                                                                      "about: [alpha-brigade, rocket-atack]"), text=TEXT)
    with pytest.raises(InputError, match=r"mini-1.facts.yaml:\d+: statements\[0\]\.about\[1\]: reference to undefined "
                                         "fact or entity id 'rocket-atack'; did you mean 'rocket-attack'\\?"):
        kgpub.build(root, tmp_path / "dist")


def test_a_registry_prepared_ahead_of_its_articles_gives_hints_not_violations(tmp_path: Path) -> None:
    registry = MINI_REGISTRY + """
  - id: later-group
    type: ArmedGroup
    name: A group no article names yet
events:
  - id: later-attack
    type: Attack
    label: An attack no article reports yet
    date: "2022"
"""
    out = build(tmp_path, MINI_FACTS, registry)  # --strict passes
    hints = {(r.source_shape, r.focus.rsplit("/", 1)[-1]) for r in kgpub.validate([out]).results
             if r.severity == "Info"}
    assert {("kgsh:UnusedRegistryEntityShape", "later-group"), ("kgsh:UnreportedEventShape", "later-attack")} <= hints
    assert kgpub.query("ASK { ?e a kg:Event ; rdfs:label \"An attack no article reports yet\" }", out).value is False


COUNTED = MINI_FACTS.replace('''    evidence: ["Alpha Brigade fighters fired rockets at the Gamma base on 3 May 2021"]
accusations:''', '''    evidence: ["Alpha Brigade fighters fired rockets at the Gamma base on 3 May 2021"]
    counts:
      - {what: killed, exactly: KILLED, evidence: ["Fourteen guards were killed"]}
      - {what: rockets, at_least: ROCKETS, evidence: ["31 rockets fell"]}
accusations:''')


def test_a_count_agrees_with_the_number_its_quote_gives(tmp_path: Path) -> None:
    build(tmp_path / "ok", COUNTED.replace("KILLED", "14").replace("ROCKETS", "31"))
    root = write_corpus(tmp_path / "bad" / "seeds", facts=COUNTED.replace("KILLED", "13").replace("ROCKETS", "30"),
                        text=TEXT)
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(tmp_path / "bad" / "dist")])
    assert result.exit_code == 2 and not (tmp_path / "bad" / "dist").exists()
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "articles/mini-1.facts.yaml:33: events[0].counts[0].evidence[0]: the count says 13 but its quote "
        "'Fourteen guards were killed' says 14; give the number the quote gives",
        "articles/mini-1.facts.yaml:34: events[0].counts[1].evidence[0]: the count says 30 but its quote "
        "'31 rockets fell' says 31; give the number the quote gives",
    ], result.stderr


PHRASES = MINI_FACTS.replace('  published: "2021-05-04"', '  published: "2021-05"').replace(
    '    date: "2021-05-03"\n', "    date: {phrase: Monday}\n", 1).replace('''accusations:
  - id: beta-accuses-alpha''', '''  - id: january-strike
    type: Attack
    label: The January strike
    date: {phrase: the January strike}
    agent: alpha-brigade
    evidence: ["The January strike was recalled"]
accusations:
  - id: beta-accuses-alpha''')


def test_phrases_of_an_article_known_to_the_month_build(tmp_path: Path) -> None:
    out = build(tmp_path, PHRASES)
    rows = kgpub.query("""SELECT ?label ?edtf ?rule WHERE { ?e a kg:Event ; rdfs:label ?label ; kg:dateRule ?rule .
                          { ?e kg:edtf ?edtf } UNION { ?e kg:date ?edtf } } ORDER BY ?label""", out).rows
    assert [(r["label"]["value"], r["edtf"]["value"], r["rule"]["value"].rsplit("#", 1)[-1]) for r in rows] == [
        ("Rocket attack on the Gamma base", "2021-04-26/2021-05-31", "WeekdayRule"),
        ("The January strike", "2021-01", "MonthRule")]
