"""The build: the flow of each document through the stages, one document at a time.

For each report file: read and clean (`text.ingest`) → structure and header
facts (`extract.facts`) → the one spaCy pass (`nlp.pipeline`, streaming with
`nlp.pipe`) → entities (`nlp.entities`) → events (`nlp.events`) → the
document's graph (`rdf.graph.add_document`, `rdf.entity_graph.add_entities`,
`rdf.event_graph.add_events`) → its SHACL validation → its canonical N-Quads
lines (`DocumentBuild`). Each stage reads only that document (and the shipped
data), so `build_document` is a plain function of one file that any engine can
map (kfor_kg.stream runs it in worker processes, docs/performance.md on Dask or
Ray). Bad files are reported and skipped (unless asked to stop at the first).

`build` gathers the documents into one in-memory rdflib Dataset (the library
form); the `build` command streams them instead (kfor_kg.stream).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset

from kfor_kg.errors import ExtractionError, KforError
from kfor_kg.extract import facts, identity
from kfor_kg.extract.records import DocumentRecord
from kfor_kg.rdf import provenance
from kfor_kg.rdf.graph import add_document, new_dataset
from kfor_kg.rdf.iris import Minter
from kfor_kg.rdf.validate import load_ontology
from kfor_kg.rdf.vocab import DEFAULT_BASE
from kfor_kg.resources import resource_dir
from kfor_kg.text import ingest

__all__ = ["ProgressCallback", "FileError", "BuildResult", "BuildOptions", "DocumentBuild",
           "example_reports", "read_documents", "build_document", "build_documents", "build",
           "build_dataset", "duplicate_key"]

BATCH = 8
"""Texts per spaCy batch: memory grows with it, speed hardly does (docs/performance.md)."""

# Called once per report file when it is done (built, or skipped as bad).
ProgressCallback = Callable[[Path], None]


@dataclass(frozen=True)
class FileError:
    """A file that could not be built, and why (one line); `quiet`: a copy skipped without an error."""

    path: Path
    message: str
    quiet: bool = False


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
    n_process: int = 1                # worker processes, each building whole documents
    validate: bool = False            # validate each document's graph (build_document)
    started: dt.datetime | None = None  # recorded in the provenance only when given

    def fingerprint(self) -> str:
        """What of these options decides a document's graph (a cache key part)."""
        return (f"base={self.base}; model={self.model}; entities={self.entities}; "
                f"validate={self.validate}; started={self.started}")


@dataclass
class DocumentBuild:
    """One report built: its graph as canonical N-Quads lines, and its validation."""

    path: Path
    key: str
    own: bytes
    """The sorted N-Quads lines of the document's own named graph."""
    other: bytes
    """The sorted N-Quads lines it writes to other graphs (the shared graph)."""
    triples: int
    conforms: bool | None = None
    """None when not validated."""
    report: str = ""
    """The validation report (rdf.validate.format_report) when the graph does not conform."""
    record: DocumentRecord | None = field(default=None, repr=False)
    dataset: Dataset | None = field(default=None, repr=False)
    """The rdflib form, kept only when asked (`build`); never sent between processes."""


def example_reports() -> Path:
    """The folder of example reports shipped with kfor-kg."""
    return resource_dir("examples/reports")


def duplicate_key(key: str, path: Path, seen: dict[str, Path]) -> FileError | None:
    """The error for a second file that claims document `key`, already built (`seen`: key → first
    file), with a different text; an identical copy is a quiet duplicate (`identity.same_text`)."""
    if key in seen:
        if identity.same_text(path, seen[key]):
            return FileError(path, f"{path}: the same text as {seen[key]}; skipped", quiet=True)
        return FileError(path, identity.conflict_message(key, path, seen[key]))
    seen[key] = path
    return None


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
            duplicate = duplicate_key(record.key, path, seen)
            if duplicate is not None and duplicate.quiet:
                errors.append(duplicate)        # in its file's place; no error for the user
                if progress:
                    progress(path)
                continue
            if duplicate is not None:
                raise ExtractionError(duplicate.message)
        except KforError as e:
            if fail_fast:
                raise
            errors.append(FileError(path, str(e)))
            if progress:
                progress(path)
            continue
        yield path, record


def build_document(path: Path, options: BuildOptions = BuildOptions()) -> DocumentBuild:
    """Build one report file: the per-document function (pure: same file, same bytes).

    Raises:
        KforError: the file cannot be read, is no report, or is too long for spaCy.
        ConfigError: the spaCy model or a rule file cannot be loaded.
    """
    return next(_builds(iter([(path, facts.extract(ingest.load(path)))]), options, keep=False))


def build_documents(paths: Iterable[Path], options: BuildOptions = BuildOptions(),
                    errors: list[FileError] | None = None, progress: ProgressCallback | None = None,
                    keep: bool = False) -> Iterator[DocumentBuild]:
    """Build every report file under `paths` in this process, streaming (one `nlp.pipe`).

    Bad files go to `errors` (a second file of a document already built is one);
    `keep` keeps each document's record and rdflib Dataset on its DocumentBuild.

    Raises:
        KforError: the first bad file's error, when `options.fail_fast` is set.
        ConfigError: the spaCy model or a rule file cannot be loaded.
    """
    errors = errors if errors is not None else []
    documents = read_documents(paths, errors, fail_fast=options.fail_fast, progress=progress)
    for built in _builds(documents, options, keep=keep, errors=errors, progress=progress):
        if progress:
            progress(built.path)
        yield built


