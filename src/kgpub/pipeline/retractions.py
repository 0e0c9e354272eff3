"""Retractions: a fact said, then withdrawn, leaves the data graphs and keeps a tombstone.

A news graph that others cite must change without lying about its past.  A
fact marked ``retracted:`` (or ``superseded_by:`` another fact, or named in the
file's ``retractions:``), and every fact of an article marked ``withdrawn:``,
is left out of the data graphs exactly as if the curator had deleted it: the
article is mapped without it, so what it alone asserted (a relation's triple,
a shared event's roles) goes too.  In its place the article's graph holds a
tombstone, aligned with nanopublications (``npx:retracts``, ``npx:supersedes``)
and PROV::

    <fact> prov:wasInvalidatedBy <fact/retraction> .
    <fact/retraction> a kg:Retraction ;            # rdfs:subClassOf prov:Activity
        kg:retracts <fact> ; kg:retractedLabel "what it said" ; kg:retractedQuote "the article's words" ;
        dcterms:date "2026-12-01"^^xsd:date ; kg:retractionReason "why" ;
        kg:correctionQuote "the correction's words" ; kg:supersededBy <other fact> .
    <other fact> kg:supersedes <fact> .

and the provenance graph keeps the facts file and line the fact came from.  So
a consumer tells "never said" (no IRI at all) from "said, then withdrawn" (an
IRI with ``prov:wasInvalidatedBy`` and no type).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from kgpub.rdf import vocab
from kgpub.corpus.model import (
    Accusation,
    Article,
    Event,
    Relation,
    Retraction,
    Source,
    Statement,
    Threat,
)

_TYPE = f"<{vocab.RDF}type>"
_LABEL = f"<{vocab.RDFS}label>"
_KG = vocab.KG

Fact = Relation | Event | Accusation | Threat | Statement


def retracted(article: Article) -> bool:
    """Whether anything of ``article`` is retracted (most articles: nothing, and they map as always)."""
    return article.withdrawn is not None or any(f.retraction is not None for f in _facts(article))


def _facts(article: Article) -> Iterable[Fact]:
    yield from article.relations
    yield from article.events
    yield from article.accusations
    yield from article.threats
    yield from article.statements


def standing(article: Article) -> Article:
    """``article`` without its retracted facts (without any fact when it is withdrawn): what the data graphs say."""
    if article.withdrawn is not None:
        return replace(article, entities=(), relations=(), events=(), accusations=(), threats=(), statements=())

    def keep(items: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(i for i in items if i.retraction is None)

    return replace(article, relations=keep(article.relations), events=keep(article.events),
                   accusations=keep(article.accusations), threats=keep(article.threats),
                   statements=keep(article.statements))


def names(article: Article) -> dict[str, str]:
    """Names of the article's own entities and events, retracted ones included: a standing fact may still name one."""
    return {**{e.id: e.name for e in article.entities}, **{e.id: e.label for e in article.events if not e.shared}}


def _nt(text: str) -> str:
    from kgpub.pipeline.mapping import nt_string

    return nt_string(text)


def _iri(article: Article, fact: Fact, mint: Any) -> str:
    if isinstance(fact, Relation):
        return str(mint.relation(article.id, fact))
    if isinstance(fact, Statement):
        return str(mint.local(article.id, fact.id))
    return str(mint.fact(article.id, fact))


def tombstones(article: Article, full: list[str], mint: Any) -> tuple[list[str], list[str]]:
    """The tombstone lines (data graph) and origin lines (provenance graph) of every retracted fact of ``article``.

    ``full`` is the article mapped whole, as N-Triples lines: where each fact's label is read from.
    """
    labels = {}
    for line in full:
        if f"> {_LABEL} " in line:
            subject, rest = line.split(f" {_LABEL} ", 1)
            labels[subject] = rest.removesuffix(" .\n")
    data: list[str] = []
    provenance: list[str] = []
    if article.withdrawn is not None:
        withdrawal = Retraction(article.withdrawn.date, article.withdrawn.reason)
        data += _tombstone(str(mint.article(article.id)), withdrawal, labels, (), mint, article)
    for fact in _facts(article):
        retraction = fact.retraction
        if retraction is None and article.withdrawn is None:
            continue
        iri = _iri(article, fact, mint)
        quotes = tuple(q.text for q in fact.evidence)
        if retraction is not None:
            data += _tombstone(iri, retraction, labels, quotes, mint, article)
        provenance += _origin(iri, fact.source)
    return sorted(set(data)), sorted(set(provenance))


def _tombstone(iri: str, retraction: Retraction, labels: dict[str, str], quotes: tuple[str, ...], mint: Any,
               article: Article) -> list[str]:
    fact, node = f"<{iri}>", f"<{iri}/retraction>"
    label = labels.get(fact, _nt(iri.rsplit("/", 1)[-1]))
    lines = [f"{fact} <{vocab.PROV}wasInvalidatedBy> {node} .\n",
             f"{node} {_TYPE} <{_KG}Retraction> .\n",
             f"{node} <{_KG}retracts> {fact} .\n",
             f"{node} <{_KG}retractedLabel> {label} .\n",
             f"{node} {_LABEL} {_nt('Retracted: ' + _plain(label))} .\n"]
    lines += [f"{node} <{_KG}retractedQuote> {_nt(q)} .\n" for q in quotes]
    if retraction.date:
        lines.append(f'{node} <{vocab.DCTERMS}date> "{retraction.date}"^^<{vocab.XSD}date> .\n')
    if retraction.reason:
        lines.append(f"{node} <{_KG}retractionReason> {_nt(retraction.reason)} .\n")
    if retraction.evidence:
        lines.append(f"{node} <{_KG}correctionQuote> {_nt(retraction.evidence)} .\n")
    if retraction.superseded_by:
        other = f"<{mint.ref(article.id, retraction.superseded_by)}>"
        if retraction.superseded_by in {e.id for e in article.events if e.shared}:
            other = f"<{mint.report(article.id, retraction.superseded_by)}>"
        lines += [f"{node} <{_KG}supersededBy> {other} .\n", f"{other} <{_KG}supersedes> {fact} .\n"]
    return lines


def _plain(literal: str) -> str:
    """The text of an N-Triples string literal."""
    import json

    return str(json.loads(literal[: literal.rindex('"') + 1]))


def _origin(iri: str, source: Source) -> list[str]:
    return [f"<{iri}> <{_KG}sourceFile> {_nt(source.file)} .\n",
            f'<{iri}> <{_KG}sourceLine> "{source.line}"^^<{vocab.XSD}integer> .\n']
