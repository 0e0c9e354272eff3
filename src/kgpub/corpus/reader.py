"""Stage 1: a seeds folder read into the model, with every problem of every file in one run.

Everything a curator can get wrong is caught before any RDF exists, and reported with the file and line of the
mistake: YAML syntax (``yaml_lines``), unknown keys with the nearest valid one and wrong types (``schema``),
duplicate ids, references to ids that do not exist, impossible dates and misquotes (``checks``).  The schema's
findings mark what the checks leave alone, and each check reads the rest; only a file without problems is
converted into a typed ``Article`` (``convert``).  This module reads the dataset description and the registry
(each registry entry on its own: one wrong entry leaves the others readable), lists the facts files, reads each
one, and checks what no single file can: an article id used twice, a merge that loops.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from kgpub.corpus.checks import FactsFile, check_file
from kgpub.corpus import convert
from kgpub.corpus.convert import Reader, many
from kgpub.corpus.dates import parse_date
from kgpub.corpus.model import (
    DATASET_FILE,
    FACTS_SUFFIX,
    REGISTRY_FILE,
    RESERVED_IDS,
    Article,
    Corpus,
    Dataset,
    Entity,
    SharedEvent,
    Source,
)
from kgpub.corpus.schema import Document, validate
from kgpub.corpus.texts import article_text
from kgpub.corpus.yaml_lines import empty, field_name, read_yaml
from kgpub.errors import Diagnostic, InputError


def _parsed(path: Path, root: Path, schema: str, problems: list[Diagnostic]) -> Document | None:
    """A YAML document with its JSON Schema's findings (added to ``problems``); None when it is not YAML."""
    shown = path.relative_to(root).as_posix()
    try:
        doc = read_yaml(path, shown)
    except InputError as exc:
        problems.extend(exc.diagnostics)
        return None
    document = validate(empty() if doc is None else doc, schema, shown)
    problems.extend(document.problems)
    return document


def load_shared(root: Path | str) -> Corpus:
    """Read the dataset description and the registry, and list the facts files; collect every problem.
    The corpus has no articles yet: a build reads each in a worker (:func:`read_article`), a check too.

    Each registry entry is read on its own: an entry with a mistake is reported and left out, and its id
    stays known (``Corpus.unreadable``), so the articles' references are checked in the same run.
    """
    root = Path(root)
    if not root.is_dir():
        raise InputError([Diagnostic(str(root), None, "", "no such folder")])
    problems: list[Diagnostic] = []
    dataset = _dataset(root, problems)
    registry: dict[str, Entity] = {}
    events: list[SharedEvent] = []
    unreadable: set[str] = set()
    lost = False
    registry_path = root / REGISTRY_FILE
    registry_shown = None
    if registry_path.is_file():
        registry_shown = registry_path.relative_to(root).as_posix()
        document = _parsed(registry_path, root, "entities", problems)
        if document is None:
            lost = True
        else:
            reader = Reader(registry_shown, document.doc)
            defined, lost = _registry_entities(document, reader, registry, unreadable, problems)
            events, lost_events = _shared_events(document, reader, defined, registry, unreadable, problems)
            lost = lost or lost_events
            problems += _merge_problems(registry, defined, registry_shown)
    facts_paths = sorted(root.rglob(f"*{FACTS_SUFFIX}"), key=Path.as_posix)  # all under root: its order
    if not facts_paths:
        problems.append(Diagnostic(str(root), None, "", f"no *{FACTS_SUFFIX} files found"))
    return Corpus(root, dataset, tuple(registry.values()), registry_shown, tuple(facts_paths), tuple(problems),
                  tuple(events), frozenset(unreadable), lost)



