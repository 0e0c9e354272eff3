"""The blocks every written file is made of: a subject's Turtle statement, a named graph's TriG block, a node of
the JSON-LD document, a subject's N-Triples lines.

Everything here works on kgpub's canonical N-Triples lines (sorted, de-duplicated, one triple each, see
:mod:`kgpub.rdf.ntriples`), never on a parsed graph: sorted lines already hold each subject's triples together,
so a file is written in one pass over them.  Each block remembers the prefixes it uses, so a file's ``@prefix``
header is exact even when a rebuild replaces some blocks (see :mod:`kgpub.output.layout`).
"""

from __future__ import annotations

import heapq
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from kgpub.output.layout import Block, Layout, render
from kgpub.rdf import ntriples, vocab
from kgpub.rdf.ntriples import LineBlob, SortedLines

if TYPE_CHECKING:  # mapping imports rdflib, which a command that only reads a build never needs
    from kgpub.pipeline.mapping import Lines, Sink


def prefixes(base: str) -> dict[str, str]:
    """The prefixes every output is written with: the project's and ``id:`` for the IRI base."""
    return {**vocab.PREFIXES, "id": base}


def prefix_header(used: dict[str, str]) -> str:
    """The ``@prefix`` lines of a Turtle or TriG file: the prefixes it uses, sorted, then a blank line."""
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(used.items())) + "\n"


def header_of(known: dict[str, str]) -> Callable[[Iterable[str]], str]:
    """The ``@prefix`` header of a file that uses these of the ``known`` prefixes."""
    return lambda used: prefix_header({p: known[p] for p in used})


def nt_lines(triples: Iterable[tuple[object, object, object]] | Lines) -> list[str]:
    """Sorted, de-duplicated N-Triples lines: the canonical order of every output.

    Sorting whole lines keeps each subject's triples together, so the Turtle
    written from them groups by subject, and the bytes never depend on the
    order the graph was built in.
    """
    from kgpub.pipeline.mapping import Lines
    from kgpub.pipeline.mapping import nt_term as _term

    if isinstance(triples, Lines):
        return triples.sorted()
    return sorted({f"{_term(s)} {_term(p)} {_term(o)} .\n" for s, p, o in triples})


def merged(*parts: Iterable[list[str] | LineBlob], into: Path | None = None, run: int = 1 << 28) -> LineBlob:
    """The sorted, de-duplicated union of several sorted groups of N-Triples lines (lists or blobs), as a blob.

    Each group is sorted already, so sorting their concatenation merges runs
    (timsort) and duplicates end up side by side: seven times faster than a
    set of a million fresh strings, which must hash every one of them.  The
    lines are sorted as UTF-8 bytes (with or without their newline alike):
    byte order is code point order, and no line is a prefix of another (each
    ends in `` .``), so the order is the strings' and the merge never decodes a blob.

    ``into``: when the groups hold more than ``run`` bytes (their list costs about twice that), the union is
    written to that file and the blob lives there: the lines are sorted in runs of about ``run`` bytes, each
    written beside ``into``, and the runs merged a line from each at a time (``heapq.merge``), so the lines of
    ten million triples are never all in memory.  Fewer stay in memory: every reader of a blob in a file reads
    it again, piece by piece.
    """
    runs: list[Path] = []
    pending: list[bytes] = []
    held = 0
    try:
        for lines, size in _line_bytes(parts):
            pending += lines
            held += size
            if into is not None and held >= run:
                runs.append(_sorted_run(pending, into.with_name(f"{into.name}.run{len(runs)}")))
                pending, held = [], 0
        if into is None or not runs:
            return _in_memory(pending)
        runs.append(_sorted_run(pending, into.with_name(f"{into.name}.run{len(runs)}")))
        del pending
        streams = [open(path, "rb") for path in runs]  # noqa: SIM115 - closed below, each once merged
        try:
            with open(into, "wb") as out:
                out.writelines(map(itemgetter(0), groupby(heapq.merge(*streams))))
        finally:
            for stream in streams:
                stream.close()
    finally:
        for path in runs:
            path.unlink(missing_ok=True)
    return LineBlob.in_file(into, 0, into.stat().st_size)


