"""The pages of a build for people, rendered once for ``kgpub serve`` and ``kgpub site`` alike.

A reader follows a citation to an IRI and must see what the graph says of it and the sentences it
rests on.  :class:`Pages` turns one node into an HTML page: its label and types, its statements,
the quotes it rests on (each with its article and offsets), every fact it takes part in with its
role and quotes, and the node itself as embedded JSON-LD, with the schema.org types and properties the ontology's alignment entails.  It
reads the graph through two methods only, :meth:`Pages.outgoing` and :meth:`Pages.incoming`, so
the server answers from its store and the static site from a snapshot taken once (which forked
writers share), and both show the same page.

Evidence (``oa:SpecificResource`` and its selectors) is part of the fact it supports: the fact's
page shows it in place, under an anchor, and a static site links an evidence IRI to that anchor
instead of giving each annotation a page of its own.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from kgpub.rdf import formats, vocab

RDF_TYPE = vocab.RDF + "type"
SUBCLASS, SUBPROPERTY = vocab.RDFS + "subClassOf", vocab.RDFS + "subPropertyOf"
#: The kinds of node that are parts of the fact they support rather than pages of their own.
PARTS = frozenset({vocab.OA + "SpecificResource", vocab.OA + "TextQuoteSelector", vocab.OA + "TextPositionSelector"})
ENTITIES = frozenset({vocab.KG + "Agent", vocab.KG + "Place"})
#: The RDF a node's page links as its alternates (a static site's files beside it, a server's ``?format=``).
PAGE_FORMATS = tuple(f for f in (formats.by_name(n) for n in ("turtle", "jsonld", "ntriples")) if f is not None)
#: Each of them with its media type's name as a page shows it (no parameters), found once.
_FORMAT_NAMES = tuple((f, f.media_type.split(";")[0]) for f in PAGE_FORMATS)


#: The kinds of fact a page sorts by, from the fact's classes: the first that matches.  The article's highlights and
#: the actor's groups are both drawn from it, so a fact is of one kind on every page.
FACT_KINDS = ((frozenset({vocab.KG + "Accusation"}), "accusation"), (frozenset({vocab.KG + "Threat"}), "threat"),
              (frozenset({vocab.KG + "SpeechAct"}), "statement"),
              (frozenset({vocab.KG + "Event", vocab.KG + "EventReport", vocab.KG + "SharedEvent", vocab.KG + "Count"}),
               "event"),
              (frozenset({vocab.KG + "Relationship"}), "relation"), (frozenset({vocab.SCHEMA + "NewsArticle"}), "article"))
_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def fact_kind(types: set[str]) -> str:
    """The kind of fact a node of these classes is (see :data:`FACT_KINDS`); "" if none."""
    return next((kind for classes, kind in FACT_KINDS if types & classes), "")


def date_in_words(iso: str) -> str:
    """An exact ISO date at its precision (``2020``, ``2020-06``, ``2020-06-03``) in words: "2020", "June 2020",
    "3 June 2020"; anything else as given."""
    return edtf_in_words(iso)[0] if _ISO.match(iso) else iso


def _known_month(month: str | None) -> bool:
    """Whether an EDTF month can be named: none, unspecified (``XX``), a month or a season (21-24)."""
    return month is None or month == "XX" or (month.isdigit() and (1 <= int(month) <= 12 or int(month) in _SEASONS))


_SEASONS = {21: "spring", 22: "summer", 23: "autumn", 24: "winter"}


def _one_date(edtf: str) -> tuple[str, str]:
    """One EDTF date (no interval) in words, and its precision: "3 January 2020" (day), "May 2020" (month),
    "2020" (year), "spring 2019" (season), "the 2010s" (decade); a qualifier says how sure the text is."""
    match = re.fullmatch(r"(\d{2}[\dX]{2})(?:-([\dX]{2})(?:-([\dX]{2}))?)?([?~%])?", edtf)
    if match is None or not _known_month(match.group(2)):
        return edtf, "as given"
    year, month, day, qualifier = match.groups()
    if "X" in year:
        span = 10 ** year.count("X")
        words, precision = f"the {year.replace('X', '0')}s", "decade" if span == 10 else "century"
    elif month is None or month == "XX":
        words, precision = year, "year"
    elif int(month) in _SEASONS:
        words, precision = f"{_SEASONS[int(month)]} {year}", "season"
    elif day is None or day == "XX":
        words, precision = f"{calendar.month_name[int(month)]} {year}", "month"
    else:
        words, precision = f"{int(day)} {calendar.month_name[int(month)]} {year}", "day"
    if qualifier == "~":
        words = "about " + words
    elif qualifier == "?":
        words += " (uncertain)"
    elif qualifier == "%":
        words = f"about {words} (uncertain)"
    return words, precision


def edtf_in_words(edtf: str) -> tuple[str, str]:
    """An EDTF level-1 date or interval in words, and its precision ("interval" for two ends): the one wording of a
    date every page uses, so an event's date reads the same on its page, its actors' pages and the timeline."""
    if "/" not in edtf:
        return _one_date(edtf)
    start, _, end = edtf.partition("/")
    low = None if start in ("", "..") else _one_date(start)[0]
    high = None if end in ("", "..") else _one_date(end)[0]
    if low and high:
        return f"between {low} and {high}", "interval"
    return (f"from {low}", "interval") if low else (f"until {high}", "interval")


@dataclass(frozen=True)
class Link:
    """A term as a page shows it: its text, and where it leads (None: a literal, shown as text)."""

    text: str
    href: str | None = None
    rel: str = ""


def _order(link: Link) -> tuple[str, str]:
    return (link.href or "", link.text)


def _row_order(row: tuple[str, Link]) -> tuple[str, str, str]:
    """A statement's place in a page's table: by its property, then as :func:`_order` puts its value."""
    return (row[0], row[1].href or "", row[1].text)


def _pointing_order(pointing: tuple[str, Any]) -> tuple[str, str]:
    """A statement pointing to a node, (predicate, subject), in its page's list: by property, then subject."""
    return (pointing[0], pointing[1].value)


