"""SHACL-SPARQL constraints run as one set-based query each, for the validation stage.

pySHACL evaluates an ``sh:sparql`` constraint once per focus node, re-parsing
the query every time (about 12 ms a node): three seconds on one article,
hours on a newsroom's archive.  The same constraint asked once, with the focus
nodes joined in from the shape's targets, takes milliseconds on pyoxigraph.
This module rewrites each constraint that way, where joining means what SHACL's
pre-binding means, and reports its rows as SHACL validation results; a
constraint it cannot rewrite exactly is left to pySHACL (see ``compiler``).
Tests run pySHACL over the full shapes on the invalid-case corpus and the W3C
suite and require identical results, so the rewrite cannot drift from the
reference engine.

The compiler asks this module to prepare each constraint (:func:`prepare`) and
for the pattern of a shape's focus nodes (:func:`target_pattern`); the runner
asks it for the rows (:func:`rows`).  It imports neither of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kgpub.shacl.report import RawResult, to_rdflib

#: How each rewritten constraint selects its focus nodes (where ``rows`` narrows them with a VALUES).
_FOCUS_SELECT = "{ SELECT DISTINCT ?this WHERE { "


@dataclass(frozen=True)
class SparqlCheck:
    """One sh:sparql constraint of one node shape, ready to run for all focus nodes at once."""

    shape: Node
    constraint: Node
    query: str
    severity: URIRef
    messages: tuple[Literal, ...]
    #: The query reads ``$shapesGraph``: the store must hold the shapes in :data:`SHAPES_GRAPH`.
    uses_shapes_graph: bool = False
    #: The target pattern joined into the query (see :func:`target_pattern`), to narrow it to a few focus nodes.
    targets: str = ""


#: Variables SHACL pre-binds in a SPARQL constraint: the focus node, the shape and the shapes graph.
_PREBOUND = ("this", "currentShape", "shapesGraph")
#: The named graph a validation store holds the shapes graph in, for ``$shapesGraph``.
SHAPES_GRAPH = "urn:kgpub:shapes-graph"


def prebinding_problem(text: str, variables: tuple[str, ...] = _PREBOUND) -> str | None:
    """Why a SHACL-SPARQL query may not be run at all (SHACL §5.2.2), or None.

    Pre-binding replaces variables by values: a query that uses MINUS, VALUES
    or SERVICE, assigns a pre-bound variable itself, or has a sub-select that
    does not return the pre-bound variables it would hide, has no meaning.
    """
    from kgpub.sparql.prebinding import sub_selects, tokens_of

    for kind, word, following in tokens_of(text):
        if kind == "word" and word in ("MINUS", "VALUES", "SERVICE"):
            return f"it uses {word}, which SHACL-SPARQL does not allow (SHACL 5.2.2)"
        if kind == "word" and word == "AS" and following and following[1:] in variables:
            return f"it assigns the pre-bound variable {following} (SHACL 5.2.2)"
    for projected in sub_selects(text):
        if not any(f"{sign}this" in projected for sign in "?$"):
            return "a sub-select does not return $this (SHACL 5.2.2: sub-queries must return all pre-bound variables)"
    return None


def set_based(text: str) -> bool:
    """Whether the query may run once for all focus nodes, joined with them, and mean what pre-binding means.

    Joining binds ``$this`` wherever a triple pattern uses it (a nested group, OPTIONAL or UNION
    included), and in the top-level group's and EXISTS's expressions; an expression in a nested group
    (``{ FILTER ($this = ...) } UNION ...``) would see it unbound, and a sub-select hides it.
    """
    from kgpub.sparql.prebinding import depths_of_variable, sub_selects

    if sub_selects(text):
        return False
    return all(depth <= 1 or in_exists or not in_expression
               for depth, in_exists, in_expression in depths_of_variable(text, "this"))


def prepare(shapes: Graph, shape: Node, constraint: Node) -> SparqlCheck | None:
    """The set-based form of one sh:sparql constraint; None when it must run node by node (pySHACL)."""
    if shapes.value(shape, SH.deactivated) == Literal(True) or shapes.value(constraint, SH.deactivated) == Literal(True):
        return None
    if (shape, SH.path, None) in shapes:  # property-shape SPARQL constraints need $PATH semantics
        return None
    select = shapes.value(constraint, SH.select)
    targets = target_pattern(shapes, shape)
    if select is None or targets is None or any(v in str(select) for v in ("$PATH", "?PATH")):
        return None
    text = str(select)
    if not set_based(text):
        return None
    if any(v in text for v in ("$currentShape", "?currentShape")) and not isinstance(shape, URIRef):
        return None
    text = substitute(text, {"shapesGraph": f"<{SHAPES_GRAPH}>", **({"currentShape": shape.n3()}
                                                                     if isinstance(shape, URIRef) else {})})
    where = re.search(r"\bWHERE\s*\{", text, flags=re.IGNORECASE)
    if where is None:
        return None
    body_start = where.end()
    rewritten = (text[:body_start] + "\n" + _FOCUS_SELECT + targets + " } }\n"
                 + text[body_start:]).replace("$this", "?this")
    query = _prefixes(shapes, constraint) + rewritten
    severity = shapes.value(shape, SH.severity) or SH.Violation  # a shape's parameter in SHACL, not a constraint's
    messages = tuple(shapes.objects(constraint, SH.message)) or tuple(shapes.objects(shape, SH.message))
    return SparqlCheck(shape, constraint, query, URIRef(str(severity)), tuple(m for m in messages if isinstance(m, Literal)),
                       uses_shapes_graph=f"<{SHAPES_GRAPH}>" in text, targets=targets)


def substitute(text: str, terms: dict[str, str]) -> str:
    """``text`` with the variables of ``terms`` it uses pre-bound (SHACL's way: replaced by the terms)."""
    from kgpub.sparql.prebinding import substitute as pre_bind

    present = {name: term for name, term in terms.items() if f"${name}" in text or f"?{name}" in text}
    return pre_bind(text, present) if present else text


def target_pattern(shapes: Graph, shape: Node) -> str | None:
    """A graph pattern binding ``?this`` to every focus node of ``shape``, or None if unsupported."""
    if (shape, SH.target, None) in shapes:
        return None  # SPARQL-based targets: leave to pySHACL
    classes = list(shapes.objects(shape, SH.targetClass))
    if any((shape, RDF.type, URIRef(c)) in shapes for c in ("http://www.w3.org/2000/01/rdf-schema#Class",
                                                              "http://www.w3.org/2002/07/owl#Class")):
        classes.append(shape)  # an implicit class target: the shape is a class
    if any(not isinstance(c, URIRef) for c in classes):
        return None
    parts = [f"{{ ?this <{RDF.type}>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{c}> }}"
             for c in dict.fromkeys(classes)]
    parts += [f"{{ VALUES ?this {{ {n.n3()} }} }}" for n in shapes.objects(shape, SH.targetNode)]
    parts += [f"{{ ?this <{p}> ?kgpub_o }}" for p in shapes.objects(shape, SH.targetSubjectsOf)]
    parts += [f"{{ ?kgpub_s <{p}> ?this }}" for p in shapes.objects(shape, SH.targetObjectsOf)]
    return " UNION ".join(sorted(parts)) if parts else None


def narrowed(target: str, values: str) -> str:
    """A target pattern restricted to the nodes ``values``, the VALUES put in each branch of its UNION: joined
    outside a union of class targets, pyoxigraph walks every typed node of each class first (seconds)."""
    if '"' in target:  # a literal target node could hold " UNION ": join outside, as SPARQL means it
        return f"VALUES ?this {{ {values} }} {target}"
    return " UNION ".join(f"{{ VALUES ?this {{ {values} }} {part[2:]}" for part in target.split(" UNION "))


def _prefixes(shapes: Graph, constraint: Node) -> str:
    """The PREFIX lines of ``sh:prefixes``, following ``owl:imports`` within the shapes graph (never fetched)."""
    lines = []
    todo, seen = list(shapes.objects(constraint, SH.prefixes)), set()
    while todo:
        source = todo.pop()
        if source in seen:
            continue
        seen.add(source)
        todo += shapes.objects(source, URIRef("http://www.w3.org/2002/07/owl#imports"))
        for decl in shapes.objects(source, SH.declare):
            prefix, namespace = shapes.value(decl, SH.prefix), shapes.value(decl, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines))) + "\n"


