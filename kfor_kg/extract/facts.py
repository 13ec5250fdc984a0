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
import logging
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache

from kfor_kg.errors import ExtractionError
from kfor_kg.extract.records import DocumentRecord, Evidence, Letter, Office, Report, Signatory
from kfor_kg.extract.report_facts import ReportReader
from kfor_kg.lexicon.dates import fragment, parse_date, parse_masthead_date
from kfor_kg.lexicon.gazetteer import Canonical, alias_table, match_key
from kfor_kg.lexicon.offices import office_pattern, parse_office
from kfor_kg.rdf import iris
from kfor_kg.resources import data_file
from kfor_kg.text.ingest import CleanText
from kfor_kg.text.sentences import sentence_spans
from kfor_kg.text.structure import Part, Structure, split


@dataclass(frozen=True)
class Rules:
    languages: dict[str, str]
    patterns: dict[str, re.Pattern[str]]
    forces: list[tuple[str, re.Pattern[str], str, bool]]  # (organization key, names, area label, national)
    areas: list[str]                                  # mission areas a national force may have


@lru_cache(maxsize=1)
def rules() -> Rules:
    """The rules of kfor_kg/data/facts.toml, compiled once."""
    with data_file("facts.toml").open("rb") as f:
        raw = tomllib.load(f)
    forces = [(row["key"], re.compile(row["names"]), row.get("area", ""), bool(row.get("national")))
              for row in raw["forces"]]
    subs = {
        "{DATE}": fragment("date"),
        "{DAYMONTH}": fragment("day_month"),
        "{DMY}": fragment("day_month_year"),
        "{MONTH}": fragment("month"),
        "{YEAR}": fragment("year"),
        "{NUM}": fragment("number"),
        "{APPROX}": fragment("approximate"),
        "{OFFICE}": office_pattern(),
        "{FORCE}": "(?:" + "|".join(re.sub(r"\(\?P<\w+>", "(?:", row["names"].replace(r"\b", ""))
                                    for row in raw["forces"]) + ")",
        **{f"{{{key}}}": value for key, value in raw["placeholders"].items()},
    }
    compiled: dict[str, re.Pattern[str]] = {}
    for key, pattern in raw["patterns"].items():
        for placeholder, sub in subs.items():
            pattern = pattern.replace(placeholder, sub)
        compiled[key] = re.compile(pattern, re.M)
    return Rules(raw["languages"], compiled, forces, list(raw["areas"]["names"]))


# --- extraction -------------------------------------------------------------

_ENGLISH_WORDS = frozenset("the of and to in is was on for by with that from has have".split())
MIN_ENGLISH_SHARE = 0.04     # below this share of common English words a text is not English
MASTHEAD_CHARS = 300         # a masthead line in another script lies within the first characters


