"""The one date grammar: dates and counts as the reports write them, resolved
against a report's period.

Two steps, both pure functions:

* `find_dates(text)` finds date expressions with their offsets: full dates
  ("5 November 2007", "2 Oct 2008", "July 3, 2008"), day ranges ("18 and 19
  September"), partial dates ("4 November"), months ("mid-July 2017", "in
  July"), years ("in 2013") and relative expressions ("last month", "the day
  after").
* `resolve(mention, period, reference, anchor)` turns one into a `DateValue`:
  a day+month without a year takes the year that puts it inside (or nearest
  to) the reporting period; "last month" is the month before the period's
  (last) month; "the day after" needs an anchor date.

The header facts use the same grammar: `parse_date` reads a full date,
`complete_date` a day (and month) completed from a later date, `parse_number`
a count in figures or words, and `fragment` gives the regular expressions of
these to embed in other rules (data/facts.toml).

The month names, number words and relative expressions live in
kfor_kg/data/dates.toml. Nothing here raises on odd text: what cannot be read is simply not found,
and what cannot be resolved resolves to None.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from collections.abc import Callable
from functools import lru_cache

from kfor_kg.resources import data_file

__all__ = ["DateValue", "DateMention", "complete_date", "find_dates", "fragment", "month_number",
           "parse", "parse_date", "parse_number", "resolve", "resolve_day_month"]

Period = tuple[dt.date, dt.date]


@dataclass(frozen=True)
class DateValue:
    """A resolved date: a day, a month or a year, possibly a range of days.

    >>> DateValue(dt.date(2017, 7, 1), dt.date(2017, 7, 31), "month").iso
    '2017-07'
    """

    start: dt.date
    end: dt.date
    precision: str                 # "day" | "month" | "year"
    qualifier: str | None = None   # "mid", "early", "late", "end of"... for vaguer months

    @property
    def iso(self) -> str:
        """ISO 8601 at the value's precision: '2020-11-04', '2017-07' or '2013' (a range gives its first day)."""
        if self.precision == "day":
            return self.start.isoformat()
        if self.precision == "month":
            return f"{self.start.year:04d}-{self.start.month:02d}"
        return f"{self.start.year:04d}"

    @property
    def is_range(self) -> bool:
        return self.precision == "day" and self.end != self.start

    def shifted(self, days: int) -> DateValue | None:
        """The same value `days` days later (day precision only)."""
        if self.precision != "day":
            return None
        try:
            delta = dt.timedelta(days=days)
            return DateValue(self.start + delta, self.start + delta, "day")
        except OverflowError:
            return None


@dataclass(frozen=True)
class DateMention:
    """A date expression found in a text; offsets are into that text (end exclusive).

    `kind` is "day" (day, day range, with or without year), "month", "year",
    "relative-month", "relative-year" or "relative-day"; `offset` is the shift
    of a relative expression (months, years or days).
    """

    start: int
    end: int
    text: str
    kind: str
    day: int | None = None
    month: int | None = None
    year: int | None = None
    end_day: int | None = None
    end_month: int | None = None
    end_year: int | None = None
    offset: int = 0
    qualifier: str | None = None

    @property
    def has_year(self) -> bool:
        return self.year is not None or self.end_year is not None


# --- language data ------------------------------------------------------------


@dataclass(frozen=True)
class _Grammar:
    months: dict[str, int]
    numbers: dict[str, int]
    relative: dict[str, tuple[str, int]]      # phrase -> (kind, offset)
    patterns: tuple[tuple[str, re.Pattern[str]], ...]
    full_date: re.Pattern[str]                # one date with day, month and year
    count: re.Pattern[str]                    # an optional approximation word and a count
    fragments: dict[str, str]                 # regex sources without groups, see `fragment`
    multipliers: dict[str, int]               # "thousand" -> 1000
    masthead_months: dict[str, int]           # French and Spanish month names -> number
    masthead_date: re.Pattern[str]            # "12 septembre 2014", "12 de septiembre de 2014"


