"""Read report files as they come and clean them, keeping a map back to the original.

A file is first turned into its *extracted text* (`text.formats`: a text file
as it is, the text layer of a PDF, the main content of an HTML page, the
paragraphs of a Word file); that is the "original" every offset refers to, and
what `kfor-kg text FILE` prints. Every cleaning step rewrites the text and
carries, for each character of the result, the span of the original it came
from. Any span of the cleaned text can thus be cut from the original:
`original[a:b]` for `(a, b) = clean.original_span(start, end)`.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import re
import stat
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kfor_kg.errors import IngestError
from kfor_kg.files import special_kind
from kfor_kg.resources import data_file
from kfor_kg.text import formats

# A piece of a rewrite: a (start, end) range of the current text to keep, or
# (string, start, end) to insert `string` standing for current[start:end].
Piece = tuple[int, int] | tuple[str, int, int]

REPORT_SUFFIXES = formats.SUPPORTED_SUFFIXES


@dataclass(frozen=True)
class Furniture:
    """A line removed as page furniture (page header, job number, page number...)."""

    kind: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class SourceText:
    """A report file's extracted text: a text file decoded exactly as it is on disk (no
    newline translation); for PDF, HTML and Word files what `text.formats` read from them."""

    path: Path
    original: str
    sha256: str
    """Of the file's bytes."""
    kind: str = "text"
    """The kind of file: text, pdf, html or docx."""
    pages: tuple[int, ...] = ()
    """PDF: the offset in `original` where each page starts; empty for files without pages."""

    @property
    def name(self) -> str:
        return self.path.name

    def page_at(self, offset: int) -> int | None:
        """The number (from 1) of the page holding `original[offset]`, or None without pages."""
        if not self.pages:
            return None
        return max(1, bisect.bisect_right(self.pages, offset))


@dataclass
class CleanText:
    """Cleaned text plus, per character, the original span it stands for."""

    source: SourceText
    text: str
    starts: list[int]
    ends: list[int]
    furniture: list[Furniture] = field(default_factory=list)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original-file offsets of cleaned text[start:end] (end exclusive)."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"bad span {start}:{end} for a text of {len(self.text)} characters")
        return self.starts[start], self.ends[end - 1]

    def clean_offset(self, original: int) -> int | None:
        """The cleaned-text offset of the last character that starts at or before original offset `original`."""
        at = bisect.bisect_right(self.starts, original) - 1
        return at if at >= 0 else None


def read_source(path: Path, *, ocr: bool = False) -> SourceText:
    """Read one report file of any supported kind, refusing empty, binary, undecodable and
    special files (a FIFO is never opened for a blocking read). `ocr`: read a PDF without
    a text layer with Tesseract.

    Raises:
        IngestError: naming the file and the problem.
    """
    data = _read_regular_file(path)
    if not data.strip():
        raise IngestError(f"{path}: the file is empty")
    extracted = formats.extract(path, data, ocr=ocr)
    if not extracted.text.strip():
        raise IngestError(f"{path}: the file has no text")
    return SourceText(path=path, original=extracted.text, sha256=hashlib.sha256(data).hexdigest(),
                      kind=extracted.kind, pages=extracted.pages)


def _read_regular_file(path: Path) -> bytes:
    """The bytes of `path` if it is a regular file (through symlinks)."""
    if path.is_dir():
        # Folders reach here when they could not be listed (see `discover`).
        try:
            with os.scandir(path):
                pass
        except OSError as e:
            raise IngestError(f"{path}: cannot read the folder ({e.strerror or e}); "
                              "its reports were not read") from e
        raise IngestError(f"{path}: a folder where a report file was expected")
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        raise IngestError(f"{path}: cannot read the file ({e.strerror or e})") from e
    with os.fdopen(fd, "rb") as f:
        mode = os.fstat(f.fileno()).st_mode
        if stat.S_ISDIR(mode):
            raise IngestError(f"{path}: a folder where a report file was expected")
        kind = special_kind(mode)
        if kind is not None:
            raise IngestError(f"{path}: {kind}, not a regular file; not read")
        try:
            return f.read()
        except OSError as e:
            raise IngestError(f"{path}: cannot read the file ({e.strerror or e})") from e


