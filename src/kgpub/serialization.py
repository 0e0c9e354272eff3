"""Stage 5 — write the build: Turtle, N-Triples, JSON-LD, TriG, VoID, per-article files.

Two promises shape this module.  *Byte-stable*: the same input gives the same
bytes on every run (sorted subjects, predicates, objects and graphs; no blank
nodes; no clock), so a diff of the published graph shows only what changed.
*All or nothing*: files are written into a temporary folder beside the output
and swapped in only when every one of them is complete, so a failed build
never leaves a half-written ``dist/``.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID, XSD
from rdflib.plugins.serializers.trig import TrigSerializer

from . import vocab
from .errors import OutputError
from .facts import Corpus
from .mapping import KG, MappedCorpus

#: A file in every build folder, so kgpub never replaces a folder it did not write.
MARKER = ".kgpub-build"

MEDIA_TYPES = {
    "kg.ttl": "text/turtle",
    "kg.nt": "application/n-triples",
    "kg.jsonld": "application/ld+json",
    "kg.trig": "application/trig",
    "ontology.ttl": "text/turtle",
}


@dataclass(frozen=True)
class Outputs:
    """The files of one build, as bytes keyed by their path inside the output folder."""

    files: dict[str, bytes]


def _prefixed(graph: Graph, base: str) -> Graph:
    """Bind the project's prefixes (and ``id:`` for the base) on ``graph``, nothing else."""
    graph.namespace_manager = _namespaces(base)
    return graph


def _namespaces(base: str):  # type: ignore[no-untyped-def]
    from rdflib.namespace import NamespaceManager

    manager = NamespaceManager(Graph(), bind_namespaces="none")
    for prefix, iri in vocab.PREFIXES.items():
        manager.bind(prefix, iri, override=True, replace=True)
    manager.bind("id", base, override=True, replace=True)
    return manager


def sorted_copy(graph: Graph, base: str) -> Graph:
    """A copy of ``graph`` whose triples were inserted in sorted order, prefixes bound.

    rdflib's serializers sort most things but fall back to insertion order in a
    few places; inserting in sorted order makes the bytes independent of how
    the graph was built.
    """
    out = _prefixed(Graph(bind_namespaces="none"), base)
    for triple in sorted(graph):
        out.add(triple)
    return out


def turtle(graph: Graph, base: str) -> bytes:
    return sorted_copy(graph, base).serialize(format="turtle", encoding="utf-8")


def ntriples(graph: Graph) -> bytes:
    """N-Triples with one triple per line, lines sorted."""
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    lines = sorted(line for line in text.splitlines() if line.strip())
    return ("\n".join(lines) + "\n").encode("utf-8")


def trig(named: list[tuple[URIRef, Graph]], base: str) -> bytes:
    """TriG with one block per named graph, graphs in IRI order."""
    dataset = Dataset()
    dataset.namespace_manager = _namespaces(base)
    for iri, graph in sorted(named, key=lambda pair: str(pair[0])):
        target = dataset.graph(iri)
        for triple in sorted(graph):
            target.add(triple)
    serializer = TrigSerializer(dataset)
    serializer.contexts = sorted(
        (c for c in serializer.contexts if len(c)), key=lambda c: str(c.identifier)
    )
    buffer = io.BytesIO()
    serializer.serialize(buffer, encoding="utf-8")
    return buffer.getvalue()


