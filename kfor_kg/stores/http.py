"""The one HTTP layer: every remote call of kfor-kg goes through `HttpClient`.

Triplestores (load, unload, the Graph Store Protocol), `query --endpoint` and the
Wikidata reconciler all use it. It is a `requests.Session` with urllib3's
`Retry`: connection errors, timeouts and HTTP 429/502/503/504 are retried with
exponential backoff, or after as long as a Retry-After header asks when that
is no longer than the policy allows. Every method is retried, POST and PUT
included: kfor-kg only sends idempotent requests (queries, whole-graph
replacements, set-semantics inserts and deletes).

The timeout is a deadline for each attempt as a whole — connecting, sending,
and reading the complete answer — not a limit per socket read: a server that
drips its answer a byte at a time is cut off when the time is up (a watchdog
shuts the attempt's socket down). An attempt cut off before the server said
anything is retried like any timeout; one cut off in the middle of an answer
is not (the server would most likely drip again). Each retry is logged (logger
`kfor_kg.stores.http`, a warning), and no message or log line shows the
password of a URL (kfor_kg.errors.redact).

A request that does not succeed raises `RequestFailed`, whose text completes a
sentence about the server: "http://h/store answered HTTP 503 Service
Unavailable; the server said: maintenance (gave up after 4 attempts)".
"""

from __future__ import annotations

import http.client
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    InvalidHeader,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    ResponseError,
)
from urllib3.util.retry import Retry

from kfor_kg import __version__
from kfor_kg.errors import ConfigError, redact

__all__ = ["PROJECT_URL", "USER_AGENT", "DEFAULT_TIMEOUT", "TRANSIENT_STATUSES", "RetryPolicy",
           "RequestFailed", "HttpClient"]

PROJECT_URL = "https://github.com/kfor-kg/kfor-kg"
# Name, version, contact URL and the word "bot": what the Wikimedia User-Agent policy asks for.
USER_AGENT = (f"kfor-kg/{__version__} ({PROJECT_URL}; kfor-kg bot) "
              f"python-requests/{requests.__version__}")
DEFAULT_TIMEOUT = 60.0
"""Seconds one attempt of a request may take in all, the complete answer read."""

log = logging.getLogger(__name__)

TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})
# HTTP statuses after which every further request to the server would fail the same way.
_FATAL_STATUSES = frozenset({401, 403, 404, 405, 406, 407, 415, 429, 501, 502, 503, 504})
_STATUS_TEXT = {
    400: "rejected the request as malformed (HTTP 400 Bad Request)",
    401: "refused the credentials (HTTP 401 Unauthorized); check the user name and "
         "the password (--user, --password-env)",
    403: "refused access (HTTP 403 Forbidden); the user may not write to this store",
    404: "was not found (HTTP 404 Not Found); check the URL",
    405: "does not accept this request (HTTP 405 Method Not Allowed); is it the right "
         "kind of endpoint (query, update or graph store)?",
    413: "rejected the request as too large (HTTP 413); try a smaller --batch-size",
    414: "rejected the request URL as too long (HTTP 414)",
}


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry transient failures.

    Connection errors, timeouts and HTTP 429/502/503/504 are retried up to
    `attempts` tries in all, waiting `initial_delay * 2**n` seconds before retry
    n + 1 (at most `max_delay`), or as long as a Retry-After header asks if that
    is no more than `max_retry_after` (a longer wait is not retried). Other HTTP
    errors are never retried. `sleep` is injectable for tests.
    """

    attempts: int = 4
    initial_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ConfigError(f"retry attempts must be at least 1, not {self.attempts}")
        if self.initial_delay < 0 or self.max_delay < 0 or self.max_retry_after < 0:
            raise ConfigError("retry delays must not be negative")


class _Retry(Retry):
    """urllib3's Retry with the policy's sleep, backoff from the first retry on, and
    no retry when Retry-After asks for longer than the policy allows."""

    pause: Callable[[float], None] = time.sleep
    longest_wait: float = RetryPolicy.max_retry_after

    @classmethod
    def of(cls, policy: RetryPolicy) -> _Retry:
        retry = cls(total=policy.attempts - 1, connect=None, read=None, redirect=None, status=None,
                    other=None, allowed_methods=None, status_forcelist=TRANSIENT_STATUSES,
                    backoff_factor=policy.initial_delay, backoff_max=policy.max_delay,
                    raise_on_status=False, respect_retry_after_header=True,
                    retry_after_max=2 ** 31)  # compared with longest_wait below, not capped
        retry.pause = policy.sleep
        retry.longest_wait = policy.max_retry_after
        return retry

    def new(self, **options: Any) -> _Retry:
        retry = super().new(**options)
        retry.pause = self.pause
        retry.longest_wait = self.longest_wait
        return retry

    def get_backoff_time(self) -> float:
        # urllib3 does not wait before the first retry; after a 502 a server needs a moment.
        if not self.history:
            return 0.0
        return float(min(self.backoff_max, self.backoff_factor * 2 ** (len(self.history) - 1)))

    def retry_after(self, value: str | None) -> float | None:
        """Seconds a Retry-After value asks for (delta-seconds or HTTP date); None if unreadable."""
        if value is None:
            return None
        try:
            return float(self.parse_retry_after(value))
        except InvalidHeader:
            return None

    def increment(self, method: str | None = None, url: str | None = None,
                  response: Any = None, error: Exception | None = None,
                  _pool: Any = None, _stacktrace: Any = None) -> _Retry:
        wait = self.retry_after(response.headers.get("Retry-After")) if response is not None else None
        if wait is not None and wait > self.longest_wait:
            # urllib3 then hands back this response; HttpClient reports the wait asked for.
            raise MaxRetryError(_pool, url, ResponseError(f"Retry-After {wait:.0f} s"))
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        where = f"{_pool.scheme}://{_pool.host}:{_pool.port}{url or ''}" if _pool is not None \
            else (url or "the server")
        why = f"HTTP {response.status}" if response is not None else type(error).__name__
        expired = _attempt_expired()
        if expired is not None:
            why = f"no complete answer within {expired:g} s"
        log.warning(redact(f"{where}: {why}; retry {len(retry.history)} of "
                           f"{len(retry.history) + (retry.total or 0)}"))
        return retry

    def sleep(self, response: Any = None) -> None:
        wait = self.retry_after(response.headers.get("Retry-After")) if response is not None else None
        self.pause(self.get_backoff_time() if wait is None else wait)


# --- the deadline of an attempt ---------------------------------------------------------

_current = threading.local()  # the _Deadline of the request this thread is sending


def _attempt_expired() -> float | None:
    """The deadline in seconds if the current attempt of this thread ran out of time."""
    deadline = getattr(_current, "deadline", None)
    return deadline.seconds if deadline is not None and deadline.expired else None


class _Deadline:
    """A watchdog over the attempts of one request: each attempt gets `seconds` in all.

    The connection starts it when it sends (`arm`); when the time is up the
    attempt's socket is shut down, which ends a read blocked in the middle of a
    dripping answer. `expired` says whether the latest attempt ran out of time.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._connection: _Watched | None = None

    def arm(self, connection: _Watched) -> None:
        with self._lock:
            self._cancel()
            self.expired = False
            self._connection = connection
            self._timer = threading.Timer(self.seconds, self._expire)
            self._timer.daemon = True
            self._timer.start()

    def disarm(self) -> None:
        with self._lock:
            self._cancel()
            self._connection = None

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _expire(self) -> None:
        with self._lock:
            if self._connection is None:
                return
            self.expired = True
            sock = self._connection.watched_socket
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class _Watched:
    """A connection that arms the thread's deadline when it sends, and remembers its socket
    (http.client forgets it once the response owns it, but the read still uses it)."""

    watched_socket: socket.socket | None = None

    def request(self, *args: Any, **kwargs: Any) -> None:
        deadline = getattr(_current, "deadline", None)
        if deadline is not None:
            deadline.arm(self)
        super().request(*args, **kwargs)  # type: ignore[misc]

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self.watched_socket = self.sock  # type: ignore[attr-defined]


class _DeadlineHTTPConnection(_Watched, HTTPConnection):
    pass


class _DeadlineHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _DeadlineHTTPPool(HTTPConnectionPool):
    ConnectionCls = _DeadlineHTTPConnection


class _DeadlineHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _DeadlineHTTPSConnection


