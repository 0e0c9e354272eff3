"""Where each block of a written file sits, so a rebuild rewrites only the blocks that changed.

Every whole-graph file kgpub writes is a header, then one block per key in
key order (a subject in kg.nt, kg.ttl and kg.jsonld, a named graph in
kg.trig) joined by a separator, then a footer.  A :class:`Layout` records the
keys and the byte size of each block.  When one article of ten thousand
changes, :func:`patch` writes the new file by copying the unchanged runs of
blocks straight from the previous file (in the kernel, without reading them
into Python) and writing only the changed blocks: the bytes are those a full
render would give, at the cost of the changed blocks.
"""

from __future__ import annotations

import array
import bisect
import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO


@dataclass(frozen=True)
class Block:
    """One block of a file: its key, its text, and the prefixes it uses (for the ``@prefix`` header)."""

    key: str
    text: str
    prefixes: frozenset[str] = frozenset()


def size_of(text: str) -> int:
    """Bytes of ``text`` in UTF-8, without encoding it when it is ASCII (nearly always)."""
    return len(text) if text.isascii() else len(text.encode("utf-8"))


#: The last keys joined for pickling and the last string split when unpickling (shared by the next layout).
_JOINED: dict[int, tuple[list[str], str]] = {}
_SPLIT: dict[int, tuple[str, list[str]]] = {}


@dataclass
class Layout:
    """A file as ``header + sep.join(blocks) + footer``: keys in order and each block's size in bytes."""

    keys: list[str]
    sizes: Sequence[int]  # an array of unsigned 64-bit integers once pickled
    header: bytes
    sep: bytes = b""
    footer: bytes = b""
    #: How many blocks use each prefix; None when the header does not depend on the blocks.
    prefixes: Counter[str] | None = None
    #: Which prefix namespaces the header may list (Turtle and TriG only).
    namespaces: dict[str, str] = field(default_factory=dict)

    def __getstate__(self) -> dict[str, object]:
        """Keys as one string and sizes as an array: a tenth of the time of pickling lists of objects.

        Layouts with the same keys (kg.nt and kg.ttl: one block per subject)
        pickled together store them once: the joined string is shared.
        """
        state = dict(self.__dict__)
        joined = _JOINED.get(id(self.keys))
        if joined is None or joined[0] is not self.keys:
            joined = (self.keys, "\n".join(self.keys))
            _JOINED.clear()
            _JOINED[id(self.keys)] = joined
        state["keys"] = joined[1]
        state["sizes"] = array.array("Q", self.sizes)
        if self.prefixes is not None:  # counted from sets: in sorted order, the same bytes in every process
            state["prefixes"] = Counter(dict(sorted(self.prefixes.items())))
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        keys = state["keys"]
        assert isinstance(keys, str)
        split = _SPLIT.get(id(keys))
        if split is None or split[0] is not keys:
            split = (keys, keys.split("\n") if keys else [])
            _SPLIT.clear()
            _SPLIT[id(keys)] = split
        state["keys"] = split[1]  # shared, never changed in place: a patch makes new lists
        self.__dict__.update(state)

    def total(self) -> int:
        """The size of the file this layout describes, to tell whether the file is still that file."""
        return len(self.header) + sum(self.sizes) + len(self.sep) * max(len(self.sizes) - 1, 0) + len(self.footer)

    @classmethod
    def of(cls, blocks: list[Block], header: str, sep: str = "", footer: str = "",
           namespaces: dict[str, str] | None = None) -> Layout:
        counts: Counter[str] | None = None
        if namespaces is not None:
            counts = Counter(p for b in blocks for p in b.prefixes)
        return cls([b.key for b in blocks], [size_of(b.text) for b in blocks], header.encode("utf-8"),
                   sep.encode("utf-8"), footer.encode("utf-8"), counts, dict(namespaces or {}))


def share_keys(layouts: dict[str, Layout]) -> None:
    """Let layouts with equal keys hold one list, so they are stored once (see ``Layout.__getstate__``)."""
    seen: list[list[str]] = []
    for layout in layouts.values():
        same = next((keys for keys in seen if keys == layout.keys), None)
        if same is None:
            seen.append(layout.keys)
        else:
            layout.keys = same