def _anonymous(pattern: str) -> str:
    """Drop group names so a sub-pattern can be embedded more than once."""
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


def _alternation(words: list[str], cased: bool = False) -> str:
    """A regex alternation of `words`, longest first; `cased` adds Title- and UPPER-case forms."""
    forms = {v for w in words for v in ((w.capitalize(), w.upper()) if cased else (w,))}
    return "|".join(re.escape(w) for w in sorted(forms, key=lambda x: (-len(x), x)))


@lru_cache(maxsize=1)
def _grammar() -> _Grammar:
    with data_file("dates.toml").open("rb") as f:
        raw = tomllib.load(f)
    months = {k.lower(): int(v) for k, v in raw["months"].items()}
    numbers = {k.lower(): int(v) for k, v in raw["numbers"].items()}
    words = raw["words"]
    relative: dict[str, tuple[str, int]] = {}
    for kind, table in (("relative-month", raw["relative_months"]), ("relative-year", raw["relative_years"]),
                        ("relative-day", raw["relative_days"])):
        for phrase, offset in table.items():
            relative[" ".join(phrase.lower().split())] = (kind, int(offset))

    # Title-case and UPPER-case only: "may" and "mar" are also ordinary words.
    full = {n: m for n, m in months.items() if len(n) > 4 or n in ("may", "june", "july")}
    short = [n for n in months if n not in full]
    month = (f"(?:(?:{_alternation(list(full), cased=True)})|(?:{_alternation(short, cased=True)})\\.?)"
             r"(?![A-Za-z])")
    day = r"(?<![\d,.])(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?!\d|,\d)"
    year = r"(?:1[89]\d\d|2[01]\d\d)(?![\d])"
    dashes = "".join(re.escape(w) for w in words["range_words"] if not w.isalpha())
    sep = (rf"(?:\s*[{dashes}]\s*|\s+(?:" + _alternation([w for w in words["range_words"] if w.isalpha()])
           + r")\s+)")
    of = r"(?:\s+of)?"
    qual = "(?:" + "|".join(re.escape(q) for q in sorted(words["month_qualifiers"], key=len, reverse=True)) + ")"
    mprep = f"(?i:{_alternation(words['month_prepositions'])})"
    yprep = f"(?i:{_alternation(words['year_prepositions'])})"
    rel = _alternation(list(relative))
    nums = _alternation(list(numbers))
    patterns = (
        ("range2", rf"(?P<d1>{day}){of}\s+(?P<m1>{month})(?:,?\s+(?P<y1>{year}))?{sep}(?:the\s+)?"
                   rf"(?P<d2>{day}){of}\s+(?P<m2>{month})(?:,?\s+(?P<y2>{year}))?"),
        ("range1", rf"(?P<d1>{day}){sep}(?P<d2>{day}){of}\s+(?P<m1>{month})(?:,?\s+(?P<y1>{year}))?"),
        ("dmy", rf"(?P<d1>{day}){of}\s+(?P<m1>{month})(?:,?\s+(?P<y1>{year}))?"),
        ("mdy", rf"(?P<m1>{month})\s+(?P<d1>{day})(?:,\s*(?P<y1>{year}))?"),
        ("iso", rf"(?<![\d-])(?P<y1>{year})-(?P<mm>0[1-9]|1[0-2])-(?P<dd>0[1-9]|[12]\d|3[01])(?![\d])"),
        ("my", rf"(?P<q>{qual})?(?P<m1>{month}){of},?\s+(?P<y1>{year})"),
        ("m", rf"(?:(?P<q>(?<![A-Za-z]){qual})|(?<![A-Za-z])(?:{mprep})\s+(?:the\s+month\s+of\s+)?)"
              rf"(?P<m1>{month})(?!\s*\d)"),
        ("y", rf"(?<![A-Za-z])(?:{yprep})\s+(?:the\s+year\s+)?(?P<y1>{year})(?![)/])"),
        ("rel", rf"(?<![A-Za-z])(?P<rel>{rel})(?![A-Za-z])"),
        ("ndays", rf"(?<![A-Za-z\d])(?P<n>\d{{1,2}}|{nums})\s+days?\s+(?P<dir>later|after|earlier|before)(?![A-Za-z])"),
    )
    flags = {"rel": re.I, "ndays": re.I}
    full_date = (rf"(?P<d1>{day}){of}\s+(?P<m1>{month}),?\s+(?P<y1>{year})"
                 rf"|(?P<m2>{month})\s+(?P<d2>{day}),?\s+(?P<y2>{year})")
    multipliers = {k.lower(): int(v) for k, v in raw.get("multipliers", {}).items()}
    mult = f"(?:\\s+(?i:{_alternation(list(multipliers))}))" if multipliers else ""
    number = (rf"(?:(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?(?={mult})|\d+|(?i:{nums})(?:[- ](?i:{nums}))?)"
              rf"{mult}?)")
    approximate = f"(?i:{_alternation(raw['approximate']['words'])})"
    fragments = {
        "date": _anonymous(full_date),
        "day_month": rf"{day}(?:{of}\s+{month})?(?:,?\s+{year})?",
        "number": number,
        "day_month_year": rf"{day}{of}\s+{month}(?:,?\s+{year})?|{month}\s+{day}(?:,\s*{year})?",
        "month": month,
        "year": year,
        "approximate": approximate,
    }
    masthead_months = {k.lower(): int(v) for k, v in raw.get("masthead_months", {}).items()}
    masthead_names = "|".join(re.escape(n) for n in sorted(masthead_months, key=len, reverse=True))
    masthead_date = re.compile(rf"(?<!\d)(\d{{1,2}})(?:er|º)?\s+(?:de\s+)?({masthead_names})\s+(?:de\s+)?(\d{{4}})(?!\d)",
                               re.I)
    return _Grammar(months, numbers, relative,
                    tuple((name, re.compile(p, flags.get(name, 0))) for name, p in patterns),
                    re.compile(full_date),
                    re.compile(rf"(?:(?P<approx>{approximate})\s+)?(?P<number>{number})"),
                    fragments, multipliers, masthead_months, masthead_date)


