"""The synthetic corpus generator writes corpora in the real facts format that build and conform."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import kgpub
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from synth import write_corpus  # noqa: E402


def test_generated_corpus_builds_and_conforms(tmp_path: Path) -> None:
    write_corpus(tmp_path / "corpus", 12, seed=3)
    result = kgpub.build(tmp_path / "corpus", tmp_path / "dist")
    assert result.written and result.articles == 12
    assert result.report is not None and result.report.count("Violation") == 0
    assert result.events == 48 and result.accusations == 24 and result.threats == 12
    # identity across articles: registry entities recur
    assert result.entities < 12 * 8


def test_generation_is_deterministic(tmp_path: Path) -> None:
    write_corpus(tmp_path / "a", 5, seed=9)
    write_corpus(tmp_path / "b", 5, seed=9)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files and all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)


def test_deliberate_errors_are_listed(tmp_path: Path) -> None:
    manifest = write_corpus(tmp_path / "c", 40, seed=5, bad_rate=0.5)
    errors = json.loads((tmp_path / "c" / "errors.json").read_text())
    assert errors == manifest["errors"] and len(errors) >= 10
