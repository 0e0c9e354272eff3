"""An article's page as a reader wants it: the header, then the text with every quote highlighted, then the data.

The header says what the article is and whose (headline, publisher, date, licence, credit, the source).  The
text follows with every passage a fact rests on highlighted, coloured by the kind of fact (event, accusation,
threat, statement, relation, or the article naming an actor or a place) and drawn by how sure the article is
(reported as fact, claimed, hedged, denied).  Each quote is ``q-N``, N in text order: the highlight links to
``#q-N`` and, targeted, opens its panel beside the text (who, what, when, where, according to whom, how sure),
with CSS ``:target`` and no script.  Where the text may not be published (its licence, ``dataset.yaml``), the
quotes alone are listed in text order, each with its anchor and panel: a quote is what the facts rest on and
is published with them, the text around it is not.  The IRIs and the statements go under "Data" at the end.

Quotes overlap (a relation inside an event's sentence, two accusations sharing words).  The text is cut at
every quote's start and end; each quote is an element wrapping its own pieces, nested in the quotes that
contain it, so every quote keeps its extent and its own underline.  A quote crossing another's end is split:
its first part carries the anchor and the panel, the rest continue it.  A piece links to the innermost quote
covering it (the narrower of two that cross); every panel names the quotes that overlap its own, so none is out
of reach.

The graph is read through :class:`~kgpub.web.pages.Pages` alone (``outgoing``, ``incoming``), so the server's
store and the site's snapshot draw the same page, and the site records what the page read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import pairwise
from typing import Any, NamedTuple, cast

from kgpub.rdf import vocab
from kgpub.web.pages import KIND_PAGES, Link, Pages, date_in_words, fact_kind

KG, OA, RDF, XSD = vocab.KG, vocab.OA, vocab.RDF, vocab.XSD
ARTICLE = vocab.SCHEMA + "NewsArticle"

#: The kinds of fact a quote may support, in the order the legend lists them and a quote's colour is chosen by
#: (a quote supporting an accusation and an actor's mention is coloured as the accusation), with the legend's words.
KINDS: tuple[tuple[str, str, str], ...] = (
    ("accusation", "Accusation", "an actor blames another"),
    ("threat", "Threat", "an actor threatens another with harm"),
    ("statement", "Statement", "a condemnation, a denial, a claim of responsibility, a demand, a warning, an appeal"),
    ("event", "Event", "something that happened, with its actors, date, place and counts"),
    ("relation", "Relation", "how two actors or places are linked (member of, part of, located in)"),
    ("mention", "Named", "the article names an actor or a place it introduces"),
)
#: How sure the article is, from the surest; a quote is drawn as its least sure fact.
CERTAINTIES: tuple[tuple[str, str, str], ...] = (
    ("certain", "Reported as fact", "the article says it happened or is so"),
    ("claimed", "Claimed", "someone alleges or claims it; kgpub records the claim, never the fact"),
    ("hedged", "Hedged", "the article is not sure: \u201creportedly\u201d, \u201cwould\u201d, \u201ccould have\u201d"),
    ("denied", "Denied", "the article says it is not so"),
)
_KIND_RANK = {k: i for i, (k, _, _) in enumerate(KINDS)}
_CERTAINTY_RANK = {c: i for i, (c, _, _) in enumerate(CERTAINTIES)}
_KIND_NAMES = {k: name for k, name, _ in KINDS}

#: The roles of a fact in words, by property, in the order a panel gives them.
ROLES: tuple[tuple[str, str], ...] = (
    (KG + "agent", "By"), (KG + "accuser", "Accuser"), (KG + "threatener", "Who threatens"),
    (KG + "speaker", "Speaker"), (KG + "target", "Against"), (KG + "victim", "Victims"),
    (KG + "accused", "Accused"), (KG + "threatened", "Threatened"), (KG + "addressee", "Addressed to"),
    (KG + "participant", "With"), (KG + "allegation", "Alleges"), (KG + "concerns", "Concerning"),
    (KG + "denies", "Denies"), (KG + "about", "About"), (KG + "content", "Says"), (KG + "condition", "If"),
    (KG + "inResponseTo", "In response to"),
)
_ROLE_WORDS = dict(ROLES)


class Row(NamedTuple):
    """One line of a fact's panel: what it says (``Who``, ``When``...) and its value, links and words in turn.
    (Tuples, as a page makes some fifty: a frozen dataclass costs twice as much to make.)"""

    words: str
    value: list[Link]


class FactView(NamedTuple):
    """A fact one quote supports, as its panel shows it."""

    kind: str
    kind_label: str
    what: Link
    rows: list[Row]
    certainty: str
    certainty_words: str

    @property
    def cls(self) -> str:
        """The classes its panel's part is drawn with, its kind's colour and its certainty's underline."""
        return f"k-{self.kind} c-{self.certainty}"


