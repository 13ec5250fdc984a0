"""The one sentence segmentation: rules on characters, and the sentence around a span."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kfor_kg.text.ingest import load
from kfor_kg.text.sentences import (
    sentence_around,
    sentence_index,
    sentence_spans,
    without_paragraph_number,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "reports"


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


@pytest.mark.parametrize("text,expected", [
    ("KFOR patrolled. The situation was calm.", ["KFOR patrolled.", "The situation was calm."]),
    # A line break always starts a sentence, even without a full stop.
    ("(Signed) António Guterres\nAnnex", ["(Signed) António Guterres", "Annex"]),
    # Abbreviations and initials do not end a sentence.
    ("Mr. Thaçi met Dr. Rugova. See No. 5.", ["Mr. Thaçi met Dr. Rugova.", "See No. 5."]),
    ("(Signed) Kofi A. Annan", ["(Signed) Kofi A. Annan"]),
    ("It began at 10 a.m. and ended. Then", ["It began at 10 a.m. and ended.", "Then"]),
    # "1." numbering a paragraph opens its first sentence.
    ("1. The report covers July.\n2. Next", ["1. The report covers July.", "2. Next"]),
    # Only a capital, a digit or an opening mark after the stop starts a sentence.
    ("It rose to 4.5 per cent. in 2008. 2009 was calm.", ["It rose to 4.5 per cent. in 2008.", "2009 was calm."]),
    ("He said (in Pristina.) \"It is calm.\" (Later) more.", ["He said (in Pristina.)", "\"It is calm.\"", "(Later) more."]),
    ("Really? Yes! Then… Done... still", ["Really?", "Yes!", "Then…", "Done... still"]),
    # Glued "word.Word" splits as spaCy's tokenizer splits it; "U.S." does not.
    ("It ended.The next began in the U.S. Then", ["It ended.", "The next began in the U.S. Then"]),
    ("", []),
    (" \n \n", []),
])
def test_sentence_spans(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_the_sentence_around_a_span() -> None:
    text = "KFOR patrolled. The total number of troops was 15,314. It was calm."
    spans = sentence_spans(text)
    start = text.index("15,314")
    assert text[slice(*sentence_around(spans, start, start + 6))] == "The total number of troops was 15,314."
    # A span across two sentences gets both; one in the space between them none.
    across = sentence_around(spans, text.index("patrolled"), text.index("total"))
    assert text[slice(*across)] == "KFOR patrolled. The total number of troops was 15,314."
    gap = text.index(" The")
    assert sentence_around(spans, gap, gap + 1) == (gap, gap + 1)
    assert sentence_index(spans, gap) == 1 and sentence_index(spans, len(text)) == len(spans)


def test_a_quoted_sentence_leaves_out_the_paragraph_number() -> None:
    text = "2. As at 30 September 2007, the total number of troops in theatre was 15,314."
    a, b = without_paragraph_number(text, *sentence_spans(text)[0])
    assert text[a:b].startswith("As at 30 September")
    assert without_paragraph_number("2007. ", 0, 6) == (0, 5)
    assert without_paragraph_number(" 12.  ", 0, 6) == (1, 4)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.txt")), ids=lambda p: p.stem)
def test_every_numbered_paragraph_of_a_seed_opens_a_sentence(path: Path) -> None:
    clean = load(path)
    starts = {a for a, _ in sentence_spans(clean.text)}
    lines = [i + 1 for i, c in enumerate(clean.text) if c == "\n"]
    assert set(lines) <= starts | {len(clean.text)}
    assert any(clean.text[a:a + 3] == "1. " for a in starts)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("Mr. No. A.a 1 2 Kosovo.\n?!…)\"'(“ ") + ["Mr.", "U.S.", "1. "]),
                max_size=80).map("".join) | st.text(max_size=200))
def test_odd_text_gives_ordered_spans_inside_the_text(text: str) -> None:
    spans = sentence_spans(text)
    previous_end = 0
    for a, b in spans:
        assert previous_end <= a < b <= len(text)
        assert not text[a].isspace() and not text[b - 1].isspace()
        assert "\n" not in text[a:b]
        previous_end = b
    # Every character that is not a space is in a sentence.
    covered = sum(b - a for a, b in spans)
    assert covered >= sum(1 for c in text if not c.isspace())
    for a, b in spans:
        assert sentence_around(spans, a, b) == (a, b)


def test_docstring_examples() -> None:
    import doctest

    import kfor_kg.text.sentences

    assert doctest.testmod(kfor_kg.text.sentences).failed == 0