def fragment(name: str) -> str:
    """The regular expression (without groups) of a grammar element, to embed in other rules.

    `name` is "date" (a full date: "5 November 2007", "July 3, 2008"),
    "day_month" (a day with optional month and year: "1", "1 January",
    "1 January 2020"), "number" (a count: "15,314", "nineteen", "twenty-one")
    or "approximate" (a word that makes a count approximate: "some", "just over").

    >>> import re
    >>> bool(re.fullmatch(fragment("date"), "2 Oct. 2008"))
    True
    """
    return _grammar().fragments[name]


def month_number(name: str) -> int | None:
    """The month a name or abbreviation stands for ("Sept." -> 9), else None.

    >>> month_number("Oct")
    10
    """
    return _grammar().months.get(name.strip().rstrip(".").lower())


def parse_date(text: str) -> dt.date | None:
    """The first full date (day, month and year) written in `text`, else None.

    >>> parse_date("dated 5 November 2007")
    datetime.date(2007, 11, 5)
    >>> parse_date("July 3, 2008")
    datetime.date(2008, 7, 3)
    """
    m = _grammar().full_date.search(text)
    if not m:
        return None
    day, month, year = (m["d1"], m["m1"], m["y1"]) if m["d1"] else (m["d2"], m["m2"], m["y2"])
    number, day_number = month_number(month), _int(day)
    return _safe_date(int(year), number, day_number) if number and day_number else None