@dataclass(frozen=True)
class Fact:
    """A fact a node takes part in, as its page lists it: the fact, the node's role in it, its quotes.

    (The pieces a template reads are small classes, not dicts: Jinja2 reads ``x.name`` as an attribute
    first, and a dict's key found only after a failed attribute lookup costs a page much of its time.)"""

    subject: Link
    role: str
    quotes: list[Quote]


@dataclass(frozen=True)
class Quote:
    """A quote as a page lists it: its anchor (if the page is its place), the text, its article's page."""

    id: str
    exact: str
    article: str
    headline: str
    start: int | None
    end: int | None


@dataclass(frozen=True)
class Evidence:
    """One quote a fact rests on: its annotation, the exact text, its article and the offsets in it."""

    annotation: str
    exact: str
    article: str | None
    headline: str
    start: int | None
    end: int | None


def anchor(owner: str, part: str) -> str:
    """The id of ``part``'s place on ``owner``'s page: its IRI below the owner's, or a digest of it."""
    if part.startswith(owner + "/"):
        return part[len(owner) + 1:].replace("/", "-")
    return "part-" + hashlib.sha256(part.encode()).hexdigest()[:12]


#: Names of the licences and rights statements articles commonly carry (any other is shown as its IRI).
LICENCE_NAMES = {
    "http://rightsstatements.org/vocab/NoC-US/1.0/": "No Copyright - United States (a US government work)",
    "http://rightsstatements.org/vocab/InC/1.0/": "In Copyright",
    "https://creativecommons.org/publicdomain/mark/1.0/": "Public Domain Mark 1.0",
    "https://creativecommons.org/publicdomain/zero/1.0/": "CC0 1.0",
    "https://creativecommons.org/licenses/by/4.0/": "CC BY 4.0",
    "https://creativecommons.org/licenses/by-sa/4.0/": "CC BY-SA 4.0",
}


#: The kinds of node with a page of their own: the node's class, and the function that makes that page's context
#: (starting from :meth:`Pages.generic`, and naming its template).  Each such page's module adds itself here
#: (``web/article.py``, ``web/actor.py``, ``web/event.py``), and ``kgpub.web.views`` imports those modules, so
#: serve and site draw them alike; a node of no such class gets the generic page, ``node.html``.
KIND_PAGES: dict[str, Callable[[Pages, str, str | None], dict[str, Any]]] = {}


