"""The front page is the dataset's, on the server and in the site alike: its title, description and licence as its
VoID says them, figures that equal counts made here over ``kg.trig``, a download for every dump in the build
folder (which resolves), the latest articles by date, and the ways in from the list of views."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import pyoxigraph as ox
import requests
import yaml

import kgpub
from kgpub.rdf import formats
from kgpub.web import views
from conftest import SEEDS, write_corpus
from test_serve import served  # noqa: F401  (the real kgpub serve on the seed build)
from test_site import _audit, _errors, browser, hosted  # noqa: F401  (Chromium; the site on a static server)

pytestmark = pytest.mark.slow  # a running kgpub serve, the seed site, a browser

PREFIXES = ("PREFIX kg: <https://w3id.org/kgpub/ontology#>\nPREFIX schema: <https://schema.org/>\n"
            "PREFIX prov: <http://www.w3.org/ns/prov#>\n")


#: A dataset.yaml of a small corpus (``more``: further keys).
SMALL = ("title: {title}\ndescription: A corpus of one article.\nlicense: https://creativecommons.org/publicdomain/zero/1.0/\n"
         "publisher: tests\ncreated: \"2026-01-02\"\n{more}")


class _Front(HTMLParser):
    """What a front page shows: its title, h1, figures, the downloads' and the latest articles' and the ways' links."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.section = ""
        self.text: dict[str, str] = {"title": "", "h1": "", "description": ""}
        self.figures: dict[str, str] = {}
        self.figure: str | None = None
        self.links: dict[str, list[str]] = {"downloads": [], "latest": [], "ways": [], "main": []}
        self.licence: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.stack.append(tag)
        if tag in ("table", "ol", "ul") and a.get("id"):
            self.section = a["id"] or ""
        if tag == "p" and a.get("class") == "description":
            self.section = "description"
        if tag == "dd" and a.get("data-figure"):
            self.figure = a["data-figure"]
            self.figures[self.figure] = ""
        if tag == "a" and a.get("href"):
            if "main" in self.stack:
                self.links["main"].append(a["href"] or "")
            if self.section in self.links:
                self.links[self.section].append(a["href"] or "")
            if a.get("rel") == "license":
                self.licence = a["href"]

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop() != tag:
            pass
        if tag in ("table", "ol", "ul", "p"):
            self.section = ""
        if tag == "dd":
            self.figure = None

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] in ("title", "h1"):
            self.text[self.stack[-1]] += data
        if self.section == "description":
            self.text["description"] += data
        if self.figure is not None:
            self.figures[self.figure] += data


def _front(page: str) -> _Front:
    parsed = _Front()
    parsed.feed(page)
    return parsed


@pytest.fixture(scope="module")
def trig(seed_build: Path) -> ox.Store:
    """The build's kg.trig, every graph read here, apart from the build's index."""
    store = ox.Store()
    store.bulk_load(path=str(seed_build / "kg.trig"), format=ox.RdfFormat.TRIG)
    return store


@pytest.fixture(scope="module")
def site(seed_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("front") / "site"
    kgpub.site(seed_build, out, seeds=SEEDS)
    return out


@pytest.fixture(scope="module")
def fronts(served: str, site: Path) -> dict[str, str]:  # noqa: F811
    answer = requests.get(served + "/", timeout=60)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    return {"serve": answer.text, "site": (site / "index.html").read_text(encoding="utf-8")}


def _count(store: ox.Store, where: str, what: str = "?x") -> int:
    rows = list(store.query(PREFIXES + f"SELECT (COUNT(DISTINCT {what}) AS ?n) WHERE {{ {where} }}",
                            use_default_graph_as_union=True))
    return int(rows[0]["n"].value)


def _dumps(folder: Path) -> list[str]:
    """Every file at the top of the build folder that is RDF to download (its extension is one of the format table's)."""
    return sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")
                  and formats.by_extension(p.name) is not None)


