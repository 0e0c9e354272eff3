"""Stores follow the build: graphs of an article no longer in the build leave the store (real Fuseki and Oxigraph)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from conftest import MINI_FACTS, write_corpus
from test_stores import Store, _start

import kgpub
from kgpub.cli import main

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # slow: real stores
GONE = ("https://w3id.org/kgpub/id/graph/mini-2", "https://w3id.org/kgpub/id/graph/mini-2/provenance")


@pytest.fixture(params=["oxigraph", "fuseki"], scope="module")
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    running = _start(request.param, tmp_path_factory.mktemp(request.param))
    yield running
    running.stop()


def _content(store: Store) -> set[tuple[str, ...]]:
    """Every quad of the store (the default graph's as graph ""), the load manifest left out."""
    query = """SELECT ?g ?s ?p ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o }
               FILTER (?g != <https://w3id.org/kgpub/load-manifest>) } }"""
    response = requests.post(store.query_url, data={"query": query},
                             headers={"Accept": "application/sparql-results+json"}, timeout=60)
    response.raise_for_status()
    return {tuple(row.get(v, {}).get("value", "") for v in ("g", "s", "p", "o"))
            for row in response.json()["results"]["bindings"]}


def _graphs(store: Store) -> set[str]:
    return {g for g, *_ in _content(store) if g}


def _builds(tmp_path: Path, withdraw: bool = False) -> tuple[Path, Path]:
    """Two articles built, then the second deleted from the seeds (or marked withdrawn) and built again."""
    seeds = write_corpus(tmp_path / "seeds")
    write_corpus(seeds, MINI_FACTS.replace("id: mini-1", "id: mini-2"), registry=None, name="mini-2")
    kgpub.build(seeds, tmp_path / "release-1")
    second = seeds / "articles" / "mini-2.facts.yaml"
    if withdraw:
        second.write_text(second.read_text().replace('  published: "2021-05-04"\n', '  published: "2021-05-04"\n'
                          '  withdrawn:\n    date: "2026-12-01"\n    reason: Withdrawn by its publisher.\n'))
    else:
        second.unlink()
        (seeds / "articles" / "mini-2.txt").unlink()
    kgpub.build(seeds, tmp_path / "release-2")
    return tmp_path / "release-1", tmp_path / "release-2"


def _load(store: Store, build: Path, *extra: str) -> list[str]:
    result = CliRunner().invoke(main, ["load", store.load_url, "--flavor", store.flavor, "--data", str(build), *extra])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def _fresh(store: Store, build: Path) -> set[tuple[str, ...]]:
    store.update("DROP ALL")
    _load(store, build)
    return _content(store)


def test_a_deleted_article_leaves_the_store(store: Store, tmp_path: Path) -> None:
    first, second = _builds(tmp_path)
    store.update("DROP ALL")
    _load(store, first)
    assert set(GONE) <= _graphs(store)
    lines = _load(store, second)
    assert [line.split()[0] for line in lines if "removed (not in the build)" in line] == list(GONE)
    assert lines[-1] == "removed 2 graphs an earlier load put there that the build no longer has"
    after = _content(store)
    assert not set(GONE) & _graphs(store)
    assert after == _fresh(store, second)


def test_keep_removed_keeps_them(store: Store, tmp_path: Path) -> None:
    first, second = _builds(tmp_path)
    store.update("DROP ALL")
    _load(store, first)
    lines = _load(store, second, "--keep-removed")
    assert lines[-1] == "kept 2 graphs an earlier load put there that the build no longer has (--keep-removed)"
    assert set(GONE) <= _graphs(store)
    dry = _load(store, second, "--dry-run")
    assert "would remove 2 graphs" in dry[-1] and set(GONE) <= _graphs(store)  # a dry run removes nothing
    _load(store, second)
    assert not set(GONE) & _graphs(store)


def test_a_withdrawn_article_loaded_again_equals_a_fresh_load(store: Store, tmp_path: Path) -> None:
    first, second = _builds(tmp_path, withdraw=True)
    store.update("DROP ALL")
    _load(store, first)
    _load(store, second)
    after = _content(store)
    assert ("https://w3id.org/kgpub/id/graph/mini-2", "https://w3id.org/kgpub/id/article/mini-2/retraction",
            "https://w3id.org/kgpub/ontology#retractionReason", "Withdrawn by its publisher.") in after
    assert not any(s == "https://w3id.org/kgpub/id/article/mini-2/rocket-attack"
                   for g, s, _, _ in after if not g.endswith("/provenance"))  # its origin stays in provenance
    assert after == _fresh(store, second)
