"""The writers' registry: a format is one entry plus its writer, and nothing else names a format for writing."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

import kgpub
from kgpub.output import writers
from kgpub.output.layout import Block, Layout, render
from kgpub.rdf import formats, ntriples
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from synth import write_corpus  # noqa: E402

SRC = ROOT / "src" / "kgpub"


def _quads(lines: writers.BuildLines) -> list[Block]:
    """A toy writer's blocks: each named graph's lines as N-Quads, one block per graph, graphs in IRI order."""
    return [Block(iri, "".join(f"{line[:-3]} <{iri}> .\n" for line in graph))
            for iri, graph in sorted(lines.named) if graph]


def _nquads(lines: writers.BuildLines) -> tuple[bytes, Layout]:
    blocks = _quads(lines)
    layout = Layout.of(blocks, "")
    return render(blocks, layout), layout


NQUADS = formats.by_name("nquads")
assert NQUADS is not None
#: The one line a new format needs, beside its writer.
TOY = writers.Writer("nquads", "kg.nq", NQUADS, _nquads, _quads)


@pytest.fixture
def with_toy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writers, "WRITERS", (*writers.WRITERS, TOY))


def _trig_quads(build: Path) -> set[ox.Quad]:
    return set(ox.parse(path=str(build / "kg.trig"), format=ox.RdfFormat.TRIG))


def test_a_registered_format_is_written_by_every_build(with_toy: None, tmp_path: Path) -> None:
    """One registry entry: the build writes the file, lists it, and void.ttl describes it as a distribution."""
    seeds = tmp_path / "seeds"
    write_corpus(seeds, 12, seed=3)
    result = kgpub.build(seeds, tmp_path / "dist", cache=False)
    assert result.written and "kg.nq" in result.files
    nq = tmp_path / "dist" / "kg.nq"
    assert set(ox.parse(path=str(nq), format=ox.RdfFormat.N_QUADS)) == _trig_quads(tmp_path / "dist")
    void = (tmp_path / "dist" / "void.ttl").read_text(encoding="utf-8")
    assert "/distribution/kg.nq>" in void and "media-types/application/n-quads>" in void
    assert f'"{nq.stat().st_size}"^^xsd:nonNegativeInteger' in void
    assert kgpub.build(seeds, tmp_path / "dist", cache=False).written  # kg.nq is the build's: no foreign file


def test_a_registered_format_is_patched_like_the_others(with_toy: None, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild after one change patches the new format's file block by block, to a clean build's bytes."""
    seeds = tmp_path / "seeds"
    write_corpus(seeds, 12, seed=3)
    kgpub.build(seeds, tmp_path / "dist")
    text = sorted(seeds.rglob("*.txt"))[5]
    text.write_text(text.read_text() + "\n")
    with monkeypatch.context() as patched:
        patched.setattr(writers, "render", lambda *a, **k: pytest.fail("a full build ran"))
        assert kgpub.build(seeds, tmp_path / "dist").written
    kgpub.build(seeds, tmp_path / "clean", cache=False)
    for name in ("kg.nq", "void.ttl", "kg.trig"):
        assert (tmp_path / "dist" / name).read_bytes() == (tmp_path / "clean" / name).read_bytes(), name


def test_a_format_added_after_a_build_renders_the_next_build_anew(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The previous build has no layout of the new file: nothing to patch, so everything is rendered."""
    seeds = tmp_path / "seeds"
    write_corpus(seeds, 12, seed=3)
    kgpub.build(seeds, tmp_path / "dist")
    text = sorted(seeds.rglob("*.txt"))[5]
    text.write_text(text.read_text() + "\n")
    monkeypatch.setattr(writers, "WRITERS", (*writers.WRITERS, TOY))
    assert kgpub.build(seeds, tmp_path / "dist").written
    kgpub.build(seeds, tmp_path / "clean", cache=False)
    assert (tmp_path / "dist" / "kg.nq").read_bytes() == (tmp_path / "clean" / "kg.nq").read_bytes()


def test_every_writer_has_a_format_and_a_file_of_its_extension() -> None:
    assert len({w.name for w in writers.WRITERS}) == len({w.file for w in writers.WRITERS}) == len(writers.WRITERS)
    for writer in writers.WRITERS:
        assert formats.by_extension(writer.file) == writer.format
        assert formats.by_name(writer.name) == writer.format
    assert [n for p in writers.parts() for n in (w.name for w in p.writers)] == [w.name for w in writers.WRITERS]
    assert sum(p.articles for p in writers.parts()) == 1


def _strings(path: Path) -> list[tuple[int, str]]:
    """The string constants of a module (f-strings' literal parts too), docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_the_registry_is_the_only_place_a_format_is_named_for_writing() -> None:
    """The build (api, pipeline, execution) and the rest of output/ name no registered file or media type."""
    modules = [SRC / "api.py", SRC / "execution.py", *sorted((SRC / "pipeline").rglob("*.py")),
               *(p for p in sorted((SRC / "output").rglob("*.py")) if p.name != "writers.py")]
    files = [w.file for w in writers.WRITERS]
    found = [f"{path.relative_to(SRC)}:{line}: {text!r}" for path in modules for line, text in _strings(path)
             if any(name in text for name in files) or any(text == w.format.media_type for w in writers.WRITERS)]
    assert found == []


def test_the_check_above_finds_a_format_named_outside_the_registry(tmp_path: Path) -> None:
    """The scan is not blind: a module that names kg.ttl, or a media type, is caught."""
    module = tmp_path / "m.py"
    module.write_text('"""Writes kg.ttl."""\nNAMES = ("kg.jsonld", f"{0}/kg.ttl")\nTYPE = "text/turtle"\n')
    assert sorted(text for _, text in _strings(module)) == ["/kg.ttl", "kg.jsonld", "text/turtle"]


def test_ntriples_split_is_what_the_writers_assume() -> None:
    line = '<https://x/s> <https://x/p> "a > b .\\n c"@en .\n'
    assert ntriples.split(line) == ("<https://x/s>", "<https://x/p>", '"a > b .\\n c"@en')
