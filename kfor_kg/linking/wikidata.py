"""A polite, cached SPARQL client for the Wikidata query service (WDQS).

It follows the Wikimedia policies summarised in docs/linking.md:

- a descriptive User-Agent with the project's name, version and URL and the
  word "bot" (kfor_kg.stores.http.USER_AGENT);
- one request at a time in the process, and at least `min_interval` seconds
  between the starts of two requests, retries included;
- retries with exponential backoff on connection errors, HTTP 429/502/503/504,
  waiting as long as a `Retry-After` header asks (up to `max_wait`), through the
  one HTTP layer (kfor_kg.stores.http);
- an on-disk JSON cache keyed by a hash of the endpoint and the exact query
  text, so a repeated run sends no repeated requests;
- `offline=True` answers from the cache only and never opens a connection.

`select()` is the cached query; `cached()`, `fetch()` and `store()` let a caller
send one batched query and cache its answer per name (see kfor_kg.linking.link).
Rows are rdflib terms (kfor_kg.stores.sparql); the cache holds them as SPARQL JSON.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kfor_kg.errors import ConfigError, LinkError
from kfor_kg.files import write_atomic
from kfor_kg.stores import sparql
from kfor_kg.stores.http import DEFAULT_TIMEOUT, HttpClient, RequestFailed, RetryPolicy

__all__ = ["DEFAULT_ENDPOINT", "DEFAULT_MIN_INTERVAL", "ClientStats", "SparqlClient",
           "default_cache_dir"]

DEFAULT_ENDPOINT = "https://query.wikidata.org/sparql"
DEFAULT_MIN_INTERVAL = 1.0
"""Seconds between the starts of two requests to the endpoint."""

# One request at a time in this process, whatever the number of clients (WMF asks for no
# parallel requests per User-Agent).
_REQUEST_LOCK = threading.Lock()


def default_cache_dir() -> Path:
    """Where responses are cached: $KFOR_KG_CACHE_DIR, else $XDG_CACHE_HOME/kfor-kg/wikidata.

    Falls back to ~/.cache/kfor-kg/wikidata when XDG_CACHE_HOME is unset.
    """
    explicit = os.environ.get("KFOR_KG_CACHE_DIR")
    if explicit:
        return Path(explicit)
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "kfor-kg" / "wikidata"


@dataclass
class ClientStats:
    """What a client did: HTTP requests sent (retries included), retries, cache hits."""

    requests: int = 0
    retries: int = 0
    cache_hits: int = 0


class SparqlClient:
    """SELECT queries against one SPARQL endpoint, cached, rate-limited and retried.

    Args:
        endpoint: the SPARQL endpoint URL (default: the public Wikidata query service).
        cache_dir: directory of the JSON cache; None disables caching.
        offline: answer from the cache only; a miss returns None and sends nothing.
        min_interval: minimum seconds between the starts of two requests.
        max_retries: retries after the first attempt (connection errors, 429, 502–504).
        backoff: first backoff delay in seconds, doubled on each retry.
        max_wait: longest single wait accepted; a longer Retry-After is an error.
        timeout: seconds before one request is abandoned (then retried).
        sleep, clock: injectable for tests (default time.sleep, time.monotonic).
    """

    def __init__(self, endpoint: str = DEFAULT_ENDPOINT, *, cache_dir: Path | None = None,
                 offline: bool = False, min_interval: float = DEFAULT_MIN_INTERVAL,
                 max_retries: int = 4,
                 backoff: float = 2.0, max_wait: float = 300.0, timeout: float = DEFAULT_TIMEOUT,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if not endpoint.startswith(("http://", "https://")):
            raise ConfigError(f"the SPARQL endpoint must be an http(s) URL, not {endpoint!r}")
        if min_interval < 0 or max_retries < 0 or backoff < 0 or timeout <= 0:
            raise ConfigError("min_interval, max_retries and backoff must be >= 0 and "
                              "timeout > 0")
        self.endpoint = endpoint
        self.cache_dir = cache_dir
        self.offline = offline
        self.min_interval = min_interval
        self.stats = ClientStats()
        self._sleep = sleep
        self._clock = clock
        self._last_start: float | None = None
        self._http = HttpClient(timeout=timeout, retry=RetryPolicy(
            attempts=max_retries + 1, initial_delay=backoff, max_delay=max_wait,
            max_retry_after=max_wait, sleep=self._before_retry))

    # --- cache ------------------------------------------------------------

    def cache_key(self, query: str) -> str:
        """The cache key of `query`: SHA-256 of the endpoint URL and the exact query text."""
        return hashlib.sha256(f"{self.endpoint}\n{query}".encode()).hexdigest()

    def cache_path(self, query: str) -> Path | None:
        """The cache file of `query`, or None when caching is off."""
        if self.cache_dir is None:
            return None
        key = self.cache_key(query)
        return self.cache_dir / key[:2] / f"{key}.json"

    def cached(self, query: str) -> list[sparql.Row] | None:
        """The cached rows of `query`, or None. An unreadable cache file counts as a miss."""
        path = self.cache_path(query)
        rows = _read_cache(path, query) if path is not None else None
        if rows is not None:
            self.stats.cache_hits += 1
        return rows

    def store(self, query: str, rows: list[sparql.Row]) -> None:
        """Cache `rows` as the answer to `query` (no-op when caching is off).

        Raises:
            LinkError: the cache file cannot be written.
        """
        path = self.cache_path(query)
        if path is None:
            return
        payload = json.dumps({"endpoint": self.endpoint, "query": query,
                              "bindings": sparql.rows_json(rows)},
                             ensure_ascii=False, indent=1, sort_keys=True)
        try:
            write_atomic(path, payload, make_parents=True)
        except OSError as exc:
            raise LinkError(f"cannot write the Wikidata cache {path}: "
                            f"{exc.strerror or exc}") from exc

    # --- queries ----------------------------------------------------------

    def select(self, query: str) -> list[sparql.Row] | None:
        """Rows of a SELECT query: from the cache, else from the endpoint (then cached).

        Returns None only offline, when the cache has no answer.

        Raises:
            LinkError: as `fetch`, or the cache cannot be written.
        """
        rows = self.cached(query)
        if rows is not None or self.offline:
            return rows
        rows = self.fetch(query)
        self.store(query, rows)
        return rows

    def fetch(self, query: str) -> list[sparql.Row]:
        """Rows of a SELECT query from the endpoint, bypassing the cache.

        Raises:
            LinkError: the client is offline, the endpoint refused the query, kept
                failing after the retries, asked to wait longer than `max_wait`, or
                did not answer with SELECT results.
        """
        if self.offline:
            raise LinkError(f"offline: not sending a query to {self.endpoint}")
        # The lock is held through the retries and their waits too: while the endpoint
        # asks us to back off, no other client of this process may send anything either.
        with _REQUEST_LOCK:
            self._wait_turn()
            self.stats.requests += 1
            try:
                results = sparql.select(self._http, self.endpoint, query)
            except RequestFailed as failure:
                raise LinkError(str(failure)) from failure
            except sparql.NotResults as exc:
                raise LinkError(f"{self.endpoint} did not return SPARQL JSON results "
                                f"({exc})") from exc
        if results.boolean is not None:
            raise LinkError(f"{self.endpoint} did not return SPARQL SELECT results")
        return results.rows

    def _wait_turn(self) -> None:
        if self._last_start is not None:
            remaining = self._last_start + self.min_interval - self._clock()
            if remaining > 0:
                self._sleep(remaining)
        self._last_start = self._clock()

    def _before_retry(self, seconds: float) -> None:
        """The HTTP layer's wait before a retry: never shorter than the minimum interval."""
        self._sleep(max(seconds, self.min_interval))
        self._last_start = self._clock()
        self.stats.retries += 1
        self.stats.requests += 1


def _read_cache(path: Path, query: str) -> list[sparql.Row] | None:
    if not path.is_file():
        return None
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("query") != query:
        return None  # a hash collision or a hand-edited file: do not trust it
    try:
        return sparql.read_bindings(entry.get("bindings"))  # type: ignore[arg-type]
    except sparql.NotResults:
        return None
