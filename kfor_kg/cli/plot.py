"""`kfor-kg plot`: charts of a build as PNG or SVG (kfor_kg.plot)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kfor_kg.cli.stats import corpus_options, open_corpus
from kfor_kg.cli.streams import check_output, is_stdio, write_stdout
from kfor_kg.errors import ConfigError
from kfor_kg.plot import CHARTS, PLOT_FORMATS


def picture_format(output: Path | None, fmt: str | None) -> str:
    """The format `--format` names, else OUTPUT's extension, else png.

    Raises:
        ConfigError: OUTPUT's extension is neither .png nor .svg and no --format.
    """
    if fmt:
        return fmt
    if output is None or is_stdio(output):
        return "png"
    suffix = output.suffix.lower().lstrip(".")
    if suffix not in PLOT_FORMATS:
        raise ConfigError(f"{output}: cannot tell the picture format from the extension; "
                          "use .png or .svg, or --format")
    return suffix


@click.command("plot")
@click.argument("chart", type=click.Choice(CHARTS))
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="Where to write the picture (default: CHART.png; - for stdout).")
@click.option("--format", "fmt", type=click.Choice(PLOT_FORMATS),
              help="png or svg (default: from OUTPUT's extension).")
@corpus_options
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
def plot_cli(chart: str, output: Path | None, fmt: str | None, quiet: bool, **source: Any) -> None:
    """Draw a chart of a build: `troops` (troop strength over time, reporting
    periods shaded, approximate figures as hollow marks) or `events` (events
    per month, stacked by type).

    The same build always gives the same bytes. `-o -` writes the picture to
    standard output.

    Examples:

        kfor-kg plot troops -o troops.png

        kfor-kg plot events -o events.svg
    """
    from kfor_kg import plot
    from kfor_kg.files import write_atomic

    fmt = picture_format(output, fmt)
    if output is None:
        output = Path(f"{chart}.{fmt}")
    if not is_stdio(output):
        check_output(output)  # before any data is read
    corpus = open_corpus(**source)
    picture = plot.render(chart, corpus, fmt)
    if is_stdio(output):
        write_stdout(picture)
        return
    try:
        write_atomic(output, picture)
    except OSError as exc:
        raise ConfigError(f"cannot write {output}: {exc.strerror or exc}") from exc
    if not quiet:
        click.echo(f"Wrote {output}: the {chart} chart as {fmt.upper()}.", err=True)
