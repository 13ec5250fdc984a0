"""What the event reader gives: events with their evidence, date, place and participants."""

from __future__ import annotations

from dataclasses import dataclass

from kfor_kg.extract.records import Evidence
from kfor_kg.lexicon.dates import DateValue

__all__ = ["EntityRef", "EventRecord"]


@dataclass(frozen=True)
class EntityRef:
    """A canonical person, organization or place of the entity layer."""

    kind: str            # "Person" | "Organization" | "Place" (as Minter.entity and vocab.ENTITY_CLASSES)
    key: str
    label: str           # the entity's preferred label: gazetteer.label_for(kind, key), as on its node


@dataclass(frozen=True)
class EventRecord:
    """One event read from one sentence of a document."""

    type: str                                  # notation of the event type: "arrest", "meeting"...
    label: str                                 # short human label: "Arrest of Jakup Krasniqi"
    trigger: Evidence                          # the word that tells of it
    sentence: Evidence                         # the sentence it comes from
    date: DateValue | None = None
    date_evidence: Evidence | None = None
    place: EntityRef | None = None
    participants: tuple[EntityRef, ...] = ()

    @property
    def start(self) -> int:
        """Original-file offset of the trigger (part of the event IRI)."""
        return self.trigger.start