@dataclass
class Highlight:
    """One quote of the article (one span of its text; the facts that cite the same span share it)."""

    n: int
    start: int | None
    end: int | None
    exact: str
    facts: list[FactView] = field(default_factory=list)
    #: The quotes whose span overlaps this one's: their numbers and the names of their kinds.
    overlaps: list[tuple[int, str]] = field(default_factory=list)

    # Read once the facts are in (a page reads each several times): kept, not worked out at every read.

    @cached_property
    def id(self) -> str:
        return f"q-{self.n}"

    @cached_property
    def kind(self) -> str:
        return min((f.kind for f in self.facts), key=_KIND_RANK.__getitem__, default="mention")

    @cached_property
    def certainty(self) -> str:
        return max((f.certainty for f in self.facts), key=_CERTAINTY_RANK.__getitem__, default="certain")

    @cached_property
    def cls(self) -> str:
        """The classes its elements are drawn with: its kind's colour and its certainty's underline."""
        return f"k-{self.kind} c-{self.certainty}"

    @property
    def head(self) -> str:
        """Its panel's heading: its number and, where it was found in the text, its offsets."""
        return f"Quote {self.n}, characters {self.start}\u2013{self.end}" if self.start is not None else f"Quote {self.n}"


@dataclass(frozen=True)
class Token:
    """The text drawn as a flat sequence: ``open`` and ``close`` a quote's element (``first``: the part that
    carries its anchor and, before it closes, its panel), or a ``text`` piece (``quote``: the shortest quote
    covering it, which it links to, None for text no quote holds; ``depth``: how many quotes cover it).  A quote
    listed without its text is an ``item``, drawn whole with its panel (see :func:`listed`): the page draws both
    from one loop, so a panel is written in one place."""

    what: str
    quote: Highlight | None = None
    first: bool = False
    text: str = ""
    start: int = 0
    end: int = 0
    depth: int = 0


# --------------------------------------------------------------------------- the page


def context(pages: Pages, iri: str, text: str | None) -> dict[str, Any]:
    """The article's page: the generic node context (its data: IRI, statements, links in) with the header,
    the quotes in text order, the text cut into tokens where it may be shown, and the legend's counts."""
    import pyoxigraph as ox

    node = ox.NamedNode(iri)
    generic = pages.generic(iri, text, quoted=False)
    quotes = highlights(pages, iri)
    cut = tokens(text, quotes) if text is not None else None
    drawn = {t.quote.n for t in cut or [] if t.what == "open" and t.quote is not None}
    return {**generic, "template": "article_page.html", "header": header(pages, node), "quotes": quotes,
            "tokens": cut, "unlocated": listed([q for q in quotes if q.n not in drawn]) if cut is not None else [],
            "listed": listed(quotes) if cut is None else [],
            "legend": legend(quotes), "facts_count": len({f.what for q in quotes for f in q.facts})}


