"""SHACL core constraints compiled to set-based SPARQL, for validating large graphs fast.

pySHACL walks the graph focus node by focus node in Python: about 34 s for
the core constraints over a million triples, and the validation stage then
decides the speed of the whole build.  A SHACL core constraint is a set
question ("which events have no evidence?"), and one SPARQL query per
constraint over a pyoxigraph store answers it for every focus node at once.

``compile_shapes`` turns a shapes graph into such queries when every shape
uses only what this module knows how to compile (predicate paths; class,
datatype, nodeKind, in, pattern, min/maxLength, min/maxCount, lessThan,
disjoint, qualified counts, and, or, not, node; node-shape SHACL-SPARQL
constraints via ``shacl_sparql``).  Anything else returns ``None`` and the
caller falls back to pySHACL, which stays the reference: tests require
identical results from both on every case of the invalid-case corpus.

The results mirror pySHACL's: one per focus node (and value node, where SHACL
reports one), the property shape as ``sh:sourceShape``, the shape's
``sh:message``, ``sh:value`` exactly where pySHACL sets it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from collections.abc import Callable
from typing import Any, TypeVar

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from kgpub.shacl import sparql as shacl_sparql
from kgpub.shacl.sparql import RawResult, to_rdflib

T = TypeVar("T")

#: The custom SPARQL function that tells whether a literal is well-formed for its datatype, as pySHACL decides.
WELL_TYPED = "urn:kgpub:fn:wellTyped"
_TYPE_PATH = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
#: The graph (and predicate) where the focus nodes of each target pattern are recorded before the checks run.
_FOCUS = "urn:kgpub:focus"
#: Datatypes whose literals pyoxigraph keeps exactly as written.  It stores numbers and booleans as
#: values ("05"^^xsd:positiveInteger comes back as "5"^^xsd:integer), so a rule on any other datatype
#: is checked in the N-Triples text instead, and is not compiled inside sh:or/sh:and/sh:not/sh:node.
_SPARQL_DATATYPES = {XSD.string, RDF.langString, RDFS.Literal, XSD.date, XSD.gYear, XSD.gYearMonth, XSD.anyURI}

#: Shape predicates that describe or target a shape rather than constrain its nodes.
_NEUTRAL = {RDF.type, RDFS.label, RDFS.comment, SH.message, SH.severity, SH.deactivated, SH.name, SH.description,
            SH.order, SH.group, SH.defaultValue, SH.targetClass, SH.targetNode, SH.targetSubjectsOf,
            SH.targetObjectsOf, SH.property, SH.path, SH.sparql, SH.qualifiedValueShape, SH.qualifiedMinCount,
            SH.qualifiedMaxCount, SH.minCount, SH.maxCount, SH.lessThan, SH.lessThanOrEquals, SH.disjoint, SH.flags}
#: Constraints on each value node on its own, compiled to a SPARQL condition.
_VALUE = {SH["class"], SH.datatype, SH.nodeKind, SH["in"], SH.pattern, SH.minLength, SH.maxLength,
          SH["or"], SH["and"], SH["not"], SH.node, SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive}
#: The range components as SHACL defines them: a value node conforms when this SPARQL comparison is true
#: (an error, as for a string against a number, is a violation), ``{v}`` the value and ``{b}`` the bound.
_RANGES: dict[Node, str] = {SH.minInclusive: "{b} <= {v}", SH.maxInclusive: "{v} <= {b}",
           SH.minExclusive: "{b} < {v}", SH.maxExclusive: "{v} < {b}"}
_COMPONENT: dict[Node, URIRef] = {
    SH["class"]: SH.ClassConstraintComponent, SH.datatype: SH.DatatypeConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent, SH["in"]: SH.InConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent, SH.minLength: SH.MinLengthConstraintComponent,
    SH.maxLength: SH.MaxLengthConstraintComponent, SH["or"]: SH.OrConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent, SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent, SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
    SH["and"]: SH.AndConstraintComponent, SH["not"]: SH.NotConstraintComponent, SH.node: SH.NodeConstraintComponent,
    SH.minCount: SH.MinCountConstraintComponent, SH.maxCount: SH.MaxCountConstraintComponent,
    SH.lessThan: SH.LessThanConstraintComponent, SH.disjoint: SH.DisjointConstraintComponent,
    SH.qualifiedMinCount: SH.QualifiedMinCountConstraintComponent,
    SH.qualifiedMaxCount: SH.QualifiedMaxCountConstraintComponent,
}


class Unsupported(Exception):  # noqa: N818 - internal signal, never leaves this module
    """A shape uses something this compiler does not handle; pySHACL validates instead."""


@dataclass(frozen=True)
class Check:
    """One compiled query; its rows ``?this`` (and ``?value``) become results of ``shape``/``component``."""

    query: str
    shape: Node
    component: URIRef
    severity: URIRef
    path: URIRef | None
    messages: tuple[Literal, ...]
    value: str  # "value": ?value is sh:value; "focus": the focus node is; "none": no sh:value
    #: For sh:datatype rules pyoxigraph cannot answer (see ``_TEXT_DATATYPES``): the predicate and datatype
    #: to check in the N-Triples text; ``query`` then selects the focus nodes among ``VALUES ?this``.
    text_check: tuple[URIRef, URIRef] | None = None
    #: For sh:pattern, sh:minLength and sh:maxLength: (parameter, value, flags) to check again on the literal as
    #: written, for the literals the store does not keep as written ("4.0"^^xsd:decimal is "4" in the store).
    lexical: tuple[str, str, str | None] | None = None
    #: With ``lexical`` on a property: the query that keeps, among ``VALUES ?this``, the shape's focus nodes.
    focus_query: str | None = None


@dataclass(frozen=True)
class Plan:
    """Every compiled check of a shapes graph, its SHACL-SPARQL constraints, and what is left to pySHACL."""

    checks: tuple[Check, ...]
    sparql: tuple[shacl_sparql.SparqlCheck, ...]
    #: The distinct target patterns; ``run`` records each one's focus nodes once, in a graph of their own.
    targets: tuple[str, ...] = ()
    #: The shapes graph pySHACL validates (None: nothing is left to it): every shape of the original, but only
    #: the targets and constraints this module did not compile (see :class:`_Delegation`).
    delegated: Graph | None = None
    #: Each shape made for the delegated graph, and the shape of the original it stands for.
    origins: tuple[tuple[Node, Node], ...] = ()
    #: The literals targets name (``sh:targetNode``), as written: a literal focus node is reported so.
    written: tuple[Node, ...] = ()
    #: The predicates of ``sh:targetObjectsOf``: their objects, as the data writes them, are focus nodes too.
    object_targets: tuple[str, ...] = ()

    def source(self, shape: Node) -> Node:
        """The original shape a delegated result's ``sh:sourceShape`` stands for."""
        return dict(self.origins).get(shape, shape)


