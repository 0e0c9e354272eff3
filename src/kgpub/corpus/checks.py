"""Every check of one facts file, each on its own, so one run reports every mistake of every file.

A check reads the YAML document as the curator wrote it, not a typed
``Article``: an Article exists only once nothing is wrong, and the misquote in
one event must be found even when another event has an unknown key.  Each
check skips the values the JSON Schema refused (the schema's line already says
what is wrong there; anything more about them would be a consequence) and,
when a mistake leaves something it would check meaningless, says in one line
what it left unchecked and why.

To add a check, write a function ``(FactsFile) -> Iterable[Diagnostic]`` and
append it to :data:`CHECKS`; ``kgpub check`` and ``kgpub build`` both run it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from kgpub.corpus import quotes
from kgpub.corpus.convert import Reader, quote
from kgpub.corpus.model import COUNT_QUALIFIERS, ENTITY_REFERENCES, RESERVED_IDS, Entity, Source
from kgpub.corpus.schema import Document
from kgpub.corpus.texts import ArticleText
from kgpub.corpus.yaml_lines import field_name
from kgpub.errors import Diagnostic


@dataclass(frozen=True)
class FactsFile:
    """One facts file as far as it could be read: what every check works on."""

    shown: str  # the facts file, relative to the seeds folder
    document: Document  # its YAML, with what its JSON Schema found wrong
    text: ArticleText  # the article's text, or why it cannot be read
    registry: Mapping[str, Entity]  # the registry's entities by id
    shared_events: frozenset[str] = frozenset()  # the registry's shared events
    unreadable: frozenset[str] = frozenset()  # ids of registry entries with mistakes of their own
    drafts: bool = False  # a draft build: items marked ``drafted: true`` are let through

    def diagnostic(self, path: tuple[Any, ...], message: str) -> Diagnostic:
        """A problem at ``path`` of the document: its line and its field name."""
        return Diagnostic(self.shown, self.document.line(*path), field_name(path), message)


Check = Callable[[FactsFile], Iterable[Diagnostic]]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# --------------------------------------------------------------------------- the article's text


#: The sections whose items carry ``evidence``; an event's counts carry their own.
EVIDENCE_SECTIONS = ("entities", "relations", "events", "accusations", "threats", "statements", "mentions")


def evidence(file: FactsFile) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every quote of the file the schema found nothing wrong with, with its path."""
    document = file.document
    for section in EVIDENCE_SECTIONS:
        for i, item in document.items(section):
            yield from _evidence_of(document, (section, i), item)
            counts = item.get("counts") if section == "events" else None
            if isinstance(counts, list) and document.reachable(section, i, "counts"):
                for j, count in enumerate(counts):
                    if isinstance(count, dict) and document.reachable(section, i, "counts", j):
                        yield from _evidence_of(document, (section, i, "counts", j), count)


