"""An actor's page (and a place's): who it is, what the articles report of it, and who says so.

A reader opens an actor to learn what it did, what was done to it, and on whose word.  The page
(``actor.html``) gives an infobox (its names, description, kind, Wikidata item, the articles and
publishers that mention it, its first and last dated fact), then every fact it takes part in,
grouped by kind and sorted by date, each with its date at the precision the text gives it, the
actor's role in words ("accused by", "member of ... since May 2020"), the certainty, the quotes and
their articles and publishers; then the network picture with each edge named, a legend and whole
labels; and last the raw statements in a data section, the only place RDF names appear.

What an article only reports someone as saying is shown as said, never as fact: an accusation's
allegation and a claim (``kg:Claim``) read "according to" their author, and a hedged fact carries
its certainty and its source.  The page reads the graph through :class:`~kgpub.web.pages.Pages`
only, so ``kgpub serve`` and ``kgpub site`` draw the same page.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, NamedTuple, cast

from kgpub.corpus import dates
from kgpub.rdf import vocab
from kgpub.web.pages import ENTITIES, KIND_PAGES, RDF_TYPE, Link, Pages, anchor, edtf_in_words, fact_kind

KG, RDF = vocab.KG, vocab.RDF
#: Wikidata's entity IRIs (``schema:sameAs`` from the registry) and where a reader reads the item.
WIKIDATA_ENTITY, WIKIDATA_PAGE = "http://www.wikidata.org/entity/", "https://www.wikidata.org/wiki/"
#: Neighbours drawn around an actor at most (the page lists them all).
DRAWN = 16
#: Characters a line of a label in the network picture holds (a label is wrapped, never cut).
LINE = 24

#: The groups of facts, in the page's order.
GROUPS = ("Accusations", "Threats", "Statements", "Events", "Relations and memberships", "Claims", "Articles",
          "Other facts")

#: The actor's role in a fact, in words, by the fact's property that names it (the fact's kind gives its group).
ROLES: dict[str, str] = {
    KG + "accused": "accused by", KG + "accuser": "accuses",
    KG + "threatened": "threatened by", KG + "threatener": "threatens",
    KG + "speaker": "said", KG + "addressee": "addressed by",
    KG + "agent": "carried out", KG + "victim": "victim of", KG + "participant": "took part in",
    KG + "target": "targeted in", KG + "place": "place of", KG + "accordingTo": "source of",
    vocab.PROV + "wasAttributedTo": "claims",
    vocab.SCHEMA + "publisher": "published", vocab.SCHEMA + "sourceOrganization": "the news agency of",
    vocab.DCTERMS + "rightsHolder": "holds the rights to",
}
#: A role's noun, for a fact's other actors ("the victim").
NOUNS: dict[str, str] = {
    KG + "accused": "accused", KG + "accuser": "accuser", KG + "threatened": "threatened",
    KG + "threatener": "threatener", KG + "speaker": "speaker", KG + "addressee": "addressee", KG + "agent": "agent",
    KG + "victim": "victim", KG + "participant": "participant", KG + "target": "target", KG + "place": "place",
    KG + "accordingTo": "source",
}
#: The roles whose other side a fact's line names: who accuses whom, who threatens whom, who speaks to whom.
COUNTERPARTS: dict[str, str] = {
    KG + "accused": KG + "accuser", KG + "accuser": KG + "accused",
    KG + "threatened": KG + "threatener", KG + "threatener": KG + "threatened",
    KG + "addressee": KG + "speaker", KG + "speaker": KG + "addressee",
}
#: A relation between two entities in words, as its subject has it and as its object has it.
RELATIONS: dict[str, tuple[str, str]] = {
    KG + "memberOf": ("member of", "has as member"),
    KG + "partOf": ("part of", "has as part"),
    KG + "affiliatedWith": ("affiliated with", "has as affiliate"),
    KG + "alliedWith": ("allied with", "allied with"),
    KG + "backedBy": ("backed by", "backs"),
    KG + "commandedBy": ("commanded by", "commands"),
    KG + "locatedIn": ("located in", "contains"),
    KG + "complicitIn": ("complicit in", "with as complicit"),
}
#: What an entity's own statements say and the infobox shows, not a relation to draw.
INFOBOX = frozenset({RDF_TYPE, vocab.RDFS + "label", vocab.SKOS + "altLabel", vocab.SCHEMA + "description",
                     vocab.SCHEMA + "sameAs", KG + "evidence", vocab.OWL + "sameAs", vocab.DCTERMS + "isReplacedBy"})


# --------------------------------------------------------------------------- dates


@dataclass(frozen=True)
class When:
    """A date as the page shows it: in words at the precision the text gives (``text``), its EDTF expression
    (``edtf``), the precision's name, and the earliest and latest day it can mean (ISO dates, "" for an open end)."""

    text: str
    edtf: str
    precision: str
    earliest: str = ""
    latest: str = ""


