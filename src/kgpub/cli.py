"""The ``kgpub`` command: a thin shell over the library API in ``api``.

Each command parses its options, calls one library function and prints the
result.  Errors are exceptions that own their exit code; they are printed as
one line each, never as a traceback (``KGPUB_DEBUG=1`` shows it).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

import click

from kgpub import __version__
from kgpub import api
from kgpub.errors import KgpubError
from kgpub.execution import write_atomically
from kgpub.rdf import formats
from kgpub.sparql import results
from kgpub.terminal import printable, printable_data, printable_lines

INTERNAL_ERROR = 70


class KgpubGroup(click.Group):
    """Turns every KgpubError into its message on stderr and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KgpubError as exc:
            for line in exc.lines:  # one problem a line, whatever a file name or a server's answer holds
                click.echo(printable(line), err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - last line of defence against tracebacks
            if os.environ.get("KGPUB_DEBUG"):
                raise
            click.echo(printable(f"kgpub: internal error: {type(exc).__name__}: {exc} "
                                 "(set KGPUB_DEBUG=1 to see the traceback)"), err=True)
            ctx.exit(INTERNAL_ERROR)


class _Size(click.ParamType):
    """A size in bytes written as 2G, 500M, 64K or a plain number of bytes."""

    name = "size"
    _UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().upper().removesuffix("B").removesuffix("I")
        number, unit = (text[:-1], text[-1]) if text[-1:] in self._UNITS else (text, "")
        try:
            size = int(float(number) * self._UNITS[unit])
        except ValueError:
            size = 0
        if size < 1 << 20:
            self.fail(f"{value!r} is not a size of at least 1M (write it as 2G, 500M ...)", param, ctx)
        return size


_SIZE = _Size()


def _say(text: str, err: bool = False, nl: bool = True) -> None:
    """Print a report, a table or a summary: the one way a command shows text made from its input, with
    every control character escaped (a label's terminal escape sequence is shown, never obeyed) and no
    credentials in a URL."""
    click.echo(printable_lines(text), err=err, nl=nl)


def _say_data(text: str, nl: bool = True) -> None:
    """Print a JSON or Turtle document: control characters as the escapes the language reads back."""
    click.echo(printable_data(text), nl=nl)


class _Folder(click.Path):
    """An output folder: '-' (standard output for a file) cannot be one; './-' names a folder called '-'."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value == "-":
            self.fail("'-' means standard output, which cannot hold a folder; give the folder's path", param, ctx)
        return super().convert(value, param, ctx)


_FOLDER = _Folder(path_type=Path)


@click.group(cls=KgpubGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kgpub")
def main() -> None:
    """Publish the facts of news articles as a validated, quote-anchored RDF knowledge graph."""
    _quiet_engines()


def _quiet_engines() -> None:
    """rdflib and pySHACL log a traceback for every ill-typed literal and warn about odd shapes on stderr;
    kgpub reports what matters itself, one line each (KGPUB_DEBUG=1 lets them speak)."""
    import logging
    import warnings

    if os.environ.get("KGPUB_DEBUG"):
        return
    for name in ("rdflib", "pyshacl", "pyshacl-validate"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
        logging.getLogger(name).addFilter(lambda record: record.levelno >= logging.CRITICAL)  # pySHACL resets levels
    warnings.filterwarnings("ignore", module="rdflib")
    warnings.filterwarnings("ignore", module="pyshacl")


#: The options ``build`` and ``merge`` share: one build's whole-graph stages, run by either.
_QUIET = click.option("--quiet", "-q", is_flag=True, help="Print nothing on success.")
_NO_VALIDATE = click.option("--no-validate", is_flag=True, help="Skip the SHACL check (the build says so loudly).")
_STRICT = click.option("--strict", is_flag=True, help="Refuse to write on SHACL warnings too, not only violations.")
_NO_INDEX = click.option("--no-index", is_flag=True, help="Leave the query index to the first 'kgpub query'.")
_SHOW_INFO = click.option("--show-info", is_flag=True,
                         help="List the SHACL warnings and curation hints (sh:Info) too, not only their counts.")


@main.command()
@click.argument("seeds", default="seeds", type=click.Path(path_type=Path))
@click.option("--out", "-o", type=_FOLDER,
              help="Folder to write the build into (replaced whole, only on success)  [default: dist; drafts with --drafts]")
@click.option("--base", help="Base IRI for instance IRIs (default: dataset.yaml's, else https://w3id.org/kgpub/id/).")
@_QUIET
@_NO_VALIDATE
@_STRICT
@click.option("--shapes", type=click.Path(path_type=Path), help="Shapes folder or file (default: the shipped shapes/).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Processes that read and map articles (default: all cores).")
@click.option("--no-cache", is_flag=True, help="Map every article again instead of reusing unchanged ones.")
@_NO_INDEX
@_SHOW_INFO
@click.option("--memory", metavar="SIZE", default="2GiB", show_default=True,
              help="Memory the build may hold, summed over its processes (e.g. 512MiB, 4GiB): what does not fit "
              "is kept on disk beside the output; the files written are the same.")
@click.option("--drafts", is_flag=True, help="Build items still marked 'drafted: true' too, into a draft build "
              "of its own (default folder: drafts) that query, load, serve and site refuse.")
@click.option("--shard", metavar="I/N", help="Build only shard I of N (counted from 0) into a partial build, "
              "for 'kgpub merge' to join with the others (docs/shards.md).")
@click.option("--shards", type=int, metavar="N", help="Build in N shards on the Dask cluster --dask names, "
              "joined into the build.")
@click.option("--dask", metavar="SCHEDULER", help="Run the --shards on the Dask scheduler at this address "
              "(tcp://HOST:8786), or 'local' for a cluster of this machine's cores; needs kgpub[dask].")
def build(seeds: Path, out: Path | None, base: str | None, quiet: bool, no_validate: bool, strict: bool,
          shapes: Path | None, jobs: int | None, no_cache: bool, no_index: bool, show_info: bool, memory: str,
          drafts: bool, shard: str | None, shards: int | None, dask: str | None) -> None:
    """Build the knowledge graph of every article in SEEDS (default: seeds).

    The graph is checked against the SHACL shapes first; on a violation the
    report is printed and nothing is written (exit 1).  An item 'kgpub draft'
    marked 'drafted: true' stops the build (exit 2, one line each) until a
    person confirms it by deleting the mark; --drafts builds it apart.
    """
    out = out if out is not None else Path("drafts" if drafts else "dist")
    from kgpub.progress import progress_bar

    if no_validate and shard is None:
        _say("warning: --no-validate: the graph is NOT checked against the SHACL shapes", err=True)
    result = api.build(seeds, out, base=base, validate=not no_validate, strict=strict, shapes=shapes,
                       jobs=jobs, cache=not no_cache, index=not no_index,
                       progress=None if quiet or shards is not None else progress_bar("articles"), drafts=drafts,
                       shard=shard, shards=shards, dask=dask, memory=memory)
    _report_build(result, out, quiet=quiet, strict=strict, show_info=show_info)
    if drafts and not quiet and result.shard is None:
        _say(printable(f"{out}/ is a DRAFT build, with facts nobody has confirmed: query, load, serve and site refuse it"))


def _report_build(result: api.BuildResult, out: Path, *, quiet: bool, strict: bool, show_info: bool) -> None:
    """What ``build`` and ``merge`` print: the notes, the report of a graph that does not conform (exit 1), the summary."""
    from kgpub.shacl.report import render_text

    for note in result.notes:  # entities the registry may already hold: warnings always, hints unless --quiet
        if note.severity == "warning" or not quiet:
            _say(printable(str(note)), err=True)
    if not result.written:
        assert result.report is not None
        _say(render_text(result.report, strict=strict, show_info=show_info), err=True)
        _say(printable(f"nothing written to {out}/: fix the facts above and build again"), err=True)
        sys.exit(1)
    if show_info and result.report is not None and result.report.results:
        _say(render_text(result.report, strict=strict, show_info=True, summary=False), err=True)
    if not quiet:
        _say(result.summary(listed=show_info))


@main.command()
@click.argument("parts", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "-o", type=_FOLDER, default="dist", show_default=True,
              help="Folder to write the build into (replaced whole, only on success).")
@_QUIET
@_NO_VALIDATE
@_STRICT
@click.option("--shapes", type=click.Path(path_type=Path), help="Shapes folder or file: the shards' (default: the shipped shapes/).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Processes that write the files (default: all cores).")
@_NO_INDEX
@_SHOW_INFO
def merge(parts: tuple[Path, ...], out: Path, quiet: bool, no_validate: bool, strict: bool, shapes: Path | None,
          jobs: int | None, no_index: bool, show_info: bool) -> None:
    """Join the partial builds PARTS ('kgpub build --shard I/N', every I of one N) into the build.

    The graph is merged, checked as a whole and written once, exactly as a
    single 'kgpub build' of the corpus writes it.  Parts of another corpus,
    kgpub or split, or a shard missing or given twice, stop it (exit 2).
    """
    if no_validate:
        _say("warning: --no-validate: the graph is NOT checked against the SHACL shapes", err=True)
    result = api.merge(list(parts), out, validate=not no_validate, strict=strict, shapes=shapes, jobs=jobs,
                       index=not no_index)
    _report_build(result, out, quiet=quiet, strict=strict, show_info=show_info)


@main.command()
@click.argument("article", type=click.Path(path_type=Path))
@click.option("--seeds", default="seeds", show_default=True, type=click.Path(path_type=Path),
              help="The seeds folder whose registry (entities.yaml) the text is read against.")
@click.option("--published", metavar="DATE", help="When the article was published: YYYY-MM-DD, YYYY-MM or YYYY "
              "(relative dates such as 'late Sunday' are resolved against it).")
@click.option("--url", help="The article's URL.")
@click.option("--publisher", metavar="ID", help="The publisher's entity id (a registry id, else a new entity).")
@click.option("--language", default="en", show_default=True, help="The article's language (BCP 47).")
@click.option("--out", "-o", metavar="PATH", help="Where to write the draft (default: ARTICLE.facts.yaml beside "
              "ARTICLE; never over a file that exists); - prints it.")
def draft(article: Path, seeds: Path, published: str | None, url: str | None, publisher: str | None,
          language: str, out: str | None) -> None:
    """Draft the facts file of ARTICLE (a UTF-8 text) for a person to confirm.

    Every item is marked 'drafted: true'; 'kgpub build' refuses the file until
    each mark is deleted, so nothing drafted is published unconfirmed.
    """
    from kgpub import drafting

    result = drafting.draft(article, seeds=seeds, published=published, url=url, publisher=publisher,
                            out=out, language=language)
    if result.path is None:
        click.echo(result.yaml, nl=False)
    else:
        _say(printable(result.summary()), err=True)


@main.command()
@click.argument("seeds", default="seeds", type=click.Path(path_type=Path))
@click.option("--quiet", "-q", is_flag=True, help="Print the problems only, not the closing summary.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Processes that read the facts files (default: all cores).")
def check(seeds: Path, quiet: bool, jobs: int | None) -> None:
    """Check the facts files, registry and quotes of SEEDS (default: seeds) without building.

    Every problem of every file, one line each (file:line: field: message),
    the ones 'kgpub build' would stop on, short of the SHACL shapes' (which
    need the graph).  Exit 0 when there is none, 2 when there are problems.
    """
    result = api.check(seeds, jobs=jobs)
    for problem in result.problems:  # one line each, whatever a file name or a value holds
        _say(printable(str(problem)))
    if not quiet:
        _say(result.summary(), err=True)
    if not result.ok:
        sys.exit(2)


@main.command()
@click.argument("seeds", default="seeds", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--candidates-only", is_flag=True, help="List only the entities that may duplicate another.")
def entities(seeds: Path, fmt: str, candidates_only: bool) -> None:
    """List every entity of SEEDS with the articles that mention it and its merge candidates.

    A candidate is a registry entity an article's own entity may be (same name
    under another spelling: warning; a transliteration variant: hint), or an
    entity another article defines under the same name, so a registry can be
    cleaned in one pass.
    """
    import json
    from dataclasses import asdict

    from kgpub.corpus.identity import entities_table

    rows = [r for r in api.entities(seeds) if r.candidates or not candidates_only]
    if fmt == "json":
        _say_data(json.dumps([asdict(r) for r in rows], indent=2))
    else:
        _say(entities_table(rows), nl=False)


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--shapes", type=click.Path(path_type=Path), help="Shapes folder or file (default: the shipped shapes/).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "turtle"]), default="text", show_default=True,
              help="Report format; turtle is the SHACL validation report itself.")
@click.option("--input-format", type=click.Choice([f.rdflib for f in formats.FORMATS]),
              help="Format of FILES when their extension does not tell.")
@click.option("--no-ontology", is_flag=True, help="Do not mix the kgpub ontology into the data.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--show-info", is_flag=True, help="List curation hints (sh:Info) in the text report.")
@click.option("--base", metavar="IRI", help="Base IRI for relative IRIs in FILES and the shapes (default: each file's URL).")
def validate(files: tuple[Path, ...], shapes: Path | None, fmt: str, input_format: str | None, base: str | None,
             no_ontology: bool, strict: bool, show_info: bool) -> None:
    """Check RDF FILES (default: the build in dist/) against the SHACL shapes.

    Exit 0 when the data conforms (warnings allowed unless --strict), 1 when it
    does not, 2 when the data or the shapes cannot be read.
    """
    from kgpub.shacl.report import render_json, render_text, render_turtle

    report = api.validate(list(files), shapes=shapes, ontology=not no_ontology, input_format=input_format,
                          base=base)
    if fmt == "json":
        _say_data(render_json(report, strict=strict))
    elif fmt == "turtle":
        _say_data(render_turtle(report), nl=False)
    else:
        _say(render_text(report, strict=strict, show_info=show_info))
    sys.exit(0 if report.conforms(strict) else 1)


@main.command()
@click.option("--data", "-d", default="dist", show_default=True, type=click.Path(path_type=Path), help="The build folder.")
@click.option("--out", "-o", default="site", show_default=True, type=_FOLDER, help="Folder to write the site into.")
@click.option("--seeds", default="seeds", show_default=True, type=click.Path(path_type=Path),
              help="The seeds folder the build was made from, for the article texts shown with their quotes.")
def site(data: Path, out: Path, seeds: Path) -> None:
    """Write a build as a static Linked Data site: a page per IRI with its RDF alternates, and each article's text with its quotes highlighted."""
    _say(api.site(data, out, seeds=seeds).summary())