class HeaderReader:
    """Reads the header facts of one cleaned document with the rules of facts.toml."""

    def __init__(self, clean: CleanText, structure: Structure) -> None:
        self.clean = clean
        self.structure = structure
        self.rules = rules()
        self.sentences = sentence_spans(clean.text)
        self.report_reader = ReportReader(clean, structure, self.rules.patterns, self.rules.forces,
                                          self.rules.areas, self.sentences)

    def evidence(self, start: int, end: int) -> Evidence:
        return Evidence.of(self.clean, start, end)

    def search(self, key: str, part: Part | None = None, start: int = 0) -> re.Match[str] | None:
        a, b = (part.start, part.end) if part else (0, len(self.clean.text))
        return self.rules.patterns[key].search(self.clean.text, max(a, start), b)

    def part(self, kind: str) -> Part | None:
        return self.structure.parts.get(kind)

    # masthead -----------------------------------------------------------------

    def _title_end(self) -> int:
        """Where the document's own head ends: the masthead and a heading line that opens the letter."""
        covering = self.part("covering-letter")
        if covering is None:
            masthead = self.part("masthead")
            return masthead.end if masthead else 0
        first = covering.lines[0]
        return first.end if self.rules.patterns["letter_heading"].search(self.clean.text, first.start, first.end) \
            or re.search(r"(?i)\bletters? dated\b", first.text[:80]) else covering.start

    def symbol(self, record: DocumentRecord) -> None:
        """The own symbol from the page headers or the masthead; the others it cites are references."""
        pattern = self.rules.patterns["symbol"]
        for f in self.clean.furniture:
            m = pattern.search(f.text)
            if f.kind in ("symbol", "page-header") and m:
                record.symbol = m.group()
                record.symbol_evidence = Evidence(f.start, f.end, self.clean.source.original[f.start:f.end])
                break
        if record.symbol is None:
            m = pattern.search(self.clean.text, 0, self._title_end())
            if m:
                record.symbol = m.group()
                record.symbol_evidence = self.evidence(m.start(), m.end())
        if record.symbol is None:
            # The masthead of a text in another script ("Организация Объединенных Наций S/2008/638").
            for f in self.clean.furniture:
                m = pattern.search(f.text)
                if f.kind == "other-script" and f.start < MASTHEAD_CHARS and m:
                    at = f.start + self.clean.source.original[f.start:f.end].find(m.group())
                    record.symbol = m.group()
                    record.symbol_evidence = Evidence(at, at + len(m.group()), m.group())
                    break
        cited = (m.group() for m in pattern.finditer(self.clean.text))
        record.references = list(dict.fromkeys(s for s in cited if s != record.symbol))

    def masthead(self, record: DocumentRecord) -> None:
        head = self.part("masthead")
        m = (self.search("issued", head) or self.search("issued_line", head)) if head else None
        covering = self.part("covering-letter")
        if m is None and (covering is None or not self._is_letter(covering)):
            # No letter: the date a report page opens with ("13 Aug. 1997 Seventh Monthly Report").
            m = self.rules.patterns["issued_line"].match(self.clean.text)
        if m:
            group = next(g for g in ("date", "date2", "date3") if m.groupdict().get(g))
            record.issued = parse_date(m[group])
            record.issued_evidence = self.evidence(m.start(group), m.end(group))
        elif head and (d := self.search("distribution", head)):
            # A masthead in another UN language: "Distr. générale 12 septembre 2014".
            found = parse_masthead_date(self.clean.text[d.end():min(d.end() + 60, head.end)])
            if found:
                record.issued = found[0]
                record.issued_evidence = self.evidence(d.end() + found[1], d.end() + found[2])
        m = self.search("original_language", head) if head else None
        if m and m["language"].lower() in self.rules.languages:
            record.original_language = self.rules.languages[m["language"].lower()]
            record.language_evidence = self.evidence(m.start(), m.end())

    # letters ------------------------------------------------------------------

    def _is_letter(self, part: Part) -> bool:
        """A part is a letter when it has a heading, a signature or a transmittal phrase."""
        return bool(self.search("letter_heading", part) or self.search("note_opening", part)
                    or part.kind in self.structure.signatures or self.search("transmittal", part))

    def letters(self, record: DocumentRecord) -> None:
        covering = self.part("covering-letter")
        annex = self.part("annex-letter")
        cov = Letter(kind="covering") if covering and self._is_letter(covering) else None
        annex_letter = Letter(kind="annex") if annex and self._is_letter(annex) else None
        if cov and covering:
            self._read_heading(cov, covering)
            self._read_signature(cov, "covering-letter")
            m = self.search("transmitted_letter", covering)
            sender = parse_office(m["sender"]) if m and m["sender"] else None
            if m and (m["date"] or sender):
                # The annex letter as the covering letter tells it (maybe all we know of it).
                annex_letter = annex_letter or Letter(kind="annex")
                if m["form"] == "note verbale":
                    annex_letter.form = "note verbale"
                annex_letter.date = parse_date(m["date"]) if m["date"] else None
                annex_letter.sender = sender
                annex_letter.evidence.append(self.evidence(m.start(), m.end()))
                if m["name"] and annex_letter.form == "letter":
                    annex_letter.signatory = self._signatory(m["name"], sender, m.start("name"), m.end("name"))
            record.letters.append(cov)
        if annex and annex_letter:
            self._read_heading(annex_letter, annex)
            m = self.search("original_language", annex)
            if m and m["language"].lower() in self.rules.languages:
                annex_letter.original_language = self.rules.languages[m["language"].lower()]
            self._read_signature(annex_letter, "annex-letter")
        if annex_letter:
            if annex_letter.form == "note verbale":
                annex_letter.signatory = None      # a note verbale is not signed by a person
            elif annex_letter.signatory and not annex_letter.signatory.office:
                annex_letter.signatory.office = annex_letter.sender
            record.letters.append(annex_letter)
        if cov and cov.signatory and not cov.signatory.office:
            cov.signatory.office = cov.sender

    def _read_heading(self, letter: Letter, part: Part) -> None:
        m = self.search("letter_heading", part)
        if m is None and part.kind == "covering-letter":
            # Web copies put the heading in a title line before the letter.
            head = self.part("masthead")
            m = self.search("letter_heading", head) if head else None
        if m is None:
            self._read_letterhead(letter, part)
            m = self.search("note_heading", part) or self.search("note_opening", part)
            if m:
                letter.form = "note verbale"
                if "date" in m.groupdict() and m["date"]:
                    letter.date = parse_date(m["date"])
                letter.sender = parse_office(m["sender"]) or letter.sender
                letter.recipient = parse_office(m["recipient"]) or letter.recipient
                letter.evidence.append(self.evidence(m.start(), m.end()))
            return
        letter.date = parse_date(m["date"])
        letter.sender = parse_office(m["sender"])
        letter.recipient = parse_office(m["recipient"])
        letter.evidence.append(self.evidence(m.start(), m.end()))
        if m["name"]:
            letter.signatory = self._signatory(m["name"], letter.sender, m.start("name"), m.end("name"))

    LETTERHEAD_LINES = 4     # a letterhead and a date line stand in the first lines of a letter

    def _read_letterhead(self, letter: Letter, part: Part) -> None:
        """A letter without a heading (an OCR'd fax): its sender from the letterhead, its date
        from a date line at the top."""
        top = part.lines[min(self.LETTERHEAD_LINES, len(part.lines)) - 1].end
        head = self.part("masthead")
        # A covering letter's letterhead stands above it, where a masthead would.
        start = head.start if head and part.kind == "covering-letter" else part.start
        m = self.rules.patterns["letterhead"].search(self.clean.text, start, top)
        office = parse_office(f"{m['role']} of the {m['org']}") if m else None
        if m and office:
            letter.sender = letter.sender or office
            letter.evidence.append(self.evidence(m.start(), m.end()))
        # The date line under the letterhead (never a masthead's date of issue).
        d = self.rules.patterns["letter_date_line"].search(self.clean.text, m.end() if m else part.start, top)
        if d and letter.date is None:
            letter.date = parse_date(d["date"])
            letter.evidence.append(self.evidence(d.start(), d.end()))

    def _read_signature(self, letter: Letter, kind: str) -> None:
        line = self.structure.signatures.get(kind)
        if not line:
            return
        m = self.rules.patterns["signature"].match(self.clean.text, line.start, line.end)
        if not m:
            return
        phrase = m["office"] or self._line_after(line.end)
        office = parse_office(phrase) if phrase and len(phrase) < 80 else None
        if office and letter.sender and " of " not in phrase and office.role != letter.sender.role:
            # "Deputy Secretary General" under a NATO letter is NATO's deputy.
            office = Office(office.role, letter.sender.organization)
        letter.signatory = self._signatory(
            m["name"], office or letter.sender, m.start("name"), m.end("name"))
        letter.evidence.append(self.evidence(line.start, line.end))

    def _line_after(self, end: int) -> str:
        """The line after the one ending at `end` (the post under a signed name)."""
        text = self.clean.text
        nxt = text.find("\n", end + 1)
        return text[end + 1:nxt if nxt >= 0 else len(text)]

    def _signatory(self, surface: str, office: Office | None, start: int, end: int) -> Signatory:
        surface = surface.strip().rstrip(",.")
        end = start + len(surface)
        name = normalize_name(strip_titles(surface))
        canonical = alias_table().lookup("Person", name) or _with_lost_characters(name) \
            or alias_table().canonical("Person", name)
        return Signatory(name=canonical.label, surface=surface, office=office,
                         evidence=self.evidence(start, end))

    # report -------------------------------------------------------------------

    def reference_date(self, record: DocumentRecord) -> dt.date | None:
        dates = [record.issued, *(x.date for x in record.letters)]
        return next((d for d in dates if d), None)

    def report(self, record: DocumentRecord) -> None:
        reader = self.report_reader
        report = Report()
        body = self.part("report")
        report.period = reader.period(self.reference_date(record))
        report.force = reader.force()
        m = self.search("frequency")
        if m:
            report.frequency = m["frequency"].lower()
            report.frequency_evidence = self.evidence(m.start(), m.end())
        elif report.period:
            days = (report.period.end - report.period.start).days + 1
            report.frequency = "monthly" if days <= 45 else "quarterly" if 75 <= days <= 100 else None
        if body:
            report.troop_strength = reader.troops(body, report.period)
            reader.incidents(body, report)
            if self.structure.paragraphs or report.troop_strength or report.period:
                report.evidence.append(self.evidence(body.lines[0].start, body.lines[0].end))
        if report.period or report.troop_strength or body:
            record.report = report

    def is_report(self, record: DocumentRecord) -> bool:
        """A transmittal letter, a report heading or numbered report paragraphs, or a reporting period."""
        numbers = [p.number for p in self.structure.paragraphs if p.number is not None]
        heading = self.rules.patterns["report_heading"].search(self.clean.text)
        return bool(record.letters or heading or (1 in numbers and 2 in numbers)
                    or (record.report and record.report.period))

    def language_warning(self) -> str | None:
        """A warning when the text is not in English (only English is read): in another script
        for the most part, or in Latin letters with too few common English words."""
        other = sum(f.end - f.start for f in self.clean.furniture if f.kind == "other-script")
        # Latin-script words only: the other script of a bilingual text is not a reason to warn.
        words = re.findall(r"[a-zà-ÿ]+", self.clean.text.lower())
        share = sum(w in _ENGLISH_WORDS for w in words) / len(words) if words else 0.0
        if other * 2 <= len(self.clean.source.original) and (len(words) < 50 or share >= MIN_ENGLISH_SHARE):
            return None
        return (f"{self.clean.source.path}: the text does not read as English; only English is read "
                "(the symbol, dates and counts are kept, names and events may be missing)")


