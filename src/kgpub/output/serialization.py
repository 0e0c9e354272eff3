"""Stage 5 — write the build: Turtle, N-Triples, JSON-LD, TriG, VoID, per-article files.

Two promises shape this module.  *Byte-stable*: the same input gives the same
bytes on every run (sorted subjects, predicates, objects and graphs; no blank
nodes; no clock), so a diff of the published graph shows only what changed.
*All or nothing*: files are written into a temporary folder beside the output
and swapped in only when every one of them is complete, so a failed build
never leaves a half-written ``dist/``.
"""

from __future__ import annotations

import json
import re
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from kgpub.rdf import vocab
from kgpub.errors import OutputError
from kgpub.execution import MARKER, os_reason
from kgpub.corpus.model import Dataset
from kgpub.output.layout import Block, Layout, Stats
from kgpub.output.layout import patch as patch_layout
from kgpub.output.layout import render as render_blocks
from kgpub.output.layout import share_keys
from kgpub.pipeline.mapping import Lines, Minter, Sink
from kgpub.pipeline.mapping import nt_term as _term

#: A file in every build folder, so kgpub never replaces a folder it did not write.

MEDIA_TYPES = {
    "kg.ttl": "text/turtle",
    "kg.nt": "application/n-triples",
    "kg.jsonld": "application/ld+json",
    "kg.trig": "application/trig",
    "ontology.ttl": "text/turtle",
}


def _namespaces(base: str):  # type: ignore[no-untyped-def]
    from rdflib.namespace import NamespaceManager

    manager = NamespaceManager(Graph(), bind_namespaces="none")
    for prefix, iri in prefixes(base).items():
        manager.bind(prefix, iri, override=True, replace=True)
    return manager


def prefixes(base: str) -> dict[str, str]:
    """The prefixes every output is written with: the project's and ``id:`` for the IRI base."""
    return {**vocab.PREFIXES, "id": base}


def nt_lines(triples: Iterable[tuple[object, object, object]] | Lines) -> list[str]:
    """Sorted, de-duplicated N-Triples lines: the canonical order of every output.

    Sorting whole lines keeps each subject's triples together, so the Turtle
    written from them groups by subject, and the bytes never depend on the
    order the graph was built in.
    """
    if isinstance(triples, Lines):
        return triples.sorted()
    return sorted({f"{_term(s)} {_term(p)} {_term(o)} .\n" for s, p, o in triples})


_RDF_TYPE = f"<{vocab.RDF}type>"
#: Local names written as prefixed names: no '/', '#', ':' or other characters Turtle would need escaped.
_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")


def _split(line: str) -> tuple[str, str, str]:
    """Subject, predicate and object of an N-Triples line whose subject and predicate are IRIs."""
    s_end = line.index("> ") + 1
    p_end = line.index("> ", s_end + 1) + 1
    return line[:s_end], line[s_end + 1:p_end], line[p_end + 1:-3]


class _Abbreviator:
    """Writes IRIs as prefixed names where the local name needs no escaping, and remembers the prefixes used.

    ``block`` collects the prefixes of the block being written, so a file's
    layout knows which blocks need which ``@prefix`` line (see ``layout``).
    """

    def __init__(self, known: dict[str, str]) -> None:
        self.ordered = sorted(known.items(), key=lambda kv: -len(kv[1]))
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


def prefix_header(used: dict[str, str]) -> str:
    """The ``@prefix`` lines of a Turtle or TriG file: the prefixes it uses, sorted, then a blank line."""
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(used.items())) + "\n"


def _blocks(lines: list[str], names: _Abbreviator, indent: str = "") -> list[Block]:
    """One Turtle statement per subject (rdf:type first, written ``a``), in subject order.

    Sorted N-Triples lines already hold each subject's lines together, in
    predicate then object order (a complete term is never a prefix of another
    one), so only the rdf:type lines need moving to the front: no sort of
    split triples, a third faster on a whole graph.
    """
    out: list[Block] = []
    types: list[str] = []
    others: list[tuple[str, str]] = []
    last_s = ""
    for line in sorted(lines):  # linear when they are sorted already, as a build's are
        s_end = line.index("> ") + 1
        s = line[:s_end]
        if s != last_s:
            if last_s:
                out.append(_block(last_s, types, others, names, indent))
                types, others = [], []
            last_s = s
        p_end = line.index("> ", s_end + 1) + 1
        p = line[s_end + 1:p_end]
        if p == _RDF_TYPE:
            types.append(line[p_end + 1:-3])
        else:
            others.append((p, line[p_end + 1:-3]))
    if last_s:
        out.append(_block(last_s, types, others, names, indent))
    return out