@dataclass
class Discovery:
    """What a list of files and folders holds: the files to read (in order) and the
    files of unsupported type found in folders."""

    files: list[Path] = field(default_factory=list)
    """Report files, and whatever must be reported as unreadable (a folder that cannot
    be listed, a special file): `read_source` gives each its one-line error."""
    unsupported: list[Path] = field(default_factory=list)

    def summary(self) -> str | None:
        """One line naming the unsupported files' types, or None when there are none."""
        if not self.unsupported:
            return None
        kinds = sorted({p.suffix.lower() or "(no extension)" for p in self.unsupported})
        n = len(self.unsupported)
        return f"skipped {n} file{'s' if n != 1 else ''} of unsupported type: {', '.join(kinds)}"


def discover(paths: Iterable[Path]) -> Discovery:
    """Expand folders into the supported report files inside them (sorted, hidden
    files and folders left out); files named directly pass as given, whatever their type."""
    found = Discovery()
    for path in paths:
        if not path.is_dir():
            found.files.append(path)
            continue
        inside: list[Path] = []
        unreadable: list[Path] = []
        for folder, dirs, names in os.walk(path, onerror=lambda e: unreadable.append(Path(e.filename))):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            base = Path(folder)
            for name in names:
                if name.startswith("."):
                    continue
                file = base / name
                if not file.is_file() and (file.exists() or file.is_symlink()):
                    if not file.exists() or file.is_dir():
                        continue  # a dangling symlink or a link to a folder
                    inside.append(file)  # a special file: refused when read
                elif file.suffix.lower() in REPORT_SUFFIXES:
                    inside.append(file)
                elif file.is_file():
                    found.unsupported.append(file)
        found.files.extend(sorted(inside + unreadable))
    return found


