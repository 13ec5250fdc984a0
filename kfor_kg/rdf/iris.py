"""Every IRI kfor-kg mints or reads back, in one place (the scheme of docs/model.md).

Minting goes through `Minter` (one per base); reading an IRI back (which
document a node belongs to, which entity an IRI names) goes through the
module-level parsers below, so no other module builds or splits an IRI by hand.

Layout under the base `{base}`:

- `doc/{key}` a document; its own nodes are `doc/{key}/...`, its named graph
  `doc/{key}/graph`;
- `person/{key}`, `organization/{key}`, `place/{key}`, `resolution/{key}` the
  canonical entities; `post/{organization}/{role}`, `role/{role}`,
  `incident-category/{slug}` the other shared nodes;
- `graph/shared`, `graph/ontology`, `graph/corpus-links` the graphs that are
  not one document's;
- `build/{digest}` the build activity, `software/{name}/{version}` what it used.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from anyascii import anyascii
from rdflib import Namespace, URIRef

from kfor_kg.errors import ConfigError
from kfor_kg.rdf.vocab import DEFAULT_BASE

__all__ = ["ascii_fold", "slug", "check_base", "Minter", "DOCUMENT_GRAPH_SUFFIX", "symbol_key",
           "document_key", "resolution_key", "parse_resolution_key", "parse_document", "document_of",
           "document_of_graph", "entity_path", "is_entity_path", "entity_kind_and_key"]

# The path segment of each kind of entity.
_ENTITY_PATHS = {"Person": "person", "Organization": "organization", "Place": "place",
                 "Resolution": "resolution"}
_PATH_KINDS = {path: kind for kind, path in _ENTITY_PATHS.items()}

DOCUMENT_GRAPH_SUFFIX = "/graph"
"""What a document's IRI is followed by to name its graph."""

_DOCUMENT = re.compile(r"(?P<base>.+?[/#])doc/(?P<key>[^/#]+)")
# Greedy: the last "doc/" segment, so a base that itself holds one still parses.
_UNDER_DOCUMENT = re.compile(r"(?P<doc>.+[/#]doc/[^/#]+)(?:[/#].*)?")
_ENTITY_PATH = re.compile(r"(?:person|organization|place|resolution)/[a-z0-9-]+"
                          r"|post/[a-z0-9-]+/[a-z0-9-]+")
_ENTITY_TAIL = re.compile(r"[/#](?P<path>(?P<dir>person|organization|place|resolution)/"
                          r"(?P<key>[^/#]+)|post/[^/#]+/[^/#]+)\Z")
_RESOLUTION_KEY = re.compile(r"(?P<number>\d+)(?:-(?P<year>\d{4}))?")


def ascii_fold(text: str) -> str:
    """`text` in ASCII: every script transliterated (anyascii), no letter dropped.

    Letters without a decomposition are transliterated too ("Đ" → "D", "Ł" →
    "L", "Ø" → "O"), and so are Cyrillic and Greek ("Вучић" → "Vucic").

    >>> ascii_fold("Đurić"), ascii_fold("Łódź"), ascii_fold("Вучић"), ascii_fold("Σαμαράς")
    ('Duric', 'Lodz', 'Vucic', 'Samaras')
    """
    return anyascii(unicodedata.normalize("NFC", text).translate(_SERBIAN_LATIN))


# Cyrillic to Gaj's Latin alphabet (the official Serbian Latin script) before
# anyascii, so Serbian names come out as the reports spell them ("Vučić" →
# "Vucic", not "Vuchic"); Cyrillic letters Serbian lacks go to anyascii.
_SERBIAN_LATIN = str.maketrans({
    **dict(zip("абвгдежзијклмнопрстуфхцчш", "abvgdežzijklmnoprstufhcčš")),
    **dict(zip("АБВГДЕЖЗИЈКЛМНОПРСТУФХЦЧШ", "ABVGDEŽZIJKLMNOPRSTUFHCČŠ")),
    "ђ": "đ", "Ђ": "Đ", "ћ": "ć", "Ћ": "Ć", "љ": "lj", "Љ": "Lj", "њ": "nj", "Њ": "Nj",
    "џ": "dž", "Џ": "Dž"})


