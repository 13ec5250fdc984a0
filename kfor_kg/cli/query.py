"""`kfor-kg query` and `kfor-kg queries`: SPARQL on a file or an endpoint (kfor_kg.stores.query)."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kfor_kg.cli.build import DEFAULT_OUTPUT
from kfor_kg.cli.stats import check_source, endpoint_graphs
from kfor_kg.cli.store import retries_option, retry_policy, timeout_option, valid_base
from kfor_kg.cli.streams import is_stdio, read_stdin_text, stdin_file
from kfor_kg.errors import KforError, QueryError
from kfor_kg.rdf.export import FORMATS as RDF_FORMATS
from kfor_kg.rdf.vocab import DEFAULT_BASE
from kfor_kg.stores.output import FORMATS

if TYPE_CHECKING:
    from pyoxigraph import Store


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


def _complete_query(_ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of QUERY: the shipped queries' names."""
    from kfor_kg.stores.query import shipped_queries

    try:
        return [name for name in shipped_queries() if name.startswith(incomplete)]
    except KforError:
        return []


def _inline(name_or_file: str) -> bool:
    """Whether the argument is the query's text itself rather than a name or a file."""
    return "{" in name_or_file or len(name_or_file.split()) > 1


@click.command("query")
@click.argument("name_or_file", metavar="QUERY", shell_complete=_complete_query)
@click.option("--data", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help=f"RDF file to query, `-` for standard input (default: {DEFAULT_OUTPUT}, "
                   "what `kfor-kg build` writes).")
@click.option("--data-format", type=click.Choice(RDF_FORMATS),
              help="RDF format of --data (default: from its extension; needed with `--data -`).")
@click.option("--endpoint", metavar="URL", help="SPARQL endpoint to query instead of a file.")
@click.option("--store", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="On-disk Oxigraph store to query (what `kfor-kg build --store DIR` keeps).")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", callback=_query_params,
              help="A query parameter (repeatable); see `kfor-kg queries`.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=FORMATS[0],
              show_default=True, help="Output format (JSON and NDJSON keep numbers, booleans "
                                      "and nulls).")
@timeout_option()
@retries_option(default=0)
@click.option("--union/--named-graphs", "union", default=False,
              help="How the endpoint holds the graph: --named-graphs (default) finds the graphs "
                   "`kfor-kg load` wrote and queries their union; --union relies on the server's "
                   "own default graph.")
@click.option("--base", default=DEFAULT_BASE, show_default=True, callback=valid_base,
              help="Base IRI of the graph: what `id:` stands for in --param values, and where "
                   "to look for the graphs on the endpoint.")
@click.option("--allow-external", is_flag=True,
              help="Let a query on a local file use FROM (read other files) and SERVICE "
                   "(call other servers); refused by default.")
def query_cli(name_or_file: str, data: Path | None, data_format: str | None, endpoint: str | None,
              store: Path | None, params: dict[str, str], fmt: str, timeout: float, retries: int, union: bool,
              base: str, allow_external: bool) -> None:
    """Run QUERY on a graph file or a SPARQL endpoint and print the rows on stdout.

    QUERY is a shipped query's name (see `kfor-kg queries`), a .rq file, `-` for
    a query on standard input, or the SPARQL text itself.

    Against an endpoint the query sees the union of the document, shared and
    ontology graphs that `kfor-kg load` wrote, whether or not the server unites
    its named graphs by itself.

    Examples:

        kfor-kg query signed_in_year --param year=2017 --format csv

        kfor-kg query 'SELECT (COUNT(*) AS ?n) { ?s ?p ?o }' --format json

        kfor-kg build reports/ --store kfor.db && kfor-kg query documents --store kfor.db

        kfor-kg build report.txt -o - | kfor-kg query documents --data - --data-format ttl
    """
    from kfor_kg.stores import query
    from kfor_kg.stores.output import format_result

    data = check_source(data, data_format, store, endpoint)
    if is_stdio(name_or_file) and is_stdio(data):
        raise click.UsageError("the query and --data cannot both come from standard input")
    # The query and its parameters are checked before any data is read.
    if is_stdio(name_or_file):
        spec = query.parse_query(read_stdin_text(), Path("<stdin>"))
    elif _inline(name_or_file) and not Path(name_or_file).is_file():
        spec = query.parse_query(name_or_file, Path("<query>"))
    else:
        spec = query.load_query(name_or_file)
    try:
        query.bind_params(spec, params, base=base)
    except QueryError as error:
        raise click.BadParameter(str(error), param_hint="'--param'") from None
    graphs = endpoint_graphs(endpoint, union, base, timeout, retries) if endpoint is not None else None
    with ExitStack() as stack:
        source: Path | Store | None = data
        if store is not None:
            source = query.open_store(store)
        elif is_stdio(data):
            source = stack.enter_context(stdin_file("." + str(data_format)))
        result = query.run(spec, data=source, endpoint=endpoint, params=params, timeout=timeout,
                           retry=retry_policy(retries), default_graphs=graphs, base=base,
                           data_format=data_format, allow_external=allow_external)
    click.echo(format_result(result, fmt), nl=False)


@click.command("queries")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True,
              help="json: each query's name, summary, description, columns and parameters.")
def queries_cli(fmt: str) -> None:
    """List the shipped queries: what each answers and its parameters.

    Example:

        kfor-kg queries
    """
    from kfor_kg.stores import query

    shipped = query.shipped_queries()
    if fmt == "json":
        import json

        click.echo(json.dumps([_describe(name, path) for name, path in shipped.items()],
                              indent=2, ensure_ascii=False))
        return
    width = max((len(name) for name in shipped), default=0)
    for name, path in shipped.items():
        try:
            spec = query.load_query(path)
        except KforError as e:  # listed, not fatal: the other queries still work
            click.echo(f"{name:<{width}}  (cannot be used: {e})")
            continue
        click.echo(f"{name:<{width}}  {spec.summary}")
        if spec.params:
            listed = ", ".join(
                f"{p.name} ({' | '.join(p.choices) if p.choices else p.type}"
                f"{', optional' if p.optional else ''})" for p in spec.params.values())
            click.echo(f"{'':<{width}}  parameters: {listed}")


def _describe(name: str, path: Path) -> dict[str, object]:
    """A shipped query as JSON (or why it cannot be used)."""
    from kfor_kg.stores import query

    try:
        spec = query.load_query(path)
    except KforError as e:
        return {"name": name, "error": str(e)}
    return {"name": name, "summary": spec.summary, "description": " ".join(spec.description),
            "columns": query.columns_of(spec),
            "parameters": [{"name": p.name, "type": p.type, "optional": p.optional,
                            "choices": list(p.choices), "description": p.description}
                           for p in spec.params.values()]}
