"""The yardstick of kgpub's SHACL validation: pySHACL over an rdflib graph, node by node, and the same call
for the compiled checks, so a test (or the validation benchmark) can hold one to the other.

The build and ``kgpub validate`` never validate an rdflib graph: they hand N-Triples to
``kgpub.shacl.validation.validate_ntriples``, and give pySHACL only what the compiler left to it.  The
reference path and its report reading (labels from rdflib graphs, results from pySHACL's report graph)
live here, with the tests, because only the tests and the benchmark use them.
"""

from __future__ import annotations

from functools import cache

from rdflib import Graph
from rdflib.namespace import RDFS, SH
from rdflib.term import Node

from kgpub.corpus.model import Source
from kgpub.errors import ValidationSetupError
from kgpub.resources import ontology_file
from kgpub.shacl import validation
from kgpub.shacl.report import Labels, Report, Result, in_order, required, result_for


@cache
def load_ontology() -> Graph:
    """The project ontology, parsed once per test process."""
    return Graph().parse(ontology_file(), format="turtle")


def validate_graph(data: Graph, *, shapes: Graph | None = None, ontology: Graph | None = None,
                   origins: dict[str, Source] | None = None, reference: bool = False) -> Report:
    """Validate ``data`` (with ``ontology`` mixed in, when given) against ``shapes``.

    By default as the build does: every constraint the compiler answers exactly runs once, set-based,
    on pyoxigraph, and only the rest goes to pySHACL, constraint by constraint.  ``reference=True``
    leaves everything to pySHACL, node by node: slow, and the yardstick the fast paths are tested against.
    """
    shapes = shapes if shapes is not None else validation.load_shapes()
    if not reference:
        nt = data.serialize(format="nt", encoding="utf-8")
        extra = ontology.serialize(format="nt", encoding="utf-8") if ontology is not None else b""
        return validation.validate_ntriples([nt, extra], shapes=shapes, origins=origins)
    import pyshacl

    try:
        _, report_graph, _ = pyshacl.validate(
            data, shacl_graph=shapes, ont_graph=ontology, inference="none",
            allow_warnings=True, allow_infos=True, advanced=False, abort_on_first=False,
        )
    except Exception as exc:  # noqa: BLE001 - pySHACL raises its own and rdflib's errors
        raise ValidationSetupError(f"SHACL validation failed: {' '.join(str(exc).split()) or type(exc).__name__}") \
            from None
    return Report(results=results_of_graph(report_graph, GraphLabels(data, ontology), origins or {}),
                  report_graph=report_graph)


def results_of_graph(report: Graph, labels: Labels, origins: dict[str, Source]) -> tuple[Result, ...]:
    """The results of a SHACL report graph (pySHACL's)."""
    out = []
    for node in report.objects(None, SH.result):
        focus = required(report, node, SH.focusNode)
        out.append(result_for(focus, report.value(node, SH.resultPath), report.value(node, SH.value),
                              required(report, node, SH.resultSeverity), report.value(node, SH.resultMessage),
                              required(report, node, SH.sourceShape),
                              required(report, node, SH.sourceConstraintComponent), labels, origins))
    return in_order(out)


class GraphLabels(Labels):
    """Labels read from rdflib graphs (the data and the ontology) instead of the validation store."""

    def __init__(self, *graphs: Graph | None) -> None:
        super().__init__()
        self.graphs = [g for g in graphs if g is not None]

    def label(self, node: Node) -> str | None:
        for graph in self.graphs:
            labels = sorted(str(label) for label in graph.objects(node, RDFS.label))
            if labels:
                return labels[0]  # the first, when a graph (wrongly) has several
        return None
