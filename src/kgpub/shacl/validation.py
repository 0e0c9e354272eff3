"""Stage 4 — check the graph against the SHACL shapes and explain what is wrong.

pySHACL does the checking; this module decides what the graph is validated as
(the asserted data plus the ontology, so ``sh:class`` sees subclasses), turns
the SHACL report into results a curator can act on — labels instead of bare
IRIs, and the facts file and line each fact came from — and renders it as
text, JSON or the SHACL report itself.  A graph that does not conform is a
*result*, not an exception: only unreadable data or shapes raise.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import ClassVar, cast

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SH, NamespaceManager
from rdflib.term import Node

from kgpub.shacl import core as shacl_core
from kgpub.shacl import sparql as shacl_sparql
from kgpub.rdf import vocab
from kgpub.errors import ValidationSetupError
from kgpub.corpus.model import Source
from kgpub.resources import ontology_file, shipped

KG = Namespace(vocab.KG)
SHAPES_NS = "https://w3id.org/kgpub/shapes#"
SEVERITIES = ("Violation", "Warning", "Info")
_OX_FORMATS = {"turtle": "TURTLE", "nt": "N_TRIPLES", "trig": "TRIG", "nquads": "N_QUADS", "json-ld": "JSON_LD",
               "xml": "RDF_XML", "n3": "N3"}
INPUT_FORMATS = {".ttl": "turtle", ".nt": "nt", ".trig": "trig", ".nq": "nquads", ".jsonld": "json-ld",
                 ".json": "json-ld", ".rdf": "xml", ".owl": "xml", ".xml": "xml", ".n3": "n3"}


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


# --------------------------------------------------------------------------- loading

_SHAPES_CACHE: dict[tuple[str | None, ...], Graph] = {}


@contextmanager
def literals_as_written() -> Iterator[None]:
    """Parse with rdflib keeping every literal's lexical form: by default it rewrites "1"^^xsd:boolean as
    "true" and "4.0"^^xsd:decimal as "4", and a shape or a result must mean what the file says."""
    import rdflib

    before = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = before


def load_shapes(folder: Path | None = None, base: str | None = None) -> Graph:
    """All ``*.ttl`` shapes of ``folder`` (default: the shipped ``shapes/``), parsed once per process.

    Relative IRIs resolve against each file's own URL, or ``base``."""
    folder = Path(folder) if folder else shipped("shapes")
    files = sorted(folder.glob("*.ttl")) if folder.is_dir() else [folder] if folder.is_file() else []
    if not files:
        raise ValidationSetupError(f"{folder}: no shapes (*.ttl) found")
    key = (base, *(f"{f}:{f.stat().st_mtime_ns}:{f.stat().st_size}" for f in files))
    if key not in _SHAPES_CACHE:
        graph = Graph()
        for f in files:
            try:
                with literals_as_written():
                    graph.parse(f, format="turtle", publicID=base or f.resolve().as_uri())
            except Exception as exc:  # noqa: BLE001 - rdflib raises many parser types
                raise ValidationSetupError(f"{f}: cannot parse shapes: {_one_line(exc)}") from None
        _SHAPES_CACHE[key] = graph
    return _SHAPES_CACHE[key]


def load_ontology() -> Graph:
    """The project ontology, parsed once per process."""
    key = ("ontology",)
    if key not in _SHAPES_CACHE:
        _SHAPES_CACHE[key] = Graph().parse(ontology_file(), format="turtle")
    return _SHAPES_CACHE[key]


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def read_data(files: Iterable[Path], input_format: str | None = None,
              base: str | None = None) -> tuple[list[bytes], dict[str, Source]]:
    """The data to validate from RDF files, as N-Triples, and where each fact came from when known.

    Relative IRIs resolve against each file's own URL (``file:///...``), or ``base``.

    A kgpub TriG contributes only its data graphs (claims are not facts) and
    lends its provenance graphs for file and line.  Any other quad file
    contributes all its graphs.  pyoxigraph parses: a million triples in
    seconds, where rdflib would take minutes.
    """
    import pyoxigraph as ox

    chunks: list[bytes] = []
    origins: dict[str, Source] = {}
    for path in files:
        path = Path(path)
        if path.is_dir():
            path = path / "kg.trig"
        if not path.is_file():
            raise ValidationSetupError(f"{path}: no such file; run 'kgpub build' first or name an RDF file")
        fmt = input_format or INPUT_FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise ValidationSetupError(f"{path}: unknown RDF format; use --input-format")
        try:
            quads = list(ox.parse(path=str(path), format=getattr(ox.RdfFormat, _OX_FORMATS[fmt]),
                                  base_iri=base or path.resolve().as_uri()))
        except (SyntaxError, ValueError, OSError) as exc:
            raise ValidationSetupError(f"{path}: cannot load data: {_one_line(exc)}") from None
        rdf_type, data_graph, provenance_graph = (ox.NamedNode(str(RDF.type)), ox.NamedNode(vocab.KG + "DataGraph"),
                                                  ox.NamedNode(vocab.KG + "ProvenanceGraph"))
        typed = {q.subject for q in quads if q.predicate == rdf_type and q.object == data_graph}
        provenance = {q.subject for q in quads if q.predicate == rdf_type and q.object == provenance_graph}
        kept = (q.triple for q in quads if not typed or q.graph_name in typed)
        chunks.append(cast(bytes, ox.serialize(kept, format=ox.RdfFormat.N_TRIPLES)))  # no output: bytes
        origins.update(_origins(path, [q for q in quads if q.graph_name in provenance]))
    return chunks, origins


