"""Stage 1: reading facts files — every curator mistake is located and explained."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from kgpub.corpus import dates
from kgpub.corpus import model
from kgpub.corpus import reader
from kgpub.errors import InputError
from conftest import MINI_FACTS, write_corpus

FACTS_FILE = "articles/mini-1.facts.yaml"


def errors_of(root: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        reader.load(root)
    return [str(d) for d in caught.value.diagnostics]


def test_valid_corpus_is_typed(mini: Path) -> None:
    corpus = reader.load(mini)
    (article,) = corpus.articles
    assert article.id == "mini-1"
    assert article.published is not None and (article.published.lexical, article.published.datatype) == ("2021-05-04", "date")
    assert (article.published.year, article.published.month, article.published.day) == (2021, 5, 4)
    assert [e.id for e in article.events] == ["rocket-attack"]
    assert article.events[0].roles["agent"] == ("alpha-brigade",)
    assert article.accusations[0].claims == (model.Claim("rocket-attack", "agent", "alpha-brigade"),)
    assert {e.id for e in corpus.registry} == {"alpha-brigade", "delta-network", "beta-government", "gamma-base", "news-co"}
    assert article.events[0].source == model.Source(FACTS_FILE, 24)


def test_a_corpus_read_whole_is_the_corpus_a_build_shares_with_its_articles(mini: Path) -> None:
    """One corpus type: ``load`` is ``load_shared`` with the articles read."""
    corpus, shared = reader.load(mini), reader.load_shared(mini)
    assert shared.articles == () and len(corpus.articles) == 1
    assert replace(corpus, articles=()) == shared
    assert corpus.entity_index.keys() == {e.id for e in corpus.registry} and corpus.intact


@pytest.mark.parametrize(
    ("text", "parts", "datatype"),
    [
        ("2020", (2020, None, None), "gYear"),
        ("2020-06", (2020, 6, None), "gYearMonth"),
        ("2020-01-03", (2020, 1, 3), "date"),
        (2003, (2003, None, None), "gYear"),
        ("2024-02-29", (2024, 2, 29), "date"),
    ],
)
def test_parse_date_keeps_precision(text: object, parts: tuple[int, int | None, int | None], datatype: str) -> None:
    date = dates.parse_date(text)
    assert (date.year, date.month, date.day) == parts
    assert date.lexical == str(text)
    assert date.datatype == datatype  # the XSD datatype that keeps the precision the text gave
    assert date == dates.parse(str(text))  # the one date type: an exact date is an EDTF date without qualifier


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2020-13", "there is no month 13"),
        ("2020-21", "there is no month 21"),  # a season to EDTF, never a publication date
        ("2021-02-29", "February 2021 has 28 days"),
        ("2020-04-31", "April 2020 has 30 days"),
        ("20-01-01", "is not a date"),
        ("2020~", "is not a date"),
        ("2019/2020", "is not a date"),
    ],
)
def test_parse_date_rejects_impossible_dates(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dates.parse_date(text)


def test_a_date_that_is_not_exact_has_no_datatype_nor_parts() -> None:
    for text in ("2019~", "2019-12-XX", "2019-21", "2019-12-21/2019-12-31"):
        with pytest.raises(ValueError, match="not an exact date"):
            dates.parse(text).datatype
        with pytest.raises(ValueError, match="not an exact date"):
            dates.parse(text).year


def test_yaml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    root = write_corpus(tmp_path, facts=MINI_FACTS.replace("headline: Rockets", "headline: [Rockets"))
    (error,) = errors_of(root)
    assert error.startswith(f"{FACTS_FILE}:5:")
    assert "YAML syntax error" in error


def test_duplicate_yaml_key_is_an_error(tmp_path: Path) -> None:
    root = write_corpus(tmp_path, facts=MINI_FACTS.replace("  language: en\n", "  language: en\n  language: fr\n"))
    (error,) = errors_of(root)
    assert error.startswith(f"{FACTS_FILE}:7:3:")
    assert "duplicate key 'language' (first at line 6)" in error


def test_unknown_key_names_the_nearest_valid_key(tmp_path: Path) -> None:
    root = write_corpus(tmp_path, facts=MINI_FACTS.replace("    label: Rocket attack", "    lable: Rocket attack"))
    assert errors_of(root) == [f"{FACTS_FILE}:26: events[0].lable: unknown key 'lable'; did you mean 'label'?"]


def test_wrong_type_and_enum(tmp_path: Path) -> None:
    text = MINI_FACTS.replace("type: ShellingMissileAttack", "type: ShellingAttack").replace(
        "accuser: beta-government", "accuser: [beta-government]")
    root = write_corpus(tmp_path, facts=text)
    assert errors_of(root) == [
        f"{FACTS_FILE}:25: events[0].type: 'ShellingAttack' is not allowed here; did you mean 'ShellingMissileAttack'?",
        f"{FACTS_FILE}:35: accusations[0].accuser: expected string, got a list",
    ]


def test_undefined_reference_suggests_an_id(tmp_path: Path) -> None:
    root = write_corpus(tmp_path, facts=MINI_FACTS.replace("agent: alpha-brigade", "agent: alpha-brigad"))
    assert errors_of(root) == [
        f"{FACTS_FILE}:29: events[0].agent: reference to undefined entity id 'alpha-brigad'; did you mean 'alpha-brigade'?"
    ]


def test_concerns_must_name_an_event(tmp_path: Path) -> None:
    root = write_corpus(tmp_path, facts=MINI_FACTS.replace("concerns: rocket-attack", "concerns: alpha-brigade"))
    (error,) = errors_of(root)
    assert error == f"{FACTS_FILE}:37: accusations[0].concerns: reference to undefined event id 'alpha-brigade'"


def test_duplicate_ids_within_a_file_and_against_the_registry(tmp_path: Path) -> None:
    text = MINI_FACTS.replace("  - id: zed-threat", "  - id: rocket-attack").replace("  - id: omar-zed", "  - id: news-co")
    root = write_corpus(tmp_path, facts=text.replace("omar-zed", "news-co"))
    assert errors_of(root) == [
        f"{FACTS_FILE}:9: entities[0].id: duplicate id 'news-co': already defined in entities.yaml:16",
        f"{FACTS_FILE}:43: threats[0].id: duplicate id 'rocket-attack': already defined at line 24",
    ]


def test_duplicate_registry_id(tmp_path: Path) -> None:
    registry = "entities:\n  - {id: a, type: Person, name: A}\n  - {id: a, type: Person, name: B}\n"
    root = write_corpus(tmp_path, registry=registry)
    assert "entities.yaml:3: id: duplicate id 'a': already defined at line 2" in errors_of(root)


def test_impossible_date_in_a_facts_file(tmp_path: Path) -> None:
    root = write_corpus(tmp_path, facts=MINI_FACTS.replace('date: "2021-05-03"', 'date: "2021-02-30"'))
    assert errors_of(root) == [f"{FACTS_FILE}:27: events[0].date: '2021-02-30' is not a date: February 2021 has 28 days"]


def test_malformed_date_is_a_schema_error(tmp_path: Path) -> None:
    root = write_corpus(tmp_path, facts=MINI_FACTS.replace('date: "2021-05-03"', 'date: "3 May 2021"'))
    (error,) = errors_of(root)
    assert error.startswith(f"{FACTS_FILE}:27: events[0].date: '3 May 2021' is not valid: write it as YYYY-MM-DD, YYYY-MM or YYYY")


def test_an_article_url_that_is_not_an_iri_is_located_in_the_facts_file(tmp_path: Path) -> None:
    """A space or '>' in a URL would otherwise only surface as an N-Triples parse error of the built graph."""
    root = write_corpus(tmp_path, facts=MINI_FACTS.replace('published: "2021-05-04"',
                                                           'published: "2021-05-04"\n  url: "https://news.example/a b"'))
    (error,) = errors_of(root)
    assert error.startswith(f"{FACTS_FILE}:8: article.url: 'https://news.example/a b' is not valid: An IRI: no spaces")


def test_missing_article_text(tmp_path: Path) -> None:
    root = write_corpus(tmp_path)
    (root / "articles" / "mini-1.txt").unlink()
    assert errors_of(root) == [f"{FACTS_FILE}:2: article.text: article text file articles/mini-1.txt does not exist; "
                               "the file's 6 quotes were not checked"]


def test_no_facts_files(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (error,) = errors_of(tmp_path / "empty")
    assert error.endswith("no *.facts.yaml files found")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = MINI_FACTS.replace("agent: alpha-brigade", "agent: nobody").replace("threatened: beta-government", "threatened: nobody-else")
    root = write_corpus(tmp_path, facts=text)
    assert len(errors_of(root)) == 2


def test_dates_are_not_turned_into_python_dates(mini: Path) -> None:
    corpus = reader.load(mini)
    date = corpus.articles[0].events[0].date
    assert date is not None and (date.edtf, date.exact) == ("2021-05-03", ("2021-05-03", "date"))  # strings, as written


def test_the_model_names_the_values_the_schema_allows() -> None:
    """The model's lists of values are the JSON Schema's, and every key it says names an entity is a key of the
    section it names: one definition of the format, which the model only repeats for the code that reads it."""
    import json

    from kgpub.resources import schema_file

    defs = json.loads(schema_file("facts").read_text(encoding="utf-8"))["$defs"]
    assert tuple(defs["event"]["properties"]["certainty"]["enum"]) == model.CERTAINTIES
    assert tuple(defs["statement"]["properties"]["act"]["enum"]) == model.ACTS
    assert tuple(defs["count"]["properties"]["what"]["enum"]) == model.COUNT_KINDS
    assert set(model.COUNT_QUALIFIERS) < set(defs["count"]["properties"])
    section_defs = {"article": "article", "relations": "relation", "events": "event", "accusations": "accusation",
                    "claims": "claim", "threats": "threat", "statements": "statement", "mentions": "mention"}
    assert model.ENTITY_REFERENCES.keys() == section_defs.keys()
    for section, keys in model.ENTITY_REFERENCES.items():
        assert set(keys) <= set(defs[section_defs[section]]["properties"]), section


def test_an_article_refers_to_every_entity_its_facts_name(mini: Path) -> None:
    (article,) = reader.load(mini).articles
    assert model.referenced_ids(article) == {"alpha-brigade", "beta-government", "delta-network", "gamma-base",
                                             "news-co", "omar-zed", "rocket-attack"}  # a claim may be about an event
    named = replace(article, rights_holder="holder", mentions=(model.Mention("named", (), article.source),))
    assert model.referenced_ids(named) - model.referenced_ids(article) == {"holder", "named"}