def render(blocks: list[Block], layout: Layout) -> bytes:
    """The file ``layout`` describes, from its blocks (a full render)."""
    texts = [b.text for b in blocks] or [""]
    texts[0] = layout.header.decode("utf-8") + texts[0]  # one join and one encoding: no third copy of the file
    texts[-1] += layout.footer.decode("utf-8")
    return layout.sep.decode("utf-8").join(texts).encode("utf-8")


def write_spooled(blocks: Iterable[Block], stream: BinaryIO, body: Path, header: Callable[[set[str]], str],
                  sep: str = "", chunk: int = 1 << 24, namespaces: dict[str, str] | None = None,
                  placed: Callable[[Block, int, int], None] | None = None) -> Layout:
    """The file of ``blocks`` (as :func:`write` writes it, no footer) written to ``stream`` without holding them,
    when its header depends on every block (the ``@prefix`` lines a Turtle or TriG file uses); its layout.

    Each block goes to the file ``body`` as it is made, about ``chunk`` characters at a time; once the last is
    there, ``header(every prefix used)`` and then the body are written to ``stream``.  ``placed(block, offset,
    size)`` learns where each block's bytes sit in ``body``, for a later file that reuses them while it exists.
    """
    keys: list[str] = []
    sizes = array.array("Q")
    counts: Counter[str] = Counter()
    separator = len(sep.encode("utf-8"))
    pending: list[str] = []
    held = offset = 0
    with open(body, "wb") as spooled:
        for block in blocks:
            if keys:
                pending.append(sep)
                offset += separator
            size = size_of(block.text)
            if placed is not None:
                placed(block, offset, size)
            offset += size
            keys.append(block.key)
            sizes.append(size)
            counts.update(block.prefixes)
            pending.append(block.text)
            held += len(block.text)
            if held >= chunk:
                spooled.write("".join(pending).encode("utf-8"))
                pending, held = [], 0
        spooled.write("".join(pending).encode("utf-8"))
    head = header(set(counts)).encode("utf-8")
    stream.write(head)
    with open(body, "rb") as spooled:
        shutil.copyfileobj(spooled, stream, 1 << 20)
    return Layout(keys, sizes, head, sep.encode("utf-8"), b"", counts if namespaces is not None else None,
                  dict(namespaces or {}))


def write(blocks: list[Block] | bytes, layout: Layout, stream: BinaryIO, chunk: int = 1 << 24) -> None:
    """The file ``layout`` describes written to ``stream`` a piece at a time: the same bytes as :func:`render`
    gives, with never more than about ``chunk`` characters of it joined in memory (a whole file would be a
    copy, and its encoding a second, of the largest thing a build holds)."""
    if isinstance(blocks, bytes):  # already the file (kg.nt: the build's encoded data)
        stream.write(blocks)
        return
    stream.write(layout.header)
    sep = layout.sep.decode("utf-8")
    pending: list[str] = []
    size = 0
    for i, block in enumerate(blocks):
        if i:
            pending.append(sep)
        pending.append(block.text)
        size += len(block.text)
        if size >= chunk:
            stream.write("".join(pending).encode("utf-8"))
            pending, size = [], 0
    if pending:
        stream.write("".join(pending).encode("utf-8"))
    stream.write(layout.footer)


