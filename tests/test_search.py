"""The front page's search: an entity is found by its label, its aliases and the spellings duplicate detection takes
for one name, exact matches first, alike in ``kgpub serve`` and ``kgpub site``.

The index (``search.js``) is made in Python with :mod:`kgpub.corpus.identity`'s keys; the ranking runs in the
browser (``web/static/find.js``), so it is tested in Chromium on both backends' data, and its folding of what is
typed is checked equal to ``name_key`` and ``skeleton`` on every name of the seeds and on generated text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kgpub
from kgpub.corpus import identity
from kgpub.web import templating
from kgpub.web.pages import Pages
from test_serve import served  # noqa: F401  (the real server)
from test_site import _errors, browser, hosted, site  # noqa: F401  (Chromium, the site on a static server)


def decoded(script: str) -> dict[str, Any]:
    """The data of a ``search.js``."""
    return json.loads(script[script.index("=") + 1:].rstrip().rstrip(";"))


def rows(script: str) -> list[tuple[str, str, str, str | None]]:
    """(label, kind, link, keys) of each row of a ``search.js``, in its order."""
    data = decoded(script)
    return [(r[0], data["kinds"][r[1]], data["root"] + r[2] + data["suffix"], r[3] if len(r) > 3 else None)
            for r in data["rows"]]


@pytest.fixture(scope="module")
def site_search(seed_build: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("search") / "site"
    kgpub.site(seed_build, out)
    return (out / "search.js").read_text(encoding="utf-8")


def _names(seed_build: Path) -> dict[str, tuple[str, list[str]]]:
    """Each entity's label and aliases (``skos:altLabel``) as the build has them, by its local name."""
    found: dict[str, tuple[str, list[str]]] = {}
    for row in kgpub.query("""SELECT ?e ?l ?a WHERE { ?e rdfs:label ?l { ?e a kg:Agent } UNION { ?e a kg:Place }
                              OPTIONAL { ?e skos:altLabel ?a } FILTER (STRSTARTS(STR(?e), STR(id:))) }""",
                           seed_build).rows:
        local = row["e"]["value"].rsplit("/id/", 1)[1]
        label, aliases = found.setdefault(local, (row["l"]["value"], []))
        if row.get("a") and row["a"]["value"] not in aliases:
            aliases.append(row["a"]["value"])
    return found


def test_an_entitys_keys_are_identitys_keys_of_its_label_and_aliases_each_once(site_search: str,
                                                                                seed_build: Path) -> None:
    names = _names(seed_build)
    listed = {href.removeprefix("/kgpub/id/").removesuffix(".html"): (label, keys)
              for label, _, href, keys in rows(site_search)}
    assert len(names) > 20
    for local, (label, aliases) in names.items():
        shown, keys = listed[local]
        assert shown == label and keys is not None
        spelled, skeletons = keys.split("/")
        every = [label, *sorted(aliases)]
        assert spelled.split("|") == list(dict.fromkeys(identity.name_key(n) for n in every)), local
        assert skeletons.split("|") == list(dict.fromkeys(identity.skeleton(n) for n in every)), local
    assert "pmf" in listed["hashed-al-shaabi"][1].split("/")[0].split("|")  # registry aliases, in the graph
    assert "aah" in listed["asaib-ahl-al-haq"][1].split("/")[0].split("|")
    assert "mustafa kadhimi" in listed["mustafa-al-kadhemi"][1].split("/")[0].split("|")
    others = [r for r in rows(site_search) if r[2].removeprefix("/kgpub/id/").removesuffix(".html") not in names]
    assert others and all(keys is None for *_, keys in others)  # facts and articles: found by their label alone


def test_the_index_is_small_kinds_and_links_written_once(site_search: str) -> None:
    data = decoded(site_search)
    assert data["root"] == "/kgpub/id/" and data["suffix"] == ".html" and data["rules"] == identity.rules()
    assert all(isinstance(r[1], int) and not r[2].startswith("/") and not r[2].endswith(".html") for r in data["rows"])
    entities = [r for r in data["rows"] if len(r) > 3]
    # entities first, then the articles, then the rest: the order hits of one rank are shown in
    assert data["rows"][:len(entities)] == entities
    # what the keys add is the entities' names: at most a fifth of the file at the seeds' size
    assert sum(len(r[3]) for r in entities) < len(site_search.encode()) / 5


def test_search_data_of_a_hand_made_build() -> None:
    pages = Pages("https://example.org/id/", "/id/", {})
    script = pages.search_data([("Zed event", "kg:Event", "https://example.org/id/z", None),
                                ("Hashed al-Shaabi", "kg:Agent", "https://example.org/id/h", ["PMF", "Hashd", "PMF"])])
    data = decoded(script.decode())
    assert data["rows"] == [["Hashed al-Shaabi", 0, "h", "hashed shaabi|hashd|pmf/hsd sb|hsd|pmf"],
                            ["Zed event", 1, "z"]]
    assert data["kinds"] == ["kg:Agent", "kg:Event"] and data["root"] == "/id/" and data["suffix"] == ""


# --------------------------------------------------------------------------- the ranking, in a real browser


