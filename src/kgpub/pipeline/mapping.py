"""Stage 2 — map the typed facts to RDF under the kgpub ontology.

Every IRI is minted from the curator's ids (never from counters or blank
nodes), so the same entity is the same IRI in every article and every build,
and the output can be byte-identical from run to run.  Accusations are nodes
of their own; what they claim is a reified statement (``kg:Claim``, an
``rdf:Statement`` with ``rdf:subject``/``rdf:predicate``/``rdf:object``) in the
article's graph, never the triple itself.  A claim kept as a triple in a named
graph of its own would become an assertion in every store whose default graph
is the union of its named graphs (GraphDB, RDF4J, Virtuoso, Fuseki with
``unionDefaultGraph``); a reified statement asserts nothing under any policy.
"""

from __future__ import annotations

import re

from collections.abc import Callable
from typing import cast, overload

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD

from kgpub.rdf import vocab
from kgpub.corpus.dates import TextDate
from kgpub.corpus.model import Count, Judgement, Statement
from kgpub.corpus.model import Accusation, Article, Claim, Entity, Event, Relation, SharedEvent, Threat

KG = Namespace(vocab.KG)
KGT = Namespace(vocab.KGT)
OA = Namespace(vocab.OA)
SCHEMA = Namespace(vocab.SCHEMA)
WD = Namespace(vocab.WD)
DCTERMS = Namespace(vocab.DCTERMS)

#: Each entity type with every kg: class above it, so that a plain SPARQL
#: engine finds an armed group with ``?g a kg:Organization`` without reasoning.
#: A test checks this table against the ontology's rdfs:subClassOf closure.
ENTITY_CLASSES: dict[str, tuple[str, ...]] = {
    "Person": ("Person", "Agent"),
    "Organization": ("Organization", "Agent"),
    "Government": ("Government", "Organization", "Agent"),
    "ArmedGroup": ("ArmedGroup", "Organization", "Agent"),
    "StateForce": ("StateForce", "ArmedGroup", "Organization", "Agent"),
    "Place": ("Place",),
    "Country": ("Country", "GeopoliticalEntity", "Place", "Agent"),
    "City": ("City", "Place"),
    "Facility": ("Facility", "Place"),
    "Crowd": ("Crowd", "Agent"),
    "UnnamedGroup": ("UnnamedGroup", "Agent"),
    "UnnamedPerson": ("UnnamedPerson", "Person", "Agent"),
}

#: The kg: class of each statement act (``statements[].act``).
ACT_CLASSES = {"Deny": "Denial", "ClaimResponsibility": "ClaimOfResponsibility",
               "NoClaimOfResponsibility": "NoClaimOfResponsibility", "Condemn": "Condemnation",
               "Demand": "Demand", "Warn": "Warning", "Appeal": "Appeal"}

PREDICATE_LABELS = {
    "memberOf": "member of", "partOf": "part of", "affiliatedWith": "affiliated with",
    "alliedWith": "allied with", "backedBy": "backed by", "commandedBy": "commanded by",
    "locatedIn": "located in",
}


