"""Merged entities: the old id keeps working as an alias, its IRI answers owl:sameAs / dcterms:isReplacedBy."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from click.testing import CliRunner
from conftest import MINI_FACTS, MINI_REGISTRY, write_corpus

import kgpub
from kgpub.cli import main

ID = "https://w3id.org/kgpub/id/"
OLD = """  - id: alpha-old
    type: ArmedGroup
    name: Alpha Bde
    aliases: [The Alphas]
    merged_into: alpha-brigade
"""


def _store(build: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(build / "kg.trig"), format=ox.RdfFormat.TRIG)
    return store


def _ask(store: ox.Store, pattern: str) -> bool:
    return bool(store.query(f"ASK {{ {pattern} }}", use_default_graph_as_union=True))


def test_a_merged_entity_is_an_alias_of_the_one_it_was_merged_into(tmp_path: Path) -> None:
    facts = MINI_FACTS.replace("    agent: alpha-brigade\n", "    agent: alpha-old\n")
    assert facts != MINI_FACTS
    seeds = write_corpus(tmp_path / "seeds", facts, MINI_REGISTRY + OLD)
    kgpub.build(seeds, tmp_path / "dist")
    store = _store(tmp_path / "dist")
    old, new = f"<{ID}alpha-old>", f"<{ID}alpha-brigade>"
    assert _ask(store, f"{old} <http://www.w3.org/2002/07/owl#sameAs> {new} ; "
                       f"<http://purl.org/dc/terms/isReplacedBy> {new}")
    assert not _ask(store, f"{old} a ?type")
    assert _ask(store, f"{new} <http://www.w3.org/2004/02/skos/core#altLabel> 'Alpha Bde', 'The Alphas'")
    assert _ask(store, f"<{ID}article/mini-1/rocket-attack> <https://w3id.org/kgpub/ontology#agent> {new}")
    assert not _ask(store, f"?fact ?p {old} . FILTER (?p != <http://www.w3.org/2002/07/owl#sameAs>)")


def _refused(tmp_path: Path, extra: str) -> list[str]:
    seeds = write_corpus(tmp_path / "seeds", registry=MINI_REGISTRY + extra)
    result = CliRunner().invoke(main, ["build", str(seeds), "--out", str(tmp_path / "dist"), "-q"])
    assert result.exit_code == 2
    assert not (tmp_path / "dist").exists()
    return result.output.strip().splitlines()


def test_a_merge_into_itself(tmp_path: Path) -> None:
    assert _refused(tmp_path, OLD.replace("merged_into: alpha-brigade", "merged_into: alpha-old")) == [
        "entities.yaml:20: merged_into: 'alpha-old' cannot be merged into itself"]


def test_a_merge_into_nothing(tmp_path: Path) -> None:
    assert _refused(tmp_path, OLD.replace("merged_into: alpha-brigade", "merged_into: nobody")) == [
        "entities.yaml:20: merged_into: no entity 'nobody' in the registry to merge 'alpha-old' into"]


def test_a_merge_loop(tmp_path: Path) -> None:
    loop = OLD.replace("merged_into: alpha-brigade", "merged_into: alpha-older") + """  - id: alpha-older
    type: ArmedGroup
    name: Alpha Older
    merged_into: alpha-old