def _in_memory(lines: list[bytes]) -> LineBlob:
    """``lines`` (without their newlines) sorted, each once, as a blob in memory."""
    lines.sort()
    unique = [line for line, _ in groupby(lines)]
    lines.clear()
    return LineBlob(b"\n".join(unique) + b"\n" if unique else b"", len(unique))


def _line_bytes(parts: Iterable[Iterable[list[str] | LineBlob]]) -> Iterator[tuple[list[bytes], int]]:
    """The lines of the groups as UTF-8 bytes without their newline, a list of them (and their size as written,
    newlines included) at a time: a blob's read a piece at a time."""
    for group in parts:
        for lines in group:
            if isinstance(lines, LineBlob):
                for piece in lines.pieces(1 << 24):
                    split = piece.split(b"\n")
                    split.pop()  # after the last newline
                    yield split, len(piece)
            else:
                encoded = [line[:-1].encode("utf-8") for line in lines]
                yield encoded, sum(map(len, encoded)) + len(encoded)


def _sorted_run(lines: list[bytes], path: Path) -> Path:
    """``lines`` (without their newlines) sorted, each once, written to ``path``."""
    path.write_bytes(_in_memory(lines).data)
    return path


def by_subject(lines: Iterable[str]) -> dict[str, list[str]]:
    """N-Triples lines grouped by their subject term."""
    out: dict[str, list[str]] = {}
    subject = ntriples.subject
    for line in lines:
        out.setdefault(subject(line), []).append(line)
    return out


@dataclass(frozen=True)
class ArticleLines:
    """The N-Triples lines of one article's graphs: what a build keeps of an article, and caches.

    Kept as blobs (see :class:`~kgpub.rdf.ntriples.LineBlob`): they cost their text, and the writer processes read
    them without copying them; a full build moves them to a file on disk while it writes (``stages.merge_graph``)."""

    article_id: str
    data: LineBlob
    provenance: LineBlob


def article_lines(article_id: str, graph: Sink, provenance: Sink) -> ArticleLines:
    return ArticleLines(article_id, LineBlob.of(nt_lines(graph)), LineBlob.of(nt_lines(provenance)))


# --------------------------------------------------------------------------- Turtle and TriG

RDF_TYPE = f"<{vocab.RDF}type>"
#: Local names written as prefixed names: no '/', '#', ':' or other characters Turtle would need escaped.
_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")


class Names:
    """Writes IRIs as prefixed names where the local name needs no escaping, and remembers the prefixes used.

    Unlike :func:`kgpub.rdf.vocab.prefixed`, a namespace whose local name would need escaping is passed over
    for the next one.  ``block`` collects the prefixes of the block being written, so a file's layout knows
    which blocks need which ``@prefix`` line (see ``layout``).
    """

    def __init__(self, known: dict[str, str]) -> None:
        self.ordered = vocab.by_length(known)
        self.used: dict[str, str] = {}
        self.cache: dict[str, tuple[str, str | None]] = {}
        self.block: set[str] = set()

    def iri(self, term: str) -> str:
        hit = self.cache.get(term)
        if hit is None:
            hit = (term, None)
            iri = term[1:-1]
            for prefix, ns in self.ordered:
                if iri.startswith(ns) and _LOCAL.fullmatch(iri[len(ns):]):
                    hit = (f"{prefix}:{iri[len(ns):]}", prefix)
                    self.used[prefix] = ns
                    break
            self.cache[term] = hit
        if hit[1] is not None:
            self.block.add(hit[1])
        return hit[0]

    def obj(self, term: str) -> str:
        if term.startswith("<"):
            return self.iri(term)
        at = term.rfind('"^^<')
        if at != -1:
            return term[: at + 3] + self.iri(term[at + 3:])
        return term

    def header(self) -> str:
        return prefix_header(self.used)


def subject_blocks(lines: SortedLines, names: Names, indent: str = "") -> list[Block]:
    """One Turtle statement per subject (rdf:type first, written ``a``), in subject order."""
    return list(each_subject_block(lines, names, indent))


