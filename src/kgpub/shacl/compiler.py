"""SHACL core constraints compiled to set-based SPARQL, for validating large graphs fast.

pySHACL walks the graph focus node by focus node in Python: about 34 s for
the core constraints over a million triples, and the validation stage then
decides the speed of the whole build.  A SHACL core constraint is a set
question ("which events have no evidence?"), and one SPARQL query per
constraint over a pyoxigraph store answers it for every focus node at once.

``compile_shapes`` turns a shapes graph into such queries (a :class:`Plan`)
for every constraint it knows how to compile exactly (predicate paths; class,
datatype, nodeKind, in, pattern, min/maxLength, min/maxCount, lessThan,
disjoint, qualified counts, and, or, not, node; node-shape SHACL-SPARQL
constraints via ``kgpub.shacl.sparql``).  Everything else goes into the plan's
delegated shapes graph, which pySHACL validates (see ``validation``); pySHACL
stays the reference: tests require identical results from both on every case
of the invalid-case corpus and the W3C suite.

A plan is a value the caller keeps (the build cache does, with the shapes'
digest in its key): compiling happens once, and the plan also carries the
well-typed verdicts the runs have asked for (:class:`WellTyped`).  Running a
plan is ``kgpub.shacl.runner``'s work; this module only reads shapes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from kgpub.shacl.datatypes import SPARQL_DATATYPES, WELL_TYPED, WellTyped
from kgpub.shacl.sparql import SparqlCheck, prebinding_problem, prepare, target_pattern

#: The path of a class test (an instance of the class or of a subclass), as the runner recognises it.
TYPE_PATH = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
#: The graph (and predicate) where the focus nodes of each target pattern are recorded before the checks run.
FOCUS_GRAPH = "urn:kgpub:focus"
#: Where a query lists the subjects the runner found in the N-Triples text (``VALUES ?this { ... }``).
SUBJECTS = "__kgpub_subjects__"

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
    #: For sh:datatype rules pyoxigraph cannot answer (see ``SPARQL_DATATYPES``): the predicate and datatype
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
    sparql: tuple[SparqlCheck, ...]
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
    #: pySHACL's verdicts on the literals the runs of this plan have checked (filled as they run; kept with
    #: the plan, so a rebuild need not import pySHACL again for literals an earlier build checked).
    well_typed: WellTyped = field(default_factory=WellTyped, compare=False, repr=False)

    def source(self, shape: Node) -> Node:
        """The original shape a delegated result's ``sh:sourceShape`` stands for."""
        return dict(self.origins).get(shape, shape)


# --------------------------------------------------------------------------- compiling

#: The constraints on a literal's lexical form, which the store keeps as written only for some datatypes.
_LEXICAL = {SH.pattern, SH.minLength, SH.maxLength}
#: True for a literal whose lexical form the store may have rewritten ({v}: the variable).
_REWRITTEN = ("(isLiteral({v}) && LANG({v}) = \"\" && !(DATATYPE({v}) IN ("
              + ", ".join(f"<{d}>" for d in sorted(SPARQL_DATATYPES)) + ")))")

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
        sparql: list[SparqlCheck] = []
        targets: list[str] = []
        left = _Delegation(g)
        _validators_problem(g)
        for shape in sorted(_targeted(g), key=str):
            if self._deactivated(shape):
                continue
            pattern = target_pattern(g, shape)
            if pattern is None or (shape, SH.closed, None) in g:  # SPARQL targets; closed shapes need all paths
                left.whole(shape)
                continue
            if pattern not in targets:
                targets.append(pattern)
            focus = f"GRAPH <{FOCUS_GRAPH}> {{ <{FOCUS_GRAPH}:{targets.index(pattern)}> <{FOCUS_GRAPH}> ?this }}"
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
                check = prepare(g, shape, constraint)
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
            elif pred == SH.datatype and o not in SPARQL_DATATYPES:
                if not isinstance(o, URIRef):
                    left.append((pred, o))
                    continue
                checks.append(Check(f"SELECT ?this WHERE {{ VALUES ?this {{ {SUBJECTS} }} {focus} }}", shape,
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
                                    focus_query=f"SELECT ?this WHERE {{ VALUES ?this {{ {SUBJECTS} }} {focus} }}"
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
            return f"EXISTS {{ {var} {TYPE_PATH} {_n3(o)} }}"
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
        problem = prebinding_problem(str(query))
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
                    problem = prebinding_problem(str(query), ("this", "value", "currentShape",
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
    if datatype not in SPARQL_DATATYPES:
        raise Unsupported(f"sh:datatype {datatype} inside another constraint")
    if datatype == RDFS.Literal:
        return f"isLiteral({var})"
    if datatype == XSD.string:
        return f"COALESCE(isLiteral({var}) && datatype({var}) = <{XSD.string}>, false)"
    if datatype == RDF.langString:
        return f"COALESCE(isLiteral({var}) && lang({var}) != \"\", false)"
    return (f"COALESCE(isLiteral({var}) && datatype({var}) = {_n3(datatype)} && <{WELL_TYPED}>({var}), false)")


__all__ = ["FOCUS_GRAPH", "SUBJECTS", "TYPE_PATH", "Check", "Plan", "compile_shapes"]
