"""The full build, stage by stage: facts → mapping → provenance → the writers → validation → index.

Each stage takes the previous one's output and returns its own; none reads files another stage owns or calls
back into an earlier one.  When few articles changed, the previous build is patched instead (``incremental``).
"""

from __future__ import annotations

import re
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from kgpub.errors import Diagnostic, InputError, KgpubError, OutputError
from kgpub.pipeline.articles import ArticleUnit, Progress, cache_key, map_articles, summary
from kgpub.pipeline.incremental import BuildState, FileLayouts, patch_build
from kgpub.pipeline.results import BuildResult, Options, build_result
from kgpub.rdf import vocab

if TYPE_CHECKING:
    from kgpub.corpus.model import Corpus, Source
    from kgpub.execution import Budget, Stage
    from kgpub.output.layout import Layout, Stats
    from kgpub.output.blocks import ArticleLines
    from kgpub.output.writers import BuildLines, Part
    from kgpub.pipeline.cache import BuildCache, Entry
    from kgpub.pipeline.mapping import Minter
    from kgpub.rdf.ntriples import LineBlob, SortedLines
    from rdflib import Graph as Shapes

    from kgpub.shacl.report import Report


def build(seeds: Path, out: Path, base: str | None, options: Options, *, cache: bool = True,
          progress: Progress | None = None, drafts: bool = False) -> BuildResult:
    """Build the knowledge graph of every article under ``seeds`` into ``out``, one build at a time.

    A draft build (``drafts``) is marked as such (a ``DRAFT`` file) when written; a build of the corpus
    removes the mark.
    """
    from kgpub.execution import build_lock, collector_paused

    with collector_paused(), build_lock(out):
        return mark_draft(run(seeds, out, base, options, cache=cache, progress=progress, drafts=drafts), drafts)


def mark_draft(result: BuildResult, drafts: bool) -> BuildResult:
    """Mark a written draft build as one (a ``DRAFT`` file); remove the mark from a build of the corpus."""
    from kgpub.output.folder import DRAFT_MARKER

    marker = result.out_dir / DRAFT_MARKER
    if result.written and drafts:
        marker.write_text("A draft build (kgpub build --drafts): it holds facts nobody has confirmed. It is not the "
                          "corpus: kgpub query, load, serve and site refuse it.\n", encoding="utf-8")
    elif result.written and marker.exists():
        marker.unlink()
    return result


@dataclass(frozen=True)
class Inputs:
    """What every article's result depends on besides its own files: the corpus without its articles, the
    IRI base, and the key of the cache that keeps the results (``articles.cache_key``)."""

    shared: Corpus
    base: str
    key: str

    @property
    def mint(self) -> Minter:
        from kgpub.corpus import model
        from kgpub.pipeline import mapping

        shared = self.shared
        return mapping.Minter(self.base, {e.id for e in shared.registry}, shared.event_ids,
                              model.merges(shared.registry))


def inputs(seeds: Path, out: Path | None, base: str | None, options: Options, drafts: bool = False) -> Inputs:
    """Read the corpus without its articles and resolve the IRI base; refuse a release older than ``out``'s."""
    from kgpub.corpus import model, reader

    shared = replace(reader.load_shared(seeds), drafts=drafts)
    if out is not None:
        check_release(shared, out)
    iri_base = resolve_base(base, shared.dataset.base, shared.root / model.DATASET_FILE)
    return Inputs(shared, iri_base, cache_key(shared, iri_base, options.shapes))


