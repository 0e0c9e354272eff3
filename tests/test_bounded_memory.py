"""A build in a small memory budget (kgpub build --memory) writes the bytes a default build writes.

A tiny budget streams every file in many small pieces and keeps the validation's store on disk; none of that
may change a byte, a validation result or a rebuild.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import kgpub
from kgpub import execution
from kgpub.cli import main
from kgpub.errors import InputError, UsageError
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from synth import write_corpus  # noqa: E402
from test_scale import published  # noqa: E402  (every file of a build a reader sees)

ARTICLES = 30


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bounded") / "corpus"
    write_corpus(root, ARTICLES, seed=5, bad_rate=0.0)
    return root


def test_a_tiny_budget_spills_and_writes_the_same_bytes(corpus: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    default = kgpub.build(corpus, tmp_path / "default", cache=False)
    tiny_budget = execution.Budget(execution.memory_size("64KiB"))
    assert tiny_budget.chunk == 4096 and tiny_budget.piece == tiny_budget.run == 65536
    assert not tiny_budget.store_in_memory(100_000)
    on_disk: list[Path] = []
    chunks: list[int] = []
    validate, write = kgpub.shacl.validation.validate_ntriples, kgpub.output.layout.write

    def spying_validate(*args, **kwargs):  # type: ignore[no-untyped-def]
        on_disk.append(kwargs.get("store_path"))
        return validate(*args, **kwargs)

    def spying_write(blocks, layout, stream, chunk=1 << 24):  # type: ignore[no-untyped-def]
        chunks.append(chunk)
        return write(blocks, layout, stream, chunk)

    spooled = kgpub.output.layout.write_spooled

    def spying_spooled(*args, **kwargs):  # type: ignore[no-untyped-def]
        chunks.append(args[5])
        return spooled(*args, **kwargs)

    sorted_runs: list[Path] = []
    sorted_run = kgpub.output.blocks._sorted_run

    def spying_sorted_run(lines, path):  # type: ignore[no-untyped-def]
        sorted_runs.append(path)
        return sorted_run(lines, path)

    runs: list[Path] = []
    read_run = execution._read_run

    def spying_read_run(path):  # type: ignore[no-untyped-def]
        runs.append(path)
        return read_run(path)

    monkeypatch.setattr(execution, "_read_run", spying_read_run)
    monkeypatch.setattr(kgpub.shacl.validation, "validate_ntriples", spying_validate)
    monkeypatch.setattr(kgpub.output.layout, "write", spying_write)
    monkeypatch.setattr(kgpub.output.writers, "write_blocks", spying_write)
    monkeypatch.setattr(kgpub.output.writers, "write_spooled", spying_spooled)
    monkeypatch.setattr(kgpub.output.blocks, "_sorted_run", spying_sorted_run)
    tiny = kgpub.build(corpus, tmp_path / "tiny", cache=False, memory="64KiB", jobs=1)  # jobs=1: spies see it all
    assert default.written and tiny.written and default.triples == tiny.triples > 5000
    assert on_disk and all(path is not None for path in on_disk)  # the store was held on disk
    assert chunks and set(chunks) == {4096}  # every file written in pieces of 4 KiB
    assert len(runs) > 100  # kg.jsonld's nodes sorted in runs spilled to disk and merged
    assert len(sorted_runs) > 10  # the data's lines too
    assert not any(path.exists() for path in sorted_runs)
    assert (tmp_path / "default" / "kg.ttl").stat().st_size > 100 * 4096  # ... so in many pieces
    assert default.report is not None and tiny.report is not None
    assert default.report.results == tiny.report.results
    assert published(tmp_path / "tiny") == published(tmp_path / "default")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no store left beside the outputs
    assert not list((tmp_path / "tiny").glob(".spill-*")) and not any(path.exists() for path in runs)
    # the query index, loaded in pieces of 64 KiB, answers as the one loaded whole
    count = "SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?subjects) WHERE { ?s ?p ?o }"
    assert kgpub.query(count, tmp_path / "tiny").rows == kgpub.query(count, tmp_path / "default").rows


def test_a_build_with_violations_reports_the_same_in_any_budget(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 12, seed=9, bad_rate=0.3)
    with pytest.raises(InputError) as default:
        kgpub.build(corpus, tmp_path / "default", cache=False)
    with pytest.raises(InputError) as tiny:
        kgpub.build(corpus, tmp_path / "tiny", cache=False, memory="64KiB")
    assert "[kgsh:" in str(default.value)  # the SHACL violations are among the problems
    assert str(default.value) == str(tiny.value)


def test_memory_sizes_read_as_written() -> None:
    assert execution.memory_size("2GiB") == 2 * 2**30
    assert execution.memory_size("512M") == 512 * 2**20
    assert execution.memory_size("1.5G") == 3 * 2**29
    assert execution.memory_size("4GB") == 4 * 10**9
    assert execution.memory_size("1000") == 1000
    for wrong in ("", "lots", "2 GiBs", "0", "-1G"):
        with pytest.raises(UsageError):
            execution.memory_size(wrong)


def test_the_command_line_takes_a_budget(tmp_path: Path) -> None:
    runner = CliRunner()
    small = runner.invoke(main, ["build", str(ROOT / "seeds"), "-o", str(tmp_path / "small"), "--quiet",
                                 "--memory", "1MiB"])
    assert small.exit_code == 0, small.output
    default = runner.invoke(main, ["build", str(ROOT / "seeds"), "-o", str(tmp_path / "default"), "--quiet"])
    assert default.exit_code == 0, default.output
    assert published(tmp_path / "small") == published(tmp_path / "default")
    wrong = runner.invoke(main, ["build", str(ROOT / "seeds"), "-o", str(tmp_path / "wrong"), "--memory", "lots"])
    assert wrong.exit_code == 2 and "--memory 'lots'" in wrong.output


def test_a_spilled_sort_merges_its_runs_in_key_order(tmp_path: Path) -> None:
    import random

    rng = random.Random(3)
    records = [(f"k{rng.randrange(10_000):05d}", "x" * rng.randrange(1, 50)) for _ in range(3000)]
    whole = sorted(records, key=lambda r: r[0])  # stable: equal keys keep their order
    assert list(execution.spilled_sort(iter(records), 200, tmp_path)) == whole
    assert not list(tmp_path.iterdir())  # every run removed once read
    assert list(execution.spilled_sort(iter(records), 10**9, tmp_path)) == whole  # one run: in memory
    assert list(execution.spilled_sort(iter([]), 10, tmp_path)) == []


@pytest.mark.parametrize("lines_of", [lambda data: data, lambda data: []])
def test_the_streamed_json_ld_is_the_rendered_one(tmp_path: Path, lines_of) -> None:  # type: ignore[no-untyped-def]
    import io

    from kgpub.output import writers

    out = tmp_path / "seed"
    kgpub.build(ROOT / "seeds", out, index=False)
    data = (out / "kg.nt").read_text(encoding="utf-8").splitlines(keepends=True)
    mint = kgpub.pipeline.mapping.Minter(kgpub.rdf.vocab.DEFAULT_BASE, set())
    lines = writers.BuildLines(mint, lines_of(data), [])
    jsonld = writers.by_name("jsonld")
    rendered, layout = jsonld.render(lines)
    for chunk in (1, 4096, 1 << 24):
        stream = io.BytesIO()
        assert jsonld.write(lines, stream, chunk, tmp_path) == layout
        assert stream.getvalue() == rendered
    if lines.data:
        assert rendered == (out / "kg.jsonld").read_bytes()


def test_lines_found_in_bytes_are_those_found_in_text(tmp_path: Path) -> None:
    from kgpub.rdf import ntriples

    out = tmp_path / "seed"
    kgpub.build(ROOT / "seeds", out, index=False)
    data = (out / "kg.nt").read_bytes()
    assert not data.isascii()  # Arabic names and quotes: multi-byte characters around the needles
    predicates = {ntriples.split(line)[1][1:-1] for line in data.decode("utf-8").splitlines()}
    assert len(predicates) > 20
    for predicate in sorted(predicates):
        found = ntriples.with_predicate(data.decode("utf-8"), predicate)
        assert found and ntriples.with_predicate(data, predicate) == found
        half = data.index(b"\n", len(data) // 2) + 1
        assert ntriples.with_predicate([data[:half], data[half:]], predicate) == found


def test_the_budget_places_a_store_in_memory_or_beside_the_output_and_removes_it(tmp_path: Path) -> None:
    """Where the validation's store lives is execution's choice, not the stage's: in memory while it fits, else in
    a folder beside the output that is gone when the block ends, even when the block fails."""
    out = tmp_path / "dist"
    with execution.Budget(execution.memory_size("2GiB")).store_place(100_000, out) as place:
        assert place is None
    tiny = execution.Budget(execution.memory_size("64KiB"))
    with pytest.raises(RuntimeError):
        with tiny.store_place(100_000, out) as place:
            assert place is not None and place.parent.parent == tmp_path and place.parent.name.startswith(".dist.tmp-")
            place.mkdir()
            raise RuntimeError("the validation failed")
    assert list(tmp_path.iterdir()) == []
