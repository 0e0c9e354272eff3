"""Every shipped query on a multi-source corpus: three articles from three sources report one attack, with
counts, hedges, statements, unnamed people and an accuser the text leaves unstated. Each test reproduces one
way a query went wrong on real articles (an accusation dropped, a statement's roles ignored, a date known only
as an interval, a group victim, two accusers hiding each other, an entity listed twice ...)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import kgpub
from kgpub.sparql.results import SelectResult

REGISTRY = """
entities:
  - id: alpha-brigade
    type: ArmedGroup
    name: Alpha Brigade
    wikidata: Q10
  - id: delta-network
    type: ArmedGroup
    name: Delta network
    wikidata: Q11
  - id: beta-government
    type: Government
    name: Beta government
    wikidata: Q12
  - id: gamma-base
    type: Facility
    name: Gamma base
    wikidata: Q13
  - id: baghdad
    type: City
    name: Baghdad
    wikidata: Q1530
  - id: iraq
    type: Country
    name: Iraq
    wikidata: Q796
  - id: kappa
    type: [Country, Government]
    name: Republic of Kappa
  - id: news-co
    type: Organization
    name: News Co
    wikidata: Q1
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
    date: "2021-05"
    place: iraq
"""

TEXT_1 = ("Alpha Brigade fighters fired rockets at the Gamma base on 3 May 2021. At least 13 guards were killed. "
          "The attack was blamed on Alpha Brigade. The Beta government accused Alpha Brigade of the attack and "
          "demanded that Alpha Brigade hand over the commanders. Alpha Brigade denies any role. "
          "None have claimed it. A senior official said the guards were deployed. "
          "In late April a second blast could have been carried out by the Delta network, killing Omar Zed. "
          "The Gamma base is in Baghdad. In late April gunmen killed Sami Kay. "
          "Alpha Brigade is part of the Delta network. Alpha Brigade warned the Beta government: “We will strike again.”")

FACTS_1 = """
article:
  id: a1
  headline: Rockets hit Gamma base
  publisher: news-co
  language: en
  published: "2021-05-04"
entities:
  - id: guards
    type: UnnamedGroup
    name: Guards of the Gamma base
    evidence: ["At least 13 guards were killed"]
  - id: senior-official
    type: UnnamedPerson
    name: Senior official
    evidence: ["A senior official said"]
  - id: omar-zed
    type: Person
    name: Omar Zed
    evidence: ["killing Omar Zed"]
  - id: sami-kay
    type: Person
    name: Sami Kay
    evidence: ["Sami Kay"]
  - id: gunmen
    type: UnnamedGroup
    name: gunmen
    evidence: ["gunmen killed Sami Kay"]
relations:
  - subject: alpha-brigade
    predicate: partOf
    object: delta-network
    evidence: ["Alpha Brigade is part of the Delta network"]
  - subject: gamma-base
    predicate: locatedIn
    object: baghdad
    evidence: ["The Gamma base is in Baghdad"]
  - subject: baghdad
    predicate: locatedIn
    object: iraq
    evidence: ["The Gamma base is in Baghdad"]
events:
  - report: gamma-attack
    date: "2021-05-03"
    place: gamma-base
    agent: alpha-brigade
    victim: guards
    counts:
      - {what: killed, at_least: 13, evidence: ["At least 13 guards were killed"]}
    evidence: ["Alpha Brigade fighters fired rockets at the Gamma base on 3 May 2021"]
  - id: second-blast
    type: Attack
    label: A second blast kills Omar Zed
    date: {phrase: late April}
    agent: delta-network
    victim: omar-zed
    certainty: possible
    hedge: could have been carried out by
    evidence: ["a second blast could have been carried out by the Delta network, killing Omar Zed"]
  - id: burial
    type: Deployment
    label: The guards are deployed
    date: {phrase: late April}
    participant: [guards, senior-official]
    evidence: ["A senior official said the guards were deployed"]
  - id: sami-killed
    type: Attack
    label: Gunmen kill Sami Kay
    date: {phrase: late April}
    agent: gunmen
    victim: sami-kay
    evidence: ["In late April gunmen killed Sami Kay"]
accusations:
  - id: blamed
    accused: alpha-brigade
    concerns: gamma-attack
    evidence: ["The attack was blamed on Alpha Brigade"]
  - id: beta-accuses
    accuser: beta-government
    accused: alpha-brigade
    concerns: gamma-attack
    allegation: carrying out the attack
    evidence: ["The Beta government accused Alpha Brigade of the attack"]
threats:
  - id: alpha-warns
    type: ThreatenMilitaryForce
    threatener: alpha-brigade
    threatened: beta-government
    evidence: ["“We will strike again.”"]
