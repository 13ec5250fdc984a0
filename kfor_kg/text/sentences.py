"""The one sentence segmentation of a cleaned text, on characters.

A line break starts a sentence. A final punctuation mark (".", "!", "?",
"…"), with the closing marks glued to it, ends one when the next word starts
with a capital, a digit or an opening mark, except after an abbreviation
("Mr.", "No."), initials ("Kofi A. Annan", "a.m.") and a number opening a line
("1." numbering a paragraph). The words live in kfor_kg/data/sentences.toml. The header facts
use these spans directly and the spaCy component `kfor_sentences` sets its
token sentence starts from them, so every stage sees the same sentences.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache

from kfor_kg.errors import ConfigError
from kfor_kg.resources import data_file

__all__ = ["SentenceRules", "sentence_around", "sentence_index", "sentence_rules", "sentence_spans",
           "without_paragraph_number"]

_NUMBER = re.compile(r"\d[\d,./]*")
_PARAGRAPH_NUMBER = re.compile(r"\d{1,3}\.\s+")
_INITIALS = re.compile(r"[A-Z]|[^\W\d_](?:\.[^\W\d_])+")


@dataclass(frozen=True)
class SentenceRules:
    """The words of data/sentences.toml."""

    abbreviations: frozenset[str]
    final_punctuation: frozenset[str]
    closing: frozenset[str]
    opening: frozenset[str]
    initials: bool              # initials ("A.", "a.m.") never end a sentence


@lru_cache(maxsize=1)
def sentence_rules() -> SentenceRules:
    """The rules of kfor_kg/data/sentences.toml, loaded once.

    Raises:
        ConfigError: when the file is missing or malformed.
    """
    path = data_file("sentences.toml")
    try:
        with path.open("rb") as f:
            raw = tomllib.load(f)
        return SentenceRules(
            abbreviations=frozenset(raw["abbreviations"]),
            final_punctuation=frozenset(raw["final_punctuation"]),
            closing=frozenset(raw["closing"]),
            opening=frozenset(raw["opening"]),
            initials=bool(raw["initials"]),
        )
    except (OSError, KeyError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"cannot load the sentence rules {path} ({e}); reinstall kfor-kg") from e


def sentence_spans(text: str, rules: SentenceRules | None = None) -> list[tuple[int, int]]:
    """The sentences of `text` as (start, end) character offsets, in order, without outer spaces.

    >>> t = "1. Mr. Ban met Mr. Thaçi. They spoke.\\nAnnex"
    >>> [t[a:b] for a, b in sentence_spans(t)]
    ['1. Mr. Ban met Mr. Thaçi.', 'They spoke.', 'Annex']
    """
    rules = rules or sentence_rules()
    spans: list[tuple[int, int]] = []
    line_start = 0
    for line in text.split("\n"):
        start = line_start
        for cut in _cuts(line, rules):
            _add(spans, text, start, line_start + cut)
            start = line_start + cut
        _add(spans, text, start, line_start + len(line))
        line_start += len(line) + 1
    return spans


def _cuts(line: str, rules: SentenceRules) -> list[int]:
    """Offsets in `line` where a new sentence starts."""
    cuts: list[int] = []
    n = len(line)
    for i, c in enumerate(line):
        if c not in rules.final_punctuation:
            continue
        # "..." is one mark that does not end a sentence; only a lone "." does.
        if c == "." and ((i + 1 < n and line[i + 1] == ".") or (i and line[i - 1] == ".")):
            continue
        word_start = i
        while word_start and not line[word_start - 1].isspace():
            word_start -= 1
        word = line[word_start:i]
        if word and _is_exception(word, line[:word_start], rules):
            continue
        j = i + 1
        while j < n and line[j] in rules.closing:
            j += 1
        k = j
        while k < n and line[k].isspace():
            k += 1
        if k == n:
            continue
        # Without a space only "word.Next" splits, as spaCy's tokenizer does.
        glued = k == j
        if glued and not (c == "." and j == i + 1 and word[-1:].islower() and line[k].isupper()):
            continue
        if line[k].isupper() or line[k].isdigit() or line[k] in rules.opening:
            cuts.append(k)
    return cuts


def _is_exception(word: str, line_before: str, rules: SentenceRules) -> bool:
    """An abbreviation, or a number numbering a paragraph at the start of a line."""
    bare = word.lstrip("".join(rules.opening | rules.closing))
    if bare + "." in rules.abbreviations or (rules.initials and _INITIALS.fullmatch(bare) is not None):
        return True
    return not line_before.strip() and _NUMBER.fullmatch(word) is not None


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))


def sentence_index(spans: list[tuple[int, int]], offset: int) -> int:
    """Index of the sentence containing `offset`, else of the first one after it (len(spans) if none)."""
    return bisect.bisect_left(spans, offset, key=lambda s: s[1] - 1)


def sentence_around(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The whole sentences that text[start:end] touches, as one (start, end) span.

    A span that touches no sentence (only spaces) is returned as it is.

    >>> spans = [(0, 10), (11, 20)]
    >>> sentence_around(spans, 3, 5), sentence_around(spans, 8, 13)
    ((0, 10), (0, 20))
    """
    end = max(end, start + 1)
    first = sentence_index(spans, start)
    last = sentence_index(spans, end - 1)
    if last == len(spans) or spans[last][0] >= end:
        last -= 1
    if first >= len(spans) or last < first:
        return start, end
    return spans[first][0], spans[last][1]


def without_paragraph_number(text: str, start: int, end: int) -> tuple[int, int]:
    """The span text[start:end] without a paragraph number opening it nor spaces around it.

    For quoting a sentence: the number stays in the segmentation (it opens the
    paragraph's first sentence) but is no part of what the sentence says.

    >>> t = " 2. As at 30 September, KFOR had 15,314 troops.\\n"
    >>> a, b = without_paragraph_number(t, 0, len(t)); t[a:b]
    'As at 30 September, KFOR had 15,314 troops.'
    """
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    m = _PARAGRAPH_NUMBER.match(text, start, end)
    return (m.end(), end) if m and m.end() < end else (start, end)
