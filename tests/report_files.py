"""Real PDF, HTML and DOCX files made from a plain-text report, as users download them.

The PDF is laid out like a UN document: A4, an embedded TrueType font (so names
such as "António" or "Kosovo Vučić" are real glyphs, not Latin-1 codes),
the symbol as page header from page 2 on, the job number (`17-19063 (E)`) and
the page number as footer, hyphenated line ends, at least two pages. The HTML
page wraps the report in site chrome (navigation, a cookie banner, a footer,
a script). The DOCX has one Word paragraph per paragraph of the report.

Each maker returns what it drew, so that tests can check pages and words.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from kfor_kg.extract import facts
from kfor_kg.text import ingest

# A DejaVu font where the system has one, else the Vera font reportlab ships.
_FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
)


def report_blocks(path: Path) -> list[str]:
    """The blocks of a plain-text report (one per line of its cleaned text), markup removed."""
    return ingest.load(path).text.split("\n")


def _font_file() -> Path:
    for candidate in _FONT_CANDIDATES:
        if candidate.exists():
            return candidate
    import reportlab

    return Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"


def _job_number(path: Path, symbol: str | None) -> str:
    year = re.search(r"(?:19|20)(\d\d)", symbol or path.name)
    digits = sum(map(ord, path.name)) % 90000 + 10000
    return f"{year.group(1) if year else '00'}-{digits:05d}"


@dataclass
class PdfLayout:
    """What the PDF maker drew: the lines of each page (1-based page = index + 1), furniture first."""

    pages: list[list[str]]
    job_number: str
    symbol: str | None


def make_pdf(source: Path, target: Path, masthead_symbol: str | None = None,
             paragraph_gap: float = 0.6) -> PdfLayout:
    """Write `source` (a plain-text report) as a UN-style A4 PDF at `target`.

    Paragraphs are `paragraph_gap` lines apart (0: no gap, only line breaks).
    With `masthead_symbol`, page 1 starts with the UN masthead line: "United Nations"
    on the left and the symbol on the right, on one baseline.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("ReportFont", str(_font_file())))
    blocks = report_blocks(source)
    symbol = masthead_symbol or facts.extract(ingest.load(source)).symbol
    job = _job_number(source, symbol)
    width, height = A4
    margin, size, leading = 72.0, 12.5, 16.0
    text_width = width - 2 * margin

    def fits(line: str) -> bool:
        return pdfmetrics.stringWidth(line, "ReportFont", size) <= text_width

    lines: list[str | None] = []  # None: a paragraph gap
    for block in blocks:
        current = ""
        for word in block.split(" "):
            candidate = f"{current} {word}" if current else word
            if fits(candidate):
                current = candidate
                continue
            head, tail = _hyphenate(current, word, fits)
            lines.append(head)
            current = tail
        lines.append(current)
        lines.append(None)

    # Lines to pages first, so that the footers can say "2/3".
    laid: list[list[tuple[str, float]]] = [[]]
    y = height - margin
    for line in lines:
        if line is None:
            y -= leading * paragraph_gap
            continue
        if y < margin:
            laid.append([])
            y = height - margin
        laid[-1].append((line, y))
        y -= leading

    c = canvas.Canvas(str(target), pagesize=A4, invariant=True)
    c.setTitle(symbol or source.stem)
    pages: list[list[str]] = []
    total = len(laid)
    for number, body in enumerate(laid, start=1):
        drawn: list[str] = []
        c.setFont("ReportFont", 9)
        # As UN documents: the symbol heads pages 2 on (left on even pages, right on odd);
        # page 1's footer has the job number with "(E)" and a date, and a barcode; the
        # others "2/3" and the job number on one baseline, mirrored on odd pages.
        if number > 1 and symbol:
            (c.drawString if number % 2 == 0 else c.drawRightString)(
                margin if number % 2 == 0 else width - margin, height - 40, symbol)
            drawn.append(symbol)
        if number == 1:
            drawn += [f"{job} (E)    011117", f"*{job.replace('-', '')}*"]
            c.drawString(margin, 40, drawn[-2])
            c.drawString(margin, 28, drawn[-1])
        elif number % 2 == 0:
            c.drawString(margin, 40, f"{number}/{total}")
            c.drawRightString(width - margin, 40, job)
            drawn.append(f"{number}/{total} {job}")
        else:
            c.drawString(margin, 40, job)
            c.drawRightString(width - margin, 40, f"{number}/{total}")
            drawn.append(f"{job} {number}/{total}")
        if number == 1 and masthead_symbol:
            c.setFont("ReportFont", 10)
            c.drawString(margin, height - margin + 20, "United Nations")
            c.drawRightString(width - margin, height - margin + 20, masthead_symbol)
            drawn.append(f"United Nations {masthead_symbol}")
        c.setFont("ReportFont", size)
        for line, at in body:
            c.drawString(margin, at, line)
            drawn.append(line)
        pages.append(drawn)
        c.showPage()
    c.save()
    return PdfLayout(pages, job, symbol)


