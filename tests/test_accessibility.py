"""Every kind of page, on the real server and on the real static site, checked by axe-core in Chromium: no
violation of WCAG 2.x A/AA or of axe's best practices, at a desktop width and at a phone's, where the page
must also fit the screen's width (a wide table or picture scrolls in its own box, never the page)."""

from __future__ import annotations

from typing import Any

import pytest

import axe
from conftest import require
from test_serve import served  # noqa: F401  (the real server on 127.0.0.1)
from test_site import browser, hosted, site  # noqa: F401  (Chromium, and the seed site on 127.0.0.1)

pytestmark = pytest.mark.slow  # the seed build, its site, a server and a browser

#: Each kind of page: its name, and its path on the server (the site's file adds ``.html``; the front page is
#: ``index.html``). The search is the front page with a name typed in its box and the hits shown.
PAGES = {
    "front": "/",
    "article": "/kgpub/id/article/state-2020-01-03",
    "actor": "/kgpub/id/mustafa-al-kadhemi",
    "event": "/kgpub/id/event/embassy-siege",
    "timeline": "/timeline",
    "search": "/",
    "sparql": "/sparql",
    "ontology": "/ontology",
    "queries": "/queries",
}
#: A phone's window (CSS pixels) and the desktop window the browser fixture opens with.
PHONE = (375, 740)
DESKTOP = (1280, 1600)


@pytest.fixture(params=["serve", "site"])
def base(request: pytest.FixtureRequest) -> tuple[str, str]:
    """Where the pages are, and what a page's path ends with there: the server answers paths, the site has files."""
    if request.param == "serve":
        return request.getfixturevalue("served"), ""
    return request.getfixturevalue("hosted").rstrip("/"), ".html"


@pytest.fixture(scope="module")
def axe_script() -> str:
    source = axe.script()
    require(source, "axe-core (npm, scripts/npm-deps.sh)")
    assert source is not None
    return source


def _open(driver: Any, base: tuple[str, str], kind: str) -> str:
    """Open a kind of page (the search with a name typed and its hits shown) and return its address."""
    from selenium.webdriver.support.ui import WebDriverWait

    root, suffix = base
    path = PAGES[kind]
    url = root + (path if path == "/" and not suffix else (path.rstrip("/") or "/index") + suffix)
    driver.get(url)
    assert driver.find_element("tag name", "h1").text, url
    if kind == "search":
        driver.find_element("id", "q").send_keys("Kadhimi")
        WebDriverWait(driver, 10).until(lambda d: d.find_elements("css selector", "#hits li a"))
    return url


@pytest.mark.parametrize("kind", list(PAGES))
def test_no_accessibility_violation(kind: str, base: tuple[str, str], browser: Any, axe_script: str) -> None:  # noqa: F811
    browser.set_window_size(*DESKTOP)
    url = _open(browser, base, kind)
    axe.check(browser, axe_script, f"{kind} page {url}")


@pytest.mark.parametrize("kind", list(PAGES))
def test_a_phone_reads_it_without_scrolling_sideways(kind: str, base: tuple[str, str], browser: Any,  # noqa: F811
                                                    axe_script: str) -> None:
    browser.set_window_size(*PHONE)
    try:
        url = _open(browser, base, kind)
        width, inner = browser.execute_script(
            "return [document.scrollingElement.scrollWidth, window.innerWidth]")
        wide = browser.execute_script(WIDEST, inner)
        assert width <= inner, f"{kind} page {url} is {width}px wide in a {inner}px window; widest: {wide}"
        axe.check(browser, axe_script, f"{kind} page {url} at {PHONE[0]}x{PHONE[1]}")
    finally:
        browser.set_window_size(*DESKTOP)


#: The elements that reach past the window's right edge, outermost first (what a failure names to fix).
WIDEST = """
var inner = arguments[0], out = [];
document.querySelectorAll('body *').forEach(function (e) {
  var r = e.getBoundingClientRect();
  if (r.right > inner + 1 && out.length < 5) {
    out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && e.className.baseVal === undefined
      ? '.' + e.className : '') + ' right=' + Math.round(r.right));
  }
});
return out;
"""
