"""The only place that chains the stages: facts → mapping → provenance → serialization.

Each stage takes the previous one's output and returns its own; none reads
files another stage owns or calls back into an earlier one.  The functions
here are the library API (``kgpub.build`` ...), and the CLI is a thin shell
over them.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from kgpub.rdf import vocab
from kgpub.errors import Diagnostic, InputError, KgpubError, OutputError, QueryError, UsageError

if TYPE_CHECKING:
    from kgpub.pipeline.cache import BuildCache, Dep, Entry
    from kgpub.corpus.model import Corpus, Source
    from kgpub.output.blocks import ArticleLines

#: Called with (articles done, articles in all) as a build progresses.
Progress = Callable[[int, int], None]

if TYPE_CHECKING:
    from kgpub.sparql.results import Result as QueryResult
    from kgpub.stores import LoadResult
    from kgpub.shacl.validation import Report


@dataclass(frozen=True)
class BuildResult:
    """What a build produced; ``summary()`` is what ``kgpub build`` prints."""

    out_dir: Path
    articles: int
    entities: int
    events: int
    accusations: int
    threats: int
    relations: int
    triples: int
    files: tuple[str, ...]
    statements: int = 0
    report: Report | None = None
    written: bool = True
    reused: int = 0  # articles taken unchanged from the previous build's cache
    #: Warnings and hints about entities the registry may already hold (see ``identity``).
    notes: tuple[Any, ...] = ()

    @property
    def facts(self) -> int:
        return self.events + self.accusations + self.threats + self.relations + self.statements

    def summary(self, listed: bool = False) -> str:
        """What was built and written; says how to list the warnings and hints it only counts, unless ``listed``."""
        plural = "" if self.articles == 1 else "s"
        unlisted = " (warnings and hints not listed; --show-info lists them)" if self.report and not listed and (
            self.report.count("Warning") or self.report.count("Info")) else ""
        checked = f"validation: {self.report.summary()}{unlisted}\n" if self.report else ""
        if self.reused:
            checked += f"reused {self.reused} unchanged article{'s' * (self.reused != 1)} from the last build\n"
        return checked + (
            f"built {self.articles} article{plural}: {self.entities} entities, {self.facts} facts "
            f"({self.events} events, {self.accusations} accusations, {self.threats} threats, "
            f"{self.relations} relations, {self.statements} statements), {self.triples} triples\n"
            f"wrote {self.out_dir}/: {', '.join(f for f in self.files if '/' not in f)}, "
            f"articles/ ({self.articles} file{plural})"
        )


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


@dataclass(frozen=True)
class ArticleUnit:
    """Everything the build keeps of one facts file: small, picklable, cacheable.

    Made in a worker process from the facts file alone (plus the registry),
    so articles map in parallel and an unchanged article is never read again.
    """

    facts_file: str
    deps: tuple[Dep, ...]  # the files it was made from: relative to the seeds folder, with hash, size and times
    problems: tuple[Diagnostic, ...]
    id: str | None = None
    source: Source | None = None
    counts: tuple[int, ...] = (0, 0, 0, 0, 0, 0)  # entities, events, accusations, threats, relations, statements
    lines: ArticleLines | None = None
    origins: dict[str, Source] = field(default_factory=dict)
    #: Its data lines about nodes it does not own (relations between registry entities); every other
    #: subject lies under the article's own IRI, so a rebuild knows exactly which blocks are its alone.
    foreign: tuple[str, ...] = ()
    #: Its entities that the registry may already hold, as warnings and hints (``identity.Note``).
    notes: tuple[Any, ...] = ()
    #: Its article's licence, publisher, rights holder and credit line (N-Triples), which void.ttl repeats.
    rights: tuple[str, ...] = ()


_WORKER: dict[str, Any] = {}


def _init_worker(shared: Corpus, base: str, parent: int | None = None) -> None:
    """Per-process state of the article workers: the minter and the registry's names, made once.

    ``parent``: the build's process id, when this is a forked worker (which then ends with it)."""
    from kgpub.corpus import model
    from kgpub.corpus import identity
    from kgpub.pipeline import mapping

    if parent is not None:
        from kgpub.execution import die_with_parent

        die_with_parent(parent)

    mint = mapping.Minter(base, {e.id for e in shared.registry}, shared.event_ids, model.merges(shared.registry))
    names = {**{e.id: e.name for e in shared.registry}, **{e.id: e.label for e in shared.events}}
    names.update({old: names[new] for old, new in model.merges(shared.registry).items() if new in names})
    _WORKER.update(shared=shared, mint=mint, names=names,
                   index=shared.entity_index, identities=identity.Index(shared.registry, shared.events))


