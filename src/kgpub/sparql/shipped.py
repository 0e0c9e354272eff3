"""The shipped queries (``queries/NAME.rq``, run by name) and the parameters a query is given.

The competency questions ship as plain ``.rq`` files whose header comments
say their title, description and parameters, so a curator adds one by
adding a file, and ``kgpub query --list``, the server's query pages and the
site all read the same list.  A parameter's value arrives as text (``--param
NAME=VALUE``, a form field) and is turned into an RDF term here, checked
against what the query declares, so a value is never pasted into a query as
text (see :mod:`kgpub.sparql.prebinding`).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kgpub.errors import QueryError
from kgpub.rdf import vocab


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # IRI, string, date
    description: str


@dataclass(frozen=True)
class ShippedQuery:
    """A competency question in ``queries/NAME.rq``, described by its header comments."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str


def _queries_folder() -> Path:
    from kgpub.resources import shipped

    return shipped("queries")


def shipped_queries() -> list[ShippedQuery]:
    """Every shipped query, sorted by name."""
    return [_parse_shipped(p) for p in sorted(_queries_folder().glob("*.rq"))]


def _parse_shipped(path: Path) -> ShippedQuery:
    text = path.read_text(encoding="utf-8")
    title = description = ""
    params = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line.lstrip("# ").partition(":")
        value = value.strip()
        if key == "title":
            title = value
        elif key == "description":
            description = value
        elif key == "param":
            name, kind, *rest = value.split(None, 2)
            params.append(Param(name, kind, rest[0].lstrip("- ") if rest else ""))
    return ShippedQuery(path.stem, title, description, tuple(params), text)


def resolve_query(spec: str, stdin: Any = None) -> tuple[str, ShippedQuery | None]:
    """The query text for ``spec``: inline SPARQL, ``@file.rq``, ``-`` (stdin) or a shipped query's name."""
    if spec == "-":
        return (stdin or sys.stdin).read(), None
    if spec.startswith("@"):
        path = Path(spec[1:])
        try:
            return path.read_text(encoding="utf-8"), None
        except OSError as exc:
            raise QueryError(f"{path}: cannot read the query: {exc.strerror}") from None
        except UnicodeDecodeError as exc:
            raise QueryError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if re.fullmatch(r"[A-Za-z0-9_-]+", spec):
        path = _queries_folder() / f"{spec}.rq"
        if path.is_file():
            shipped = _parse_shipped(path)
            return shipped.text, shipped
        names = ", ".join(q.name for q in shipped_queries())
        raise QueryError(f"no shipped query named {spec!r}; shipped queries: {names} (kgpub query --list)")
    return spec, None


# --------------------------------------------------------------------------- parameters


def bind_params(values: dict[str, str], shipped: ShippedQuery | None, prefixes: dict[str, str]) -> dict[str, Any]:
    """Turn ``name=value`` strings into RDF terms, checked against the query's declared parameters.

    The terms are bound to variables (never pasted into the query text), so a
    value with quotes, braces or ``} UNION {`` stays one literal.
    """
    import pyoxigraph as ox

    declared = {p.name: p for p in shipped.params} if shipped else {}
    if shipped:
        missing = [p.name for p in shipped.params if p.name not in values]
        if missing:
            raise QueryError(f"query {shipped.name!r} needs --param {missing[0]}=VALUE "
                             f"({declared[missing[0]].description or declared[missing[0]].kind})")
        unknown = [n for n in values if n not in declared]
        if unknown:
            known = ", ".join(declared) or "none"
            raise QueryError(f"query {shipped.name!r} has no parameter {unknown[0]!r} (parameters: {known})")
    out = {}
    for name, raw in values.items():
        kind = declared[name].kind if name in declared else None
        out[name] = _term(name, raw, kind, prefixes, ox)
    return out


def _term(name: str, raw: str, kind: str | None, prefixes: dict[str, str], ox: Any) -> Any:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):  # a name is never pasted, but must be a variable's
        raise QueryError(f"--param {name!r}: not a variable name (letters, digits and '_')")
    try:
        return _typed_term(name, raw, kind, prefixes, ox)
    except ValueError as exc:  # pyoxigraph refuses the IRI: '<foo>' is relative, 'id:a>b' holds a '>'
        raise QueryError(f"--param {name}: {raw!r} is not a valid IRI: {exc}") from None


def _typed_term(name: str, raw: str, kind: str | None, prefixes: dict[str, str], ox: Any) -> Any:
    iri = None
    if raw.startswith("<") and raw.endswith(">"):
        iri = raw[1:-1]
    elif re.fullmatch(r"[A-Za-z][\w-]*:[^\s]*", raw) and raw.split(":", 1)[0] in prefixes:
        prefix, local = raw.split(":", 1)
        iri = prefixes[prefix] + local
    elif re.fullmatch(r"https?://\S+", raw):
        iri = raw
    if kind == "IRI":
        if iri is None:
            raise QueryError(f"--param {name}: {raw!r} is not an IRI (give <https://...> or a prefixed name like id:...)")
        return ox.NamedNode(iri)
    if kind == "date":
        from kgpub.corpus.dates import parse_date

        try:
            date = parse_date(raw)
        except ValueError as exc:
            raise QueryError(f"--param {name}: {exc}") from None
        return ox.Literal(date.lexical, datatype=ox.NamedNode(vocab.XSD + date.datatype))
    if kind is None and iri is not None:
        return ox.NamedNode(iri)
    return ox.Literal(raw)
