"""The one table of RDF formats: the name a user types, and pyoxigraph's ``RdfFormat`` for everything else.

pyoxigraph already knows each format's media type and file extension
(``RdfFormat.media_type``, ``file_extension``, ``from_media_type``); kgpub adds
only what it does not: the short names of ``--format`` and ``?format=``, the name rdflib's
parsers use, and ``.owl`` for RDF/XML.  Every room (queries, stores, pages,
the server, the site, the build's writers) asks here, so a format is added
once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

import pyoxigraph as ox


@dataclass(frozen=True)
class Format:
    """One RDF syntax."""

    #: What a user types (``--format turtle``, ``?format=jsonld``).
    name: str
    rdf_format: ox.RdfFormat
    #: rdflib's name for the same syntax, for the paths that parse with rdflib.
    rdflib: str

    @property
    def media_type(self) -> str:
        return self.rdf_format.media_type

    @property
    def extension(self) -> str:
        return self.rdf_format.file_extension

    @property
    def datasets(self) -> bool:
        """Whether it carries named graphs (TriG, N-Quads, JSON-LD)."""
        return self.rdf_format.supports_datasets

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` of a response or a request body: text formats say their charset."""
        return self.media_type + ("; charset=utf-8" if self.media_type.startswith("text/") else "")


FORMATS: tuple[Format, ...] = (
    Format("turtle", ox.RdfFormat.TURTLE, "turtle"),
    Format("ntriples", ox.RdfFormat.N_TRIPLES, "nt"),
    Format("jsonld", ox.RdfFormat.JSON_LD, "json-ld"),
    Format("trig", ox.RdfFormat.TRIG, "trig"),
    Format("nquads", ox.RdfFormat.N_QUADS, "nquads"),
    Format("rdfxml", ox.RdfFormat.RDF_XML, "xml"),
    Format("n3", ox.RdfFormat.N3, "n3"),
)
_BY_NAME = {f.name: f for f in FORMATS}
#: Extensions pyoxigraph does not know that mean a known syntax.
_EXTRA_EXTENSIONS = {"owl": ox.RdfFormat.RDF_XML}


def by_name(name: str) -> Format | None:
    """The format a user named (``turtle``), None if there is none by that name."""
    return _BY_NAME.get(name.lower())


def by_rdf_format(rdf_format: ox.RdfFormat) -> Format:
    return next(f for f in FORMATS if f.rdf_format == rdf_format)


def by_extension(path: str | PurePath) -> Format | None:
    """The format a file name says (``kg.ttl``, ``.nt``, ``owl``), None if it says none kgpub knows.

    Only each format's own extension (and ``.owl``) counts: pyoxigraph's ``from_extension`` also reads
    ``.txt`` as N-Triples and ``.json`` as JSON-LD, guesses kgpub does not make about a user's file."""
    suffix = PurePath(str(path)).suffix if "." in str(path) else str(path)
    ext = suffix.lstrip(".").lower()
    if ext in _EXTRA_EXTENSIONS:
        return by_rdf_format(_EXTRA_EXTENSIONS[ext])
    return next((f for f in FORMATS if f.extension == ext), None)


def by_media_type(media_type: str) -> Format | None:
    """The format a ``Content-Type`` or ``Accept`` entry names (parameters ignored), None if none."""
    found = ox.RdfFormat.from_media_type(media_type.split(";")[0].strip())
    return by_rdf_format(found) if found is not None else None


def names(*, datasets: bool | None = None) -> tuple[str, ...]:
    """The names a user may type, optionally only those with (or without) named graphs."""
    return tuple(f.name for f in FORMATS if datasets is None or f.datasets == datasets)


def extensions() -> tuple[str, ...]:
    """Every extension :func:`by_extension` knows (without the dot), sorted: what a message about an unknown
    file lists."""
    return tuple(sorted({f.extension for f in FORMATS} | set(_EXTRA_EXTENSIONS)))