def parse_masthead_date(text: str) -> tuple[dt.date, int, int] | None:
    """The first date of a masthead written in another UN language, with its (start, end).

    >>> parse_masthead_date("Distr. générale 12 septembre 2014")[0]
    datetime.date(2014, 9, 12)
    """
    grammar = _grammar()
    m = grammar.masthead_date.search(text)
    if not m:
        return None
    day = _safe_date(int(m.group(3)), grammar.masthead_months[m.group(2).lower()], int(m.group(1)))
    return (day, m.start(), m.end()) if day else None


def complete_date(text: str, later: dt.date) -> dt.date | None:
    """A date written as "1", "1 January" or in full, completed from a `later` date.

    The missing month is the later date's; the missing year the one that does
    not put the month after the later date's month (the start of "1 December
    to 31 January 2008" is in 2007).

    >>> complete_date("1 December", dt.date(2008, 1, 31))
    datetime.date(2007, 12, 1)
    >>> complete_date("1", dt.date(2008, 1, 31))
    datetime.date(2008, 1, 1)
    """
    full = parse_date(text)
    if full:
        return full
    m = re.match(r"(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?(?:\s+(\w+)\.?)?", text.strip())
    if not m:
        return None
    month = (month_number(m.group(2)) if m.group(2) else None) or later.month
    year = later.year if month <= later.month else later.year - 1
    return _safe_date(year, month, int(m.group(1)))


def parse_number(text: str) -> int | None:
    """A count in figures or words, possibly approximate ("15,314", "twenty-one", "some 3,500").

    >>> parse_number("twenty-one"), parse_number("some 3,500"), parse_number("many")
    (21, 3500, None)
    >>> parse_number("18 thousand"), parse_number("4.5 thousand")
    (18000, 4500)
    """
    m = _grammar().count.fullmatch(" ".join(text.split()))
    if not m:
        return None
    number = m["number"].lower()
    factor = 1
    head, _, last = number.rpartition(" ")
    if head and last in _grammar().multipliers:
        number, factor = head.strip(), _grammar().multipliers[last]
    if number[0].isdigit():
        return round(float(number.replace(",", "")) * factor)
    words = _grammar().numbers
    return sum(words[w] for w in re.split(r"[- ]", number)) * factor


def _int(text: str | None) -> int | None:
    if not text:
        return None
    digits = re.match(r"\d+", text)
    return int(digits.group()) if digits else None


# --- finding ------------------------------------------------------------------------


def find_dates(text: str) -> list[DateMention]:
    """Every date expression in `text`, in order, never overlapping (longest wins).

    >>> [m.text for m in find_dates("On 4 November and in mid-July 2017, the day after")]
    ['4 November', 'mid-July 2017', 'the day after']
    """
    g = _grammar()
    found: list[DateMention] = []
    for name, pattern in g.patterns:
        for m in pattern.finditer(text):
            mention = _mention(name, m, g)
            if mention is not None:
                found.append(mention)
    found.sort(key=lambda x: (x.start, -(x.end - x.start)))
    out: list[DateMention] = []
    for mention in found:
        if out and mention.start < out[-1].end:
            if mention.end - mention.start > out[-1].end - out[-1].start and mention.start >= out[-1].start:
                out[-1] = mention
            continue
        out.append(mention)
    # A replacement may now overlap its successor; keep the first of any such pair.
    cleaned: list[DateMention] = []
    for mention in out:
        if cleaned and mention.start < cleaned[-1].end:
            continue
        cleaned.append(mention)
    return cleaned


