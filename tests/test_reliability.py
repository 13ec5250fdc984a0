"""Issue 13, the reliability audit: errors end as one line, signals, deadlines, hygiene.

Each test names its audit case. Servers are local (127.0.0.1) and timeouts tiny;
no test asserts a wall-clock duration.
"""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import textwrap
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kfor_kg.cli import cli
from kfor_kg.stores import sparql
from kfor_kg.stores.http import HttpClient, RequestFailed, RetryPolicy
from servers import LocalHTTPServer, free_port

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "reports"


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner(env=env).invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def one_error_line(stderr: str) -> str:
    """The stderr of a failed command: exactly one `Error: [K…]` line and no traceback."""
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, stderr
    assert errors[0].startswith("Error: [K"), errors[0]
    return errors[0]


# --- case 11: any uncaught exception is one line, exit 3; -v adds the traceback ---------------

def test_case11_unexpected_exception_is_one_line_and_exit_3(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kfor_kg.rdf import export

    def broken(*_args: object, **_kwargs: object) -> None:
        raise TypeError("'NoneType' object is not subscriptable")

    monkeypatch.setattr(export, "read", broken)
    graph = tmp_path / "g.ttl"
    graph.write_text("<http://x.org/a> <http://x.org/b> <http://x.org/c> .\n")
    code, _out, err = run("validate", str(graph))
    assert code == 3
    line = one_error_line(err)
    assert "[K099]" in line and "TypeError" in line and "-v" in line

    code, _out, err = run("-v", "validate", str(graph))
    assert code == 3
    assert "Traceback (most recent call last)" in err
    assert "in broken" in err


def test_case11_help_is_h_too() -> None:
    code, out, _err = run("-h")
    assert code == 0 and "--verbose" in out and "-h, --help" in out
    code, out, _err = run("validate", "-h")
    assert code == 0 and "Usage:" in out


def test_case11_global_quiet_reaches_the_command(tmp_path: Path) -> None:
    out = tmp_path / "k.ttl"
    code, _out, err = run("-q", "build", "--no-entities", "-o", str(out), str(EXAMPLES))
    assert code == 0 and out.exists()
    assert "Wrote" not in err


# --- case 4: signals during the write clean up and exit 130 / 143 ------------------------------

SIGNAL_DURING_WRITE = textwrap.dedent("""
    import os, signal, sys
    from kfor_kg import files
    from kfor_kg.cli import main

    real_fsync = files.os.fsync
    def interrupted_fsync(fd):
        os.kill(os.getpid(), getattr(signal, sys.argv[1]))
        real_fsync(fd)
    files.os.fsync = interrupted_fsync
    main(sys.argv[2:])
""")


@pytest.mark.parametrize("name,code", [("SIGINT", 130), ("SIGTERM", 143)])
def test_case4_signal_during_the_write_leaves_no_tmp_and_the_old_output(
        tmp_path: Path, name: str, code: int) -> None:
    out = tmp_path / "kfor.ttl"
    out.write_text("# the previous good build\n")
    done = subprocess.run(
        [sys.executable, "-c", SIGNAL_DURING_WRITE, name, "build", "--no-entities", "-q",
         "--no-cache", "-o", str(out), str(EXAMPLES)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == code, done.stderr
    assert one_error_line(done.stderr).startswith("Error: [K098] interrupted by " + name)
    assert out.read_text() == "# the previous good build\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kfor.ttl"]


# --- local misbehaving servers ----------------------------------------------------------------

class Misbehaving(LocalHTTPServer):
    """An HTTP server on 127.0.0.1 whose handler `answer(handler)` misbehaves as asked."""

    def __init__(self, answer: Callable[[http.server.BaseHTTPRequestHandler], None]) -> None:
        self.requests = 0
        self.bodies: list[bytes] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                owner.requests += 1
                owner.bodies.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                try:
                    answer(self)
                except OSError:  # the client gave up: what the tests want
                    pass

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        super().__init__(Handler)

    def __enter__(self) -> Misbehaving:
        super().__enter__()
        return self


def drip(handler: http.server.BaseHTTPRequestHandler) -> None:
    """A 200 whose body comes a byte every 20 ms and stops short of its Content-Length."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/sparql-results+json")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    for _ in range(400):  # 8 s at most, then an incomplete answer: never a hang
        handler.wfile.write(b" ")
        handler.wfile.flush()
        time.sleep(0.02)


def silent(handler: http.server.BaseHTTPRequestHandler) -> None:
    """No answer for 8 s, then the connection closes."""
    time.sleep(8)


def drip_headers(handler: http.server.BaseHTTPRequestHandler) -> None:
    """A status line, then one header byte every 20 ms."""
    handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    for _ in range(400):
        handler.wfile.write(b"X")
        handler.wfile.flush()
        time.sleep(0.02)


def answering(body: bytes, content_type: str = "application/sparql-results+json",
              ) -> Callable[[http.server.BaseHTTPRequestHandler], None]:
    """A server that answers every request 200 with `body` (SPARQL JSON results by default)."""
    def answer(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
    return answer


html_page = answering(b"<html><body><h1>Welcome to nginx!</h1></body></html>", "text/html")


# --- cases 8 and 13: --timeout is a deadline for the whole answer ----------------------------

@pytest.mark.parametrize("answer", [drip, drip_headers, silent])
def test_case13_timeout_is_a_deadline_for_the_whole_answer(
        answer: Callable[[http.server.BaseHTTPRequestHandler], None]) -> None:
    with Misbehaving(answer) as server:
        client = HttpClient(timeout=0.3, retry=RetryPolicy(attempts=2, initial_delay=0.001))
        with pytest.raises(RequestFailed) as failed:
            client.request("POST", server.url + "/sparql", data=[("query", "ASK {}")])
    # A silent server is asked again; one that has begun to answer is not.
    again = " (gave up after 2 attempts)" if answer is silent else ""
    assert str(failed.value) == f"{server.url}/sparql did not answer within 0.3 s{again}"
    assert server.requests == (2 if again else 1)


def test_case8_query_endpoint_that_drips_is_one_error_line() -> None:
    with Misbehaving(drip) as server:
        code, _out, err = run("query", "documents", "--endpoint", server.url + "/sparql",
                              "--union", "--timeout", "0.3")
    assert code == 3
    line = one_error_line(err)
    assert line.endswith("did not answer within 0.3 s")


def test_case13_query_has_retries_and_link_has_timeout_and_retries(tmp_path: Path) -> None:
    with Misbehaving(silent) as server:
        code, _out, err = run("query", "documents", "--endpoint", server.url + "/sparql",
                              "--union", "--timeout", "0.2", "--retries", "1")
        assert code == 3 and server.requests == 2
        assert one_error_line(err).endswith("did not answer within 0.2 s (gave up after 2 attempts)")
        assert "retry 1 of 1" in err  # a retry is never silent

    graph = tmp_path / "graph.trig"
    graph.write_bytes((ROOT / "tests" / "data" / "wikidata" / "graph.trig").read_bytes())
    with Misbehaving(silent) as server:
        code, _out, err = run("link", str(graph), "--endpoint", server.url + "/sparql",
                              "--cache-dir", str(tmp_path / "cache"), "--min-interval", "0",
                              "--timeout", "0.2", "--retries", "0")
        assert code == 3 and server.requests == 1
    assert one_error_line(err).endswith(f"{server.url}/sparql did not answer within 0.2 s")


# --- case 7: a store that answers 200 with an HTML page -----------------------------------------

def test_case7_load_against_an_html_page_is_one_error_line(tmp_path: Path) -> None:
    graph = tmp_path / "k.trig"
    graph.write_bytes((ROOT / "tests" / "data" / "store" / "three-docs.trig").read_bytes())
    with Misbehaving(html_page) as server:
        for target in (["--endpoint", server.url + "/sparql"], ["--server", "oxigraph", server.url]):
            code, out, err = run("load", str(graph), *target, "--retries", "0")
            assert code == 3
            assert "did not answer with SPARQL JSON results" in one_error_line(err) + out + err
        code, _out, err = run("query", "documents", "--endpoint", server.url + "/sparql")
        assert code == 3
        assert "did not answer with SPARQL JSON results" in one_error_line(err)


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(["head", "vars", "results", "bindings",
                                                       "boolean", "type", "value", "x"]),
                                      inner, max_size=3), max_leaves=12))
def test_case7_any_json_answer_is_results_or_not_results(payload: object) -> None:
    try:
        sparql.read_results(json.dumps(payload))
    except sparql.NotResults:
        pass


# --- case 21: a password in an endpoint URL is never printed -------------------------------------

def test_case21_passwords_in_urls_are_redacted_everywhere(tmp_path: Path) -> None:
    graph = tmp_path / "k.trig"
    graph.write_bytes((ROOT / "tests" / "data" / "store" / "three-docs.trig").read_bytes())
    with Misbehaving(html_page) as html, Misbehaving(silent) as slow:
        runs = [
            ("-v", "load", str(graph), "--endpoint",
             html.url.replace("//", "//ann:s3cret@") + "/sparql", "--retries", "0"),
            ("-vv", "query", "documents", "--timeout", "0.2", "--retries", "1", "--endpoint",
             slow.url.replace("//", "//ann:s3cret@") + "/sparql"),
            ("query", "documents", "--endpoint", "ftp://ann:s3cret@127.0.0.1/sparql"),
            ("-v", "unload", "S/2007/1", "--endpoint",
             html.url.replace("//", "//ann:s3cret@") + "/sparql", "--retries", "0"),
        ]
        for args in runs:
            code, out, err = run(*args)
            assert code == 3, (args, err)
            assert "s3cret" not in out + err, (args, out + err)
            assert "ann:***@" in err, (args, err)


# --- cases 9 and 19: local queries may not read files (FROM) or call servers (SERVICE) --------

@pytest.fixture
def built(tmp_path: Path) -> Path:
    out = tmp_path / "kfor.ttl"
    assert run("build", "--no-entities", "-q", "-o", str(out), str(EXAMPLES))[0] == 0
    return out


@pytest.mark.parametrize("text,clause", [
    ("SELECT ?s ?p ?o FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM <file:///etc/passwd>"),
    ("SELECT * FROM NAMED <file:///etc/hosts> { GRAPH ?g { ?s ?p ?o } }",
     "FROM NAMED <file:///etc/hosts>"),
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
     "SERVICE <http://127.0.0.1:{port}/sparql>"),
    ("SELECT * WHERE { SERVICE SILENT ?where { ?s ?p ?o } VALUES ?where { <http://x.org/> } }",
     "SERVICE SILENT ?where"),
    ("SELECT * \\u0046ROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM <file:///etc/passwd>"),
])
def test_case19_local_queries_may_not_reach_outside_by_default(
        tmp_path: Path, built: Path, text: str, clause: str) -> None:
    port = str(free_port())
    query_file = tmp_path / "outside.rq"
    query_file.write_text("# reaches outside\n" + text.replace("{port}", port) + "\n")
    code, out, err = run("query", str(query_file), "--data", str(built))
    assert code == 3 and out == ""
    line = one_error_line(err)
    assert line.startswith("Error: [K006] query outside reaches outside the data with "
                           + clause.replace("{port}", port))
    assert "--allow-external" in line


def test_case9_service_to_a_closed_port_is_one_error_line(tmp_path: Path, built: Path) -> None:
    query_file = tmp_path / "service.rq"
    query_file.write_text(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{free_port()}/sparql> "
                          f"{{ ?s ?p ?o }} }}\n")
    code, _out, err = run("query", str(query_file), "--data", str(built), "--allow-external")
    assert code == 3
    assert one_error_line(err).startswith("Error: [K006] query service failed: ")


def test_case19_allowed_from_reads_only_what_the_store_holds(tmp_path: Path, built: Path) -> None:
    query_file = tmp_path / "from.rq"
    query_file.write_text("SELECT (COUNT(*) AS ?n) FROM <file:///etc/passwd> WHERE { ?s ?p ?o }\n")
    code, out, err = run("query", str(query_file), "--data", str(built), "--allow-external",
                         "--format", "csv")
    assert code == 0, err
    assert "root" not in out


# --- cases 10 and 20: --base is checked up front and never pasted into a query ----------------

@pytest.mark.parametrize("base", ["not a url", 'http://x.org/"> } ; DROP ALL ; #', "http://x.org/a b/",
                                  "relative/path/"])
def test_case10_build_checks_the_base_up_front(tmp_path: Path, base: str) -> None:
    out = tmp_path / "kfor.ttl"
    out.write_text("# previous\n")
    code, _out, err = run("build", "--no-entities", "-o", str(out), "--base", base, str(EXAMPLES))
    assert code == 2
    assert "Traceback" not in err and "is not an absolute IRI" in err
    assert err.count("\n") < 6  # click's usage lines and one error: no flood of warnings
    assert out.read_text() == "# previous\n"


def test_case20_query_base_is_checked_and_bound(tmp_path: Path) -> None:
    from kfor_kg.errors import ConfigError
    from kfor_kg.stores.client import Target
    from kfor_kg.stores.triplestore import stored_graphs

    hostile = 'http://x.org/"} } INSERT DATA { <urn:a> <urn:b> <urn:c> } #'
    with Misbehaving(html_page) as server:
        code, _out, err = run("query", "documents", "--endpoint", server.url + "/sparql",
                              "--base", hostile)
        assert code == 2 and "is not an absolute IRI" in err
        with pytest.raises(ConfigError, match="is not an absolute IRI"):
            stored_graphs(Target(server.url + "/sparql"), base=hostile)
        assert server.requests == 0


def test_case20_stored_graphs_binds_the_base_as_terms(tmp_path: Path) -> None:
    from kfor_kg.stores.client import Target
    from kfor_kg.stores.triplestore import stored_graphs

    with Misbehaving(answering(b'{"head": {"vars": ["g"]}, "results": {"bindings": []}}')) as server:
        assert stored_graphs(Target(server.url + "/sparql"), base="https://ex.org/ids#") == []
    sent = urllib.parse.parse_qs(server.bodies[0].decode())["query"][0]
    terms = ('FILTER(?g IN (<https://ex.org/ids#graph/shared>, <https://ex.org/ids#graph/ontology>) || '
             '(STRSTARTS(STR(?g), "https://ex.org/ids#doc/") && STRENDS(STR(?g), "/graph")))')
    assert terms in sent
    assert sent.count("ex.org") == 3  # the base appears in these terms only


# --- case 16: a malformed Turtle/TriG file is reported with the parser's reason ---------------

@pytest.mark.parametrize("name,content,where", [
    ("bad.ttl", "@prefix ex: <http://x.org/> .\nex:a ex:b ex:c ;; ex:d .\n", "line 2"),
    ("bad.trig", '<http://x.org/g> { <http://x.org/a> <http://x.org/b> "open\n', "line 1"),
])
@pytest.mark.parametrize("command", ["validate", "load", "link", "query"])
def test_case16_malformed_rdf_errors_keep_the_parsers_reason(
        tmp_path: Path, name: str, content: str, where: str, command: str) -> None:
    bad = tmp_path / name
    bad.write_text(content)
    args = {"validate": ["validate", str(bad)],
            "load": ["load", str(bad), "--endpoint", f"http://127.0.0.1:{free_port()}/q"],
            "link": ["link", str(bad), "--offline", "--cache-dir", str(tmp_path / "cache")],
            "query": ["query", "documents", "--data", str(bad)]}[command]
    code, _out, err = run(*args)
    assert code == 3
    line = one_error_line(err)
    assert line.startswith(f"Error: [K002] {bad} is not valid ")
    reason = line.split(": ", 2)[2]
    assert where in reason
    assert len(reason.replace(where, "").strip(" ():,")) > 20, line  # more than a location


# --- case 17: validate says so when there is no document ---------------------------------------

@pytest.mark.parametrize("name,content", [
    ("empty.ttl", ""), ("empty.trig", "\n"),
    ("other.nt", "<http://x.org/a> <http://x.org/b> <http://x.org/c> .\n"),
])
def test_case17_validate_without_a_document_exits_3(tmp_path: Path, name: str, content: str) -> None:
    graph = tmp_path / name
    graph.write_text(content)
    code, out, err = run("validate", str(graph))
    assert code == 3 and "conforms" not in out
    assert "holds no kfor-kg document" in one_error_line(err)


def test_case17_validate_of_a_build_still_conforms(built: Path) -> None:
    code, out, _err = run("validate", str(built))
    assert code == 0 and "conforms" in out


# --- case 5: build --link without a network still writes the graph -----------------------------

def test_case5_build_link_without_network_writes_the_graph_then_fails(tmp_path: Path) -> None:
    out = tmp_path / "kfor.ttl"
    env = {"KFOR_KG_WIKIDATA_ENDPOINT": f"http://127.0.0.1:{free_port()}/sparql",
           "KFOR_KG_CACHE_DIR": str(tmp_path / "cache")}
    code, _out, err = run("build", "--no-entities", "-q", "--link", "--retries", "0",
                          "-o", str(out), str(EXAMPLES), env=env)
    assert code == 3
    line = one_error_line(err)
    assert line.startswith("Error: [K008] ") and "connection refused" in line
    assert f"{out} was written without Wikidata links" in line and "--offline" in line
    assert b"S/2007/652" in out.read_bytes()
    assert run("validate", "-q", str(out))[0] == 0


@pytest.mark.parametrize("body", [
    b'{"head": {"vars": []}, "results": {"bindings": [{}]}}',
    b'{"boolean": true}',
    b'{"head": {"vars": ["g", "n"]}, "results": {"bindings": [{"g": {"type": "uri", '
    b'"value": "https://w3id.org/kfor-kg/id/doc/x/graph"}, "n": {"type": "literal", "value": "many"}}]}}',
])
def test_case7_a_store_answering_nonsense_is_a_store_error(tmp_path: Path, body: bytes) -> None:
    graph = tmp_path / "k.trig"
    graph.write_bytes((ROOT / "tests" / "data" / "store" / "three-docs.trig").read_bytes())
    with Misbehaving(answering(body)) as server:
        for args in (["load", str(graph)], ["unload", "S/2007/1"]):
            code, _out, err = run(*args, "--endpoint", server.url + "/sparql", "--retries", "0")
            assert code == 3
            assert one_error_line(err).startswith("Error: [K007] ")


@settings(max_examples=200, deadline=None)
@given(noise=st.text(max_size=40), keyword=st.sampled_from(["FROM", "from", "From", "SERVICE",
                                                               "service", "FROM NAMED"]),
       space=st.sampled_from([" ", "\n", "\t", "  "]))
def test_case19_outside_access_finds_clauses_and_ignores_strings_and_comments(
        noise: str, keyword: str, space: str) -> None:
    quoted = noise.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    comment = noise.replace("\n", " ").replace("\r", " ")
    harmless = f'SELECT * WHERE {{ ?s ?p "{quoted}" }} # {comment}\n'
    assert sparql.outside_access(harmless) == []
    clause = f"{keyword}{space}<file:///etc/passwd>"
    if keyword.upper().startswith("SERVICE"):
        text = f'SELECT * WHERE {{ ?s ?p "{quoted}" . {clause} {{ ?s ?p ?o }} }}'
    else:
        text = f'SELECT * {clause} WHERE {{ ?s ?p "{quoted}" }}'
    assert sparql.outside_access(text) == [" ".join(keyword.upper().split()) + " <file:///etc/passwd>"]