def _article_unit(path: Path) -> ArticleUnit:
    """facts → mapping → provenance → N-Triples for one article: the part of a build that parallelises."""
    from kgpub.corpus import reader
    from kgpub.pipeline import mapping
    from kgpub.pipeline import provenance
    from kgpub.pipeline import retractions
    from kgpub.output import blocks, void
    from kgpub.pipeline.cache import dep

    shared: Corpus = _WORKER["shared"]
    root = shared.root
    read = reader.read_article(path, root, _WORKER["index"], shared.event_ids, shared.unreadable,
                              typed=shared.intact, drafts=shared.drafts)  # a registry entry that could not be read: nothing maps
    article, shown = read.article, read.facts_file
    if article is None or read.problems:
        return ArticleUnit(shown, (), read.problems, read.id, read.source)
    mint = _WORKER["mint"]
    whole, names = article, _WORKER["names"]
    if retractions.retracted(article):  # mapped without what is retracted; tombstones added below
        article, names = retractions.standing(whole), {**names, **retractions.names(whole)}
    graph = mapping.map_article(article, mint, names, mapping.Lines)
    prov, quote_problems = provenance.anchor_article(article, graph, mint, mapping.Lines)
    counts = (len(article.entities), len(article.events), len(article.accusations), len(article.threats),
              len(article.relations), len(article.statements))
    if quote_problems:
        return ArticleUnit(shown, (), tuple(quote_problems), article.id, article.source, counts)
    lines = blocks.article_lines(article.id, graph, prov)
    if article is not whole:
        full = blocks.nt_lines(mapping.map_article(whole, mint, _WORKER["names"], mapping.Lines))
        dead, origins = retractions.tombstones(whole, full, mint)
        lines = blocks.ArticleLines(article.id, sorted({*lines.data, *dead}),
                                    sorted({*lines.provenance, *origins}))
    deps = tuple(dep(root, name) for name in sorted({shown, article.text_file}))
    own = f"<{mint.article(article.id)}"
    foreign = tuple(line for line in lines.data if not (line.startswith(own) and line[len(own)] in "/>"))
    identities = _WORKER["identities"]
    notes = (*(note for entity in article.entities for note in identities.notes(entity)),
             *(note for event in article.events for note in identities.event_notes(event)))
    rights = void.rights_lines(str(mint.article(article.id)), lines.data)
    return ArticleUnit(shown, deps, (), article.id, article.source, counts, lines,
                       provenance.origins(article, mint), foreign, notes, rights)


def _units(shared: Corpus, base: str, jobs: int, cache: BuildCache | None,
           progress: Progress | None) -> list[ArticleUnit | Entry]:
    """Every article's unit, in facts-file order whatever the number of processes (so outputs never vary).

    An article whose files are unchanged since the last build comes as its
    cache ``Entry``, not read until a stage needs its lines.
    """
    from kgpub import execution
    from kgpub.corpus import schema

    paths = list(shared.facts_paths)
    names = _relative(shared.root, paths)
    found: dict[str, ArticleUnit | Entry] = {}
    todo = []
    for path, name in zip(paths, names):
        hit = cache.get(name, shared.root) if cache is not None else None
        if hit is not None:
            found[name] = hit
        else:
            todo.append(path)
    done = len(found)
    if progress:
        progress(done, len(paths))
    schema.expect("facts", len(todo))
    for unit in execution.map_in_order(_article_unit, todo, jobs=jobs, setup=_init_worker, setup_args=(shared, base)):
        found[unit.facts_file] = unit
        done += 1
        if progress:
            progress(done, len(paths))
    return [found[name] for name in names]


def _relative(root: Path, paths: list[Path]) -> list[str]:
    """``p.relative_to(root).as_posix()`` of each path under ``root``, without pathlib's cost (10,000 files)."""
    start = len(str(root)) + 1 if str(root) != "." else 0
    out = []
    for path in paths:
        text = str(path)
        out.append((text[start:] if start else text).replace(os.sep, "/"))
    return out


def _cache_key(shared: Corpus, base: str, shapes: str | Path | None) -> str:
    """What every cached unit depends on besides its own files (a draft build's units are never a build's)."""
    from kgpub import __version__
    from kgpub.pipeline.cache import digest
    from kgpub.resources import ontology_file, shipped

    def read(path: Path) -> bytes:
        return path.read_bytes() if path.is_file() else b""

    shapes_path = Path(shapes) if shapes else shipped("shapes")
    shape_files = sorted(shapes_path.glob("*.ttl")) if shapes_path.is_dir() else [shapes_path]
    from kgpub.corpus.model import DATASET_FILE, REGISTRY_FILE

    code = sorted(Path(__file__).parent.rglob("*.py")) + sorted(Path(__file__).parent.rglob("*.json"))
    from importlib.metadata import PackageNotFoundError, version

    def installed(name: str) -> bytes:  # the engines whose decisions the cache keeps
        try:
            return version(name).encode()
        except PackageNotFoundError:
            return b""

    return digest(__version__.encode(), b"drafts" if shared.drafts else b"", *(installed(n) for n in ("rdflib", "pyshacl", "pyoxigraph")),
                  *(read(f) for f in code), base.encode(), read(shared.root / REGISTRY_FILE),
                  read(shared.root / DATASET_FILE), read(ontology_file()), *(read(f) for f in shape_files))


