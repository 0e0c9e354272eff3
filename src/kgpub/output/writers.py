"""Stage 5 — the build's whole-graph files: one registry, :data:`WRITERS`, of every format a build writes.

A format is one :class:`Writer`: its name, its file, its :class:`~kgpub.rdf.formats.Format` (VoID's media type
comes from there), how to render the whole file from a build's lines, and how to render some subjects' (or
graphs') blocks, with which a rebuild patches the previous file (see ``layout``).  The build renders, patches,
sizes and lists every registered file by iterating the registry, so adding a format is one entry here and its
writer: nothing else names a format for writing.

Two promises shape every writer.  *Byte-stable*: the same input gives the same
bytes on every run (sorted subjects, predicates, objects and graphs; no blank
nodes; no clock), so a diff of the published graph shows only what changed.
*All or nothing*: files are written into a temporary folder beside the output
and swapped in only when every one of them is complete (see ``folder`` and
``execution``), so a failed build never leaves a half-written ``dist/``.
"""

from __future__ import annotations

import array
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from kgpub.output.blocks import (ArticleLines, Names, by_subject, each_subject_block, each_trig_block, jsonld_blocks,
                                 header_of, jsonld_frame, jsonld_nodes, nt_blocks, prefix_header, prefixes, subject_blocks,
                                 trig_blocks, turtle_blocks, turtle_file, turtle_layout)
from kgpub.output.layout import Block, Layout, size_of, write_spooled
from kgpub.output.layout import patch as patch_layout
from kgpub.output.layout import render as render_blocks
from kgpub.output.layout import write as write_blocks
from kgpub.output.layout import share_keys
from kgpub.rdf import formats, ntriples
from kgpub.rdf.ntriples import LineBlob, SortedLines

if TYPE_CHECKING:
    from kgpub.pipeline.mapping import Minter


@dataclass
class BuildLines:
    """What a writer renders: a build's sorted data lines and named graphs (and, for the article files, each
    article's lines and the registry's).  A rebuild passes only the changed subjects' lines and graphs, to
    render their blocks."""

    mint: Minter
    #: The sorted, de-duplicated lines of the data: the registry and every article graph.
    data: SortedLines
    #: Every named graph with its sorted lines (see :func:`named_lines`).
    named: list[tuple[str, SortedLines]]
    articles: list[ArticleLines] = field(default_factory=list)
    registry: list[str] = field(default_factory=list)
    _turtle: tuple[list[Block], Layout] | None = field(default=None, init=False, repr=False, compare=False)
    #: kg.ttl's blocks of the subjects articles own, where its streamed writer left them (see :class:`OwnedBlocks`).
    spooled: OwnedBlocks | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def base(self) -> str:
        return self.mint.base

    def turtle(self) -> tuple[list[Block], Layout]:
        """kg.ttl's blocks and layout, made once: kg.trig and the article files reuse the blocks."""
        if self._turtle is None:
            self._turtle = turtle_layout(self.data, self.base)
        return self._turtle

    def owned(self) -> Owned:
        """kg.ttl's blocks of the subjects articles own, for kg.trig and the article files to reuse: read back from
        where kg.ttl's streamed writer spooled them, else made whole in memory."""
        if self.spooled is not None:
            return self.spooled.reader
        whole = {b.key: b for b in self.turtle()[0]}
        return lambda article_id: whole.__getitem__


#: An article's id -> its subjects' blocks in kg.ttl: called with each subject the article owns, in sorted order.
Owned = Callable[[str], Callable[[str], Block]]


