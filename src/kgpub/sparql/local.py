"""Queries on a build or an RDF file, answered by the embedded engine (pyoxigraph) within limits.

pyoxigraph answers in milliseconds where rdflib's engine takes seconds at a
million triples, and costs 16 ms to import instead of rdflib's 114 ms, so
``kgpub query`` never imports rdflib.  A query over a user's data is also a
risk to the machine it runs on: it runs in a child process stopped at a time
and a memory limit, it may not send requests elsewhere (SERVICE) unless
allowed, and it may not change anything (an update is refused).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, cast

from kgpub.errors import QueryError, QueryLimitError
from kgpub.rdf import vocab
from kgpub.sparql.index import build_base, open_data, prepare_index
from kgpub.sparql.lexer import check_readonly, reads_named_graphs, uses_service
from kgpub.sparql.prebinding import prebound
from kgpub.sparql.results import AskResult, Dataset, GraphResult, Result, SelectResult

#: Seconds a local query may run by default (``--timeout``).
LOCAL_TIMEOUT = 60.0


def run_local(text: str, data: Path, params: dict[str, Any] | None = None, *, allow_service: bool = False,
              timeout: float = LOCAL_TIMEOUT, memory: int | None = None, dataset: Dataset | None = None,
              base_iri: str | None = None) -> Result:
    """Run ``text`` over a build folder or an RDF file with pyoxigraph, within ``timeout`` seconds and ``memory`` bytes.

    A ``SERVICE`` clause would make the embedded engine send requests to
    whatever host the query names: refused unless ``allow_service``.  The
    query runs in a child process (``execution.bounded``) that is stopped at
    its limits, so a cross product ends with a clear error, not a hang or a
    machine out of memory; ``memory`` defaults to half of what the machine (or
    its container) has.  A build's index is made first, outside the limits.
    ``dataset``: the graphs a SPARQL Protocol request names (``default-graph-uri``,
    ``named-graph-uri``); they replace the query's own FROM and FROM NAMED, as the
    protocol says, and a graph the store does not have is an empty one.  ``base_iri``: what relative IRIs in
    the query resolve against (a server's endpoint URL, as the protocol suggests); None: they are an error.
    """
    from kgpub.execution import LimitExceeded, bounded, memory_available

    check_readonly(text)
    if not allow_service and uses_service(text):
        raise QueryError("the query calls SERVICE, which would send requests to another host; "
                         "kgpub query refuses it unless --allow-service is given")
    data = Path(data)
    graphs = reads_named_graphs(text) or dataset is not None
    if data.is_dir() and (data / "kg.trig").is_file():
        prepare_index(data, graphs)
    query = prebound(text, params or {})
    limit = memory if memory is not None else memory_available() // 2
    try:
        return bounded(lambda: _evaluate(text, query, data, graphs, dataset, base_iri), seconds=timeout, memory=limit)
    except LimitExceeded as exc:
        if exc.what == "time":
            raise QueryLimitError(f"the query ran longer than {exc.limit:g} s and was stopped; "
                                  "narrow it (LIMIT, more specific patterns) or raise --timeout",
                                  what="time", limit=exc.limit) from None
        raise QueryLimitError(f"the query needed more than {size(int(exc.limit))} of memory and was stopped; "
                              "narrow it (LIMIT, more specific patterns) or raise --max-memory",
                              what="memory", limit=exc.limit) from None


def size(n: int) -> str:
    """A number of bytes for a person: ``1.5 GiB``."""
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= factor:
            return f"{n / factor:.1f} {unit}"
    return f"{n} bytes"


def _evaluate(text: str, query: str, data: Path, graphs: bool, dataset: Dataset | None = None,
              base_iri: str | None = None) -> Result:
    """Open the data and run the (pre-bound) query: the part of a local query that runs within its limits."""
    import pyoxigraph as ox

    index = open_data(data, graphs)
    prefixes = {**vocab.PREFIXES, "id": index.base}
    kwargs: dict[str, Any] = {"prefixes": prefixes}
    if base_iri is not None:
        kwargs["base_iri"] = base_iri
    if dataset is not None:  # the request's dataset, whole: an absent part is empty (SPARQL 1.1 Query, 13.2)
        kwargs["default_graph"] = [ox.NamedNode(g) for g in dataset.default]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in dataset.named]
    elif index.union:  # quads from elsewhere, no data graphs marked: query them all
        kwargs["use_default_graph_as_union"] = True
    try:
        result = index.store.query(query, **kwargs)
    except SyntaxError as exc:
        if query is not text:
            try:
                ox.Store().query(text, prefixes=prefixes)  # the query alone, on nothing: only its syntax
            except SyntaxError:
                pass
            else:  # e.g. a literal bound to a variable that stands as a subject
                raise QueryError("cannot bind the parameters: a value stands where SPARQL does not allow "
                                 f"such a term ({' '.join(str(exc).split())[:160]})") from None
        raise _syntax_error(text, exc) from None
    except RuntimeError as exc:
        raise QueryError(f"cannot run the query: {' '.join(str(exc).split())}") from None
    try:
        if isinstance(result, ox.QueryBoolean):
            return AskResult(bool(result))
        if isinstance(result, ox.QuerySolutions):
            return SelectResult(cast(bytes, result.serialize(format=ox.QueryResultsFormat.JSON)))  # no output: bytes
        return GraphResult(cast(bytes, ox.serialize(result, format=ox.RdfFormat.N_TRIPLES)))
    except (RuntimeError, OSError) as exc:  # evaluation errors surface while the results are read
        raise QueryError(f"cannot run the query: {' '.join(str(exc).split())}") from None


def _syntax_error(text: str, exc: Exception) -> QueryError:
    """A SPARQL syntax error with the offending line and a caret under the column."""
    message = " ".join(str(exc).split())
    match = re.search(r"at (\d+):(\d+)", message)
    if match is None:
        return QueryError(f"SPARQL syntax error: {message}")
    line_no, col = int(match.group(1)), int(match.group(2))
    lines = text.splitlines() or [""]
    line = lines[min(line_no, len(lines)) - 1]
    prefix = re.match(r"([A-Za-z][\w.-]*):", line[col - 1:]) if col - 1 < len(line) else None
    if prefix is None:
        name = re.search(r"([A-Za-z][\w.-]*):[\w-]*$", line[:col - 1])
        prefix = name
    if "Prefix not found" in message and prefix is not None:
        what = f"unknown prefix '{prefix.group(1)}:'"
    else:
        expected = re.search(r"expected (.*)", message)
        what = f"expected {expected.group(1)[:80]}" if expected else message
    return QueryError([f"SPARQL syntax error at line {line_no}, column {col}: {what}", f"  {line}",
                       f"  {' ' * (col - 1)}^"])


def local_prefixes(data: Path) -> dict[str, str]:
    """The prefixes a result over ``data`` is shown with (``id:`` is the build's base)."""
    base = build_base(data) if Path(data).is_dir() else vocab.DEFAULT_BASE
    return {**vocab.PREFIXES, "id": base}