"""
    assert _refused(tmp_path, loop) == [
        ("entities.yaml:20: merged_into: merges loop: 'alpha-old' → 'alpha-older' → 'alpha-old'; "
        "one entity of them must stay unmerged")]


def test_merged_into_is_for_the_registry_only(tmp_path: Path) -> None:
    facts = MINI_FACTS.replace("    name: Omar Zed\n", "    name: Omar Zed\n    merged_into: alpha-brigade\n")
    seeds = write_corpus(tmp_path / "seeds", facts)
    result = CliRunner().invoke(main, ["build", str(seeds), "--out", str(tmp_path / "dist"), "-q"])
    assert result.exit_code == 2
    assert "merged_into: only a registry entity can be merged" in result.output


def test_the_old_iri_has_a_page_that_points_to_the_new_one(tmp_path: Path) -> None:
    seeds = write_corpus(tmp_path / "seeds", registry=MINI_REGISTRY + OLD)
    kgpub.build(seeds, tmp_path / "dist")
    kgpub.site(tmp_path / "dist", tmp_path / "site", seeds=None)
    page = (tmp_path / "site" / "kgpub" / "id" / "alpha-old.html").read_text()
    assert '<div role="note" class="merged"><p><strong>Merged</strong> into <a href="/kgpub/id/alpha-brigade.html">' \
           "Alpha Brigade</a>.</p></div>" in page
    # a static host answers no 301: the old IRI's page sends a browser on to the new one
    assert '<meta http-equiv="refresh" content="0; url=/kgpub/id/alpha-brigade.html">' in page
    assert "http-equiv" not in (tmp_path / "site" / "kgpub" / "id" / "alpha-brigade.html").read_text()


def test_the_old_iri_answers_in_kgpub_serve(tmp_path: Path) -> None:
    import requests
    from kgserve import start_serve, stop_serve

    facts = MINI_FACTS + 'retractions:\n  - fact: zed-threat\n    date: "2026-12-01"\n    reason: Not his words.\n'
    seeds = write_corpus(tmp_path / "seeds", facts, MINI_REGISTRY + OLD)
    kgpub.build(seeds, tmp_path / "dist")
    served = start_serve(tmp_path / "dist")
    url = served.url + "/kgpub/id/"
    try:
        for accept in ("text/html", "text/turtle", "application/n-triples"):  # the old IRI resolves to the new one
            moved = requests.get(url + "alpha-old", timeout=30, headers={"Accept": accept}, allow_redirects=False)
            assert moved.status_code == 301 and moved.headers["location"] == "/kgpub/id/alpha-brigade", accept
        followed = requests.get(url + "alpha-old", timeout=30, headers={"Accept": "text/html"})
        assert followed.url == url + "alpha-brigade" and "<h1>Alpha Brigade</h1>" in followed.text
        html = requests.get(url + "alpha-old?format=html", timeout=30).text  # its own notice, asked for by name
        assert '<strong>Merged</strong> into <a href="/kgpub/id/alpha-brigade">Alpha Brigade</a>' in html
        turtle = requests.get(url + "alpha-old?format=ntriples", timeout=30).text
        assert f"<{ID}alpha-old> <http://www.w3.org/2002/07/owl#sameAs> <{ID}alpha-brigade> ." in turtle
        retracted = requests.get(url + "article/mini-1/zed-threat", timeout=30, headers={"Accept": "text/html"}).text
        assert "<strong>Retracted</strong> on 2026-12-01: Not his words." in retracted
    finally:
        stop_serve(served)


def test_a_shared_event_in_a_merged_place_is_in_the_place_it_was_merged_into(tmp_path: Path) -> None:
    registry = MINI_REGISTRY + """  - id: gamma-old
    type: Facility
    name: Gamma camp
    merged_into: gamma-base
events:
  - id: gamma-attack
    type: ShellingMissileAttack
    label: Rocket attack on the Gamma base
    date: "2021-05-03"
    place: gamma-old
"""
    facts = MINI_FACTS.replace("  - id: rocket-attack\n    type: ShellingMissileAttack\n    label: Rocket attack on the "
                               "Gamma base\n", "  - report: gamma-attack\n").replace(
        "concerns: rocket-attack", "concerns: gamma-attack").replace("{subject: rocket-attack,", "{subject: gamma-attack,")
    seeds = write_corpus(tmp_path / "seeds", facts, registry)
    assert kgpub.build(seeds, tmp_path / "dist").written
    assert _ask(_store(tmp_path / "dist"), f"<{ID}event/gamma-attack> <https://w3id.org/kgpub/ontology#place> "
                                           f"<{ID}gamma-base>")