@pytest.mark.parametrize("where", ["serve", "site"])
def test_the_front_page_is_titled_and_described_as_dataset_yaml_says(fronts: dict[str, str], where: str) -> None:
    said = yaml.safe_load((SEEDS / "dataset.yaml").read_text(encoding="utf-8"))
    front = _front(fronts[where])
    assert front.text["title"] == said["title"] == front.text["h1"] and said["title"] != "kgpub"
    assert " ".join(front.text["description"].split()) == " ".join(said["description"].split())
    assert front.licence == said["license"]
    # and for a dataset search engine, the same in schema.org terms, with every download
    embedded = re.search(r'<script type="application/ld\+json">(.*?)</script>', fronts[where], re.S)
    assert embedded
    node = json.loads(embedded.group(1))
    assert (node["@type"], node["name"], node["license"]) == ("Dataset", said["title"], said["license"])
    assert sorted(d["name"] for d in node["distribution"]) == sorted(
        h.rsplit("/", 1)[-1] for h in front.links["downloads"])
    assert all(d["contentUrl"] == said["download"] + d["name"] for d in node["distribution"] if d["name"] != "void.ttl")


@pytest.mark.parametrize("where", ["serve", "site"])
def test_the_figures_are_the_counts_of_the_build(fronts: dict[str, str], where: str, trig: ox.Store) -> None:
    live = "FILTER NOT EXISTS { ?x prov:wasInvalidatedBy ?gone }"
    expected = {"articles": _count(trig, "?x a schema:NewsArticle"),
                "publishers": _count(trig, "?x a schema:NewsArticle ; schema:publisher ?p", "?p"),
                "events": _count(trig, f"?x a kg:Event {live}"),
                "actors": _count(trig, "?x a kg:Agent"),
                "quotes": _count(trig, f"?x kg:evidence ?q {live}", "?q")}
    assert {k: int(v) for k, v in _front(fronts[where]).figures.items()} == expected
    assert expected["articles"] == len(list((SEEDS / "articles").rglob("*.facts.yaml")))
    # what the articles only allege is no fact: the claims are there, and none of them is counted as an event or quote
    claims = _count(trig, "?x a kg:Claim")
    assert claims > 0 and _count(trig, "?x a kg:Claim ; a kg:Event") == 0
    assert _count(trig, "?x a kg:Claim ; kg:evidence ?q") == 0


@pytest.mark.parametrize("where", ["serve", "site"])
def test_every_dump_of_the_build_is_a_download_that_resolves(fronts: dict[str, str], where: str, seed_build: Path,
                                                             site: Path, served: str) -> None:  # noqa: F811
    links = _front(fronts[where]).links["downloads"]
    dumps = _dumps(seed_build)
    assert {"kg.nt", "kg.ttl", "kg.trig", "kg.jsonld", "ontology.ttl", "void.ttl"} <= set(dumps)
    assert sorted(href.rsplit("/", 1)[-1] for href in links) == dumps
    for href in links:
        name = href.rsplit("/", 1)[-1]
        got = requests.get(served + href, timeout=60).content if where == "serve" else (site / href.lstrip("/")).read_bytes()
        assert got == (seed_build / name).read_bytes(), href
    # the dumps are where the VoID says they may be downloaded
    void = list(ox.parse(path=str(seed_build / "void.ttl"), format=ox.RdfFormat.TURTLE))
    urls = {t.object.value for t in void if t.predicate.value == "http://www.w3.org/ns/dcat#downloadURL"}
    assert {"/" + u.split("://", 1)[1].split("/", 1)[1] for u in urls} == {h for h in links if h != "/void.ttl"}