def _mention(name: str, m: re.Match[str], g: _Grammar) -> DateMention | None:
    gd = m.groupdict()
    start, end = m.start(), m.end()
    if name == "rel":
        kind, offset = g.relative[" ".join(gd["rel"].lower().split())]
        return DateMention(m.start("rel"), m.end("rel"), gd["rel"], kind, offset=offset)
    if name == "ndays":
        n = _int(gd["n"]) if gd["n"][0].isdigit() else g.numbers.get(gd["n"].lower())
        if n is None:
            return None
        sign = 1 if gd["dir"].lower() in ("later", "after") else -1
        return DateMention(start, end, m.group(), "relative-day", offset=sign * n)
    if name == "y":
        return DateMention(m.start("y1"), m.end("y1"), gd["y1"], "year", year=int(gd["y1"]))
    if name == "iso":
        return DateMention(start, end, m.group(), "day", day=int(gd["dd"]), month=int(gd["mm"]),
                           year=int(gd["y1"]))
    month = g.months.get(gd["m1"].rstrip(".").lower())
    if month is None:
        return None
    if name in ("my", "m"):
        q = gd.get("q")
        if name == "m" and not q:
            start = m.start("m1")
        qualifier = " ".join(q.strip(" -").split()) if q else None
        if qualifier and qualifier.startswith("the "):
            qualifier = qualifier[4:]
        return DateMention(start, end, m.string[start:end], "month", month=month,
                           year=_int(gd.get("y1")), qualifier=qualifier)
    day = _int(gd["d1"])
    year = _int(gd.get("y1"))
    end_day = _int(gd.get("d2"))
    end_month: int | None = None
    end_year: int | None = None
    if name == "range2":
        end_month = g.months.get(gd["m2"].rstrip(".").lower())
        end_year = _int(gd.get("y2"))
        if end_month is None:
            return None
    elif name == "range1":
        end_month, end_year, year = month, year, None
    return DateMention(start, end, m.group(), "day", day=day, month=month, year=year,
                       end_day=end_day, end_month=end_month, end_year=end_year)


# --- resolving ----------------------------------------------------------------------


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _month_bounds(year: int, month: int) -> tuple[dt.date, dt.date] | None:
    if not (1 <= month <= 12 and dt.MINYEAR <= year <= dt.MAXYEAR):
        return None
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _gap(a: tuple[dt.date, dt.date], b: Period) -> int:
    """Days between two intervals (0 when they overlap)."""
    if a[1] < b[0]:
        return (b[0] - a[1]).days
    if a[0] > b[1]:
        return (a[0] - b[1]).days
    return 0


def _choose_year(make: Callable[[int], tuple[dt.date, dt.date] | None], period: Period | None,
                 reference: dt.date | None) -> int | None:
    """The year for a date written without one.

    Inside (or nearest to) the period; without a period, the latest year that
    does not put it after the reference date.
    """
    if period is not None:
        lo, hi = sorted(period)
        candidates = [(y, make(y)) for y in range(max(dt.MINYEAR, lo.year - 1), min(dt.MAXYEAR, hi.year + 1) + 1)]
        scored = [(_gap(b, (lo, hi)), 0 if reference is None or b[0] <= reference else 1, y)
                  for y, b in candidates if b is not None]
        return min(scored)[2] if scored else None
    if reference is not None:
        candidates = [(y, make(y)) for y in range(max(dt.MINYEAR, reference.year - 1), reference.year + 1)]
        past = [y for y, b in candidates if b is not None and b[0] <= reference]
        if past:
            return max(past)
        future = [y for y, b in candidates if b is not None]
        return min(future) if future else None
    return None


def resolve_day_month(day: int, month: int, period: Period | None = None,
                      reference: dt.date | None = None) -> dt.date | None:
    """The full date of a day and month written without a year.

    >>> resolve_day_month(4, 11, (dt.date(2020, 10, 1), dt.date(2020, 12, 31)))
    datetime.date(2020, 11, 4)
    >>> resolve_day_month(28, 12, (dt.date(2008, 1, 1), dt.date(2008, 1, 31)))
    datetime.date(2007, 12, 28)
    """
    def bounds(y: int) -> tuple[dt.date, dt.date] | None:
        d = _safe_date(y, month, day)
        return (d, d) if d else None

    year = _choose_year(bounds, period, reference)
    return _safe_date(year, month, day) if year is not None else None


