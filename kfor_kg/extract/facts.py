"""Read the document-level facts by rules: symbol, dates, letters, signatories,
reporting period, troop strength and incident counts.

The patterns live in kfor_kg/data/facts.toml; dates and counts are read with
the one date grammar (lexicon/dates.py), offices with the one office table
(lexicon/offices.py) and sentences with the one segmentation
(text/sentences.py). This module only applies them to the parts that
structure.py found.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from kfor_kg.errors import ExtractionError
from kfor_kg.extract.records import (
    DocumentRecord,
    Evidence,
    IncidentCount,
    Letter,
    Office,
    Period,
    Report,
    Signatory,
    TroopStrength,
)
from kfor_kg.lexicon.dates import complete_date, fragment, parse_date, parse_number
from kfor_kg.lexicon.gazetteer import alias_table
from kfor_kg.lexicon.offices import office_pattern, parse_office
from kfor_kg.rdf import iris
from kfor_kg.resources import data_file
from kfor_kg.text.ingest import CleanText
from kfor_kg.text.sentences import sentence_around, sentence_index, sentence_spans, without_paragraph_number
from kfor_kg.text.structure import Part, Structure, split


@dataclass(frozen=True)
class Rules:
    languages: dict[str, str]
    patterns: dict[str, re.Pattern[str]]


@lru_cache(maxsize=1)
def rules() -> Rules:
    """The rules of kfor_kg/data/facts.toml, compiled once."""
    with data_file("facts.toml").open("rb") as f:
        raw = tomllib.load(f)
    subs = {
        "{DATE}": fragment("date"),
        "{DAYMONTH}": fragment("day_month"),
        "{NUM}": fragment("number"),
        "{APPROX}": fragment("approximate"),
        "{OFFICE}": office_pattern(),
        **{f"{{{key}}}": value for key, value in raw["placeholders"].items()},
    }
    compiled: dict[str, re.Pattern[str]] = {}
    for key, pattern in raw["patterns"].items():
        for placeholder, sub in subs.items():
            pattern = pattern.replace(placeholder, sub)
        compiled[key] = re.compile(pattern, re.M)
    return Rules(raw["languages"], compiled)


# --- extraction -------------------------------------------------------------


class HeaderReader:
    """Reads the header facts of one cleaned document with the rules of facts.toml."""

    def __init__(self, clean: CleanText, structure: Structure) -> None:
        self.clean = clean
        self.structure = structure
        self.rules = rules()
        self.sentences = sentence_spans(clean.text)

    def evidence(self, start: int, end: int) -> Evidence:
        return Evidence.of(self.clean, start, end)

    def search(self, key: str, part: Part | None = None, start: int = 0) -> re.Match[str] | None:
        a, b = (part.start, part.end) if part else (0, len(self.clean.text))
        return self.rules.patterns[key].search(self.clean.text, max(a, start), b)

    def finditer(self, key: str, part: Part | None = None) -> Iterator[re.Match[str]]:
        a, b = (part.start, part.end) if part else (0, len(self.clean.text))
        return self.rules.patterns[key].finditer(self.clean.text, a, b)

    def part(self, kind: str) -> Part | None:
        return self.structure.parts.get(kind)

    # masthead -----------------------------------------------------------------

    def symbol(self, record: DocumentRecord) -> None:
        for f in self.clean.furniture:
            m = self.rules.patterns["symbol"].search(f.text)
            if f.kind == "symbol" and m:
                record.symbol = m.group()
                record.symbol_evidence = Evidence(f.start, f.end, self.clean.source.original[f.start:f.end])
                return
        # In the text: the masthead or a title line, never "S/RES/..." (that is a resolution).
        limit = self.part("covering-letter")
        region_end = limit.start + 400 if limit else len(self.clean.text)
        m = self.rules.patterns["symbol"].search(self.clean.text, 0, max(region_end, 0))
        if m:
            record.symbol = m.group()
            record.symbol_evidence = self.evidence(m.start(), m.end())

    def masthead(self, record: DocumentRecord) -> None:
        head = self.part("masthead")
        m = self.search("issued", head) if head else None
        if m:
            record.issued = parse_date(m["date"])
            record.issued_evidence = self.evidence(m.start("date"), m.end("date"))
        m = self.search("original_language", head) if head else None
        if m and m["language"].lower() in self.rules.languages:
            record.original_language = self.rules.languages[m["language"].lower()]
            record.language_evidence = self.evidence(m.start(), m.end())

    # letters ------------------------------------------------------------------

    def letters(self, record: DocumentRecord) -> None:
        covering = self.part("covering-letter")
        annex = self.part("annex-letter")
        cov = Letter(kind="covering")
        annex_letter: Letter | None = Letter(kind="annex") if annex else None
        if covering:
            self._read_heading(cov, covering)
            cov.sender = cov.sender or Office("Secretary-General", "united-nations")
            cov.recipient = cov.recipient or Office("President", "united-nations-security-council")
            self._read_signature(cov, "covering-letter")
            m = self.search("transmitted_letter", covering)
            if m:
                annex_letter = annex_letter or Letter(kind="annex")
                annex_letter.date = annex_letter.date or (parse_date(m["date"]) if m["date"] else None)
                annex_letter.sender = parse_office(m["sender"])
                annex_letter.recipient = Office("Secretary-General", "united-nations")
                annex_letter.evidence.append(self.evidence(m.start(), m.end()))
                if m["name"]:
                    annex_letter.signatory = self._signatory(
                        m["name"], annex_letter.sender, m.start("name"), m.end("name"))
            record.letters.append(cov)
        if annex and annex_letter:
            self._read_heading(annex_letter, annex)
            m = self.search("original_language", annex)
            if m and m["language"].lower() in self.rules.languages:
                annex_letter.original_language = self.rules.languages[m["language"].lower()]
            self._read_signature(annex_letter, "annex-letter")
        if annex_letter:
            annex_letter.sender = annex_letter.sender or Office("Secretary-General", "nato")
            annex_letter.recipient = annex_letter.recipient or Office("Secretary-General", "united-nations")
            if annex_letter.signatory and not annex_letter.signatory.office:
                annex_letter.signatory.office = annex_letter.sender
            record.letters.append(annex_letter)
        if covering and cov.signatory and not cov.signatory.office:
            cov.signatory.office = cov.sender

    def _read_heading(self, letter: Letter, part: Part) -> None:
        m = self.search("letter_heading", part)
        if m is None and part.kind == "covering-letter":
            # Web copies put the heading in a title line before the letter.
            m = self.search("letter_heading", None)
        if not m:
            return
        letter.date = parse_date(m["date"])
        letter.sender = parse_office(m["sender"])
        letter.recipient = parse_office(m["recipient"])
        letter.evidence.append(self.evidence(m.start(), m.end()))
        if m["name"]:
            letter.signatory = self._signatory(m["name"], letter.sender, m.start("name"), m.end("name"))

    def _read_signature(self, letter: Letter, kind: str) -> None:
        line = self.structure.signatures.get(kind)
        if not line:
            return
        m = self.rules.patterns["signature"].match(self.clean.text, line.start, line.end)
        if not m:
            return
        office = parse_office(m["office"]) if m["office"] else None
        letter.signatory = self._signatory(
            m["name"], office or letter.sender, m.start("name"), m.end("name"))
        letter.evidence.append(self.evidence(line.start, line.end))

    def _signatory(self, surface: str, office: Office | None, start: int, end: int) -> Signatory:
        surface = surface.strip().rstrip(",.")
        end = start + len(surface)
        canonical = alias_table().canonical("Person", normalize_name(surface))
        return Signatory(name=canonical.label, surface=surface, office=office,
                         evidence=self.evidence(start, end))

    # report -------------------------------------------------------------------

    def report(self, record: DocumentRecord) -> None:
        report = Report()
        body = self.part("report")
        # The period: first in the report, then in the NATO letter, then the SG's.
        for kind in ("report", "annex-letter", "covering-letter"):
            part = self.part(kind)
            m = self.search("period", part) if part else None
            if m:
                end = parse_date(m["end"])
                start = complete_date(m["start"], end) if end else None
                if start and end and start <= end:
                    report.period = Period(start, end, self.evidence(m.start(), m.end()))
                    break
        m = self.search("frequency")
        if m:
            report.frequency = m["frequency"].lower()
            report.frequency_evidence = self.evidence(m.start(), m.end())
        elif report.period:
            days = (report.period.end - report.period.start).days + 1
            report.frequency = "monthly" if days <= 45 else "quarterly" if 75 <= days <= 100 else None
        if body:
            report.troop_strength = self.troops(body, report.period.end if report.period else None)
            self.incidents(body, report)
            if self.structure.paragraphs or report.troop_strength or report.period:
                report.evidence.append(self.evidence(body.lines[0].start, body.lines[0].end))
        if report.period or report.troop_strength or body:
            record.report = report

    def troops(self, body: Part, period_end: dt.date | None) -> TroopStrength | None:
        m = (self.search("troops_total", body) or self.search("troop_strength", body)
             or self.search("troops_were", body))
        if not m:
            return None
        troops = parse_number(m["troops"])
        if troops is None or troops < 100:
            return None
        sentence = without_paragraph_number(self.clean.text, *sentence_around(self.sentences, m.start(), m.end()))
        evidence = [self.evidence(*sentence)]
        as_at = self.rules.patterns["as_at"].search(self.clean.text, sentence[0], m.start())
        strength = TroopStrength(
            troops=troops, approximate=bool(m["approx"]),
            as_at=(complete_date(as_at["date"], period_end) if period_end else parse_date(as_at["date"]))
            if as_at else None,
            non_nato_troops=None, nato_nations=None, non_nato_nations=None, evidence=evidence)
        # The figures of non-NATO troops and nations may follow in the next sentence.
        following = sentence_index(self.sentences, sentence[1])
        window_end = self.sentences[following][1] if following < len(self.sentences) else sentence[1]
        n = self.rules.patterns["non_nato_troops"].search(self.clean.text, m.end(), window_end)
        if n:
            strength.non_nato_troops = parse_number(n["troops"])
            strength.evidence.append(self.evidence(n.start(), n.end()))
        n = self.rules.patterns["nations"].search(self.clean.text, m.end(), window_end)
        if n:
            strength.nato_nations = parse_number(n["nato"])
            strength.non_nato_nations = parse_number(n["nonnato"])
            if n.end() > sentence[1]:
                strength.evidence.append(self.evidence(n.start(), n.end()))
        return strength

    def incidents(self, body: Part, report: Report) -> None:
        for m in self.finditer("incident_list", body):
            items = list(self.rules.patterns["incident_item"].finditer(self.clean.text, m.start("items"), m.end("items")))
            if len(items) < 2:
                continue
            for item in items:
                category = re.sub(r"\s+", " ", item["category"]).strip()
                report.incidents.append(IncidentCount(
                    category=category, count=int(item["count"].replace(",", "")),
                    evidence=self.evidence(item.start("category"), item.end())))
            if m["total"]:
                report.total_incidents = parse_number(m["total"])
            return


def normalize_name(surface: str) -> str:
    """Spaces collapsed and all-capital surnames in title case ("Alexander VERSHBOW").

    >>> normalize_name("Jaap de Hoop  SCHEFFER")
    'Jaap de Hoop Scheffer'
    """
    words = surface.split()
    return " ".join(
        "-".join(p.capitalize() if p.isupper() and len(p) > 1 else p for p in w.split("-"))
        if w.isupper() and len(w) > 2 else w
        for w in words)


def document_key(record: DocumentRecord) -> str:
    """The IRI key: UN symbol, else covering letter date, else the file name."""
    covering = record.letter("covering")
    return iris.document_key(record.symbol, covering.date if covering else None,
                             record.clean.source.path.stem)


def extract(clean: CleanText) -> DocumentRecord:
    """Read all document-level facts of a cleaned report.

    Raises:
        ExtractionError: when the text is not a KFOR report.
    """
    structure = split(clean)
    record = DocumentRecord(key="", clean=clean, structure=structure)
    reader = HeaderReader(clean, structure)
    reader.symbol(record)
    reader.masthead(record)
    reader.letters(record)
    reader.report(record)
    if not re.search(r"\bKosovo\b|\bKFOR\b", clean.text):
        raise ExtractionError(f"{clean.source.path}: not a KFOR report (it never mentions Kosovo or KFOR)")
    found = record.letters or (record.report and (record.report.period or record.report.troop_strength))
    if not found:
        raise ExtractionError(
            f"{clean.source.path}: not a KFOR report (no letter, reporting period or troop figures found)")
    record.key = document_key(record)
    return record
