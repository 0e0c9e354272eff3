"""The SPARQL page: a browser asking ``/sparql?query=...`` gets the page with the answer as a table in pages, its
permalink and its downloads, while every SPARQL client still gets results; the examples are the shipped queries and
run anywhere; the editor is CodeMirror, vendored from its npm package, pinned and licence-checked; a static site's
page keeps the queries and says where to run them."""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

import kgpub
from kgpub.rdf import vocab
from kgpub.sparql.local import local_prefixes
from kgpub.sparql.shipped import shipped_queries
from kgpub.web import templating, views
from kgpub.web.pages import Pages
from kgpub.web.serving import wants_page
from kgpub.web.sparql_page import PAGE_SIZE, examples
from conftest import require
from test_serve import served  # noqa: F401  (the real server, started once for this module)
from test_site import browser  # noqa: F401  (Debian's Chromium, headless)

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "src" / "kgpub" / "web" / "static" / "vendor"
NPM = ROOT / "tests" / "npm"
INSTALLED = ROOT / ".cache" / "npm" / "node_modules"
#: Licences a vendored package may have: permissive ones whose only condition is to keep the notice (its LICENSE
#: file is vendored and served with it).
ALLOWED = {"MIT", "ISC", "BSD-2-Clause", "BSD-3-Clause", "Apache-2.0"}
#: What each allowed licence's text says, to know the LICENSE file is that licence.
LICENCE_TEXT = {"MIT": "Permission is hereby granted, free of charge", "ISC": "Permission to use, copy, modify",
                "BSD-2-Clause": "Redistribution and use in source and binary forms",
                "BSD-3-Clause": "Neither the name of", "Apache-2.0": "Apache License"}
#: The prefixes a build's endpoint predeclares (the vocabulary's, and ``id:`` for its base).
PREFIXES = {**vocab.PREFIXES, "id": "https://w3id.org/kgpub/id/"}
#: A browser's Accept (Chromium's, for a page).
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
#: A query whose answer takes three pages: every triple about the events, in a fixed order.
PAGED = ("SELECT ?s ?p ?o WHERE { ?s a kg:Event ; ?p ?o } ORDER BY ?s ?p ?o LIMIT " + str(2 * PAGE_SIZE + 37))


