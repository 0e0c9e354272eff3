"""Bind variables of a SPARQL query to RDF terms everywhere they occur: pre-binding by substitution.

A trailing ``VALUES`` clause (or pyoxigraph's ``substitutions``) joins the
bindings after the query's groups are evaluated, so a ``FILTER(?s = ?x)`` or
a ``BIND(?x AS ?y)`` inside them still sees ``?x`` unbound, and a sub-select
that does not project ``?x`` never sees it.  Pre-binding (the meaning SHACL
gives ``$this``, and what a user of ``--param`` expects) puts the term in
place of every occurrence of the variable, in patterns, expressions and
sub-selects alike.  The query is read through :mod:`kgpub.sparql.lexer`
(strings, IRIs and comments are never touched); the terms are canonical
N-Triples terms (IRIs checked, literals escaped), so a value can never add
query text of its own.

Where a variable cannot become a term, the grammar is honoured:

* ``SELECT ?x`` (a projection, also in sub-selects) becomes ``(TERM AS ?x)``,
  so the result still has the column;
* ``GROUP BY ?x`` / ``ORDER BY ?x`` become ``(TERM)``;
* ``BOUND(?x)`` becomes ``(true)``;
* a query that assigns the variable itself (``AS ?x``, ``VALUES ?x``) cannot be
  pre-bound: :class:`BindingError`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kgpub.errors import QueryError
from kgpub.sparql import lexer
from kgpub.sparql.lexer import Token

_CLAUSE_END = {"WHERE", "FROM", "HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES", "GROUP"}


class BindingError(ValueError):
    """The query assigns a variable it was asked to pre-bind."""


def prebound(text: str, params: dict[str, Any]) -> str:
    """``text`` with each parameter's term (a pyoxigraph term) in place of its variable, everywhere.

    ``SELECT *`` would lose the bound variables' columns: a trailing VALUES
    clause gives them back (the variables no longer occur in the pattern).
    """
    if not params:
        return text
    try:
        query = substitute(text, {name: str(term) for name, term in params.items()})
    except BindingError as exc:
        raise QueryError(f"cannot bind the parameters: {exc}") from None
    if is_select_star(text) and not has_trailing_values(text):
        query += values_clause(params)
    return query


def values_clause(params: dict[str, Any]) -> str:
    """A trailing VALUES clause binding each parameter to its term.

    The terms are pyoxigraph terms written in their canonical syntax (IRIs
    checked, literals escaped), so a value can never close the clause and add
    query text of its own.
    """
    names = " ".join(f"?{n}" for n in params)
    terms = " ".join(str(t) for t in params.values())
    return f"\nVALUES ({names}) {{ ({terms}) }}"


def substitute(text: str, terms: dict[str, str]) -> str:
    """``text`` with each variable named in ``terms`` (without ``?``) replaced by its term's text.

    Raises :class:`BindingError` when the query assigns one of them itself.
    """
    if not terms:
        return text
    tokens = lexer.tokens(text)
    out: list[str] = []
    clause = None  # "SELECT" (the projection), "GROUP" or "ORDER" (BY ...), else None
    depth = 0  # parentheses since the clause began
    skip_to = -1
    for i, token in enumerate(tokens):
        if i <= skip_to:
            continue
        word = lexer.word(token)
        if token.kind == "word" and word in ("SELECT", "GROUP", "ORDER") or token.text in "{}" and token.kind == "other":
            clause = word if token.kind == "word" else None
            depth = 0
        elif token.kind == "word" and word in _CLAUSE_END and depth == 0:
            clause = None
        elif token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        if token.kind != "var" or token.text[1:] not in terms:
            out.append(token.text)
            continue
        term = terms[token.text[1:]]
        before = [tokens[j] for j in lexer.significant(tokens, i - 1, -1)][:2]
        after = [tokens[j] for j in lexer.significant(tokens, i + 1, 1)][:1]
        if before and lexer.word(before[0]) == "AS":
            raise BindingError(f"the query assigns ?{token.text[1:]} itself (AS ?{token.text[1:]}), "
                               "so it cannot be bound to a value")
        if _assigned_by_values(tokens, i):
            raise BindingError(f"the query assigns ?{token.text[1:]} itself (VALUES), "
                               "so it cannot be bound to a value")
        if (len(before) == 2 and before[0].text == "(" and lexer.word(before[1]) == "BOUND"
                and after and after[0].text == ")"):
            # BOUND(?x) → true: drop "BOUND (" already written, and the ")"
            while out and out[-1] != before[1].text:
                out.pop()
            out[-1] = "(true)"  # bracketed: FILTER BOUND(?x) stays a valid FILTER
            skip_to = next(lexer.significant(tokens, i + 1, 1))
            depth -= 1
            continue
        if clause == "SELECT" and depth == 0:
            out.append(f"({term} AS {token.text})")
        elif clause in ("GROUP", "ORDER") and depth == 0:
            out.append(f"({term})")
        else:
            out.append(term)
    return "".join(out)


def _assigned_by_values(tokens: list[Token], i: int) -> bool:
    """Whether the variable at ``i`` is in the variable list of a ``VALUES`` clause."""
    for j in lexer.significant(tokens, i - 1, -1):
        token = tokens[j]
        if token.kind == "var" or token.text == "(":
            continue
        return lexer.word(token) == "VALUES"
    return False


def is_select_star(text: str) -> bool:
    """Whether the outermost query is ``SELECT *`` (its result then shows the bound variables only if joined)."""
    tokens = [t for t in lexer.tokens(text) if t.kind not in ("space", "comment")]
    for i, token in enumerate(tokens):
        if lexer.word(token) == "SELECT":
            rest = [lexer.word(t) for t in tokens[i + 1:i + 3]]
            return "*" in rest[:1] or (rest[:1] in (["DISTINCT"], ["REDUCED"]) and rest[1:2] == ["*"])
        if token.text == "{":
            return False
    return False


def has_trailing_values(text: str) -> bool:
    """Whether the query ends with a ``VALUES`` clause of its own (outside every group)."""
    depth = 0
    for token in lexer.tokens(text):
        if token.kind == "other" and token.text == "{":
            depth += 1
        elif token.kind == "other" and token.text == "}":
            depth -= 1
        elif depth == 0 and lexer.word(token) == "VALUES":
            return True
    return False


def tokens_of(text: str) -> Iterator[tuple[str, str, str | None]]:
    """(kind, text — keywords upper-cased —, the next significant token's text) of each significant token."""
    tokens = [t for t in lexer.tokens(text) if t.kind not in ("space", "comment")]
    for i, token in enumerate(tokens):
        yield token.kind, lexer.word(token), tokens[i + 1].text if i + 1 < len(tokens) else None


def sub_selects(text: str) -> list[str]:
    """The projection (the text between SELECT and WHERE or ``{``) of every SELECT nested in a group."""
    tokens = [t for t in lexer.tokens(text) if t.kind not in ("space", "comment")]
    out, depth = [], 0
    for i, token in enumerate(tokens):
        if token.kind == "other" and token.text == "{":
            depth += 1
        elif token.kind == "other" and token.text == "}":
            depth -= 1
        elif depth > 0 and lexer.word(token) == "SELECT":
            projection = []
            for later in tokens[i + 1:]:
                if lexer.word(later) in ("WHERE", "FROM") or later.text == "{":
                    break
                projection.append(later.text)
            out.append(" ".join(projection))
    return out


def depths_of_variable(text: str, name: str) -> list[tuple[int, bool, bool]]:
    """For each occurrence of ``?name``/``$name``: its depth in braces, whether it lies in an EXISTS group of a
    FILTER of the top-level group (where the joined solution binds it), and
    whether it stands in an expression (inside parentheses: FILTER, BIND, a function call) rather than as a
    term of a triple pattern."""
    tokens = [t for t in lexer.tokens(text) if t.kind not in ("space", "comment")]
    out: list[tuple[int, bool, bool]] = []
    depth = 0
    parens = [0]  # open parentheses, per brace level
    exists_at: list[int] = []  # depths of the open EXISTS groups
    for i, token in enumerate(tokens):
        if token.kind == "other" and token.text == "{":
            depth += 1
            parens.append(0)
            if i > 0 and lexer.word(tokens[i - 1]) == "EXISTS":
                exists_at.append(depth)
        elif token.kind == "other" and token.text == "}":
            if exists_at and exists_at[-1] == depth:
                exists_at.pop()
            depth -= 1
            if len(parens) > 1:
                parens.pop()
        elif token.kind == "other" and token.text == "(":
            parens[-1] += 1
        elif token.kind == "other" and token.text == ")":
            parens[-1] = max(0, parens[-1] - 1)
        elif token.kind == "var" and token.text[1:] == name:
            out.append((depth, bool(exists_at) and exists_at[0] == 2, parens[-1] > 0))  # EXISTS of a top-level FILTER
    return out
