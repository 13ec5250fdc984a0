"""Readers for the file types reports come in: plain text (any Unicode encoding with a
byte-order mark), PDF, HTML and Word (.docx).

Each reader turns the file's bytes into the *extracted text*: the one text
that cleaning, extraction and evidence offsets refer to (`kfor-kg text FILE`
prints it). A PDF's text also records where each page starts in it, so any
span can name its page. Markup never reaches the extracted text: HTML tags and
entities are parsed, not read as words; bold names are kept as `**bold**`,
which cleaning understands like any markdown.
"""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kfor_kg.errors import IngestError

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
PDF_SUFFIXES = (".pdf",)
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
DOCX_SUFFIXES = (".docx",)
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + PDF_SUFFIXES + HTML_SUFFIXES + DOCX_SUFFIXES
"""File name extensions a folder is searched for (compared in lower case)."""

MEDIA_TYPES = {"text": "text/plain", "pdf": "application/pdf", "html": "text/html",
               "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
"""The media type of each kind of file (dcterms:format of a source in the graph)."""


@dataclass(frozen=True)
class Extracted:
    """The extracted text of a file, the kind of file it came from, and (PDF) page starts."""

    text: str
    kind: str = "text"
    pages: tuple[int, ...] = ()
    """Offset in `text` where each page starts (page n starts at pages[n - 1]); empty: no pages."""


def kind_of(path: Path, data: bytes) -> str:
    """The kind of file `data` is: 'pdf', 'docx', 'html' or 'text' (contents first, then name)."""
    suffix = path.suffix.lower()
    if data[:1024].lstrip().startswith(b"%PDF-") or (suffix in PDF_SUFFIXES and b"%PDF-" in data[:1024]):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx" if suffix in DOCX_SUFFIXES or _is_docx(data) else "zip"
    if suffix in HTML_SUFFIXES:
        return "html"
    if _BOM.match(data) is None and _looks_like_html(data):
        return "html"
    return "text"


_BOM = re.compile(b"^(?:\xef\xbb\xbf|\xff\xfe|\xfe\xff|\x00\x00\xfe\xff)")
_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)


def _looks_like_html(data: bytes) -> bool:
    return _HTML_START.match(data[:4096]) is not None


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "word/document.xml" in z.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def extract(path: Path, data: bytes) -> Extracted:
    """The extracted text of file `path` with contents `data`.

    Raises:
        IngestError: naming the file and the problem (not a report text, a
            scanned PDF, a reader library missing, a damaged file...).
    """
    kind = kind_of(path, data)
    if kind == "zip":
        raise IngestError(f"{path}: a ZIP archive, not a report (Word .docx files are read)")
    reader: Callable[[Path, bytes], Extracted] = {
        "pdf": read_pdf, "docx": read_docx, "html": read_html, "text": read_text}[kind]
    return reader(path, data)


# --- plain text ---------------------------------------------------------------

# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_text(path: Path, data: bytes) -> str:
    """Decode a text file: UTF-8, or UTF-16/UTF-32 with a byte-order mark.

    A UTF-8 mark is kept as U+FEFF (cleaning drops it), so offsets count every character.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding) if encoding != "utf-8" else data.decode("utf-8")
            except UnicodeDecodeError as e:
                raise IngestError(f"{path}: damaged {encoding.upper()} text (at byte {e.start})") from e
    if b"\x00" in data[:8192]:
        raise IngestError(f"{path}: binary file, not a report text "
                          "(UTF-16 or UTF-32 text needs a byte-order mark)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise IngestError(
            f"{path}: not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start}); "
            "convert it to UTF-8 first"
        ) from e


def read_text(path: Path, data: bytes) -> Extracted:
    text = decode_text(path, data)
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > max(8, len(text) // 100):
        raise IngestError(f"{path}: binary file, not a report text")
    return Extracted(text)


def _missing(path: Path, what: str, module: str, package: str) -> IngestError:
    return IngestError(f"{path}: reading {what} needs the `{module}` module; "
                       f"install it with `pip install {package}`")


# --- PDF -----------------------------------------------------------------------

# pdfium marks a hyphen it took for a line-end soft hyphen with U+FFFE and
# drops the line break after it; it stands for the hyphen and the break as printed.
_PDFIUM_HYPHEN = "\ufffe"
# Ligature glyphs ("ﬁ", "ﬂ"...) stand for their letters.
_LIGATURES = re.compile("[\ufb00-\ufb06]")
_PARAGRAPH_GAP = 1.3
"""A line further below the one before than this many times the page's usual line pitch starts a paragraph."""