def _with_lost_characters(name: str) -> Canonical | None:
    """The one known person a name with "?" for lost characters stands for ("Ant?nio Guterres")."""
    if "?" not in name:
        return None
    pattern = re.compile(re.escape(match_key(name)).replace(r"\?", "."))
    table = alias_table()
    found = {c.key: c for (kind, key), c in table.entries.items() if kind == "Person" and pattern.fullmatch(key)}
    return next(iter(found.values())) if len(found) == 1 else None


def strip_titles(surface: str) -> str:
    """A signature's name without styles and post-nominals.

    >>> strip_titles("The Rt. Hon. Lord ROBERTSON of Port Ellen, PC")
    'Lord ROBERTSON of Port Ellen'
    """
    surface = re.sub(r"^(?:The\s+)?(?:Rt\.?\s*Hon\.?|Right Hon(?:ou)?rable)\s+", "", surface.strip())
    return re.sub(r",?\s+(?:PC|KT|KG|GCMG|KCMG|CMG|CBE|OBE|MBE|QC|KC)$", "", surface)


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
    """The IRI key: UN symbol, else the covering letter's date and sender, else the annex
    letter's date, else the date of issue or the period; the file name only when no date is known."""
    covering, annex = record.letter("covering"), record.letter("annex")
    period = record.report.period if record.report and record.report.period else None
    return iris.document_key(
        record.symbol, covering.date if covering else None, record.clean.source.path.stem,
        sender=covering.sender.organization if covering and covering.sender else None,
        annex_date=annex.date if annex else None, issued=record.issued,
        period=(period.start, period.end) if period else None)


def extract(clean: CleanText) -> DocumentRecord:
    """Read all document-level facts of a cleaned report.

    Raises:
        ExtractionError: when the text is not a report (no transmittal letter, no
            report heading or numbered paragraphs, no reporting period).
    """
    structure = split(clean)
    record = DocumentRecord(key="", clean=clean, structure=structure)
    reader = HeaderReader(clean, structure)
    reader.symbol(record)
    reader.masthead(record)
    reader.letters(record)
    reader.report(record)
    warning = reader.language_warning()
    # A text in another language is a UN document when it has its symbol: its language-independent
    # facts are kept (symbol, masthead date), nothing is made of the rest.
    if not (reader.is_report(record) or (warning and record.symbol)):
        raise ExtractionError(
            f"{clean.source.path}: not a report (no transmittal letter, report heading, numbered "
            "report paragraphs or reporting period found)" + (" and not in English" if warning else ""))
    if warning:
        record.warnings.append(warning)
        logging.getLogger("kfor_kg").warning(warning)
    record.key = document_key(record)
    return record
