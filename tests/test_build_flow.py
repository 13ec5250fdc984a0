"""The build's flow: each document through the stages, one spaCy pass over all of them (issue 8,
items 2 and 4), and the per-document function any engine can map (issue 11, item 7)."""

from __future__ import annotations

import multiprocessing
import shutil
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from seed_build import seeds
from spacy.language import Language
from spacy.tokens import Doc

import kfor_kg.nlp.pipeline as nlp_pipeline
from kfor_kg.build import BuildOptions, DocumentBuild, build, build_document, build_documents, example_reports
from kfor_kg.nlp.pipeline import CONFIG, assemble_pipeline
from kfor_kg.text import ingest

PARSED: Counter[str] = Counter()


@Language.component("kfor_test_count")
def count_parses(doc: Doc) -> Doc:
    """Counts the texts the pipeline is run on."""
    PARSED[doc.text] += 1
    return doc


@pytest.fixture(scope="module")
def counting_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Language:
    """The shipped pipeline with the counting component added through the config."""
    text = CONFIG.read_text(encoding="utf-8").replace('"kfor_acronyms"]', '"kfor_acronyms", "kfor_test_count"]')
    config = tmp_path_factory.mktemp("config") / "config.cfg"
    config.write_text(text + '\n[components.kfor_test_count]\nfactory = "kfor_test_count"\n', encoding="utf-8")
    nlp = assemble_pipeline(config=config)
    assert nlp.pipe_names[-1] == "kfor_test_count"
    return nlp


@pytest.fixture
def pipe_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The keyword arguments of every call of Language.pipe."""
    calls: list[dict[str, Any]] = []
    original = Language.pipe

    def spy(self: Language, texts: Any, **kwargs: Any) -> Iterator[Doc]:
        calls.append(kwargs)
        return original(self, texts, **kwargs)

    monkeypatch.setattr(Language, "pipe", spy)
    return calls


def test_each_text_is_parsed_once_per_build(counting_pipeline: Language, pipe_calls: list[dict[str, Any]],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nlp_pipeline, "load_pipeline", lambda model=None: counting_pipeline)
    PARSED.clear()
    result = build([example_reports()])
    assert len(result.records) == 5 and not result.errors
    assert PARSED == Counter({r.clean.text: 1 for r in result.records})
    assert len(pipe_calls) == 1
    # The same graph as the shipped pipeline's build.
    assert set(result.dataset.quads()) == set(seeds().dataset.quads())


def _lines(built: DocumentBuild) -> tuple[str, bytes, bytes, int]:
    return built.key, built.own, built.other, built.triples


def test_the_per_document_function_maps_through_concurrent_futures() -> None:
    """Each document's graph is independent: any engine can map build_document (issue 11, item 7)."""
    reports = sorted(ingest.iter_report_files([example_reports()]))
    alone = [_lines(build_document(path)) for path in reports]
    context = multiprocessing.get_context("spawn")  # nothing shared with this process
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        mapped = [_lines(b) for b in pool.map(build_document, reports)]
    assert mapped == alone
    together = [_lines(b) for b in build_documents(reports)]
    assert together == alone
    own_graphs = {line.rsplit(b" ", 2)[-2] for _k, own, _o, _n in alone for line in own.splitlines()}
    assert len(own_graphs) == len(reports)          # each document writes one graph of its own


def test_progress_is_called_once_per_file_when_it_is_done(tmp_path: Path) -> None:
    reports = sorted(ingest.iter_report_files([example_reports()]))
    shutil.copy(reports[0], tmp_path / "a.txt")
    shutil.copy(reports[0], tmp_path / "b.txt")       # the same document again: skipped quietly
    shutil.copy(reports[1], tmp_path / "c.txt")
    done: list[Path] = []
    result = build([tmp_path], BuildOptions(entities=False), progress=done.append)
    assert sorted(p.name for p in done) == ["a.txt", "b.txt", "c.txt"]
    assert len(result.records) == 2 and not result.errors