def build(paths: Sequence[Path] | None = None, options: BuildOptions = BuildOptions(),
          progress: ProgressCallback | None = None) -> BuildResult:
    """Build the knowledge graph of the reports under `paths` (default: the examples), in memory.

    `progress` is called with each file's path once it is done. The dataset
    holds every document's graph, the shared graph and the ontology graph.

    Raises:
        KforError: only when `options.fail_fast` is set and a file is bad.
        ConfigError: when the spaCy model or a rule file cannot be loaded.
    """
    errors: list[FileError] = []
    minter = Minter(options.base)
    ds = new_dataset(minter)
    records: list[DocumentRecord] = []
    for built in build_documents(paths or [example_reports()], options, errors, progress, keep=True):
        assert built.dataset is not None and built.record is not None
        ds.addN(built.dataset.quads((None, None, None, None)))  # type: ignore[arg-type]
        records.append(built.record)
    _add_ontology(ds, minter)
    return BuildResult(ds, records, [e for e in errors if not e.quiet])


def build_dataset(records: Iterable[DocumentRecord], options: BuildOptions = BuildOptions()) -> Dataset:
    """The dataset of documents already read (the same stages as `build` after reading)."""
    minter = Minter(options.base)
    ds = new_dataset(minter)
    for built in _builds(((r.clean.source.path, r) for r in records), options, keep=True):
        assert built.dataset is not None
        ds.addN(built.dataset.quads((None, None, None, None)))  # type: ignore[arg-type]
    _add_ontology(ds, minter)
    return ds


def _add_ontology(ds: Dataset, minter: Minter) -> None:
    ontology = ds.graph(minter.ontology_graph())
    for triple in load_ontology():
        ontology.add(triple)


def _builds(documents: Iterator[tuple[Path, DocumentRecord]], options: BuildOptions, *, keep: bool,
            errors: list[FileError] | None = None,
            progress: ProgressCallback | None = None) -> Iterator[DocumentBuild]:
    """Each read document through the NLP stages (one streaming spaCy pass) and into its graph."""
    minter = Minter(options.base)
    if not options.entities:
        info = provenance.build_info(None, started=options.started)
        for path, record in documents:
            yield _finish(path, record, _dataset(minter, record, info), minter, options, keep)
        return
    # Imported here: spaCy costs seconds to import, and --no-entities needs none of it.
    from kfor_kg.nlp.entities import read_entities
    from kfor_kg.nlp.events import read_events
    from kfor_kg.nlp.pipeline import load_pipeline, parse
    from kfor_kg.rdf.entity_graph import add_entities
    from kfor_kg.rdf.event_graph import add_events

    nlp = load_pipeline(options.model)
    info = provenance.build_info(nlp, started=options.started)
    pending: list[tuple[Path, DocumentRecord]] = []

    def texts() -> Iterator[str]:
        for path, record in documents:
            if len(record.clean.text) > nlp.max_length:
                problem = ExtractionError(
                    f"{path}: {len(record.clean.text):,} characters, more than the "
                    f"{nlp.max_length:,} spaCy reads in one pass; skipped")
                if options.fail_fast or errors is None:
                    raise problem
                errors.append(FileError(path, str(problem)))
                if progress:
                    progress(path)
                continue
            pending.append((path, record))
            yield record.clean.text

    # nlp.pipe reads texts ahead of the docs it returns; `pending` keeps their
    # documents in the same order.
    for doc in parse(nlp, texts(), batch_size=BATCH):
        path, record = pending.pop(0)
        ds = _dataset(minter, record, info)
        entities = read_entities(record, doc)
        add_entities(ds, minter, record, entities)
        add_events(ds, minter, record, read_events(record, doc, entities))
        yield _finish(path, record, ds, minter, options, keep)


def _dataset(minter: Minter, record: DocumentRecord, info: provenance.BuildInfo) -> Dataset:
    ds = new_dataset(minter)
    add_document(ds, minter, record)
    provenance.stamp(ds, minter, minter.document(record.key), info)
    return ds


def _finish(path: Path, record: DocumentRecord, ds: Dataset, minter: Minter, options: BuildOptions,
            keep: bool) -> DocumentBuild:
    """The document's canonical lines, split into its own graph and the others; validated if asked."""
    import pyoxigraph as ox

    from kfor_kg.rdf.oxi import graph_key, sorted_nquads, to_ox_quad

    names: dict[str, ox.NamedNode] = {}
    own_name = f"<{Minter.document_graph(minter.document(record.key))}>"
    mine: list[ox.Quad] = []
    others: list[ox.Quad] = []
    for s, p, o, g in ds.quads((None, None, None, None)):
        quad = to_ox_quad(s, p, o, g, names)
        (mine if graph_key(quad.graph_name) == own_name else others).append(quad)
    own, other = sorted_nquads(mine), sorted_nquads(others)
    own_lines, other_lines = b"".join(own), b"".join(other)
    conforms: bool | None = None
    report = ""
    if options.validate:
        from kfor_kg.rdf.validate import format_report, validate

        outcome = validate(ds, nquads=own_lines + other_lines)
        conforms = outcome.conforms
        report = "" if conforms else format_report(outcome)
    return DocumentBuild(path=path, key=record.key, own=own_lines, other=other_lines,
                         triples=len(own) + len(other), conforms=conforms, report=report,
                         record=record if keep else None, dataset=ds if keep else None)