def header(pages: Pages, node: Any) -> dict[str, Any]:
    """What the article is and whose: its headline's publisher, date, language, source URL and rights rows
    (those the byline does not already give)."""
    def first(predicate: str) -> Any:
        values = sorted(pages.objects(node, predicate), key=str)
        return values[0] if values else None

    publisher, published, url = first(vocab.SCHEMA + "publisher"), first(vocab.SCHEMA + "datePublished"), first(vocab.SCHEMA + "url")
    agency = first(vocab.SCHEMA + "sourceOrganization")
    rights = [(k, v) for k, v in pages.rights(node) if k not in ("Publisher", "Published at")]
    return {"publisher": pages.link(publisher) if publisher is not None else None,
            "agency": pages.link(agency) if agency is not None and agency != publisher else None,
            "date": when(published) if published is not None else "",
            "url": url.value if url is not None else "", "rights": rights}


def legend(quotes: list[Highlight]) -> dict[str, list[tuple[str, str, str, int]]]:
    """The kinds and the certainties the legend explains, each with how many quotes of this article are drawn so."""
    kinds = {k: 0 for k, _, _ in KINDS}
    sure = {c: 0 for c, _, _ in CERTAINTIES}
    for q in quotes:
        kinds[q.kind] += 1
        sure[q.certainty] += 1
    return {"kinds": [(k, name, what, kinds[k]) for k, name, what in KINDS],
            "certainties": [(c, name, what, sure[c]) for c, name, what in CERTAINTIES]}


# --------------------------------------------------------------------------- the quotes


def highlights(pages: Pages, iri: str) -> list[Highlight]:
    """Every quote of the article, one per span of its text, in text order (the ones without offsets last), each
    with the facts it supports and the quotes that overlap it; numbered from 1 in that order."""
    import pyoxigraph as ox

    spans: dict[tuple[int | None, int | None, str], list[Any]] = {}
    for t in pages.incoming(ox.NamedNode(iri)):
        if t.predicate.value != OA + "hasSource":
            continue
        annotation = t.subject
        start, end, exact = pages.selected(annotation)
        facts = spans.setdefault((start, end, exact), [])
        facts += [u.subject for u in pages.incoming(annotation) if u.predicate.value == KG + "evidence"]

    numbers = pages.quote_numbers(iri)
    quotes = []
    seen: dict[str, FactView] = {}  # a fact quoted several times is put in words once
    for key in sorted(spans, key=numbers.__getitem__):
        n = numbers[key]
        start, end, exact = key
        quote = Highlight(n, start, end, exact)
        for f in _without_shared(pages, spans[key]):
            if f.value not in seen:
                seen[f.value] = fact_view(pages, f)
            quote.facts.append(seen[f.value])
        quotes.append(quote)
    _overlaps([q for q in quotes if q.start is not None and q.end is not None])
    return quotes


def _overlaps(placed: list[Highlight]) -> None:
    """Each quote's :attr:`~Highlight.overlaps`, in the order of their numbers.  The quotes come in text order (by
    start), so the ones a quote overlaps after it are the next ones that start before it ends: a page of a
    hundred quotes compares each with its few neighbours, not with the other ninety-nine."""
    for i, q in enumerate(placed):
        end = cast(int, q.end)
        for o in placed[i + 1:]:
            if cast(int, o.start) >= end:
                break
            if cast(int, o.end) > cast(int, q.start):  # an empty span at q's start touches nothing
                q.overlaps.append((o.n, _KIND_NAMES[o.kind].lower()))
                o.overlaps.append((q.n, _KIND_NAMES[q.kind].lower()))


def _without_shared(pages: Pages, facts: list[Any]) -> list[Any]:
    """The facts a quote supports, each once, without a shared event whose report by this article cites the same
    quote (the report is what this article says of it), sorted for a stable page."""
    unique = sorted(set(facts), key=lambda f: f.value)
    reported = {o.value for f in unique for o in pages.objects(f, KG + "reports")}
    return [f for f in unique if f.value not in reported]


