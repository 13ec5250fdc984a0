"""What the extractor reads from one document, before it becomes RDF.

Offsets in `Evidence` are Python string offsets into the original file decoded
as UTF-8, so `original[start:end] == text` always holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kfor_kg.text.ingest import CleanText
from kfor_kg.text.structure import Structure


@dataclass(frozen=True)
class Evidence:
    """The words a fact was read from: a span of the original file."""

    start: int
    end: int
    text: str

    @classmethod
    def of(cls, clean: CleanText, start: int, end: int) -> Evidence:
        """Evidence for cleaned-text span [start, end), without surrounding spaces."""
        text = clean.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        a, b = clean.original_span(start, end)
        return cls(a, b, clean.source.original[a:b])


@dataclass(frozen=True)
class Office:
    """A post as written: a canonical role ("Secretary-General") in an organization key ("united-nations")."""

    role: str
    organization: str


@dataclass
class Signatory:
    name: str                      # canonical person name ("António Guterres")
    surface: str                   # as written ("BAN Ki-moon", "Mr. Jens Stoltenberg")
    office: Office | None
    evidence: Evidence


@dataclass
class Letter:
    kind: str                      # "covering" | "annex"
    form: str = "letter"           # "letter" | "note verbale"
    date: dt.date | None = None
    sender: Office | None = None
    recipient: Office | None = None
    signatory: Signatory | None = None
    original_language: str | None = None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Period:
    start: dt.date
    end: dt.date
    evidence: Evidence


@dataclass
class TroopStrength:
    troops: int
    approximate: bool
    as_at: dt.date | None
    non_nato_troops: int | None
    nato_nations: int | None
    non_nato_nations: int | None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class IncidentCount:
    category: str
    count: int
    evidence: Evidence


@dataclass(frozen=True)
class Force:
    """The force or operation a report is about, and where it operates."""

    key: str                       # organization key ("kfor", "sfor", "sangaris", "french-forces")
    area: str | None               # place key of the mission area ("kosovo", "central-african-republic")
    evidence: Evidence | None = None


@dataclass
class Report:
    period: Period | None = None
    force: Force | None = None
    frequency: str | None = None   # "monthly" | "quarterly"
    frequency_evidence: Evidence | None = None
    troop_strength: TroopStrength | None = None
    incidents: list[IncidentCount] = field(default_factory=list)
    total_incidents: int | None = None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class DocumentRecord:
    """Everything read from one report file."""

    key: str                       # IRI key: "S-2007-652", "letter-2025-06-16", ...
    clean: CleanText
    structure: Structure = field(default_factory=Structure)
    symbol: str | None = None
    symbol_evidence: Evidence | None = None
    issued: dt.date | None = None
    issued_evidence: Evidence | None = None
    original_language: str | None = None   # ISO 639-1 code
    language_evidence: Evidence | None = None
    letters: list[Letter] = field(default_factory=list)
    report: Report | None = None
    references: list[str] = field(default_factory=list)    # UN symbols the text cites, not its own
    warnings: list[str] = field(default_factory=list)      # what a user should know (not an error)

    @property
    def source_name(self) -> str:
        return self.clean.source.name

    def letter(self, kind: str) -> Letter | None:
        return next((x for x in self.letters if x.kind == kind), None)

    @property
    def reference_date(self) -> dt.date | None:
        """The date the document speaks from: issue date, else covering letter, else period end."""
        covering = self.letter("covering")
        if self.issued:
            return self.issued
        if covering and covering.date:
            return covering.date
        return self.report.period.end if self.report and self.report.period else None
