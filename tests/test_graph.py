"""rdf/graph.py and rdf/iris.py: documents to RDF, paragraph provenance, pure shared nodes, IRIs."""

from __future__ import annotations

import copy
import doctest
import re
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import FOAF, RDF, SKOS

import kfor_kg.rdf.iris
from kfor_kg.build import BuildOptions, build, example_reports
from kfor_kg.extract.records import DocumentRecord, Office
from kfor_kg.lexicon.gazetteer import label_for
from kfor_kg.lexicon.offices import post_label
from kfor_kg.rdf.graph import add_document, new_dataset, person_node, post_node
from kfor_kg.rdf.iris import (
    Minter, document_of, document_of_graph, entity_kind_and_key, entity_path, is_entity_path,
    parse_document, parse_resolution_key, resolution_key,
)
from kfor_kg.rdf.vocab import DCTERMS, ENTITY_CLASSES, KFOR, OA, ORG, SCHEMA

MINTER = Minter()
# A numbered report paragraph as it starts a line of the original file.
_PARAGRAPH_START = re.compile(r"^[ \t>*]*(\d{1,3})\.\s", re.M)


@pytest.fixture(scope="module")
def examples() -> tuple[Dataset, list[DocumentRecord]]:
    result = build([example_reports()], BuildOptions(entities=False))
    assert not result.errors
    return result.dataset, result.records


# --- provenance by paragraph ---------------------------------------------------------


def test_spans_in_numbered_paragraphs_name_the_paragraph(
        examples: tuple[Dataset, list[DocumentRecord]]) -> None:
    data, records = examples
    checked = 0
    for record in records:
        doc = MINTER.document(record.key)
        g = data.graph(Minter.document_graph(doc))
        original = record.clean.source.original
        for span, paragraph in g.subject_objects(KFOR.inParagraph):
            start = int(str(g.value(URIRef(f"{span}/position"), OA.start)))
            number = int(str(g.value(paragraph, KFOR.paragraphNumber)))
            # The last paragraph number that starts a line before the span is its paragraph's.
            before = [int(m.group(1)) for m in _PARAGRAPH_START.finditer(original, 0, start + 1)]
            assert before and before[-1] == number, (span, number, before[-3:])
            assert paragraph == Minter.paragraph(doc, number)
            assert g.value(paragraph, KFOR.inDocument) == doc
            checked += 1
    assert checked > 10


def test_troop_strength_comes_from_a_report_paragraph(
        examples: tuple[Dataset, list[DocumentRecord]]) -> None:
    data, records = examples
    for record in records:
        doc = MINTER.document(record.key)
        g = data.graph(Minter.document_graph(doc))
        strength = Minter.troop_strength(Minter.report(doc))
        spans = list(g.objects(strength, KFOR.evidence))
        assert spans, record.key
        assert all(g.value(span, KFOR.inParagraph) is not None for span in spans), record.key


def test_masthead_and_letter_spans_have_no_paragraph(
        examples: tuple[Dataset, list[DocumentRecord]]) -> None:
    data, records = examples
    for record in records:
        doc = MINTER.document(record.key)
        g = data.graph(Minter.document_graph(doc))
        for node in (doc, Minter.letter(doc, "covering")):
            for span in g.objects(node, KFOR.evidence):
                assert g.value(span, KFOR.inParagraph) is None, span


# --- shared nodes are pure ---------------------------------------------------------------


def _shared_after(*writes: tuple[str, str | None]) -> Graph:
    """The shared graph after writing the person of each (name, surface), each into a fresh dataset,
    all merged: as documents built one at a time and loaded into one store."""
    union = Graph()
    for name, surface in writes:
        ds = new_dataset(MINTER)
        shared = ds.graph(MINTER.shared_graph())
        person_node(shared, MINTER, name, surface)
        union += shared
    return union


def test_a_person_has_one_label_however_documents_write_the_name() -> None:
    union = _shared_after(("José Ramos-Horta", "Mr. José RAMOS-HORTA"), ("Jose Ramos-Horta", None),
                          ("José Ramos-Horta", "José Ramos-Horta"))
    node = MINTER.entity("Person", "jose-ramos-horta")
    assert list(union.objects(node, SKOS.prefLabel)) == [Literal(label_for("Person", "jose-ramos-horta"))]
    assert list(union.objects(node, FOAF.name)) == list(union.objects(node, SKOS.prefLabel))
    # The label comes from the key ("Jose Ramos Horta"); every name as written is an altLabel.
    assert set(union.objects(node, SKOS.altLabel)) == {
        Literal("José Ramos-Horta"), Literal("Jose Ramos-Horta"), Literal("Mr. José RAMOS-HORTA")}
    assert set(union.objects(node, RDF.type)) == set(ENTITY_CLASSES["Person"])


def test_a_gazetteer_person_keeps_the_gazetteer_label() -> None:
    union = _shared_after(("Ban Ki-moon", "BAN Ki-moon"))
    node = MINTER.entity("Person", "ban-ki-moon")
    assert union.value(node, SKOS.prefLabel) == Literal("Ban Ki-moon")
    assert set(union.objects(node, SKOS.altLabel)) == {Literal("BAN Ki-moon")}


def test_post_nodes_use_the_one_post_label() -> None:
    ds = new_dataset(MINTER)
    shared = ds.graph(MINTER.shared_graph())
    post = post_node(shared, MINTER, Office("Secretary-General", "nato"))
    assert post == MINTER.post("nato", "Secretary-General")
    assert shared.value(post, SKOS.prefLabel) == Literal(
        post_label("Secretary-General", label_for("Organization", "nato")))
    org = MINTER.entity("Organization", "nato")
    assert set(shared.objects(org, RDF.type)) == set(ENTITY_CLASSES["Organization"])