class _Adapter(HTTPAdapter):
    """requests' adapter whose connections obey the per-attempt deadline."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _DeadlineHTTPPool,
                                                   "https": _DeadlineHTTPSPool}


class RequestFailed(Exception):
    """A request failed for good: `text` says how, completing a sentence about the URL.

    `str()` is the whole sentence, with the number of attempts when there were
    several (`detail`: the same without the URL); a password in the URL is shown
    as ***. `elapsed` is the time spent in all.
    `status` is the HTTP status (None: no answer), `fatal` whether later
    requests to the same server would fail the same way.
    """

    def __init__(self, url: str, text: str, *, status: int | None, fatal: bool,
                 attempts: int, elapsed: float | None = None) -> None:
        self.text = redact(text)
        self.status = status
        self.fatal = fatal
        self.attempts = attempts
        self.elapsed = elapsed
        tries = f" (gave up after {attempts} attempts)" if attempts > 1 else ""
        self.detail = self.text + tries
        super().__init__(redact(f"{url} {text}{tries}"))


class HttpClient:
    """Requests to one or more servers with one timeout, retry policy, User-Agent and login.

    Constructing a client opens no connection.
    """

    def __init__(self, *, timeout: float = DEFAULT_TIMEOUT, retry: RetryPolicy | None = None,
                 auth: tuple[str, str] | None = None) -> None:
        if timeout <= 0:
            raise ConfigError(f"timeout must be positive, not {timeout}")
        self.timeout = timeout
        self.policy = retry or RetryPolicy()
        self._retry = _Retry.of(self.policy)
        self._session = requests.Session()
        self._session.headers["User-Agent"] = USER_AGENT
        self._session.auth = auth
        adapter = _Adapter(max_retries=self._retry)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def request(self, method: str, url: str, *, data: bytes | list[tuple[str, str]] | None = None,
                headers: Mapping[str, str] | None = None,
                params: Mapping[str, str] | None = None) -> bytes:
        """Send one request (retried as the policy says) and return the body of the answer.

        A list of pairs as `data` is sent form-encoded; bytes as they are.

        Raises:
            RequestFailed: no answer, or an HTTP status of 400 or more.
        """
        deadline = _Deadline(self.timeout)
        _current.deadline = deadline
        started = time.monotonic()
        try:
            response = self._session.request(method, url, data=data, headers=dict(headers or {}),
                                              params=params, timeout=self.timeout)
        except requests.RequestException as exc:
            attempts = self.policy.attempts if _retried(exc) else 1
            text = (f"did not answer within {self.timeout:g} s" if deadline.expired
                    else _no_answer(exc, self.timeout))
            raise RequestFailed(url, text, status=None, fatal=True, attempts=attempts,
                                elapsed=time.monotonic() - started) from exc
        finally:
            deadline.disarm()
            _current.deadline = None
        retries = getattr(response.raw, "retries", None)
        attempts = len(retries.history) + 1 if isinstance(retries, Retry) else 1
        if deadline.expired:  # what came before the cut-off is incomplete, whatever it parsed as
            raise RequestFailed(url, f"did not answer within {self.timeout:g} s", status=None,
                                fatal=True, attempts=attempts, elapsed=time.monotonic() - started)
        if response.status_code >= 400:
            raise RequestFailed(url, self._status_text(response), status=response.status_code,
                                fatal=response.status_code in _FATAL_STATUSES, attempts=attempts,
                                elapsed=time.monotonic() - started)
        return response.content

    def _status_text(self, response: requests.Response) -> str:
        status = response.status_code
        text = _STATUS_TEXT.get(status)
        if text is None:
            label = response.reason or http.client.responses.get(status, "")
            text = f"answered HTTP {status}{' ' + label if label else ''}"
        wait = self._retry.retry_after(response.headers.get("Retry-After"))
        if status in TRANSIENT_STATUSES and wait is not None and wait > self.policy.max_retry_after:
            text += (f" and asked to wait {wait:.0f} s, more than the "
                     f"{self.policy.max_retry_after:.0f} s allowed; try again later")
        detail = _one_line(response.content)
        if detail:
            text += f"; the server said: {detail}"
        return text


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and what it wraps: requests' exception, urllib3's MaxRetryError, its reason…"""
    chain = [exc]
    while True:
        current = chain[-1]
        inner: object = None
        if isinstance(current, MaxRetryError):
            inner = current.reason
        elif isinstance(current, (requests.RequestException, ProtocolError)) and current.args:
            inner = current.args[-1] if isinstance(current, ProtocolError) else current.args[0]
        elif isinstance(current, NewConnectionError):
            inner = current.__cause__
        if not isinstance(inner, BaseException) or inner in chain:
            return chain
        chain.append(inner)


def _retried(exc: BaseException) -> bool:
    return any(isinstance(cause, MaxRetryError) for cause in _causes(exc))


def _no_answer(exc: BaseException, timeout: float) -> str:
    """Why a request got no answer, in words."""
    causes = _causes(exc)
    root = causes[-1]
    if any(isinstance(cause, NameResolutionError) for cause in causes):
        reason = root.strerror if isinstance(root, OSError) and root.strerror else root
        return f"is unreachable (unknown host: {reason})"
    if isinstance(root, ConnectionRefusedError):
        return "is unreachable (connection refused); is the server running?"
    if any(isinstance(cause, NewConnectionError) for cause in causes):
        reason = root.strerror if isinstance(root, OSError) and root.strerror else root
        return f"is unreachable ({reason})"
    if any(isinstance(cause, (ReadTimeoutError, ConnectTimeoutError, requests.Timeout, TimeoutError))
           for cause in causes):
        return f"did not answer within {timeout:g} s"
    if isinstance(root, (ConnectionError, http.client.HTTPException)):
        detail = f": {root}" if str(root) else ""
        return f"closed the connection ({type(root).__name__}{detail})"
    if isinstance(root, OSError):
        return f"failed ({root.strerror or root})"
    return f"failed ({root})"


def _one_line(body: bytes, limit: int = 200) -> str:
    """An excerpt of a response body on one line (tags of an HTML page dropped)."""
    text = " ".join(body.decode("utf-8", "replace").split())
    text = re.sub(r"<[^>]{1,100}>", " ", text) if text.lstrip().startswith("<") else text
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"
