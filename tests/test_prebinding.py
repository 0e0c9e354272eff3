"""Parameters are pre-bound: the term stands wherever its variable does, FILTER, BIND and sub-selects included."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kgpub
from kgpub.errors import QueryError
from kgpub.sparql import lexer
from kgpub.sparql.prebinding import BindingError, has_trailing_values, is_select_star, substitute

A = "<http://example.org/a>"


@given(st.text(alphabet=st.sampled_from(list("SELCT?x$ <>#\"'\\{}()\nGRAPHFROMVICEab:.") + ["\u00e9"]), max_size=40))
def test_the_lexer_gives_the_text_back_token_by_token(text: str) -> None:
    assert "".join(t.text for t in lexer.tokens(text)) == text


@pytest.mark.parametrize(("text", "service", "dataset", "graphs"), [
    ("SELECT * FROM <urn:x> { ?s ?p ?o }", False, True, True),
    ("SELECT * { GRAPH ?g { SERVICE <http://x/> { ?s ?p ?o } } }", True, False, True),
    ("SELECT * { SERV\\u0049CE <http://x/> { ?s ?p ?o } }", True, False, False),
    ('SELECT * { ?s <http://x/from#service> "SERVICE FROM GRAPH" } # SERVICE FROM GRAPH', False, False, False),
    ("PREFIX from: <urn:x> SELECT * { ?s from:service ?graph }", False, False, False),
    ("SELECT * { ?s ?p \'\'\'FROM\nGRAPH\'\'\' }", False, False, False),
])
def test_keywords_count_only_outside_strings_iris_and_comments(text: str, service: bool, dataset: bool,
                                                                 graphs: bool) -> None:
    assert (lexer.uses_service(text), lexer.declares_dataset(text), lexer.reads_named_graphs(text)) == \
        (service, dataset, graphs)


@pytest.mark.parametrize(("query", "expected"), [
    ("SELECT ?s WHERE { ?s ?p ?x }", "SELECT ?s WHERE { ?s ?p <http://example.org/a> }"),
    ("SELECT ?x WHERE { ?x ?p ?o }", "SELECT (<http://example.org/a> AS ?x) WHERE { <http://example.org/a> ?p ?o }"),
    ("SELECT $x { $x ?p ?o }", "SELECT (<http://example.org/a> AS $x) { <http://example.org/a> ?p ?o }"),
    ("ASK { ?s ?p ?o FILTER(?s = ?x) }", "ASK { ?s ?p ?o FILTER(?s = <http://example.org/a>) }"),
    ("ASK { ?s ?p ?o BIND(?x AS ?y) }", "ASK { ?s ?p ?o BIND(<http://example.org/a> AS ?y) }"),
    ("ASK { FILTER(BOUND(?x)) }", "ASK { FILTER((true)) }"),
    ("ASK { FILTER(!BOUND( ?x )) }", "ASK { FILTER(!(true)) }"),
    ("ASK { FILTER bound($x) }", "ASK { FILTER (true) }"),
    ("SELECT ?s WHERE { ?s ?p ?x } GROUP BY ?x ORDER BY DESC(?x) ?x",
     "SELECT ?s WHERE { ?s ?p <http://example.org/a> } GROUP BY (<http://example.org/a>) "
     "ORDER BY DESC(<http://example.org/a>) (<http://example.org/a>)"),
    ("SELECT ?l WHERE { { SELECT ?l WHERE { ?x ?p ?l } } }",
     "SELECT ?l WHERE { { SELECT ?l WHERE { <http://example.org/a> ?p ?l } } }"),
    ("SELECT ?s WHERE { ?s ?p '?x' . ?s <urn:?x> ?o } # ?x", "SELECT ?s WHERE { ?s ?p '?x' . ?s <urn:?x> ?o } # ?x"),
    ("SELECT ?xy WHERE { ?xy ?p ?o }", "SELECT ?xy WHERE { ?xy ?p ?o }"),
    ("SELECT (STR(?x) AS ?n) WHERE {}", "SELECT (STR(<http://example.org/a>) AS ?n) WHERE {}"),
])
def test_every_occurrence_is_replaced_where_the_grammar_allows_it(query: str, expected: str) -> None:
    assert substitute(query, {"x": A}) == expected


@pytest.mark.parametrize("query", ["SELECT (1 AS ?x) WHERE {}", "ASK { BIND(1 AS ?x) }",
                                   "ASK { VALUES ?x { 1 } }", "ASK { VALUES (?y ?x) { (1 2) } }",
                                   "SELECT ?s WHERE { ?s ?p ?o } VALUES ?x { 1 }"])
def test_a_query_that_assigns_the_variable_cannot_be_prebound(query: str) -> None:
    with pytest.raises(BindingError):
        substitute(query, {"x": A})


def test_select_star_and_trailing_values_are_recognised() -> None:
    assert is_select_star("PREFIX a: <urn:a> SELECT DISTINCT * WHERE { ?s ?p ?o }")
    assert not is_select_star("SELECT ?s WHERE { { SELECT * WHERE { ?s ?p ?o } } }")
    assert has_trailing_values("SELECT * WHERE { ?s ?p ?o } VALUES ?s { <urn:a> }")
    assert not has_trailing_values("SELECT * WHERE { VALUES ?s { <urn:a> } ?s ?p ?o }")


def _store() -> ox.Store:
    store = ox.Store()
    ex = "http://example.org/"
    for s, p, o in [("a", "p", "b"), ("b", "p", "c"), ("a", "q", "c"), ("c", "p", "a")]:
        store.add(ox.Quad(ox.NamedNode(ex + s), ox.NamedNode(ex + p), ox.NamedNode(ex + o)))
    return store


_PATTERNS = ["?x <http://example.org/p> ?o", "?s <http://example.org/p> ?x", "?x ?p ?o", "?s ?p ?x"]


@settings(max_examples=60, derandomize=True, deadline=None)
@given(pattern=st.sampled_from(_PATTERNS), wrap=st.sampled_from(["plain", "subselect", "union"]),
       value=st.sampled_from(["a", "b", "c", "z"]))
def test_prebinding_a_pattern_equals_filtering_its_solutions(pattern: str, wrap: str, value: str) -> None:
    """Where ?x only occurs in triple patterns, pre-binding it to T means: the solutions whose ?x is T."""
    group = {"plain": f"{{ {pattern} }}",
             "subselect": f"{{ {{ SELECT * WHERE {{ {pattern} }} }} }}",
             "union": f"{{ {{ {pattern} }} UNION {{ ?x <http://example.org/q> ?o }} }}"}[wrap]
    term = f"<http://example.org/{value}>"
    store = _store()
    free = store.query(f"SELECT * WHERE {group}")
    variables = [v.value for v in free.variables]
    reference = sorted(tuple((n, str(row[n])) for n in variables if n != "x" and row[n] is not None)
                       for row in store.query(f"SELECT * WHERE {group}") if str(row["x"]) == term)
    bound = store.query(substitute(f"SELECT * WHERE {group}", {"x": term}))
    got = sorted(tuple((v.value, str(row[v.value])) for v in bound.variables if row[v.value] is not None)
                 for row in bound)
    assert got == reference


def test_defect_13_param_binds_inside_filter_bind_and_subqueries(seed_build: Path) -> None:
    run = lambda text: kgpub.query(text, seed_build, params={"x": "id:baghdad"})  # noqa: E731
    assert [r["s"]["value"] for r in run("SELECT ?s WHERE { ?s rdfs:label ?l FILTER(?s = ?x) }").rows] == \
        ["https://w3id.org/kgpub/id/baghdad"]
    rows = run("SELECT ?y WHERE { ?s rdfs:label ?l BIND(?x AS ?y) } LIMIT 1").rows
    assert rows[0]["y"]["value"] == "https://w3id.org/kgpub/id/baghdad"
    rows = run("SELECT ?l ?x WHERE { { SELECT ?l WHERE { ?x rdfs:label ?l } } }").rows
    assert [(r["l"]["value"], r["x"]["value"]) for r in rows] == [("Baghdad", "https://w3id.org/kgpub/id/baghdad")]
    rows = run("SELECT * WHERE { ?x rdfs:label ?l }").rows
    assert rows[0]["x"]["value"] == "https://w3id.org/kgpub/id/baghdad"
    with pytest.raises(QueryError, match="assigns"):
        run("SELECT ?s WHERE { ?s ?p ?o BIND(1 AS ?x) }")


def _rows(result) -> list[tuple]:  # type: ignore[no-untyped-def]
    return sorted(tuple(sorted((k, v["value"]) for k, v in row.items())) for row in result.rows)


def test_defect_13_every_shipped_query_answers_as_before_with_its_parameters(seed_build: Path) -> None:
    """The shipped queries' parameters stand in triple patterns: pre-binding equals the trailing VALUES join."""
    from kgpub.sparql.local import local_prefixes, run_local
    from kgpub.sparql.prebinding import values_clause
    from kgpub.sparql.results import SelectResult
    from kgpub.sparql.shipped import bind_params, resolve_query, shipped_queries

    prefixes = local_prefixes(seed_build)
    compared = 0
    for shipped in shipped_queries():
        if not shipped.params:
            continue
        text, _ = resolve_query(shipped.name)
        values = {p.name: {"IRI": "id:baghdad", "date": "2020-01-03"}.get(p.kind, "Baghdad") for p in shipped.params}
        new = kgpub.query(shipped.name, seed_build, params=values)
        old = run_local(text + values_clause(bind_params(values, shipped, prefixes)), seed_build)
        assert isinstance(new, SelectResult) and isinstance(old, SelectResult)
        assert _rows(new) == _rows(old), shipped.name
        compared += 1
    assert compared >= 1
