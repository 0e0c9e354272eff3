"""The only place that chains the stages: facts → mapping → provenance → serialization.

Each stage takes the previous one's output and returns its own; none reads
files another stage owns or calls back into an earlier one.  The functions
here are the library API (``kgpub.build`` ...), and the CLI is a thin shell
over them.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import vocab
from .errors import Diagnostic, InputError, KgpubError, OutputError

if TYPE_CHECKING:
    from .cache import BuildCache
    from .facts import Shared, Source
    from .serialization import ArticleLines

#: Called with (articles done, articles in all) as a build progresses.
Progress = Callable[[int, int], None]

if TYPE_CHECKING:
    from .querying import Result as QueryResult
    from .stores import LoadResult
    from .validation import Report


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
    report: Report | None = None
    written: bool = True
    reused: int = 0  # articles taken unchanged from the previous build's cache

    @property
    def facts(self) -> int:
        return self.events + self.accusations + self.threats + self.relations

    def summary(self) -> str:
        plural = "" if self.articles == 1 else "s"
        checked = f"validation: {self.report.summary()}\n" if self.report else ""
        if self.reused:
            checked += f"reused {self.reused} unchanged article{'s' * (self.reused != 1)} from the last build\n"
        return checked + (
            f"built {self.articles} article{plural}: {self.entities} entities, {self.facts} facts "
            f"({self.events} events, {self.accusations} accusations, {self.threats} threats, "
            f"{self.relations} relations), {self.triples} triples\n"
            f"wrote {self.out_dir}/: {', '.join(f for f in self.files if '/' not in f)}, "
            f"articles/ ({self.articles} file{plural})"
        )


def resolve_base(cli_base: str | None, dataset_base: str | None) -> str:
    """The IRI base: the command's, else the dataset's, else kgpub's default."""
    base = cli_base or dataset_base or vocab.DEFAULT_BASE
    if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+[/#]", base):
        raise KgpubError(f"--base {base!r}: must be an http(s) IRI ending in '/' or '#'")
    return base


@dataclass(frozen=True)
class ArticleUnit:
    """Everything the build keeps of one facts file: small, picklable, cacheable.

    Made in a worker process from the facts file alone (plus the registry),
    so articles map in parallel and an unchanged article is never read again.
    """

    facts_file: str
    deps: tuple[tuple[str, str], ...]  # (file relative to the seeds folder, its SHA-256)
    problems: tuple[Diagnostic, ...]
    id: str | None = None
    source: Source | None = None
    counts: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)  # entities, events, accusations, threats, relations
    lines: ArticleLines | None = None
    turtle: bytes | None = None
    origins: dict[str, Source] = field(default_factory=dict)


_WORKER: dict[str, Any] = {}


def _init_worker(shared: Shared, base: str) -> None:
    """Per-process state of the article workers: the registry, minted and serialized once."""
    from . import mapping, serialization

    mint = mapping.Minter(base, {e.id for e in shared.registry})
    registry_lines = serialization.nt_lines(mapping.map_registry(shared.registry, mint))
    _WORKER.update(shared=shared, mint=mint, names={e.id: e.name for e in shared.registry},
                   registry=serialization.by_subject(registry_lines), index=shared.entity_index)


def _article_unit(path: Path) -> ArticleUnit:
    """facts → mapping → provenance → N-Triples for one article: the part of a build that parallelises."""
    from . import facts, mapping, provenance, serialization, validation
    from .cache import file_digest

    shared: Shared = _WORKER["shared"]
    root = shared.root
    shown = path.relative_to(root).as_posix()
    article, problems = facts.load_article(path, root, _WORKER["index"])
    if article is None or problems:
        return ArticleUnit(shown, (), tuple(problems), article.id if article else None,
                           article.source if article else None)
    mint = _WORKER["mint"]
    graph, claims = mapping.map_article(article, mint, _WORKER["names"])
    prov, quote_problems = provenance.anchor_article(article, graph, mint)
    counts = (len(article.entities), len(article.events), len(article.accusations), len(article.threats),
              len(article.relations))
    if quote_problems:
        return ArticleUnit(shown, (), tuple(quote_problems), article.id, article.source, counts)
    lines = serialization.article_lines(article.id, graph, prov, claims)
    deps = tuple((name, file_digest(root / name) or "") for name in sorted({shown, article.text_file}))
    return ArticleUnit(shown, deps, (), article.id, article.source, counts, lines,
                       serialization.article_file(lines.data, _WORKER["registry"], mint.base),
                       validation.origins_of(prov))


