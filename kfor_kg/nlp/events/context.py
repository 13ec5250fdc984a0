"""The working state of the event reader, passed explicitly from part to part.

A `DocumentContext` holds what stays the same over a document (its text,
parse, entity mentions, reporting period); a `SentenceContext` what the
reader knows while it reads one sentence (its dates, the sentence before it,
the events accepted in earlier sentences). `Candidate` is a trigger being
read: the filters, coreference and dating parts fill in its fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from spacy.tokens import Doc, Span, Token

from kfor_kg.extract.records import DocumentRecord
from kfor_kg.lexicon.dates import DateMention, DateValue
from kfor_kg.lexicon.gazetteer import label_for
from kfor_kg.nlp.events.model import EntityRef
from kfor_kg.nlp.events.rules import EventRules, TriggerRule

__all__ = ["Candidate", "DateSpan", "DocumentContext", "EntitiesLike", "EntityMention", "MentionLike",
           "SentenceContext"]

# The kinds of entity an event can take as place or participant.
EVENT_ENTITY_KINDS = ("Person", "Organization", "Place")


class MentionLike(Protocol):
    """What events read of an entity mention (nlp.entities.Mention)."""

    @property
    def type(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def start(self) -> int: ...     # cleaned-text offsets
    @property
    def end(self) -> int: ...


class EntitiesLike(Protocol):
    """What events read of a document's entities (nlp.entities.DocumentEntities): its mentions in text order."""

    @property
    def mentions(self) -> Sequence[MentionLike]: ...


@dataclass(frozen=True)
class EntityMention:
    """A person, organization or place named in the document, with the head token of its words."""

    ref: EntityRef
    start: int      # cleaned-text offsets
    end: int
    head: Token


@dataclass(frozen=True)
class DocumentContext:
    """What the reader knows of the whole document."""

    record: DocumentRecord
    doc: Doc
    text: str                                   # == doc.text, which spaCy rebuilds on every access
    rules: EventRules
    period: tuple[dt.date, dt.date] | None      # the reporting period
    reference: dt.date | None                   # the date the document speaks from
    mentions: tuple[EntityMention, ...]

    @classmethod
    def of(cls, record: DocumentRecord, doc: Doc, entities: EntitiesLike, rules: EventRules) -> DocumentContext:
        report = record.report
        period = (report.period.start, report.period.end) if report and report.period else None
        mentions = []
        for m in entities.mentions:
            if m.type not in EVENT_ENTITY_KINDS:
                continue
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is not None and len(span):
                ref = EntityRef(m.type, m.key, label_for(m.type, m.key))
                mentions.append(EntityMention(ref, m.start, m.end, span.root))
        return cls(record, doc, record.clean.text, rules, period, record.reference_date, tuple(mentions))


@dataclass(frozen=True)
class DateSpan:
    """A date expression of a sentence, with its tokens and syntactic head."""

    mention: DateMention         # offsets into the document text
    tokens: frozenset[int]
    head: Token


@dataclass(frozen=True)
class SentenceContext:
    """What the reader knows while reading one sentence."""

    document: DocumentContext
    sent: Span
    previous: Span | None                  # the sentence before, if any
    dates: tuple[DateSpan, ...]            # the sentence's dates, except the reporting period itself
    date_tokens: frozenset[int]            # tokens of every date expression, the period's too
    earlier: tuple[Candidate, ...]         # events accepted in earlier sentences, in text order

    @property
    def rules(self) -> EventRules:
        return self.document.rules


@dataclass(eq=False)
class Candidate:
    """A trigger word being read as an event; the parts of the reader fill in its fields."""

    token: Token
    rule: TriggerRule
    own_date: tuple[DateMention, Token] | None = None   # the date in the trigger's own phrase
    alias_of: Candidate | None = None                   # the event it tells of again
    date: DateValue | None = None
    date_mention: DateMention | None = None
    dropped: str | None = field(default=None)           # why a filter dropped it (for debugging)
    place: EntityRef | None = None                      # its place, once read

    @property
    def type(self) -> str:
        return self.rule.type

    def resolved(self) -> Candidate:
        """The event this one finally tells of (itself, unless it is an alias)."""
        c = self
        while c.alias_of is not None:
            c = c.alias_of
        return c
