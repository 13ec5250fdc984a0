"""Link canonical entities to Wikidata: a reviewed alignment table, then a reconciler.

Every subject typed kfor:Person, kfor:Organization, kfor:Place, kfor:Resolution
(or org:Post, table only) is linked in this order:

1. the alignment table kfor_kg/data/wikidata-alignments.tsv (local key → QID);
2. a decision written by a person into the review file (a QID, or `none`);
3. the reconciler: labels and aliases looked up on a Wikidata SPARQL endpoint,
   candidates type-checked (kfor_kg/data/wikidata-types.toml) and, for people,
   date-checked against the reports that mention them. One confident candidate
   is linked; several plausible ones go to the review file.

A link adds `owl:sameAs` and `schema:sameAs` to `wd:Q…` and a provenance node
`{entity}/wikidata-link` (kfor:WikidataLink: item, method, score, note,
prov:wasDerivedFrom). See docs/linking.md.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from kfor_kg.rdf import export
from kfor_kg.errors import ConfigError
from kfor_kg.linking import reconcile
from kfor_kg.linking.reconcile import Candidate
from kfor_kg.linking.review import ReviewItem, read_review_file, write_review_file
from kfor_kg.linking.tables import TypeRule, load_alignments, load_type_rules
from kfor_kg.linking.wikidata import (
    DEFAULT_ENDPOINT,
    DEFAULT_MIN_INTERVAL,
    SparqlClient,
    default_cache_dir,
)
from kfor_kg.rdf.iris import Minter, entity_path, parse_resolution_key
from kfor_kg.rdf.vocab import DCTERMS, FOAF, KFOR, ORG, OWL, PROV, RDF, RDFS, SCHEMA, SKOS, WD
from kfor_kg.stores.http import DEFAULT_TIMEOUT, PROJECT_URL

__all__ = ["LinkOptions", "LinkReport", "Link", "Unmatched", "link_graph", "link_file",
           "METHODS"]

METHOD_TABLE = "alignment-table"
METHOD_RECONCILER = "reconciler"
METHOD_REVIEW = "review-decision"
METHODS = (METHOD_TABLE, METHOD_RECONCILER, METHOD_REVIEW)

SHIPPED_TABLE = URIRef(PROJECT_URL + "/blob/main/kfor_kg/data/wikidata-alignments.tsv")

_KINDS: dict[URIRef, str] = {KFOR.Person: "Person", KFOR.Organization: "Organization",
                             KFOR.Place: "Place", KFOR.Resolution: "Resolution",
                             ORG.Post: "Post"}

# Weight of a name of ours × weight of how it matched on Wikidata = candidate score.
_NAME_WEIGHTS = {SKOS.prefLabel: 1.0, FOAF.name: 1.0, RDFS.label: 1.0,
                 SKOS.altLabel: 0.8, KFOR.acronym: 0.8}


# --- options and results ---------------------------------------------------

@dataclass(frozen=True)
class LinkOptions:
    """How to link. Defaults: the public Wikidata endpoint, the user cache, table + reconciler.

    `review_file` None means the review items are only returned in the report.
    `cache_dir` None means default_cache_dir(); `use_cache=False` disables the cache.
    """

    endpoint: str = DEFAULT_ENDPOINT
    offline: bool = False
    reconcile: bool = True
    review_file: Path | None = None
    cache_dir: Path | None = None
    use_cache: bool = True
    language: str = "en"
    min_interval: float = DEFAULT_MIN_INTERVAL
    max_retries: int = 4
    timeout: float = DEFAULT_TIMEOUT
    batch_size: int = 40
    threshold: float = 0.85
    death_grace_years: float = 2.0
    table: Path | None = None
    types: Path | None = None


@dataclass(frozen=True)
class Link:
    """A link written to the graph."""

    entity: URIRef
    key: str
    qid: str
    method: str
    score: Decimal
    note: str
    matched: str | None = None


@dataclass(frozen=True)
class Unmatched:
    """An entity left without a link, and why."""

    key: str
    kind: str
    label: str
    reason: str


@dataclass
class LinkReport:
    """What link_graph did."""

    links: list[Link] = field(default_factory=list)
    review: list[ReviewItem] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    not_looked_up: list[str] = field(default_factory=list)   # offline cache misses
    requests: int = 0
    cache_hits: int = 0
    review_file: Path | None = None

    def count(self, method: str) -> int:
        """Number of links made by `method` (one of METHODS)."""
        return sum(1 for link in self.links if link.method == method)

    def summary(self) -> str:
        """One line for people: links by method, review, unmatched, requests."""
        text = (f"linked {len(self.links)} (table {self.count(METHOD_TABLE)}, "
                f"reconciler {self.count(METHOD_RECONCILER)}, "
                f"review decisions {self.count(METHOD_REVIEW)}); "
                f"{len(self.review)} sent to review")
        if self.review_file is not None and self.review:
            text += f" ({self.review_file})"
        text += f"; {len(self.unmatched)} unmatched"
        if self.not_looked_up:
            text += f"; {len(self.not_looked_up)} not looked up (offline, not in the cache)"
        return text + f"; {self.requests} requests, {self.cache_hits} answers from the cache"


# --- shipped data -----------------------------------------------------------

# --- the graph side -----------------------------------------------------------

@dataclass(frozen=True)
class _Entity:
    iri: URIRef
    kind: str
    key: str
    label: str
    names: tuple[tuple[Literal, float], ...]     # query literal, weight
    first_date: date | None


def _union(data: Graph) -> Graph:
    """A read view over every graph of a dataset (the graph itself when it is not one)."""
    if isinstance(data, Dataset):
        return Dataset(store=data.store, default_union=True)
    return data


def _as_date(value: Node) -> date | None:
    if isinstance(value, Literal):
        python = value.toPython()
        if isinstance(python, date):
            return python
        try:
            return date.fromisoformat(str(value)[:10])
        except ValueError:
            return None
    return None


def _first_report_dates(view: Graph) -> dict[Node, date]:
    """The earliest date of the documents that mention each entity or that it signed.

    A document's date is its dcterms:issued, else the latest schema:dateSent of its
    letters. Mentions are text spans `kfor:refersTo` the entity `kfor:inDocument` the
    document; signatures are letters `kfor:signatory` the person.
    """
    letters: dict[Node, list[date]] = defaultdict(list)
    for letter, sent in view.subject_objects(SCHEMA.dateSent):
        when = _as_date(sent)
        if when is not None:
            for doc in view.objects(letter, DCTERMS.isPartOf):
                letters[doc].append(when)
    doc_dates: dict[Node, date] = {doc: max(dates) for doc, dates in letters.items()}
    for doc, issued in view.subject_objects(DCTERMS.issued):
        when = _as_date(issued)
        if when is not None:
            doc_dates[doc] = when
    found: dict[Node, list[date]] = defaultdict(list)
    for span, entity in view.subject_objects(KFOR.refersTo):
        for doc in view.objects(span, KFOR.inDocument):
            if doc in doc_dates:
                found[entity].append(doc_dates[doc])
    for letter, person in view.subject_objects(KFOR.signatory):
        for sent in view.objects(letter, SCHEMA.dateSent):
            when = _as_date(sent)
            if when is not None:
                found[person].append(when)
    return {entity: min(dates) for entity, dates in found.items()}


def _entities(view: Graph, language: str) -> list[_Entity]:
    first_dates = _first_report_dates(view)
    found: dict[URIRef, _Entity] = {}
    for cls, kind in _KINDS.items():
        for iri in view.subjects(RDF.type, cls):
            if not isinstance(iri, URIRef) or iri in found:
                continue
            key = entity_path(iri) or str(iri)
            names = _resolution_symbols(view, iri, key) if kind == "Resolution" \
                else _names(view, iri, language)
            label = next((str(n) for n, w in names if w == 1.0), "") or \
                next((str(n) for n, _ in names), key)
            found[iri] = _Entity(iri, kind, key, label, tuple(names), first_dates.get(iri))
    return sorted(found.values(), key=lambda e: e.key)


def _names(view: Graph, iri: URIRef, language: str) -> list[tuple[Literal, float]]:
    weights: dict[Literal, float] = {}
    for prop, weight in _NAME_WEIGHTS.items():
        for value in view.objects(iri, prop):
            if not isinstance(value, Literal) or not str(value).strip():
                continue
            name = Literal(str(value), lang=value.language or language)
            weights[name] = max(weight, weights.get(name, 0.0))
    return sorted(weights.items(), key=lambda item: (-item[1], item[0].n3()))


def _resolution_symbols(view: Graph, iri: URIRef, key: str) -> list[tuple[Literal, float]]:
    """UN symbols to look up in wdt:P3069: the graph's own, then both usual spellings."""
    weights: dict[Literal, float] = {}
    for value in view.objects(iri, SCHEMA.legislationIdentifier):
        weights[Literal(str(value))] = 1.0
    number = next(iter(view.objects(iri, KFOR.resolutionNumber)), None)
    year = next(iter(view.objects(iri, KFOR.resolutionYear)), None)
    parsed = parse_resolution_key(key)
    if (number is None or year is None) and parsed and parsed[1] is not None:
        number, year = Literal(parsed[0]), Literal(parsed[1])
    if number is not None and year is not None:
        weights.setdefault(Literal(f"S/RES/{number} ({year})"), 1.0)
        weights.setdefault(Literal(f"S/RES/{number}({year})"), 0.95)
    return sorted(weights.items(), key=lambda item: (-item[1], item[0].n3()))