# --------------------------------------------------------------------------- compiling

#: The constraints on a literal's lexical form, which the store keeps as written only for some datatypes.
_LEXICAL = {SH.pattern, SH.minLength, SH.maxLength}
#: True for a literal whose lexical form the store may have rewritten ({v}: the variable).
_REWRITTEN = ("(isLiteral({v}) && LANG({v}) = \"\" && !(DATATYPE({v}) IN ("
              + ", ".join(f"<{d}>" for d in sorted(_SPARQL_DATATYPES)) + ")))")

#: What a node shape may say besides its constraints.
_NODE_NEUTRAL = {RDF.type, RDFS.label, RDFS.comment, SH.message, SH.severity, SH.deactivated, SH.name,
                 SH.description, SH.order, SH.group, SH.defaultValue, SH.targetClass, SH.targetNode,
                 SH.targetSubjectsOf, SH.targetObjectsOf, SH.property, SH.sparql, SH.flags, SH.path,
                 RDFS.subClassOf, SH.declare, SH.prefixes}
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
#: Constraint parameters that only mean something together with another (delegated as one piece).
_TOGETHER: dict[Node, tuple[Node, ...]] = {SH.pattern: (SH.flags,), SH.qualifiedValueShape: (SH.qualifiedMinCount, SH.qualifiedMaxCount,
                                                               SH.qualifiedValueShapesDisjoint),
             SH.closed: (SH.ignoredProperties,)}


def compile_shapes(shapes: Graph) -> Plan:
    """The compiled checks for ``shapes``; what cannot be compiled exactly is left to pySHACL, constraint by constraint."""
    return _Compiler(shapes).plan()


