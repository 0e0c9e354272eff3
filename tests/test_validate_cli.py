"""`kgpub validate` and the build gate: reports a curator can act on, pySHACL's exit-code contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.namespace import RDF, SH

from kgpub.cli import main
from conftest import MINI_FACTS, write_corpus

FACTS_FILE = "articles/mini-1.facts.yaml"
BAD_VICTIM = MINI_FACTS.replace("    target: gamma-base\n", "    target: gamma-base\n    victim: gamma-base\n")


def test_build_refuses_a_graph_that_breaks_the_shapes(runner: CliRunner, tmp_path: Path) -> None:
    root = write_corpus(tmp_path / "seeds", facts=BAD_VICTIM)
    result = runner.invoke(main, ["build", str(root), "--out", str(tmp_path / "dist")])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{FACTS_FILE}:24: “Rocket attack on the Gamma base” <https://w3id.org/kgpub/id/article/mini-1/rocket-attack>",
        "  Violation: kg:victim = Gamma base (id:gamma-base): kg:victim must be a person or a group  [kgsh:Event-victim]",
        "does not conform: 1 violation, 0 warnings, 5 hints (hints not listed; --show-info lists them)",
        f"nothing written to {tmp_path / 'dist'}/: fix the facts above and build again",
    ]
    assert not (tmp_path / "dist").exists()


def test_build_no_validate_writes_and_says_so(runner: CliRunner, tmp_path: Path) -> None:
    root = write_corpus(tmp_path / "seeds", facts=BAD_VICTIM)
    result = runner.invoke(main, ["build", str(root), "--out", str(tmp_path / "dist"), "--no-validate"])
    assert result.exit_code == 0
    assert result.stderr == "warning: --no-validate: the graph is NOT checked against the SHACL shapes\n"
    assert result.stdout.startswith("built 1 article")
    assert (tmp_path / "dist" / "kg.ttl").exists()


def test_build_strict_refuses_warnings(runner: CliRunner, tmp_path: Path) -> None:
    # an entity the article defines, with its quote, and nothing refers to (a registry one would be a hint)
    ghost = '\nentities:\n  - id: ghost\n    type: Person\n    name: Ghost\n    evidence: ["officials said"]\n'
    from conftest import MINI_FACTS

    root = write_corpus(tmp_path / "seeds", facts=MINI_FACTS.replace("\nentities:\n", ghost, 1))
    lenient = runner.invoke(main, ["build", str(root), "--out", str(tmp_path / "a")])
    assert lenient.exit_code == 0 and "1 warning" in lenient.stdout
    strict = runner.invoke(main, ["build", str(root), "--out", str(tmp_path / "b"), "--strict"])
    assert strict.exit_code == 1
    assert "  Warning: takes part in nothing" in strict.stderr
    assert "articles/mini-1.facts.yaml:9: “Ghost”" in strict.stderr
    assert not (tmp_path / "b").exists()


def test_validate_the_build(runner: CliRunner, built: Path) -> None:
    result = runner.invoke(main, ["validate", str(built)])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "conforms: 0 violations, 0 warnings, 5 hints (hints not listed; --show-info lists them)\n"


def test_validate_show_info(runner: CliRunner, built: Path) -> None:
    result = runner.invoke(main, ["validate", str(built), "--show-info"])
    assert result.exit_code == 0
    assert "entities.yaml:3: “Alpha Brigade” <https://w3id.org/kgpub/id/alpha-brigade>" in result.stdout
    assert "  Info: schema:sameAs: no Wikidata link (schema:sameAs); add a QID" in result.stdout


@pytest.fixture
def bad_ttl(built: Path, tmp_path: Path) -> Path:
    g = Graph().parse(built / "kg.ttl")
    g.update("""PREFIX kg: <https://w3id.org/kgpub/ontology#>
        DELETE WHERE { <https://w3id.org/kgpub/id/article/mini-1/zed-threat> kg:threatener ?x }""")
    path = tmp_path / "bad.ttl"
    g.serialize(path, format="turtle")
    return path


def test_validate_non_conforming_file(runner: CliRunner, bad_ttl: Path) -> None:
    result = runner.invoke(main, ["validate", str(bad_ttl)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "“Threat by Omar Zed against Beta government” <https://w3id.org/kgpub/id/article/mini-1/zed-threat>",
        "  Violation: kg:threatener: needs exactly one kg:threatener, a kg:Agent  [kgsh:Threat-threatener]",
        "does not conform: 1 violation, 0 warnings, 5 hints (hints not listed; --show-info lists them)",
    ]


def test_validate_json(runner: CliRunner, bad_ttl: Path) -> None:
    result = runner.invoke(main, ["validate", str(bad_ttl), "--format", "json"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert (doc["conforms"], doc["violations"], doc["warnings"], doc["infos"]) == (False, 1, 0, 5)
    (violation,) = [r for r in doc["results"] if r["severity"] == "Violation"]
    assert violation["component"] == "sh:MinCountConstraintComponent"
    assert violation["source_shape"] == "kgsh:Threat-threatener"


def test_validate_turtle_is_a_shacl_report(runner: CliRunner, bad_ttl: Path) -> None:
    result = runner.invoke(main, ["validate", str(bad_ttl), "--format", "turtle"])
    assert result.exit_code == 1
    report = Graph().parse(data=result.stdout, format="turtle")
    assert (None, RDF.type, SH.ValidationReport) in report
    assert len(list(report.objects(None, SH.result))) == 6


@pytest.mark.parametrize("name", ["kg.nt", "kg.jsonld", "kg.trig", "kg.ttl"])
def test_validate_every_output_format(runner: CliRunner, built: Path, name: str) -> None:
    result = runner.invoke(main, ["validate", str(built / name)])
    assert result.exit_code == 0, result.stdout + result.stderr


def test_validate_input_format_option(runner: CliRunner, built: Path, tmp_path: Path) -> None:
    odd = tmp_path / "graph.data"
    odd.write_bytes((built / "kg.nt").read_bytes())
    unknown = runner.invoke(main, ["validate", str(odd)])
    assert (unknown.exit_code, unknown.stderr) == (2, f"{odd}: unknown RDF format; use --input-format\n")
    assert runner.invoke(main, ["validate", str(odd), "--input-format", "nt"]).exit_code == 0


def test_validate_strict_fails_on_warnings(runner: CliRunner, built: Path, tmp_path: Path) -> None:
    g = Graph().parse(built / "kg.ttl")
    g.update('PREFIX kg: <https://w3id.org/kgpub/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> '
             'INSERT { <https://example.org/ghost> a kg:Person, kg:Agent ; rdfs:label "Ghost" ; kg:evidence ?e } '
             'WHERE { ?fact a kg:Event ; kg:evidence ?e }')
    path = tmp_path / "warn.ttl"
    g.serialize(path, format="turtle")
    assert runner.invoke(main, ["validate", str(path)]).exit_code == 0
    strict = runner.invoke(main, ["validate", str(path), "--strict"])
    assert strict.exit_code == 1
    assert strict.stdout.splitlines()[-1].startswith("does not conform: 0 violations, 1 warning")


def test_validate_no_ontology(runner: CliRunner, tmp_path: Path) -> None:
    """Without the ontology, sh:class cannot see that a state force is an organisation."""
    data = tmp_path / "d.ttl"
    data.write_text("""
        @prefix kg: <https://w3id.org/kgpub/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <https://example.org/p> a kg:Person ; rdfs:label "P" ; kg:memberOf <https://example.org/f> .
        <https://example.org/f> a kg:StateForce ; rdfs:label "F" .
    """)
    with_onto = runner.invoke(main, ["validate", str(data)])
    assert with_onto.exit_code == 0, with_onto.stdout
    without = runner.invoke(main, ["validate", str(data), "--no-ontology"])
    assert without.exit_code == 1
    assert "kg:memberOf must point to a kg:Organization" in without.stdout


def test_validate_missing_data(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["validate", str(tmp_path / "nope.ttl")])
    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path / 'nope.ttl'}: no such file; run 'kgpub build' first or name an RDF file\n"


def test_validate_unparseable_data(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text("<a> <b> ")
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}: cannot load data:") and result.stderr.count("\n") == 1


def test_validate_unparseable_shapes(runner: CliRunner, built: Path, tmp_path: Path) -> None:
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "s.ttl").write_text("this is not turtle")
    result = runner.invoke(main, ["validate", str(built), "--shapes", str(shapes)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{shapes / 's.ttl'}: cannot parse shapes:")


def test_validate_no_shapes(runner: CliRunner, built: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = runner.invoke(main, ["validate", str(built), "--shapes", str(tmp_path / "empty")])
    assert (result.exit_code, result.stderr) == (2, f"{tmp_path / 'empty'}: no shapes (*.ttl) found\n")


def test_validate_takes_only_the_data_graphs_of_a_kgpub_trig(seed_build: Path, tmp_path: Path) -> None:
    """From kgpub's TriG only the graphs typed kg:DataGraph are validated; any other quad file is all data."""
    import pyoxigraph as ox

    import kgpub

    assert kgpub.validate([seed_build / "kg.trig"]).conforms()
    quads = list(ox.parse(path=str(seed_build / "kg.trig"), format=ox.RdfFormat.TRIG))
    kadhemi = ox.NamedNode("https://w3id.org/kgpub/id/mustafa-al-kadhemi")
    strike = ox.NamedNode("https://w3id.org/kgpub/id/event/soleimani-strike")
    aside = ox.Quad(kadhemi, ox.NamedNode("https://w3id.org/kgpub/ontology#complicitIn"), strike,
                    ox.NamedNode("https://example.org/not-a-data-graph"))
    (tmp_path / "kg.trig").write_bytes(ox.serialize([*quads, aside], format=ox.RdfFormat.TRIG))
    (tmp_path / "kg.trig").rename(tmp_path / "with-aside.trig")
    assert kgpub.validate([tmp_path / "with-aside.trig"]).conforms()  # typed data graphs only
    untyped = [q for q in quads if q.object.value != "https://w3id.org/kgpub/ontology#DataGraph"]
    (tmp_path / "all.nq").write_bytes(ox.serialize([*untyped, aside], format=ox.RdfFormat.N_QUADS))
    report = kgpub.validate([tmp_path / "all.nq"])  # every graph is data now, the one aside too
    assert {r.source_shape for r in report.results if r.severity == "Violation"} == {"kgsh:ComplicityShape"}
