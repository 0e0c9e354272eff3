"""An article's page: the header first, then the text with every quote highlighted by the kind of its fact and the
article's certainty, each quote ``#q-N`` (text order) opening its fact's panel with CSS ``:target``; the quotes
alone where the text may not be published; the data last.  The data module against the seeds' facts files, the
page as ``kgpub site`` and ``kgpub serve`` draw it (the same page), and in Chromium."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

import axe
import kgpub
from conftest import SEEDS
from kgpub.web import article as article_page
from kgpub.web.article import Highlight, Token, tokens
from test_accessibility import axe_script  # noqa: F401  (axe-core, as the accessibility tests run it)
from test_site import browser  # noqa: F401  (Debian's Chromium, headless, as the site's tests use it)

AFP = "000_eb2d348de878cb8c"
OA_SOURCE = "http://www.w3.org/ns/oa#hasSource"
BASE = "https://w3id.org/kgpub/id/"
#: A public-domain article whose text is published, with nested and crossing quotes.
STATE = "state-2020-01-03"


# --------------------------------------------------------------------------- the data module


@pytest.fixture(scope="module")
def pages(seed_build: Path) -> Any:
    """The seed build's pages as the site reads them (a snapshot of the default graph with the ontology)."""
    import pyoxigraph as ox

    from kgpub.sparql.local import local_prefixes
    from kgpub.web.site import Snapshot

    triples = [*ox.parse(path=str(seed_build / "kg.nt"), format=ox.RdfFormat.N_TRIPLES),
               *ox.parse(path=str(seed_build / "ontology.ttl"), format=ox.RdfFormat.TURTLE)]
    return Snapshot(triples, BASE, "/kgpub/id/", local_prefixes(seed_build))


@pytest.fixture(scope="module")
def corpus() -> Any:
    return kgpub.corpus.reader.load(SEEDS)


def _span(article: Any, quote: str) -> tuple[int, int]:
    from kgpub.pipeline.provenance import locate

    found = locate(article.text, quote, article.text_file)
    return found.start, found.end


def test_every_quote_is_one_highlight_in_text_order_with_a_unique_anchor(pages: Any, corpus: Any) -> None:
    """Each distinct span of every facts file's evidence is one highlight, numbered from 1 in text order, with the
    text at its offsets."""
    for art in corpus.articles:
        quotes = article_page.highlights(pages, BASE + "article/" + art.id)
        spans = {_span(art, q) for fact in (*art.entities, *art.relations, *art.events, *art.accusations,
                                            *art.threats, *art.statements, *(c for e in art.events for c in e.counts))
                 for q in fact.evidence}
        assert {(q.start, q.end) for q in quotes} == spans, art.id
        assert len(quotes) == len(spans)  # identical spans share one highlight
        assert [q.n for q in quotes] == list(range(1, len(quotes) + 1))
        assert [(q.start, -(q.end or 0)) for q in quotes] == sorted((q.start or 0, -(q.end or 0)) for q in quotes)
        assert len({q.id for q in quotes}) == len(quotes) and all(q.id == f"q-{q.n}" for q in quotes)
        for q in quotes:
            assert art.text[q.start:q.end] == q.exact and q.facts, (art.id, q.n)
            overlapping = {o.n for o in quotes if o is not q and o.start < q.end and q.start < o.end}  # type: ignore[operator]
            assert {n for n, _ in q.overlaps} == overlapping


def test_each_fact_kind_and_certainty_is_the_facts_file_s(pages: Any, corpus: Any) -> None:
    """Every accusation, threat, statement, event and relation of the facts files is in its quotes' panels with its
    kind; hedged events are hedged, accusations claimed, and a quote is drawn as its least sure fact."""
    seen_kinds, seen_certainties = set(), set()
    for art in corpus.articles:
        by_span = {(q.start, q.end): q for q in article_page.highlights(pages, BASE + "article/" + art.id)}
        groups = (("accusation", art.accusations), ("threat", art.threats), ("statement", art.statements),
                  ("event", art.events), ("relation", art.relations))
        for kind, facts in groups:
            for fact in facts:
                for quote in fact.evidence:
                    shown = by_span[_span(art, quote)]
                    assert kind in {f.kind for f in shown.facts}, (art.id, kind, quote)
                    seen_kinds.add(shown.kind)
                    seen_certainties.add(shown.certainty)
                    views = [f for f in shown.facts if f.kind == kind]
                    if kind == "accusation":
                        assert {f.certainty for f in views} == {"claimed"}
                        assert shown.certainty != "certain"
                    certainty = getattr(fact, "certainty", None) or "certain"
                    if kind == "event" and certainty in ("probable", "possible"):
                        assert any(f.certainty == "hedged" for f in views) and shown.certainty == "hedged"
                        assert any(r.words == "According to" and r.value[0].href for f in views for r in f.rows)
    assert seen_kinds >= {"accusation", "threat", "statement", "event", "relation"}
    assert seen_certainties >= {"certain", "claimed", "hedged"}