def tokens(text: str, quotes: Iterable[Highlight]) -> list[Token]:
    """The text cut at every quote's start and end, as open/text/close tokens: each quote's element wraps its
    pieces, nested in the quotes that contain it (outer first: earlier start, then longer); a quote crossing the
    end of one that holds it closes with it and continues in an element of its own."""
    placed = sorted(((q.start, q.end, q) for q in quotes
                     if q.start is not None and q.end is not None and 0 <= q.start < q.end <= len(text)),
                    key=lambda s: (s[0], -s[1], s[2].n))
    cuts = sorted({0, len(text), *(s for s, _, _ in placed), *(e for _, e, _ in placed)})
    out: list[Token] = []
    stack: list[tuple[Highlight, bool]] = []
    opened: set[int] = set()
    for a, b in pairwise(cuts):
        cover = [q for s, e, q in placed if s <= a and b <= e]  # outer first, as placed is sorted
        keep = 0
        while keep < min(len(stack), len(cover)) and stack[keep][0] is cover[keep]:
            keep += 1
        while len(stack) > keep:
            quote, first = stack.pop()
            out.append(Token("close", quote, first))
        for quote in cover[keep:]:
            first = quote.n not in opened
            opened.add(quote.n)
            stack.append((quote, first))
            out.append(Token("open", quote, first, depth=len(stack)))
        # a piece links to the shortest quote over it: the innermost where quotes nest, the narrower where they cross
        shortest = min(reversed(cover), key=lambda q: (q.end or 0) - (q.start or 0)) if cover else None
        out.append(Token("text", shortest, text=text[a:b], start=a, end=b, depth=len(cover)))
    while stack:
        quote, first = stack.pop()
        out.append(Token("close", quote, first))
    return out


def listed(quotes: Iterable[Highlight]) -> list[Token]:
    """Quotes drawn without their text, as list items: each an ``item``, its anchor, its words and its panel."""
    return [Token("item", q, True) for q in quotes]


# --------------------------------------------------------------------------- one fact, in words


def kind_of(types: set[str]) -> str:
    """A highlight's kind: the fact's (see :func:`~kgpub.web.pages.fact_kind`), "mention" for a node the article
    only names."""
    kind = fact_kind(types)
    return "mention" if kind in ("", "article") else kind


def fact_view(pages: Pages, fact: Any) -> FactView:
    """A fact as its panel shows it: its kind, what it is (a link to its page), who in which role, when, where,
    according to whom, and how sure the article is of it, in words."""
    types = pages.types(fact)
    kind = kind_of(types)
    by = pages.by_predicate(fact)
    rows: list[Row] = []
    kind_label = _KIND_NAMES[kind]
    detail = ""
    events = by.get(KG + "reports", [])
    shown = fact
    if kind == "event":
        if KG + "Count" in types:
            return _count(pages, fact, by)
        if events:  # this article's report of a shared event: the event, as this article tells it
            shown = events[0]
        kinds = by.get(KG + "eventType", []) or [o for e in events for o in pages.objects(e, KG + "eventType")]
        detail = ", ".join(sorted({pages.label(k) for k in kinds}))
    elif kind == "relation":
        subject, predicate, obj = (by.get(RDF + p, [None])[0] for p in ("subject", "predicate", "object"))
        detail = pages.label(predicate) if predicate is not None else ""
        if subject is not None and obj is not None:
            rows.append(Row("Who", [pages.link(subject), Link(f" {detail} "), pages.link(obj)]))
        for role in by.get(KG + "role", []):
            rows.append(Row("As", [Link(role.value)]))
    elif kind == "mention":
        named = sorted(pages.label(pages_type) for pages_type in by.get(RDF + "type", [])
                       if pages_type.value.startswith(KG) and pages_type.value not in (KG + "Agent", KG + "Place"))
        detail = ", ".join(named)
        for description in by.get(vocab.SCHEMA + "description", []):
            rows.append(Row("Who", [Link(description.value)]))
    else:
        acts = by.get(KG + "actType", [])
        detail = ", ".join(sorted({pages.label(a) for a in acts}))
    what = pages.link(shown)
    for predicate, words in ROLES:
        if predicate in by:
            rows.append(Row(words, _links(pages, by[predicate])))
    claims = by.get(KG + "claim")
    if claims:
        rows += [_claim_row(pages, claim, fact) for claim in sorted(claims, key=_value)]
    dated = _dates(pages, fact, by)
    for event in events if not dated else []:  # a report without a date of its own: the event's
        dated = _dates(pages, event, None)
    if dated:
        rows.append(Row("When", [_said(dated)]))
    for predicate, words in ((KG + "since", "Since"), (KG + "until", "Until")):
        for node in by.get(predicate, ()):
            rows.append(Row(words, [_said(_dates(pages, node, None))]))
    if KG + "place" in by:
        rows.append(Row("Where", _links(pages, by[KG + "place"])))
    according = by.get(KG + "accordingTo")
    rows.append(_ARTICLE_SAYS if not according else Row("According to", _links(pages, according)))
    certainty, words = _certainty(pages, types, by)
    rows.append(Row("How sure", [_said(words)]))
    return FactView(kind, f"{kind_label}: {detail}" if detail else kind_label, what, rows, certainty, words)