def _hyphenate(current: str, word: str, fits) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Break `word` with a hyphen at the end of `current` when a long lowercase word allows it."""
    keep = ingest.cleaning_rules().keep_hyphen_after
    if word.isalpha() and word.islower() and len(word) >= 9:
        for cut in range(len(word) - 4, 3, -1):
            head = word[:cut]
            if head.lower() not in keep and fits(f"{current} {head}-"):
                return f"{current} {head}-", word[cut:]
    return current, word


_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
_ESCAPE = re.compile(r"\\([()\[\]*_#.-])")


def _inline_html(text: str) -> str:
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _ESCAPE.sub(lambda m: m.group(1), text)
    text = re.sub(r"^#+\s*", "", text)
    text = html.escape(text, quote=False)
    return _BOLD.sub(lambda m: f"<strong>{m.group(1)}</strong>", text)


def make_html(source: Path, target: Path) -> None:
    """Write `source` as a web page: the report inside navigation, banner, sidebar and footer."""
    body = "\n".join(
        "    <p>" + "<br>\n      ".join(_inline_html(" ".join(line.split())) for line in lines) + "</p>"
        for lines in _paragraph_lines(source))
    target.write_text(f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Letter to the Security Council | Documents &amp; Archives</title>
  <style>body {{ font-family: serif; }} nav a {{ color: #036; }}</style>
  <script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}</script>
</head>
<body>
  <header class="site-header">
    <a href="/" class="logo">Documents &amp; Archives</a>
    <nav><ul><li><a href="/">Home</a></li><li><a href="/search">Search</a></li>
    <li><a href="/about">About the European Union Archive</a></li><li><a href="/contact">Contact NATO Press Office</a></li></ul></nav>
  </header>
  <div id="cookie-banner" class="cookie-consent">We use cookies. <button>Accept</button></div>
  <main>
  <article class="document">
{body}
  </article>
  </main>
  <aside class="sidebar"><h2>Related documents</h2><ul><li><a href="/x">Report of the Secretary-General on Afghanistan</a></li>
  <li><a href="/y">Statement by Vladimir Putin</a></li></ul></aside>
  <footer><p>&copy; 2024 Documents &amp; Archives, Geneva. <a href="/privacy">Privacy</a></p></footer>
  <script src="/static/app.js"></script>
</body>
</html>
""", encoding="utf-8")


def make_docx(source: Path, target: Path) -> None:
    """Write `source` as a Word document, one paragraph per paragraph, bold kept as bold runs."""
    import docx

    document = docx.Document()
    for lines in _paragraph_lines(source):
        paragraph = document.add_paragraph()
        for n, line in enumerate(lines):
            previous_bold = False
            for text, bold in _runs(line):
                if bold and previous_bold:
                    run.add_break()  # "**Enclosure****Report...**": two headings on their own lines
                run = paragraph.add_run(text)
                run.bold = previous_bold = bold
            if n < len(lines) - 1:
                run.add_break()
    document.core_properties.title = source.stem
    document.save(str(target))


def _paragraph_lines(source: Path) -> list[list[str]]:
    """The report's paragraphs (blank-line separated), each a list of its lines as written."""
    text = source.read_text(encoding="utf-8")
    out = []
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [" ".join(line.split()) for line in block.split("\n")]
        lines = [line for line in lines if line]
        if lines:
            out.append(lines)
    return out


def _runs(line: str) -> list[tuple[str, bool]]:
    """A markdown-ish line as runs of (text, bold), links and escapes resolved."""
    line = _ESCAPE.sub(lambda m: m.group(1), _LINK.sub(lambda m: m.group(1), re.sub(r"^#+\s*", "", line)))
    runs: list[tuple[str, bool]] = []
    pos = 0
    for m in _BOLD.finditer(line):
        if m.start() > pos:
            runs.append((line[pos:m.start()], False))
        runs.append((m.group(1), True))
        pos = m.end()
    if pos < len(line):
        runs.append((line[pos:], False))
    return runs