def each_subject_block(lines: SortedLines, names: Names, indent: str = "") -> Iterator[Block]:
    """:func:`subject_blocks` one at a time: a whole graph's file is written without holding its blocks.

    Sorted N-Triples lines already hold each subject's lines together, in
    predicate then object order (a complete term is never a prefix of another
    one), so only the rdf:type lines need moving to the front: no sort of
    split triples, a third faster on a whole graph.
    """
    types: list[str] = []
    others: list[tuple[str, str]] = []
    last_s = ""
    split = ntriples.split
    # a blob's lines are sorted; a list's usually are (then the sort is linear)
    for line in lines if isinstance(lines, LineBlob) else sorted(lines):
        s, p, o = split(line)
        if s != last_s:
            if last_s:
                yield _block(last_s, types, others, names, indent)
                types, others = [], []
            last_s = s
        if p == RDF_TYPE:
            types.append(o)
        else:
            others.append((p, o))
    if last_s:
        yield _block(last_s, types, others, names, indent)


def _block(s: str, types: list[str], others: list[tuple[str, str]], names: Names, indent: str) -> Block:
    """The Turtle statement of subject ``s``: its types (``a``), then each predicate with its objects."""
    names.block = set()
    parts = [indent, names.iri(s)]
    if types:
        parts.append(" a ")
        parts.append(f" ,\n{indent}        ".join(names.obj(o) for o in types))
    last_p = None
    for p, o in others:
        if p != last_p:
            parts.append(f" ;\n{indent}    {names.iri(p)} {names.obj(o)}" if last_p or types
                         else f" {names.iri(p)} {names.obj(o)}")
            last_p = p
        else:
            parts.append(f" ,\n{indent}        {names.obj(o)}")
    parts.append(" .\n")
    return Block(s, "".join(parts), frozenset(names.block))


def turtle_layout(lines: SortedLines, base: str) -> tuple[list[Block], Layout]:
    """The blocks of a Turtle file of these sorted lines, a block per subject, and the file's layout."""
    names = Names(prefixes(base))
    blocks = subject_blocks(lines, names)
    return blocks, Layout.of(blocks, names.header(), "\n", namespaces=prefixes(base))


def turtle_file(lines: SortedLines, base: str) -> tuple[bytes, Layout]:
    """A Turtle file of these sorted lines (used prefixes only, subjects sorted, rdf:type first) and its layout."""
    blocks, layout = turtle_layout(lines, base)
    return render(blocks, layout), layout


def turtle_blocks(lines: SortedLines, base: str) -> list[Block]:
    """The blocks kg.ttl holds for these lines' subjects."""
    return subject_blocks(lines, Names(prefixes(base)))


def trig_blocks(named: list[tuple[str, SortedLines]], base: str, names: Names | None = None,
                reuse: Callable[[str], Callable[[str], Block | None]] | None = None) -> list[Block]:
    """One block per non-empty named graph, graphs in IRI order.

    ``reuse(graph)`` may give, for a subject of that graph, the block already
    written for it elsewhere when the graph states all of that subject's lines
    (see ``writers``); it is then indented, not written again.
    """
    return list(each_trig_block(named, base, names, reuse))


def each_trig_block(named: list[tuple[str, SortedLines]], base: str, names: Names | None = None,
                    reuse: Callable[[str], Callable[[str], Block | None]] | None = None) -> Iterator[Block]:
    """:func:`trig_blocks` one at a time."""
    names = names or Names(prefixes(base))
    for iri, lines in sorted(named, key=lambda graph: graph[0]):
        if lines:
            inner = _graph_blocks(lines, names, reuse(iri)) if reuse is not None else subject_blocks(lines, names, "    ")
            names.block = set()
            head = names.iri(f"<{iri}>")
            used = frozenset(names.block.union(*(b.prefixes for b in inner)))
            yield Block(iri, f"{head} {{\n" + "\n".join(b.text for b in inner) + "}\n", used)


def _graph_blocks(lines: SortedLines, names: Names, known: Callable[[str], Block | None]) -> list[Block]:
    """The indented blocks of a named graph's sorted ``lines``, each subject's from ``known`` where it has one."""
    out: list[Block] = []
    rest: list[str] = []
    last, block = "", None
    subject = ntriples.subject
    for line in lines:
        s = subject(line)
        if s != last:
            last = s
            block = known(s)
            if block is not None:
                if rest:
                    out += subject_blocks(rest, names, "    ")
                    rest = []
                out.append(Block(block.key, "    " + block.text[:-1].replace("\n", "\n    ") + "\n", block.prefixes))
        if block is None:
            rest.append(line)
    if rest:
        out += subject_blocks(rest, names, "    ")
    return out