def _load(browser, page: str, script: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """Open ``page`` (a front page); with ``script``, run find.js again on that search data instead."""
    browser.get(page)
    if script is not None:
        browser.execute_script(script + templating.static_files()["find.js"].decode())


def _find(browser, text: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return browser.execute_script("return window.KGPUB_FIND.find(arguments[0], 50)", text)


@pytest.mark.slow
def test_aliases_and_spellings_find_their_entity_first_alike_on_site_and_server(  # type: ignore[no-untyped-def]
        browser, hosted: str, served: str, site_search: str) -> None:
    served_search = requests.get(served + "/search.js", timeout=30).text
    assert [r[:2] + (r[2].removesuffix(".html"),) + r[3:] for r in rows(site_search)] == rows(served_search)
    answers = {}
    for front, suffix in ((hosted + "index.html", ".html"), (served + "/", "")):
        _load(browser, front)
        expected = {"Kadhimi": "mustafa-al-kadhemi", "kadhemi": "mustafa-al-kadhemi", "PMF": "hashed-al-shaabi",
                    "AAH": "asaib-ahl-al-haq", "Hashd al Shaabi": "hashed-al-shaabi",
                    "Kataib Hizbollah": "kataeb-hezbollah", "Muhandes": "abu-mahdi-al-muhandis"}
        for typed, first in expected.items():
            hits = _find(browser, typed)
            assert hits and hits[0]["href"] == f"/kgpub/id/{first}{suffix}", (typed, hits[:3])
        answers[suffix] = {typed: [(h["label"], h["href"].removesuffix(".html"), h["rank"]) for h in _find(browser, typed)]
                           for typed in [*expected, "Iraq", "Soleimani", "embassy", "xyzzy"]}
        assert answers[suffix]["xyzzy"] == []
    assert answers[".html"] == answers[""]  # the same search on the site and on the server


@pytest.mark.slow
def test_an_exact_label_ranks_before_a_variant(browser, hosted: str) -> None:  # type: ignore[no-untyped-def]
    pages = Pages("https://example.org/id/", "/id/", {})
    script = pages.search_data([  # in the file's order the variant comes first ("Kadhemi" < "Kadhimi")
        ("Mustafa al-Kadhemi", "kg:Agent", "https://example.org/id/a", []),
        ("Mustafa al-Kadhimi", "kg:Agent", "https://example.org/id/b", []),
        ("Mustafa al-Kadhimi Street", "kg:Agent", "https://example.org/id/c", [])]).decode()
    _load(browser, hosted + "index.html", script)
    hits = _find(browser, "mustafa al kadhimi")
    assert [(h["href"], h["rank"]) for h in hits] == [("/id/b", 0), ("/id/c", 2), ("/id/a", 4)]
    assert [h["href"] for h in _find(browser, "Kadhemi")] == ["/id/a", "/id/b", "/id/c"]  # b and c: a spelling


@pytest.mark.slow
def test_typing_in_the_search_box_lists_the_entity_first_and_opens_it(  # type: ignore[no-untyped-def]
        browser, hosted: str, served: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    for front in (hosted + "index.html", served + "/"):
        browser.get(front)
        browser.find_element("id", "q").send_keys("Kadhimi")
        WebDriverWait(browser, 10).until(lambda d: d.find_elements("css selector", "#hits li a"))
        hits = browser.find_elements("css selector", "#hits li a")
        assert hits[0].text == "Mustafa al-Kadhemi"
        hits[0].click()
        WebDriverWait(browser, 10).until(lambda d: d.find_element("tag name", "h1").text == "Mustafa al-Kadhemi")
        assert _errors(browser) == []


@pytest.mark.slow
def test_the_browser_folds_every_name_of_the_seeds_as_identity_does(  # type: ignore[no-untyped-def]
        browser, hosted: str, seed_build: Path) -> None:
    _load(browser, hosted + "index.html")
    names = sorted({n for label, aliases in _names(seed_build).values() for n in (label, *aliases)}
                   | {r["l"]["value"] for r in kgpub.query("SELECT ?l WHERE { ?s rdfs:label ?l }", seed_build).rows})
    assert len(names) > 300
    folded = browser.execute_script(
        "return arguments[0].map(function(n){return [KGPUB_FIND.nameKey(n), KGPUB_FIND.skeleton(n)];})", names)
    assert folded == [[identity.name_key(n), identity.skeleton(n)] for n in names]


#: Latin letters with and without marks, the marks alone, transliteration's apostrophes, digits, punctuation,
#: Greek, Cyrillic and Arabic: what names are written with.
_TEXT = st.text(st.one_of(st.characters(min_codepoint=0x20, max_codepoint=0x24F),
                          st.characters(min_codepoint=0x2B0, max_codepoint=0x36F),
                          st.characters(min_codepoint=0x370, max_codepoint=0x4FF),
                          st.characters(min_codepoint=0x600, max_codepoint=0x6FF),
                          st.characters(min_codepoint=0x1E00, max_codepoint=0x1EFF),
                          st.sampled_from("’‘ʿʾ`'-. al-Kh dh gh sh th ou ee oo ck qcxzwy")), max_size=40)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_TEXT, min_size=1, max_size=40))
def test_the_browser_folds_any_text_as_identity_does(browser, hosted: str, texts: list[str]) -> None:  # type: ignore[no-untyped-def]
    if not browser.current_url.startswith(hosted):
        _load(browser, hosted + "index.html")
    folded = browser.execute_script(
        "return arguments[0].map(function(n){return [KGPUB_FIND.nameKey(n), KGPUB_FIND.skeleton(n)];})", texts)
    assert folded == [[identity.name_key(t), identity.skeleton(t)] for t in texts]

