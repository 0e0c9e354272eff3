"""What articles really say (issue 18): counts with their qualifiers, dated relations, descriptions — each
built from a facts file and read back with plain SPARQL."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

import kgpub
from kgpub.cli import main
from conftest import MINI_FACTS, MINI_TEXT, write_corpus

TEXT = MINI_TEXT + (" At least 25 people were killed and about 40 injured. Three rockets hit the base."
                    " Omar Zed has led the brigade since May 2020.")


def _build(tmp_path: Path, facts: str, text: str = TEXT) -> Path:
    root = write_corpus(tmp_path / "seeds", facts=facts, text=text)
    out = tmp_path / "dist"
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out


COUNTS = MINI_FACTS.replace('''    target: gamma-base
    evidence: ["Alpha Brigade fighters fired rockets at the Gamma base on 3 May 2021"]''', '''    target: gamma-base
    evidence: ["Alpha Brigade fighters fired rockets at the Gamma base on 3 May 2021"]
    counts:
      - {what: killed, at_least: 25, evidence: ["At least 25 people were killed"]}
      - {what: injured, about: 40, evidence: ["about 40 injured"]}
      - {what: rockets, exactly: 3, evidence: ["Three rockets hit the base"]}''')


def test_counts_keep_their_qualifier_and_quote(tmp_path: Path) -> None:
    out = _build(tmp_path, COUNTS)
    rows = kgpub.query("""SELECT ?what ?qualifier ?value ?low ?high ?quote WHERE {
        ?e kg:count ?c . ?c kg:countOf/skos:prefLabel ?what ; kg:qualifier/rdfs:label ?qualifier ; kg:value ?value ;
           kg:evidence/oa:hasSelector/oa:exact ?quote .
        OPTIONAL { ?c kg:minValue ?low } OPTIONAL { ?c kg:maxValue ?high } } ORDER BY ?what""", out).rows
    got = [(r["what"]["value"], r["qualifier"]["value"], r["value"]["value"], r.get("low", {}).get("value"),
            r.get("high", {}).get("value"), r["quote"]["value"]) for r in rows]
    assert got == [("injured", "about", "40", None, None, "about 40 injured"),
                   ("killed", "at least", "25", "25", None, "At least 25 people were killed"),
                   ("rockets", "exactly", "3", "3", "3", "Three rockets hit the base")]
    # "at least 20 killed?" asks the least value
    assert kgpub.query("ASK { ?c kg:countOf kgt:Killed ; kg:minValue ?n FILTER (?n >= 20) }", out).value is True


def test_a_count_needs_one_qualifier_and_its_quote(tmp_path: Path) -> None:
    facts = COUNTS.replace("{what: rockets, exactly: 3,", "{what: rockets, exactly: 3, about: 4,")
    root = write_corpus(tmp_path / "seeds", facts=facts, text=TEXT)
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(tmp_path / "dist")])
    assert result.exit_code == 2 and "articles/mini-1.facts.yaml:" in result.stderr and "counts[2]" in result.stderr, \
        result.stderr
    facts = COUNTS.replace('evidence: ["Three rockets hit the base"]', 'evidence: ["Three rockets hit the bases"]')
    root = write_corpus(tmp_path / "seeds2", facts=facts, text=TEXT)
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(tmp_path / "dist")])
    assert result.exit_code == 2 and "quote not found" in result.stderr, result.stderr


DATED = MINI_FACTS.replace('''    role: commander
    evidence: ["Commander Omar Zed"]''', '''    role: commander
    since: {phrase: May 2020}
    description: Omar Zed commands Alpha Brigade.
    evidence: ["Omar Zed has led the brigade since May 2020"]''').replace(
    '''    concerns: rocket-attack
    allegation: carrying out the rocket attack''', '''    concerns: rocket-attack
    allegation: carrying out the rocket attack
    description: The Beta government blames Alpha Brigade for the rocket attack.''')


def test_relations_have_a_time_and_facts_a_description(tmp_path: Path) -> None:
    out = _build(tmp_path, DATED)
    (row,) = kgpub.query("""SELECT ?role ?since ?from ?to ?phrase ?what WHERE {
        ?r a kg:Relationship ; kg:role ?role ; kg:since ?s ; schema:description ?what .
        ?s kg:date ?since ; kg:earliest ?from ; kg:latest ?to ; kg:datePhrase ?phrase }""", out).rows
    assert {k: v["value"] for k, v in row.items()} == {
        "role": "commander", "since": "2020-05", "from": "2020-05-01", "to": "2020-05-31", "phrase": "May 2020",
        "what": "Omar Zed commands Alpha Brigade."}
    # who led the brigade on 1 June 2020? a role held at a time, with plain SPARQL on the bounds
    held = kgpub.query("""ASK { ?r kg:role "commander" ; kg:since/kg:latest ?start
                           FILTER (?start <= "2020-06-01"^^xsd:date)
                           FILTER NOT EXISTS { ?r kg:until/kg:earliest ?end FILTER (?end < "2020-06-01"^^xsd:date) } }""",
                       out)
    assert held.value is True
    (acc,) = kgpub.query("SELECT ?d WHERE { ?a a kg:Accusation ; schema:description ?d }", out).rows
    assert acc["d"]["value"].startswith("The Beta government blames")


def test_a_relation_that_ends_before_it_begins_is_refused(tmp_path: Path) -> None:
    facts = DATED.replace("    since: {phrase: May 2020}\n", '    since: "2020-05"\n    until: "2019"\n')
    root = write_corpus(tmp_path / "seeds", facts=facts, text=TEXT)
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(tmp_path / "dist")])
    assert result.exit_code == 1 and "ends (2019-12-31) before it begins (2020-05-01)" in result.output, result.output


SPEECH_TEXT = TEXT + (" Alpha Brigade denies any role. None have been claimed. The attack was blamed on Delta network."
                      " The Beta government condemned the attack. Security sources said Alpha Brigade is reportedly"
                      " backed by the Delta network. The attack could have been carried out by the Delta network.")
SPEECH = MINI_FACTS.replace("\nentities:\n", """
entities:
  - id: security-sources
    type: UnnamedGroup
    name: security sources
    evidence: ["Security sources said"]