class Pages:
    """HTML for the nodes of one build; subclasses say where the triples come from."""

    #: A static site's links end in ``.html`` (a static host has no content negotiation); a server's are paths.
    suffix = ""

    def __init__(self, base: str, base_path: str, prefixes: dict[str, str],
                 navigation: Sequence[Link] = ()) -> None:
        self.base = base
        self.base_path = base_path
        self.prefixes = prefixes
        #: The links every page's frame shows (from the list of views: see ``kgpub.web.views``).
        self.navigation = list(navigation)
        #: Parts (evidence, selectors) shown on another node's page, by IRI: that node and the anchor.
        self.folded: dict[str, tuple[str, str]] = {}
        self._shorten = vocab.shortener(prefixes)
        self._quote_numbers: dict[str, dict[tuple[int | None, int | None, str], int]] = {}
        # What pages make of one node again and again (its link, a property's words, a term's schema.org
        # equivalents), kept once made: a build's pages never change.  See :meth:`_read`.
        self._links: dict[Any, Link] = {}
        self._words: dict[str, str] = {}
        self._schema: dict[tuple[str, str], tuple[list[str], list[str]]] = {}

    # -- the graph, as the subclass has it

    def _read(self, iri: str) -> None:
        """Note that the page being drawn read the node ``iri``.  Nothing here; a subclass that records what each page
        reads (a static site's snapshot) overrides it.  A value kept across pages calls it for the nodes it was made
        from, so a page that takes it from here records the same reads as one that made it."""


    def kept(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """``make()``, which depends on the graph only (a part several pages show, such as a fact's quotes), by
        ``key``.  Made each time here; a subclass whose pages never change keeps it (a static site's snapshot,
        with the reads it was made from).  Not to be changed by the caller."""
        return make()

    def outgoing(self, node: Any) -> list[Any]:
        raise NotImplementedError

    def incoming(self, node: Any) -> list[Any]:
        raise NotImplementedError

    # -- what is read from it

    def objects(self, node: Any, predicate: str) -> list[Any]:
        return [t.object for t in self.outgoing(node) if t.predicate.value == predicate]

    def by_predicate(self, node: Any) -> dict[str, list[Any]]:
        """A node's objects by predicate, from one read of its statements (for a page that asks for many)."""
        out: dict[str, list[Any]] = {}
        for t in self.outgoing(node):
            out.setdefault(t.predicate.value, []).append(t.object)
        return out

    def types(self, node: Any) -> set[str]:
        return {o.value for o in self.objects(node, RDF_TYPE)}

    def is_entity(self, node: Any) -> bool:
        return bool(self.types(node) & ENTITIES)

    def label(self, term: Any) -> str:
        import pyoxigraph as ox

        if isinstance(term, ox.Literal):
            return term.value
        labels = self.objects(term, vocab.RDFS + "label") if isinstance(term, ox.NamedNode) else []
        return labels[0].value if labels else self.short(term.value if hasattr(term, "value") else str(term))

    def words(self, iri: str) -> str:
        """A property as a reader reads it: its label in the ontology ("accused"), or, for a term the ontology
        does not label, its local name with its words apart ("wasAttributedTo" → "was attributed to").  Kept per
        property: every page says the same few dozen."""
        known = self._words.get(iri)
        if known is not None:
            self._read(iri)
            return known
        known = self._words[iri] = self.read_words(iri)
        return known

    def read_words(self, iri: str) -> str:
        """:meth:`words`, read from the graph."""
        import pyoxigraph as ox

        labels = self.objects(ox.NamedNode(iri), vocab.RDFS + "label")
        if labels:
            return str(labels[0].value)
        local = re.split(r"[#/]", iri)[-1]
        return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).replace("_", " ").lower()

    def short(self, iri: str) -> str:
        return self._shorten(iri) or iri

    def has_page(self, iri: str) -> bool:
        """Whether ``iri`` has a page of its own (a part, such as evidence, is shown on its fact's)."""
        import pyoxigraph as ox

        return iri not in self.folded and not self.types(ox.NamedNode(iri)) & PARTS

    def description(self, iri: str) -> list[Any]:
        """The node's triples (as subject or object) and its evidence's, which its page shows in place."""
        import pyoxigraph as ox

        node = ox.NamedNode(iri)
        triples = [*self.outgoing(node), *self.incoming(node)]
        for annotation in self.objects(node, vocab.KG + "evidence"):
            triples += self.outgoing(annotation)
            for selector in self.objects(annotation, vocab.OA + "hasSelector"):
                triples += self.outgoing(selector)
        return sorted(set(triples), key=str)

    def evidence(self, node: Any) -> list[Evidence]:
        """The quotes ``node`` rests on, in the order of their annotations."""
        out = []
        for annotation in sorted(self.objects(node, vocab.KG + "evidence"), key=str):
            start, end, exact = self.selected(annotation)
            sources = self.objects(annotation, vocab.OA + "hasSource")
            article = sources[0].value if sources else None
            out.append(Evidence(annotation.value, exact, article, self.label(sources[0]) if sources else "", start, end))
        return out

    def quote_numbers(self, article: str) -> dict[tuple[int | None, int | None, str], int]:
        """The number ``N`` of each quote of an article (its anchor ``#q-N`` on the article's page), by its span
        and text: one per span, in text order (a longer quote before one it holds; those without offsets last),
        from 1.  Every page that shows a quote links to its place in the text with it; kept per article, since a
        page lists many quotes of the same few articles (a build's pages never change)."""
        known = self._quote_numbers.get(article)
        if known is None:
            known = self._quote_numbers[article] = self.number_quotes(article)
        return known

    def number_quotes(self, article: str) -> dict[tuple[int | None, int | None, str], int]:
        """:meth:`quote_numbers`, read from the graph."""
        import pyoxigraph as ox

        spans = set()
        for t in self.incoming(ox.NamedNode(article)):
            if t.predicate.value == vocab.OA + "hasSource":
                spans.add(self.selected(t.subject))
        ordered = sorted(spans, key=lambda k: (k[0] is None, k[0] or 0, -(k[1] or 0), k[2]))
        return {key: n for n, key in enumerate(ordered, 1)}

    def selected(self, annotation: Any) -> tuple[int | None, int | None, str]:
        """The offsets and the exact text an annotation's selectors give (None: no position given): the text of
        its ``oa:TextQuoteSelector``, the offsets of its ``oa:TextPositionSelector``.  The one reading of a
        quote's place, so the key a page links a quote by and the article's numbering of it never differ."""
        start = end = None
        exact = ""
        oa = vocab.OA
        for selector in self.objects(annotation, oa + "hasSelector"):
            # each selector's statements read once (every quote of every page comes here, twice)
            kinds: set[str] = set()
            first: dict[str, str] = {}
            for t in self.outgoing(selector):
                predicate = t.predicate.value
                if predicate == RDF_TYPE:
                    kinds.add(t.object.value)
                elif predicate not in first:
                    first[predicate] = t.object.value
            if oa + "TextQuoteSelector" in kinds:
                exact = first.get(oa + "exact", exact)
            if oa + "TextPositionSelector" in kinds:
                found = first.get(oa + "start"), first.get(oa + "end")
                start, end = (int(found[0]) if found[0] is not None else None,
                              int(found[1]) if found[1] is not None else None)
        return start, end, exact

    def quote_href(self, article: str, start: int | None, end: int | None, exact: str) -> str:
        """Where a quote is read in its article: the article's page at the quote's anchor (``#q-N``)."""
        n = self.quote_numbers(article).get((start, end, exact))
        return self.href(article) + (f"#q-{n}" if n is not None else "")

    # -- links

    def href(self, iri: str) -> str:
        """Where the page of an IRI under the base is (its path; a static site's ``PATH.html``); a part's anchor."""
        if iri in self.folded:
            owner, frag = self.folded[iri]
            return self.href(owner) + "#" + frag
        return iri[len(self.base) - len(self.base_path):] + self.suffix

    def link(self, term: Any) -> Link:
        """A term as a page shows it: a link to its page here (or to the IRI elsewhere), a literal's text.

        An IRI's link is kept once made (a node is linked from the pages of all its neighbours, an actor from
        thousands): its label and its page are read of the IRI's own node only, the read a kept link notes again.
        A part's (evidence) is made afresh, as its place is read of the node it is shown on."""
        known = self._links.get(term)
        if known is not None:
            self._read(term.value)
            return known
        import pyoxigraph as ox

        if isinstance(term, ox.Literal):
            return Link(term.value)
        if isinstance(term, ox.NamedNode):
            iri = term.value
            if not iri.startswith(self.base):
                made = self._links[term] = Link(self.label(term), iri)
                return made
            made = Link(self.label(term), self.href(iri))
            if iri not in self.folded:
                self._links[term] = made
            return made
        return Link(str(term))

    # -- the frame every page shares

    def render(self, template: str, title: str, **context: Any) -> str:
        """A page drawn with ``template`` in the frame every page shares (``base.html``, its navigation)."""
        from kgpub.web import templating

        return templating.render(template, title=title, nav=self.navigation, **context) + "\n"

    # -- a node's page

    def quote_items(self, node: Any, anchored: bool) -> list[Quote]:
        items = []
        for ev in self.evidence(node):
            ident = anchor(node.value, ev.annotation) if anchored else ""
            where = self.quote_href(ev.article, ev.start, ev.end, ev.exact) if ev.article else ""
            items.append(Quote(ident, ev.exact, where, ev.headline, ev.start, ev.end))
        return items

    def page(self, iri: str, text: str | None = None) -> str:
        """The page of the node ``iri`` (an article's with its ``text``, where it may be shown)."""
        context = self.node(iri, text)
        return self.render(context.pop("template", "node.html"), **context)

    def node(self, iri: str, text: str | None = None) -> dict[str, Any]:
        """What the page of the node ``iri`` shows: its kind's own page where it has one (:data:`KIND_PAGES`), the
        generic page otherwise."""
        import pyoxigraph as ox

        types = self.types(ox.NamedNode(iri))
        own_page = next((make for kind, make in KIND_PAGES.items() if kind in types), None)
        return own_page(self, iri, text) if own_page is not None else self.generic(iri, text)

    def generic(self, iri: str, text: str | None = None, quoted: bool = True) -> dict[str, Any]:
        """What every node's page shows (``node.html`` draws it, and the pages of a kind start from it): the label,
        its kinds and statements in words, its quotes, the facts it takes part in, and the data: IRI,
        alternates, the statements in RDF's names, the node as JSON-LD.

        A kind's page lists the facts it takes part in its own way and keeps only the frame and the data section
        of these (``quoted=False``): the reader's parts (the statements and roles in words, the quotes of every
        fact pointing here: the largest read of an actor's page) are then not made at all.  Each statement's
        predicate and term are taken out of it once, and each term linked once, for every part that shows it."""
        import pyoxigraph as ox

        node = ox.NamedNode(iri)
        said = [(t.predicate.value, t.object) for t in self.outgoing(node)]
        typed = [o for p, o in said if p == RDF_TYPE]
        link, short = self.link, self.short
        told = [(p, link(o)) for p, o in said if p != RDF_TYPE]
        rows = sorted([(short(p), v) for p, v in told], key=_row_order)
        pointing = sorted([(t.predicate.value, t.subject) for t in self.incoming(node)], key=_pointing_order)
        quote_items = self.quote_items
        facts = [Fact(link(s), short(p), quote_items(s, anchored=False) if quoted else []) for p, s in pointing]
        replaced = sorted(o.value for p, o in said if p == vocab.DCTERMS + "isReplacedBy")
        # a static host cannot answer 301: a merged entity's page sends the reader on
        refresh = self.href(replaced[0]) if replaced and self.suffix else None
        title, notices = self.withdrawn(said)
        kinds = {o: link(o) for o in typed}
        found = {"title": title or self.label(node), "iri": iri, "alternates": self.alternates(iri),
                 "embedded": self.embedded(node, said), "refresh": refresh, "notices": notices,
                 "types": sorted(set(kinds.values()), key=_order),
                 "own": self.quote_items(node, anchored=True), "rows": rows, "facts": facts}
        if quoted:
            found.update(self.in_words(told, kinds, facts, [p for p, _ in pointing]))
        return found

    def in_words(self, told: list[tuple[str, Link]], kinds: dict[Any, Link], facts: list[Fact],
                 roles: list[str]) -> dict[str, Any]:
        """The generic page's statements for a reader: each property by its label in the ontology, not its prefixed
        name (``said``), its kinds (``kinds``) and the facts pointing here with their roles (``roles``), from the
        statements and kinds linked, the facts and each fact's property."""
        words = self.words
        said = sorted([(words(p), v) for p, v in told], key=_row_order)
        named = sorted({Link(words(o.value), v.href) for o, v in kinds.items()}, key=_order)
        return {"kinds": named, "said": said,
                "roles": [Fact(f.subject, words(p), f.quotes) for f, p in zip(facts, roles)]}

    def alternates(self, iri: str) -> list[tuple[str, str, str]]:
        """The node's RDF files as (media type, link, the type's name without its parameters): beside the page on a
        static site, ``?format=`` on a server."""
        name = iri.rsplit("/", 1)[-1]
        return [(f.media_type, f"{name}.{f.extension}" if self.suffix else f"?format={f.name}", shown)
                for f, shown in _FORMAT_NAMES]

    def embedded(self, node: Any, said: list[tuple[str, Any]]) -> str:
        """The node's statements (``said``: predicate and object), with their schema.org equivalents, as the page's
        JSON-LD for machines: expanded, its statements in the order of their N-Triples, as a JSON-LD writer
        given them sorted writes them (:func:`_written`), without writing and reading them again."""
        import pyoxigraph as ox

        pairs = [*said, *self.schema_pairs(said)]
        try:
            return _written(node.value, pairs)
        except _Unwritten:  # a term this writer does not write (a literal's direction, a quoted triple)
            triples = {ox.Triple(node, ox.NamedNode(p), o) for p, o in pairs}
            return _typed(cast(bytes, ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.JSON_LD)))

    def withdrawn(self, said: list[tuple[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
        """A retracted fact's page says so first: when, why, what it said and what corrects it; a merged
        entity's names the one it was merged into.  Returns a title (empty: the label) and the notices, from the
        node's statements (``said``: predicate and object)."""
        kg, title, notes = vocab.KG, "", cast(list[dict[str, Any]], [])
        for p, o in said:
            if p == vocab.PROV + "wasInvalidatedBy":
                tombstone = o

                def first(predicate: str, node: Any = tombstone) -> str:
                    found = self.objects(node, predicate)
                    return found[0].value if found else ""

                said_then = first(kg + "retractedLabel")
                title = title or (f"Retracted: {said_then}" if said_then else "")
                notes.append({"kind": "retracted", "when": first(vocab.DCTERMS + "date"),
                              "why": first(kg + "retractionReason"), "said": said_then,
                              "by": [self.link(b) for b in self.objects(tombstone, kg + "supersededBy")],
                              "quotes": [q.value for q in self.objects(tombstone, kg + "retractedQuote")],
                              "correction": first(kg + "correctionQuote")})
            elif p == vocab.DCTERMS + "isReplacedBy":
                notes.append({"kind": "merged", "into": self.link(o)})
        return title, notes

    def rights(self, node: Any) -> list[tuple[str, Link | str]]:
        """Whose an article's text is and on what terms (licence, rights holder, publisher, the line that
        credits it, whether it is whole): shown with the article and whatever is shown of its text."""
        def first(predicate: str) -> Any:
            values = sorted(self.objects(node, predicate), key=str)
            return values[0] if values else None

        licence, holder = first(vocab.DCTERMS + "license"), first(vocab.DCTERMS + "rightsHolder")
        publisher, credit = first(vocab.SCHEMA + "publisher"), first(vocab.SCHEMA + "creditText")
        url, excerpt = first(vocab.SCHEMA + "url"), first(vocab.KG + "excerpt")
        rows: list[tuple[str, Link | str]] = []
        if credit is not None:
            rows.append(("Credit", credit.value))
        if licence is not None:
            rows.append(("Licence", Link(LICENCE_NAMES.get(licence.value, licence.value), licence.value, "license")))
        else:
            rows.append(("Licence", "not stated: the text is not published here"))
        if holder is not None:
            rows.append(("Rights holder", self.link(holder)))
        if publisher is not None:
            rows.append(("Publisher", self.link(publisher)))
        if url is not None:
            rows.append(("Published at", Link(url.value, url.value)))
        if excerpt is not None and excerpt.value == "true":
            rows.append(("Excerpt", "the text stops before the end of the published article"))
        return rows

    def supers(self, term: Any, via: str) -> set[str]:
        """Every class (``via`` rdfs:subClassOf) or property (rdfs:subPropertyOf) above ``term`` in the ontology."""
        seen: set[str] = set()
        todo = [term]
        while todo:
            for above in self.objects(todo.pop(), via):
                if above.value not in seen:
                    seen.add(above.value)
                    todo.append(above)
        return seen

    def schema_org(self, node: Any, said: list[tuple[str, Any]]) -> list[Any]:
        """The node's statements in schema.org terms, as the ontology's alignment entails them (``kg:Person`` is
        a ``schema:Person``, ``kg:memberOf`` a ``schema:memberOf``): what a search engine reads in the page."""
        import pyoxigraph as ox

        return [ox.Triple(node, ox.NamedNode(p), o) for p, o in self.schema_pairs(said)]

    def schema_pairs(self, said: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
        """:meth:`schema_org` of the node's statements (``said``: predicate and object), as (predicate, object)."""
        import pyoxigraph as ox

        out: list[tuple[str, Any]] = []
        terms = self.schema_terms
        for p, o in said:
            if p == RDF_TYPE and isinstance(o, ox.NamedNode):
                out += [(RDF_TYPE, ox.NamedNode(c)) for c in terms(o.value, SUBCLASS)]
            elif not p.startswith(vocab.SCHEMA):
                out += [(q, o) for q in terms(p, SUBPROPERTY)]
        return out

    def schema_terms(self, iri: str, via: str) -> list[str]:
        """The schema.org classes (``via`` rdfs:subClassOf) or properties (rdfs:subPropertyOf) above a term of the
        ontology: kept per term, with the terms read to find them, which a page taking them from here notes again
        (every page of a kind asks for the same few)."""
        import pyoxigraph as ox

        known = self._schema.get((iri, via))
        if known is None:
            above = self.supers(ox.NamedNode(iri), via)
            known = self._schema[(iri, via)] = ([c for c in above if c.startswith(vocab.SCHEMA)], [iri, *above])
        else:
            for read in known[1]:
                self._read(read)
        return known[0]

    # -- the search over every page

    def search_data(self, entries: Sequence[tuple[str, str, str, Sequence[str] | None]]) -> bytes:
        """``search.js``: every page's label, kind and link, and an entity's search keys, for the front page's search
        (a script, so a site opened from disk can load it too); ``entries`` are (label, kind, IRI, aliases), the
        aliases None for a node that is not an entity.

        An entity's keys are the ones duplicate detection compares (:func:`~kgpub.corpus.identity.name_key` and
        :func:`~kgpub.corpus.identity.skeleton` of its label and of each alias), each distinct key once, so
        "Kadhimi" or "PMF" find the entity they name; ``find.js`` folds what is typed by the same tables
        (``rules``).  Other pages (facts, articles) are found by their label's text, as their labels are made of
        the entities' names: keys for them would double the file.  Rows come entities first, then articles, then
        the rest, each by label: the order hits of one rank are shown in.  Kinds are numbers into ``kinds`` and
        links are paths under ``root`` without the ``suffix``, written once rather than once a row: the file is
        downloaded by every reader."""
        from kgpub.corpus import identity

        kinds = sorted({kind for _, kind, _, _ in entries})
        number = {kind: i for i, kind in enumerate(kinds)}
        root = self.href(self.base)
        if self.suffix and root.endswith(self.suffix):
            root = root[:-len(self.suffix)]

        def order(entry: tuple[str, str, str, Sequence[str] | None]) -> tuple[int, str, str]:
            label, kind, iri, aliases = entry
            return (0 if aliases is not None else 1 if kind == "schema:NewsArticle" else 2, label, iri)

        rows: list[list[Any]] = []
        for label, kind, iri, aliases in sorted(entries, key=order):
            href = self.href(iri)
            path = href[len(root):len(href) - len(self.suffix)] if href.startswith(root) else href
            row: list[Any] = [label, number[kind], path]
            if aliases is not None:
                names = [label, *sorted(aliases)]
                row.append("|".join(dict.fromkeys(identity.name_key(n) for n in names)) + "/"
                           + "|".join(dict.fromkeys(identity.skeleton(n) for n in names)))
            rows.append(row)
        data = {"rules": identity.rules(), "kinds": kinds, "root": root, "suffix": self.suffix, "rows": rows}
        return ("window.KGPUB_SEARCH=" + _json(data) + ";\n").encode()


class _Unwritten(Exception):
    """A term :func:`_written` does not write: the JSON-LD writer writes that page."""


_XSD_STRING = vocab.XSD + "string"


def _written(subject: str, pairs: Iterable[tuple[str, Any]]) -> str:
    """The statements of one subject (``pairs``: predicate and object) as :func:`_typed` makes a JSON-LD writer's
    expanded document of them, sorted as text: one node object, its properties in the order of their statements'
    N-Triples (a property's statements are next to each other there), each value an ``@id``, a ``@value`` with its
    ``@language`` or ``@type`` (none for a plain string), keys in the writer's order.  Raises :class:`_Unwritten`
    for a term of another kind."""
    import pyoxigraph as ox

    named, literal, blank = ox.NamedNode, ox.Literal, ox.BlankNode
    keyed: dict[str, tuple[str, dict[str, str]]] = {}
    for p, o in pairs:
        kind = type(o)
        if kind is named:
            text, value = f"<{o.value}>", {"@id": o.value}
        elif kind is literal:
            if o.direction is not None:
                raise _Unwritten
            text, language, datatype = str(o), o.language, o.datatype.value
            value = ({"@language": language, "@value": o.value} if language else
                     {"@value": o.value} if datatype == _XSD_STRING else {"@type": datatype, "@value": o.value})
        elif kind is blank:
            text = str(o)
            value = {"@id": text}
        else:
            raise _Unwritten
        keyed[f"<{p}> {text}"] = (p, value)
    if not keyed:
        return "[]"
    node: dict[str, Any] = {"@id": subject}
    for key in sorted(keyed):
        p, value = keyed[key]
        found = node.get(p)
        if found is None:
            node[p] = [value]
        else:
            found.append(value)
    types = node.get(RDF_TYPE)
    if types and all(len(t) == 1 and "@id" in t for t in types):
        node["@type"] = [t["@id"] for t in node.pop(RDF_TYPE)]
    return _json([node])


def _json(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, separators=(",", ":"))``, the same text, by orjson: every node's page
    carries its JSON-LD, sixty thousand of them in a site of a million triples."""
    import orjson

    return orjson.dumps(value).decode()


def _typed(document: bytes) -> str:
    """Expanded JSON-LD with each node's ``rdf:type`` written as ``@type``, the same statement in the form
    schema.org's readers (search engines) look for."""
    nodes = json.loads(document)
    for obj in nodes:
        types = obj.get(RDF_TYPE)
        if types and all(set(t) == {"@id"} for t in types):
            obj["@type"] = [t["@id"] for t in obj.pop(RDF_TYPE)]
    return _json(nodes)


def full_text_choices(seeds: Path | None) -> dict[str, bool]:
    """What the seeds' dataset.yaml says of publishing each article's full text (``full_text:``)."""
    if seeds is None or not (seeds / "dataset.yaml").is_file():
        return {}
    from kgpub.corpus.reader import load_dataset

    return load_dataset(seeds).full_text


def article_texts(pages: Pages, nodes: Iterable[str], seeds: Path | None,
                  choices: dict[str, bool] | None = None) -> dict[str, str]:
    """The text of each article of ``nodes`` that may be published (its licence allows it, or the dataset says
    so; see ``rights``), read from the seeds and checked against the hash the build recorded; every problem at
    once.  ``kgpub site`` and ``kgpub serve --seeds`` show these and no other."""
    import pyoxigraph as ox

    from kgpub.errors import OutputError, UsageError
    from kgpub.corpus.rights import text_published

    texts: dict[str, str] = {}
    if seeds is None:
        return texts
    problems: list[str] = []
    missing: list[str] = []
    read = 0
    articles = pages.base + "article/"
    for iri in nodes:
        node = ox.NamedNode(iri)
        if vocab.SCHEMA + "NewsArticle" not in pages.types(node):
            continue
        licences = pages.objects(node, vocab.DCTERMS + "license")
        choice = (choices or {}).get(iri[len(articles):]) if iri.startswith(articles) else None
        if not text_published(licences[0].value if licences else None, choice):
            continue
        names = pages.objects(node, vocab.KG + "sourceFile")
        digests = pages.objects(node, vocab.KG + "textSha256")
        if not names:
            continue
        path = seeds / names[0].value
        read += 1
        try:
            raw = path.read_bytes()
        except OSError as exc:
            problems.append(f"{path}: cannot read the article's text: {exc.strerror}")
            if isinstance(exc, FileNotFoundError):
                missing.append(names[0].value)
            continue
        if not digests or hashlib.sha256(raw).hexdigest() != digests[0].value:
            problems.append(f"{path}: not the text the build quoted (its SHA-256 differs): build again first")
            continue
        texts[iri] = raw.decode("utf-8")
    if read and len(missing) == read:  # not one text: the wrong folder, said once, not once an article
        raise UsageError(f"{seeds}: not the seeds folder of this build: none of its {read} article text(s) "
                         f"is there (such as {missing[0]}); give --seeds the folder the build was made from")
    if problems:
        raise OutputError(problems)
    return texts
