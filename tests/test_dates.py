"""Dates as the text gives them: EDTF level 1 with bounds, relative phrases resolved by documented rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import kgpub
from kgpub.corpus import dates
from kgpub.cli import main
from conftest import MINI_FACTS, write_corpus


@pytest.mark.parametrize(("text", "earliest", "latest", "exact"), [
    ("2020-01-03", "2020-01-03", "2020-01-03", ("2020-01-03", "date")),
    ("2020-02", "2020-02-01", "2020-02-29", ("2020-02", "gYearMonth")),
    ("2020", "2020-01-01", "2020-12-31", ("2020", "gYear")),
    ("2019-12~", "2019-12-01", "2019-12-31", None),
    ("2020?", "2020-01-01", "2020-12-31", None),
    ("2020-01-03%", "2020-01-03", "2020-01-03", None),
    ("201X", "2010-01-01", "2019-12-31", None),
    ("2019-XX", "2019-01-01", "2019-12-31", None),
    ("2019-12-XX", "2019-12-01", "2019-12-31", None),
    ("2019-24", "2019-12-01", "2020-02-29", None),
    ("2019-12-21/2019-12-31", "2019-12-21", "2019-12-31", None),
    ("2019/2020", "2019-01-01", "2020-12-31", None),
    ("../2020-01", None, "2020-01-31", None),
    ("2019-11/..", "2019-11-01", None, None),
])
def test_edtf_level_1_has_bounds_and_an_exact_value_only_when_exact(text: str, earliest: str | None,
                                                                     latest: str | None, exact: tuple | None) -> None:
    found = dates.parse(text)
    assert (found.earliest.isoformat() if found.earliest else None, found.latest.isoformat() if found.latest else None,
            found.exact) == (earliest, latest, exact)


@pytest.mark.parametrize(("text", "message"), [
    ("2020-13", "there is no month 13"), ("2021-02-29", "February 2021 has 28 days"),
    ("2020-01-03/2019", "ends before it starts"), ("2020-1X", "a month is known or unknown"), ("20XX-05", "unknown digits"),
    ("../..", "at least one end"), ("03/01/2020", "is not a date"),
])
def test_wrong_dates_are_refused_in_words(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dates.parse(text)


PUBLISHED = (2020, 7, 5)  # Sunday 5 July 2020


@pytest.mark.parametrize(("phrase", "edtf", "rule"), [
    ("Saturday night", "2020-07-04", "weekday"),
    ("on Sunday", "2020-07-05", "weekday"),
    ("last Sunday", "2020-06-28", "previous-weekday"),
    ("yesterday", "2020-07-04", "previous-day"),
    ("last night", "2020-07-04", "previous-day"),
    ("today", "2020-07-05", "same-day"),
    ("last week", "2020-06-22/2020-06-28", "previous-week"),
    ("last month", "2020-06", "previous-month"),
    ("last year", "2019", "previous-year"),
    ("this year", "2020-01-01/2020-07-05", "this-year"),
    ("late December", "2019-12-21/2019-12-31", "part-of-month"),
    ("early July", "2020-07-01/2020-07-10", "part-of-month"),
    ("mid-March 2018", "2018-03-11/2018-03-20", "part-of-month"),
    ("in December", "2019-12", "month"),
])
def test_relative_phrases_resolve_against_the_publication_date(phrase: str, edtf: str, rule: str) -> None:
    found = dates.resolve(phrase, PUBLISHED)
    assert (found.edtf, found.rule, found.phrase) == (edtf, rule, phrase)
    assert rule in dates.RULES


def test_a_phrase_needs_the_precision_it_resolves_to() -> None:
    with pytest.raises(ValueError, match="must give the day, or give the date beside the phrase: "
                                         r"\{phrase: yesterday, date: YYYY-MM-DD\}"):
        dates.resolve("yesterday", (2020, None, None))
    with pytest.raises(ValueError, match="cannot resolve this phrase"):
        dates.resolve("the other day", PUBLISHED)


@pytest.mark.parametrize(("phrase", "published", "edtf", "rule"), [
    ("in late June", PUBLISHED, "2020-06-21/2020-06-30", "part-of-month"),
    ("December 29", PUBLISHED, "2019-12-29", "day-of-month"),
    ("on December 31", PUBLISHED, "2019-12-31", "day-of-month"),
    ("29 December 2019", PUBLISHED, "2019-12-29", "day-of-month"),
    ("December 29, 2019", PUBLISHED, "2019-12-29", "day-of-month"),
    ("July 3", PUBLISHED, "2020-07-03", "day-of-month"),
    ("the January strike", PUBLISHED, "2020-01", "month"),
    ("the December attack", (2020, 1, 6), "2019-12", "month"),
    ("December 29", (2020, 1, None), "2019-12-29", "day-of-month"),
])
def test_phrases_real_articles_use(phrase: str, published: tuple[int, int | None, int | None], edtf: str,
                                   rule: str) -> None:
    """The year comes from the publication date by the rule kept: the latest such month not after it."""
    found = dates.resolve(phrase, published)
    assert (found.edtf, found.rule) == (edtf, rule)
    assert rule in dates.RULES


@pytest.mark.parametrize(("phrase", "edtf"), [
    ("Saturday", "2020-06-27/2020-07-25"),      # the latest Saturday on or before 1 July, to that before 31 July
    ("on Sunday night", "2020-06-28/2020-07-26"),
    ("yesterday", "2020-06-30/2020-07-30"),
    ("last week", "2020-06-22/2020-07-26"),
    ("today", "2020-07-01/2020-07-31"),
])
def test_a_publication_known_to_the_month_makes_day_phrases_bounded_intervals(phrase: str, edtf: str) -> None:
    found = dates.resolve(phrase, (2020, 7, None))
    assert found.edtf == edtf and found.exact is None


def test_an_unresolvable_phrase_says_how_to_give_its_date() -> None:
    with pytest.raises(ValueError) as caught:
        dates.resolve("the day after the funeral", PUBLISHED)
    assert "give the date beside it: {phrase: the day after the funeral, date: YYYY-MM-DD}" in str(caught.value)
    with pytest.raises(ValueError, match="February 2020 has 29 days"):
        dates.resolve("February 30", PUBLISHED)


TEXT = ("Protesters gathered in late December. The base was shelled Saturday night. "
        "An earlier raid came in 2019 or 2020.")
NEW_EVENTS = """  - id: late-december-protest
    type: ShellingMissileAttack
    label: Shelling in late December
    date: {phrase: late December}
    agent: alpha-brigade
    evidence: ["Protesters gathered in late December"]
  - id: saturday-shelling
    type: ShellingMissileAttack
    label: Saturday night shelling
    date: {phrase: Saturday night}
    agent: alpha-brigade
    evidence: ["The base was shelled Saturday night"]
  - id: earlier-raid
    type: ShellingMissileAttack
    label: An earlier raid
    date: "2019/2020-06"
    agent: alpha-brigade
    evidence: ["An earlier raid came in 2019 or 2020"]
