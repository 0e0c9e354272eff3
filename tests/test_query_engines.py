"""Every shipped query gives the same bytes on every SPARQL 1.1 engine: the embedded one, a real Oxigraph server
and a real Fuseki, run several times each, on the seed build and on a multi-source corpus. SPARQL leaves the
order of GROUP_CONCAT open (even under an ordered sub-select), so the shipped queries must not depend on it: a
list of names is built in alphabetical order from ranks, and every ORDER BY decides every row."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

import kgpub
from kgpub.sparql.results import render
from kgpub.sparql.shipped import shipped_queries
from conftest import require
from servers import JAVA_CACHE, start_fuseki, start_oxigraph, stop
from test_query_multisource import write

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # slow: real stores

RUNS = 3
#: The entity the ``about`` query is asked about, per corpus.
ENTITY = {"seed": "id:mustafa-al-kadhemi", "multi": "id:alpha-brigade"}


@pytest.fixture(scope="module")
def multi_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("engines")
    assert kgpub.build(write(root / "seeds"), root / "dist").written
    return root / "dist"


@pytest.fixture(scope="module")
def engines(seed_build: Path, multi_build: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[Path, list[str]]]]:
    """Per corpus: its build and the query URLs of an Oxigraph and a Fuseki whose default graph holds what the
    embedded engine's does (the data and the ontology)."""
    require(any(JAVA_CACHE.glob("jena-fuseki-server-*.jar")), "Fuseki (scripts/java-deps.sh)")
    started = []
    out: dict[str, tuple[Path, list[str]]] = {}
    try:
        for name, build in (("seed", seed_build), ("multi", multi_build)):
            oxigraph = start_oxigraph()
            started.append(oxigraph.process)
            fuseki = start_fuseki(tmp_path_factory.mktemp(f"fuseki-{name}"))
            started.append(fuseki.process)
            for file in ("kg.ttl", "ontology.ttl"):
                oxigraph.post("/store?default", (build / file).read_bytes(), "text/turtle")
                response = requests.post(fuseki.url + "/data?default", data=(build / file).read_bytes(),
                                         headers={"Content-Type": "text/turtle"}, timeout=60)
                assert response.status_code in (200, 201, 204), response.text
            out[name] = (build, [oxigraph.url + "/query", fuseki.url + "/sparql"])
        yield out
    finally:
        for process in started:
            stop(process)


@pytest.mark.parametrize("corpus", ["seed", "multi"])
@pytest.mark.parametrize("name", [q.name for q in shipped_queries()])
def test_every_shipped_query_gives_the_same_csv_on_every_engine(
        name: str, corpus: str, engines: dict[str, tuple[Path, list[str]]]) -> None:
    build, endpoints = engines[corpus]
    query = next(q for q in shipped_queries() if q.name == name)
    params = {p.name: ENTITY[corpus] for p in query.params}
    local = render(kgpub.query(name, build, params=params), "csv", {})
    assert local.count(b"\n") > 1 or name == "disagreements" and corpus == "seed", local
    for _ in range(RUNS):
        assert render(kgpub.query(name, build, params=params), "csv", {}) == local
        for endpoint in endpoints:
            remote = render(kgpub.query(name, endpoint=endpoint, params=params), "csv", {})
            assert remote == local, endpoint


GOLDEN = Path(__file__).parent / "golden" / "queries"


@pytest.mark.parametrize("name", [q.name for q in shipped_queries()])
def test_every_shipped_query_gives_its_golden_rows_on_the_seeds(
        name: str, engines: dict[str, tuple[Path, list[str]]]) -> None:
    """The rows a reader gets from each shipped question on the seven-article seeds, reviewed once and kept as CSV:
    the embedded engine and a loaded Fuseki must both give exactly these bytes. After an intended change to the
    seeds or a query, regenerate with KGPUB_UPDATE_GOLDEN=1 and review the diff."""
    build, endpoints = engines["seed"]
    query = next(q for q in shipped_queries() if q.name == name)
    params = {p.name: ENTITY["seed"] for p in query.params}
    local = render(kgpub.query(name, build, params=params), "csv", {})
    golden = GOLDEN / f"{name}.csv"
    if os.environ.get("KGPUB_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(local)
    assert local == golden.read_bytes(), f"{name}: the embedded engine's rows differ from {golden}"
    fuseki = next(url for url in endpoints if url.endswith("/sparql"))
    assert render(kgpub.query(name, endpoint=fuseki, params=params), "csv", {}) == golden.read_bytes(), fuseki
