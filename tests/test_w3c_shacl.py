"""kgpub's validator on the W3C SHACL test suite (core and SPARQL): every case, through the library and the CLI.

The suite (``tests/w3c-shacl-suite``, its licence note beside it) gives, for each case, the data, the
shapes and the expected report; ``w3c_suite`` compares reports as the suite means them.  A case the
suite marks ``sht:Failure`` must be refused with one clear line and exit 2, never a report.
"""

from __future__ import annotations


import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef

import kgpub
from kgpub.errors import KgpubError
from kgpub.cli import main
from w3c_suite import Case, cases, rows_of

pytestmark = pytest.mark.slow  # the W3C SHACL suite, every case through the library and the command

CASES = cases()
#: Cases kgpub does not support, each with the reason (none today: the suite passes whole).
NOT_SUPPORTED: dict[str, str] = {}
_PASSED: set[str] = set()


def test_the_suite_is_complete() -> None:
    assert len(CASES) == 120
    assert len({c.name for c in CASES}) == 120


def _check_report(case: Case, report_graph: Graph) -> None:
    conforms, rows = rows_of(report_graph)
    assert conforms == case.conforms, f"{case.name}: sh:conforms {conforms}, the suite says {case.conforms}"
    assert rows == case.results, (f"{case.name}: unexpected {sorted((rows - case.results).elements())}; "
                                  f"missing {sorted((case.results - rows).elements())}")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_library(case: Case) -> None:
    if case.name in NOT_SUPPORTED:
        with pytest.raises(KgpubError, match="not supported"):
            kgpub.validate([case.data], shapes=case.shapes, ontology=False)
        return
    if case.failure:
        with pytest.raises(KgpubError):
            kgpub.validate([case.data], shapes=case.shapes, ontology=False)
        _PASSED.add(case.name)
        return
    report = kgpub.validate([case.data], shapes=case.shapes, ontology=False)
    assert report.report_graph is not None
    _check_report(case, report.report_graph)
    _PASSED.add(case.name)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_cli(case: Case) -> None:
    result = CliRunner().invoke(main, ["validate", str(case.data), "--shapes", str(case.shapes), "--no-ontology",
                                       "--format", "turtle"])
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    if case.failure or case.name in NOT_SUPPORTED:
        assert result.exit_code == 2 and result.stdout == "", result.output
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        return
    assert result.stderr == "", result.stderr  # no warnings or logged tracebacks from the engines
    assert result.exit_code in (0, 1)
    graph = Graph().parse(data=result.stdout, format="turtle")
    _check_report(case, graph)
    # the exit code is kgpub's policy on top of sh:conforms: violations fail, warnings and infos do not
    violations = any("Violation" in row[4] for row in case.results or ())
    assert result.exit_code == (1 if violations else 0)


def test_zz_count(request: pytest.FixtureRequest) -> None:
    """Say how many suite cases the library passed (the parametrized tests above ran first)."""
    from conftest import SUMMARY

    SUMMARY.append(f"W3C SHACL suite: {len(_PASSED)}/{len(CASES)} cases passed through kgpub.validate "
                   f"({len(NOT_SUPPORTED)} not supported)")
    assert len(_PASSED) + len(NOT_SUPPORTED) == len(CASES)


@pytest.mark.parametrize("name", ["core/property/datatype-ill-formed", "core/property/or-datatypes-001",
                                  "core/node/qualified-001", "sparql/pre-binding/unsupported-sparql-002"])
def test_the_real_command_prints_no_engine_noise(name: str) -> None:
    """rdflib logs a traceback for every ill-typed literal and pySHACL warns on odd shapes, both on stderr:
    the command itself (not only CliRunner, which does not see logging) stays quiet but for its own lines."""
    import subprocess
    import sys

    (case,) = [c for c in CASES if c.name == name]
    result = subprocess.run([sys.executable, "-m", "kgpub", "validate", str(case.data), "--shapes", str(case.shapes),
                             "--no-ontology"], capture_output=True, text=True, timeout=120)
    if case.failure:
        assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert result.stderr.startswith("SHACL validation failed: "), result.stderr
    else:
        assert result.returncode in (0, 1) and result.stderr == "", result.stderr


