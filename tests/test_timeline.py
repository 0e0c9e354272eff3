"""The timeline: every dated event in the shipped query's order, its actors and place linked, each role in its
own column, its counts; a filter by year, type and actor that the server answers (query parameters) and that
the static site applies in the browser (a script in ``static/``), the site's table complete without it."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import requests

import kgpub
from kgpub.web import timeline
from kgpub.web.site import Snapshot
from test_event_page import snapshot
from test_serve import served  # noqa: F401  (the real server)
from test_site import browser, hosted, site  # noqa: F401  (Chromium, the seed site on a static web server)

KH = "https://w3id.org/kgpub/id/event/kh-strikes"
HANDOVER = "https://w3id.org/kgpub/id/article/000_eb2d348de878cb8c/handover-aah-fighter"


@pytest.fixture(scope="module")
def seed_pages(seed_build: Path) -> Snapshot:
    return snapshot(seed_build)


@pytest.fixture(scope="module")
def drawn(seed_build: Path, seed_pages: Snapshot) -> dict:  # type: ignore[type-arg]
    """The site's timeline context (every row), from the build's store and its pages."""
    from kgpub.sparql.index import open_index

    return timeline.view(seed_pages, open_index(seed_build).store, {}, static=True)


def test_years_a_date_may_fall_in() -> None:
    assert timeline.years("2019-12-27/2020-01-02") == ["2019", "2020"]
    assert timeline.years("2019-12~") == ["2019"]
    assert timeline.years("2018/2020") == ["2018", "2019", "2020"]
    assert timeline.years("201X") == []


def test_rows_follow_the_shipped_query_with_each_role_in_its_column(drawn: dict, seed_build: Path) -> None:  # type: ignore[type-arg]
    shipped = [r["e"]["value"] for r in kgpub.query("timeline", seed_build).rows]
    rows = drawn["rows"]
    assert [r.event.text for r in rows] == [r["event"]["value"] for r in kgpub.query("timeline", seed_build).rows]
    assert len(rows) == len(shipped) == drawn["total"]
    assert drawn["headings"] == ["by", "against", "victims", "with"]
    kh = next(r for r in rows if r.event.href == "/kgpub/id/event/kh-strikes.html")
    by, against, victims, _ = ([a.link.text for a in column] for column in kh.roles)
    assert "Donald Trump" in by and "Donald Trump" not in against + victims  # the attacker and the attacked apart
    assert "Kataeb Hezbollah" in against and "Kataeb Hezbollah" in victims and "Kataeb Hezbollah" not in by
    assert all(a.link.href and a.link.href.startswith("/kgpub/id/") for r in rows for c in r.roles for a in c)
    placed = [r for r in rows if r.place is not None]
    assert placed and all(r.place.href and r.place.href.endswith(".html") for r in placed)  # type: ignore[union-attr]
    # a role an article only claims is shown with how sure it is
    handover = next(r for r in rows if r.event.text.startswith("Iraqi intelligence service to hand"))
    assert [(a.link.text, a.note) for a in handover.roles[0]] == [("Iraqi National Intelligence Service", "probable")]
    # counts with their qualifiers, from the event and each report of it
    assert any("about 750 participants" in r.counts for r in rows)
    assert any("1 killed" in r.counts for r in rows)


def test_the_page_asks_the_shipped_query_without_its_lists(seed_build: Path) -> None:
    """The page's query is the shipped one without the lists of types and actors it draws from the graph: the same
    events, dates and places in the same order."""
    from kgpub.sparql.index import open_index
    from kgpub.sparql.shipped import resolve_query

    text, options = timeline.timeline_query(timeline.vocab.DEFAULT_BASE)
    shipped, _ = resolve_query("timeline")
    assert "?rank" in shipped and "?rank" not in text and text.endswith(shipped[shipped.rindex("}\nORDER BY"):])
    store = open_index(seed_build).store
    keys = ("date", "e", "event", "place")

    def rows(query: str) -> list[tuple[str, ...]]:
        return [tuple(r[k].value if r[k] is not None else "" for k in keys) for r in store.query(query, **options)]

    asked, full = rows(text), rows(shipped)
    assert asked == full and len(asked) > 10 and any(r[3] for r in asked)


def test_the_filter_keeps_the_rows_of_a_year_a_type_and_an_actor(drawn: dict) -> None:  # type: ignore[type-arg]
    rows = drawn["rows"]
    assert [v for v, _ in drawn["choices"]["year"]] == sorted({y for r in rows for y in r.years})
    for values in ({"year": "2019"}, {"type": "Protest"}, {"actor": "donald-trump"},
                   {"year": "2020", "actor": "donald-trump"}):
        kept = [r for r in rows if timeline.matches(r, values)]
        assert 0 < len(kept) < len(rows), values
    trump = [r for r in rows if timeline.matches(r, {"actor": "donald-trump"})]
    assert all(any(a.key == "donald-trump" for c in r.roles for a in c) for r in trump)


def _rows(page: str) -> list[str]:
    """The events a timeline page lists, in its order."""
    return [html.unescape(t) for t in re.findall(r'<td class="event"><a href="[^"]+">([^<]+)</a></td>', page)]


@pytest.mark.slow
def test_the_server_filters_by_query_parameters(served: str, drawn: dict) -> None:  # noqa: F811  # type: ignore[type-arg]
    whole = requests.get(served + "/timeline", timeout=30).text
    assert _rows(whole) == [r.event.text for r in drawn["rows"]]
    assert 'href="/kgpub/id/donald-trump"' in whole and 'href="/kgpub/id/baghdad"' in whole  # linked, no .html
    for values in ({"year": "2019"}, {"type": "Protest"}, {"actor": "donald-trump"},
                   {"year": "2020", "type": "Air or drone strike"}):
        got = requests.get(served + "/timeline", params=values, timeout=30)
        assert got.status_code == 200
        assert _rows(got.text) == [r.event.text for r in drawn["rows"] if timeline.matches(r, values)], values
        for name, value in values.items():  # the form shows what was chosen
            assert re.search(rf'<select id="filter-{name}" name="{name}">.*?<option value="{re.escape(html.escape(value))}" selected>',
                             got.text, re.S), (name, value)
    assert _rows(requests.get(served + "/timeline", params={"year": "1900"}, timeout=30).text) == []


@pytest.mark.slow
def test_the_site_page_is_complete_without_script(site: Path, drawn: dict) -> None:  # noqa: F811  # type: ignore[type-arg]
    page = (site / "timeline.html").read_text(encoding="utf-8")
    assert _rows(page) == [r.event.text for r in drawn["rows"]]
    assert 'data-where="client"' in page and '<script src="/static/timeline.js" defer></script>' in page
    assert (site / "static" / "timeline.js").is_file() and (site / "static" / "event.css").is_file()
    assert 'href="/kgpub/id/donald-trump.html"' in page


def _visible(browser) -> list[str]:  # type: ignore[no-untyped-def]
    return [a.text for a in browser.find_elements("css selector", "#timeline tbody tr td.event a") if a.is_displayed()]


@pytest.mark.slow
def test_the_site_filters_in_the_browser(hosted: str, browser, drawn: dict) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import Select

    from test_site import _audit, _errors

    every = [r.event.text for r in drawn["rows"]]
    browser.get(hosted + "timeline.html")
    assert _visible(browser) == every and _errors(browser) == [] and _audit(browser) == []
    Select(browser.find_element("id", "filter-actor")).select_by_value("donald-trump")
    wanted = [r.event.text for r in drawn["rows"] if timeline.matches(r, {"actor": "donald-trump"})]
    assert _visible(browser) == wanted and len(wanted) < len(every)
    Select(browser.find_element("id", "filter-year")).select_by_value("2020")
    browser.find_element("css selector", "#timeline-filter button").click()
    wanted = [r.event.text for r in drawn["rows"] if timeline.matches(r, {"actor": "donald-trump", "year": "2020"})]
    assert _visible(browser) == wanted
    assert browser.find_element("id", "timeline-shown").text == f"{len(wanted)} of {len(every)} events"
    assert "actor=donald-trump" in browser.current_url and _errors(browser) == []
    # an address with the filter's values opens filtered
    browser.get(hosted + "timeline.html?type=Protest")
    assert _visible(browser) == [r.event.text for r in drawn["rows"] if timeline.matches(r, {"type": "Protest"})]


@pytest.mark.slow
def test_the_server_form_filters_in_the_browser(served: str, browser, drawn: dict) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import Select, WebDriverWait

    from test_site import _audit, _errors

    browser.get(served + "/timeline")
    Select(browser.find_element("id", "filter-type")).select_by_value("Air or drone strike")
    browser.find_element("css selector", "#timeline-filter button").click()
    WebDriverWait(browser, 30).until(lambda d: "type=" in d.current_url)
    assert _visible(browser) == [r.event.text for r in drawn["rows"]
                                 if timeline.matches(r, {"type": "Air or drone strike"})]
    assert _errors(browser) == [] and _audit(browser) == []
