"""``kgpub site``: the pages of ``kgpub serve`` as static files, and each article's text with its quotes.

A static host has no content negotiation, so every node of the build under its base gets its
page as ``PATH.html`` beside ``PATH.ttl``, ``PATH.jsonld`` and ``PATH.nt`` (the page links them
with ``rel="alternate"``, and names the IRI with ``rel="canonical"``).  An article's page also
shows its text, every quoted passage highlighted at its offsets and linked to the fact it
supports: the proof a reader can check.  The text comes from the seeds folder and must be the one
the build hashed (``kg:textSha256``).  Output is byte-stable: pages are written in IRI order from
sorted triples, and a rerun rewrites only the files whose bytes changed.
"""

from __future__ import annotations

import hashlib
import html
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import vocab
from .errors import OutputError, QueryError
from .serving import MEDIA, Publisher, Settings


@dataclass(frozen=True)
class SiteResult:
    out_dir: Path
    pages: int
    written: int  # files whose bytes changed

    def summary(self) -> str:
        return f"wrote {self.out_dir}/: {self.pages} pages ({self.written} files changed)"


class _StaticPublisher(Publisher):
    suffix = ".html"


def build_site(data: Path, out: Path, seeds: Path | None = None) -> SiteResult:
    """Write the static site of the build in ``data`` into ``out``."""
    import pyoxigraph as ox

    if not (data / "kg.trig").is_file():
        raise QueryError(f"{data}: no kg.trig here; run 'kgpub build' first or give --data DIR")
    publisher = _StaticPublisher(Settings(data))
    store = publisher.index.store
    nodes = sorted({q.subject.value for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
                    if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(publisher.base)})
    files: dict[str, bytes] = {}
    for iri in nodes:
        local = iri[len(publisher.base):]
        triples = publisher.describe(iri)
        extra = _article_text(publisher, iri, seeds) if _is_article(store, iri) else ""
        files[f"{local}.html"] = publisher.html_page(iri, triples, extra).encode("utf-8")
        for fmt, suffix in (("turtle", "ttl"), ("jsonld", "jsonld"), ("ntriples", "nt")):
            target = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
                      "jsonld": ox.RdfFormat.JSON_LD}[fmt]
            files[f"{local}.{suffix}"] = ox.serialize(sorted(triples, key=str), format=target,
                                                      prefixes=publisher.prefixes if fmt == "turtle" else None)
    files["index.html"] = publisher.index_page(static=True)
    files["timeline.html"] = _timeline(publisher)
    files["ontology.html"] = _ontology()
    void = data / "void.ttl"
    if void.is_file():
        files["void.ttl"] = void.read_bytes()
    base_path = publisher.base_path.strip("/")
    top = ("index.html", "void.ttl", "timeline.html", "ontology.html")
    written = _write(out, {f"{base_path}/{name}" if name.endswith((".html", ".ttl", ".jsonld", ".nt")) and
                           name not in top else name: body for name, body in files.items()})
    return SiteResult(out, sum(1 for name in files if name.endswith(".html")), written)


def _page(title: str, body: str) -> bytes:
    from .serving import _STYLE

    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">'
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
            f'<p><a href="index.html">kgpub</a></p><h1>{html.escape(title)}</h1>{body}</body></html>\n').encode("utf-8")


def _timeline(publisher: Publisher) -> bytes:
    """The shipped timeline: every dated event in order, its date as the article gives it (a year, a month,
    an EDTF interval), linked to its page."""
    from .querying import resolve_query

    text, _ = resolve_query("timeline")
    rows = publisher.index.store.query(text, prefixes={**vocab.PREFIXES, "id": publisher.base})
    out = []
    for row in rows:
        event = publisher.link(row["e"]).replace(html.escape(publisher.label(row["e"])), html.escape(row["event"].value))
        cells = [html.escape(row["date"].value), event, *(html.escape(row[v].value) if row[v] else ""
                                                          for v in ("type", "place", "actors"))]
        out.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return _page("Timeline", "<p>Every dated event, at the precision its article gives (a year, a month, a day, or "
                             "an EDTF expression such as 2019-12-21/2019-12-31), in order of the last day it allows."
                             "</p><table><tr><th>date</th><th>event</th><th>type</th><th>place</th><th>actors</th></tr>"
                 + "".join(out) + "</table>")


