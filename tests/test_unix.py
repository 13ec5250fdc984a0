"""Unix habits: `-` for stdin/stdout, data on stdout and summaries on stderr, python -m kfor_kg,
shell completion, checks before any work."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kfor_kg.cli import cli

ROOT = Path(__file__).resolve().parent.parent
GUTERRES = ROOT / "examples" / "reports" / "kfor_2017-Q3_guterres.txt"
SAMPLE = Path(__file__).parent / "data" / "io" / "sample.trig"
KFOR_KG = [sys.executable, "-m", "kfor_kg"]


def run(args: list[str], stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(KFOR_KG + args, input=stdin, capture_output=True, cwd=cwd, timeout=600,
                          env={**os.environ, "PYTHONHASHSEED": "0"})


@pytest.fixture(scope="module")
def piped_graph() -> bytes:
    """`kfor-kg build - -o -` of one report on stdin (built once for the module)."""
    built = run(["build", "-", "-o", "-"], stdin=GUTERRES.read_bytes())
    assert built.returncode == 0, built.stderr.decode()
    assert b"Wrote the graph to standard output: 1 documents" in built.stderr
    return built.stdout


def test_pipeline_from_stdin_to_a_query(piped_graph: bytes) -> None:
    """cat report | kfor-kg build - -o - | kfor-kg query signed_in_year --data - --data-format ttl"""
    shell = subprocess.run(
        f"cat {GUTERRES} | {sys.executable} -m kfor_kg build - -o - -q | "
        f"{sys.executable} -m kfor_kg query signed_in_year --data - --data-format ttl "
        f"--param year=2017 --format csv",
        shell=True, capture_output=True, timeout=600)
    assert shell.returncode == 0, shell.stderr.decode()
    names = [line.split(",")[0] for line in shell.stdout.decode().splitlines()[1:]]
    assert names == ["António Guterres", "Jens Stoltenberg"]
    assert shell.stderr == b""  # -q: nothing but data


def test_stdout_graph_is_the_file_graph(piped_graph: bytes, tmp_path: Path) -> None:
    report = tmp_path / "stdin.txt"  # the name a report on stdin gets
    report.write_bytes(GUTERRES.read_bytes())
    built = run(["build", str(report), "-o", str(tmp_path / "out.ttl"), "-q"])
    assert built.returncode == 0, built.stderr.decode()
    assert (built.stdout, built.stderr) == (b"", b"")
    assert (tmp_path / "out.ttl").read_bytes() == piped_graph
    assert not (tmp_path / "-").exists()


def test_python_m_kfor_kg_and_h() -> None:
    for args in (["-h"], ["--help"], ["query", "-h"]):
        shown = run(args)
        assert shown.returncode == 0
        assert shown.stdout.startswith(b"Usage: kfor-kg"), args


def test_errors_name_stdin_not_a_temporary_file() -> None:
    empty = run(["build", "-", "-o", "-", "--no-entities"], stdin=b"")
    assert empty.returncode == 3
    assert b"<stdin>" in empty.stderr and b"kfor-kg-" not in empty.stderr
    assert empty.stdout == b""


def test_bad_output_and_model_fail_before_any_work(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = runner.invoke(cli, ["build", str(GUTERRES), "-o", str(tmp_path / "missing" / "x.ttl")])
    assert folder.exit_code == 3
    assert "the folder" in folder.output and "does not exist" in folder.output
    model = runner.invoke(cli, ["build", str(GUTERRES), "-o", str(tmp_path / "x.ttl"),
                                "--model", "no_such_model"])
    assert model.exit_code == 3
    assert "spaCy model 'no_such_model' is neither an installed package nor a folder" in model.output
    assert "Building" not in model.output  # nothing was read
    assert not (tmp_path / "x.ttl").exists()


def test_query_data_on_stdout_and_nothing_else() -> None:
    ran = run(["query", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "--data", "-", "--data-format",
               "trig", "--format", "json"], stdin=SAMPLE.read_bytes())
    assert ran.returncode == 0, ran.stderr.decode()
    assert ran.stderr == b""
    assert isinstance(json.loads(ran.stdout)[0]["n"], int)
    assert b"\r" not in ran.stdout


def test_shell_completion() -> None:
    script = subprocess.run(KFOR_KG, env={**os.environ, "_KFOR_KG_COMPLETE": "bash_source"},
                            capture_output=True, timeout=60)
    assert b"_kfor_kg_completion" in script.stdout
    words = subprocess.run(KFOR_KG, capture_output=True, timeout=60, env={
        **os.environ, "_KFOR_KG_COMPLETE": "bash_complete", "COMP_WORDS": "kfor-kg query signed_",
        "COMP_CWORD": "2"})
    assert words.stdout.decode().split() == ["plain,signed_in_year"]


def test_validate_a_graph_on_stdin(piped_graph: bytes) -> None:
    ok = CliRunner().invoke(cli, ["validate", "-", "--format", "ttl"], input=piped_graph)
    assert ok.exit_code == 0, ok.output
    no_format = CliRunner().invoke(cli, ["validate", "-"], input=piped_graph)
    assert no_format.exit_code == 2 and "needs --format" in no_format.output


@pytest.mark.server
def test_load_a_graph_from_stdin(piped_graph: bytes, tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from servers import OxigraphServer

    with OxigraphServer(tmp_path / "db") as server:
        loaded = CliRunner().invoke(cli, ["load", "-", "--format", "ttl", "--server", "oxigraph",
                                          server.base_url], input=piped_graph)
        assert loaded.exit_code == 0, loaded.output
        assert loaded.stdout == ""
        assert "Stored 1 of 1 documents" in loaded.stderr


def test_text_of_a_file_on_stdin() -> None:
    shown = CliRunner().invoke(cli, ["text", "-"], input=GUTERRES.read_bytes())
    assert shown.exit_code == 0, shown.output
    assert shown.stdout_bytes == CliRunner().invoke(cli, ["text", str(GUTERRES)]).stdout_bytes
    empty = CliRunner().invoke(cli, ["text", "-"], input=b"")
    assert empty.exit_code == 3 and "<stdin>: the file is empty" in empty.output


def test_link_writes_the_linked_graph_to_stdout(piped_graph: bytes, tmp_path: Path) -> None:
    graph = tmp_path / "one.ttl"
    graph.write_bytes(piped_graph)
    linked = run(["link", str(graph), "--offline", "-o", "-"], cwd=tmp_path)
    assert linked.returncode == 0, linked.stderr.decode()
    assert graph.read_bytes() == piped_graph  # GRAPH itself untouched
    assert b"owl:sameAs" in linked.stdout and b"Wrote the graph to standard output" in linked.stderr
    assert not (tmp_path / "-").exists()


def test_evaluate_a_graph_on_stdin(piped_graph: bytes) -> None:
    gold = Path(__file__).parent / "gold"
    piped = CliRunner().invoke(cli, ["evaluate", str(gold), "--data", "-", "--data-format", "ttl"],
                               input=piped_graph)
    assert piped.exit_code == 0, piped.output
    assert piped.stdout.startswith("type")
    no_format = CliRunner().invoke(cli, ["evaluate", str(gold), "--data", "-"], input=piped_graph)
    assert no_format.exit_code == 2


def test_a_report_on_stdin_can_be_named(tmp_path: Path) -> None:
    out = tmp_path / "one.ttl"
    named = CliRunner().invoke(cli, ["build", "-", "--stdin-name", "reports/S_2017_911.txt",
                                     "--no-entities", "-q", "-o", str(out)], input=GUTERRES.read_bytes())
    assert named.exit_code == 0, named.output
    assert '"S_2017_911.txt"' in out.read_text(encoding="utf-8")
    bad = CliRunner().invoke(cli, ["build", "-", "--stdin-name", "..", "-o", str(out)], input=b"x")
    assert bad.exit_code == 2 and "is not a file name" in bad.output
