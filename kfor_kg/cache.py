"""The per-document cache: a built document's graph, keyed by what decides it.

A document's graph depends only on its file and the shipped rules (docs/
architecture.md), so it is cached under a hash of the file's bytes and name,
the build options, and `software_digest()` (every file of the kfor_kg package,
the shapes, the ontology, and the spaCy model and version). A rebuild finds
unchanged reports here and does not read them again.

One entry is one file, `{dir}/{hash[:2]}/{hash}.nqc`: a JSON header line, then
the N-Quads lines the document writes to other graphs (the shared graph), then
those of its own graph. Entries are written atomically, so a crashed build never
leaves a half-written one; the streaming build also uses a cache (a temporary
one with --no-cache) as its spool, and reads the graphs back from it in the
canonical order when it writes the output.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from kfor_kg.files import write_atomic
from kfor_kg.resources import resource_dir

__all__ = ["CacheEntry", "DocumentCache", "software_digest", "file_digest", "DEFAULT_CACHE_NAME"]

DEFAULT_CACHE_NAME = ".kfor-cache"
"""The cache folder `build` keeps next to its output unless told otherwise."""

_PACKAGE = Path(__file__).resolve().parent
_RULE_SUFFIXES = {".py", ".toml", ".tsv", ".jsonl", ".cfg", ".json", ".ttl", ".txt"}


@dataclass(frozen=True)
class CacheEntry:
    """Where one built document sits in the cache, and what the build needs to know of it."""

    file: Path
    key: str
    source: str               # the report file's path as the build was given it
    triples: int              # quads of the document's own graph
    conforms: bool | None     # None: not validated
    report: str               # the validation report when it does not conform, else ""
    other_size: int           # bytes of the lines for other graphs, right after the header

    def own_lines(self) -> bytes:
        """The sorted N-Quads lines of the document's own graph."""
        with self.file.open("rb") as f:
            f.readline()
            f.seek(self.other_size, os.SEEK_CUR)
            return f.read()

    def other_lines(self) -> bytes:
        """The sorted N-Quads lines it writes to other graphs (the shared graph)."""
        with self.file.open("rb") as f:
            f.readline()
            return f.read(self.other_size)


class DocumentCache:
    """A folder of cache entries (created when the first entry is written)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _file(self, digest: str) -> Path:
        return self.directory / digest[:2] / f"{digest}.nqc"

    def get(self, digest: str) -> CacheEntry | None:
        """The entry of `digest`, or None (also for an entry that cannot be read)."""
        path = self._file(digest)
        try:
            with path.open("rb") as f:
                header: dict[str, Any] = json.loads(f.readline())
            return CacheEntry(file=path, key=header["key"], source=header["source"],
                              triples=header["triples"], conforms=header["conforms"],
                              report=header["report"], other_size=header["other_size"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, digest: str, *, key: str, source: str, own: bytes, other: bytes, triples: int,
            conforms: bool | None, report: str) -> CacheEntry:
        """Write one entry atomically and return it.

        Raises:
            OSError: the cache folder cannot be written.
        """
        header = {"key": key, "source": source, "triples": triples, "conforms": conforms,
                  "report": report, "other_size": len(other)}
        path = self._file(digest)
        write_atomic(path, json.dumps(header, sort_keys=True).encode() + b"\n" + other + own,
                     make_parents=True)
        return CacheEntry(file=path, key=key, source=source, triples=triples, conforms=conforms,
                          report=report, other_size=len(other))


def file_digest(path: Path, options: str, model: str | None = None) -> str | None:
    """The cache key of report file `path` built with `options` (a fingerprint string) and
    spaCy model `model` (None: the default one).

    None when `path` is not a regular file (a FIFO is never opened here): such a
    file is built, and refused, without the cache.
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        data = path.read_bytes()
    except OSError:
        return None
    digest = hashlib.sha256()
    for part in (software_digest(model).encode(), options.encode(), path.name.encode(), data):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


@lru_cache(maxsize=8)
def software_digest(model: str | None = None) -> str:
    """A hash of everything besides the report that decides a document's graph.

    Every file of the kfor_kg package (code, rules, data), the shapes and the
    ontology, plus the name and version of the spaCy model and of spaCy. Wider
    than `rdf.provenance.rules_version` (what a graph records: data files,
    pipeline config, ontology, shapes) because code changes change graphs too.
    """
    digest = hashlib.sha256()
    roots = [_PACKAGE]
    for name in ("shapes", "ontology"):
        try:
            roots.append(resource_dir(name))
        except Exception:  # a missing folder fails the build elsewhere, with its own message
            continue
    for root in roots:
        for file in sorted(root.rglob("*")):
            if file.suffix in _RULE_SUFFIXES and file.is_file() and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(root)).encode() + b"\0")
                digest.update(file.read_bytes())
    digest.update(_model_version(model).encode())
    return digest.hexdigest()


def _model_version(model: str | None) -> str:
    """The spaCy model and spaCy versions, from package metadata."""
    from importlib.metadata import PackageNotFoundError, version

    def installed(name: str) -> str | None:
        try:
            return version(name)
        except (PackageNotFoundError, ValueError):
            return None

    from kfor_kg.nlp import DEFAULT_MODELS

    names = [model] if model else list(DEFAULT_MODELS)
    for name in names:
        found = installed(name)
        if found or model:
            return f"spacy {installed('spacy')}; {name} {found or 'path'}"
    return "no model"