class _Compiler:
    def __init__(self, shapes: Graph) -> None:
        self.g = shapes
        self.fresh = 0  # numbers the variables of nested patterns, so the queries are the same on every run
        self.custom = _custom_parameters(shapes)

    def variable(self, stem: str) -> str:
        self.fresh += 1
        return f"?{stem}_{self.fresh}"

    def plan(self) -> Plan:
        g = self.g
        checks: list[Check] = []
        sparql: list[shacl_sparql.SparqlCheck] = []
        targets: list[str] = []
        left = _Delegation(g)
        _validators_problem(g)
        for shape in sorted(_targeted(g), key=str):
            if self._deactivated(shape):
                continue
            pattern = shacl_sparql._targets(g, shape)
            if pattern is None or (shape, SH.closed, None) in g:  # SPARQL targets; closed shapes need all paths
                left.whole(shape)
                continue
            if pattern not in targets:
                targets.append(pattern)
            focus = f"GRAPH <{_FOCUS}> {{ <{_FOCUS}:{targets.index(pattern)}> <{_FOCUS}> ?this }}"
            if (shape, SH.path, None) in g:
                got, pieces = self._property(shape, focus)
                checks += got
                if pieces is None:
                    left.whole(shape)
                else:
                    left.add(shape, pieces)
                continue
            got, pieces = self._node(shape, focus)
            checks += got
            left.add(shape, pieces)
            for constraint in g.objects(shape, SH.sparql):
                _refuse_meaningless(g, shape, constraint)
                check = shacl_sparql._prepare(g, shape, constraint)
                if check is None:
                    left.add(shape, [(SH.sparql, constraint)])
                else:
                    sparql.append(check)
            for prop in sorted(g.objects(shape, SH.property), key=str):
                if self._deactivated(prop):
                    continue
                got, pieces = self._property(prop, focus)
                checks += got
                left.add_property(shape, prop, pieces)
        delegated, origins = left.graph()
        written = tuple(sorted({o for o in g.objects(None, SH.targetNode) if isinstance(o, Literal)}, key=str))
        objects = tuple(sorted({str(o) for o in g.objects(None, SH.targetObjectsOf) if isinstance(o, URIRef)}))
        return Plan(tuple(checks), tuple(sorted(sparql, key=lambda c: (str(c.shape), str(c.constraint)))),
                    tuple(targets), delegated, origins, written, objects)

    # -- shapes

    def _deactivated(self, shape: Node) -> bool:
        return self.g.value(shape, SH.deactivated) == Literal(True)

    def _check_known(self, shape: Node) -> None:
        for p in set(self.g.predicates(shape, None)):
            if p in self.custom or (p not in _NEUTRAL and p not in _VALUE and (str(p).startswith(str(SH)) or p == SH.target)):
                raise Unsupported(f"{p} on {shape}")

    def _meta(self, shape: Node) -> tuple[URIRef, tuple[Literal, ...]]:
        severity = self.g.value(shape, SH.severity) or SH.Violation
        messages = tuple(m for m in self.g.objects(shape, SH.message) if isinstance(m, Literal))
        return URIRef(str(severity)), messages

    def _node(self, shape: Node, focus: str) -> tuple[list[Check], list[tuple[Node, Node]]]:
        """The compiled checks of a node shape's own constraints, and the (parameter, value) pairs left over."""
        severity, messages = self._meta(shape)
        checks, left = [], []
        for p, o in sorted(self.g.predicate_objects(shape), key=lambda po: (str(po[0]), str(po[1]))):
            if p in _VALUE and p not in self.custom:
                compiled = self._condition(shape, p, o, "?this")
                if compiled is None:
                    left.append((p, o))
                    continue
                cond, lexical = compiled
                checks.append(Check(f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER (!({cond})) }}",
                                    shape, _COMPONENT[p], severity, None, messages, "focus", lexical=lexical))
            elif p not in _NODE_NEUTRAL and (str(p).startswith(str(SH)) or p in self.custom):
                left.append((p, o))
        return checks, left

    def _path(self, shape: Node) -> URIRef:
        path = self.g.value(shape, SH.path)
        if not isinstance(path, URIRef):
            raise Unsupported(f"path of {shape}")
        return path

    def _property(self, shape: Node, focus: str) -> tuple[list[Check], list[tuple[Node, Node]] | None]:
        """A property shape's compiled checks, and the (parameter, value) pairs left to pySHACL (None: all of it)."""
        g = self.g
        if (shape, SH.property, None) in g or not isinstance(g.value(shape, SH.path), URIRef) \
                or g.value(shape, SH.qualifiedValueShapesDisjoint) == Literal(True):
            return [], None  # nested property shapes, complex paths, sibling-aware counts: pySHACL, whole
        path = self._path(shape)
        p = f"<{path}>"
        severity, messages = self._meta(shape)
        left: list[tuple[Node, Node]] = []

        def check(query: str, component: URIRef, value: str) -> Check:
            return Check(query, shape, component, severity, path, messages, value)

        checks = []
        for least in g.objects(shape, SH.minCount):
            n = int(str(least))
            if n == 1:
                checks.append(check(f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {p} ?any }} }}",
                                    SH.MinCountConstraintComponent, "none"))
            elif n > 1:
                checks.append(check(f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {p} ?v }} }} "
                                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})",
                                    SH.MinCountConstraintComponent, "none"))
        for most in g.objects(shape, SH.maxCount):
            checks.append(check(_at_most(focus, p, int(str(most))), SH.MaxCountConstraintComponent, "none"))
        for pred, o in sorted(g.predicate_objects(shape), key=lambda po: (str(po[0]), str(po[1]))):
            if pred in self.custom:
                left.append((pred, o))
            elif pred == SH.datatype and o not in _SPARQL_DATATYPES:
                if not isinstance(o, URIRef):
                    left.append((pred, o))
                    continue
                checks.append(Check(f"SELECT ?this WHERE {{ VALUES ?this {{ {_SUBJECTS} }} {focus} }}", shape,
                                    SH.DatatypeConstraintComponent, severity, path, messages, "value", (path, o)))
            elif pred in _VALUE:
                compiled = self._condition(shape, pred, o, "?value", recheck=False)
                if compiled is None:
                    left.append((pred, o))
                    continue
                cond, lexical = compiled
                checks.append(Check(f"SELECT DISTINCT ?this ?value WHERE {{ {focus} ?this {p} ?value "
                                    f"FILTER (!({cond})) }}", shape, _COMPONENT[pred], severity, path, messages,
                                    "value", lexical=lexical,
                                    focus_query=f"SELECT ?this WHERE {{ VALUES ?this {{ {_SUBJECTS} }} {focus} }}"
                                    if lexical is not None else None))
            elif pred == SH.uniqueLang:
                if o == Literal(True):  # only "true"^^xsd:boolean, the term SHACL names ("1" leaves it off)
                    checks.append(check(f"SELECT ?this WHERE {{ {focus} ?this {p} ?a . ?this {p} ?b "
                                        f"FILTER (!sameTerm(?a, ?b) && LANG(?a) != \"\" && LCASE(LANG(?a)) = LCASE(LANG(?b))) }} "
                                        f"GROUP BY ?this (LCASE(LANG(?a)))", SH.UniqueLangConstraintComponent, "none"))
            elif pred == SH.sparql:
                left.append((pred, o))
            elif pred not in _NEUTRAL and (str(pred).startswith(str(SH)) or pred == SH.target):
                left.append((pred, o))
        for parameter, operator, component in ((SH.lessThan, "<", SH.LessThanConstraintComponent),
                                               (SH.lessThanOrEquals, "<=", SH.LessThanOrEqualsConstraintComponent)):
            for other in g.objects(shape, parameter):
                if not isinstance(other, URIRef):
                    left.append((parameter, other))
                    continue
                checks.append(check(f"SELECT ?this ?value WHERE {{ {focus} ?this {p} ?value . ?this <{other}> ?other "
                                    f"FILTER (!COALESCE(?value {operator} ?other, false)) }}", component, "value"))
        for other in g.objects(shape, SH.disjoint):
            if not isinstance(other, URIRef):
                left.append((SH.disjoint, other))
                continue
            checks.append(check(f"SELECT DISTINCT ?this ?value WHERE {{ {focus} ?this {p} ?value . "
                                f"?this <{other}> ?value }}", SH.DisjointConstraintComponent, "value"))
        qualified = g.value(shape, SH.qualifiedValueShape)
        if qualified is not None:
            try:
                checks += self._qualified(shape, qualified, focus, p, check)
            except Unsupported:
                left.append((SH.qualifiedValueShape, qualified))
        return checks, left

    def _qualified(self, shape: Node, qualified: Node, focus: str, p: str, check: Callable[..., Check]) -> list[Check]:
        g = self.g
        cond = self._shape("?v", qualified)
        out = []
        least = g.value(shape, SH.qualifiedMinCount)
        if least is not None and int(str(least)) == 1:
            out.append(check(f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {p} ?v FILTER ({cond}) }} }}",
                             SH.QualifiedMinCountConstraintComponent, "none"))
        elif least is not None and int(str(least)) > 1:
            out.append(check(f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {p} ?v FILTER ({cond}) }} }} "
                             f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {int(str(least))})",
                             SH.QualifiedMinCountConstraintComponent, "none"))
        most = g.value(shape, SH.qualifiedMaxCount)
        if most is not None:
            out.append(check(f"SELECT ?this WHERE {{ {focus} ?this {p} ?v FILTER ({cond}) }} "
                             f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {int(str(most))})",
                             SH.QualifiedMaxCountConstraintComponent, "none"))
        return out

    # -- conditions: a SPARQL boolean expression that is true when ``var`` meets the constraint

    def _condition(self, shape: Node, p: Node, o: Node, var: str,
                   recheck: bool = True) -> tuple[str, tuple[str, str, str | None] | None] | None:
        """The SPARQL condition of one value constraint on ``var``, and its lexical recheck (None: not compiled).

        For a constraint on a lexical form, the literals the store may have rewritten are checked again as
        the data writes them (see ``_lexically_failing``): a node's own literal (``recheck``) comes back
        as a candidate; a property's values are read from the N-Triples text."""
        try:
            cond = self._value(p, o, var)
        except Unsupported:
            return None
        lexical = self._lexical(shape, p, o)
        if lexical is not None and recheck:
            cond = f"({cond}) && !({_REWRITTEN.format(v=var)})"
        return cond, lexical

    def _lexical(self, shape: Node, p: Node, o: Node) -> tuple[str, str, str | None] | None:
        if p not in _LEXICAL:
            return None
        flags = self.g.value(shape, SH.flags) if p == SH.pattern else None
        return str(p).rsplit("#", 1)[-1], str(o), str(flags) if flags is not None else None

    @staticmethod
    def _not_lexical(p: Node) -> None:
        if p in _LEXICAL:  # a literal's lexical form inside a logical constraint: the store may not keep it
            raise Unsupported(f"{p} inside sh:or, sh:and, sh:not or sh:node")

    def _value(self, p: Node, o: Node, var: str) -> str:
        g = self.g
        if p == SH["class"]:
            return f"EXISTS {{ {var} {_TYPE_PATH} {_n3(o)} }}"
        if p == SH.datatype:
            return _datatype(o, var)
        if p == SH.nodeKind:
            kinds: dict[Node, str] = {SH.IRI: "isIRI({v})", SH.BlankNode: "isBlank({v})", SH.Literal: "isLiteral({v})",
                     SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
                     SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
                     SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))"}
            if o not in kinds:
                raise Unsupported(f"sh:nodeKind {o}")
            return kinds[o].format(v=var)
        if p == SH["in"]:
            members = list(Collection(g, o))
            if any(isinstance(m, BNode) for m in members):
                raise Unsupported("blank nodes in sh:in")
            return "(" + " || ".join(f"sameTerm({var}, {_n3(m)})" for m in members) + ")" if members else "false"
        if p == SH.pattern:
            flags = g.value(next(g.subjects(SH.pattern, o)), SH.flags)
            args = _string(str(o)) + (f", {_string(str(flags))}" if flags is not None else "")
            return f"COALESCE(!isBlank({var}) && REGEX(STR({var}), {args}), false)"
        if p in (SH.minLength, SH.maxLength):
            op = ">=" if p == SH.minLength else "<="
            return f"(!isBlank({var}) && STRLEN(STR({var})) {op} {int(str(o))})"
        if p in _RANGES:
            if not isinstance(o, Literal):
                raise Unsupported(f"{p} with a non-literal bound")
            return f"COALESCE({_RANGES[p].format(v=var, b=_n3(o))}, false)"
        if p in (SH["or"], SH["and"]):
            parts = [self._shape(var, member) for member in Collection(g, o)]
            joiner = " || " if p == SH["or"] else " && "
            return "(" + joiner.join(parts) + ")" if parts else ("false" if p == SH["or"] else "true")
        if p == SH["not"]:
            return f"!({self._shape(var, o)})"
        if p == SH.node:
            return self._shape(var, o)
        raise Unsupported(str(p))

    def _shape(self, var: str, shape: Node) -> str:
        """True when ``var`` conforms to ``shape`` (a shape used inside or/and/not/node/qualified)."""
        g = self.g
        if self._deactivated(shape):
            return "true"
        self._check_known(shape)
        if (shape, SH.sparql, None) in g or (shape, SH.lessThan, None) in g or (shape, SH.disjoint, None) in g \
                or (shape, SH.lessThanOrEquals, None) in g \
                or (shape, SH.qualifiedValueShape, None) in g:
            raise Unsupported(f"nested shape {shape}")
        parts = []
        if (shape, SH.path, None) in g:
            p = f"<{self._path(shape)}>"
            for n in g.objects(shape, SH.minCount):
                if int(str(n)) > 1:
                    raise Unsupported("nested sh:minCount > 1")
                if int(str(n)) == 1:
                    parts.append(f"EXISTS {{ {var} {p} {self.variable('q')} }}")
            for n in g.objects(shape, SH.maxCount):
                if int(str(n)) != 0:
                    raise Unsupported("nested sh:maxCount > 0")
                parts.append(f"NOT EXISTS {{ {var} {p} {self.variable('q')} }}")
            inner = self.variable("i")
            for pred, o in g.predicate_objects(shape):
                if pred in _VALUE:
                    self._not_lexical(pred)
                    parts.append(f"NOT EXISTS {{ {var} {p} {inner} FILTER (!({self._value(pred, o, inner)})) }}")
        else:
            for pred, o in g.predicate_objects(shape):
                if pred in (SH.minCount, SH.maxCount):
                    raise Unsupported("counts on a node shape")
                if pred in _VALUE:
                    self._not_lexical(pred)
                    parts.append(self._value(pred, o, var))
            for prop in g.objects(shape, SH.property):
                parts.append(self._shape(var, prop))
        return "(" + " && ".join(parts) + ")" if parts else "true"


