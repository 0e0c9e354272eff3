"""An actor's page as a reader wants it (issue 29, item 2), on the server and in the site alike.

The data module first (:mod:`kgpub.web.actor`, over the seed build read as the site reads it): dates in words
at the precision the text gives, roles in words on both sides of a fact, facts in date order, and what an
article only reports someone as saying shown as theirs ("according to"), never as fact.  Then the pages as drawn:
the infobox, the fact groups, the network with named edges and a legend, the same on ``serve`` and ``site``, no
RDF name outside the data section of any actor's page; and a reader in Chromium who, from the front page, finds
by clicks alone who accused Mustafa al-Kadhemi of what, with the quote, its source and "according to".
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
import pyoxigraph as ox
import requests

from kgpub.corpus import dates
from kgpub.rdf import vocab
from kgpub.web import actor, pages
from kgpub.web.site import Snapshot, _default_graph
from test_serve import served  # noqa: F401  (the real kgpub serve on the seed build)
from test_site import _audit, _errors, browser, hosted, site  # noqa: F401  (Chromium; the seed site, hosted)

BASE = "https://w3id.org/kgpub/"
KADHEMI = BASE + "id/mustafa-al-kadhemi"
FACTIONS = BASE + "id/pro-iran-factions"
#: A prefixed RDF name (``kg:accused``, ``rdf:subject``) as a reader must not meet it outside the data section.
RDF_NAME = re.compile(r"(?<![\w/#.-])(?:rdf|rdfs|kg|kgt|oa|prov|skos|owl|schema|dcterms|xsd):[A-Za-z]")


# --------------------------------------------------------------------------- the data module


@pytest.mark.parametrize(("edtf", "words", "precision"), [
    ("2020", "2020", "year"),
    ("2020-05", "May 2020", "month"),
    ("2020-01-03", "3 January 2020", "day"),
    ("2019-12-21/2019-12-31", "between 21 December 2019 and 31 December 2019", "interval"),
    ("2019-12-27/2020-01-02", "between 27 December 2019 and 2 January 2020", "interval"),
    ("../2020-01", "until January 2020", "interval"),
    ("2019/", "from 2019", "interval"),
    ("201X", "the 2010s", "decade"),
    ("2019-21", "spring 2019", "season"),
    ("2020-05~", "about May 2020", "month"),
    ("2020?", "2020 (uncertain)", "year"),
    ("2020-05-XX", "May 2020", "month"),
])
def test_a_date_reads_in_words_at_the_precision_the_text_gives(edtf: str, words: str, precision: str) -> None:
    dates.parse(edtf)  # each case is a date kgpub can hold
    assert pages.edtf_in_words(edtf) == (words, precision)


@pytest.fixture(scope="module")
def graph(seed_build: Path) -> Snapshot:
    """The seed build's default graph, read as ``kgpub site`` reads it."""
    from kgpub.sparql.local import local_prefixes

    return Snapshot(_default_graph(seed_build, None), BASE, "/kgpub/", local_prefixes(seed_build))


def _items(graph: Snapshot, iri: str) -> list[actor.Item]:
    page = actor.ActorPage(graph, iri)
    return page.items(graph.outgoing(page.node), graph.incoming(page.node))


def _entities(graph: Snapshot) -> list[str]:
    return [iri for iri in graph.nodes() if graph.types(ox.NamedNode(iri)) & pages.ENTITIES]


def test_kadhemi_s_roles_read_in_words(graph: Snapshot) -> None:
    items = _items(graph, KADHEMI)
    by_role = {(i.role, o.text) for i in items for o in i.others}
    assert ("accused by", "Pro-Iran armed factions in Iraq") in by_role
    assert ("threatens", "Pro-Iran armed factions in Iraq") in by_role  # his own threat, from his side
    assert ("commands", "Iraqi elite security forces") in by_role  # "commanded by" seen from its object
    member = next(i for i in items if i.role == "member of" and i.others[0].text == "Government of Iraq")
    assert member.detail == "as Prime Minister" and member.date is not None
    assert (member.date.text, member.date.precision, member.date.edtf) == ("May 2020", "month", "2020-05")
    office = next(i for i in items if "takes office" in i.fact.text)
    assert office.role == "carried out" and office.group == "Events" and office.date is not None
    assert office.date.text == "May 2020"
    assert all(i.sources for i in items if i.group != "Relations and memberships")  # every fact with its quotes
    assert all(s.publisher and s.publisher.text == "Global Village Space" for i in items for s in i.sources)


