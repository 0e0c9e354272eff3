"""A build in shards: each shard's articles mapped apart, then joined into the bytes a single build gives.

A build has one stage per article (read, map, anchor: ``pipeline.articles``) and the stages of the whole
graph (merged across articles, checked as a whole, written, indexed: ``pipeline.stages.assemble``).  A
shard runs the first for its articles only (``output.parts`` says which are its and what it writes), with
the checks that concern one article alone; ``merge`` runs the second once, on every shard's results, as a
build from its cache would: the checks that need the whole corpus (an id used twice, references across
articles, ``full_text`` naming an article, the SHACL shapes on the whole graph: uniqueness, "nothing refers
to it", claims never asserted) run there, exactly.  The stages themselves know nothing of shards.

Shards are plain commands (``kgpub build --shard I/N``: GNU parallel, a CI matrix, a batch system) or tasks
on a Dask cluster (:func:`build_sharded`, ``kgpub build --shards N --dask ADDRESS|local``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from kgpub.errors import Diagnostic, InputError, UsageError
from kgpub.output.parts import Part, PartInfo

if TYPE_CHECKING:
    from kgpub.pipeline.articles import Progress
    from kgpub.pipeline.results import BuildResult, Options


def code_digest() -> str:
    """The digest of kgpub's code and the engines it runs: shards and their merge must run the same."""
    from kgpub.pipeline.articles import code_parts
    from kgpub.pipeline.cache import digest

    return digest(*code_parts())


def installed_version() -> str:
    """kgpub's version as installed (said in a refusal; the code digest is what is compared)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kgpub")
    except PackageNotFoundError:
        return "unknown"


def shapes_digest(shapes: Path | None) -> str:
    """The digest of the shapes a build validates against (the shipped ones when None)."""
    from kgpub.pipeline.articles import shape_files
    from kgpub.pipeline.cache import digest

    return digest(*(f.read_bytes() if f.is_file() else b"" for f in shape_files(shapes)))


def make_part(seeds: Path, base: str | None, options: Options, shard: tuple[int, int], *,
              progress: Progress | None = None, drafts: bool = False) -> Part:
    """Map the articles of shard ``shard`` of ``seeds``; raise InputError listing every problem they have alone.

    What can be checked of an article alone is (its files, its quotes, under ``--strict`` its possible
    duplicates of registry entities), with the registry's and the dataset description's own mistakes;
    what needs the other articles or the whole graph is the merge's.
    """
    from kgpub.corpus import reader
    from kgpub.corpus.model import DATASET_FILE, REGISTRY_FILE
    from kgpub.execution import collector_paused
    from kgpub.output.parts import facts_digest, shard_of
    from kgpub.pipeline import stages
    from kgpub.pipeline.articles import ArticleUnit, _relative, map_articles
    from kgpub.pipeline.cache import digest

    index, shards = shard
    with collector_paused():
        given = stages.inputs(Path(seeds), None, base, options, drafts)
        shared = given.shared
        paths = list(shared.facts_paths)
        names = _relative(shared.root, paths)
        mine = [(path, name) for path, name in zip(paths, names) if shard_of(name, shards) == index]
        part_corpus = replace(shared, facts_paths=tuple(path for path, _ in mine))
        units = [u for u in map_articles(part_corpus, given.base, options.workers, None, progress)
                 if isinstance(u, ArticleUnit)]
    notes = [n for u in units for n in u.notes if options.strict and n.severity == "warning"]
    problems = reader.without_cascade([*shared.problems, *(p for u in units for p in u.problems),
                                       *(stages._as_problem(n) for n in notes)], shared.registry_file, shared.lost)
    if problems:
        raise InputError(problems)

    def read(name: str) -> bytes:
        path = shared.root / name
        return path.read_bytes() if path.is_file() else b""

    info = PartInfo(index, shards, installed_version(), code_digest(),
                    digest(read(REGISTRY_FILE), read(DATASET_FILE), "\n".join(names).encode("utf-8")),
                    len(names), facts_digest(names), given.key, shapes_digest(options.shapes), drafts,
                    tuple(name for _, name in mine))
    return Part(info, replace(shared, facts_paths=()), given.base, units)


def build_part(seeds: Path, out: Path, base: str | None, options: Options, shard: tuple[int, int], *,
               progress: Progress | None = None, drafts: bool = False) -> BuildResult:
    """Build shard ``shard`` of ``seeds`` into the part folder ``out`` (see ``output.parts``), whole or not at all."""
    from kgpub import execution
    from kgpub.output import folder
    from kgpub.output.parts import write_part
    from kgpub.pipeline.results import build_result

    out = Path(out)
    with execution.build_lock(out):
        folder.check_replaceable(out, Path(seeds))
        part = make_part(Path(seeds), base, options, shard, progress=progress, drafts=drafts)
        with execution.Stage(out) as stage:
            files = write_part(part, stage.path)
            stage.swap()
    triples = len({line for u in part.units if u.lines is not None for line in u.lines.data})
    result = build_result(out, replace(part.shared, registry=()), part.units, triples, files, None, True, 0)
    return replace(result, shard=shard, notes=tuple(n for u in part.units for n in u.notes))


def merge(paths: list[Path], out: Path, options: Options) -> BuildResult:
    """Join the part folders ``paths`` (every shard of one corpus) into the build ``out``: the bytes a single
    build of the corpus writes.  Every part is checked before anything is read or written."""
    from kgpub.execution import build_lock, collector_paused
    from kgpub.output import folder
    from kgpub.output.parts import check_parts, read_info, read_part

    paths = [Path(p) for p in paths]
    infos = [read_info(path) for path in paths]
    order = check_parts([(str(p), i) for p, i in zip(paths, infos)], code_digest(),
                        shapes_digest(options.shapes) if options.validate else None)
    out = Path(out)
    folder.check_replaceable(out)
    if any(out.resolve() == p.resolve() for p in paths):
        raise UsageError(f"{out}: is one of the shards being merged; write the build to another folder")
    folder.check_draft_target(out, infos[0].drafts)
    parts = [read_part(paths[n], infos[n]) for n in order]
    with collector_paused(), build_lock(out):
        return join(parts, out, options)


def join(parts: list[Part], out: Path, options: Options) -> BuildResult:
    """The build of every shard's units, as a full build of the corpus makes it (``stages.assemble``)."""
    from kgpub.pipeline import stages
    from kgpub.pipeline.cache import BuildCache

    first = parts[0]
    given = stages.Inputs(first.shared, first.base, first.info.key)
    stages.check_release(given.shared, out)
    units = sorted((u for part in parts for u in part.units), key=lambda u: u.facts_file)  # the corpus's order
    result = stages.assemble(given, BuildCache(given.key), units, out, options)
    assert result is not None  # only a cache entry can fail to be read, and a merge has none
    return stages.mark_draft(result, first.info.drafts)


