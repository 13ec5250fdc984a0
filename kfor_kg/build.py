"""The build: the flow of each document through the stages, into one dataset.

For each report file: read and clean (`text.ingest`) → structure and header
facts (`extract.facts`) → the one spaCy pass (`nlp.pipeline`, streaming over
all documents with `nlp.pipe`) → entities (`nlp.entities`) → events
(`nlp.events`) → the document's graph (`rdf.graph.add_document`,
`rdf.entity_graph.add_entities`, `rdf.event_graph.add_events`). Each stage
reads only that document (and the shipped data), so building reports one at
a time gives the same graphs as building them together. Bad files are
reported and skipped (unless asked to stop at the first).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset

from kfor_kg.errors import ExtractionError, KforError
from kfor_kg.extract import facts
from kfor_kg.extract.records import DocumentRecord
from kfor_kg.rdf.graph import add_document, new_dataset
from kfor_kg.rdf.iris import Minter
from kfor_kg.rdf.validate import load_ontology
from kfor_kg.rdf.vocab import DEFAULT_BASE
from kfor_kg.resources import resource_dir
from kfor_kg.text import ingest

# Called once per report file when it is done (built into the dataset, or skipped as bad).
ProgressCallback = Callable[[Path], None]


@dataclass(frozen=True)
class FileError:
    """A file that could not be built, and why (one line)."""

    path: Path
    message: str


@dataclass
class BuildResult:
    dataset: Dataset
    records: list[DocumentRecord]
    errors: list[FileError] = field(default_factory=list)

    @property
    def documents(self) -> int:
        return len(self.records)


@dataclass(frozen=True)
class BuildOptions:
    base: str = DEFAULT_BASE
    model: str | None = None          # spaCy pipeline; None = the default model
    entities: bool = True             # run the NER / event layer
    fail_fast: bool = False           # stop at the first bad file
    n_process: int = 1


def example_reports() -> Path:
    """The folder of example reports shipped with kfor-kg."""
    return resource_dir("examples/reports")


def read_documents(paths: Iterable[Path], errors: list[FileError], *, fail_fast: bool = False,
                   progress: ProgressCallback | None = None) -> Iterator[tuple[Path, DocumentRecord]]:
    """Read, clean and extract the header facts of every report file under `paths`, lazily.

    A bad file is appended to `errors` (and reported to `progress` as done).

    Raises:
        KforError: the first file's error, when `fail_fast` is set.
    """
    seen: dict[str, Path] = {}
    for path in ingest.iter_report_files(paths):
        try:
            record = facts.extract(ingest.load(path))
            if record.key in seen:
                raise ExtractionError(
                    f"{path}: the same document ({record.key}) as {seen[record.key]}; skipped")
        except KforError as e:
            if fail_fast:
                raise
            errors.append(FileError(path, str(e)))
            if progress:
                progress(path)
            continue
        seen[record.key] = path
        yield path, record


def build(paths: Sequence[Path] | None = None, options: BuildOptions = BuildOptions(),
          progress: ProgressCallback | None = None) -> BuildResult:
    """Build the knowledge graph of the reports under `paths` (default: the examples).

    `progress` is called with each file's path once it is done.

    Raises:
        KforError: only when `options.fail_fast` is set and a file is bad.
        ConfigError: when the spaCy model or a rule file cannot be loaded.
    """
    errors: list[FileError] = []
    documents = read_documents(paths or [example_reports()], errors, fail_fast=options.fail_fast,
                               progress=progress)
    ds, records = _build(documents, options, progress)
    return BuildResult(ds, records, errors)


def build_dataset(records: Iterable[DocumentRecord], options: BuildOptions = BuildOptions()) -> Dataset:
    """The dataset of documents already read (the same stages as `build` after reading)."""
    return _build(((r.clean.source.path, r) for r in records), options, None)[0]


def _build(documents: Iterable[tuple[Path, DocumentRecord]], options: BuildOptions,
           progress: ProgressCallback | None) -> tuple[Dataset, list[DocumentRecord]]:
    minter = Minter(options.base)
    ds = new_dataset(minter)
    records: list[DocumentRecord] = []
    if options.entities:
        documents = _with_nlp(ds, minter, documents, options)
    for path, record in documents:
        add_document(ds, minter, record)
        records.append(record)
        if progress:
            progress(path)
    ontology = ds.graph(minter.ontology_graph())
    for triple in load_ontology():
        ontology.add(triple)
    return ds, records


def _with_nlp(ds: Dataset, minter: Minter, documents: Iterable[tuple[Path, DocumentRecord]],
              options: BuildOptions) -> Iterator[tuple[Path, DocumentRecord]]:
    """Pass `documents` on after adding each one's entities and events to `ds` (one spaCy pass, streaming)."""
    # Imported here: spaCy costs seconds to import, and --no-entities needs none of it.
    from kfor_kg.nlp.entities import read_entities
    from kfor_kg.nlp.events import read_events
    from kfor_kg.nlp.pipeline import load_pipeline, parse
    from kfor_kg.rdf.entity_graph import add_entities
    from kfor_kg.rdf.event_graph import add_events

    nlp = load_pipeline(options.model)
    pending: list[tuple[Path, DocumentRecord]] = []

    def texts() -> Iterator[str]:
        for item in documents:
            pending.append(item)
            yield item[1].clean.text

    # nlp.pipe reads texts ahead of the docs it returns; `pending` keeps their
    # documents in the same order (worker processes only ever see the texts).
    for doc in parse(nlp, texts(), n_process=options.n_process):
        path, record = pending.pop(0)
        entities = read_entities(record, doc)
        add_entities(ds, minter, record, entities)
        add_events(ds, minter, record, read_events(record, doc, entities))
        yield path, record
