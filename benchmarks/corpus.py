"""Distinct report files made from the shipped examples, for the benchmark.

Variant i of an example moves its covering letter to another date (the key of
a document without a symbol is `letter-{date}`; each example keeps to its own
days of the month, so no two variants share a date) and renumbers its symbol
(`S/YYYY/NNN` → `S/YYYY/{1000+i}`), so every variant is another document to
kfor-kg: another key, another graph. The rest of the text is the example's.
"""

from __future__ import annotations

import re
from pathlib import Path

from kfor_kg.build import example_reports

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
_LETTER = re.compile(r"(Letter dated\s+)(\d{1,2})(\s+)(" + "|".join(MONTHS) + r")(\s+)(\d{4})")
_SYMBOL = re.compile(r"\bS/(\d{4})/(\d+)\b")


def variant(text: str, i: int, template: int = 0) -> str:
    """Variant `i` of a report text: another covering-letter date and symbol number.

    Each template gets its own five days of the month (`template` 0-4), so two
    templates never give the same letter date: 5 × 12 variants a year.
    """
    day, month, shift = 1 + 5 * template + i % 5, MONTHS[(i // 5) % 12], 1 + i // 60

    def letter(m: re.Match[str]) -> str:
        return f"{m[1]}{day}{m[3]}{month}{m[5]}{int(m[6]) + shift}"

    text = _LETTER.sub(letter, text, count=1)
    return _SYMBOL.sub(lambda m: f"S/{m[1]}/{1000 + i}", text)


def generate(n: int, folder: Path) -> list[Path]:
    """Write `n` distinct report files into `folder` (round-robin over the examples)."""
    folder.mkdir(parents=True, exist_ok=True)
    examples = sorted(example_reports().glob("*.txt"))
    texts = [path.read_text(encoding="utf-8") for path in examples]
    files = []
    for i in range(n):
        template = i % len(examples)
        path = folder / f"doc-{i:05d}-{examples[template].stem}.txt"
        path.write_text(variant(texts[template], i // len(examples), template), encoding="utf-8")
        files.append(path)
    return files
