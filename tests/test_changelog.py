"""The seeds' first correction and retraction (tests/cases/release): the changelog docs/releases.md shows."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS

import kgpub

CASE = ROOT / "tests" / "cases" / "release"
FACTS = "articles/000_eb2d348de878cb8c.facts.yaml"


def release(tmp_path: Path) -> tuple[Path, Path]:
    """The seeds built as release 1.0, and as release 1.1 with one event re-dated and one threat retracted."""
    one = Path(shutil.copytree(SEEDS, tmp_path / "seeds-1.0"))
    (one / "dataset.yaml").write_text((one / "dataset.yaml").read_text() + 'version: "1.0"\nissued: "2026-11-24"\n')
    two = Path(shutil.copytree(SEEDS, tmp_path / "seeds-1.1"))
    (two / "dataset.yaml").write_text((two / "dataset.yaml").read_text() + 'version: "1.1"\nprevious_version: "1.0"\n'
                                      'issued: "2026-12-01"\n')
    facts = (two / FACTS).read_text()
    redated = facts.replace('label: The US embassy slims down its personnel further\n    date: "2020"',
                            'label: The US embassy slims down its personnel further\n    date: "2020-11"')
    assert redated != facts
    (two / FACTS).write_text(redated + (CASE / "retractions.yaml").read_text())
    kgpub.build(one, tmp_path / "dist-1.0")
    kgpub.build(two, tmp_path / "dist-1.1")
    return tmp_path / "dist-1.0", tmp_path / "dist-1.1"


def test_the_docs_show_the_changelog_of_the_release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    release(tmp_path)
    monkeypatch.chdir(tmp_path)
    changelog = kgpub.diff("dist-1.0", "dist-1.1").text()
    readme = (ROOT / "docs" / "releases.md").read_text(encoding="utf-8")
    shown = re.search(r"\$ kgpub diff dist-1.0 dist-1.1\n(.*?)```", readme, re.DOTALL)
    assert shown is not None, "docs/releases.md shows no changelog"
    assert shown.group(1) == changelog


def test_the_changeset_takes_a_store_from_one_release_to_the_next(tmp_path: Path) -> None:
    import pyoxigraph as ox

    one, two = release(tmp_path)
    store, fresh = ox.Store(), ox.Store()
    store.load(path=str(one / "kg.trig"), format=ox.RdfFormat.TRIG)
    fresh.load(path=str(two / "kg.trig"), format=ox.RdfFormat.TRIG)
    store.update(kgpub.diff(one, two).sparql_update())
    assert set(store) == set(fresh)
