"""A real Oxigraph SPARQL server on a free loopback port, for tests.

Used by the store and Wikidata-reconciler tests. Only ever binds 127.0.0.1.
"""

from __future__ import annotations

import http.server
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest


class LocalHTTPServer:
    """A threaded HTTP server on 127.0.0.1 (a free port) answering with `handler`;
    serving inside `with`, stopped after it."""

    def __init__(self, handler: type[http.server.BaseHTTPRequestHandler]) -> None:
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01},
                                       daemon=True)

    def __enter__(self) -> LocalHTTPServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class OxigraphServer:
    """An `oxigraph serve` process; `preload` files are bulk-loaded before serving."""

    location: Path
    preload: tuple[Path, ...] = ()
    union_default_graph: bool = False
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        return self.base_url + "/query"

    @property
    def update_url(self) -> str:
        return self.base_url + "/update"

    @property
    def store_url(self) -> str:
        return self.base_url + "/store"

    def start(self) -> "OxigraphServer":
        exe = shutil.which("oxigraph")
        if exe is None:
            pytest.skip("the `oxigraph` server command is not installed (pip install oxigraph)")
        self.location.mkdir(parents=True, exist_ok=True)
        for path in self.preload:
            # A running server locks its directory, so bulk-load first.
            subprocess.run([exe, "load", "--location", str(self.location), "--file", str(path)],
                           check=True, capture_output=True)
        self.port = free_port()
        cmd = [exe, "serve", "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}"]
        if self.union_default_graph:
            cmd.append("--union-default-graph")
        self.process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"oxigraph serve exited early: {err}")
            try:
                with urllib.request.urlopen(self.query_url + "?query=ASK%7B%7D", timeout=2):
                    return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("oxigraph serve did not answer within 30 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> "OxigraphServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
