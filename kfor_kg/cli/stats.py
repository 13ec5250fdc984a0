"""`kfor-kg stats`: figures about a built series (kfor_kg.stats); and the options every
command that reads a whole build shares (`stats`, `plot`, `serve`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kfor_kg.cli.build import DEFAULT_OUTPUT
from kfor_kg.cli.store import retries_option, retry_policy, timeout_option, valid_base
from kfor_kg.cli.streams import is_stdio, read_rdf, require_data_format
from kfor_kg.errors import ConfigError, IngestError
from kfor_kg.rdf.export import FORMATS as RDF_FORMATS
from kfor_kg.rdf.vocab import DEFAULT_BASE
from kfor_kg.stores.http import DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from kfor_kg.stats import Corpus

F = TypeVar("F", bound=Callable[..., Any])


def corpus_options(command: F) -> F:
    """Where a build is read from, as `kfor-kg query` takes it: --data FILE (or `-` with
    --data-format), --store DIR, or --endpoint URL (with --union, --timeout, --retries);
    and --base. The command gets them as keyword arguments for `open_corpus`."""
    for option in reversed((
        click.option("--data", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
                     help=f"RDF file of a build, `-` for standard input (default: {DEFAULT_OUTPUT}, "
                          "what `kfor-kg build` writes)."),
        click.option("--data-format", type=click.Choice(RDF_FORMATS),
                     help="RDF format of --data (default: from its extension; needed with `--data -`)."),
        click.option("--store", type=click.Path(file_okay=False, exists=True, path_type=Path),
                     help="On-disk Oxigraph store of a build (`kfor-kg build --store DIR`)."),
        click.option("--endpoint", metavar="URL", help="SPARQL endpoint to read instead of a file."),
        click.option("--union/--named-graphs", "union", default=False,
                     help="Endpoint: rely on the server's default graph (--union) or query the "
                          "union of the graphs `kfor-kg load` wrote (default)."),
        click.option("--base", default=DEFAULT_BASE, show_default=True, callback=valid_base,
                     help="Base IRI of the build."),
        timeout_option(),
        retries_option(default=0),
    )):
        command = option(command)
    return command


def check_source(data: Path | None, data_format: str | None, store: Path | None,
                 endpoint: str | None) -> Path | None:
    """The --data file to read (kfor.ttl here when no source is given), checked before any work.

    Raises:
        click.UsageError: more than one source, or `--data -` without --data-format.
        ConfigError: no source given and no kfor.ttl here.
    """
    if sum(x is not None for x in (data, endpoint, store)) > 1:
        raise click.UsageError("give one of --data, --store and --endpoint")
    require_data_format(data, data_format)
    if data is None and endpoint is None and store is None:
        data = DEFAULT_OUTPUT
        if not data.exists():
            raise ConfigError(f"{data} does not exist here; run `kfor-kg build` first, "
                              "or pass --data FILE, --store DIR or --endpoint URL")
    return data


def endpoint_graphs(endpoint: str, union: bool, base: str, timeout: float,
                    retries: int) -> list[str] | None:
    """The graphs `kfor-kg load` wrote on the endpoint (None with --union: the server's default graph).

    Raises:
        StoreError: the endpoint's graphs cannot be listed.
    """
    if union:
        return None
    from kfor_kg.stores.client import Target
    from kfor_kg.stores.triplestore import stored_graphs

    return stored_graphs(Target(endpoint, timeout=timeout), base=base, retry=retry_policy(retries))


def open_corpus(data: Path | None = None, data_format: str | None = None,
                store: Path | None = None, endpoint: str | None = None, union: bool = False,
                base: str = DEFAULT_BASE, timeout: float = DEFAULT_TIMEOUT,
                retries: int = 0) -> Corpus:
    """The build the options of `corpus_options` name, read now (a bad file fails here,
    before any other work).

    Raises:
        click.UsageError: more than one source, or `--data -` without --data-format.
        ConfigError, IngestError: no --data and no kfor.ttl here; the file or store
            cannot be read.
        StoreError: the endpoint's graphs cannot be listed.
    """
    from kfor_kg.stats import Corpus
    from kfor_kg.stores import query

    data = check_source(data, data_format, store, endpoint)
    if endpoint is not None:
        graphs = endpoint_graphs(endpoint, union, base, timeout, retries)
        return Corpus(endpoint=endpoint, default_graphs=graphs, timeout=timeout,
                      retry=retry_policy(retries), base=base)
    if store is not None:
        return Corpus(query.open_store(store), base=base)
    assert data is not None
    return Corpus(read_rdf(query.load, data, data_format), base=base)


@click.command("stats")
@corpus_options
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table",
              show_default=True, help="Output format.")
def stats_cli(fmt: str, **source: Any) -> None:
    """Figures about a build: documents per year and per force, signatories,
    entities and events by type, the troop-strength range.

    Examples:

        kfor-kg stats

        kfor-kg stats --data kfor.trig --format json
    """
    from kfor_kg import stats

    corpus = open_corpus(**source)
    figures = stats.compute(corpus)
    if not figures.documents:
        raise IngestError(f"{describe_source(source)} holds no kfor-kg document (nothing typed "
                          "kfor:Document); is it a graph `kfor-kg build` wrote?")
    click.echo(stats.format_stats(figures, fmt), nl=False)


def describe_source(source: dict[str, Any]) -> str:
    """How to name the build the options point at, in messages."""
    if source.get("endpoint"):
        return str(source["endpoint"])
    if source.get("store"):
        return str(source["store"])
    data = source.get("data")
    return "<stdin>" if is_stdio(data) else str(data or DEFAULT_OUTPUT)
