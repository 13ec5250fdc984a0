"""Turn extraction records into RDF, following docs/model.md.

Each document gets its own named graph; what documents share (people,
organizations, posts, roles, categories) goes into the shared graph. Every
node has a minted IRI (no blank nodes), so the output is deterministic.

A shared node's triples are a pure function of its key and the shipped data
(labels from the gazetteer or `label_for`, post labels from `post_label`); what
a document says about it (a name as written) is multi-valued (`skos:altLabel`).
So documents built one at a time and loaded into one store give the same
store as one build of them all.
"""

from __future__ import annotations

import datetime as dt

from rdflib import Dataset, Graph, Literal, URIRef

from kfor_kg.extract.records import DocumentRecord, Evidence, Letter, Office, Signatory
from kfor_kg.lexicon.gazetteer import alias_table, label_for
from kfor_kg.lexicon.offices import post_label
from kfor_kg.rdf.iris import Minter, slug, symbol_key
from kfor_kg.text.formats import MEDIA_TYPES
from kfor_kg.rdf.vocab import (
    DCTERMS, ENTITY_CLASSES, FOAF, KFOR, LANG, OA, ORG, PREFIXES, PROV, RDF, RDFS, SCHEMA, SKOS,
    UNDO, XSD,
)

__all__ = ["QUOTE_CONTEXT", "new_dataset", "date_literal", "int_literal", "document_graph",
           "shared_graph", "add_span", "add_evidence", "organization_node", "place_node", "person_node",
           "post_node", "add_document"]

QUOTE_CONTEXT = 32
"""Characters of context an oa:TextQuoteSelector keeps on each side."""


def new_dataset(minter: Minter) -> Dataset:
    """An empty dataset with the project's prefixes bound."""
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns)
    ds.bind("id", minter.ns)
    return ds


def date_literal(value: dt.date) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.date)