def _refuse_meaningless(g: Graph, shape: Node, constraint: Node) -> None:
    """Stop on a SHACL-SPARQL query the spec gives no meaning (never run it, never guess what it means)."""
    from kgpub.errors import ValidationSetupError

    for query in (*g.objects(constraint, SH.select), *g.objects(constraint, SH.ask)):
        problem = shacl_sparql.prebinding_problem(str(query))
        if problem is not None:
            raise ValidationSetupError(f"SHACL validation failed: the SPARQL constraint {_shown(constraint)} of "
                                       f"{_shown(shape)} cannot be run: {problem}")


def _validators_problem(g: Graph) -> None:
    """The same for the validators of the SPARQL-based constraint components a shapes graph declares."""
    from kgpub.errors import ValidationSetupError

    for component in _components(g):
        parameters = tuple(str(path).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
                           for parameter in g.objects(component, SH.parameter) for path in g.objects(parameter, SH.path))
        for p in (SH.validator, SH.nodeValidator, SH.propertyValidator):
            for validator in g.objects(component, p):
                for query in (*g.objects(validator, SH.select), *g.objects(validator, SH.ask)):
                    problem = shacl_sparql.prebinding_problem(str(query), ("this", "value", "currentShape",
                                                                           "shapesGraph", *parameters))
                    if problem is not None:
                        raise ValidationSetupError(f"SHACL validation failed: a validator of {_shown(component)} "
                                                   f"cannot be run: {problem}")


