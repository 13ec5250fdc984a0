"""The corpus step: lone surnames linked to the one full name in the corpus, in their own graph."""

from __future__ import annotations

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from kfor_kg.linking.corpus import corpus_links, replace_corpus_links, surname_links
from kfor_kg.rdf.iris import Minter
from kfor_kg.rdf.vocab import KFOR

MINTER = Minter()


def person(key: str) -> URIRef:
    return MINTER.entity("Person", key)


def corpus(people: dict[str, str], graph_of: dict[str, str] | None = None) -> Dataset:
    """A dataset with one kfor:Person per (key, label), each in the named graph `graph_of[key]`
    (default: the shared graph)."""
    ds = Dataset()
    for key, label in people.items():
        name = URIRef(MINTER.base + (graph_of or {}).get(key, "graph/shared"))
        g = ds.graph(name)
        g.add((person(key), RDF.type, KFOR.Person))
        g.add((person(key), SKOS.prefLabel, Literal(label)))
    return ds


def test_a_lone_surname_joins_the_only_full_name() -> None:
    ds = corpus({"thaci": "Thaçi", "hashim-thaci": "Hashim Thaçi", "kurti": "Kurti",
                 "jakup-krasniqi": "Jakup Krasniqi"})
    assert surname_links(ds) == [(person("thaci"), person("hashim-thaci"))]


def test_two_full_names_with_the_surname_link_to_neither() -> None:
    ds = corpus({"krasniqi": "Krasniqi", "jakup-krasniqi": "Jakup Krasniqi",
                 "kadri-krasniqi": "Kadri Krasniqi"})
    assert surname_links(ds) == []


def test_surnames_compare_without_diacritics_or_case() -> None:
    ds = corpus({"vucic": "VUČIĆ", "aleksandar-vucic": "Aleksandar Vucic"})
    assert surname_links(ds) == [(person("vucic"), person("aleksandar-vucic"))]


def test_documents_in_separate_graphs_are_one_corpus() -> None:
    ds = corpus({"thaci": "Thaci", "hashim-thaci": "Hashim Thaçi"},
                {"thaci": "doc/S-2008-1/graph", "hashim-thaci": "doc/S-2009-2/graph"})
    assert surname_links(ds) == [(person("thaci"), person("hashim-thaci"))]


def test_non_entity_iris_and_unlabelled_people_are_ignored() -> None:
    g = Graph()
    odd = URIRef("https://example.org/somebody")
    g.add((odd, RDF.type, KFOR.Person))
    g.add((odd, SKOS.prefLabel, Literal("Thaci")))
    g.add((person("nobody"), RDF.type, KFOR.Person))
    g.add((person("hashim-thaci"), RDF.type, KFOR.Person))
    g.add((person("hashim-thaci"), SKOS.prefLabel, Literal("Hashim Thaçi")))
    assert surname_links(g) == []


def test_links_are_skos_exact_match_in_the_corpus_links_graph() -> None:
    ds = corpus({"thaci": "Thaçi", "hashim-thaci": "Hashim Thaçi"})
    links = corpus_links(ds, MINTER)
    assert links.identifier == URIRef("https://w3id.org/kfor-kg/id/graph/corpus-links")
    assert set(links) == {(person("thaci"), SKOS.exactMatch, person("hashim-thaci"))}


def test_replacing_twice_gives_the_same_dataset_and_drops_stale_links() -> None:
    ds = corpus({"thaci": "Thaçi", "hashim-thaci": "Hashim Thaçi"})
    stale = (person("kurti"), SKOS.exactMatch, person("albin-kurti"))
    ds.graph(MINTER.corpus_links_graph()).add(stale)
    replace_corpus_links(ds, MINTER)
    first = set(ds.quads((None, None, None, None)))
    replace_corpus_links(ds, MINTER)
    assert set(ds.quads((None, None, None, None))) == first
    links = ds.graph(MINTER.corpus_links_graph())
    assert set(links) == {(person("thaci"), SKOS.exactMatch, person("hashim-thaci"))}
    # The other graphs are untouched.
    shared = ds.graph(MINTER.shared_graph())
    assert (person("thaci"), SKOS.prefLabel, Literal("Thaçi")) in shared


def test_a_new_full_name_in_the_corpus_withdraws_the_link() -> None:
    ds = corpus({"krasniqi": "Krasniqi", "jakup-krasniqi": "Jakup Krasniqi"})
    replace_corpus_links(ds, MINTER)
    assert len(ds.graph(MINTER.corpus_links_graph())) == 1
    shared = ds.graph(MINTER.shared_graph())
    shared.add((person("kadri-krasniqi"), RDF.type, KFOR.Person))
    shared.add((person("kadri-krasniqi"), SKOS.prefLabel, Literal("Kadri Krasniqi")))
    replace_corpus_links(ds, MINTER)
    assert len(ds.graph(MINTER.corpus_links_graph())) == 0
