"""`kfor-kg serve`: a local web view of a build (kfor_kg.web)."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from kfor_kg.cli.stats import corpus_options, describe_source, open_corpus
from kfor_kg.errors import ConfigError
from kfor_kg.rdf.vocab import DEFAULT_BASE
from kfor_kg.web import DEFAULT_HOST, DEFAULT_PORT


def _server_class() -> type:
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, for which Ctrl-C and SIGTERM are the normal way to stop: it
        shuts down gracefully and the command ends with exit 0. (uvicorn raises a caught
        signal again after shutting down, which would end kfor-kg as interrupted work.)"""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            with super().capture_signals():
                try:
                    yield
                finally:
                    getattr(self, "_captured_signals", []).clear()

    return Server


def _check_listen(host: str, port: int) -> None:
    """Refuse an address that cannot be listened on, before anything is read.

    Raises:
        ConfigError: the port is taken or the address is not this machine's.
    """
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, proto, _name, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command("serve")
@corpus_options
@click.option("--reports", "reports", multiple=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of the report files the build read (repeatable; default: the "
                   "bundled examples). Their texts are shown with the mentions highlighted.")
@click.option("--host", default=DEFAULT_HOST, show_default=True,
              help="Address to listen on; anything but a loopback address shows the build "
                   "to your network.")
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("-q", "--quiet", is_flag=True,
              help="No start-up line (`kfor-kg -v serve` logs every request).")
def serve_cli(reports: tuple[Path, ...], host: str, port: int, quiet: bool, **source: Any) -> None:
    """Browse a build in a web browser: documents with their header facts, each
    text with its mentions linked to their entities, entity pages, the events,
    the troop chart and the shipped queries (with CSV and JSON downloads).

    Listens on 127.0.0.1 only unless --host says otherwise. Ctrl-C (or SIGTERM)
    stops it, with exit code 0.

    Examples:

        kfor-kg serve

        kfor-kg serve --data kfor.trig --reports reports/ --port 8080

        kfor-kg serve --store kfor.db --reports reports/
    """
    import uvicorn

    from kfor_kg.web import make_site
    from kfor_kg.web.app import create_app

    _check_listen(host, port)
    corpus = open_corpus(**source)
    label = describe_source(source)
    site = make_site(corpus, reports, base=source.get("base") or DEFAULT_BASE, label=label)
    if not site.documents():
        click.echo(f"Warning: {label} holds no kfor-kg document; the pages will be empty.",
                   err=True)
    if not _is_loopback(host):
        click.echo(f"Warning: listening on {host}: the build is visible to your network.",
                   err=True)
    # uvicorn's start-up lines and request log with -v; its warnings and errors always.
    verbose = logging.getLogger("kfor_kg").isEnabledFor(logging.INFO) and not quiet
    config = uvicorn.Config(create_app(site), host=host, port=port,
                            log_level="info" if verbose else "warning", access_log=verbose)
    server = _server_class()(config)
    if not quiet and port:
        shown = f"[{host}]" if ":" in host else host
        click.echo(f"Serving {label} at http://{shown}:{port}/ (Ctrl-C to stop)", err=True)
    server.run()
    if not quiet:
        click.echo("Stopped.", err=True)
