"""An event's page for a reader: what happened, when, where, who in which role, how many, and who says so.

A ``kg:Event`` is drawn by ``event.html`` (the module adds itself to ``pages.KIND_PAGES``): its types in words, its date
in words with the bounds it allows (a month is "between 1 and 30 June 2020"), its place, each actor under
its role in words ("carried out by", "against", "victims"), its counts with their qualifiers ("at least
8 killed") and the quote each rests on.  A role an article only claims (a ``kg:Claim``) is shown as a claim:
"according to" whom, and how sure.  An event several articles report (a ``kg:SharedEvent``) shows every
account side by side (the registry's and each article's ``kg:EventReport``) and the disagreements between
them, judged as the shipped ``disagreements`` query and the report-conflict shape judge them: dates whose
bounds do not overlap, places neither of which contains the other, counts that cannot both be true, and an
actor one account puts in one role and another in a different one.

It reads the graph only through the :class:`~kgpub.web.pages.Pages` it is given (``outgoing``,
``incoming`` and what is built on them), so the server and the static site (which records what a page
reads, for its incremental runs) show the same page.  It does not import ``pages`` (which imports it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from kgpub.rdf import vocab
from kgpub.web.pages import KIND_PAGES, Link, date_in_words, edtf_in_words

KG = vocab.KG
#: The roles an actor can have in an event, in the order a page lists them, each in words.
ROLES = ((KG + "agent", "Carried out by"), (KG + "target", "Against"), (KG + "victim", "Victims"),
         (KG + "participant", "Also involved"))
#: Each role as a claim names it ("named as the one who carried it out").
ROLE_NOUNS = {KG + "agent": "the one who carried it out", KG + "target": "its target", KG + "victim": "a victim",
              KG + "participant": "a participant"}
#: Facts that point at an event, and how a reader says it ("an accusation about it").
POINTED = {KG + "concerns": "accusation about it", KG + "about": "statement about it",
           KG + "denies": "denial of it", KG + "inResponseTo": "in response to it", KG + "ledTo": "caused it"}


@dataclass(frozen=True)
class Said:
    """A quote a statement rests on, with the article it is in."""

    exact: str
    article: Link | None


@dataclass(frozen=True)
class Claimed:
    """An actor an account only claims has a role: who the account has it from, and how sure it is."""

    actor: Link
    role: str
    according: list[Link]
    certainty: str


@dataclass(frozen=True)
class Number:
    """A count as the article gives it ("at least 8 killed"), its bounds, and the quote it rests on."""

    text: str
    kind: str
    low: int | None
    high: int | None
    quotes: list[Said] = field(default_factory=list)


@dataclass(frozen=True)
class When:
    """A date in words, its bounds (the earliest and latest day it allows) and the article's phrase for it."""

    text: str
    earliest: str = ""
    latest: str = ""
    bounds: str = ""
    phrase: str = ""
    rule: str = ""


@dataclass
class Account:
    """One account of an event: the event's own (for a shared event, the registry's) or one article's report."""

    name: str
    source: list[Link]
    node: Link
    when: When | None
    places: list[Link]
    #: Each role's actors, by the role's heading ("Carried out by"), in the order of :data:`ROLES`.
    roles: dict[str, list[Link]]
    claimed: list[Claimed]
    counts: list[Number]
    quotes: list[Said]
    certainty: str = ""
    according: list[Link] = field(default_factory=list)
    hedge: str = ""
    #: Each role's actors by IRI (for the disagreements), and each place's IRI.
    role_iris: dict[str, set[str]] = field(default_factory=dict)
    place_iris: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Disagreement:
    """Two accounts that cannot both be true on one point."""

    what: str
    one: str
    said: str
    other: str
    other_said: str


@lru_cache(maxsize=8192)
def words(iso: str) -> str:
    """An ISO date in words (see :func:`~kgpub.web.pages.date_in_words`); kept per date, since a site's tens of
    thousands of events fall on a few thousand days."""
    return date_in_words(iso)