def _origins(path: Path, quads: list) -> dict[str, Source]:  # type: ignore[type-arg]
    """Where each fact came from, as a kgpub TriG's provenance graphs say; a line that is not a line number
    (``kg:sourceLine "abc"``) makes the file one that kgpub did not write as it is: one line each, exit 2."""
    files = {q.subject.value: q.object.value for q in quads if q.predicate.value == str(KG.sourceFile)}
    lines = {q.subject.value: q.object.value for q in quads if q.predicate.value == str(KG.sourceLine)}
    wrong = sorted(fact for fact, line in lines.items() if fact in files and not _LINE_NUMBER.fullmatch(line))
    if wrong:
        raise ValidationSetupError([f"{path}: provenance of <{fact}>: kg:sourceLine {lines[fact]!r} is not a line "
                                    "number (a positive integer)" for fact in wrong])
    return {fact: Source(files[fact], int(line)) for fact, line in lines.items() if fact in files}


#: A line number as xsd:integer writes it (ASCII digits: ``int()`` would also take "٣", " 3" and "1_0").
_LINE_NUMBER = re.compile(r"\+?0*[1-9][0-9]*")


def origins_of(provenance: Graph) -> dict[str, Source]:
    """``kg:sourceFile``/``kg:sourceLine`` of each fact in a provenance graph."""
    out = {}
    for fact, file in provenance.subject_objects(KG.sourceFile):
        line = provenance.value(fact, KG.sourceLine)
        if line is not None:
            out[str(fact)] = Source(str(file), int(str(line)))
    return out


# --------------------------------------------------------------------------- validating


_PLAN_CACHE: dict[int, tuple[Graph, shacl_core.Plan]] = {}


def plan_for(shapes: Graph) -> shacl_core.Plan:
    """The compiled set-based checks of ``shapes``, with what is left to pySHACL (computed once per graph)."""
    cached = _PLAN_CACHE.get(id(shapes))
    if cached is None or cached[0] is not shapes:
        cached = (shapes, shacl_core.compile_shapes(shapes))
        _PLAN_CACHE[id(shapes)] = cached
    return cached[1]


def validate_graph(data: Graph, *, shapes: Graph | None = None, ontology: Graph | None = None,
                   origins: dict[str, Source] | None = None, reference: bool = False) -> Report:
    """Validate ``data`` (with ``ontology`` mixed in, when given) against ``shapes``.

    By default every constraint the compiler answers exactly runs once,
    set-based, on pyoxigraph (see ``shacl_core``), and only the rest goes to
    pySHACL, constraint by constraint.  ``reference=True`` leaves everything to pySHACL, node by node: slow, and the
    yardstick the fast paths are tested against.
    """
    shapes = shapes if shapes is not None else load_shapes()
    if not reference:
        nt = data.serialize(format="nt", encoding="utf-8")
        extra = ontology.serialize(format="nt", encoding="utf-8") if ontology is not None else b""
        return validate_ntriples([nt, extra], shapes=shapes, origins=origins)
    import pyshacl

    try:
        _, report_graph, _ = pyshacl.validate(
            data, shacl_graph=shapes, ont_graph=ontology, inference="none",
            allow_warnings=True, allow_infos=True, advanced=False, abort_on_first=False,
        )
    except Exception as exc:  # noqa: BLE001 - pySHACL raises its own and rdflib's errors
        raise ValidationSetupError(f"SHACL validation failed: {_one_line(exc)}") from None
    return Report(results=_results(report_graph, _GraphLabels(data, ontology), origins or {}), report_graph=report_graph)