def _merge_problems(registry: dict[str, Entity], defined: dict[str, int], shown: str) -> list[Diagnostic]:
    """A merge into an entity the registry lacks, into itself, or around a loop (a into b into a): one line each."""
    problems = []
    into = {e.id: e.merged_into for e in registry.values() if e.merged_into}
    looped: set[str] = set()
    for start, target in sorted(into.items()):
        line = defined.get(start)
        if target == start:
            problems.append(Diagnostic(shown, line, "merged_into", f"{start!r} cannot be merged into itself"))
        elif target not in registry and target not in defined:
            problems.append(Diagnostic(shown, line, "merged_into", f"no entity {target!r} in the registry to merge "
                                                                  f"{start!r} into"))
        elif start not in looped:
            chain, current = [start], target
            while current in into and current not in chain:
                chain.append(current)
                current = into[current]
            if current in chain and current != chain[-1] or current == start:
                loop = chain[chain.index(current):]
                looped.update(loop)
                problems.append(Diagnostic(shown, defined.get(loop[0]), "merged_into", "merges loop: " + " → ".join(
                    [*(repr(x) for x in loop), repr(loop[0])]) + "; one entity of them must stay unmerged"))
    return problems


def _dataset(root: Path, problems: list[Diagnostic]) -> Dataset:
    """``dataset.yaml``'s description of the graph, or a default one (its problems added to ``problems``)."""
    dataset = Dataset(title=f"kgpub knowledge graph of {root.resolve().name}", description="", license=None,
                      publisher=None, homepage=None, created=None, base=None, download=None)
    path = root / DATASET_FILE
    document = _parsed(path, root, "dataset", problems) if path.is_file() else None
    if document is None:
        return dataset
    doc = document.doc
    for key in ("created", "issued", "modified"):
        value = document.get(key)
        if value is not None:
            try:
                parse_date(value)
            except ValueError as exc:
                problems.append(Diagnostic(path.relative_to(root).as_posix(), document.line(key), key, str(exc)))
    if document.flawed:
        return dataset
    return Dataset(title=doc["title"], description=doc["description"], license=doc["license"],
                   publisher=doc.get("publisher"), homepage=doc.get("homepage"), created=doc["created"],
                   base=doc.get("base"), download=doc.get("download"), version=doc.get("version"),
                   previous_version=doc.get("previous_version"), issued=doc.get("issued"), modified=doc.get("modified"),
                   full_text=dict(doc.get("full_text") or {}),
                   full_text_lines={key: document.line("full_text", key) for key in (doc.get("full_text") or {})})


def load_dataset(root: Path | str) -> Dataset:
    """Only the dataset description of a seeds folder (what ``kgpub site`` and ``serve`` need of it): raises
    :class:`InputError` with every problem of dataset.yaml."""
    problems: list[Diagnostic] = []
    dataset = _dataset(Path(root), problems)
    if problems:
        raise InputError(problems)
    return dataset


def _registry_entities(document: Document, reader: Reader, registry: dict[str, Entity], unreadable: set[str],
                       problems: list[Diagnostic]) -> tuple[dict[str, int], bool]:
    """The registry's entities into ``registry`` (ids of entries with mistakes into ``unreadable``); returns
    the line of every id defined, and whether some entry's id could not be read."""
    shown = reader.shown
    doc = document.doc
    lost = document.lost("entities") or not isinstance(doc, dict) or "entities" not in doc
    defined: dict[str, int] = {}
    for i, item in document.items("entities"):
        some_id = document.get("entities", i, "id")
        line = reader.source("entities", i).line
        if not isinstance(some_id, str):
            lost = True
            continue
        if some_id in defined:
            problems.append(Diagnostic(shown, line, "id", f"duplicate id {some_id!r}: already defined at line "
                                                          f"{defined[some_id]}"))
            continue
        defined[some_id] = line
        if some_id in RESERVED_IDS:
            problems.append(Diagnostic(shown, line, "id", f"{some_id!r} is reserved; choose another id"))
            unreadable.add(some_id)
        elif item.get("evidence"):
            problems.append(Diagnostic(shown, line, "evidence",
                                       "registry entities carry no evidence; quote them in an article's facts"))
            unreadable.add(some_id)
        elif document.typable("entities", i):
            registry[some_id] = reader.entity(item, "entities", i)
        else:
            unreadable.add(some_id)
    return defined, lost


