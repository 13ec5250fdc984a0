"""The values the entity reader produces: entities, their mentions, a document's entities."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Span

from kfor_kg.extract.records import Evidence
from kfor_kg.lexicon.gazetteer import label_for, match_key
from kfor_kg.nlp.posts import PostHolding
from kfor_kg.rdf.iris import slug

__all__ = ["DocumentEntities", "Entity", "Mention", "Raw", "entity", "entity_key"]


@dataclass
class Entity:
    """One real-world thing as one document names it."""

    type: str                      # Person | Organization | Place | Resolution
    key: str                       # IRI key (slug)
    label: str                     # preferred label: label_for(type, key)
    surfaces: set[str] = field(default_factory=set)   # the forms the document uses, as written (cleaned text)
    acronym: str | None = None
    facility: bool = False         # a Place that is a building, bridge, monastery...
    number: int | None = None      # Resolution
    year: int | None = None        # Resolution

    @property
    def id(self) -> tuple[str, str]:
        return (self.type, self.key)


@dataclass(frozen=True)
class Mention:
    """A stretch of a document's text that names an entity."""

    key: str                       # the entity's key
    type: str                      # the entity's type
    start: int                     # cleaned-text offsets (record.clean.text)
    end: int
    text: str                      # cleaned text[start:end]
    evidence: Evidence             # the same words in the original file
    sentence: Evidence             # the sentence around it, in the original file
    sentence_start: int = 0        # cleaned-text offsets of the sentence
    sentence_end: int = 0
    label: str = ""                # the entity's preferred label
    warning: str = ""              # what a reader should know (a character lost in the source)

    @property
    def entity_id(self) -> tuple[str, str]:
        return (self.type, self.key)


@dataclass
class DocumentEntities:
    """What `read_entities` read from one document."""

    entities: dict[tuple[str, str], Entity] = field(default_factory=dict)
    mentions: list[Mention] = field(default_factory=list)     # in text order
    posts: list[PostHolding] = field(default_factory=list)

    def entity(self, type_: str, key: str) -> Entity | None:
        return self.entities.get((type_, key))


def entity_key(name: str) -> str:
    """The key of a name the gazetteer does not know: its slug without honorifics or a leading "the".

    >>> entity_key("the Joint  Council"), entity_key("Mr. Agron Bajrami")
    ('joint-council', 'agron-bajrami')
    """
    return slug(match_key(name))


@dataclass
class Raw:
    """A mention on its way to an entity."""

    span: Span
    type: str
    label: str                     # spaCy label
    text: str
    known: tuple[str, str] | None  # (type, key) from the gazetteer or a resolution id
    resolved: tuple[str, str] | None = None
    warning: str = ""              # a character lost in the source, repaired or not


def entity(entities: dict[tuple[str, str], Entity], type_: str, key: str) -> Entity:
    """The document's entity (type_, key), created with its one preferred label."""
    ent = entities.get((type_, key))
    if ent is None:
        ent = Entity(type_, key, label_for(type_, key))
        entities[(type_, key)] = ent
    return ent