def _ontology() -> bytes:
    """The ontology's classes and properties with their labels and comments, and each SKOS scheme with its
    concepts and their ACLED and CAMEO mappings: the documentation, from the ontology itself."""
    import pyoxigraph as ox

    from .resources import ontology_file

    store = ox.Store()
    store.bulk_load(ontology_file().read_bytes(), format=ox.RdfFormat.TURTLE)
    from .querying import by_length, prefixed

    ordered = by_length({**vocab.PREFIXES, "acled": "https://w3id.org/kgpub/acled/",
                         "cameo": "https://w3id.org/kgpub/cameo/"})

    def short(iri: str) -> str:
        return prefixed(iri, ordered) or iri

    def table(kind: str) -> str:
        rows = store.query(f"""SELECT ?t (SAMPLE(?l) AS ?label) (SAMPLE(?c) AS ?comment) WHERE {{ ?t a <{kind}> .
            FILTER (STRSTARTS(STR(?t), "{vocab.KG}")) OPTIONAL {{ ?t <{vocab.RDFS}label> ?l }}
            OPTIONAL {{ ?t <{vocab.RDFS}comment> ?c }} }} GROUP BY ?t ORDER BY ?t""")
        return "<table><tr><th>term</th><th>label</th><th>comment</th></tr>" + "".join(
            f'<tr><td id="{html.escape(short(r["t"].value))}"><code>{html.escape(short(r["t"].value))}</code></td>'
            f'<td>{html.escape(r["label"].value if r["label"] else "")}</td>'
            f'<td>{html.escape(r["comment"].value if r["comment"] else "")}</td></tr>' for r in rows) + "</table>"

    schemes = []
    for scheme in store.query(f"SELECT DISTINCT ?s WHERE {{ ?c <{vocab.SKOS}inScheme> ?s FILTER (STRSTARTS(STR(?s), "
                              f'"{vocab.KGT}")) }} ORDER BY ?s'):
        concepts = store.query(f"""SELECT ?c (SAMPLE(?l) AS ?label) (GROUP_CONCAT(DISTINCT STR(?m); separator=" ") AS ?maps)
            WHERE {{ ?c <{vocab.SKOS}inScheme> <{scheme["s"].value}> . OPTIONAL {{ ?c <{vocab.SKOS}prefLabel> ?l }}
            OPTIONAL {{ ?c <{vocab.SKOS}exactMatch>|<{vocab.SKOS}closeMatch> ?m }} }} GROUP BY ?c ORDER BY ?c""")
        rows = "".join(f'<tr><td><code>{html.escape(short(c["c"].value))}</code></td>'
                       f'<td>{html.escape(c["label"].value if c["label"] else "")}</td>'
                       f'<td>{html.escape(" ".join(short(m) for m in sorted(c["maps"].value.split())) if c["maps"] else "")}</td></tr>'
                       for c in concepts)
        schemes.append(f'<h3>{html.escape(short(scheme["s"].value))}</h3><table><tr><th>concept</th><th>label</th>'
                       f"<th>ACLED / CAMEO</th></tr>{rows}</table>")
    return _page("The kgpub ontology", "<h2>Classes</h2>" + table(vocab.OWL + "Class")
                 + "<h2>Object properties</h2>" + table(vocab.OWL + "ObjectProperty")
                 + "<h2>Datatype properties</h2>" + table(vocab.OWL + "DatatypeProperty")
                 + "<h2>Concept schemes</h2>" + "".join(schemes))


def _is_article(store: Any, iri: str) -> bool:
    import pyoxigraph as ox

    return bool(next(iter(store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(vocab.RDF + "type"),
                                                  ox.NamedNode(vocab.SCHEMA + "NewsArticle"), ox.DefaultGraph())), None))


def _article_text(publisher: Publisher, iri: str, seeds: Path | None) -> str:
    """The article's text with every quote highlighted at its offsets, each linked to the facts it supports."""
    store = publisher.index.store
    meta = {r["p"].value: r["o"].value for r in store.query(
        f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}") if r["p"].value in (vocab.KG + "sourceFile", vocab.KG + "textSha256")}
    name, digest = meta.get(vocab.KG + "sourceFile"), meta.get(vocab.KG + "textSha256")
    if seeds is None or name is None:
        return ""
    path = seeds / name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise OutputError(f"{path}: cannot read the article's text: {exc.strerror}") from None
    if hashlib.sha256(raw).hexdigest() != digest:
        raise OutputError(f"{path}: not the text the build quoted (its SHA-256 differs): build again first")
    text = raw.decode("utf-8")
    spans = [(int(r["start"].value), int(r["end"].value), r["fact"].value) for r in store.query(f"""
        SELECT DISTINCT ?start ?end ?fact WHERE {{
          ?fact <{vocab.KG}evidence> ?r . ?r <{vocab.OA}hasSource> <{iri}> ; <{vocab.OA}hasSelector> ?s .
          ?s a <{vocab.OA}TextPositionSelector> ; <{vocab.OA}start> ?start ; <{vocab.OA}end> ?end }}""")]
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    parts = []
    for start, end in zip(cuts, cuts[1:]):
        covering = sorted({fact for s, e, fact in spans if s <= start and end <= e})
        chunk = html.escape(text[start:end])
        if not covering:
            parts.append(chunk)
            continue
        first = covering[0]
        href = publisher.href(first)
        titles = "; ".join(publisher.label(_node(f)) for f in covering)
        parts.append(f'<mark data-start="{start}" data-end="{end}" title="{html.escape(titles)}">'
                     f'<a href="{html.escape(href)}">{chunk}</a></mark>')
    return ("<h2>The article's text</h2><p>Every passage a fact rests on is highlighted, at its offsets, and links to "
            f"that fact.</p><div class=\"text\" style=\"white-space:pre-wrap\">{''.join(parts)}</div>")


def _node(iri: str) -> Any:
    import pyoxigraph as ox

    return ox.NamedNode(iri)


def _write(out: Path, files: dict[str, bytes]) -> int:
    """Write ``files`` under ``out``, only those whose bytes changed; remove the site's files no longer made."""
    out.mkdir(parents=True, exist_ok=True)
    marker = out / ".kgpub-site"
    if any(out.iterdir()) and not marker.exists():
        raise OutputError(f"{out}: not a site kgpub wrote; give an empty or new folder")
    marker.write_text("written by kgpub site\n")
    written = 0
    for name, body in sorted(files.items()):
        path = out / name
        if path.is_file() and path.read_bytes() == body:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(body)
        os.replace(tmp, path)
        written += 1
    wanted = {out / name for name in files} | {marker}
    for path in sorted(out.rglob("*"), reverse=True):
        if path.is_file() and path not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return written


__all__ = ["MEDIA", "SiteResult", "build_site"]
