"""Serialize and read kfor-kg graphs: Turtle, N-Triples, JSON-LD, TriG and N-Quads.

`ttl`, `nt` and `jsonld` hold the union of all graphs of a dataset; `trig` and
`nq` keep the named graphs (one per document plus the shared graph, see
docs/model.md). Output is byte-identical for the same set of quads, whatever the
insertion order or PYTHONHASHSEED, in one canonical order: graphs by IRI (the
default graph first), and within a graph the N-Quads lines of its quads sorted
(rdf.oxi.line_key). Turtle, TriG, N-Triples and N-Quads are written by
pyoxigraph, streaming (`write_blocks`), so a build writes a corpus one graph at
a time; JSON-LD goes through rdflib (sorted afterwards). Reading parses with
pyoxigraph too.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import _TripleCanonicalizer
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import IdentifiedNode, Node

from kfor_kg.errors import ConfigError, IngestError
from kfor_kg.files import open_atomic
from kfor_kg.rdf.oxi import from_ox, nquad_blocks, parse_nquads, to_ox_quad
from kfor_kg.rdf.vocab import DEFAULT_BASE, PREFIXES

__all__ = ["FORMATS", "format_for_path", "serialize", "write", "read", "graph_blocks",
           "write_blocks", "turtle_prefixes", "Block"]

FORMATS = ("ttl", "nt", "jsonld", "trig", "nq")

FORMAT_NAMES = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "trig": "trig", "nq": "nquads"}
"""The name of each format in messages (`… is not valid turtle`)."""
OX_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
              "trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS}
"""pyoxigraph's format of each of FORMATS."""
_EXTENSIONS = {
    ".ttl": "ttl", ".turtle": "ttl", ".nt": "nt", ".jsonld": "jsonld", ".json": "jsonld",
    ".trig": "trig", ".nq": "nq",
}

