"""What a build returns, and the options that hold for all of its stages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kgpub.corpus.model import Corpus
    from kgpub.pipeline.articles import ArticleUnit
    from kgpub.shacl.report import Report


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
    statements: int = 0
    report: Report | None = None
    written: bool = True
    reused: int = 0  # articles taken unchanged from the previous build's cache
    #: Warnings and hints about entities the registry may already hold (see ``identity``).
    notes: tuple[Any, ...] = ()
    #: A partial build's shard (I, N): its articles mapped, for ``kgpub merge`` to join; None for a build.
    shard: tuple[int, int] | None = None

    @property
    def facts(self) -> int:
        return self.events + self.accusations + self.threats + self.relations + self.statements

    def summary(self, listed: bool = False) -> str:
        """What was built and written; says how to list the warnings and hints it only counts, unless ``listed``."""
        plural = "" if self.articles == 1 else "s"
        if self.shard is not None:
            index, shards = self.shard
            return (f"built shard {index}/{shards}: {self.articles} article{plural} ({self.facts} facts, "
                    f"{self.triples} triples of their own), each checked alone\n"
                    f"wrote {self.out_dir}/: a partial build; 'kgpub merge' joins the {shards} shards into the "
                    "build, checked as a whole")
        unlisted = " (warnings and hints not listed; --show-info lists them)" if self.report and not listed and (
            self.report.count("Warning") or self.report.count("Info")) else ""
        checked = f"validation: {self.report.summary()}{unlisted}\n" if self.report else ""
        if self.reused:
            checked += f"reused {self.reused} unchanged article{'s' * (self.reused != 1)} from the last build\n"
        return checked + (
            f"built {self.articles} article{plural}: {self.entities} entities, {self.facts} facts "
            f"({self.events} events, {self.accusations} accusations, {self.threats} threats, "
            f"{self.relations} relations, {self.statements} statements), {self.triples} triples\n"
            f"wrote {self.out_dir}/: {', '.join(f for f in self.files if '/' not in f)}, "
            f"articles/ ({self.articles} file{plural})"
        )


@dataclass(frozen=True)
class Options:
    """What ``kgpub build`` was asked for that every stage, full or incremental, obeys alike."""

    validate: bool
    #: Refuse to write on SHACL warnings (and duplicate-entity warnings) too.
    strict: bool
    #: The shapes folder or file; None: the shipped shapes.
    shapes: Path | None
    #: Make the query index beside the files.
    index: bool
    #: Processes that read and map articles, and threads that validate.
    workers: int
    #: What the build may hold in memory, summed over its processes (``--memory``; see ``execution.Budget``).
    memory: int = 2 * 2**30


def build_result(out: Path, shared: Corpus, units: list[ArticleUnit], triples: int, files: tuple[str, ...],
                 report: Report | None, written: bool, reused: int) -> BuildResult:
    """The counts ``kgpub build`` prints, summed over the registry and every article."""
    return BuildResult(
        out_dir=out,
        articles=len(units),
        entities=len(shared.registry) + sum(u.counts[0] for u in units),
        events=sum(u.counts[1] for u in units),
        accusations=sum(u.counts[2] for u in units),
        threats=sum(u.counts[3] for u in units),
        relations=sum(u.counts[4] for u in units),
        statements=sum(u.counts[5] for u in units if len(u.counts) > 5),
        triples=triples,
        files=files,
        report=report,
        written=written,
        reused=reused,
    )
