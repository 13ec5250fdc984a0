"""The corpus step: links that only the whole corpus can justify, in their own graph.

A document's graph depends only on that document and the shipped data, so a
report that calls someone just "Thaçi" gets its own node `person/thaci`. Seen
across the corpus, that surname may belong to exactly one full name
(`person/hashim-thaci`); this step records that as a link in the graph
`{base}graph/corpus-links` (`Minter.corpus_links_graph`), which is rebuilt from
scratch each time, so it can be rerun after new reports arrive and unloaded
without touching any document.

The link is `skos:exactMatch`, not `owl:sameAs`: it is a guess from names
alone (the only full name with that surname *so far*), and `owl:sameAs` would
let a reasoner merge the two nodes — two `skos:prefLabel`s on one person, and
the Wikidata `owl:sameAs` of one spread to the other. `skos:exactMatch` says
"can be used interchangeably" without identity, and a query can follow it
on purpose.
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from kfor_kg.rdf.iris import Minter, entity_kind_and_key, slug
from kfor_kg.rdf.vocab import KFOR, PREFIXES, RDF, SKOS

__all__ = ["surname_links", "corpus_links", "replace_corpus_links"]


def surname_links(data: Graph) -> list[tuple[URIRef, URIRef]]:
    """(lone surname, full name) pairs: a person whose label is one word, and the one
    person in `data` whose label has more words and ends in that word.

    Words are compared as slugs ("Thaçi" matches "Hashim Thaci"). A surname that
    ends two or more full names links to none of them. `data` is a Graph or a
    Dataset (all its graphs are read); sorted by the lone node's IRI.
    """
    view = Dataset(store=data.store, default_union=True) if isinstance(data, Dataset) else data
    lone: dict[str, list[URIRef]] = defaultdict(list)
    full: dict[str, set[URIRef]] = defaultdict(set)
    people = {p for p in view.subjects(RDF.type, KFOR.Person) if isinstance(p, URIRef)}
    for person in people:
        kind_and_key = entity_kind_and_key(person)
        if kind_and_key is None or kind_and_key[0] != "Person":
            continue
        words = _label(view, person).split()
        if len(words) == 1:
            lone[slug(words[0])].append(person)
        elif len(words) > 1:
            full[slug(words[-1])].add(person)
    links: list[tuple[URIRef, URIRef]] = []
    for surname, lone_people in lone.items():
        matches = full.get(surname, set())
        if len(matches) == 1:
            target = next(iter(matches))
            links.extend((person, target) for person in lone_people)
    return sorted(links)


def corpus_links(data: Graph, minter: Minter) -> Graph:
    """The graph of corpus links for `data`, named `minter.corpus_links_graph()`."""
    graph = Graph(identifier=minter.corpus_links_graph(), bind_namespaces="none")
    graph.bind("skos", PREFIXES["skos"])
    graph.bind("id", minter.ns)
    for lone, full in surname_links(data):
        graph.add((lone, SKOS.exactMatch, full))
    return graph


def replace_corpus_links(dataset: Dataset, minter: Minter) -> Graph:
    """Recompute the corpus links of `dataset` and put them in its corpus-links graph.

    The previous contents of that graph are dropped first, so running the step
    twice gives the same dataset. Returns the graph in the dataset.
    """
    name = minter.corpus_links_graph()
    dataset.remove_graph(dataset.graph(name))
    links = corpus_links(dataset, minter)
    target = dataset.graph(name)
    for triple in links:
        target.add(triple)
    return target


def _label(view: Graph, person: Node) -> str:
    # min(): a store holding non-pure builds may give a node several labels; pick one deterministically.
    labels = [str(x) for x in view.objects(person, SKOS.prefLabel) if isinstance(x, Literal)]
    return min(labels) if labels else ""
