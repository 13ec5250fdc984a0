"""Read report files as they come and clean them, keeping a map back to the original.

Every cleaning step rewrites the text and carries, for each character of the
result, the span of the original file it came from. Any span of the cleaned
text can thus be cut from the original file: `original[a:b]` for
`(a, b) = clean.original_span(start, end)`.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kfor_kg.errors import IngestError
from kfor_kg.resources import data_file

# A piece of a rewrite: a (start, end) range of the current text to keep, or
# (string, start, end) to insert `string` standing for current[start:end].
Piece = tuple[int, int] | tuple[str, int, int]

REPORT_SUFFIXES = (".txt", ".md", ".markdown", ".text")


@dataclass(frozen=True)
class Furniture:
    """A line removed as page furniture (page header, job number, page number...)."""

    kind: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class SourceText:
    """A report file decoded as UTF-8 exactly as it is on disk (no newline translation)."""

    path: Path
    original: str
    sha256: str

    @property
    def name(self) -> str:
        return self.path.name


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


def read_source(path: Path) -> SourceText:
    """Read one report file, refusing empty, binary and non-UTF-8 files.

    Raises:
        IngestError: naming the file and the problem.
    """
    try:
        data = path.read_bytes()
    except OSError as e:
        raise IngestError(f"{path}: cannot read the file ({e.strerror or e})") from e
    if not data.strip():
        raise IngestError(f"{path}: the file is empty")
    if b"\x00" in data[:8192]:
        raise IngestError(f"{path}: binary file, not a report text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise IngestError(
            f"{path}: not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start}); "
            "convert it to UTF-8 first"
        ) from e
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > max(8, len(text) // 100):
        raise IngestError(f"{path}: binary file, not a report text")
    return SourceText(path=path, original=text, sha256=hashlib.sha256(data).hexdigest())


def iter_report_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Expand folders into the report files inside them, sorted; files pass as given."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES and not p.name.startswith(".")
            )
        else:
            yield path


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
    t.rewrite(re.compile("\r\n?|\u2028|\u2029|\f"), lambda m: [("\n", m.start(), m.end())])
    t.rewrite(re.compile("[\ufeff\u00ad\u200b\u200c\u200d\u2060]"), lambda m: [])
    if _MOJIBAKE.search(t.text):
        t.rewrite(_MOJIBAKE, _fix_mojibake)

    # Page furniture, whole lines; remember what was removed.
    furniture: list[Furniture] = []

    def furniture_line(m: re.Match[str]) -> list[Piece]:
        line = m.group(1)
        for kind, pattern in rules.furniture:
            if line.strip() and pattern.match(line):
                a, b = t.starts[m.start(1)], t.ends[m.end(1) - 1]
                furniture.append(Furniture(kind, line.strip(), a, b))
                return [("\n", m.start(), m.end())] if m.group(2) else []
        return [(m.start(), m.end())]

    t.rewrite(re.compile(r"^([^\n]*)(\n?)", re.M), furniture_line)

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
    t.rewrite(_NEWLINES, lambda m: [("\n", m.start(), m.end())] if len(m.group()) > 1 else [(m.start(), m.end())])
    t.rewrite(re.compile(r"^\n+|\n+$"), lambda m: [])
    return CleanText(source, t.text, t.starts, t.ends, furniture)


def _unwrap(m: re.Match[str], rules: CleaningRules) -> list[Piece]:
    """Join a single line break inside a paragraph; keep breaks before blocks."""
    text = m.string
    line_start = text.rfind("\n", 0, m.start()) + 1
    prev = text[line_start:m.start()]
    if m.start() > 0 and text[m.start() - 1] == "\n":
        return [(m.start(), m.end())]  # blank line before: a paragraph break
    if not prev or rules.block_start.match(text, m.end()) or prev.startswith("(Signed)"):
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
