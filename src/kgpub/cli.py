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
@click.option("--no-validate", is_flag=True, help="Skip the SHACL check (the build says so loudly).")
@click.option("--strict", is_flag=True, help="Refuse to write on SHACL warnings too, not only violations.")
@click.option("--shapes", type=click.Path(path_type=Path), help="Shapes folder or file (default: the shipped shapes/).")
def build(seeds: Path, out: Path, base: str | None, quiet: bool, no_validate: bool, strict: bool,
          shapes: Path | None) -> None:
    """Build the knowledge graph of every article in SEEDS (default: seeds).

    The graph is checked against the SHACL shapes first; on a violation the
    report is printed and nothing is written (exit 1).
    """
    from .validation import render_text

    if no_validate:
        click.echo("warning: --no-validate: the graph is NOT checked against the SHACL shapes", err=True)
    result = pipeline.build(seeds, out, base=base, validate=not no_validate, strict=strict, shapes=shapes)
    if not result.written:
        assert result.report is not None
        click.echo(render_text(result.report, strict=strict), err=True)
        click.echo(f"nothing written to {out}/: fix the facts above and build again", err=True)
        sys.exit(1)
    if not quiet:
        click.echo(result.summary())


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--shapes", type=click.Path(path_type=Path), help="Shapes folder or file (default: the shipped shapes/).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "turtle"]), default="text", show_default=True,
              help="Report format; turtle is the SHACL validation report itself.")
@click.option("--input-format", type=click.Choice(["turtle", "nt", "trig", "nquads", "json-ld", "xml", "n3"]),
              help="Format of FILES when their extension does not tell.")
@click.option("--no-ontology", is_flag=True, help="Do not mix the kgpub ontology into the data.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--show-info", is_flag=True, help="List curation hints (sh:Info) in the text report.")
def validate(files: tuple[Path, ...], shapes: Path | None, fmt: str, input_format: str | None,
             no_ontology: bool, strict: bool, show_info: bool) -> None:
    """Check RDF FILES (default: the build in dist/) against the SHACL shapes.

    Exit 0 when the data conforms (warnings allowed unless --strict), 1 when it
    does not, 2 when the data or the shapes cannot be read.
    """
    from .validation import render_json, render_text, render_turtle

    report = pipeline.validate(list(files), shapes=shapes, ontology=not no_ontology, input_format=input_format)
    if fmt == "json":
        click.echo(render_json(report, strict=strict))
    elif fmt == "turtle":
        click.echo(render_turtle(report), nl=False)
    else:
        click.echo(render_text(report, strict=strict, show_info=show_info))
    sys.exit(0 if report.conforms(strict) else 1)


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