def test_the_other_side_of_a_fact_has_the_other_words(graph: Snapshot) -> None:
    items = _items(graph, FACTIONS)
    accuses = [i for i in items if i.role == "accuses" and any(o.href and o.href.endswith("mustafa-al-kadhemi.html")
                                                               for o in i.others)]
    assert accuses and "complicity" in accuses[0].detail
    assert any(i.role == "threatened by" and i.others[0].text == "Mustafa al-Kadhemi" for i in items)
    government = _items(graph, BASE + "id/iraqi-government")
    assert any(i.role == "has as member" and i.others[0].text == "Mustafa al-Kadhemi" for i in government)


def test_facts_come_by_kind_and_by_date(graph: Snapshot) -> None:
    checked = 0
    for iri in _entities(graph):
        items = _items(graph, iri)
        assert [actor.GROUPS.index(i.group) for i in items] == sorted(actor.GROUPS.index(i.group) for i in items)
        for group in actor.GROUPS:
            keys = [i.order for i in items if i.group == group]
            assert keys == sorted(keys), (iri, group)
            dated = [i.order[0] for i in items if i.group == group]
            assert dated == sorted(dated)  # undated after dated
            checked += len(keys) > 1
    assert checked > 10
    baghdad = [i for i in _items(graph, BASE + "id/baghdad") if i.group == "Events" and i.date]
    assert baghdad[0].date and baghdad[-1].date and baghdad[0].date.earliest < baghdad[-1].date.earliest


def test_what_is_alleged_or_hedged_is_shown_as_someone_s_word(graph: Snapshot) -> None:
    """Every line that rests on a kg:Claim, an accusation's allegation or a hedged fact is a claim with its author,
    on every entity's page: nothing an article only alleges reads as an assertion."""
    claims = {iri for iri in graph.nodes() if vocab.KG + "Claim" in graph.types(ox.NamedNode(iri))}
    hedged = {iri for iri in graph.nodes() if any(c.value != vocab.KG + "Certain" for c in
                                                  graph.objects(ox.NamedNode(iri), vocab.KG + "certainty"))}
    assert claims and hedged
    seen = {"claim": 0, "allegation": 0, "hedged": 0}
    for iri in _entities(graph):
        for item in _items(graph, iri):
            if item.iri in claims:
                seen["claim"] += 1
                assert item.claimed and item.according, (iri, item)
            if item.group == "Accusations" and item.detail:
                seen["allegation"] += 1
                assert item.claimed and item.according, (iri, item)
            if item.iri in hedged or (item.fact.href and any(graph.href(h) == item.fact.href for h in hedged)):
                seen["hedged"] += 1
                assert item.certainty, (iri, item)
    assert all(seen.values()), seen
    intelligence = _items(graph, BASE + "id/iraqi-intelligence-service")
    handover = next(i for i in intelligence if "hand the arrested AAH fighter" in i.fact.text)
    assert handover.claimed and handover.certainty.startswith("probable") and "would" in handover.certainty
    assert [a.text for a in handover.according] == ["Iraqi security sources"]
    complicit = next(i for i in _items(graph, KADHEMI) if i.group == "Claims")
    assert complicit.role == "complicit in" and complicit.claimed
    assert [a.text for a in complicit.according] == ["Pro-Iran armed factions in Iraq"]


