"""The build: ingest → structure → facts → entities and events → graph.

`build` reads every report it is given, keeps going past bad files (unless
asked to stop at the first), and returns the dataset with one named graph per
document plus the shared and ontology graphs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset

from kfor_kg.extract import facts
from kfor_kg.text import ingest
from kfor_kg.errors import ExtractionError, KforError
from kfor_kg.rdf.graph import add_document, new_dataset
from kfor_kg.rdf.vocab import DEFAULT_BASE
from kfor_kg.rdf.iris import Minter
from kfor_kg.extract.records import DocumentRecord
from kfor_kg.resources import resource_dir
from kfor_kg.rdf.validate import load_ontology

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


def read_documents(paths: Iterable[Path], *, fail_fast: bool = False,
                   progress: ProgressCallback | None = None) -> tuple[list[DocumentRecord], list[FileError]]:
    """Ingest and extract every report file under `paths`.

    Raises:
        KforError: the first file's error, when `fail_fast` is set.
    """
    records: list[DocumentRecord] = []
    errors: list[FileError] = []
    seen: dict[str, Path] = {}
    for path in ingest.iter_report_files(paths):
        try:
            record = facts.extract(ingest.load(path))
            if record.key in seen:
                raise ExtractionError(
                    f"{path}: the same document ({record.key}) as {seen[record.key]}; skipped")
            seen[record.key] = path
            records.append(record)
        except KforError as e:
            if fail_fast:
                raise
            errors.append(FileError(path, str(e)))
        finally:
            if progress:
                progress(path)
    return records, errors


def build_dataset(records: Sequence[DocumentRecord], options: BuildOptions = BuildOptions()) -> Dataset:
    """The RDF dataset for extracted documents (no validation)."""
    minter = Minter(options.base)
    ds = new_dataset(minter)
    for record in records:
        add_document(ds, minter, record)
    if options.entities and records:
        add_entities_and_events(ds, records, minter, options)
    ontology = ds.graph(minter.ontology_graph())
    for triple in load_ontology():
        ontology.add(triple)
    return ds


def add_entities_and_events(ds: Dataset, records: Sequence[DocumentRecord], minter: Minter,
                            options: BuildOptions) -> None:
    """The NER layer (people, organizations, places, resolutions) and the events."""
    # Imported here: spaCy costs seconds to import, and --no-entities needs none of it.
    from kfor_kg.nlp.entities import add_entity_layer, annotate
    from kfor_kg.nlp.events import add_events, extract_events
    from kfor_kg.nlp.pipeline import load_pipeline

    layer = annotate(records, load_pipeline(options.model), n_process=options.n_process)
    add_entity_layer(ds, layer, records, minter)
    events = extract_events(records, layer=layer, model=options.model, n_process=options.n_process)
    add_events(ds, events, records, minter)


def build(paths: Sequence[Path] | None = None, options: BuildOptions = BuildOptions(),
          progress: ProgressCallback | None = None) -> BuildResult:
    """Build the knowledge graph of the reports under `paths` (default: the examples).

    Raises:
        KforError: only when `options.fail_fast` is set and a file is bad.
    """
    records, errors = read_documents(paths or [example_reports()], fail_fast=options.fail_fast,
                                     progress=progress)
    return BuildResult(build_dataset(records, options), records, errors)
