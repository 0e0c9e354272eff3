"""Which literals are well typed, decided as pySHACL decides, and which the store keeps as written.

The compiled checks must give pySHACL's verdict on ``sh:datatype``, so the
verdict on a literal is pySHACL's own (through rdflib), asked once per
distinct (lexical form, datatype).  Asking costs importing pySHACL and
making an rdflib literal: a build asks about a hundred thousand literals,
nearly all the same few thousand.  The answers are kept in a
:class:`WellTyped` value the caller holds (the compiled shapes carry one, and
the build cache keeps them with it), never in a module-level cache that a
rebuild would have to save and restore.

pyoxigraph stores numbers and booleans as values ("05"^^xsd:positiveInteger
comes back as "5"^^xsd:integer); :data:`SPARQL_DATATYPES` are the datatypes
whose literals it keeps exactly as written, the only ones a SPARQL query may
judge by their lexical form.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

#: The custom SPARQL function that tells whether a literal is well-formed for its datatype, as pySHACL decides.
WELL_TYPED = "urn:kgpub:fn:wellTyped"
#: Datatypes whose literals pyoxigraph keeps exactly as written.  It stores numbers and booleans as
#: values ("05"^^xsd:positiveInteger comes back as "5"^^xsd:integer), so a rule on any other datatype
#: is checked in the N-Triples text instead, and is not compiled inside sh:or/sh:and/sh:not/sh:node.
SPARQL_DATATYPES = {XSD.string, RDF.langString, RDFS.Literal, XSD.date, XSD.gYear, XSD.gYearMonth, XSD.anyURI}


@dataclass
class WellTyped:
    """pySHACL's verdict on each (lexical form, datatype) asked so far: call it to ask."""

    known: dict[tuple[str, str], bool] = field(default_factory=dict)

    def __call__(self, lexical: str, datatype: str) -> bool:
        """Is ``lexical`` well-formed for ``datatype``?  Decided the way pySHACL decides, through rdflib."""
        key = (lexical, datatype)
        verdict = self.known.get(key)
        if verdict is None:
            from pyshacl.constraints.core.value_constraints import DatatypeConstraintComponent

            literal = Literal(lexical, datatype=URIRef(datatype))
            verdict = bool(getattr(literal, "ill_typed", None) is not True
                           and DatatypeConstraintComponent._assert_actual_datatype(None, literal, literal.datatype))  # type: ignore[arg-type]  # a static check: self is unused
            self.known[key] = verdict
        return verdict

    def __getstate__(self) -> dict[str, object]:
        """The verdicts in sorted order: asked in an order that varies with each process's string hashing,
        they pickle to the same bytes in every process (a build's cache is the same whoever made it)."""
        return {"known": dict(sorted(self.known.items()))}