def _evidence_of(document: Document, path: tuple[Any, ...], item: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    items = item.get("evidence")
    if not isinstance(items, list) or not document.reachable(*path, "evidence"):
        return
    for k, found in enumerate(items):
        whole = isinstance(found, str) or (isinstance(found, dict) and isinstance(found.get("quote"), str))
        if whole and document.typable(*path, "evidence", k):
            yield (*path, "evidence", k), found


def text(file: FactsFile) -> Iterable[Diagnostic]:
    """The article text must be readable; when it is not, its quotes cannot be looked for, and the line says so."""
    problem = file.text.problem
    if problem is None:
        return []
    unchecked = sum(1 for _ in evidence(file))
    if unchecked:
        problem = replace(problem, message=f"{problem.message}; the file's {_plural(unchecked, 'quote')} "
                                           f"{'was' if unchecked == 1 else 'were'} not checked")
    return [problem]


def quoted(file: FactsFile) -> Iterable[Diagnostic]:
    """Every quote must stand in the article's text, once (or with the occurrence it names)."""
    if file.text.text is None:
        return []
    out = []
    unplaced = Source(file.shown, 0)  # the line is looked up only for a quote that is not found
    for path, item in evidence(file):
        found = quotes.find(file.text.text, quote(item, unplaced), file.text.shown)
        if isinstance(found, Diagnostic):
            out.append(replace(found, line=file.document.line(*path) or 1))
    return out


# --------------------------------------------------------------------------- ids and references


#: The sections whose items define an id.
DEFINING = ("entities", "events", "accusations", "threats", "statements")
#: Keys that hold ids of facts of the same article (or of shared events), not of entities.
FACT_REFERENCES: dict[str, tuple[str, ...]] = {"events": ("in_response_to", "led_to"), "statements": ("about",)}


class _References:
    """The ids one facts file defines, and what its references to other ids find."""

    def __init__(self, file: FactsFile) -> None:
        self.file = file
        self.problems: list[Diagnostic] = []
        self.local: dict[str, int] = {}
        #: Items that define an id this check cannot read (its schema error says why): an "undefined" id
        #: may be theirs, so such references are counted, not reported.
        self.lost: list[str] = []
        self.unchecked = 0

    def reports(self) -> None:
        """Each ``report:`` names a shared event of the registry, at most once an article."""
        file, document = self.file, self.file.document
        reported: dict[str, int] = {}
        for i, item in document.items("events"):
            some_id = document.get("events", i, "report")
            if not isinstance(some_id, str):
                continue
            line = document.line("events", i, "report")
            if some_id in file.unreadable:
                continue
            if some_id not in file.shared_events:
                near = difflib.get_close_matches(some_id, sorted(file.shared_events), n=1, cutoff=0.6)
                hint = f"; did you mean {near[0]!r}?" if near else "; shared events are defined under events: in the registry"
                self.problems.append(file.diagnostic(("events", i, "report"),
                                                     f"report of undefined shared event id {some_id!r}{hint}"))
            elif some_id in reported:
                self.problems.append(file.diagnostic(("events", i, "report"), f"shared event {some_id!r} already "
                                                     f"reported at line {reported[some_id]}; one report an article, "
                                                     "with all its evidence"))
            else:
                reported[some_id] = line or 0

    def definitions(self) -> None:
        """Each id is new: not reserved, not the registry's, not defined twice in the file."""
        file, document = self.file, self.file.document
        for section in DEFINING:
            if document.lost(section):
                self.lost.append(section)
            for i, item in document.items(section):
                if section == "events" and "report" in item and "id" not in item:
                    continue
                some_id = document.get(section, i, "id")
                if not isinstance(some_id, str):
                    self.lost.append(field_name((section, i)))
                    continue
                path = (section, i, "id")
                if some_id in RESERVED_IDS:
                    self.problems.append(file.diagnostic(path, f"{some_id!r} is reserved; choose another id"))
                elif some_id in file.shared_events:
                    self.problems.append(file.diagnostic(path, f"{some_id!r} is a shared event of the registry; report "
                                                         f"it with 'report: {some_id}' instead of defining it again"))
                elif some_id in file.registry:
                    first = file.registry[some_id].source
                    self.problems.append(file.diagnostic(path, f"duplicate id {some_id!r}: already defined in "
                                                         f"{first.file}:{first.line}"))
                elif some_id in file.unreadable:
                    self.problems.append(file.diagnostic(path, f"duplicate id {some_id!r}: already defined in the "
                                                         "registry"))
                elif some_id in self.local:
                    self.problems.append(file.diagnostic(path, f"duplicate id {some_id!r}: already defined at line "
                                                         f"{self.local[some_id]}"))
                else:
                    self.local[some_id] = document.line(*path) or 0

    def ids(self, *sections: str) -> set[str]:
        document = self.file.document
        return {item["id"] for section in sections for i, item in document.items(section)
                if isinstance(document.get(section, i, "id"), str)}

    def check(self, value: Any, path: tuple[Any, ...], pool: set[str] | frozenset[str], what: str) -> None:
        if not isinstance(value, str) or value in pool or value in self.file.unreadable:  # sets: thousands of ids
            return
        if self.lost:
            self.unchecked += 1
            return
        near = difflib.get_close_matches(value, sorted(pool), n=1, cutoff=0.6)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        self.problems.append(self.file.diagnostic(path, f"reference to undefined {what} id {value!r}{hint}"))

    def check_all(self, path: tuple[Any, ...], keys: Iterable[str], pool: set[str] | frozenset[str],
                  what: str = "entity") -> None:
        """The ids under ``keys`` of the mapping at ``path``, each one or a list of them."""
        document = self.file.document
        for key in keys:
            value = document.get(*path, key)
            if isinstance(value, list):
                for j, one in enumerate(value):
                    self.check(one, (*path, key, j), pool, what)
            elif value is not None:
                self.check(value, (*path, key), pool, what)

    def summary(self) -> list[Diagnostic]:
        """The one line that says which references were left unchecked, and why."""
        if not self.unchecked:
            return []
        lost = ", ".join(self.lost[:3]) + (", ..." if len(self.lost) > 3 else "")
        return [Diagnostic(self.file.shown, None, "", f"{_plural(self.unchecked, 'reference')} to ids defined nowhere "
                                                      f"not checked: {lost} defines no readable id, which they may "
                                                      "name; fix that first")]


def references(file: FactsFile) -> Iterable[Diagnostic]:
    """Duplicate ids, and references to ids defined nowhere, each at the line of the id."""
    refs = _References(file)
    refs.reports()
    refs.definitions()
    known = file.registry.keys() | refs.local.keys() | file.shared_events
    refs.check_all(("article",), ENTITY_REFERENCES["article"], known)
    for section in ("relations", "events", "accusations", "threats", "statements", "mentions"):
        for i, _ in file.document.items(section):
            refs.check_all((section, i), ENTITY_REFERENCES[section], known)
    facts = refs.ids("events", "accusations", "threats", "statements") | file.shared_events
    for section, keys in FACT_REFERENCES.items():
        for i, _ in file.document.items(section):
            if section == "statements":  # a statement may be about an entity too ("demanded the withdrawal of ...")
                refs.check_all((section, i), keys, facts | known, "fact or entity")
            else:
                refs.check_all((section, i), keys, facts, "fact")
    events = refs.ids("events") | file.shared_events
    for i, item in file.document.items("accusations"):
        refs.check(file.document.get("accusations", i, "concerns"), ("accusations", i, "concerns"), events, "event")
        claims = item.get("claims")
        if isinstance(claims, list) and file.document.reachable("accusations", i, "claims"):
            for j, claim in enumerate(claims):
                if isinstance(claim, dict):
                    refs.check_all(("accusations", i, "claims", j), ENTITY_REFERENCES["claims"], known)
    return [*refs.problems, *refs.summary()]


# --------------------------------------------------------------------------- dates and numbers


#: For each section, the keys that hold a date as the text gives it.
DATES: dict[str, tuple[str, ...]] = {
    "relations": ("since", "until"), "events": ("date",), "accusations": ("date",), "threats": ("date",),
    "statements": ("date",),
}


def dates(file: FactsFile) -> Iterable[Diagnostic]:
    """Every date must be possible; a phrase ("last Saturday") must resolve against the publication date."""
    document = file.document
    reader = Reader(file.shown, document.doc)
    published = document.get("article", "published")
    if published is not None:
        reader.published = reader.published_date(published, "article", "published")
    article = document.doc.get("article") if isinstance(document.doc, dict) else None
    wrong = isinstance(article, dict) and article.get("published") is not None and reader.published is None
    unresolved = 0
    for section, keys in DATES.items():
        for i, _ in document.items(section):
            for key in keys:
                value = document.get(section, i, key)
                if wrong and isinstance(value, dict) and value.get("date") is None:
                    unresolved += 1  # relative to a publication date that is itself wrong
                    continue
                reader.date(value, section, i, key)
    problems = list(reader.problems)
    if unresolved:
        problems.append(file.diagnostic(("article", "published"), f"{_plural(unresolved, 'date phrase')} relative to "
                                                                  "it not resolved: fix it first"))
    return problems


_UNITS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve thirteen "
                                      "fourteen fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i > 1}


def numbers_in(text: str) -> set[int]:
    """The numbers a quote writes, in digits ("31", "5,200") or in words up to ninety-nine ("Fourteen",
    "twenty-one"), so that a count can be held to its quote. Words like "dozens" or "thousands" are no number."""
    found = {int(d.replace(",", "")) for d in re.findall(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?![\d])|\d+", text)}
    words = re.findall(r"[a-z]+", text.lower())
    for i, word in enumerate(words):
        if word in _TENS:
            unit = _UNITS.get(words[i + 1], 0) if i + 1 < len(words) and 0 < _UNITS.get(words[i + 1], 0) < 10 else 0
            found.add(_TENS[word] + unit)
        elif word in _UNITS and word != "zero" and not (i > 0 and words[i - 1] in _TENS and _UNITS[word] < 10):
            found.add(_UNITS[word])
    return found


def counts(file: FactsFile) -> Iterable[Diagnostic]:
    """A count "between" two numbers names the smaller first; a count whose quote writes a number ("Fourteen",
    "31 rockets") gives that number (both ends of a "between")."""
    document = file.document
    out = []
    for i, item in document.items("events"):
        found = item.get("counts")
        for j in range(len(found) if isinstance(found, list) else 0):
            between = document.get("events", i, "counts", j, "between")
            if isinstance(between, list) and len(between) == 2 and between[0] > between[1]:
                out.append(file.diagnostic(("events", i, "counts", j, "between"), f"{between[0]} is more than {between[1]}"))
            count = found[j]
            if not isinstance(count, dict):
                continue
            said = next((count[q] for q in COUNT_QUALIFIERS if q in count), None)
            said = tuple(said) if isinstance(said, list) else (said,)
            evidence = count.get("evidence")
            if not all(isinstance(n, int) and not isinstance(n, bool) for n in said) or not isinstance(evidence, list):
                continue  # the schema says what is wrong with it
            for k, quoted in enumerate(evidence):
                text = quoted.get("quote") if isinstance(quoted, dict) else quoted
                numbers = numbers_in(text) if isinstance(text, str) else set()
                if numbers and not all(n in numbers for n in said):
                    shown = ", ".join(str(n) for n in sorted(numbers))
                    out.append(file.diagnostic(("events", i, "counts", j, "evidence", k),
                                               f"the count says {' and '.join(str(n) for n in said)} but its quote "
                                               f"{text!r} says {shown}; give the number the quote gives"))
    return out


# --------------------------------------------------------------------------- drafted, not confirmed


#: The sections whose items ``kgpub draft`` marks ``drafted: true`` (and the counts inside events).
DRAFTABLE = ("entities", "relations", "events", "accusations", "threats", "statements", "mentions")


def confirmed(file: FactsFile) -> Iterable[Diagnostic]:
    """Nothing drafted is published until a person confirms it: one line per item still marked
    ``drafted: true`` (``kgpub draft`` marks every item it writes; confirming is deleting the mark),
    unless the build is a draft build (``--drafts``), kept apart from the corpus."""
    if file.drafts:
        return []
    document = file.document
    out = []

    def note(item: Any, path: tuple[Any, ...]) -> None:
        if isinstance(item, dict) and item.get("drafted") is True:
            label = next((item[k] for k in ("id", "report", "entity", "what") if isinstance(item.get(k), str)), "")
            out.append(file.diagnostic((*path, "drafted"), f"drafted{' ' + repr(label) if label else ''}, not "
                                       "confirmed: check it against the text, fix it, then delete 'drafted: true' "
                                       "(or build it apart with --drafts)"))

    doc = document.doc if isinstance(document.doc, dict) else {}
    note(doc.get("article"), ("article",))
    for section in DRAFTABLE:
        for i, item in document.items(section):
            note(item, (section, i))
            found = item.get("counts") if section == "events" else None
            for j, count in enumerate(found if isinstance(found, list) else ()):
                note(count, (section, i, "counts", j))
    return out


# --------------------------------------------------------------------------- retractions


#: The sections whose items are facts a retraction can name (by ``id``, or ``report`` for a shared event's report).
FACT_SECTIONS = ("events", "accusations", "threats", "statements")


def retractions(file: FactsFile) -> Iterable[Diagnostic]:
    """A retraction names a fact of this file, once; a correction (``superseded_by``) is another fact of this file
    that stands (is not retracted itself); a correction's quote stands in the article's text."""
    document = file.document
    ids: dict[str, tuple[Any, ...]] = {}
    retracted: dict[str, tuple[Any, ...]] = {}
    corrections: list[tuple[str, str, tuple[Any, ...]]] = []
    quotes_at: list[tuple[str, tuple[Any, ...]]] = []
    for section in FACT_SECTIONS:
        for i, item in document.items(section):
            fact = item.get("report", item.get("id"))
            if isinstance(fact, str):
                ids[fact] = (section, i)
                if item.get("retracted") is not None or item.get("superseded_by") is not None:
                    retracted[fact] = (section, i, "retracted" if "retracted" in item else "superseded_by")
                if isinstance(item.get("superseded_by"), str):
                    corrections.append((fact, item["superseded_by"], (section, i, "superseded_by")))
    for section in (*FACT_SECTIONS, "relations"):
        for i, item in document.items(section):
            if isinstance(item.get("retracted"), dict) and isinstance(item["retracted"].get("evidence"), str):
                quotes_at.append((item["retracted"]["evidence"], (section, i, "retracted", "evidence")))
    out: list[Diagnostic] = []
    for i, entry in document.items("retractions"):
        fact = entry.get("fact")
        if not isinstance(fact, str) or not document.typable("retractions", i):
            continue
        if fact not in ids:
            known = difflib.get_close_matches(fact, list(ids), 1)
            hint = f"; did you mean {known[0]!r}?" if known else ""
            out.append(file.diagnostic(("retractions", i, "fact"), f"no fact {fact!r} in this file to retract{hint}"))
            continue
        if fact in retracted:
            out.append(file.diagnostic(("retractions", i, "fact"),
                                       f"{fact!r} is retracted twice (see line {document.line(*retracted[fact])})"))
            continue
        retracted[fact] = ("retractions", i, "fact")
        if isinstance(entry.get("superseded_by"), str):
            corrections.append((fact, entry["superseded_by"], ("retractions", i, "superseded_by")))
        if isinstance(entry.get("evidence"), str):
            quotes_at.append((entry["evidence"], ("retractions", i, "evidence")))
    standing_refs = {**FACT_REFERENCES, "accusations": ("concerns",)}
    for section, keys in standing_refs.items():
        for i, item in document.items(section):
            fact = item.get("report", item.get("id"))
            if (isinstance(fact, str) and fact in retracted) or document.get("article", "withdrawn") is not None:
                continue
            for key in keys:
                value = item.get(key)
                for ref in [value] if isinstance(value, str) else value if isinstance(value, list) else []:
                    if isinstance(ref, str) and ref in retracted:
                        out.append(file.diagnostic((section, i, key), f"refers to {ref!r}, which is retracted: "
                                                                      "retract or correct this fact too"))
    for i, item in document.items("entities"):
        if "merged_into" in item:
            out.append(file.diagnostic(("entities", i, "merged_into"), "only a registry entity can be merged "
                                                                       "(entities.yaml); here, use the other id"))
    for fact, by, path in corrections:
        if by == fact:
            out.append(file.diagnostic(path, f"{fact!r} cannot be superseded by itself"))
        elif by not in ids:
            out.append(file.diagnostic(path, f"no fact {by!r} in this file to supersede {fact!r}"))
        elif by in retracted:
            out.append(file.diagnostic(path, f"{by!r} is retracted too: a correction must be a fact that stands"))
    if file.text.text is not None:
        unplaced = Source(file.shown, 0)
        for words, path in quotes_at:
            found = quotes.find(file.text.text, quote(words, unplaced), file.text.shown)
            if isinstance(found, Diagnostic):
                out.append(replace(found, line=document.line(*path) or 1, field=field_name(path)))
    return out


#: Every check of a facts file, in no particular order: each reports on its own, and ``check_file`` collects them.
CHECKS: list[Check] = [text, references, dates, counts, quoted, confirmed, retractions]


def check_file(file: FactsFile) -> list[Diagnostic]:
    """Every problem of one facts file: its schema's and every check's."""
    return [*file.document.problems, *(problem for check in CHECKS for problem in check(file))]
