"""The ``kgpub`` command: a thin shell over the library API in ``pipeline``.

Each command parses its options, calls one library function and prints the
result.  Errors are exceptions that own their exit code; they are printed as
one line each, never as a traceback (``KGPUB_DEBUG=1`` shows it).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__, pipeline
from .errors import KgpubError

INTERNAL_ERROR = 70


class KgpubGroup(click.Group):
    """Turns every KgpubError into its message on stderr and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KgpubError as exc:
            click.echo(str(exc), err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - last line of defence against tracebacks
            if os.environ.get("KGPUB_DEBUG"):
                raise
            click.echo(f"kgpub: internal error: {type(exc).__name__}: {exc} "
                       "(set KGPUB_DEBUG=1 to see the traceback)", err=True)
            ctx.exit(INTERNAL_ERROR)


@click.group(cls=KgpubGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kgpub")
def main() -> None:
    """Publish the facts of news articles as a validated, quote-anchored RDF knowledge graph."""


@main.command()
@click.argument("seeds", default="seeds", type=click.Path(path_type=Path))
@click.option("--out", "-o", default="dist", show_default=True, type=click.Path(path_type=Path),
              help="Folder to write the build into (replaced whole, only on success).")
@click.option("--base", help="Base IRI for instance IRIs (default: dataset.yaml's, else https://w3id.org/kgpub/id/).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success.")
def build(seeds: Path, out: Path, base: str | None, quiet: bool) -> None:
    """Build the knowledge graph of every article in SEEDS (default: seeds)."""
    result = pipeline.build(seeds, out, base=base)
    if not quiet:
        click.echo(result.summary())


@main.command()
@click.argument("sparql")
@click.option("--data", "-d", default="dist", show_default=True, type=click.Path(path_type=Path),
              help="A build folder or an RDF file.")
def query(sparql: str, data: Path) -> None:
    """Run the SPARQL query SPARQL over a build (kg, oa, schema, ... prefixes predeclared)."""
    from .query import format_table

    result = pipeline.query(sparql, data)
    if isinstance(result, bool):
        click.echo("true" if result else "false")
        sys.exit(0 if result else 1)
    if not result.rows:
        click.echo("no results", err=True)
        return
    click.echo(format_table(result))
