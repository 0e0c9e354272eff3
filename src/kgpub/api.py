"""The library API: one function per command (``kgpub.build`` ...), of which the CLI is a thin shell.

Each function resolves its inputs (paths, credentials, a draft build that must not be published) and hands
the work to the room that does it: the build to ``pipeline.stages``, queries to ``sparql``, loads to
``stores``, pages to ``web``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgpub.errors import Diagnostic, QueryError, UsageError
from kgpub.pipeline.articles import Progress
from kgpub.pipeline.results import BuildResult
from kgpub.rdf import vocab

if TYPE_CHECKING:
    from kgpub.shacl.report import Report
    from kgpub.sparql.results import Result as QueryResult
    from kgpub.stores import LoadResult

__all__ = ["BuildResult", "CheckResult", "Progress", "build", "check", "diff", "entities", "load", "merge", "query",
           "query_prefixes", "refuse_draft", "serve", "site", "validate"]


def build(seeds: str | Path = "seeds", out: str | Path = "dist", *, base: str | None = None,
          validate: bool = True, strict: bool = False, shapes: str | Path | None = None,
          jobs: int | None = None, cache: bool = True, index: bool = True,
          progress: Progress | None = None, drafts: bool = False, shard: tuple[int, int] | str | None = None,
          shards: int | None = None, dask: str | None = None, memory: int | str | None = None) -> BuildResult:
    """Build the knowledge graph of every article under ``seeds`` into ``out`` (see ``pipeline.stages``).

    ``memory`` (bytes, or a size such as ``"2GiB"``; default 2 GiB) is what the build may hold, summed over
    its processes: what does not fit is kept on disk beside ``out`` (``execution.Budget``); the bytes
    written do not depend on it.

    An item still marked ``drafted: true`` stops the build, one line each, unless ``drafts``: then
    everything is built into ``out`` marked as a draft build (a ``DRAFT`` file), which ``query``,
    ``load``, ``serve`` and ``site`` refuse, so a draft is never presented as the corpus.  A draft build
    never replaces a build of the corpus.

    ``shard=(I, N)`` (or ``"I/N"``) builds only shard I of N into ``out``, a partial build that
    :func:`merge` joins with the others; ``shards=N, dask=ADDRESS`` (or ``"local"``) runs the N shards
    on a Dask cluster and joins them into ``out`` (see ``shards``).  Either way the build is the bytes
    a single build writes.
    """
    from kgpub import shards as sharding
    from kgpub.execution import DEFAULT_MEMORY, cores, memory_size
    from kgpub.output.folder import check_draft_target
    from kgpub.output.parts import check_shard
    from kgpub.pipeline import stages
    from kgpub.pipeline.results import Options

    out = Path(out)
    if shard is not None and (shards is not None or dask is not None):
        raise UsageError("--shard I/N builds one shard here; --shards N --dask runs them all: give one or the other")
    if (shards is None) != (dask is None):
        raise UsageError("--shards N and --dask SCHEDULER go together (--dask local: a cluster of this machine); "
                         "without Dask, run each 'kgpub build --shard I/N' as its own command, then 'kgpub merge'")
    check_draft_target(out, drafts)
    options = Options(validate, strict, Path(shapes) if shapes else None, index, jobs or cores(),
                      memory_size(memory) if memory is not None else DEFAULT_MEMORY)
    if shard is not None:
        return sharding.build_part(Path(seeds), out, base, options, check_shard(shard), progress=progress,
                                   drafts=drafts)
    if shards is not None and dask is not None:
        return sharding.build_sharded(Path(seeds), out, base, options, shards, dask, drafts=drafts)
    return stages.build(Path(seeds), out, base, options, cache=cache, progress=progress, drafts=drafts)


def merge(parts: list[str | Path], out: str | Path = "dist", *, validate: bool = True, strict: bool = False,
          shapes: str | Path | None = None, jobs: int | None = None, index: bool = True) -> BuildResult:
    """Join the partial builds ``parts`` (``build(..., shard=(I, N))``, every I of one N) into the build ``out``.

    The result is the bytes a single ``build`` of the corpus writes: the whole-graph stages and checks run
    here, once.  Parts of another corpus, kgpub or split, a shard missing or given twice are refused, one
    line each, before anything is written.
    """
    from kgpub import shards as sharding
    from kgpub.execution import cores
    from kgpub.pipeline.results import Options

    options = Options(validate, strict, Path(shapes) if shapes else None, index, jobs or cores())
    return sharding.merge([Path(p) for p in parts], Path(out), options)


def refuse_draft(data: str | Path) -> None:
    """Stop when ``data`` is a draft build: unconfirmed facts are never queried, loaded, served or published."""
    from kgpub.output.folder import DRAFT_MARKER

    if (Path(data) / DRAFT_MARKER).exists():
        raise UsageError(f"{data}: a draft build (kgpub build --drafts), with facts nobody has confirmed; it is not "
                         "the corpus and is not queried, loaded, served or published: confirm the drafted items "
                         "(delete 'drafted: true') and build again")


@dataclass(frozen=True)
class CheckResult:
    """What ``kgpub check`` found: every problem of the seeds folder's files, none of them an exception."""

    seeds: Path
    facts_files: int
    registry_file: str | None
    problems: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        files = f"{self.facts_files} facts file{'' if self.facts_files == 1 else 's'}"
        if self.registry_file:
            files += f" and {self.registry_file}"
        if self.ok:
            return f"checked {files}: no problems"
        count = len(self.problems)
        return f"checked {files}: {count} problem{'' if count == 1 else 's'}"


