"""The article stage: one facts file read, mapped, anchored and rendered as N-Triples, in a worker process.

Each article is made from its own files alone (plus the registry), so articles map in parallel and an
unchanged article is taken from the cache without being read again.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgpub.errors import Diagnostic

if TYPE_CHECKING:
    from kgpub.corpus.model import Corpus, Entity, Source
    from kgpub.corpus.identity import Index
    from kgpub.output.blocks import ArticleLines
    from kgpub.pipeline.cache import BuildCache, Dep, Entry
    from kgpub.pipeline.mapping import Minter

#: Called with (articles done, articles in all) as a build progresses.
Progress = Callable[[int, int], None]


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


@dataclass(frozen=True)
class _Worker:
    """What a worker process holds for every article it reads: made once per process, shared by fork."""

    shared: Corpus
    #: The registry's entities by id, which a facts file refers to.
    index: dict[str, Entity]
    #: The build's IRI minter, the names of the registry's entities and events, and the index of the
    #: names an article's entity may duplicate; None in ``check``'s workers, which map nothing.
    mint: Minter | None = None
    names: dict[str, str] = field(default_factory=dict)
    identities: Index | None = None


_WORKER: list[_Worker] = []  # this process's worker state (one at most), set by the pool's initializer


def _set_worker(worker: _Worker) -> None:
    _WORKER[:] = [worker]


def init_worker(shared: Corpus, base: str, parent: int | None = None) -> None:
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
    _set_worker(_Worker(shared, shared.entity_index, mint, names, identity.Index(shared.registry, shared.events)))


def article_unit(path: Path) -> ArticleUnit:
    """facts → mapping → provenance → N-Triples for one article: the part of a build that parallelises."""
    from kgpub.corpus import reader
    from kgpub.pipeline import mapping
    from kgpub.pipeline import provenance
    from kgpub.pipeline import retractions
    from kgpub.output import blocks, void
    from kgpub.pipeline.cache import dep
    from kgpub.rdf.ntriples import LineBlob

    worker = _WORKER[0]
    shared, mint, identities = worker.shared, worker.mint, worker.identities
    assert mint is not None and identities is not None  # set by init_worker
    root = shared.root
    read = reader.read_article(path, root, worker.index, shared.event_ids, shared.unreadable,
                              typed=shared.intact, drafts=shared.drafts)  # a registry entry that could not be read: nothing maps
    article, shown = read.article, read.facts_file
    if article is None or read.problems:
        return ArticleUnit(shown, (), read.problems, read.id, read.source)
    whole, names = article, worker.names
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
        full = blocks.nt_lines(mapping.map_article(whole, mint, worker.names, mapping.Lines))
        dead, origins = retractions.tombstones(whole, full, mint)
        lines = blocks.ArticleLines(article.id, LineBlob.of(sorted({*lines.data, *dead})),
                                    LineBlob.of(sorted({*lines.provenance, *origins})))
    deps = tuple(dep(root, name) for name in sorted({shown, article.text_file}))
    own = f"<{mint.article(article.id)}"
    foreign = tuple(line for line in lines.data if not (line.startswith(own) and line[len(own)] in "/>"))
    notes = (*(note for entity in article.entities for note in identities.notes(entity)),
             *(note for event in article.events for note in identities.event_notes(event)))
    rights = void.rights_lines(str(mint.article(article.id)), lines.data)
    return ArticleUnit(shown, deps, (), article.id, article.source, counts, lines,
                       provenance.origins(article, mint), foreign, notes, rights)


def map_articles(shared: Corpus, base: str, jobs: int, cache: BuildCache | None,
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
    for unit in execution.map_in_order(article_unit, todo, jobs=jobs, setup=init_worker, setup_args=(shared, base)):
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


def cache_key(shared: Corpus, base: str, shapes: str | Path | None) -> str:
    """What every cached unit depends on besides its own files (a draft build's units are never a build's)."""
    from kgpub.pipeline.cache import digest
    from kgpub.resources import ontology_file
    from kgpub.corpus.model import DATASET_FILE, REGISTRY_FILE

    return digest(b"drafts" if shared.drafts else b"", *code_parts(), base.encode(),
                  _read(shared.root / REGISTRY_FILE), _read(shared.root / DATASET_FILE), _read(ontology_file()),
                  *(_read(f) for f in shape_files(shapes)))


def _read(path: Path) -> bytes:
    return path.read_bytes() if path.is_file() else b""


def code_parts() -> list[bytes]:
    """The versions of the engines whose decisions the cache keeps, then all of kgpub's code (its version in
    ``__init__.py`` too), not only this room's."""
    from importlib.metadata import PackageNotFoundError, version

    from kgpub.resources import package_root

    def installed(name: str) -> bytes:
        try:
            return version(name).encode()
        except PackageNotFoundError:
            return b""

    package = package_root()
    code = sorted(package.rglob("*.py")) + sorted(package.rglob("*.json"))
    return [*(installed(n) for n in ("rdflib", "pyshacl", "pyoxigraph")), *(_read(f) for f in code)]


def shape_files(shapes: str | Path | None) -> list[Path]:
    """The files of the shapes a build validates against: ``shapes`` (a folder or a file), else the shipped ones."""
    from kgpub.resources import shipped

    shapes_path = Path(shapes) if shapes else shipped("shapes")
    return sorted(shapes_path.glob("*.ttl")) if shapes_path.is_dir() else [shapes_path]


def summary(unit: ArticleUnit) -> ArticleUnit:
    """What the cache manifest keeps of a unit: everything but its lines and files."""
    from dataclasses import replace

    return replace(unit, lines=None, origins={})



def init_check_worker(shared: Corpus, parent: int | None = None) -> None:
    """Per-process state of ``check``'s workers: the registry, indexed once."""
    if parent is not None:
        from kgpub.execution import die_with_parent

        die_with_parent(parent)
    _set_worker(_Worker(shared, shared.entity_index))


def check_unit(path: Path) -> Any:
    """One facts file checked, in a worker of ``check``: its problems and its id, no typed article."""
    from kgpub.corpus import reader

    worker = _WORKER[0]
    shared = worker.shared
    return reader.read_article(path, shared.root, worker.index, shared.event_ids, shared.unreadable, typed=False)



def check_all(shared: Corpus, jobs: int) -> list[Diagnostic]:
    """Every problem of the seeds folder's files, in ``jobs`` processes: what ``build`` finds short of the
    shapes, in its order and words."""
    from kgpub import execution
    from kgpub.corpus import reader, schema
    from kgpub.errors import ordered

    paths = list(shared.facts_paths)
    schema.expect("facts", len(paths))
    reads = list(execution.map_in_order(check_unit, paths, jobs=jobs, setup=init_check_worker, setup_args=(shared,)))
    ids = [read.id for read in reads if read.id]
    problems = [*shared.problems, *(p for read in reads for p in read.problems), *reader.check_articles(reads, shared),
                *(reader.check_full_text(ids, shared.dataset) if len(ids) == len(reads) else ())]
    return ordered(reader.without_cascade(problems, shared.registry_file, shared.lost))
