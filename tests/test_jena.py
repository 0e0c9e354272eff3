"""Apache Jena as a third independent engine: riot parses every output file, and Jena's SHACL engine gives
kgpub's verdict and results on every case of tests/cases and on the seed (beside pySHACL and TopBraid).

Jena comes from Maven Central (``scripts/java-deps.sh``, run by ``scripts/test.sh``); in CI a missing Jena
fails these tests.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.namespace import SH

from kgpub.resources import shipped
from shacl_cases import apply, cases, relocate, results_of
from shacl_reference import validate_graph
from servers import jena
from test_shapes import base_graph, ontology, shapes  # noqa: F401 - fixtures shared with the shape tests

pytestmark = [pytest.mark.external, pytest.mark.slow]  # slow: Jena's engines on the JVM

OUTPUTS = [("kg.ttl", ox.RdfFormat.TURTLE), ("kg.nt", ox.RdfFormat.N_TRIPLES), ("kg.trig", ox.RdfFormat.TRIG),
           ("kg.jsonld", ox.RdfFormat.JSON_LD), ("void.ttl", ox.RdfFormat.TURTLE),
           ("ontology.ttl", ox.RdfFormat.TURTLE), ("articles/000_eb2d348de878cb8c.ttl", ox.RdfFormat.TURTLE)]


@pytest.mark.parametrize(("name", "fmt"), OUTPUTS, ids=[n for n, _ in OUTPUTS])
def test_riot_validates_every_output(seed_build: Path, name: str, fmt: ox.RdfFormat) -> None:
    path = seed_build / name
    checked = jena("riot", "--validate", "--strict", str(path))
    assert checked.returncode == 0 and checked.stdout == "" and checked.stderr == "", checked.stderr
    counted = jena("riot", "--count", str(path))
    assert counted.returncode == 0, counted.stderr
    found = re.search(r"(?:Triples|Quads) = ([\d,]+)", counted.stdout + counted.stderr)
    assert found is not None, counted.stdout + counted.stderr
    assert int(found.group(1).replace(",", "")) == len(list(ox.parse(path=str(path), format=fmt)))


def jena_validate(data: Path, shapes_file: Path) -> Graph:
    run = jena("shacl", "validate", "--shapes", str(shapes_file), "--data", str(data))
    assert run.returncode == 0, run.stderr[-2000:]
    report = Graph().parse(data=run.stdout, format="turtle")
    assert (None, SH.conforms, None) in report
    return report


def conforms(report: Graph) -> bool:
    return bool(report.value(next(report.subjects(SH.conforms, None)), SH.conforms).toPython())


def test_jena_shacl_agrees_on_every_case(base_graph: Graph, shapes: Graph, ontology: Graph,  # noqa: F811
                                         tmp_path: Path) -> None:
    """All cases, each under its own IRI base, in one Jena run; per case, kgpub's own results."""
    every = cases("invalid") + cases("valid")
    union, expected = Graph(), {}
    for case in every:
        data = relocate(apply(base_graph, case), case.name)
        report = validate_graph(data, shapes=shapes, ontology=ontology)
        expected[case.name] = results_of(report.report_graph)
        union += data
    union += ontology
    data_file = tmp_path / "cases.nt"
    union.serialize(data_file, format="nt", encoding="utf-8")
    report = jena_validate(data_file, shipped("shapes") / "kgpub.shapes.ttl")
    got: dict[str, set] = {name: set() for name in expected}
    for result in results_of(report):
        got[result[1].split("/")[3]].add(result)
    for name in expected:
        assert got[name] == expected[name], name
    assert len(every) >= 45


@pytest.mark.parametrize("case", cases("invalid")[:3] + cases("valid")[:1], ids=lambda c: c.name)
def test_jena_shacl_verdict_on_a_case_alone(case, base_graph: Graph, shapes: Graph, ontology: Graph,  # type: ignore[no-untyped-def] # noqa: F811
                                            tmp_path: Path) -> None:
    """sh:conforms means the same in Jena and in kgpub (a Warning alone conforms in both)."""
    data = apply(base_graph, case) + ontology
    data_file = tmp_path / "case.nt"
    data.serialize(data_file, format="nt", encoding="utf-8")
    ours = validate_graph(apply(base_graph, case), shapes=shapes, ontology=ontology)
    theirs = jena_validate(data_file, shipped("shapes") / "kgpub.shapes.ttl")
    assert results_of(theirs) == results_of(ours.report_graph)
    spec_conforms = not any(r.severity in ("Violation", "Warning", "Info") for r in ours.results)
    assert conforms(theirs) == spec_conforms


def test_jena_shacl_agrees_on_the_seed(seed_build: Path, shapes: Graph, ontology: Graph,  # noqa: F811
                                       tmp_path: Path) -> None:
    data = Graph().parse(seed_build / "kg.ttl")
    ours = validate_graph(data, shapes=shapes, ontology=ontology)
    mixed = tmp_path / "seed.nt"
    (data + ontology).serialize(mixed, format="nt", encoding="utf-8")
    theirs = jena_validate(mixed, shipped("shapes") / "kgpub.shapes.ttl")
    assert results_of(theirs) == results_of(ours.report_graph)
    assert ours.conforms() and conforms(theirs) == (not ours.results)