def test_a_panel_says_who_what_when_and_according_to_whom_without_vocabulary(pages: Any) -> None:
    quotes = article_page.highlights(pages, BASE + f"article/{AFP}")
    (handover,) = [q for q in quotes if "would hand over" in q.exact]
    (fact,) = [f for f in handover.facts if f.kind == "event"]
    rows = {r.words: "".join(v.text for v in r.value) for r in fact.rows}
    assert rows["When"] == "2020" and rows["According to"].lower() == "iraqi security sources"
    assert "would" in rows["How sure"] and fact.certainty == "hedged"
    assert any(w.endswith("(claimed)") for w in rows)  # its roles are claims: drawn as claims, never as facts
    for q in quotes:
        for f in q.facts:
            words = " ".join([f.kind_label, *(r.words for r in f.rows), *(v.text for r in f.rows for v in r.value)])
            assert not re.search(r"\b(rdf|rdfs|kg|oa|prov|owl|schema):\w", words), words


def _check_tokens(text: str, quotes: list[Highlight], cut: list[Token]) -> None:
    """The tokens give back the text, open and close in balance, anchor each quote once, and every quote's
    elements hold exactly its span; each piece links to the innermost quote over it."""
    assert "".join(t.text for t in cut if t.what == "text") == text
    stack: list[Highlight] = []
    held: dict[int, set[int]] = {q.n: set() for q in quotes}
    firsts = [t.quote.n for t in cut if t.what == "open" and t.first and t.quote is not None]
    for t in cut:
        if t.what == "open":
            assert t.quote is not None
            stack.append(t.quote)
        elif t.what == "close":
            assert stack.pop() is t.quote
        else:
            for q in stack:
                held[q.n] |= set(range(t.start, t.end))
            covering = [q for q in quotes if q.start <= t.start and t.end <= q.end]  # type: ignore[operator]
            assert {q.n for q in stack} == {q.n for q in covering}
            if covering:
                assert t.quote is not None and t.quote.end - t.quote.start == min(  # type: ignore[operator]
                    q.end - q.start for q in covering)  # type: ignore[operator]
    assert stack == []
    assert sorted(firsts) == sorted(q.n for q in quotes)  # one anchor a quote
    for q in quotes:
        assert held[q.n] == set(range(q.start, q.end)), q.n  # type: ignore[arg-type]


def test_overlapping_quotes_nest_and_crossing_ones_split_without_losing_any() -> None:
    text = "abcdefghijklmnop"
    quotes = [Highlight(1, 0, 6, "abcdef"), Highlight(2, 0, 3, "abc"), Highlight(3, 3, 9, "defghi"),
              Highlight(4, 4, 5, "e"), Highlight(5, 12, 16, "mnop"), Highlight(6, 12, 16, "mnop")]
    cut = tokens(text, quotes)
    _check_tokens(text, quotes, cut)
    parts = [t.quote.n for t in cut if t.what == "open" and t.quote is not None]
    assert parts.count(3) == 2  # quote 3 crosses quote 1's end: its first part inside 1, the rest after
    assert [t.first for t in cut if t.what == "open" and t.quote is not None and t.quote.n == 3] == [True, False]


def test_the_seed_texts_cut_into_balanced_tokens(pages: Any, corpus: Any) -> None:
    for art in corpus.articles:
        quotes = article_page.highlights(pages, BASE + "article/" + art.id)
        _check_tokens(art.text, quotes, tokens(art.text, quotes))


