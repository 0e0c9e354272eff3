"""Stage 1b — one thing under two names: duplicate entities caught before they are published.

An article may define an entity of its own (``entities:`` in its facts) that
the registry already holds under another spelling: "Kataib Hezbollah" beside
the registry's Kataeb Hezbollah, "Mustafa Khadimi" beside Mustafa al-Kadhemi.
Built as two IRIs, every count and every "about" over the corpus would split
in two.  So each article's entities are compared with the registry's names and
aliases under two keys:

* the **name key** (case, diacritics, hyphens, apostrophes and the Arabic
  article "al-"/"el-" ignored): equal keys are the same name written otherwise,
  a **warning** naming both ids;
* the **transliteration key**, a consonant skeleton that folds the ways Arabic
  and Persian names are written in Latin letters (kh/k, dh/d/z, q/k, doubled
  letters, vowels): equal skeletons, or skeletons one edit apart (rapidfuzz's
  Levenshtein distance) whose words start with the same letters, are a
  **hint** with the candidate id and the one-line fix.  Comparing whole
  strings by similarity instead took "Iraqi security sources" for "Iraqi
  security forces": the words' first letters keep such names apart.

The keys are built once per registry, so an article costs a few dictionary
lookups per name (see the benchmark).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace

from kgpub.corpus.model import Corpus, Entity, Event, SharedEvent, referenced_ids

#: The Arabic article as it is written before a name (al-, el-, and the sun-letter forms ad-, ash-, ...).
_ARTICLES = frozenset({"al", "el", "ad", "ar", "as", "ash", "at", "az", "an", "ed", "es", "et"})
_DIGRAPHS = (("kh", "k"), ("gh", "g"), ("dh", "d"), ("th", "t"), ("sh", "s"), ("ph", "f"), ("ou", "u"),
             ("ee", "i"), ("oo", "u"), ("ck", "k"))
_LETTER_MAP = {"q": "k", "c": "k", "z": "d", "w": "v", "y": "i", "x": "k"}
_LETTERS = str.maketrans(_LETTER_MAP)
_VOWELS = frozenset("aeiou")
#: The apostrophes and Arabic transliteration marks (ayn, hamza) a name may carry: dropped, not a word break.
_MARKS = "\u02bb\u02bc\u02be\u02bf'’`ʿʾ"
#: Skeletons this long or longer may be one edit apart and still hint (shorter ones must be equal).
NEAR_LENGTH = 6


def name_key(text: str) -> str:
    """The name as a comparison sees it: lower case, no diacritics, hyphens or apostrophes, no "al-"."""
    return " ".join(t for t in _tokens(text) if t not in _ARTICLES) or " ".join(_tokens(text))


def skeleton(text: str) -> str:
    """A transliteration-aware key: each word's consonants, after folding the usual Latin spellings."""
    return " ".join(_skeleton(t) for t in name_key(text).split())


def _tokens(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    plain = re.sub(f"[{_MARKS}]", "", plain.lower())
    return [t for t in re.split(r"[^a-z0-9]+", plain) if t]


def _skeleton(word: str) -> str:
    for digraph, letter in _DIGRAPHS:
        word = word.replace(digraph, letter)
    word = word.translate(_LETTERS)
    kept = word[:1] + "".join(c for c in word[1:] if c not in _VOWELS)
    return re.sub(r"(.)\1+", r"\1", kept)


def rules() -> dict[str, object]:
    """The tables :func:`name_key` and :func:`skeleton` fold by, as JSON-able data: a reader's search in a browser
    (``web/static/find.js``) folds what is typed by these same tables, so a name is found under the spellings
    duplicate detection takes for one name, and a change of a table here changes both."""
    return {"articles": sorted(_ARTICLES), "digraphs": [list(pair) for pair in _DIGRAPHS], "letters": _LETTER_MAP,
            "vowels": "".join(sorted(_VOWELS)), "marks": _MARKS, "near": NEAR_LENGTH}


@dataclass(frozen=True)
class Note:
    """A warning or a hint about one entity of a facts file: located like a Diagnostic, never an error."""

    file: str
    line: int | None
    field: str
    severity: str  # warning | hint
    message: str
    #: The id of the registry entity (or shared event) the entity (or event) may be: what the message names.
    candidate: str | None = None

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line is not None else "")
        return f"{where}: {self.field}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class _Known:
    id: str
    name: str
    where: str