def slug(text: str) -> str:
    """Lowercase ASCII slug: every script transliterated, other characters to hyphens.

    A text without a letter or digit in any script slugs to "x".

    >>> slug("Hashim Thaçi"), slug("Đakovica"), slug("Ørsted")
    ('hashim-thaci', 'dakovica', 'orsted')
    """
    return re.sub(r"[^a-z0-9]+", "-", ascii_fold(text).lower()).strip("-") or "x"


def symbol_key(symbol: str) -> str:
    """The document key of a UN symbol.

    >>> symbol_key("S/2007/652")
    'S-2007-652'
    """
    return symbol.replace("/", "-")


def document_key(symbol: str | None, letter_date: dt.date | None, file_stem: str, *,
                 sender: str | None = None, annex_date: dt.date | None = None,
                 issued: dt.date | None = None,
                 period: tuple[dt.date, dt.date] | None = None) -> str:
    """A document's key: its UN symbol; else `letter-{date}` of its covering letter (with
    `-{sender}` when the sender is not the United Nations); else `annex-letter-{date}` of
    the transmitted letter; else `issued-{date}`; else `report-{start}-{end}` of its
    period. The slug of the file name only when no date is known.

    >>> document_key("S/2007/652", None, "x"), document_key(None, dt.date(2025, 6, 16), "x")
    ('S-2007-652', 'letter-2025-06-16')
    >>> document_key(None, None, "My File", annex_date=dt.date(2000, 3, 6))
    'annex-letter-2000-03-06'
    """
    if symbol:
        return symbol_key(symbol)
    if letter_date:
        tail = f"-{slug(sender)}" if sender and sender != "united-nations" else ""
        return f"letter-{letter_date.isoformat()}{tail}"
    if annex_date:
        return f"annex-letter-{annex_date.isoformat()}"
    if issued:
        return f"issued-{issued.isoformat()}"
    if period:
        return f"report-{period[0].isoformat()}-{period[1].isoformat()}"
    return slug(file_stem)


def resolution_key(number: int, year: int | None) -> str:
    """The key of Security Council resolution `number` of `year` (year unknown: the number).

    >>> resolution_key(1244, 1999), resolution_key(1244, None)
    ('1244-1999', '1244')
    """
    return f"{number}-{year}" if year else str(number)


def parse_resolution_key(key: str) -> tuple[int, int | None] | None:
    """(number, year) of a resolution key or entity path; None if it is not one.

    >>> parse_resolution_key("resolution/1244-1999"), parse_resolution_key("1244")
    ((1244, 1999), (1244, None))
    """
    match = _RESOLUTION_KEY.fullmatch(key.rsplit("/", 1)[-1])
    if match is None:
        return None
    year = match["year"]
    return int(match["number"]), int(year) if year else None