class OwnedBlocks:
    """Where kg.ttl's blocks of the subjects each article owns sit in the file its streamed writer spooled.

    kg.trig's article graphs and the article files hold those blocks again
    (see :func:`_trig`): read back from the spooled body one at a time, they
    cost a read instead of being rendered twice more, and the writer never
    holds kg.ttl's blocks (at ten million triples, gigabytes of strings).  An
    article's subjects come in the same sorted order in kg.ttl and in its own
    lines, so each article keeps its blocks' places in that order, four
    integers a block, and its readers take them in turn (each checked against
    kg.ttl's keys).
    """

    def __init__(self, body: Path, mint: Minter, articles: Iterable[str]) -> None:
        self.body = body
        self._under = f"<{mint.base}article/"
        self._articles = set(articles)
        # per block, in subject order: its offset and size in the body, its prefix set, its place among the keys
        self._spans: dict[str, array.array[int]] = {}
        self._prefix_sets: dict[frozenset[str], int] = {}
        self._sets: list[frozenset[str]] = []
        self._placed = 0
        #: kg.ttl's keys, once written (see :meth:`reader`).
        self.keys: list[str] = []
        self._fd: int | None = None

    def placed(self, block: Block, offset: int, size: int) -> None:
        """Remember ``block`` at ``offset`` in the body when an article owns its subject."""
        key = block.key
        self._placed += 1
        if not key.startswith(self._under):
            return
        rest = key[len(self._under):]
        cut = rest.find("/")
        article = rest[:cut if cut != -1 else -1]  # an id holds no '/' and no '>'
        if article not in self._articles:
            return
        kind = self._prefix_sets.get(block.prefixes)
        if kind is None:
            kind = self._prefix_sets[block.prefixes] = len(self._sets)
            self._sets.append(block.prefixes)
        self._spans.setdefault(article, array.array("Q")).extend((offset, size, kind, self._placed - 1))

    def reader(self, article_id: str) -> Callable[[str], Block]:
        """The article's blocks in turn: each call, with the next subject it owns, gives that subject's block."""
        if self._fd is None:
            self._fd = os.open(self.body, os.O_RDONLY)
        fd, spans, sets, keys = self._fd, self._spans.get(article_id, array.array("Q")), self._sets, self.keys
        at = iter(range(0, len(spans), 4))

        def block(subject: str) -> Block:
            i = next(at, None)
            if i is None or keys[spans[i + 3]] != subject:
                raise AssertionError(f"{subject} is not the next subject {article_id} owns in kg.ttl")
            return Block(subject, os.pread(fd, spans[i + 1], spans[i]).decode("utf-8"), sets[spans[i + 2]])

        return block

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


@dataclass(frozen=True)
class Writer:
    """One whole-graph file of every build."""

    #: What the format is called (the format table's name, for the formats it knows).
    name: str
    #: The file in the build folder.
    file: str
    format: formats.Format
    #: The whole file's blocks (or its bytes, when they are at hand) and its layout, from every line of a build.
    lay: Callable[[BuildLines], tuple[list[Block] | bytes, Layout]]
    #: The blocks of the subjects (or graphs) these lines hold, to patch the file when few articles changed.
    blocks: Callable[[BuildLines], list[Block]]
    #: Which of the build's rendering processes writes it: part 0 also counts the data, part 1 writes the
    #: article files (they reuse kg.ttl's blocks, so kg.ttl and kg.trig go there too).  Balance them.
    part: int = 0
    #: Writes the whole file to a stream without holding all its blocks (they go to the spill folder meanwhile,
    #: when the file's header needs them all first): ``(lines, stream, chunk, spill folder) -> layout``.
    stream: Callable[[BuildLines, BinaryIO, int, Path], Layout] | None = None

    def render(self, lines: BuildLines) -> tuple[bytes, Layout]:
        """The whole file and its layout."""
        content, layout = self.lay(lines)
        return (content if isinstance(content, bytes) else render_blocks(content, layout)), layout

    def write(self, lines: BuildLines, stream: BinaryIO, chunk: int, spill: Path) -> Layout:
        """The whole file written to ``stream`` a piece of about ``chunk`` characters at a time; its layout.
        ``spill``: a folder for what does not fit in memory meanwhile."""
        if self.stream is not None:
            return self.stream(lines, stream, chunk, spill)
        content, layout = self.lay(lines)
        write_blocks(content, layout, stream, chunk)
        return layout


# --------------------------------------------------------------------------- the writers

def _nt(lines: BuildLines) -> tuple[list[Block] | bytes, Layout]:
    """kg.nt is the sorted lines themselves and its layout (as :func:`_nt_streamed` writes them)."""
    import io

    content = io.BytesIO()
    layout = _nt_streamed(lines, content, 1 << 22, Path())
    return content.getvalue(), layout


def _nt_streamed(lines: BuildLines, stream: BinaryIO, chunk: int, spill: Path) -> Layout:
    """kg.nt as :func:`_nt` gives it, copied a piece at a time from the data (which may live in a file), each
    subject's size measured in the bytes: nothing decoded but the subjects."""
    data = lines.data if isinstance(lines.data, LineBlob) else LineBlob.of(lines.data)
    keys: list[str] = []
    sizes = array.array("Q")
    last = b""
    for piece in data.pieces(min(chunk, 1 << 22)):
        stream.write(piece)
        split = piece.split(b"\n")
        split.pop()  # after the last newline
        for line in split:
            s = line[:line.index(b" ")]
            if s != last:
                keys.append(s.decode("utf-8"))
                sizes.append(0)
                last = s
            sizes[-1] += len(line) + 1
    return Layout(keys, sizes, b"")