def run(seeds: Path, out: Path, base: str | None, options: Options, *, cache: bool, progress: Progress | None,
        drafts: bool = False) -> BuildResult:
    """Build the knowledge graph of every article under ``seeds`` into ``out``.

    Articles are read, mapped and anchored in ``options.workers`` processes,
    reusing the previous build's result for every unchanged article when
    ``cache`` is on; then :func:`assemble` makes the build of them.
    """
    from kgpub.output import folder
    from kgpub.pipeline.cache import BuildCache

    folder.check_replaceable(out, seeds)  # before minutes of work, not after
    given = inputs(seeds, out, base, options, drafts)
    store = BuildCache.open(out, given.key) if cache else BuildCache(given.key)  # --no-cache: a fresh one
    found = map_articles(given.shared, given.base, options.workers, store if cache else None, progress)
    result = assemble(given, store, found, out, options)
    if result is None:  # the log is not what the sealed manifest says: build without the cache
        return run(seeds, out, base, options, cache=False, progress=progress, drafts=drafts)
    return result


def assemble(given: Inputs, store: BuildCache, found: list[ArticleUnit | Entry], out: Path,
             options: Options) -> BuildResult | None:
    """The build of every article's result (its unit, or its cache entry when unchanged), in facts-file order.

    When few articles changed, the previous build is patched (see
    ``incremental.patch_build``); otherwise everything is rendered and
    validated anew (:func:`full_build`).  ``options.index`` also makes the query
    index (see ``kgpub.sparql.index``), so the first query after the build answers at once.
    Raises InputError (exit 2) listing every curator mistake of the whole
    corpus, SHACL violations of the articles that could be mapped included.  A
    graph that breaks the SHACL shapes is returned with ``written=False`` and
    its report; in either case nothing is written unless every stage succeeded.
    None when a cached unit cannot be read as its manifest says.
    """
    from kgpub.pipeline.cache import Entry

    shared, mint = given.shared, given.mint
    summaries = [u.summary if isinstance(u, Entry) else u for u in found]
    notes = tuple(note for u in summaries for note in u.notes)
    problems = input_problems(shared, summaries, notes, options.strict)
    if not problems:
        patched = patch_build(shared, mint, store, found, out, options)
        if patched is not None:
            return replace(patched, notes=notes)
    try:
        reused = iter(store.units([u for u in found if isinstance(u, Entry)]))
    except ValueError:
        return None
    units = [next(reused) if isinstance(u, Entry) else u for u in found]
    return replace(full_build(shared, mint, store, units, out, problems, options), notes=notes)


def full_build(shared: Corpus, mint: Minter, store: BuildCache, units: list[ArticleUnit], out: Path,
               problems: list[Diagnostic], options: Options) -> BuildResult:
    """Render, validate and index the whole graph (the first build, or after many changes); the graph's lines
    are kept on disk meanwhile, beside the output, when they outgrow a sorting run (see :func:`merge_graph`)."""
    from kgpub import execution

    budget = execution.Budget(options.memory)
    with execution.Stage(out) as stage:
        spill = stage.folder("lines")
        with execution.written(out):
            graph = merge_graph(shared, mint, units, spill, budget.run)
        return _render_and_validate(stage, shared, mint, store, units, graph, out, problems, options, budget)


