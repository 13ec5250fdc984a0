"""What the event reader gives: events with their evidence, date, place and participants."""

from __future__ import annotations

from dataclasses import dataclass

from kfor_kg.extract.records import Evidence
from kfor_kg.lexicon.dates import DateValue

__all__ = ["EntityRef", "EventRecord", "Participant"]


@dataclass(frozen=True)
class EntityRef:
    """A canonical person, organization or place of the entity layer."""

    kind: str            # "Person" | "Organization" | "Place" (as Minter.entity and vocab.ENTITY_CLASSES)
    key: str
    label: str           # the entity's preferred label: gazetteer.label_for(kind, key), as on its node


@dataclass(frozen=True)
class Participant:
    """A person or organization of an event, what it did in it, and the words naming it.

    `role` is "agent" (who did it: "KFOR arrested", "a demonstration by"),
    "patient" (to whom it was done, the victims: "arrested Jakup Krasniqi",
    "an attack on the police") or "participant" (neither is told).
    """

    role: str
    ref: EntityRef
    words: Evidence


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
    roles: tuple[Participant, ...] = ()          # the participants with their roles and words
    other_places: tuple[EntityRef, ...] = ()    # further places a listing sentence gives ("in A, B and C")

    @property
    def start(self) -> int:
        """Original-file offset of the trigger (part of the event IRI)."""
        return self.trigger.start