@pytest.mark.parametrize("where", ["serve", "site"])
def test_the_latest_articles_in_date_order_link_their_pages(fronts: dict[str, str], where: str,
                                                            trig: ox.Store) -> None:
    rows = trig.query(PREFIXES + "SELECT ?a ?d WHERE { ?a a schema:NewsArticle ; schema:datePublished ?d }",
                      use_default_graph_as_union=True)
    dated = sorted(sorted((str(r["d"].value), r["a"].value) for r in rows), key=lambda p: p[0], reverse=True)
    suffix = ".html" if where == "site" else ""
    expected = ["/kgpub/id/" + iri.rsplit("/id/", 1)[1] + suffix for _, iri in dated][:views.LATEST]
    shown = [h for h in _front(fronts[where]).links["latest"] if "/article/" in h]
    assert shown == expected and len(shown) == min(len(dated), views.LATEST) > 1
    page = fronts[where]
    first, last = dated[0], dated[min(len(dated), views.LATEST) - 1]
    assert page.index(f"<time>{first[0]}</time>") < page.index(f"<time>{last[0]}</time>")


@pytest.mark.parametrize("where", ["serve", "site"])
def test_the_ways_in_are_the_views_of_the_list(fronts: dict[str, str], where: str) -> None:
    static = where == "site"
    expected = [views.href(v, static) for v in views.VIEWS if v.way]
    assert {"/timeline", "/sparql", "/ontology"} <= {views.href(v, False) for v in views.VIEWS if v.way}
    assert [h for h in _front(fronts[where]).links["ways"] if h != "#q"] == expected
    assert 'id="q"' in fronts[where]  # the search is on the page itself


def test_a_build_without_download_urls_offers_its_dumps_here(tmp_path: Path) -> None:
    """No ``download:`` in dataset.yaml: the VoID names no download URL, and the dumps are at ``/NAME`` on the server
    and in the site alike; the title is still the dataset's."""
    from kgpub.web.serving import Publisher, Settings

    seeds = write_corpus(tmp_path / "seeds", dataset=SMALL.format(title="A small test dataset", more=""))
    kgpub.build(seeds, tmp_path / "dist")
    publisher = Publisher(Settings(tmp_path / "dist"))
    status, body = publisher.view("index")
    assert status == 200 and body is not None
    front = _front(body.decode())
    assert front.text["title"] == "A small test dataset" and front.licence.endswith("/zero/1.0/")  # type: ignore[union-attr]
    dumps = _dumps(tmp_path / "dist")
    assert sorted(front.links["downloads"]) == sorted("/" + name for name in dumps)
    for name in dumps:
        if name != "void.ttl":
            answer = publisher.document("/" + name, "*/*", None, "http://127.0.0.1/sparql")
            assert answer.status == 200 and answer.path == tmp_path / "dist" / name
    kgpub.site(tmp_path / "dist", tmp_path / "site")
    written = _front((tmp_path / "site" / "index.html").read_text(encoding="utf-8"))
    assert written.text == front.text and written.figures == front.figures and front.figures["articles"] == "1"
    assert written.links["downloads"] == front.links["downloads"]
    for name in dumps:
        assert (tmp_path / "site" / name).read_bytes() == (tmp_path / "dist" / name).read_bytes()