def _render_and_validate(stage: Stage, shared: Corpus, mint: Minter, store: BuildCache, units: list[ArticleUnit],
                         graph: WholeGraph, out: Path, problems: list[Diagnostic], options: Options,
                         budget: Budget) -> BuildResult:
    """:func:`full_build` once the graph is merged: the files staged while the graph is validated and indexed."""
    from kgpub import execution
    from kgpub.pipeline.cache import write_manifest
    from kgpub.shacl import validation
    from kgpub.output import writers
    from kgpub.sparql import index as sparql_index

    shapes = validation.load_shapes(options.shapes) if options.validate else None
    if problems:
        raise InputError([*problems, *shacl_problems(graph, shapes, shared, mint, units, options.workers, out,
                                                     budget)])
    files: tuple[str, ...] = ()
    # Writing does not depend on the verdict: with a core to spare, forked processes render and stage the
    # files, one part of the writers' registry each (the first also the counts and the cache's units; see
    # writers.parts) while this one validates, and a thread of this one makes the query index.
    first, *rest = writers.parts()
    staged = stage.path
    index = stage.folder("index") if options.index else None
    running = execution.overlap(
        stage, lambda: validate_graph(graph, shapes, options.workers, out, budget) if shapes is not None else None,
        processes=[lambda: write_counted_part(graph, first, store, staged, out, budget.chunk),
                   *(lambda part=part: write_part(graph, part, staged, out, budget.chunk) for part in rest)],
        fork=shapes is not None and options.workers > 1,
        thread=None if index is None else lambda: sparql_index.index_from_lines(
            index, graph.data, graph.ontology, shapes is not None, budget.piece))  # validation parses them strictly
    report = running.value
    written = report is None or report.conforms(options.strict)
    if written:
        counted, *others = running.results()
        files = finish_files(staged, out, shared, mint, graph, counted, others)
        if index is not None:
            install_built_index(out, running.beside, index, staged)
        write_manifest(staged, store, counted.entries,
                       BuildState.of(graph.registry, graph.registry_origins, graph.units, report,
                                     validation.plan_for(shapes) if shapes is not None else None))
        stage.swap()
    triples = counted.stats.triples if written else len(graph.data)  # the first writer counted them already
    return build_result(out, shared, units, triples, files, report, written, store.hits)


@dataclass(frozen=True)
class WholeGraph:
    """The whole graph, merged from the registry and every article that mapped: what the files, the
    validation and the query index are all made from."""

    #: The articles that mapped, in facts-file order.
    units: list[ArticleUnit]
    #: The registry's data lines and provenance lines, and where each of its nodes was stated.
    registry: list[str]
    registry_provenance: list[str]
    registry_origins: dict[str, Source]
    #: Every data line of the graph, sorted, each once (its bytes are kg.nt's; in a file when a full build's
    #: lines outgrow a sorting run).
    data: LineBlob
    #: Every named graph (registry, articles' data and provenance, release) with its lines.
    named: list[tuple[str, SortedLines]]
    #: The ontology (Turtle), shipped beside the data.
    ontology: bytes
    #: What the writers render the files from.
    lines: BuildLines

    @property
    def articles(self) -> list[ArticleLines]:
        return [u.lines for u in self.units if u.lines]

    def origins(self) -> dict[str, Source]:
        """Where each node was stated: the validation report names the facts file and line."""
        origins = dict(self.registry_origins)
        for unit in self.units:
            origins.update(unit.origins)
        return origins


@dataclass(frozen=True)
class PartFiles:
    """What one writer process staged: the files of its part of the writers' registry, by their layouts."""

    layouts: dict[str, Layout]


@dataclass(frozen=True)
class CountedFiles(PartFiles):
    """The first part's files, with the graph's counts and the cache's units, which its process also writes."""

    stats: Stats
    #: The cache manifest's entries (None when the units' log could not be written).
    entries: dict[str, Entry] | None


def check_release(shared: Corpus, out: Path) -> None:
    """Refuse a ``version`` older than the release already in ``out``: a published graph never goes backwards."""
    from kgpub.corpus.model import DATASET_FILE
    from kgpub.corpus.releases import older, version_in

    new = shared.dataset.version
    old = version_in(out / "void.ttl")
    if new and old and older(new, old):
        path = shared.root / DATASET_FILE
        raise InputError([Diagnostic(DATASET_FILE, _line_of(path, "version"), "version",
                                     f"{new} is older than version {old} already built in {out}; "
                                     "a release never goes backwards")])


def _line_of(path: Path, key: str) -> int | None:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:  # a merge of shards built where the seeds folder is
        return None
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith(f"{key}:"):
            return number
    return None


