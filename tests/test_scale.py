"""The scale path: parallel, incremental and clean builds give the same bytes, and no error is lost."""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import pytest

import kgpub
from kgpub.errors import InputError
from kgpub.progress import progress_bar
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from synth import write_corpus  # noqa: E402

pytestmark = pytest.mark.slow  # many builds and rebuilds

ARTICLES = 40


def published(out: Path) -> dict[str, bytes]:
    """Every file of a build a reader sees (the cache and the query index are kgpub's own)."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.relative_to(out).parts[0].startswith(".")}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scale") / "corpus"
    write_corpus(root, ARTICLES, seed=11)
    return root


def test_parallel_and_serial_builds_are_byte_identical(corpus: Path, tmp_path: Path) -> None:
    serial = kgpub.build(corpus, tmp_path / "serial", jobs=1, cache=False)
    parallel = kgpub.build(corpus, tmp_path / "parallel", jobs=2, cache=False)
    assert serial.written and parallel.written and serial.triples == parallel.triples
    assert published(tmp_path / "serial") == published(tmp_path / "parallel")
    assert len(published(tmp_path / "serial")) == 6 + ARTICLES


def test_turtle_files_sharing_node_blocks_equal_each_file_written_whole(corpus: Path) -> None:
    """kg.trig and the article files reuse kg.ttl's blocks of article-owned nodes; the bytes are a whole rendering's."""
    from kgpub.corpus import reader
    from kgpub.pipeline import mapping
    from kgpub.pipeline.articles import map_articles
    from kgpub.pipeline.stages import resolve_base
    from kgpub.pipeline import provenance
    from kgpub.output import blocks, writers

    shared = reader.load_shared(corpus)
    base = resolve_base(None, shared.dataset.base)
    mint = mapping.Minter(base, {e.id for e in shared.registry})
    units = map_articles(shared, base, 1, None, None)
    articles = [u.lines for u in units if u.lines]
    assert any(u.foreign for u in units)  # relations between registry entities: blocks written again
    registry = blocks.nt_lines(mapping.map_registry(shared.registry, mint))
    registry_prov = blocks.nt_lines(provenance.anchor_registry(shared.registry, shared.registry_file, mint))
    data = blocks.merged([registry], (a.data for a in articles))
    named = writers.named_lines(mint, registry, registry_prov, articles)
    part = next(p for p in writers.parts() if p.articles)
    made, files = writers.render(part, writers.BuildLines(mint, data, named, articles, registry))
    assert made["kg.ttl"] == blocks.turtle_file(data, base)
    assert made["kg.trig"] == writers.trig_file(named, base)  # each written whole, no block reused
    entries = blocks.by_subject(registry)
    assert files == {f"articles/{a.article_id}.ttl": writers.article_file(a.data, entries, base) for a in articles}


def test_each_part_streamed_equals_its_whole_rendering(corpus: Path, tmp_path: Path) -> None:
    """A build's writers stream their files (kg.ttl's and kg.trig's blocks spooled to disk, the article files
    reading kg.ttl's blocks back from there): the bytes and layouts are those of each file rendered whole."""
    from kgpub.pipeline.stages import inputs, merge_graph
    from kgpub.pipeline.articles import map_articles
    from kgpub.pipeline.results import Options
    from kgpub.output import writers

    given = inputs(corpus, None, None, Options(validate=False, strict=False, shapes=None, index=False, workers=1))
    units = map_articles(given.shared, given.base, 1, None, None)
    graph = merge_graph(given.shared, given.mint, units)
    for n, part in enumerate(writers.parts()):
        made, files = writers.render(part, graph.lines)
        staged = tmp_path / f"part-{n}"
        (staged / "articles").mkdir(parents=True)
        layouts = writers.write(part, graph.lines, staged, 1 << 12)  # small pieces: many writes of each file
        assert graph.lines.spooled is None  # its body went with the spill folder
        assert sorted(p.name for p in staged.iterdir()) == sorted(["articles", *made])
        for name, (content, layout) in made.items():
            assert (staged / name).read_bytes() == content, name
            streamed = layouts[name]
            assert (streamed.keys, list(streamed.sizes), streamed.header, streamed.sep, streamed.footer,
                    streamed.prefixes, streamed.namespaces) == (layout.keys, list(layout.sizes), layout.header,
                                                                layout.sep, layout.footer, layout.prefixes,
                                                                layout.namespaces), name
        assert {f"articles/{p.name}": p.read_bytes() for p in (staged / "articles").iterdir()} == files