def _block(s: str, types: list[str], others: list[tuple[str, str]], names: _Abbreviator, indent: str) -> Block:
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


def _body(lines: list[str], names: _Abbreviator, indent: str = "") -> str:
    """Turtle statements for N-Triples lines: one block per subject, blocks separated by a blank line."""
    return "\n".join(b.text for b in _blocks(lines, names, indent))


def turtle(triples: Iterable[tuple[object, object, object]], base: str) -> bytes:
    """Pretty Turtle: used prefixes only, subjects sorted, rdf:type first, no escaped local names."""
    return _turtle_lines(nt_lines(triples), base)


def _turtle_lines(lines: list[str], base: str) -> bytes:
    return _turtle_file(lines, base)[0]


def _turtle_file(lines: list[str], base: str) -> tuple[bytes, Layout]:
    """A Turtle file and its layout: a block per subject."""
    names = _Abbreviator(prefixes(base))
    blocks = _blocks(lines, names)
    layout = Layout.of(blocks, names.header(), "\n", namespaces=prefixes(base))
    return render_blocks(blocks, layout), layout


def turtle_blocks(lines: list[str], base: str) -> list[Block]:
    """The blocks kg.ttl holds for these lines' subjects."""
    return _blocks(lines, _Abbreviator(prefixes(base)))


def nt_blocks(lines: list[str]) -> list[Block]:
    """The blocks kg.nt holds for these sorted lines: each subject's lines."""
    out: list[Block] = []
    for subject, group in by_subject(lines).items():
        out.append(Block(subject, "".join(group)))
    return out


def _nt_file(lines: list[str], content: bytes | None = None) -> tuple[bytes, Layout]:
    """kg.nt is the sorted lines themselves (``content``, when the caller has them encoded) and its layout."""
    keys: list[str] = []
    sizes: list[int] = []
    last = None
    for line in lines:
        subject = line[: line.index("> ") + 1]
        if subject != last:
            keys.append(subject)
            sizes.append(0)
            last = subject
        sizes[-1] += len(line) if line.isascii() else len(line.encode("utf-8"))
    return (content if content is not None else "".join(lines).encode("utf-8")), Layout(keys, sizes, b"")


def ntriples(triples: Iterable[tuple[object, object, object]]) -> bytes:
    """N-Triples with one triple per line, lines sorted."""
    return "".join(nt_lines(triples)).encode("utf-8")


def trig(named: list[tuple[URIRef, Graph]], base: str) -> bytes:
    """TriG with one block per named graph, graphs in IRI order."""
    return _trig_lines([(str(iri), nt_lines(graph)) for iri, graph in named], base)


def _trig_lines(named: list[tuple[str, list[str]]], base: str) -> bytes:
    return _trig_file(named, base)[0]


def trig_blocks(named: list[tuple[str, list[str]]], base: str, names: _Abbreviator | None = None,
                reuse: Callable[[str], Callable[[str], Block | None]] | None = None) -> list[Block]:
    """One block per non-empty named graph, graphs in IRI order.

    ``reuse(graph)`` may give, for a subject of that graph, the block already
    written for it elsewhere when the graph states all of that subject's lines
    (see :func:`turtle_files`); it is then indented, not written again.
    """
    names = names or _Abbreviator(prefixes(base))
    blocks = []
    for iri, lines in sorted(named):
        if lines:
            inner = _graph_blocks(lines, names, reuse(iri)) if reuse is not None else _blocks(lines, names, "    ")
            names.block = set()
            head = names.iri(f"<{iri}>")
            used = frozenset(names.block.union(*(b.prefixes for b in inner)))
            blocks.append(Block(iri, f"{head} {{\n" + "\n".join(b.text for b in inner) + "}\n", used))
    return blocks


def _graph_blocks(lines: list[str], names: _Abbreviator, known: Callable[[str], Block | None]) -> list[Block]:
    """The indented blocks of a named graph's sorted ``lines``, each subject's from ``known`` where it has one."""
    out: list[Block] = []
    rest: list[str] = []
    last, block = "", None
    for line in lines:
        subject = line[: line.index("> ") + 1]
        if subject != last:
            last = subject
            block = known(subject)
            if block is not None:
                if rest:
                    out += _blocks(rest, names, "    ")
                    rest = []
                out.append(Block(block.key, "    " + block.text[:-1].replace("\n", "\n    ") + "\n", block.prefixes))
        if block is None:
            rest.append(line)
    if rest:
        out += _blocks(rest, names, "    ")
    return out