@lru_cache(maxsize=8192)
def edtf_words(text: str) -> str:
    """An EDTF expression in words (see :func:`~kgpub.web.pages.edtf_in_words`), kept like :func:`words`."""
    return edtf_in_words(text)[0]


def bounds_words(earliest: str, latest: str) -> str:
    """The days a date allows, in words ("between 1 June 2020 and 30 June 2020"); empty when it is one day."""
    if earliest and latest:
        return "" if earliest == latest else f"between {words(earliest)} and {words(latest)}"
    if earliest:
        return f"not before {words(earliest)}"
    return f"not after {words(latest)}" if latest else ""


def count_text(qualifier: str, value: int | None, low: int | None, high: int | None, kind: str) -> str:
    """A count in words as the article gives it: "14 arrested", "at least 8 killed", "between 12 and 20 killed"."""
    if qualifier == KG + "Between" and low is not None and high is not None:
        number = f"between {low} and {high}"
    else:
        shown = value if value is not None else low if low is not None else high
        word = {KG + "AtLeast": "at least ", KG + "AtMost": "at most ", KG + "About": "about "}.get(qualifier, "")
        number = f"{word}{shown}" if shown is not None else word.strip()
    return f"{number} {kind}".strip()


class Reader:
    """What an event's page reads of the graph, through the backend's pages (see the module's docstring)."""

    def __init__(self, pages: Any) -> None:
        self.pages = pages

    def first(self, node: Any, predicate: str) -> Any:
        """The node's value of ``predicate`` that sorts first (None: none); most have one, taken as it is."""
        values = self.pages.objects(node, predicate)
        if len(values) < 2:
            return values[0] if values else None
        return min(values, key=str)

    def named(self, term: Any) -> Link:
        return self.pages.link(term)

    def concept(self, term: Any) -> str:
        """A concept's name in words (its ``skos:prefLabel``), else its label."""
        pref = self.first(term, vocab.SKOS + "prefLabel")
        return pref.value if pref is not None else self.pages.label(term)

    def quotes(self, node: Any) -> list[Said]:
        out = []
        for ev in self.pages.evidence(node):
            article = None
            if ev.article:
                import pyoxigraph as ox

                named = self.named(ox.NamedNode(ev.article))
                article = Link(named.text, self.pages.quote_href(ev.article, ev.start, ev.end, ev.exact), named.rel)
            out.append(Said(ev.exact, article))
        return out

    def when(self, node: Any) -> When | None:
        """The date of an account, in words, with its bounds, and the article's phrase and the rule that read it."""
        exact, edtf = self.first(node, KG + "date"), self.first(node, KG + "edtf")
        if exact is None and edtf is None:
            return None
        earliest, latest = self.first(node, KG + "earliest"), self.first(node, KG + "latest")
        lo, hi = (earliest.value if earliest is not None else ""), (latest.value if latest is not None else "")
        text = words(exact.value) if exact is not None else edtf_words(edtf.value)
        phrase, rule = self.first(node, KG + "datePhrase"), self.first(node, KG + "dateRule")
        bounds = bounds_words(lo, hi)
        return When(text, lo, hi, "" if bounds == f"between {text}" else bounds,
                    phrase.value if phrase is not None else "", self.pages.label(rule).lower() if rule is not None else "")

    def counts(self, node: Any) -> list[Number]:
        out = []
        for count in sorted(self.pages.objects(node, KG + "count"), key=str):
            def number(predicate: str, count: Any = count) -> int | None:
                found = self.first(count, predicate)
                return int(found.value) if found is not None else None

            kind = self.first(count, KG + "countOf")
            qualifier = self.first(count, KG + "qualifier")
            kind_words = self.concept(kind) if kind is not None else ""
            out.append(Number(count_text(qualifier.value if qualifier is not None else "", number(KG + "value"),
                                         number(KG + "minValue"), number(KG + "maxValue"), kind_words),
                              kind_words, number(KG + "minValue"), number(KG + "maxValue"), self.quotes(count)))
        people = self.first(node, KG + "personCount")
        if people is not None:
            n = int(people.value)
            out.append(Number(f"{n} {'person' if n == 1 else 'people'}", "people", n, n))
        return out

    def certainty(self, node: Any) -> str:
        sure = self.first(node, KG + "certainty")
        return self.pages.label(sure).lower() if sure is not None and sure.value != KG + "Certain" else ""

    def account(self, node: Any, name: str, source: list[Link]) -> Account:
        """One account of the event: its date, places, actors by role, claimed roles, counts and quotes."""
        role_iris: dict[str, set[str]] = {}
        roles: dict[str, list[Link]] = {}
        for predicate, heading in ROLES:
            actors = self.pages.objects(node, predicate)
            if len(actors) > 1:
                actors = sorted(actors, key=lambda a: (self.pages.label(a), str(a)))
            if actors:
                roles[heading] = [self.named(a) for a in actors]
                role_iris[predicate] = {a.value for a in actors}
        certainty = self.certainty(node)
        according = [self.named(a) for a in sorted(self.pages.objects(node, KG + "accordingTo"), key=str)]
        claimed = []
        for claim in sorted(self.pages.objects(node, KG + "claim"), key=str):
            predicate, obj = self.first(claim, vocab.RDF + "predicate"), self.first(claim, vocab.RDF + "object")
            if predicate is None or obj is None:
                continue
            who = [self.named(a) for a in sorted(self.pages.objects(claim, vocab.PROV + "wasAttributedTo"), key=str)]
            role = ROLE_NOUNS.get(predicate.value, self.pages.label(predicate))
            claimed.append(Claimed(self.named(obj), role, who or according, certainty or "claimed"))
        places = sorted(self.pages.objects(node, KG + "place"), key=str)
        hedge = self.first(node, KG + "hedge")
        return Account(name, source, self.named(node), self.when(node), [self.named(p) for p in places], roles,
                       claimed, self.counts(node), self.quotes(node), certainty, according,
                       hedge.value if hedge is not None else "", role_iris, [p.value for p in places])

    def sources(self, node: Any) -> tuple[list[Link], list[Link]]:
        """The articles an account's quotes are in, and who each is by (its agency, else its publisher)."""
        import pyoxigraph as ox

        articles = sorted({ev.article for ev in self.pages.evidence(node) if ev.article})
        by = []
        for article in articles:
            node_ = ox.NamedNode(article)
            who = self.first(node_, vocab.SCHEMA + "sourceOrganization") or self.first(node_, vocab.SCHEMA + "publisher")
            if who is not None:
                named = self.named(who)
                if named not in by:
                    by.append(named)
        return [self.named(ox.NamedNode(a)) for a in articles], by

    def inside(self, place: str, other: str) -> bool:
        """Whether ``place`` is ``other`` or lies within it (``kg:locatedIn``, followed up)."""
        import pyoxigraph as ox

        seen, todo = {place}, [place]
        while todo:
            here = todo.pop()
            if here == other:
                return True
            for up in self.pages.objects(ox.NamedNode(here), KG + "locatedIn"):
                if up.value not in seen:
                    seen.add(up.value)
                    todo.append(up.value)
        return False


