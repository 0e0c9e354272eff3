"""Reading kgpub's own N-Triples lines without a parser.

Every line kgpub writes is canonical N-Triples (one triple, IRIs in angle
brackets, one space between terms, `` .`` at the end), and the build's blocks,
caches, diffs and validation work on those lines as strings, which is many
times faster than parsing them.  The subject of such a line is an IRI or a
blank node label and cannot contain a space, so it ends at the first space.
Here, once, instead of ``line.index("> ")`` in every room.
"""

from __future__ import annotations


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
