"""An event's page for a reader: what happened, when (in words, with the days it allows), where, who in which role,
the counts with their qualifiers and quotes, claims shown as claims, every report of a shared event side by side
and where the reports disagree (judged as the shipped ``disagreements`` query judges); RDF names only in the data
section; the same page from ``kgpub serve`` and ``kgpub site``."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import urlparse

import pyoxigraph as ox
import pytest
import requests

import kgpub
from conftest import SEEDS
from kgpub.rdf import vocab
from kgpub.web import event
from kgpub.web.site import Snapshot, _default_graph
from test_query_multisource import write
from test_serve import served  # noqa: F401  (the real server, started once for this module)

ID = "https://w3id.org/kgpub/id/"
SHARED = ID + "event/soleimani-strike"
ARRESTS = ID + "article/000_eb2d348de878cb8c/june-arrests"
HANDOVER = ID + "article/000_eb2d348de878cb8c/handover-aah-fighter"
GAMMA = ID + "event/gamma-attack"


def snapshot(build: Path) -> Snapshot:
    """A build's pages as the site reads them (its default graph, in memory)."""
    from kgpub.sparql.index import open_index
    from kgpub.sparql.local import local_prefixes

    index = open_index(build)
    return Snapshot(_default_graph(build, index.store), index.base, urlparse(index.base).path, local_prefixes(build))


@pytest.fixture(scope="module")
def seed_pages(seed_build: Path) -> Snapshot:
    return snapshot(seed_build)


@pytest.fixture(scope="module")
def multi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three articles that report one attack and disagree on its day, its place and how many were killed."""
    root = tmp_path_factory.mktemp("conflicts")
    assert kgpub.build(write(root / "seeds"), root / "dist").written
    return root / "dist"


# --------------------------------------------------------------------------- words


def test_dates_in_words_keep_their_precision() -> None:
    assert [event.words(d) for d in ("2020", "2020-06", "2020-06-03", "2020-12-31")] == \
        ["2020", "June 2020", "3 June 2020", "31 December 2020"]
    assert event.edtf_words("2019-12-21/2019-12-31") == "between 21 December 2019 and 31 December 2019"
    assert event.edtf_words("2019-12~") == "about December 2019"
    assert event.edtf_words("2020?") == "2020 (uncertain)"
    assert event.edtf_words("../2020") == "until 2020"
    assert event.edtf_words("2019/..") == "from 2019"
    assert event.edtf_words("201X") == "the 2010s"
    assert event.edtf_words("2019-13") == "2019-13"  # what has no words is shown as written
    assert event.bounds_words("2020-06-01", "2020-06-30") == "between 1 June 2020 and 30 June 2020"
    assert event.bounds_words("2020-06-03", "2020-06-03") == ""
    assert event.bounds_words("", "2020-06-30") == "not after 30 June 2020"


def test_counts_in_words_keep_their_qualifier() -> None:
    kg = vocab.KG
    assert event.count_text(kg + "Exactly", 14, 14, 14, "arrested") == "14 arrested"
    assert event.count_text(kg + "AtLeast", 8, 8, None, "killed") == "at least 8 killed"
    assert event.count_text(kg + "AtMost", 13, None, 13, "killed") == "at most 13 killed"
    assert event.count_text(kg + "About", 750, None, None, "participants") == "about 750 participants"
    assert event.count_text(kg + "Between", None, 12, 20, "killed") == "between 12 and 20 killed"


# --------------------------------------------------------------------------- what the page shows, from the graph


def test_an_event_says_when_with_its_bounds_and_phrase_and_how_many_with_the_quote(seed_pages: Snapshot) -> None:
    shown = event.page(seed_pages, ox.NamedNode(ARRESTS))
    assert shown["template"] == "event.html"
    main = shown["event"]["main"]
    assert main.when.text == "June 2020" and main.when.bounds == "between 1 June 2020 and 30 June 2020"
    assert main.when.phrase == "in June"
    assert shown["event"]["types"] == ["Arrest"]
    [count, people] = main.counts
    assert count.text == "14 arrested" and people.text == "14 people"
    assert count.quotes and "arrested 14 members" in count.quotes[0].exact
    assert main.roles["Carried out by"][0].href == "/kgpub/id/article/000_eb2d348de878cb8c/iraqi-elite-forces.html"
    assert [n.text for n in main.roles["Against"]] == ["Kataeb Hezbollah"]


def test_a_claimed_role_is_a_claim_according_to_its_source(seed_pages: Snapshot) -> None:
    main = event.page(seed_pages, ox.NamedNode(HANDOVER))["event"]["main"]
    assert main.roles == {}  # nothing is stated as a fact: the article only reports what the service "would" do
    assert main.certainty == "probable" and [a.text for a in main.according] == ["Iraqi security sources"]
    claimed = {c.actor.text: c for c in main.claimed}
    assert claimed["Iraqi National Intelligence Service"].role == "the one who carried it out"
    assert all(c.certainty == "probable" and [a.text for a in c.according] == ["Iraqi security sources"]
               for c in main.claimed)


def test_a_shared_event_shows_every_report_by_its_source(seed_pages: Snapshot, seed_build: Path) -> None:
    shown = event.page(seed_pages, ox.NamedNode(SHARED))["event"]
    reports = sorted(r["e"]["value"] for r in kgpub.query(
        "SELECT ?e WHERE { ?e kg:reports <%s> }" % SHARED, seed_build).rows)
    assert shown["shared"] and len(shown["reports"]) == len(reports) >= 2
    assert shown["accounts"][0].name == "the registry"
    assert {r.name for r in shown["reports"]} == {"Agence France-Presse", "United States Department of Defense",
                                                  "United States Department of State"}
    assert all(r.node.href and "/article/" in r.node.href and r.quotes for r in shown["reports"])
    assert "Qasem Soleimani" in [n.text for n in shown["main"].roles["Victims"]]
    # the seeds' reports agree, as the shipped query finds
    assert shown["disagreements"] == [] and not kgpub.query("disagreements", seed_build).rows


def test_reports_that_disagree_are_shown_as_the_shipped_query_finds_them(multi: Path) -> None:
    shown = event.page(snapshot(multi), ox.NamedNode(GAMMA))["event"]
    rows = [r for r in kgpub.query("disagreements", multi).rows if r["e"]["value"] == GAMMA]
    assert rows and len(shown["disagreements"]) == len(rows)
    found = {(d.what, d.one, d.said, d.other, d.other_said) for d in shown["disagreements"]}
    assert ("date", "News Co", "3 May 2021", "Other Paper", "2 May 2021") in found
    assert ("number killed", "Wire Agency", "14 killed", "Other Paper", "20 killed") in found
    assert ("place", "the registry", "Iraq", "Other Paper", "Tehran") in found
    # a count that fits another ("at least 13" and 14) is no disagreement
    assert not any("at least 13" in (d.said, d.other_said) for d in shown["disagreements"])


def test_an_actor_in_different_roles_is_a_disagreement() -> None:
    kg, base = vocab.KG, "https://example.org/id/"
    e, r1, r2, x = (ox.NamedNode(base + n) for n in ("event", "r1", "r2", "x"))
    a = ox.NamedNode(vocab.RDF + "type")
    triples = [ox.Triple(e, a, ox.NamedNode(kg + "Event")), ox.Triple(e, a, ox.NamedNode(kg + "SharedEvent")),
               ox.Triple(x, ox.NamedNode(vocab.RDFS + "label"), ox.Literal("X")),
               ox.Triple(r1, ox.NamedNode(kg + "reports"), e), ox.Triple(r1, ox.NamedNode(kg + "agent"), x),
               ox.Triple(r2, ox.NamedNode(kg + "reports"), e), ox.Triple(r2, ox.NamedNode(kg + "victim"), x)]
    pages = Snapshot(triples, base, "/id/", {})
    found = event.page(pages, e)["event"]["disagreements"]
    assert [(d.what, d.said, d.other_said) for d in found] == [("role of X", "carried out by", "victims")]
    # the same role in both: no disagreement
    pages = Snapshot(triples[:-1] + [ox.Triple(r2, ox.NamedNode(kg + "agent"), x)], base, "/id/", {})
    assert event.page(pages, e)["event"]["disagreements"] == []


# --------------------------------------------------------------------------- the page, drawn by serve and site


def _outside_data(page: str) -> str:
    """The page's text a reader sees before the data section (the only place RDF names may be)."""
    body = re.split(r"<main\b[^>]*>", page, maxsplit=1)[1].split('<section class="data"', 1)[0]
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def _check_event_page(page: str, suffix: str) -> None:
    assert 'class="facts"' in page and 'id="reports"' in page and 'id="disagreements"' in page
    text = _outside_data(page)
    assert not re.search(r"\b(rdf|rdfs|kg|kgt|oa|prov|schema):\w", text), text
    for who in ("qasem-soleimani", "donald-trump", "baghdad"):  # people and the place link to their pages
        assert f'href="/kgpub/id/{who}{suffix}"' in page
    for article in ("000_eb2d348de878cb8c", "dod-2020-01-03", "state-2020-01-03"):  # each report's article
        assert f'href="/kgpub/id/article/{article}{suffix}"' in page
    assert 'class="data"' in page and "kg:victim" in page  # the raw statements, in the data section