statements:
  - id: beta-demands
    act: Demand
    speaker: beta-government
    addressee: alpha-brigade
    about: beta-accuses
    content: hand over the commanders
    evidence: ["demanded that Alpha Brigade hand over the commanders"]
  - id: alpha-denies
    act: Deny
    speaker: alpha-brigade
    about: beta-accuses
    evidence: ["Alpha Brigade denies any role"]
  - id: unclaimed
    act: NoClaimOfResponsibility
    about: gamma-attack
    evidence: ["None have claimed it"]
"""

TEXT_2 = ("Rockets struck the Gamma base, killing 14 guards, a wire report said. "
          "The Delta network accused the Beta government of provoking it.")

FACTS_2 = """
article:
  id: a2
  headline: Fourteen dead at Gamma base
  publisher: other-paper
  source: wire-agency
  language: en
  published: "2021-05-05"
events:
  - report: gamma-attack
    place: baghdad
    victim: guards-2
    counts:
      - {what: killed, exactly: 14, evidence: ["killing 14 guards"]}
    evidence: ["Rockets struck the Gamma base"]
entities:
  - id: guards-2
    type: UnnamedGroup
    name: Guards killed at the Gamma base
    evidence: ["killing 14 guards"]
accusations:
  - id: delta-accuses
    accuser: delta-network
    accused: beta-government
    concerns: gamma-attack
    allegation: provoking the attack
    evidence: ["The Delta network accused the Beta government of provoking it"]
"""

TEXT_3 = "Twenty guards died when rockets hit the Gamma base in Tehran on 2 May."

FACTS_3 = """
article:
  id: a3
  headline: Twenty die at Gamma base
  publisher: other-paper
  language: en
  published: "2021-05-06"
entities:
  - id: tehran
    type: City
    name: Tehran
    evidence: ["in Tehran"]
events:
  - report: gamma-attack
    date: "2021-05-02"
    place: tehran
    counts:
      - {what: killed, exactly: 20, evidence: ["Twenty guards died"]}
    evidence: ["rockets hit the Gamma base in Tehran on 2 May"]
