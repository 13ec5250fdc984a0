"""Metamorphic tests: each example re-laid out as users hold it gives the same header facts.

The layouts: hard-wrapped with hyphenation, flattened to one line with page
headers and job numbers inside it, lower-case "(signed)" and all-caps headings,
OCR noise (l/1 and rn/m in the words no rule reads, dropped diacritics, "?" for
lost characters), markdown stripped, HTML residue, and a bilingual parallel text
(a line in another script after each paragraph). The variants are generated
from the five examples and the ten dev excerpts; the expected facts are what
the original text gives (for the examples, tests/test_golden.py holds those to
the hand-made gold).
"""

from __future__ import annotations

import html
import re
import textwrap
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from test_golden import actual_facts_of

from kfor_kg.resources import data_file

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "reports"
DEV = Path(__file__).resolve().parent / "data" / "dev"
# The five examples, and the ten dev excerpts (KFOR and sibling genres) as well.
SOURCES = sorted(EXAMPLES.glob("*.txt")) + sorted(DEV.rglob("*.txt"))


def _markdown_stripped(text: str) -> str:
    text = re.sub(r"\[([^\]\n]*)\]\([^)\n]*\)", r"\1", text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|])", r"\1", text)
    text = re.sub(r"^[ \t]*#{1,6}[ \t]+", "", text, flags=re.M)
    text = re.sub(r"^\s*(?:-{3,}|\*{3,})\s*$", "", text, flags=re.M)
    text = re.sub(r"(?<=\w)\*{2,}(?=\w)", "\n", text)       # "Enclosure**Report": two blocks
    return text.replace("**", "").replace("*(Signed)*", "(Signed)").replace("*", "")


def hard_wrapped(text: str) -> str:
    """Each paragraph wrapped at 64 columns; long words broken with a hyphen at the line end."""
    out = []
    for line in _markdown_stripped(text).split("\n"):
        if len(line) <= 64:
            out.append(line)
            continue
        words = []
        for i, word in enumerate(line.split(" ")):
            if i % 9 == 8 and len(word) >= 10 and word.isalpha() and word.islower():
                word = word[:5] + "-\n" + word[5:]
            words.append(word)
        wrapped = []
        for piece in " ".join(words).split("\n"):
            wrapped.append(textwrap.fill(piece, 64, break_long_words=False, break_on_hyphens=False))
        out.append("\n".join(wrapped))
    return "\n".join(out)


def flattened(text: str) -> str:
    """The whole text on one line, a page header and job number in the middle of it."""
    flat = " ".join(_markdown_stripped(text).split())
    symbol = re.search(r"\bS/\d{4}/\d{1,4}\b", text)
    furniture = f"2/5 07-58315 {symbol.group()}" if symbol else "2/5 07-58315"
    words = flat.split(" ")
    middle = len(words) * 2 // 3
    return " ".join(words[:middle] + furniture.split(" ") + words[middle:]) + "\n"


def signed_and_capitals(text: str) -> str:
    """Lower-case "(signed)" and every heading (a block of short lines that is no sentence) in capitals."""
    blocks = re.split(r"(\n\s*\n)", _markdown_stripped(text).replace("(Signed)", "(signed)"))
    out = []
    for block in blocks:
        stripped = block.strip()
        is_heading = (stripped and len(stripped) < 160 and stripped[-1] not in ".;:,"
                      and not stripped[0].isdigit() and not stripped.startswith("(signed)"))
        out.append(block.upper() if is_heading else block)
    return "".join(out)


def _rule_words() -> set[str]:
    """The words the rules read (in data/facts.toml and the date grammar): OCR noise spares them."""
    words: set[str] = set()
    for name in ("facts.toml", "dates.toml", "offices.tsv", "cleaning.toml"):
        words |= {w.lower() for w in re.findall(r"[A-Za-z]{3,}", data_file(name).read_text(encoding="utf-8"))}
    return words


