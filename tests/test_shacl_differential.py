"""The compiled validator against pySHACL on random small graphs and shapes (a property test).

Every shape is built from the constraint components the compiler handles (and a few it leaves to
pySHACL, which must then come back unchanged), over data drawn from a small vocabulary so that
constraints both hold and fail.  CI runs a fixed, bounded number of examples; a longer run:

    KGPUB_DIFFERENTIAL_EXAMPLES=5000 .venv/bin/pytest tests/test_shacl_differential.py
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph

from kgpub.shacl import validation
from shacl_reference import validate_graph

EXAMPLES = int(os.environ.get("KGPUB_DIFFERENTIAL_EXAMPLES", "120"))
PREFIXES = ("@prefix ex: <http://example.org/> . @prefix sh: <http://www.w3.org/ns/shacl#> . "
            "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n")
NODES = [f"ex:n{i}" for i in range(4)]
LITERALS = ["0", "1", "2", "3", '"a"', '"bb"', '"x"@en', '"x"@fr', '"X"@EN', '"4.0"^^xsd:decimal', '"07"^^xsd:integer']
OBJECTS = NODES + LITERALS + ["ex:A", "ex:B"]
#: Not sh:lessThan: SHACL says values that cannot be compared (two IRIs) are a violation, and pySHACL does
#: not report them; the W3C suite's lessThan cases hold the compiled check to the spec instead.
PROPERTY = ["sh:minCount 1", "sh:minCount 2", "sh:maxCount 0", "sh:maxCount 1", "sh:datatype xsd:integer",
            "sh:datatype xsd:string", "sh:datatype rdf:langString", "sh:nodeKind sh:IRI", "sh:nodeKind sh:Literal",
            "sh:class ex:A", "sh:in ( ex:n0 1 \"a\" )", 'sh:pattern "^b"', 'sh:pattern "X" ; sh:flags "i"',
            "sh:minLength 2", "sh:maxLength 1", "sh:minInclusive 1", "sh:maxExclusive 3",
            "sh:disjoint ex:q", "sh:uniqueLang true", "sh:hasValue ex:n1", "sh:languageIn ( \"en\" )",
            "sh:node ex:Inner", "sh:not [ sh:class ex:B ]", "sh:or ( [ sh:nodeKind sh:IRI ] [ sh:minLength 2 ] )",
            "sh:qualifiedValueShape [ sh:class ex:A ] ; sh:qualifiedMinCount 1",
            "sh:qualifiedValueShape [ sh:nodeKind sh:Literal ] ; sh:qualifiedMaxCount 1"]
NODE = ["sh:class ex:A", "sh:nodeKind sh:IRI", "sh:nodeKind sh:Literal", "sh:in ( ex:n0 ex:n1 1 )",
        "sh:datatype xsd:integer", "sh:maxLength 2", "sh:minInclusive 1", "sh:disjoint ex:p", "sh:hasValue ex:n2"]
TARGETS = ["sh:targetClass ex:A", "sh:targetNode ex:n0", "sh:targetNode 1", "sh:targetSubjectsOf ex:p",
           "sh:targetObjectsOf ex:q"]

triples = st.lists(st.tuples(st.sampled_from(NODES), st.sampled_from(["ex:p", "ex:q", "rdf:type"]),
                             st.sampled_from(OBJECTS)), max_size=14)
properties = st.lists(st.tuples(st.sampled_from(["ex:p", "ex:q"]),
                                st.lists(st.sampled_from(PROPERTY), min_size=1, max_size=3,
                                         unique_by=lambda c: c.split()[0]),  # one value per parameter, as SHACL says
                                st.sampled_from(["", "sh:severity sh:Warning ;"])), min_size=0, max_size=3)


def _rows(report: validation.Report) -> list[tuple]:  # type: ignore[type-arg]
    return sorted(((r.severity, r.focus, r.path, r.value, r.component, r.source_shape) for r in report.results), key=repr)


RAN = [0]


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=triples, target=st.lists(st.sampled_from(TARGETS), min_size=1, max_size=2, unique=True),
       node=st.lists(st.sampled_from(NODE), max_size=2, unique_by=lambda c: c.split()[0]), props=properties)
def test_compiled_equals_pyshacl(data: list[tuple[str, str, str]], target: list[str], node: list[str],
                                 props: list[tuple[str, list[str], str]]) -> None:
    RAN[0] += 1
    shape = "ex:S a sh:NodeShape ; " + " ; ".join(target + node) + " ;\n" + "".join(
        f"  sh:property [ sh:path {path} ; {severity} {' ; '.join(constraints)} ] ;\n" for path, constraints, severity in props
    ) + " .\nex:Inner a sh:NodeShape ; sh:nodeKind sh:IRI ; sh:property [ sh:path ex:p ; sh:maxCount 1 ] .\n"
    with validation.literals_as_written():
        shapes = Graph().parse(data=PREFIXES + shape, format="turtle")
    graph = Graph().parse(data=PREFIXES + "".join(f"{s} {p} {o} .\n" for s, p, o in data), format="turtle")
    fast = validate_graph(graph, shapes=shapes)
    reference = validate_graph(graph, shapes=shapes, reference=True)
    assert _rows(fast) == _rows(reference), shape


def test_zz_say_how_many_examples_ran() -> None:
    from conftest import SUMMARY

    SUMMARY.append(f"SHACL differential test: {RAN[0]} random graphs and shapes, compiled == pySHACL "
                   f"(KGPUB_DIFFERENTIAL_EXAMPLES={EXAMPLES})")
    assert RAN[0] >= min(EXAMPLES, 50)
