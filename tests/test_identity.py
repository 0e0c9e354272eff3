"""Stage 1b: duplicate entities caught at build time — warnings for another spelling of a registry name,
hints for transliteration variants — measured for precision on the seed registry; `kgpub entities`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pytest
from click.testing import CliRunner

import kgpub
from kgpub.corpus import identity
from kgpub.corpus import reader
from kgpub.cli import main
from kgpub.corpus.model import Entity, Source
from conftest import SEEDS

SEED_FACTS = "articles/000_eb2d348de878cb8c.facts.yaml"


def entity(name: str, *aliases: str) -> Entity:
    return Entity("new", ("Person",), name, aliases, None, None, (), Source("articles/x.facts.yaml", 7))


def registry_collisions(registry: Iterable[Entity]) -> list[tuple[str, str, str]]:
    """Pairs of registry entities that the keys would take for one: (id, id, the note's severity)."""
    entities = list(registry)
    index = identity.Index(entities)
    out: set[tuple[str, str, str]] = set()
    for one in entities:
        for note in index.notes(one):
            if note.candidate is not None and note.candidate != one.id:
                first, second = sorted((one.id, note.candidate))
                out.add((first, second, note.severity))
    return sorted(out)


@pytest.fixture(scope="module")
def index() -> identity.Index:
    return identity.Index(reader.load_shared(SEEDS).registry)


def test_keys_fold_spellings() -> None:
    assert identity.name_key("Mustafa al-Kadhemi") == identity.name_key("MUSTAFA KADHEMI") == "mustafa kadhemi"
    assert identity.name_key("Hashed al‑Shaabi") == identity.name_key("Hashed Shaabi")
    assert identity.name_key("Asa’ib Ahl al-Haq") == identity.name_key("Asaib Ahl al Haq")
    assert identity.name_key("Qāsem Soleimānī") == "qasem soleimani"
    for a, b in [("Khadimi", "Kadhemi"), ("Kazemi", "Kadhemi"), ("Mohandes", "Muhandis"), ("Qassem", "Qasem"),
                 ("Kataib", "Kataeb"), ("Hizbullah", "Hezbollah")]:
        assert identity.skeleton(a) == identity.skeleton(b), (a, b)
    assert identity.skeleton("Iraq") != identity.skeleton("Iran")


def test_no_false_hint_among_the_seed_registrys_own_entities() -> None:
    """Precision: no two entities of the registry are taken for one, and the seed article's own entities
    are not taken for registry ones."""
    corpus = reader.load(SEEDS)
    assert registry_collisions(corpus.registry) == []
    index = identity.Index(corpus.registry)
    assert [n for a in corpus.articles for e in a.entities for n in index.notes(e)] == []


@pytest.mark.parametrize(("name", "expected"), [
    ("Mustafa Khadimi", "mustafa-al-kadhemi"), ("Khadimi", "mustafa-al-kadhemi"), ("Kazemi", "mustafa-al-kadhemi"),
    ("Mustafa al-Kazemi", "mustafa-al-kadhemi"), ("Abu Mahdi al-Mohandes", "abu-mahdi-al-muhandis"),
    ("Mohandes", "abu-mahdi-al-muhandis"), ("Qasim Soleimani", "qasem-soleimani"),
    ("Kataeb Hizbullah", "kataeb-hezbollah"),
])
def test_every_transliteration_variant_is_a_hint(index: identity.Index, name: str, expected: str) -> None:
    (note,) = index.notes(entity(name))
    assert note.severity == "hint" and f"may be registry entity {expected!r}" in note.message
    assert note.candidate == expected  # carried as data: nothing reads it back out of the message
    assert note.message.endswith(f"if it is, use the id {expected!r} and drop this entity")


@pytest.mark.parametrize(("name", "expected"), [
    ("Kataib Hezbollah", "kataeb-hezbollah"), ("Mustafa Kadhemi", "mustafa-al-kadhemi"),
    ("mustafa al kadhimi", "mustafa-al-kadhemi"), ("Qasem Soleimani", "qasem-soleimani"),
    ("Qassem Soleimani", "qasem-soleimani"),  # DoD's spelling, a registry alias since the DoD articles
])
def test_another_spelling_of_a_registry_name_is_a_warning(index: identity.Index, name: str, expected: str) -> None:
    (note,) = index.notes(entity(name))
    assert note.severity == "warning" and f"is registry entity {expected!r}" in note.message
    assert str(note).startswith("articles/x.facts.yaml:7: entities[new]: warning: 'new' ")


def test_unrelated_names_are_silent(index: identity.Index) -> None:
    for name in ("Iraqi security sources", "Masked fighter in an online video", "Omar Zed", "Baghdad airport"):
        assert index.notes(entity(name)) == [], name


def _with_local_entity(seeds: Path, name: str) -> None:
    path = seeds / SEED_FACTS
    text = path.read_text(encoding="utf-8")
    text = text.replace("entities:\n", f"entities:\n  - id: dup-entity\n    type: ArmedGroup\n    name: {name}\n"
                                       "    evidence: [{quote: \"Kataeb Hezbollah\", occurrence: 1}]\n", 1)
    path.write_text(text, encoding="utf-8")


def test_build_warns_of_a_duplicate_and_strict_refuses_it(seeds_copy: Path, tmp_path: Path) -> None:
    _with_local_entity(seeds_copy, "Kataib Hezbollah")
    runner = CliRunner()
    built = runner.invoke(main, ["build", str(seeds_copy), "--out", str(tmp_path / "dist"), "-q"])
    assert built.exit_code == 0, built.stderr
    warning = (f"{SEED_FACTS}:27: entities[dup-entity]: warning: 'dup-entity' ('Kataib Hezbollah') is registry entity "
               "'kataeb-hezbollah' ('Kataeb Hezbollah', entities.yaml:")
    assert built.stderr.startswith(warning)
    assert built.stderr.rstrip().endswith("by another spelling; use the id 'kataeb-hezbollah' and drop this entity")
    strict = runner.invoke(main, ["build", str(seeds_copy), "--out", str(tmp_path / "strict"), "--strict", "-q"])
    assert strict.exit_code == 2 and not (tmp_path / "strict").exists()
    assert "(a warning; --strict refuses it)" in strict.stderr and "Traceback" not in strict.stderr


def test_build_hints_at_a_transliteration_and_a_rebuild_still_says_so(seeds_copy: Path, tmp_path: Path) -> None:
    _with_local_entity(seeds_copy, "Kataeb Hizbullah")
    first = kgpub.build(seeds_copy, tmp_path / "dist")
    (note,) = first.notes
    assert (note.severity, note.file, note.line) == ("hint", SEED_FACTS, 27)
    again = kgpub.build(seeds_copy, tmp_path / "dist")  # every article from the cache
    assert again.reused == 7 and again.notes == first.notes
    quiet = CliRunner().invoke(main, ["build", str(seeds_copy), "--out", str(tmp_path / "dist"), "-q"])
    assert quiet.exit_code == 0 and quiet.stderr == ""  # --quiet hides hints, never warnings
    loud = CliRunner().invoke(main, ["build", str(seeds_copy), "--out", str(tmp_path / "dist")])
    assert loud.stderr.splitlines()[0] == str(note)


def test_entities_command_lists_articles_and_candidates(seeds_copy: Path) -> None:
    _with_local_entity(seeds_copy, "Kataib Hezbollah")
    runner = CliRunner()
    text = runner.invoke(main, ["entities", str(seeds_copy)])
    assert text.exit_code == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[-1] == "59 entities, 2 with merge candidates"
    assert lines[0].startswith("000_eb2d348de878cb8c/dup-entity\tKataib Hezbollah\t")
    assert lines[0].endswith("may be: kataeb-hezbollah (warning)")
    assert lines[1].startswith("kataeb-hezbollah\tKataeb Hezbollah\tentities.yaml:")
    assert "4 article(s): 000_eb2d348de878cb8c, dod-2020-01-02, dod-2020-01-03, voa-2020-01-01" in lines[1]
    data = json.loads(runner.invoke(main, ["entities", str(seeds_copy), "--format", "json", "--candidates-only"]).stdout)
    assert [row["id"] for row in data] == ["000_eb2d348de878cb8c/dup-entity", "kataeb-hezbollah"]
    assert data[1]["candidates"] == [["000_eb2d348de878cb8c/dup-entity", "warning"]]


def test_entities_across_articles(tmp_path: Path) -> None:
    """The same group defined by two articles, spelled two ways, is a candidate of each."""
    from conftest import MINI_FACTS, write_corpus

    root = write_corpus(tmp_path / "seeds")
    other = MINI_FACTS.replace("id: mini-1", "id: mini-2").replace("name: Omar Zed", "name: Omar Zaid")
    write_corpus(root, facts=other, registry=None, name="mini-2")
    rows = {r.id: r for r in kgpub.api.entities(root)}
    assert rows["mini-1/omar-zed"].candidates == (("mini-2/omar-zed", "hint"),)
    assert rows["mini-2/omar-zed"].candidates == (("mini-1/omar-zed", "hint"),)
    assert rows["alpha-brigade"].articles == ("mini-1", "mini-2")
