"""The streaming build of a corpus: memory that does not grow with the number of documents.

Each report is built on its own (`build.build_document`'s stages, in this
process or in `n_process` worker processes), validated, and its canonical
N-Quads lines go to the document cache (kfor_kg.cache, a temporary one when
caching is off); nothing of it stays in memory but its cache entry and the few
lines it writes to the shared graph. A report already in the cache (same bytes,
same rules, same options) is not read again. The output is then written
streaming from the cache, one graph at a time in the canonical order (graphs
by IRI), so the bytes are the same whatever the order the documents were
built in, and the same as `export.write` of the in-memory build.

What spans documents is checked once at the end (`corpus_check`): the shared
graph, which every document adds to, against the shapes.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from kfor_kg.build import (BuildOptions, DocumentBuild, FileError, ProgressCallback, build_documents,
                           duplicate_key)
from kfor_kg.cache import CacheEntry, DocumentCache, file_digest

if TYPE_CHECKING:
    from rdflib import Dataset

    from kfor_kg.rdf.validate import ValidationOutcome

__all__ = ["StreamResult", "stream_build", "output_blocks", "write_output", "load_store",
           "corpus_check", "CHUNK"]

CHUNK = 4
"""Reports per task sent to a worker process (small: results come back in order)."""


@dataclass
class StreamResult:
    """What a streaming build produced: cache entries in build order, bad files, shared lines."""

    entries: list[CacheEntry] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    shared: set[bytes] = field(default_factory=set)
    cached: int = 0
    """How many documents came from the cache without being read."""

    @property
    def documents(self) -> int:
        return len(self.entries)

    @property
    def triples(self) -> int:
        """Quads of the documents' own graphs plus the distinct lines of the shared graph."""
        return sum(e.triples for e in self.entries) + len(self.shared)

    def failures(self) -> list[CacheEntry]:
        """The documents whose graph does not conform to the shapes, by key."""
        return sorted((e for e in self.entries if e.conforms is False), key=lambda e: e.key)


def stream_build(files: Sequence[Path], options: BuildOptions, cache: DocumentCache,
                 progress: ProgressCallback | None = None) -> StreamResult:
    """Build `files` (report files, in order) into `cache`, streaming.

    The first file of a document key wins; a later file of the same key is
    skipped, quietly if it is a copy, else as an error (`build.duplicate_key`).
    `progress` is called once per file, in file order, when its turn comes.

    Raises:
        KforError: the first bad file's error, when `options.fail_fast` is set.
        ConfigError: the spaCy model or a rule file cannot be loaded.
    """
    result = StreamResult()
    fingerprint = options.fingerprint()
    digests = {path: file_digest(path, fingerprint, options.model) for path in files}
    hits: dict[Path, CacheEntry] = {}
    for path, digest in digests.items():
        entry = cache.get(digest) if digest else None
        if entry is not None:
            hits[path] = entry
    misses = [path for path in files if path not in hits]
    built = _run(misses, options) if misses else iter(())
    seen: dict[str, Path] = {}
    fresh: dict[Path, CacheEntry | FileError] = {}

    def store(item: DocumentBuild | FileError) -> CacheEntry | FileError:
        if isinstance(item, FileError):
            return item
        digest = digests.get(item.path) or _uncached_digest(item.path)
        return cache.put(digest, key=item.key, source=str(item.path), own=item.own,
                         other=item.other, triples=item.own.count(b"\n"), conforms=item.conforms,
                         report=item.report)

    for path in files:  # in file order: the first file of a key wins, whatever was cached
        if progress:
            progress(path)
        if path in hits:
            outcome: CacheEntry | FileError = hits[path]
            result.cached += 1
        else:
            while path not in fresh:
                item = next(built, None)
                if item is None:
                    break
                fresh[item.path] = store(item)
            if path not in fresh:  # a copy of a report read just before, skipped quietly
                continue
            outcome = fresh.pop(path)
        if isinstance(outcome, FileError):
            if not outcome.quiet:       # a copy of a file already read is skipped quietly
                result.errors.append(outcome)
            continue
        duplicate = duplicate_key(outcome.key, path, seen)
        if duplicate is not None:
            if not duplicate.quiet:
                result.errors.append(duplicate)
            continue
        result.entries.append(outcome)
        result.shared.update(outcome.other_lines().splitlines(keepends=True))
    return result


def _uncached_digest(path: Path) -> str:
    import hashlib

    return "nocache-" + hashlib.sha256(os.fsencode(path)).hexdigest()


def _run(files: Sequence[Path], options: BuildOptions) -> Iterator[DocumentBuild | FileError]:
    """DocumentBuilds and FileErrors of `files` in file order (in worker processes if asked)."""
    if options.n_process <= 1 or len(files) <= CHUNK:
        yield from _in_process(files, options)
        return
    chunks = [list(files[i:i + CHUNK]) for i in range(0, len(files), CHUNK)]
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    pool = ProcessPoolExecutor(max_workers=options.n_process, mp_context=context,
                               initializer=_warm, initargs=(options,))
    try:
        window: deque[Future[list[DocumentBuild | FileError]]] = deque()
        pending = iter(chunks)
        for chunk in pending:  # keep two tasks per worker in flight, results taken in order
            window.append(pool.submit(_build_chunk, chunk, options))
            if len(window) >= 2 * options.n_process:
                break
        while window:
            items = window.popleft().result()
            following = next(pending, None)
            if following is not None:
                window.append(pool.submit(_build_chunk, following, options))
            yield from items
    except BaseException:
        # Ctrl-C, a fail-fast error, a closed generator: do not wait for the queued reports.
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def _in_process(files: Sequence[Path], options: BuildOptions) -> Iterator[DocumentBuild | FileError]:
    """As the workers do, in this process: errors are yielded in their file's place."""
    errors: list[FileError] = []
    single = dataclasses.replace(options, n_process=1)
    reported = 0
    for built in build_documents(files, single, errors):
        while reported < len(errors):
            reported += 1
            yield errors[reported - 1]
        yield built
    yield from errors[reported:]