def _anchor_month(period: Period | None, reference: dt.date | None) -> tuple[int, int] | None:
    if period is not None:
        last = max(period)
        return last.year, last.month
    if reference is not None:
        return reference.year, reference.month
    return None


def resolve(mention: DateMention, period: Period | None = None, reference: dt.date | None = None,
            anchor: DateValue | None = None) -> DateValue | None:
    """The date a mention stands for in a report, or None when it cannot be told.

    `period` is the reporting period (start, end), `reference` the date the
    document speaks from (issue date), `anchor` the date a relative-day
    expression ("the day after") counts from.

    >>> m = find_dates("last month")[0]
    >>> resolve(m, (dt.date(2007, 9, 1), dt.date(2007, 9, 30))).iso
    '2007-08'
    """
    try:
        return _resolve(mention, period, reference, anchor)
    except (ValueError, OverflowError):
        return None


def _resolve(m: DateMention, period: Period | None, reference: dt.date | None,
             anchor: DateValue | None) -> DateValue | None:
    if m.kind == "relative-day":
        return anchor.shifted(m.offset) if anchor is not None else None
    if m.kind == "relative-month":
        base = _anchor_month(period, reference)
        if base is None:
            return None
        index = base[0] * 12 + base[1] - 1 + m.offset
        bounds = _month_bounds(index // 12, index % 12 + 1)
        return DateValue(*bounds, "month") if bounds else None
    if m.kind == "relative-year":
        base = _anchor_month(period, reference)
        if base is None or not dt.MINYEAR <= base[0] + m.offset <= dt.MAXYEAR:
            return None
        y = base[0] + m.offset
        return DateValue(dt.date(y, 1, 1), dt.date(y, 12, 31), "year")
    if m.kind == "year" and m.year is not None:
        return DateValue(dt.date(m.year, 1, 1), dt.date(m.year, 12, 31), "year")
    if m.kind == "month" and m.month is not None:
        month = m.month
        year = m.year if m.year is not None else _choose_year(lambda y: _month_bounds(y, month), period, reference)
        bounds = _month_bounds(year, month) if year is not None else None
        return DateValue(*bounds, "month", m.qualifier) if bounds else None
    if m.kind == "day" and m.day is not None and m.month is not None:
        return _resolve_days(m, period, reference)
    return None


def _resolve_days(m: DateMention, period: Period | None, reference: dt.date | None) -> DateValue | None:
    assert m.day is not None and m.month is not None
    end_day = m.end_day if m.end_day is not None else m.day
    end_month = m.end_month if m.end_month is not None else m.month
    # The year is written at most once, usually at the end: "1 July to 30 September 2017".
    if m.end_year is not None:
        end = _safe_date(m.end_year, end_month, end_day)
        if end is None:
            return None
        start = _safe_date(m.year if m.year is not None else end.year, m.month, m.day)
        if start is not None and start > end and m.year is None:
            start = _safe_date(end.year - 1, m.month, m.day)
    else:
        if m.year is not None:
            start = _safe_date(m.year, m.month, m.day)
        else:
            start = resolve_day_month(m.day, m.month, period, reference)
        if start is None:
            return None
        end = _safe_date(start.year, end_month, end_day)
        if end is not None and end < start:
            end = _safe_date(start.year + 1, end_month, end_day)
    if start is None or end is None or end < start:
        return None
    return DateValue(start, end, "day")


def parse(text: str, period: Period | None = None, reference: dt.date | None = None,
          anchor: DateValue | None = None) -> DateValue | None:
    """The first date in `text`, resolved (see `resolve`); None when there is none.

    >>> parse("On 4 November", (dt.date(2020, 10, 1), dt.date(2020, 12, 31))).iso
    '2020-11-04'
    >>> parse("2 Oct 2008").iso
    '2008-10-02'
    """
    for mention in find_dates(text):
        value = resolve(mention, period, reference, anchor)
        if value is not None:
            return value
    return None