def test_an_article_block_read_out_of_turn_is_refused(tmp_path: Path) -> None:
    """kg.ttl's spooled blocks are taken in each article's subject order; a subject out of turn is a bug, caught."""
    from kgpub.output.layout import Block
    from kgpub.output.writers import OwnedBlocks
    from kgpub.pipeline.mapping import Minter

    mint = Minter("https://example.org/", set())
    body = tmp_path / "body"
    texts = ["<https://example.org/article/a/x> a <t> .\n", "<https://example.org/article/a> a <t> .\n"]
    body.write_text("".join(texts))
    owned = OwnedBlocks(body, mint, ["a"])
    keys = ["<https://example.org/article/a/x>", "<https://example.org/article/a>"]
    for key, text, offset in zip(keys, texts, (0, len(texts[0]))):
        owned.placed(Block(key, text), offset, len(text))
    owned.keys = keys
    take = owned.reader("a")
    assert take(keys[0]).text == texts[0]
    with pytest.raises(AssertionError):
        take(keys[0])
    assert owned.reader("a")(keys[0]).key == keys[0]
    with pytest.raises(AssertionError):
        owned.reader("b")(keys[0])
    owned.close()


def test_a_refused_build_leaves_nothing_behind(corpus: Path, tmp_path: Path) -> None:
    """With --strict, warnings refuse the build: the files staged meanwhile are removed, the old build stays."""
    # a registry entity that is a place and an actor at once is a warning (unused ones are only hints)
    corpus = Path(shutil.copytree(corpus, tmp_path / "corpus"))
    with open(corpus / "entities.yaml", "a", encoding="utf-8") as registry:
        registry.write("  - id: hq\n    type: [Organization, Facility]\n    name: Headquarters\n")
    out = tmp_path / "dist"
    kgpub.build(corpus, out, cache=False)
    before = published(out)
    result = kgpub.build(corpus, out, strict=True, jobs=2)
    assert result.report is not None and result.report.count("Warning") > 0 and not result.written
    assert published(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "dist"]