class Index:
    """The registry's names and aliases under both keys, built once for a corpus."""

    def __init__(self, registry: Iterable[Entity], events: Iterable[SharedEvent] = ()) -> None:
        #: The registry's shared events by (date, place): an article's own event that matches one, in type
        #: too, is most likely an account of it.
        self.events: dict[tuple[str, str | None], list[SharedEvent]] = {}
        for event in events:
            if event.date is not None:
                self.events.setdefault((event.date.lexical, event.place), []).append(event)
        self.exact: dict[str, list[_Known]] = {}
        self.near: dict[str, list[_Known]] = {}
        self._by_initials: dict[str, list[str]] = {}
        for entity in registry:
            known = _Known(entity.id, entity.name, f"{entity.source.file}:{entity.source.line}")
            for name in (entity.name, *entity.aliases):
                _add(self.exact, name_key(name), known)
                _add(self.near, skeleton(name), known)
        for key in sorted(self.near):
            self._by_initials.setdefault(_initials(key), []).append(key)

    def notes(self, entity: Entity) -> list[Note]:
        """What the registry already holds that ``entity`` may be: a warning, else a hint, else nothing."""
        names = (entity.name, *entity.aliases)
        field = f"entities[{entity.id}]"
        exact = {k.id: (name, k) for name in names for k in self.exact.get(name_key(name), ())}
        if exact:
            return [Note(entity.source.file, entity.source.line, field, "warning",
                         f"{entity.id!r} ({name!r}) is registry entity {k.id!r} ({k.name!r}, {k.where}) by another "
                         f"spelling; use the id {k.id!r} and drop this entity", k.id)
                    for _, (name, k) in sorted(exact.items())]
        near: dict[str, tuple[str, _Known, int]] = {}
        for name in names:
            for k, score in self._near(skeleton(name)):
                near.setdefault(k.id, (name, k, score))
        return [Note(entity.source.file, entity.source.line, field, "hint",
                     f"{entity.id!r} ({name!r}) may be registry entity {k.id!r} ({k.name!r}, {k.where}); if it is, "
                     f"use the id {k.id!r} and drop this entity", k.id)
                for _, (name, k, _) in sorted(near.items())]

    def event_notes(self, event: Event) -> list[Note]:
        """A hint when an article's own event has the date, place and a type of a shared event."""
        if event.shared or event.date is None:
            return []
        return [Note(event.source.file, event.source.line, f"events[{event.id}]", "hint",
                     f"{event.id!r} has the date, place and type of shared event {shared.id!r} ({shared.label!r}, "
                     f"{shared.source.file}:{shared.source.line}); if it is the same event, write "
                     f"'report: {shared.id}' instead of defining it", shared.id)
                for shared in self.events.get((event.date.lexical, event.place), ())
                if set(shared.types) & set(event.types)]

    def _near(self, key: str) -> list[tuple[_Known, int]]:
        """Registry names whose skeleton is ``key``, or one edit from it with words of the same initials."""
        if not key:
            return []
        found = [(k, 0) for k in self.near.get(key, ())]
        if len(key) >= NEAR_LENGTH:
            from rapidfuzz.distance import Levenshtein

            for other in self._by_initials.get(_initials(key), ()):
                if other != key and len(other) >= NEAR_LENGTH and Levenshtein.distance(key, other, score_cutoff=1) <= 1:
                    found += [(k, 1) for k in self.near[other]]
        return found


def _initials(key: str) -> str:
    return "".join(word[0] for word in key.split())


def _add(table: dict[str, list[_Known]], key: str, known: _Known) -> None:
    bucket = table.setdefault(key, [])
    if all(k.id != known.id for k in bucket):
        bucket.append(known)


# --------------------------------------------------------------------------- the corpus's entities, for curation


@dataclass(frozen=True)
class EntityRow:
    """One entity of a corpus: where it is defined, the articles that mention it, what it may duplicate."""

    id: str
    name: str
    defined: str  # file:line
    articles: tuple[str, ...]
    candidates: tuple[tuple[str, str], ...]  # (id, "warning" | "hint")


def corpus_entities(corpus: Corpus) -> list[EntityRow]:
    """Each entity of the corpus with its articles and merge candidates: the registry's against each article's
    own entities, and the articles' own entities against each other (the same group defined twice)."""
    index = Index(corpus.registry)
    mentioned: dict[str, set[str]] = {}
    for article in corpus.articles:
        for some_id in referenced_ids(article):
            mentioned.setdefault(some_id, set()).add(article.id)
    rows: dict[str, EntityRow] = {}
    candidates: dict[str, set[tuple[str, str]]] = {}
    for entity in corpus.registry:
        rows[entity.id] = EntityRow(entity.id, entity.name, f"{entity.source.file}:{entity.source.line}",
                                    tuple(sorted(mentioned.get(entity.id, ()))), ())
    local: list[tuple[str, Entity]] = []
    for article in corpus.articles:
        for entity in article.entities:
            key = f"{article.id}/{entity.id}"
            local.append((key, entity))
            found = {(note.candidate, note.severity) for note in index.notes(entity) if note.candidate}
            candidates[key] = found
            for other, severity in found:
                candidates.setdefault(other, set()).add((key, severity))
            rows[key] = EntityRow(key, entity.name, f"{entity.source.file}:{entity.source.line}", (article.id,), ())
    by_name: dict[str, list[str]] = {}
    by_skeleton: dict[str, list[str]] = {}
    for key, entity in local:
        for name in (entity.name, *entity.aliases):
            by_name.setdefault(name_key(name), []).append(key)
            by_skeleton.setdefault(skeleton(name), []).append(key)
    for table, severity in ((by_skeleton, "hint"), (by_name, "warning")):
        for keys in table.values():
            for a in keys:
                for b in keys:
                    if a.split("/")[0] != b.split("/")[0]:  # the same article cannot define an id twice
                        candidates[a].discard((b, "hint"))
                        candidates[a].add((b, severity))
    return [replace(row, candidates=tuple(sorted(candidates.get(row.id, ())))) for _, row in sorted(rows.items())]


def entities_table(rows: list[EntityRow]) -> str:
    """The rows as text: one entity a line, its articles and candidates, merge candidates first."""
    lines = []
    for row in sorted(rows, key=lambda r: (not r.candidates, r.id)):
        said = ", ".join(f"{other} ({severity})" for other, severity in row.candidates) or "-"
        lines.append(f"{row.id}\t{row.name}\t{row.defined}\t{len(row.articles)} article(s): "
                     f"{', '.join(row.articles) or '-'}\tmay be: {said}")
    merge = sum(1 for r in rows if r.candidates)
    lines.append(f"{len(rows)} entities, {merge} with merge candidates")
    return "\n".join(lines) + "\n"
