"""`kfor-kg plot`: charts of a build as PNG or SVG (kfor_kg.plot)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kfor_kg.cli.stats import corpus_options, open_corpus
from kfor_kg.errors import ConfigError
from kfor_kg.plot import CHARTS, PLOT_FORMATS


def picture_format(output: Path | None, fmt: str | None) -> str:
    """The format `--format` names, else OUTPUT's extension, else png.

    Raises:
        ConfigError: OUTPUT's extension is neither .png nor .svg and no --format.
    """
    if fmt:
        return fmt
    if output is None or str(output) == "-":
        return "png"
    suffix = output.suffix.lower().lstrip(".")
    if suffix not in PLOT_FORMATS:
        raise ConfigError(f"{output}: cannot tell the picture format from the extension; "
                          "use .png or .svg, or --format")
    return suffix


@click.command("plot")
@click.argument("chart", type=click.Choice(CHARTS))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the picture (default: CHART.png; - for stdout).")
@click.option("--format", "fmt", type=click.Choice(PLOT_FORMATS),
              help="png or svg (default: from OUTPUT's extension).")
@corpus_options
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
def plot_cli(chart: str, output: Path | None, fmt: str | None, data: Path | None,
             endpoint: str | None, union: bool, base: str, timeout: float, quiet: bool) -> None:
    """Draw a chart of a build: `troops` (troop strength over time, reporting
    periods shaded, approximate figures as hollow marks) or `events` (events
    per month, stacked by type).

    The same build always gives the same bytes.

    Examples:

        kfor-kg plot troops -o troops.png

        kfor-kg plot events -o events.svg
    """
    from kfor_kg import plot
    from kfor_kg.files import write_atomic

    fmt = picture_format(output, fmt)
    if output is None:
        output = Path(f"{chart}.{fmt}")
    to_stdout = str(output) == "-"
    if not to_stdout and not (output.parent if str(output.parent) else Path(".")).is_dir():
        raise ConfigError(f"{output}: the folder {output.parent} does not exist")
    corpus = open_corpus(data, endpoint, union, base, timeout)
    picture = plot.render(chart, corpus, fmt)
    if to_stdout:
        sys.stdout.buffer.write(picture)
        sys.stdout.buffer.flush()
        return
    try:
        write_atomic(output, picture)
    except OSError as exc:
        raise ConfigError(f"{output}: cannot write the picture ({exc.strerror or exc})") from exc
    if not quiet:
        click.echo(f"Wrote {output}: the {chart} chart as {fmt.upper()}.", err=True)
