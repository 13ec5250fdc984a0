"""`kfor-kg stats`: figures about a built series (kfor_kg.stats); and the options every
command that reads a whole build shares (`stats`, `plot`, `serve`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from kfor_kg.cli.build import DEFAULT_OUTPUT
from kfor_kg.errors import ConfigError
from kfor_kg.rdf.vocab import DEFAULT_BASE
from kfor_kg.stores.http import DEFAULT_TIMEOUT

F = TypeVar("F", bound=Callable[..., Any])


def corpus_options(command: F) -> F:
    """--data / --endpoint (with --union, --base, --timeout), as `kfor-kg query` has them."""
    for option in reversed((
        click.option("--data", type=click.Path(dir_okay=False, path_type=Path),
                     help=f"RDF file of a build (default: {DEFAULT_OUTPUT}, what `kfor-kg build` writes)."),
        click.option("--endpoint", metavar="URL", help="SPARQL endpoint to read instead of a file."),
        click.option("--union/--named-graphs", "union", default=False,
                     help="Endpoint: rely on the server's default graph (--union) or query the "
                          "union of the graphs `kfor-kg load` wrote (default)."),
        click.option("--base", default=DEFAULT_BASE, show_default=True,
                     help="Base IRI of the build."),
        click.option("--timeout", type=click.FloatRange(min=0, min_open=True),
                     default=DEFAULT_TIMEOUT, show_default=True,
                     help="Seconds to wait for the endpoint."),
    )):
        command = option(command)
    return command


def open_corpus(data: Path | None, endpoint: str | None, union: bool, base: str,
                timeout: float) -> Any:
    """The `kfor_kg.stats.Corpus` the options name; checked before any work starts.

    Raises:
        click.UsageError: both --data and --endpoint.
        ConfigError: no --data and no kfor.ttl here, or the file is missing.
    """
    from kfor_kg.stats import Corpus

    if data is not None and endpoint is not None:
        raise click.UsageError("give --data or --endpoint, not both")
    if endpoint is not None:
        graphs = None
        if not union:
            from kfor_kg.stores.client import Target
            from kfor_kg.stores.triplestore import stored_graphs

            graphs = stored_graphs(Target(endpoint, timeout=timeout), base=base)
        return Corpus(endpoint=endpoint, default_graphs=graphs, timeout=timeout, base=base)
    if data is None:
        data = DEFAULT_OUTPUT
        if not data.exists():
            raise ConfigError(f"{data} does not exist here; run `kfor-kg build` first, "
                              "or pass --data FILE or --endpoint URL")
    elif not data.is_file():
        raise ConfigError(f"{data}: no such file")
    return Corpus(data, base=base)


@click.command("stats")
@corpus_options
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table",
              show_default=True, help="Output format.")
def stats_cli(data: Path | None, endpoint: str | None, union: bool, base: str, timeout: float,
              fmt: str) -> None:
    """Figures about a build: documents per year and per force, signatories,
    entities and events by type, the troop-strength range.

    Example:

        kfor-kg stats --format json
    """
    from kfor_kg import stats

    corpus = open_corpus(data, endpoint, union, base, timeout)
    click.echo(stats.format_stats(stats.compute(corpus), fmt), nl=False)
