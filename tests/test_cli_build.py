"""`kfor-kg build`: outputs, formats, determinism and bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset

from kfor_kg.cli import cli

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "reports"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    reports = tmp_path / "reports"
    shutil.copytree(EXAMPLES, reports)
    return reports


def test_build_the_examples_twice_gives_identical_turtle(tmp_path: Path) -> None:
    first, second = tmp_path / "a.ttl", tmp_path / "b.ttl"
    assert run("build", "--no-entities", "-q", "-o", str(first))[0] == 0
    assert run("build", "--no-entities", "-q", "-o", str(second))[0] == 0
    assert first.read_bytes() == second.read_bytes()
    assert b"S/2007/652" in first.read_bytes()


@pytest.mark.parametrize("suffix,fmt", [(".nt", "nt"), (".jsonld", "json-ld"), (".trig", "trig"), (".nq", "nquads")])
def test_format_follows_the_extension(tmp_path: Path, suffix: str, fmt: str) -> None:
    out = tmp_path / f"kfor{suffix}"
    assert run("build", "--no-entities", "-q", "-o", str(out))[0] == 0
    ds = Dataset()
    ds.parse(out, format=fmt)
    assert len(list(ds.quads())) > 100


def test_named_graph_per_document_in_trig(tmp_path: Path) -> None:
    out = tmp_path / "kfor.trig"
    assert run("build", "--no-entities", "-q", "-o", str(out))[0] == 0
    ds = Dataset()
    ds.parse(out, format="trig")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert sum(n.endswith("/graph") and "/doc/" in n for n in names) == 5
    assert any(n.endswith("/graph/shared") for n in names)


@pytest.mark.parametrize("name,content,message", [
    ("empty.txt", b"", "empty.txt: the file is empty"),
    ("binary.txt", b"\x00\x01\x02\x03binary\x00", "binary.txt: binary file"),
    ("latin1.txt", "Kosovo Force — Thaçi".encode("cp1252"), "latin1.txt: not UTF-8 text"),
    ("recipe.txt", b"Mix the flour and the eggs. Bake for 20 minutes.", "recipe.txt: not a report"),
])
def test_a_bad_file_is_reported_and_the_others_still_build(
        folder: Path, tmp_path: Path, name: str, content: bytes, message: str) -> None:
    (folder / name).write_bytes(content)
    out = tmp_path / "kfor.ttl"
    code, _, err = run("build", str(folder), "--no-entities", "-q", "-o", str(out))
    assert code == 3
    lines = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1 and message in lines[0]
    assert out.read_bytes().count(b"a schema:CreativeWork") == 5


def test_fail_fast_stops_and_writes_nothing(folder: Path, tmp_path: Path) -> None:
    (folder / "0_empty.txt").write_bytes(b"")
    out = tmp_path / "kfor.ttl"
    code, _, err = run("build", str(folder), "--no-entities", "--fail-fast", "-q", "-o", str(out))
    assert code == 3 and "0_empty.txt: the file is empty" in err
    assert not out.exists()


def test_an_existing_output_is_not_clobbered_by_a_failed_build(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "kfor.ttl"
    out.write_text("previous graph")
    (folder / "0_empty.txt").write_bytes(b"")
    assert run("build", str(folder), "--no-entities", "--fail-fast", "-q", "-o", str(out))[0] == 3
    assert out.read_text() == "previous graph"


def test_unknown_output_extension_is_a_one_line_error(tmp_path: Path) -> None:
    code, _, err = run("build", "--no-entities", "-q", "-o", str(tmp_path / "kfor.xyz"))
    assert code == 3
    assert "kfor.xyz" in err and len(err.strip().splitlines()) == 1


def test_progress_goes_to_stderr_and_quiet_silences_it(tmp_path: Path) -> None:
    code, out, err = run("build", "--no-entities", "-o", str(tmp_path / "k.ttl"))
    assert code == 0 and out == "" and "Wrote" in err
    code, out, err = run("build", "--no-entities", "-q", "-o", str(tmp_path / "k.ttl"))
    assert code == 0 and out == "" and err == ""


def test_the_cut_off_dev_excerpts_build_into_a_valid_graph(tmp_path: Path) -> None:
    """The openings of three real reports (2000, 2008, 2016) build with entities and validate."""
    excerpts = Path(__file__).resolve().parent / "data" / "excerpts"
    out = tmp_path / "excerpts.trig"
    code, _, err = run("build", str(excerpts), "-q", "-o", str(out))
    assert code == 0, err
    ds = Dataset()
    ds.parse(out, format="trig")
    documents = {str(g.identifier) for g in ds.graphs() if "/doc/" in str(g.identifier)}
    assert len(documents) == 3


def test_full_builds_in_separate_processes_are_byte_identical(tmp_path: Path) -> None:
    """Entities and events included, whatever the process's hash seed."""
    import os
    import subprocess
    import sys

    outputs = []
    for seed in ("1", "4242"):
        out = tmp_path / f"kfor-{seed}.ttl"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "kfor_kg", "build", "-q", "--no-validate", "-o", str(out)],
                       check=True, env=env, cwd=tmp_path)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] and b"kfor:refersTo" in outputs[0]


def test_case2_output_symlink_is_written_through_and_a_fifo_refused(tmp_path: Path) -> None:
    """Issue 13, case 2: `-o` writes through a symlink; a FIFO or device is never replaced."""
    import os

    real = tmp_path / "store" / "kfor.ttl"
    real.parent.mkdir()
    real.write_text("stale")
    link = tmp_path / "kfor.ttl"
    link.symlink_to(real)
    code, _out, err = run("build", "--no-entities", "-q", "--no-cache", "-o", str(link))
    assert code == 0, err
    assert link.is_symlink() and b"S/2007/652" in real.read_bytes()
    pipe = tmp_path / "pipe.ttl"
    os.mkfifo(pipe)
    code, _out, err = run("build", "--no-entities", "-q", "--no-cache", "-o", str(pipe))
    assert code == 3 and "is a FIFO (named pipe), not a regular file" in err
    assert os.path.exists(pipe) and not os.path.isfile(pipe)
