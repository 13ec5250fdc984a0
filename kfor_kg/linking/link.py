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

import csv
import io
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from kfor_kg.rdf import export
from kfor_kg.errors import ConfigError
from kfor_kg.rdf.iris import Minter, entity_path, is_entity_path, parse_resolution_key
from kfor_kg.rdf.vocab import DCTERMS, FOAF, KFOR, ORG, OWL, PROV, RDF, RDFS, SCHEMA, SKOS, WD
from kfor_kg.resources import data_file
from kfor_kg.files import write_atomic
from kfor_kg.linking.wikidata import DEFAULT_ENDPOINT, SparqlClient, default_cache_dir
from kfor_kg.stores.http import DEFAULT_TIMEOUT, PROJECT_URL
from kfor_kg.stores.sparql import Row

__all__ = ["LinkOptions", "LinkReport", "Link", "Candidate", "ReviewItem", "Unmatched",
           "Alignment", "TypeRule", "link_graph", "link_file", "load_alignments",
           "load_type_rules", "read_review_file", "reconcile_query", "sparql_literal", "METHODS"]

METHOD_TABLE = "alignment-table"
METHOD_RECONCILER = "reconciler"
METHOD_REVIEW = "review-decision"
METHODS = (METHOD_TABLE, METHOD_RECONCILER, METHOD_REVIEW)

SHIPPED_TABLE = URIRef(PROJECT_URL + "/blob/main/kfor_kg/data/wikidata-alignments.tsv")

_KINDS: dict[URIRef, str] = {KFOR.Person: "Person", KFOR.Organization: "Organization",
                             KFOR.Place: "Place", KFOR.Resolution: "Resolution",
                             ORG.Post: "Post"}
_QID = re.compile(r"^Q[1-9][0-9]*$")
_LANGUAGE = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
_WIKIDATA_DATE = re.compile(r"^(-?)(\d+)-(\d\d)-(\d\d)")

# Weight of a name of ours × weight of how it matched on Wikidata = candidate score.
_NAME_WEIGHTS = {SKOS.prefLabel: 1.0, FOAF.name: 1.0, RDFS.label: 1.0,
                 SKOS.altLabel: 0.8, KFOR.acronym: 0.8}
_VIA_WEIGHTS = {"label": 1.0, "alias": 0.9, "symbol": 1.0}

REVIEW_COLUMNS = ("entity", "type", "label", "first_report_date", "candidates", "decision")
_DECLINE = {"none", "no", "reject", "rejected", "no-match"}


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
    min_interval: float = 1.0
    max_retries: int = 4
    timeout: float = DEFAULT_TIMEOUT
    batch_size: int = 40
    threshold: float = 0.85
    death_grace_years: float = 2.0
    table: Path | None = None
    types: Path | None = None


@dataclass(frozen=True)
class Candidate:
    """A Wikidata item found for an entity, with what the checks said."""

    qid: str
    label: str
    description: str
    score: float
    matched: str            # the name of ours that matched
    via: str                # "label", "alias" or "symbol"
    typed: bool             # passes the type check
    dates_ok: bool          # passes the date check (True when not checked)
    birth: date | None = None
    death: date | None = None

    def summary(self) -> str:
        """One line for the review file: QID, label, description, dates, score."""
        text = f"{self.qid}: {self.label or '(no label)'}"
        if self.description:
            text += f" — {self.description}"
        life = [f"born {self.birth.isoformat()}" if self.birth else "",
                f"died {self.death.isoformat()}" if self.death else ""]
        if any(life):
            text += " (" + ", ".join(part for part in life if part) + ")"
        return text + f" [score {self.score:.2f}]"


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
class ReviewItem:
    """An entity with several plausible candidates, left for a person to decide."""

    key: str
    kind: str
    label: str
    first_date: date | None
    candidates: tuple[Candidate, ...]


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

@dataclass(frozen=True)
class Alignment:
    """A reviewed row of the alignment table."""

    key: str
    qid: str
    label: str
    verified: str


