"""The full build, stage by stage: facts → mapping → provenance → serialization → validation → index.

Each stage takes the previous one's output and returns its own; none reads files another stage owns or calls
back into an earlier one.  When few articles changed, the previous build is patched instead (``incremental``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from kgpub.errors import Diagnostic, InputError, KgpubError, OutputError
from kgpub.pipeline.articles import ArticleUnit, Progress, cache_key, map_articles, summary
from kgpub.pipeline.incremental import build_state, patch_build
from kgpub.pipeline.results import BuildResult, Options, build_result
from kgpub.rdf import vocab

if TYPE_CHECKING:
    from kgpub.corpus.facts import Shared
    from kgpub.pipeline.cache import BuildCache
    from kgpub.shacl.validation import Report


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



def run(seeds: str | Path, out: str | Path, *, base: str | None, validate: bool, strict: bool,
           shapes: str | Path | None, jobs: int | None, cache: bool, index: bool,
           progress: Progress | None, drafts: bool = False) -> BuildResult:
    """Build the knowledge graph of every article under ``seeds`` into ``out``.

    Articles are read, mapped and anchored in ``jobs`` processes (default: all
    cores), reusing the previous build's result for every unchanged article
    when ``cache`` is on.  When few articles changed, the previous build is
    patched (see :func:`patch_build`); otherwise everything is rendered and
    validated anew (:func:`full_build`).  ``index`` also makes the query index
    (see ``querying``), so the first query after the build answers at once.
    Raises InputError (exit 2) listing every curator mistake of the whole
    corpus, SHACL violations of the articles that could be mapped included.  A
    graph that breaks the SHACL shapes is returned with ``written=False`` and
    its report; in either case nothing is written unless every stage succeeded.
    """
    from kgpub import execution
    from kgpub.corpus import facts
    from kgpub.pipeline import mapping
    from kgpub.output import serialization
    from kgpub.pipeline.cache import BuildCache, Entry

    out = Path(out)
    serialization.check_replaceable(out, Path(seeds))  # before minutes of work, not after
    shared = replace(facts.load_shared(Path(seeds)), drafts=drafts)
    check_release(shared, out)
    iri_base = resolve_base(base, shared.dataset.base, shared.root / facts.DATASET_FILE)
    mint = mapping.Minter(iri_base, {e.id for e in shared.registry}, shared.event_ids, facts.merges(shared.registry))
    store = BuildCache.open(out, cache_key(shared, iri_base, shapes)) if cache \
        else BuildCache(cache_key(shared, iri_base, shapes))  # --no-cache: a fresh one
    found = map_articles(shared, iri_base, jobs or execution.cores(), store if cache else None, progress)
    summaries = [u.summary if isinstance(u, Entry) else u for u in found]
    notes = tuple(note for u in summaries for note in u.notes)
    ids = [u.id for u in summaries if u.id]
    full_text = facts.check_full_text(ids, shared.dataset) if len(ids) == len(summaries) else []
    problems = [*shared.problems, *(p for u in summaries for p in u.problems),
                *facts.check_articles([u for u in summaries if u.id is not None], shared),  # type: ignore[arg-type]
                *full_text,
                *(_as_problem(n) for n in notes if strict and n.severity == "warning")]
    problems = facts.without_cascade(problems, shared.registry_file, shared.lost)
    options = Options(validate, strict, Path(shapes) if shapes else None, index, jobs or execution.cores())
    if not problems:
        patched = patch_build(shared, mint, store, found, out, options)
        if patched is not None:
            return replace(patched, notes=notes)
    try:
        reused = iter(store.units([u for u in found if isinstance(u, Entry)]))
    except ValueError:  # the log is not what the sealed manifest says: build without the cache
        return run(seeds, out, base=base, validate=validate, strict=strict, shapes=shapes, jobs=jobs,
                      cache=False, index=index, progress=progress, drafts=drafts)
    units = [next(reused) if isinstance(u, Entry) else u for u in found]
    return replace(full_build(shared, mint, store, units, out, problems, options), notes=notes)


def check_release(shared: Shared, out: Path) -> None:
    """Refuse a ``version`` older than the release already in ``out``: a published graph never goes backwards."""
    from kgpub.corpus.facts import DATASET_FILE
    from kgpub.corpus.releases import older, version_in

    new = shared.dataset.version
    old = version_in(out / "void.ttl")
    if new and old and older(new, old):
        path = shared.root / DATASET_FILE
        raise InputError([Diagnostic(DATASET_FILE, _line_of(path, "version"), "version",
                                     f"{new} is older than version {old} already built in {out}; "
                                     "a release never goes backwards")])


def _line_of(path: Path, key: str) -> int | None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith(f"{key}:"):
            return number
    return None


def _as_problem(note: Any) -> Diagnostic:
    """A duplicate entity under --strict: an input error, like any other the curator must fix."""
    return Diagnostic(note.file, note.line, note.field, f"{note.message} (a warning; --strict refuses it)")



def full_build(shared: Shared, mint: Any, store: BuildCache, units: list[ArticleUnit], out: Path,
                problems: list[Diagnostic], options: Options) -> BuildResult:
    """Render, validate and index the whole graph (the first build, or after many changes)."""
    from kgpub import execution
    from kgpub.pipeline import mapping
    from kgpub.pipeline import provenance
    from kgpub.sparql import querying
    from kgpub.output import serialization
    from kgpub.shacl import validation
    from kgpub.pipeline.cache import write_layout, write_manifest, write_units
    from kgpub.resources import ontology_file

    good = [u for u in units if u.lines is not None]
    registry_graph = mapping.map_registry(shared.registry, mint, shared.events)
    registry_prov = provenance.anchor_registry(shared.registry, shared.registry_file, mint, shared.events)
    registry, registry_prov_lines = serialization.nt_lines(registry_graph), serialization.nt_lines(registry_prov)
    registry_origins = validation.origins_of(registry_prov)
    articles = [u.lines for u in good if u.lines]
    data = serialization.merged([registry], (a.data for a in articles))
    data_text = "".join(data)
    data_bytes = data_text.encode("utf-8")
    ontology = ontology_file().read_bytes()

    named = serialization.named_lines(mint, registry, registry_prov_lines, articles,
                                      serialization.release_lines(shared.dataset, mint))

    article_ids = [a.article_id for a in articles]

    def render(names: tuple[str, ...], turtles: bool) -> Callable[[], tuple[dict[str, Any], Any, Any]]:
        def work() -> tuple[dict[str, Any], Any, Any]:
            made = serialization.graph_files(names, mint, data, named, data_bytes)
            if turtles:  # kg.ttl, kg.trig and the article files share each node's block
                turtle_files, files = serialization.turtle_files(data, named, articles, registry, mint)
                serialization.write_files(staged, {f"articles/{i}.ttl": text for i, text in files.items()}, out)
                made.update(turtle_files)
            serialization.write_files(staged, {name: content for name, (content, _) in made.items()}, out)
            layouts = {name: layout for name, (_, layout) in made.items()}
            if turtles:
                return layouts, None, None
            entries = write_units(staged, store, {u.facts_file: u for u in good},
                                  {u.facts_file: summary(u) for u in good}, {u.facts_file: u.deps for u in good})
            return layouts, serialization.stats_of(data), entries
        return work

    shapes = validation.load_shapes(options.shapes) if options.validate else None

    def validated() -> Report:
        origins = dict(registry_origins)
        for unit in good:
            origins.update(unit.origins)
        return validation.validate_ntriples([data_bytes, ontology_ntriples(ontology)], shapes=shapes,
                                            text=data_text, origins=origins, threads=options.workers,
                                            with_graph=False)

    if problems:  # one run shows every mistake: the SHACL ones of the articles that mapped too
        if shapes is not None and shared.intact:  # else the entries left out would only echo their own mistakes
            # a shared event whose reports stand in an article that failed lacks what they give it (actors,
            # evidence): its results would only echo that article's own mistake
            failed = len(good) < len(units)
            shared_events = {str(mint.shared_event(e.id)) for e in shared.events} if failed else set()
            problems += [Diagnostic(r.file or "", r.line, r.path or "", f"{r.message} [{r.source_shape}]")
                         for r in validated().results if r.severity == "Violation" and r.focus not in shared_events]
        raise InputError(problems)
    files: tuple[str, ...] = ()
    # Writing does not depend on the verdict: with a core to spare, two forked
    # processes render and stage the files (kg.jsonld, kg.nt, the counts and the
    # cache's units; kg.ttl, kg.trig and the articles' files: about the same time) while this one validates, and
    # a thread of this one makes the query index (forked first: RocksDB must
    # never start in the child of a process that runs it).
    with execution.Stage(out) as stage:
        staged = stage.path
        parts: list[Any] = [render(("kg.jsonld", "kg.nt"), False), render((), True)]
        if shapes is not None and options.workers > 1:
            parts = [stage.fork(part).result for part in parts]
        index = None
        if options.index:
            index = stage.folder("index")
            checked = shapes is not None  # validation parses the same bytes strictly
            indexing = stage.thread(querying.index_from_lines, index, data_bytes, ontology, checked)
        report = validated() if shapes is not None else None
        written = report is None or report.conforms(options.strict)
        if written:
            layouts: dict[str, Any] = {}
            stats = entries = None
            for part in parts:
                made, counted, logged = part()
                layouts.update(made)
                stats = counted or stats
                entries = logged if logged is not None else entries
            serialization.share_keys(layouts)
            assert stats is not None  # the kg.jsonld/kg.nt part always counts them
            files = serialization.finish_stage(staged, out, shared.dataset, mint, article_ids, ontology,
                                               layouts, stats, {u.id: u.rights for u in good if u.id})
            write_layout(staged, {"files": layouts, "stats": stats})
            if index is not None:
                install_built_index(out, indexing, index, staged)
            write_manifest(staged, store, entries, build_state(registry, registry_origins, good, report,
                           validation.plan_for(shapes) if shapes is not None else None))
            stage.swap()
    return build_result(out, shared, units, len(data), files, report, written, store.hits)



def install_built_index(out: Path, indexing: Any, location: Path, staged: Path) -> None:
    """Wait for the query index made beside the output and move it into the staged build."""
    from kgpub.sparql.querying import install_index

    from kgpub.execution import os_reason

    try:
        indexing.result()
        install_index(location, staged, False)
    except OSError as exc:
        raise OutputError(f"{out}: cannot write the build: {os_reason(exc)}") from None


def ontology_ntriples(turtle: bytes) -> bytes:
    import pyoxigraph as ox

    return cast(bytes, ox.serialize(ox.parse(turtle, format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES))