#: :func:`~kgpub.web.pages.edtf_in_words` kept by expression: a build's tens of thousands of facts fall on a few
#: thousand dates, each put in words on every page of the fact's actors.
_edtf_in_words = lru_cache(maxsize=8192)(edtf_in_words)


def when(pages: Pages, node: Any) -> When | None:
    """The date a node gives (``kg:date`` where exact, ``kg:edtf`` where not; an article's publication date), None
    if it gives none."""
    given = pages.objects(node, KG + "date") or pages.objects(node, KG + "edtf")
    if not given:
        published = pages.objects(node, vocab.SCHEMA + "datePublished")
        if not published:
            return None
        try:  # an article's date is exact, to the day, month or year: its bounds are the date's own
            parsed = dates.parse(published[0].value[:10])
        except ValueError:
            return None
        text, precision = _edtf_in_words(parsed.edtf)
        return When(text, parsed.edtf, precision, str(parsed.earliest or ""), str(parsed.latest or ""))
    edtf = given[0].value
    text, precision = _edtf_in_words(edtf)
    earliest = pages.objects(node, KG + "earliest")
    latest = pages.objects(node, KG + "latest")
    return When(text, edtf, precision, earliest[0].value if earliest else "", latest[0].value if latest else "")


def _dated_node(pages: Pages, node: Any, predicate: str) -> When | None:
    """The date of a relation's ``kg:since`` or ``kg:until`` (a ``kg:TextDate`` of its own)."""
    found = pages.objects(node, predicate)
    return when(pages, found[0]) if found else None


# --------------------------------------------------------------------------- what the page lists


class Source(NamedTuple):
    """A quote a fact rests on, and where it is from: the article (its page, the quote's anchor there if the
    page shows the text) and the article's publisher.  (A tuple: a page unpacks its fields in its loop over
    hundreds of quotes instead of looking each up by name.)"""

    exact: str
    article: Link
    publisher: Link | None
    #: Its anchor on this page, where the page is its place (an entity's own evidence: see ``Pages.folded``).
    id: str = ""


@dataclass(slots=True)
class Item:
    """One fact as the actor's page lists it (see the module's docstring); with slots and not frozen, as a page
    makes one a fact (an armed group's, thousands) and a frozen dataclass costs about twice as much to make.

    ``role`` says what the actor is in it, ``others`` the actors on the other side ("accused by X"),
    ``detail`` what is said, alleged or demanded; ``according`` whose word it is and ``claimed`` whether the line
    is only that word (an allegation or a claim, never a fact); ``certainty`` is "" where the article is sure.
    ``voice`` says how the page words it: "allegation" (an accusation: made, but its content is the accuser's),
    "claim" (someone's word: "according to X"), "own" (the actor's own claim: "claims"), "" (a reported fact)."""

    group: str
    role: str
    fact: Link
    others: list[Link] = field(default_factory=list)
    detail: str = ""
    according: list[Link] = field(default_factory=list)
    claimed: bool = False
    certainty: str = ""
    date: When | None = None
    until: When | None = None
    sources: list[Source] = field(default_factory=list)
    #: Neighbours this fact links the actor to, with the edge's words and whether the link is a claim.
    links: tuple[tuple[str, str, bool], ...] = ()
    #: The fact's own IRI and the property that names the actor, for the data section.
    iri: str = ""
    predicate: str = ""
    voice: str = ""

    @property
    def others_in_words(self) -> list[tuple[str, Link]]:
        """:attr:`others` as the line names them: each after its separator ("", ", ", " and ")."""
        return in_words(self.others)

    @property
    def according_in_words(self) -> list[tuple[str, Link]]:
        return in_words(self.according)

    @property
    def order(self) -> tuple[int, str, str, str]:
        """Dated facts first, by earliest day, then latest; undated last; then by what they say."""
        if self.date is None:
            return (1, "", "", self.fact.text)
        return (0, self.date.earliest or self.date.latest, self.date.latest, self.fact.text)


