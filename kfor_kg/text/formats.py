"""Readers for the file types reports come in: plain text (any Unicode encoding with a
byte-order mark), PDF, HTML (`text.webpage`) and Word (.docx).

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


# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
BYTE_ORDER_MARKS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"),
                    (codecs.BOM_UTF16_BE, "utf-16"))
_BOMS = tuple(bom for bom, _ in BYTE_ORDER_MARKS)


def kind_of(path: Path, data: bytes) -> str:
    """The kind of file `data` is: 'pdf', 'docx', 'html' or 'text' (contents first, then name)."""
    suffix = path.suffix.lower()
    if data[:1024].lstrip().startswith(b"%PDF-") or (suffix in PDF_SUFFIXES and b"%PDF-" in data[:1024]):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx" if suffix in DOCX_SUFFIXES or _is_docx(data) else "zip"
    if suffix in HTML_SUFFIXES:
        return "html"
    if not data.startswith(_BOMS) and _looks_like_html(data):
        return "html"
    return "text"


_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)


def _looks_like_html(data: bytes) -> bool:
    return _HTML_START.match(data[:4096]) is not None


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "word/document.xml" in z.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


# Files users may have at hand that are no report texts, by their first bytes.
_OTHER_FILES = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Word .doc (or other Office 97-2003) file; save it as .docx or PDF"),
    (b"{\\rtf", "an RTF file; save it as .docx, PDF or plain text"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image, not a report text (a scan needs OCR first)"),
    (b"\xff\xd8\xff", "a JPEG image, not a report text (a scan needs OCR first)"),
    (b"GIF8", "a GIF image, not a report text"),
    (b"II*\x00", "a TIFF image, not a report text (a scan needs OCR first)"),
    (b"MM\x00*", "a TIFF image, not a report text (a scan needs OCR first)"),
    (b"%!PS", "a PostScript file; convert it to PDF first"),
    (b"\x1f\x8b", "a gzip-compressed file; uncompress it first"),
)


def extract(path: Path, data: bytes, ocr: bool = False) -> Extracted:
    """The extracted text of file `path` with contents `data` (`ocr`: read a PDF without
    a text layer with Tesseract).

    Raises:
        IngestError: naming the file and the problem (not a report text, a
            scanned PDF, a reader library missing, a damaged file...).
    """
    for magic, what in _OTHER_FILES:
        if data.startswith(magic):
            raise IngestError(f"{path}: {what}")
    kind = kind_of(path, data)
    if kind == "zip":
        raise IngestError(f"{path}: a ZIP archive, not a report (Word .docx files are read)")
    if kind == "html":
        from kfor_kg.text.webpage import read_html  # the HTML reader has its own module

        return read_html(path, data)
    if kind == "pdf":
        return read_pdf(path, data, ocr=ocr)
    reader: Callable[[Path, bytes], Extracted] = {"docx": read_docx, "text": read_text}[kind]
    return reader(path, data)


# --- plain text ---------------------------------------------------------------

def decode_text(path: Path, data: bytes) -> str:
    """Decode a text file: UTF-8, or UTF-16/UTF-32 with a byte-order mark.

    A UTF-8 mark is kept as U+FEFF (cleaning drops it), so offsets count every character.
    """
    for bom, encoding in BYTE_ORDER_MARKS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as e:
                raise IngestError(f"{path}: damaged {encoding.upper()} text (at byte {e.start})") from e
    if b"\x00" in data[:8192]:
        head = data[:4096]
        # Text in UTF-16 without a mark has a NUL in every other byte.
        wide = max(head[0::2].count(0), head[1::2].count(0)) > len(head) // 4
        raise IngestError(f"{path}: binary file, not a report text"
                          + (" (UTF-16 or UTF-32 text needs a byte-order mark)" if wide else ""))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise IngestError(
            f"{path}: not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start}); "
            "convert it to UTF-8 first"
        ) from e


def read_text(path: Path, data: bytes) -> Extracted:
    text = decode_text(path, data)
    if data.startswith(_BOMS) and _looks_like_html(text.lstrip("\ufeff")[:4096].encode("utf-8")):
        # A web page saved as UTF-16 (or with a BOM) under a text name: still a web page.
        from kfor_kg.text.webpage import read_html

        return read_html(path, codecs.BOM_UTF8 + text.lstrip("\ufeff").encode("utf-8"))
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > max(8, len(text) // 100):
        raise IngestError(f"{path}: binary file, not a report text")
    return Extracted(text)


def missing_library(path: Path, what: str, module: str, package: str) -> IngestError:
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


def read_pdf(path: Path, data: bytes, ocr: bool = False) -> Extracted:
    """The text layer of a PDF, page by page in the order it is drawn, with paragraph gaps as blank lines.

    Pages are joined by a form feed; `pages` gives where each starts. A PDF without
    a text layer is refused, or with `ocr` read by Tesseract (`text.ocr`).
    """
    try:
        import pypdfium2 as pdfium  # type: ignore[import-untyped]
    except ImportError as e:
        raise missing_library(path, "PDF files", "pypdfium2", "pypdfium2") from e
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        message = str(e)
        if "password" in message.lower():
            raise IngestError(f"{path}: the PDF is password-protected") from e
        raise IngestError(f"{path}: not a readable PDF ({message})") from e
    try:
        page_texts: list[str] = []
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            try:
                page_texts.append(_page_text(textpage))
            finally:
                textpage.close()
                page.close()
        if ocr and not any(t.strip() for t in page_texts):
            from kfor_kg.text.ocr import ocr_pages

            page_texts = ocr_pages(path, pdf)
    finally:
        pdf.close()
    if not any(t.strip() for t in page_texts):
        if ocr:
            raise IngestError(f"{path}: OCR found no text in the PDF")
        raise IngestError(f"{path}: the PDF has no text layer (a scanned image?); OCR it first: "
                          f"`kfor-kg text {path.name} --ocr > {path.stem}.txt` (needs tesseract), "
                          "then build the .txt file")
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
        raise missing_library(path, "Word files", "docx", "python-docx") from e
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
    return "".join(bold_markers(t) if b else t for t, b in runs)


def bold_markers(text: str) -> str:
    """`**text**` for a bold run of at least a word, spaces kept outside the markers."""
    core = text.strip()
    if len(core) < 2 or "*" in core:
        return text
    lead = text[:len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()):]
    return f"{lead}**{core}**{trail}"