def _turtle(lines: BuildLines) -> tuple[list[Block] | bytes, Layout]:
    return lines.turtle()


def _turtle_streamed(lines: BuildLines, stream: BinaryIO, chunk: int, spill: Path) -> Layout:
    """kg.ttl as :func:`_turtle` renders it, each block spooled to ``spill`` as it is made; the body stays there
    for kg.trig and the article files (``lines.spooled``)."""
    known = prefixes(lines.base)
    owned = OwnedBlocks(spill / "kg.ttl.body", lines.mint, (a.article_id for a in lines.articles))
    layout = write_spooled(each_subject_block(lines.data, Names(known)), stream, owned.body, header_of(known), "\n",
                           chunk, known, owned.placed)
    owned.keys = layout.keys
    lines.spooled = owned
    return layout


def _jsonld(lines: BuildLines) -> tuple[list[Block] | bytes, Layout]:
    """Compact JSON-LD: one ``@context`` of the project prefixes, nodes and values sorted.

    Written here because rdflib's JSON-LD serializer orders nodes by set
    iteration (different on every run) and pyoxigraph writes expanded JSON-LD.
    """
    blocks = jsonld_blocks(lines.data, lines.base)
    head, foot = jsonld_frame(dict(sorted(prefixes(lines.base).items())), bool(blocks))
    return blocks, Layout.of(blocks, head, ",\n", foot)


def _jsonld_streamed(lines: BuildLines, stream: BinaryIO, chunk: int, spill: Path) -> Layout:
    """kg.jsonld as :func:`_jsonld` renders it, its nodes sorted in runs of about ``chunk`` characters spilled
    to ``spill`` and merged (``execution.spilled_sort``): the writer never holds every node at once."""
    from kgpub.execution import spilled_sort

    context = dict(sorted(prefixes(lines.base).items()))
    head, foot = jsonld_frame(context, True)
    keys: list[str] = []
    sizes: list[int] = []
    nodes = spilled_sort(((b.key, b.text) for b in jsonld_nodes(lines.data, lines.base)), chunk, spill)
    pending = [head]  # written before the first node, or (no node) replaced by the empty document's frame
    size = 0
    for key, text in nodes:
        pending.append(",\n" + text if keys else text)
        keys.append(key)
        sizes.append(size_of(text))
        size += len(text)
        if size >= chunk:
            stream.write("".join(pending).encode("utf-8"))
            pending, size = [], 0
    if not keys:
        head, foot = jsonld_frame(context, False)
        pending = [head]
    stream.write(("".join(pending) + foot).encode("utf-8"))
    return Layout(keys, sizes, head.encode("utf-8"), b",\n", foot.encode("utf-8"), None, {})


def _trig(lines: BuildLines) -> tuple[list[Block] | bytes, Layout]:
    """TriG with one block per named graph, graphs in IRI order.

    An article owns every subject under its IRI and states all of that
    subject's lines, so in the article's graph such a subject's block is its
    block in kg.ttl indented: written once, kg.trig costs half.
    """
    return trig_layout(lines.named, lines.base, _reuse(lines))


def _reuse(lines: BuildLines) -> Callable[[str], Callable[[str], Block | None]]:
    """For kg.trig's graph of that IRI, its subject's kg.ttl block where an article owns both (else None)."""
    owned = lines.owned()
    owners = {str(lines.mint.article_graph(a.article_id)): (a.article_id, f"<{lines.mint.article(a.article_id)}")
              for a in lines.articles}

    def reuse(graph: str) -> Callable[[str], Block | None]:
        if graph not in owners:
            return lambda subject: None
        article_id, own = owners[graph]
        take = owned(article_id)
        return lambda subject: take(subject) if subject.startswith(own) and subject[len(own)] in "/>" else None

    return reuse


def _trig_streamed(lines: BuildLines, stream: BinaryIO, chunk: int, spill: Path) -> Layout:
    """kg.trig as :func:`_trig` renders it, each graph's block spooled to ``spill`` as it is made."""
    known = prefixes(lines.base)
    body = spill / "kg.trig.body"
    try:
        return write_spooled(each_trig_block(lines.named, lines.base, Names(known), _reuse(lines)), stream, body,
                             header_of(known), "\n", chunk, known)
    finally:
        body.unlink(missing_ok=True)


