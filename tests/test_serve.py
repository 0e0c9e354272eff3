"""``kgpub serve`` as a real server on 127.0.0.1: the SPARQL endpoint answers like the embedded engine, and
every IRI's path gives HTML to a browser and RDF to a machine."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

import kgpub
from kgpub.sparql.results import SelectResult
from kgpub.sparql.shipped import shipped_queries
from kgserve import start_serve, stop_serve
from test_query_remote import canonical

pytestmark = pytest.mark.slow  # a running kgpub serve


@pytest.fixture(scope="module")
def served(seed_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _serve(seed_build, tmp_path_factory.mktemp("serve"))


def _serve(seed_build: Path, folder: Path, *extra: str) -> Iterator[str]:
    served = start_serve(seed_build, "--timeout", "5", *extra, log_path=folder / "serve.log")
    yield served.url
    stop_serve(served)


@pytest.mark.parametrize("name", [q.name for q in shipped_queries()])
def test_the_endpoint_answers_every_shipped_query_like_the_build(name: str, served: str, seed_build: Path) -> None:
    query = next(q for q in shipped_queries() if q.name == name)
    params = {p.name: "id:mustafa-al-kadhemi" for p in query.params}
    local = kgpub.query(name, seed_build, params=params)
    remote = kgpub.query(name, endpoint=served + "/sparql", params=params, store_default_graph=True)
    assert isinstance(remote, SelectResult) and canonical(remote) == canonical(local)


def test_the_protocol_forms_and_formats(served: str) -> None:
    query = "SELECT ?l WHERE { <https://w3id.org/kgpub/id/baghdad> rdfs:label ?l }"
    prologue = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    got = requests.get(served + "/sparql", params={"query": prologue + query}, timeout=30)
    assert got.status_code == 200 and got.json()["results"]["bindings"][0]["l"]["value"] == "Baghdad"
    posted = requests.post(served + "/sparql", data={"query": prologue + query}, timeout=30,
                           headers={"Accept": "text/csv"})
    assert posted.headers["content-type"].startswith("text/csv") and posted.text.splitlines() == ["l", "Baghdad"]
    direct = requests.post(served + "/sparql", data=(prologue + query).encode(), timeout=30,
                           headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+xml"})
    assert direct.status_code == 200 and "<literal>Baghdad</literal>" in direct.text
    graph = requests.get(served + "/sparql", timeout=30, headers={"Accept": "application/n-triples"},
                         params={"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5"})
    assert graph.headers["content-type"].startswith("application/n-triples")
    assert len(list(ox.parse(graph.content, format=ox.RdfFormat.N_TRIPLES))) == 5
    update = requests.post(served + "/sparql", data={"update": "INSERT DATA { <a:b> <a:c> <a:d> }"}, timeout=30)
    assert update.status_code == 403 and "read-only" in update.text
    sneaky = requests.post(served + "/sparql", data={"query": "# x\nINSERT DATA { <a:b> <a:c> <a:d> }"}, timeout=30)
    assert sneaky.status_code == 400


def test_a_runaway_query_is_stopped(served: str) -> None:
    started = time.monotonic()
    answer = requests.get(served + "/sparql", timeout=120, params={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"})
    assert answer.status_code == 503 and "longer than" in answer.text
    assert time.monotonic() - started < 90


def test_an_iri_gives_html_to_a_browser_and_rdf_to_a_machine(served: str) -> None:
    path = served + "/kgpub/id/mustafa-al-kadhemi"
    page = requests.get(path, timeout=30, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Accept" in page.headers["vary"].split(", ") and 'rel="alternate"; type="text/turtle"' in page.headers["link"]
    assert '<html lang="en">' in page.text and "<h1>Mustafa al-Kadhemi</h1>" in page.text
    assert "<q>" in page.text  # the quotes his facts rest on
    iran = requests.get(served + "/kgpub/id/iran", timeout=30)
    assert 'href="http://www.wikidata.org/entity/Q794"' in iran.text  # the Wikidata link
    turtle = requests.get(path, timeout=30, headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    triples = list(ox.parse(turtle.content, format=ox.RdfFormat.TURTLE))
    kadhemi = ox.NamedNode("https://w3id.org/kgpub/id/mustafa-al-kadhemi")
    assert any(t.subject == kadhemi for t in triples) and any(t.object == kadhemi for t in triples)
    again = requests.get(path, timeout=30, headers={"Accept": "text/turtle", "If-None-Match": turtle.headers["etag"]})
    assert again.status_code == 304
    jsonld = requests.get(path, timeout=30, headers={"Accept": "application/ld+json"})
    assert jsonld.headers["content-type"].startswith("application/ld+json") and jsonld.json()
    assert requests.get(served + "/kgpub/id/no-such-thing", timeout=30).status_code == 404


def test_the_query_page_runs_a_shipped_query(served: str) -> None:
    listing = requests.get(served + "/queries", timeout=30)
    assert listing.status_code == 200 and all(f'action="/queries/{q.name}"' in listing.text for q in shipped_queries())
    assert "<script" not in listing.text and "http" not in listing.text.split("<body>")[0].replace('charset="utf-8"', "")
    run = requests.get(served + "/queries/about", params={"entity": "id:mustafa-al-kadhemi"}, timeout=60)
    assert run.status_code == 200 and '<h2 id="result">about</h2>' in run.text and run.text.count("<tr>") > 2


def test_any_origin_may_query_the_endpoint(served: str) -> None:
    """A YASGUI page served elsewhere posts its query after a CORS preflight."""
    preflight = requests.options(served + "/sparql", timeout=30, headers={
        "Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    answer = requests.post(served + "/sparql", data="ASK { ?s ?p ?o }", timeout=30, headers={
        "Origin": "https://yasgui.example", "Content-Type": "application/sparql-query"})
    assert answer.status_code == 200 and answer.headers["access-control-allow-origin"] == "*"
    assert answer.json()["boolean"] is True


def test_the_endpoint_is_an_editor_in_a_browser_and_the_front_page_searches(served: str) -> None:
    editor = requests.get(served + "/sparql", timeout=30, headers={"Accept": "text/html"})
    assert editor.status_code == 200 and '<textarea id="query"' in editor.text
    import re

    scripts = re.findall(r'<script src="([^"]+)"', editor.text)  # its script is a file of this server: nothing from
    assert scripts and all(src.startswith("/") and not src.startswith("//") for src in scripts)  # another host
    assert all(requests.get(served + src, timeout=30).status_code == 200 for src in scripts)
    description = requests.get(served + "/sparql", timeout=30, headers={"Accept": "*/*"})  # a client: the service description
    assert description.status_code == 200 and description.headers["content-type"].startswith("text/turtle")
    search = requests.get(served + "/search.js", timeout=30)
    assert search.headers["content-type"].startswith("text/javascript")
    assert re.search(r'\["Mustafa al-Kadhemi",\d+,"mustafa-al-kadhemi","mustafa kadhemi\|', search.text)
    assert '"kinds":["' in search.text and '"root":"/kgpub/id/","suffix":""' in search.text
    assert "evidence" not in search.text  # evidence is shown on its fact's page
    page = requests.get(served + "/kgpub/id/mustafa-al-kadhemi", timeout=30).text
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and 'href="/kgpub/id/iraqi-government"' in page


def test_the_server_shows_a_text_only_where_its_licence_allows(served: str, seed_build: Path, tmp_path: Path) -> None:
    """Without --seeds no text at all, only quotes and each article's rights; with --seeds the public-domain
    texts, never the AFP one (in copyright, and dataset.yaml withholds it)."""
    from conftest import SEEDS

    state = "/kgpub/id/article/state-2020-01-03"
    afp = "/kgpub/id/article/000_eb2d348de878cb8c"
    unquoted = "The war of words has heightened tensions in a country"
    bare = requests.get(served + state, headers={"Accept": "text/html"}, timeout=10).text
    assert '<div class="text"' not in bare and "The full text is not published here" in bare
    assert "<dt>Credit</dt><dd>U.S. Department of State / U.S. Embassy Bishkek" in bare
    with_seeds = _serve(seed_build, tmp_path, "--seeds", str(SEEDS))
    url = next(with_seeds)
    try:
        page = requests.get(url + state, headers={"Accept": "text/html"}, timeout=10).text
        assert '<div class="text" style="white-space:pre-wrap">' in page and "<mark data-start=" in page
        assert "Since September 2018, the Trump Administration has made clear" in page  # a passage no quote holds
        closed = requests.get(url + afp, headers={"Accept": "text/html"}, timeout=10).text
        assert '<div class="text"' not in closed and unquoted not in closed
        assert 'rel="license">In Copyright</a>' in closed
    finally:
        next(with_seeds, None)


def test_the_server_s_connections_send_at_once() -> None:
    """The socket ``kgpub serve`` listens on names TCP as its protocol, so asyncio (uvicorn's loop) turns Nagle's
    algorithm off on every connection it accepts: an answer's last small segment is not held back until the client
    acknowledges the one before, which a client delays (so every answer but the first on a kept-alive connection
    would wait tens of milliseconds)."""
    import asyncio
    import socket

    from kgpub.web.serving import _listening

    async def accepted_nodelay() -> int:
        listening = _listening("127.0.0.1", 0, "127.0.0.1")
        found: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                conn = transport.get_extra_info("socket")
                found.set_result(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Probe, sock=listening)
        port = listening.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            return await asyncio.wait_for(found, 10)
        finally:
            writer.close()
            server.close()

    assert asyncio.run(accepted_nodelay()) != 0