def _shown(node: Node) -> str:
    return node.n3() if isinstance(node, URIRef) else "(a blank node)"


def _components(g: Graph) -> set[Node]:
    """The constraint components a shapes graph declares: instances of sh:ConstraintComponent or a subclass."""
    classes = set(g.transitive_subjects(RDFS.subClassOf, SH.ConstraintComponent))
    return {c for cls in classes for c in g.subjects(RDF.type, cls)}


def _targeted(g: Graph) -> set[Node]:
    """Every shape with a target, implicit class targets (a shape that is also a class) included."""
    shapes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    implicit = {s for s in shapes for c in (RDFS.Class, OWL.Class) if (s, RDF.type, c) in g}
    return {s for p in _TARGETS for s in g.subjects(p, None)} | implicit


def _custom_parameters(g: Graph) -> set[Node]:
    """The parameters of the SHACL-SPARQL constraint components a shapes graph declares (left to pySHACL)."""
    return {path for component in _components(g)
            for parameter in g.objects(component, SH.parameter) for path in g.objects(parameter, SH.path)}


class _Delegation:
    """The shapes graph for pySHACL: the original shapes, with targets only where something was left to it.

    A shape left whole keeps its targets.  A shape of which only some
    constraints were left gets a stand-in (``urn:kgpub:delegated:N``) with the
    same targets and just those constraints; the original keeps its
    constraints for any shape that refers to it (``sh:node``, ``sh:or`` ...)
    but loses its targets, so nothing is validated twice.  Results of a stand-in
    are reported as the original's (:meth:`Plan.source`).
    """

    def __init__(self, g: Graph) -> None:
        self.g = g
        self.wholes: list[Node] = []
        self.pieces: dict[Node, list[tuple[Node, Node]]] = {}
        self.properties: dict[Node, list[tuple[Node, list[tuple[Node, Node]] | None]]] = {}
        self.custom = _custom_parameters(g)
        self.out = Graph()

    def whole(self, shape: Node) -> None:
        self.wholes.append(shape)

    def add(self, shape: Node, pieces: list[tuple[Node, Node]]) -> None:
        if pieces:
            self.pieces.setdefault(shape, []).extend(pieces)

    def add_property(self, shape: Node, prop: Node, pieces: list[tuple[Node, Node]] | None) -> None:
        if pieces is None or pieces:
            self.properties.setdefault(shape, []).append((prop, pieces))

    def graph(self) -> tuple[Graph | None, tuple[tuple[Node, Node], ...]]:
        g = self.g
        if not self.wholes and not self.pieces and not self.properties:
            return None, ()
        targeted = _targeted(g)
        out = self.out = Graph()
        for prefix, namespace in g.namespaces():
            out.bind(prefix, namespace, override=False)
        for triple in g:
            s, p, o = triple
            if p in _TARGETS and s in targeted or (p == RDF.type and o in (RDFS.Class, OWL.Class) and s in targeted):
                continue
            out.add(triple)
        for shape in self.wholes:
            for p in _TARGETS:
                for o in g.objects(shape, p):
                    out.add((shape, p, o))
            for c in (RDFS.Class, OWL.Class):
                if (shape, RDF.type, c) in g:
                    out.add((shape, RDF.type, c))
        origins: list[tuple[Node, Node]] = []
        for n, shape in enumerate(sorted(set(self.pieces) | set(self.properties), key=str)):
            stand_in = URIRef(f"urn:kgpub:delegated:{n}")
            origins.append((stand_in, shape))
            self._copy(shape, stand_in, self.pieces.get(shape, []))
            for p in _TARGETS:
                for o in g.objects(shape, p):
                    out.add((stand_in, p, o))
            if any((shape, RDF.type, c) in g for c in (RDFS.Class, OWL.Class)):
                out.add((stand_in, SH.targetClass, shape))
            for m, (prop, pieces) in enumerate(self.properties.get(shape, [])):
                if pieces is None:
                    out.add((stand_in, SH.property, prop))
                    continue
                part = URIRef(f"urn:kgpub:delegated:{n}:{m}")
                origins.append((part, prop))
                self._copy(prop, part, pieces)
                out.add((stand_in, SH.property, part))
        return out, tuple(origins)

    def _copy(self, shape: Node, into: URIRef, pieces: list[tuple[Node, Node]]) -> None:
        """A stand-in for ``shape`` holding its path, severity and messages and just ``pieces`` of its constraints."""
        g, out = self.g, self.out
        out.add((into, RDF.type, SH.PropertyShape if (shape, SH.path, None) in g else SH.NodeShape))
        for kept in (SH.path, SH.severity, SH.message, SH.deactivated):
            for o in g.objects(shape, kept):
                out.add((into, kept, o))
        for p, o in pieces:
            out.add((into, p, o))
            for other in _TOGETHER.get(p, ()):
                for value in g.objects(shape, other):
                    out.add((into, other, value))
            if p in self.custom:  # a component's parameters go together
                for other in self.custom:
                    for value in g.objects(shape, other):
                        out.add((into, other, value))


def _at_most(focus: str, p: str, n: int) -> str:
    """Focus nodes with more than ``n`` distinct values of ``p``.

    The common limits get their own shapes of query: none (0) and one (1) are
    a pattern match, where counting would group every focus node.
    """
    if n == 0:
        return f"SELECT DISTINCT ?this WHERE {{ {focus} ?this {p} ?v }}"
    if n == 1:
        return f"SELECT DISTINCT ?this WHERE {{ {focus} ?this {p} ?a . ?this {p} ?b FILTER (!sameTerm(?a, ?b)) }}"
    return f"SELECT ?this WHERE {{ {focus} ?this {p} ?v }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})"