def _shared_events(document: Document, reader: Reader, defined: dict[str, int], registry: dict[str, Entity],
                   unreadable: set[str], problems: list[Diagnostic]) -> tuple[list[SharedEvent], bool]:
    """The registry's shared events, each id new and each place a registry entity; and whether some entry's
    id could not be read."""
    lost = document.lost("events")
    out: dict[str, SharedEvent] = {}
    lines = dict(defined)
    for i, item in document.items("events"):
        some_id, line = document.get("events", i, "id"), document.line("events", i, "id")
        where = field_name(["events", i, "id"])
        if not isinstance(some_id, str):
            lost = True
            continue
        if some_id in lines:
            problems.append(Diagnostic(reader.shown, line, where, f"duplicate id {some_id!r}: already defined at line "
                                                                  f"{lines[some_id]}"))
            continue
        lines[some_id] = reader.source("events", i).line
        if some_id in RESERVED_IDS:
            problems.append(Diagnostic(reader.shown, line, where, f"{some_id!r} is reserved; choose another id"))
            unreadable.add(some_id)
            continue
        place = document.get("events", i, "place")
        if isinstance(place, str) and place not in registry and place not in unreadable:
            near = difflib.get_close_matches(place, sorted(registry), n=1, cutoff=0.6)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            problems.append(Diagnostic(reader.shown, document.line("events", i, "place"),
                                       field_name(["events", i, "place"]),
                                       f"reference to undefined entity id {place!r}{hint}"))
        date = reader.date(document.get("events", i, "date"), "events", i, "date")
        if document.typable("events", i):
            out[some_id] = SharedEvent(some_id, many(item["type"]), item["label"].strip(), item.get("description"),
                                       date, place, reader.source("events", i))
        else:
            unreadable.add(some_id)
    problems.extend(reader.problems)
    reader.problems.clear()
    return list(out.values()), lost


@dataclass(frozen=True)
class ArticleRead:
    """What reading one facts file gave: its typed article when nothing is wrong, and every problem it has."""

    facts_file: str
    article: Article | None
    problems: tuple[Diagnostic, ...]
    id: str | None = None  # the article's id when it can be read: ids are compared across files
    source: Source | None = None


def read_article(path: Path, root: Path, registry: dict[str, Entity], shared_events: frozenset[str] = frozenset(),
                 unreadable: frozenset[str] = frozenset(), typed: bool = True, drafts: bool = False) -> ArticleRead:
    """One facts file (and its article text) checked by every check of ``checks.CHECKS``, each on the parts
    of the file the others left readable, so a run reports every problem, not the first kind found.

    Only a file without problems becomes a typed Article (``typed=False``: never, for a check alone).
    """
    shown = path.relative_to(root).as_posix()
    try:
        doc = read_yaml(path, shown)
    except InputError as exc:  # not YAML: nothing else in it can be read
        return ArticleRead(shown, None, tuple(exc.diagnostics))
    document = validate(empty() if doc is None else doc, "facts", shown)
    text = article_text(document, path, root, shown)
    problems = check_file(FactsFile(shown, document, text, registry, shared_events, unreadable, drafts))
    article_id = document.get("article", "id")
    if problems or not typed:
        known = article_id if isinstance(article_id, str) else None
        return ArticleRead(shown, None, tuple(problems), known, Source(shown, document.line("article") or 1))
    reader = Reader(shown, doc)
    article = convert.article(reader, text)
    if reader.problems:  # what the checks found nothing wrong with reads without a problem; kept as a safeguard
        return ArticleRead(shown, None, tuple(reader.problems), article.id, article.source)
    return ArticleRead(shown, article, (), article.id, article.source)