class Minter:
    """Mints every IRI of a build from ids, under one base."""

    def __init__(self, base: str, registry_ids: set[str], event_ids: frozenset[str] = frozenset(),
                 merged: dict[str, str] | None = None) -> None:
        self.base = base
        self.registry_ids = registry_ids
        self.event_ids = event_ids
        #: Merged registry ids and the id each now is (``merged_into``): a fact naming the old id means the new.
        self.merged = merged or {}

    def entity(self, entity_id: str) -> URIRef:
        return URIRef(self.base + entity_id)

    def article(self, article_id: str) -> URIRef:
        return URIRef(f"{self.base}article/{article_id}")

    def local(self, article_id: str, local_id: str) -> URIRef:
        return URIRef(f"{self.base}article/{article_id}/{local_id}")

    def ref(self, article_id: str, some_id: str) -> URIRef:
        """An id as a fact uses it: a registry entity (the one it was merged into), or something of this article."""
        if some_id in self.registry_ids:
            return self.entity(self.merged.get(some_id, some_id))
        if some_id in self.event_ids:
            return self.shared_event(some_id)
        return self.local(article_id, some_id)

    def shared_event(self, event_id: str) -> URIRef:
        """An event several articles report: one IRI for all of them, beside the registry's entities."""
        return URIRef(f"{self.base}event/{event_id}")

    def report(self, article_id: str, event_id: str) -> URIRef:
        """One article's report of a shared event: what it says of it, with its evidence."""
        return URIRef(f"{self.base}article/{article_id}/report/{event_id}")

    def fact(self, article_id: str, item: Event | Accusation | Threat) -> URIRef:
        """The node an article's event, accusation or threat becomes (a shared event's report for a report)."""
        if isinstance(item, Event) and item.shared:
            return self.report(article_id, item.id)
        return self.local(article_id, item.id)

    def relation(self, article_id: str, rel: Relation) -> URIRef:
        return URIRef(f"{self.base}article/{article_id}/relation/{rel.subject}/{rel.predicate}/{rel.object}")

    def article_graph(self, article_id: str) -> URIRef:
        return URIRef(f"{self.base}graph/{article_id}")

    def provenance_graph(self, article_id: str) -> URIRef:
        return URIRef(f"{self.base}graph/{article_id}/provenance")

    def claim(self, article_id: str, accusation_id: str, claim: Claim) -> URIRef:
        """A claim's node, under its accusation's IRI (so the article owns it), named by its statement."""
        return URIRef(f"{self.base}article/{article_id}/{accusation_id}/claim/"
                      f"{claim.subject}/{claim.predicate}/{claim.object}")

    def registry_graph(self) -> URIRef:
        return URIRef(f"{self.base}graph/entities")

    def registry_provenance_graph(self) -> URIRef:
        return URIRef(f"{self.base}graph/entities/provenance")

    def dataset(self) -> URIRef:
        return URIRef(f"{self.base}dataset")


def new_graph() -> Graph:
    """An rdflib graph for one article's triples, for callers that want rdflib graphs (tests, the naive path).

    rdflib's SimpleMemory store skips the per-context indexes of its default
    store: adding is a quarter faster and iterating three times faster.
    """
    return Graph(store="SimpleMemory")


def nt_term(node: object) -> str:
    """One RDF term in N-Triples syntax (kgpub mints no blank nodes)."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    assert isinstance(node, Literal), node
    text = nt_string(str(node))
    if node.language:
        return f"{text}@{node.language}"
    if node.datatype is not None and node.datatype != XSD.string:
        return f"{text}^^<{node.datatype}>"
    return text


class Lines:
    """Where a build maps an article: each triple written at once as its N-Triples line.

    A build only ever writes an article's triples out, never queries them, so
    collecting lines skips rdflib's store (adding and then iterating it were a
    quarter of the time of mapping an article).  Offers the one method mapping
    and anchoring use, ``add``.
    """

    def __init__(self) -> None:
        self.lines: set[str] = set()

    def add(self, triple: tuple[object, object, object]) -> None:
        s, p, o = triple
        self.lines.add(f"{nt_term(s)} {nt_term(p)} {nt_term(o)} .\n")

    def sorted(self) -> list[str]:
        """The lines in the canonical order of every output."""
        return sorted(self.lines)

    def __len__(self) -> int:
        return len(self.lines)


#: What mapping writes into: an rdflib graph or a set of N-Triples lines.
Sink = Graph | Lines


def nt_string(text: str) -> str:
    """A plain string literal in N-Triples syntax, escaped as :func:`nt_term` escapes it."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def nt_adder(sink: Sink) -> Callable[[str, str, str], None]:
    """A function adding to ``sink`` one triple given as N-Triples terms.

    The provenance of an article is two thirds of its triples; writing them
    as text skips making an rdflib term for each, a fifth of the time of
    mapping an article.  An rdflib graph gets the terms parsed back.
    """
    if isinstance(sink, Lines):
        add = sink.lines.add
        return lambda s, p, o: add(f"{s} {p} {o} .\n")
    from rdflib.util import from_n3

    def to_graph(s: str, p: str, o: str) -> None:
        # a quoted N-Triples term is a literal: from_n3 gives a Literal for it
        sink.add((URIRef(s[1:-1]), URIRef(p[1:-1]), cast(Literal, from_n3(o)) if o[0] == '"' else URIRef(o[1:-1])))
    return to_graph