def test_a_dump_on_another_file_system_is_copied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the site's folder cannot hold a hard link to the build's file (another file system), the dump is copied."""
    import errno

    from kgpub.web import site

    def cross_device(source: object, target: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    seeds = write_corpus(tmp_path / "seeds", dataset=SMALL.format(title="T", more=""))
    kgpub.build(seeds, tmp_path / "dist")
    monkeypatch.setattr(site.os, "link", cross_device)
    kgpub.site(tmp_path / "dist", tmp_path / "site")
    for name in ("kg.nt", "kg.ttl", "kg.trig", "kg.jsonld"):
        copied, built = tmp_path / "site" / name, tmp_path / "dist" / name
        assert copied.read_bytes() == built.read_bytes() and copied.stat().st_ino != built.stat().st_ino


def test_a_dump_changed_by_a_rebuild_is_copied_again_and_only_then(tmp_path: Path) -> None:
    seeds = write_corpus(tmp_path / "seeds", dataset=SMALL.format(title="T", more="download: https://example.org/files/\n"))
    kgpub.build(seeds, tmp_path / "dist")
    kgpub.site(tmp_path / "dist", tmp_path / "site")
    assert (tmp_path / "site" / "files" / "kg.nt").read_bytes() == (tmp_path / "dist" / "kg.nt").read_bytes()
    # on the build's file system a dump is the build's own file, linked: no second copy of its bytes on the disk
    assert (tmp_path / "site" / "files" / "kg.nt").stat().st_ino == (tmp_path / "dist" / "kg.nt").stat().st_ino
    before = (tmp_path / "site" / "files" / "kg.nt").read_bytes()
    again = kgpub.site(tmp_path / "dist", tmp_path / "site")
    assert again.written == 0
    facts = next((seeds / "articles").glob("*.facts.yaml"))
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text.replace("label: Rocket attack on the Gamma base", "label: Corrected the Gamma base"),
                     encoding="utf-8")
    kgpub.build(seeds, tmp_path / "dist")
    # a new build is a new folder: the site's dumps stay the bytes it published until it is drawn again
    assert (tmp_path / "site" / "files" / "kg.nt").read_bytes() == before
    third = kgpub.site(tmp_path / "dist", tmp_path / "site")
    assert third.written >= 4  # the four dumps at least, copied again
    for name in ("kg.nt", "kg.ttl", "kg.trig", "kg.jsonld"):
        assert (tmp_path / "site" / "files" / name).read_bytes() == (tmp_path / "dist" / name).read_bytes()
    assert b"Corrected the Gamma base" in (tmp_path / "site" / "files" / "kg.nt").read_bytes()


def test_every_link_of_the_front_page_resolves_in_a_browser(browser, hosted: str, served: str) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    """Chromium opens both front pages; every link of their main part answers 200 where it points."""
    for front in (hosted + "index.html", served + "/"):
        browser.get(front)
        assert browser.title == browser.find_element("tag name", "h1").text != "kgpub"
        hrefs = [a.get_attribute("href") for a in browser.find_elements("css selector", "main a")]
        assert len(hrefs) > 20 and _errors(browser) == [] and _audit(browser) == []
        for href in sorted({h.split("#")[0] for h in hrefs if h.startswith("http://127.0.0.1")}):
            assert requests.get(href, timeout=60).status_code == 200, href
        figures = browser.find_elements("css selector", "#figures dd")
        assert [f.text for f in figures] and all(f.text.isdigit() for f in figures)


@pytest.mark.parametrize("download", ["https://example.org/../../outside/", "https://example.org/a/.hidden/"])
def test_a_download_url_that_leaves_the_site_is_not_followed(tmp_path: Path, download: str) -> None:
    """dataset.yaml's ``download:`` names where the dumps will be published: a path out of the site's folder, or into
    a hidden one, is not where the site writes them (nor where the server answers them): the root is."""
    from kgpub.web.serving import Publisher, Settings

    seeds = write_corpus(tmp_path / "seeds", dataset=SMALL.format(title="T", more=f"download: {download}\n"))
    kgpub.build(seeds, tmp_path / "dist")
    assert download + "kg.nt" in (tmp_path / "dist" / "void.ttl").read_text(encoding="utf-8")
    (tmp_path / "work").mkdir()
    kgpub.site(tmp_path / "dist", tmp_path / "work" / "site")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist", "seeds", "work"]
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == ["site"]
    assert not list((tmp_path / "work" / "site").rglob(".hidden"))
    assert (tmp_path / "work" / "site" / "kg.nt").read_bytes() == (tmp_path / "dist" / "kg.nt").read_bytes()
    assert set(Publisher(Settings(tmp_path / "dist")).dumps) == {"/kg.nt", "/kg.ttl", "/kg.trig", "/kg.jsonld",
                                                                 "/ontology.ttl"}