def in_words(links: list[Link]) -> list[tuple[str, Link]]:
    """Names as a sentence lists them ("A, B and C"): each with the words before it; the page writes them in its
    loop rather than by a macro, a call per fact that costs more than its text."""
    last = len(links) - 1
    return [("" if n == 0 else " and " if n == last else ", ", link) for n, link in enumerate(links)]


#: The heading of each kind of fact (see :func:`~kgpub.web.pages.fact_kind`) on an actor's page.
GROUP_OF_KIND = {"accusation": "Accusations", "threat": "Threats", "statement": "Statements", "event": "Events",
                 "relation": "Relations and memberships", "article": "Articles", "": "Other facts"}


def _group(types: set[str]) -> str:
    return GROUP_OF_KIND[fact_kind(types)]


def _sources(pages: Pages, fact: Any, anchored: bool) -> list[Source]:
    """:meth:`ActorPage.sources`, read from the graph."""
    import pyoxigraph as ox

    out = []
    for ev in pages.evidence(fact):
        if ev.article is not None:
            found = sorted(pages.objects(ox.NamedNode(ev.article), vocab.SCHEMA + "publisher"), key=str)
            out.append(Source(ev.exact, Link(ev.headline, pages.quote_href(ev.article, ev.start, ev.end, ev.exact)),
                              pages.link(found[0]) if found else None,
                              anchor(fact.value, ev.annotation) if anchored else ""))
    return out