def read_pdf(path: Path, data: bytes) -> Extracted:
    """The text layer of a PDF, page by page in the order it is drawn, with paragraph gaps as blank lines.

    Pages are joined by a form feed; `pages` gives where each starts.
    """
    try:
        import pypdfium2 as pdfium  # type: ignore[import-untyped]
    except ImportError as e:
        raise _missing(path, "PDF files", "pypdfium2", "pypdfium2") from e
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        message = str(e)
        if "password" in message.lower():
            raise IngestError(f"{path}: the PDF is password-protected") from e
        raise IngestError(f"{path}: not a readable PDF ({message})") from e
    try:
        page_texts = []
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            try:
                page_texts.append(_page_text(textpage))
            finally:
                textpage.close()
                page.close()
    finally:
        pdf.close()
    if not any(t.strip() for t in page_texts):
        raise IngestError(f"{path}: the PDF has no text layer (a scanned image?); "
                          "OCR it first, e.g. with ocrmypdf, or use its text")
    starts: list[int] = []
    text = ""
    for page_text in page_texts:
        if starts:
            text += "\f"
        starts.append(len(text))
        text += page_text
    return Extracted(text, "pdf", tuple(starts))


def _page_text(textpage: Any) -> str:
    """One page's text: pdfium's lines, a blank line where the vertical gap says a paragraph ends."""
    raw: str = textpage.get_text_range()
    # Each pdfium line with the bottom of the font box of its first and its last glyph
    # (a line pdfium joined at a hyphen spans two printed lines).
    lines: list[tuple[str, float | None, float | None, float]] = []
    pos = 0
    for line in raw.split("\r\n"):
        glyphs = [pos + i for i, ch in enumerate(line) if not ch.isspace() and ch != _PDFIUM_HYPHEN]
        first = last = None
        height = 0.0
        if glyphs:
            _, first, _, top = textpage.get_charbox(glyphs[0], loose=True)
            _, last, _, _ = textpage.get_charbox(glyphs[-1], loose=True)
            height = top - first
        text = _LIGATURES.sub(lambda m: unicodedata.normalize("NFKC", m.group()), line)
        lines.append((text.replace(_PDFIUM_HYPHEN, "-\n"), first, last, height))
        pos += len(line) + 2
    pitches = sorted(a[2] - b[1] for a, b in zip(lines, lines[1:])
                     if a[2] is not None and b[1] is not None and a[2] > b[1])
    # The lower quartile, not the median: on a masthead page, gaps between one-line blocks can outnumber lines.
    usual = pitches[len(pitches) // 4] if pitches else 0.0
    out: list[str] = []
    previous: float | None = None
    for text, first, last, height in lines:
        if out and first is not None and previous is not None and usual > 0:
            pitch = previous - first
            if pitch > usual * _PARAGRAPH_GAP or pitch < -height:
                out.append("")
        out.append(text)
        if last is not None:
            previous = last
    return "\n".join(out)


# --- Word ----------------------------------------------------------------------


def read_docx(path: Path, data: bytes) -> Extracted:
    """The paragraphs of a Word document in order (tables row by row), bold runs as **bold**."""
    try:
        import docx  # type: ignore[import-untyped]
        from docx.table import Table  # type: ignore[import-untyped]
        from docx.text.paragraph import Paragraph  # type: ignore[import-untyped]
    except ImportError as e:
        raise _missing(path, "Word files", "docx", "python-docx") from e
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # python-docx raises KeyError, ValueError, BadZipFile... on damaged files
        raise IngestError(f"{path}: not a readable Word .docx file ({type(e).__name__})") from e
    blocks: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            blocks.append(_docx_paragraph(item))
        elif isinstance(item, Table):
            for row in item.rows:
                cells = [" ".join(_docx_paragraph(p) for p in cell.paragraphs).strip() for cell in row.cells]
                blocks.append(" ".join(dict.fromkeys(c for c in cells if c)))
    text = "\n\n".join(b for b in blocks if b.strip())
    if not text.strip():
        raise IngestError(f"{path}: the Word document has no text")
    return Extracted(text, "docx")


def _docx_paragraph(paragraph: Any) -> str:
    from docx.oxml.ns import qn  # type: ignore[import-untyped]
    from docx.text.run import Run  # type: ignore[import-untyped]

    runs: list[tuple[str, bool]] = []
    # Every run, those inside hyperlinks, fields and tracked insertions too (a deleted
    # run's text is w:delText, which Run.text leaves out).
    for element in paragraph._p.iter(qn("w:r")):
        run = Run(element, paragraph)
        text = run.text
        if not text:
            continue
        bold = bool(run.bold)
        if runs and runs[-1][1] == bold:
            runs[-1] = (runs[-1][0] + text, bold)
        else:
            runs.append((text, bold))
    return "".join(_bold(t) if b else t for t, b in runs)


def _bold(text: str) -> str:
    """`**text**` for a bold run of at least a word, spaces kept outside the markers."""
    core = text.strip()
    if len(core) < 2 or "*" in core:
        return text
    lead = text[:len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()):]
    return f"{lead}**{core}**{trail}"


# --- HTML ----------------------------------------------------------------------

# Never text: code, styling, forms and embedded objects.
_NEVER_TEXT = ("script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
               "form", "button", "select", "input", "textarea", "canvas", "video", "audio", "head")
# Site chrome around the main content.
_CHROME_TAGS = ("nav", "header", "footer", "aside", "menu", "dialog")
_CHROME_WORDS = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|breadcrumbs?|banner|cookies?|consent|sidebar|footer|"
    r"header|masthead-nav|share|social|related|advert|ads|promo|skip|toolbar|subscribe|newsletter)"
    r"(?:$|[\s_-])", re.I)
