"""The naive reference paths: what kgpub's fast paths are measured against (``bench.py build``) and tested against.

Plain rdflib graphs, one per role, mapped and anchored article by article: the obvious way to build the graph,
kept out of the library because no command uses it.  Tests import it as they import ``synth``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from rdflib import Graph, URIRef

from kgpub.corpus.model import Corpus, merges
from kgpub.errors import Diagnostic, InputError
from kgpub.output.blocks import RDF_TYPE, jsonld_frame, prefixes
from kgpub.pipeline.mapping import Minter, map_article, map_registry
from kgpub.pipeline.provenance import anchor_article, anchor_registry
from kgpub.rdf import ntriples, vocab


@dataclass
class MappedCorpus:
    """The graphs of a build, by role; later stages add to them, never re-read the facts files."""

    minter: Minter
    registry_graph: Graph
    registry_provenance: Graph
    article_graphs: dict[str, Graph] = field(default_factory=dict)
    provenance_graphs: dict[str, Graph] = field(default_factory=dict)

    def named_graphs(self) -> list[tuple[URIRef, Graph]]:
        """Every named graph with its IRI, in a stable order."""
        m = self.minter
        out = [(m.registry_graph(), self.registry_graph),
               (m.registry_provenance_graph(), self.registry_provenance)]
        for article_id in sorted(self.article_graphs):
            out.append((m.article_graph(article_id), self.article_graphs[article_id]))
            out.append((m.provenance_graph(article_id), self.provenance_graphs[article_id]))
        return out

    def instance_data(self) -> Graph:
        """The asserted knowledge: registry plus every article graph (claims only reified, no provenance)."""
        union = Graph()
        for graph in (self.registry_graph, *(self.article_graphs[k] for k in sorted(self.article_graphs))):
            for triple in graph:
                union.add(triple)
        return union


def map_corpus(corpus: Corpus, base: str) -> MappedCorpus:
    """Map the whole corpus to RDF graphs, one per role (registry, article)."""
    mint = Minter(base, {e.id for e in corpus.registry}, frozenset(e.id for e in corpus.events),
                  merges(corpus.registry))
    mapped = MappedCorpus(minter=mint, registry_graph=map_registry(corpus.registry, mint, corpus.events),
                          registry_provenance=Graph())
    names = {**{e.id: e.name for e in corpus.registry}, **{e.id: e.label for e in corpus.events}}
    for article in corpus.articles:
        mapped.article_graphs[article.id] = map_article(article, mint, names)
        mapped.provenance_graphs[article.id] = Graph()
    return mapped


def anchor(corpus: Corpus, mapped: MappedCorpus) -> MappedCorpus:
    """Add evidence to every fact and a provenance graph to every article.

    Collects every quote problem of the whole corpus before raising, so one
    run shows the curator all of them.
    """
    mint = mapped.minter
    problems: list[Diagnostic] = []
    for article in corpus.articles:
        provenance, found = anchor_article(article, mapped.article_graphs[article.id], mint)
        mapped.provenance_graphs[article.id] = provenance
        problems.extend(found)
    mapped.registry_provenance = anchor_registry(corpus.registry, corpus.registry_file, mint, corpus.events)
    if problems:
        raise InputError(problems)
    return mapped


# --------------------------------------------------------------------------- JSON-LD

def jsonld_document(lines: list[str], base: str) -> dict[str, object]:
    """The JSON-LD document of N-Triples lines, as Python data: what kg.jsonld's writer must write as text."""
    known = prefixes(base)
    ordered = vocab.by_length(known)

    def compact(iri: str) -> str:
        return vocab.prefixed(iri, ordered) or iri

    def value(term: str) -> object:
        if term.startswith("<"):
            return {"@id": compact(term[1:-1])}
        end = term.rindex('"')
        raw = term[1:end]
        text = json.loads(term[: end + 1]) if "\\" in raw else raw  # N-Triples string escapes are JSON's
        rest = term[end + 1:]
        if rest.startswith("@"):
            return {"@value": text, "@language": rest[1:]}
        if rest.startswith("^^"):
            return {"@value": text, "@type": compact(rest[3:-1])}
        return text

    nodes: dict[str, dict[str, list[object]]] = {}
    for line in lines:
        s, p, o = ntriples.split(line)
        node = nodes.setdefault(s[1:-1], {})
        if p == RDF_TYPE:
            node.setdefault("@type", []).append(compact(o[1:-1]))
        else:
            node.setdefault(compact(p[1:-1]), []).append(value(o))
    return {
        "@context": dict(sorted(known.items())),
        "@graph": [{"@id": compact(s), **props} for s, props in sorted(nodes.items())],
    }


_STRING = json.encoder.encode_basestring  # type: ignore[attr-defined]


def jsonld_text(document: dict[str, object]) -> str:
    """``json.dumps(document, ensure_ascii=False, indent=2)`` plus a newline, written as kg.jsonld's writer
    lays it out (its frame, then each node): a test holds the two equal, byte for byte."""
    context = document["@context"]
    graph = document["@graph"]
    assert isinstance(context, dict) and isinstance(graph, list)
    head, foot = jsonld_frame(context, bool(graph))
    return head + ",\n".join(_node_text(node) for node in graph) + foot


def _node_text(node: dict[str, object]) -> str:
    parts = []
    for key, values in node.items():
        if isinstance(values, str):
            parts.append(f"      {_STRING(key)}: {_STRING(values)}")
            continue
        assert isinstance(values, list)
        items = ",\n".join(f"        {_STRING(v)}" if isinstance(v, str) else
                           "        {\n" + ",\n".join(f"          {_STRING(k)}: {_STRING(x)}" for k, x in v.items())
                           + "\n        }" for v in values)
        parts.append(f"      {_STRING(key)}: [\n{items}\n      ]")
    return "    {\n" + ",\n".join(parts) + "\n    }"
