"""The streaming build (issue 11): the same bytes as the in-memory build, the cache, the
store, and issue 13 cases 1 (nothing built: output untouched) and 6 (a text too long for spaCy)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import kfor_kg.nlp.pipeline as nlp_pipeline
from kfor_kg.build import BuildOptions, build, example_reports
from kfor_kg import cache as cache_module
from kfor_kg.cache import DocumentCache
from kfor_kg.cli import cli
from kfor_kg.rdf import export
from kfor_kg.rdf.vocab import DEFAULT_BASE
from kfor_kg.stream import StreamResult, corpus_check, stream_build, write_output
from kfor_kg.text import ingest

FACTS_ONLY = BuildOptions(entities=False)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stderr


@pytest.fixture
def reports() -> list[Path]:
    return sorted(ingest.iter_report_files([example_reports()]))


def written(result: StreamResult, fmt: str) -> bytes:
    out = io.BytesIO()
    write_output(result, out, fmt, DEFAULT_BASE)
    return out.getvalue()


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_streamed_output_is_the_in_memory_build_byte_for_byte(reports: list[Path], tmp_path: Path,
                                                              fmt: str) -> None:
    streamed = stream_build(reports, FACTS_ONLY, DocumentCache(tmp_path / "cache"))
    assert streamed.documents == 5 and not streamed.errors
    assert written(streamed, fmt) == export.serialize(build(reports, FACTS_ONLY).dataset, fmt)


def test_worker_processes_give_the_same_bytes(reports: list[Path], tmp_path: Path) -> None:
    one = stream_build(reports, FACTS_ONLY, DocumentCache(tmp_path / "one"))
    two = stream_build(reports, BuildOptions(entities=False, n_process=2), DocumentCache(tmp_path / "two"))
    assert written(one, "nq") == written(two, "nq")
    assert [e.key for e in one.entries] == [e.key for e in two.entries]


def test_entities_and_validation_per_document(reports: list[Path], tmp_path: Path) -> None:
    result = stream_build(reports[:2], BuildOptions(validate=True), DocumentCache(tmp_path / "c"))
    assert [e.conforms for e in result.entries] == [True, True]
    assert corpus_check(result).conforms
    assert written(result, "trig") == export.serialize(build(reports[:2]).dataset, "trig")


def test_an_unchanged_report_comes_from_the_cache(reports: list[Path], tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    for path in reports:
        shutil.copy(path, folder / path.name)
    files = sorted(folder.iterdir())
    cache = DocumentCache(tmp_path / "cache")
    first = stream_build(files, FACTS_ONLY, cache)
    again = stream_build(files, FACTS_ONLY, cache)
    assert (first.cached, again.cached) == (0, 5)
    assert written(first, "ttl") == written(again, "ttl")
    changed = files[2]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    third = stream_build(files, FACTS_ONLY, cache)
    assert third.cached == 4
    other_options = stream_build(files, BuildOptions(entities=False, base="https://example.org/kg/"), cache)
    assert other_options.cached == 0


def test_progress_once_per_file_also_from_the_cache(reports: list[Path], tmp_path: Path) -> None:
    done: list[Path] = []
    cache = DocumentCache(tmp_path / "cache")
    stream_build(reports, FACTS_ONLY, cache, progress=done.append)
    stream_build(reports, FACTS_ONLY, cache, progress=done.append)
    assert sorted(done) == sorted(reports * 2)


def test_build_store_then_query_store(tmp_path: Path) -> None:
    store = tmp_path / "kfor.db"
    code, err = run("build", "--no-entities", "-q", "-o", str(tmp_path / "kfor.ttl"), "--store", str(store))
    assert code == 0, err
    result = CliRunner().invoke(cli, ["query", "documents", "--store", str(store), "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    from_file = CliRunner().invoke(cli, ["query", "documents", "--data", str(tmp_path / "kfor.ttl"),
                                         "--format", "csv"])
    assert result.stdout == from_file.stdout and "S/2007/652" in result.stdout


# --- issue 13, case 1: a run that built nothing leaves the output alone ----------------------

@pytest.mark.parametrize("content", [None, b"", b"\x00\x01 not a report \x00"])
def test_a_run_that_built_nothing_never_touches_the_output(tmp_path: Path, content: bytes | None) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    if content is not None:
        (folder / "bad.txt").write_bytes(content)
    output = tmp_path / "kfor.ttl"
    output.write_text("previous good graph\n")
    code, err = run("build", "--no-entities", "-q", str(folder), "-o", str(output))
    assert code == 3
    assert "nothing was built" in err and f"{output} was left as it was" in err
    assert output.read_text() == "previous good graph\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# --- issue 13, case 6: a text over spaCy's max_length -----------------------------------------

def test_a_text_too_long_for_spacy_is_refused_alone(tmp_path: Path, reports: list[Path],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    nlp = nlp_pipeline.load_pipeline()
    lengths = {path.name: len(ingest.load(path).text) for path in reports[:3]}
    longest = max(lengths, key=lengths.__getitem__)
    monkeypatch.setattr(nlp, "max_length", max(lengths.values()) - 1)
    result = stream_build(reports[:3], BuildOptions(), DocumentCache(tmp_path / "cache"))
    assert result.documents == 2
    [error] = result.errors
    assert error.path.name == longest
    assert "characters, more than the" in error.message and "spaCy reads in one pass" in error.message
    assert "\n" not in error.message


def test_the_cli_refuses_only_the_long_file(tmp_path: Path, reports: list[Path],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    nlp = nlp_pipeline.load_pipeline()
    lengths = {path.name: len(ingest.load(path).text) for path in reports[:2]}
    monkeypatch.setattr(nlp, "max_length", max(lengths.values()) - 1)
    folder = tmp_path / "in"
    folder.mkdir()
    for path in reports[:2]:
        shutil.copy(path, folder / path.name)
    output = tmp_path / "kfor.ttl"
    code, err = run("build", "-q", "--no-cache", str(folder), "-o", str(output))
    assert code == 3
    assert err.count("spaCy reads in one pass") == 1 and "Traceback" not in err
    assert output.exists()


def test_a_copy_of_a_report_is_skipped_quietly(reports: list[Path], tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(reports[0], folder / "a.txt")
    shutil.copy(reports[0], folder / "b.txt")
    shutil.copy(reports[1], folder / "c.txt")
    done: list[Path] = []
    files = sorted(folder.iterdir())
    for options in (FACTS_ONLY, BuildOptions(entities=False, n_process=2)):
        done.clear()
        result = stream_build(files, options, DocumentCache(tmp_path / f"cache{options.n_process}"),
                              progress=done.append)
        assert [Path(e.source).name for e in result.entries] == ["a.txt", "c.txt"]
        assert not result.errors and done == files


def test_ctrl_c_stops_the_workers_with_one_line(tmp_path: Path, reports: list[Path]) -> None:
    """Worker processes ignore SIGINT; the build process ends with exit 130, one line, no output."""
    import os
    import signal
    import subprocess
    import sys
    import time

    folder = tmp_path / "in"
    folder.mkdir()
    text = reports[0].read_text(encoding="utf-8")
    assert "S/2007/652" in text
    for i in range(24):  # distinct documents: another symbol each
        (folder / f"r{i:02d}.txt").write_text(text.replace("S/2007/652", f"S/2007/{700 + i}"),
                                              encoding="utf-8")
    output = tmp_path / "kfor.ttl"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    build = subprocess.Popen([sys.executable, "-m", "kfor_kg", "build", str(folder), "--n-process", "2",
                              "--no-cache", "-o", str(output)], stderr=subprocess.PIPE, env=env)
    assert build.stderr is not None
    seen = b""
    while b"doc/s]" not in seen and b"s/doc]" not in seen:  # a first report is done
        chunk = build.stderr.read1(4096)
        assert chunk, seen.decode(errors="replace")
        seen += chunk
    time.sleep(1)
    build.send_signal(signal.SIGINT)
    rest = build.stderr.read()
    assert build.wait(timeout=120) == 130
    err = (seen + rest).decode(errors="replace")
    assert "Traceback" not in err and "interrupted by SIGINT" in err
    assert not output.exists() and not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_the_store_holds_the_last_build_only(tmp_path: Path, reports: list[Path]) -> None:
    store = tmp_path / "kfor.db"
    for paths in (reports[:2], reports[:1]):
        code, err = run("build", "--no-entities", "-q", *map(str, paths), "-o", str(tmp_path / "k.nq"),
                        "--store", str(store))
        assert code == 0, err
    result = CliRunner().invoke(cli, ["query", "documents", "--store", str(store), "--format", "csv"])
    assert result.exit_code == 0 and len(result.stdout.strip().splitlines()) == 2  # header + 1 document


def test_query_store_refuses_a_folder_that_is_no_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["query", "documents", "--store", str(tmp_path)])
    assert result.exit_code == 3
    assert "is not an Oxigraph store" in result.stderr and "Traceback" not in result.stderr


def test_the_cache_key_follows_the_model_asked_for(monkeypatch: pytest.MonkeyPatch,
                                                    reports: list[Path], tmp_path: Path) -> None:
    """A build with --model keys its cache on that model's version, not the default one's."""
    versions = {None: "default 1", "other_model": "other_model 1"}
    monkeypatch.setattr(cache_module, "_model_version", lambda model: versions[model])
    options = BuildOptions(model="other_model", entities=False)
    store = DocumentCache(tmp_path)
    try:
        cache_module.software_digest.cache_clear()
        assert stream_build(reports[:1], options, store).cached == 0
        assert stream_build(reports[:1], options, store).cached == 1
        versions["other_model"] = "other_model 2"
        cache_module.software_digest.cache_clear()
        assert stream_build(reports[:1], options, store).cached == 0
    finally:
        cache_module.software_digest.cache_clear()