def records() -> list[tuple[Path, dict]]:
    return [(p.parent, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(VENDOR.glob("*/VENDORED.json"))]


# --------------------------------------------------------------------------- the vendored package


def test_every_vendored_file_is_recorded_unchanged_under_an_allowed_licence() -> None:
    found = records()
    assert found, "no vendored package"
    listed = set()
    for folder, record in found:
        assert record["license"] in ALLOWED, record
        assert re.fullmatch(r"\d+\.\d+\.\d+", record["version"]) and record["integrity"].startswith("sha512-")
        names = {f["file"] for f in record["files"]}
        assert "LICENSE" in names  # the notice travels with the code, into every site
        assert LICENCE_TEXT[record["license"]] in (folder / "LICENSE").read_text(encoding="utf-8")
        for entry in record["files"]:
            assert hashlib.sha256((folder / entry["file"]).read_bytes()).hexdigest() == entry["sha256"], entry["file"]
            listed.add(folder / entry["file"])
        listed.add(folder / "VENDORED.json")
    assert {p for p in VENDOR.rglob("*") if p.is_file()} == listed  # nothing vendored beside the record
    served = templating.static_files()
    assert all(p.relative_to(VENDOR.parent).as_posix() in served for p in listed)


def test_the_vendored_package_is_pinned_in_the_npm_lock() -> None:
    """tests/npm pins the very version, and its lock the very tarball, that the record names: the package
    scripts/npm-deps.sh installs is the one the files were copied from."""
    package = json.loads((NPM / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((NPM / "package-lock.json").read_text(encoding="utf-8"))
    for _, record in records():
        name = record["package"]
        assert package["dependencies"][name] == record["version"]  # exact, not a range
        locked = lock["packages"][f"node_modules/{name}"]
        assert (locked["version"], locked["integrity"], locked["license"]) == \
               (record["version"], record["integrity"], record["license"])


def test_the_vendored_files_are_the_npm_packages_own() -> None:
    """Byte for byte the files of the package as npm installed it (``npm ci`` checks the tarball's integrity)."""
    for _, record in records():
        installed = INSTALLED / record["package"]
        require((installed / "package.json").is_file(), f"{record['package']} from npm (scripts/npm-deps.sh)")
        meta = json.loads((installed / "package.json").read_text(encoding="utf-8"))
        assert (meta["name"], meta["version"], meta["license"]) == (record["package"], record["version"],
                                                                     record["license"])
        for entry in record["files"]:
            digest = hashlib.sha256((installed / entry["from"]).read_bytes()).hexdigest()
            assert digest == entry["sha256"], entry["from"]


# --------------------------------------------------------------------------- who gets the page


@pytest.mark.parametrize("accept, page", [
    (BROWSER, True), ("text/html", True), ("text/html, application/sparql-results+json", True),
    ("", False), ("*/*", False), ("application/sparql-results+json", False), ("application/sparql-results+xml", False),
    ("text/csv", False), ("text/tab-separated-values", False), ("text/*", False), ("application/xml, text/html;q=0.5", False),
    ("application/sparql-results+json, text/html", False), ("text/html;q=0, */*", False), ("text/turtle", False),
])
def test_only_a_request_that_prefers_html_gets_the_page(accept: str, page: bool) -> None:
    assert wants_page(accept) is page


# --------------------------------------------------------------------------- the examples


def test_every_shipped_query_is_an_example_that_runs_on_an_engine_that_predeclares_nothing() -> None:
    shown = examples(PREFIXES)
    assert [e.name for e in shown[1:]] == [q.name for q in shipped_queries()]
    store = ox.Store()  # no prefix predeclared: a missing PREFIX line is a syntax error here
    for example in shown:
        store.query(example.text)
    about = next(e for e in shown if e.name == "about")  # its parameter bound to the example its description gives
    assert re.search(r"^VALUES \?entity \{ id:mustafa-al-kadhemi \}$", about.text, re.MULTILINE)


def test_a_static_site_page_keeps_the_queries_and_says_where_to_run_them(tmp_path: Path) -> None:
    pages = Pages("https://w3id.org/kgpub/id/", "/kgpub/id/", PREFIXES)
    build = views.Build(pages, None, tmp_path, list, live=False)
    status, body = views.draw(views.by_name("sparql"), build, views.Ask(None, {"query": "ASK {}"}))
    text = html.unescape((body or b"").decode("utf-8"))
    assert status == 200 and "kgpub query" in text and "kgpub serve" in text and "<form" not in text
    scripts = re.findall(r'<script src="([^"]+)"', text)  # the highlighting only, from the site's own files
    assert scripts and all(src.removeprefix("/static/") in templating.static_files() for src in scripts)
    for example in examples(PREFIXES):
        assert example.text.strip() in text, example.name
        if example.name:
            assert f"kgpub query {example.name}" in text


# --------------------------------------------------------------------------- on a server

def _textarea(page: str) -> str:
    found = re.search(r'<textarea id="query"[^>]*>(.*?)</textarea>', page, re.DOTALL)
    assert found, page[:500]
    return html.unescape(found.group(1))


def _cells(page: str) -> list[list[str]]:
    """The answer's table: each row's cells, an IRI by its full IRI (its link's title), a literal by its text."""
    body = re.search(r'<table id="rows">.*?<tbody>(.*?)</tbody>', page, re.DOTALL)
    assert body, "no answer table"
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.DOTALL):
        cells = []
        for cell in re.findall(r"<td>(.*?)</td>", row, re.DOTALL):
            link = re.match(r'<a href="[^"]*" title="([^"]*)">', cell)
            cells.append(html.unescape(link.group(1)) if link else html.unescape(re.sub(r"<small.*", "", cell)).strip())
        rows.append(cells)
    return rows


def _values(rows: list[dict], variables: tuple[str, ...]) -> list[list[str]]:
    return [[row[v]["value"] if v in row else "" for v in variables] for row in rows]


def _links(page: str, css_class: str) -> dict[str, str]:
    return {html.unescape(text): html.unescape(href)
            for href, text in re.findall(rf'<a class="{css_class}" href="([^"]+)"[^>]*>([^<]+)</a>', page)}


@pytest.mark.slow
def test_a_browser_gets_the_page_with_the_answer_and_a_client_gets_results(served: str, seed_build: Path) -> None:
    query = "SELECT ?who WHERE { ?e kg:accused ?who } ORDER BY ?who"
    expected = kgpub.query(query, seed_build)
    page = requests.get(served + "/sparql", params={"query": query}, headers={"Accept": BROWSER}, timeout=60)
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert "Accept" in page.headers["vary"].split(", ") and _textarea(page.text) == query
    assert _cells(page.text) == _values(expected.rows, expected.variables)
    posted = requests.post(served + "/sparql", data={"query": query}, headers={"Accept": BROWSER}, timeout=60)
    assert posted.headers["content-type"].startswith("text/html") and _cells(posted.text) == _cells(page.text)
    # SPARQL clients: results, as the protocol says, whatever else they would also take
    for accept, media in (("application/sparql-results+json", "application/sparql-results+json"),
                          ("application/sparql-results+xml", "application/sparql-results+xml"),
                          ("text/csv", "text/csv"), ("text/tab-separated-values", "text/tab-separated-values"),
                          ("*/*", "application/sparql-results+json"), (None, "application/sparql-results+json"),
                          ("application/sparql-results+json, text/html;q=0.9", "application/sparql-results+json")):
        headers = {"Accept": accept} if accept else {}
        session = requests.Session()
        if accept is None:
            session.headers.pop("Accept")  # no Accept header at all
        got = session.get(served + "/sparql", params={"query": query}, headers=headers, timeout=60)
        assert got.status_code == 200 and got.headers["content-type"].split(";")[0] == media, accept
        assert "<html" not in got.text and "content-disposition" not in got.headers
    constructed = requests.get(served + "/sparql", params={"query": "CONSTRUCT WHERE { ?e a kg:Event } LIMIT 3"},
                               headers={"Accept": "text/turtle"}, timeout=60)
    assert constructed.headers["content-type"].startswith("text/turtle")


@pytest.mark.slow
def test_the_answer_is_paged(served: str, seed_build: Path) -> None:
    expected = kgpub.query(PAGED, seed_build)
    total = len(expected.rows)
    assert total == 2 * PAGE_SIZE + 37  # the seed has enough: the query is cut by its LIMIT, three pages
    everything = _values(expected.rows, expected.variables)
    seen: list[list[str]] = []
    page = requests.get(served + "/sparql", params={"query": PAGED}, headers={"Accept": BROWSER}, timeout=60).text
    for number in (1, 2, 3):
        status = re.search(r'<p id="status" role="status">(.*?)</p>', page).group(1)  # type: ignore[union-attr]
        first, last = (number - 1) * PAGE_SIZE + 1, min(number * PAGE_SIZE, total)
        assert html.unescape(status) == f"Rows {first}–{last} of {total} (page {number} of 3)."
        rows = _cells(page)
        assert rows == everything[first - 1:last]
        seen += rows
        following = re.search(r'<a href="([^"]+)" rel="next">Next</a>', page)
        if number < 3:
            assert following, number
            page = requests.get(served + html.unescape(following.group(1)), headers={"Accept": BROWSER}, timeout=60).text
        else:
            assert following is None and 'rel="prev"' in page
    assert seen == everything
    beyond = requests.get(served + "/sparql", params={"query": PAGED, "page": "99"}, headers={"Accept": BROWSER},
                          timeout=60)
    assert _cells(beyond.text) == everything[2 * PAGE_SIZE:]  # a page past the end is the last


@pytest.mark.slow
def test_the_downloads_are_the_endpoints_own_results(served: str) -> None:
    query = "SELECT ?event ?label WHERE { ?event a kg:Event ; rdfs:label ?label } ORDER BY ?event"
    page = requests.get(served + "/sparql", params={"query": query}, headers={"Accept": BROWSER}, timeout=60).text
    downloads = _links(page, "download")
    assert {"CSV", "JSON"} <= set(downloads)
    for name, accept in (("CSV", "text/csv"), ("JSON", "application/sparql-results+json"),
                         ("TSV", "text/tab-separated-values"), ("XML", "application/sparql-results+xml")):
        got = requests.get(served + downloads[name], headers={"Accept": BROWSER}, timeout=60)  # clicked in a browser
        direct = requests.get(served + "/sparql", params={"query": query}, headers={"Accept": accept}, timeout=60)
        assert got.status_code == 200 and got.content == direct.content and len(direct.content) > 100, name
        assert got.headers["content-type"] == direct.headers["content-type"]
        assert got.headers["content-disposition"] == f'attachment; filename="answer.{name.lower()}"'
    csv_rows = requests.get(served + downloads["CSV"], timeout=60).text.splitlines()
    assert csv_rows[0] == "event,label" and len(csv_rows) - 1 == len(_cells(page))
    asked = requests.get(served + "/sparql", params={"query": "ASK { ?e a kg:Event }"}, headers={"Accept": BROWSER},
                         timeout=60).text
    assert "<strong>yes</strong>" in asked and set(_links(asked, "download")) == {"JSON", "XML"}
    assert requests.get(served + _links(asked, "download")["JSON"], timeout=60).json() == {"head": {}, "boolean": True}
    # a format the answer has none of is left to Accept (SPARQLWrapper sends format=xml with every query)
    other = requests.get(served + "/sparql", params={"query": "ASK {}", "format": "csv"}, timeout=60)
    assert other.status_code == 200 and other.json()["boolean"] is True and "content-disposition" not in other.headers
    graph = requests.get(served + "/sparql", params={"query": "CONSTRUCT WHERE { ?e a kg:Event } LIMIT 2",
                                                     "format": "xml"}, headers={"Accept": "application/rdf+xml"}, timeout=60)
    assert graph.headers["content-type"].startswith("application/rdf+xml")


@pytest.mark.slow
def test_the_permalink_reopens_the_query_and_runs_it(served: str, seed_build: Path) -> None:
    query = "PREFIX kg: <https://w3id.org/kgpub/ontology#>\n# who was killed\nSELECT ?v WHERE { ?e kg:victim ?v } ORDER BY ?v"
    posted = requests.post(served + "/sparql", data={"query": query}, headers={"Accept": BROWSER}, timeout=60).text
    permalink = html.unescape(re.search(r'<a id="permalink" href="([^"]+)"', posted).group(1))  # type: ignore[union-attr]
    assert permalink.startswith("/sparql?query=")
    reopened = requests.get(served + permalink, headers={"Accept": BROWSER}, timeout=60)
    expected = kgpub.query(query, seed_build)
    assert reopened.status_code == 200 and _textarea(reopened.text) == query
    assert _cells(reopened.text) == _values(expected.rows, expected.variables) and expected.rows


@pytest.mark.slow
def test_the_page_offers_every_example_and_refuses_what_the_endpoint_refuses(served: str, seed_build: Path) -> None:
    page = requests.get(served + "/sparql", headers={"Accept": BROWSER}, timeout=60).text
    offered = re.findall(r'<option value="([^"]*)"', page)
    assert offered == [""] + [q.name for q in shipped_queries()]
    texts = json.loads(html.unescape(re.search(r'<script type="application/json" id="example-texts">(.*?)</script>',
                                               page, re.DOTALL).group(1)))  # type: ignore[union-attr]
    for example in examples(local_prefixes(seed_build)):
        assert texts[example.name] == example.text
        if example.name in ("timeline", "accusations"):  # one without JavaScript: the server puts it in the editor
            opened = requests.get(served + "/sparql", params={"example": example.name}, headers={"Accept": BROWSER},
                                  timeout=60).text
            assert _textarea(opened) == example.text and f'value="{example.name}" selected' in opened
    missing = requests.get(served + "/sparql", params={"example": "nothing"}, headers={"Accept": BROWSER}, timeout=60)
    assert missing.status_code == 404 and "no example named" in missing.text
    wrong = requests.get(served + "/sparql", params={"query": "SELECT WHERE {"}, headers={"Accept": BROWSER}, timeout=60)
    assert wrong.status_code == 400 and 'role="alert"' in wrong.text and _textarea(wrong.text) == "SELECT WHERE {"
    remote = requests.get(served + "/sparql", headers={"Accept": BROWSER}, timeout=60,
                          params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
    assert remote.status_code == 400 and "SERVICE" in remote.text


# --------------------------------------------------------------------------- in a real browser


def _editor_value(browser) -> str:  # type: ignore[no-untyped-def]
    return browser.execute_script("return document.querySelector('.CodeMirror').CodeMirror.getValue()")


@pytest.mark.slow
def test_the_editor_highlights_and_an_example_fills_the_table(browser, served: str, seed_build: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait
    from test_site import _errors

    browser.get(served + "/sparql")
    WebDriverWait(browser, 30).until(lambda d: d.find_elements("css selector", ".CodeMirror .CodeMirror-code"))
    assert not browser.find_element("id", "query").is_displayed()  # the textarea became the editor
    keywords = {e.text for e in browser.find_elements("css selector", ".CodeMirror .cm-keyword")}
    assert {"PREFIX", "SELECT", "WHERE"} <= keywords  # CodeMirror's SPARQL mode, from this server's files
    assert "?event" in {e.text for e in browser.find_elements("css selector", ".CodeMirror .cm-variable-2")}
    assert not browser.find_element("css selector", "#examples button").is_displayed()  # the choice fills the editor
    shown = {e.name: e for e in examples(local_prefixes(seed_build))}
    Select(browser.find_element("id", "example")).select_by_value("accusations")
    assert _editor_value(browser) == shown["accusations"].text
    assert browser.find_elements("css selector", ".CodeMirror .cm-comment")  # the query's header comments
    browser.find_element("css selector", "#editor button").click()
    WebDriverWait(browser, 60).until(lambda d: d.find_elements("css selector", "#rows tbody tr"))
    expected = kgpub.query(shown["accusations"].text, seed_build)
    rows = browser.find_elements("css selector", "#rows tbody tr")
    assert len(rows) == len(expected.rows) > 5 and "/sparql?query=" in browser.current_url
    heads = [th.text for th in browser.find_elements("css selector", "#rows thead th")]
    assert heads == list(expected.variables)
    assert [td.text for td in rows[0].find_elements("tag name", "td")][2] == expected.rows[0]["allegation"]["value"]
    assert _editor_value(browser) == shown["accusations"].text  # the query stays in the editor, its example chosen
    assert Select(browser.find_element("id", "example")).first_selected_option.get_attribute("value") == "accusations"
    assert "%0D%0A" not in browser.find_element("id", "permalink").get_attribute("href")  # the form's CRLF made LF
    assert _errors(browser) == []
    # Ctrl-Enter runs what is in the editor
    query = "SELECT ?place WHERE { ?e kg:place ?place } ORDER BY ?place LIMIT 3"
    browser.execute_script("document.querySelector('.CodeMirror').CodeMirror.setValue(arguments[0])", query)
    browser.find_element("css selector", ".CodeMirror-code").click()
    before = browser.current_url
    browser.switch_to.active_element.send_keys(Keys.CONTROL, Keys.ENTER)
    WebDriverWait(browser, 60).until(lambda d: d.current_url != before)
    assert _editor_value(browser) == query
    assert len(browser.find_elements("css selector", "#rows tbody tr")) == 3 and _errors(browser) == []


@pytest.mark.slow
def test_the_permalink_opens_the_query_in_the_editor_and_its_answer(browser, served: str, seed_build: Path) -> None:  # type: ignore[no-untyped-def]
    from test_site import _errors

    browser.get(served + "/sparql?" + requests.compat.urlencode({"query": PAGED}))
    assert _editor_value(browser) == PAGED
    permalink = browser.find_element("id", "permalink").get_attribute("href")
    browser.find_element("css selector", 'a[rel="next"]').click()
    assert "page 2 of 3" in browser.find_element("id", "status").text
    first = browser.find_element("css selector", "#rows tbody tr td a").get_attribute("title")
    expected = kgpub.query(PAGED, seed_build).rows
    assert first == expected[PAGE_SIZE]["s"]["value"]
    browser.get(permalink)
    assert _editor_value(browser) == PAGED and len(browser.find_elements("css selector", "#rows tbody tr")) == PAGE_SIZE
    assert _errors(browser) == []


@pytest.mark.slow
def test_a_static_sites_page_highlights_its_queries(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import http.server
    import threading
    from functools import partial

    from servers import free_port
    from test_site import _errors

    pages = Pages("https://w3id.org/kgpub/id/", "/kgpub/id/", PREFIXES)
    _, body = views.draw(views.by_name("sparql"), views.Build(pages, None, tmp_path, list, live=False))
    (tmp_path / "sparql.html").write_bytes(body or b"")
    for name, data in templating.static_files().items():
        (tmp_path / "static" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "static" / name).write_bytes(data)
    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), partial(http.server.SimpleHTTPRequestHandler,
                                                                           directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        browser.get(f"http://127.0.0.1:{port}/sparql.html")
        blocks = browser.find_elements("css selector", "pre.query code")
        shown = examples(PREFIXES)
        assert len(blocks) == len(shown)  # the starting query and every example
        for block, example in zip(blocks, shown):
            assert block.get_attribute("textContent") == example.text  # the text as it is, only coloured
            keywords = {e.get_attribute("textContent") for e in block.find_elements("css selector", ".cm-keyword")}
            assert {"PREFIX", "SELECT"} <= keywords, example.name
        assert _errors(browser) == []
    finally:
        server.shutdown()


@pytest.mark.slow
@pytest.mark.parametrize("query", [PAGED, "SELECT ?label ?date WHERE { ?e a kg:Event ; rdfs:label ?label ; kg:date ?date }",
                                   "ASK { ?e a kg:Event }"])
def test_the_page_with_an_answer_passes_axe_at_a_desktop_and_a_phones_width(query: str, browser, served: str) -> None:  # type: ignore[no-untyped-def]
    import axe
    from test_accessibility import DESKTOP, PHONE

    source = axe.script()
    require(source, "axe-core (npm, scripts/npm-deps.sh)")
    assert source is not None
    url = served + "/sparql?" + requests.compat.urlencode({"query": query})
    try:
        for size in (DESKTOP, PHONE):
            browser.set_window_size(*size)
            browser.get(url)
            assert browser.find_elements("id", "status")
            width, inner = browser.execute_script("return [document.scrollingElement.scrollWidth, window.innerWidth]")
            assert width <= inner, f"{width}px wide in a {inner}px window"
            axe.check(browser, source, f"the SPARQL page with an answer at {size[0]}x{size[1]}")
    finally:
        browser.set_window_size(*DESKTOP)
