"""The compiled set-based SHACL checks: same results as pySHACL, or an honest fallback to it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from kgpub.rdf import ntriples
from kgpub.shacl import runner, validation
from kgpub.shacl.compiler import Plan, compile_shapes
from shacl_reference import validate_graph

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
"""

SHAPES = PREFIXES + """
ex:ThingShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:property ex:count , ex:code , ex:name , ex:tags , ex:kind , ex:when , ex:parts , ex:order , ex:other ;
    sh:or ( [ sh:path ex:name ; sh:minCount 1 ] [ sh:path ex:code ; sh:minCount 1 ] ) ;
    sh:not [ sh:class ex:Forbidden ] .
ex:count a sh:PropertyShape ; sh:path ex:count ; sh:maxCount 1 ; sh:datatype xsd:nonNegativeInteger ;
    sh:message "count: one non-negative integer" .
ex:code a sh:PropertyShape ; sh:path ex:code ; sh:pattern "^ab" ; sh:flags "i" ; sh:minLength 3 ; sh:maxLength 5 .
ex:name a sh:PropertyShape ; sh:path ex:name ; sh:minCount 2 ; sh:or ( [ sh:datatype rdf:langString ] [ sh:datatype xsd:string ] ) .
ex:tags a sh:PropertyShape ; sh:path ex:tag ; sh:in ( "red" "blue" ex:green ) ; sh:nodeKind sh:IRIOrLiteral .
ex:kind a sh:PropertyShape ; sh:path ex:kind ; sh:class ex:Kind ; sh:node [ sh:property [ sh:path ex:label ; sh:minCount 1 ] ] .
ex:when a sh:PropertyShape ; sh:path ex:when ; sh:datatype xsd:date ; sh:severity sh:Warning .
ex:parts a sh:PropertyShape ; sh:path ex:part ; sh:qualifiedValueShape [ sh:class ex:Wheel ] ;
    sh:qualifiedMinCount 2 ; sh:qualifiedMaxCount 3 ; sh:maxCount 4 .
ex:order a sh:PropertyShape ; sh:path ex:start ; sh:lessThan ex:end .
ex:other a sh:PropertyShape ; sh:path ex:friend ; sh:disjoint ex:enemy ; sh:and ( [ sh:nodeKind sh:IRI ] ) .
"""

DATA = PREFIXES + """
ex:Car rdfs:subClassOf ex:Thing .
ex:a a ex:Car ; ex:count "05"^^xsd:positiveInteger , "x"^^xsd:nonNegativeInteger ; ex:code "ABc" , "zz" , "abcdefg" ;
    ex:name "one"@en , 2 ; ex:tag "red" , "green" , ex:green , "red"@en ; ex:kind ex:k1 , ex:k2 , "k" ;
    ex:when "2020-13-45"^^xsd:date , "2020-01-02"^^xsd:date , "2020"^^xsd:gYear ;
    ex:part ex:w1 , ex:w2 , ex:w3 , ex:w4 , ex:x ; ex:start 5 , "7"^^xsd:nonNegativeInteger ; ex:end 6 , "z" ;
    ex:friend ex:f , "lit" ; ex:enemy ex:f .
ex:w1 a ex:Wheel . ex:w2 a ex:Wheel . ex:w3 a ex:Wheel . ex:w4 a ex:Wheel .
ex:k1 a ex:Kind ; ex:label "k1" . ex:k2 a ex:Kind .
ex:b a ex:Thing , ex:Forbidden ; ex:count 1 ; ex:part ex:w1 .
ex:c a ex:Thing ; ex:name "a" , "b"@en ; ex:code "abc" ; ex:part ex:w1 , ex:w2 .
"""


def both(shapes: str, data: str) -> tuple[validation.Report, validation.Report]:
    shapes_graph = Graph().parse(data=shapes, format="turtle")
    data_graph = Graph().parse(data=data, format="turtle")
    assert validation.plan_for(shapes_graph) is not None
    fast = validate_graph(data_graph, shapes=shapes_graph)
    reference = validate_graph(data_graph, shapes=shapes_graph, reference=True)
    return fast, reference


def unworded(report: validation.Report) -> list[validation.Result]:
    """Shapes without sh:message get each engine's own wording; everything else must be identical."""
    return sorted((replace(r, message="") for r in report.results), key=repr)


def test_compiled_checks_give_pyshacls_results() -> None:
    fast, reference = both(SHAPES, DATA)
    assert len(reference.results) > 25  # every constraint above fires at least once
    assert {r.component for r in reference.results} >= {
        "sh:DatatypeConstraintComponent", "sh:MaxCountConstraintComponent", "sh:MinCountConstraintComponent",
        "sh:PatternConstraintComponent", "sh:MinLengthConstraintComponent", "sh:MaxLengthConstraintComponent",
        "sh:OrConstraintComponent", "sh:InConstraintComponent", "sh:ClassConstraintComponent",
        "sh:NodeConstraintComponent", "sh:QualifiedMinCountConstraintComponent",
        "sh:QualifiedMaxCountConstraintComponent", "sh:LessThanConstraintComponent",
        "sh:DisjointConstraintComponent", "sh:AndConstraintComponent", "sh:NotConstraintComponent"}
    assert unworded(fast) == unworded(reference)
    assert [r.message for r in fast.results if "count" in (r.path or "") and "Datatype" in r.component] == \
        ["count: one non-negative integer"] * 3