def _warm(options: BuildOptions) -> None:
    """Worker start-up: load the pipeline once per process.

    Ctrl-C is the main process's to handle (one line, no output left half-written):
    a worker ignores SIGINT and is stopped with the pool.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if options.entities:
        from kfor_kg.nlp.pipeline import load_pipeline

        load_pipeline(options.model)


def _build_chunk(files: list[Path], options: BuildOptions) -> list[DocumentBuild | FileError]:
    """One worker task: the documents of `files`, built (errors in their place)."""
    return list(_in_process(files, options))


# --- output ------------------------------------------------------------------------

class _DocumentBlock(list[bytes]):
    """A document's own graph (`graph`: its name as written in N-Quads): never shares a
    triple with another document's."""

    graph: bytes = b""


def output_blocks(result: StreamResult, base: str) -> Iterator[list[bytes]]:
    """The graph blocks of the build in the canonical order (graph IRI), read lazily from the cache."""
    from kfor_kg.rdf.iris import Minter
    from kfor_kg.rdf.oxi import line_key, sorted_nquads, to_ox_quad
    from kfor_kg.rdf.validate import load_ontology

    minter = Minter(base)
    sources: list[tuple[str, Callable[[], list[bytes]]]] = []
    for entry in result.entries:
        graph = f"<{Minter.document_graph(minter.document(entry.key))}>"
        sources.append((graph, _own_block(entry, graph)))
    by_graph: dict[str, list[bytes]] = {}
    for line in result.shared:
        by_graph.setdefault(_graph_of_shared(line), []).append(line)
    ontology = minter.ontology_graph()
    by_graph.setdefault(f"<{ontology}>", []).extend(
        sorted_nquads(to_ox_quad(s, p, o, ontology) for s, p, o in load_ontology()))
    for graph, lines in by_graph.items():
        sources.append((graph, _sorted_block(lines, line_key)))
    for _graph, read in sorted(sources, key=lambda item: item[0]):
        yield read()


def _own_block(entry: CacheEntry, graph: str) -> Callable[[], list[bytes]]:
    def read() -> list[bytes]:
        block = _DocumentBlock([entry.own_lines()])
        block.graph = graph.encode()
        return block
    return read


def _sorted_block(lines: list[bytes], key: Callable[[bytes], bytes]
                  ) -> Callable[[], list[bytes]]:
    return lambda: sorted(set(lines), key=key)


def _graph_of_shared(line: bytes) -> str:
    from kfor_kg.rdf.oxi import graph_key, parse_nquads

    return graph_key(next(parse_nquads(line)).graph_name)


def write_output(result: StreamResult, out: IO[bytes], fmt: str, base: str) -> None:
    """Write the build to `out` in `fmt` (see export.write_blocks), streaming except JSON-LD.

    Raises:
        OSError: `out` cannot be written.
    """
    from kfor_kg.rdf import export

    blocks = output_blocks(result, base)
    if fmt == "jsonld":  # rdflib's JSON-LD writer needs the whole graph
        out.write(export.serialize(dataset_of(blocks), "jsonld", base))
        return
    export.write_blocks(blocks, out, fmt, remember=lambda block: not isinstance(block, _DocumentBlock))


def dataset_of(blocks: Iterable[list[bytes]]) -> Dataset:
    """The blocks in one rdflib Dataset (for what needs the whole graph: JSON-LD, linking, loading)."""
    from rdflib import Dataset

    dataset = Dataset()
    dataset.parse(data=b"".join(b"".join(block) for block in blocks), format="nquads")
    return dataset


def load_store(result: StreamResult, directory: Path, base: str) -> int:
    """Replace the content of the pyoxigraph store at `directory` with the build; returns its quads.

    Raises:
        OSError: the store cannot be opened or written (for instance, another process holds it).
    """
    import pyoxigraph as ox

    from kfor_kg.rdf.oxi import parse_nquads

    store = ox.Store(str(directory))
    store.clear()
    store.bulk_extend(quad for block in output_blocks(result, base)
                      for quad in parse_nquads(b"".join(block)))
    store.flush()
    store.optimize()
    return len(store)


def corpus_check(result: StreamResult) -> ValidationOutcome:
    """Validate what spans documents: the shared graph every document adds to (with the ontology).

    Raises:
        ShapeLoadError: the shapes or the ontology cannot be loaded.
    """
    from rdflib import Dataset

    from kfor_kg.rdf.validate import validate

    shared = Dataset()
    if result.shared:
        shared.parse(data=b"".join(sorted(result.shared)), format="nquads")
    return validate(shared)