def jsonld(graph: Graph, base: str) -> bytes:
    """Compact JSON-LD: one ``@context`` of the project prefixes, nodes and values sorted.

    Written here rather than by rdflib's JSON-LD serializer because that one
    orders nodes by set iteration, which changes from run to run.
    """
    prefixes = {**vocab.PREFIXES, "id": base}
    ordered = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))

    def compact(iri: str) -> str:
        for prefix, ns in ordered:
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    def value(obj: object) -> object:
        if isinstance(obj, URIRef):
            return {"@id": compact(str(obj))}
        assert isinstance(obj, Literal)
        if obj.language:
            return {"@value": str(obj), "@language": obj.language}
        if obj.datatype and obj.datatype != XSD.string:
            return {"@value": str(obj), "@type": compact(str(obj.datatype))}
        return str(obj)

    nodes: dict[str, dict[str, list[object]]] = {}
    for s, p, o in sorted(graph):
        node = nodes.setdefault(str(s), {})
        key = "@type" if p == RDF.type else compact(str(p))
        node.setdefault(key, []).append(compact(str(o)) if p == RDF.type else value(o))
    document = {
        "@context": dict(sorted(prefixes.items())),
        "@graph": [{"@id": compact(s), **props} for s, props in sorted(nodes.items())],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")


def _kg_typed(graph: Graph) -> Counter[URIRef]:
    """How many instances each class has in ``graph``."""
    return Counter(o for o in graph.objects(None, RDF.type) if isinstance(o, URIRef))


def void(corpus: Corpus, mapped: MappedCorpus, data: Graph, files: dict[str, bytes], download: str | None) -> Graph:
    """VoID and DCAT description of the build: what it is, how big, where its dumps are."""
    mint = mapped.minter
    base = mint.base
    meta = corpus.dataset
    g = Graph(bind_namespaces="none")
    ds = mint.dataset()
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal(meta.title)))
    if meta.description:
        g.add((ds, DCTERMS.description, Literal(" ".join(meta.description.split()))))
    if meta.license:
        g.add((ds, DCTERMS.license, URIRef(meta.license)))
    if meta.publisher:
        g.add((ds, DCTERMS.publisher, Literal(meta.publisher)))
    if meta.homepage:
        g.add((ds, DCAT.landingPage, URIRef(meta.homepage)))
    if meta.created:
        g.add((ds, DCTERMS.created, Literal(meta.created, datatype=XSD.date)))
    for article in corpus.articles:
        g.add((ds, DCTERMS.source, mint.article(article.id)))
    g.add((ds, VOID.uriSpace, Literal(base)))
    for ns in (vocab.KG, vocab.OA, vocab.SCHEMA, vocab.PROV, vocab.SKOS, vocab.SEM):
        g.add((ds, VOID.vocabulary, URIRef(ns)))
    g.add((ds, VOID.triples, Literal(len(data), datatype=XSD.integer)))
    counts = _kg_typed(data)
    entities = {s for s, o in data.subject_objects(RDF.type) if str(o).startswith(vocab.KG)}
    g.add((ds, VOID.entities, Literal(len(entities), datatype=XSD.integer)))
    g.add((ds, VOID.distinctSubjects, Literal(len(set(data.subjects())), datatype=XSD.integer)))
    g.add((ds, VOID.properties, Literal(len(set(data.predicates())), datatype=XSD.integer)))
    g.add((ds, VOID.classes, Literal(len(counts), datatype=XSD.integer)))
    manager = _namespaces(base)
    for cls, n in sorted(counts.items()):
        name = manager.normalizeUri(cls).replace(":", "-")
        part = URIRef(f"{ds}/class/{name}")
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, Literal(n, datatype=XSD.integer)))
    for name, media in MEDIA_TYPES.items():
        dist = URIRef(f"{ds}/distribution/{name}")
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(name)))
        g.add((dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{media}")))
        g.add((dist, DCAT.byteSize, Literal(len(files[name]), datatype=XSD.nonNegativeInteger)))
        if download:
            g.add((dist, DCAT.downloadURL, URIRef(download + name)))
            if name != "ontology.ttl":
                g.add((ds, VOID.dataDump, URIRef(download + name)))
    return g


def render(corpus: Corpus, mapped: MappedCorpus, data: Graph, ontology: bytes) -> Outputs:
    """Every output file of a build, in memory; ``data`` is ``mapped.instance_data()``."""
    base = mapped.minter.base
    files: dict[str, bytes] = {
        "kg.ttl": turtle(data, base),
        "kg.nt": ntriples(data),
        "kg.jsonld": jsonld(data, base),
        "kg.trig": trig(mapped.named_graphs(), base),
        "ontology.ttl": ontology,
    }
    registry = mapped.registry_graph
    for article in corpus.articles:
        graph = Graph()
        own = mapped.article_graphs[article.id]
        for triple in own:
            graph.add(triple)
        # Make each article file readable alone: add the registry entries it mentions.
        mentioned = set(own.objects()) | set(own.subjects())
        for triple in registry:
            if triple[0] in mentioned:
                graph.add(triple)
        files[f"articles/{article.id}.ttl"] = turtle(graph, base)
    files["void.ttl"] = turtle(void(corpus, mapped, data, files, corpus.dataset.download), base)
    return Outputs(files=files)


def _is_replaceable(folder: Path) -> bool:
    return not folder.exists() or (folder.is_dir() and ((folder / MARKER).exists() or not any(folder.iterdir())))


def write(outputs: Outputs, out_dir: Path) -> None:
    """Write every file into a temporary folder, then swap it in for ``out_dir``.

    The swap is two renames on the same filesystem, so readers see either the
    old build or the new one.  A folder without kgpub's marker is never
    replaced: ``--out .`` must not wipe a project.
    """
    out_dir = Path(out_dir)
    if not _is_replaceable(out_dir):
        raise OutputError(f"{out_dir}: not a kgpub build folder (no {MARKER} file) and not empty; refusing to replace it")
    parent = out_dir.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=parent))
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot create the output folder: {exc.strerror}") from None
    try:
        for name, content in outputs.files.items():
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        (tmp / MARKER).write_text("written by kgpub build; the folder is replaced on every build\n")
        os.chmod(tmp, 0o755)
        old = None
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=parent))
            os.rename(out_dir, old / "dist")
        os.rename(tmp, out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"{out_dir}: cannot write the build: {exc.strerror or exc}") from None