def test_the_shared_graph_of_the_examples_has_one_label_per_node(
        examples: tuple[Dataset, list[DocumentRecord]]) -> None:
    data, _records = examples
    shared = data.graph(MINTER.shared_graph())
    for node in set(shared.subjects(SKOS.prefLabel, None)):
        assert len(list(shared.objects(node, SKOS.prefLabel))) == 1, node


def test_incident_categories_have_one_label_however_reports_write_them(
        examples: tuple[Dataset, list[DocumentRecord]]) -> None:
    _data, records = examples
    record = next(r for r in records if r.report and r.report.incidents)
    shouting = copy.deepcopy(record)
    assert shouting.report is not None
    for incident in shouting.report.incidents:
        incident.category = incident.category.upper()
    union = Graph()
    for one in (record, shouting):
        ds = new_dataset(MINTER)
        add_document(ds, MINTER, one)
        union += ds.graph(MINTER.shared_graph())
    drugs = MINTER.incident_category("drugs")
    assert list(union.objects(drugs, SKOS.prefLabel)) == [Literal("drugs")]
    assert list(union.objects(drugs, SKOS.altLabel)) == [Literal("DRUGS")]


# --- iris ------------------------------------------------------------------------------------


def test_iris_docstring_examples() -> None:
    assert doctest.testmod(kfor_kg.rdf.iris).failed == 0


def test_minted_iris_parse_back() -> None:
    minter = Minter("https://example.org/kg")
    doc = minter.document("S-2007-652")
    assert parse_document(doc) == ("https://example.org/kg/", "S-2007-652")
    assert document_of_graph(Minter.document_graph(doc)) == doc
    for part in (Minter.span(doc, 3, 9), Minter.selector(Minter.span(doc, 3, 9), "quote"),
                 Minter.paragraph(doc, 4), Minter.event(doc, "arrest", 120),
                 Minter.troop_strength(Minter.report(doc)), Minter.letter(doc, "annex"),
                 Minter.post_holding(doc, 10, "Prime Minister"), Minter.source(doc)):
        assert document_of(part) == doc, part
        assert parse_document(part) is None
    for kind, key in (("Person", "hashim-thaci"), ("Place", "mitrovica"), ("Resolution", "1244-1999"),
                      ("Organization", "kfor")):
        iri = minter.entity(kind, key)
        assert entity_kind_and_key(iri) == (kind, key)
        assert is_entity_path(entity_path(iri) or "")
        assert document_of(iri) is None
    post = minter.post("united-nations", "Secretary-General")
    assert entity_path(post) == "post/united-nations/secretary-general"
    assert entity_kind_and_key(post) is None
    assert document_of_graph(minter.shared_graph()) is None
    assert Minter.letter(doc, "covering") == URIRef(f"{doc}/letter")
    assert Minter.letter(doc, "annex") == URIRef(f"{doc}/annex-letter")


def test_entity_iris_under_a_base_that_looks_like_one() -> None:
    minter = Minter("https://example.org/place/kg/")
    iri = minter.entity("Person", "hashim-thaci")
    assert entity_kind_and_key(iri) == ("Person", "hashim-thaci")
    assert entity_path(iri) == "person/hashim-thaci"
    odd = Minter("https://example.org/doc/kg/")
    doc = odd.document("S-2007-652")
    assert parse_document(doc) == ("https://example.org/doc/kg/", "S-2007-652")
    assert document_of(Minter.span(doc, 1, 2)) == doc


def test_iris_that_are_not_ours_parse_to_nothing() -> None:
    for iri in ("https://example.org/", "https://example.org/doc/", "https://example.org/person/",
                "https://example.org/person/x/wikidata-link", "urn:x"):
        assert parse_document(iri) is None
        assert entity_kind_and_key(iri) is None
        assert entity_path(iri) is None


def test_resolution_keys_round_trip() -> None:
    assert parse_resolution_key(resolution_key(1244, 1999)) == (1244, 1999)
    assert parse_resolution_key(resolution_key(1244, None)) == (1244, None)
    assert parse_resolution_key("kosovo") is None


# --- a report of another force, sent by a state's note verbale ---------------------------------

SIBLINGS = Path(__file__).resolve().parent / "data" / "dev" / "siblings"


def test_a_french_note_verbale_report_names_its_force_area_and_sending_state() -> None:
    from kfor_kg.extract import facts
    from kfor_kg.text import ingest

    record = facts.extract(ingest.load(SIBLINGS / "16_other-frcar_2020-02_docslib-s2020-609.txt"))
    record.references = ["S/2004/179"]                  # a cited symbol, as if the text named one
    minter = Minter()
    ds = new_dataset(minter)
    doc = add_document(ds, minter, record)
    g, shared = ds.graph(Minter.document_graph(doc)), ds.graph(minter.shared_graph())
    report = Minter.report(doc)
    assert list(g.objects(report, KFOR.aboutForce)) == [minter.entity("Organization", "french-forces")]
    assert list(g.objects(report, KFOR.missionArea)) == [minter.entity("Place", "central-african-republic")]
    france = minter.entity("Place", "france")           # the state sends it: a place that is an organization
    assert list(g.objects(report, SCHEMA.author)) == [france]
    assert (france, RDF.type, ORG.Organization) in shared
    assert (Minter.letter(doc, "annex"), RDF.type, KFOR.NoteVerbale) in g
    assert (Minter.letter(doc, "covering"), RDF.type, KFOR.NoteVerbale) not in g
    assert list(g.objects(doc, DCTERMS.references)) == [minter.document("S-2004-179")]
