"""`kfor-kg query` and `kfor-kg queries`: SPARQL on a file or an endpoint (kfor_kg.stores.query)."""

from __future__ import annotations

from pathlib import Path

import click

from kfor_kg.cli.build import DEFAULT_OUTPUT
from kfor_kg.errors import ConfigError, KforError
from kfor_kg.rdf.vocab import DEFAULT_BASE
from kfor_kg.stores.http import DEFAULT_TIMEOUT
from kfor_kg.stores.query import FORMATS


def _query_params(_ctx: click.Context, _param: click.Parameter,
                  values: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE")
        if name in params:
            raise click.BadParameter(f"{name} is given twice")
        params[name] = value
    return params


@click.command("query")
@click.argument("name_or_file")
@click.option("--data", type=click.Path(dir_okay=False, path_type=Path),
              help=f"RDF file to query (default: {DEFAULT_OUTPUT}, what `kfor-kg build` writes).")
@click.option("--endpoint", metavar="URL", help="SPARQL endpoint to query instead of a file.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", callback=_query_params,
              help="A query parameter (repeatable); see `kfor-kg queries`.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=FORMATS[0],
              show_default=True, help="Output format.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_TIMEOUT,
              show_default=True, help="Seconds to wait for the endpoint.")
@click.option("--union/--named-graphs", "union", default=False,
              help="How the endpoint holds the graph: --named-graphs (default) finds the graphs "
                   "`kfor-kg load` wrote and queries their union; --union relies on the server's "
                   "own default graph.")
@click.option("--base", default=DEFAULT_BASE, show_default=True,
              help="Base IRI of the graphs to look for on the endpoint.")
def query_cli(name_or_file: str, data: Path | None, endpoint: str | None, params: dict[str, str],
              fmt: str, timeout: float, union: bool, base: str) -> None:
    """Run a shipped query (by name) or a .rq file on a graph file or a SPARQL endpoint.

    Against an endpoint the query sees the union of the document, shared and
    ontology graphs that `kfor-kg load` wrote, whether or not the server unites
    its named graphs by itself.

    Example:

        kfor-kg query signed_in_year --param year=2017 --format csv
    """
    from kfor_kg.stores import query
    from kfor_kg.stores.client import Target
    from kfor_kg.stores.triplestore import stored_graphs

    if data is not None and endpoint is not None:
        raise click.UsageError("give --data or --endpoint, not both")
    if data is None and endpoint is None:
        data = DEFAULT_OUTPUT
        if not data.exists():
            raise ConfigError(f"{data} does not exist here; run `kfor-kg build` first, "
                              "or pass --data FILE or --endpoint URL")
    graphs = None
    if endpoint is not None and not union:
        graphs = stored_graphs(Target(endpoint, timeout=timeout), base=base)
    result = query.run(name_or_file, data=data, endpoint=endpoint, params=params,
                       timeout=timeout, default_graphs=graphs)
    click.echo(query.format_result(result, fmt), nl=fmt != "csv")


@click.command("queries")
def queries_cli() -> None:
    """List the shipped queries: what each answers and its parameters.

    Example:

        kfor-kg queries
    """
    from kfor_kg.stores import query

    shipped = query.shipped_queries()
    width = max((len(name) for name in shipped), default=0)
    for name, path in shipped.items():
        try:
            spec = query.load_query(path)
        except KforError as e:  # listed, not fatal: the other queries still work
            click.echo(f"{name:<{width}}  (cannot be used: {e})")
            continue
        click.echo(f"{name:<{width}}  {spec.summary}")
        if spec.params:
            listed = ", ".join(f"{p.name} ({p.type}{', optional' if p.optional else ''})"
                               for p in spec.params.values())
            click.echo(f"{'':<{width}}  parameters: {listed}")
