"""The incremental build: the previous build patched for the few articles that changed.

Every article owns its nodes, so what a changed article contributes is exactly its own blocks in each file,
its own named graphs and its own nodes' validation results; see :func:`patch_build`.  What a patch needs
of the previous build besides its units is the :class:`BuildState` the cache keeps, and the
:class:`FileLayouts` of its files.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgpub.pipeline.articles import ArticleUnit, summary
from kgpub.pipeline.results import BuildResult, Options, build_result
from kgpub.rdf import ntriples, vocab

if TYPE_CHECKING:
    from kgpub.corpus.model import Corpus, Source
    from kgpub.execution import Stage
    from kgpub.output.layout import Layout, Stats
    from kgpub.pipeline.cache import BuildCache, Entry
    from kgpub.pipeline.mapping import Minter
    from kgpub.rdf.ntriples import SortedLines
    from kgpub.shacl.report import Report, Result


#: Above this share of changed articles, a full build is faster than patching the previous one.
UPDATE_SHARE = 0.1


@dataclass(frozen=True)
class BuildState:
    """The build-wide part of the cache: what a patching rebuild needs besides the units."""

    #: The registry's data lines.
    registry: list[str]
    #: Where each registry node was stated (for the validation report's file and line).
    registry_origins: dict[str, Source]
    #: For every subject no single article owns (registry entities), how many sources state each of its
    #: lines, so a rebuild knows a subject's lines after an article stops or starts stating one.
    shared: dict[str, Counter[str]]
    #: The validation results of the whole graph; None when the build was not validated.
    results: tuple[Result, ...] | None
    #: The compiled shapes and their well-typed verdicts: valid as long as the cache (its key covers the shapes).
    plan: Any

    @classmethod
    def of(cls, registry: list[str], registry_origins: dict[str, Source], units: list[ArticleUnit],
           report: Report | None, plan: Any) -> BuildState:
        """The state a full build leaves: the shared subjects' lines counted over the registry and ``units``."""
        shared: dict[str, Counter[str]] = {}
        for line in registry:
            shared.setdefault(ntriples.subject(line), Counter())[line] += 1
        for unit in units:
            for line in unit.foreign:
                shared.setdefault(ntriples.subject(line), Counter())[line] += 1
        return cls(registry, registry_origins, shared, report.results if report is not None else None, plan)


@dataclass(frozen=True)
class FileLayouts:
    """Where every block of a build's whole-graph files sits, and the graph's counts (for ``void.ttl``)."""

    files: dict[str, Layout]
    stats: Stats


@dataclass(frozen=True)
class Change:
    """What a rebuild changes: the units it replaces, and every line of every subject they touch."""

    #: The previous units of the articles that changed or went.
    old: list[ArticleUnit]
    #: The new units of the articles that changed or came.
    changed: list[ArticleUnit]
    #: The shared subjects' line counts after the change (``BuildState.shared``).
    counts: dict[str, Counter[str]]
    #: For every shared subject the change touches, its lines before and after (sorted; empty when none).
    shared_before: dict[str, list[str]]
    shared_after: dict[str, list[str]]
    #: Every line of every subject the change touches, before and after.
    removed: set[str]
    added: set[str]


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
    touched = {ntriples.subject(line) for unit in (*old, *changed) for line in unit.foreign}
    counts = dict(shared)
    before = {}
    for subject in touched:
        counts[subject] = Counter(shared.get(subject, ()))
        before[subject] = sorted(line for line, n in counts[subject].items() if n > 0)
    for unit in old:
        for line in unit.foreign:
            counts[ntriples.subject(line)][line] -= 1
    for unit in changed:
        for line in unit.foreign:
            counts[ntriples.subject(line)][line] += 1
    after = {}
    for subject in touched:
        kept = +counts[subject]
        if kept:
            counts[subject] = kept
        else:
            del counts[subject]
        after[subject] = sorted(kept)
    return counts, before, after


def _change(state: BuildState, old: list[ArticleUnit], changed: list[ArticleUnit]) -> Change | None:
    """What replacing ``old`` by ``changed`` does to the graph; None when it needs a full validation."""
    counts, shared_before, shared_after = _shared_lines(state.shared, old, changed)
    if any(_types(shared_before[s]) != _types(shared_after[s]) for s in shared_before):
        return None  # nodes of other articles may link to it: their sh:class checks need a full validation
    removed = {line for u in old for line in _owned_lines(u)} | {
        line for lines in shared_before.values() for line in lines}
    added = {line for u in changed for line in _owned_lines(u)} | {
        line for lines in shared_after.values() for line in lines}
    return Change(old, changed, counts, shared_before, shared_after, removed, added)


def _graphs(unit: ArticleUnit, mint: Minter) -> list[tuple[str, SortedLines]]:
    """An article's named graphs with their lines: data and provenance."""
    lines = unit.lines
    assert lines is not None
    return [(str(mint.article_graph(lines.article_id)), lines.data),
            (str(mint.provenance_graph(lines.article_id)), lines.provenance)]


