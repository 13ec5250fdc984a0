"""Serialize and read kfor-kg graphs: Turtle, N-Triples, JSON-LD, TriG and N-Quads.

`ttl`, `nt` and `jsonld` hold the union of all graphs of a dataset; `trig` and
`nq` keep the named graphs (one per document plus the shared graph, see
docs/model.md). Output is byte-identical for the same set of quads, whatever the
insertion order or PYTHONHASHSEED: rdflib's Memory store iterates in insertion
order and its Dataset keeps graphs in a set, so triples are added in sorted
order, graphs are written in sorted order, and N-Triples/N-Quads lines and
JSON-LD arrays are sorted afterwards.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import _TripleCanonicalizer
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.serializers.trig import TrigSerializer
from rdflib.plugins.serializers.turtle import TurtleSerializer
from rdflib.term import IdentifiedNode, Node

from kfor_kg.errors import ConfigError, IngestError
from kfor_kg.files import write_atomic
from kfor_kg.rdf.vocab import DEFAULT_BASE, PREFIXES

__all__ = ["FORMATS", "format_for_path", "serialize", "write", "read"]

FORMATS = ("ttl", "nt", "jsonld", "trig", "nq")

_RDFLIB_NAMES = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "trig": "trig", "nq": "nquads"}
_EXTENSIONS = {
    ".ttl": "ttl", ".turtle": "ttl", ".nt": "nt", ".jsonld": "jsonld", ".json": "jsonld",
    ".trig": "trig", ".nq": "nq",
}

Quad = tuple[Node, Node, Node, IdentifiedNode]


def format_for_path(path: str | os.PathLike[str], explicit: str | None = None) -> str:
    """The export format for `path`: `explicit` if given, else the file extension's.

    >>> format_for_path("out/kfor.trig")
    'trig'

    Raises:
        ConfigError: `explicit` is not one of FORMATS, or the extension is unknown.
    """
    allowed = ", ".join(FORMATS)
    if explicit is not None:
        if explicit not in FORMATS:
            raise ConfigError(f"unknown RDF format {explicit!r} for {os.fspath(path)}; "
                              f"use one of: {allowed}")
        return explicit
    suffix = Path(path).suffix.lower()
    try:
        return _EXTENSIONS[suffix]
    except KeyError:
        raise ConfigError(f"cannot tell the RDF format of {os.fspath(path)} from its extension "
                          f"{suffix or '(none)'!r}; use one of: {allowed} "
                          f"(extensions {', '.join(_EXTENSIONS)})") from None


def serialize(data: Graph | Dataset, fmt: str, base: str | None = None) -> bytes:
    """Serialize `data` deterministically as UTF-8 bytes in `fmt` (one of FORMATS).

    A plain Graph is treated as a dataset holding only a default graph. `base`
    is bound to the `id:` prefix; by default the data's own `id:` binding or
    kfor_kg.rdf.vocab.DEFAULT_BASE.

    >>> g = Graph()
    >>> _ = g.add((URIRef(DEFAULT_BASE + "doc/S-2007-652"), PREFIXES["dcterms"].identifier,
    ...            Literal("S/2007/652")))
    >>> print(serialize(g, "ttl").decode())
    @prefix dcterms: <http://purl.org/dc/terms/> .
    <BLANKLINE>
    <https://w3id.org/kfor-kg/id/doc/S-2007-652> dcterms:identifier "S/2007/652" .
    <BLANKLINE>
    <BLANKLINE>

    Raises:
        ConfigError: `fmt` is not one of FORMATS.
    """
    if fmt not in FORMATS:
        raise ConfigError(f"unknown RDF format {fmt!r}; use one of: {', '.join(FORMATS)}")
    if fmt == "nq" and isinstance(data, Dataset) and not _has_bnodes(data):
        # Each line stands alone, so sorting the lines is enough: no sorted copy needed.
        return _sorted_lines(data.serialize(format="nquads", encoding="utf-8"))
    if fmt == "nt" and not _has_bnodes(data):
        union = Dataset(store=data.store, default_union=True) if data.context_aware else data
        return _sorted_lines(union.serialize(format="nt", encoding="utf-8"))
    prefixes = _prefixes(data, base)
    quads = _canonical_quads(data)
    if fmt in ("trig", "nq"):
        out = Dataset()
        _bind(out, prefixes)
        for s, p, o, g in quads:
            out.graph(g).add((s, p, o))
        if fmt == "nq":
            return _sorted_lines(out.serialize(format="nquads", encoding="utf-8"))
        return _serialize_with(_SortedTrigSerializer(out))
    union = Graph(bind_namespaces="none")
    _bind(union, prefixes)
    for s, p, o, _g in quads:
        union.add((s, p, o))
    if fmt == "nt":
        return _sorted_lines(union.serialize(format="nt", encoding="utf-8"))
    if fmt == "jsonld":
        raw = union.serialize(format="json-ld", encoding="utf-8", auto_compact=True,
                              context={p: str(ns) for p, ns in prefixes.items()})
        doc = _sort_jsonld(json.loads(raw))
        return (json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()
    return _serialize_with(_SortedTurtleSerializer(union))


def write(data: Graph | Dataset, path: str | os.PathLike[str], fmt: str | None = None,
          base: str | None = None) -> Path:
    """Write `data` to `path` atomically, in `fmt` or the format of the extension.

    The bytes go to a temporary file in the same directory, which then replaces
    `path`, so a failure never leaves a half-written or clobbered file.

    Raises:
        ConfigError: the format is unknown, or the file cannot be written.
    """
    target = Path(path)
    payload = serialize(data, format_for_path(target, fmt), base)
    try:
        write_atomic(target, payload)
    except OSError as exc:
        raise ConfigError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return target


def read(path: str | os.PathLike[str], fmt: str | None = None) -> Dataset:
    """Read an RDF file in any of FORMATS into a Dataset.

    Triples of `ttl`, `nt` and `jsonld` land in the default graph; `trig` and
    `nq` keep their named graphs.

    Raises:
        ConfigError: the format cannot be told from the extension.
        IngestError: the file is missing, unreadable or not valid RDF in that format.
    """
    source = Path(path)
    fmt = format_for_path(source, fmt)
    if not source.is_file():
        raise IngestError(f"cannot read {source}: no such file")
    dataset = Dataset()
    try:
        dataset.parse(source=str(source), format=_RDFLIB_NAMES[fmt])
    except OSError as exc:
        raise IngestError(f"cannot read {source}: {exc.strerror or exc}") from exc
    except Exception as exc:  # rdflib's parsers raise many unrelated exception types
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        if len(reason) > 200:
            reason = reason[:200] + "…"
        raise IngestError(f"{source} is not valid {_RDFLIB_NAMES[fmt]}: {reason}") from exc
    return dataset


# --- helpers ----------------------------------------------------------------

def _prefixes(data: Graph, base: str | None) -> dict[str, str]:
    if base is None:
        bound = dict(data.namespace_manager.namespaces()).get("id")
        base = str(bound) if bound is not None else DEFAULT_BASE
    prefixes = {name: str(ns) for name, ns in PREFIXES.items()}
    prefixes["id"] = base
    return prefixes


def _bind(graph: Graph, prefixes: dict[str, str]) -> None:
    for name, ns in prefixes.items():
        graph.bind(name, ns, override=True, replace=True)


def _term_key(term: Node) -> tuple[int, str, str, str]:
    if isinstance(term, Literal):
        return (2, str(term), str(term.datatype or ""), term.language or "")
    return (1 if isinstance(term, URIRef) else 0, str(term), "", "")


def _all_quads(data: Graph) -> Iterable[Quad]:
    if data.context_aware:  # Dataset (or the deprecated ConjunctiveGraph)
        quads = cast(Dataset, data).quads((None, None, None, None))
        return ((s, p, o, _graph_name(g)) for s, p, o, g in quads)
    return ((s, p, o, DATASET_DEFAULT_GRAPH_ID) for s, p, o in data)


def _has_bnodes(data: Graph) -> bool:
    return any(isinstance(t, BNode) for quad in _all_quads(data) for t in quad)


def _canonical_quads(data: Graph) -> list[Quad]:
    """Every quad of `data`, blank nodes relabelled canonically, in sorted order."""
    quads = list(_all_quads(data))
    if any(isinstance(t, BNode) for quad in quads for t in quad):
        labels = _bnode_labels(quads)
        quads = [tuple(labels.get(t, t) for t in quad) for quad in quads]  # type: ignore[misc]
    return sorted(set(quads), key=lambda q: (_term_key(q[3]), _term_key(q[0]),
                                             _term_key(q[1]), _term_key(q[2])))


def _graph_name(graph: Graph | IdentifiedNode | None) -> IdentifiedNode:
    if graph is None:
        return DATASET_DEFAULT_GRAPH_ID
    return graph.identifier if isinstance(graph, Graph) else graph


def _bnode_labels(quads: Iterable[Quad]) -> dict[Node, BNode]:
    """Content-derived labels for the blank nodes (rdflib's graph canonicalization).

    The union graph is canonicalized once, so a blank node shared by two named
    graphs keeps one label. canonical_triples() yields the relabelled triples in
    the graph's own iteration order, which pairs them with the originals.
    """
    union = Graph()
    for s, p, o, _g in quads:
        union.add((s, p, o))
    labels: dict[Node, BNode] = {}
    for original, canonical in zip(union, _TripleCanonicalizer(union).canonical_triples()):
        for before, after in zip(original, canonical):
            if isinstance(before, BNode):
                labels[before] = after
    return labels


def _sorted_lines(payload: bytes) -> bytes:
    lines = sorted({line for line in payload.splitlines() if line.strip()})
    return b"".join(line + b"\n" for line in lines)


def _subjects_in_iri_order(self: TurtleSerializer) -> list[Node]:
    """rdflib orders subjects by how often they are referenced, which scatters a
    document's nodes; IRI order keeps `doc/{key}`, `doc/{key}/letter`, … together."""
    return sorted(TurtleSerializer.orderSubjects(self),
                  key=lambda s: (isinstance(s, BNode), _term_key(s)))


def _bound_pname(self: TurtleSerializer, uri: Node, gen_prefix: bool = True) -> str | None:
    """A prefixed name only from the bound prefixes; otherwise None, so the full IRI is written.

    rdflib's compute_qname files every IRI's "namespace" (`…/doc/S-2007-652/`) in a
    trie it then scans linearly: 7 s of a 7.5 s Turtle export of 50k triples.
    Skipping IRIs no bound prefix can shorten avoids that, and no `ns1:` prefixes
    are invented in encounter order.
    """
    if not isinstance(uri, URIRef):
        return None
    cache: dict[str, str | None] | None = getattr(self, "_pname_cache", None)
    if cache is None:
        cache = self._pname_cache = {}  # type: ignore[attr-defined]
        self._bound_namespaces = sorted(  # type: ignore[attr-defined]
            (str(ns) for _p, ns in self.store.namespaces()), key=len, reverse=True)
    key = str(uri)
    if key not in cache:
        cache[key] = None
        for namespace in self._bound_namespaces:  # type: ignore[attr-defined]
            if key.startswith(namespace):
                local = key[len(namespace):]
                if local and "/" not in local and "#" not in local:
                    cache[key] = TurtleSerializer.get_pname(self, uri, False)
                break
    return cache[key]


class _SortedTurtleSerializer(TurtleSerializer):
    """rdflib's Turtle serializer with subjects in IRI order and only the bound prefixes."""

    orderSubjects = _subjects_in_iri_order
    get_pname = _bound_pname


class _SortedTrigSerializer(TrigSerializer):
    """rdflib's TriG serializer: as Turtle, the default graph first, then graphs by IRI."""

    orderSubjects = _subjects_in_iri_order
    get_pname = _bound_pname

    def __init__(self, store: Dataset) -> None:
        super().__init__(store)
        unique = {graph.identifier: graph for graph in self.contexts}
        self.contexts = sorted(unique.values(),
                               key=lambda g: (g.identifier != DATASET_DEFAULT_GRAPH_ID,
                                              _term_key(g.identifier)))


def _serialize_with(serializer: TurtleSerializer) -> bytes:
    stream = io.BytesIO()
    serializer.serialize(stream, encoding="utf-8")
    return stream.getvalue()


def _sort_jsonld(node: Any) -> Any:
    """Sort JSON-LD arrays (unordered sets) except @list values, recursively."""
    if isinstance(node, dict):
        return {key: ([_sort_jsonld(item) for item in value]
                      if key == "@list" and isinstance(value, list) else _sort_jsonld(value))
                for key, value in node.items()}
    if isinstance(node, list):
        items = [_sort_jsonld(item) for item in node]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    return node