def _trig_file(named: list[tuple[str, list[str]]], base: str,
               reuse: Callable[[str], Callable[[str], Block | None]] | None = None) -> tuple[bytes, Layout]:
    names = _Abbreviator(prefixes(base))
    blocks = trig_blocks(named, base, names, reuse)
    known = prefixes(base)
    used = frozenset[str]().union(*(b.prefixes for b in blocks))  # reused blocks' prefixes too
    layout = Layout.of(blocks, prefix_header({p: known[p] for p in used}), "\n", namespaces=known)
    return render_blocks(blocks, layout), layout


def jsonld(triples: Iterable[tuple[object, object, object]], base: str) -> bytes:
    """Compact JSON-LD of ``triples``: see :func:`_jsonld_lines`."""
    return _jsonld_lines(nt_lines(triples), base)


def _jsonld_lines(lines: list[str], base: str) -> bytes:
    """Compact JSON-LD: one ``@context`` of the project prefixes, nodes and values sorted.

    Written here because rdflib's JSON-LD serializer orders nodes by set
    iteration (different on every run) and pyoxigraph writes expanded JSON-LD.
    """
    return _jsonld_file(lines, base)[0]


def jsonld_blocks(lines: list[str], base: str) -> list[Block]:
    """The nodes kg.jsonld holds for these lines' subjects, keyed by IRI (the file's node order)."""
    return _jsonld_nodes(lines, base)


def _jsonld_file(lines: list[str], base: str) -> tuple[bytes, Layout]:
    blocks = _jsonld_nodes(lines, base)
    head, foot = _jsonld_frame(dict(sorted(prefixes(base).items())), bool(blocks))
    layout = Layout.of(blocks, head, ",\n", foot)
    return render_blocks(blocks, layout), layout


def _compactor(known: dict[str, str]) -> Callable[[str], str]:
    """JSON-LD's compaction of IRIs by these prefixes (the longest namespace that matches), remembered."""
    ordered = sorted(known.items(), key=lambda kv: -len(kv[1]))
    compacted: dict[str, str] = {}

    def compact(iri: str) -> str:
        short = compacted.get(iri)
        if short is None:
            short = iri
            for prefix, ns in ordered:
                if iri.startswith(ns) and len(iri) > len(ns):
                    short = f"{prefix}:{iri[len(ns):]}"
                    break
            compacted[iri] = short
        return short

    return compact


def _jsonld_nodes(lines: list[str], base: str) -> list[Block]:
    """Each subject's node of the JSON-LD document of ``lines``, as text, sorted by IRI.

    Writes, line by line, the text :func:`jsonld_text` gives of
    :func:`jsonld_document` (a test holds them equal) without building the
    document: twice as fast at a million triples.  ``lines`` are sorted, so
    each subject's lines, and within them each predicate's, are consecutive.
    """
    compact = _compactor(prefixes(base))
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

    nodes: list[Block] = []
    parts: list[str] = []
    last_s = last_p = ""
    for line in lines:
        s_end = line.index("> ") + 1
        p_end = line.index("> ", s_end + 1) + 1
        s, p, o = line[:s_end], line[s_end + 1:p_end], line[p_end + 1:-3]
        if s != last_s:
            if parts:
                parts.append("\n      ]\n    }")
                nodes.append(Block(last_s[1:-1], "".join(parts)))
            parts = [f'    {{\n      "@id": {_STRING(compact(s[1:-1]))}']
            last_s, last_p = s, ""
        if p != last_p:
            key = keys.get(p)
            if key is None:
                key = keys[p] = '      "@type": [\n' if p == _RDF_TYPE else f"      {_STRING(compact(p[1:-1]))}: [\n"
            parts.append(f"\n      ],\n{key}" if last_p else f",\n{key}")
            last_p = p
        else:
            parts.append(",\n")
        parts.append(f"        {_STRING(compact(o[1:-1]))}" if p == _RDF_TYPE else value(o))
    if parts:
        parts.append("\n      ]\n    }")
        nodes.append(Block(last_s[1:-1], "".join(parts)))
    nodes.sort(key=lambda block: block.key)
    return nodes


