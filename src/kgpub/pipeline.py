"""The only place that chains the stages: facts → mapping → provenance → serialization.

Each stage takes the previous one's output and returns its own; none reads
files another stage owns or calls back into an earlier one.  The functions
here are the library API (``kgpub.build`` ...), and the CLI is a thin shell
over them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import vocab
from .errors import KgpubError

if TYPE_CHECKING:
    from .querying import Result as QueryResult
    from .stores import LoadResult
    from .validation import Report


@dataclass(frozen=True)
class BuildResult:
    """What a build produced; ``summary()`` is what ``kgpub build`` prints."""

    out_dir: Path
    articles: int
    entities: int
    events: int
    accusations: int
    threats: int
    relations: int
    triples: int
    files: tuple[str, ...]
    report: Report | None = None
    written: bool = True

    @property
    def facts(self) -> int:
        return self.events + self.accusations + self.threats + self.relations

    def summary(self) -> str:
        plural = "" if self.articles == 1 else "s"
        checked = f"validation: {self.report.summary()}\n" if self.report else ""
        return checked + (
            f"built {self.articles} article{plural}: {self.entities} entities, {self.facts} facts "
            f"({self.events} events, {self.accusations} accusations, {self.threats} threats, "
            f"{self.relations} relations), {self.triples} triples\n"
            f"wrote {self.out_dir}/: {', '.join(f for f in self.files if '/' not in f)}, "
            f"articles/ ({self.articles} file{plural})"
        )


def resolve_base(cli_base: str | None, dataset_base: str | None) -> str:
    """The IRI base: the command's, else the dataset's, else kgpub's default."""
    base = cli_base or dataset_base or vocab.DEFAULT_BASE
    if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+[/#]", base):
        raise KgpubError(f"--base {base!r}: must be an http(s) IRI ending in '/' or '#'")
    return base


def build(seeds: str | Path = "seeds", out: str | Path = "dist", *, base: str | None = None,
          validate: bool = True, strict: bool = False, shapes: str | Path | None = None) -> BuildResult:
    """Build the knowledge graph of every article under ``seeds`` into ``out``.

    Raises InputError (exit 2) on any curator mistake.  A graph that breaks
    the SHACL shapes is returned with ``written=False`` and its report; in
    either case nothing is written unless every stage succeeded.
    """
    from . import facts, mapping, provenance, serialization, validation
    from .resources import ontology_file

    corpus = facts.load(Path(seeds))
    iri_base = resolve_base(base, corpus.dataset.base)
    mapped = mapping.map_corpus(corpus, iri_base)
    mapped = provenance.anchor(corpus, mapped)
    report = None
    if validate:
        data = mapped.instance_data()
        origins = {}
        for graph in (mapped.registry_provenance, *mapped.provenance_graphs.values()):
            origins.update(validation.origins_of(graph))
        report = validation.validate_graph(
            data, shapes=validation.load_shapes(Path(shapes) if shapes else None),
            ontology=validation.load_ontology(), origins=origins)
    written = report is None or report.conforms(strict)
    files: tuple[str, ...] = ()
    triples = len(set().union(*(g for g in (mapped.registry_graph, *mapped.article_graphs.values()))))
    if written:
        outputs = serialization.render(corpus, mapped, ontology_file().read_bytes())
        serialization.write(outputs, Path(out))
        files = tuple(sorted(outputs.files))
    articles = corpus.articles
    return BuildResult(
        out_dir=Path(out),
        articles=len(articles),
        entities=len(corpus.registry) + sum(len(a.entities) for a in articles),
        events=sum(len(a.events) for a in articles),
        accusations=sum(len(a.accusations) for a in articles),
        threats=sum(len(a.threats) for a in articles),
        relations=sum(len(a.relations) for a in articles),
        triples=triples,
        files=files,
        report=report,
        written=written,
    )


def validate(files: list[str | Path] | None = None, *, shapes: str | Path | None = None,
             ontology: bool = True, input_format: str | None = None) -> Report:
    """Validate RDF files (default: the build in ``dist/``) against the SHACL shapes."""
    from . import validation

    data, origins = validation.load_data([Path(f) for f in (files or ["dist"])], input_format)
    return validation.validate_graph(
        data, shapes=validation.load_shapes(Path(shapes) if shapes else None),
        ontology=validation.load_ontology() if ontology else None, origins=origins)


def query(sparql: str, data: str | Path = "dist", *, params: dict[str, str] | None = None,
          endpoint: str | None = None, user: str | None = None, password: str | None = None,
          timeout: float = 30.0) -> QueryResult:
    """Run a query (SPARQL text, ``@file.rq`` or a shipped query's name) over a build or an endpoint.

    ``params`` are bound to the query's variables as RDF terms, never pasted
    into its text.
    """
    from .querying import bind_params, local_prefixes, resolve_query, run_local, run_remote

    text, shipped = resolve_query(sparql)
    prefixes = local_prefixes(Path(data)) if endpoint is None else {**vocab.PREFIXES, "id": vocab.DEFAULT_BASE}
    bound = bind_params(params or {}, shipped, prefixes)
    if endpoint:
        return run_remote(text, endpoint, params=bound, user=user, password=password, timeout=timeout)
    return run_local(text, Path(data), bound)


def load(endpoint: str, data: str | Path = "dist", *, flavor: str | None = None, graph: str | None = None,
         default_graph: bool = False, mode: str = "replace", force: bool = False, dry_run: bool = False,
         chunk_triples: int | None = None, graph_store: str | None = None, query_endpoint: str | None = None,
         user: str | None = None, password: str | None = None, verify_tls: bool = True,
         timeout: float = 30.0, progress=None) -> LoadResult:  # type: ignore[no-untyped-def]
    """Publish the build in ``data`` into the store at ``endpoint``; see ``kgpub.stores``."""
    from .stores import Client
    from .stores import load as load_build

    client = Client(user=user, password=password, digest=(flavor == "virtuoso"), verify=verify_tls, timeout=timeout)
    return load_build(Path(data), endpoint, flavor=flavor, graph=graph, default_graph=default_graph, mode=mode,
                      force=force, dry_run=dry_run, chunk_triples=chunk_triples, graph_store=graph_store,
                      query_endpoint=query_endpoint, client=client, progress=progress)