#: The row of a fact the article says in its own voice (a row is never changed once made: one serves every fact).
_ARTICLE_SAYS = Row("According to", [Link("the article")])


def _value(term: Any) -> str:
    return cast(str, term.value)


def _order(link: Link) -> tuple[str, str]:
    return (link.text, link.href or "")


def _links(pages: Pages, terms: list[Any]) -> list[Link]:
    """Nodes as a row's value: their links in order of their words, with ", " between them."""
    if len(terms) == 1:
        return [pages.link(terms[0])]
    return _joined(sorted((pages.link(o) for o in terms), key=_order))


@lru_cache(maxsize=4096)
def _said(words: str) -> Link:
    """Words as a row's value: one (immutable) link a text, since most are said of many facts ("2016", "reported
    as fact", ", ")."""
    return Link(words)


def _joined(links: list[Link]) -> list[Link]:
    """Links with ", " between them, as a row's value."""
    out: list[Link] = []
    for i, link in enumerate(links):
        if i:
            out.append(_said(", "))
        out.append(link)
    return out


def _claim_row(pages: Pages, claim: Any, fact: Any) -> Row:
    """A claim in words: a hedged fact's own role ("By (claimed)"), or what an accuser alleges of another node."""
    def one(predicate: str) -> Any:
        values = pages.objects(claim, predicate)
        return values[0] if values else None

    subject, predicate, obj = one(RDF + "subject"), one(RDF + "predicate"), one(RDF + "object")
    by = [pages.link(a) for a in pages.objects(claim, vocab.PROV + "wasAttributedTo")]
    if subject is not None and subject == fact and predicate is not None and obj is not None:
        return Row(f"{_ROLE_WORDS.get(predicate.value, pages.label(predicate))} (claimed)", [pages.link(obj)])
    words = pages.label(predicate) if predicate is not None else "?"
    value = [pages.link(obj) if obj is not None else Link("?"), Link(f" as {words} of "),
             pages.link(subject) if subject is not None else Link("?")]
    if by:
        value += [Link(", claimed by "), *_joined(by)]
    return Row("Claims", value)