def build(seeds: str | Path = "seeds", out: str | Path = "dist", *, base: str | None = None,
          validate: bool = True, strict: bool = False, shapes: str | Path | None = None,
          jobs: int | None = None, cache: bool = True, index: bool = True,
          progress: Progress | None = None, drafts: bool = False) -> BuildResult:
    """Build the knowledge graph of every article under ``seeds`` into ``out``; see :func:`_build`.

    An item still marked ``drafted: true`` stops the build, one line each, unless ``drafts``: then
    everything is built into ``out`` marked as a draft build (a ``DRAFT`` file), which ``query``,
    ``load``, ``serve`` and ``site`` refuse, so a draft is never presented as the corpus.  A draft build
    never replaces a build of the corpus.
    """
    from kgpub.execution import build_lock, collector_paused
    from kgpub.output.folder import DRAFT_MARKER, MARKER

    out = Path(out)
    if drafts and (out / MARKER).exists() and not (out / DRAFT_MARKER).exists():
        raise UsageError(f"{out}: holds a build of the corpus; a draft build (--drafts) goes to a folder of its "
                         "own (default: drafts)")
    with collector_paused(), build_lock(out):
        result = _build(seeds, out, base=base, validate=validate, strict=strict, shapes=shapes, jobs=jobs,
                        cache=cache, index=index, progress=progress, drafts=drafts)
        marker = out / DRAFT_MARKER
        if result.written and drafts:
            marker.write_text("A draft build (kgpub build --drafts): it holds facts nobody has confirmed. It is not the "
                              "corpus: kgpub query, load, serve and site refuse it.\n", encoding="utf-8")
        elif result.written and marker.exists():
            marker.unlink()
        return result


def refuse_draft(data: str | Path) -> None:
    """Stop when ``data`` is a draft build: unconfirmed facts are never queried, loaded, served or published."""
    from kgpub.output.folder import DRAFT_MARKER

    if (Path(data) / DRAFT_MARKER).exists():
        raise UsageError(f"{data}: a draft build (kgpub build --drafts), with facts nobody has confirmed; it is not "
                         "the corpus and is not queried, loaded, served or published: confirm the drafted items "
                         "(delete 'drafted: true') and build again")


def _build(seeds: str | Path, out: str | Path, *, base: str | None, validate: bool, strict: bool,
           shapes: str | Path | None, jobs: int | None, cache: bool, index: bool,
           progress: Progress | None, drafts: bool = False) -> BuildResult:
    """Build the knowledge graph of every article under ``seeds`` into ``out``.

    Articles are read, mapped and anchored in ``jobs`` processes (default: all
    cores), reusing the previous build's result for every unchanged article
    when ``cache`` is on.  When few articles changed, the previous build is
    patched (see :func:`_patch_build`); otherwise everything is rendered and
    validated anew (:func:`_full_build`).  ``index`` also makes the query index
    (see ``querying``), so the first query after the build answers at once.
    Raises InputError (exit 2) listing every curator mistake of the whole
    corpus, SHACL violations of the articles that could be mapped included.  A
    graph that breaks the SHACL shapes is returned with ``written=False`` and
    its report; in either case nothing is written unless every stage succeeded.
    """
    from kgpub import execution
    from kgpub.corpus import model, reader
    from kgpub.pipeline import mapping
    from kgpub.output import folder
    from kgpub.pipeline.cache import BuildCache, Entry

    out = Path(out)
    folder.check_replaceable(out, Path(seeds))  # before minutes of work, not after
    shared = replace(reader.load_shared(Path(seeds)), drafts=drafts)
    _check_release(shared, out)
    iri_base = resolve_base(base, shared.dataset.base, shared.root / model.DATASET_FILE)
    mint = mapping.Minter(iri_base, {e.id for e in shared.registry}, shared.event_ids, model.merges(shared.registry))
    store = BuildCache.open(out, _cache_key(shared, iri_base, shapes)) if cache \
        else BuildCache(_cache_key(shared, iri_base, shapes))  # --no-cache: a fresh one
    found = _units(shared, iri_base, jobs or execution.cores(), store if cache else None, progress)
    summaries = [u.summary if isinstance(u, Entry) else u for u in found]
    notes = tuple(note for u in summaries for note in u.notes)
    ids = [u.id for u in summaries if u.id]
    full_text = reader.check_full_text(ids, shared.dataset) if len(ids) == len(summaries) else []
    problems = [*shared.problems, *(p for u in summaries for p in u.problems),
                *reader.check_articles([u for u in summaries if u.id is not None], shared),  # type: ignore[arg-type]
                *full_text,
                *(_as_problem(n) for n in notes if strict and n.severity == "warning")]
    problems = reader.without_cascade(problems, shared.registry_file, shared.lost)
    options = _Options(validate, strict, Path(shapes) if shapes else None, index, jobs or execution.cores())
    if not problems:
        patched = _patch_build(shared, mint, store, found, out, options)
        if patched is not None:
            return replace(patched, notes=notes)
    try:
        reused = iter(store.units([u for u in found if isinstance(u, Entry)]))
    except ValueError:  # the log is not what the sealed manifest says: build without the cache
        return _build(seeds, out, base=base, validate=validate, strict=strict, shapes=shapes, jobs=jobs,
                      cache=False, index=index, progress=progress, drafts=drafts)
    units = [next(reused) if isinstance(u, Entry) else u for u in found]
    return replace(_full_build(shared, mint, store, units, out, problems, options), notes=notes)