def jsonld_document(lines: list[str], base: str) -> dict[str, object]:
    """The JSON-LD document of N-Triples lines, as Python data."""
    known = prefixes(base)
    compact = _compactor(known)

    def value(term: str) -> object:
        if term.startswith("<"):
            return {"@id": compact(term[1:-1])}
        end = term.rindex('"')
        raw = term[1:end]
        text = json.loads(term[: end + 1]) if "\\" in raw else raw  # N-Triples string escapes are JSON's
        rest = term[end + 1:]
        if rest.startswith("@"):
            return {"@value": text, "@language": rest[1:]}
        if rest.startswith("^^"):
            return {"@value": text, "@type": compact(rest[3:-1])}
        return text

    nodes: dict[str, dict[str, list[object]]] = {}
    for line in lines:
        s, p, o = _split(line)
        node = nodes.setdefault(s[1:-1], {})
        if p == _RDF_TYPE:
            node.setdefault("@type", []).append(compact(o[1:-1]))
        else:
            node.setdefault(compact(p[1:-1]), []).append(value(o))
    return {
        "@context": dict(sorted(known.items())),
        "@graph": [{"@id": compact(s), **props} for s, props in sorted(nodes.items())],
    }


_STRING = json.encoder.encode_basestring  # type: ignore[attr-defined]  # C-accelerated, as ensure_ascii=False


def jsonld_text(document: dict[str, object]) -> str:
    """``json.dumps(document, ensure_ascii=False, indent=2)`` plus a newline, for kgpub's documents, 3x faster.

    With ``indent``, the standard library falls back to its pure-Python
    encoder: ten seconds at a million triples.  This writes the same layout
    around C-encoded strings; a test holds it to ``json.dumps``, byte for byte.
    """
    head, nodes, foot = _jsonld_parts(document)
    return head + ",\n".join(nodes) + foot


def _jsonld_parts(document: dict[str, object]) -> tuple[str, list[str], str]:
    """The text before the nodes, each node's text (joined by ``,\\n``), and the text after them."""
    context = document["@context"]
    graph = document["@graph"]
    assert isinstance(context, dict) and isinstance(graph, list)
    head, foot = _jsonld_frame(context, bool(graph))
    return head, [_node_text(node) for node in graph], foot


def _jsonld_frame(context: dict[str, str], nodes: bool) -> tuple[str, str]:
    """The text before and after the nodes of a document with this ``@context`` (``nodes``: it has some)."""
    head = ("{\n  \"@context\": {\n" + ",\n".join(f"    {_STRING(k)}: {_STRING(v)}" for k, v in context.items())
            + "\n  },\n  \"@graph\": ")
    return (head + "[\n", "\n  ]\n}\n") if nodes else (head + "[]\n}\n", "")


def _node_text(node: dict[str, object]) -> str:
    parts = []
    for key, values in node.items():
        if isinstance(values, str):
            parts.append(f"      {_STRING(key)}: {_STRING(values)}")
            continue
        assert isinstance(values, list)
        items = ",\n".join(f"        {_STRING(v)}" if isinstance(v, str) else
                           "        {\n" + ",\n".join(f"          {_STRING(k)}: {_STRING(x)}" for k, x in v.items())
                           + "\n        }" for v in values)
        parts.append(f"      {_STRING(key)}: [\n{items}\n      ]")
    return "    {\n" + ",\n".join(parts) + "\n    }"


@dataclass(frozen=True)
class ArticleLines:
    """The N-Triples lines of one article's graphs: what a build keeps of an article, and caches."""

    article_id: str
    data: list[str]
    provenance: list[str]


def article_lines(article_id: str, graph: Sink, provenance: Sink) -> ArticleLines:
    return ArticleLines(article_id, nt_lines(graph), nt_lines(provenance))


def by_subject(lines: list[str]) -> dict[str, list[str]]:
    """N-Triples lines grouped by their subject term."""
    out: dict[str, list[str]] = {}
    for line in lines:
        out.setdefault(line[: line.index("> ") + 1], []).append(line)
    return out


def article_file(own: list[str], registry: dict[str, list[str]], base: str) -> bytes:
    """An article's Turtle file, readable alone: its graph plus the registry entries it mentions."""
    objects = {_split(line)[2] for line in own}
    extra = [line for subject in sorted(objects & registry.keys()) for line in registry[subject]]
    return _turtle_lines(sorted(set(own) | set(extra)), base)


