"""The timeline for a reader: every dated event in the shipped ``timeline`` query's order, each actor and place a
link to its page, each role in a column of its own (by, against, victims, with, where), the counts the
articles give, and a filter by year, type and actor.

The filter is one GET form.  ``kgpub serve`` answers it (the view reads the form's values, see
:data:`FILTERS`); a static site has no server to answer it, so there ``static/timeline.js`` filters the rows
in the page by the same values (each row carries its years, types and actors), from the form or from the
address.  Without script the site's page is the whole table, and the server's is the filtered one.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kgpub.rdf import vocab
from kgpub.web.event import Reader
from kgpub.web.pages import Link, Pages

#: The query parameters the timeline reads: the year, the type (its name) and the actor (its IRI below the base).
FILTERS = ("year", "type", "actor")
#: The columns of roles, each a role of :data:`~kgpub.web.event.ROLES` and its heading.
COLUMNS = ((vocab.KG + "agent", "by"), (vocab.KG + "target", "against"), (vocab.KG + "victim", "victims"),
           (vocab.KG + "participant", "with"))
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
#: Each build's rows, by the pages that read them (a build's pages are made once and go with it).
_ROWS: weakref.WeakKeyDictionary[Pages, list[Row]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Actor:
    """An actor in a role: its link, and how sure the account is where it only claims it ("possible")."""

    link: Link
    key: str
    note: str = ""


@dataclass(frozen=True)
class Row:
    """One event of the timeline (see the module's docstring); ``years``, ``types`` and ``actors`` are what the
    filter matches."""

    date: str
    event: Link
    types: list[str]
    roles: list[list[Actor]]
    place: Link | None
    counts: list[str]
    years: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)


def timeline_query(base: str) -> tuple[str, dict[str, Any]]:
    """The shipped ``timeline`` query's text and the options it is asked with (its prefixes) for the build under
    ``base``."""
    from kgpub.sparql.shipped import resolve_query

    text, _ = resolve_query("timeline")
    return text, {"prefixes": {**vocab.PREFIXES, "id": base}}


def timeline_rows(store: Any, base: str) -> list[Any]:
    """The shipped timeline's rows: every dated event, in the order of the last day its date allows."""
    text, options = timeline_query(base)
    return list(store.query(text, **options))


def years(date: str) -> list[str]:
    """Every year a date as given (``2019``, ``2019-12~``, ``2019-12-21/2020-01-02``) may fall in; none for a date
    with unspecified digits or an open interval it cannot bound."""
    found = [int(y) for y in _YEAR.findall(date)]
    return [str(y) for y in range(min(found), max(found) + 1)] if found else []


def row(pages: Pages, reader: Reader, date: str, iri: str, label: str, place: str) -> Row:
    """An event's row: its roles from the event and every report of it (a claimed role with how sure it is),
    its place linked (the one of its accounts the timeline query chose, by its name), its counts, once each."""
    import pyoxigraph as ox

    node = ox.NamedNode(iri)
    accounts = [node, *sorted((t.subject for t in pages.incoming(node) if t.predicate.value == vocab.KG + "reports"),
                              key=str)]
    # each account's statements read once, by predicate: a site draws tens of thousands of rows
    said = [(account, pages.by_predicate(account)) for account in accounts]
    roles: list[list[Actor]] = []
    for predicate, _ in COLUMNS:
        seen: dict[str, Actor] = {}
        for _, of in said:
            for actor in of.get(predicate, ()):
                seen.setdefault(actor.value, Actor(pages.link(actor), _key(pages, actor.value)))
        for account, of in said:
            for claim in of.get(vocab.KG + "claim", ()):
                role = reader.first(claim, vocab.RDF + "predicate")
                actor = reader.first(claim, vocab.RDF + "object")
                if role is not None and actor is not None and role.value == predicate and actor.value not in seen:
                    seen[actor.value] = Actor(pages.link(actor), _key(pages, actor.value),
                                              reader.certainty(account) or "claimed")
        roles.append(sorted(seen.values(), key=lambda a: (a.link.text, a.key)))
    places = {p.value: p for _, of in said for p in of.get(vocab.KG + "place", ())}
    named = sorted(iri for iri, p in places.items() if pages.label(p) == place)
    counts = list(dict.fromkeys(n.text for account, of in said
                                if vocab.KG + "count" in of or vocab.KG + "personCount" in of
                                for n in reader.counts(account)))
    types = sorted({reader.concept(t) for t in said[0][1].get(vocab.KG + "eventType", ())})
    link = pages.link(ox.NamedNode(named[0])) if named else Link(place) if place else None
    return Row(date, Link(label, pages.href(iri)), types, roles, link, counts, years(date),
               sorted({a.key for column in roles for a in column}))


def _key(pages: Pages, iri: str) -> str:
    """An actor as the filter names it: its IRI below the base (``mustafa-al-kadhemi``), else the IRI."""
    return iri[len(pages.base):] if iri.startswith(pages.base) else iri


def matches(r: Row, values: Mapping[str, str]) -> bool:
    """Whether a row passes the filter's values (an empty value passes every row)."""
    year, kind, actor = (values.get(k, "") for k in FILTERS)
    return (not year or year in r.years) and (not kind or kind in r.types) and (not actor or actor in r.actors)


def view(pages: Pages, store: Any, values: Mapping[str, str], static: bool) -> dict[str, Any]:
    """The timeline's context: every row (a site's page; the script hides those the filter leaves out) or the
    rows the filter's values keep (a server's), and the filter's choices, each with what is chosen."""
    rows = _ROWS.get(pages)
    if rows is None:  # a server's build answers every filter from the rows it read once
        reader = Reader(pages)
        rows = _ROWS[pages] = [row(pages, reader, r["date"].value, r["e"].value, r["event"].value,
                                   r["place"].value if r["place"] else "") for r in timeline_rows(store, pages.base)]
    names: dict[str, str] = {}
    for r in rows:
        for column in r.roles:
            for a in column:
                names.setdefault(a.key, a.link.text)
    chosen = {k: values.get(k, "").strip() for k in FILTERS}
    shown = rows if static else [r for r in rows if matches(r, chosen)]
    return {"title": "Timeline", "rows": shown, "total": len(rows), "static": static, "chosen": chosen,
            "headings": [h for _, h in COLUMNS],
            "choices": {"year": [(y, y) for y in sorted({y for r in rows for y in r.years})],
                        "type": [(t, t) for t in sorted({t for r in rows for t in r.types})],
                        "actor": sorted(((k, n) for k, n in names.items()), key=lambda kn: (kn[1].lower(), kn[0]))}}