def _check_release(shared: Corpus, out: Path) -> None:
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
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith(f"{key}:"):
            return number
    return None


def _as_problem(note: Any) -> Diagnostic:
    """A duplicate entity under --strict: an input error, like any other the curator must fix."""
    return Diagnostic(note.file, note.line, note.field, f"{note.message} (a warning; --strict refuses it)")


@dataclass(frozen=True)
class _Options:
    validate: bool
    strict: bool
    shapes: Path | None
    index: bool
    workers: int


def _summary(unit: ArticleUnit) -> ArticleUnit:
    """What the cache manifest keeps of a unit: everything but its lines and files."""
    from dataclasses import replace

    return replace(unit, lines=None, origins={})


def _state(registry: list[str], registry_origins: dict[str, Source], units: list[ArticleUnit],
           report: Report | None, plan: Any) -> dict[str, Any]:
    """The build-wide part of the cache: what a patching rebuild needs besides the units.

    ``shared`` counts, for every subject no single article owns (registry
    entities), how many sources state each of its lines, so a rebuild knows
    a subject's lines after an article stops or starts stating one.
    """
    shared: dict[str, Counter[str]] = {}
    for line in registry:
        shared.setdefault(_subject(line), Counter())[line] += 1
    for unit in units:
        for line in unit.foreign:
            shared.setdefault(_subject(line), Counter())[line] += 1
    return {"registry": registry, "registry_origins": registry_origins, "shared": shared,
            "results": report.results if report is not None else None,
            "plan": plan}  # the compiled shapes and their well-typed verdicts: valid as long as the cache (its key covers the shapes)


def _subject(line: str) -> str:
    return line[: line.index("> ") + 1]


