"""A polite, cached SPARQL client for the Wikidata query service (WDQS).

It follows the Wikimedia policies summarised in docs/linking.md:

- a descriptive User-Agent with the project's name, version and URL and the
  word "bot" (see `user_agent()`);
- one request at a time in the process, and at least `min_interval` seconds
  between the starts of two requests;
- retries with exponential backoff on connection errors, HTTP 429 and 5xx,
  waiting as long as a `Retry-After` header asks (up to `max_wait`);
- an on-disk JSON cache keyed by a hash of the endpoint and the exact query
  text, so a repeated run sends no repeated requests;
- `offline=True` answers from the cache only and never opens a connection.

`select()` is the cached query; `cached()`, `fetch()` and `store()` let a caller
send one batched query and cache its answer per name (see kfor_kg.linking.link).
"""

from __future__ import annotations

import email.utils
import hashlib
import http.client
import json
import os
import tempfile
import threading
import time
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import SPARQLWrapper
from SPARQLWrapper import JSON, POST, SELECT, URLENCODED
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    Unauthorized,
    URITooLong,
)

from kfor_kg import __version__
from kfor_kg.errors import ConfigError, LinkError

__all__ = ["DEFAULT_ENDPOINT", "PROJECT_URL", "Bindings", "ClientStats", "SparqlClient",
           "default_cache_dir", "user_agent", "retry_after_seconds"]

DEFAULT_ENDPOINT = "https://query.wikidata.org/sparql"
PROJECT_URL = "https://github.com/kfor-kg/kfor-kg"

Bindings = list[dict[str, dict[str, str]]]
"""Rows of a SPARQL JSON result: variable → {"type", "value", "xml:lang"?, "datatype"?}."""

# One request at a time in this process, whatever the number of clients (WMF asks for no
# parallel requests per User-Agent).
_REQUEST_LOCK = threading.Lock()


def user_agent() -> str:
    """The User-Agent the Wikimedia User-Agent policy asks for.

    >>> user_agent().startswith("kfor-kg/")
    True
    """
    return (f"kfor-kg/{__version__} ({PROJECT_URL}; kfor-kg bot) "
            f"SPARQLWrapper/{SPARQLWrapper.__version__}")


