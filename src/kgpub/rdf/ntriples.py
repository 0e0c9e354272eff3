"""Reading kgpub's own N-Triples lines without a parser.

Every line kgpub writes is canonical N-Triples (one triple, IRIs in angle
brackets, one space between terms, `` .`` at the end), and the build's blocks,
caches, diffs and validation work on those lines as strings, which is many
times faster than parsing them.  The subject of such a line is an IRI or a
blank node label and cannot contain a space, so it ends at the first space.
Here, once, instead of ``line.index("> ")`` in every room.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node


def subject(line: str) -> str:
    """The subject term as written: ``<iri>`` or ``_:label``."""
    return line[: line.index(" ")]


def subject_iri(line: str) -> str:
    """The subject's IRI without its angle brackets (the line's subject must be an IRI)."""
    return line[1: line.index("> ")]


def split(line: str) -> tuple[str, str, str]:
    """Subject, predicate and object as written (the object keeps its quotes, language or datatype)."""
    s_end = line.index(" ")
    p_end = line.index(" ", s_end + 1)
    tail = line.rstrip()
    return line[:s_end], line[s_end + 1: p_end], tail[p_end + 1: -2] if tail.endswith(" .") else tail[p_end + 1:]


def pieces(data: bytes | LineBlob, size: int) -> Iterator[bytes]:
    """N-Triples bytes (or a blob's) in pieces of about ``size`` bytes, each cut after a line's end: a bulk loader
    given one piece at a time holds what it parses of that piece, not of the whole graph."""
    if isinstance(data, LineBlob):
        yield from data.pieces(size)
        return
    start = 0
    size = max(1, size)
    while start < len(data):
        end = data.find(b"\n", min(start + size, len(data)) - 1)
        end = len(data) if end == -1 else end + 1
        yield data[start:end] if start or end < len(data) else data
        start = end


class LineBlob:
    """Sorted, de-duplicated N-Triples lines kept as one UTF-8 ``bytes``: a build's graphs as it holds them.

    A million lines as Python strings cost half as much again as their text, and a forked writer that only
    reads them copies every page they are on (reading an object writes its reference count).  One ``bytes``
    costs its text; iterating it decodes a piece at a time, so a reader holds a piece, never the lines.
    It iterates, compares and counts like the list of lines it was made from.

    A blob may also live in a file (:meth:`in_file`, :meth:`spool`): a build of ten million triples holds
    gigabytes of lines, which then cost no memory at all, each piece read when it is iterated.  Pickled, a
    blob carries its bytes wherever they live (a cache entry must hold its lines, not a place in a spill file).
    """

    __slots__ = ("_data", "_place", "_count")

    #: Bytes decoded at a time while iterating.
    PIECE = 1 << 20

    def __init__(self, data: bytes, count: int | None = None) -> None:
        self._data: bytes | None = data
        self._place: tuple[str, int, int] | None = None  # file, offset, size
        self._count = count

    @classmethod
    def of(cls, lines: Iterable[str]) -> LineBlob:
        """The blob of these lines (already sorted and de-duplicated, each ending in a newline)."""
        if isinstance(lines, LineBlob):
            return lines
        text = lines if isinstance(lines, list) else list(lines)
        return cls("".join(text).encode("utf-8"), len(text))

    @classmethod
    def in_file(cls, path: Path | str, offset: int, size: int, count: int | None = None) -> LineBlob:
        """The blob whose bytes are ``size`` bytes of the file ``path`` from ``offset`` (kept there while it lives)."""
        blob = cls(b"", count)
        blob._data, blob._place = None, (str(path), offset, size)
        return blob

    def spool(self, stream: BinaryIO) -> None:
        """Move this blob's bytes to the end of the open file ``stream`` (its name is where it will read them,
        once the stream is flushed)."""
        if self._data is None:
            return
        self._count = len(self)
        offset = stream.tell()
        size = stream.write(self._data)
        self._data, self._place = None, (os.path.abspath(stream.name), offset, size)

    @property
    def data(self) -> bytes:
        """Every byte of the lines (read whole from its file when it lives in one: for small blobs)."""
        if self._data is not None:
            return self._data
        assert self._place is not None
        path, offset, size = self._place
        with open(path, "rb") as stream:
            stream.seek(offset)
            return stream.read(size)

    @property
    def size(self) -> int:
        """The lines' bytes, counted without reading them."""
        return len(self._data) if self._data is not None else self._place[2] if self._place is not None else 0

    def pieces(self, size: int) -> Iterator[bytes]:
        """The bytes in pieces of about ``size``, each cut after a line's end (read a piece at a time from a file)."""
        if self._data is not None:
            yield from pieces(self._data, size)
            return
        assert self._place is not None
        path, offset, total = self._place
        size = max(1, size)
        with open(path, "rb") as stream:
            stream.seek(offset)
            rest = b""
            left = total
            while left:
                read = stream.read(min(size, left))
                if not read:
                    raise OSError(f"{path}: shorter than its lines")
                left -= len(read)
                piece = rest + read
                end = piece.rfind(b"\n") + 1 if left else len(piece)
                rest = piece[end:]
                if end:
                    yield piece[:end]

    def __iter__(self) -> Iterator[str]:
        for piece in self.pieces(self.PIECE):
            yield from io.StringIO(piece.decode("utf-8"), newline="\n")  # splits at "\n" only, as N-Triples does

    def __len__(self) -> int:
        if self._count is None:
            self._count = sum(piece.count(b"\n") for piece in self.pieces(1 << 24))
        return self._count

    def __bool__(self) -> bool:
        return self.size > 0

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LineBlob):
            return self.data == other.data
        if isinstance(other, list):
            return list(self) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to a list, which has none

    def __reduce__(self) -> tuple[type[LineBlob], tuple[bytes, int]]:
        return LineBlob, (self.data, len(self))

    def __repr__(self) -> str:
        where = f", in {self._place[0]}" if self._place is not None else ""
        return f"LineBlob({len(self)} lines, {self.size} bytes{where})"