def resolve_base(cli_base: str | None, dataset_base: str | None, dataset_file: Path | None = None) -> str:
    """The IRI base: the command's, else the dataset's, else kgpub's default; checked by an IRI parser.

    A wrong base is reported where it was written: ``--base``, or the line of
    ``base:`` in ``dataset.yaml``.
    """
    import pyoxigraph as ox

    base = cli_base or dataset_base or vocab.DEFAULT_BASE
    wrong = None
    if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+[/#]", base):
        wrong = "must be an http(s) IRI ending in '/' or '#'"
    else:
        try:
            ox.NamedNode(base + "x")
        except ValueError as exc:
            wrong = f"is not a valid IRI: {exc}"
    if wrong is None:
        return base
    if cli_base or dataset_file is None:
        raise KgpubError(f"--base {base!r}: {wrong}")
    line = None
    try:
        lines = dataset_file.read_text(encoding="utf-8").splitlines()
        line = next((i for i, text in enumerate(lines, 1) if re.match(r"base\s*:", text)), None)
    except OSError:
        pass
    raise InputError([Diagnostic(dataset_file.name, line, "base", f"{base!r} {wrong}")])


def input_problems(shared: Corpus, summaries: list[ArticleUnit], notes: tuple[Any, ...],
                   strict: bool) -> list[Diagnostic]:
    """Every curator mistake of the corpus found before mapping: the files', the references between
    articles', and under ``strict`` the warnings about duplicate entities."""
    from kgpub.corpus import reader

    ids = [u.id for u in summaries if u.id]
    full_text = reader.check_full_text(ids, shared.dataset) if len(ids) == len(summaries) else []
    problems = [*shared.problems, *(p for u in summaries for p in u.problems),
                *reader.check_articles([u for u in summaries if u.id is not None], shared),  # type: ignore[arg-type]
                *full_text,
                *(_as_problem(n) for n in notes if strict and n.severity == "warning")]
    return reader.without_cascade(problems, shared.registry_file, shared.lost)


def _as_problem(note: Any) -> Diagnostic:
    """A duplicate entity under --strict: an input error, like any other the curator must fix."""
    return Diagnostic(note.file, note.line, note.field, f"{note.message} (a warning; --strict refuses it)")


def merge_graph(shared: Corpus, mint: Minter, units: list[ArticleUnit], spill: Path | None = None,
                run: int = 1 << 28) -> WholeGraph:
    """The registry mapped and anchored, merged with every article that mapped.

    ``spill``: a folder where the articles' lines and the merged data are kept on disk, not in memory (each read
    a piece at a time when it is written, validated or indexed), the data merged in sorted runs of about ``run``
    bytes: what a build of ten million triples holds in memory then does not grow with the corpus.  Lines that
    fit in one run stay in memory (see ``blocks.merged``)."""
    from kgpub.output import blocks, void, writers
    from kgpub.pipeline import mapping, provenance
    from kgpub.resources import ontology_file
    from kgpub.shacl import validation

    good = [u for u in units if u.lines is not None]
    registry_graph = mapping.map_registry(shared.registry, mint, shared.events)
    registry_prov = provenance.anchor_registry(shared.registry, shared.registry_file, mint, shared.events)
    registry, registry_prov_lines = blocks.nt_lines(registry_graph), blocks.nt_lines(registry_prov)
    articles = [u.lines for u in good if u.lines]
    if spill is not None and sum(a.data.size + a.provenance.size for a in articles) > run:
        with open(spill / "articles.nt", "wb") as stream:
            for article in articles:
                article.data.spool(stream)
                article.provenance.spool(stream)
    data = blocks.merged([registry], (a.data for a in articles), into=spill / "data.nt" if spill else None, run=run)
    named = writers.named_lines(mint, registry, registry_prov_lines, articles, void.release_lines(shared.dataset, mint))
    return WholeGraph(good, registry, registry_prov_lines, validation.origins_of(registry_prov), data,
                      named, ontology_file().read_bytes(), writers.BuildLines(mint, data, named, articles, registry))


def shacl_problems(graph: WholeGraph, shapes: Shapes | None, shared: Corpus, mint: Minter, units: list[ArticleUnit],
                   workers: int, out: Path, budget: Budget) -> list[Diagnostic]:
    """The SHACL violations of the articles that mapped, as input problems: one run shows every mistake."""
    if shapes is None or not shared.intact:  # else the entries left out would only echo their own mistakes
        return []
    # a shared event whose reports stand in an article that failed lacks what they give it (actors,
    # evidence): its results would only echo that article's own mistake
    failed = len(graph.units) < len(units)
    shared_events = {str(mint.shared_event(e.id)) for e in shared.events} if failed else set()
    return [Diagnostic(r.file or "", r.line, r.path or "", f"{r.message} [{r.source_shape}]")
            for r in validate_graph(graph, shapes, workers, out, budget).results
            if r.severity == "Violation" and r.focus not in shared_events]


def validate_graph(graph: WholeGraph, shapes: Shapes | None, workers: int, out: Path, budget: Budget) -> Report:
    """The whole graph with the ontology checked against the shapes, in a store the budget places (in memory, or on
    disk beside the output: the same results either way)."""
    from kgpub.shacl import validation

    with budget.store_place(graph.data.size, out) as store:
        return validation.validate_ntriples([graph.data, ontology_ntriples(graph.ontology)], shapes=shapes,
                                            origins=graph.origins(), threads=workers, with_graph=False,
                                            store_path=store, part=budget.piece)


def ontology_ntriples(turtle: bytes) -> bytes:
    """The ontology as N-Triples, as the validation reads the data."""
    import pyoxigraph as ox

    return cast(bytes, ox.serialize(ox.parse(turtle, format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES))


def write_part(graph: WholeGraph, part: Part, staged: Path, out: Path, chunk: int) -> PartFiles:
    """Stage one part of the writers' registry (and the articles' files, when the part writes them)."""
    from kgpub.execution import written
    from kgpub.output import writers

    with written(out):
        return PartFiles(writers.write(part, graph.lines, staged, chunk))


def write_counted_part(graph: WholeGraph, part: Part, store: BuildCache, staged: Path, out: Path,
                       chunk: int) -> CountedFiles:
    """Stage the first part, and count the graph and write the cache's units in the same process."""
    from kgpub.output import void
    from kgpub.pipeline.cache import write_units

    written = write_part(graph, part, staged, out, chunk)
    good = graph.units
    entries = write_units(staged, store, {u.facts_file: u for u in good},
                          {u.facts_file: summary(u) for u in good}, {u.facts_file: u.deps for u in good})
    return CountedFiles(written.layouts, void.stats_of(graph.data), entries)


def finish_files(staged: Path, out: Path, shared: Corpus, mint: Minter, graph: WholeGraph, counted: CountedFiles,
                 others: list[PartFiles]) -> tuple[str, ...]:
    """Stage the files made from the others (void.ttl, the ontology) and the layouts a patching rebuild reads."""
    from kgpub.output import folder
    from kgpub.output.layout import share_keys
    from kgpub.pipeline.cache import write_layout

    layouts = dict(counted.layouts)
    for part in others:
        layouts.update(part.layouts)
    share_keys(layouts)
    files = folder.finish_stage(staged, out, shared.dataset, mint, [a.article_id for a in graph.articles],
                                graph.ontology, layouts, counted.stats, {u.id: u.rights for u in graph.units if u.id})
    write_layout(staged, FileLayouts(layouts, counted.stats))
    return files


def install_built_index(out: Path, indexing: Future[Any] | None, location: Path, staged: Path) -> None:
    """Wait for the query index made beside the output and move it into the staged build."""
    from kgpub.execution import os_reason
    from kgpub.sparql.index import install_index

    try:
        if indexing is not None:
            indexing.result()
        install_index(location, staged, False)
    except OSError as exc:
        raise OutputError(f"{out}: cannot write the build: {os_reason(exc)}") from None
