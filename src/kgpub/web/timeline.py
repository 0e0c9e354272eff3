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
_REPORTS, _CLAIM, _PLACE = vocab.KG + "reports", vocab.KG + "claim", vocab.KG + "place"
_COUNT, _PERSONS, _TYPE = vocab.KG + "count", vocab.KG + "personCount", vocab.KG + "eventType"
#: Each build's rows, by the pages that read them (a build's pages are made once and go with it).
_ROWS: weakref.WeakKeyDictionary[Pages, list[Row]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Actor:
    """An actor in a role: its link, and how sure the account is where it only claims it ("possible")."""

    link: Link
    key: str
    note: str = ""


@dataclass(frozen=True)
class RowText:
    """A row's lists as its table writes them: the filter's values (``|`` between them) and the type and count cells
    (``; `` between them), joined once in Python rather than by a filter per row in the template."""

    years: str
    types: str
    actors: str
    kinds: str
    counts: str


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
    #: what the page writes of the lists, joined once here (no markup: the template escapes them)
    text: RowText | None = None


@dataclass
class Drawn:
    """What one timeline has drawn already, by IRI: each actor in a role (its link and key) and each place (its name,
    and its link once a row shows it).  A large build's rows name a few thousand of them tens of thousands of times."""

    actors: dict[str, Actor] = field(default_factory=dict)
    places: dict[str, tuple[str, Link | None]] = field(default_factory=dict)


#: Where the shipped ``timeline`` query's lists of types and actors start, and what follows them.
_LISTS, _AFTER_LISTS = "  # Lists in alphabetical order", "\n}\nORDER BY"


def timeline_query(base: str) -> tuple[str, dict[str, Any]]:
    """The shipped ``timeline`` query's text without its lists of types and actors, and the options it is asked with
    (its prefixes) for the build under ``base``: the same rows in the same order, each event's date and place.

    The page draws each row's types and actors from the graph, each a link (see :func:`row`), so it does not ask
    for the lists, which the query makes by ranking every item of an event against every other: a third of its
    time at a million triples."""
    from kgpub.sparql.shipped import resolve_query

    text, _ = resolve_query("timeline")
    start, end = text.find(_LISTS), text.rfind(_AFTER_LISTS)
    if start < 0 or end < start:
        raise AssertionError("the shipped timeline query no longer ends with its lists of types and actors")
    return text[:start] + text[end + 1:], {"prefixes": {**vocab.PREFIXES, "id": base}}


def timeline_rows(store: Any, base: str) -> list[Any]:
    """The shipped timeline's rows: every dated event, in the order of the last day its date allows."""
    text, options = timeline_query(base)
    return list(store.query(text, **options))


def years(date: str) -> list[str]:
    """Every year a date as given (``2019``, ``2019-12~``, ``2019-12-21/2020-01-02``) may fall in; none for a date
    with unspecified digits or an open interval it cannot bound."""
    found = [int(y) for y in _YEAR.findall(date)]
    return [str(y) for y in range(min(found), max(found) + 1)] if found else []


def row(pages: Pages, reader: Reader, date: str, iri: str, label: str, place: str,
        known: Drawn | None = None) -> Row:
    """An event's row: its roles from the event and every report of it (a claimed role with how sure it is),
    its place linked (the one of its accounts the timeline query chose, by its name), its counts, once each.
    ``known``: what the timeline's rows before it drew (see :class:`Drawn`)."""
    import pyoxigraph as ox

    known = Drawn() if known is None else known
    node = ox.NamedNode(iri)
    reports = sorted((t.subject for t in pages.incoming(node) if t.predicate.value == _REPORTS), key=str)
    # each account's statements read once, by predicate
    said = [(account, pages.by_predicate(account)) for account in (node, *reports)]
    claims = [(account, claim) for account, of in said for claim in of.get(_CLAIM, ())]
    roles: list[list[Actor]] = []
    for predicate, _ in COLUMNS:
        seen: dict[str, Actor] = {}
        for _, of in said:
            for actor in of.get(predicate, ()):
                if actor.value not in seen:
                    seen[actor.value] = _actor(pages, known, actor)
        for account, claim in claims:
            role = reader.first(claim, vocab.RDF + "predicate")
            actor = reader.first(claim, vocab.RDF + "object")
            if role is not None and actor is not None and role.value == predicate and actor.value not in seen:
                seen[actor.value] = Actor(pages.link(actor), _key(pages, actor.value),
                                          reader.certainty(account) or "claimed")
        roles.append(sorted(seen.values(), key=_by_name) if len(seen) > 1 else list(seen.values()))
    link = _place(pages, known, said, place)
    counts = list(dict.fromkeys(n.text for account, of in said if _COUNT in of or _PERSONS in of
                                for n in reader.counts(account)))
    types = sorted({reader.concept(t) for t in said[0][1].get(_TYPE, ())})
    during, keys = years(date), sorted({a.key for column in roles for a in column})
    text = RowText("|".join(during), "|".join(types), "|".join(keys), "; ".join(types), "; ".join(counts))
    return Row(date, Link(label, pages.href(iri)), types, roles, link, counts, during, keys, text)


def _by_name(actor: Actor) -> tuple[str, str]:
    return actor.link.text, actor.key


def _actor(pages: Pages, known: Drawn, term: Any) -> Actor:
    """An actor in a role as every row shows it (its link, its key), drawn once per timeline."""
    found = known.actors.get(term.value)
    if found is None:
        found = known.actors[term.value] = Actor(pages.link(term), _key(pages, term.value))
    return found


def _place(pages: Pages, known: Drawn, said: list[tuple[Any, dict[str, list[Any]]]],
           place: str) -> Link | None:
    """The link of the place the query chose by its name: the first by IRI of the accounts' places so named, else
    the name alone; each place's name and link read once per timeline."""
    import pyoxigraph as ox

    named = []
    for _, of in said:
        for term in of.get(_PLACE, ()):
            drawn = known.places.get(term.value)
            if drawn is None:
                drawn = known.places[term.value] = (pages.label(term), None)
            if drawn[0] == place:
                named.append(term.value)
    if not named:
        return Link(place) if place else None
    first = min(named)
    name, link = known.places[first]
    if link is None:
        link = pages.link(ox.NamedNode(first))
        known.places[first] = (name, link)
    return link


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
        reader, known = Reader(pages), Drawn()
        rows = _ROWS[pages] = [row(pages, reader, r["date"].value, r["e"].value, r["event"].value,
                                   r["place"].value if r["place"] else "", known)
                               for r in timeline_rows(store, pages.base)]
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