@dataclass(frozen=True)
class ShardTask:
    """One shard to build on a Dask worker: where the seeds folder is there, and how to build it."""

    seeds: Path
    base: str | None
    options: Options
    shard: tuple[int, int]
    drafts: bool


def run_shard(task: ShardTask) -> Part | list[Diagnostic]:
    """A Dask task: the shard's part, or the problems of its articles (returned, not raised, so every shard's
    are listed together)."""
    try:
        return make_part(task.seeds, task.base, task.options, task.shard, drafts=task.drafts)
    except InputError as exc:
        return list(exc.diagnostics)


def build_sharded(seeds: Path, out: Path, base: str | None, options: Options, shards: int, scheduler: str, *,
                  drafts: bool = False) -> BuildResult:
    """Build ``seeds`` into ``out`` in ``shards`` shards run on the Dask cluster ``scheduler`` (an address, or
    ``local``), then joined here: the same bytes as a single build.

    Every worker must see the seeds folder at the same absolute path as this process (a shared file
    system, or a copy at that path) and run the same kgpub; the parts come back as the tasks' results.
    """
    from kgpub.execution import build_lock, collector_paused, on_dask
    from kgpub.output import folder
    from kgpub.output.parts import check_parts, check_shards

    check_shards(shards)
    seeds, out = Path(seeds).absolute(), Path(out)
    folder.check_replaceable(out, seeds)
    folder.check_draft_target(out, drafts)
    shapes = Path(options.shapes).absolute() if options.shapes else None
    alone = replace(options, shapes=shapes, workers=1)  # a Dask worker is one process: the shards are the parallelism
    outcomes = on_dask(run_shard, [ShardTask(seeds, base, alone, (i, shards), drafts) for i in range(shards)],
                       scheduler)
    problems = [d for outcome in outcomes if isinstance(outcome, list) for d in outcome]
    if problems:
        raise InputError(problems)
    parts = [outcome for outcome in outcomes if isinstance(outcome, Part)]
    order = check_parts([(f"shard {p.info.name}", p.info) for p in parts], code_digest(),
                        shapes_digest(options.shapes) if options.validate else None)
    with collector_paused(), build_lock(out):
        return join([parts[n] for n in order], out, options)
