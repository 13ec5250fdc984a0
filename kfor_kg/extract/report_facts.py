"""The facts of the report itself: force, reporting period, frequency, troop strength, incidents.

Rules live in kfor_kg/data/facts.toml; dates and counts come from the one date
grammar. `ReportReader` is used by `facts.HeaderReader` and works on the same
cleaned text, structure and sentences.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator

from kfor_kg.extract.records import Evidence, Force, IncidentCount, Period, Report, TroopStrength
from kfor_kg.lexicon.dates import complete_date, month_number, parse_date, parse_number
from kfor_kg.rdf.iris import slug
from kfor_kg.text.ingest import CleanText
from kfor_kg.text.sentences import sentence_around, sentence_index, without_paragraph_number
from kfor_kg.text.structure import Part, Structure

MIN_TROOPS = 100          # a smaller count before a troop noun is a unit, not the force's strength
TROOP_PARAGRAPHS = 3      # the generic count-before-noun rule looks in the first report paragraphs
_QUARTERS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def date_before(text: str, reference: dt.date | None, later: dt.date | None = None) -> dt.date | None:
    """A date written with or without its year; the year from `later` (a range's end) or
    the latest one not after `reference` (the document's date)."""
    full = parse_date(text)
    if full:
        return full
    if later:
        return complete_date(text, later)
    if reference is None:
        return None
    guess = complete_date(text, dt.date(reference.year, 12, 31))
    if guess and guess > reference:
        guess = complete_date(text, dt.date(reference.year - 1, 12, 31))
    return guess


class ReportReader:
    """Reads the report's facts from a cleaned text with the rules of facts.toml."""

    def __init__(self, clean: CleanText, structure: Structure, patterns: dict[str, re.Pattern[str]],
                 forces: list[tuple[str, re.Pattern[str], str, bool]], areas: list[str],
                 sentences: list[tuple[int, int]]) -> None:
        self.clean, self.structure, self.patterns = clean, structure, patterns
        self.forces, self.areas, self.sentences = forces, areas, sentences

    def evidence(self, start: int, end: int) -> Evidence:
        return Evidence.of(self.clean, start, end)

    def _search(self, key: str, a: int, b: int) -> re.Match[str] | None:
        return self.patterns[key].search(self.clean.text, a, b)

    def _regions(self) -> Iterator[tuple[int, int]]:
        """Report first, then the annex letter, the covering letter, the masthead."""
        for kind in ("report", "annex-letter", "covering-letter", "masthead"):
            part = self.structure.parts.get(kind)
            if part:
                yield part.start, part.end

    # --- period -----------------------------------------------------------------------

    def period(self, reference: dt.date | None) -> Period | None:
        """The reporting period in its forms: a range, a month, months in brackets, a quarter."""
        for key in ("period", "period_month", "period_months", "period_quarter", "period_report"):
            for a, b in self._regions():
                for m in self.patterns[key].finditer(self.clean.text, a, b):
                    span = self._span(key, m, reference)
                    if span and span[0] <= span[1]:
                        return Period(span[0], span[1], self.evidence(m.start(), m.end()))
        return None

    def _span(self, key: str, m: re.Match[str], reference: dt.date | None) -> tuple[dt.date, dt.date] | None:
        if key in ("period", "period_report"):
            end = date_before(m["end"], reference)
            start = complete_date(m["start"], end) if end else None
            return (start, end) if start and end else None
        year = int(m["year"])
        if key == "period_quarter":
            q = _QUARTERS[m["quarter"].lower()]
            return dt.date(year, 3 * q - 2, 1), _month_end(year, 3 * q)
        first = month_number(m["month"])
        last = month_number(m["month2"]) if key == "period_months" else first
        if not first or not last:
            return None
        start_year = year if first <= last else year - 1
        return dt.date(start_year, first, 1), _month_end(year, last)

    # --- force ------------------------------------------------------------------------

    def force(self) -> Force | None:
        """The force the report is about: of the operations named, the one named most (ties: the
        first of the table); a national force only when no operation is named."""
        text = self.clean.text
        best: tuple[bool, int, int, str, str, re.Match[str]] | None = None
        for rank, (key, names, area, national) in enumerate(self.forces):
            found = list(names.finditer(text))
            candidate = (not national, len(found), -rank, key, area, found[0]) if found else None
            if candidate and (best is None or candidate[:3] > best[:3]):
                best = candidate
        if best is None:
            return None
        key, area, first = best[3], best[4], best[5]
        if not area:
            counts = [(len(re.findall(rf"\b{re.escape(name)}\b", text)), -i, name)
                      for i, name in enumerate(self.areas)]
            top = max(counts, default=(0, 0, ""))
            area = top[2] if top[0] else ""
        return Force(key, slug(area) if area else None, self.evidence(first.start(), first.end()))

    # --- troops -----------------------------------------------------------------------

    def troops(self, body: Part, period: Period | None) -> TroopStrength | None:
        """The force's strength: a troop noun with its count in any clause order."""
        m = (self._search("troops_total", body.start, body.end) or self._search("troop_strength", body.start, body.end)
             or self._search("troops_noun_first", body.start, body.end))
        if m is None:
            numbered = [p for p in self.structure.paragraphs if p.number is not None]
            limit = numbered[TROOP_PARAGRAPHS - 1].end if len(numbered) >= TROOP_PARAGRAPHS else body.end
            m = next((x for x in self.patterns["troops_were"].finditer(self.clean.text, body.start, limit)
                      if (parse_number(x["troops"]) or 0) >= MIN_TROOPS), None)
        if not m:
            return None
        troops = parse_number(m["troops"])
        if troops is None or troops < MIN_TROOPS:
            return None
        sentence = without_paragraph_number(self.clean.text, *sentence_around(self.sentences, m.start(), m.end()))
        strength = TroopStrength(
            troops=troops, approximate=bool(m["approx"]), as_at=self._as_at(sentence, period),
            non_nato_troops=None, nato_nations=None, non_nato_nations=None,
            evidence=[self.evidence(*sentence)])
        # The figures of non-NATO troops and nations may follow in the next sentence.
        following = sentence_index(self.sentences, sentence[1])
        window_end = self.sentences[following][1] if following < len(self.sentences) else sentence[1]
        n = self._search("non_nato_troops", m.end(), window_end)
        if n:
            strength.non_nato_troops = parse_number(n["troops"])
            strength.evidence.append(self.evidence(n.start(), n.end()))
        n = self._search("nations", m.end(), window_end)
        if n:
            strength.nato_nations = parse_number(n["nato"]) if n["nato"] else None
            strength.non_nato_nations = parse_number(n["nonnato"])
            if n.end() > sentence[1]:
                strength.evidence.append(self.evidence(n.start(), n.end()))
        return strength

    def _as_at(self, sentence: tuple[int, int], period: Period | None) -> dt.date | None:
        """"As at <date>" in the sentence; "during/over the reporting period" is the period's end."""
        end = period.end if period else None
        a = self._search("as_at", *sentence)
        if a and a["month"]:
            month = month_number(a["month"])
            return _month_end(int(a["year"]), month) if month else None
        if a:
            text = a["date"] or a["on"] or a["day"]
            return complete_date(text, end) if end and not parse_date(text) else date_before(text, end)
        if end and self._search("over_period", *sentence):
            return end
        return None

    # --- incidents --------------------------------------------------------------------

    def incidents(self, body: Part, report: Report) -> None:
        """The counts of every incident list of the report, as running lists "drugs (23), ...",
        semicolon lists "drugs: 23; ..." or table rows "| drugs | 23 |" (a category counted once)."""
        seen: set[str] = set()
        forms = (("incident_list", "incident_item"), ("incident_semicolon", "incident_semicolon_item"),
                 ("incident_table", "incident_table_item"))
        found = sorted(((m, item) for key, item in forms
                        for m in self.patterns[key].finditer(self.clean.text, body.start, body.end)),
                       key=lambda x: x[0].start())
        for m, item_key in found:
            items = list(self.patterns[item_key].finditer(self.clean.text, m.start("items"), m.end("items")))
            if len(items) < 2:
                continue
            for item in items:
                category = re.sub(r"\s+", " ", item["category"]).strip()
                if slug(category) in seen:
                    continue
                seen.add(slug(category))
                report.incidents.append(IncidentCount(
                    category=category, count=int(item["count"].replace(",", "")),
                    evidence=self.evidence(item.start("category"), item.end())))
            if m.groupdict().get("total") and report.total_incidents is None:
                report.total_incidents = parse_number(m["total"])