def check(seeds: str | Path = "seeds", *, jobs: int | None = None) -> CheckResult:
    """Check the facts files, registry and quotes of ``seeds`` as ``build`` does, without mapping or writing.

    Every problem of every file, in the order and words ``build`` reports
    them; what ``build`` alone finds is what needs the graph (the SHACL shapes).
    Files are read in ``jobs`` processes (default: all cores) when there are
    many.  Raises InputError only when ``seeds`` is not a folder.
    """
    from kgpub import execution
    from kgpub.corpus import reader
    from kgpub.pipeline.articles import check_all

    shared = reader.load_shared(Path(seeds))
    problems = check_all(shared, jobs or execution.cores())
    return CheckResult(shared.root, len(shared.facts_paths), shared.registry_file, tuple(problems))


def entities(seeds: str | Path = "seeds") -> list[Any]:
    """Every entity of the corpus with the articles that mention it and its merge candidates (see ``identity``)."""
    from kgpub.corpus import reader
    from kgpub.corpus import identity

    return identity.corpus_entities(reader.load(Path(seeds)))


def validate(files: list[str | Path] | None = None, *, shapes: str | Path | None = None,
             ontology: bool = True, input_format: str | None = None, base: str | None = None) -> Report:
    """Validate RDF files (default: the build in ``dist/``) against the SHACL shapes.

    Relative IRIs in the data and the shapes resolve against each file's own
    URL, or ``base`` when given (as the W3C test suite's files expect).
    """
    from kgpub import execution
    from kgpub.shacl import validation
    from kgpub.pipeline.stages import ontology_ntriples
    from kgpub.resources import ontology_file

    chunks, origins = validation.read_data([Path(f) for f in (files or ["dist"])], input_format, base)
    if ontology:
        chunks.append(ontology_ntriples(ontology_file().read_bytes()))
    return validation.validate_ntriples(chunks, shapes=validation.load_shapes(Path(shapes) if shapes else None, base),
                                        origins=origins, threads=execution.cores())


def query(sparql: str, data: str | Path = "dist", *, params: dict[str, str] | None = None,
          endpoint: str | None = None, user: str | None = None, password: str | None = None,
          timeout: float = 60.0, memory: int | None = None, store_default_graph: bool = False,
          allow_service: bool = False) -> QueryResult:
    """Run a query (SPARQL text, ``@file.rq`` or a shipped query's name) over a build or an endpoint.

    ``params`` are bound to the query's variables as RDF terms, never pasted
    into its text.  On an endpoint that ``kgpub load`` filled, the query runs
    over the dataset the load recorded (data graphs and ontology as the default
    graph, every graph named), so it answers as over the build whatever the
    store makes of its default graph; ``store_default_graph`` asks the store's own.
    The embedded engine refuses ``SERVICE`` (a request to another host) unless
    ``allow_service``, and stops a query that runs longer than ``timeout``
    seconds or needs more than ``memory`` bytes (default: half the machine's).
    """
    from kgpub.sparql.local import run_local
    from kgpub.sparql.remote import run_remote, store_dataset
    from kgpub.sparql.shipped import bind_params, resolve_query

    if endpoint is None:
        refuse_draft(data)
    text, shipped = resolve_query(sparql)
    bound = bind_params(params or {}, shipped, query_prefixes(data, endpoint))
    if endpoint:
        endpoint, _, user, password = _credentials(endpoint, [], user, password)

        def dataset() -> Any:
            return None if store_default_graph else store_dataset(endpoint, user=user, password=password,
                                                                  timeout=timeout)

        return run_remote(text, endpoint, params=bound, user=user, password=password, timeout=timeout,
                          dataset=dataset)
    return run_local(text, Path(data), bound, allow_service=allow_service, timeout=timeout, memory=memory)


