"""Releases: dataset.yaml's version in void.ttl and the TriG; a build never goes back to an older version."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import write_corpus

import kgpub
from kgpub.cli import main
from kgpub.corpus.releases import older

DATASET = """
title: Test graph
description: A test.
license: https://creativecommons.org/licenses/by/4.0/
created: "2026-11-24"
"""


def _dataset(version: str, previous: str | None = None, issued: str = "2026-12-01") -> str:
    text = DATASET + f'version: "{version}"\nissued: "{issued}"\n'
    return text + (f'previous_version: "{previous}"\n' if previous else "")


def _triples(path: Path, fmt: ox.RdfFormat) -> set[str]:
    return {f"{q.subject} {q.predicate} {q.object}" for q in ox.parse(path=str(path), format=fmt)}


DS = "<https://w3id.org/kgpub/id/dataset>"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"


def test_a_version_is_recorded_in_void_and_trig(tmp_path: Path) -> None:
    seeds = write_corpus(tmp_path / "seeds", dataset=_dataset("1.1", "1.0"))
    kgpub.build(seeds, tmp_path / "dist")
    void = _triples(tmp_path / "dist" / "void.ttl", ox.RdfFormat.TURTLE)
    assert f'{DS} <{DCAT}version> "1.1"' in void
    assert f"{DS} <{DCAT}previousVersion> <https://w3id.org/kgpub/id/dataset/version/1.0>" in void
    assert f'{DS} <{DCT}issued> "2026-12-01"^^<http://www.w3.org/2001/XMLSchema#date>' in void
    assert f'{DS} <{DCT}modified> "2026-12-01"^^<http://www.w3.org/2001/XMLSchema#date>' in void
    quads = {str(q) for q in ox.parse(path=str(tmp_path / "dist" / "kg.trig"), format=ox.RdfFormat.TRIG)}
    assert f'{DS} <{DCAT}version> "1.1" <https://w3id.org/kgpub/id/dataset/release>' in quads


def test_without_a_version_nothing_is_added(tmp_path: Path) -> None:
    seeds = write_corpus(tmp_path / "seeds", dataset=DATASET)
    kgpub.build(seeds, tmp_path / "dist")
    assert f"{DCAT}version" not in (tmp_path / "dist" / "void.ttl").read_text()
    assert "dataset/release" not in (tmp_path / "dist" / "kg.trig").read_text()


def test_a_version_going_backwards_is_refused_and_nothing_written(tmp_path: Path) -> None:
    seeds = write_corpus(tmp_path / "seeds", dataset=_dataset("1.10"))
    out = tmp_path / "dist"
    kgpub.build(seeds, out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    (seeds / "dataset.yaml").write_text(_dataset("1.9"))
    result = CliRunner().invoke(main, ["build", str(seeds), "--out", str(out), "-q"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"dataset.yaml:6: version: 1.9 is older than version 1.10 already built in {out}; a release never goes backwards"]
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    (seeds / "dataset.yaml").write_text(_dataset("1.11", "1.10"))
    assert CliRunner().invoke(main, ["build", str(seeds), "--out", str(out), "-q"]).exit_code == 0


def test_diff_names_the_releases(tmp_path: Path) -> None:
    a = write_corpus(tmp_path / "a", dataset=_dataset("1.0"))
    b = write_corpus(tmp_path / "b", dataset=_dataset("1.1", "1.0", "2026-12-02"))
    kgpub.build(a, tmp_path / "da")
    kgpub.build(b, tmp_path / "db")
    result = kgpub.diff(tmp_path / "da", tmp_path / "db")
    assert result.release() == ("1.0", "1.1")
    assert "Release 1.1, after 1.0" in result.text()


@pytest.mark.parametrize(("new", "old"), [("1.9", "1.10"), ("2.0-rc1", "2.0"), ("1.0", "1.0.1"), ("0.9", "1")])
def test_version_order(new: str, old: str) -> None:
    assert older(new, old) and not older(old, new)
