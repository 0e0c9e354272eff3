"""Stage 3 — anchor every fact to the words of its article.

Each quote a curator wrote is looked up in the article text; its place becomes
a W3C Web Annotation ``oa:SpecificResource`` with a ``TextQuoteSelector``
(exact, prefix, suffix) and a ``TextPositionSelector`` (start, end in Unicode
code points of the article file).  A quote that is not in the text stops the
build with the closest passage, so the curator sees what the article really
says (typographic apostrophes are the usual culprit).  This stage also writes
the provenance graph: which file and line each fact came from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import overload

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD

from kgpub.errors import Diagnostic
from kgpub.corpus.model import Article, Entity, Quote, SharedEvent, Source
from kgpub.pipeline.mapping import KG, OA, Lines, Minter, Sink, new_graph, nt_adder, nt_string
from kgpub.corpus.quotes import CONTEXT, Span, closest_passage, find, find_all, locate

__all__ = ["CONTEXT", "Span", "anchor_article", "anchor_registry", "closest_passage", "find_all",
           "locate", "origins"]

# --------------------------------------------------------------------------- RDF


_EVIDENCE, _TYPE = f"<{KG.evidence}>", f"<{RDF.type}>"
_SPECIFIC, _SOURCE, _SELECTOR = f"<{OA.SpecificResource}>", f"<{OA.hasSource}>", f"<{OA.hasSelector}>"
_QUOTE, _EXACT, _PREFIX, _SUFFIX = f"<{OA.TextQuoteSelector}>", f"<{OA.exact}>", f"<{OA.prefix}>", f"<{OA.suffix}>"
_POSITION, _START, _END = f"<{OA.TextPositionSelector}>", f"<{OA.start}>", f"<{OA.end}>"
#: Offsets and line numbers are xsd:integer (never negative, the shapes check): the one integer datatype that
#: every store keeps as written.  Oxigraph rewrites xsd:nonNegativeInteger and xsd:positiveInteger to
#: xsd:integer, so a graph read back from it would no longer be the graph that was loaded.
_COUNT = f"^^<{XSD.integer}>"
_SOURCE_FILE, _SOURCE_LINE, _LINE = f"<{KG.sourceFile}>", f"<{KG.sourceLine}>", f"^^<{XSD.integer}>"


def _evidence(graph: Sink, fact: URIRef, article_iri: URIRef, spans: list[Span], also: URIRef | None = None) -> None:
    """The fact's evidence nodes, under the fact's IRI; ``also`` (a report's shared event) cites them too, so
    the one event node carries the evidence of every article that reports it."""
    add = nt_adder(graph)
    subject, article = f"<{fact}>", f"<{article_iri}>"
    for n, span in enumerate(spans, start=1):
        resource = f"{fact}/evidence/{n}"
        node, quote, position = f"<{resource}>", f"<{resource}/quote>", f"<{resource}/position>"
        add(subject, _EVIDENCE, node)
        if also is not None:
            add(f"<{also}>", _EVIDENCE, node)
        add(node, _TYPE, _SPECIFIC)
        add(node, _SOURCE, article)
        add(node, _SELECTOR, quote)
        add(node, _SELECTOR, position)
        add(quote, _TYPE, _QUOTE)
        add(quote, _EXACT, nt_string(span.exact))
        add(quote, _PREFIX, nt_string(span.prefix))
        add(quote, _SUFFIX, nt_string(span.suffix))
        add(position, _TYPE, _POSITION)
        add(position, _START, f'"{span.start}"{_COUNT}')
        add(position, _END, f'"{span.end}"{_COUNT}')


def _origin(graph: Sink, subject: URIRef, source: Source) -> None:
    add = nt_adder(graph)
    add(f"<{subject}>", _SOURCE_FILE, nt_string(source.file))
    add(f"<{subject}>", _SOURCE_LINE, f'"{source.line}"{_LINE}')


def _article_facts(article: Article, mint: Minter) -> list[tuple[URIRef, Source, tuple[Quote, ...]]]:
    """Every fact of an article with its IRI, its origin and its quotes."""
    out = [(mint.ref(article.id, e.id), e.source, e.evidence) for e in article.entities]
    out += [(mint.relation(article.id, r), r.source, r.evidence) for r in article.relations]
    for items in (article.events, article.accusations, article.threats):
        out += [(mint.fact(article.id, x), x.source, x.evidence) for x in items]
    from kgpub.pipeline.mapping import count_node

    out += [(count_node(mint.fact(article.id, e), c), c.source, c.evidence) for e in article.events for c in e.counts]
    out += [(mint.local(article.id, st.id), st.source, st.evidence) for st in article.statements]
    return out


@overload
def anchor_article(article: Article, graph: Sink, mint: Minter) -> tuple[Graph, list[Diagnostic]]: ...
@overload
def anchor_article(article: Article, graph: Sink, mint: Minter,
                   sink: Callable[[], Lines]) -> tuple[Lines, list[Diagnostic]]: ...
@overload
def anchor_article(article: Article, graph: Sink, mint: Minter,
                   sink: Callable[[], Sink]) -> tuple[Sink, list[Diagnostic]]: ...
def anchor_article(article: Article, graph: Sink, mint: Minter,
                   sink: Callable[[], Sink] = new_graph) -> tuple[Sink, list[Diagnostic]]:
    """Add evidence to every fact of one article's ``graph``; return its provenance graph and quote problems.

    ``sink`` makes the provenance graph (see ``mapping.map_article``).
    """
    problems: list[Diagnostic] = []
    provenance = sink()
    article_iri = mint.article(article.id)
    _origin(provenance, article_iri, article.source)
    provenance.add((mint.article_graph(article.id), RDF.type, KG.DataGraph))
    provenance.add((mint.provenance_graph(article.id), RDF.type, KG.ProvenanceGraph))
    provenance.add((mint.article_graph(article.id), PROV.wasDerivedFrom, article_iri))
    provenance.add((mint.article_graph(article.id), KG.sourceFile, Literal(article.facts_file)))
    shared = {str(mint.report(article.id, e.id)): mint.shared_event(e.id) for e in article.events if e.shared}
    for fact, source, quotes in _article_facts(article, mint):
        spans = []
        for quote in quotes:
            found = find(article.text, quote, article.text_file)
            if isinstance(found, Span):
                spans.append(found)
            else:
                problems.append(found)
        _evidence(graph, fact, article_iri, spans, shared.get(str(fact)))
        _origin(provenance, fact, source)
    return provenance, problems


def origins(article: Article, mint: Minter) -> dict[str, Source]:
    """The facts file and line of the article and of each of its facts: what its provenance graph states.

    Given straight from the facts, so a build never reads its own provenance back.
    """
    out = {str(mint.article(article.id)): article.source}
    out.update((str(fact), source) for fact, source, _ in _article_facts(article, mint))
    return out


def anchor_registry(registry: tuple[Entity, ...], registry_file: str | None, mint: Minter,
                    events: tuple[SharedEvent, ...] = ()) -> Graph:
    """The registry's provenance graph: where each shared entity and shared event is defined."""
    provenance = new_graph()
    provenance.add((mint.registry_graph(), RDF.type, KG.DataGraph))
    provenance.add((mint.registry_provenance_graph(), RDF.type, KG.ProvenanceGraph))
    if registry_file:
        provenance.add((mint.registry_graph(), KG.sourceFile, Literal(registry_file)))
    for entity in registry:
        _origin(provenance, mint.entity(entity.id), entity.source)
    for event in events:
        _origin(provenance, mint.shared_event(event.id), event.source)
    return provenance
