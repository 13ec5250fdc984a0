"""`kfor-kg validate` (SHACL shapes, kfor_kg.rdf.validate) and `kfor-kg evaluate` (gold, kfor_kg.evaluate)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kfor_kg.cli.build import DEFAULT_OUTPUT
from kfor_kg.errors import ConfigError
from kfor_kg.rdf.export import FORMATS as RDF_FORMATS


@click.command("validate")
@click.argument("graph", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(RDF_FORMATS),
              help="RDF format of GRAPH (default: from its extension).")
@click.option("-q", "--quiet", is_flag=True, help="Print no report; only the exit code tells.")
def validate_cli(graph: Path, fmt: str | None, quiet: bool) -> None:
    """Check an RDF file against the shipped SHACL shapes and report what is wrong where.

    Exits 0 when the graph conforms, 1 when it does not, 3 when it cannot be read.

    Example:

        kfor-kg validate kfor.trig
    """
    from kfor_kg.rdf import export, validate

    outcome = validate.validate(export.read(graph, fmt))
    if not quiet:
        click.echo(validate.format_report(outcome))
    sys.exit(0 if outcome.conforms else 1)


@click.command("evaluate")
@click.argument("gold_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--data", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_OUTPUT,
              show_default=True, help="The built graph to score (any format `kfor-kg build` writes).")
@click.option("--errors", "show_errors", is_flag=True, help="Also list every false positive and negative.")
@click.option("--thresholds", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON of minimum figures per type; exit 1 when a score falls below them.")
def evaluate_cli(gold_dir: Path, data: Path, show_errors: bool, thresholds: Path | None) -> None:
    """Score a graph against hand-made gold annotations: P, R, F1 per type.

    Example:

        kfor-kg build examples/reports -o kfor.ttl
        kfor-kg evaluate tests/gold --data kfor.ttl --errors
    """
    from kfor_kg import evaluate
    from kfor_kg.rdf import export

    if not data.exists():
        raise ConfigError(f"{data} does not exist; run `kfor-kg build` first or pass --data FILE")
    report = evaluate.evaluate(gold_dir, export.read(data))
    failures = evaluate.below_thresholds(report, evaluate.load_thresholds(thresholds)) \
        if thresholds else []
    click.echo(evaluate.format_table(report, errors=show_errors))
    if failures:
        click.echo("Below the recorded figures: " + "; ".join(failures), err=True)
        sys.exit(1)