def whole(data: bytes | LineBlob) -> bytes:
    """The bytes themselves, or every byte of a blob (read whole from its file when it lives in one)."""
    return data.data if isinstance(data, LineBlob) else data


class BlobPieces:
    """A blob as a re-iterable of byte pieces of about ``size`` each (see :meth:`LineBlob.pieces`): what a search
    over a graph's text walks, once per search, without holding the whole graph."""

    def __init__(self, blob: LineBlob, size: int) -> None:
        self.blob, self.size = blob, size

    def __iter__(self) -> Iterator[bytes]:
        return self.blob.pieces(self.size)


#: A graph's sorted, de-duplicated lines, as a list or as a blob.
SortedLines = list[str] | LineBlob


def with_predicate(text: str | bytes | Iterable[str | bytes], predicate: str) -> list[tuple[str, str]]:
    """(subject, object) as written of each line of ``text`` (or of its parts) with ``predicate``.

    Found by substring search (C speed), not by reading every line: the
    validation stage asks this of a million lines for a few predicates.  The
    object comes without the final `` .``.  A part may be UTF-8 bytes: searched
    as they are, only the lines found decoded (no decoded copy of the graph)."""
    if isinstance(text, bytes):
        return _with_predicate_bytes(text, predicate)
    if not isinstance(text, str):
        return [pair for part in text for pair in with_predicate(part, predicate)]
    needle = f" <{predicate}> "
    out = []
    at = text.find(needle)
    while at != -1:
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        end = len(text) if end == -1 else end
        subject = text[start:at]
        if " " not in subject and not subject.startswith("#"):  # the needle is the predicate, not inside a literal
            out.append((subject, text[at + len(needle):end].rstrip().removesuffix(".").rstrip()))
        at = text.find(needle, end)
    return out


def _with_predicate_bytes(data: bytes, predicate: str) -> list[tuple[str, str]]:
    """:func:`with_predicate` of UTF-8 bytes (an ASCII byte never occurs inside a multi-byte character)."""
    needle = f" <{predicate}> ".encode("utf-8")
    out = []
    at = data.find(needle)
    while at != -1:
        start = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        end = len(data) if end == -1 else end
        subject = data[start:at]
        if b" " not in subject and not subject.startswith(b"#"):
            out.append((subject.decode("utf-8"),
                        data[at + len(needle):end].decode("utf-8").rstrip().removesuffix(".").rstrip()))
        at = data.find(needle, end)
    return out


_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def term(text: str) -> Node:
    """One N-Triples term as written (an object from :func:`split` or :func:`with_predicate`) as an rdflib node.

    Exactly as written: the lexical form and the language tag's case are
    kept, where a store or a parser may normalise them, so a validation
    result can name a literal as the data writes it."""
    if text.startswith("<"):
        return URIRef(text[1:-1])
    if text.startswith("_:"):
        return BNode(text[2:])
    end = text.rindex('"')
    lexical = _ESCAPE.sub(lambda m: chr(int(m.group(1)[1:], 16)) if m.group(1)[0] in "uU" and len(m.group(1)) > 1
                          else _SIMPLE.get(m.group(1), m.group(1)), text[1:end])
    rest = text[end + 1:]
    if rest.startswith("@"):
        return Literal(lexical, lang=rest[1:])
    if rest.startswith("^^<"):
        datatype = rest[3:-1]
        return Literal(lexical, datatype=None if datatype == str(XSD.string) else URIRef(datatype))
    return Literal(lexical)