def date_literal(date: TextDate) -> Literal:
    """A typed literal that keeps exactly the precision the text gave."""
    return Literal(date.lexical, datatype=XSD[date.datatype])


def add_date(graph: Sink, node: URIRef, date: TextDate, language: str | None = None) -> None:
    """A date as the text gives it (``dates``): the exact ``xsd:`` value where it is exact, else its EDTF
    expression; always its bounds (``kg:earliest``/``kg:latest``), and the phrase and rule that resolved
    a relative one."""
    from kgpub.corpus.dates import EDTF_DATATYPE

    if date.exact is not None:
        graph.add((node, KG.date, Literal(date.exact[0], datatype=XSD[date.exact[1]])))
    else:
        graph.add((node, KG.edtf, Literal(date.edtf, datatype=URIRef(EDTF_DATATYPE))))
    if date.earliest is not None:
        graph.add((node, KG.earliest, Literal(date.earliest.isoformat(), datatype=XSD.date)))
    if date.latest is not None:
        graph.add((node, KG.latest, Literal(date.latest.isoformat(), datatype=XSD.date)))
    if date.phrase is not None:
        graph.add((node, KG.datePhrase, Literal(date.phrase, lang=language)))
    if date.rule is not None:
        graph.add((node, KG.dateRule, KG["".join(part.title() for part in date.rule.split("-")) + "Rule"]))


#: The qualifier of a count, as the individual that names it.
QUALIFIERS = {"exactly": "Exactly", "at_least": "AtLeast", "at_most": "AtMost", "about": "About", "between": "Between"}


def count_node(fact: URIRef, count: Count) -> URIRef:
    return URIRef(f"{fact}/count/{count.index}")


def add_count(graph: Sink, fact: URIRef, count: Count) -> None:
    """A number the article gives for an event, as a node of its own: what it counts, how exact it is, the
    number said and the least and most it can be (for filters), with its own quote (see ``provenance``)."""
    node = count_node(fact, count)
    graph.add((fact, KG["count"], node))  # KG.count is str.count
    graph.add((node, RDF.type, KG.Count))
    graph.add((node, KG.countOf, KGT[count.what.title()]))
    graph.add((node, KG.qualifier, KG[QUALIFIERS[count.qualifier]]))
    for prop, number in ((KG.value, count.value), (KG.minValue, count.low), (KG.maxValue, count.high)):
        if number is not None:
            graph.add((node, prop, Literal(number, datatype=XSD.integer)))


def add_time_bound(graph: Sink, node: URIRef, prop: URIRef, date: TextDate, language: str | None) -> None:
    """``kg:since`` or ``kg:until`` of a relation: a node of its own (``RELATION/since``) holding the date as
    any dated node does, so one query reads the bounds of an event's date and of a role's start alike."""
    bound = URIRef(f"{node}/{prop.rsplit('#', 1)[-1]}")
    graph.add((node, prop, bound))
    graph.add((bound, RDF.type, KG.TextDate))
    add_date(graph, bound, date, language)


def _entity(graph: Sink, iri: URIRef, entity: Entity) -> None:
    classes = {c for t in entity.types for c in ENTITY_CLASSES[t]}
    for cls in sorted(classes):
        graph.add((iri, RDF.type, KG[cls]))
    graph.add((iri, RDFS.label, Literal(entity.name)))
    for alias in entity.aliases:
        graph.add((iri, SKOS.altLabel, Literal(alias)))
    if entity.description:
        graph.add((iri, SCHEMA.description, Literal(entity.description.strip())))
    if entity.wikidata:
        graph.add((iri, SCHEMA.sameAs, WD[entity.wikidata]))