def int_literal(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def document_graph(ds: Dataset, minter: Minter, record: DocumentRecord) -> Graph:
    """The named graph that holds one document's own triples."""
    return ds.graph(Minter.document_graph(minter.document(record.key)))


def shared_graph(ds: Dataset, minter: Minter) -> Graph:
    """The named graph of canonical things that documents share."""
    return ds.graph(minter.shared_graph())


def add_span(g: Graph, minter: Minter, record: DocumentRecord, evidence: Evidence) -> URIRef:
    """A text span node for `evidence`, with position and quote selectors; returns its IRI.

    A span inside a numbered paragraph of the report is `kfor:inParagraph` that
    paragraph.
    """
    doc = minter.document(record.key)
    span = Minter.span(doc, evidence.start, evidence.end)
    original = record.clean.source.original
    position = Minter.selector(span, "position")
    quote = Minter.selector(span, "quote")
    g.add((span, RDF.type, KFOR.TextSpan))
    g.add((span, RDF.type, OA.SpecificResource))
    g.add((span, OA.hasSource, Minter.source(doc)))
    g.add((span, KFOR.inDocument, doc))
    g.add((span, OA.hasSelector, position))
    g.add((span, OA.hasSelector, quote))
    g.add((position, RDF.type, OA.TextPositionSelector))
    g.add((position, OA.start, Literal(evidence.start, datatype=XSD.nonNegativeInteger)))
    g.add((position, OA.end, Literal(evidence.end, datatype=XSD.nonNegativeInteger)))
    g.add((quote, RDF.type, OA.TextQuoteSelector))
    g.add((quote, OA.exact, Literal(evidence.text)))
    prefix = original[max(0, evidence.start - QUOTE_CONTEXT):evidence.start]
    suffix = original[evidence.end:evidence.end + QUOTE_CONTEXT]
    if prefix:
        g.add((quote, OA.prefix, Literal(prefix)))
    if suffix:
        g.add((quote, OA.suffix, Literal(suffix)))
    page = record.clean.source.page_at(evidence.start)
    if page is not None:
        g.add((span, KFOR.page, int_literal(page)))
    number = paragraph_number(record, evidence)
    if number is not None:
        paragraph = Minter.paragraph(doc, number)
        g.add((span, KFOR.inParagraph, paragraph))
        g.add((paragraph, RDF.type, KFOR.Paragraph))
        g.add((paragraph, KFOR.paragraphNumber, int_literal(number)))
        g.add((paragraph, KFOR.inDocument, doc))
    return span


def paragraph_number(record: DocumentRecord, evidence: Evidence) -> int | None:
    """The number of the report paragraph `evidence` starts in, if it is a numbered one."""
    # Evidence offsets are into the original file, paragraphs into the cleaned text.
    at = record.clean.clean_offset(evidence.start)
    paragraph = record.structure.paragraph_at(at) if at is not None else None
    return paragraph.number if paragraph is not None else None


def add_evidence(g: Graph, minter: Minter, record: DocumentRecord, node: URIRef,
                 evidence: Evidence | None) -> None:
    """Link a fact node to the words it was read from."""
    if evidence is not None and evidence.end > evidence.start:
        g.add((node, KFOR.evidence, add_span(g, minter, record, evidence)))


# --- shared things ------------------------------------------------------------


def _entity_node(shared: Graph, minter: Minter, kind: str, key: str) -> URIRef:
    """The entity of `kind` with gazetteer key `key`: its classes and preferred label."""
    node = minter.entity(kind, key)
    for cls in ENTITY_CLASSES[kind]:
        shared.add((node, RDF.type, cls))
    shared.add((node, SKOS.prefLabel, Literal(label_for(kind, key))))
    return node


def organization_node(shared: Graph, minter: Minter, key: str) -> URIRef:
    """The organization with gazetteer key `key`."""
    return _entity_node(shared, minter, "Organization", key)


def person_node(shared: Graph, minter: Minter, name: str, surface: str | None = None) -> URIRef:
    """The canonical person called `name`; `name` and `surface` as written become altLabels."""
    key = alias_table().canonical("Person", name).key
    node = minter.entity("Person", key)
    label = label_for("Person", key)
    for cls in ENTITY_CLASSES["Person"]:
        shared.add((node, RDF.type, cls))
    shared.add((node, SKOS.prefLabel, Literal(label)))
    shared.add((node, FOAF.name, Literal(label)))
    for written in (name, surface):
        if written and written != label:
            shared.add((node, SKOS.altLabel, Literal(written)))
    return node


def place_node(shared: Graph, minter: Minter, key: str) -> URIRef:
    """The place with gazetteer key `key`."""
    return _entity_node(shared, minter, "Place", key)


def _is_polity(key: str) -> bool:
    """Whether an office's organization key is a state or territory (a place of the gazetteer)."""
    table = alias_table()
    return table.get("Organization", key) is None and table.get("Place", key) is not None


def party_node(shared: Graph, minter: Minter, key: str) -> URIRef:
    """The organization with key `key`, or the state it names as a polity (place/france, also an
    org:Organization, as the entity graph has it)."""
    if not _is_polity(key):
        return organization_node(shared, minter, key)
    node = place_node(shared, minter, key)
    shared.add((node, RDF.type, ORG.Organization))
    return node


def post_node(shared: Graph, minter: Minter, office: Office) -> URIRef:
    """The post `office` names: a role in an organization or a state (W3C ORG)."""
    post = minter.post(office.organization, office.role)
    role = minter.role(office.role)
    org = party_node(shared, minter, office.organization)
    kind = "Place" if _is_polity(office.organization) else "Organization"
    shared.add((post, RDF.type, ORG.Post))
    shared.add((post, ORG.role, role))
    shared.add((post, ORG.postIn, org))
    shared.add((post, SKOS.prefLabel,
                Literal(post_label(office.role, label_for(kind, office.organization), kind))))
    shared.add((role, RDF.type, ORG.Role))
    shared.add((role, SKOS.prefLabel, Literal(office.role)))
    shared.add((role, RDFS.label, Literal(office.role)))
    return post


# --- per document ---------------------------------------------------------------


def add_document(ds: Dataset, minter: Minter, record: DocumentRecord) -> URIRef:
    """Add one document's facts: the document, its letters and its report."""
    g = document_graph(ds, minter, record)
    shared = shared_graph(ds, minter)
    doc = minter.document(record.key)
    source = record.clean.source
    source_node = Minter.source(doc)

    for t in (KFOR.Document, UNDO.Document, SCHEMA.CreativeWork):
        g.add((doc, RDF.type, t))
    g.add((doc, KFOR.sourceFile, Literal(source.name)))
    g.add((doc, PROV.hadPrimarySource, source_node))
    g.add((source_node, RDF.type, KFOR.SourceText))
    g.add((source_node, RDF.type, PROV.Entity))
    g.add((source_node, KFOR.fileName, Literal(source.name)))
    g.add((source_node, KFOR.sha256, Literal(source.sha256)))
    g.add((source_node, KFOR.characterCount, int_literal(len(source.original))))
    if source.kind != "text":
        g.add((source_node, DCTERMS["format"], Literal(MEDIA_TYPES[source.kind])))
    if record.symbol:
        g.add((doc, DCTERMS.identifier, Literal(record.symbol)))
        g.add((doc, SCHEMA.url, URIRef(f"https://undocs.org/{record.symbol}")))
        add_evidence(g, minter, record, doc, record.symbol_evidence)
    if record.issued:
        g.add((doc, DCTERMS.issued, date_literal(record.issued)))
        add_evidence(g, minter, record, doc, record.issued_evidence)
    if record.original_language:
        g.add((doc, KFOR.originalLanguage, LANG[record.original_language]))
        add_evidence(g, minter, record, doc, record.language_evidence)

    for cited in record.references:
        g.add((doc, DCTERMS.references, minter.document(symbol_key(cited))))

    letter_nodes = [_add_letter(g, shared, minter, record, doc, letter) for letter in record.letters]
    report_node = _add_report(g, shared, minter, record, doc) if record.report else None
    # The covering letter carries the annex letter, which carries the report.
    chain = [*letter_nodes, report_node] if report_node else letter_nodes
    for a, b in zip(chain, chain[1:]):
        g.add((a, SCHEMA.messageAttachment, b))
    return doc


def _add_letter(g: Graph, shared: Graph, minter: Minter, record: DocumentRecord,
                doc: URIRef, letter: Letter) -> URIRef:
    covering = letter.kind == "covering"
    node = Minter.letter(doc, letter.kind)
    g.add((doc, KFOR.coveringLetter if covering else KFOR.annexLetter, node))
    for t in (KFOR.CoveringLetter if covering else KFOR.AnnexLetter, KFOR.Letter,
              SCHEMA.Message, UNDO.OfficialLetter):
        g.add((node, RDF.type, t))
    if letter.form == "note verbale":
        g.add((node, RDF.type, KFOR.NoteVerbale))
    g.add((node, DCTERMS.isPartOf, doc))
    if letter.date:
        g.add((node, SCHEMA.dateSent, date_literal(letter.date)))
    if letter.sender:
        g.add((node, SCHEMA.sender, post_node(shared, minter, letter.sender)))
    if letter.recipient:
        g.add((node, SCHEMA.recipient, post_node(shared, minter, letter.recipient)))
    if letter.original_language:
        g.add((node, KFOR.originalLanguage, LANG[letter.original_language]))
    if letter.signatory:
        _add_signatory(g, shared, minter, record, node, letter.signatory)
    for ev in letter.evidence:
        add_evidence(g, minter, record, node, ev)
    return node


def _add_signatory(g: Graph, shared: Graph, minter: Minter, record: DocumentRecord,
                   letter: URIRef, signatory: Signatory) -> None:
    person = person_node(shared, minter, signatory.name, signatory.surface)
    g.add((letter, KFOR.signatory, person))
    if signatory.office:
        # Who held the post when is told by the letters (signatory + signedAs),
        # not by org:heldBy on the shared post: that would tie every holder to
        # every document that names the post.
        g.add((letter, KFOR.signedAs, post_node(shared, minter, signatory.office)))
    add_evidence(g, minter, record, letter, signatory.evidence)


def _add_report(g: Graph, shared: Graph, minter: Minter, record: DocumentRecord,
                doc: URIRef) -> URIRef:
    report = record.report
    assert report is not None
    node = Minter.report(doc)
    g.add((doc, KFOR.enclosedReport, node))
    for t in (KFOR.Report, SCHEMA.Report, UNDO.ProgressReport):
        g.add((node, RDF.type, t))
    g.add((node, DCTERMS.isPartOf, doc))
    annex = record.letter("annex")
    if annex and annex.sender:
        # The report comes from whoever sends the letter that transmits it.
        g.add((node, SCHEMA.author, party_node(shared, minter, annex.sender.organization)))
    force = None
    if report.force:
        force = organization_node(shared, minter, report.force.key)
        g.add((node, SCHEMA.about, force))
        g.add((node, KFOR.aboutForce, force))
        if report.force.area:
            g.add((node, KFOR.missionArea, place_node(shared, minter, report.force.area)))
        add_evidence(g, minter, record, node, report.force.evidence)
    for ev in report.evidence:
        add_evidence(g, minter, record, node, ev)
    if report.period:
        g.add((node, KFOR.periodStart, date_literal(report.period.start)))
        g.add((node, KFOR.periodEnd, date_literal(report.period.end)))
        g.add((node, SCHEMA.temporalCoverage,
               Literal(f"{report.period.start.isoformat()}/{report.period.end.isoformat()}")))
        add_evidence(g, minter, record, node, report.period.evidence)
    if report.frequency:
        g.add((node, KFOR.frequency, KFOR[report.frequency.capitalize()]))
        add_evidence(g, minter, record, node, report.frequency_evidence)
    if report.total_incidents is not None:
        g.add((node, KFOR.totalIncidents, int_literal(report.total_incidents)))
    strength = report.troop_strength
    if strength:
        ts = Minter.troop_strength(node)
        g.add((node, KFOR.troopStrength, ts))
        g.add((ts, RDF.type, KFOR.TroopStrength))
        g.add((ts, RDF.type, SCHEMA.Observation))
        if force is not None:
            g.add((ts, SCHEMA.observationAbout, force))
        g.add((ts, KFOR.troops, int_literal(strength.troops)))
        g.add((ts, KFOR.approximate, Literal(strength.approximate)))
        if strength.as_at:
            g.add((ts, KFOR.asAt, date_literal(strength.as_at)))
        for prop, value in ((KFOR.nonNatoTroops, strength.non_nato_troops),
                            (KFOR.natoNations, strength.nato_nations),
                            (KFOR.nonNatoNations, strength.non_nato_nations)):
            if value is not None:
                g.add((ts, prop, int_literal(value)))
        for ev in strength.evidence:
            add_evidence(g, minter, record, ts, ev)
    for incident in report.incidents:
        category = minter.incident_category(incident.category)
        inc = Minter.incident_count(node, incident.category)
        g.add((node, KFOR.incidentCount, inc))
        g.add((inc, RDF.type, KFOR.IncidentCount))
        g.add((inc, RDF.type, SCHEMA.Observation))
        g.add((inc, KFOR.incidentCategory, category))
        g.add((inc, KFOR["count"], int_literal(incident.count)))
        shared.add((category, RDF.type, SKOS.Concept))
        # The label is the key's words, so "Drugs" and "drugs" in two reports give one label.
        label = slug(incident.category).replace("-", " ")
        shared.add((category, SKOS.prefLabel, Literal(label)))
        if incident.category != label:
            shared.add((category, SKOS.altLabel, Literal(incident.category)))
        add_evidence(g, minter, record, inc, incident.evidence)
    return node
