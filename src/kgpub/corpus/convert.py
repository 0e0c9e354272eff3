"""Checked YAML turned into the model: the typed facts of one file, and of the registry's entries.

Only what the checks found nothing wrong with is converted (``reader.read_article``), so this module trusts
its input's shape; what it still reads with care are the dates, whose problems the check of dates
(``checks.dates``) collects through the same :class:`Reader`, so a date is read one way whether it is
checked or converted.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

from kgpub.corpus import dates
from kgpub.corpus.dates import TextDate, parse_date
from kgpub.corpus.model import (
    COUNT_QUALIFIERS,
    ROLES,
    Accusation,
    Article,
    Claim,
    Count,
    Entity,
    Event,
    Judgement,
    Mention,
    Quote,
    Relation,
    Retraction,
    Source,
    Statement,
    Threat,
    Withdrawal,
)
from kgpub.corpus.texts import ArticleText
from kgpub.corpus.yaml_lines import field_name, line_of
from kgpub.errors import Diagnostic


class Reader:
    """Turns validated YAML documents into typed facts, collecting every problem."""

    def __init__(self, shown: str, doc: Any) -> None:
        self.shown = shown
        self.doc = doc
        self.problems: list[Diagnostic] = []

    def source(self, *path: Any) -> Source:
        return Source(self.shown, line_of(self.doc, path) or 1)

    #: The article's publication date, against which relative phrases are resolved (None: not given).
    published: TextDate | None = None

    def published_date(self, value: Any, *path: Any) -> TextDate | None:
        if value is None:
            return None
        try:
            return parse_date(value)
        except ValueError as exc:
            self.problems.append(Diagnostic(self.shown, line_of(self.doc, path), field_name(path), str(exc)))
            return None

    def date(self, value: Any, *path: Any) -> TextDate | None:
        """A date as the text gives it (``dates``): EDTF, or a phrase relative to the article."""
        if value is None:
            return None
        try:
            if isinstance(value, dict):
                phrase = str(value["phrase"]).strip()
                if value.get("date") is not None:
                    given = dates.parse(value["date"])
                    return replace(given, phrase=phrase, rule="curator")
                published = self.published
                return dates.resolve(phrase, (published.year, published.month, published.day) if published else None)
            return dates.parse(value)
        except ValueError as exc:
            self.problems.append(Diagnostic(self.shown, line_of(self.doc, path), field_name(path), str(exc)))
            return None

    @staticmethod
    def judgement(item: dict[str, Any]) -> Judgement:
        return Judgement(item.get("certainty", "certain"), item.get("according_to"),
                         item["hedge"].strip() if item.get("hedge") else None)

    def count(self, item: dict[str, Any], *path: Any) -> Count:
        """One count of an event: its number under the key that says how exact it is."""
        qualifier = next(q for q in COUNT_QUALIFIERS if q in item)  # the schema requires exactly one
        number = item[qualifier]
        low: int | None
        high: int | None
        if qualifier == "between":  # low <= high: checked before (checks.counts)
            low, high = int(number[0]), int(number[1])
            value = None
        else:
            value = int(number)
            low = value if qualifier in ("exactly", "at_least") else None
            high = value if qualifier in ("exactly", "at_most") else None
        quotes = self.quotes(item["evidence"], *path, "evidence")  # held to the numbers they write: checks.counts
        return Count(item["what"], qualifier, low, high, value, quotes, self.source(*path), path[-1] + 1)

    def quotes(self, items: list[Any] | None, *path: Any) -> tuple[Quote, ...]:
        return tuple(quote(item, self.source(*path, i)) for i, item in enumerate(items or ()))

    def entity(self, item: dict[str, Any], *path: Any) -> Entity:
        types = item["type"]
        return Entity(
            id=item["id"],
            types=tuple(types) if isinstance(types, list) else (types,),
            name=item["name"].strip(),
            aliases=tuple(a.strip() for a in item.get("aliases", ())),
            description=item.get("description"),
            wikidata=item.get("wikidata"),
            evidence=self.quotes(item.get("evidence"), *path, "evidence"),
            source=self.source(*path),
            merged_into=item.get("merged_into"),
        )



def quote(item: str | dict[str, Any], source: Source) -> Quote:
    """One item of an ``evidence`` list: the passage alone, or ``{quote: ..., occurrence: N}``."""
    if isinstance(item, dict):
        return Quote(item["quote"], item.get("occurrence"), source)
    return Quote(item, None, source)


def many(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)



def article(reader: Reader, text: ArticleText) -> Article:
    """The typed article of a facts file in which no check found anything wrong."""
    doc = reader.doc
    meta = doc["article"]
    assert text.text is not None
    r = reader
    published = r.published = r.published_date(meta.get("published"), "article", "published")
    listed = {x["fact"]: x for x in doc.get("retractions", ())}
    events = tuple(
        Event(
            id=e["report"] if "report" in e else e["id"],
            types=many(e.get("type")),
            label=e["label"].strip() if "label" in e else "",
            description=e.get("description"),
            date=r.date(e.get("date"), "events", i, "date"),
            place=e.get("place"),
            roles={role: many(e.get(role)) for role in ROLES},
            person_count=int(e["personCount"]) if e.get("personCount") is not None else None,
            evidence=r.quotes(e["evidence"], "events", i, "evidence"),
            source=r.source("events", i),
            shared="report" in e,
            counts=tuple(r.count(c, "events", i, "counts", j) for j, c in enumerate(e.get("counts", ()))),
            judgement=r.judgement(e),
            in_response_to=many(e.get("in_response_to")),
            led_to=many(e.get("led_to")),
            retraction=_retraction(e, listed.get(e.get("report", e.get("id")))),
        )
        for i, e in enumerate(doc.get("events", ()))
    )
    accusations = tuple(
        Accusation(
            id=a["id"],
            type=a.get("type", "Accuse"),
            label=a.get("label"),
            accuser=a.get("accuser"),
            accused=many(a["accused"]),
            concerns=a.get("concerns"),
            allegation=a.get("allegation"),
            date=r.date(a.get("date"), "accusations", i, "date"),
            claims=tuple(Claim(c["subject"], c["predicate"], c["object"]) for c in a.get("claims", ())),
            evidence=r.quotes(a["evidence"], "accusations", i, "evidence"),
            source=r.source("accusations", i),
            description=a.get("description"),
            judgement=r.judgement(a),
            retraction=_retraction(a, listed.get(a["id"])),
        )
        for i, a in enumerate(doc.get("accusations", ()))
    )
    threats = tuple(
        Threat(
            id=t["id"],
            type=t.get("type", "Threaten"),
            label=t.get("label"),
            threatener=t["threatener"],
            threatened=many(t["threatened"]),
            condition=t.get("condition"),
            date=r.date(t.get("date"), "threats", i, "date"),
            place=t.get("place"),
            evidence=r.quotes(t["evidence"], "threats", i, "evidence"),
            source=r.source("threats", i),
            description=t.get("description"),
            judgement=r.judgement(t),
            retraction=_retraction(t, listed.get(t["id"])),
        )
        for i, t in enumerate(doc.get("threats", ()))
    )
    relations = tuple(
        Relation(
            subject=x["subject"],
            predicate=x["predicate"],
            object=x["object"],
            role=x.get("role"),
            evidence=r.quotes(x["evidence"], "relations", i, "evidence"),
            source=r.source("relations", i),
            since=r.date(x.get("since"), "relations", i, "since"),
            until=r.date(x.get("until"), "relations", i, "until"),
            description=x.get("description"),
            judgement=r.judgement(x),
            retraction=_retraction(x, None),
        )
        for i, x in enumerate(doc.get("relations", ()))
    )
    statements = tuple(
        Statement(
            id=x["id"], act=x["act"], speaker=x.get("speaker"), addressees=many(x.get("addressee")),
            about=many(x.get("about")), content=x["content"].strip() if x.get("content") else None,
            label=x["label"].strip() if x.get("label") else None,
            date=r.date(x.get("date"), "statements", i, "date"), description=x.get("description"),
            evidence=r.quotes(x["evidence"], "statements", i, "evidence"), source=r.source("statements", i),
            judgement=r.judgement(x), retraction=_retraction(x, listed.get(x["id"])),
        )
        for i, x in enumerate(doc.get("statements", ()))
    )
    return Article(
        id=meta["id"],
        facts_file=reader.shown,
        text_file=text.shown,
        text=text.text,
        text_sha256=hashlib.sha256(text.raw).hexdigest(),
        headline=meta["headline"].strip(),
        publisher=meta["publisher"],
        agency=meta.get("source"),
        language=meta["language"],
        published=published,
        url=meta.get("url"),
        note=meta.get("note"),
        licence=meta.get("licence"),
        rights_holder=meta.get("rights_holder"),
        attribution=meta["attribution"].strip() if meta.get("attribution") else None,
        excerpt=bool(meta.get("excerpt", False)),
        entities=tuple(r.entity(e, "entities", i) for i, e in enumerate(doc.get("entities", ()))),
        relations=relations,
        events=events,
        accusations=accusations,
        statements=statements,
        threats=threats,
        source=r.source("article"),
        mentions=tuple(Mention(m["entity"], r.quotes(m["evidence"], "mentions", i, "evidence"), r.source("mentions", i))
                       for i, m in enumerate(doc.get("mentions", ()))),
        withdrawn=Withdrawal(str(meta["withdrawn"]["date"]), meta["withdrawn"]["reason"].strip())
        if meta.get("withdrawn") else None,
    )


def _retraction(item: dict[str, Any], listed: dict[str, Any] | None) -> Retraction | None:
    """The retraction of a fact: its own ``retracted:``/``superseded_by:``, else the ``retractions:`` entry naming it."""
    own, by = item.get("retracted"), item.get("superseded_by")
    if own is None and by is None and listed is not None:
        own, by = listed, listed.get("superseded_by")
    if own is None and by is None:
        return None
    own = own or {}
    reason = own.get("reason")
    return Retraction(str(own["date"]) if own.get("date") else None, reason.strip() if reason else None,
                      own.get("evidence"), by)
