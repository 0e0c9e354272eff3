"""The one list of views: a view added to it (one entry and one template) is on the server and in the site alike;
and a site's pages are stale exactly when a template they were drawn with changed."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

import kgpub
from kgpub.web import templating, views
from kgpub.web.serving import Settings, application

TOY = """{% extends "base.html" %}
{% block body %}
<p id="toy">{{ articles }} articles, the first {{ first }}.</p>
{% endblock %}
"""


def _toy_data(build: views.Build, ask: views.Ask) -> dict[str, Any]:
    """What the toy view shows, computed from the build (its store and its pages, as every view's)."""
    import pyoxigraph as ox

    rows = sorted(r["a"].value for r in build.store.query(
        "SELECT ?a WHERE { ?a a <https://schema.org/NewsArticle> }"))
    return {"title": "Toy", "articles": len(rows), "first": build.pages.label(ox.NamedNode(rows[0]))}


@pytest.fixture
def toy(tmp_path: Path) -> Iterator[views.View]:
    """A view registered as a new one would be: one entry in the list, one template in a folder of templates."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "toy.html").write_text(TOY, encoding="utf-8")
    view = views.View("toy", "/toy", "toy.html", "toy.html", _toy_data, nav="Toy", way="A toy view")
    views.VIEWS.append(view)
    templating.add_folder(folder)
    try:
        yield view
    finally:
        views.VIEWS.remove(view)
        templating.remove_folder(folder)


@pytest.fixture
def serve_here(seed_build: Path) -> Iterator[str]:
    """``kgpub serve``'s application on a real uvicorn on 127.0.0.1, in this process (so it sees the toy view)."""
    import uvicorn

    from servers import STARTED, free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(application(Settings(seed_build)), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    STARTED.append("kgpub serve's application (uvicorn, in the test's process)")
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(30)


def _toy_paragraph(page: str) -> str:
    found = re.search(r'<p id="toy">([^<]+)</p>', page)
    assert found, page[:500]
    return found.group(1)


def test_a_view_added_to_the_list_is_served_and_written(toy: views.View, serve_here: str, seed_build: Path,
                                                        tmp_path: Path) -> None:
    articles = kgpub.query("SELECT ?a WHERE { ?a a schema:NewsArticle }", seed_build).rows
    expected = f"{len(articles)} articles, the first "
    served = requests.get(serve_here + "/toy", timeout=60)
    assert served.status_code == 200 and served.headers["content-type"].startswith("text/html")
    assert _toy_paragraph(served.text).startswith(expected) and "<h1>Toy</h1>" in served.text
    front = requests.get(serve_here + "/", timeout=60).text
    assert '<a href="/toy">Toy</a>' in front and '<a href="/toy">A toy view</a>' in front  # navigation, ways in
    page = requests.get(serve_here + "/kgpub/id/mustafa-al-kadhemi", timeout=60, headers={"Accept": "text/html"})
    assert '<a href="/toy">Toy</a>' in page.text  # every page's navigation is drawn from the list

    site = kgpub.site(seed_build, tmp_path / "site")
    written = (tmp_path / "site" / "toy.html").read_text(encoding="utf-8")
    assert _toy_paragraph(written) == _toy_paragraph(served.text)  # the same view, the same data
    assert '<a href="/toy.html">Toy</a>' in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    node = (tmp_path / "site" / "kgpub/id/mustafa-al-kadhemi.html").read_text(encoding="utf-8")
    assert '<a href="/toy.html">Toy</a>' in node
    assert site.pages == len(list((tmp_path / "site").rglob("*.html")))


def test_every_view_of_the_list_is_on_the_server_and_in_the_site(serve_here: str, seed_build: Path,
                                                                 tmp_path: Path) -> None:
    kgpub.site(seed_build, tmp_path / "site", seeds=None)
    for view in views.VIEWS:
        if view.each_node:
            continue
        assert (tmp_path / "site" / view.file).is_file(), view.name
        answer = requests.get(serve_here + view.path, timeout=60, headers={"Accept": "text/html"})
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(view.media_type.split(";")[0]), \
            view.name
    for name in templating.static_files():
        assert (tmp_path / "site" / "static" / name).is_file()
        assert requests.get(f"{serve_here}/static/{name}", timeout=60).status_code == 200


def _pages(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*.html")}


def test_a_changed_template_makes_stale_the_pages_drawn_with_it_and_only_those(seed_build: Path,
                                                                                tmp_path: Path) -> None:
    """The network picture's template is changed: the pages that draw a network are drawn again, no other; taking
    the change back draws them again; and each state is, byte for byte, what a fresh site is."""
    site = tmp_path / "site"
    first = kgpub.site(seed_build, site)
    before = _pages(site)
    with_network = {name for name, body in before.items() if b"<h2>Network</h2>" in body}
    assert 10 < len(with_network) < first.drawn / 2
    folder = tmp_path / "templates"
    folder.mkdir()
    original = (templating.TEMPLATES / "network.html").read_text(encoding="utf-8")
    (folder / "network.html").write_text(original.replace("<h2>Network</h2>", "<h2>Network</h2>\n<p>changed</p>"),
                                         encoding="utf-8")
    templating.add_folder(folder)
    try:
        again = kgpub.site(seed_build, site)
        after = _pages(site)
        changed = {name for name in after if after[name] != before[name]}
        assert again.drawn == len(with_network) and changed == with_network
        assert all(b"<p>changed</p>" in after[name] for name in with_network)
        fresh = kgpub.site(seed_build, tmp_path / "fresh")
        assert _pages(tmp_path / "fresh") == after and fresh.drawn == first.drawn
    finally:
        templating.remove_folder(folder)
    back = kgpub.site(seed_build, site)
    assert back.drawn == len(with_network) and _pages(site) == before
    assert kgpub.site(seed_build, site).drawn == 0


def test_a_site_follows_the_code_its_pages_import_and_only_that() -> None:
    """Pages go stale when code they run changes (the query index, the name folding of the search), not when
    code they never import does (the loader of a store, the command line)."""
    from kgpub.web.site import _code_files

    names = {p.relative_to(p.parents[1]).as_posix() for p in _code_files()}
    assert {"web/views.py", "web/pages.py", "sparql/index.py", "corpus/identity.py", "rdf/vocab.py"} <= names
    assert not names & {"kgpub/stores.py", "kgpub/http.py", "kgpub/cli.py", "kgpub/api.py"}


def test_the_queries_asked_ahead_answer_as_the_store_does_and_only_those(seed_build: Path) -> None:
    """A site asks the views' store queries while it reads the graph, in another process: the rows it gets back are
    the store's own, and a view finds them by the same text and options, while any other query still goes to the
    store."""
    from kgpub.sparql.index import open_index

    index = open_index(seed_build)
    answers = views.prefetch(index.store, index.base)
    asked = views.asked_ahead(index.base)
    assert len(answers) == len(asked) >= 4
    for text, options in asked:
        solutions = index.store.query(text, **options)
        names = [v.value for v in solutions.variables]
        expected = [[row[n] for n in names] for row in solutions]
        assert expected, text  # each query answers something on the seeds
        got = list(views.Answered(_Refusing(), answers).query(text, **options))
        assert [[row[n] for n in names] for row in got] == expected
    other = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert int(next(iter(views.Answered(index.store, answers).query(other)))["n"].value) > 0
    with pytest.raises(AssertionError):
        views.Answered(_Refusing(), answers).query(asked[0][0] + " ")  # another text: the store is asked


class _Refusing:
    """A store that must not be asked."""

    def query(self, text: str, **options: Any) -> Any:
        raise AssertionError(f"the store was asked: {text[:60]}")