def test_a_class_without_subclasses_is_targeted_by_its_type_triples_with_pyshacls_results() -> None:
    """ex:Wheel has no subclass, so its focus nodes are read from its type triples, not recorded first."""
    import pyoxigraph as ox

    shapes = SHAPES + """
ex:WheelShape a sh:NodeShape ; sh:targetClass ex:Wheel ;
    sh:property [ sh:path ex:size ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:integer ] .
"""
    data = DATA + 'ex:w1 ex:size 3 . ex:w2 ex:size 3 , 4 . ex:w3 ex:size "big" .\n'
    plan = compile_shapes(Graph().parse(data=shapes, format="turtle"))
    assert plan is not None
    store = ox.Store()
    store.load(data.encode(), format=ox.RdfFormat.TURTLE)
    direct = runner._direct_targets(plan.targets, store)
    assert [plan.targets[i] for i in direct] == [t for t in plan.targets if "Wheel" in t]  # not ex:Thing (ex:Car)
    fast, reference = both(shapes, data)
    assert {str(r.focus) for r in reference.results if "size" in (r.path or "")} == {
        "http://example.org/w2", "http://example.org/w3", "http://example.org/w4"}
    assert unworded(fast) == unworded(reference)


def test_numbers_are_reported_as_written_not_as_the_store_keeps_them() -> None:
    fast, _ = both(SHAPES, DATA)
    values = {r.value for r in fast.results if r.path == "ex:count" or r.path == "<http://example.org/count>"}
    assert '"5"^^xsd:positiveInteger' in values  # pyoxigraph alone would say "5"^^xsd:integer
    assert '"x"^^xsd:nonNegativeInteger' in values


def test_a_conforming_graph_has_no_results() -> None:
    data = PREFIXES + 'ex:c a ex:Thing ; ex:name "a" , "b"@en ; ex:code "abc" ; ex:part ex:w1 , ex:w2 .\n' \
        "ex:w1 a ex:Wheel . ex:w2 a ex:Wheel ."
    fast, reference = both(SHAPES, data)
    assert fast.results == reference.results == ()


@pytest.mark.parametrize(("shape", "delegated"), [
    ("ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property [ sh:path ( ex:a ex:b ) ; sh:minCount 1 ] .", True),
    ("ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property [ sh:path ex:a ; sh:hasValue 1 ] .", True),
    ("ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:closed true .", True),
    ("ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:or ( [ sh:datatype xsd:integer ] [ sh:datatype xsd:string ] ) .",
     True),
    ("ex:S a sh:NodeShape, rdfs:Class ; sh:property [ sh:path ex:b ; sh:minCount 1 ] .", False),  # compiled now
])
def test_what_is_not_compiled_falls_back_to_pyshacl(shape: str, delegated: bool) -> None:
    shapes = Graph().parse(data=PREFIXES + shape, format="turtle")
    plan = compile_shapes(shapes)
    assert (plan.delegated is not None) == delegated
    data = Graph().parse(data=PREFIXES + "ex:t a ex:Thing , ex:S ; ex:a 2 .", format="turtle")
    def found(report: validation.Report) -> list[tuple[str, str, str]]:
        return [(r.severity, r.focus, r.component) for r in report.results]

    fallback = validate_graph(data, shapes=shapes)
    assert found(fallback) == found(validate_graph(data, shapes=shapes, reference=True))
    assert fallback.results  # each shape above finds something to report on ex:t


def test_ntriples_terms_are_read_back_exactly() -> None:
    assert ntriples.term('"a\\"b\\\\c\\n\\u00e9\\U0001F600"') == Literal('a"b\\c\né\U0001F600')
    assert ntriples.term('"5"^^<http://www.w3.org/2001/XMLSchema#positiveInteger>') == \
        Literal("5", datatype=XSD.positiveInteger)
    assert ntriples.term('"x"@en-GB') == Literal("x", lang="en-GB")
    assert ntriples.term("<http://example.org/a>") == URIRef("http://example.org/a")
    text = '<http://s> <http://p> "has <http://p> inside" .\n<http://s> <http://q> "x <http://p> y" .\n'
    assert ntriples.with_predicate(text, "http://p") == [("<http://s>", '"has <http://p> inside"')]


def test_checks_run_side_by_side_give_the_same_results_in_the_same_order() -> None:
    shapes = Graph().parse(data=SHAPES, format="turtle")
    nt = Graph().parse(data=DATA, format="turtle").serialize(format="nt", encoding="utf-8")
    one = validation.validate_ntriples([nt], shapes=shapes, threads=1)
    four = validation.validate_ntriples([nt], shapes=shapes, threads=4)
    assert len(one.results) > 25
    assert four.results == one.results


def test_the_well_typed_verdicts_are_the_plans_own_and_travel_with_it() -> None:
    """No module-level cache: a plan asks its own :class:`WellTyped`, and a pickled plan (the build cache
    keeps one) brings its verdicts along, so a rebuild need not ask pySHACL again."""
    import pickle

    import pyoxigraph as ox

    shapes = Graph().parse(data=PREFIXES + "ex:S a sh:NodeShape ; sh:targetClass ex:T ; "
                                           "sh:property [ sh:path ex:n ; sh:datatype xsd:integer ] .", format="turtle")
    text = '<http://example.org/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/T> .\n' \
           '<http://example.org/a> <http://example.org/n> "5"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'

    def run(plan: Plan) -> list[str]:
        store = ox.Store()
        store.load(text.encode(), format=ox.RdfFormat.N_TRIPLES)
        return [str(r.focus) for r in runner.run(plan, store, text)]

    plan = compile_shapes(shapes)
    assert run(plan) == []
    assert plan.well_typed.known == {("5", str(XSD.integer)): True}
    assert compile_shapes(shapes).well_typed.known == {}  # another plan has asked nothing yet
    assert pickle.loads(pickle.dumps(plan)).well_typed.known == plan.well_typed.known
    told = compile_shapes(shapes)
    told.well_typed.known[("5", str(XSD.integer))] = False  # a verdict the plan holds is the one it uses
    assert run(told) == ["http://example.org/a"]