def turtle_files(data: list[str], named: list[tuple[str, list[str]]], articles: list[ArticleLines],
                 registry: list[str], mint: Minter) -> tuple[dict[str, tuple[bytes, Layout]], dict[str, bytes]]:
    """kg.ttl and kg.trig with their layouts, and every article's file (as :func:`article_file` writes it).

    An article owns every subject under its IRI and states all of that
    subject's lines, so such a subject's block in the article's file is its
    block in kg.ttl, and in the article's graph in kg.trig the same block
    indented: each is written once.  Only the registry entities an article
    mentions are written again (an entity's registry block once for every
    article, its block with the article's own relations once for that
    article).  The article files then cost a fifth of writing each one whole,
    and kg.trig half.
    """
    base = mint.base
    names = _Abbreviator(prefixes(base))
    blocks = _blocks(data, names)
    layout = Layout.of(blocks, names.header(), "\n", namespaces=prefixes(base))
    whole = {b.key: b for b in blocks}
    owners = {str(mint.article_graph(a.article_id)): f"<{mint.article(a.article_id)}" for a in articles}

    def reuse(graph: str) -> Callable[[str], Block | None]:
        own = owners.get(graph)
        if own is None:
            return lambda subject: None
        return lambda subject: whole[subject] if subject.startswith(own) and subject[len(own)] in "/>" else None

    files = {"kg.ttl": (render_blocks(blocks, layout), layout), "kg.trig": _trig_file(named, base, reuse)}
    return files, _article_files(whole, articles, by_subject(registry), mint)


def _article_files(whole: dict[str, Block], articles: list[ArticleLines], registry: dict[str, list[str]],
                   mint: Minter) -> dict[str, bytes]:
    """Each article's file from ``whole`` (kg.ttl's blocks by subject); see :func:`turtle_files`."""
    known = prefixes(mint.base)
    names = _Abbreviator(known)
    alone: dict[str, Block] = {}  # a registry entity's block of its registry lines only
    out: dict[str, bytes] = {}
    for article in articles:
        own = f"<{mint.article(article.article_id)}"
        chosen: list[Block] = []
        foreign: dict[str, list[str]] = {}  # its lines about subjects it does not own
        mentioned: set[str] = set()
        last, owned = "", False
        for line in article.data:
            s_end = line.index("> ") + 1
            if line[:s_end] != last:
                last = line[:s_end]
                owned = last.startswith(own) and last[len(own)] in "/>"
                if owned:
                    chosen.append(whole[last])
            if not owned:
                foreign.setdefault(last, []).append(line)
            obj = line[line.index("> ", s_end + 1) + 2:-3]
            if obj in registry:
                mentioned.add(obj)
        for subject in foreign.keys() | mentioned:
            if subject not in foreign:
                block = alone.get(subject)
                if block is None:
                    block = alone[subject] = _blocks(registry[subject], names)[0]
            else:
                lines = set(foreign[subject]) | set(registry[subject] if subject in mentioned else ())
                block = _blocks(sorted(lines), names)[0]
            chosen.append(block)
        chosen.sort(key=lambda b: b.key)
        used = {p: known[p] for b in chosen for p in b.prefixes}
        out[article.article_id] = (prefix_header(used) + "\n".join(b.text for b in chosen)).encode("utf-8")
    return out


def merged(*parts: Iterable[list[str]]) -> list[str]:
    """The sorted, de-duplicated union of several lists of N-Triples lines.

    Each list is sorted already, so sorting their concatenation merges runs
    (timsort) and duplicates end up side by side: seven times faster than a
    set of a million fresh strings, which must hash every one of them.
    """
    every: list[str] = []
    for group in parts:
        for lines in group:
            every.extend(lines)
    every.sort()
    return [line for line, _ in groupby(every)]


def stats_of(lines: Iterable[str]) -> Stats:
    """The counts void.ttl gives of these data lines (additive over sources that share no subject)."""
    classes: Counter[str] = Counter()
    properties: Counter[str] = Counter()
    subjects: set[str] = set()
    entities: set[str] = set()
    kg_class = f"<{vocab.KG}"
    triples = 0
    for line in lines:
        s, p, o = _split(line)
        triples += 1
        subjects.add(s)
        properties[p] += 1
        if p == _RDF_TYPE:
            classes[o] += 1
            if o.startswith(kg_class):
                entities.add(s)
    return Stats(triples, len(subjects), len(entities), properties, classes)


