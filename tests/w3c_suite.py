"""The W3C SHACL test suite (``tests/w3c-shacl-suite``): its cases, and reports compared as the suite means.

Each case file holds the data, the shapes and the expected ``sh:ValidationReport``.  Two reports agree
when they say the same ``sh:conforms`` and hold the same multiset of results, each result being its focus
node, path, value, constraint component, severity and source shape.  A blank node is compared by its
structure (its outgoing triples, recursively), as the suite's own reports can only name it so.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

SUITE = Path(__file__).parent / "w3c-shacl-suite" / "tests"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

Row = tuple[str, str, str, str, str, str]


@dataclass(frozen=True)
class Case:
    name: str  # e.g. core/node/datatype-002
    file: Path
    data: Path
    shapes: Path
    failure: bool  # sht:Failure: the engine must refuse cleanly
    conforms: bool | None
    results: Counter[Row] | None


def _graph(path: Path) -> Graph:
    return Graph().parse(path, format="turtle", publicID=path.resolve().as_uri())


def cases() -> list[Case]:
    """Every sht:Validate entry of the suite, in manifest order."""
    found: list[Case] = []

    def visit(manifest: Path) -> None:
        g = _graph(manifest)
        for m in g.subjects(RDF.type, MF.Manifest):
            for included in g.objects(m, MF.include):
                visit(Path(str(included).removeprefix("file://")))
            for entries in g.objects(m, MF.entries):
                for entry in Collection(g, entries):
                    if (entry, RDF.type, SHT.Validate) not in g:
                        continue
                    action = g.value(entry, MF.action)
                    data = Path(str(g.value(action, SHT.dataGraph)).removeprefix("file://"))
                    shapes = Path(str(g.value(action, SHT.shapesGraph)).removeprefix("file://"))
                    result = g.value(entry, MF.result)
                    name = manifest.parent.relative_to(SUITE).as_posix() + "/" + str(entry).rsplit("/", 1)[-1]
                    if result == SHT.Failure:
                        found.append(Case(name, manifest, data, shapes, True, None, None))
                    else:
                        conforms, rows = report_rows(g, result)
                        found.append(Case(name, manifest, data, shapes, False, conforms, rows))

    visit(SUITE / "manifest.ttl")
    return found


_SKIPPED = {SH.resultMessage}


def signature(graph: Graph, node: Node | None, seen: frozenset[Node] = frozenset()) -> str:
    """A term as text; a blank node as the sorted signatures of its outgoing triples (lists as their items)."""
    if node is None:
        return "-"
    if not isinstance(node, BNode):
        return node.n3()
    if node in seen:
        return "[cycle]"
    seen = seen | {node}
    if (node, RDF.first, None) in graph or node == RDF.nil:
        return "(" + " ".join(signature(graph, item, seen) for item in Collection(graph, node)) + ")"
    parts = sorted(f"{p.n3()} {signature(graph, o, seen)}" for p, o in graph.predicate_objects(node)
                   if p not in _SKIPPED)
    return "[" + "; ".join(parts) + "]"


def report_rows(graph: Graph, report: Node) -> tuple[bool, Counter[Row]]:
    """``sh:conforms`` and the result rows of the report node ``report`` in ``graph``."""
    conforms = graph.value(report, SH.conforms)
    rows: Counter[Row] = Counter()
    for result in graph.objects(report, SH.result):
        rows[tuple(signature(graph, graph.value(result, p)) for p in  # type: ignore[misc]
                   (SH.focusNode, SH.resultPath, SH.value, SH.sourceConstraintComponent, SH.resultSeverity,
                    SH.sourceShape))] += 1
    return bool(conforms is not None and conforms.toPython()), rows


def rows_of(report_graph: Graph) -> tuple[bool, Counter[Row]]:
    """The rows of the one ``sh:ValidationReport`` in an engine's report graph."""
    (report,) = list(report_graph.subjects(RDF.type, SH.ValidationReport))
    return report_rows(report_graph, report)


def uri(path: Path) -> URIRef:
    return URIRef(path.resolve().as_uri())
