"""rdflib ↔ pyoxigraph terms, and the canonical N-Quads lines every writer starts from.

pyoxigraph (Rust) parses, serializes and queries 10-50x faster than rdflib
(docs/performance.md); rdflib stays where a document's graph is built and
where pySHACL reads it. A graph crosses over once, as canonical N-Quads lines:
each quad written by Oxigraph (canonical N-Triples escaping), lines sorted by
graph, then by `line_key` (bytewise, an IRI before the IRIs it is a prefix of). Two sets of quads are equal exactly when their lines are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Union, cast

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

__all__ = ["OxTerm", "OxGraph", "to_ox", "from_ox", "to_ox_quad", "nquad_line", "graph_key", "line_key",
           "sorted_nquads", "nquad_blocks", "parse_nquads", "ox_quads"]

OxTerm = Union[ox.NamedNode, ox.BlankNode, ox.Literal]
OxGraph = Union[ox.NamedNode, ox.BlankNode, ox.DefaultGraph]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def to_ox(term: Node, names: dict[str, ox.NamedNode] | None = None) -> OxTerm:
    """The pyoxigraph term of an rdflib term; `names` caches NamedNodes across calls.

    >>> to_ox(Literal("5", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer")))
    <Literal value=5 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>
    """
    if isinstance(term, URIRef):
        if names is None:
            return ox.NamedNode(str(term))
        node = names.get(term)
        if node is None:
            node = names[term] = ox.NamedNode(str(term))
        return node
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=to_ox(term.datatype, names))  # type: ignore[arg-type]
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def from_ox(term: OxTerm | ox.DefaultGraph | None) -> Node | None:
    """The rdflib term of a pyoxigraph term (None and the default graph give None).

    >>> from_ox(ox.Literal("moon", language="en"))
    rdflib.term.Literal('moon', lang='en')
    """
    if term is None or isinstance(term, ox.DefaultGraph):
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype in (_XSD_STRING, _LANG_STRING):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"not an RDF term: {term!r}")


def to_ox_quad(s: Node, p: Node, o: Node, g: Node | None,
               names: dict[str, ox.NamedNode] | None = None) -> ox.Quad:
    """One quad in pyoxigraph terms; `g` None (or rdflib's default graph id) is the default graph."""
    graph: OxGraph = ox.DefaultGraph() if g is None or g == DATASET_DEFAULT_GRAPH_ID \
        else to_ox(g, names)  # type: ignore[assignment]
    return ox.Quad(to_ox(s, names), to_ox(p, names), to_ox(o, names), graph)  # type: ignore[arg-type]


def ox_quads(data: Graph) -> Iterator[ox.Quad]:
    """The quads of an rdflib Graph (all in the default graph) or Dataset, in pyoxigraph terms."""
    names: dict[str, ox.NamedNode] = {}
    if not data.context_aware:
        return (to_ox_quad(s, p, o, None, names) for s, p, o in data)
    quads = cast(Dataset, data).quads((None, None, None, None))
    return (to_ox_quad(s, p, o, getattr(g, "identifier", g), names) for s, p, o, g in quads)


def nquad_line(quad: ox.Quad) -> bytes:
    """The N-Quads line of `quad`, newline included."""
    return (str(quad) + " .\n").encode("utf-8")


def sorted_nquads(quads: Iterable[ox.Quad]) -> list[bytes]:
    """The distinct N-Quads lines of `quads`, by graph (default graph first), then bytewise."""
    return [line for block in nquad_blocks(quads) for line in block]


def nquad_blocks(quads: Iterable[ox.Quad]) -> list[list[bytes]]:
    """`sorted_nquads`, one list of lines per graph."""
    by_graph: dict[str, set[bytes]] = {}
    for quad in quads:
        by_graph.setdefault(graph_key(quad.graph_name), set()).add(nquad_line(quad))
    return [sorted(by_graph[graph], key=line_key) for graph in sorted(by_graph)]


def line_key(line: bytes) -> bytes:
    """The sort key of an N-Quads line: IRIs compared without their closing `>`.

    So `<…/doc/S-2008-638>` sorts before `<…/doc/S-2008-638/letter>`: a node's
    own IRI comes before the IRIs under it. (A line never holds a raw NUL, so
    no two lines share a key.)
    """
    return line.replace(b">", b"\x00")


def graph_key(graph: OxGraph) -> str:
    """The sort key of a graph name: "" for the default graph, else its N-Triples form."""
    return "" if isinstance(graph, ox.DefaultGraph) else str(graph)


def parse_nquads(payload: bytes) -> Iterator[ox.Quad]:
    """The quads of N-Quads bytes (as written by `nquad_line`)."""
    return iter(ox.parse(payload, format=ox.RdfFormat.N_QUADS))
