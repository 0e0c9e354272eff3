"""Running a compiled plan (``kgpub.shacl.compiler``) over a pyoxigraph store, as pySHACL would report it.

A plan's checks are SPARQL queries; running them is more than asking them.
The focus nodes of each target are recorded once (or read straight off the
type triples), class tests are inlined with the store's own subclasses, and
checks run side by side in threads (pyoxigraph answers without the GIL).
The store keeps numbers and booleans as values and language tags in lower
case, so what pySHACL judges by the literal as written (datatypes the store
rewrites, patterns and lengths of such literals) is judged again on the
N-Triples text, and every literal a result names is given back as the data
writes it.  The well-typed verdicts come from the plan's own
:class:`~kgpub.shacl.datatypes.WellTyped`, so nothing is cached in this module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from kgpub.rdf import ntriples as nt
from kgpub.shacl.compiler import FOCUS_GRAPH, SUBJECTS, TYPE_PATH, Check, Plan
from kgpub.shacl.datatypes import SPARQL_DATATYPES, WELL_TYPED, WellTyped
from kgpub.shacl.report import RawResult, to_rdflib
from kgpub.shacl import sparql

T = TypeVar("T")


def _well_typed_function(well_typed: WellTyped) -> Callable[[Any], Any]:
    """The SPARQL function :data:`WELL_TYPED`, answering from ``well_typed``."""
    import pyoxigraph as ox

    def function(term: Any) -> Any:
        ok = well_typed(term.value, term.datatype.value)
        return ox.Literal("true" if ok else "false", datatype=ox.NamedNode(str(XSD.boolean)))

    return function


_FOCUS_PATTERN = re.compile(re.escape(f"GRAPH <{FOCUS_GRAPH}> {{ <{FOCUS_GRAPH}:") + r"(\d+)> " + re.escape(f"<{FOCUS_GRAPH}> ?this }}"))


def run(plan: Plan, store: Any, ntriples: str | Iterable[str | bytes], only: list[str] | None = None,
        threads: int = 1) -> list[RawResult]:
    """Every result of ``plan`` over ``store``, which holds ``ntriples`` (data and ontology, default graph).

    With ``only`` (IRIs), just the results whose focus node is one of them:
    the store is then only read (it may be the query index), and
    ``ntriples`` need only hold those nodes' triples; it may come in parts (a
    list), so a caller never joins a million lines only to hand them over.  ``threads`` run checks
    side by side: pyoxigraph evaluates a query without holding the GIL.
    """
    import pyoxigraph as ox

    functions = {ox.NamedNode(WELL_TYPED): _well_typed_function(plan.well_typed)}
    direct: dict[int, str] = {}
    if only is None:
        direct = _direct_targets(plan.targets, store)
        for i, target in enumerate(plan.targets):  # once per target, not once per check
            if i not in direct:
                store.update(f"INSERT {{ GRAPH <{FOCUS_GRAPH}> {{ <{FOCUS_GRAPH}:{i}> <{FOCUS_GRAPH}> ?this }} }} WHERE {{ {target} }}")
    elif not only:
        return []
    values = " ".join(f"<{iri}>" for iri in only or ())

    inline = _classes_inlined([c.query for c in plan.checks], store)

    def focused(query: str) -> str:
        query = inline(query)
        if only is None:
            return _FOCUS_PATTERN.sub(lambda m: direct.get(int(m.group(1)), m.group(0)), query)
        return _FOCUS_PATTERN.sub(  # DISTINCT: a node of two subclasses matches a class target twice
            lambda m: f"{{ SELECT DISTINCT ?this WHERE {{ {sparql.narrowed(plan.targets[int(m.group(1))], values)} }} }}",
            query)

    sparql_only = values if only is not None else None

    def one(check: Any) -> list[RawResult]:
        if not isinstance(check, Check):  # a SHACL-SPARQL constraint
            return sparql.rows([check], store, sparql_only)
        if check.text_check is not None:
            return _text_datatype(check, store, ntriples, focused(check.query), plan.well_typed)
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


_CLASS_TARGET = re.compile(r"\{ \?this " + re.escape(TYPE_PATH) + r" (<[^>]+>) \}")


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


_CLASS_TEST = re.compile(r"EXISTS \{ (\?\w+) " + re.escape(TYPE_PATH) + r" (<[^>]+>) \}")


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


def _as_written(results: list[RawResult], ntriples: str | Iterable[str | bytes], written: tuple[Node, ...] = (),
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
                candidates = [*written, *(nt.term(o) for p in object_targets for _, o in nt.with_predicate(ntriples, p)
                                          if o.startswith('"'))]
            focus = next((w for w in candidates if _same_literal(w, focus)), focus)
            value = focus if value is not None and value == r.focus else value
        if _rewritten(value) and value != r.focus and r.path is not None and isinstance(r.focus, URIRef):
            objects = by_path.get(str(r.path))
            if objects is None:
                objects = {}
                for subject, obj in nt.with_predicate(ntriples, str(r.path)):
                    objects.setdefault(subject, []).append(nt.term(obj))
                by_path[str(r.path)] = objects
            value = next((o for o in objects.get(f"<{r.focus}>", ()) if _same_literal(o, value)), value)
        if focus is not r.focus or value is not r.value:
            r = RawResult(focus, r.severity, r.shape, r.component, r.path, value, r.messages, r.constraint)
        out.append(r)
    return out


def _lexically_failing(check: Check, store: Any, query: str, functions: Any, ntriples: str | Iterable[str | bytes],
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
    for subject, obj in nt.with_predicate(ntriples, str(check.path)):
        if not subject.startswith("<") or "^^<" not in obj:
            continue
        datatype = obj[obj.rindex("^^<") + 3:-1]
        if URIRef(datatype) in SPARQL_DATATYPES:
            continue
        value = nt.term(obj)
        if isinstance(value, Literal) and _breaks(kind, argument, flags, str(value)):
            failing.setdefault(subject, []).append(value)
    subjects = sorted(failing)
    for start in range(0, len(subjects), 500):
        for row in store.query(focus_query.replace(SUBJECTS, " ".join(subjects[start:start + 500]))):
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
                                          (term.datatype is not None and term.datatype not in SPARQL_DATATYPES))


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


def _text_datatype(check: Check, store: Any, ntriples: str | Iterable[str | bytes], query: str,
                   well_typed: WellTyped) -> list[RawResult]:
    """An sh:datatype rule checked on the triples as written, then joined with the shape's focus nodes."""
    assert check.text_check is not None
    predicate, datatype = check.text_check
    failing: dict[str, list[Node]] = {}
    wanted = str(datatype)
    for subject, obj in nt.with_predicate(ntriples, str(predicate)):
        if _plainly_matches(obj, wanted, well_typed):
            continue
        value = nt.term(obj)
        if not (isinstance(value, Literal) and _matches(value, str(datatype), well_typed)):
            failing.setdefault(subject, []).append(value)
    if not failing:
        return []
    out = []
    subjects = [s for s in failing if s.startswith("<")]  # blank-node subjects cannot be named in VALUES
    for start in range(0, len(subjects), 500):
        values = " ".join(subjects[start:start + 500])
        for row in store.query(query.replace(SUBJECTS, values)):
            focus = to_rdflib(row["this"])
            for value in dict.fromkeys(failing[f"<{row['this'].value}>"]):
                out.append(RawResult(focus, check.severity, check.shape, check.component, check.path, value,
                                     check.messages))
    return out


def _plainly_matches(term: str, datatype: str, well_typed: WellTyped) -> bool:
    """``_matches(nt.term(term), datatype)`` for a literal written without escapes, read off its text.

    Nearly every literal of a build is such a one: this spares making a
    hundred thousand rdflib literals only to find them well typed.
    """
    if not term.startswith('"') or "\\" in term:
        return False
    end = term.rindex('"')
    rest = term[end + 1:]
    actual = rest[3:-1] if rest.startswith("^^<") else str(XSD.string) if not rest else None
    return actual == datatype and well_typed(term[1:end], datatype)


def _matches(value: Literal, datatype: str, well_typed: WellTyped) -> bool:
    if value.language is not None:
        return datatype == str(RDF.langString)
    actual = str(value.datatype) if value.datatype is not None else str(XSD.string)
    return actual == datatype and well_typed(str(value), datatype)


__all__ = ["run"]
