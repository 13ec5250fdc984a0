"""Where a triplestore is and how to talk to it: server presets, the target, the client.

`Target` names a store's query, update and Graph Store endpoints (filled in for
a known server type by `Target.for_server`) and its login; `StoreClient` sends
SPARQL queries and updates and Graph Store requests to it over the one HTTP
layer (kfor_kg.stores.http) and reports failures as `StoreRequestError`, naming
what it was doing.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from kfor_kg.errors import ConfigError, StoreError, redact
from kfor_kg.stores import sparql
from kfor_kg.stores.http import DEFAULT_TIMEOUT, HttpClient, RequestFailed, RetryPolicy

__all__ = ["SERVER_PRESETS", "Target", "password_from_env", "StoreRequestError", "StoreClient"]

T = TypeVar("T")

SERVER_PRESETS: dict[str, tuple[str, str, str | None]] = {
    # name: (query, update, graph store), relative to the base URL the user gives.
    "oxigraph": ("{base}/query", "{base}/update", "{base}/store"),          # http://host:7878
    "fuseki": ("{base}/query", "{base}/update", "{base}/data"),             # http://host:3030/DATASET
    "graphdb": ("{base}", "{base}/statements", "{base}/rdf-graphs/service"),  # …/repositories/REPO
    "virtuoso": ("{base}/sparql", "{base}/sparql", "{base}/sparql-graph-crud"),  # http://host:8890
    "blazegraph": ("{base}/sparql", "{base}/sparql", None),                 # …/blazegraph/namespace/NS
}


@dataclass(frozen=True)
class Target:
    """Where to load: a SPARQL query endpoint, an update endpoint, maybe a graph store.

    Without ``update_endpoint`` updates go to ``endpoint`` (Virtuoso, Blazegraph
    and many others serve both at one URL). Without ``graph_store`` documents are
    loaded with SPARQL Update.

    >>> t = Target.for_server("oxigraph", "http://127.0.0.1:7878/")
    >>> t.endpoint, t.update_url, t.graph_store
    ('http://127.0.0.1:7878/query', 'http://127.0.0.1:7878/update', 'http://127.0.0.1:7878/store')

    Raises:
        ConfigError: a URL is not http(s), or a user is given without a password.
    """

    endpoint: str
    update_endpoint: str | None = None
    graph_store: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        for name in ("endpoint", "update_endpoint", "graph_store"):
            url = getattr(self, name)
            if url is None:
                continue
            parts = urllib.parse.urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ConfigError(f"{name.replace('_', ' ')} {url!r} is not an http(s) URL")
        if (self.user is None) != (self.password is None):
            raise ConfigError("give both a user and a password for HTTP basic authentication")
        if self.timeout <= 0:
            raise ConfigError(f"timeout must be positive, not {self.timeout}")

    @classmethod
    def for_server(cls, kind: str, base_url: str, **options: Any) -> Target:
        """The URLs of a known server type under `base_url`; `options` override them.

        Raises:
            ConfigError: `kind` is not one of SERVER_PRESETS.
        """
        try:
            query, update, store = SERVER_PRESETS[kind]
        except KeyError:
            raise ConfigError(f"unknown server type {kind!r}; use one of: "
                              f"{', '.join(SERVER_PRESETS)}") from None
        base = base_url.rstrip("/")
        urls: dict[str, Any] = {
            "endpoint": query.format(base=base),
            "update_endpoint": update.format(base=base),
            "graph_store": store.format(base=base) if store else None,
        }
        urls.update({k: v for k, v in options.items() if v is not None})
        return cls(**urls)

    @property
    def update_url(self) -> str:
        return self.update_endpoint or self.endpoint

    @property
    def method(self) -> str:
        """'graph-store' or 'update': how documents are written."""
        return "graph-store" if self.graph_store else "update"


def password_from_env(variable: str) -> str:
    """The password stored in environment variable `variable`.

    Raises:
        ConfigError: the variable is unset or empty.
    """
    value = os.environ.get(variable)
    if not value:
        raise ConfigError(f"environment variable {variable} holding the store password is "
                          f"not set; export it first (passwords are never taken from the "
                          f"command line)")
    return value


class StoreRequestError(StoreError):
    """A request to the store failed; `fatal` means later requests would fail too."""

    def __init__(self, message: str, fatal: bool) -> None:
        super().__init__(message)
        self.message = redact(message)  # shown as it is in load reports
        self.fatal = fatal


class _Row(dict[str, str]):
    """A result row; a missing variable is the store's fault, reported as such."""

    def __init__(self, where: str, values: dict[str, str]) -> None:
        super().__init__(values)
        self.where = where

    def __missing__(self, name: str) -> str:
        raise StoreRequestError(f"{self.where} answered a row without ?{name}", True)


class StoreClient:
    """The target's query, update and Graph Store endpoints over the HTTP layer.

    Every method names what it was doing (`context`) in the StoreRequestError it raises.
    """

    def __init__(self, target: Target, retry: RetryPolicy | None) -> None:
        self.target = target
        self.retry = retry or RetryPolicy()
        auth = (target.user, target.password) \
            if target.user is not None and target.password is not None else None
        self.http = HttpClient(timeout=target.timeout, retry=self.retry, auth=auth)

    def _run(self, context: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except RequestFailed as failure:
            raise StoreRequestError(f"{context}: {failure}", failure.fatal) from failure
        except sparql.NotResults as exc:
            raise StoreRequestError(f"{context}: {self.target.endpoint} did not answer with "
                                    f"SPARQL JSON results ({exc})", True) from exc

    def update(self, text: str, context: str) -> None:
        self._run(context, lambda: sparql.update(self.http, self.target.update_url, text))

    def select(self, text: str, context: str) -> list[dict[str, str]]:
        """The rows of a SELECT query, each term as its string.

        Indexing a row by a variable the store left out raises StoreRequestError (a
        store's answer is input: it never ends in a KeyError).

        Raises:
            StoreRequestError: as `_run`, or the answer is a boolean.
        """
        results = self._run(context, lambda: sparql.select(self.http, self.target.endpoint, text))
        if results.boolean is not None:
            raise StoreRequestError(f"{context}: {self.target.endpoint} answered a SELECT query "
                                    f"with a boolean", True)
        where = f"{context}: {self.target.endpoint}"
        return [_Row(where, {name: str(value) for name, value in row.items()})
                for row in results.rows]

    def ask(self, text: str, context: str) -> bool:
        """The answer of an ASK query.

        Raises:
            StoreRequestError: as `_run`, or the answer is not a boolean.
        """
        results = self._run(context, lambda: sparql.select(self.http, self.target.endpoint, text))
        if results.boolean is None:
            raise StoreRequestError(f"{context}: {self.target.endpoint} answered an ASK query "
                                    f"without a boolean", True)
        return results.boolean

    def graph_store(self, method: str, graph: str, body: bytes, context: str) -> None:
        """PUT (replace) or POST (merge) `body`, N-Triples lines, into `graph`."""
        store = self.target.graph_store
        if store is None:
            raise ConfigError("no graph store URL given")
        # N-Triples lines, sent as Turtle: every graph store reads that.
        self._run(context, lambda: self.http.request(
            method, store, params={"graph": graph}, data=body,
            headers={"Content-Type": "text/turtle"}))