def _n3(node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    raise Unsupported(f"blank node {node} in a constraint")


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _datatype(datatype: Node, var: str) -> str:
    """pySHACL's datatype rule: the literal's datatype is it, and the literal is not ill-typed."""
    if datatype not in _SPARQL_DATATYPES:
        raise Unsupported(f"sh:datatype {datatype} inside another constraint")
    if datatype == RDFS.Literal:
        return f"isLiteral({var})"
    if datatype == XSD.string:
        return f"COALESCE(isLiteral({var}) && datatype({var}) = <{XSD.string}>, false)"
    if datatype == RDF.langString:
        return f"COALESCE(isLiteral({var}) && lang({var}) != \"\", false)"
    return (f"COALESCE(isLiteral({var}) && datatype({var}) = {_n3(datatype)} && <{WELL_TYPED}>({var}), false)")


# --------------------------------------------------------------------------- running


_WELL_TYPED_CACHE: dict[tuple[str, str], bool] = {}
_SUBJECTS = "__kgpub_subjects__"


def well_typed(lexical: str, datatype: str) -> bool:
    """Is ``lexical`` well-formed for ``datatype``?  Decided the way pySHACL decides, through rdflib."""
    key = (lexical, datatype)
    known = _WELL_TYPED_CACHE.get(key)
    if known is None:
        from pyshacl.constraints.core.value_constraints import DatatypeConstraintComponent

        literal = Literal(lexical, datatype=URIRef(datatype))
        known = bool(getattr(literal, "ill_typed", None) is not True
                     and DatatypeConstraintComponent._assert_actual_datatype(None, literal, literal.datatype))  # type: ignore[arg-type]  # a static check: self is unused
        _WELL_TYPED_CACHE[key] = known
    return known


def known_datatypes() -> dict[tuple[str, str], bool]:
    """Every (lexical, datatype) decided so far in this process, for the build cache."""
    return dict(_WELL_TYPED_CACHE)


def remember_datatypes(known: dict[tuple[str, str], bool]) -> None:
    """Decisions of an earlier build (same kgpub, same pySHACL: the cache key covers both)."""
    _WELL_TYPED_CACHE.update(known)


def _well_typed_function(term: Any) -> Any:
    import pyoxigraph as ox

    ok = well_typed(term.value, term.datatype.value)
    return ox.Literal("true" if ok else "false", datatype=ox.NamedNode(str(XSD.boolean)))


_FOCUS_PATTERN = re.compile(re.escape(f"GRAPH <{_FOCUS}> {{ <{_FOCUS}:") + r"(\d+)> " + re.escape(f"<{_FOCUS}> ?this }}"))


def run(plan: Plan, store: Any, ntriples: str | list[str], only: list[str] | None = None,
        threads: int = 1) -> list[RawResult]:
    """Every result of ``plan`` over ``store``, which holds ``ntriples`` (data and ontology, default graph).

    With ``only`` (IRIs), just the results whose focus node is one of them:
    the store is then only read (it may be the query index), and
    ``ntriples`` need only hold those nodes' triples; it may come in parts (a
    list), so a caller never joins a million lines only to hand them over.  ``threads`` run checks
    side by side: pyoxigraph evaluates a query without holding the GIL.
    """
    import pyoxigraph as ox

    functions = {ox.NamedNode(WELL_TYPED): _well_typed_function}
    direct: dict[int, str] = {}
    if only is None:
        direct = _direct_targets(plan.targets, store)
        for i, target in enumerate(plan.targets):  # once per target, not once per check
            if i not in direct:
                store.update(f"INSERT {{ GRAPH <{_FOCUS}> {{ <{_FOCUS}:{i}> <{_FOCUS}> ?this }} }} WHERE {{ {target} }}")
    elif not only:
        return []
    values = " ".join(f"<{iri}>" for iri in only or ())

    inline = _classes_inlined([c.query for c in plan.checks], store)

    def focused(query: str) -> str:
        query = inline(query)
        if only is None:
            return _FOCUS_PATTERN.sub(lambda m: direct.get(int(m.group(1)), m.group(0)), query)
        return _FOCUS_PATTERN.sub(  # DISTINCT: a node of two subclasses matches a class target twice
            lambda m: f"{{ SELECT DISTINCT ?this WHERE {{ {_narrowed(plan.targets[int(m.group(1))], values)} }} }}",
            query)

    sparql_only = values if only is not None else None

    def one(check: Any) -> list[RawResult]:
        if not isinstance(check, Check):  # a SHACL-SPARQL constraint
            return shacl_sparql.rows([check], store, sparql_only)
        if check.text_check is not None:
            return _text_datatype(check, store, ntriples, focused(check.query))
        rows = []
        if check.lexical is not None:
            return _lexically_failing(check, store, focused(check.query), functions, ntriples, plan,
                                      focused(check.focus_query) if check.focus_query else None)
        for row in store.query(focused(check.query), custom_functions=functions):
            focus = to_rdflib(row["this"])
            value = None
            if check.value == "value":
                value = to_rdflib(row["value"])
            elif check.value == "focus":
                value = focus
            rows.append(RawResult(focus, check.severity, check.shape, check.component, check.path, value,
                                  check.messages))
        return rows

    out: list[RawResult] = []
    for rows in _in_threads(one, [*plan.checks, *plan.sparql], threads):  # in check order, whatever ran first
        out += rows
    return _as_written(out, ntriples, plan.written, plan.object_targets)


def _narrowed(target: str, values: str) -> str:
    """A target pattern restricted to the nodes ``values``, the VALUES put in each branch of its UNION: joined
    outside a union of class targets, pyoxigraph walks every typed node of each class first (seconds)."""
    if '"' in target:  # a literal target node could hold " UNION ": join outside, as SPARQL means it
        return f"VALUES ?this {{ {values} }} {target}"
    return " UNION ".join(f"{{ VALUES ?this {{ {values} }} {part[2:]}" for part in target.split(" UNION "))


_CLASS_TARGET = re.compile(r"\{ \?this " + re.escape(_TYPE_PATH) + r" (<[^>]+>) \}")


def _direct_targets(targets: tuple[str, ...], store: Any) -> dict[int, str]:
    """The class targets whose class has no subclass, each as the plain pattern ``?this rdf:type C``.

    Such a target needs no recorded focus nodes: the type triples are its
    focus nodes, once each, and a check reads them as fast as the records.
    Recording the focus nodes of the selectors and specific resources (half
    the nodes of a build) was a sixth of the validation time.
    """
    out = {}
    for i, target in enumerate(targets):
        match = _CLASS_TARGET.fullmatch(target)
        if match is not None and not bool(store.query(
                f"ASK {{ ?c <{RDFS.subClassOf}>+ {match.group(1)} FILTER (!sameTerm(?c, {match.group(1)})) }}")):
            out[i] = f"?this <{RDF.type}> {match.group(1)} ."
    return out


_CLASS_TEST = re.compile(r"EXISTS \{ (\?\w+) " + re.escape(_TYPE_PATH) + r" (<[^>]+>) \}")


def _classes_inlined(queries: list[str], store: Any) -> Callable[[str], str]:
    """A rewriter of ``EXISTS { ?v rdf:type/rdfs:subClassOf* C }`` into ``?v rdf:type`` one of C's subclasses.

    The subclasses are read from ``store`` itself, once per class, so the
    test means what it meant; pyoxigraph evaluates the path for every value
    node otherwise, a quarter of the time of the class checks.
    """
    classes = {m.group(2) for query in queries for m in _CLASS_TEST.finditer(query)}
    members = {}
    for cls in sorted(classes):
        found = {f"<{row['c'].value}>" for row in store.query(
            f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* {cls} }}")} | {cls}
        members[cls] = " ".join(sorted(found))

    def rewrite(query: str) -> str:
        return _CLASS_TEST.sub(lambda m: f"EXISTS {{ {m.group(1)} <{RDF.type}> ?kgpub_class "
                                         f"VALUES ?kgpub_class {{ {members[m.group(2)]} }} }}", query)

    return rewrite


def _in_threads(work: Callable[[T], list[RawResult]], items: list[T], threads: int) -> list[list[RawResult]]:
    """``[work(i) for i in items]``, in ``threads`` threads; results in the items' order."""
    if threads <= 1 or len(items) < 2:
        return [work(item) for item in items]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(work, items))