# --- writing links ----------------------------------------------------------------

def _remove_previous_links(data: Graph, view: Graph) -> None:
    """Drop the links an earlier run wrote, so that linking twice gives the same graph."""
    for entity, node in list(view.subject_objects(KFOR.wikidataLink)):
        for item in list(view.objects(node, KFOR.wikidataItem)):
            data.remove((entity, OWL.sameAs, item))
            data.remove((entity, SCHEMA.sameAs, item))
        data.remove((entity, KFOR.wikidataLink, node))
        data.remove((node, None, None))


def _target(data: Graph, entity: URIRef) -> Graph:
    """The graph holding the entity's type: its named graph in a dataset, else `data`."""
    if not isinstance(data, Dataset):
        return data
    names = sorted(str(ctx.identifier if isinstance(ctx, Graph) else ctx)
                   for cls in _KINDS for _s, _p, _o, ctx in data.quads((entity, RDF.type, cls)))
    if not names or names[0] == str(DATASET_DEFAULT_GRAPH_ID):
        return data.default_context
    return data.graph(URIRef(names[0]))


def _write_link(data: Graph, link: Link, source: URIRef | None) -> None:
    graph = _target(data, link.entity)
    item = WD[link.qid]
    node = Minter.wikidata_link(link.entity)
    graph.add((link.entity, OWL.sameAs, item))
    graph.add((link.entity, SCHEMA.sameAs, item))
    graph.add((link.entity, KFOR.wikidataLink, node))
    graph.add((node, RDF.type, KFOR.WikidataLink))
    graph.add((node, KFOR.wikidataItem, item))
    graph.add((node, KFOR.linkMethod, Literal(link.method)))
    graph.add((node, KFOR.linkScore, Literal(link.score)))
    graph.add((node, KFOR.linkNote, Literal(link.note)))
    if link.matched is not None:
        graph.add((node, KFOR.matchedLabel, Literal(link.matched)))
    if source is not None:
        graph.add((node, PROV.wasDerivedFrom, source))