def _patch_files(out: Path, staged: Path, previous: FileLayouts, change: Change, state: BuildState,
                 shared: Corpus, mint: Minter, found: list[ArticleUnit | Entry],
                 summaries: list[ArticleUnit]) -> Stats:
    """Stage the previous build's files with the changed articles' blocks replaced; return the new counts."""
    from kgpub import execution
    from kgpub.output import blocks, folder, void, writers
    from kgpub.pipeline.cache import Entry, write_layout

    layouts = writers.patch_files(out, staged, previous.files,
                                  [u.lines for u in change.old if u.lines is not None],
                                  [u.lines for u in change.changed if u.lines is not None],
                                  change.shared_before, change.shared_after, mint)
    execution.link_files(out / "articles", staged / "articles",
                         (f"{u.summary.id}.ttl" for u in found if isinstance(u, Entry)))
    entries = blocks.by_subject(state.registry)
    for unit in change.changed:
        assert unit.lines is not None
        (staged / "articles" / f"{unit.id}.ttl").write_bytes(
            writers.article_file(unit.lines.data, entries, mint.base))
    os.link(out / "ontology.ttl", staged / "ontology.ttl")
    stats = previous.stats - void.stats_of(sorted(change.removed)) + void.stats_of(sorted(change.added))
    sizes = folder.staged_sizes(staged)
    (staged / "void.ttl").write_bytes(void.void_file(
        shared.dataset, mint, [u.id for u in summaries if u.id], stats, sizes,
        {u.id: u.rights for u in summaries if u.id}))
    write_layout(staged, FileLayouts(layouts, stats))
    return stats


@dataclass(frozen=True)
class _Checked:
    """The query index updated beside the build, and the report of the changed nodes' validation."""

    #: The updated index's folder (None when the build needs no index).
    location: Path | None
    #: Whether the updated index holds the named graphs too.
    with_graphs: bool
    report: Report | None
    plan: Any
    #: False when the shapes need what only pySHACL understands: then a full build validates everything.
    patched: bool = True


def _update_and_check(stage: Stage, previous_index: Path | None, change: Change, state: BuildState,
                      mint: Minter, options: Options) -> _Checked:
    """Update the previous query index graph by graph, and validate the changed nodes on it."""
    from kgpub.shacl import validation
    from kgpub.sparql.index import index_by_update

    plan = state.plan
    if previous_index is None:
        return _Checked(None, False, None, plan)
    location = stage.folder("index")
    with_graphs = index_by_update(location, previous_index, [g for u in change.old for g, _ in _graphs(u, mint)],
                                  [g for u in change.changed for g in _graphs(u, mint)],
                                  sorted(change.removed - change.added), sorted(change.added - change.removed))
    if not options.validate:
        return _Checked(location, with_graphs, None, plan)
    origins = dict(state.registry_origins)
    for unit in change.changed:
        origins.update(unit.origins)
    text = "".join(line for lines in change.counts.values() for line in lines) + "".join(sorted(change.added))
    plan = plan or validation.plan_for(validation.load_shapes(options.shapes))
    assert state.results is not None
    report = validation.revalidate(location / "store", state.results, change.removed, change.added, text,
                                   plan=plan, origins=origins, threads=options.workers)
    return _Checked(location, with_graphs, report, plan, patched=report is not None)


def patch_build(shared: Corpus, mint: Minter, store: BuildCache, found: list[ArticleUnit | Entry], out: Path,
                options: Options) -> BuildResult | None:
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
    from kgpub.output import folder
    from kgpub.pipeline.cache import Entry, save
    from kgpub.sparql.index import install_index, previous_index

    state = store.state
    fresh = [u for u in found if not isinstance(u, Entry)]
    present = {u.facts_file for u in found}
    before = [store.entries[u.facts_file] for u in fresh if u.facts_file in store.entries]
    before += [e for name, e in store.entries.items() if name not in present]
    needs_index = options.index or options.validate
    previous = store.layout() if store.folder is not None and isinstance(state, BuildState) else None
    old_index = previous_index(out) if previous is not None and needs_index else None
    if (not isinstance(previous, FileLayouts) or not isinstance(state, BuildState)
            or (needs_index and old_index is None) or not found
            or (options.validate and state.results is None)
            or len(fresh) + len(before) > UPDATE_SHARE * 2 * len(found)
            or not all(u.lines is not None for u in fresh)):
        return None
    try:
        old = [u for u in store.units(before) if u.lines is not None]
    except ValueError:  # a log that is not what the sealed manifest says: no patching from it
        return None
    change = _change(state, old, [u for u in fresh if u.lines is not None])
    if change is None:
        return None
    summaries = [u.summary if isinstance(u, Entry) else u for u in found]
    try:
        with execution.Stage(out) as stage:
            staged = stage.path
            # The files are mostly copied by the kernel and the index is queried by pyoxigraph, both
            # without the GIL: the files are patched in a thread while the index is updated and checked.
            running = execution.overlap(
                stage, lambda: _update_and_check(stage, old_index, change, state, mint, options),
                thread=lambda: _patch_files(out, staged, previous, change, state, shared, mint, found, summaries))
            checked = running.value
            if not checked.patched:  # shapes only pySHACL understands: validate everything
                return None
            assert running.beside is not None
            stats = running.beside.result()
            report = checked.report
            written = report is None or report.conforms(options.strict)
            if written:
                if options.index:
                    assert checked.location is not None
                    install_index(checked.location, staged, checked.with_graphs)
                save(staged, store, {u.facts_file: u for u in found},
                     {u.facts_file: summary(u) for u in change.changed},
                     {u.facts_file: u.deps for u in change.changed},
                     replace(state, shared=change.counts, results=report.results if report is not None else None,
                             plan=checked.plan))
                stage.swap()
    except OSError:  # the previous build's files are not what its layout says (edited, removed): render anew
        return None
    names = folder.build_files([u.id for u in summaries if u.id])
    return build_result(out, shared, summaries, stats.triples, names if written else (), report, written, store.hits)