#: What void.ttl repeats of each source article: on what terms its text is, and whose it is.
RIGHTS_PREDICATES = frozenset(f"<{iri}>" for iri in (vocab.DCTERMS + "license", vocab.SCHEMA + "publisher",
                                                     vocab.DCTERMS + "rightsHolder", vocab.SCHEMA + "creditText",
                                                     vocab.SCHEMA + "url", vocab.KG + "excerpt"))


def rights_lines(article_iri: str, lines: Iterable[str]) -> tuple[str, ...]:
    """An article's lines that say on what terms its text is (licence, publisher, rights holder, credit
    line, URL, excerpt): kept with its cached unit so that void.ttl is written without its graph."""
    subject = f"<{article_iri}> "
    return tuple(line for line in lines if line.startswith(subject) and _split(line)[1] in RIGHTS_PREDICATES)


def void_file(dataset: Dataset, mint: Minter, article_ids: list[str], stats: Stats, sizes: dict[str, int],
              rights: dict[str, tuple[str, ...]] | None = None) -> bytes:
    """void.ttl: the VoID and DCAT description of a build, from its counts and its files' sizes."""
    return _turtle_lines(_void_lines(dataset, mint, article_ids, stats, sizes, rights or {}), mint.base)


def _void_lines(dataset: Dataset, mint: Minter, article_ids: list[str], stats: Stats,
                sizes: dict[str, int], rights: dict[str, tuple[str, ...]]) -> list[str]:
    """VoID and DCAT description of the build: what it is, how big, where its dumps are."""
    meta = dataset
    ds = f"<{mint.dataset()}>"
    g: list[tuple[str, str, str]] = []

    def add(s: str, p: str, o: str) -> None:
        g.append((s, p, o))

    def lit(text: object, datatype: str | None = None) -> str:
        return _term(Literal(str(text), datatype=URIRef(vocab.XSD + datatype) if datatype else None))

    rdf_type, dct, void_, dcat = f"<{vocab.RDF}type>", vocab.DCTERMS, vocab.VOID, vocab.DCAT
    add(ds, rdf_type, f"<{void_}Dataset>")
    add(ds, rdf_type, f"<{dcat}Dataset>")
    add(ds, f"<{dct}title>", lit(meta.title))
    if meta.description:
        add(ds, f"<{dct}description>", lit(" ".join(meta.description.split())))
    if meta.license:
        add(ds, f"<{dct}license>", f"<{meta.license}>")
    if meta.publisher:
        add(ds, f"<{dct}publisher>", lit(meta.publisher))
    if meta.homepage:
        add(ds, f"<{dcat}landingPage>", f"<{meta.homepage}>")
    if meta.created:
        add(ds, f"<{dct}created>", lit(meta.created, "date"))
    for article_id in article_ids:
        add(ds, f"<{dct}source>", f"<{mint.article(article_id)}>")
        for line in rights.get(article_id, ()):  # each source's licence and attribution, as its graph says
            s, p, o = _split(line)
            add(s, p, o)
            if p == f"<{vocab.SCHEMA}publisher>":  # and in DCMI terms, which DCAT readers look for
                add(s, f"<{dct}publisher>", o)
    add(ds, f"<{void_}uriSpace>", lit(mint.base))
    for ns in (vocab.KG, vocab.OA, vocab.SCHEMA, vocab.PROV, vocab.SKOS, vocab.SEM):
        add(ds, f"<{void_}vocabulary>", f"<{ns}>")
    g += [_split(line) for line in release_lines(dataset, mint)]
    classes = +stats.classes
    add(ds, f"<{void_}triples>", lit(stats.triples, "integer"))
    add(ds, f"<{void_}entities>", lit(stats.entities, "integer"))
    add(ds, f"<{void_}distinctSubjects>", lit(stats.subjects, "integer"))
    add(ds, f"<{void_}properties>", lit(len(+stats.properties), "integer"))
    add(ds, f"<{void_}classes>", lit(len(classes), "integer"))
    names = _Abbreviator(prefixes(mint.base))
    for cls, n in sorted(classes.items()):
        part = f"<{mint.dataset()}/class/{names.iri(cls).replace(':', '-').strip('<>')}>"
        add(ds, f"<{void_}classPartition>", part)
        add(part, f"<{void_}class>", cls)
        add(part, f"<{void_}entities>", lit(n, "integer"))
    for name, media in MEDIA_TYPES.items():
        dist = f"<{mint.dataset()}/distribution/{name}>"
        add(ds, f"<{dcat}distribution>", dist)
        add(dist, rdf_type, f"<{dcat}Distribution>")
        add(dist, f"<{dct}title>", lit(name))
        add(dist, f"<{dcat}mediaType>", f"<https://www.iana.org/assignments/media-types/{media}>")
        add(dist, f"<{dcat}byteSize>", lit(sizes[name], "nonNegativeInteger"))
        if meta.download:
            add(dist, f"<{dcat}downloadURL>", f"<{meta.download}{name}>")
            if name != "ontology.ttl":
                add(ds, f"<{void_}dataDump>", f"<{meta.download}{name}>")
    return sorted({f"{s} {p} {o} .\n" for s, p, o in g})