def test_the_infobox(graph: Snapshot) -> None:
    page = actor.ActorPage(graph, KADHEMI)
    items = _items(graph, KADHEMI)
    info = actor.infobox(page, items)
    assert info.label == "Mustafa al-Kadhemi" and "Mustafa al-Kadhimi" in info.aliases
    assert info.kinds == ["Person"] and info.wikidata is None and info.description.startswith("Prime Minister")
    assert [p.text for p in info.publishers] == ["Global Village Space"] and len(info.articles) == 1
    assert info.first and info.last and info.first.date and info.last.date
    assert info.first.date.earliest <= info.last.date.earliest
    baghdad = actor.infobox(actor.ActorPage(graph, BASE + "id/baghdad"), _items(graph, BASE + "id/baghdad"))
    assert baghdad.wikidata and baghdad.wikidata.href == "https://www.wikidata.org/wiki/Q1530"
    assert baghdad.kinds == ["City"] and len(baghdad.articles) > 3 and len(baghdad.publishers) > 2


def test_a_publisher_s_articles_are_listed_by_date_and_are_not_its_facts(graph: Snapshot) -> None:
    dod = BASE + "id/us-department-of-defense"
    items = _items(graph, dod)
    published = [i for i in items if i.group == "Articles"]
    assert len(published) == 2 and all(i.role == "published" and i.date for i in published)
    assert [i.date.text for i in published if i.date] == ["2 January 2020", "3 January 2020"]
    info = actor.infobox(actor.ActorPage(graph, dod), items)
    assert info.first is not None and info.first.group != "Articles" and info.last is not None
    assert info.last.group != "Articles"


def test_the_network_names_its_edges_and_cuts_no_label(graph: Snapshot) -> None:
    page = actor.ActorPage(graph, KADHEMI)
    drawn = actor.network(page, _items(graph, KADHEMI))
    assert drawn is not None
    edges = {n.name: n.edge for n in drawn["drawn"]}
    assert edges["Government of Iraq"] == "member of" and edges["Iraqi elite security forces"] == "commands"
    assert edges["Pro-Iran armed factions in Iraq"].startswith("accused by")
    for node in drawn["drawn"]:
        assert " ".join(text for _, _, text in node.lines) == node.name  # wrapped, never cut
        assert not RDF_NAME.search(node.how) and not RDF_NAME.search(node.edge)


# --------------------------------------------------------------------------- the pages, as drawn


def _visible(page: str) -> str:
    """A page's body without its data section, as text and attributes a reader meets."""
    body = page[page.index("<body>"):]
    return re.sub(r'<section class="data".*?</section>', "", body, flags=re.S)


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)))


def _facts(page: str) -> str:
    """The part of an actor's page from the infobox to the network, links made server-style (no ``.html``)."""
    part = page[page.index('<section class="infobox"'):page.index('<section class="data"')]
    return part.replace('.html"', '"').replace(".html#", "#")


@pytest.mark.slow  # the seed site, a server or a browser
def test_kadhemi_s_page_in_the_site(site: Path) -> None:
    page = (site / "kgpub/id/mustafa-al-kadhemi.html").read_text(encoding="utf-8")
    assert 'href="/static/actor.css"' in page and (site / "static" / "actor.css").is_file()
    text = _text(_visible(page))
    for words in ("At a glance", "Also called", "Mustafa al-Kadhimi", "Mentioned in", "Global Village Space",
                  "First dated fact", "Accusations (3)", "accused by Pro-Iran armed factions in Iraq of",
                  "according to Pro-Iran armed factions in Iraq", "member of Government of Iraq as Prime Minister since "
                  "May 2020", "Pro-Iran forces accuse Kadhemi", "May 2020 (to the month)", "Claims"):
        assert words in text, words
    accusations = page[page.index('id="accusations"'):page.index("</section>", page.index('id="accusations"'))]
    assert accusations.count("<q>") >= 3 and accusations.count("<cite>") >= 3
    svg = re.search(r"<svg [^>]*>(.*?)</svg>", page, re.S)
    assert svg and '<text class="edge"' in svg.group(1) and ">member of<" in svg.group(1)
    assert 'class="legend"' in page and "a person" in page
    data = page[page.index('<section class="data"'):]
    assert "kg:accused" in data and "rdf:subject" in data  # the raw names are there, in the data section