def patch(old: Path, layout: Layout, changes: dict[str, Block | None], replaced: dict[str, Block],
          target: Path, header: Callable[[dict[str, str]], str] | None = None) -> Layout:
    """Write to ``target`` the file ``old`` (laid out as ``layout``) with ``changes`` applied; return its layout.

    ``changes`` maps a key to its new block, or to None to drop it; a key the
    file lacks is inserted in key order.  ``replaced`` holds the previous
    blocks of changed keys, so the prefix counts (and with them the ``@prefix``
    header, through ``header``) stay exact.
    """
    if old.stat().st_size != layout.total():
        raise OSError(f"{old}: changed since it was written")
    starts = _starts(layout)
    counts = Counter(layout.prefixes) if layout.prefixes is not None else None
    pieces: list[tuple[int, int] | bytes] = []  # copied ranges of the old file, or new blocks
    keys: list[str] = []
    sizes = array.array("Q")
    at = 0
    for key in sorted(changes):
        i = bisect.bisect_left(layout.keys, key, lo=at)
        if i > at:
            pieces.append((starts[at], starts[i - 1] + layout.sizes[i - 1]))
            keys += layout.keys[at:i]
            sizes += _array(layout.sizes[at:i])
        present = i < len(layout.keys) and layout.keys[i] == key
        if present:
            at = i + 1
            if counts is not None:
                counts.subtract(replaced[key].prefixes)
        else:
            at = i
        block = changes[key]
        if block is not None:
            text = block.text.encode("utf-8")
            pieces.append(text)
            keys.append(key)
            sizes.append(len(text))
            if counts is not None:
                counts.update(block.prefixes)
    if at < len(layout.keys):
        pieces.append((starts[at], starts[-1] + layout.sizes[-1]))
        keys += layout.keys[at:]
        sizes += _array(layout.sizes[at:])
    if counts is not None:
        counts = +counts  # drop the prefixes no block uses any more
    head = layout.header
    if header is not None and counts is not None:
        head = header({p: layout.namespaces[p] for p in counts}).encode("utf-8")
    with open(old, "rb") as source, open(target, "wb") as out:
        out.write(head)
        for n, piece in enumerate(pieces):
            if n:
                out.write(layout.sep)
            if isinstance(piece, bytes):
                out.write(piece)
            else:
                _copy(source, out, *piece)
        out.write(layout.footer)
    return Layout(keys, sizes, head, layout.sep, layout.footer, counts, layout.namespaces)


def _array(sizes: Sequence[int]) -> array.array[int]:
    """Sizes of a layout read back from disk (``__setstate__`` keeps them as an array): only those are patched."""
    if not isinstance(sizes, array.array):
        raise TypeError(f'can only extend array with array (not "{type(sizes).__name__}")')
    return sizes


def _starts(layout: Layout) -> list[int]:
    """The byte offset of each block in the file."""
    starts = []
    at = len(layout.header)
    step = len(layout.sep)
    for size in layout.sizes:
        starts.append(at)
        at += size + step
    return starts


def _copy(source: BinaryIO, out: BinaryIO, start: int, end: int) -> None:
    """Copy bytes ``start:end`` of ``source`` to the end of ``out``, in the kernel where it can."""
    out.flush()
    remaining = end - start
    offset = start
    try:
        while remaining > 0:
            done = os.copy_file_range(source.fileno(), out.fileno(), remaining, offset)
            if done == 0:
                break
            offset += done
            remaining -= done
        out.seek(0, os.SEEK_END)
    except (AttributeError, OSError):  # no copy_file_range here (not Linux, or another filesystem)
        out.seek(0, os.SEEK_END)
    if remaining > 0:
        source.seek(offset)
        while remaining > 0:
            chunk = source.read(min(remaining, 1 << 22))
            if not chunk:
                raise OSError(f"{source.name}: shorter than its recorded layout")
            out.write(chunk)
            remaining -= len(chunk)


@dataclass
class Stats:
    """What void.ttl counts about the data, kept so a rebuild updates the counts instead of recounting."""

    triples: int = 0
    subjects: int = 0
    entities: int = 0
    properties: Counter[str] = field(default_factory=Counter)
    classes: Counter[str] = field(default_factory=Counter)

    def __add__(self, other: Stats) -> Stats:
        return Stats(self.triples + other.triples, self.subjects + other.subjects, self.entities + other.entities,
                     self.properties + other.properties, self.classes + other.classes)

    def __sub__(self, other: Stats) -> Stats:
        return Stats(self.triples - other.triples, self.subjects - other.subjects, self.entities - other.entities,
                     self.properties - other.properties, self.classes - other.classes)


__all__ = ["Block", "Layout", "Stats", "patch", "render", "share_keys", "size_of"]