def default_cache_dir() -> Path:
    """Where responses are cached: $KFOR_KG_CACHE_DIR, else $XDG_CACHE_HOME/kfor-kg/wikidata.

    Falls back to ~/.cache/kfor-kg/wikidata when XDG_CACHE_HOME is unset.
    """
    explicit = os.environ.get("KFOR_KG_CACHE_DIR")
    if explicit:
        return Path(explicit)
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "kfor-kg" / "wikidata"


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date.

    >>> retry_after_seconds("7")
    7.0
    >>> retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0)
    10.0
    >>> retry_after_seconds("soon") is None
    True
    """
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass
class ClientStats:
    """What a client did: HTTP requests sent (retries included), cache hits and misses."""

    requests: int = 0
    cache_hits: int = 0
    cache_misses: int = 0   # look-ups the cache could not answer
    retries: int = 0


class _Retry(Exception):
    """Internal: an attempt failed in a way worth retrying after `delay` seconds."""

    def __init__(self, reason: str, delay: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delay = delay


class SparqlClient:
    """SELECT queries against one SPARQL endpoint, cached, rate-limited and retried.

    Args:
        endpoint: the SPARQL endpoint URL (default: the public Wikidata query service).
        cache_dir: directory of the JSON cache; None disables caching.
        offline: answer from the cache only; a miss returns None and sends nothing.
        min_interval: minimum seconds between the starts of two requests.
        max_retries: retries after the first attempt (connection errors, 429, 5xx).
        backoff: first backoff delay in seconds, doubled on each retry.
        max_wait: longest single wait accepted; a longer Retry-After is an error.
        timeout: seconds before one request is abandoned (then retried).
        sleep, clock: injectable for tests (default time.sleep, time.monotonic).
    """

    def __init__(self, endpoint: str = DEFAULT_ENDPOINT, *, cache_dir: Path | None = None,
                 offline: bool = False, min_interval: float = 1.0, max_retries: int = 4,
                 backoff: float = 2.0, max_wait: float = 300.0, timeout: float = 60.0,
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
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.timeout = timeout
        self.stats = ClientStats()
        self._sleep = sleep
        self._clock = clock
        self._last_start: float | None = None

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

    def cached(self, query: str) -> Bindings | None:
        """The cached rows of `query`, or None. An unreadable cache file counts as a miss."""
        path = self.cache_path(query)
        rows = _read_cache(path, query) if path is not None else None
        if rows is None:
            self.stats.cache_misses += 1
        else:
            self.stats.cache_hits += 1
        return rows

    def store(self, query: str, rows: Bindings) -> None:
        """Cache `rows` as the answer to `query` (no-op when caching is off).

        Raises:
            LinkError: the cache file cannot be written.
        """
        path = self.cache_path(query)
        if path is None:
            return
        payload = json.dumps({"endpoint": self.endpoint, "query": query, "bindings": rows},
                             ensure_ascii=False, indent=1, sort_keys=True)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent,
                                             prefix=".tmp-", suffix=".json",
                                             delete=False) as tmp:
                tmp.write(payload)
            os.replace(tmp.name, path)
        except OSError as exc:
            raise LinkError(f"cannot write the Wikidata cache {path}: "
                            f"{exc.strerror or exc}") from exc

    # --- queries ----------------------------------------------------------

    def select(self, query: str) -> Bindings | None:
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

    def fetch(self, query: str) -> Bindings:
        """Rows of a SELECT query from the endpoint, bypassing the cache.

        Raises:
            LinkError: the client is offline, the endpoint refused the query, kept
                failing after the retries, or asked to wait longer than `max_wait`.
        """
        if self.offline:
            raise LinkError(f"offline: not sending a query to {self.endpoint}")
        attempt = 0
        # The lock is held through the waits too: while the endpoint asks us to back off,
        # no other client of this process may send anything either.
        with _REQUEST_LOCK:
            while True:
                try:
                    self._wait_turn()
                    return self._send(query)
                except _Retry as failure:
                    attempt += 1
                    if attempt > self.max_retries:
                        raise LinkError(f"{self.endpoint} failed {attempt} times; last: "
                                        f"{failure.reason}") from None
                    delay = failure.delay
                    if delay is None:
                        delay = self.backoff * 2 ** (attempt - 1)
                    if delay > self.max_wait:
                        raise LinkError(f"{self.endpoint} asked to wait {delay:.0f} s "
                                        f"({failure.reason}), more than the "
                                        f"{self.max_wait:.0f} s allowed; try again later"
                                        ) from None
                    self.stats.retries += 1
                    self._sleep(delay)

    def _wait_turn(self) -> None:
        if self._last_start is not None:
            remaining = self._last_start + self.min_interval - self._clock()
            if remaining > 0:
                self._sleep(remaining)
        self._last_start = self._clock()

    def _send(self, query: str) -> Bindings:
        sparql = SPARQLWrapper.SPARQLWrapper(self.endpoint, agent=user_agent())
        # Not setQuery(): it guesses the query form from the text, and a name inside a
        # literal ("… DROP ALL …") must never turn this SELECT into an update.
        sparql.queryString = query
        sparql.queryType = SELECT
        sparql.setMethod(POST)
        sparql.setRequestMethod(URLENCODED)
        sparql.setReturnFormat(JSON)
        sparql.setOnlyConneg(True)
        sparql.setTimeout(int(max(1, self.timeout)))
        self.stats.requests += 1
        try:
            result: Any = sparql.query().convert()
        except urllib.error.HTTPError as exc:  # codes SPARQLWrapper passes through (429, 5xx…)
            if exc.code == 429:
                wait = retry_after_seconds(exc.headers.get("Retry-After") if exc.headers else None)
                raise _Retry("HTTP 429 Too Many Requests", 60.0 if wait is None else wait) from exc
            if exc.code >= 500:
                wait = retry_after_seconds(exc.headers.get("Retry-After") if exc.headers else None)
                raise _Retry(f"HTTP {exc.code}", wait) from exc
            raise LinkError(f"{self.endpoint} answered HTTP {exc.code} {exc.reason}") from exc
        except EndPointInternalError as exc:
            raise _Retry("HTTP 500 Internal Server Error") from exc
        except QueryBadFormed as exc:
            raise LinkError(f"{self.endpoint} rejected the query as malformed: "
                            f"{_first_line(exc)}") from exc
        except (EndPointNotFound, Unauthorized, URITooLong) as exc:
            raise LinkError(f"{self.endpoint} refused the request: {_first_line(exc)}") from exc
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise _Retry(f"cannot connect: {reason}") from exc
        except ValueError as exc:  # the body is not JSON
            raise LinkError(f"{self.endpoint} did not return SPARQL JSON results: "
                            f"{_first_line(exc)}") from exc
        try:
            rows = result["results"]["bindings"]
        except (TypeError, KeyError):
            raise LinkError(f"{self.endpoint} did not return SPARQL SELECT results") from None
        if not isinstance(rows, list):
            raise LinkError(f"{self.endpoint} did not return SPARQL SELECT results")
        return rows


def _read_cache(path: Path, query: str) -> Bindings | None:
    if not path.is_file():
        return None
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("query") != query:
        return None  # a hash collision or a hand-edited file: do not trust it
    rows = entry.get("bindings")
    return rows if isinstance(rows, list) else None


def _first_line(exc: BaseException) -> str:
    """The most telling line of an error: the server's response when SPARQLWrapper has one."""
    text = str(exc).strip()
    if "Response:\n" in text:  # SPARQLWrapper: "<generic sentence>\n\nResponse:\nb'<body>'"
        body = text.split("Response:\n", 1)[1].strip()
        if body.startswith(("b'", 'b"')):
            body = body[2:-1].encode("latin-1", "backslashreplace").decode("unicode_escape",
                                                                            "replace")
        text = body.strip() or text
    return (text.splitlines() or [type(exc).__name__])[0][:200]