def release_lines(dataset: Dataset, mint: Minter) -> list[str]:
    """The release a build is (DCAT versioning), as sorted N-Triples lines; none when ``dataset.yaml`` gives no version.

    Written into void.ttl and, as the graph ``BASE/dataset/release``, into the TriG, so a store loaded with a
    build can say which release it holds.  Dates come from ``dataset.yaml``, never the clock: byte-stable.
    """
    if not dataset.version:
        return []
    ds = f"<{mint.dataset()}>"
    dct, dcat, xsd = vocab.DCTERMS, vocab.DCAT, vocab.XSD
    lines = [f'{ds} <{dcat}version> "{dataset.version}" .\n']
    issued = dataset.issued or dataset.created
    if issued:
        lines.append(f'{ds} <{dct}issued> "{issued}"^^<{xsd}date> .\n')
    if dataset.modified or issued:
        lines.append(f'{ds} <{dct}modified> "{dataset.modified or issued}"^^<{xsd}date> .\n')
    if dataset.previous_version:
        previous = f"<{mint.dataset()}/version/{dataset.previous_version}>"
        lines += [f"{ds} <{dcat}previousVersion> {previous} .\n",
                  f'{previous} <{dcat}version> "{dataset.previous_version}" .\n']
    return sorted(lines)


def release_graph(mint: Minter) -> str:
    return f"{mint.dataset()}/release"


def named_lines(mint: Minter, registry: list[str], registry_provenance: list[str],
                articles: list[ArticleLines], release: list[str] | None = None) -> list[tuple[str, list[str]]]:
    """Every named graph of a build (registry, articles, provenance, the release when there is one) with its lines."""
    named: list[tuple[str, list[str]]] = [(str(mint.registry_graph()), registry),
                                          (str(mint.registry_provenance_graph()), registry_provenance)]
    if release:
        named.append((release_graph(mint), release))
    for a in articles:
        named.append((str(mint.article_graph(a.article_id)), a.data))
        named.append((str(mint.provenance_graph(a.article_id)), a.provenance))
    return named


#: The files that hold the whole graph, each with a layout (see ``layout``).
GRAPH_FILES = ("kg.ttl", "kg.nt", "kg.jsonld", "kg.trig")


def graph_files(names: Iterable[str], mint: Minter, data: list[str], named: list[tuple[str, list[str]]],
                data_bytes: bytes | None = None) -> dict[str, tuple[bytes, Layout]]:
    """The whole-graph files ``names`` (of :data:`GRAPH_FILES`) with their layouts.

    Each is rendered on its own, so a build can render them in several
    processes at once.
    """
    base = mint.base
    makers = {"kg.ttl": lambda: _turtle_file(data, base), "kg.nt": lambda: _nt_file(data, data_bytes),
              "kg.jsonld": lambda: _jsonld_file(data, base), "kg.trig": lambda: _trig_file(named, base)}
    return {name: makers[name]() for name in names}


def write_files(staged: Path, files: dict[str, bytes], out_dir: Path) -> None:
    """Write ``files`` (paths inside the build) into ``staged``, the build of ``out_dir`` in the making."""
    try:
        made: set[Path] = set()
        for name, content in files.items():
            path = staged / name
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            with open(path, "wb") as f:
                f.write(content)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot write the build: {os_reason(exc)}") from None