"""

EVENT = "https://w3id.org/kgpub/id/event/gamma-attack"


def write(root: Path, agreeing: bool = False) -> Path:
    """The corpus: two articles, or three when the third (which disagrees in date, place and count) is wanted."""
    (root / "articles").mkdir(parents=True)
    (root / "entities.yaml").write_text(textwrap.dedent(REGISTRY), encoding="utf-8")
    articles = [("a1", FACTS_1, TEXT_1), ("a2", FACTS_2, TEXT_2)] + ([] if agreeing else [("a3", FACTS_3, TEXT_3)])
    for name, facts, text in articles:
        (root / "articles" / f"{name}.txt").write_text(text, encoding="utf-8")
        (root / "articles" / f"{name}.facts.yaml").write_text(textwrap.dedent(facts), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def multi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("multi")
    result = kgpub.build(write(root / "seeds"), root / "dist")
    assert result.written
    return root / "dist"


@pytest.fixture(scope="module")
def agreeing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("agreeing")
    assert kgpub.build(write(root / "seeds", agreeing=True), root / "dist").written
    return root / "dist"


def table(result: object, *names: str) -> list[tuple[str, ...]]:
    assert isinstance(result, SelectResult)
    return [tuple(row[n]["value"] if n in row else "" for n in names) for row in result.rows]


def test_accusations_keep_an_unstated_accuser(multi: Path) -> None:
    rows = table(kgpub.query("accusations", multi), "accuser", "accused", "event", "quote")
    assert ("(unstated)", "Alpha Brigade", "Rocket attack on the Gamma base", "The attack was blamed on Alpha Brigade") in rows
    assert len(rows) == 3


def test_about_includes_statements(multi: Path) -> None:
    alpha = table(kgpub.query("about", multi, params={"entity": "id:alpha-brigade"}), "role", "kind", "quote")
    assert ("speaker", "statement", "Alpha Brigade denies any role") in alpha
    assert ("addressee", "statement", "demanded that Alpha Brigade hand over the commanders") in alpha
    beta = table(kgpub.query("about", multi, params={"entity": "id:beta-government"}), "role", "kind")
    assert ("speaker", "statement") in beta and ("accuser", "accusation") in beta
    # a denial's or a demand's object is a role too, by what the statement does
    accusation = "id:article/a1/beta-accuses"
    said = table(kgpub.query("about", multi, params={"entity": accusation}), "role", "fact")
    assert sorted(said) == [("demanded", "Demand by Beta government about Accusation by Beta government against Alpha "
                                         "Brigade: carrying out the attack"),
                            ("denied", "Denial by Alpha Brigade about Accusation by Beta government against Alpha "
                                       "Brigade: carrying out the attack")]


def test_killed_reads_date_bounds_keeps_groups_and_sorts_like_the_timeline(multi: Path) -> None:
    rows = table(kgpub.query("killed", multi), "victim", "date", "place", "by")
    # "late April" is an interval, sorted by its last day (30 April) before May; group victims are kept
    assert rows == [("Sami Kay", "2021-04-21/2021-04-30", "", "gunmen"),
                    ("Guards killed at the Gamma base", "2021-05", "Iraq", "Alpha Brigade"),
                    ("Guards of the Gamma base", "2021-05", "Iraq", "Alpha Brigade")]
    timeline = [r[0] for r in table(kgpub.query("timeline", multi), "e")]
    events = list(dict.fromkeys(r[0] for r in table(kgpub.query("killed", multi), "e")))
    assert events == sorted(events, key=timeline.index)


def test_killed_and_timeline_show_the_more_precise_date_and_place_of_agreeing_reports(agreeing: Path) -> None:
    killed = table(kgpub.query("killed", agreeing), "victim", "date", "place", "by")
    assert killed == [("Sami Kay", "2021-04-21/2021-04-30", "", "gunmen"),
                      ("Guards killed at the Gamma base", "2021-05-03", "Gamma base", "Alpha Brigade"),
                      ("Guards of the Gamma base", "2021-05-03", "Gamma base", "Alpha Brigade")]
    (attack,) = [r for r in table(kgpub.query("timeline", agreeing), "date", "place", "e") if r[2] == EVENT]
    assert attack == ("2021-05-03", "Gamma base", EVENT)  # the registry says May 2021 and Iraq


def test_timeline_keeps_the_registry_where_reports_disagree(multi: Path) -> None:
    (attack,) = [r for r in table(kgpub.query("timeline", multi), "date", "place", "e") if r[2] == EVENT]
    assert attack == ("2021-05", "Iraq", EVENT)  # 3 May against 2 May, Baghdad against Tehran: neither wins


def test_timeline_lists_the_actors_of_a_hedged_event_as_claimed(multi: Path) -> None:
    rows = {r[0]: r[1] for r in table(kgpub.query("timeline", multi), "event", "actors")}
    assert rows["A second blast kills Omar Zed"] == "Delta network (possible); Omar Zed (possible)"
    assert rows["The guards are deployed"] == "Guards of the Gamma base; Senior official"
    killed = table(kgpub.query("killed", multi), "victim")
    assert ("Omar Zed",) not in killed  # a possible victim is not a victim


def test_contested_decides_one_side_per_accused_and_lists_what_no_one_claimed(multi: Path) -> None:
    rows = table(kgpub.query("contested", multi), "kind", "label", "by")
    one_side = sorted(r[2] for r in rows if r[0] == "one side")
    assert one_side == ["Beta government", "Delta network"]  # different accused: neither hides the other
    assert ("unclaimed", "Rocket attack on the Gamma base", "") in rows
    assert any(r[0] == "unattributed" for r in rows)
    assert any(r[0] == "denied" for r in rows)


def test_no_wikidata_skips_unnamed_people_and_lists_an_entity_once(multi: Path) -> None:
    rows = table(kgpub.query("no-wikidata", multi), "name", "class")
    assert ("Republic of Kappa", "organisation; place") in rows
    names = [r[0] for r in rows]
    assert len(names) == len(set(names))
    assert "Senior official" not in names and "Guards of the Gamma base" not in names
    assert "Omar Zed" in names


def test_counts_say_how_many_according_to_whom(multi: Path) -> None:
    rows = table(kgpub.query("counts", multi), "event", "what", "count", "low", "high", "source", "quote")
    assert rows == [
        ("Rocket attack on the Gamma base", "killed", "at least 13", "13", "", "News Co", "At least 13 guards were killed"),
        ("Rocket attack on the Gamma base", "killed", "14", "14", "14", "Wire Agency", "killing 14 guards"),
        ("Rocket attack on the Gamma base", "killed", "20", "20", "20", "Other Paper", "Twenty guards died"),
    ]


def test_disagreements_between_sources(multi: Path, agreeing: Path) -> None:
    rows = table(kgpub.query("disagreements", multi), "what", "said", "source", "otherSaid", "otherSource")
    assert rows == [
        ("date", "2021-05-03", "News Co", "2021-05-02", "Other Paper"),
        ("killed count", "14", "Wire Agency", "20", "Other Paper"),
        ("place", "Baghdad", "Wire Agency", "Tehran", "Other Paper"),
        ("place", "Gamma base", "News Co", "Tehran", "Other Paper"),
        ("place", "Tehran", "Other Paper", "Iraq", "the registry"),
    ]
    # at least 13 and exactly 14 agree, 3 May is in May, the Gamma base in Baghdad in Iraq: no disagreement
    assert table(kgpub.query("disagreements", agreeing), "what") == []