@pytest.mark.slow
def test_the_site_draws_every_event_with_the_event_page(seed_build: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    kgpub.site(seed_build, site, seeds=SEEDS)
    _check_event_page((site / "kgpub/id/event/soleimani-strike.html").read_text(encoding="utf-8"), ".html")
    events = [r["e"]["value"] for r in kgpub.query("SELECT ?e WHERE { ?e a kg:Event }", seed_build).rows]
    assert len(events) > 20
    for iri in events:
        page = (site / (urlparse(iri).path.lstrip("/") + ".html")).read_text(encoding="utf-8")
        assert 'class="facts"' in page, iri
        assert not re.search(r"\b(rdf|rdfs|kg|kgt|oa|prov):\w", _outside_data(page)), iri


@pytest.mark.slow
def test_the_server_draws_the_event_page(served: str) -> None:  # noqa: F811
    got = requests.get(served + "/kgpub/id/event/soleimani-strike", timeout=30)
    assert got.status_code == 200
    _check_event_page(got.text, "")


@pytest.mark.slow
def test_disagreements_are_on_the_page_of_the_event(multi: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    kgpub.site(multi, site, seeds=multi.parent / "seeds")
    page = (site / "kgpub/id/event/gamma-attack.html").read_text(encoding="utf-8")
    listed = re.search(r'<ul class="disagreements">(.*?)</ul>', page, re.S)
    assert listed, page
    items = [html.unescape(re.sub(r"<[^>]+>", "", li)) for li in re.findall(r"<li>(.*?)</li>", listed.group(1), re.S)]
    rows = [r for r in kgpub.query("disagreements", multi).rows if r["e"]["value"] == GAMMA]
    assert len(items) == len(rows)
    assert "Date: News Co gives 3 May 2021, Other Paper gives 2 May 2021." in items
    assert "Number killed: Wire Agency gives 14 killed, Other Paper gives 20 killed." in items
