"""What a query exchanges with its caller: the dataset it asks for, the result it gives, and that result printed.

Every engine (the embedded pyoxigraph, any remote endpoint) hands its
answer over in one form: a SELECT as its W3C SPARQL JSON results document,
a CONSTRUCT or DESCRIBE as canonical N-Triples.  So ``kgpub query``, the
server and the tests compare and print results the same way whichever
engine answered, and pyoxigraph serializes them to JSON, XML, CSV and TSV
exactly per the specifications.  The table and Markdown layouts are
kgpub's own, for a person reading a terminal or a page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

from kgpub.errors import QueryError
from kgpub.rdf.vocab import by_length, prefixed


@dataclass(frozen=True)
class Dataset:
    """The graphs a query runs over, named in the request (``default-graph-uri``, ``named-graph-uri``)."""

    default: tuple[str, ...]
    named: tuple[str, ...]


@dataclass(frozen=True)
class SelectResult:
    """A SELECT result, kept as its W3C SPARQL JSON document (the exchange format of every engine)."""

    document: bytes

    @property
    def parsed(self) -> dict[str, Any]:
        return json.loads(self.document)

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(self.parsed["head"].get("vars", ()))

    @property
    def rows(self) -> list[dict[str, dict[str, str]]]:
        """Each solution as ``{var: {"type": ..., "value": ..., "datatype"/"xml:lang": ...}}``."""
        return list(self.parsed["results"]["bindings"])


@dataclass(frozen=True)
class AskResult:
    value: bool


@dataclass(frozen=True)
class GraphResult:
    """A CONSTRUCT or DESCRIBE result as canonical N-Triples."""

    ntriples: bytes


Result = SelectResult | AskResult | GraphResult


def is_empty(result: Result) -> bool:
    if isinstance(result, SelectResult):
        return not result.rows
    if isinstance(result, GraphResult):
        return not result.ntriples.strip()
    return False


# --------------------------------------------------------------------------- the formats of results


@dataclass(frozen=True)
class ResultsFormat:
    """One way to print a SELECT (or ASK) result."""

    #: What a user types (``--format csv``).
    name: str
    #: pyoxigraph's ``QueryResultsFormat`` member for the W3C formats; None for kgpub's own layouts.
    w3c: str | None
    #: Whether an ASK answer is written as a document in this format; otherwise as a bare ``true``/``false`` line.
    boolean: bool


#: The one table of results formats, in the order messages list them.
RESULTS_FORMATS: tuple[ResultsFormat, ...] = (
    ResultsFormat("table", None, False),
    ResultsFormat("csv", "CSV", False),
    ResultsFormat("tsv", "TSV", False),
    ResultsFormat("json", "JSON", True),
    ResultsFormat("xml", "XML", True),
    ResultsFormat("markdown", None, False),
)
_RESULTS_BY_NAME = {f.name: f for f in RESULTS_FORMATS}
#: The RDF formats (names of :mod:`kgpub.rdf.formats`) a CONSTRUCT or DESCRIBE result is printed in.
GRAPH_FORMATS = ("turtle", "ntriples", "jsonld")


def _short(cell: dict[str, str] | None, prefixes: list[tuple[str, str]]) -> str:
    if cell is None:
        return ""
    value = cell["value"]
    if cell["type"] == "uri":
        return prefixed(value, prefixes) or f"<{value}>"
    if cell["type"] == "bnode":
        return f"_:{value}"
    return value


def _cells(result: SelectResult, prefixes: dict[str, str]) -> tuple[list[str], list[list[str]]]:
    ordered = by_length(prefixes)
    header = list(result.variables)
    from kgpub.terminal import printable

    # one line a row, whatever a value holds: whitespace runs as one space, other control characters escaped
    rows = [[printable(" ".join(_short(row.get(v), ordered).split())) for v in header] for row in result.rows]
    return header, rows


def _fit(widths: list[int], limit: int | None) -> list[int]:
    """Shrink the widest columns until the table fits ``limit`` characters."""
    if limit is None:
        return widths
    widths = list(widths)
    while sum(widths) + 2 * (len(widths) - 1) > limit and max(widths) > 8:
        widest = widths.index(max(widths))
        widths[widest] -= 1
    return widths


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(result: SelectResult, prefixes: dict[str, str], width: int | None = None) -> str:
    header, rows = _cells(result, prefixes)
    widths = _fit([max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)], width)
    out = ["  ".join(_clip(h, w).ljust(w) for h, w in zip(header, widths)).rstrip(),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(_clip(c, w).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(out) + "\n"


def format_markdown(result: SelectResult, prefixes: dict[str, str]) -> str:
    header, rows = _cells(result, prefixes)

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(header), "|" + "|".join("---" for _ in header) + "|", *map(line, rows)]) + "\n"


def render(result: Result, fmt: str | None, prefixes: dict[str, str], width: int | None = None) -> bytes:
    """The bytes to print for ``result`` in ``fmt`` (None: table, true/false, or Turtle)."""
    import pyoxigraph as ox

    from kgpub.rdf import formats

    if isinstance(result, AskResult):
        kind = _RESULTS_BY_NAME.get(fmt) if fmt is not None else None
        if fmt is None or kind is not None and not kind.boolean:
            return b"true\n" if result.value else b"false\n"
        if kind is not None and kind.w3c is not None:
            doc = {"head": {}, "boolean": result.value}
            parsed = ox.parse_query_results(json.dumps(doc), format=ox.QueryResultsFormat.JSON)
            return cast(bytes, parsed.serialize(format=getattr(ox.QueryResultsFormat, kind.w3c)))  # no output: bytes
        raise QueryError(f"--format {fmt} does not apply to an ASK result (use table, json or xml)")
    if isinstance(result, GraphResult):
        fmt = fmt or "turtle"
        graph_format = formats.by_name(fmt) if fmt in GRAPH_FORMATS else None
        if graph_format is None:
            raise QueryError(f"--format {fmt} does not apply to a CONSTRUCT/DESCRIBE result "
                             f"(use {', '.join(GRAPH_FORMATS)})")
        triples = [q.triple for q in ox.parse(result.ntriples, format=ox.RdfFormat.N_TRIPLES)]
        return cast(bytes, ox.serialize(triples, format=graph_format.rdf_format,
                                        prefixes=prefixes if fmt == "turtle" else None))
    fmt = fmt or "table"
    kind = _RESULTS_BY_NAME.get(fmt)
    if kind is None:
        raise QueryError(f"--format {fmt} does not apply to a SELECT result "
                         f"(use {', '.join(f.name for f in RESULTS_FORMATS)})")
    if kind.w3c is None:
        text = format_table(result, prefixes, width) if fmt == "table" else format_markdown(result, prefixes)
        return text.encode("utf-8")
    if fmt == "json":
        return result.document
    solutions = ox.parse_query_results(result.document, format=ox.QueryResultsFormat.JSON)
    return cast(bytes, solutions.serialize(format=getattr(ox.QueryResultsFormat, kind.w3c)))  # no output: bytes
