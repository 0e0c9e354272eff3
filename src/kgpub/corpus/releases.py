"""Releases: which version a build is, and whether a new one goes forwards.

A graph that others cite changes by releases (``version`` in ``dataset.yaml``,
written as ``dcat:version`` into void.ttl and the TriG).  A build that would
replace release 1.2 in its output folder with 1.1 is refused: consumers
compare versions to know which is newer.
"""

from __future__ import annotations

import re
from pathlib import Path

from kgpub.rdf import vocab

_PART = re.compile(r"[0-9]+|[A-Za-z]+")


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """``1.10`` after ``1.9``, ``2.0`` after ``2.0-rc1`` after ``1.9``: numbers by value, words by text,
    and a version that only adds a word (a pre-release) before the same version without it."""
    parts: list[tuple[int, int | str]] = []
    for part in _PART.findall(version):
        parts.append((1, int(part)) if part.isdigit() else (0, part.lower()))
    return (*parts, (0, "~")) if parts and parts[-1][0] == 1 else tuple(parts)


def older(new: str, old: str) -> bool:
    """Whether release ``new`` comes before release ``old``."""
    return version_key(new) < version_key(old)


def version_in(void: Path) -> str | None:
    """The ``dcat:version`` of the dataset a build's ``void.ttl`` describes, if it has one."""
    if not void.is_file():
        return None
    from pyoxigraph import Literal, NamedNode, RdfFormat, parse

    version = NamedNode(f"{vocab.DCAT}version")
    kind = NamedNode(f"{vocab.RDF}type")
    dataset = NamedNode(f"{vocab.VOID}Dataset")
    datasets: set[object] = set()
    versions: dict[object, str] = {}
    try:
        for triple in parse(path=str(void), format=RdfFormat.TURTLE):
            if triple.predicate == kind and triple.object == dataset:
                datasets.add(triple.subject)
            elif triple.predicate == version and isinstance(triple.object, Literal):
                versions[triple.subject] = triple.object.value
    except (SyntaxError, OSError):
        return None
    return next((versions[d] for d in datasets if d in versions), None)
