"""Read the document-level facts by rules: symbol, dates, letters, signatories,
reporting period, troop strength and incident counts.

The patterns live in kfor_kg/data/facts.toml; this module only applies them
to the parts that structure.py found.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from kfor_kg.lexicon.gazetteer import alias_table
from kfor_kg.errors import ExtractionError
from kfor_kg.text.ingest import CleanText
from kfor_kg.rdf.iris import slug
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
from kfor_kg.resources import data_file
from kfor_kg.text.structure import Part, Structure, split


@dataclass(frozen=True)
class Rules:
    months: dict[str, int]
    numbers: dict[str, int]
    languages: dict[str, str]
    offices: tuple[tuple[re.Pattern[str], Office], ...]
    patterns: dict[str, re.Pattern[str]]


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _anonymous(pattern: str) -> str:
    """Drop group names so a sub-pattern can be embedded more than once."""
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


@lru_cache(maxsize=1)
def rules() -> Rules:
    """The rules of kfor_kg/data/facts.toml, compiled once."""
    with data_file("facts.toml").open("rb") as f:
        raw = tomllib.load(f)
    p = raw["patterns"]
    months = f"(?i:{_alternation(list(raw['months']))})"
    numwords = f"(?i:{_alternation(list(raw['numbers']))})"
    approx = f"(?i:{_alternation(raw['approximate']['words'])})"
    subs = {
        "{DATE}": _anonymous(p["date"].replace("MONTHS", months)),
        "{DAYMONTH}": p["daymonth"].replace("MONTHS", months),
        "{NUM}": p["num"].replace("NUMWORDS", numwords),
        "{OFFICE}": "(?:" + "|".join(_anonymous(o["pattern"]) for o in raw["offices"]) + ")",
        "{NAME}": p["name"],
    }
    compiled: dict[str, re.Pattern[str]] = {}
    for key, pattern in p.items():
        pattern = pattern.replace("MONTHS", months).replace("APPROX", approx)
        for placeholder, sub in subs.items():
            pattern = pattern.replace(placeholder, sub)
        compiled[key] = re.compile(pattern, re.M)
    offices = tuple(
        (re.compile(o["pattern"]), Office(o["role"], o["organization"])) for o in raw["offices"]
    )
    return Rules(raw["months"], raw["numbers"], raw["languages"], offices, compiled)


# --- small parsers ----------------------------------------------------------


def parse_date(text: str) -> dt.date | None:
    """A full date as written ("5 November 2007", "2 Oct 2008", "July 3, 2008").

    >>> parse_date("5 November 2007")
    datetime.date(2007, 11, 5)
    """
    m = rules().patterns["date"].search(text)
    if not m:
        return None
    day, month, year = (m["d1"], m["m1"], m["y1"]) if m["d1"] else (m["d2"], m["m2"], m["y2"])
    try:
        return dt.date(int(year), rules().months[month.lower().rstrip(".")], int(day))
    except (KeyError, ValueError):
        return None


def parse_number(text: str) -> int | None:
    """A count in figures or words ("15,314", "nineteen", "twenty-one").

    >>> parse_number("twenty-one")
    21
    """
    text = text.strip().lower()
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d+", text):
        return int(text.replace(",", ""))
    words = rules().numbers
    total = 0
    for part in re.split(r"[- ]", text):
        if part not in words:
            return None
        total += words[part]
    return total


def parse_office(phrase: str) -> Office | None:
    """The office an office phrase names ("Secretary General of NATO")."""
    phrase = re.sub(r"\s+", " ", phrase.strip())
    for pattern, office in rules().offices:
        if pattern.fullmatch(phrase):
            return office
    return None


def _partial_start(start: str, end: dt.date) -> dt.date | None:
    """Complete "1" or "1 January" from the end date of a period."""
    full = parse_date(start)
    if full:
        return full
    m = re.match(r"(\d{1,2})(?:\s+(\w+)\.?)?", start.strip())
    if not m:
        return None
    month = rules().months.get((m.group(2) or "").lower(), end.month)
    year = end.year if month <= end.month else end.year - 1
    try:
        return dt.date(year, month, int(m.group(1)))
    except ValueError:
        return None


# --- extraction -------------------------------------------------------------


class _Reader:
    """Applies the rules to one cleaned document."""

    def __init__(self, clean: CleanText, structure: Structure) -> None:
        self.clean = clean
        self.structure = structure
        self.rules = rules()

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
                start = _partial_start(m["start"], end) if end else None
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
        sentence = _sentence(self.clean.text, m.start(), m.end())
        evidence = [self.evidence(*sentence)]
        as_at = self.rules.patterns["as_at"].search(self.clean.text, sentence[0], m.start())
        strength = TroopStrength(
            troops=troops, approximate=bool(m["approx"]),
            as_at=_as_at_date(as_at["date"], period_end) if as_at else None,
            non_nato_troops=None, nato_nations=None, non_nato_nations=None, evidence=evidence)
        window_end = _sentence(self.clean.text, sentence[1] + 1, sentence[1] + 2)[1] \
            if sentence[1] + 2 < len(self.clean.text) else sentence[1]
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


def _as_at_date(text: str, period_end: dt.date | None) -> dt.date | None:
    """A full date, or a day and month completed from the end of the reporting period."""
    full = parse_date(text)
    if full or period_end is None:
        return full
    return _partial_start(text, period_end)


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


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (or line) around text[start:end]."""
    a = max(text.rfind("\n", 0, start), _last_sentence_end(text, start)) + 1
    while a < start and text[a] == " ":
        a += 1
    b_candidates = [i for i in (text.find("\n", end), _next_sentence_end(text, end)) if i >= 0]
    b = min(b_candidates) if b_candidates else len(text)
    return a, b


def _last_sentence_end(text: str, pos: int) -> int:
    m = None
    for m in re.finditer(r"[.!?](?=\s+[A-Z0-9])", text[:pos]):
        pass
    return m.start() + 1 if m else -1


def _next_sentence_end(text: str, pos: int) -> int:
    m = re.compile(r"[.!?](?=\s|$)").search(text, pos)
    return m.end() if m else -1


def document_key(record: DocumentRecord) -> str:
    """The IRI key: UN symbol, else covering letter date, else the file name."""
    if record.symbol:
        return record.symbol.replace("/", "-")
    covering = record.letter("covering")
    if covering and covering.date:
        return f"letter-{covering.date.isoformat()}"
    return slug(record.clean.source.path.stem)


def extract(clean: CleanText) -> DocumentRecord:
    """Read all document-level facts of a cleaned report.

    Raises:
        ExtractionError: when the text is not a KFOR report.
    """
    structure = split(clean)
    record = DocumentRecord(key="", clean=clean, structure=structure)
    reader = _Reader(clean, structure)
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
