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

from . import vocab
from .errors import KgpubError


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

    @property
    def facts(self) -> int:
        return self.events + self.accusations + self.threats + self.relations

    def summary(self) -> str:
        plural = "" if self.articles == 1 else "s"
        return (
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


def build(seeds: str | Path = "seeds", out: str | Path = "dist", *, base: str | None = None) -> BuildResult:
    """Build the knowledge graph of every article under ``seeds`` into ``out``.

    Raises InputError (exit 2) on any curator mistake; writes nothing unless
    every stage succeeded.
    """
    from . import facts, mapping, provenance, serialization
    from .resources import ontology_file

    corpus = facts.load(Path(seeds))
    iri_base = resolve_base(base, corpus.dataset.base)
    mapped = mapping.map_corpus(corpus, iri_base)
    mapped = provenance.anchor(corpus, mapped)
    outputs = serialization.render(corpus, mapped, ontology_file().read_bytes())
    serialization.write(outputs, Path(out))
    articles = corpus.articles
    return BuildResult(
        out_dir=Path(out),
        articles=len(articles),
        entities=len(corpus.registry) + sum(len(a.entities) for a in articles),
        events=sum(len(a.events) for a in articles),
        accusations=sum(len(a.accusations) for a in articles),
        threats=sum(len(a.threats) for a in articles),
        relations=sum(len(a.relations) for a in articles),
        triples=outputs.triples,
        files=tuple(sorted(outputs.files)),
    )


def query(sparql: str, data: str | Path = "dist"):  # type: ignore[no-untyped-def]
    """Run a SPARQL query over a build (or an RDF file) and return its result."""
    from . import query as query_stage

    return query_stage.run(sparql, Path(data))