def rows(checks: list[SparqlCheck], store, only: str | None = None) -> list[RawResult]:  # type: ignore[no-untyped-def]
    """Run every check over a pyoxigraph ``store`` and return its rows as results.

    ``only``, IRIs in SPARQL syntax, restricts the focus nodes to those.
    """
    out = []
    for check in checks:
        if only is None:
            query = check.query
        elif check.targets:
            query = check.query.replace(_FOCUS_SELECT + check.targets, _FOCUS_SELECT + narrowed(check.targets, only), 1)
        else:
            query = check.query.replace(_FOCUS_SELECT, f"{_FOCUS_SELECT}VALUES ?this {{ {only} }} ", 1)
        solutions = store.query(query)
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            row = {n: to_rdflib(solution[n]) for n in names if solution[n] is not None}
            focus = row.get("this")
            if focus is None:
                continue
            path = row.get("path")
            out.append(RawResult(
                focus=focus, severity=check.severity, shape=check.shape, component=SH.SPARQLConstraintComponent,
                path=path if isinstance(path, URIRef) else None, value=row.get("value", focus),
                messages=tuple(Literal(_fill(str(m), row), lang=m.language) for m in check.messages),
                constraint=check.constraint))
    return out


def _fill(message: str, row: dict[str, Node]) -> str:
    """Substitute ``{?var}`` and ``{$var}`` in a message with the row's values."""
    def value(match: re.Match[str]) -> str:
        node = row.get(match.group(1))
        return str(node) if node is not None else match.group(0)

    return re.sub(r"\{[?$](\w+)\}", value, message)


__all__ = ["SHAPES_GRAPH", "SparqlCheck", "narrowed", "prebinding_problem", "prepare", "rows", "set_based",
           "substitute", "target_pattern"]
