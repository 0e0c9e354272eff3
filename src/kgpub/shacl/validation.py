"""Stage 4 — check the graph against the SHACL shapes: the build's validation stage and ``kgpub validate``.

This module decides what is validated (the asserted data plus the ontology,
so ``sh:class`` sees subclasses; a kgpub TriG's data graphs, never its
claims), loads it into pyoxigraph, and runs the shapes' compiled checks
(``compiler``, ``runner``); what the compiler leaves to pySHACL, pySHACL
validates here, and only that.  A rebuild that changed a few articles
validates only their nodes again (:func:`revalidate`).  The results become a
:class:`~kgpub.shacl.report.Report` (``report``).  A graph that does not
conform is a *result*, not an exception: only unreadable data or shapes raise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from rdflib import BNode, Graph, Literal, Namespace
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kgpub.corpus.model import Source
from kgpub.errors import ValidationSetupError
from kgpub.rdf import formats, ntriples, vocab
from kgpub.rdf.ntriples import LineBlob
from kgpub.resources import shipped
from kgpub.shacl import runner
from kgpub.shacl.compiler import Plan, compile_shapes
from kgpub.shacl.report import (RawResult, Report, Result, StoreLabels, add_results, in_order, required, results_of,
                                to_rdflib)
from kgpub.shacl.sparql import SHAPES_GRAPH

KG = Namespace(vocab.KG)
#: Extensions of a user's file that ``kgpub validate`` reads besides each format's own (``formats.by_extension``).
_ALSO_READ = {".json": "jsonld", ".xml": "rdfxml"}


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
        fmt = _input_format(path, input_format)
        if fmt is None:
            raise ValidationSetupError(f"{path}: unknown RDF format; use --input-format")
        try:
            quads = list(ox.parse(path=str(path), format=fmt.rdf_format,
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


def _input_format(path: Path, input_format: str | None) -> formats.Format | None:
    """The format ``--input-format`` names (rdflib's names: ``nt``, ``json-ld``, ``xml``) or the file's extension says."""
    if input_format is not None:
        return next((f for f in formats.FORMATS if f.rdflib == input_format), None)
    if not path.suffix:
        return None
    return formats.by_extension(path.name) or formats.by_name(_ALSO_READ.get(path.suffix.lower(), ""))


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


_PLAN_CACHE: dict[int, tuple[Graph, Plan]] = {}


def plan_for(shapes: Graph) -> Plan:
    """The compiled set-based checks of ``shapes``, with what is left to pySHACL (computed once per graph)."""
    cached = _PLAN_CACHE.get(id(shapes))
    if cached is None or cached[0] is not shapes:
        cached = (shapes, compile_shapes(shapes))
        _PLAN_CACHE[id(shapes)] = cached
    return cached[1]


def validate_ntriples(chunks: Iterable[bytes | LineBlob], *, shapes: Graph | None = None,
                      origins: dict[str, Source] | None = None, threads: int = 1,
                      with_graph: bool = True, text: str | None = None, store_path: Path | None = None,
                      part: int | None = None) -> Report:
    """Validate N-Triples data (the ontology among the chunks, when wanted) with the compiled checks.

    The build calls this with the N-Triples it already has: the data goes
    straight into pyoxigraph, never through an rdflib graph.  ``with_graph``
    also makes the SHACL report graph (for ``--format turtle``); a build needs
    only the results.  ``text``: the first chunk already decoded, when the
    caller has it.  ``part``: search the chunks as bytes, decoding only the
    lines found (no second copy of a million lines), and load them into the
    store in pieces of about that many bytes; a chunk may then be a blob kept in a file, read a piece at a
    time by each search.  ``store_path``: an empty folder where the data is held on
    disk instead of in memory (the same results, in bounded memory).
    """
    import pyoxigraph as ox

    shapes = shapes if shapes is not None else load_shapes()
    plan = plan_for(shapes)
    store = ox.Store(str(store_path)) if store_path is not None else ox.Store()
    chunks = list(chunks)
    try:
        for chunk in chunks:
            for piece in ntriples.pieces(chunk, part) if part is not None else [ntriples.whole(chunk)]:
                store.bulk_load(piece, format=ox.RdfFormat.N_TRIPLES)
        if any(check.uses_shapes_graph for check in plan.sparql):  # $shapesGraph: the shapes, as a named graph
            store.bulk_load(shapes.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES,
                            to_graph=ox.NamedNode(SHAPES_GRAPH))
        rest = chunks[1:] if text is not None else chunks
        first = [text] if text is not None else []
        searched: list[Any] = [*first, *(_searched(chunk, part) for chunk in rest)]
        raw = runner.run(plan, store, searched, threads=threads)
    except (SyntaxError, ValueError, OSError) as exc:
        raise ValidationSetupError(f"SHACL validation failed: {_one_line(exc)}") from None
    described: list[Graph] = [shapes]
    if plan.delegated is not None:  # what the compiler left to the reference engine, and only that
        data = Graph()  # rdflib's value-normalised literals: pySHACL tells ill-typed ones by them
        for chunk in chunks:
            data.parse(data=ntriples.whole(chunk), format="nt")
        raw += _delegated_results(plan, data)
        described.append(data)
    report_graph = None
    if with_graph:
        report_graph = Graph()
        report_graph.bind("sh", SH)
        add_results(report_graph, raw)
        _describe_blank_nodes(report_graph, store, described)
    return Report(results=results_of(raw, StoreLabels(store, raw), origins or {}), report_graph=report_graph)


def _searched(chunk: bytes | LineBlob, part: int | None) -> str | bytes | ntriples.BlobPieces:
    """A chunk as the checks search it: decoded whole (no ``part``), its bytes, or a blob's pieces in turn."""
    if part is None:
        return ntriples.whole(chunk).decode("utf-8")
    return ntriples.BlobPieces(chunk, part) if isinstance(chunk, LineBlob) else chunk


def _delegated_results(plan: Plan, data: Graph) -> list[RawResult]:
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
        out.append(RawResult(
            focus=required(report, node, SH.focusNode), severity=required(report, node, SH.resultSeverity),
            shape=plan.source(required(report, node, SH.sourceShape)),
            component=required(report, node, SH.sourceConstraintComponent), path=report.value(node, SH.resultPath),
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
            pairs = [(to_rdflib(q.predicate), to_rdflib(q.object))
                     for q in store.quads_for_pattern(ox.BlankNode(str(node)), None, None)]
        for p, o in pairs:
            report.add((node, p, o))
            if isinstance(o, BNode):
                todo.append(o)


def revalidate(store_path: Path, previous: tuple[Result, ...], removed: set[str], added: set[str],
               registry: Iterable[str], *, plan: Plan | None, origins: dict[str, Source],
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
    own = {ntriples.subject_iri(line) for line in removed | added}
    linked = {term[1:-1] for line in removed | added for term in [ntriples.split(line)[2]]
              if term.startswith("<") and term.endswith(">")} - own
    store = ox.Store(str(store_path))
    try:
        focus = sorted(linked | {ntriples.subject_iri(line) for line in added})  # the changed nodes that still exist
        text = "".join(registry) + "".join(sorted(added))
        raw = runner.run(plan, store, text, only=focus, threads=threads)
        fresh = results_of(raw, StoreLabels(store, raw), origins)
    except (SyntaxError, ValueError, OSError) as exc:
        raise ValidationSetupError(f"SHACL validation failed: {_one_line(exc)}") from None
    finally:
        del store
    checked = own | linked
    kept = [r for r in previous if r.focus not in checked]
    return Report(results=in_order([*kept, *fresh]))


__all__ = ["Report", "Result", "load_shapes", "origins_of", "plan_for", "read_data", "revalidate", "validate_ntriples"]