"""
FACTS = MINI_FACTS.replace('  published: "2021-05-04"', '  published: "2021-05-09"').replace(
    "\nevents:\n", "\nevents:\n" + NEW_EVENTS, 1)


def _events_between(out: Path, start: str, end: str) -> set[str]:
    """Events whose date may fall in [start, end]: plain SPARQL on the bounds."""
    rows = kgpub.query(f"""SELECT ?label WHERE {{ ?e a kg:Event ; rdfs:label ?label ; kg:earliest ?a ; kg:latest ?b
                           FILTER (?a <= "{end}"^^xsd:date && ?b >= "{start}"^^xsd:date) }}""", out).rows
    return {r["label"]["value"] for r in rows}


def test_dates_as_the_text_gives_them_build_and_query_back(tmp_path: Path) -> None:
    from conftest import MINI_TEXT

    root = write_corpus(tmp_path / "seeds", facts=FACTS, text=MINI_TEXT + " " + TEXT)
    out = tmp_path / "dist"
    result = kgpub.build(root, out)
    assert result.written, result.report and result.report.results
    assert "Shelling in late December" in _events_between(out, "2020-12-01", "2020-12-31")
    assert "Shelling in late December" not in _events_between(out, "2020-11-01", "2020-11-30")
    assert "An earlier raid" in _events_between(out, "2019-11-01", "2019-11-30")  # 2019/2020-06 may be then
    assert "An earlier raid" not in _events_between(out, "2020-11-01", "2020-11-30")
    (row,) = kgpub.query("""SELECT ?phrase ?rule ?edtf ?exact WHERE { ?e rdfs:label "Saturday night shelling" ;
                            kg:datePhrase ?phrase ; kg:dateRule ?rule . OPTIONAL { ?e kg:edtf ?edtf }
                            OPTIONAL { ?e kg:date ?exact } }""", out).rows
    assert row["phrase"]["value"] == "Saturday night" and row["rule"]["value"].endswith("#WeekdayRule")
    assert row["exact"]["value"] == "2021-05-08" and "edtf" not in row  # published Sunday 9 May 2021
    (late,) = kgpub.query('SELECT ?edtf WHERE { ?e rdfs:label "Shelling in late December" ; kg:edtf ?edtf }', out).rows
    assert late["edtf"]["value"] == "2020-12-21/2020-12-31"
    timeline = [r["event"]["value"] for r in kgpub.query("timeline", out).rows]
    assert timeline.index("An earlier raid") < timeline.index("Shelling in late December") \
        < timeline.index("Rocket attack on the Gamma base") < timeline.index("Saturday night shelling")


def test_a_relative_phrase_without_a_publication_date_is_located(tmp_path: Path) -> None:
    facts = MINI_FACTS.replace('  published: "2021-05-04"\n', "").replace('    date: "2021-05-03"\n    place: gamma-base\n',
                                                                         "    date: {phrase: yesterday}\n    place: gamma-base\n", 1)
    root = write_corpus(tmp_path / "seeds", facts=facts)
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(tmp_path / "dist")])
    assert result.exit_code == 2
    assert "articles/mini-1.facts.yaml:" in result.stderr and "events[0].date: 'yesterday' is relative to the article" \
        in result.stderr, result.stderr