class _ArticleMapper:
    """Maps one article; knows the names of every entity it can refer to, for labels."""

    def __init__(self, article: Article, mint: Minter, names: dict[str, str], sink: Callable[[], Sink]) -> None:
        self.article = article
        self.mint = mint
        self.names = {**names, **{e.id: e.name for e in article.entities}, **{e.id: e.label for e in article.events if not e.shared}}
        self.sink = sink
        self.graph = sink()
        # what a statement is about is named by its label: an accusation's, a threat's, another statement's
        self.names.update({acc.id: self.accusation_label(acc) for acc in article.accusations})
        self.names.update({t.id: self.threat_label(t) for t in article.threats})
        self.statement_ids = {st.id for st in article.statements}
        self.names.update({st.id: self.statement_label(st) for st in article.statements})

    def ref(self, some_id: str) -> URIRef:
        return self.mint.ref(self.article.id, some_id)

    def local(self, some_id: str) -> URIRef:
        return self.mint.local(self.article.id, some_id)

    def run(self) -> Sink:
        a = self.article
        g = self.graph
        iri = self.mint.article(a.id)
        g.add((iri, RDF.type, SCHEMA.NewsArticle))
        g.add((iri, RDFS.label, Literal(a.headline)))
        g.add((iri, SCHEMA.headline, Literal(a.headline, lang=a.language)))
        g.add((iri, SCHEMA.publisher, self.ref(a.publisher)))
        if a.agency:
            g.add((iri, SCHEMA.sourceOrganization, self.ref(a.agency)))
        g.add((iri, SCHEMA.inLanguage, Literal(a.language)))
        if a.published:
            g.add((iri, SCHEMA.datePublished, date_literal(a.published)))
        if a.url:
            g.add((iri, SCHEMA.url, URIRef(a.url)))
        if a.note:
            g.add((iri, SKOS.editorialNote, Literal(a.note.strip())))
        self.rights(iri)
        g.add((iri, KG.textSha256, Literal(a.text_sha256)))
        g.add((iri, KG.sourceFile, Literal(a.text_file)))
        for entity in a.entities:
            _entity(g, self.local(entity.id), entity)
        for rel in a.relations:
            self.relation(rel)
        for event in a.events:
            self.event(event)
        for accusation in a.accusations:
            self.accusation(accusation)
        for threat in a.threats:
            self.threat(threat)
        for statement in a.statements:
            self.statement(statement)
        return g

    def rights(self, iri: URIRef) -> None:
        """Whose the text is and on what terms (its publisher is schema:publisher, above), so that anyone
        who reuses a quote (or the text, where it is published) knows the licence and the line that credits it."""
        a, g = self.article, self.graph
        if a.licence:
            g.add((iri, DCTERMS.license, URIRef(a.licence)))
        if a.rights_holder:
            g.add((iri, DCTERMS.rightsHolder, self.ref(a.rights_holder)))
        if a.attribution:
            g.add((iri, SCHEMA.creditText, Literal(a.attribution)))
        if a.excerpt:
            g.add((iri, KG.excerpt, Literal(True)))

    def judged(self, node: URIRef, judgement: Judgement) -> None:
        """How sure the article is of a fact and whom it has it from; certain facts say nothing of it."""
        g = self.graph
        if judgement.certainty != "certain":
            g.add((node, KG.certainty, KG[judgement.certainty.title()]))
        if judgement.according_to:
            g.add((node, KG.accordingTo, self.ref(judgement.according_to)))
        if judgement.hedge:
            g.add((node, KG.hedge, Literal(judgement.hedge, lang=self.article.language)))

    def reified(self, holder: URIRef, holder_id: str, subject: URIRef, predicate: str, obj: str,
                by: str | None, label: str) -> None:
        """A statement the article does not make as certain, described and never made (a kg:Claim)."""
        g = self.graph
        node = self.mint.claim(self.article.id, holder_id, Claim(str(subject).rsplit("/", 1)[-1], predicate, obj))
        g.add((holder, KG.claim, node))
        g.add((node, RDF.type, KG.Claim))
        g.add((node, RDF.type, RDF.Statement))
        g.add((node, RDF.subject, subject))
        g.add((node, RDF.predicate, KG[predicate]))
        g.add((node, RDF.object, self.ref(obj)))
        if by is not None:
            g.add((node, PROV.wasAttributedTo, self.ref(by)))
        g.add((node, RDFS.label, Literal(label)))

    def statement_label(self, st: Statement) -> str:
        """The curator's label, else one made of the act, the speaker and what it is about (a statement about
        another statement is named by that one's id, never by a label that could name it back)."""
        if st.label:
            return st.label
        who = self.names[st.speaker] if st.speaker else "an unstated speaker"
        names = [self.names.get(x, x) if x not in self.statement_ids else x for x in st.about]
        about = f" about {' and '.join(names)}" if names else ""
        return (f"{ACT_CLASSES[st.act]} by {who}{about}" if st.act != "NoClaimOfResponsibility"
                else f"No claim of responsibility{about}")

    def statement(self, st: Statement) -> None:
        g, iri = self.graph, self.local(st.id)
        g.add((iri, RDF.type, KG.SpeechAct))
        g.add((iri, RDF.type, KG[ACT_CLASSES[st.act]]))
        g.add((iri, KG.actType, KGT[st.act]))
        g.add((iri, RDFS.label, Literal(self.statement_label(st))))
        if st.speaker:
            g.add((iri, KG.speaker, self.ref(st.speaker)))
        elif st.act != "NoClaimOfResponsibility":
            g.add((iri, KG.speakerStated, Literal(False)))
        for addressee in st.addressees:
            g.add((iri, KG.addressee, self.ref(addressee)))
        for about in st.about:
            target = self.ref(about)
            g.add((iri, KG.about, target))
            if st.act == "Deny":
                g.add((iri, KG.denies, target))
        if st.content:
            g.add((iri, KG.content, Literal(st.content, lang=self.article.language)))
        if st.date:
            add_date(g, iri, st.date, self.article.language)
        if st.description:
            g.add((iri, SCHEMA.description, Literal(st.description.strip())))
        self.judged(iri, st.judgement)

    def relation(self, rel: Relation) -> None:
        g, s, p, o = self.graph, self.ref(rel.subject), KG[rel.predicate], self.ref(rel.object)
        node = self.mint.relation(self.article.id, rel)
        if rel.judgement.asserted:  # a hedged or denied relation is described (below), never asserted
            g.add((s, p, o))
        g.add((node, RDF.type, KG.Relationship))
        g.add((node, RDF.subject, s))
        g.add((node, RDF.predicate, p))
        g.add((node, RDF.object, o))
        label = f"{self.names[rel.subject]} {PREDICATE_LABELS[rel.predicate]} {self.names[rel.object]}"
        g.add((node, RDFS.label, Literal(label)))
        if rel.role:
            g.add((node, KG.role, Literal(rel.role.strip())))
        if rel.description:
            g.add((node, SCHEMA.description, Literal(rel.description.strip())))
        if rel.since:
            add_time_bound(g, node, KG.since, rel.since, self.article.language)
        if rel.until:
            add_time_bound(g, node, KG.until, rel.until, self.article.language)
        self.judged(node, rel.judgement)

    def event(self, event: Event) -> None:
        if event.shared:
            return self.report(event)
        g, iri = self.graph, self.local(event.id)
        g.add((iri, RDF.type, KG.Event))
        g.add((iri, RDFS.label, Literal(event.label)))
        self.account(iri, event)

    def account(self, node: URIRef, event: Event, roles_also: URIRef | None = None) -> None:
        """What an article says of an event, on ``node``: types, description, date, place, roles (on
        ``roles_also`` too) and count."""
        g = self.graph
        _event_facts(g, node, event, self.ref(event.place) if event.place else None, self.article.language)
        for role, ids in event.roles.items():
            for some_id in ids:
                if not event.judgement.asserted:  # "could have been carried out by": reified, never asserted
                    self.reified(node, event.id, node, role, some_id, event.judgement.according_to,
                                 f"{'Possibly' if event.judgement.certainty == 'possible' else event.judgement.certainty.title()}: "
                                 f"{self.names.get(some_id, some_id)} {role} of {self.names.get(event.id, event.label)}")
                    continue
                g.add((node, KG[role], self.ref(some_id)))
                if roles_also is not None:
                    g.add((roles_also, KG[role], self.ref(some_id)))
        self.judged(node, event.judgement)
        for other in event.in_response_to:
            g.add((node, KG.inResponseTo, self.ref(other)))
        for other in event.led_to:
            g.add((node, KG.ledTo, self.ref(other)))
        if event.person_count is not None:
            g.add((node, KG.personCount, Literal(event.person_count, datatype=XSD.integer)))
        for count in event.counts:
            add_count(g, node, count)

    def report(self, event: Event) -> None:
        """An article's account of a shared event: its roles asserted on the one event node (what several
        articles say of it merges there), and, on the report, everything it says, dates, places and counts
        included, which may differ between articles and so are never put on the event itself."""
        g, shared = self.graph, self.mint.shared_event(event.id)
        node = self.mint.report(self.article.id, event.id)
        g.add((node, RDF.type, KG.EventReport))
        g.add((node, KG.reports, shared))
        g.add((shared, RDF.type, KG.Event))
        g.add((node, RDFS.label, Literal(f"{self.article.headline}: report of {self.names[event.id]}")))
        self.account(node, event, roles_also=shared)

    def accusation_label(self, acc: Accusation) -> str:
        by = self.names[acc.accuser] if acc.accuser else None
        return acc.label or (
            (f"Accusation by {by}" if by else "Accusation (accuser unstated)")
            + f" against {' and '.join(self.names[x] for x in acc.accused)}"
            + (f": {acc.allegation}" if acc.allegation else "")
        )

    def accusation(self, acc: Accusation) -> None:
        g, iri = self.graph, self.local(acc.id)
        g.add((iri, RDF.type, KG.Accusation))
        g.add((iri, RDF.type, KG.SpeechAct))
        g.add((iri, RDFS.label, Literal(self.accusation_label(acc))))
        g.add((iri, KG.actType, KGT[acc.type]))
        if acc.accuser:
            g.add((iri, KG.accuser, self.ref(acc.accuser)))
        else:  # a passive "it was blamed on": the graph says so, and invents no accuser
            g.add((iri, KG.accuserStated, Literal(False)))
        self.judged(iri, acc.judgement)
        for accused in acc.accused:
            g.add((iri, KG.accused, self.ref(accused)))
        if acc.concerns:
            g.add((iri, KG.concerns, self.ref(acc.concerns)))
        if acc.allegation:
            g.add((iri, KG.allegation, Literal(acc.allegation.strip())))
        if acc.date:
            add_date(g, iri, acc.date, self.article.language)
        if acc.description:
            g.add((iri, SCHEMA.description, Literal(acc.description.strip())))
        for c in acc.claims:
            self.claim(iri, acc, c)

    def claim(self, accusation: URIRef, acc: Accusation, c: Claim) -> None:
        """What the accuser alleges, reified: the statement is described, never made."""
        g, node = self.graph, self.mint.claim(self.article.id, acc.id, c)
        g.add((accusation, KG.claim, node))
        g.add((node, RDF.type, KG.Claim))
        g.add((node, RDF.type, RDF.Statement))
        g.add((node, RDF.subject, self.ref(c.subject)))
        g.add((node, RDF.predicate, KG[c.predicate]))
        g.add((node, RDF.object, self.ref(c.object)))
        if acc.accuser:
            g.add((node, PROV.wasAttributedTo, self.ref(acc.accuser)))
        words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", c.predicate).lower()
        by = f"Claim by {self.names[acc.accuser]}" if acc.accuser else "Claim (accuser unstated)"
        label = f"{by}: {self.names[c.subject]} {words} {self.names[c.object]}"
        g.add((node, RDFS.label, Literal(label)))

    def threat_label(self, threat: Threat) -> str:
        return threat.label or (
            f"Threat by {self.names[threat.threatener]} against {' and '.join(self.names[x] for x in threat.threatened)}"
        )

    def threat(self, threat: Threat) -> None:
        g, iri = self.graph, self.local(threat.id)
        g.add((iri, RDF.type, KG.Threat))
        g.add((iri, RDF.type, KG.SpeechAct))
        g.add((iri, RDFS.label, Literal(self.threat_label(threat))))
        g.add((iri, KG.actType, KGT[threat.type]))
        g.add((iri, KG.threatener, self.ref(threat.threatener)))
        for threatened in threat.threatened:
            g.add((iri, KG.threatened, self.ref(threatened)))
        if threat.condition:
            g.add((iri, KG.condition, Literal(threat.condition.strip())))
        if threat.date:
            add_date(g, iri, threat.date, self.article.language)
        if threat.description:
            g.add((iri, SCHEMA.description, Literal(threat.description.strip())))
        self.judged(iri, threat.judgement)
        if threat.place:
            g.add((iri, KG.place, self.ref(threat.place)))


