"""The events of one document as RDF, in the document's graph (docs/model.md, "Event").

Each event links to its document, its type concept, its date, place (and
the further places of a listing, kfor:otherPlace) and participants (the
canonical entity nodes the entity layer writes; kfor:agent and kfor:patient
for who did it and to whom, and a kfor:Participation per participant with its
role and words), and to
the sentence (`kfor:evidence`) and trigger (`kfor:trigger`) spans of the
original file. No blank nodes.
"""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import Dataset, Graph, Literal, URIRef

from kfor_kg.extract.records import DocumentRecord
from kfor_kg.lexicon.dates import DateValue
from kfor_kg.nlp.events import EventRecord, event_rules
from kfor_kg.rdf.graph import add_span, date_literal, document_graph
from kfor_kg.rdf.iris import Minter
from kfor_kg.rdf.vocab import KFOR, RDF, RDFS, SCHEMA, SEM, XSD

__all__ = ["add_events"]


def add_events(dataset: Dataset, minter: Minter, record: DocumentRecord, events: Sequence[EventRecord]) -> None:
    """Add the events of `record` to its document graph.

    Places and participants are referred to by their entity IRI
    (`Minter.entity`); their nodes are the entity layer's (rdf.entity_graph).
    """
    types = event_rules().types
    doc = minter.document(record.key)
    g = document_graph(dataset, minter, record)
    for event in events:
        node = Minter.event(doc, event.type, event.start)
        for cls in (KFOR.Event, SEM.Event, SCHEMA.Event):
            g.add((node, RDF.type, cls))
        g.add((node, SEM.eventType, KFOR[types[event.type].concept]))
        g.add((node, RDFS.label, Literal(event.label)))
        g.add((node, KFOR.inDocument, doc))
        _add_date(g, node, event.date)
        if event.place is not None:
            g.add((node, SEM.hasPlace, minter.entity(event.place.kind, event.place.key)))
        for ref in event.other_places:
            g.add((node, KFOR.otherPlace, minter.entity(ref.kind, ref.key)))
        for ref in event.participants:
            g.add((node, SEM.hasActor, minter.entity(ref.kind, ref.key)))
        for p in event.roles:
            # Who did what in it, with the words naming them.
            entity = minter.entity(p.ref.kind, p.ref.key)
            if p.role in ("agent", "patient"):
                g.add((node, KFOR[p.role], entity))
            part = minter.participation(node, p.words.start)
            g.add((part, RDF.type, KFOR.Participation))
            g.add((node, KFOR.participation, part))
            g.add((part, KFOR.participant, entity))
            g.add((part, KFOR.participantRole, Literal(p.role)))
            g.add((part, KFOR.evidence, add_span(g, minter, record, p.words)))
        g.add((node, KFOR.evidence, add_span(g, minter, record, event.sentence)))
        g.add((node, KFOR.trigger, add_span(g, minter, record, event.trigger)))


def _add_date(g: Graph, node: URIRef, value: DateValue | None) -> None:
    """The date at its precision: a day (and last day of a range), a month or a year."""
    if value is None:
        return
    if value.precision == "day":
        g.add((node, KFOR.date, date_literal(value.start)))
        if value.end != value.start:
            g.add((node, KFOR.endDate, date_literal(value.end)))
    elif value.precision == "month":
        g.add((node, KFOR.month, Literal(value.iso, datatype=XSD.gYearMonth)))
    else:
        g.add((node, KFOR.year, Literal(value.iso, datatype=XSD.gYear)))