class ActorPage:
    """The facts of one actor read from ``pages`` (a small object: the publisher of an article and a node's kinds
    are asked for again and again, and read once)."""

    def __init__(self, pages: Pages, iri: str) -> None:
        import pyoxigraph as ox

        self.pages = pages
        self.node = ox.NamedNode(iri)
        #: Whether a node is an entity, and a property's words: a page asks of the same few again and again.
        self._entities: dict[str, bool] = {}
        self._words: dict[str, str] = {}

    # -- pieces

    def link(self, term: Any) -> Link:
        return self.pages.link(term)

    def entity(self, term: Any) -> bool:
        import pyoxigraph as ox

        if type(term) is not ox.NamedNode:
            return False
        key = term.value  # by its IRI: a string hashes faster than a term
        known = self._entities.get(key)
        if known is None:
            known = self._entities[key] = self.pages.is_entity(term)
        return known

    def words(self, predicate: str) -> str:
        known = self._words.get(predicate)
        if known is None:
            known = self._words[predicate] = self.pages.words(predicate)
        return known

    def sources(self, fact: Any, anchored: bool = False) -> list[Source]:
        """The quotes ``fact`` rests on, each with its article and publisher (and its anchor, where this page is
        the quote's place: ``anchored``).  A fact is listed on the page of each of its actors: its quotes are
        made once for all of them (``Pages.kept``: a static site's writer keeps them with their reads)."""
        if anchored:
            return _sources(self.pages, fact, True)
        return cast(list[Source], self.pages.kept(("sources", fact.value), lambda: _sources(self.pages, fact, False)))

    def when(self, node: Any) -> When | None:
        """:func:`when` of a fact, made once for every page that lists it (see :meth:`sources`)."""
        return cast("When | None", self.pages.kept(("when", node.value), lambda: when(self.pages, node)))

    def certainty(self, fact: Any) -> str:
        """How sure the article is, in words ("probable, “would”"), "" where it states the fact."""
        doubt = [c for c in self.pages.objects(fact, KG + "certainty") if c.value != KG + "Certain"]
        if not doubt:
            return ""
        words = self.pages.label(doubt[0])
        if ":" in words:  # no label: the name without its prefix
            words = words.rsplit(":", 1)[-1]
        hedges = [h.value for h in self.pages.objects(fact, KG + "hedge")]
        return words.lower() + (f", the article says “{hedges[0]}”" if hedges else "")

    def according(self, fact: Any) -> list[Link]:
        return sorted((self.link(a) for a in self.pages.objects(fact, KG + "accordingTo")), key=lambda x: x.text)

    def others(self, fact: Any, predicate: str) -> list[Link]:
        """The actors of ``fact`` on the other side of the actor's role (the accuser of the accused ...)."""
        other = COUNTERPARTS.get(predicate)
        if other is None:
            return []
        return sorted((self.link(o) for o in self.pages.objects(fact, other)), key=lambda x: x.text)

    def detail(self, fact: Any, group: str) -> str:
        for predicate in (KG + "allegation", KG + "content", KG + "condition"):
            found = self.pages.objects(fact, predicate)
            if found:
                text = found[0].value
                conditional = text.split(" ", 1)[0].lower() in ("if", "unless", "until", "when", "should", "once")
                return f"if {text}" if predicate == KG + "condition" and not conditional else text
        return ""

    def fellows(self, fact: Any, predicate: str, claimed: bool, hedge: str) -> tuple[tuple[str, str, bool], ...]:
        """The other entities a fact names, each with the words of its edge in the network: the direct relation
        where the fact is one between two actors (accused by, threatens), else the fact's kind and the other's role."""
        import pyoxigraph as ox

        out = []
        direct = COUNTERPARTS.get(predicate)
        kind = _group(self.pages.types(fact)).rstrip("s").lower()
        said = f" ({hedge})" if hedge else ""
        dashed = claimed or bool(hedge)
        here, base, named = self.node.value, self.pages.base, ox.NamedNode
        for t in self.pages.outgoing(fact):
            obj = t.object
            if type(obj) is not named:
                continue
            value = obj.value
            # only an entity with a page here is drawn (one elsewhere is not asked whether it is one)
            if value == here or not value.startswith(base):
                continue
            by = t.predicate.value
            if by == RDF_TYPE or not self.entity(obj):
                continue
            words = ROLES[predicate] if by == direct else f"{NOUNS.get(by) or self.words(by)} in the same {kind}"
            out.append((value, words + said, dashed))
        return tuple(out)

    # -- the facts

    def role_item(self, fact: Any, predicate: str) -> Item:
        """A fact that names the actor by ``predicate`` (an accusation, a threat, an event, a report of one)."""
        types = self.pages.types(fact)
        group = _group(types)
        role = ROLES.get(predicate) or self.words(predicate)
        if predicate == KG + "speaker":
            kinds = sorted(self.pages.label(t) for t in map(_named, types - {KG + "SpeechAct"}))
            role = f"said ({kinds[0].lower()})" if kinds else "said"
        # what is said, alleged or demanded is the line of its parties; a place or a source is not one of them
        detail = self.detail(fact, group) if predicate in COUNTERPARTS else ""
        according = self.according(fact)
        others = self.others(fact, predicate)
        certainty = self.certainty(fact)
        claimed = False
        if group == "Accusations":
            # the accusation was made (the article reports it); what it alleges is the accuser's word only
            according = sorted({*according, *(self.link(o) for o in self.pages.objects(fact, KG + "accuser"))},
                               key=lambda x: x.text)
            claimed = bool(detail)
        hedge = certainty.split(",")[0] if certainty else ""
        return Item(group, role, self.link(fact), others, detail, according, claimed, certainty,
                    self.when(fact), None, self.sources(fact),
                    self.fellows(fact, predicate, False, hedge), fact.value, predicate, "allegation" if claimed else "")

    def own_claim_item(self, claim: Any) -> Item:
        """A claim the actor makes (``prov:wasAttributedTo`` it): its word, with the quotes and certainty of the fact
        that reports it."""
        makers = [t.subject for t in self.pages.incoming(claim) if t.predicate.value == KG + "claim"]
        maker = makers[0] if makers else claim
        certainty = self.certainty(maker)
        return Item("Claims", "claims", self.link(claim), [], "", [self.link(self.node)], True, certainty,
                    self.when(maker), None, self.sources(maker), (), claim.value,
                    vocab.PROV + "wasAttributedTo", "own")

    def relation_item(self, statement: Any, as_subject: bool) -> Item | None:
        """A relation between the actor and another entity (a ``kg:Relationship``, or a ``kg:Claim`` someone makes)."""
        import pyoxigraph as ox

        def first(predicate: str) -> Any:
            found = self.pages.objects(statement, predicate)
            return found[0] if found else None

        subject, predicate, obj = first(RDF + "subject"), first(RDF + "predicate"), first(RDF + "object")
        if subject is None or predicate is None or obj is None:
            return None
        types = self.pages.types(statement)
        other = obj if as_subject else subject
        if KG + "Claim" in types:
            return self.claim_item(statement, subject, predicate.value, obj, as_subject)
        pair = RELATIONS.get(predicate.value)
        words = (pair[0] if as_subject else pair[1]) if pair else (
            self.words(predicate.value) if as_subject else f"{self.words(predicate.value)} (of)")
        detail = ""
        roles = [r.value for r in self.pages.objects(statement, KG + "role")]
        if roles:
            detail = f"as {roles[0]}" if as_subject else f"(as {roles[0]})"
        since = _dated_node(self.pages, statement, KG + "since")
        until = _dated_node(self.pages, statement, KG + "until")
        hedge = self.certainty(statement)
        linked = ((other.value, words + (f" ({hedge})" if hedge else ""), bool(hedge)),) \
            if isinstance(other, ox.NamedNode) and self.entity(other) else ()
        return Item("Relations and memberships", words, self.link(statement), [self.link(other)], detail,
                    self.according(statement), False, hedge, since, until, self.sources(statement), linked,
                    statement.value, RDF + ("subject" if as_subject else "object"))

    def claim_item(self, claim: Any, subject: Any, predicate: str, obj: Any, as_subject: bool) -> Item:
        """A claim: what someone alleges (an accusation's content) or what a hedged report says, as theirs.

        Its quotes, date and certainty are those of the fact that makes it (the accusation, the hedged event)."""
        import pyoxigraph as ox

        makers = [t.subject for t in self.pages.incoming(claim) if t.predicate.value == KG + "claim"]
        maker = makers[0] if makers else None
        who = sorted((self.link(a) for a in self.pages.objects(claim, vocab.PROV + "wasAttributedTo")),
                     key=lambda x: x.text)
        if maker is not None:
            who = sorted({*who, *self.according(maker)}, key=lambda x: x.text)
        certainty = self.certainty(maker) if maker is not None else ""
        hedge = certainty.split(",")[0] if certainty else "claimed"
        if isinstance(subject, ox.NamedNode) and not self.entity(subject):
            # a role in a hedged fact: the actor "carried out" an event only by someone's account
            fact = subject
            role = ROLES.get(predicate) or self.words(predicate)
            types = self.pages.types(fact)
            return Item(_group(types), role, self.link(fact), [], "", who, True, certainty,
                        self.when(fact), None, self.sources(maker if maker is not None else fact),
                        self.fellows(fact, predicate, True, hedge), claim.value, RDF + "object", "claim")
        pair = RELATIONS.get(predicate)
        words = (pair[0] if as_subject else pair[1]) if pair else self.words(predicate)
        other = obj if as_subject else subject
        linked = ((other.value, words + " (claimed)", True),) if self.entity(other) else ()
        return Item("Claims", words, self.link(maker if maker is not None else claim),
                    [self.link(other)], "", who, True, certainty, self.when(maker) if maker is not None else None,
                    None, self.sources(maker) if maker is not None else [], linked, claim.value,
                    RDF + ("subject" if as_subject else "object"), "claim")

    def plain_item(self, predicate: str, other: Any, as_subject: bool) -> Item:
        """A relation the entity registry states (no article's quote): who it is a member of, where it lies."""
        pair = RELATIONS.get(predicate)
        words = (pair[0] if as_subject else pair[1]) if pair else (
            self.words(predicate) if as_subject else f"{self.words(predicate)} (of)")
        return Item("Relations and memberships", words, Link("as the entity registry states it"), [self.link(other)],
                    links=((other.value, words, False),), iri=other.value, predicate=predicate)

    def items(self, outgoing: list[Any], incoming: list[Any]) -> list[Item]:
        """Every fact the actor takes part in, once each (a relation stated and reified is its reified node)."""
        import pyoxigraph as ox

        out: list[Item] = []
        reified: set[tuple[str, str, str]] = set()
        for t in incoming:
            subject, predicate = t.subject, t.predicate.value
            if not isinstance(subject, ox.NamedNode):
                continue
            if predicate in (RDF + "subject", RDF + "object"):
                item = self.relation_item(subject, predicate == RDF + "subject")
                if item is not None:
                    out.append(item)
                    s, p, o = (self.pages.objects(subject, RDF + x) for x in ("subject", "predicate", "object"))
                    if s and p and o:
                        reified.add((s[0].value, p[0].value, o[0].value))
            elif self.entity(subject):
                continue  # taken below, unless a reified relation says it with its quote
            elif predicate == vocab.PROV + "wasAttributedTo" and KG + "Claim" in self.pages.types(subject):
                out.append(self.own_claim_item(subject))
            elif predicate not in (KG + "evidence", RDF_TYPE):
                out.append(self.role_item(subject, predicate))
        here = self.node.value
        for t in outgoing:
            if t.predicate.value in INFOBOX or not self.entity(t.object):
                continue
            if (here, t.predicate.value, t.object.value) not in reified:
                out.append(self.plain_item(t.predicate.value, t.object, True))
        for t in incoming:
            if self.entity(t.subject) and (t.subject.value, t.predicate.value, here) not in reified \
                    and t.predicate.value not in INFOBOX:
                out.append(self.plain_item(t.predicate.value, t.subject, False))
        return sorted(out, key=lambda i: (GROUPS.index(i.group), i.order, i.role, i.iri))