def test_the_afp_page_shows_its_quotes_alone_in_text_order_and_none_of_the_rest(pages: Any, corpus: Any) -> None:
    """The AFP text may not be published: its page lists each quote, in text order, with its anchor and panel;
    no stretch of the text outside the quotes is on it."""
    from kgpub.web import views

    (afp,) = [a for a in corpus.articles if a.id == AFP]
    build = views.Build(pages, None, Path(), pages.nodes, {})
    status, body = views.draw(views.by_name("node"), build, views.Ask(BASE + f"article/{AFP}"))
    page = html.unescape((body or b"").decode())
    assert status == 200 and '<div class="text"' not in page and "The full text is not published here" in page
    quotes = article_page.highlights(pages, BASE + f"article/{AFP}")
    listed = re.findall(r'<li><span class="q [^"]*" id="q-(\d+)"><a href="#q-\1"><q [^>]*>(.*?)</q></a>', page, re.S)
    assert [int(n) for n, _ in listed] == [q.n for q in quotes]
    assert [exact for _, exact in listed] == [q.exact for q in quotes]
    assert [q.start for q in quotes] == sorted(q.start for q in quotes)  # type: ignore[type-var]
    covered = {i for q in quotes for i in range(q.start, q.end)}  # type: ignore[arg-type]
    gaps, run = [], ""
    for i, ch in enumerate(afp.text):
        if i in covered:
            gaps, run = gaps + [run], ""
        else:
            run += ch
    # (the credit line the text carries is the attribution the page must show)
    leaked = [g.strip() for g in [*gaps, run] if len(g.strip()) >= 30 and g.strip() in page
              and g.strip() not in (afp.attribution or "")]
    assert leaked == []
    assert "The war of words has heightened tensions in a country" not in page


# --------------------------------------------------------------------------- the page, on the site and the server