def disagreements(reader: Reader, accounts: list[Account]) -> list[Disagreement]:
    """Every pair of accounts that cannot both be true, once per pair and point (see the module's docstring)."""
    import pyoxigraph as ox

    out = []
    for i, one in enumerate(accounts):
        for other in accounts[i + 1:]:
            a, b = one.when, other.when
            if a and b and ((a.latest and b.earliest and a.latest < b.earliest)
                            or (b.latest and a.earliest and b.latest < a.earliest)):
                out.append(Disagreement("date", one.name, a.text, other.name, b.text))
            for p in one.place_iris:
                for q in other.place_iris:
                    if not reader.inside(p, q) and not reader.inside(q, p):
                        out.append(Disagreement("place", one.name, reader.pages.label(ox.NamedNode(p)), other.name,
                                                reader.pages.label(ox.NamedNode(q))))
            for c in one.counts:
                for d in other.counts:
                    if c.kind == d.kind and ((c.high is not None and d.low is not None and c.high < d.low)
                                             or (d.high is not None and c.low is not None and d.high < c.low)):
                        out.append(Disagreement(f"number {c.kind}", one.name, c.text, other.name, d.text))
            out += _role_disagreements(reader, one, other)
    return out


def _role_disagreements(reader: Reader, one: Account, other: Account) -> list[Disagreement]:
    """An actor both accounts name, in roles that share nothing (one's attacker, the other's target)."""
    import pyoxigraph as ox

    def roles_of(account: Account) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for predicate, actors in account.role_iris.items():
            for actor in actors:
                out.setdefault(actor, set()).add(predicate)
        return out

    mine, theirs = roles_of(one), roles_of(other)
    out = []
    for actor in sorted(mine.keys() & theirs.keys()):
        if not mine[actor] & theirs[actor]:
            name = reader.pages.label(ox.NamedNode(actor))

            def said(roles: set[str]) -> str:
                return ", ".join(dict(ROLES)[r].lower() for r in sorted(roles))

            out.append(Disagreement(f"role of {name}", one.name, said(mine[actor]), other.name, said(theirs[actor])))
    return out