def _named(iri: str) -> Any:
    import pyoxigraph as ox

    return ox.NamedNode(iri)


# --------------------------------------------------------------------------- the infobox


@dataclass(frozen=True)
class Infobox:
    """Who or what the entity is, at a glance (see the module's docstring)."""

    label: str
    aliases: list[str]
    description: str
    kinds: list[str]
    wikidata: Link | None
    articles: list[Link]
    publishers: list[Link]
    first: Item | None
    last: Item | None
    quotes: list[Source]


def infobox(page: ActorPage, items: list[Item]) -> Infobox:
    pages, node = page.pages, page.node
    types = pages.types(node)
    # the most precise kinds: "Person", not "Agent" beside it
    shown = types - {KG + "Agent"} if types - {KG + "Agent", KG + "Place"} else types
    shown = shown - {KG + "Place"} if shown - {KG + "Place"} else shown
    kinds = sorted(_kind_words(pages, t) for t in shown)
    same = sorted(o.value for o in pages.objects(node, vocab.SCHEMA + "sameAs") if o.value.startswith(WIKIDATA_ENTITY))
    wikidata = None
    if same:
        q = same[0][len(WIKIDATA_ENTITY):]
        wikidata = Link(q, WIKIDATA_PAGE + q)
    own = page.sources(node, anchored=True)
    articles: dict[str, Link] = {}
    publishers: dict[str, Link] = {}
    for source in [s for i in items for s in i.sources] + own:
        page_of = (source.article.href or "").partition("#")[0]  # the article itself, not the quote's place in it
        if page_of not in articles:  # an article quoted again and again is made a link once
            articles[page_of] = replace(source.article, href=page_of or None)
        publisher = source.publisher
        if publisher is not None:
            publishers.setdefault(publisher.href or publisher.text, publisher)
    dated = [i for i in items if i.date is not None and i.group != "Articles"]  # facts, not publications
    first = min(dated, key=lambda i: i.order) if dated else None
    last = max(dated, key=lambda i: (i.date.latest or i.date.earliest, i.date.earliest, i.fact.text)
               if i.date else ("", "", "")) if dated else None
    descriptions = pages.objects(node, vocab.SCHEMA + "description")
    return Infobox(pages.label(node), sorted({a.value for a in pages.objects(node, vocab.SKOS + "altLabel")}),
                   descriptions[0].value if descriptions else "", kinds, wikidata,
                   sorted(articles.values(), key=lambda x: x.text), sorted(publishers.values(), key=lambda x: x.text),
                   first, last, own)