def _as_written(results: list[RawResult], ntriples: str | list[str], written: tuple[Node, ...] = (),
                object_targets: tuple[str, ...] = ()) -> list[RawResult]:
    """Results with every literal the store gave back as the data or the shapes wrote it.

    pyoxigraph keeps numbers and booleans as values ("78"^^xsd:nonNegativeInteger
    comes back as "78"^^xsd:integer, "4.0" as "4") and language tags in lower
    case (@fr-CA as @fr-ca); the user must see what their data says.  A value
    is looked up among its focus node's objects in the N-Triples text; a
    literal focus node among ``written``, the literals the targets name, and
    the objects of the ``object_targets`` predicates.
    """
    by_path: dict[str, dict[str, list[Node]]] = {}
    out = []
    candidates: list[Node] | None = None
    for r in results:
        value, focus = r.value, r.focus
        if _rewritten(focus):
            if candidates is None:  # read only when a literal focus node needs it
                candidates = [*written, *(parse_term(o) for p in object_targets for _, o in triples_with(ntriples, p)
                                          if o.startswith('"'))]
            focus = next((w for w in candidates if _same_literal(w, focus)), focus)
            value = focus if value is not None and value == r.focus else value
        if _rewritten(value) and value != r.focus and r.path is not None and isinstance(r.focus, URIRef):
            objects = by_path.get(str(r.path))
            if objects is None:
                objects = {}
                for subject, obj in triples_with(ntriples, str(r.path)):
                    objects.setdefault(subject, []).append(parse_term(obj))
                by_path[str(r.path)] = objects
            value = next((o for o in objects.get(f"<{r.focus}>", ()) if _same_literal(o, value)), value)
        if focus is not r.focus or value is not r.value:
            r = RawResult(focus, r.severity, r.shape, r.component, r.path, value, r.messages, r.constraint)
        out.append(r)
    return out


def _lexically_failing(check: Check, store: Any, query: str, functions: Any, ntriples: str | list[str],
                       plan: Plan, focus_query: str | None = None) -> list[RawResult]:
    """The rows of a pattern or length check, on every literal as the data writes it.

    The store's verdict stands for IRIs and for the literals it keeps as written.  A literal it may have
    rewritten ("4.0"^^xsd:decimal kept as 4) is judged again on its written form: for a node shape, the
    focus literal comes back as a candidate; for a property, its values with such a datatype are read
    from the N-Triples text (C-speed search) and their subjects joined with the shape's focus nodes.
    """
    assert check.lexical is not None
    kind, argument, flags = check.lexical
    candidates = []
    for row in store.query(query, custom_functions=functions):
        focus = to_rdflib(row["this"])
        value: Node | None = to_rdflib(row["value"]) if check.value == "value" else focus
        candidates.append(RawResult(focus, check.severity, check.shape, check.component, check.path, value,
                                    check.messages))
    out = []
    if focus_query is None:
        for r in _as_written(candidates, ntriples, plan.written, plan.object_targets):
            value = r.value
            if _rewritten(value) and isinstance(value, Literal) and value.language is None \
                    and not _breaks(kind, argument, flags, str(value)):
                continue
            out.append(r)
        return out
    out = [r for r in candidates if not (_rewritten(r.value) and isinstance(r.value, Literal) and r.value.language is None)]
    failing: dict[str, list[Node]] = {}
    assert check.path is not None
    for subject, obj in triples_with(ntriples, str(check.path)):
        if not subject.startswith("<") or "^^<" not in obj:
            continue
        datatype = obj[obj.rindex("^^<") + 3:-1]
        if URIRef(datatype) in _SPARQL_DATATYPES:
            continue
        value = parse_term(obj)
        if isinstance(value, Literal) and _breaks(kind, argument, flags, str(value)):
            failing.setdefault(subject, []).append(value)
    subjects = sorted(failing)
    for start in range(0, len(subjects), 500):
        for row in store.query(focus_query.replace(_SUBJECTS, " ".join(subjects[start:start + 500]))):
            focus = to_rdflib(row["this"])
            for value in dict.fromkeys(failing[f"<{row['this'].value}>"]):
                out.append(RawResult(focus, check.severity, check.shape, check.component, check.path, value,
                                     check.messages))
    return out


