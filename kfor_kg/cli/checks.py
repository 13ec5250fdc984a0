"""`kfor-kg validate` (SHACL shapes, kfor_kg.rdf.validate) and `kfor-kg evaluate` (gold, kfor_kg.evaluate)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kfor_kg.cli.build import DEFAULT_OUTPUT
from kfor_kg.cli.streams import is_stdio, read_rdf, require_data_format
from kfor_kg.errors import ConfigError, IngestError
from kfor_kg.rdf.export import FORMATS as RDF_FORMATS


@click.command("validate")
@click.argument("graph", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(RDF_FORMATS),
              help="RDF format of GRAPH (default: from its extension; needed for `-`, stdin).")
@click.option("-q", "--quiet", is_flag=True, help="Print no report; only the exit code tells.")
def validate_cli(graph: Path, fmt: str | None, quiet: bool) -> None:
    """Check an RDF file against the shipped SHACL shapes and report what is wrong where.

    Exits 0 when the graph conforms, 1 when it does not, 3 when it cannot be read
    or holds no kfor-kg document (an empty file conforms to any shapes).

    Example:

        kfor-kg validate kfor.trig
    """
    from rdflib import Dataset
    from rdflib.namespace import RDF

    from kfor_kg.rdf import export, validate
    from kfor_kg.rdf.vocab import KFOR

    if is_stdio(graph) and fmt is None:
        raise click.UsageError("GRAPH - (standard input) needs --format")
    data = read_rdf(export.read, graph, fmt)
    if is_stdio(graph):
        graph = Path("<stdin>")
    if not any(True for _ in Dataset(store=data.store, default_union=True).subjects(
            RDF.type, KFOR.Document)):
        raise IngestError(f"{graph} holds no kfor-kg document (nothing typed kfor:Document); "
                          f"there is nothing to validate — is it a graph `kfor-kg build` wrote?")
    outcome = validate.validate(data)
    if not quiet:
        click.echo(validate.format_report(outcome))
    sys.exit(0 if outcome.conforms else 1)


@click.command("evaluate")
@click.argument("gold_dirs", metavar="GOLD_DIR...", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--data", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              default=DEFAULT_OUTPUT, show_default=True,
              help="The built graph to score (any format `kfor-kg build` writes; `-`: stdin).")
@click.option("--data-format", type=click.Choice(RDF_FORMATS),
              help="RDF format of --data (default: from its extension; needed with `--data -`).")
@click.option("--errors", "show_errors", is_flag=True, help="Also list every false positive and negative.")
@click.option("--thresholds", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON of minimum figures per type or fact field; exit 1 when a score falls below them.")
@click.option("--check", is_flag=True,
              help="Hold each gold folder to its own thresholds.json; exit 1 when a score falls below.")
def evaluate_cli(gold_dirs: tuple[Path, ...], data: Path, data_format: str | None, show_errors: bool,
                 thresholds: Path | None, check: bool) -> None:
    """Score a graph against hand-made gold: P, R, F1 per entity type and event, P/R per header fact.

    Each GOLD_DIR is a split scored on its own (the tune split `tests/gold`,
    the dev split `tests/gold/dev`); header facts are shown per source folder.

    Example:

        kfor-kg build examples/reports tests/data/dev -o kfor.ttl
        kfor-kg evaluate tests/gold tests/gold/dev --data kfor.ttl --errors
    """
    from kfor_kg import evaluate
    from kfor_kg.rdf import export

    require_data_format(data, data_format)
    if not is_stdio(data) and not data.exists():
        raise ConfigError(f"{data} does not exist; run `kfor-kg build` first or pass --data FILE")
    graph = read_rdf(export.read, data, data_format)
    failed: list[str] = []
    for n, gold_dir in enumerate(gold_dirs):
        report = evaluate.evaluate(gold_dir, graph)
        if len(gold_dirs) > 1:
            split = evaluate.split_name(gold_dir)
            click.echo(("\n" if n else "") + f"== {split + ': ' if split else ''}{gold_dir}")
        click.echo(evaluate.format_table(report, errors=show_errors))
        for path in [p for p in (thresholds, gold_dir / evaluate.THRESHOLDS if check else None) if p]:
            if path.exists():
                failed += [f"{gold_dir}: {x}" for x in
                           evaluate.below_thresholds(report, evaluate.load_thresholds(path))]
    if failed:
        click.echo("Below the recorded figures: " + "; ".join(failed), err=True)
        sys.exit(1)
