"""The entity layer of one document as RDF (docs/model.md).

Canonical nodes go into the shared graph, and what is written about them
there is a function of their kind and key and the shipped data only (the
preferred label `label_for(kind, key)`, the gazetteer's acronym), plus the
forms the document uses as `skos:altLabel`s: the union over documents stays
valid. Mentions (text spans with position and quote selectors,
`kfor:refersTo`), their sentences and posts as stated go into the document's
graph. No blank nodes.
"""

from __future__ import annotations

from rdflib import Dataset, Literal, URIRef

from kfor_kg.extract.records import DocumentRecord
from kfor_kg.lexicon.gazetteer import acronym_for, looks_like_acronym
from kfor_kg.lexicon.offices import post_label
from kfor_kg.nlp.entity_model import DocumentEntities, Entity
from kfor_kg.rdf.graph import add_span, document_graph, shared_graph
from kfor_kg.rdf.iris import Minter
from kfor_kg.rdf.vocab import ENTITY_CLASSES, FOAF, KFOR, ORG, RDF, RDFS, SCHEMA, SKOS, XSD

__all__ = ["add_entities", "entity_node"]


def entity_node(minter: Minter, entity: Entity) -> URIRef:
    """The IRI of a canonical entity."""
    return minter.entity(entity.type, entity.key)


def _acronym(ent: Entity) -> str | None:
    """The acronym to state: the gazetteer's for a thing it knows, else the one the document defines or uses."""
    if ent.type != "Organization":
        return None
    used = ent.acronym or next((s for s in sorted(ent.surfaces) if looks_like_acronym(s)), None)
    return (acronym_for(ent.type, ent.key) or used) if used else None


def add_entities(dataset: Dataset, minter: Minter, record: DocumentRecord, found: DocumentEntities) -> None:
    """Write one document's entities, mentions and posts into `dataset`."""
    shared = shared_graph(dataset, minter)
    for ent in found.entities.values():
        node = entity_node(minter, ent)
        for cls in ENTITY_CLASSES[ent.type]:
            shared.add((node, RDF.type, cls))
        if ent.facility:
            shared.add((node, RDF.type, KFOR.Facility))
        shared.add((node, SKOS.prefLabel, Literal(ent.label)))
        if ent.type == "Person":
            shared.add((node, FOAF.name, Literal(ent.label)))
        for surface in sorted(ent.surfaces):
            if surface != ent.label:
                shared.add((node, SKOS.altLabel, Literal(surface)))
        acronym = _acronym(ent)
        if acronym:
            shared.add((node, KFOR.acronym, Literal(acronym)))
        if ent.type == "Resolution" and ent.number is not None:
            shared.add((node, KFOR.resolutionNumber, Literal(ent.number, datatype=XSD.integer)))
            if ent.year is not None:
                shared.add((node, KFOR.resolutionYear, Literal(ent.year, datatype=XSD.integer)))
                shared.add((node, SCHEMA.legislationIdentifier, Literal(f"S/RES/{ent.number} ({ent.year})")))
            else:
                shared.add((node, SCHEMA.legislationIdentifier, Literal(f"S/RES/{ent.number}")))

    doc_iri = minter.document(record.key)
    g = document_graph(dataset, minter, record)
    for m in found.mentions:
        mentioned = found.entities.get(m.entity_id)
        if mentioned is None or m.evidence.end <= m.evidence.start:
            continue
        node = entity_node(minter, mentioned)
        span = add_span(g, minter, record, m.evidence)
        g.add((span, KFOR.refersTo, node))
        if m.warning:
            g.add((span, RDFS.comment, Literal(m.warning, lang="en")))
        g.add((doc_iri, SCHEMA.mentions, node))
        if m.sentence.end > m.sentence.start:
            sentence = add_span(g, minter, record, m.sentence)
            g.add((sentence, RDF.type, KFOR.Sentence))
            g.add((span, KFOR.sentence, sentence))
    for h in found.posts:
        org = found.entities.get(h.organization)
        person = found.entities.get(("Person", h.person))
        if org is None or person is None:
            continue
        org_node, person_node = entity_node(minter, org), entity_node(minter, person)
        post, role = minter.post(org.key, h.role), minter.role(h.role)
        shared.add((post, RDF.type, ORG.Post))
        shared.add((post, ORG.role, role))
        shared.add((post, ORG.postIn, org_node))
        shared.add((post, SKOS.prefLabel, Literal(post_label(h.role, org.label, org.type))))
        shared.add((role, RDF.type, ORG.Role))
        shared.add((role, SKOS.prefLabel, Literal(h.role)))
        shared.add((role, RDFS.label, Literal(h.role)))
        if org.type == "Place":
            # A post "of Kosovo" is a post in Kosovo as a polity (W3C ORG: an organization).
            shared.add((org_node, RDF.type, ORG.Organization))
        holding = Minter.post_holding(doc_iri, h.evidence.start, h.role)
        g.add((holding, RDF.type, KFOR.PostHolding))
        g.add((holding, RDF.type, ORG.Membership))
        g.add((holding, KFOR.post, post))
        g.add((holding, KFOR.holder, person_node))
        g.add((holding, ORG.member, person_node))
        g.add((holding, ORG.organization, org_node))
        g.add((holding, ORG.role, role))
        g.add((holding, KFOR.former, Literal(h.former)))
        g.add((holding, KFOR.inDocument, doc_iri))
        if h.date:
            g.add((holding, KFOR.statedOn, Literal(h.date.isoformat(), datatype=XSD.date)))
        g.add((holding, KFOR.evidence, add_span(g, minter, record, h.evidence)))