def load_alignments(path: Path | None = None) -> dict[str, Alignment]:
    """The alignment table (default: the shipped one), by local key.

    Raises:
        ConfigError: the file is missing or a row is malformed or repeated.
    """
    path = path or data_file("wikidata-alignments.tsv")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the alignment table {path}: "
                          f"{exc.strerror or exc}") from exc
    table: dict[str, Alignment] = {}
    header_seen = False
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if not header_seen:
            header_seen = True
            if cells == ["key", "qid", "label", "verified"]:
                continue
        where = f"{path}:{number}"
        if len(cells) != 4 or not all(cell.strip() for cell in cells):
            raise ConfigError(f"{where}: expected 4 tab-separated cells "
                              "(key, qid, label, verified), all non-empty")
        key, qid, label, verified = (cell.strip() for cell in cells)
        if not is_entity_path(key):
            raise ConfigError(f"{where}: key {key!r} is not an entity path such as "
                              "'person/jens-stoltenberg' or 'post/united-nations/secretary-general'")
        if not _QID.match(qid):
            raise ConfigError(f"{where}: {qid!r} is not a Wikidata item ID (Q123)")
        if key in table:
            raise ConfigError(f"{where}: key {key!r} appears twice")
        table[key] = Alignment(key, qid, label, verified)
    return table


@dataclass(frozen=True)
class TypeRule:
    """Which Wikidata items are acceptable for one kind of entity."""

    kind: str
    instance_of: tuple[str, ...] = ()
    class_labels: tuple[str, ...] = ()
    subclasses: bool = False
    dates: bool = False


def load_type_rules(path: Path | None = None) -> dict[str, TypeRule]:
    """The accepted Wikidata types per entity kind (default: the shipped TOML).

    Raises:
        ConfigError: the file is missing, not TOML, or names an unknown kind or a bad QID.
    """
    path = path or data_file("wikidata-types.toml")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    rules: dict[str, TypeRule] = {}
    for kind, table in data.items():
        if kind not in ("Person", "Organization", "Place", "Resolution") \
                or not isinstance(table, dict):
            raise ConfigError(f"{path}: unknown section [{kind}]; use Person, Organization, "
                              "Place or Resolution")
        unknown = set(table) - {"instance_of", "class_labels", "subclasses", "dates"}
        if unknown:
            raise ConfigError(f"{path}: [{kind}] has unknown keys {sorted(unknown)}")
        qids = tuple(table.get("instance_of", ()))
        labels = tuple(table.get("class_labels", ()))
        bad = [q for q in qids if not isinstance(q, str) or not _QID.match(q)]
        if bad or not all(isinstance(label, str) and label for label in labels):
            raise ConfigError(f"{path}: [{kind}] instance_of must list QIDs (Q5) and "
                              "class_labels non-empty strings")
        if not qids and not labels:
            raise ConfigError(f"{path}: [{kind}] accepts no type; give instance_of or "
                              "class_labels")
        rules[kind] = TypeRule(kind, qids, labels, bool(table.get("subclasses", False)),
                               bool(table.get("dates", False)))
    return rules


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


# --- queries ------------------------------------------------------------------