""", 1).replace("\nthreats:\n", """
  - id: blamed-on-delta
    accused: delta-network
    concerns: rocket-attack
    claims:
      - {subject: rocket-attack, predicate: agent, object: delta-network}
    evidence: ["The attack was blamed on Delta network"]
statements:
  - id: alpha-denies
    act: Deny
    speaker: alpha-brigade
    about: beta-accuses-alpha
    evidence: ["Alpha Brigade denies any role"]
  - id: nobody-claimed
    act: NoClaimOfResponsibility
    about: rocket-attack
    evidence: ["None have been claimed"]
  - id: beta-condemns
    act: Condemn
    speaker: beta-government
    about: rocket-attack
    evidence: ["The Beta government condemned the attack"]
threats:
""", 1).replace("""  - subject: alpha-brigade
    predicate: partOf""", """  - subject: alpha-brigade
    predicate: backedBy
    object: delta-network
    certainty: probable
    according_to: security-sources
    hedge: reportedly
    evidence: ["Alpha Brigade is reportedly backed by the Delta network"]
  - subject: alpha-brigade
    predicate: partOf""", 1)


def test_denials_unnamed_accusers_hedges_and_what_nobody_claimed(tmp_path: Path) -> None:
    out = _build(tmp_path, SPEECH, SPEECH_TEXT)
    # a denial, linked to the accusation it denies
    (row,) = kgpub.query("""SELECT ?by ?what WHERE { ?d a kg:Denial ; kg:speaker/rdfs:label ?by ;
                                                 kg:denies/rdfs:label ?what }""", out).rows
    assert row["by"]["value"] == "Alpha Brigade" and row["what"]["value"].startswith("Accusation by Beta government")
    # "None have been claimed": expressible, and says nobody spoke
    assert kgpub.query("ASK { ?s a kg:NoClaimOfResponsibility ; kg:about ?e . ?e rdfs:label ?l "
                       "FILTER NOT EXISTS { ?s kg:speaker ?anyone } }", out).value is True
    # a passive "was blamed on": no accuser invented, the claim attributed to nobody, never asserted
    (acc,) = kgpub.query("""SELECT ?label WHERE { ?a a kg:Accusation ; kg:accuserStated false ; rdfs:label ?label
                            FILTER NOT EXISTS { ?a kg:accuser ?x } }""", out).rows
    assert acc["label"]["value"].startswith("Accusation (accuser unstated) against Delta network")
    assert kgpub.query("ASK { ?e kg:agent id:delta-network }", out).value is False
    # a hedged relation: described with its certainty, hedge and source, never asserted
    assert kgpub.query("ASK { id:alpha-brigade kg:backedBy id:delta-network }", out).value is False
    (rel,) = kgpub.query("""SELECT ?how ?hedge ?source WHERE { ?r a kg:Relationship ; rdf:predicate kg:backedBy ;
                            kg:certainty/rdfs:label ?how ; kg:hedge ?hedge ; kg:accordingTo/rdfs:label ?source }""",
                         out).rows
    assert {k: v["value"] for k, v in rel.items()} == {"how": "probable", "hedge": "reportedly",
                                                       "source": "security sources"}
    contested = {(r["kind"]["value"], r["label"]["value"]) for r in kgpub.query("contested", out).rows}
    assert ("denied", "Accusation by Beta government against Alpha Brigade: carrying out the rocket attack") in contested
    assert any(kind == "hedged" and "backed by" in label for kind, label in contested)
    assert any(kind == "unattributed" for kind, _ in contested)


def test_a_possible_agent_is_reified_never_asserted(tmp_path: Path) -> None:
    facts = SPEECH.replace("""    agent: alpha-brigade
    target: gamma-base
    evidence: ["Alpha Brigade fighters""", """    agent: alpha-brigade
    target: gamma-base
    certainty: possible
    hedge: could have been carried out by
    evidence: ["Alpha Brigade fighters""", 1)
    out = _build(tmp_path, facts, SPEECH_TEXT)
    assert kgpub.query("ASK { ?e rdfs:label 'Rocket attack on the Gamma base' ; kg:agent ?who }", out).value is False
    (row,) = kgpub.query("""SELECT ?who WHERE { ?e rdfs:label 'Rocket attack on the Gamma base' ; kg:claim ?c .
                            ?c rdf:predicate kg:agent ; rdf:object/rdfs:label ?who }""", out).rows
    assert row["who"]["value"] == "Alpha Brigade"
    assert "hedged" in {r["kind"]["value"] for r in kgpub.query("contested", out).rows}


def test_protests_crowds_and_events_that_answer_others(tmp_path: Path) -> None:
    facts = SPEECH.replace("\nentities:\n", """
entities:
  - id: protesters
    type: Crowd
    name: protesters
    evidence: ["Protesters"]
""", 1).replace("\naccusations:\n", """
  - id: embassy-storming
    type: Storming
    label: Protesters storm the Beta embassy
    agent: protesters
    in_response_to: rocket-attack
    evidence: ["Protesters stormed the Beta embassy in retaliation"]
accusations:
""", 1)
    out = _build(tmp_path, facts, SPEECH_TEXT + " Protesters stormed the Beta embassy in retaliation.")
    (row,) = kgpub.query("""SELECT ?type ?crowd ?cause WHERE { ?e kg:eventType/skos:prefLabel ?type ;
        kg:agent ?c ; kg:inResponseTo/rdfs:label ?cause . ?c a kg:Crowd ; rdfs:label ?crowd }""", out).rows
    assert {k: v["value"] for k, v in row.items()} == {"type": "Storming", "crowd": "protesters",
                                                       "cause": "Rocket attack on the Gamma base"}