def page(pages: Any, node: Any) -> dict[str, Any]:
    """What ``event.html`` shows of the event ``node`` beyond a node's page (see the module's docstring)."""
    import pyoxigraph as ox

    reader = Reader(pages)
    types = sorted({reader.concept(t) for t in pages.objects(node, KG + "eventType")})
    description = reader.first(node, vocab.SCHEMA + "description")
    shared = KG + "SharedEvent" in pages.types(node)
    reports = sorted({t.subject.value for t in pages.incoming(node) if t.predicate.value == KG + "reports"})
    own_articles, own_by = reader.sources(node)
    own = "the registry" if shared else ", ".join(b.text for b in own_by) or "the article"
    accounts = [reader.account(node, own, [] if shared else own_by)]
    for report in reports:
        articles, by = reader.sources(ox.NamedNode(report))
        name = ", ".join(b.text for b in by) or ", ".join(a.text for a in articles) or pages.label(ox.NamedNode(report))
        account = reader.account(ox.NamedNode(report), name, by)
        if articles:  # a report is read as its article's account: its heading links the article
            account.node = articles[0]
        accounts.append(account)
    pointed = []
    for t in sorted(pages.incoming(node), key=lambda t: (t.predicate.value, t.subject.value)):
        how = POINTED.get(t.predicate.value)
        if how is not None:
            pointed.append((how, reader.named(t.subject)))
    return {"template": "event.html", "event": {
        "types": types, "what": ", ".join(types).capitalize() if types else "An event",
        "description": description.value if description is not None else "", "shared": shared,
        "main": accounts[0], "reports": accounts[1:], "accounts": accounts, "articles": own_articles,
        "headings": [h for _, h in ROLES if any(h in a.roles for a in accounts)],
        "counted": any(a.counts for a in accounts),
        "disagreements": disagreements(reader, accounts), "pointed": pointed}}


def context(pages: Any, iri: str, text: str | None = None) -> dict[str, Any]:
    """An event's page (``event.html``): the generic node page's context, and what :func:`page` adds."""
    import pyoxigraph as ox

    found = pages.generic(iri, text, quoted=False)
    found.update(page(pages, ox.NamedNode(iri)))
    return found


KIND_PAGES[KG + "Event"] = context