def iter_report_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Expand folders into the report files inside them, sorted; files pass as given.

    A folder that cannot be listed is passed on too, so that reading it reports it.
    """
    yield from discover(paths).files


# --- rules ----------------------------------------------------------------


@dataclass(frozen=True)
class CleaningRules:
    furniture: tuple[tuple[str, re.Pattern[str]], ...]
    block_start: re.Pattern[str]
    standalone_line: re.Pattern[str]
    keep_hyphen_after: frozenset[str]


@lru_cache(maxsize=1)
def cleaning_rules() -> CleaningRules:
    """The rules of kfor_kg/data/cleaning.toml, compiled once."""
    with data_file("cleaning.toml").open("rb") as f:
        raw = tomllib.load(f)
    return CleaningRules(
        furniture=tuple((r["kind"], re.compile(r["pattern"])) for r in raw["furniture"]),
        block_start=re.compile("(?:" + "|".join(raw["block_starts"]) + ")", re.M),
        standalone_line=re.compile("(?:" + "|".join(raw["standalone_lines"]) + ")"),
        keep_hyphen_after=frozenset(w.lower() for w in raw["keep_hyphen_after"]),
    )


# --- offset-keeping rewrites ------------------------------------------------


class _Text:
    """Working text with per-character original spans."""

    def __init__(self, text: str, starts: list[int], ends: list[int]) -> None:
        self.text, self.starts, self.ends = text, starts, ends

    @classmethod
    def of(cls, original: str) -> _Text:
        n = len(original)
        return cls(original, list(range(n)), list(range(1, n + 1)))

    def rewrite(self, pattern: re.Pattern[str], fn: Callable[[re.Match[str]], list[Piece]]) -> None:
        """Replace every match of `pattern` by the pieces `fn` returns."""
        text, starts, ends = self.text, self.starts, self.ends
        out: list[str] = []
        new_starts: list[int] = []
        new_ends: list[int] = []
        pos = 0

        def keep(a: int, b: int) -> None:
            out.append(text[a:b])
            new_starts.extend(starts[a:b])
            new_ends.extend(ends[a:b])

        for m in pattern.finditer(text):
            keep(pos, m.start())
            for piece in fn(m):
                if isinstance(piece[0], str):
                    s, a, b = piece  # type: ignore[misc]
                    a0 = starts[a] if a < len(starts) else (ends[-1] if ends else 0)
                    b0 = ends[b - 1] if b > a else a0
                    out.append(s)
                    new_starts.extend([a0] * len(s))
                    new_ends.extend([b0] * len(s))
                else:
                    keep(piece[0], piece[1])  # type: ignore[arg-type]
            pos = m.end()
        keep(pos, len(text))
        self.text, self.starts, self.ends = "".join(out), new_starts, new_ends


def _group(m: re.Match[str], g: int | str = 1) -> list[Piece]:
    return [(m.start(g), m.end(g))]


# Characters cp1252 uses for bytes 0x80-0xBF, as they appear in UTF-8 text
# that was decoded as cp1252 ("AntÃ³nio").
_CP1252_CONT = "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc" \
               "\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
_MOJIBAKE = re.compile(f"[\u00c2-\u00f4][{_CP1252_CONT}]{{1,3}}")
_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")
_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+", re.M)
_BOLD = re.compile(r"\*\*+|__(?=\S)|(?<=\S)__")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])|(?<=[^\s*])\*(?![\w*])")
_HYPHEN_BREAK = re.compile(r"(\w+)-[ \t]*\n[ \t]*(?=(\w))")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u3000]+")
_LINE_EDGE_SPACE = re.compile(r"^ +| +$", re.M)
_NEWLINES = re.compile(r"\n+")
_PAGE_BREAK = re.compile(r"[ \t\n]*\f[ \t\n\f]*")


def _fix_mojibake(m: re.Match[str]) -> list[Piece]:
    try:
        fixed = m.group().encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return [(m.start(), m.end())]
    return [(fixed, m.start(), m.end())]


def _bold(m: re.Match[str]) -> list[Piece]:
    text = m.string
    before = text[m.start() - 1] if m.start() else " "
    after = text[m.end()] if m.end() < len(text) else " "
    # "Enclosure**Report to ..." : a bold run glued to a word starts a new block.
    if before.isalnum() and after.isalnum():
        return [("\n", m.start(), m.end())]
    return []


def clean(source: SourceText) -> CleanText:
    """Clean a report text: markup, page furniture, hyphenation, wrapping, spaces."""
    rules = cleaning_rules()
    t = _Text.of(source.original)
    t.rewrite(re.compile("\r\n?|\u2028|\u2029"), lambda m: [("\n", m.start(), m.end())])
    # A page break (form feed) on a line of its own, so that furniture lines around it are whole lines.
    t.rewrite(re.compile("\f"), lambda m: [("\n", m.start(), m.end()), (m.start(), m.end()),
                                            ("\n", m.start(), m.end())])
    t.rewrite(re.compile("[\ufeff\u00ad\u200b\u200c\u200d\u2060]"), lambda m: [])
    if _MOJIBAKE.search(t.text):
        t.rewrite(_MOJIBAKE, _fix_mojibake)
    # OCR confusions inside numbers ("44,8OO", "l5,3l4"): letters read for digits, in a figure
    # with thousands separators or with two digits at least.
    t.rewrite(_OCR_NUMBER, lambda m: [(m.group().translate(_OCR_DIGITS), m.start(), m.end())]
              if "," in m.group() or sum(c.isdigit() for c in m.group()) >= 2 else [(m.start(), m.end())])

    # A text flattened onto long lines (PDF text as download sites give it):
    # line breaks put back before the blocks and around inline page furniture.
    _unflatten(t)

    # Page furniture, whole lines; remember what was removed.
    furniture: list[Furniture] = []

    def furniture_line(m: re.Match[str]) -> list[Piece]:
        line = m.group(1)
        if other_script(line):
            # A bilingual text's line in the other language: kept (with its offsets), not read.
            a, b = t.starts[m.start(1)], t.ends[m.end(1) - 1]
            furniture.append(Furniture("other-script", line.strip(), a, b))
            return [("\n", m.start(), m.end())] if m.group(2) else []
        for kind, pattern in rules.furniture:
            if line.strip() and pattern.match(line):
                a, b = t.starts[m.start(1)], t.ends[m.end(1) - 1]
                furniture.append(Furniture(kind, line.strip(), a, b))
                return [("\n", m.start(), m.end())] if m.group(2) else []
        return [(m.start(), m.end())]

    t.rewrite(re.compile(r"^([^\n]*)(\n?)", re.M), furniture_line)
    # With its furniture gone, a page break is a line break: a paragraph (or a word)
    # running on to the next page joins up as any wrapped line does.
    t.rewrite(_PAGE_BREAK, lambda m: [("\n", m.start(), m.end())])

    # Markdown.
    t.rewrite(_LINK, _group)
    t.rewrite(_ESCAPE, _group)
    t.rewrite(_HEADING, lambda m: [])
    t.rewrite(_BOLD, _bold)
    t.rewrite(_EMPHASIS, lambda m: [])

    # Spaces, then words broken across lines, then hard-wrapped lines.
    t.rewrite(_SPACES, lambda m: [(" ", m.start(), m.end())] if m.group() != " " else [(m.start(), m.end())])
    t.rewrite(_LINE_EDGE_SPACE, lambda m: [])

    def hyphen_break(m: re.Match[str]) -> list[Piece]:
        word, nxt = m.group(1), m.group(2)
        if nxt.islower() and word.lower() not in rules.keep_hyphen_after and word.isalpha():
            return [(m.start(1), m.end(1))]
        return [(m.start(1), m.end(1) + 1)]

    t.rewrite(_HYPHEN_BREAK, hyphen_break)
    t.rewrite(re.compile(r"\n(?=[^\n])"), lambda m: _unwrap(m, rules))
    # A flattened text that was hard-wrapped as well is one long line only now.
    if _unflatten(t):
        t.rewrite(re.compile(r"^([^\n]*)(\n?)", re.M), furniture_line)
    t.rewrite(_NEWLINES, lambda m: [("\n", m.start(), m.end())] if len(m.group()) > 1 else [(m.start(), m.end())])
    t.rewrite(re.compile(r"^\n+|\n+$"), lambda m: [])
    return CleanText(source, t.text, t.starts, t.ends, furniture)


# A number with O for 0 or l/I for 1 in it: digits, the letters and thousands separators only.
_OCR_NUMBER = re.compile(r"(?<![\w,.])(?=[\dOlI,]*[OlI])(?=[\dOlI,]*\d)[\dOlI]{1,3}(?:,[\dOlI]{3})+(?!\w|,[\dOlI])"
                         r"|(?<![\w,.])(?=[\dOlI]*[OlI])\d[\dOlI]*\d(?!\w|,[\dOlI])")
_OCR_DIGITS = str.maketrans("OlI", "011")

FLATTENED_LINE = 400
"""A line longer than this (in characters) may hold several blocks of a flattened text."""

# Inline page furniture of flattened PDF text: "14-24075 (E) 250214 250214 *1424075*",
# "2/6 14-24075", each maybe followed by the page header's symbol "S/2014/111".
_INLINE_FURNITURE = re.compile(
    r"(?:\d{1,3}/\d{1,3} )?\d{2}-\d{5}(?: \(\w\))?(?: \d{6}){0,2}(?: \*\d{6,8}\*)?"
    r"(?: S/\d{4}/\d{1,4}(?:/(?:Add|Rev|Corr)\.\d+)*)?(?= |$)")
# Blocks that start a new line in a flattened text, after a space.
_INLINE_BLOCK = re.compile(
    r" (?=\((?i:signed)\) |(?:Identical letters|Letter|LETTER) (?i:dated) "
    r"|(?<=[.\d)\]*:] )(?:Annex|Enclosure|Appendix)\b(?! to the| [IVX\d]+ (?:of|to)\b)"
    r"|\[Original: |Distr\.:? |Original: [A-Z])")
_INLINE_NUMBER = re.compile(r"(?<=(?P<end>[.:;)”\"])|\w) (\d{1,3})\. (?=[A-Z“\"])")


def _unflatten(t: _Text) -> bool:
    """Break the long lines of a flattened text into its blocks; whether anything changed."""
    breaks = _flattened_breaks(t.text)
    if breaks:
        t.rewrite(re.compile(" "), lambda m: [("\n", m.start(), m.end())] if m.start() in breaks
                  else [(m.start(), m.end())])
    return bool(breaks)


_SIGNED_INLINE = re.compile(r"\((?i:signed)\) ")
_NAME_PARTICLES = frozenset("of de van der von da di du la le bin al el".split())
_BLOCK_WORDS = frozenset(("Annex", "Enclosure", "Appendix"))


def _signature_end(line: str, start: int) -> int | None:
    """The offset of the space that ends the name signed at `start` ("(Signed) Ban Ki-moon In
    accordance ..."): before a block word, or before a capitalized word that opens a sentence."""
    tokens = list(re.finditer(r"\S+", line[start:start + 200]))
    for i, tok in enumerate(tokens[:10]):
        word = tok.group()
        following = tokens[i + 1].group() if i + 1 < len(tokens) else ""
        opens_sentence = word[:1].isupper() and following[:1].islower() and following not in _NAME_PARTICLES
        if i > 0 and (word in _BLOCK_WORDS or opens_sentence
                      or (word[:1].islower() and word not in _NAME_PARTICLES)):
            return start + tok.start() - 1
    return None


def _flattened_breaks(text: str) -> set[int]:
    """Offsets of the spaces to turn into line breaks in the long lines of a flattened text.

    A numbered paragraph starts a line only when it follows the previous
    number ("... countries. 2. During ..."), so "paragraph 3. The" stays.
    """
    out: set[int] = set()
    pos = 0
    for line in text.split("\n"):
        if len(line) > FLATTENED_LINE:
            for m in _INLINE_FURNITURE.finditer(line):
                if m.start() > 0 and line[m.start() - 1] == " ":
                    out.add(pos + m.start() - 1)
                if m.end() < len(line):
                    out.add(pos + m.end())
            out.update(pos + m.start() for m in _INLINE_BLOCK.finditer(line))
            for m in _SIGNED_INLINE.finditer(line):
                end = _signature_end(line, m.end())
                if end is not None:
                    out.add(pos + end)
            first = re.match(r"(\d{1,3})\. ", line)
            expected = int(first.group(1)) + 1 if first else 1
            for m in _INLINE_NUMBER.finditer(line):
                # The first paragraph may follow a heading; the next ones a finished sentence.
                if int(m.group(2)) == expected and (expected == 1 or m["end"]):
                    out.add(pos + m.start())
                    expected += 1
        pos += len(line) + 1
    return out


def other_script(line: str) -> bool:
    """Whether most letters of `line` are in a script other than Latin (Cyrillic, Arabic, Chinese...).

    >>> other_script("Письмо Генерального секретаря"), other_script("Letter dated 5 May (Thaçi)")
    (True, False)
    """
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and sum(c > "\u024f" for c in letters) * 2 > len(letters)


def _unwrap(m: re.Match[str], rules: CleaningRules) -> list[Piece]:
    """Join a single line break inside a paragraph; keep breaks before blocks."""
    text = m.string
    line_start = text.rfind("\n", 0, m.start()) + 1
    prev = text[line_start:m.start()]
    if m.start() > 0 and text[m.start() - 1] == "\n":
        return [(m.start(), m.end())]  # blank line before: a paragraph break
    if not prev or rules.block_start.match(text, m.end()) or prev.lower().startswith("(signed)"):
        return [(m.start(), m.end())]
    if rules.standalone_line.fullmatch(prev):
        return [(m.start(), m.end())]
    # A short untitled line after a finished sentence is a section heading.
    line_end = text.find("\n", m.end())
    following = text[m.end():] if line_end < 0 else text[m.end():line_end]
    if (prev[-1] in ".:;!?" and following[:1].isupper() and len(following.split()) <= 6
            and following[-1:] not in ".,;:" and line_end >= 0):
        return [(m.start(), m.end())]
    return [(" ", m.start(), m.end())]


def load(path: Path) -> CleanText:
    """Read and clean one report file.

    Raises:
        IngestError: when the file cannot be read as a report text.
    """
    return clean(read_source(path))
