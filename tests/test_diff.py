"""kgpub diff: the changelog, its JSON, and the changeset that takes a store from one build to the next."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import MINI_FACTS, write_corpus
from hypothesis import given
from hypothesis import strategies as st

import kgpub
from kgpub.cli import main

SECOND = MINI_FACTS.replace("id: mini-1", "id: mini-2")


def _build(seeds: Path, out: Path) -> Path:
    kgpub.build(seeds, out)
    return out


def _quads(build: Path) -> set[str]:
    store = ox.Store()
    store.load(path=str(build / "kg.trig"), format=ox.RdfFormat.TRIG)
    return {str(q) for q in store}


def _apply(old: Path, update: str) -> set[str]:
    store = ox.Store()
    store.load(path=str(old / "kg.trig"), format=ox.RdfFormat.TRIG)
    if update:
        store.update(update)
    return {str(q) for q in store}


@pytest.fixture
def two(tmp_path: Path) -> tuple[Path, Path]:
    """Seeds with two articles, built (``old``), and a copy to edit."""
    old = write_corpus(tmp_path / "old")
    write_corpus(old, SECOND, name="mini-2")
    new = write_corpus(tmp_path / "new")
    write_corpus(new, SECOND, name="mini-2")
    return old, new


def test_a_redated_event_is_a_correction_with_old_and_new_value(two: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = two
    facts = new / "articles" / "mini-1.facts.yaml"
    facts.write_text(facts.read_text().replace('date: "2021-05-03"', 'date: "2021-05-02"'))
    result = kgpub.diff(_build(old, tmp_path / "a"), _build(new, tmp_path / "b"))
    assert result.counts() == {"added": 0, "removed": 0, "changed": 1, "retracted": 0}
    fact = result.facts[0]
    assert fact.iri.endswith("/article/mini-1/rocket-attack")
    assert fact.label == "Rocket attack on the Gamma base"
    assert fact.quote == "Alpha Brigade fighters fired rockets at the Gamma base on 3 May 2021"
    assert "date: 2021-05-03 → 2021-05-02" in fact.details
    text = result.text()
    assert "Corrected (1):" in text and "date: 2021-05-03 → 2021-05-02" in text


def test_added_and_removed_facts_and_articles(two: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = two
    facts = new / "articles" / "mini-1.facts.yaml"
    facts.write_text(facts.read_text().split("threats:")[0])  # the threat is gone
    (new / "articles" / "mini-2.facts.yaml").unlink()
    (new / "articles" / "mini-2.txt").unlink()
    write_corpus(new, MINI_FACTS.replace("id: mini-1", "id: mini-3"), name="mini-3")
    a, b = _build(old, tmp_path / "a"), _build(new, tmp_path / "b")
    result = kgpub.diff(a, b)
    kinds = {(f.kind, f.article, f.iri.rsplit("/", 1)[-1]) for f in result.facts}
    assert ("removed", "mini-1", "zed-threat") in kinds
    assert ("removed", "mini-2", "rocket-attack") in kinds
    assert ("added", "mini-3", "rocket-attack") in kinds
    assert not any(k == "changed" for k, _, _ in kinds)
    status = {g.graph.rsplit("/graph/", 1)[-1]: g.status for g in result.graphs}
    assert status["mini-2"] == "removed" and status["mini-3"] == "added" and status["mini-1"] == "changed"
    assert _apply(a, result.sparql_update()) == _quads(b)
    assert _apply(b, kgpub.diff(b, a).sparql_update()) == _quads(a)


def test_identical_builds_have_no_changes(two: tuple[Path, Path], tmp_path: Path) -> None:
    old, _ = two
    a, b = _build(old, tmp_path / "a"), _build(old, tmp_path / "b")
    result = kgpub.diff(a, b)
    assert result.facts == [] and result.graphs == []
    assert "No fact changed." in result.text()
    assert result.sparql_update() == ""


def test_a_registry_change_is_applied_too(two: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = two
    registry = new / "entities.yaml"
    registry.write_text(registry.read_text().replace("name: Gamma base", "name: Gamma air base"))
    a, b = _build(old, tmp_path / "a"), _build(new, tmp_path / "b")
    result = kgpub.diff(a, b)
    assert any(g.graph.endswith("/graph/entities") for g in result.graphs)
    assert _apply(a, result.sparql_update()) == _quads(b)


def test_cli_formats(two: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = two
    facts = new / "articles" / "mini-2.facts.yaml"
    facts.write_text(facts.read_text().replace('date: "2021-05-03"', 'date: "2021-05-01"'))
    a, b = _build(old, tmp_path / "a"), _build(new, tmp_path / "b")
    runner = CliRunner()
    text = runner.invoke(main, ["diff", str(a), str(b)])
    assert text.exit_code == 0 and "Corrected (1):" in text.output
    data = runner.invoke(main, ["diff", str(a), str(b), "--format", "json"])
    assert data.exit_code == 0
    parsed = json.loads(data.output)
    assert parsed["counts"]["changed"] == 1 and parsed["facts"][0]["article"] == "mini-2"
    out = tmp_path / "change.ru"
    update = runner.invoke(main, ["diff", str(a), str(b), "-f", "sparql-update", "-o", str(out)])
    assert update.exit_code == 0 and update.output == ""
    assert _apply(a, out.read_text()) == _quads(b)


def test_not_a_build_folder_is_one_line_exit_2(built: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    (tmp_path / "empty").mkdir()
    result = runner.invoke(main, ["diff", str(tmp_path / "empty"), str(built)])
    assert result.exit_code == 2
    assert result.output.strip() == f"{tmp_path / 'empty'}: not a kgpub build folder (it has no kg.trig)"
    missing = runner.invoke(main, ["diff", str(built), str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and len(missing.output.strip().splitlines()) == 1
    assert "Traceback" not in missing.output


@given(st.lists(st.text(alphabet="abc<> .", max_size=4), max_size=30),
       st.lists(st.text(alphabet="abc<> .", max_size=4), max_size=30))
def test_the_merge_of_sorted_lines_equals_set_difference(old: list[str], new: list[str]) -> None:
    from kgpub.output.changes import _merge

    a, b = sorted(set(old)), sorted(set(new))
    removed, added = _merge(a, b)
    assert removed == sorted(set(a) - set(b)) and added == sorted(set(b) - set(a))


def test_the_graphs_skipped_by_their_hash_are_unchanged(two: tuple[Path, Path], tmp_path: Path) -> None:
    """The fast path (unchanged blocks hashed, never parsed) gives what a full comparison of every quad gives."""
    old, new = two
    facts = new / "articles" / "mini-2.facts.yaml"
    facts.write_text(facts.read_text().replace('date: "2021-05-03"', 'date: "2021-05"'))
    a, b = _build(old, tmp_path / "a"), _build(new, tmp_path / "b")
    result = kgpub.diff(a, b)
    assert result.unchanged_graphs > 0
    full = {(g, line) for g, line in _lines(b)} - set(_lines(a)), set(_lines(a)) - set(_lines(b))
    fast = ({(g.graph, line) for g in result.graphs for line in g.added},
            {(g.graph, line) for g in result.graphs for line in g.removed})
    assert fast == full


def _lines(build: Path) -> list[tuple[str, str]]:
    return [(q.graph_name.value, f"{q.subject} {q.predicate} {q.object} .")
            for q in ox.parse(path=str(build / "kg.trig"), format=ox.RdfFormat.TRIG)]