def map_registry(registry: tuple[Entity, ...], mint: Minter, events: tuple[SharedEvent, ...] = ()) -> Graph:
    """The registry graph: every shared entity and every shared event, once."""
    graph = new_graph()
    for entity in registry:
        if entity.id in mint.merged:  # the old IRI answers with the new one; its names live on as aliases
            old, new = mint.entity(entity.id), mint.entity(mint.merged[entity.id])
            graph.add((old, OWL.sameAs, new))
            graph.add((old, DCTERMS.isReplacedBy, new))
            for name in (entity.name, *entity.aliases):
                graph.add((new, SKOS.altLabel, Literal(name)))
            continue
        _entity(graph, mint.entity(entity.id), entity)
    for event in events:
        iri = mint.shared_event(event.id)
        # a kg:Event once an article reports it (``report``): one prepared ahead of its articles is only a hint
        graph.add((iri, RDF.type, KG.SharedEvent))
        graph.add((iri, RDFS.label, Literal(event.label)))
        place = mint.merged.get(event.place, event.place) if event.place else None  # a merged place: the one it is now
        _event_facts(graph, iri, event, mint.entity(place) if place else None)
    return graph


def _event_facts(graph: Sink, node: URIRef, event: Event | SharedEvent, place: URIRef | None,
                 language: str | None = None) -> None:
    """An event's types, description, date and place (as an IRI), whoever states them: an article, a
    report, or the registry."""
    for t in event.types:
        graph.add((node, KG.eventType, KGT[t]))
    if event.description:
        graph.add((node, SCHEMA.description, Literal(event.description.strip())))
    if event.date:
        add_date(graph, node, event.date, language)
    if place is not None:
        graph.add((node, KG.place, place))


@overload
def map_article(article: Article, mint: Minter, names: dict[str, str]) -> Graph: ...
@overload
def map_article(article: Article, mint: Minter, names: dict[str, str], sink: Callable[[], Lines]) -> Lines: ...
@overload
def map_article(article: Article, mint: Minter, names: dict[str, str], sink: Callable[[], Sink]) -> Sink: ...
def map_article(article: Article, mint: Minter, names: dict[str, str],
                sink: Callable[[], Sink] = new_graph) -> Sink:
    """One article's graph, its claims reified in it; needs nothing of any other article.

    ``sink`` makes what the triples go into: rdflib graphs by default, or
    :class:`Lines` when they are only to be written out (a build).
    """
    mapper = _ArticleMapper(article, mint, names, sink)
    return mapper.run()