def _kind_words(pages: Pages, kind: str) -> str:
    words = pages.label(_named(kind))
    return words.rsplit(":", 1)[-1] if ":" in words else words


# --------------------------------------------------------------------------- the network picture


@dataclass(slots=True)
class Node:
    """An entity drawn in the network picture: where, its whole name in lines, its kind, how it is linked (with
    slots and not frozen, like :class:`Item`: an armed group's page lists hundreds)."""

    href: str
    name: str
    how: str
    edge: str
    claimed: bool
    kind: str
    lines: list[tuple[str, str, str]] = field(default_factory=list)
    x: str = ""
    y: str = ""
    lx: str = ""
    ly: str = ""
    side: str = "middle"
    weight: int = 1


def _kind_of(pages: Pages, node: Any) -> str:
    types = pages.types(node)
    if KG + "Person" in types:
        return "person"
    if KG + "Place" in types:
        return "place"
    return "group"


def network(page: ActorPage, items: list[Item]) -> dict[str, Any] | None:
    """The actor and the entities its facts link it to, on a circle around it (the closest :data:`DRAWN`), each
    edge named by the relation in words (dashed where it is a claim or hedged), each label whole (wrapped)."""
    pages = page.pages
    # each neighbour's number of links, the words of its edges and whether every link is a claim: an armed group's
    # neighbour is linked by hundreds of facts, in a few words
    linked: dict[str, tuple[int, set[str], bool]] = {}
    here, base = page.node.value, pages.base
    for item in items:
        for iri, words, claimed in item.links:
            if iri != here and iri.startswith(base):
                known = linked.get(iri)
                if known is None:
                    linked[iri] = (1, {words}, claimed)
                else:
                    known[1].add(words)
                    linked[iri] = (known[0] + 1, known[1], known[2] and claimed)
    if not linked:
        return None

    named = {iri: _named(iri) for iri in linked}
    names = {iri: pages.label(node) for iri, node in named.items()}
    ranked = sorted(linked, key=lambda iri: (-linked[iri][0], names[iri], iri))
    chosen = ranked[:DRAWN]
    width, rx, ry, top = 960, 250, 200, 70
    height = 2 * (ry + top)
    cx, cy = width / 2, height / 2
    drawn, listed = [], []
    for iri in ranked:
        _, ways, claimed = linked[iri]
        hows = sorted(ways)
        listed.append(Node(pages.href(iri), names[iri], "; ".join(hows), _edge_words(hows), claimed,
                           _kind_of(pages, named[iri])))
    for i, node in enumerate(listed[:len(chosen)]):
        angle = 2 * math.pi * i / len(chosen) - math.pi / 2
        x, y = cx + rx * math.cos(angle), cy + ry * math.sin(angle)
        side = "start" if math.cos(angle) > 0.25 else "end" if math.cos(angle) < -0.25 else "middle"
        wrapped = textwrap.wrap(node.name, LINE) or [node.name]
        lx = x + (12 if side == "start" else -12 if side == "end" else 0)
        if side == "middle":
            ly = y - 14 - 14 * (len(wrapped) - 1) if math.sin(angle) < 0 else y + 22
        else:
            ly = y + 4 - 7 * (len(wrapped) - 1)
        # the edge's words half way out, every other one further out, so neighbours' words do not overlap
        t = 0.5 if i % 2 == 0 else 0.72
        ex, ey = cx + (x - cx) * t, cy + (y - cy) * t
        lines = [(f"{lx:.1f}", f"{ly + 14 * k:.1f}", text) for k, text in enumerate(wrapped)]
        drawn.append(replace(node, lines=lines, x=f"{x:.1f}", y=f"{y:.1f}", lx=f"{ex:.1f}", ly=f"{ey + 4:.1f}",
                             side=side, weight=min(1 + linked[ranked[i]][0], 5)))
    kinds = sorted({n.kind for n in drawn})
    return {"width": width, "height": height, "cx": f"{cx:.1f}", "cy": f"{cy:.1f}", "cy_label": f"{cy + 30:.1f}",
            "label": pages.label(page.node), "drawn": drawn, "listed": listed, "more": len(ranked) - len(chosen),
            "kinds": kinds, "dashed": any(n.claimed for n in drawn)}