def test_incremental_rebuild_reuses_unchanged_articles_and_equals_a_clean_build(corpus: Path, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(corpus, seeds)
    first = kgpub.build(seeds, tmp_path / "dist", jobs=2)
    assert first.reused == 0
    again = kgpub.build(seeds, tmp_path / "dist", jobs=2)
    assert again.reused == ARTICLES
    facts = sorted(seeds.rglob("*.facts.yaml"))[7]
    facts.write_text(facts.read_text().replace("report", "dispatch", 1))
    text = facts.with_name(facts.name.replace(".facts.yaml", ".txt"))
    changed = kgpub.build(seeds, tmp_path / "dist", jobs=2)
    assert changed.reused == ARTICLES - 1
    clean = kgpub.build(seeds, tmp_path / "clean", cache=False)
    assert clean.reused == 0
    assert published(tmp_path / "dist") == published(tmp_path / "clean")
    assert b"dispatch" in (tmp_path / "dist" / "kg.nt").read_bytes()
    # the article text is part of the key too
    text.write_text(text.read_text() + "\n")
    assert kgpub.build(seeds, tmp_path / "dist").reused == ARTICLES - 1


def index_quads(out: Path) -> list[str]:
    import pyoxigraph as ox

    store = ox.Store.read_only(str(out / ".index" / "store"))
    return sorted(str(q) for q in store)


NAMED = "ASK { GRAPH ?g { ?s ?p ?o } }"


@pytest.mark.parametrize("graphs", [False, True], ids=["default-graph-index", "named-graphs-added"])
def test_a_one_article_rebuild_updates_the_query_index_to_what_a_clean_build_makes(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, graphs: bool) -> None:
    """The index is updated in place, named graphs included once a query has added them."""
    from kgpub.sparql import index as sparql_index

    seeds = tmp_path / "seeds"
    shutil.copytree(corpus, seeds)
    kgpub.build(seeds, tmp_path / "dist")
    if graphs:
        assert kgpub.query(NAMED, tmp_path / "dist").value
    before = index_quads(tmp_path / "dist")
    facts = sorted(seeds.rglob("*.facts.yaml"))[3]
    facts.write_text(facts.read_text().replace("report", "dispatch", 1))
    gone = sorted(seeds.rglob("*.facts.yaml"))[9]
    gone.unlink()

    def made_anew(*args: object) -> None:
        raise AssertionError("the index was made anew, not updated")

    with monkeypatch.context() as patched:
        patched.setattr(sparql_index, "index_from_lines", made_anew)
        assert kgpub.build(seeds, tmp_path / "dist").reused == ARTICLES - 2
    updated = index_quads(tmp_path / "dist")
    assert json.loads((tmp_path / "dist" / ".index" / "meta.json").read_text())["graphs"] is graphs
    kgpub.build(seeds, tmp_path / "clean", cache=False)
    if graphs:
        assert kgpub.query(NAMED, tmp_path / "clean").value
    assert updated == index_quads(tmp_path / "clean") != before
    assert len(kgpub.query("SELECT * WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), 'dispatch')) }",
                           tmp_path / "dist").rows) > 0


def test_changed_shapes_or_registry_invalidate_the_whole_cache(corpus: Path, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(corpus, seeds)
    kgpub.build(seeds, tmp_path / "dist")
    shapes = tmp_path / "shapes.ttl"
    shapes.write_bytes((ROOT / "shapes" / "kgpub.shapes.ttl").read_bytes() + b"\n# changed\n")
    assert kgpub.build(seeds, tmp_path / "dist", shapes=shapes).reused == 0
    assert kgpub.build(seeds, tmp_path / "dist", shapes=shapes).reused == ARTICLES
    registry = seeds / "entities.yaml"
    registry.write_text(registry.read_text() + "\n")
    assert kgpub.build(seeds, tmp_path / "dist", shapes=shapes).reused == 0


@pytest.mark.parametrize("jobs", [1, 2])
def test_every_deliberate_error_is_reported_in_one_run(tmp_path: Path, jobs: int) -> None:
    root = tmp_path / "bad"
    write_corpus(root, 60, seed=5, bad_rate=0.3)
    expected = json.loads((root / "errors.json").read_text())
    assert {e.split(": ", 1)[1] for e in expected} == {"impossible date", "quote not found", "undefined id",
                                                       "accuser accuses itself"}
    with pytest.raises(InputError) as caught:
        kgpub.build(root, tmp_path / "dist", jobs=jobs)
    lines = [str(d) for d in caught.value.diagnostics]
    words = {"impossible date": "date", "quote not found": "not found", "undefined id": "undefined",
             "accuser accuses itself": "Accusation-notSelf"}
    for error in expected:
        article, kind = error.split(": ", 1)
        assert any(f"/{article}.facts.yaml" in line and words[kind] in line for line in lines), error
    assert not (tmp_path / "dist").exists()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_shows_rate_and_eta_on_a_terminal_only() -> None:
    ticks = iter([0.0, 1.0, 2.0, 3.0])
    out = _Terminal()
    draw = progress_bar("articles", out, clock=lambda: next(ticks))
    draw(10, 20)
    draw(20, 20)
    text = out.getvalue()
    assert "10/20 articles" in text and "ETA" in text and "/s" in text and text.endswith("\n")
    quiet = io.StringIO()
    progress_bar("articles", quiet)(10, 20)
    assert quiet.getvalue() == ""


def _edit_text(seeds: Path) -> None:
    text = sorted(seeds.rglob("*.txt"))[5]
    text.write_text(text.read_text() + "\n")


def _edit_relation(seeds: Path) -> None:
    """A relation between two registry entities: lines about nodes the article does not own."""
    facts = next(f for f in sorted(seeds.rglob("*.facts.yaml")) if "predicate: partOf" in f.read_text())
    text = facts.read_text()
    at = text.index("predicate: partOf")
    end = text.index("\n", text.index("object:", at))
    facts.write_text(text[:at] + "predicate: memberOf\n    object: e000003" + text[end:])


def _late_event(seeds: Path) -> None:
    """An event dated after its article: a SHACL-SPARQL violation, so the rebuild is refused."""
    facts = sorted(seeds.rglob("*.facts.yaml"))[4]
    text = facts.read_text()
    at = text.index('    date: "', text.index("events:"))
    facts.write_text(text[:at] + '    date: "2031-01-02"' + text[text.index("\n", at):])


def _drop_article(seeds: Path) -> None:
    sorted(seeds.rglob("*.facts.yaml"))[9].unlink()


def _add_article(seeds: Path) -> None:
    for path in sorted((seeds.parent / "spare").iterdir()):
        path.rename(seeds / "articles" / path.name)


@pytest.mark.parametrize("edit", [_edit_text, _edit_relation, _late_event, _drop_article, _add_article])
def test_a_patched_rebuild_equals_a_clean_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit) -> None:
    """Few changes: files patched block by block, index updated, only the changed nodes validated again.

    The files, the query index and the report must all be a clean build's.
    """
    from kgpub.sparql import index as sparql_index
    from kgpub.output import writers

    seeds = tmp_path / "seeds"
    write_corpus(seeds, ARTICLES + 1, seed=11)
    (tmp_path / "spare").mkdir()
    for path in sorted(seeds.rglob(f"a{ARTICLES:06d}.*")):  # the last article, held back for _add_article
        path.rename(tmp_path / "spare" / path.name)
    assert len(list((tmp_path / "spare").iterdir())) == 2
    assert kgpub.build(seeds, tmp_path / "dist").articles == ARTICLES
    edit(seeds)

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("a full build ran instead of a patch")

    with monkeypatch.context() as patched:
        patched.setattr(writers, "render", forbidden)
        patched.setattr(sparql_index, "index_from_lines", forbidden)
        rebuilt = kgpub.build(seeds, tmp_path / "dist")
    clean = kgpub.build(seeds, tmp_path / "clean", cache=False)
    assert rebuilt.report is not None and clean.report is not None
    assert rebuilt.report.results == clean.report.results
    assert rebuilt.written == clean.written
    assert (rebuilt.articles, rebuilt.triples, rebuilt.files) == (clean.articles, clean.triples, clean.files)
    if clean.written:
        assert published(tmp_path / "dist") == published(tmp_path / "clean")
        assert index_quads(tmp_path / "dist") == index_quads(tmp_path / "clean")
    else:
        assert rebuilt.report.count("Violation") > 0
        assert not any(p.name.startswith(".dist.") for p in tmp_path.iterdir())  # nothing staged is left


def test_a_build_folder_edited_by_hand_is_rendered_anew_not_patched(corpus: Path, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(corpus, seeds)
    kgpub.build(seeds, tmp_path / "dist")
    (tmp_path / "dist" / "kg.nt").write_bytes(b"")
    (tmp_path / "dist" / "articles" / "a000002.ttl").unlink()
    _edit_text(seeds)
    assert kgpub.build(seeds, tmp_path / "dist").reused == ARTICLES - 1
    kgpub.build(seeds, tmp_path / "clean", cache=False)
    assert published(tmp_path / "dist") == published(tmp_path / "clean")


def test_patched_rebuilds_in_a_row_each_equal_a_clean_build(corpus: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A patch starts from the layouts the previous patch recorded, not only from a full build's."""
    from kgpub.output import writers

    seeds = tmp_path / "seeds"
    shutil.copytree(corpus, seeds)
    kgpub.build(seeds, tmp_path / "dist")
    for n, edit in enumerate([_edit_text, _drop_article, _edit_text]):
        edit(seeds)
        with monkeypatch.context() as patched:
            patched.setattr(writers, "render", lambda *a, **k: pytest.fail("a full build ran"))
            assert kgpub.build(seeds, tmp_path / "dist").written
        assert kgpub.build(seeds, tmp_path / f"clean{n}", cache=False).written
        assert published(tmp_path / "dist") == published(tmp_path / f"clean{n}")