@pytest.mark.slow  # the seed site, a server or a browser
def test_no_actor_page_shows_an_rdf_name_outside_its_data(site: Path, graph: Snapshot) -> None:
    checked = 0
    for iri in _entities(graph):
        path = site / (graph.href(iri).lstrip("/"))
        page = path.read_text(encoding="utf-8")
        assert '<section class="data"' in page, path
        found = RDF_NAME.findall(_visible(page))
        assert not found, (path, found[:5])
        checked += 1
    assert checked > 40


@pytest.mark.slow  # the seed site, a server or a browser
def test_serve_and_site_draw_the_same_actor_page(site: Path, served: str) -> None:  # noqa: F811
    for name in ("mustafa-al-kadhemi", "baghdad", "iraqi-intelligence-service"):
        from_site = (site / f"kgpub/id/{name}.html").read_text(encoding="utf-8")
        from_server = requests.get(f"{served}/kgpub/id/{name}", timeout=30, headers={"Accept": "text/html"})
        assert from_server.status_code == 200
        assert _facts(from_server.text) == _facts(from_site), name
        assert not RDF_NAME.search(_visible(from_server.text))


# --------------------------------------------------------------------------- a reader, in Chromium


def _who_accused_kadhemi(driver: Any, front: str) -> list[str]:  # type: ignore[no-untyped-def]
    """From the front page, by clicks only: the link to his page, then his accusations.  Returns the pages passed."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(front)
    path = [driver.current_url]
    link = next(a for a in driver.find_elements("css selector", "main a") if a.text == "Mustafa al-Kadhemi")
    link.click()
    WebDriverWait(driver, 10).until(lambda d: d.find_element("tag name", "h1").text == "Mustafa al-Kadhemi")
    path.append(driver.current_url)
    contents = driver.find_element("css selector", ".contents")
    next(a for a in contents.find_elements("tag name", "a") if a.text.startswith("Accusations")).click()
    WebDriverWait(driver, 10).until(lambda d: d.current_url.endswith("#accusations"))
    path.append(driver.current_url)
    return path


def _the_accusation(driver: Any) -> None:  # type: ignore[no-untyped-def]
    facts = driver.find_elements("css selector", "#accusations li.fact")
    fact = next(f for f in facts if "Pro-Iran armed factions in Iraq" in f.text and "complicity" in f.text)
    assert fact.is_displayed()
    assert "accused by Pro-Iran armed factions in Iraq of" in fact.text
    assert "according to Pro-Iran armed factions in Iraq" in fact.text  # the allegation is theirs
    quotes = fact.find_elements("css selector", ".quotes li")
    assert any("Pro-Iran forces accuse Kadhemi" in q.find_element("tag name", "q").text for q in quotes)
    source = quotes[0].find_element("css selector", "cite a")
    assert source.text == "One year after US killed Iran general, Iraq tensions boil"  # the article, linked
    assert "Global Village Space" in quotes[0].text  # and its publisher
    assert _errors(driver) == [] and _audit(driver) == []


@pytest.mark.slow  # the seed site, a server or a browser
def test_a_reader_finds_who_accused_kadhemi_of_what_in_the_site(browser, hosted: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    path = _who_accused_kadhemi(browser, hosted + "index.html")
    assert len(path) - 1 <= 3, path  # three clicks at most
    _the_accusation(browser)
    from test_site import ARTEFACTS

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTEFACTS / "site-actor-accusations.png"))


@pytest.mark.slow  # the seed site, a server or a browser
def test_a_reader_finds_who_accused_kadhemi_of_what_on_the_server(browser, served: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    path = _who_accused_kadhemi(browser, served + "/")
    assert len(path) - 1 <= 3, path
    _the_accusation(browser)