def _edge_words(hows: list[str]) -> str:
    """The words written on an edge: the relation, or the first of several and how many more."""
    direct = [h for h in hows if " in the same " not in h] or hows
    first = direct[0]
    return first if len(hows) == 1 else f"{first} +{len(hows) - 1}"


# --------------------------------------------------------------------------- the page


class _Once(Pages):
    """``pages`` as one page reads them: each node's triples asked of the graph once, however often the page needs
    them (an actor's page reads each fact's and each neighbour's many times; a server's store answers each read
    with a query).  Links are the wrapped pages' own (a static site's record what they read)."""

    def __init__(self, pages: Pages) -> None:
        super().__init__(pages.base, pages.base_path, pages.prefixes, pages.navigation)
        self.suffix = pages.suffix
        self.folded = pages.folded
        self.inner = pages
        self._from: dict[Any, list[Any]] = {}
        self._into: dict[Any, list[Any]] = {}

    def outgoing(self, node: Any) -> list[Any]:
        found = self._from.get(node)
        if found is None:
            found = self._from[node] = self.inner.outgoing(node)
        return found

    def incoming(self, node: Any) -> list[Any]:
        found = self._into.get(node)
        if found is None:
            found = self._into[node] = self.inner.incoming(node)
        return found

    def href(self, iri: str) -> str:
        return self.inner.href(iri)

    def quote_numbers(self, article: str) -> dict[tuple[int | None, int | None, str], int]:
        return self.inner.quote_numbers(article)  # kept by the build's pages, for every page that quotes the article


def context(pages: Pages, iri: str, text: str | None = None) -> dict[str, Any]:
    """What an entity's page shows (``actor.html`` draws it): the node page's frame (JSON-LD, alternates, notices,
    the raw statements for the data section) and the infobox, the facts by kind, the network."""
    if type(pages).evidence is Pages.evidence:  # pages that keep nothing (a server's store); a snapshot keeps its own
        pages = _Once(pages)
    base = pages.generic(iri, text, quoted=False)
    page = ActorPage(pages, iri)
    outgoing, incoming = pages.outgoing(page.node), pages.incoming(page.node)
    items = page.items(outgoing, incoming)
    groups = [(g, [i for i in items if i.group == g]) for g in GROUPS]
    base.update(template="actor.html", info=infobox(page, items), groups=[(g, found) for g, found in groups if found],
                network=network(page, items))
    return base


for _kind in sorted(ENTITIES):
    KIND_PAGES[_kind] = context