@main.command()
@click.option("--data", "-d", default="dist", show_default=True, type=click.Path(path_type=Path), help="The build folder to serve.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", "-p", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
              help="Seconds a SPARQL query may run.")
@click.option("--max-rows", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Rows (or triples) a SPARQL answer may hold; a larger answer is refused (400), never cut.")
@click.option("--seeds", type=click.Path(path_type=Path),
              help="The seeds folder: show the article texts whose licence (or dataset.yaml) allows it; "
                   "without it, pages show quotes only.")
def serve(data: Path, host: str, port: int, timeout: float, max_rows: int, seeds: Path | None) -> None:
    """Serve a build: a read-only SPARQL endpoint (/sparql), a page for every IRI, and the shipped queries (/queries)."""
    api.serve(data, host=host, port=port, timeout=timeout, max_rows=max_rows, seeds=seeds)


@main.command()
@click.argument("sparql", required=False)
@click.option("--data", "-d", default="dist", show_default=True, type=click.Path(path_type=Path),
              help="A build folder (indexed on first use) or any RDF file.")
@click.option("--format", "-f", "fmt", help="table, csv, tsv, json, xml or markdown for SELECT; "
              "turtle, ntriples or jsonld for CONSTRUCT/DESCRIBE.",
              type=click.Choice([f.name for f in results.RESULTS_FORMATS] + list(results.GRAPH_FORMATS)))
@click.option("--output", "-o", metavar="FILE", help="Write the result to FILE instead of stdout ('-': stdout).")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a query variable (repeatable); IRIs as <...> or prefixed names.")
@click.option("--list", "list_queries", is_flag=True, help="List the shipped queries and exit.")
@click.option("--endpoint", "-e", metavar="URL", help="Run on a remote SPARQL 1.1 endpoint instead.")
@click.option("--user", help="User for the endpoint; the password comes from KGPUB_PASSWORD.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              help="Seconds the query may run (embedded) or the endpoint may take to answer.")
@click.option("--max-memory", type=_SIZE, metavar="SIZE",
              help="Memory the embedded engine may use, e.g. 2G or 500M  [default: half the machine's].")
@click.option("--store-default-graph", is_flag=True,
              help="With --endpoint: query the store's own default graph, not the graphs 'kgpub load' recorded.")
@click.option("--allow-service", is_flag=True,
              help="Let the embedded engine run SERVICE clauses (requests to the hosts they name); refused otherwise.")
def query(sparql: str | None, data: Path, fmt: str | None, output: str | None, params: tuple[str, ...],
          list_queries: bool, endpoint: str | None, user: str | None, timeout: float, max_memory: int | None,
          store_default_graph: bool, allow_service: bool) -> None:
    """Run SPARQL over a build: inline text, @file.rq, - for stdin, or a shipped query's name.

    The kg, kgt, id, oa, schema, prov, skos, rdfs, xsd, ... prefixes are
    predeclared. ASK exits 0 when true and 1 when false.  On a store that
    'kgpub load' filled, the query runs over the graphs the load recorded
    (data and ontology as the default graph), as it does over the build.
    """
    from kgpub.sparql.results import AskResult, is_empty, render
    from kgpub.sparql.shipped import shipped_queries

    if list_queries:
        click.echo(_query_list(shipped_queries()), nl=False)
        return
    if not sparql:
        raise click.UsageError("give a query (SPARQL text, @file.rq, - or a shipped query's name), or --list")
    if sparql == "-":
        sparql = sys.stdin.read()
    bindings = dict(_param(p) for p in params)
    result = api.query(sparql, data, params=bindings, endpoint=endpoint, user=user,
                       password=os.environ.get("KGPUB_PASSWORD"), timeout=timeout, memory=max_memory,
                       store_default_graph=store_default_graph, allow_service=allow_service)
    prefixes = api.query_prefixes(data, endpoint)
    if output == "-":  # the convention of every command line tool: '-' is standard output
        output = None
    width = shutil.get_terminal_size().columns if output is None and sys.stdout.isatty() else None
    payload = render(result, fmt, prefixes, width)
    if is_empty(result):
        _say("no results", err=True)
        if fmt in (None, "table", "markdown"):
            payload = b""
    if output is not None:
        write_atomically(Path(output), payload)
    else:
        text = payload.decode("utf-8")
        click.echo(printable_lines(text) if sys.stdout.isatty() else text, nl=False)  # piped: the data as it is
    if isinstance(result, AskResult) and not result.value:
        sys.exit(1)


def _param(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise click.BadParameter(f"{text!r}: expected NAME=VALUE", param_hint="--param")
    return name.strip(), value


def _query_list(queries: list[Any]) -> str:
    lines = []
    for q in queries:
        params = " ".join(f"--param {p.name}=..." for p in q.params)
        lines.append(f"{q.name:<14} {q.title}{'  (' + params + ')' if params else ''}")
        lines.append(f"{'':<14} {q.description}")
    return "\n".join(lines) + "\n"


@main.command()
@click.argument("endpoint")
@click.option("--data", "-d", default="dist", show_default=True, type=click.Path(path_type=Path), help="The build to load.")
@click.option("--flavor", type=click.Choice(["fuseki", "graphdb", "rdf4j", "virtuoso", "oxigraph", "gsp"]),
              help="The store's URL layout (guessed from ENDPOINT when unambiguous).")
@click.option("--graph", "graph", metavar="IRI", help="Load everything into this one graph instead.")
@click.option("--default-graph", is_flag=True, help="Load everything into the default graph instead.")
@click.option("--mode", type=click.Choice(["replace", "append"]), default="replace", show_default=True,
              help="replace: one PUT per graph (idempotent); append: POST.")
@click.option("--force", is_flag=True, help="Send every graph, even those unchanged since the last load.")
@click.option("--dry-run", is_flag=True, help="Print the plan and send nothing.")
@click.option("--create", is_flag=True,
              help="Make the Fuseki dataset, or the RDF4J or GraphDB repository, that ENDPOINT names if missing.")
@click.option("--chunk-triples", type=click.IntRange(min=1), metavar="N",
              help="Split larger graphs: the first chunk is PUT, the rest POSTed (not atomic).")
@click.option("--graph-store", metavar="URL", help="Graph Store endpoint (with --flavor gsp).")
@click.option("--query-endpoint", metavar="URL", help="SPARQL query endpoint (with --flavor gsp).")
@click.option("--user", help="User name; the password comes from KGPUB_PASSWORD (or ~/.netrc).")
@click.option("--insecure", is_flag=True, help="Do not verify TLS certificates.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
              help="Seconds to wait for each request, plus 1 s per 10,000 triples it carries.")
@click.option("--parallel", type=click.IntRange(min=1), default=4, show_default=True,
              help="Bulk requests in flight at once.")
@click.option("--keep-removed", is_flag=True,
              help="Keep in the store the graphs an earlier load put there that the build no longer has "
                   "(withdrawn or deleted articles); by default they are removed.")
@click.option("--atomic/--no-atomic", default=True, show_default=True,
              help="Every bulk request of named graphs one transaction, so a graph lands whole or not at all; "
                   "--no-atomic sends Oxigraph's through its bulk loader too (the default graph's copy always goes "
                   "there), three times faster on disk (a failed load may leave part of a new graph until a "
                   "re-run: see docs/stores.md).")
def load(endpoint: str, data: Path, flavor: str | None, graph: str | None, default_graph: bool, mode: str,
         force: bool, dry_run: bool, create: bool, chunk_triples: int | None, graph_store: str | None,
         query_endpoint: str | None, user: str | None, insecure: bool, timeout: float, parallel: int,
         atomic: bool, keep_removed: bool) -> None:
    """Publish the build into the triple store at ENDPOINT, graph by graph, and verify what landed.

    Graphs the store does not hold yet go in bulk (gzip-compressed N-Quads,
    whole graphs per request, --parallel requests at once); the others are
    replaced one PUT each.  Every graph sent is compared with what the store
    holds; a store that rewrites terms is named in a warning with an example.
    Exit 0 when every
    graph holds what was sent (rewritten terms included), 1 when a graph does
    not, 3 when the store refuses or cannot be reached.
    """
    from kgpub.progress import progress_bar

    result = api.load(endpoint, data, flavor=flavor, graph=graph, default_graph=default_graph, mode=mode,
                           force=force, dry_run=dry_run, chunk_triples=chunk_triples, graph_store=graph_store,
                           query_endpoint=query_endpoint, user=user, password=os.environ.get("KGPUB_PASSWORD"),
                           verify_tls=not insecure, timeout=timeout, progress=progress_bar("graphs"), create=create,
                           parallel=parallel, atomic=atomic, keep_removed=keep_removed)
    if dry_run:
        _say(result.plan())
    _say(result.table())
    for line in result.warnings:
        _say(printable(line), err=True)
    if not result.ok:
        sys.exit(1)


@main.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json", "sparql-update"]), default="text",
              show_default=True, help="text: a changelog; json: the same as data; sparql-update: a changeset "
              "that takes a store holding OLD to NEW.")
@click.option("--output", "-o", help="Write to FILE instead of standard output ('-').")
def diff(old: Path, new: Path, fmt: str, output: str | None) -> None:
    """Say what changed from build OLD to build NEW: facts added, corrected, retracted and removed."""
    result = api.diff(old, new)
    text = {"text": result.text, "json": result.json_text, "sparql-update": result.sparql_update}[fmt]()
    if output is not None and output != "-":
        write_atomically(Path(output), text.encode("utf-8"))
    elif fmt == "text":
        _say(text, nl=False)
    else:
        _say_data(text, nl=False)