def _score(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


# --- the whole run ------------------------------------------------------------------

def link_graph(data: Graph | Dataset, options: LinkOptions | None = None,
               client: SparqlClient | None = None) -> LinkReport:
    """Add Wikidata links to the canonical entities of `data`, in place.

    Links from an earlier run are replaced. With `options.review_file`, ambiguous
    entities are written there and its decisions are applied.

    Raises:
        ConfigError: a data file, the review file or an option is wrong.
        LinkError: the endpoint failed (after retries) or the cache cannot be written.
    """
    options = options or LinkOptions()
    if options.batch_size < 1 or not 0 < options.threshold <= 1:
        raise ConfigError("batch_size must be >= 1 and threshold in (0, 1]")
    if not reconcile.is_language_tag(options.language):
        raise ConfigError(f"{options.language!r} is not a language tag such as 'en'")
    table = load_alignments(options.table)
    rules = load_type_rules(options.types)
    table_source = SHIPPED_TABLE if options.table is None else URIRef(
        options.table.resolve().as_uri())
    decisions = read_review_file(options.review_file) if options.review_file else {}
    view = _union(data)
    _remove_previous_links(data, view)
    entities = _entities(view, options.language)

    report = LinkReport(review_file=options.review_file)
    pending: list[_Entity] = []
    for entity in entities:
        row = table.get(entity.key)
        if row is not None:
            report.links.append(Link(entity.iri, entity.key, row.qid, METHOD_TABLE,
                                     _score(1.0), f"verified: {row.verified}"))
        elif entity.key in decisions:
            qid = decisions[entity.key]
            if qid is None:
                report.unmatched.append(Unmatched(entity.key, entity.kind, entity.label,
                                                  "declined in the review file"))
            else:
                note = f"decided by a reviewer in {options.review_file.name}"  # type: ignore[union-attr]
                report.links.append(Link(entity.iri, entity.key, qid, METHOD_REVIEW,
                                         _score(1.0), note))
        elif options.reconcile and entity.kind in rules and entity.names:
            pending.append(entity)
        else:
            reason = "no names to look up" if entity.kind in rules else \
                "not in the alignment table (the reconciler does not handle this type)"
            report.unmatched.append(Unmatched(entity.key, entity.kind, entity.label, reason))

    if pending:
        if client is None:
            cache = (options.cache_dir or default_cache_dir()) if options.use_cache else None
            client = SparqlClient(options.endpoint, cache_dir=cache, offline=options.offline,
                                  min_interval=options.min_interval,
                                  max_retries=options.max_retries, timeout=options.timeout)
        _reconcile(pending, rules, client, options, report)
        report.requests = client.stats.requests
        report.cache_hits = client.stats.cache_hits

    sources = {METHOD_TABLE: table_source, METHOD_REVIEW: None,
               METHOD_RECONCILER: URIRef(client.endpoint) if client else None}
    for link in report.links:
        _write_link(data, link, sources[link.method])
    report.links.sort(key=lambda link: link.key)
    report.unmatched.sort(key=lambda item: item.key)
    if options.review_file is not None:
        looked_at = {e.key for e in pending if e.key not in report.not_looked_up}
        write_review_file(options.review_file, report.review, looked_at)
    return report


def _reconcile(pending: list[_Entity], rules: dict[str, TypeRule], client: SparqlClient,
               options: LinkOptions, report: LinkReport) -> None:
    for kind in sorted({entity.kind for entity in pending}):
        rule = rules[kind]
        group = [entity for entity in pending if entity.kind == kind]
        names = sorted({name for entity in group for name, _w in entity.names},
                       key=lambda name: name.n3())
        rejected: dict[Literal, str] = {}
        answers = reconcile.lookup(names, rule, client, options.language, options.batch_size,
                                   rejected)
        for entity in group:
            if any(answers.get(name) is None for name, _w in entity.names):
                report.not_looked_up.append(entity.key)
                continue
            found = reconcile.candidates(entity.names, entity.first_date, rule, answers,
                                         options.death_grace_years)
            refused = [name for name, _w in entity.names if name in rejected]
            if refused and not found:
                # One entity the endpoint cannot look up never stops the others.
                report.unmatched.append(Unmatched(
                    entity.key, entity.kind, entity.label,
                    f"the endpoint rejected the lookup of {str(refused[0])!r}: "
                    f"{rejected[refused[0]]}"))
                continue
            _decide(entity, rule, found, options, report)


def _decide(entity: _Entity, rule: TypeRule, candidates: list[Candidate], options: LinkOptions,
            report: LinkReport) -> None:
    accepted = [c for c in candidates if c.typed and c.dates_ok]
    confident = [c for c in accepted if c.score >= options.threshold]
    if len(confident) == 1:
        best = confident[0]
        checks = "type checked"
        if rule.dates and entity.first_date is not None:
            checks += f", dates fit {entity.first_date.isoformat()}"
        described = f"{best.label} — {best.description}" if best.description else best.label
        note = f"{best.via} match of {best.matched!r}; {checks}; Wikidata: {described}"
        report.links.append(Link(entity.iri, entity.key, best.qid, METHOD_RECONCILER,
                                 _score(best.score), note, best.matched))
    elif accepted:
        report.review.append(ReviewItem(entity.key, entity.kind, entity.label,
                                        entity.first_date, tuple(accepted)))
    else:
        if not candidates:
            reason = "no Wikidata item has this label or alias"
        elif not any(c.typed for c in candidates):
            reason = "candidates of the wrong type: " + ", ".join(c.qid for c in candidates)
        else:
            reason = "candidates' dates do not fit the reports: " + ", ".join(
                c.qid for c in candidates if c.typed)
        report.unmatched.append(Unmatched(entity.key, entity.kind, entity.label, reason))


def link_file(graph: Path, output: Path | None = None, options: LinkOptions | None = None,
              client: SparqlClient | None = None) -> LinkReport:
    """Read `graph`, link it, write `output` (default: `graph` itself) atomically.

    The format follows each file's extension (kfor_kg.rdf.export); named graphs survive
    in TriG and N-Quads.

    Raises:
        ConfigError, IngestError: a file cannot be read or written.
        LinkError: as link_graph.
    """
    data = export.read(graph)
    report = link_graph(data, options, client)
    export.write(data, output or graph)
    return report