Quad = tuple[Node, Node, Node, IdentifiedNode]
Block = Sequence[bytes]
"""The sorted N-Quads lines of one graph (rdf.oxi.sorted_nquads), as `write_blocks` takes them."""


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
    is the `id:` prefix of JSON-LD's context; by default the data's own `id:`
    binding or kfor_kg.rdf.vocab.DEFAULT_BASE. Turtle and TriG declare the
    project's prefixes (vocab.PREFIXES) and write minted IRIs in full: their
    paths hold `/`, which a prefixed name would have to escape.

    >>> g = Graph()
    >>> _ = g.add((URIRef(DEFAULT_BASE + "doc/S-2007-652"), PREFIXES["dcterms"].identifier,
    ...            Literal("S/2007/652")))
    >>> print(serialize(g, "ttl").decode().splitlines()[-1])
    <https://w3id.org/kfor-kg/id/doc/S-2007-652> dcterms:identifier "S/2007/652" .

    Raises:
        ConfigError: `fmt` is not one of FORMATS.
    """
    if fmt not in FORMATS:
        raise ConfigError(f"unknown RDF format {fmt!r}; use one of: {', '.join(FORMATS)}")
    if fmt == "jsonld":
        return _jsonld(data, _prefixes(data, base))
    buffer = io.BytesIO()
    write_blocks(graph_blocks(data), buffer, fmt)
    return buffer.getvalue()


def write(data: Graph | Dataset, path: str | os.PathLike[str], fmt: str | None = None,
          base: str | None = None) -> Path:
    """Write `data` to `path` atomically, in `fmt` or the format of the extension.

    The bytes go to a temporary file in the same directory, which then replaces
    `path`, so a failure never leaves a half-written or clobbered file.

    Raises:
        ConfigError: the format is unknown, or the file cannot be written.
    """
    target = Path(path)
    fmt = format_for_path(target, fmt)
    try:
        with open_atomic(target) as out:
            if fmt == "jsonld":
                out.write(_jsonld(data, _prefixes(data, base)))
            else:
                write_blocks(graph_blocks(data), out, fmt)
    except OSError as exc:
        raise ConfigError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return target


def turtle_prefixes() -> dict[str, str]:
    """The prefixes Turtle and TriG declare, in a fixed order (vocab.PREFIXES)."""
    return {name: str(ns) for name, ns in PREFIXES.items()}


def graph_blocks(data: Graph) -> list[Block]:
    """The quads of `data` as one block per graph, in the canonical order (rdf.oxi).

    Blank nodes get content-derived labels first (rdflib's canonicalization),
    so the bytes do not depend on the labels a parser happened to choose.
    """
    quads = _canonical_quads(data) if _has_bnodes(data) else _all_quads(data)
    names: dict[str, ox.NamedNode] = {}
    return list(nquad_blocks(to_ox_quad(s, p, o, g, names) for s, p, o, g in quads))


def write_blocks(blocks: Iterable[Block], out: IO[bytes], fmt: str,
                 remember: Any = None) -> None:
    """Write graph blocks (each the sorted N-Quads lines of one graph, graphs in order) to `out`.

    Streaming: a block is read when the writer reaches it, so `blocks` may be a
    generator reading them from disk one at a time. `nq` writes the lines as they
    are; `trig` the same quads with the project's prefixes. The union formats
    (`ttl`, `nt`) drop the graph names and write a triple once: every triple of
    a block for which `remember(block)` is true (all blocks by default) is
    remembered and not written again by a later block.

    Raises:
        ConfigError: `fmt` is not one of the formats pyoxigraph writes here.
        OSError: `out` cannot be written.
    """
    if fmt == "nq":
        for block in blocks:
            out.writelines(block)
        return
    if fmt == "trig":
        ox.serialize(_quads_of(blocks), out, format=ox.RdfFormat.TRIG, prefixes=turtle_prefixes())
        return
    if fmt not in ("ttl", "nt"):
        raise ConfigError(f"cannot stream RDF format {fmt!r}; use one of: ttl, nt, trig, nq")
    triples = _union_triples(blocks, remember)
    if fmt == "nt":
        ox.serialize(triples, out, format=ox.RdfFormat.N_TRIPLES)
    else:
        ox.serialize(triples, out, format=ox.RdfFormat.TURTLE, prefixes=turtle_prefixes())


def _quads_of(blocks: Iterable[Block]) -> Iterator[ox.Quad]:
    for block in blocks:
        yield from parse_nquads(b"".join(block))


def _union_triples(blocks: Iterable[Block], remember: Any) -> Iterator[ox.Triple]:
    seen: set[ox.Triple] = set()
    for block in blocks:
        keep = remember is None or remember(block)
        graph: bytes | None = getattr(block, "graph", None)
        if not keep and not seen and graph:
            # A block with nothing to drop or remember (a document's graph): its lines
            # become N-Triples by cutting the graph term, and pyoxigraph reads them.
            payload = b"".join(block).replace(b" " + graph + b" .\n", b" .\n")
            yield from ox.parse(payload, format=ox.RdfFormat.N_TRIPLES)
            continue
        for quad in parse_nquads(b"".join(block)):
            triple = quad.triple
            if triple in seen:
                continue
            if keep:
                seen.add(triple)
            yield triple


def read(path: str | os.PathLike[str], fmt: str | None = None) -> Dataset:
    """Read an RDF file in any of FORMATS into a Dataset (parsed by pyoxigraph).

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
    default = dataset.default_graph
    graphs: dict[ox.NamedNode | ox.BlankNode, Graph] = {}
    with reading(source, fmt):
        with source.open("rb") as stream:
            for quad in ox.parse(stream, format=OX_FORMATS[fmt], base_iri=source.resolve().as_uri()):
                name = quad.graph_name
                if isinstance(name, ox.DefaultGraph):
                    graph = default
                else:
                    graph = graphs.get(name) or graphs.setdefault(
                        name, dataset.graph(cast(IdentifiedNode, from_ox(name))))
                graph.add((from_ox(quad.subject), from_ox(quad.predicate),  # type: ignore[arg-type]
                           from_ox(quad.object)))
    return dataset


@contextmanager
def reading(source: Path, fmt: str) -> Iterator[None]:
    """Turn pyoxigraph's I/O and parse errors while reading `source` into one IngestError line."""
    try:
        yield
    except OSError as exc:
        raise IngestError(f"cannot read {source}: {exc.strerror or exc}") from exc
    except (SyntaxError, ValueError) as exc:  # pyoxigraph's parse errors, with line and column
        reason = " ".join((str(exc).strip() or type(exc).__name__).split())
        if len(reason) > 200:
            reason = reason[:200] + "…"
        raise IngestError(f"{source} is not valid {FORMAT_NAMES[fmt]}: {reason}") from exc


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


def _jsonld(data: Graph, prefixes: dict[str, str]) -> bytes:
    union = Graph(bind_namespaces="none")
    _bind(union, prefixes)
    for s, p, o, _g in _canonical_quads(data):
        union.add((s, p, o))
    raw = union.serialize(format="json-ld", encoding="utf-8", auto_compact=True,
                          context={p: str(ns) for p, ns in prefixes.items()})
    doc = _sort_jsonld(json.loads(raw))
    return (json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


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