# --------------------------------------------------------------------------- N-Triples

def nt_blocks(lines: Iterable[str]) -> list[Block]:
    """The blocks kg.nt holds for these sorted lines: each subject's lines."""
    out: list[Block] = []
    for subject, group in by_subject(lines).items():
        out.append(Block(subject, "".join(group)))
    return out


# --------------------------------------------------------------------------- JSON-LD

def compactor(known: dict[str, str]) -> Callable[[str], str]:
    """JSON-LD's compaction of IRIs by these prefixes (:func:`kgpub.rdf.vocab.prefixed`), remembered; an IRI
    no prefix fits stays whole."""
    ordered = vocab.by_length(known)
    prefixed = vocab.prefixed
    compacted: dict[str, str] = {}

    def compact(iri: str) -> str:
        short = compacted.get(iri)
        if short is None:
            short = compacted[iri] = prefixed(iri, ordered) or iri
        return short

    return compact


_STRING = json.encoder.encode_basestring  # type: ignore[attr-defined]  # C-accelerated, as ensure_ascii=False


def jsonld_blocks(lines: SortedLines, base: str) -> list[Block]:
    """Each subject's node of the JSON-LD document of ``lines``, as text, keyed by IRI, in the file's order."""
    return sorted(jsonld_nodes(lines, base), key=lambda block: block.key)


def jsonld_nodes(lines: Iterable[str], base: str) -> Iterator[Block]:
    """Each subject's node of the JSON-LD document of ``lines``, as text, keyed by IRI, one at a time in the
    lines' order (``<IRI>`` sorts otherwise than the IRI: the file's order is the keys' sorted).

    Writes, line by line, what ``json.dumps(document, ensure_ascii=False, indent=2)`` gives of the JSON-LD
    document of ``lines`` (a test holds them equal, with the document built by ``benchmarks/reference.py``)
    without building the document: twice as fast at a million triples, and with the standard library's
    pure-Python encoder, which ``indent`` falls back to, ten seconds at a million triples.  ``lines`` are sorted, so
    each subject's lines, and within them each predicate's, are consecutive.
    """
    compact = compactor(prefixes(base))
    keys: dict[str, str] = {}

    def value(term: str) -> str:
        if term[0] == "<":
            return f'        {{\n          "@id": {_STRING(compact(term[1:-1]))}\n        }}'
        end = term.rindex('"')
        raw = term[1:end]
        text = _STRING(json.loads(term[: end + 1]) if "\\" in raw else raw)  # N-Triples string escapes are JSON's
        if end + 1 == len(term):
            return f"        {text}"
        if term[end + 1] == "@":
            return f'        {{\n          "@value": {text},\n          "@language": {_STRING(term[end + 2:])}\n        }}'
        return f'        {{\n          "@value": {text},\n          "@type": {_STRING(compact(term[end + 4:-1]))}\n        }}'

    parts: list[str] = []
    last_s = last_p = ""
    split = ntriples.split
    for line in lines:
        s, p, o = split(line)
        if s != last_s:
            if parts:
                parts.append("\n      ]\n    }")
                yield Block(last_s[1:-1], "".join(parts))
            parts = [f'    {{\n      "@id": {_STRING(compact(s[1:-1]))}']
            last_s, last_p = s, ""
        if p != last_p:
            key = keys.get(p)
            if key is None:
                key = keys[p] = '      "@type": [\n' if p == RDF_TYPE else f"      {_STRING(compact(p[1:-1]))}: [\n"
            parts.append(f"\n      ],\n{key}" if last_p else f",\n{key}")
            last_p = p
        else:
            parts.append(",\n")
        parts.append(f"        {_STRING(compact(o[1:-1]))}" if p == RDF_TYPE else value(o))
    if parts:
        parts.append("\n      ]\n    }")
        yield Block(last_s[1:-1], "".join(parts))


def jsonld_frame(context: dict[str, str], nodes: bool) -> tuple[str, str]:
    """The text before and after the nodes of a document with this ``@context`` (``nodes``: it has some)."""
    head = ("{\n  \"@context\": {\n" + ",\n".join(f"    {_STRING(k)}: {_STRING(v)}" for k, v in context.items())
            + "\n  },\n  \"@graph\": ")
    return (head + "[\n", "\n  ]\n}\n") if nodes else (head + "[]\n}\n", "")