def validate_ntriples(chunks: Iterable[bytes], *, shapes: Graph | None = None,
                      origins: dict[str, Source] | None = None, threads: int = 1,
                      with_graph: bool = True, text: str | None = None) -> Report:
    """Validate N-Triples data (the ontology among the chunks, when wanted) with the compiled checks.

    The build calls this with the N-Triples it already has: the data goes
    straight into pyoxigraph, never through an rdflib graph.  ``with_graph``
    also makes the SHACL report graph (for ``--format turtle``); a build needs
    only the results.  ``text``: the first chunk already decoded, when the
    caller has it (a build does: no second copy of a million lines).
    """
    import pyoxigraph as ox

    shapes = shapes if shapes is not None else load_shapes()
    plan = plan_for(shapes)
    store = ox.Store()
    chunks = list(chunks)
    try:
        for chunk in chunks:
            store.bulk_load(chunk, format=ox.RdfFormat.N_TRIPLES)
        if any(check.uses_shapes_graph for check in plan.sparql):  # $shapesGraph: the shapes, as a named graph
            store.bulk_load(shapes.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES,
                            to_graph=ox.NamedNode(shacl_sparql.SHAPES_GRAPH))
        decoded = [chunk.decode("utf-8") for chunk in (chunks[1:] if text is not None else chunks)]
        raw = shacl_core.run(plan, store, [text, *decoded] if text is not None else decoded, threads=threads)
    except (SyntaxError, ValueError, OSError) as exc:
        raise ValidationSetupError(f"SHACL validation failed: {_one_line(exc)}") from None
    described: list[Graph] = [shapes]
    if plan.delegated is not None:  # what the compiler left to the reference engine, and only that
        data = Graph()  # rdflib's value-normalised literals: pySHACL tells ill-typed ones by them
        for chunk in chunks:
            data.parse(data=chunk, format="nt")
        raw += _delegated_results(plan, data)
        described.append(data)
    report_graph = None
    if with_graph:
        report_graph = Graph()
        report_graph.bind("sh", SH)
        shacl_sparql.add_results(report_graph, raw)
        _describe_blank_nodes(report_graph, store, described)
    return Report(results=_raw_results(raw, _StoreLabels(store, raw), origins or {}), report_graph=report_graph)


def _delegated_results(plan: shacl_core.Plan, data: Graph) -> list[shacl_sparql.RawResult]:
    """pySHACL's results for the shapes and constraints the compiler left to it, as the originals' results."""
    import pyshacl

    assert plan.delegated is not None
    try:
        _, report, _ = pyshacl.validate(data, shacl_graph=plan.delegated, inference="none", allow_warnings=True,
                                        allow_infos=True, advanced=True, abort_on_first=False)
    except Exception as exc:  # noqa: BLE001 - pySHACL raises its own and rdflib's errors
        raise ValidationSetupError(f"SHACL validation failed: {_one_line(exc)[:300]}") from None
    if not isinstance(report, Graph):  # pySHACL's ValidationFailure: a shape it cannot evaluate
        raise ValidationSetupError(f"SHACL validation failed: {_one_line(Exception(getattr(report, 'message', report)))[:300]}")
    out = []
    for node in report.objects(None, SH.result):
        out.append(shacl_sparql.RawResult(
            focus=_required(report, node, SH.focusNode), severity=_required(report, node, SH.resultSeverity),
            shape=plan.source(_required(report, node, SH.sourceShape)),
            component=_required(report, node, SH.sourceConstraintComponent), path=report.value(node, SH.resultPath),
            value=report.value(node, SH.value),
            messages=tuple(m for m in report.objects(node, SH.resultMessage) if isinstance(m, Literal)),
            constraint=report.value(node, SH.sourceConstraint)))
    return out


def _describe_blank_nodes(report: Graph, store, graphs: list[Graph]) -> None:  # type: ignore[no-untyped-def]
    """Copy into the report what each blank node a result names is (a path's structure, a focus node's
    triples): a blank node's label alone means nothing outside the graph it came from."""
    import pyoxigraph as ox

    todo = [o for p in (SH.focusNode, SH.value, SH.resultPath, SH.sourceShape)
            for o in report.objects(None, p) if isinstance(o, BNode)]
    seen: set[Node] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        pairs = [(p, o) for g in graphs for p, o in g.predicate_objects(node)]
        if not pairs:
            pairs = [(shacl_sparql.to_rdflib(q.predicate), shacl_sparql.to_rdflib(q.object))
                     for q in store.quads_for_pattern(ox.BlankNode(str(node)), None, None)]
        for p, o in pairs:
            report.add((node, p, o))
            if isinstance(o, BNode):
                todo.append(o)


