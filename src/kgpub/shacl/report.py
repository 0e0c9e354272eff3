"""What a validation found, whichever engine found it, and how it is shown to a person.

Two engines find results: the compiled checks (rows of pyoxigraph queries)
and pySHACL (a SHACL report graph).  Both become :class:`RawResult` values,
terms as rdflib nodes, so the report graph (``--format turtle``) and the
results a curator reads are made one way.  A :class:`Result` is what a person
needs to find and fix a problem: labels instead of bare IRIs, the facts file
and line each fact came from, severities in one order.  A graph that does
not conform is a *result*, not an exception: nothing here raises on it.

Kept apart from the engines (``compiler``, ``runner``, ``sparql``) and from the
build's stage (``validation``), which all import it and which it imports none of.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import ClassVar

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD, NamespaceManager
from rdflib.term import Node

from kgpub.corpus.model import Source
from kgpub.rdf import vocab

SHAPES_NS = "https://w3id.org/kgpub/shapes#"
SEVERITIES = ("Violation", "Warning", "Info")


@dataclass(frozen=True)
class RawResult:
    """One validation result, whichever engine found it: terms as rdflib nodes."""

    focus: Node
    severity: Node
    shape: Node
    component: Node
    path: Node | None = None  # pySHACL's results also name complex paths (a blank node)
    value: Node | None = None
    messages: tuple[Literal, ...] = ()
    constraint: Node | None = None


def to_rdflib(term) -> Node:  # type: ignore[no-untyped-def]
    """A pyoxigraph term (a query row's, a store's) as the rdflib node a :class:`RawResult` holds."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == str(XSD.string) else URIRef(datatype))
    raise TypeError(f"unexpected term {term!r}")


def add_results(report: Graph, results: list[RawResult]) -> None:
    """Write ``results`` into a SHACL validation report graph (creating its root when missing)."""
    root = next(report.subjects(RDF.type, SH.ValidationReport), None)
    if root is None:
        root = BNode()
        report.add((root, RDF.type, SH.ValidationReport))
        report.add((root, SH.conforms, Literal(True)))
    for r in results:
        node = BNode()
        report.add((root, SH.result, node))
        report.add((node, RDF.type, SH.ValidationResult))
        report.add((node, SH.focusNode, r.focus))
        if r.value is not None:
            report.add((node, SH.value, r.value))
        if r.path is not None:
            report.add((node, SH.resultPath, r.path))
        report.add((node, SH.resultSeverity, r.severity))
        report.add((node, SH.sourceShape, r.shape))
        if r.constraint is not None:
            report.add((node, SH.sourceConstraint, r.constraint))
        report.add((node, SH.sourceConstraintComponent, r.component))
        for message in r.messages:
            report.add((node, SH.resultMessage, message))
    if results:
        report.set((root, SH.conforms, Literal(False)))


@dataclass(frozen=True)
class Result:
    """One SHACL validation result, with what a person needs to find and fix it."""

    severity: str
    focus: str
    focus_label: str | None
    path: str | None
    value: str | None
    message: str
    source_shape: str
    component: str
    file: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Report:
    """Every result of one validation, and the raw SHACL report graph."""

    results: tuple[Result, ...]
    #: None when the report was assembled from a previous build's results (a patched rebuild)
    report_graph: Graph | None = field(default=None, repr=False, compare=False)

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    def conforms(self, strict: bool = False) -> bool:
        """No violations (and, when ``strict``, no warnings either). Hints never fail."""
        return self.count("Violation") == 0 and (not strict or self.count("Warning") == 0)

    def summary(self, strict: bool = False) -> str:
        verdict = "conforms" if self.conforms(strict) else "does not conform"
        v, w, i = (self.count(s) for s in SEVERITIES)
        return (f"{verdict}: {v} violation{'s' * (v != 1)}, {w} warning{'s' * (w != 1)}, "
                f"{i} hint{'s' * (i != 1)}")


def required(report: Graph, node: Node, p: URIRef) -> Node:
    """A term every SHACL validation result has (focus node, severity, source shape and component, SHACL 3.6.1)."""
    value = report.value(node, p)
    assert value is not None, f"a SHACL result without {p}"
    return value


def results_of(raw: list[RawResult], labels: Labels, origins: dict[str, Source]) -> tuple[Result, ...]:
    """The results the engines found, each as a person reads it."""
    return in_order([result_for(r.focus, r.path, r.value, r.severity, r.messages[0] if r.messages else None, r.shape,
                            r.component, labels, origins) for r in raw])


def result_for(focus: Node, path: Node | None, value: Node | None, severity: Node, message: Node | None,
               shape: Node, component: Node, labels: Labels, origins: dict[str, Source]) -> Result:
    """One result as a person reads it: labels and prefixed names, and the facts file and line of its focus node."""
    origin = _origin(str(focus), origins)
    return Result(
        severity=str(severity).rsplit("#", 1)[-1],
        focus=str(focus),
        focus_label=labels.of(focus),
        path=labels.short(path) if isinstance(path, URIRef) else None,
        value=labels.show(value) if value is not None and value != focus else None,
        message=str(message or "constraint not met"),
        source_shape=labels.short(shape),
        component=labels.short(component),
        file=origin.file if origin else None,
        line=origin.line if origin else None,
    )