def _count(pages: Pages, count: Any, by: dict[str, list[Any]]) -> FactView:
    """A count of an event ("at least 1 injured"), as part of the event it counts."""
    qualifier = by.get(KG + "qualifier", [])
    words = pages.label(qualifier[0]) if qualifier else ""
    low, high, value = (by.get(KG + p, [None])[0] for p in ("minValue", "maxValue", "value"))
    if qualifier and qualifier[0].value == KG + "Between" and low is not None and high is not None:
        number = f"between {low.value} and {high.value}"
    else:
        shown = value if value is not None else low if low is not None else high
        number = f"{'' if words == 'exactly' else words + ' '}{shown.value if shown is not None else '?'}".strip()
    what = ", ".join(pages.label(o) for o in by.get(KG + "countOf", []))
    owners = [t.subject for t in pages.incoming(count) if t.predicate.value == KG + "count"]
    rows = [Row("How many", [Link(f"{number} {what}".strip())])]
    for owner in owners:
        reported = pages.objects(owner, KG + "reports")
        rows.append(Row("Of", [pages.link(reported[0] if reported else owner)]))
    rows.append(Row("How sure", [Link("reported as fact")]))
    shown_as = pages.link(owners[0]) if owners else Link("a count")
    if owners and pages.objects(owners[0], KG + "reports"):
        shown_as = pages.link(pages.objects(owners[0], KG + "reports")[0])
    return FactView("event", "Event: a count", shown_as, rows, "certain", "reported as fact")


def _certainty(pages: Pages, types: set[str], by: dict[str, list[Any]]) -> tuple[str, str]:
    """How sure the article is of a fact: denied or hedged as the graph says (kg:certainty, kg:hedge); claimed when
    what the quote states is someone's allegation (an accusation, a claim of responsibility, roles kept as claims);
    reported as fact otherwise."""
    said = {c.value for c in by.get(KG + "certainty", [])}
    hedges = ", ".join(f"\u201c{h.value}\u201d" for h in by.get(KG + "hedge", []))
    hedged = f" (the article says {hedges})" if hedges else ""
    if KG + "Denied" in said:
        return "denied", "denied: the article says it is not so" + hedged
    for value, words in ((KG + "Probable", "probable"), (KG + "Possible", "possible")):
        if value in said:
            return "hedged", f"hedged, {words}: reported, not confirmed{hedged}"
    if KG + "Accusation" in types:
        who = ", ".join(pages.label(a) for a in by.get(KG + "accuser", [])) or "an accuser the article does not name"
        return "claimed", f"claimed by {who}: the accusation is reported, what it alleges is not asserted"
    if KG + "ClaimOfResponsibility" in types:
        who = ", ".join(pages.label(a) for a in by.get(KG + "speaker", [])) or "a speaker the article does not name"
        return "claimed", f"claimed by {who}"
    if by.get(KG + "claim"):
        return "claimed", "its roles are claims, not asserted"
    return "certain", "reported as fact"


# --------------------------------------------------------------------------- dates, at their precision

def when(literal: Any) -> str:
    """A date as precise as it was given: ``2020-01-03`` as "3 January 2020", ``2020-12`` as "December 2020",
    ``2020`` as "2020"; anything else (an EDTF interval) as written."""
    value = literal.value
    kind = literal.datatype.value if hasattr(literal, "datatype") and literal.datatype is not None else ""
    if (kind == XSD + "date" and value.count("-") == 2) or (kind == XSD + "gYearMonth" and value.count("-") == 1):
        return _in_words(value)
    return value


#: :func:`~kgpub.web.pages.date_in_words` kept by date: a build has a few thousand dates, each put in words on
#: many pages.
_in_words = lru_cache(maxsize=8192)(date_in_words)


def _dates(pages: Pages, node: Any, by: dict[str, list[Any]] | None) -> str:
    """When a fact (or a date node of a relation) is, at its precision, with the article's words for it."""
    if by is None:
        by = pages.by_predicate(node)
    dated = by.get(KG + "date") or by.get(KG + "edtf") or []
    text = when(dated[0]) if dated else ""
    phrase = by.get(KG + "datePhrase", [])
    if phrase:
        text = f"{text} (\u201c{phrase[0].value}\u201d)" if text else f"\u201c{phrase[0].value}\u201d"
    return text


KIND_PAGES[ARTICLE] = context