def _breaks(kind: str, argument: str, flags: str | None, lexical: str) -> bool:
    """Whether a lexical form breaks sh:pattern (an XPath regular expression, as SPARQL's REGEX), sh:minLength or sh:maxLength."""
    if kind == "minLength":
        return len(lexical) < int(argument)
    if kind == "maxLength":
        return len(lexical) > int(argument)
    bits = 0
    for flag in flags or "":
        bits |= {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}.get(flag, 0)
    pattern = re.escape(argument) if "q" in (flags or "") else argument
    return re.search(pattern, lexical, bits) is None


def _rewritten(term: Node | None) -> bool:
    """Whether the store may have changed how this literal is written (its lexical form or its language tag)."""
    return isinstance(term, Literal) and (term.language is not None or
                                          (term.datatype is not None and term.datatype not in _SPARQL_DATATYPES))


def _same_literal(written: Node, stored: Node | None) -> bool:
    """Whether ``stored`` (a literal as the store returns it) is the literal ``written``."""
    if not isinstance(written, Literal) or not isinstance(stored, Literal):
        return False
    if stored.language is not None:
        return written.language is not None and written.language.lower() == stored.language.lower() \
            and str(written) == str(stored)
    if written.datatype != stored.datatype and not (stored.datatype == XSD.integer and written.datatype in _INTEGERS):
        return False
    if str(written) == str(stored):
        return True
    try:
        return bool(written.eq(stored))
    except TypeError:  # an ill-typed literal: rdflib cannot compare its value
        return False


_INTEGERS = {XSD.nonNegativeInteger, XSD.positiveInteger, XSD.nonPositiveInteger, XSD.negativeInteger, XSD.long,
             XSD.int, XSD.short, XSD.byte, XSD.unsignedLong, XSD.unsignedInt, XSD.unsignedShort, XSD.unsignedByte}


def _text_datatype(check: Check, store: Any, ntriples: str | list[str], query: str) -> list[RawResult]:
    """An sh:datatype rule checked on the triples as written, then joined with the shape's focus nodes."""
    assert check.text_check is not None
    predicate, datatype = check.text_check
    failing: dict[str, list[Node]] = {}
    wanted = str(datatype)
    for subject, obj in triples_with(ntriples, str(predicate)):
        if _plainly_matches(obj, wanted):
            continue
        value = parse_term(obj)
        if not (isinstance(value, Literal) and _matches(value, str(datatype))):
            failing.setdefault(subject, []).append(value)
    if not failing:
        return []
    out = []
    subjects = [s for s in failing if s.startswith("<")]  # blank-node subjects cannot be named in VALUES
    for start in range(0, len(subjects), 500):
        values = " ".join(subjects[start:start + 500])
        for row in store.query(query.replace(_SUBJECTS, values)):
            focus = to_rdflib(row["this"])
            for value in dict.fromkeys(failing[f"<{row['this'].value}>"]):
                out.append(RawResult(focus, check.severity, check.shape, check.component, check.path, value,
                                     check.messages))
    return out


def _plainly_matches(term: str, datatype: str) -> bool:
    """``_matches(parse_term(term), datatype)`` for a literal written without escapes, read off its text.

    Nearly every literal of a build is such a one: this spares making a
    hundred thousand rdflib literals only to find them well typed.
    """
    if not term.startswith('"') or "\\" in term:
        return False
    end = term.rindex('"')
    rest = term[end + 1:]
    actual = rest[3:-1] if rest.startswith("^^<") else str(XSD.string) if not rest else None
    return actual == datatype and well_typed(term[1:end], datatype)


def _matches(value: Literal, datatype: str) -> bool:
    if value.language is not None:
        return datatype == str(RDF.langString)
    actual = str(value.datatype) if value.datatype is not None else str(XSD.string)
    return actual == datatype and well_typed(str(value), datatype)


def triples_with(ntriples: str | list[str], predicate: str) -> list[tuple[str, str]]:
    """(subject, object) of each N-Triples line with ``predicate``, found by substring search (C speed)."""
    if not isinstance(ntriples, str):
        return [pair for part in ntriples for pair in triples_with(part, predicate)]
    needle = f" <{predicate}> "
    out = []
    at = ntriples.find(needle)
    while at != -1:
        start = ntriples.rfind("\n", 0, at) + 1
        end = ntriples.find("\n", at)
        end = len(ntriples) if end == -1 else end
        subject = ntriples[start:at]
        if " " not in subject and not subject.startswith("#"):  # the needle is the predicate, not inside a literal
            out.append((subject, ntriples[at + len(needle):end].rstrip().removesuffix(".").rstrip()))
        at = ntriples.find(needle, end)
    return out


_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def parse_term(text: str) -> Node:
    """One N-Triples object term as an rdflib node."""
    if text.startswith("<"):
        return URIRef(text[1:-1])
    if text.startswith("_:"):
        return BNode(text[2:])
    end = text.rindex('"')
    lexical = _ESCAPE.sub(lambda m: chr(int(m.group(1)[1:], 16)) if m.group(1)[0] in "uU" and len(m.group(1)) > 1
                          else _SIMPLE.get(m.group(1), m.group(1)), text[1:end])
    rest = text[end + 1:]
    if rest.startswith("@"):
        return Literal(lexical, lang=rest[1:])
    if rest.startswith("^^<"):
        datatype = rest[3:-1]
        return Literal(lexical, datatype=None if datatype == str(XSD.string) else URIRef(datatype))
    return Literal(lexical)


__all__ = ["Plan", "RawResult", "compile_shapes", "run", "to_rdflib"]