def trig_layout(named: list[tuple[str, SortedLines]], base: str,
                reuse: Callable[[str], Callable[[str], Block | None]] | None = None) -> tuple[list[Block], Layout]:
    """kg.trig's blocks and layout; ``reuse`` as :func:`~kgpub.output.blocks.trig_blocks` takes it."""
    names = Names(prefixes(base))
    blocks = trig_blocks(named, base, names, reuse)
    known = prefixes(base)
    used = frozenset[str]().union(*(b.prefixes for b in blocks))  # reused blocks' prefixes too
    return blocks, Layout.of(blocks, header_of(known)(used), "\n", namespaces=known)


def trig_file(named: list[tuple[str, SortedLines]], base: str,
              reuse: Callable[[str], Callable[[str], Block | None]] | None = None) -> tuple[bytes, Layout]:
    """kg.trig and its layout; ``reuse`` as :func:`~kgpub.output.blocks.trig_blocks` takes it."""
    blocks, layout = trig_layout(named, base, reuse)
    return render_blocks(blocks, layout), layout


def _format(name: str) -> formats.Format:
    found = formats.by_name(name)
    assert found is not None, name
    return found


#: Every whole-graph file a build writes, in the order they are rendered within a part.
WRITERS: tuple[Writer, ...] = (
    Writer("jsonld", "kg.jsonld", _format("jsonld"), _jsonld, lambda lines: jsonld_blocks(lines.data, lines.base),
           stream=_jsonld_streamed),
    Writer("ntriples", "kg.nt", _format("ntriples"), _nt, lambda lines: nt_blocks(lines.data), stream=_nt_streamed),
    Writer("turtle", "kg.ttl", _format("turtle"), _turtle, lambda lines: turtle_blocks(lines.data, lines.base),
           part=1, stream=_turtle_streamed),
    Writer("trig", "kg.trig", _format("trig"), _trig, lambda lines: trig_blocks(lines.named, lines.base), part=1,
           stream=_trig_streamed),
)


def file_names() -> tuple[str, ...]:
    """The registered files, in registry order."""
    return tuple(w.file for w in WRITERS)


def by_name(name: str) -> Writer:
    """The registered writer called ``name``."""
    return next(w for w in WRITERS if w.name == name)


def file_of(name: str) -> str:
    """The file of the writer called ``name`` (``trig``: the file a query, a load or a site reads)."""
    return by_name(name).file


# --------------------------------------------------------------------------- rendering a build

#: The writer whose blocks the article files reuse: they are written in its part.
_ARTICLES_WITH = "turtle"


@dataclass(frozen=True)
class Part:
    """The writers one process of a build renders, and whether it writes the article files too."""

    writers: tuple[Writer, ...]
    articles: bool


def parts() -> list[Part]:
    """The registry split by :attr:`Writer.part`, in part order: what each of the build's processes renders."""
    numbers = sorted({w.part for w in WRITERS})
    return [Part(tuple(w for w in WRITERS if w.part == n), any(w.part == n and w.name == _ARTICLES_WITH
                                                               for w in WRITERS)) for n in numbers]


def render(part: Part, lines: BuildLines) -> tuple[dict[str, tuple[bytes, Layout]], dict[str, bytes]]:
    """Each of the part's files with its layout, and (when the part writes them) every article's file by path."""
    made = {w.file: w.render(lines) for w in part.writers}
    articles: dict[str, bytes] = {}
    if part.articles:
        articles = {f"articles/{i}.ttl": text
                    for i, text in _article_files(lines.owned(), lines.articles, by_subject(lines.registry),
                                                  lines.mint)}
    return made, articles


def write(part: Part, lines: BuildLines, staged: Path, chunk: int) -> dict[str, Layout]:
    """Write the part's files into ``staged`` as :func:`render` makes them, each streamed about ``chunk``
    characters at a time and each article's file as soon as it is made: what a writer process holds is the
    blocks of the file it writes, never the file itself too.  Returns the whole-graph files' layouts."""
    import shutil
    import tempfile

    layouts: dict[str, Layout] = {}
    spill = Path(tempfile.mkdtemp(prefix=".spill-", dir=staged))
    try:
        for writer in part.writers:
            with open(staged / writer.file, "wb") as stream:
                layouts[writer.file] = writer.write(lines, stream, chunk, spill)
        if part.articles:
            for article_id, text in _article_files(lines.owned(), lines.articles, by_subject(lines.registry),
                                                   lines.mint):
                path = staged / "articles" / f"{article_id}.ttl"
                if path.parent.name != "articles" or path.parent.parent != staged:
                    path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(text)
    finally:
        if lines.spooled is not None:  # its body goes with the spill folder
            lines.spooled.close()
            lines.spooled = None
        shutil.rmtree(spill, ignore_errors=True)
    return layouts


def release_graph(mint: Minter) -> str:
    """The named graph of the release a build is (see ``void.release_lines``)."""
    return f"{mint.dataset()}/release"