_PREFIXES = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
"""


def _type_test(rule: TypeRule) -> str:
    path = "wdt:P31/wdt:P279*" if rule.subclasses else "wdt:P31"
    tests = []
    if rule.instance_of:
        classes = " ".join(f"wd:{qid}" for qid in rule.instance_of)  # validated QIDs
        tests.append(f"EXISTS {{ ?item {path} ?class . VALUES ?class {{ {classes} }} }}")
    if rule.class_labels:
        labels = " ".join(sparql_literal(Literal(label, lang="en")) for label in rule.class_labels)
        tests.append(f"EXISTS {{ ?item {path} ?class . ?class rdfs:label ?classLabel . "
                     f"VALUES ?classLabel {{ {labels} }} }}")
    return " || ".join(tests) or "true"


def sparql_literal(literal: Literal) -> str:
    r"""`literal` in SPARQL syntax: rdflib's escaped N3 form, safe for every parser.

    Some SPARQL parsers (rdflib's among them) expand `\uXXXX` codepoint escapes in
    the whole query text before parsing, so an escaped backslash followed by `u`
    would turn into another escape. The `u` (or `U`) after an escaped backslash is
    therefore itself written as an eight-digit codepoint escape, which every parser
    reads as the same letter (rdflib misreads a four-digit one followed by hex digits).

    >>> print(sparql_literal(Literal('C:\\users "x"', lang="en")))
    "C:\\\U00000075sers \"x\""@en
    """
    text = literal.n3()
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            pair = text[index:index + 2]
            out.append(pair)
            index += 2
            if pair == "\\\\" and index < len(text) and text[index] in "uU":
                out.append("\\U00000075" if text[index] == "u" else "\\U00000055")
                index += 1
            continue
        out.append(char)
        index += 1
    return "".join(out)


def reconcile_query(names: Sequence[Literal], rule: TypeRule, language: str = "en") -> str:
    r"""The SELECT query looking up `names` for entities of `rule.kind`.

    Names enter the query only as literals serialized by `sparql_literal` (quotes,
    backslashes and newlines escaped) inside a VALUES block, so no name can end
    the literal or change the query. People and the like are matched on
    rdfs:label and skos:altLabel in the name's language; resolutions on their UN
    symbol (wdt:P3069). Each row says whether the item passes the type check.

    >>> q = reconcile_query([Literal('Robert "Bob" } DROP ALL {', lang="en")],
    ...                     TypeRule("Person", ("Q5",)))
    >>> '"Robert \\"Bob\\" } DROP ALL {"@en' in q
    True

    Raises:
        ConfigError: `language` is not a language tag.
    """
    if not _LANGUAGE.match(language):
        raise ConfigError(f"{language!r} is not a language tag such as 'en'")
    lang = sparql_literal(Literal(language))
    values = "\n    ".join(sparql_literal(name) for name in names)
    if rule.kind == "Resolution":
        match = "?item wdt:P3069 ?name . BIND(\"symbol\" AS ?via)"
    else:
        match = ("{ ?item rdfs:label ?name . BIND(\"label\" AS ?via) }\n  UNION\n"
                 "  { ?item skos:altLabel ?name . BIND(\"alias\" AS ?via) }")
    dates = ""
    variables = "?name ?item ?via ?label ?description ?typed"
    if rule.dates:
        dates = ("  OPTIONAL { ?item wdt:P569 ?birth }\n"
                 "  OPTIONAL { ?item wdt:P570 ?death }\n")
        variables += " ?birth ?death"
    return (f"{_PREFIXES}SELECT {variables} WHERE {{\n"
            f"  VALUES ?name {{\n    {values}\n  }}\n"
            f"  {match}\n"
            f"  FILTER(STRSTARTS(STR(?item), \"http://www.wikidata.org/entity/Q\"))\n"
            f"  OPTIONAL {{ ?item rdfs:label ?label . FILTER(LANG(?label) = {lang}) }}\n"
            f"  OPTIONAL {{ ?item schema:description ?description . "
            f"FILTER(LANG(?description) = {lang}) }}\n"
            f"{dates}"
            f"  BIND({_type_test(rule)} AS ?typed)\n"
            f"}}\n")


def _text(row: Row, name: str) -> str:
    """The string of a result cell; empty when unbound."""
    value = row.get(name)
    return "" if value is None else str(value)


def _wikidata_date(value: Node | None) -> date | None:
    """A Wikidata time value as a date; year-precision values have month and day 01."""
    if not isinstance(value, Literal):
        return None
    match = _WIKIDATA_DATE.match(str(value))
    if not match:
        return None
    sign, year, month, day = match.groups()
    if sign or int(year) < 1:
        return date.min
    if int(year) > 9999:
        return date.max
    try:
        return date(int(year), max(1, int(month)), max(1, int(day)))
    except ValueError:
        return None


def _lookup(names: list[Literal], rule: TypeRule, client: SparqlClient, options: LinkOptions,
            ) -> dict[Literal, list[Row] | None]:
    """Rows per name: from the per-name cache, else from batched queries (None offline)."""
    answers: dict[Literal, list[Row] | None] = {}
    missing: list[Literal] = []
    for name in names:
        rows = client.cached(reconcile_query([name], rule, options.language))
        answers[name] = rows
        if rows is None:
            missing.append(name)
    if client.offline:
        return answers
    for start in range(0, len(missing), options.batch_size):
        batch = missing[start:start + options.batch_size]
        rows = client.fetch(reconcile_query(batch, rule, options.language))
        by_name: dict[Literal, list[Row]] = {name: [] for name in batch}
        for row in rows:
            term = row.get("name")
            if isinstance(term, Literal):  # as sent: language-tagged or plain, no datatype
                sent = Literal(str(term), lang=term.language) if term.language else Literal(str(term))
                if sent in by_name:
                    by_name[sent].append(row)
        for name in batch:
            # Cached under the one-name query, so a later run with other batches reuses it.
            client.store(reconcile_query([name], rule, options.language), by_name[name])
            answers[name] = by_name[name]
    return answers


@dataclass
class _Found:
    """What the rows say about one item, gathered over all names of an entity."""

    score: float = -1.0
    matched: str = ""
    via: str = ""
    label: str = ""
    description: str = ""
    typed: bool = False
    births: list[date] = field(default_factory=list)
    deaths: list[date] = field(default_factory=list)


def _candidates(entity: _Entity, rule: TypeRule, answers: dict[Literal, list[Row] | None],
                grace_years: float) -> list[Candidate]:
    found: dict[str, _Found] = {}
    for name, weight in entity.names:
        for row in answers.get(name) or ():
            item = row.get("item")
            qid = str(item).rsplit("/", 1)[-1]
            if not isinstance(item, URIRef) or not _QID.match(qid):
                continue
            via = _text(row, "via")
            score = round(weight * _VIA_WEIGHTS.get(via, 0.0), 4)
            entry = found.setdefault(qid, _Found())
            if score > entry.score:
                entry.score, entry.matched, entry.via = score, str(name), via
            entry.label = entry.label or _text(row, "label")
            entry.description = entry.description or _text(row, "description")
            entry.typed = entry.typed or _text(row, "typed") in ("true", "1")
            for when, bucket in ((_wikidata_date(row.get("birth")), entry.births),
                                 (_wikidata_date(row.get("death")), entry.deaths)):
                if when is not None:
                    bucket.append(when)
    result = []
    for qid, entry in found.items():
        # Several values: take the most lenient (earliest birth, latest death).
        birth = min(entry.births, default=None)
        death = max(entry.deaths, default=None)
        dates_ok = True
        if rule.dates and entity.first_date is not None:
            earliest_death = entity.first_date - timedelta(days=round(365.25 * grace_years))
            dates_ok = ((birth is None or birth < entity.first_date)
                        and (death is None or death >= earliest_death))
        result.append(Candidate(qid, entry.label, entry.description, entry.score,
                                entry.matched, entry.via, entry.typed, dates_ok, birth, death))
    return sorted(result, key=lambda c: (-c.score, int(c.qid[1:])))


# --- review file ----------------------------------------------------------------

def read_review_file(path: Path) -> dict[str, str | None]:
    """Decisions in a review file, by entity key: a QID, or None for "no link".

    Rows without a decision are left out.

    Raises:
        ConfigError: the file cannot be read, lacks the entity/decision columns, or a
            decision is neither a QID nor 'none'.
    """
    decisions: dict[str, str | None] = {}
    for number, row in _review_rows(path):
        decision = (row.get("decision") or "").strip()
        if not decision:
            continue
        qid = decision.rsplit("/", 1)[-1].removeprefix("wd:")
        if _QID.match(qid):
            decisions[row["entity"]] = qid
        elif decision.lower() in _DECLINE:
            decisions[row["entity"]] = None
        else:
            raise ConfigError(f"{path}:{number}: decision {decision!r} for {row['entity']} is "
                              "neither a Wikidata ID (Q123) nor 'none'")
    return decisions


def _review_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    if not path.is_file():
        return
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the review file {path}: {exc}") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames is None or not {"entity", "decision"} <= set(reader.fieldnames):
        raise ConfigError(f"{path} is not a kfor-kg review file: it needs the columns "
                          f"{', '.join(REVIEW_COLUMNS)}")
    for row in reader:
        if row.get("entity"):
            yield reader.line_num, {k: v or "" for k, v in row.items() if k is not None}


def _write_review_file(path: Path, review: list[ReviewItem], settled: set[str]) -> None:
    """Rewrite the review file: decided rows and rows of entities not looked at now stay,
    undecided rows of entities that no longer need review go, this run's items are added."""
    rows: dict[str, dict[str, str]] = {}
    for _number, row in _review_rows(path):
        if row.get("decision", "").strip() or row["entity"] not in settled:
            rows[row["entity"]] = {column: row.get(column, "") for column in REVIEW_COLUMNS}
    for item in review:
        decision = rows.get(item.key, {}).get("decision", "")
        rows[item.key] = {
            "entity": item.key, "type": item.kind, "label": item.label,
            "first_report_date": item.first_date.isoformat() if item.first_date else "",
            "candidates": "\n".join(c.summary() for c in item.candidates),
            "decision": decision,
        }
    if not rows and not path.exists():
        return
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=REVIEW_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for key in sorted(rows):
        writer.writerow(rows[key])
    try:
        write_atomic(path, buffer.getvalue(), make_parents=True)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from exc


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
    if not _LANGUAGE.match(options.language):
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
        _write_review_file(options.review_file, report.review, looked_at)
    return report


def _reconcile(pending: list[_Entity], rules: dict[str, TypeRule], client: SparqlClient,
               options: LinkOptions, report: LinkReport) -> None:
    for kind in sorted({entity.kind for entity in pending}):
        rule = rules[kind]
        group = [entity for entity in pending if entity.kind == kind]
        names = sorted({name for entity in group for name, _w in entity.names},
                       key=lambda name: name.n3())
        answers = _lookup(names, rule, client, options)
        for entity in group:
            if any(answers.get(name) is None for name, _w in entity.names):
                report.not_looked_up.append(entity.key)
                continue
            _decide(entity, rule, _candidates(entity, rule, answers, options.death_grace_years),
                    options, report)


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