def _full_build(shared: Corpus, mint: Any, store: BuildCache, units: list[ArticleUnit], out: Path,
                problems: list[Diagnostic], options: _Options) -> BuildResult:
    """Render, validate and index the whole graph (the first build, or after many changes)."""
    from kgpub import execution
    from kgpub.pipeline import mapping
    from kgpub.pipeline import provenance
    from kgpub.sparql import index as sparql_index
    from kgpub.output import blocks, folder, void, writers
    from kgpub.output.layout import share_keys
    from kgpub.shacl import validation
    from kgpub.pipeline.cache import write_layout, write_manifest, write_units
    from kgpub.resources import ontology_file

    good = [u for u in units if u.lines is not None]
    registry_graph = mapping.map_registry(shared.registry, mint, shared.events)
    registry_prov = provenance.anchor_registry(shared.registry, shared.registry_file, mint, shared.events)
    registry, registry_prov_lines = blocks.nt_lines(registry_graph), blocks.nt_lines(registry_prov)
    registry_origins = validation.origins_of(registry_prov)
    articles = [u.lines for u in good if u.lines]
    data = blocks.merged([registry], (a.data for a in articles))
    data_text = "".join(data)
    data_bytes = data_text.encode("utf-8")
    ontology = ontology_file().read_bytes()

    named = writers.named_lines(mint, registry, registry_prov_lines, articles, void.release_lines(shared.dataset, mint))
    built = writers.BuildLines(mint, data, named, articles, registry, data_bytes)

    article_ids = [a.article_id for a in articles]

    def render(part: writers.Part, counts: bool) -> Callable[[], tuple[dict[str, Any], Any, Any]]:
        def work() -> tuple[dict[str, Any], Any, Any]:
            made, files = writers.render(part, built)  # the part's registered files, and the article files
            folder.write_files(staged, files, out)
            folder.write_files(staged, {name: content for name, (content, _) in made.items()}, out)
            layouts = {name: layout for name, (_, layout) in made.items()}
            if not counts:
                return layouts, None, None
            entries = write_units(staged, store, {u.facts_file: u for u in good},
                                  {u.facts_file: _summary(u) for u in good}, {u.facts_file: u.deps for u in good})
            return layouts, void.stats_of(data), entries
        return work

    shapes = validation.load_shapes(options.shapes) if options.validate else None

    def validated() -> Report:
        origins = dict(registry_origins)
        for unit in good:
            origins.update(unit.origins)
        return validation.validate_ntriples([data_bytes, _ontology_ntriples(ontology)], shapes=shapes,
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
    # Writing does not depend on the verdict: with a core to spare, forked processes
    # render and stage the files, one part of the writers' registry each (the first
    # also the counts and the cache's units; see writers.parts) while this one validates, and
    # a thread of this one makes the query index (forked first: RocksDB must
    # never start in the child of a process that runs it).
    with execution.Stage(out) as stage:
        staged = stage.path
        parts: list[Any] = [render(part, n == 0) for n, part in enumerate(writers.parts())]
        if shapes is not None and options.workers > 1:
            parts = [stage.fork(part).result for part in parts]
        index = None
        if options.index:
            index = stage.folder("index")
            checked = shapes is not None  # validation parses the same bytes strictly
            indexing = stage.thread(sparql_index.index_from_lines, index, data_bytes, ontology, checked)
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
            share_keys(layouts)
            assert stats is not None  # the first part always counts them
            files = folder.finish_stage(staged, out, shared.dataset, mint, article_ids, ontology,
                                        layouts, stats, {u.id: u.rights for u in good if u.id})
            write_layout(staged, {"files": layouts, "stats": stats})
            if index is not None:
                _install_index(out, indexing, index, staged)
            write_manifest(staged, store, entries, _state(registry, registry_origins, good, report,
                           validation.plan_for(shapes) if shapes is not None else None))
            stage.swap()
    return _result(out, shared, units, len(data), files, report, written, store.hits)


def _result(out: Path, shared: Corpus, units: list[ArticleUnit], triples: int, files: tuple[str, ...],
            report: Report | None, written: bool, reused: int) -> BuildResult:
    return BuildResult(
        out_dir=out,
        articles=len(units),
        entities=len(shared.registry) + sum(u.counts[0] for u in units),
        events=sum(u.counts[1] for u in units),
        accusations=sum(u.counts[2] for u in units),
        threats=sum(u.counts[3] for u in units),
        relations=sum(u.counts[4] for u in units),
        statements=sum(u.counts[5] for u in units if len(u.counts) > 5),
        triples=triples,
        files=files,
        report=report,
        written=written,
        reused=reused,
    )


def _owned_lines(unit: ArticleUnit) -> list[str]:
    """An article's data lines about its own nodes."""
    assert unit.lines is not None
    foreign = set(unit.foreign)
    return [line for line in unit.lines.data if line not in foreign]


def _types(lines: list[str]) -> list[str]:
    return [line for line in lines if f"> <{vocab.RDF}type> " in line]


def _shared_lines(shared: dict[str, Counter[str]], old: list[ArticleUnit], changed: list[ArticleUnit]
                  ) -> tuple[dict[str, Counter[str]], dict[str, list[str]], dict[str, list[str]]]:
    """The shared subjects' line counts after replacing ``old`` by ``changed``, and the touched ones' lines.

    Returns the new counts, and for every subject the change touches its
    lines before and after (sorted; empty when it has none).
    """
    touched = {_subject(line) for unit in (*old, *changed) for line in unit.foreign}
    counts = dict(shared)
    before = {}
    for subject in touched:
        counts[subject] = Counter(shared.get(subject, ()))
        before[subject] = sorted(line for line, n in counts[subject].items() if n > 0)
    for unit in old:
        for line in unit.foreign:
            counts[_subject(line)][line] -= 1
    for unit in changed:
        for line in unit.foreign:
            counts[_subject(line)][line] += 1
    after = {}
    for subject in touched:
        kept = +counts[subject]
        if kept:
            counts[subject] = kept
        else:
            del counts[subject]
        after[subject] = sorted(kept)
    return counts, before, after


def _graphs(unit: ArticleUnit, mint: Any) -> list[tuple[str, list[str]]]:
    """An article's named graphs with their lines: data and provenance."""
    lines = unit.lines
    assert lines is not None
    return [(str(mint.article_graph(lines.article_id)), lines.data),
            (str(mint.provenance_graph(lines.article_id)), lines.provenance)]


def _patch_build(shared: Corpus, mint: Any, store: BuildCache, found: list[ArticleUnit | Entry], out: Path,
                 options: _Options) -> BuildResult | None:
    """Patch the previous build when few articles changed; None when a full build must run instead.

    Every article owns its nodes (their IRIs lie under its own
    ``article/<id>``, checked when it is mapped), so what a changed article
    contributes is exactly its own blocks in each file, its own named graphs
    and its own nodes' validation results.  The files are patched block by
    block (``layout``), the query index updated graph by graph, and only the
    changed articles' nodes, with the nodes they link to, validated again, on
    the updated index (which holds the whole graph); every other result is the
    previous build's.  A test holds the output, the index and the report to a
    clean build's.
    """
    from kgpub import execution
    from kgpub.output import blocks, folder, void, writers
    from kgpub.shacl import validation
    from kgpub.pipeline.cache import Entry, save, write_layout
    from kgpub.sparql.index import index_by_update, install_index, previous_index

    state = store.state
    fresh = [u for u in found if not isinstance(u, Entry)]
    present = {u.facts_file for u in found}
    before = [store.entries[u.facts_file] for u in fresh if u.facts_file in store.entries]
    before += [e for name, e in store.entries.items() if name not in present]
    needs_index = options.index or options.validate
    previous = store.layout() if store.folder is not None and "shared" in state else None
    old_index = previous_index(out) if previous is not None and needs_index else None
    if (previous is None or (needs_index and old_index is None) or not found
            or (options.validate and state.get("results") is None)
            or len(fresh) + len(before) > UPDATE_SHARE * 2 * len(found)
            or not all(u.lines is not None for u in fresh)):
        return None
    try:
        old = [u for u in store.units(before) if u.lines is not None]
    except ValueError:  # a log that is not what the sealed manifest says: no patching from it
        return None
    changed = [u for u in fresh if u.lines is not None]
    counts, shared_before, shared_after = _shared_lines(state["shared"], old, changed)
    if any(_types(shared_before[s]) != _types(shared_after[s]) for s in shared_before):
        return None  # nodes of other articles may link to it: their sh:class checks need a full validation
    # every line of every subject the change touches, before and after
    removed = {line for u in old for line in _owned_lines(u)} | {
        line for lines in shared_before.values() for line in lines}
    added = {line for u in changed for line in _owned_lines(u)} | {
        line for lines in shared_after.values() for line in lines}
    summaries = [u.summary if isinstance(u, Entry) else u for u in found]
    try:
        with execution.Stage(out) as stage:
            staged = stage.path

            def write_files() -> Any:
                layouts = writers.patch_files(out, staged, previous["files"],  # type: ignore[index]
                                              [u.lines for u in old if u.lines is not None],
                                              [u.lines for u in changed if u.lines is not None], shared_before, shared_after, mint)
                execution.link_files(out / "articles", staged / "articles",
                                     (f"{u.summary.id}.ttl" for u in found if isinstance(u, Entry)))
                entries = blocks.by_subject(state["registry"])
                for unit in changed:
                    (staged / "articles" / f"{unit.id}.ttl").write_bytes(
                        writers.article_file(unit.lines.data, entries, mint.base))  # type: ignore[union-attr]
                os.link(out / "ontology.ttl", staged / "ontology.ttl")
                stats = previous["stats"] - void.stats_of(sorted(removed)) + void.stats_of(sorted(added))  # type: ignore[index]
                sizes = folder.staged_sizes(staged)
                (staged / "void.ttl").write_bytes(void.void_file(
                    shared.dataset, mint, [u.id for u in summaries if u.id], stats, sizes,
                    {u.id: u.rights for u in summaries if u.id}))
                write_layout(staged, {"files": layouts, "stats": stats})
                return stats

            # The files are mostly copied by the kernel and the index is queried by pyoxigraph, both
            # without the GIL: the files are patched in a thread while the index is updated and checked.
            files = stage.thread(write_files)
            report = None
            plan = state.get("plan")
            if needs_index:
                location = stage.folder("index")
                with_graphs = index_by_update(location, old_index, [g for u in old for g, _ in _graphs(u, mint)],  # type: ignore[arg-type]
                                              [g for u in changed for g in _graphs(u, mint)], sorted(removed - added),
                                              sorted(added - removed))
                if options.validate:
                    origins = dict(state["registry_origins"])
                    for unit in changed:
                        origins.update(unit.origins)
                    text = "".join(line for lines in counts.values() for line in lines) + "".join(sorted(added))
                    plan = plan or validation.plan_for(validation.load_shapes(options.shapes))
                    report = validation.revalidate(location / "store", state["results"], removed, added, text,
                                                   plan=plan, origins=origins, threads=options.workers)
                    if report is None:  # shapes only pySHACL understands: validate everything
                        return None
            stats = files.result()
            written = report is None or report.conforms(options.strict)
            if written:
                if options.index:
                    install_index(location, staged, with_graphs)
                save(staged, store, {u.facts_file: u for u in found}, {u.facts_file: _summary(u) for u in changed},
                     {u.facts_file: u.deps for u in changed},
                     {**state, "shared": counts, "results": report.results if report is not None else None,
                      "plan": plan})
                stage.swap()
    except OSError:  # the previous build's files are not what its layout says (edited, removed): render anew
        return None
    names = folder.build_files([u.id for u in summaries if u.id])
    return _result(out, shared, summaries, stats.triples, names if written else (), report, written, store.hits)


def _install_index(out: Path, indexing: Any, location: Path, staged: Path) -> None:
    """Wait for the query index made beside the output and move it into the staged build."""
    from kgpub.sparql.index import install_index

    from kgpub.execution import os_reason

    try:
        indexing.result()
        install_index(location, staged, False)
    except OSError as exc:
        raise OutputError(f"{out}: cannot write the build: {os_reason(exc)}") from None


#: Above this share of changed articles, a full build is faster than patching the previous one.
UPDATE_SHARE = 0.1


def _ontology_ntriples(turtle: bytes) -> bytes:
    import pyoxigraph as ox

    return cast(bytes, ox.serialize(ox.parse(turtle, format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES))


@dataclass(frozen=True)
class CheckResult:
    """What ``kgpub check`` found: every problem of the seeds folder's files, none of them an exception."""

    seeds: Path
    facts_files: int
    registry_file: str | None
    problems: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        files = f"{self.facts_files} facts file{'' if self.facts_files == 1 else 's'}"
        if self.registry_file:
            files += f" and {self.registry_file}"
        if self.ok:
            return f"checked {files}: no problems"
        count = len(self.problems)
        return f"checked {files}: {count} problem{'' if count == 1 else 's'}"


def _init_check_worker(shared: Corpus, parent: int | None = None) -> None:
    """Per-process state of ``check``'s workers: the registry, indexed once."""
    if parent is not None:
        from kgpub.execution import die_with_parent

        die_with_parent(parent)
    _WORKER.update(shared=shared, index=shared.entity_index)


def _check_unit(path: Path) -> Any:
    """One facts file checked, in a worker of ``check``: its problems and its id, no typed article."""
    from kgpub.corpus import reader

    shared: Corpus = _WORKER["shared"]
    return reader.read_article(path, shared.root, _WORKER["index"], shared.event_ids, shared.unreadable, typed=False)


def check(seeds: str | Path = "seeds", *, jobs: int | None = None) -> CheckResult:
    """Check the facts files, registry and quotes of ``seeds`` as ``build`` does, without mapping or writing.

    Every problem of every file, in the order and words ``build`` reports
    them; what ``build`` alone finds is what needs the graph (the SHACL shapes).
    Files are read in ``jobs`` processes (default: all cores) when there are
    many.  Raises InputError only when ``seeds`` is not a folder.
    """
    from kgpub import execution
    from kgpub.corpus import reader, schema
    from kgpub.errors import ordered

    shared = reader.load_shared(Path(seeds))
    paths = list(shared.facts_paths)
    schema.expect("facts", len(paths))
    reads = list(execution.map_in_order(_check_unit, paths, jobs=jobs or execution.cores(),
                                        setup=_init_check_worker, setup_args=(shared,)))
    ids = [read.id for read in reads if read.id]
    problems = [*shared.problems, *(p for read in reads for p in read.problems), *reader.check_articles(reads, shared),
                *(reader.check_full_text(ids, shared.dataset) if len(ids) == len(reads) else ())]
    problems = reader.without_cascade(problems, shared.registry_file, shared.lost)
    return CheckResult(shared.root, len(shared.facts_paths), shared.registry_file, tuple(ordered(problems)))


def entities(seeds: str | Path = "seeds") -> list[Any]:
    """Every entity of the corpus with the articles that mention it and its merge candidates (see ``identity``)."""
    from kgpub.corpus import reader
    from kgpub.corpus import identity

    return identity.corpus_entities(reader.load(Path(seeds)))


def validate(files: list[str | Path] | None = None, *, shapes: str | Path | None = None,
             ontology: bool = True, input_format: str | None = None, base: str | None = None) -> Report:
    """Validate RDF files (default: the build in ``dist/``) against the SHACL shapes.

    Relative IRIs in the data and the shapes resolve against each file's own
    URL, or ``base`` when given (as the W3C test suite's files expect).
    """
    from kgpub import execution
    from kgpub.shacl import validation
    from kgpub.resources import ontology_file

    chunks, origins = validation.read_data([Path(f) for f in (files or ["dist"])], input_format, base)
    if ontology:
        chunks.append(_ontology_ntriples(ontology_file().read_bytes()))
    return validation.validate_ntriples(chunks, shapes=validation.load_shapes(Path(shapes) if shapes else None, base),
                                        origins=origins, threads=execution.cores())


def query(sparql: str, data: str | Path = "dist", *, params: dict[str, str] | None = None,
          endpoint: str | None = None, user: str | None = None, password: str | None = None,
          timeout: float = 60.0, memory: int | None = None, store_default_graph: bool = False,
          allow_service: bool = False) -> QueryResult:
    """Run a query (SPARQL text, ``@file.rq`` or a shipped query's name) over a build or an endpoint.

    ``params`` are bound to the query's variables as RDF terms, never pasted
    into its text.  On an endpoint that ``kgpub load`` filled, the query runs
    over the dataset the load recorded (data graphs and ontology as the default
    graph, every graph named), so it answers as over the build whatever the
    store makes of its default graph; ``store_default_graph`` asks the store's own.
    The embedded engine refuses ``SERVICE`` (a request to another host) unless
    ``allow_service``, and stops a query that runs longer than ``timeout``
    seconds or needs more than ``memory`` bytes (default: half the machine's).
    """
    from kgpub.sparql.local import local_prefixes, run_local
    from kgpub.sparql.remote import run_remote, store_dataset
    from kgpub.sparql.shipped import bind_params, resolve_query

    if endpoint is None:
        refuse_draft(data)
    text, shipped = resolve_query(sparql)
    prefixes = local_prefixes(Path(data)) if endpoint is None else {**vocab.PREFIXES, "id": vocab.DEFAULT_BASE}
    bound = bind_params(params or {}, shipped, prefixes)
    if endpoint:
        from kgpub.errors import QueryError
        from kgpub.secrets import check_url, netrc_password, split_credentials

        endpoint, url_user, url_password = split_credentials(endpoint)  # shown without them, used as credentials
        if url_user is not None and user is None:
            user, password = url_user, url_password if url_password is not None else password
        wrong = check_url(endpoint)
        if wrong:
            raise QueryError(f"{endpoint}: {wrong}")
        if user is not None and password is None:
            password = netrc_password(endpoint, user)

        def dataset() -> Any:
            return None if store_default_graph else store_dataset(endpoint, user=user, password=password,
                                                                  timeout=timeout)

        return run_remote(text, endpoint, params=bound, user=user, password=password, timeout=timeout,
                          dataset=dataset)
    return run_local(text, Path(data), bound, allow_service=allow_service, timeout=timeout, memory=memory)


def load(endpoint: str, data: str | Path = "dist", *, flavor: str | None = None, graph: str | None = None,
         default_graph: bool = False, mode: str = "replace", force: bool = False, dry_run: bool = False,
         chunk_triples: int | None = None, graph_store: str | None = None, query_endpoint: str | None = None,
         user: str | None = None, password: str | None = None, verify_tls: bool = True,
         timeout: float = 30.0, progress=None, create: bool = False,  # type: ignore[no-untyped-def]
         parallel: int = 4, atomic: bool = True, keep_removed: bool = False) -> LoadResult:
    """Publish the build in ``data`` into the store at ``endpoint``; see ``kgpub.stores``.

    ``create`` first makes the dataset or repository ``endpoint`` names when the store has none.
    """
    from kgpub.secrets import check_url, netrc_password, split_credentials
    from kgpub.stores import Client
    from kgpub.stores import create as create_dataset
    from kgpub.stores import load as load_build

    refuse_draft(data)
    urls = []
    for url in (endpoint, graph_store, query_endpoint):  # shown without credentials, which are used as such
        url, url_user, url_password = split_credentials(url) if url is not None else (None, None, None)
        if url_user is not None and user is None:
            user, password = url_user, url_password if url_password is not None else password
        urls.append(url)
    endpoint, graph_store, query_endpoint = urls[0] or endpoint, urls[1], urls[2]
    for url in (endpoint, graph_store, query_endpoint):
        wrong = check_url(url) if url is not None else None
        if wrong:
            raise UsageError(f"{url}: {wrong}")
    if user is not None and password is None:
        password = netrc_password(endpoint, user)
    client = Client(user=user, password=password, digest=(flavor == "virtuoso"), verify=verify_tls, timeout=timeout)
    if create and not dry_run:
        create_dataset(endpoint, flavor, client)
    return load_build(Path(data), endpoint, flavor=flavor, graph=graph, default_graph=default_graph, mode=mode,
                      force=force, dry_run=dry_run, chunk_triples=chunk_triples, graph_store=graph_store,
                      query_endpoint=query_endpoint, client=client, progress=progress, parallel=parallel,
                      atomic=atomic, keep_removed=keep_removed)


def serve(data: str | Path = "dist", *, host: str = "127.0.0.1", port: int = 8000, timeout: float = 30.0,
          max_rows: int = 10_000, seeds: str | Path | None = None) -> None:
    """Serve a build: a SPARQL endpoint and a page per IRI (see ``serving``), until interrupted."""
    from kgpub.web.serving import Settings
    from kgpub.output.folder import require_build
    from kgpub.web.serving import serve as run

    folder = Path(data)
    refuse_draft(folder)
    require_build(folder)
    if seeds is not None and not Path(seeds).is_dir():
        raise QueryError(f"{seeds}: no such seeds folder (--seeds)")
    run(Settings(folder, timeout, max_rows, Path(seeds) if seeds is not None else None), host=host, port=port)


def site(data: str | Path = "dist", out: str | Path = "site", *, seeds: str | Path | None = "seeds") -> Any:
    """Write a build's pages as a static Linked Data site (see ``static_site``).

    ``seeds`` must be the folder the build was made from (its article texts are shown with their quotes);
    None writes the site without the texts.  A wrong folder is an error, never a site without texts.
    """
    from kgpub.web.site import build_site

    refuse_draft(data)
    return build_site(Path(data), Path(out), Path(seeds) if seeds is not None else None)


def diff(old: str | Path, new: str | Path) -> Any:
    """What changed from build ``old`` to build ``new`` (see ``changes``): a changelog, JSON or a store changeset."""
    from kgpub.output.changes import diff as compare

    return compare(old, new)