def named_lines(mint: Minter, registry: list[str], registry_provenance: list[str],
                articles: list[ArticleLines], release: list[str] | None = None) -> list[tuple[str, SortedLines]]:
    """Every named graph of a build (registry, articles, provenance, the release when there is one) with its lines."""
    named: list[tuple[str, SortedLines]] = [(str(mint.registry_graph()), registry),
                                          (str(mint.registry_provenance_graph()), registry_provenance)]
    if release:
        named.append((release_graph(mint), release))
    for a in articles:
        named.append((str(mint.article_graph(a.article_id)), a.data))
        named.append((str(mint.provenance_graph(a.article_id)), a.provenance))
    return named


# --------------------------------------------------------------------------- the article files

def article_file(own: SortedLines, registry: dict[str, list[str]], base: str) -> bytes:
    """An article's Turtle file, readable alone: its graph plus the registry entries it mentions."""
    objects = {ntriples.split(line)[2] for line in own}
    extra = [line for subject in sorted(objects & registry.keys()) for line in registry[subject]]
    return turtle_file(sorted(set(own) | set(extra)), base)[0]


def _article_files(owned: Owned, articles: list[ArticleLines], registry: dict[str, list[str]],
                   mint: Minter) -> Iterator[tuple[str, bytes]]:
    """Each article's id and file (as :func:`article_file` writes it) from ``owned``, kg.ttl's blocks of the
    subjects each article owns, one at a time.

    An article owns every subject under its IRI and states all of that
    subject's lines, so such a subject's block in the article's file is its
    block in kg.ttl.  Only the registry entities an article mentions are
    written again (an entity's registry block once for every article, its
    block with the article's own relations once for that article): a fifth of
    the cost of writing each file whole.
    """
    known = prefixes(mint.base)
    names = Names(known)
    alone: dict[str, Block] = {}  # a registry entity's block of its registry lines only
    split = ntriples.split
    for article in articles:
        own = f"<{mint.article(article.article_id)}"
        take = owned(article.article_id)
        chosen: list[Block] = []
        foreign: dict[str, list[str]] = {}  # its lines about subjects it does not own
        mentioned: set[str] = set()
        last, mine = "", False
        for line in article.data:
            s, _, obj = split(line)
            if s != last:
                last = s
                mine = last.startswith(own) and last[len(own)] in "/>"
                if mine:
                    chosen.append(take(last))
            if not mine:
                foreign.setdefault(last, []).append(line)
            if obj in registry:
                mentioned.add(obj)
        for subject in foreign.keys() | mentioned:
            if subject not in foreign:
                block = alone.get(subject)
                if block is None:
                    block = alone[subject] = subject_blocks(registry[subject], names)[0]
            else:
                lines = set(foreign[subject]) | set(registry[subject] if subject in mentioned else ())
                block = subject_blocks(sorted(lines), names)[0]
            chosen.append(block)
        chosen.sort(key=lambda b: b.key)
        used = {p: known[p] for b in chosen for p in b.prefixes}
        yield article.article_id, (prefix_header(used) + "\n".join(b.text for b in chosen)).encode("utf-8")


# --------------------------------------------------------------------------- patching a build

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
    An OSError (a file changed or gone, or a registered file the previous build lacks) tells the caller to
    render anew.
    """
    def lines_of(articles: list[ArticleLines], shared: dict[str, list[str]]) -> BuildLines:
        subject = ntriples.subject
        data = sorted({line for a in articles for line in a.data if subject(line) not in shared}
                      | {line for lines in shared.values() for line in lines})
        named: list[tuple[str, SortedLines]] = [(str(mint.article_graph(a.article_id)), a.data) for a in articles]
        named += [(str(mint.provenance_graph(a.article_id)), a.provenance) for a in articles]
        return BuildLines(mint, data, named)

    old_lines, new_lines = lines_of(before, shared_before), lines_of(after, shared_after)
    out = {}
    for writer in WRITERS:
        layout = layouts.get(writer.file)
        if layout is None:
            raise OSError(f"{old / writer.file}: not written by the previous build")
        old_blocks, new_blocks = writer.blocks(old_lines), writer.blocks(new_lines)
        changes: dict[str, Block | None] = {b.key: None for b in old_blocks}
        changes.update((b.key, b) for b in new_blocks)
        header = prefix_header if layout.prefixes is not None else None
        out[writer.file] = patch_layout(old / writer.file, layout, changes, {b.key: b for b in old_blocks},
                                        staged / writer.file, header)
    share_keys(out)
    return out