def load_article(path: Path, root: Path, registry: dict[str, Entity],
                 shared_events: frozenset[str] = frozenset(),
                 unreadable: frozenset[str] = frozenset(), drafts: bool = False) -> tuple[Article | None, list[Diagnostic]]:
    """One facts file (and its article text) read and checked; every problem it has, not just the first.

    An item still marked ``drafted: true`` is a problem unless ``drafts`` (a draft build, kept apart)."""
    read = read_article(path, root, registry, shared_events, unreadable, drafts=drafts)
    return read.article, list(read.problems)


class _Identified(Protocol):
    """An article or what stands for one (a build's unit): its id, file and line."""

    @property
    def id(self) -> str | None: ...
    @property
    def facts_file(self) -> str: ...
    @property
    def source(self) -> Source | None: ...


def check_articles(articles: Iterable[_Identified], shared: Corpus) -> list[Diagnostic]:
    """Problems between articles: an article id used twice, or also used by a registry entity."""
    problems = []
    seen: dict[str, str] = {}
    registry = {e.id for e in shared.registry} | shared.unreadable
    for article in articles:
        if article.id is None:
            continue
        line = article.source.line if article.source else None
        if article.id in seen:
            problems.append(Diagnostic(article.facts_file, line, "article.id",
                                       f"duplicate article id {article.id!r}: already used by {seen[article.id]}"))
            continue
        if article.id in registry:
            problems.append(Diagnostic(article.facts_file, line, "article.id",
                                       f"article id {article.id!r} is also an entity id in {shared.registry_file}"))
        seen[article.id] = article.facts_file
    return problems


def check_full_text(article_ids: Iterable[str], dataset: Dataset) -> list[Diagnostic]:
    """dataset.yaml's full_text may only name articles of the corpus: a misspelt id would silently leave the
    choice to the licence.  Asked only when every article could be read (else its id is unknown)."""
    return [Diagnostic(DATASET_FILE, dataset.full_text_lines.get(article_id), f"full_text.{article_id}",
                       f"no article has the id {article_id!r}")
            for article_id in sorted(set(dataset.full_text) - set(article_ids))]


def without_cascade(problems: list[Diagnostic], registry_file: str | None, lost: bool = True) -> list[Diagnostic]:
    """Every problem, but when the registry lost ids (``Corpus.lost``), not the articles' references to ids it
    may define: one line, after the registry's own mistakes, says how many were left unchecked, instead of a
    hundred misleading "undefined entity" lines."""
    if not lost or registry_file is None or not any(d.file == registry_file for d in problems):
        return problems
    undefined = [d for d in problems if d.file != registry_file
                 and d.message.startswith(("reference to undefined", "report of undefined"))]
    if not undefined:
        return problems
    kept = [d for d in problems if d not in undefined]
    kept.append(Diagnostic(registry_file, None, "", f"{len(undefined)} reference(s) in the articles to ids the "
                                                    f"registry should define were not checked: fix {registry_file} first"))
    return kept


def load(root: Path | str) -> Corpus:
    """Read the seeds folder ``root``: registry, dataset description and every facts file.

    Raises :class:`InputError` listing every problem found, so nothing later in
    the pipeline ever sees half-valid input.
    """
    shared = load_shared(root)
    problems = list(shared.problems)
    registry = shared.entity_index
    articles: list[Article] = []
    reads = [read_article(path, shared.root, registry, shared.event_ids, shared.unreadable)
             for path in shared.facts_paths]
    for read in reads:
        problems.extend(read.problems)
        if read.article is not None:
            articles.append(read.article)
    problems.extend(check_articles(reads, shared))
    if len(articles) == len(reads):
        problems.extend(check_full_text((a.id for a in articles), shared.dataset))
    if problems:
        raise InputError(without_cascade(problems, shared.registry_file, shared.lost))
    return replace(shared, articles=tuple(articles))
