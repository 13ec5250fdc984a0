"""`kfor-kg load` and `kfor-kg unload`: SPARQL 1.1 triplestores (kfor_kg.stores).

The target options and the load report are shared with `kfor-kg build --load`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TypeVar

import click

from kfor_kg.cli.streams import is_stdio, stdin_file
from kfor_kg.errors import ConfigError, StoreError
from kfor_kg.rdf.export import FORMATS as RDF_FORMATS
from kfor_kg.rdf.vocab import DEFAULT_BASE
from kfor_kg.stores.http import DEFAULT_TIMEOUT, RetryPolicy
from kfor_kg.stores.client import SERVER_PRESETS, Target, password_from_env
from kfor_kg.stores.layout import document_key
from kfor_kg.stores.triplestore import DEFAULT_BATCH_SIZE, DocumentOutcome, LoadReport, load, unload

F = TypeVar("F", bound=Callable[..., Any])


def valid_base(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """A click callback for every `--base`: an absolute IRI, checked before any work."""
    from kfor_kg.rdf.iris import check_base

    try:
        return check_base(value)
    except ConfigError as error:
        raise click.BadParameter(str(error.args[0])) from None


def timeout_option(default: float = DEFAULT_TIMEOUT) -> Callable[[F], F]:
    """`--timeout SECONDS`, the same on every command that talks to a server."""
    return click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=default,
                        show_default=True,
                        help="Seconds one request may take in all, the whole answer read "
                             "(a deadline per attempt, not per read).")


def retries_option(default: int = RetryPolicy.attempts - 1) -> Callable[[F], F]:
    """`--retries N`, the same on every command that talks to a server."""
    return click.option("--retries", type=click.IntRange(min=0), default=default,
                        show_default=True,
                        help="Retries of connection errors, timeouts and HTTP 429/502/503/504 "
                             "(each logged on stderr).")


def store_target_options(endpoint_flag: str = "--endpoint") -> Callable[[F], F]:
    """The options naming a triplestore, its credentials and retries, for store_target().

    `@store_target_options()` on load and unload; `build` spells the query endpoint
    `--load`: `@store_target_options("--load")`.
    """
    options = [
        click.option(endpoint_flag, "endpoint", metavar="URL", help="SPARQL query endpoint."),
        click.option("--update-endpoint", metavar="URL",
                     help="SPARQL update endpoint (default: the query endpoint)."),
        click.option("--graph-store", metavar="URL",
                     help="SPARQL 1.1 Graph Store endpoint; without one, SPARQL Update is used."),
        click.option("--server", nargs=2, type=(click.Choice(list(SERVER_PRESETS)), str),
                     metavar="TYPE BASE_URL",
                     help="Fill in the three URLs for a server type at BASE_URL, e.g. "
                          "oxigraph http://127.0.0.1:7878; explicit URLs win."),
        click.option("--user", help="User name for HTTP basic authentication."),
        click.option("--password-env", metavar="VAR",
                     help="Environment variable holding the password (never on the command line)."),
        timeout_option(),
        retries_option(),
    ]

    def decorate(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command
    return decorate


def store_target(endpoint: str | None, update_endpoint: str | None, graph_store: str | None,
                 server: tuple[str, str] | None, user: str | None, password_env: str | None,
                 timeout: float) -> Target:
    """The Target of the store_target_options.

    Raises:
        click.UsageError: no endpoint, or a user without a password variable.
        ConfigError: the password variable is unset, or a URL is not http(s).
    """
    if user is not None and password_env is None:
        raise click.UsageError("--user needs --password-env VAR (the variable holding the password)")
    if password_env is not None and user is None:
        raise click.UsageError("--password-env needs --user")
    password = password_from_env(password_env) if password_env is not None else None
    options: dict[str, Any] = {"update_endpoint": update_endpoint, "graph_store": graph_store,
                               "user": user, "password": password, "timeout": timeout}
    if server:
        return Target.for_server(server[0], server[1], endpoint=endpoint, **options)
    if endpoint is None:
        raise click.UsageError("give the store: --endpoint URL (with --update-endpoint and "
                               "--graph-store as needed) or --server TYPE BASE_URL")
    return Target(endpoint, **options)


def retry_policy(retries: int) -> RetryPolicy:
    """The RetryPolicy of `--retries N`: N retries after the first attempt."""
    return RetryPolicy(attempts=retries + 1)


def load_progress(quiet: bool) -> Callable[[DocumentOutcome], None]:
    """A load on_document callback printing each stored document on stderr (unless quiet)."""
    def show(outcome: DocumentOutcome) -> None:
        if outcome.stored and not quiet:
            click.echo(f"stored  {outcome.key}  ({outcome.triples} triples)", err=True)
    return show


def echo_load_report(report: LoadReport, replace_shared: bool = False, quiet: bool = False) -> None:
    """Print a LoadReport on stderr: failures (one line per reason), warnings, summary (unless quiet).

    Raises:
        StoreError: (after printing) not every document was stored.
    """
    by_error: dict[str, list[str]] = {}
    for doc, error in report.failed.items():
        by_error.setdefault(error, []).append(document_key(doc))
    for error, keys in by_error.items():
        click.echo(f"FAILED  {', '.join(keys)}: {error}", err=True)
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    how = "Graph Store Protocol" if report.method == "graph-store" else "SPARQL Update"
    total = len(report.documents)
    shared = (f"replaced ({report.shared_triples} triples)" if replace_shared
              else f"{report.shared_triples} triples merged")
    if not quiet:
        click.echo(f"Stored {len(report.stored)} of {total} documents at {report.endpoint} ({how}). "
                   f"Shared graph: {shared}, {report.orphans_removed} unused nodes removed. "
                   f"Ontology graph: {report.ontology_triples} triples.", err=True)
    if not report.ok:
        raise StoreError(f"{len(report.failed)} of {total} documents were not stored at "
                         f"{report.endpoint}; they keep their previous graphs, if any")


@click.command("load")
@click.argument("graph", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(RDF_FORMATS),
              help="RDF format of GRAPH `-` (standard input).")
@store_target_options()
@click.option("--no-ontology", is_flag=True, help="Leave the ontology graph alone.")
@click.option("--replace-shared", is_flag=True,
              help="Replace the shared graph instead of adding to it (when GRAPH holds every document).")
@click.option("--batch-size", type=click.IntRange(min=1), default=DEFAULT_BATCH_SIZE,
              show_default=True, help="Triples per SPARQL Update request (without a graph store).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors: no progress or summary.")
def load_cli(graph: tuple[Path, ...], fmt: str | None, no_ontology: bool, replace_shared: bool,
             batch_size: int, quiet: bool, retries: int, **target: Any) -> None:
    """Load GRAPH files written by `build` (any format) into a SPARQL 1.1 triplestore.

    Every document goes into its own named graph, replaced as a whole on reload;
    shared entities into <base>graph/shared, the ontology into <base>graph/ontology.
    Exits 3 unless every document was stored; the failed ones keep their previous graph.

    Example:

        kfor-kg load kfor.trig --server oxigraph http://127.0.0.1:7878
    """
    with ExitStack() as stack:
        paths = list(graph)
        if any(is_stdio(path) for path in graph):
            if fmt is None or len(graph) > 1:
                raise click.UsageError("GRAPH - (standard input) needs --format, and no other GRAPH")
            paths = [stack.enter_context(stdin_file("." + fmt))]
        report = load(paths, store_target(**target), ontology=not no_ontology,
                      replace_shared=replace_shared, batch_size=batch_size,
                      retry=retry_policy(retries), on_document=load_progress(quiet))
    echo_load_report(report, replace_shared, quiet)


@click.command("unload")
@click.argument("documents", nargs=-1, required=True, metavar="DOC...")
@store_target_options()
@click.option("--base", default=DEFAULT_BASE, show_default=True, callback=valid_base,
              help="Base IRI of the documents given by key or symbol.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors: no progress or summary.")
def unload_cli(documents: tuple[str, ...], base: str, quiet: bool, retries: int,
               **target: Any) -> None:
    """Remove documents from a triplestore, with the shared entities only they used.

    DOC is a key (S-2007-652), a UN symbol (S/2007/652) or a document IRI.
    Each goes completely or not at all. Exits 3 if one was not in the store or failed.

    Example:

        kfor-kg unload S/2007/652 --server oxigraph http://127.0.0.1:7878
    """
    report = unload(store_target(**target), documents, base=base, retry=retry_policy(retries))
    for doc in report.removed if not quiet else ():
        click.echo(f"removed  {document_key(doc)}", err=True)
    for doc, error in report.failed.items():
        click.echo(f"FAILED  {document_key(doc)}: {error}", err=True)
    if not quiet:
        click.echo(f"Removed {len(report.removed)} documents and {report.orphans_removed} unused "
                   f"shared nodes at {report.endpoint}.", err=True)
    problems = []
    if report.missing:
        problems.append(f"not in the store at {report.endpoint}: "
                        + ", ".join(document_key(doc) for doc in report.missing))
    if report.failed:
        problems.append(f"not removed from {report.endpoint}: "
                        + ", ".join(document_key(doc) for doc in report.failed))
    if problems:
        raise StoreError("; ".join(problems))