_BLOCKS = frozenset((
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li",
    "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "blockquote", "pre", "address",
    "figure", "figcaption", "center", "hr", "body", "html", "header", "footer", "caption", "details",
    "summary", "fieldset", "legend"))
_CELLS = frozenset(("td", "th"))
_BOLD_TAGS = frozenset(("b", "strong"))
_SPACE_RUN = re.compile(r"[ \t\r\n\f\v]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def read_html(path: Path, data: bytes) -> Extracted:
    """The main content of a web page as text: navigation and site chrome dropped,
    one blank line between blocks (paragraphs, headings, list items, table rows),
    `<br>` as a line break, bold as **bold**."""
    try:
        import lxml.html  # type: ignore[import-untyped]
        from lxml import etree  # type: ignore[import-untyped]
    except ImportError as e:
        raise _missing(path, "HTML files", "lxml", "lxml") from e
    encoding = _html_encoding(data)
    if encoding in ("utf-16", "utf-32"):
        data, encoding = data.decode(encoding, errors="replace").encode("utf-8"), "utf-8"
    try:
        root = lxml.html.document_fromstring(data, parser=lxml.html.HTMLParser(encoding=encoding))
    except (etree.ParserError, ValueError, LookupError) as e:
        raise IngestError(f"{path}: not a readable HTML page ({e})") from e
    for element in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        _drop(element)
    for element in list(root.iter(*_NEVER_TEXT)):
        _drop(element)
    main = _main_content(root)
    for element in list(main.iter()):
        if element is not main and isinstance(element.tag, str) and _is_chrome(element, main):
            _drop(element)
    text = _render(main)
    if not text.strip():
        raise IngestError(f"{path}: the HTML page has no text")
    return Extracted(text, "html")


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.I)


def _html_encoding(data: bytes) -> str:
    """A page's encoding: its byte-order mark, else its <meta> charset, else UTF-8 if it decodes, else cp1252."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii").lower()
        try:
            codecs.lookup(name)
        except LookupError:
            pass
        else:
            # Browsers read pages declared as Latin-1 as cp1252 (the WHATWG encoding standard).
            return "cp1252" if name in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii") else name
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _drop(element: Any) -> None:
    """Remove an element and its content, keeping the text that follows it."""
    if element.getparent() is not None:
        element.drop_tree()


def _is_chrome(element: Any, main: Any) -> bool:
    if element.tag in _CHROME_TAGS:
        # An article's own header (its title) is content; a page's is chrome.
        return not (element.tag in ("header", "footer") and main.tag != "body")
    if element.get("role") in ("navigation", "banner", "contentinfo", "complementary", "search"):
        return True
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    if _HIDDEN_STYLE.search(element.get("style", "")):
        return True
    names = f"{element.get('id', '')} {element.get('class', '')}"
    return main.tag == "body" and _CHROME_WORDS.search(names) is not None


def _main_content(root: Any) -> Any:
    """The page's main content: <main> or role=main, else the longest <article>, else <body>."""
    for xpath in ("//main", "//*[@role='main']"):
        found = root.xpath(xpath)
        if found:
            return found[0]
    articles = root.xpath("//article")
    if articles:
        return max(articles, key=lambda a: len(a.text_content()))
    body = root.find("body")
    return body if body is not None else root


def _render(main: Any) -> str:
    """The text of `main`: inline whitespace collapsed, blocks apart, bold marked."""
    out: list[str] = []

    def gap(newlines: int) -> None:
        # End the current block with `newlines` line breaks (no trailing spaces, no pile-up).
        while out and out[-1].endswith(" "):
            out[-1] = out[-1].rstrip(" ")
        tail = "".join(out[-3:])
        have = len(tail) - len(tail.rstrip("\n")) if out else newlines
        if have < newlines:
            out.append("\n" * (newlines - have))

    def inline(text: str | None, pre: bool) -> None:
        if not text:
            return
        if pre:
            out.append(text)
            return
        text = _SPACE_RUN.sub(" ", text)
        if text.startswith(" ") and (not out or out[-1].endswith((" ", "\n"))):
            text = text[1:]
        if text:
            out.append(text)

    def walk(element: Any, pre: bool) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        pre = pre or tag == "pre"
        if tag == "br":
            gap(1)
        elif tag in _BLOCKS:
            gap(2)
        elif tag in _CELLS and out and not out[-1].endswith(("\n", " ")):
            out.append(" ")
        if tag in _BOLD_TAGS:
            content = _render_inline(element)
            if content.strip():
                inline(_bold(content), pre)
        else:
            inline(element.text, pre)
            for child in element:
                walk(child, pre)
        if tag in _BLOCKS:
            gap(2)
        inline(element.tail, pre)

    walk(main, False)
    return "".join(out).strip("\n ")


def _render_inline(element: Any) -> str:
    """The text of an inline element (bold): whitespace collapsed, a <br> as a space."""
    return _SPACE_RUN.sub(" ", element.text_content())