def query_prefixes(data: str | Path = "dist", endpoint: str | None = None) -> dict[str, str]:
    """The prefixes a query over ``data`` (or ``endpoint``) may use undeclared, and its answer is shown with."""
    from kgpub.sparql.local import local_prefixes

    return local_prefixes(Path(data)) if endpoint is None else {**vocab.PREFIXES, "id": vocab.DEFAULT_BASE}


def load(endpoint: str, data: str | Path = "dist", *, flavor: str | None = None, graph: str | None = None,
         default_graph: bool = False, mode: str = "replace", force: bool = False, dry_run: bool = False,
         chunk_triples: int | None = None, graph_store: str | None = None, query_endpoint: str | None = None,
         user: str | None = None, password: str | None = None, verify_tls: bool = True,
         timeout: float = 30.0, progress=None, create: bool = False,  # type: ignore[no-untyped-def]
         parallel: int = 4, atomic: bool = True, keep_removed: bool = False) -> LoadResult:
    """Publish the build in ``data`` into the store at ``endpoint``; see ``kgpub.stores``.

    ``create`` first makes the dataset or repository ``endpoint`` names when the store has none.
    """
    from kgpub.stores import Client
    from kgpub.stores import create as create_dataset
    from kgpub.stores import load as load_build

    refuse_draft(data)
    endpoint, (graph_store, query_endpoint), user, password = _credentials(
        endpoint, [graph_store, query_endpoint], user, password)
    client = Client(user=user, password=password, digest=(flavor == "virtuoso"), verify=verify_tls, timeout=timeout)
    if create and not dry_run:
        create_dataset(endpoint, flavor, client)
    return load_build(Path(data), endpoint, flavor=flavor, graph=graph, default_graph=default_graph, mode=mode,
                      force=force, dry_run=dry_run, chunk_triples=chunk_triples, graph_store=graph_store,
                      query_endpoint=query_endpoint, client=client, progress=progress, parallel=parallel,
                      atomic=atomic, keep_removed=keep_removed)


def _credentials(endpoint: str, others: list[str | None], user: str | None, password: str | None
                 ) -> tuple[str, list[str | None], str | None, str | None]:
    """The URLs without their credentials, and the user and password to send: resolved once, for ``query``
    and ``load`` alike, so the same bad URL is the same error from both.

    A user and password written in a URL are used as credentials, never shown (the first URL that has a
    user gives them, unless ``user`` is given); a URL kgpub cannot send a request to is a usage error
    naming it; a user without a password takes ``~/.netrc``'s for ``endpoint``'s host.
    """
    from kgpub.secrets import check_url, credentials

    plain, given = credentials([endpoint, *others], user, password)
    for url in plain:
        wrong = check_url(url) if url is not None else None
        if wrong:
            raise UsageError(f"{url}: {wrong}")
    return plain[0] or endpoint, plain[1:], given.user, given.password


def serve(data: str | Path = "dist", *, host: str = "127.0.0.1", port: int = 8000, timeout: float = 30.0,
          max_rows: int = 10_000, seeds: str | Path | None = None) -> None:
    """Serve a build: a SPARQL endpoint and a page per IRI (see ``serving``), until interrupted."""
    from kgpub.output.folder import require_build
    from kgpub.web.serving import Settings
    from kgpub.web.serving import serve as run

    folder = Path(data)
    refuse_draft(folder)
    require_build(folder)
    if seeds is not None and not Path(seeds).is_dir():
        raise QueryError(f"{seeds}: no such seeds folder (--seeds)")
    run(Settings(folder, timeout, max_rows, Path(seeds) if seeds is not None else None), host=host, port=port)


def site(data: str | Path = "dist", out: str | Path = "site", *, seeds: str | Path | None = "seeds") -> Any:
    """Write a build's pages as a static Linked Data site (see ``static_site``).

    ``seeds`` must be the folder the build was made from (its article texts are shown with their quotes);
    None writes the site without the texts.  A wrong folder is an error, never a site without texts.
    """
    from kgpub.web.site import build_site

    refuse_draft(data)
    return build_site(Path(data), Path(out), Path(seeds) if seeds is not None else None)


def diff(old: str | Path, new: str | Path) -> Any:
    """What changed from build ``old`` to build ``new`` (see ``changes``): a changelog, JSON or a store changeset."""
    from kgpub.output.changes import diff as compare

    return compare(old, new)
