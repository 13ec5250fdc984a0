"""A build cut along the store's layout, and references to documents.

`split_dataset` puts every triple of a build into the graph of its document, the
shared graph or the ontology graph (docs/model.md); `document_iri` and
`document_key` turn the keys, symbols and IRIs users give into document IRIs
and back.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from kfor_kg.errors import ConfigError, IngestError
from kfor_kg.rdf import export
from kfor_kg.rdf.iris import Minter, document_of_graph, parse_document, symbol_key
from kfor_kg.rdf.vocab import DEFAULT_BASE, KFOR

__all__ = ["Triple", "SplitDataset", "read_graph", "split_dataset", "document_iri",
           "document_base", "document_key"]

Triple = tuple[Node, Node, Node]

_ONTOLOGY_TERMS = str(KFOR)
_ONTOLOGY = _ONTOLOGY_TERMS.rstrip("#")  # the ontology's own IRI
# Characters an IRI may not contain (RDF 1.1 IRIREF); they would also break the SPARQL we send.
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def read_graph(paths: Sequence[str | os.PathLike[str]]) -> Dataset:
    """Every quad of the RDF files `paths` (any format `build` writes) in one Dataset.

    Raises:
        ConfigError: no paths, or an extension that names no RDF format.
        IngestError: a file is missing or is not valid RDF.
    """
    if not paths:
        raise ConfigError("no graph file given")
    dataset = export.read(paths[0])
    for path in paths[1:]:
        dataset.addN(export.read(path).quads((None, None, None, None)))  # type: ignore[arg-type]
    return dataset


@dataclass
class SplitDataset:
    """A build cut along the IRI scheme: document graphs, the shared graph, the ontology.

    Graphs are plain sets of rdflib triples: at corpus scale, filling rdflib
    Graphs costs ten times more than the rest of the split.
    """

    base: str
    documents: dict[URIRef, set[Triple]]
    shared: set[Triple]
    ontology: set[Triple]

    @property
    def shared_graph(self) -> URIRef:
        return Minter(self.base).shared_graph()

    @property
    def ontology_graph(self) -> URIRef:
        return Minter(self.base).ontology_graph()

    @staticmethod
    def graph_of(document: URIRef) -> URIRef:
        return Minter.document_graph(document)


def split_dataset(data: Graph, base: str | None = None) -> SplitDataset:
    """Split a build (a Dataset or a plain union Graph) into document graphs and the shared graph.

    Graph names in the input are ignored, so a TriG and a Turtle file of the
    same build split identically: a triple belongs to document D's graph when
    its subject is D or starts with D + "/" (documents are the subjects typed
    kfor:Document), to the ontology when its subject is the ontology or a kfor:
    term, and to the shared graph otherwise.

    >>> g = Graph()
    >>> doc = URIRef("https://w3id.org/kfor-kg/id/doc/S-2017-1")
    >>> _ = g.add((doc, RDF.type, KFOR.Document))
    >>> _ = g.add((URIRef(doc + "/letter"), KFOR.signatory,
    ...            URIRef("https://w3id.org/kfor-kg/id/person/x")))
    >>> _ = g.add((URIRef("https://w3id.org/kfor-kg/id/person/x"), RDF.type, KFOR.Person))
    >>> split = split_dataset(g)
    >>> split.base, len(split.documents[doc]), len(split.shared), len(split.ontology)
    ('https://w3id.org/kfor-kg/id/', 2, 1, 0)

    Raises:
        IngestError: no kfor:Document, document IRIs outside docs/model.md's
            scheme or under several bases, or blank nodes.
    """
    if isinstance(data, Dataset):
        triples: Iterable[Triple] = (
            (s, p, o) for s, p, o, _g in data.quads((None, None, None, None)))
    else:  # a plain Graph, or a ConjunctiveGraph, which iterates over all its graphs
        triples = iter(data)
    union: set[Triple] = set(triples)
    _check_terms(union)
    documents = sorted({s for s, p, o in union
                        if p == RDF.type and o == KFOR.Document and isinstance(s, URIRef)})
    if not documents:
        raise IngestError(f"the graph has no document (no subject typed {KFOR.Document})")
    bases = set()
    for doc in documents:
        parsed = parse_document(doc)
        if parsed is None:
            raise IngestError(f"document IRI {doc} does not follow docs/model.md "
                              f"({{base}}doc/{{key}})")
        bases.add(parsed[0])
    if base is not None and bases != {base}:
        raise IngestError(f"documents are not under base {base}: {', '.join(sorted(bases))}")
    if len(bases) > 1:
        raise IngestError(f"documents are under several bases: {', '.join(sorted(bases))}")
    found_base = bases.pop()
    prefix = Minter(found_base).documents_prefix
    graphs: dict[URIRef, set[Triple]] = {doc: set() for doc in documents}
    shared: set[Triple] = set()
    ontology: set[Triple] = set()
    for s, p, o in union:
        target = shared
        text = str(s)
        if text.startswith(prefix):
            target = graphs.get(URIRef(prefix + text[len(prefix):].split("/", 1)[0]), shared)
        elif text == _ONTOLOGY or text.startswith(_ONTOLOGY_TERMS):
            target = ontology
        target.add((s, p, o))
    return SplitDataset(found_base, graphs, shared, ontology)


def _check_terms(triples: Iterable[Triple]) -> None:
    """Refuse blank nodes and IRIs that N-Triples and SPARQL cannot carry.

    Raises:
        IngestError: naming how many triples have blank nodes, or a bad IRI.
    """
    blank = 0
    seen: set[URIRef] = set()
    for triple in triples:
        if any(isinstance(term, BNode) for term in triple):
            blank += 1
        for term in triple:
            iri = term.datatype if isinstance(term, Literal) else term
            if isinstance(iri, URIRef) and iri not in seen:
                seen.add(iri)
                if _NOT_IN_IRI.search(iri):
                    raise IngestError(f"the graph has an IRI with a space or one of "
                                      f"<>\"{{}}|^`\\ in it: {iri!r}")
    if blank:
        raise IngestError(f"the graph has {blank} triple(s) with blank nodes; docs/model.md "
                          f"gives every node an IRI, and blank nodes would be duplicated on "
                          f"every reload")


def document_iri(reference: str, base: str = DEFAULT_BASE) -> URIRef:
    """The document IRI for a key (``S-2007-652``), a symbol (``S/2007/652``) or an IRI.

    >>> document_iri("S/2007/652")
    rdflib.term.URIRef('https://w3id.org/kfor-kg/id/doc/S-2007-652')

    Raises:
        ConfigError: the reference is empty or an IRI outside docs/model.md's scheme.
    """
    reference = reference.strip()
    if reference.startswith(("http://", "https://")):
        iri = str(document_of_graph(reference) or reference)
    else:
        key = reference[len("doc/"):] if reference.startswith("doc/") else reference
        iri = str(Minter(base).document(symbol_key(key)))
    if parse_document(iri) is None or _NOT_IN_IRI.search(iri):
        raise ConfigError(f"{reference!r} is not a document key, symbol or IRI "
                          f"({{base}}doc/{{key}}, see docs/model.md)")
    return URIRef(iri)


def document_base(document: URIRef) -> str:
    """The base IRI of a document IRI.

    Raises:
        ConfigError: `document` is not a document IRI.
    """
    parsed = parse_document(document)
    if parsed is None:
        raise ConfigError(f"{document} is not a document IRI ({{base}}doc/{{key}})")
    return parsed[0]


def document_key(document: str) -> str:
    """The key of a document IRI (the IRI itself if it is not one).

    >>> document_key("https://w3id.org/kfor-kg/id/doc/S-2007-652")
    'S-2007-652'
    """
    parsed = parse_document(document)
    return parsed[1] if parsed else document