def in_order(results: list[Result]) -> tuple[Result, ...]:
    """Results most severe first, then by facts file and line: the order every report lists them in."""
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return tuple(sorted(results, key=lambda r: (order.get(r.severity, 9), r.file or "~", r.line or 0,
                                                r.focus, r.path or "", r.message)))


def _origin(focus: str, origins: dict[str, Source]) -> Source | None:
    """The facts file line of ``focus``, or of the fact it belongs to (its evidence, selectors)."""
    iri = focus
    while iri:
        if iri in origins:
            return origins[iri]
        if "/" not in iri:
            return None
        iri = iri.rsplit("/", 1)[0]
    return None


class Labels:
    """Readable names for the nodes of a report: labels where the data has them, prefixed names otherwise."""

    _namespaces: ClassVar[NamespaceManager | None] = None

    def __init__(self) -> None:
        known = {**vocab.PREFIXES, "id": vocab.DEFAULT_BASE, "kgsh": SHAPES_NS}
        self.prefixes = vocab.by_length(known)

    def label(self, node: Node) -> str | None:
        raise NotImplementedError

    def short(self, node: Node | None) -> str:
        if node is None:
            return ""
        text = str(node)
        if not isinstance(node, URIRef):
            return "[]"
        return vocab.prefixed(text, self.prefixes) or f"<{text}>"

    def of(self, node: Node | None) -> str | None:
        if node is None:
            return None
        label = self.label(node)
        if label is None and isinstance(node, URIRef) and "/evidence/" in str(node):
            owner_label = self.label(URIRef(str(node).split("/evidence/", 1)[0]))
            return f"evidence of “{owner_label}”" if owner_label else None
        return label

    def show(self, node: Node) -> str:
        if isinstance(node, Literal):
            if Labels._namespaces is None:
                Labels._namespaces = Graph().namespace_manager
            return node.n3(Labels._namespaces) if node.datatype else f'"{node}"'
        label = self.of(node)
        return f"{label} ({self.short(node)})" if label else self.short(node)


class StoreLabels(Labels):
    """Labels of the nodes a report mentions, fetched from the store in one query."""

    def __init__(self, store, results: list[RawResult]) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        nodes = {str(n) for r in results for n in (r.focus, r.value) if isinstance(n, URIRef)}
        nodes |= {n.split("/evidence/", 1)[0] for n in nodes if "/evidence/" in n}
        self.labels: dict[str, str] = {}
        if nodes:
            values = " ".join(f"<{n}>" for n in sorted(nodes))
            for row in store.query(f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {values} }} ?s <{RDFS.label}> ?l }}"):
                iri, label = row["s"].value, row["l"].value
                self.labels[iri] = min(label, self.labels.get(iri, label))

    def label(self, node: Node) -> str | None:
        return self.labels.get(str(node))


# --------------------------------------------------------------------------- rendering


def render_text(report: Report, *, strict: bool = False, show_info: bool = False, summary: bool = True) -> str:
    """Results grouped by focus node, most severe first; then a one-line summary (unless ``summary`` is
    False: a build says it in its own).  Each line is one line whatever the data holds: control characters
    in a label or a value are shown escaped."""
    from kgpub.terminal import printable

    lines: list[str] = []
    shown = [r for r in report.results if show_info or r.severity != "Info"]
    groups: dict[str, list[Result]] = {}
    for result in shown:
        groups.setdefault(result.focus, []).append(result)
    for focus, results in groups.items():
        first = results[0]
        where = f"{first.file}:{first.line}: " if first.file else ""
        name = f"“{first.focus_label}” " if first.focus_label else ""
        lines.append(printable(f"{where}{name}<{focus}>"))  # a label's newline must not break the line
        for r in results:
            about = f"{r.path}" if r.path else ""
            if r.value is not None:
                about += f" = {r.value}" if about else r.value
            about = f"{about}: " if about else ""
            lines.append("  " + printable(f"{r.severity}: {about}{r.message}  [{r.source_shape}]"))
    if summary:
        lines.append(report.summary(strict) + _unlisted(report, show_info))
    return "\n".join(lines)


def _unlisted(report: Report, show_info: bool) -> str:
    """What the text report leaves out, and the option that lists it (``build`` and ``validate`` both have it)."""
    return " (hints not listed; --show-info lists them)" if report.count("Info") and not show_info else ""


def render_json(report: Report, *, strict: bool = False) -> str:
    document = {
        "conforms": report.conforms(strict),
        "violations": report.count("Violation"),
        "warnings": report.count("Warning"),
        "infos": report.count("Info"),
        "results": [asdict(r) for r in report.results],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def render_turtle(report: Report) -> str:
    assert report.report_graph is not None, "reports of kgpub validate always carry their graph"
    return report.report_graph.serialize(format="turtle")
