"""void.ttl: the VoID and DCAT description of a build — what it is, how big, on what terms, where its dumps are.

Written from counts (:class:`~kgpub.output.layout.Stats`) and the files' sizes rather than from the graph, so a
rebuild that patched a few articles updates the counts instead of recounting a million lines; every registered
writer's file is one DCAT distribution (see ``writers``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from kgpub.output.blocks import Names, prefixes, turtle_file
from kgpub.output.layout import Stats
from kgpub.output import writers
from kgpub.rdf import formats, ntriples, vocab

if TYPE_CHECKING:
    from kgpub.corpus.model import Dataset
    from kgpub.pipeline.mapping import Minter

#: The ontology, copied into every build, and this description of the build.
ONTOLOGY_FILE = "ontology.ttl"
VOID_FILE = "void.ttl"

_RDF_TYPE = f"<{vocab.RDF}type>"


def stats_of(lines: Iterable[str]) -> Stats:
    """The counts void.ttl gives of these sorted data lines (additive over sources that share no subject).

    Sorted lines hold each subject's together, so subjects are counted where the subject changes: no set of
    every subject (a million strings at five million triples) is held."""
    classes: Counter[str] = Counter()
    properties: Counter[str] = Counter()
    subjects = entities = triples = 0
    kg_class = f"<{vocab.KG}"
    last, typed = "", False
    for line in lines:
        s, p, o = ntriples.split(line)
        triples += 1
        if s != last:
            subjects += 1
            last, typed = s, False
        properties[p] += 1
        if p == _RDF_TYPE:
            classes[o] += 1
            if not typed and o.startswith(kg_class):
                entities += 1
                typed = True
    return Stats(triples, subjects, entities, properties, classes)


#: What void.ttl repeats of each source article: on what terms its text is, and whose it is.
RIGHTS_PREDICATES = frozenset(f"<{iri}>" for iri in (vocab.DCTERMS + "license", vocab.SCHEMA + "publisher",
                                                     vocab.DCTERMS + "rightsHolder", vocab.SCHEMA + "creditText",
                                                     vocab.SCHEMA + "url", vocab.KG + "excerpt"))


def rights_lines(article_iri: str, lines: Iterable[str]) -> tuple[str, ...]:
    """An article's lines that say on what terms its text is (licence, publisher, rights holder, credit
    line, URL, excerpt): kept with its cached unit so that void.ttl is written without its graph."""
    subject = f"<{article_iri}> "
    return tuple(line for line in lines if line.startswith(subject) and ntriples.split(line)[1] in RIGHTS_PREDICATES)


def distributions() -> dict[str, formats.Format]:
    """The files void.ttl describes as DCAT distributions, with their formats: every writer's, and the ontology."""
    turtle = formats.by_name("turtle")
    assert turtle is not None
    return {**{w.file: w.format for w in writers.WRITERS}, ONTOLOGY_FILE: turtle}


def void_file(dataset: Dataset, mint: Minter, article_ids: list[str], stats: Stats, sizes: dict[str, int],
              rights: dict[str, tuple[str, ...]] | None = None) -> bytes:
    """void.ttl: the VoID and DCAT description of a build, from its counts and its files' sizes."""
    return turtle_file(_void_lines(dataset, mint, article_ids, stats, sizes, rights or {}), mint.base)[0]


def _void_lines(dataset: Dataset, mint: Minter, article_ids: list[str], stats: Stats,
                sizes: dict[str, int], rights: dict[str, tuple[str, ...]]) -> list[str]:
    """VoID and DCAT description of the build: what it is, how big, where its dumps are."""
    from rdflib import Literal, URIRef  # here: reading a build (see ``folder``) never needs rdflib

    from kgpub.pipeline.mapping import nt_term as _term

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
            s, p, o = ntriples.split(line)
            add(s, p, o)
            if p == f"<{vocab.SCHEMA}publisher>":  # and in DCMI terms, which DCAT readers look for
                add(s, f"<{dct}publisher>", o)
    add(ds, f"<{void_}uriSpace>", lit(mint.base))
    for ns in (vocab.KG, vocab.OA, vocab.SCHEMA, vocab.PROV, vocab.SKOS, vocab.SEM):
        add(ds, f"<{void_}vocabulary>", f"<{ns}>")
    g += [ntriples.split(line) for line in release_lines(dataset, mint)]
    classes = +stats.classes
    add(ds, f"<{void_}triples>", lit(stats.triples, "integer"))
    add(ds, f"<{void_}entities>", lit(stats.entities, "integer"))
    add(ds, f"<{void_}distinctSubjects>", lit(stats.subjects, "integer"))
    add(ds, f"<{void_}properties>", lit(len(+stats.properties), "integer"))
    add(ds, f"<{void_}classes>", lit(len(classes), "integer"))
    names = Names(prefixes(mint.base))
    for cls, n in sorted(classes.items()):
        part = f"<{mint.dataset()}/class/{names.iri(cls).replace(':', '-').strip('<>')}>"
        add(ds, f"<{void_}classPartition>", part)
        add(part, f"<{void_}class>", cls)
        add(part, f"<{void_}entities>", lit(n, "integer"))
    for name, fmt in distributions().items():
        dist = f"<{mint.dataset()}/distribution/{name}>"
        add(ds, f"<{dcat}distribution>", dist)
        add(dist, rdf_type, f"<{dcat}Distribution>")
        add(dist, f"<{dct}title>", lit(name))
        add(dist, f"<{dcat}mediaType>", f"<https://www.iana.org/assignments/media-types/{fmt.media_type}>")
        add(dist, f"<{dcat}byteSize>", lit(sizes[name], "nonNegativeInteger"))
        if meta.download:
            add(dist, f"<{dcat}downloadURL>", f"<{meta.download}{name}>")
            if name != ONTOLOGY_FILE:
                add(ds, f"<{void_}dataDump>", f"<{meta.download}{name}>")
    return sorted({f"{s} {p} {o} .\n" for s, p, o in g})


def release_lines(dataset: Dataset, mint: Minter) -> list[str]:
    """The release a build is (DCAT versioning), as sorted N-Triples lines; none when ``dataset.yaml`` gives no version.

    Written into void.ttl and, as the graph ``BASE/dataset/release`` (``writers.release_graph``), into the TriG, so
    a store loaded with a build can say which release it holds.  Dates come from ``dataset.yaml``, never the
    clock: byte-stable.
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
