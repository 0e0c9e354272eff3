"""``kgpub site``: static pages whose links all resolve, each article's quotes highlighted at their offsets,
byte-stable and incremental output; and the pages of the site and of ``kgpub serve`` in a real browser."""

from __future__ import annotations

import html
import re
import shutil
from html.parser import HTMLParser
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

import kgpub
import kgpub.web.views
from kgpub.output import writers
from kgpub.cli import main
from conftest import SEEDS, require
from test_serve import served  # noqa: F401  (the real server, started once for this module too)

pytestmark = pytest.mark.slow  # the seed site, a browser, nginx and Apache

#: A public-domain article, whose text the site publishes with its quotes highlighted.
ARTICLE = "state-2020-01-03"
ARTICLE_PAGE = f"kgpub/id/article/{ARTICLE}.html"
#: The AFP story, in copyright: its page shows its quotes and rights, never its text (seeds/dataset.yaml).
AFP_PAGE = "kgpub/id/article/000_eb2d348de878cb8c.html"


_SEED_BUILD: list[Path] = []
#: The site's pages drawn once for the whole build (the front page, the timeline...), by the list of views.
_VIEW_PAGES = {v.file for v in kgpub.web.views.VIEWS if not v.each_node and v.file.endswith(".html")}


@pytest.fixture(scope="module")
def site(seed_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    _SEED_BUILD[:] = [seed_build]
    out = tmp_path_factory.mktemp("site") / "site"
    result = CliRunner().invoke(main, ["site", "--data", str(seed_build), "--out", str(out), "--seeds", str(SEEDS)])
    assert result.exit_code == 0, result.output
    return out


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.lang: str | None = None
        self.marks: list[tuple[int, int]] = []
        self.in_mark: list[str] = []
        self.mark_text: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if a.get("id"):
            self.ids.add(a["id"] or "")
        if tag in ("a", "link") and a.get("href"):
            self.links.append(a["href"] or "")
        if tag == "script" and a.get("src"):
            self.links.append(a["src"] or "")
        if tag == "mark":
            self.marks.append((int(a["data-start"] or 0), int(a["data-end"] or 0)))
            self.mark_text.append("")
            self.in_mark.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self.in_mark.pop()

    def handle_data(self, data: str) -> None:
        if self.in_mark:
            self.mark_text[-1] += data


def _search_entries(script: str) -> list[list[str]]:
    """The (label, kind, link) rows of a ``search.js``."""
    import json

    data = json.loads(script[script.index("=") + 1:].rstrip().rstrip(";"))
    return [[r[0], data["kinds"][r[1]], data["root"] + r[2] + data["suffix"]] for r in data["rows"]]


def _parsed(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_internal_link_resolves_and_every_page_has_its_alternates(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 100
    parsed_pages = {page: _parsed(page) for page in pages}
    anchors = 0
    for page, parsed in parsed_pages.items():
        assert parsed.lang == "en", page
        for href in parsed.links:
            if href.startswith(("http://", "https://", "data:")):
                continue
            href, _, fragment = href.partition("#")
            target = (site / href.lstrip("/") if href.startswith("/") else page.parent / href) if href else page
            assert target.is_file(), f"{page.relative_to(site)}: {href} does not resolve"
            if fragment:  # evidence lives on its fact's page, under an anchor
                anchors += 1
                assert fragment in parsed_pages[target].ids, f"{page.relative_to(site)}: no #{fragment} in {href}"
    assert anchors > 50
    for alternate in ("ttl", "jsonld", "nt"):
        assert (site / ARTICLE_PAGE).with_suffix(f".{alternate}").is_file()
    import json

    page = (site / "kgpub/id/iran.html").read_text(encoding="utf-8")
    embedded = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert embedded[0]["@id"] == "https://w3id.org/kgpub/id/iran"  # the page's node as JSON-LD, for machines
    assert "https://schema.org/Country" in embedded[0]["@type"]  # in schema.org terms too, as the ontology aligns them
    kadhemi = (site / "kgpub/id/mustafa-al-kadhemi.html").read_text(encoding="utf-8")
    node = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', kadhemi, re.S).group(1))[0]
    assert "https://schema.org/Person" in node["@type"]
    assert {"@id": "https://w3id.org/kgpub/id/iraqi-government"} in node["https://schema.org/memberOf"]
    assert 'rel="canonical" href="https://w3id.org/kgpub/id/iran"' in page


def _quoted_spans(article: kgpub.corpus.model.Article) -> set[tuple[int, int]]:
    from kgpub.pipeline.provenance import locate

    spans = set()
    for fact in (*article.entities, *article.relations, *article.events, *article.accusations, *article.threats,
                 *article.statements, *(c for e in article.events for c in e.counts)):
        for quote in fact.evidence:
            span = locate(article.text, quote, article.text_file)
            spans.add((span.start, span.end))
    return spans


class _Text(HTMLParser):
    """The text a page shows as the article's: the characters inside ``<div class="text">``, without the fact
    panels each quote carries (hidden until the quote is the target, and not the article's words)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found, self.depth, self.panel, self.parts = False, 0, 0, []  # type: ignore[var-annotated]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if not self.depth and tag == "div" and "text" in classes:
            self.found, self.depth = True, 1
        elif self.depth:
            self.depth += tag not in ("br", "img", "input", "meta", "link")
            self.panel = self.panel + 1 if self.panel or "panel" in classes else 0

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1
            self.panel = max(self.panel - 1, 0)

    def handle_data(self, data: str) -> None:
        if self.depth and not self.panel:
            self.parts.append(data)


def _shown_text(page: str) -> str | None:
    if '<div class="text" style="white-space:pre-wrap">' not in page:
        return None
    parser = _Text()
    parser.feed(page)
    return "".join(parser.parts)


def test_the_article_page_highlights_every_quote_at_its_offsets(site: Path) -> None:
    """Every public-domain article's page shows its text, every quote highlighted at its offsets, with its credit."""
    corpus = kgpub.corpus.reader.load(SEEDS)
    published = [a for a in corpus.articles if a.id != "000_eb2d348de878cb8c"]
    assert len(published) == 6
    for article in published:
        spans = _quoted_spans(article)
        path = site / f"kgpub/id/article/{article.id}.html"
        parsed = _parsed(path)
        for (start, end), text in zip(parsed.marks, parsed.mark_text):
            assert article.text[start:end] == text  # the highlighted text is the text at its offsets
        covered = {i for start, end in parsed.marks for i in range(start, end)}
        assert covered == {i for start, end in spans for i in range(start, end)}  # every quote, and only quotes
        page = path.read_text(encoding="utf-8")
        assert _shown_text(page) == article.text, article.id
        assert f"<dt>Credit</dt><dd>{html.escape(article.attribution or '')}</dd>" in page  # with its attribution
        assert 'rel="license">No Copyright - United States (a US government work)</a>' in page


def test_the_afp_text_is_not_published_but_its_quotes_and_rights_are(site: Path) -> None:
    """The AFP story is in copyright and dataset.yaml publishes no full text of it: its page shows no text,
    its quotes stay on the facts' pages, and the credit, licence and rights holder are on its own."""
    (afp,) = [a for a in kgpub.corpus.reader.load(SEEDS).articles if a.id == "000_eb2d348de878cb8c"]
    page = (site / AFP_PAGE).read_text(encoding="utf-8")
    assert _shown_text(page) is None and "<mark" not in page
    assert "The full text is not published here" in page
    unquoted = "The war of words has heightened tensions in a country"  # in the text, in no quote
    assert unquoted in afp.text
    everything = "".join(p.read_text(encoding="utf-8") for p in site.rglob("*") if p.suffix in (".html", ".js"))
    assert unquoted not in everything
    assert "<dt>Credit</dt><dd>AFP with additional input by GVS News Desk, as published by Global Village Space</dd>" in page
    assert 'rel="license">In Copyright</a>' in page and ">Agence France-Presse</a>" in page
    fact = (site / "kgpub/id/article/000_eb2d348de878cb8c/aah-fighter-plot.html").read_text(encoding="utf-8")
    assert "<q>Security sources say tensions flared after the arrest of a man who planned another attack on the US embassy</q>" in fact


def test_dataset_yaml_decides_whether_a_text_is_published(seed_build: Path, tmp_path: Path) -> None:
    """full_text: true publishes the AFP text; false withholds a public-domain one; nothing else changes."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    dataset = seeds / "dataset.yaml"
    dataset.write_text(dataset.read_text(encoding="utf-8").replace(
        "  000_eb2d348de878cb8c: false\n", "  000_eb2d348de878cb8c: true\n  voa-2020-01-01: false\n"), encoding="utf-8")
    out = tmp_path / "site"
    kgpub.site(seed_build, out, seeds=seeds)
    afp = (seeds / "articles" / "000_eb2d348de878cb8c.txt").read_text(encoding="utf-8")
    assert _shown_text((out / AFP_PAGE).read_text(encoding="utf-8")) == afp
    assert _shown_text((out / "kgpub/id/article/voa-2020-01-01.html").read_text(encoding="utf-8")) is None
    dataset.write_text("title: t\ndescription: d\nlicense: https://creativecommons.org/licenses/by/4.0/\n"
                       "created: '2026-01-01'\nfull_text: {000_eb2d348de878cb8c: maybe}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["site", "--data", str(seed_build), "--out", str(tmp_path / "bad"),
                                       "--seeds", str(seeds)])
    assert result.exit_code == 2 and not (tmp_path / "bad").exists()
    assert result.stderr.startswith("dataset.yaml:5: full_text.000_eb2d348de878cb8c:") and "Traceback" not in result.stderr


@pytest.mark.parametrize(("licence", "override", "published"), [
    ("http://rightsstatements.org/vocab/NoC-US/1.0/", None, True),
    ("https://creativecommons.org/publicdomain/mark/1.0/", None, True),
    ("https://creativecommons.org/publicdomain/zero/1.0/", None, True),
    ("https://creativecommons.org/licenses/by/4.0/", None, True),
    ("http://creativecommons.org/licenses/by-sa/3.0/legalcode", None, True),
    ("https://creativecommons.org/licenses/by-nc/4.0/", None, False),
    ("https://creativecommons.org/licenses/by-nd/4.0/", None, False),
    ("http://rightsstatements.org/vocab/InC/1.0/", None, False),
    ("https://creativecommons.org/licenses/by/4.0/.evil", None, False),
    (None, None, False),
    (None, True, True),
    ("https://creativecommons.org/licenses/by/4.0/", False, False),
])
def test_which_licences_let_the_text_be_published(licence: str | None, override: bool | None, published: bool) -> None:
    from kgpub.corpus.rights import text_published

    assert text_published(licence, override) is published


def test_the_site_is_byte_stable_and_rewrites_only_what_changed(site: Path, seed_build: Path, tmp_path: Path) -> None:
    again = kgpub.site(seed_build, site, seeds=SEEDS)
    assert again.written == 0
    other = kgpub.site(seed_build, tmp_path / "other", seeds=SEEDS)
    assert other.pages == again.pages
    assert {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()} == \
        {p.relative_to(tmp_path / "other"): p.read_bytes() for p in (tmp_path / "other").rglob("*") if p.is_file()}


def test_the_timeline_and_the_ontology_pages(site: Path, seed_build: Path) -> None:
    timeline = (site / "timeline.html").read_text(encoding="utf-8")
    shipped = [r["event"]["value"] for r in kgpub.query("timeline", seed_build).rows]
    shown = re.findall(r'<td class="event"><a href="[^"]+">([^<]+)</a></td>', timeline)
    assert [html.unescape(s) for s in shown] == shipped  # every dated event, in the shipped query's order
    assert "<td>2003</td>" in timeline and "<td>2020-05</td>" in timeline  # dates at their precision
    ontology = (site / "ontology.html").read_text(encoding="utf-8")
    assert '<code>kg:Event</code>' in ontology and '<code>kg:earliest</code>' in ontology
    assert re.search(r"<code>kgt:Protest</code></td><td>Protest</td><td>acled:peaceful-protest cameo:140</td>", ontology)


def test_a_folder_that_is_not_a_site_is_refused(seed_build: Path, tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["site", "--data", str(seed_build), "--out", str(tmp_path / "mine")])
    assert result.exit_code == 2 and "not a site kgpub wrote" in result.stderr
    assert (tmp_path / "mine" / "notes.txt").read_text() == "mine"


def test_evidence_is_shown_on_its_facts_page_and_its_rdf_goes_with_it(site: Path) -> None:
    fact = "kgpub/id/article/000_eb2d348de878cb8c/aah-fighter-plot"
    page = (site / f"{fact}.html").read_text(encoding="utf-8")
    assert re.search(r'<li id="evidence-1"><q>[^<]+</q> — <a href="/kgpub/id/article/000_eb2d348de878cb8c.html#q-\d+">'
                     r"[^<]+</a>, characters \d+–\d+</li>", page)
    assert not (site / f"{fact}/evidence/1.html").exists()  # a part of the fact, not a page of its own
    import pyoxigraph as ox

    triples = list(ox.parse(path=str(site / f"{fact}.ttl"), format=ox.RdfFormat.TURTLE))
    annotation = ox.NamedNode(f"https://w3id.org/kgpub/id/{fact[len('kgpub/id/'):]}/evidence/1")
    assert any(t.subject == annotation for t in triples)  # the quote's selectors travel with the fact
    exact = ox.NamedNode("http://www.w3.org/ns/oa#exact")
    assert any(t.predicate == exact for t in triples)
    assert (site / f"{fact}.nt").read_bytes() == ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.N_TRIPLES)


def test_the_front_page_searches_every_page_and_links_the_dataset_description(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    assert '<link rel="describedby" type="text/turtle" href="/void.ttl">' in index and 'href="/void.ttl"' in index
    assert '<script src="/search.js"></script>' in index and 'id="q"' in index
    entries = _search_entries((site / "search.js").read_text(encoding="utf-8"))
    pages = {"/" + p.relative_to(site).as_posix() for p in site.rglob("*.html")} - {"/" + name for name in _VIEW_PAGES}
    assert {href for _, _, href in entries} == pages  # every page of a node can be found, and nothing else
    assert ["Mustafa al-Kadhemi", "kg:Agent", "/kgpub/id/mustafa-al-kadhemi.html"] in entries
    actors = re.search(r"<h2>Actors \((\d+)\)</h2>", index)
    assert actors and int(actors.group(1)) == len(kgpub.query(
        "SELECT DISTINCT ?a WHERE { ?a a kg:Agent FILTER (STRSTARTS(STR(?a), STR(id:))) }", _SEED_BUILD[0]).rows)


def test_an_entity_page_draws_its_network(site: Path) -> None:
    page = (site / "kgpub/id/mustafa-al-kadhemi.html").read_text(encoding="utf-8")
    svg = re.search(r"<svg [^>]*aria-label=[^>]*>(.*?)</svg>", page, re.S)
    assert svg
    drawn = re.findall(r'<a href="([^"]+)"><title>([^<]+)</title>', svg.group(1))
    targets = {href for href, _ in drawn}
    assert "/kgpub/id/iraqi-government.html" in targets  # he is a member of the government
    assert "/kgpub/id/pro-iran-factions.html" in targets  # they accuse him
    assert all((site / href.lstrip("/")).is_file() for href in targets)
    how = dict((href, title) for href, title in drawn)
    assert "member of" in how["/kgpub/id/iraqi-government.html"]  # the relation in words, not its RDF name
    assert "<script" not in svg.group(1)
    # a hedged fact is drawn as hedged: the handover the article only reports links its actors as "probable"
    handover = (site / "kgpub/id/asaib-ahl-al-haq.html").read_text(encoding="utf-8")
    for title in re.findall(r"<title>([^<]+)</title>", handover):
        if "handed over" in title.lower() or "handover" in title.lower():
            assert "(probable)" in title


def test_one_changed_article_rewrites_only_the_pages_it_touches(tmp_path: Path) -> None:
    import sys

    import pyoxigraph as ox

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synth import write_corpus

    corpus = tmp_path / "corpus"
    write_corpus(corpus, 8, seed=3)
    kgpub.build(corpus, tmp_path / "dist")
    first = kgpub.site(tmp_path / "dist", tmp_path / "site", seeds=corpus)
    facts = next(corpus.glob("articles/*/a000003.facts.yaml"))
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text.replace('label: "', 'label: "Corrected: ', 1), encoding="utf-8")
    kgpub.build(corpus, tmp_path / "dist")
    before = {p.relative_to(tmp_path / "site").as_posix(): p.stat().st_mtime_ns for p in (tmp_path / "site").rglob("*")}
    again = kgpub.site(tmp_path / "dist", tmp_path / "site", seeds=corpus)
    changed = {p.relative_to(tmp_path / "site").as_posix() for p in (tmp_path / "site").rglob("*") if p.is_file()
               and before.get(p.relative_to(tmp_path / "site").as_posix()) != p.stat().st_mtime_ns} - {".kgpub-site"}
    assert 0 < again.written == len(changed) < first.written / 10
    assert 0 < again.drawn < first.drawn / 10  # only the pages that read what changed are drawn again
    # the pages touched: the article's nodes and the nodes they link to, and the pages over all (index, search, timeline)
    graphs = {ox.NamedNode("https://w3id.org/kgpub/id/graph/a000003"),
              ox.NamedNode("https://w3id.org/kgpub/id/graph/a000003/provenance")}
    touched = set()
    for quad in ox.parse(path=str(tmp_path / "dist" / "kg.trig"), format=ox.RdfFormat.TRIG):
        if quad.graph_name in graphs:
            touched |= {t.value for t in (quad.subject, quad.object) if isinstance(t, ox.NamedNode)}
    base = "https://w3id.org/kgpub/id/"
    allowed = {f"kgpub/id/{iri[len(base):]}.{ext}" for iri in touched if iri.startswith(base)
               for ext in ("html", "ttl", "jsonld", "nt")} | {"index.html", "search.js", "timeline.html", "void.ttl"}
    # and the data's dumps, which the site offers for download (the ontology's stays as it was)
    paths = kgpub.web.views.dump_paths(tmp_path / "dist")
    allowed |= {paths[name].lstrip("/") for name in writers.file_names()}
    assert changed <= allowed, sorted(changed - allowed)[:5]
    assert any(name.startswith("kgpub/id/article/a000003/") for name in changed)
    fresh = kgpub.site(tmp_path / "dist", tmp_path / "fresh", seeds=corpus)
    assert fresh.written == first.written
    assert {p.relative_to(tmp_path / "site"): p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()} \
        == {p.relative_to(tmp_path / "fresh"): p.read_bytes() for p in (tmp_path / "fresh").rglob("*") if p.is_file()}


def _files(folder: Path) -> dict[Path, bytes]:
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_an_updated_site_equals_a_fresh_one_whatever_changed(tmp_path: Path) -> None:
    """Pages are drawn again only when a node they read changed; after each kind of change the updated site is,
    byte for byte (its manifest too), the site a fresh run writes."""
    import json
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synth import write_corpus

    corpus, dist, site = tmp_path / "corpus", tmp_path / "dist", tmp_path / "site"
    write_corpus(corpus, 10, seed=4)
    kgpub.build(corpus, dist)
    first = kgpub.site(dist, site, seeds=corpus)
    registry = corpus / "entities.yaml"
    facts = " ".join(p.read_text(encoding="utf-8") for p in corpus.glob("articles/*/*.facts.yaml"))
    entries = re.findall(r'- id: (e\d+)\n\s+type: \w+\n\s+name: "([^"]+)"', registry.read_text(encoding="utf-8"))
    actor, name = max(entries, key=lambda e: (facts.count(e[0]), e[0]))  # the entity most facts name

    def renamed() -> None:  # an actor of many articles renamed in the shared registry
        text = registry.read_text(encoding="utf-8")
        registry.write_text(text.replace(f'- id: {actor}\n', f'- id: {actor}\n', 1).replace(
            f'name: "{name}"', 'name: "Renamed Actor"', 1), encoding="utf-8")

    def dropped() -> None:  # an article removed
        for path in corpus.glob("articles/*/a000005.*"):
            path.unlink()

    for change in (renamed, dropped):
        change()
        kgpub.build(corpus, dist)
        again = kgpub.site(dist, site, seeds=corpus)
        fresh = tmp_path / f"fresh-{change.__name__}"
        kgpub.site(dist, fresh, seeds=corpus)
        assert _files(site) == _files(fresh), change.__name__
        assert 0 < again.drawn < first.drawn, change.__name__
    assert "<h1>Renamed Actor</h1>" in (site / f"kgpub/id/{actor}.html").read_text(encoding="utf-8")
    # new code draws every page again: what a page looks like is the code's as much as the graph's
    manifest = json.loads((site / ".kgpub-site").read_text())
    manifest["code"] = "another version"
    (site / ".kgpub-site").write_text(json.dumps(manifest))
    redrawn = kgpub.site(dist, site, seeds=corpus)
    # every node's page (not the pages of the views drawn once: index, timeline, ontology, queries, SPARQL)
    assert redrawn.drawn == redrawn.pages - len(_VIEW_PAGES) and redrawn.written == 0
    assert kgpub.site(dist, site, seeds=corpus).drawn == 0


def test_a_new_site_appears_whole_or_not_at_all(seed_build: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from kgpub.web import site as static_site
    from kgpub.errors import OutputError

    real, calls = static_site._put, []

    def failing(name: str, body: bytes):  # type: ignore[no-untyped-def]
        calls.append(name)
        if len(calls) == 200:
            raise OutputError(f"{name}: cannot write the site: No space left on device")
        return real(name, body)

    monkeypatch.setattr(static_site, "_put", failing)
    result = CliRunner().invoke(main, ["site", "--data", str(seed_build), "--out", str(tmp_path / "site"),
                                       "--seeds", str(SEEDS)])
    assert result.exit_code == 2 and "No space left on device" in result.stderr
    assert list(tmp_path.iterdir()) == []  # neither the site nor the folder it was being written in


def test_a_site_in_a_folder_not_yet_made(seed_build: Path, tmp_path: Path) -> None:
    result = kgpub.site(seed_build, tmp_path / "a" / "b" / "site", seeds=SEEDS)
    assert result.pages > 100 and (tmp_path / "a" / "b" / "site" / "index.html").is_file()
    assert sorted(p.name for p in (tmp_path / "a" / "b").iterdir()) == ["site"]


def test_a_site_from_before_the_manifest_is_updated_in_place(site: Path, seed_build: Path, tmp_path: Path) -> None:
    old = Path(shutil.copytree(site, tmp_path / "old"))
    (old / ".kgpub-site").write_text("written by kgpub site\n")
    (old / "kgpub" / "id" / "gone.html").write_text("a page no longer made")
    again = kgpub.site(seed_build, old, seeds=SEEDS)
    assert again.written == 0 and again.removed == 1 and not (old / "kgpub" / "id" / "gone.html").exists()


# --------------------------------------------------------------------------- in a real browser


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """Debian's Chromium, headless, through its chromedriver (Selenium)."""
    chromium = shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    require(chromium and driver_path, "chromium and chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium  # type: ignore[assignment]
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1600",
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):  # nothing but 127.0.0.1
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    from servers import STARTED

    STARTED.append(f"Chromium {driver.capabilities.get('browserVersion', '?')} (headless)")
    yield driver
    driver.quit()


def _errors(driver) -> list[dict]:  # type: ignore[no-untyped-def]
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


ARTEFACTS = Path(__file__).resolve().parents[1] / ".cache" / "screenshots"

#: The accessibility basics, checked in the page as the browser lays it out: the language, one h1 and no
#: skipped heading level, a name for every link and picture, and WCAG AA contrast (4.5:1) for body text, for
#: the highlight of a quote and for a link on it.  Returns the problems found.
AUDIT = """
function lum(c){var m=c.match(/[\\d.]+/g).map(Number);var a=m.length>3?m[3]:1;
  var v=m.slice(0,3).map(function(x){x/=255;return x<=0.03928?x/12.92:Math.pow((x+0.055)/1.055,2.4);});
  return {l:0.2126*v[0]+0.7152*v[1]+0.0722*v[2],a:a};}
function bg(e){while(e){var c=getComputedStyle(e).backgroundColor;if(lum(c).a>0)return c;e=e.parentElement;}return 'rgb(255,255,255)';}
function ratio(f,b){var x=lum(f).l,y=lum(b).l;return (Math.max(x,y)+0.05)/(Math.min(x,y)+0.05);}
var out=[];
if(document.documentElement.lang!=='en')out.push('lang is '+document.documentElement.lang);
var hs=[].slice.call(document.querySelectorAll('h1,h2,h3,h4,h5,h6'));
if(document.querySelectorAll('h1').length!==1)out.push(document.querySelectorAll('h1').length+' h1');
var last=0;hs.forEach(function(h){var n=+h.tagName[1];if(n>last+1)out.push('h'+n+' after h'+last+': '+h.textContent.slice(0,40));last=n;});
[].slice.call(document.querySelectorAll('a')).forEach(function(a){
  if(!(a.textContent||'').trim()&&!a.getAttribute('aria-label'))out.push('a link with no text: '+(a.getAttribute('href')||''));});
[].slice.call(document.querySelectorAll('svg')).forEach(function(g){if(!g.getAttribute('aria-label'))out.push('an svg with no name');});
[].slice.call(document.querySelectorAll('input,textarea')).forEach(function(i){
  if(!i.labels||!i.labels.length)out.push('a field with no label: '+i.id);});
var checked=[document.body].concat([].slice.call(document.querySelectorAll('mark,q,mark a,q a,main a')).slice(0,400));
checked.forEach(function(e){var r=ratio(getComputedStyle(e).color,bg(e));
  if(r<4.5)out.push('contrast '+r.toFixed(2)+' on '+e.tagName+': '+(e.textContent||'').slice(0,30));});
return out;
"""


def _audit(driver) -> list[str]:  # type: ignore[no-untyped-def]
    return driver.execute_script(AUDIT)


@pytest.fixture(scope="module")
def hosted(site: Path) -> Iterator[str]:
    """The site on a plain static web server on 127.0.0.1 (what a static host does: files, no negotiation)."""
    import http.server
    import threading
    from functools import partial

    from servers import free_port

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}/"
    server.shutdown()


def test_every_page_of_the_site_in_a_browser(site: Path, hosted: str, browser) -> None:  # type: ignore[no-untyped-def]
    _every_page_loads(browser, hosted, sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")))


def _every_page_loads(browser, base: str, paths: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Each page opens with a heading, no console error and no accessibility problem."""
    assert len(paths) > 100
    for path in paths:
        browser.get(base + path)
        assert browser.find_element("tag name", "h1").text, path
        assert _errors(browser) == [], path
        assert _audit(browser) == [], path


def test_the_site_screenshots_quotes_and_search(site: Path, hosted: str, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import WebDriverWait

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for name, page in (("index", "index.html"), ("entity", "kgpub/id/mustafa-al-kadhemi.html"),
                       ("article", ARTICLE_PAGE), ("timeline", "timeline.html"), ("ontology", "ontology.html")):
        browser.get(hosted + page)
        if name == "article":  # the proof a reader checks: the text with its highlighted quotes
            browser.execute_script("document.querySelector('.text').scrollIntoView()")
        browser.save_screenshot(str(ARTEFACTS / f"site-{name}.png"))
    browser.get(hosted + "kgpub/id/mustafa-al-kadhemi.html")
    network = browser.find_element("css selector", "figure svg[aria-label]")
    drawn = network.find_elements("css selector", "a")
    assert len(drawn) >= 5 and _errors(browser) == []  # his network: the entities he is linked to, each a link
    browser.execute_script("arguments[0].scrollIntoView()", network)
    browser.save_screenshot(str(ARTEFACTS / "site-entity-network.png"))
    target = hosted.rstrip("/") + drawn[0].get_dom_attribute("href")
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", drawn[0])
    WebDriverWait(browser, 10).until(lambda d: d.current_url != hosted + "kgpub/id/mustafa-al-kadhemi.html")
    assert browser.current_url == target and browser.find_element("tag name", "h1").text
    browser.get(hosted + ARTICLE_PAGE)
    marks = browser.find_elements("tag name", "mark")
    text = (SEEDS / "articles" / f"{ARTICLE}.txt").read_text(encoding="utf-8")
    assert marks and all(text[int(m.get_attribute("data-start")):int(m.get_attribute("data-end"))]
                         == m.get_attribute("textContent") for m in marks)
    links = {a.get_attribute("href") for a in browser.find_elements("css selector", "mark a")}
    for href in sorted(links)[:20]:  # the facts the quotes support open
        browser.get(href)
        assert browser.find_element("tag name", "h1").text and _errors(browser) == [], href
    _search(browser, hosted + "index.html", "kadhemi", "Mustafa al-Kadhemi")


def _search(browser, index: str, typed: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    """Type into the front page's search and follow the hit: the client-side search works."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(index)
    browser.find_element("id", "q").send_keys(typed)
    WebDriverWait(browser, 10).until(lambda d: d.find_elements("css selector", "#hits li a"))
    hits = browser.find_elements("css selector", "#hits li a")
    assert hits[0].text == expected  # the entity first: an exact name, before facts that mention it
    next(h for h in hits if h.text == expected).click()
    WebDriverWait(browser, 10).until(lambda d: d.find_element("tag name", "h1").text == expected)
    assert _errors(browser) == []


def test_every_page_of_the_server_in_a_browser(browser, served: str) -> None:  # type: ignore[no-untyped-def]
    listed = _search_entries(requests.get(served + "/search.js", timeout=30).text)
    paths = ["/", "/queries", "/sparql", *sorted({href for _, _, href in listed})]
    _every_page_loads(browser, served, paths)
    _search(browser, served + "/", "kadhemi", "Mustafa al-Kadhemi")


def test_the_server_in_a_browser(browser, served: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(served + "/kgpub/id/mustafa-al-kadhemi")
    assert browser.find_element("tag name", "h1").text == "Mustafa al-Kadhemi" and _errors(browser) == []
    browser.get(served + "/queries")
    form = browser.find_element("css selector", 'form[action="/queries/timeline"]')
    form.find_element("tag name", "button").click()
    WebDriverWait(browser, 60).until(lambda d: d.find_elements("css selector", "#result + table tr"))
    rows = browser.find_elements("css selector", "#result + table tr")
    assert len(rows) > 5 and _errors(browser) == []
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTEFACTS / "serve-timeline.png"))
    # the SPARQL editor (CodeMirror): a query put in it, run on the endpoint, its rows shown (an IRI by its full IRI)
    browser.get(served + "/sparql")
    browser.execute_script("document.querySelector('.CodeMirror').CodeMirror.setValue(arguments[0])",
                           "SELECT ?who WHERE { ?e kg:accused ?who } ORDER BY ?who")
    browser.find_element("css selector", "#editor button").click()
    WebDriverWait(browser, 60).until(lambda d: "rows" in d.find_element("id", "status").text)
    expected = kgpub.query("SELECT ?who WHERE { ?e kg:accused ?who } ORDER BY ?who", _SEED_BUILD[0]).rows
    shown = [a.get_attribute("title") for a in browser.find_elements("css selector", "#rows td a")]
    assert shown == [r["who"]["value"] for r in expected] and _errors(browser) == []
    browser.save_screenshot(str(ARTEFACTS / "serve-sparql.png"))
    links = [a.get_attribute("href") for a in browser.find_elements("css selector", "#rows td a")]
    assert links and all(href.startswith(served + "/kgpub/id/") for href in links)  # an IRI opens its page here
    browser.get(links[0])
    assert browser.find_element("tag name", "h1").text and _errors(browser) == []


def test_full_text_must_name_an_article_of_the_corpus(tmp_path: Path) -> None:
    """A misspelt id in full_text would silently leave the choice to the licence: the build names it."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    dataset = seeds / "dataset.yaml"
    text = dataset.read_text(encoding="utf-8")
    dataset.write_text(text.replace("  000_eb2d348de878cb8c: false\n", "  000_eb2d348de878cb8: false\n"), encoding="utf-8")
    line = text.splitlines().index("  000_eb2d348de878cb8c: false") + 1
    result = CliRunner().invoke(main, ["build", str(seeds), "--out", str(tmp_path / "dist"), "-q"])
    assert result.exit_code == 2 and not (tmp_path / "dist").exists()
    assert result.stderr.strip().splitlines() == [
        f"dataset.yaml:{line}: full_text.000_eb2d348de878cb8: no article has the id '000_eb2d348de878cb8'"]
    checked = CliRunner().invoke(main, ["check", str(seeds)])  # kgpub check finds it too, without a graph
    assert checked.exit_code == 2 and checked.stdout.strip().splitlines() == result.stderr.strip().splitlines()


def test_serve_refuses_seeds_whose_text_is_not_the_one_built(seed_build: Path, tmp_path: Path) -> None:
    """kgpub serve --seeds checks the texts it would show against the build, as the site does, before it listens."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    text = seeds / "articles" / "voa-2020-01-01.txt"
    text.write_bytes(text.read_bytes() + b"\n")
    result = CliRunner().invoke(main, ["serve", "--data", str(seed_build), "--seeds", str(seeds), "--port", "1"])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert result.stderr.strip() == f"{text}: not the text the build quoted (its SHA-256 differs): build again first"
    missing = CliRunner().invoke(main, ["serve", "--data", str(seed_build), "--seeds", str(tmp_path / "none")])
    assert missing.exit_code == 2 and missing.stderr.strip() == f"{tmp_path / 'none'}: no such seeds folder (--seeds)"


# --------------------------------------------------------------------------- redirect rules for a static host


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ASKED = {BROWSER: "html", "text/turtle": "ttl", "application/ld+json": "jsonld", "application/n-triples": "nt",
         "application/n-triples, text/html;q=0.5": "nt"}


def _apache(rules: str, path: str, accept: str) -> str | None:
    """Where Apache's mod_rewrite sends ``path`` (no leading slash) by these .htaccess rules: the first rule whose
    conditions on Accept hold and whose pattern matches (no IRI's path is a file, so the file rule passes)."""
    conditions: list[str] = []
    for line in rules.splitlines():
        if line.startswith("RewriteCond %{HTTP_ACCEPT} "):
            conditions.append(line.split(" ", 2)[2])
        elif line.startswith("RewriteCond"):
            conditions.append("")  # the file test: never true for an IRI's path
        elif line.startswith("RewriteRule "):
            _, pattern, target, flags = line.split(" ")
            held = all(c and ((re.search(c[1:], accept) is None) if c.startswith("!") else re.search(c, accept) is not None)
                       for c in conditions)
            conditions = []
            match = re.match(pattern, path) if held else None
            if match and target != "-":
                assert "R=303" in flags
                return re.sub(r"\$(\d)", lambda d: match.group(int(d.group(1))) or "", target)  # noqa: B023
    return None


def _nginx(http: str, server: str, path: str, accept: str) -> str | None:
    """Where nginx sends ``path`` by these two snippets: the map's format, then the named location's first match."""
    ext = "html"
    for line in http.splitlines():
        found = re.match(r"\s+~(\S+) (\w+);", line)
        if found and re.search(found.group(1), accept):
            ext = found.group(2)
            break
    asked = f"{ext}:/{path}"
    for line in server.splitlines():
        found = re.match(r'\s+if \(\$kgpub_asked ~ "(.*)"\) \{ return 303 (\S+); \}', line)
        if found and (match := re.match(found.group(1), asked)):
            return re.sub(r"\$(\d)", lambda d: match.group(int(d.group(1))) or "", found.group(2))  # noqa: B023
    return None


def test_the_redirect_rules_make_every_published_iri_dereference(site: Path, seed_build: Path) -> None:
    """Things, evidence, ontology terms, concepts, the graphs and the dataset: each IRI's path leads, under Apache's
    rules and nginx's alike, to a file of the site in the format asked (and a fragment to an id on the page)."""
    rules = (site / ".htaccess").read_text()
    http, server = (site / "nginx" / "kgpub-http.conf").read_text(), (site / "nginx" / "kgpub-server.conf").read_text()
    iris = set()
    for name in ("kg.nt", "void.ttl"):
        iris |= set(re.findall(r"<(https://w3id\.org/kgpub/[^>]*)>", (seed_build / name).read_text()))
    iris |= set(re.findall(r"^<(https://w3id\.org/kgpub/[^>]*)> \{", (seed_build / "kg.trig").read_text(), re.M))
    iris |= {"https://w3id.org/kgpub/ontology#Event", "https://w3id.org/kgpub/type/EventTypes",
             "https://w3id.org/kgpub/id/dataset", "https://w3id.org/.well-known/void"}
    iris = {i for i in iris if "/kgpub/dist/" not in i and i[-1] not in "/#"}  # no dumps (the build's), no namespaces
    kinds = {"thing": "/id/mustafa-al-kadhemi", "evidence": "/evidence/", "ontology": "/ontology#", "concept": "/type/",
             "graph": "/id/graph/", "dataset": "/id/dataset", "void": ".well-known/void"}
    assert all(any(k in i for i in iris) for k in kinds.values())
    for iri in sorted(iris):
        path, _, fragment = iri[len("https://w3id.org/"):].partition("#")
        for accept, ext in ASKED.items():
            for way, target in (("apache", _apache(rules, path, accept)), ("nginx", _nginx(http, server, path, accept))):
                assert target is not None, (way, iri, accept)
                file, _, anchor = target.partition("#")
                assert (site / file.lstrip("/")).is_file(), (way, iri, accept, target)
                if file.endswith(".html"):
                    page = (site / file.lstrip("/")).read_text(encoding="utf-8")
                    for ident in filter(None, (anchor, fragment if file == "/ontology.html" else "")):
                        assert f'id="{ident}"' in page, (way, iri, target)
                if "/id/" in path and "/graph/" not in path and "/dataset" not in path:
                    assert file.endswith("." + ext), (way, iri, accept, target)  # a thing in the format asked
                elif ext != "html":
                    assert not file.endswith(".html"), (way, iri, accept, target)  # never a page for RDF


@pytest.fixture(scope="module")
def nginx_site(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site on a real nginx (Debian's) on 127.0.0.1, configured with nothing but the two snippets it carries."""
    import subprocess
    import time

    from servers import STARTED, free_port

    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").is_file() else None)
    require(binary, "nginx (Debian's nginx-light)")
    here = tmp_path_factory.mktemp("nginx")
    port = free_port()
    temp = " ".join(f"{kind}_temp_path {here / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (here / "nginx.conf").write_text(
        f"daemon off; master_process off; pid {here / 'nginx.pid'}; error_log {here / 'error.log'};\n"
        "events {}\n"
        f"http {{ access_log off; {temp}\n"
        "  types { text/html html; text/turtle ttl; application/ld+json jsonld; application/n-triples nt;"
        " text/javascript js; }\n"
        f"  include {site / 'nginx' / 'kgpub-http.conf'};\n"
        f"  server {{ listen 127.0.0.1:{port}; root {site};\n"
        f"    include {site / 'nginx' / 'kgpub-server.conf'}; }}\n}}\n")
    process = subprocess.Popen([str(binary), "-p", str(here), "-e", str(here / "error.log"), "-c", str(here / "nginx.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(url + "/index.html", timeout=2)
            break
        except requests.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"nginx did not start: {process.stderr.read().decode() if process.stderr else ''}"
                            f"{(here / 'error.log').read_text() if (here / 'error.log').exists() else ''}")
            time.sleep(0.1)
    version = subprocess.run([str(binary), "-v"], capture_output=True, text=True, check=False).stderr.strip()
    STARTED.append(f"{version} (the site with its redirect rules)")
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="module")
def apache_site(site: Path) -> Iterator[str]:
    """The site on a real Apache httpd (Debian's apache2-bin) on 127.0.0.1 that reads the site's own .htaccess."""
    import os
    import subprocess
    import tempfile
    import time

    from servers import STARTED, free_port

    binary = shutil.which("apache2") or ("/usr/sbin/apache2" if Path("/usr/sbin/apache2").is_file() else None)
    require(binary, "Apache httpd (Debian's apache2-bin)")
    modules = Path("/usr/lib/apache2/modules")
    here = Path(tempfile.mkdtemp(prefix="kgpub-apache-", dir="/tmp"))  # readable by the user Apache runs pages as
    try:
        os.chmod(here, 0o755)
        root = here / "site"
        shutil.copytree(site, root)
        port = free_port()
        user = "User nobody\nGroup nogroup\n" if os.geteuid() == 0 else ""
        (here / "httpd.conf").write_text(
            f"ServerRoot {here}\n"
            + "".join(f"LoadModule {name}_module {modules / f'mod_{name}.so'}\n"
                      for name in ("mpm_prefork", "authz_core", "mime", "dir", "rewrite"))
            + f"Listen 127.0.0.1:{port}\nPidFile {here / 'httpd.pid'}\nErrorLog {here / 'error.log'}\n{user}"
            f"ServerName 127.0.0.1\nKeepAlive Off\nDocumentRoot {root}\nTypesConfig /dev/null\nAddType text/html .html\n"
            f"<Directory {root}>\n  AllowOverride All\n  Require all granted\n</Directory>\n")
        process = subprocess.Popen([str(binary), "-f", str(here / "httpd.conf"), "-X"], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(url + "/index.html", timeout=2)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    log = here / "error.log"
                    pytest.fail(f"apache2 did not start: {process.stderr.read().decode() if process.stderr else ''}"
                                f"{log.read_text() if log.exists() else ''}")
                time.sleep(0.1)
        version = subprocess.run([str(binary), "-v"], capture_output=True, text=True, check=False).stdout.splitlines()
        STARTED.append(f"{version[0] if version else 'Apache httpd'} (the site with its .htaccess)")
        yield url
        process.terminate()
        process.wait(10)
    finally:
        shutil.rmtree(here, ignore_errors=True)


@pytest.mark.parametrize("host", ["nginx_site", "apache_site"])
def test_a_real_web_server_with_the_sites_rules_dereferences_the_iris(host: str, site: Path,
                                                                         request: pytest.FixtureRequest) -> None:
    """The published IRIs' paths on nginx and on Apache: 303 See Other to the file of the format asked, which the
    server then gives with its media type."""
    served = request.getfixturevalue(host)
    cases = [("/kgpub/id/mustafa-al-kadhemi", "text/turtle", "/kgpub/id/mustafa-al-kadhemi.ttl", "text/turtle"),
             ("/kgpub/id/mustafa-al-kadhemi", BROWSER, "/kgpub/id/mustafa-al-kadhemi.html", "text/html"),
             ("/kgpub/id/mustafa-al-kadhemi", "application/ld+json", "/kgpub/id/mustafa-al-kadhemi.jsonld",
              "application/ld+json"),
             ("/kgpub/ontology", "text/turtle", "/kgpub/ontology.ttl", "text/turtle"),
             ("/kgpub/ontology", BROWSER, "/ontology.html", "text/html"),
             ("/kgpub/type/Protest", BROWSER, "/ontology.html#kgt:Protest", "text/html"),
             ("/kgpub/type/EventTypes", "text/turtle", "/kgpub/ontology.ttl", "text/turtle"),
             ("/kgpub/id/graph/entities", "application/n-triples", "/kgpub/id/graph/entities.ttl", "text/turtle"),
             ("/kgpub/id/dataset", "text/turtle", "/void.ttl", "text/turtle"),
             ("/.well-known/void", "text/turtle", "/void.ttl", "text/turtle")]
    evidence = next(p for p in site.rglob("*.html") if 'id="evidence-1"' in p.read_text(encoding="utf-8"))
    fact = "/" + str(evidence.relative_to(site))[:-len(".html")]
    cases.append((fact + "/evidence/1/quote", BROWSER, fact + ".html#evidence-1", "text/html"))
    article = next(p for p in (site / "kgpub" / "id" / "article").glob("*.html") if p.with_suffix("").is_dir())
    local = "/" + str(article.relative_to(site))[:-len(".html")]  # a page's path that is a folder too
    cases.append((local, "text/turtle", local + ".ttl", "text/turtle"))
    for path, accept, target, media in cases:
        first = requests.get(served + path, headers={"Accept": accept}, allow_redirects=False, timeout=30)
        assert first.status_code == 303 and first.headers["location"].endswith(target), (path, accept, first.headers)
        final = requests.get(served + target.split("#")[0], headers={"Accept": accept}, timeout=30)
        assert final.status_code == 200 and final.headers["content-type"].startswith(media), (path, target)
    assert requests.get(served + "/kgpub/id/mustafa-al-kadhemi.html", timeout=30).status_code == 200  # files as they are


def test_each_named_graph_is_in_the_site_as_its_own_turtle(site: Path, seed_build: Path) -> None:
    import pyoxigraph as ox

    quads = list(ox.parse(path=str(seed_build / "kg.trig"), format=ox.RdfFormat.TRIG))
    graphs = {q.graph_name.value for q in quads}
    assert len(graphs) >= 4
    for graph in graphs:
        name = graph[len("https://w3id.org/"):] + ".ttl"
        mine = {q.triple for q in quads if q.graph_name.value == graph}
        assert {q.triple for q in ox.parse(path=str(site / name), format=ox.RdfFormat.TURTLE)} == mine, graph
    ontology = set(ox.parse(path=str(site / "kgpub" / "ontology.ttl"), format=ox.RdfFormat.TURTLE))
    assert ontology == set(ox.parse(path=str(seed_build / "ontology.ttl"), format=ox.RdfFormat.TURTLE))


#: A name of the vocabulary as RDF writes it (``kg:accused``, ``rdf:subject``), which a reader should not meet.
_VOCABULARY_NAME = re.compile(r"\b(?:rdf|rdfs|owl|xsd|kg|kgt|oa|prov|dcterms|dcat|void|schema|skos|sh|foaf):[A-Za-z]")
#: The pages whose subject is the vocabulary or queries written in it.
_ABOUT_THE_VOCABULARY = {"ontology.html", "sparql.html", "queries.html"}


def _reader_text(page: str) -> str:
    """What a reader reads of a page: its text, less its Data section, its scripts and its tags."""
    body = page.split("<main", 1)[-1]
    body = re.sub(r'<section class="data".*?</section>', " ", body, flags=re.S)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_no_page_speaks_rdf_outside_its_data_section(site: Path) -> None:
    """Every page of the site (articles, actors, events, claims, relations, publishers, the front page, the
    timeline...) names roles and kinds in words; the vocabulary's own names are in the Data sections only."""
    pages = [p for p in site.rglob("*.html") if p.relative_to(site).as_posix() not in _ABOUT_THE_VOCABULARY]
    assert len(pages) > 150
    found = {p.relative_to(site).as_posix(): m.group(0) for p in pages
             if (m := _VOCABULARY_NAME.search(_reader_text(p.read_text(encoding="utf-8"))))}
    assert not found, found
    # and it can see one: the Data section of Kadhemi's page has them
    kadhemi = (site / "kgpub/id/mustafa-al-kadhemi.html").read_text(encoding="utf-8")
    assert _VOCABULARY_NAME.search(kadhemi) and not _VOCABULARY_NAME.search(_reader_text(kadhemi))


def test_nodes_hashed_in_batches_equal_one_by_one_and_see_one_changed_statement(seed_build: Path) -> None:
    """The digests that decide which pages are drawn again: a batch gives each node what it alone gives, and a
    changed statement changes the digest of its subject and its object only."""
    import pyoxigraph as ox

    from kgpub.sparql.local import local_prefixes
    from kgpub.web.site import Snapshot, _default_graph

    triples = list(_default_graph(seed_build, None))
    base = "https://w3id.org/kgpub/id/"
    pages = Snapshot(triples, base, "/kgpub/id/", local_prefixes(seed_build))
    nodes = pages.nodes()
    together = pages.digests(nodes)
    assert together == {iri: Snapshot.digests(pages, [iri])[iri] for iri in nodes}
    assert len(set(together.values())) == len(nodes)  # no two nodes' triples alike
    first = next(t for t in triples if t.subject.value == nodes[0] and isinstance(t.object, ox.Literal))
    changed = [ox.Triple(t.subject, t.predicate, ox.Literal(t.object.value + " (corrected)")) if t == first else t
               for t in triples]
    after = Snapshot(changed, base, "/kgpub/id/", local_prefixes(seed_build)).digests(nodes)
    assert [iri for iri in nodes if after[iri] != together[iri]] == [nodes[0]]


def test_forked_writers_write_the_site_one_process_writes(tmp_path: Path) -> None:
    """A corpus large enough that the pages are shared among forked writers, a hundred at a time, with the other
    views drawn meanwhile from the queries asked ahead: the same files, byte for byte, and the same manifest as
    one process drawing every page in turn."""
    import sys

    from kgpub.web import site as site_module
    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synth import write_corpus

    corpus = tmp_path / "corpus"
    write_corpus(corpus, 80, seed=11, bad_rate=0.0)
    assert kgpub.build(corpus, tmp_path / "dist", cache=False).written
    alone = site_module.build_site(tmp_path / "dist", tmp_path / "alone", corpus, jobs=1)
    forked = site_module.build_site(tmp_path / "dist", tmp_path / "forked", corpus, jobs=2)
    assert alone.pages == forked.pages > 8 * site_module.CHUNK  # enough for each writer to take several tasks
    assert forked.drawn == alone.drawn == alone.pages - len(_VIEW_PAGES)
    files = sorted(p.relative_to(tmp_path / "alone") for p in (tmp_path / "alone").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "forked") for p in (tmp_path / "forked").rglob("*") if p.is_file())
    assert all((tmp_path / "alone" / f).read_bytes() == (tmp_path / "forked" / f).read_bytes() for f in files)


def test_reads_numbered_as_they_come_are_written_in_iri_order() -> None:
    """The manifest numbers each page's reads as the writers send them (in whatever order the nodes were first
    read) and writes them in the nodes' sorted order: the same pages read in any order give the same record."""
    from kgpub.web.site import _Reads

    pages = {"p/b": ["n/c", "n/a"], "p/a": ["n/b", "n/c"], "p/c": []}
    one, other = _Reads(), _Reads()
    one.add(pages)
    for iri in reversed(pages):
        other.add({iri: pages[iri]})
    assert one.number != other.number  # the numbers as they came differ...
    order, numbered = one.sorted()
    assert (order, numbered) == other.sorted()  # ...the record does not
    assert order == ["n/a", "n/b", "n/c"]
    assert list(numbered) == ["p/a", "p/b", "p/c"]
    assert {iri: [order[n] for n in numbered[iri]] for iri in numbered} == pages


def test_a_quote_that_renumbers_an_article_redraws_every_page_linking_its_quotes(tmp_path: Path) -> None:
    """A page that links a quote (``#q-N``) reads the numbering of its article's quotes: a quote moved from the
    article's first sentence to its last renumbers the others, and every page linking one of them is drawn
    again, those whose own statements and evidence did not change included (another fact's, an actor's), so
    the rerun writes what a fresh run writes."""
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synth import write_corpus

    corpus = tmp_path / "corpus"
    write_corpus(corpus, 8, seed=3)
    kgpub.build(corpus, tmp_path / "dist")
    kgpub.site(tmp_path / "dist", tmp_path / "site", seeds=corpus)
    facts = next(corpus.glob("articles/*/a000003.facts.yaml"))
    text = facts.read_text(encoding="utf-8")
    old = ('    evidence: ["Hakarsa Brigades carried out a drone strike against Karla Sulhanlev in Zaha in 2019, '
           'according to witness number 1"]')
    assert text.count(old) == 1  # the synthetic corpus as this test knows it
    facts.write_text(text.replace(old, '    evidence: ["Hakarsa Brigades, a faction of Madinla Brigades, has grown"]'),
                     encoding="utf-8")
    kgpub.build(corpus, tmp_path / "dist")
    page = tmp_path / "site" / "kgpub/id/article/a000003/event-2.html"
    before = page.read_bytes()
    again = kgpub.site(tmp_path / "dist", tmp_path / "site", seeds=corpus)
    fresh = kgpub.site(tmp_path / "dist", tmp_path / "fresh", seeds=corpus)
    assert again.drawn < fresh.drawn
    site_files = {p.relative_to(tmp_path / "site"): p.read_bytes() for p in (tmp_path / "site").rglob("*")
                  if p.is_file() and p.name != ".kgpub-site"}
    assert site_files == {p.relative_to(tmp_path / "fresh"): p.read_bytes()
                          for p in (tmp_path / "fresh").rglob("*") if p.is_file() and p.name != ".kgpub-site"}
    # the second event's statements and evidence stayed; its quote's number did not
    assert page.read_bytes() != before
