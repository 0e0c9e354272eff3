"""The incremental build: the previous build patched for the few articles that changed.

Every article owns its nodes, so what a changed article contributes is exactly its own blocks in each file,
its own named graphs and its own nodes' validation results; see :func:`patch_build`.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgpub.pipeline.articles import ArticleUnit, summary
from kgpub.pipeline.results import BuildResult, Options, build_result
from kgpub.rdf import vocab

if TYPE_CHECKING:
    from kgpub.corpus.facts import Shared, Source
    from kgpub.pipeline.cache import BuildCache, Entry
    from kgpub.shacl.validation import Report


#: Above this share of changed articles, a full build is faster than patching the previous one.
UPDATE_SHARE = 0.1


def build_state(registry: list[str], registry_origins: dict[str, Source], units: list[ArticleUnit],
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
    from kgpub.shacl.core import known_datatypes

    return {"registry": registry, "registry_origins": registry_origins, "shared": shared,
            "results": report.results if report is not None else None, "well_typed": known_datatypes(),
            "plan": plan}  # the shapes' compiled checks: valid as long as the cache, whose key covers the shapes


def _subject(line: str) -> str:
    return line[: line.index("> ") + 1]


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


def patch_build(shared: Shared, mint: Any, store: BuildCache, found: list[ArticleUnit | Entry], out: Path,
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
    from kgpub.output import serialization
    from kgpub.shacl import validation
    from kgpub.pipeline.cache import Entry, save, write_layout
    from kgpub.sparql.querying import index_by_update, install_index, previous_index
    from kgpub.shacl.core import known_datatypes

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
                layouts = serialization.patch_files(out, staged, previous["files"],  # type: ignore[index]
                                                    [u.lines for u in old if u.lines is not None],
                                                    [u.lines for u in changed if u.lines is not None], shared_before, shared_after, mint)
                execution.link_files(out / "articles", staged / "articles",
                                     (f"{u.summary.id}.ttl" for u in found if isinstance(u, Entry)))
                entries = serialization.by_subject(state["registry"])
                for unit in changed:
                    (staged / "articles" / f"{unit.id}.ttl").write_bytes(
                        serialization.article_file(unit.lines.data, entries, mint.base))  # type: ignore[union-attr]
                os.link(out / "ontology.ttl", staged / "ontology.ttl")
                stats = previous["stats"] - serialization.stats_of(sorted(removed)) + serialization.stats_of(sorted(added))  # type: ignore[index]
                sizes = {name: (staged / name).stat().st_size for name in serialization.MEDIA_TYPES}
                (staged / "void.ttl").write_bytes(serialization.void_file(
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
                    from kgpub.shacl.core import remember_datatypes

                    remember_datatypes(state.get("well_typed", {}))  # spares importing pySHACL for known literals
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
                save(staged, store, {u.facts_file: u for u in found}, {u.facts_file: summary(u) for u in changed},
                     {u.facts_file: u.deps for u in changed},
                     {**state, "shared": counts, "results": report.results if report is not None else None,
                      "well_typed": known_datatypes(), "plan": plan})
                stage.swap()
    except OSError:  # the previous build's files are not what its layout says (edited, removed): render anew
        return None
    names = tuple(sorted([*serialization.MEDIA_TYPES, "void.ttl", *(f"articles/{u.id}.ttl" for u in summaries)]))
    return build_result(out, shared, summaries, stats.triples, names if written else (), report, written, store.hits)