@pytest.fixture(scope="module")
def article_site(seed_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("article-site") / "site"
    kgpub.site(seed_build, out, seeds=SEEDS)
    return out


@pytest.fixture(scope="module")
def article_served(seed_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from kgserve import start_serve, stop_serve

    served = start_serve(seed_build, "--seeds", str(SEEDS), log_path=tmp_path_factory.mktemp("serve") / "serve.log")
    yield served.url
    stop_serve(served)


def _reader_part(page: str) -> str:
    """The page from its title to the data section (what a reader reads), scripts left out."""
    main = re.split(r"<main[^>]*>", page, maxsplit=1)[1].split('<section class="data"', 1)[0]
    return re.sub(r"<script.*?</script>", "", main, flags=re.S)


@pytest.mark.slow
@pytest.mark.parametrize("name", [STATE, AFP])
def test_site_and_server_draw_the_same_article_page(name: str, article_site: Path, article_served: str) -> None:
    site_page = (article_site / f"kgpub/id/article/{name}.html").read_text(encoding="utf-8")
    served_page = requests.get(f"{article_served}/kgpub/id/article/{name}", headers={"Accept": "text/html"},
                               timeout=30).text
    for page in (site_page, served_page):
        order = [page.index(m) for m in ('class="article-head"', 'class="reader"', '<section class="data"')]
        assert order == sorted(order)  # the header, the text (or the quotes), the data
        assert ("<h2 id=\"reader-heading\">The text</h2>" in page) == (name != AFP)
        reader = _reader_part(page)
        text = re.sub(r"<[^>]+>", " ", reader)
        assert not re.search(r"\b(rdf|rdfs|kg|oa|prov|owl|schema):[A-Za-z]", html.unescape(text))
        ids = set(re.findall(r'id="(q-\d+)"', page))
        assert ids and ids == set(re.findall(r'href="#(q-\d+)"', page))  # every quote has an anchor, linked
        for kind in ("Accusation", "Event", "Relation", "Reported as fact", "Claimed", "Hedged", "Denied"):
            assert f">{kind}</span>" in reader  # the legend explains every colour and every line
        assert 'href="/static/article.css"' in page
    # the same page: the site's links are files (.html), the server's paths
    assert 'href="/kgpub/id/mustafa-al-kadhemi.html"' in site_page or name != AFP
    unsuffixed = re.sub(r'href="(/[^"#?]*)\.html(#[^"]*)?"', r'href="\1\2"', _reader_part(site_page))
    assert unsuffixed == _reader_part(served_page)


@pytest.mark.slow
def test_the_published_text_is_whole_with_its_header(article_site: Path) -> None:
    from test_site import _parsed, _shown_text

    page = (article_site / f"kgpub/id/article/{STATE}.html").read_text(encoding="utf-8")
    text = (SEEDS / "articles" / f"{STATE}.txt").read_text(encoding="utf-8")
    assert _shown_text(page) == text
    head = page.split('class="article-head"', 1)[1].split("</header>", 1)[0]
    assert "3 January 2020" in head and 'href="/kgpub/id/us-department-of-state.html"' in head
    assert 'href="https://kg.usembassy.gov/statement-on-iranian-backed-attacks-on-u-s-embassy-baghdad/"' in head
    assert 'rel="license">No Copyright - United States (a US government work)</a>' in head and "<dt>Credit</dt>" in head
    parsed = _parsed(article_site / f"kgpub/id/article/{STATE}.html")
    assert all(text[s:e] == t for (s, e), t in zip(parsed.marks, parsed.mark_text))
    data = page.split('<section class="data"', 1)[1]
    assert "oa:hasSource" in data and "/evidence/1" in data  # the evidence IRIs: in the data section, and there only


# --------------------------------------------------------------------------- in Chromium

FIRST_SCREEN = """
var h=window.innerHeight,w=window.innerWidth;
var marks=[].slice.call(document.querySelectorAll('.text mark')).filter(function(m){
  var r=m.getBoundingClientRect();return r.top>=0&&r.bottom<=h&&r.width>0;});
var text=document.querySelector('.text').getBoundingClientRect();
return {h:h,w:w,marks:marks.length,textTop:text.top,scroll:document.documentElement.scrollWidth};
"""

PANEL = """
var q=document.getElementById(arguments[0]);var p=q.querySelector(':scope>.panel');
var r=p.getBoundingClientRect(),t=document.querySelector('.text,.quotes').getBoundingClientRect();
var m=q.querySelector('mark').getBoundingClientRect();
return {shown:getComputedStyle(p).display,top:r.top,bottom:r.bottom,left:r.left,right:r.right,textRight:t.right,
        markTop:m.top,h:window.innerHeight,w:window.innerWidth,words:p.textContent,
        others:[].slice.call(document.querySelectorAll('.panel')).filter(function(x){return getComputedStyle(x).display!=='none';}).length};
"""


def _viewport(browser: Any, width: int, height: int) -> None:
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


@pytest.mark.slow
@pytest.mark.parametrize("where", ["site", "serve"])
def test_in_chromium_the_first_screen_shows_highlighted_text_and_a_click_opens_the_fact(
        where: str, article_site: Path, article_served: str, browser: Any, axe_script: str) -> None:  # noqa: F811
    import functools
    import http.server
    import threading

    from servers import free_port

    server = None
    if where == "site":
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()),
                                                 functools.partial(Quiet, directory=str(article_site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/kgpub/id/article/{STATE}.html"
    else:
        url = f"{article_served}/kgpub/id/article/{STATE}"
    try:
        _viewport(browser, 1280, 800)
        browser.get(url)
        first = browser.execute_script(FIRST_SCREEN)
        assert first["h"] == 800 and first["textTop"] < 800 and first["marks"] >= 3, first
        links = browser.find_elements("css selector", ".text mark a")
        target = links[len(links) // 2]
        anchor = target.get_dom_attribute("href")[1:]
        target.click()
        assert browser.current_url.endswith("#" + anchor)
        panel = browser.execute_script(PANEL, anchor)
        assert panel["shown"] != "none" and panel["others"] == 1, panel
        assert 0 <= panel["top"] < panel["h"] and panel["left"] >= panel["textRight"], panel  # beside the text, in view
        assert "How sure" in panel["words"] and "According to" in panel["words"]
        axe.check(browser, axe_script, f"{where}: article page with quote {anchor}'s panel open")
        from test_site import ARTEFACTS

        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(ARTEFACTS / f"article-{where}-panel.png"))
        _viewport(browser, 390, 844)  # a phone: the panel below the quote, nothing wider than the screen
        browser.get(url.split("#")[0] + "#" + anchor)
        phone = browser.execute_script(PANEL, anchor)
        assert phone["shown"] != "none" and phone["top"] > phone["markTop"] and phone["right"] <= phone["w"], phone
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
        axe.check(browser, axe_script, f"{where}: article page at a phone's width, quote {anchor}'s panel open")
        # the quotes alone (the AFP text is not published): each opens its panel too
        afp = url.replace(STATE, AFP)
        browser.get(afp + "#q-12")
        listed = browser.execute_script(PANEL.replace("q.querySelector('mark')", "q.querySelector('q')"), "q-12")
        assert listed["shown"] != "none" and listed["others"] == 1 and listed["right"] <= listed["w"], listed
        axe.check(browser, axe_script, f"{where}: the AFP article's quotes at a phone's width, quote 12 open")
        browser.save_screenshot(str(ARTEFACTS / f"article-{where}-phone.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        if server is not None:
            server.shutdown()



def test_a_quote_s_link_is_its_highlight_on_the_article_page(pages: Any) -> None:
    """Every quote of every fact links to the article's highlight of that very quote (``#q-N``)."""
    import pyoxigraph as ox

    checked = 0
    for name in [BASE + f"article/{STATE}", BASE + f"article/{AFP}", *(
            iri for iri in pages.nodes() if iri.startswith(BASE + "article/") and iri.count("/") == BASE.count("/") + 1)]:
        by_number = {q.n: q for q in article_page.highlights(pages, name)}
        for t in pages.incoming(ox.NamedNode(name)):
            if t.predicate.value != OA_SOURCE:
                continue
            start, end, exact = pages.selected(t.subject)
            href = pages.quote_href(name, start, end, exact)
            n = int(href.rsplit("#q-", 1)[1])
            assert (by_number[n].start, by_number[n].end, by_number[n].exact) == (start, end, exact)
            checked += 1
    assert checked > 100


def test_a_quote_s_place_is_read_one_way_for_its_fact_and_its_article() -> None:
    """The text comes from the quote selector and the offsets from the position selector only: an untyped
    selector's offsets are no place, for the fact's quote and for the article's numbering alike."""
    import pyoxigraph as ox

    from kgpub.web.site import Snapshot

    n, oa, kg = ox.NamedNode, "http://www.w3.org/ns/oa#", "https://w3id.org/kgpub/ontology#"
    rdf_type = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    fact, ann, quote, loose, art = (n(BASE + x) for x in ("f", "f/evidence/1", "f/q", "f/p", "article/a"))
    triples = [ox.Triple(fact, n(kg + "evidence"), ann), ox.Triple(ann, rdf_type, n(oa + "Annotation")),
               ox.Triple(ann, n(oa + "hasSource"), art), ox.Triple(ann, n(oa + "hasSelector"), quote),
               ox.Triple(ann, n(oa + "hasSelector"), loose), ox.Triple(quote, rdf_type, n(oa + "TextQuoteSelector")),
               ox.Triple(quote, n(oa + "exact"), ox.Literal("said")), ox.Triple(loose, n(oa + "start"), ox.Literal("4")),
               ox.Triple(loose, n(oa + "end"), ox.Literal("8"))]
    pages = Snapshot(triples, BASE, "/id/", {})
    assert pages.selected(ann) == (None, None, "said")
    [ev] = pages.evidence(fact)
    assert (ev.start, ev.end, ev.exact) == (None, None, "said")
    assert pages.quote_numbers(art.value) == {(None, None, "said"): 1}
    typed = Snapshot([*triples, ox.Triple(loose, rdf_type, n(oa + "TextPositionSelector"))], BASE, "/id/", {})
    assert typed.selected(ann) == (4, 8, "said") == (typed.evidence(fact)[0].start, typed.evidence(fact)[0].end, "said")
    assert typed.quote_href(art.value, 4, 8, "said") == "/id/article/a.html#q-1"


@pytest.mark.slow
def test_every_quote_shown_elsewhere_links_to_its_place_in_the_article(article_site: Path) -> None:
    """A fact's, an actor's or an event's page links each quote to the article at its anchor (``#q-N``), and that
    anchor is on the article's page."""
    articles: dict[str, str] = {}
    linked = 0
    for path in sorted(article_site.rglob("*.html")):
        page = path.read_text(encoding="utf-8")
        for target, n in re.findall(r'href="(/kgpub/id/article/[^"#/]+\.html)#q-(\d+)"', page):
            if target not in articles:
                articles[target] = (article_site / target.lstrip("/")).read_text(encoding="utf-8")
            assert f'id="q-{n}"' in articles[target], (path, target, n)
            linked += 1
    assert linked > 50
    kadhemi = (article_site / "kgpub/id/mustafa-al-kadhemi.html").read_text(encoding="utf-8")
    assert re.search(r'href="/kgpub/id/article/[^"#]+\.html#q-\d+"', kadhemi)  # the actor's quotes lead into the text