def ocr_noise(text: str, spared_values: str = "") -> str:
    """l/1 and rn/m in words no rule reads and no fact is (`spared_values`), O/0 and l/1 in
    figures, dropped diacritics, "?" for a lost character in names."""
    spared = _rule_words() | {w.lower() for w in re.findall(r"[A-Za-z]{3,}", spared_values)}
    count = 0

    def word(m: re.Match[str]) -> str:
        nonlocal count
        w = m.group()
        if w.lower() in spared or not w.islower():
            return w
        count += 1
        if count % 3 == 0 and "m" in w:
            return w.replace("m", "rn", 1)
        if count % 3 == 1 and "l" in w:
            return w.replace("l", "1", 1)
        return w

    noisy = re.sub(r"[A-Za-z]{6,}", word, text)
    # Figures with thousands separators read with O for 0 and l for 1 ("15,3l4", "4,6OO").
    noisy = re.sub(r"\b\d{1,3}(?:,\d{3})+\b", lambda m: m.group().replace("0", "O").replace("1", "l"), noisy)
    # A name keeps one lost character as "?" (Thaçi -> Tha?i); other diacritics are dropped.
    noisy = re.sub(r"(?<=[A-Z][a-z])[çćč](?=[a-z])", "?", noisy, count=1)
    return "".join(c for c in unicodedata.normalize("NFKD", noisy) if not unicodedata.combining(c))


def html_residue(text: str) -> str:
    """The paragraphs in <p> tags with entities, as a page saved from a browser."""
    paragraphs = [p for p in re.split(r"\n\s*\n", _markdown_stripped(text)) if p.strip()]
    body = "\n".join(f"<p>{html.escape(p.strip(), quote=False).replace(chr(10), '<br/>')}</p>" for p in paragraphs)
    return f"<html><body>\n{body}\n</body></html>\n"


RUSSIAN = "Доклад Организации Объединенных Наций о деятельности Сил для Косово за отчетный период"


def bilingual(text: str) -> str:
    """A parallel text: after each paragraph a line in another script (as a bilingual PDF gives it)."""
    paragraphs = re.split(r"(\n\s*\n)", _markdown_stripped(text))
    return "".join(p + ("\n" + RUSSIAN if p.strip() and not p.isspace() else "") for p in paragraphs)


VARIANTS: dict[str, Callable[[str], str]] = {
    "hard-wrapped": hard_wrapped,
    "flattened": flattened,
    "signed-capitals": signed_and_capitals,
    "ocr-noise": ocr_noise,
    "markdown-stripped": _markdown_stripped,
    "html-residue": html_residue,
    "bilingual": bilingual,
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_a_variant_gives_the_same_header_facts(tmp_path: Path, source: Path, variant: str) -> None:
    original = source.read_text(encoding="utf-8")
    path = tmp_path / source.name
    expected = actual_facts_of(source)
    make = VARIANTS[variant]
    laid_out = ocr_noise(original, repr(expected)) if make is ocr_noise else make(original)
    path.write_text(laid_out, encoding="utf-8")
    assert actual_facts_of(path) == expected


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_evidence_of_a_variant_quotes_the_variant_file(tmp_path: Path, variant: str) -> None:
    """Offsets survive the re-layout: each fact's span cuts the variant file at the quoted words."""
    from kfor_kg.extract import facts
    from kfor_kg.text import ingest

    for source in SOURCES:
        path = tmp_path / source.name
        text = source.read_text(encoding="utf-8")
        path.write_text(ocr_noise(text) if VARIANTS[variant] is ocr_noise else VARIANTS[variant](text),
                        encoding="utf-8")
        record = facts.extract(ingest.load(path))
        spans = [e for letter in record.letters for e in letter.evidence]
        spans += [letter.signatory.evidence for letter in record.letters if letter.signatory]
        if record.report and record.report.troop_strength:
            spans += record.report.troop_strength.evidence
        if record.report and record.report.period:
            spans.append(record.report.period.evidence)
        assert spans, source.name
        original = record.clean.source.original
        for evidence in spans:
            assert original[evidence.start:evidence.end] == evidence.text, (source.name, evidence)