def _units(shared: Shared, base: str, jobs: int, cache: BuildCache | None,
           progress: Progress | None) -> list[ArticleUnit]:
    """Every article's unit, in facts-file order whatever the number of processes (so outputs never vary)."""
    paths = list(shared.facts_paths)
    found: dict[str, ArticleUnit] = {}
    todo = []
    for path in paths:
        name = path.relative_to(shared.root).as_posix()
        hit = cache.get(name, shared.root) if cache is not None else None
        if hit is not None:
            found[name] = hit
        else:
            todo.append(path)
    done = len(found)
    if progress:
        progress(done, len(paths))
    if jobs > 1 and len(todo) >= 4 * jobs:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker,
                                 initargs=(shared, base)) as pool:
            for unit in pool.map(_article_unit, todo, chunksize=max(1, min(64, len(todo) // (8 * jobs)))):
                found[unit.facts_file] = unit
                done += 1
                if progress:
                    progress(done, len(paths))
    elif todo:
        _init_worker(shared, base)
        for path in todo:
            unit = _article_unit(path)
            found[unit.facts_file] = unit
            done += 1
            if progress:
                progress(done, len(paths))
    return [found[p.relative_to(shared.root).as_posix()] for p in paths]


def _cache_key(shared: Shared, base: str, shapes: str | Path | None) -> str:
    from . import __version__
    from .cache import digest
    from .resources import ontology_file, shipped

    def read(path: Path) -> bytes:
        return path.read_bytes() if path.is_file() else b""

    shapes_path = Path(shapes) if shapes else shipped("shapes")
    shape_files = sorted(shapes_path.glob("*.ttl")) if shapes_path.is_dir() else [shapes_path]
    from .facts import DATASET_FILE, REGISTRY_FILE

    code = sorted(Path(__file__).parent.rglob("*.py")) + sorted(Path(__file__).parent.rglob("*.json"))
    return digest(__version__.encode(), *(read(f) for f in code), base.encode(), read(shared.root / REGISTRY_FILE),
                  read(shared.root / DATASET_FILE), read(ontology_file()), *(read(f) for f in shape_files))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the length of a build.

    A build makes millions of small objects that all live until it ends; the
    collector would rescan them over and over (a third of the validation time
    at a million triples) and never free one.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build(seeds: str | Path = "seeds", out: str | Path = "dist", *, base: str | None = None,
          validate: bool = True, strict: bool = False, shapes: str | Path | None = None,
          jobs: int | None = None, cache: bool = True, index: bool = True,
          progress: Progress | None = None) -> BuildResult:
    """Build the knowledge graph of every article under ``seeds`` into ``out``; see :func:`_build`."""
    with _collector_paused():
        return _build(seeds, out, base=base, validate=validate, strict=strict, shapes=shapes, jobs=jobs,
                      cache=cache, index=index, progress=progress)


def _build(seeds: str | Path, out: str | Path, *, base: str | None, validate: bool, strict: bool,
           shapes: str | Path | None, jobs: int | None, cache: bool, index: bool,
           progress: Progress | None) -> BuildResult:
    """Build the knowledge graph of every article under ``seeds`` into ``out``.

    Articles are read, mapped and anchored in ``jobs`` processes (default: all
    cores), reusing the previous build's result for every unchanged article
    when ``cache`` is on.  ``index`` also creates the query index (see
    ``querying``) while the graph is validated, so the first query after the
    build answers at once.  Raises InputError (exit 2) listing every curator
    mistake of the whole corpus, SHACL violations of the articles that could
    be mapped included.  A graph that breaks the SHACL shapes is returned with
    ``written=False`` and its report; in either case nothing is written unless
    every stage succeeded.
    """
    from . import facts, mapping, provenance, serialization, validation
    from .cache import BuildCache
    from .resources import ontology_file

    serialization.check_replaceable(Path(out))  # before minutes of work, not after
    shared = facts.load_shared(Path(seeds))
    iri_base = resolve_base(base, shared.dataset.base)
    mint = mapping.Minter(iri_base, {e.id for e in shared.registry})
    key = _cache_key(shared, iri_base, shapes)
    store = BuildCache.open(Path(out), key) if cache else BuildCache(key)  # --no-cache: a fresh one
    workers = jobs or _cores()
    units = _units(shared, iri_base, workers, store if cache else None, progress)
    good = [u for u in units if u.lines is not None]
    problems = [*shared.problems, *(p for u in units for p in u.problems),
                *facts.check_articles([u for u in units if u.id is not None], shared)]  # type: ignore[arg-type]

    registry_graph = mapping.map_registry(shared.registry, mint)
    registry_prov = provenance.anchor_registry(shared.registry, shared.registry_file, mint)
    registry, registry_prov_lines = serialization.nt_lines(registry_graph), serialization.nt_lines(registry_prov)
    articles = [u.lines for u in good if u.lines]
    data = serialization.merged([registry], (a.data for a in articles))
    data_bytes = "".join(data).encode("utf-8")
    ontology = ontology_file().read_bytes()

    def stage() -> tuple[Path, tuple[str, ...]]:
        outputs = serialization.render_lines(
            shared.dataset, mint, registry, registry_prov_lines, articles, ontology,
            article_files={u.id: u.turtle for u in good if u.id and u.turtle}, data=data)
        return serialization.stage(outputs, Path(out)), tuple(sorted(outputs.files))

    # Writing does not depend on the verdict: with a core to spare, a forked
    # process renders and stages the files while this one validates, and a
    # thread of this one makes the query index (forked first: RocksDB must
    # never start in the child of a process that runs it).
    staging = _in_fork(stage) if validate and not problems and workers > 1 else None
    indexing = None
    if index and not problems:
        indexing = _Indexing(Path(out), _index_work(Path(out), store, good, data, data_bytes, ontology,
                                                    serialization.named_lines(mint, registry, registry_prov_lines,
                                                                              articles), mint))
    report = None
    try:
        if validate:
            origins = validation.origins_of(registry_prov)
            for unit in good:
                origins.update(unit.origins)
            report = validation.validate_ntriples(
                [data_bytes, _ontology_ntriples(ontology)],
                shapes=validation.load_shapes(Path(shapes) if shapes else None), origins=origins)
        if problems:
            if report is not None:  # one run shows every mistake: the SHACL ones of the articles that mapped too
                problems += [Diagnostic(r.file or "", r.line, r.path or "", f"{r.message} [{r.source_shape}]")
                             for r in report.results if r.severity == "Violation"]
            raise InputError(problems)
        written = report is None or report.conforms(strict)
        files: tuple[str, ...] = ()
        if written:
            pending, staging = staging, None  # from here on, a failed staging has cleaned up after itself
            staged, files = pending() if pending is not None else stage()
            try:
                if indexing is not None:
                    indexing.install(staged)
                    indexing = None
            except BaseException:
                serialization.discard(staged)
                raise
            serialization.swap(staged, Path(out))
            store.save(Path(out), {u.facts_file: u for u in good})
    finally:
        if staging is not None:
            try:
                serialization.discard(staging()[0])
            except KgpubError:
                pass  # the writer failed as well; the error already raised is the one to report
        if indexing is not None:
            indexing.discard()
    return BuildResult(
        out_dir=Path(out),
        articles=len(units),
        entities=len(shared.registry) + sum(u.counts[0] for u in units),
        events=sum(u.counts[1] for u in units),
        accusations=sum(u.counts[2] for u in units),
        threats=sum(u.counts[3] for u in units),
        relations=sum(u.counts[4] for u in units),
        triples=len(data),
        files=files,
        report=report,
        written=written,
        reused=store.hits,
    )


def _cores() -> int:
    """The cores this process may run on (a container's limit, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _in_fork(work: Callable[[], Any]) -> Callable[[], Any]:
    """Start ``work`` in a forked process; return a function that waits for its result (or its error).

    Forking shares the build's data with the child without copying or
    pickling it; only the small result comes back.  Where fork does not
    exist, the work simply runs when its result is asked for.
    """
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return work
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def child() -> None:
        try:
            send.send((True, work()))
        except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
            send.send((False, exc if isinstance(exc, KgpubError) else KgpubError(f"writing the build failed: {exc}")))

    process = context.Process(target=child, daemon=True)
    process.start()
    send.close()

    def result() -> Any:
        try:
            ok, value = receive.recv()
        except EOFError:
            ok, value = False, KgpubError("writing the build failed: the writer process died")
        finally:
            process.join()
        if not ok:
            raise value
        return value

    return result


class _Indexing:
    """The query index of a build, made in a thread (pyoxigraph's loader releases the GIL) beside the output."""

    def __init__(self, out: Path, work: Callable[[Path], None]) -> None:
        import tempfile
        from concurrent.futures import ThreadPoolExecutor

        parent = out.resolve().parent
        parent.mkdir(parents=True, exist_ok=True)
        self.out = out
        self.location = Path(tempfile.mkdtemp(prefix=f".{out.name}.index-", dir=parent))
        self.pool = ThreadPoolExecutor(1)
        self.future = self.pool.submit(work, self.location)

    def install(self, staged: Path) -> None:
        """Wait for the index and move it into the staged build."""
        from .querying import install_index

        try:
            self.future.result()
            install_index(self.location, staged)
        except OSError as exc:
            raise OutputError(f"{self.out}: cannot create the query index: {exc.strerror or exc}") from None
        finally:
            self.pool.shutdown()

    def discard(self) -> None:
        import shutil

        self.future.cancel()
        self.pool.shutdown(wait=True)
        shutil.rmtree(self.location, ignore_errors=True)


#: Above this share of changed articles, making the index anew is faster than updating the previous one.
UPDATE_SHARE = 0.1


def _index_work(out: Path, cache: BuildCache, good: list[ArticleUnit], data: list[str], data_bytes: bytes,
                ontology: bytes, named: list[tuple[str, list[str]]], mint: Any) -> Callable[[Path], None]:
    """How to make this build's index: update the previous build's when few articles changed, else anew."""
    from .querying import index_by_update, index_from_lines, previous_index

    previous = previous_index(out) if cache.hits else None
    new = {u.facts_file: u for u in good}
    changed = [name for name, unit in new.items() if cache.entries.get(name) is not unit]
    gone = [name for name in cache.entries if name not in new]
    if previous is None or len(changed) + len(gone) > UPDATE_SHARE * max(len(new), 1):
        return lambda location: index_from_lines(location, named, data_bytes, ontology)
    old_units = [cache.entries[name] for name in changed + gone if name in cache.entries]
    new_units = [new[name] for name in changed]

    def graphs(unit: ArticleUnit) -> list[tuple[str, list[str]]]:
        lines = unit.lines
        assert lines is not None
        return [(str(mint.article_graph(lines.article_id)), lines.data),
                (str(mint.provenance_graph(lines.article_id)), lines.provenance), *lines.claims.items()]

    def work(location: Path) -> None:
        present = set(data)
        removed = sorted({line for u in old_units if u.lines for line in u.lines.data} - present)
        index_by_update(location, previous, [g for u in old_units if u.lines for g, _ in graphs(u)],
                        [g for u in new_units for g in graphs(u)], removed,
                        sorted({line for u in new_units if u.lines for line in u.lines.data}))

    return work


def _ontology_ntriples(turtle: bytes) -> bytes:
    import pyoxigraph as ox

    return ox.serialize(ox.parse(turtle, format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES)


def validate(files: list[str | Path] | None = None, *, shapes: str | Path | None = None,
             ontology: bool = True, input_format: str | None = None) -> Report:
    """Validate RDF files (default: the build in ``dist/``) against the SHACL shapes."""
    from . import validation

    from .resources import ontology_file

    chunks, origins = validation.read_data([Path(f) for f in (files or ["dist"])], input_format)
    if ontology:
        chunks.append(_ontology_ntriples(ontology_file().read_bytes()))
    return validation.validate_ntriples(chunks, shapes=validation.load_shapes(Path(shapes) if shapes else None),
                                        origins=origins)


def query(sparql: str, data: str | Path = "dist", *, params: dict[str, str] | None = None,
          endpoint: str | None = None, user: str | None = None, password: str | None = None,
          timeout: float = 30.0) -> QueryResult:
    """Run a query (SPARQL text, ``@file.rq`` or a shipped query's name) over a build or an endpoint.

    ``params`` are bound to the query's variables as RDF terms, never pasted
    into its text.
    """
    from .querying import bind_params, local_prefixes, resolve_query, run_local, run_remote

    text, shipped = resolve_query(sparql)
    prefixes = local_prefixes(Path(data)) if endpoint is None else {**vocab.PREFIXES, "id": vocab.DEFAULT_BASE}
    bound = bind_params(params or {}, shipped, prefixes)
    if endpoint:
        return run_remote(text, endpoint, params=bound, user=user, password=password, timeout=timeout)
    return run_local(text, Path(data), bound)


def load(endpoint: str, data: str | Path = "dist", *, flavor: str | None = None, graph: str | None = None,
         default_graph: bool = False, mode: str = "replace", force: bool = False, dry_run: bool = False,
         chunk_triples: int | None = None, graph_store: str | None = None, query_endpoint: str | None = None,
         user: str | None = None, password: str | None = None, verify_tls: bool = True,
         timeout: float = 30.0, progress=None) -> LoadResult:  # type: ignore[no-untyped-def]
    """Publish the build in ``data`` into the store at ``endpoint``; see ``kgpub.stores``."""
    from .stores import Client
    from .stores import load as load_build

    client = Client(user=user, password=password, digest=(flavor == "virtuoso"), verify=verify_tls, timeout=timeout)
    return load_build(Path(data), endpoint, flavor=flavor, graph=graph, default_graph=default_graph, mode=mode,
                      force=force, dry_run=dry_run, chunk_triples=chunk_triples, graph_store=graph_store,
                      query_endpoint=query_endpoint, client=client, progress=progress)