# An absolute IRI: a scheme, then none of the characters an IRI may not hold (RFC 3987).
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|\\^`\x7f]+")


def check_base(base: str) -> str:
    """`base` if every IRI can be minted under it: an absolute IRI such as DEFAULT_BASE.

    >>> check_base("not a url")
    Traceback (most recent call last):
    ...
    kfor_kg.errors.ConfigError: [K001] the base IRI 'not a url' is not an absolute IRI (such as https://w3id.org/kfor-kg/id/)

    Raises:
        ConfigError: no scheme, or a space, quote, angle bracket or other character
            an IRI may not hold.
    """
    if not _ABSOLUTE_IRI.fullmatch(base):
        raise ConfigError(f"the base IRI {base!r} is not an absolute IRI (such as {DEFAULT_BASE})")
    return base


class Minter:
    """Mints the stable IRIs of docs/model.md under one base.

    Nodes that belong to a document are minted from the document's IRI, so
    those are static methods; shared nodes and graphs need the base.

    >>> Minter("https://example.org/").entity("Person", "jens-stoltenberg")
    rdflib.term.URIRef('https://example.org/person/jens-stoltenberg')
    """

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        check_base(base)
        self.base = base if base.endswith(("/", "#")) else base + "/"
        self.ns = Namespace(self.base)

    def _iri(self, path: str) -> URIRef:
        return URIRef(self.base + path)

    # --- graphs -------------------------------------------------------------

    def shared_graph(self) -> URIRef:
        """The graph of the nodes documents share (entities, posts, roles, categories)."""
        return self._iri("graph/shared")

    def ontology_graph(self) -> URIRef:
        """The graph holding the ontology in a store."""
        return self._iri("graph/ontology")

    def corpus_links_graph(self) -> URIRef:
        """The graph of links the corpus step draws between documents' entities."""
        return self._iri("graph/corpus-links")

    @staticmethod
    def document_graph(doc: URIRef) -> URIRef:
        """The named graph of document `doc`."""
        return URIRef(f"{doc}{DOCUMENT_GRAPH_SUFFIX}")

    # --- documents and their parts --------------------------------------------

    @property
    def documents_prefix(self) -> str:
        """What every document IRI under this base starts with."""
        return self.base + "doc/"

    def document(self, key: str) -> URIRef:
        """The document with key `key` (its UN symbol with '-' for '/', or letter-{date})."""
        return self._iri(f"doc/{key}")

    @staticmethod
    def source(doc: URIRef) -> URIRef:
        """The source text (file) of a document."""
        return URIRef(f"{doc}/source")

    @staticmethod
    def letter(doc: URIRef, kind: str) -> URIRef:
        """The document's covering letter (`kind` "covering") or annex letter ("annex")."""
        return URIRef(f"{doc}/letter" if kind == "covering" else f"{doc}/{kind}-letter")

    @staticmethod
    def report(doc: URIRef) -> URIRef:
        return URIRef(f"{doc}/report")

    @staticmethod
    def troop_strength(report: URIRef) -> URIRef:
        return URIRef(f"{report}/troop-strength")

    @staticmethod
    def incident_count(report: URIRef, category: str) -> URIRef:
        """The count of incidents of `category` (its label) in a report."""
        return URIRef(f"{report}/incidents/{slug(category)}")

    @staticmethod
    def paragraph(doc: URIRef, number: int) -> URIRef:
        """Numbered paragraph `number` of a document's report."""
        return URIRef(f"{doc}/paragraph/{number}")

    @staticmethod
    def span(doc: URIRef, start: int, end: int) -> URIRef:
        """The text span [start, end) of a document's original file."""
        return URIRef(f"{doc}/span/{start}-{end}")

    @staticmethod
    def selector(span: URIRef, kind: str) -> URIRef:
        """A span's "position" or "quote" selector."""
        return URIRef(f"{span}/{kind}")

    @staticmethod
    def event(doc: URIRef, event_type: str, start: int) -> URIRef:
        """The event of `event_type` whose trigger starts at original offset `start`."""
        return URIRef(f"{doc}/event/{event_type}-{start}")

    @staticmethod
    def participation(event: URIRef, start: int) -> URIRef:
        """The part in `event` of the participant whose words start at original offset `start`."""
        return URIRef(f"{event}/participation/{start}")

    @staticmethod
    def post_holding(doc: URIRef, start: int, role: str) -> URIRef:
        """A post held as the document states it at original offset `start`."""
        return URIRef(f"{doc}/post-holding/{start}-{slug(role)}")

    # --- shared nodes ---------------------------------------------------------

    def entity(self, kind: str, key: str) -> URIRef:
        """The canonical entity of `kind` (Person, Organization, Place, Resolution) with key `key`."""
        return self._iri(f"{_ENTITY_PATHS[kind]}/{key}")

    def post(self, organization_key: str, role: str) -> URIRef:
        return self._iri(f"post/{slug(organization_key)}/{slug(role)}")

    def role(self, role: str) -> URIRef:
        return self._iri(f"role/{slug(role)}")

    def incident_category(self, label: str) -> URIRef:
        return self._iri(f"incident-category/{slug(label)}")

    # --- provenance of a build (rdf/provenance.py) ------------------------------

    def build_activity(self, digest: str) -> URIRef:
        """The build activity identified by `digest` (of the versions that made the graph)."""
        return self._iri(f"build/{digest}")

    def software(self, name: str, version: str) -> URIRef:
        """A version of a program, spaCy pipeline or rule set that a build used."""
        return self._iri(f"software/{slug(name)}/{slug(version)}")

    @staticmethod
    def wikidata_link(entity: URIRef) -> URIRef:
        """The node that records how `entity` was linked to Wikidata."""
        return URIRef(f"{entity}/wikidata-link")


# --- reading IRIs back ---------------------------------------------------------------


def parse_document(iri: str) -> tuple[str, str] | None:
    """(base, key) of a document IRI `{base}doc/{key}`; None for any other IRI.

    >>> parse_document("https://w3id.org/kfor-kg/id/doc/S-2007-652")
    ('https://w3id.org/kfor-kg/id/', 'S-2007-652')
    >>> parse_document("https://w3id.org/kfor-kg/id/doc/S-2007-652/report") is None
    True
    """
    match = _DOCUMENT.fullmatch(iri)
    return (match["base"], match["key"]) if match else None


def document_of(iri: str) -> URIRef | None:
    """The document an IRI is or lies under (`{base}doc/{key}[/...]`), else None.

    >>> document_of("https://w3id.org/kfor-kg/id/doc/S-2007-652/span/10-20")
    rdflib.term.URIRef('https://w3id.org/kfor-kg/id/doc/S-2007-652')
    """
    match = _UNDER_DOCUMENT.fullmatch(iri)
    return URIRef(match["doc"]) if match else None


def document_of_graph(graph: str) -> URIRef | None:
    """The document whose named graph `graph` is; None for the other graphs.

    >>> document_of_graph("https://w3id.org/kfor-kg/id/doc/S-2007-652/graph")
    rdflib.term.URIRef('https://w3id.org/kfor-kg/id/doc/S-2007-652')
    >>> document_of_graph("https://w3id.org/kfor-kg/id/graph/shared") is None
    True
    """
    if not graph.endswith(DOCUMENT_GRAPH_SUFFIX):
        return None
    doc = graph[:-len(DOCUMENT_GRAPH_SUFFIX)]
    return URIRef(doc) if parse_document(doc) else None


def entity_path(iri: str) -> str | None:
    """The path under the base of an entity or post IRI ('person/jens-stoltenberg',
    'post/united-nations/secretary-general'); None for other IRIs.

    >>> entity_path("https://w3id.org/kfor-kg/id/person/jens-stoltenberg")
    'person/jens-stoltenberg'
    """
    match = _ENTITY_TAIL.search(iri)
    return match["path"] if match else None


def is_entity_path(text: str) -> bool:
    """Whether `text` is an entity path as `entity_path` gives (lowercase slug keys).

    >>> is_entity_path("post/united-nations/secretary-general"), is_entity_path("person/X")
    (True, False)
    """
    return _ENTITY_PATH.fullmatch(text) is not None


def entity_kind_and_key(iri: str) -> tuple[str, str] | None:
    """(kind, key) of a canonical entity IRI, e.g. ('Person', 'hashim-thaci'); None otherwise.

    >>> entity_kind_and_key("https://w3id.org/kfor-kg/id/person/hashim-thaci")
    ('Person', 'hashim-thaci')
    """
    match = _ENTITY_TAIL.search(iri)
    if match is None or match["dir"] is None:
        return None
    return _PATH_KINDS[match["dir"]], match["key"]