def revalidate(store_path: Path, previous: tuple[Result, ...], removed: set[str], added: set[str],
               registry: Iterable[str], *, plan: shacl_core.Plan | None, origins: dict[str, Source],
               threads: int = 1) -> Report | None:
    """The report of a graph that differs from a validated one by a few articles' lines.

    ``store_path`` holds the new graph (a rebuild's updated query index);
    ``removed`` and ``added`` are the changed articles' data lines before and
    after.  Validated again: the changed articles' nodes and the nodes their
    lines link to (before or after: an entity they stop mentioning may now be
    unused).  Every other result is taken from ``previous``.  Core constraints
    only read a focus node's own triples and its values' types; nodes outside
    the changed articles that link to a changed node can only link to one whose
    types did not change (the caller makes sure), so this is exact for them; a SHACL-SPARQL
    constraint is re-checked for the same nodes, which covers constraints that
    look at a node's own article and the nodes it links to (all of kgpub's).
    ``plan`` is the shapes' compiled checks (see :func:`plan_for`), None when
    the shapes need pySHACL: then so does the whole graph, and this returns None.
    """
    import pyoxigraph as ox

    if plan is None or plan.delegated is not None:
        return None  # shapes pySHACL takes part in: validate everything
    own = {line[1:line.index("> ")] for line in removed | added}
    linked = {term[1:-1] for line in removed | added for term in [line[:-3].split(" ", 2)[2]]
              if term.startswith("<") and term.endswith(">")} - own
    store = ox.Store(str(store_path))
    try:
        focus = sorted(linked | {line[1:line.index("> ")] for line in added})  # the changed nodes that still exist
        text = "".join(registry) + "".join(sorted(added))
        raw = shacl_core.run(plan, store, text, only=focus, threads=threads)
        fresh = _raw_results(raw, _StoreLabels(store, raw), origins)
    except (SyntaxError, ValueError, OSError) as exc:
        raise ValidationSetupError(f"SHACL validation failed: {_one_line(exc)}") from None
    finally:
        del store
    checked = own | linked
    kept = [r for r in previous if r.focus not in checked]
    return Report(results=_sorted([*kept, *fresh]))


def _results(report: Graph, labels: _Labels, origins: dict[str, Source]) -> tuple[Result, ...]:
    """The results of a SHACL report graph (pySHACL's)."""
    out = []
    for node in report.objects(None, SH.result):
        focus = _required(report, node, SH.focusNode)
        out.append(_result(focus, report.value(node, SH.resultPath), report.value(node, SH.value),
                           _required(report, node, SH.resultSeverity), report.value(node, SH.resultMessage),
                           _required(report, node, SH.sourceShape), _required(report, node, SH.sourceConstraintComponent),
                           labels, origins))
    return _sorted(out)


def _required(report: Graph, node: Node, p: URIRef) -> Node:
    """A term every SHACL validation result has (focus node, severity, source shape and component, SHACL 3.6.1)."""
    value = report.value(node, p)
    assert value is not None, f"a SHACL result without {p}"
    return value


def _raw_results(raw: list[shacl_sparql.RawResult], labels: _Labels, origins: dict[str, Source]) -> tuple[Result, ...]:
    """The results the compiled checks found, as :func:`_results` reads them from their report graph."""
    return _sorted([_result(r.focus, r.path, r.value, r.severity, r.messages[0] if r.messages else None, r.shape,
                            r.component, labels, origins) for r in raw])


def _result(focus: Node, path: Node | None, value: Node | None, severity: Node, message: Node | None,
            shape: Node, component: Node, labels: _Labels, origins: dict[str, Source]) -> Result:
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


def _sorted(results: list[Result]) -> tuple[Result, ...]:
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


class _Labels:
    """Readable names for the nodes of a report: labels where the data has them, prefixed names otherwise."""

    _namespaces: ClassVar[NamespaceManager | None] = None

    def __init__(self) -> None:
        known = {**vocab.PREFIXES, "id": vocab.DEFAULT_BASE, "kgsh": SHAPES_NS}
        self.prefixes = sorted(known.items(), key=lambda kv: -len(kv[1]))

    def label(self, node: Node) -> str | None:
        raise NotImplementedError

    def short(self, node: Node | None) -> str:
        if node is None:
            return ""
        text = str(node)
        if not isinstance(node, URIRef):
            return "[]"
        for prefix, ns in self.prefixes:
            if text.startswith(ns) and len(text) > len(ns):
                return f"{prefix}:{text[len(ns):]}"
        return f"<{text}>"

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
            if _Labels._namespaces is None:
                _Labels._namespaces = Graph().namespace_manager
            return node.n3(_Labels._namespaces) if node.datatype else f'"{node}"'
        label = self.of(node)
        return f"{label} ({self.short(node)})" if label else self.short(node)


class _GraphLabels(_Labels):
    def __init__(self, *graphs: Graph | None) -> None:
        super().__init__()
        self.graphs = [g for g in graphs if g is not None]

    def label(self, node: Node) -> str | None:
        for graph in self.graphs:
            labels = sorted(str(label) for label in graph.objects(node, RDFS.label))
            if labels:
                return labels[0]  # the first, when a graph (wrongly) has several
        return None


class _StoreLabels(_Labels):
    """Labels of the nodes a report mentions, fetched from the store in one query."""

    def __init__(self, store, results: list[shacl_sparql.RawResult]) -> None:  # type: ignore[no-untyped-def]
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