def finish_stage(staged: Path, out_dir: Path, dataset: Dataset, mint: Minter, article_ids: list[str],
                 ontology: bytes, layouts: dict[str, Layout], stats: Stats,
                 rights: dict[str, tuple[str, ...]] | None = None) -> tuple[str, ...]:
    """Write the rest of a build whose whole-graph and article files are staged: ontology, void.ttl.

    Returns the names of every file of the build.
    """
    sizes = {name: layout.total() for name, layout in layouts.items()}
    sizes["ontology.ttl"] = len(ontology)
    files = {"ontology.ttl": ontology, "void.ttl": void_file(dataset, mint, article_ids, stats, sizes, rights)}
    write_files(staged, files, out_dir)
    return tuple(sorted([*files, *layouts, *(f"articles/{i}.ttl" for i in article_ids)]))


def _is_replaceable(folder: Path) -> bool:
    return not folder.exists() or (folder.is_dir() and ((folder / MARKER).exists() or not any(folder.iterdir())))


#: What a build folder holds: anything else in it is someone's, and a build never deletes it.
#: The file that marks a draft build (``kgpub build --drafts``): no query, load, page or site reads one.
DRAFT_MARKER = "DRAFT"
_BUILD_NAMES = frozenset({MARKER, DRAFT_MARKER, "kg.ttl", "kg.nt", "kg.jsonld", "kg.trig", "ontology.ttl", "void.ttl", "articles",
                          ".cache", ".index"})


def check_replaceable(out_dir: Path, seeds: Path | None = None) -> None:
    """Refuse to replace what kgpub did not write: ``--out .`` must not wipe a project, ``--out dist`` must not
    take ``dist/seeds`` or a file a user put in ``dist/`` with it, and a symlink is not swapped for a folder.
    Checked before any work too."""
    out_dir = Path(out_dir)
    if out_dir.is_symlink():
        raise OutputError(f"{out_dir}: is a symlink; give the folder it points to ({os.path.realpath(out_dir)}) as --out")
    if seeds is not None and out_dir.exists():
        inside = Path(seeds).resolve()
        if inside == out_dir.resolve() or inside.is_relative_to(out_dir.resolve()):
            raise OutputError(f"{out_dir}: holds the seeds folder {seeds}; a build replaces its output folder whole, "
                              "so write it elsewhere")
    if not _is_replaceable(out_dir):
        raise OutputError(f"{out_dir}: not a kgpub build folder (no {MARKER} file) and not empty; refusing to replace it")
    if out_dir.is_dir() and (out_dir / MARKER).exists():
        foreign = sorted(p.name for p in out_dir.iterdir() if p.name not in _BUILD_NAMES)
        if foreign:
            shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
            raise OutputError(f"{out_dir}: holds files a build did not write ({shown}); a build replaces the folder "
                              "whole and would delete them: move them out first")


def patch_files(old: Path, staged: Path, layouts: dict[str, Layout], before: list[ArticleLines],
                after: list[ArticleLines], shared_before: dict[str, list[str]], shared_after: dict[str, list[str]],
                mint: Minter) -> dict[str, Layout]:
    """Write into ``staged`` the previous build's whole-graph files with some articles' blocks replaced.

    ``before`` are the previous lines of the articles that changed or went,
    ``after`` the new lines of those changed or added.  An article owns the
    subjects under its IRI and its named graphs, so their blocks are exactly
    those rendered from its own lines; the subjects it shares with others
    (registry entities it relates) come with all their lines, before and after,
    in ``shared_before`` and ``shared_after``.  Returns the new files' layouts.
    """
    base = mint.base

    def blocks(articles: list[ArticleLines], shared: dict[str, list[str]]) -> dict[str, list[Block]]:
        data = sorted({line for a in articles for line in a.data if line[: line.index("> ") + 1] not in shared}
                      | {line for lines in shared.values() for line in lines})
        named = [(str(mint.article_graph(a.article_id)), a.data) for a in articles]
        named += [(str(mint.provenance_graph(a.article_id)), a.provenance) for a in articles]
        return {"kg.nt": nt_blocks(data), "kg.ttl": turtle_blocks(data, base),
                "kg.jsonld": jsonld_blocks(data, base), "kg.trig": trig_blocks(named, base)}

    old_blocks, new_blocks = blocks(before, shared_before), blocks(after, shared_after)
    out = {}
    for name, layout in layouts.items():  # an OSError (a file changed or gone) tells the caller to render anew
        changes: dict[str, Block | None] = {b.key: None for b in old_blocks[name]}
        changes.update((b.key, b) for b in new_blocks[name])
        header = prefix_header if layout.prefixes is not None else None
        out[name] = patch_layout(old / name, layout, changes, {b.key: b for b in old_blocks[name]},
                                 staged / name, header)
    share_keys(out)
    return out