#: Every constraint component of SHACL Core and SHACL-SPARQL, with a minimal use of it on a property shape
#: (or a node shape where SHACL says so).
COMPONENTS = {
    "Class": "sh:class ex:C", "Datatype": "sh:datatype xsd:integer", "NodeKind": "sh:nodeKind sh:IRI",
    "MinCount": "sh:minCount 1", "MaxCount": "sh:maxCount 1", "MinExclusive": "sh:minExclusive 1",
    "MinInclusive": "sh:minInclusive 1", "MaxExclusive": "sh:maxExclusive 1", "MaxInclusive": "sh:maxInclusive 1",
    "MinLength": "sh:minLength 1", "MaxLength": "sh:maxLength 1", "Pattern": 'sh:pattern "a"',
    "LanguageIn": 'sh:languageIn ( "en" )', "UniqueLang": "sh:uniqueLang true", "Equals": "sh:equals ex:q",
    "Disjoint": "sh:disjoint ex:q", "LessThan": "sh:lessThan ex:q", "LessThanOrEquals": "sh:lessThanOrEquals ex:q",
    "Not": "sh:not [ sh:class ex:C ]", "And": "sh:and ( [ sh:class ex:C ] )", "Or": "sh:or ( [ sh:class ex:C ] )",
    "Xone": "sh:xone ( [ sh:class ex:C ] )", "Node": "sh:node ex:N", "Property": "sh:property [ sh:path ex:q ]",
    "QualifiedMinCount": "sh:qualifiedValueShape [ sh:class ex:C ] ; sh:qualifiedMinCount 1",
    "QualifiedMaxCount": "sh:qualifiedValueShape [ sh:nodeKind sh:Literal ] ; sh:qualifiedMaxCount 1",
    "Closed": "NODE sh:closed true", "HasValue": "sh:hasValue ex:a", "In": "sh:in ( ex:a )",
    "SPARQL": 'NODE sh:sparql [ sh:select "SELECT $this WHERE { $this ex:p ?o }" ]',
    "SPARQL-based component": "ex:param 1",
}
_PRE = ("@prefix ex: <http://example.org/> . @prefix sh: <http://www.w3.org/ns/shacl#> . "
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "ex:N a sh:NodeShape ; sh:nodeKind sh:IRI .\n"
        'ex:Component a sh:ConstraintComponent ; sh:parameter [ sh:path ex:param ] ; '
        'sh:validator [ a sh:SPARQLAskValidator ; sh:ask "ASK { FILTER (?value != $param) }" ] .\n')


@pytest.mark.parametrize("name", sorted(COMPONENTS))
def test_every_component_is_compiled_and_suite_tested_or_delegated(name: str) -> None:
    from rdflib.namespace import SH

    from kgpub.shacl.compiler import compile_shapes

    use = COMPONENTS[name]
    shape = (f"ex:S a sh:NodeShape ; sh:targetClass ex:T ; {use.removeprefix('NODE ')} ." if use.startswith("NODE ")
             else f"ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property ex:P . ex:P sh:path ex:p ; {use} .")
    plan = compile_shapes(Graph().parse(data=_PRE + shape, format="turtle"))
    component = SH[f"{name}ConstraintComponent"] if name != "SPARQL-based component" else None
    compiled = any(c.component == component for c in plan.checks) or (name == "SPARQL" and bool(plan.sparql))
    delegated = plan.delegated is not None and any(
        (s, p, None) in plan.delegated for s in plan.delegated.subjects() if str(s).startswith("urn:kgpub:delegated:")
        for p in plan.delegated.predicates(s) if p.n3(plan.delegated.namespace_manager) in use or
        str(p).endswith(use.split()[1 if use.startswith("NODE ") else 0].split(":")[-1]))
    delegated = delegated or (plan.delegated is not None and (URIRef("http://example.org/S"), SH.targetClass, None)
                              in plan.delegated)  # the whole shape left to pySHACL (sh:closed needs all its paths)
    assert compiled != delegated, f"{name}: compiled {compiled}, delegated {delegated}"
    if compiled:  # then the suite holds it to the spec, or (no suite case reports it) the differential test
        from test_shacl_differential import NODE, PROPERTY

        tested = {row[3] for case in CASES if case.results for row in case.results}
        in_suite = (component or SH.SPARQLConstraintComponent).n3() in tested
        assert in_suite or use in PROPERTY + NODE, f"{name}: compiled but tested neither by the suite nor against pySHACL"
