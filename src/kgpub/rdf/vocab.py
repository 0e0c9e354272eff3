"""Namespaces of the public vocabulary, as plain strings.

The ``kg:`` IRIs are a contract with every tool that reads a kgpub graph:
extend this list, never rename what is in it.  Plain strings (not rdflib
``Namespace`` objects) so that commands which never touch rdflib, such as
``kgpub query``, do not pay for importing it.
"""

from __future__ import annotations

from collections.abc import Callable

KG = "https://w3id.org/kgpub/ontology#"
KGT = "https://w3id.org/kgpub/type/"
OA = "http://www.w3.org/ns/oa#"
SCHEMA = "https://schema.org/"
SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
WD = "http://www.wikidata.org/entity/"
PROV = "http://www.w3.org/ns/prov#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCTERMS = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
VOID = "http://rdfs.org/ns/void#"
SH = "http://www.w3.org/ns/shacl#"

#: Where instance IRIs are minted unless the dataset or the command says otherwise.
DEFAULT_BASE = "https://w3id.org/kgpub/id/"

#: Prefixes written into every output and predeclared for queries.
PREFIXES: dict[str, str] = {
    "kg": KG,
    "kgt": KGT,
    "oa": OA,
    "schema": SCHEMA,
    "prov": PROV,
    "skos": SKOS,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "dcterms": DCTERMS,
    "dcat": DCAT,
    "void": VOID,
    "sem": SEM,
    "sh": SH,
    "wd": WD,
}

#: The named graph that holds the ontology in every store and in the build's index.
ONTOLOGY_GRAPH = "https://w3id.org/kgpub/ontology"
#: The named graph where ``kgpub load`` records what it loaded into a store.
MANIFEST_GRAPH = "https://w3id.org/kgpub/load-manifest"


def by_length(prefixes: dict[str, str]) -> list[tuple[str, str]]:
    """Prefixes longest namespace first, as :func:`prefixed` wants them (``kgt:`` before ``kg:`` would not
    matter here, but ``https://w3id.org/kgpub/id/article/`` before ``https://w3id.org/kgpub/id/`` does)."""
    return sorted(prefixes.items(), key=lambda kv: -len(kv[1]))


def prefixed(iri: str, ordered: list[tuple[str, str]]) -> str | None:
    """``iri`` as a prefixed name (the longest namespace that fits, from :func:`by_length`), None if none does."""
    for prefix, ns in ordered:
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return None


def shortener(prefixes: dict[str, str]) -> Callable[[str], str | None]:
    """:func:`prefixed` over these prefixes, remembered per IRI: pages and reports shorten the same IRIs often."""
    ordered = by_length(prefixes)
    seen: dict[str, str | None] = {}

    def short(iri: str) -> str | None:
        if iri not in seen:
            seen[iri] = prefixed(iri, ordered)
        return seen[iri]

    return short
