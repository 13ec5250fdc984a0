"""Split a cleaned document into its parts and the report into paragraphs.

A document is, in order and each part optional: the masthead (symbol, date,
languages), the Secretary-General's covering letter, the annex (usually
NATO's letter) and the enclosure (the report itself, in numbered paragraphs
under section headings). Cut-off and unusual documents simply lack parts.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from kfor_kg.text.ingest import CleanText

_SIGNED = re.compile(r"^\((?i:signed)\)")
_NUMBERED = re.compile(r"^(\d{1,3})\.\s")
_LETTER_HEADING = re.compile(r"^(?:[\w ]+:\s*)?(?:Identical letters|Letter|LETTER) (?i:dated)\b")
_ANNEX = re.compile(r"^Annex\b")
_ENCLOSURE = re.compile(r"^Enclosure\b")
_LABEL_ONLY = re.compile(r"^(?:Annex|Enclosure)(?: [IVX\d]+)?$|^\[?Original: \w+\]?$|^Annex to the letter\b")
_HEADING_END = re.compile(r"[.;:,]$")
_LETTER_OPENING = re.compile(r"^(?:Dear (?:Mr|Madam|Sir|Secretary|President)\b|Excellency\b|I have the honour\b)")
_REPORT_HEADING = re.compile(r"^(?:[\w-]+ ){0,4}(?i:report) (?:to|on|by)\b")


@dataclass(frozen=True)
class Line:
    text: str
    start: int   # offsets in the cleaned text

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass(frozen=True)
class Part:
    """A stretch of the cleaned text: 'masthead', 'covering-letter', 'annex-letter' or 'report'."""

    kind: str
    start: int
    end: int
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Paragraph:
    """A paragraph (one line) of the report; `number` is None when it is not numbered."""

    number: int | None
    start: int
    end: int
    section: str | None        # the heading it stands under


@dataclass
class Structure:
    """The parts of a document and the paragraphs, headings and labels of its lines.

    All offsets are into the cleaned text. Page furniture is not here: the
    cleaning removed it from the text (see `CleanText.furniture`).
    """

    parts: dict[str, Part] = field(default_factory=dict)
    paragraphs: list[Paragraph] = field(default_factory=list)   # report paragraphs, in order
    headings: list[Line] = field(default_factory=list)          # section headings of the report
    labels: list[Line] = field(default_factory=list)            # "Annex", "Enclosure", "[Original: English]"
    signatures: dict[str, Line] = field(default_factory=dict)   # part kind -> "(Signed) ..." line

    def text_of(self, clean: CleanText, kind: str) -> str:
        part = self.parts.get(kind)
        return clean.text[part.start:part.end] if part else ""

    def paragraph_at(self, offset: int) -> Paragraph | None:
        """The numbered paragraph of the report whose line contains `offset`, else None."""
        i = bisect.bisect_right(self.paragraphs, offset, key=lambda p: p.start) - 1
        if i < 0:
            return None
        paragraph = self.paragraphs[i]
        return paragraph if paragraph.number is not None and offset < paragraph.end else None

    def heading_spans(self) -> list[tuple[int, int]]:
        """The (start, end) of each section heading of the report, in order."""
        return [(x.start, x.end) for x in self.headings]

    def masthead_span(self) -> tuple[int, int] | None:
        """The (start, end) of the masthead (symbol, date, languages), if the document has one."""
        part = self.parts.get("masthead")
        return (part.start, part.end) if part else None

    def non_prose_spans(self) -> list[tuple[int, int]]:
        """What is no running text, in order and not overlapping: the masthead, headings and labels."""
        masthead = self.masthead_span()
        spans = ([masthead] if masthead else []) + self.heading_spans()
        spans += [(x.start, x.end) for x in self.labels]
        out: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if out and start < out[-1][1]:
                out[-1] = (out[-1][0], max(end, out[-1][1]))
            else:
                out.append((start, end))
        return out


def lines_of(text: str) -> list[Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        if raw.strip():
            out.append(Line(raw, pos))
        pos += len(raw) + 1
    return out


def _part(kind: str, lines: list[Line]) -> Part | None:
    body = [x for x in lines if x.text.strip()]
    if not body:
        return None
    return Part(kind, body[0].start, body[-1].end, tuple(body))


def split(clean: CleanText) -> Structure:
    """Find the parts, paragraphs and headings of a cleaned document."""
    lines = lines_of(clean.text)
    first_para = next((i for i, x in enumerate(lines) if _NUMBERED.match(x.text)), len(lines))
    signed = [i for i, x in enumerate(lines[:first_para]) if _SIGNED.match(x.text)]
    heading = next((i for i, x in enumerate(lines[:first_para]) if _LETTER_HEADING.match(x.text)), None)
    annex = next((i for i, x in enumerate(lines[:first_para]) if _ANNEX.match(x.text)), None)
    enclosure = next((i for i, x in enumerate(lines[:first_para]) if _ENCLOSURE.match(x.text)), None)

    if heading is not None and signed and signed[0] < heading:
        heading = None          # the annex letter's heading: the covering letter has none
    s = Structure()
    # The covering letter starts at its heading, else at the first line that is
    # not masthead; it ends with the first signature (or where the annex starts).
    cov_start = heading if heading is not None else _first_body_line(lines, first_para)
    if signed and signed[0] >= cov_start:
        cov_end = signed[0] + 1
    else:
        stops = [i for i in (annex, enclosure) if i is not None and i > cov_start]
        cov_end = min(stops) if stops else first_para
    masthead = _part("masthead", lines[:cov_start])
    covering = _part("covering-letter", lines[cov_start:cov_end])
    report_start = cov_end
    later_signed = [i for i in signed if i >= cov_end]
    if later_signed:
        annex_lines = lines[cov_end:later_signed[0] + 1]
        annex_letter = _part("annex-letter", annex_lines)
        report_start = later_signed[0] + 1
    else:
        annex_letter = None
        if annex is not None and enclosure is not None and annex < enclosure and annex >= cov_end:
            annex_letter = _part("annex-letter", lines[annex:enclosure])
            report_start = enclosure
        elif annex is not None and annex >= cov_end:
            # An unsigned annex letter (an OCR'd fax) runs to the report's heading.
            heading_at = next((i for i in range(annex + 1, first_para) if _REPORT_HEADING.match(lines[i].text)), None)
            if heading_at is not None:
                annex_letter = _part("annex-letter", lines[annex:heading_at])
                report_start = heading_at
    report = _part("report", lines[report_start:])
    for part in (masthead, covering, annex_letter, report):
        if part:
            s.parts[part.kind] = part
    for kind, part in s.parts.items():
        sig = next((x for x in part.lines if _SIGNED.match(x.text)), None)
        if sig:
            s.signatures[kind] = sig
    s.labels = [x for x in lines if _LABEL_ONLY.match(x.text)]
    if report:
        _paragraphs(report, s)
    return s


def _first_body_line(lines: list[Line], first_para: int) -> int:
    """Index of the first line after the masthead (a line that reads as prose)."""
    for i, x in enumerate(lines[:first_para]):
        if len(x.text.split()) > 12 or _SIGNED.match(x.text) or _LETTER_OPENING.match(x.text):
            return i
    return 0 if first_para == 0 else first_para


def _paragraphs(report: Part, s: Structure) -> None:
    section: str | None = None
    for x in report.lines:
        m = _NUMBERED.match(x.text)
        if m:
            s.paragraphs.append(Paragraph(int(m.group(1)), x.start, x.end, section))
        elif _LABEL_ONLY.match(x.text):
            continue
        elif len(x.text) < 120 and not _HEADING_END.search(x.text):
            s.headings.append(x)
            section = x.text
        else:
            s.paragraphs.append(Paragraph(None, x.start, x.end, section))
