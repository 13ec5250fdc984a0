"""Names with a character the source lost ("Cvetkovi?", "Karadži�"): repaired or flagged, never cut.

Conversions to Latin-1 or ASCII turn a letter they cannot hold into "?" or
"�". A name so damaged is read whole (the mark is part of the mention) and
repaired, in this order:

1. against the document's other names and the gazetteer: the mark stands for
   one non-ASCII letter ("Jeremi?" is the "Vuk Jeremić" of the gazetteer or
   of another sentence), when exactly one name fits;
2. by the ending rules of data/entity_rules.toml ``[damaged] endings``
   ("-i?" is the South Slavic surname ending "-ić");

else it keeps the mark, and the mention carries a warning saying so.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from spacy.tokens import Span

from kfor_kg.lexicon.gazetteer import AliasTable, match_key

__all__ = ["DAMAGE", "damaged", "widen", "repair"]

DAMAGE = "?\ufffd"
"""The marks a lost character leaves."""


def damaged(text: str) -> bool:
    """Whether a name holds a mark of a lost character."""
    return any(c in text for c in DAMAGE)


def widen(span: Span) -> Span:
    """`span` with the marks glued to its ends ("Cvetkovi" + "?")."""
    doc = span.doc
    start, end = span.start, span.end
    while end < len(doc) and doc[end].text and all(c in DAMAGE for c in doc[end].text) \
            and not doc[end - 1].whitespace_:
        end += 1
    while start > 0 and doc[start - 1].text and all(c in DAMAGE for c in doc[start - 1].text) \
            and not doc[start - 1].whitespace_ and (start < 2 or doc[start - 2].whitespace_):
        start -= 1
    if (start, end) == (span.start, span.end):
        return span
    return Span(doc, start, end, label=span.label, span_id=span.id)


def _pattern(text: str) -> re.Pattern[str]:
    parts = [r"[^\x00-\x7f]" if c in DAMAGE else re.escape(c) for c in unicodedata.normalize("NFC", text)]
    return re.compile("".join(parts), re.I)


def repair(text: str, type_: str, others: Iterable[str], table: AliasTable,
           endings: Iterable[tuple[str, str]]) -> tuple[str, str]:
    """The name `text` with its lost characters restored, and the warning to attach to its mention.

    `others` are the document's other names of the same type.

    >>> from kfor_kg.lexicon.gazetteer import parse_alias_table
    >>> t = parse_alias_table("Person\\tvuk-jeremic\\tVuk Jeremić")
    >>> repair("Jeremi?", "Person", [], t, [])[0]
    'Jeremić'
    >>> repair("Mirko Cvetkovi?", "Person", [], t, [("i?", "ić")])[0]
    'Mirko Cvetković'
    >>> repair("Dra?a", "Person", [], t, [])
    ('Dra?a', "a character of 'Dra?a' was lost in the source; the name is kept as written")
    """
    pattern = _pattern(text)
    n_words = len(text.split())
    fits: set[str] = set()
    names = [n for n in others if not damaged(n)]
    names += [s for thing in table.by_key.values() if thing.type == type_ for s in table.surfaces(thing)]
    for name in names:
        name = unicodedata.normalize("NFC", re.sub(r"\s+", " ", name.strip()))
        tail = " ".join(name.split()[-n_words:])
        for candidate in (name, tail):
            if pattern.fullmatch(candidate):
                fits.add(candidate)
    by_key = {match_key(f): f for f in sorted(fits)}
    if len(by_key) == 1:
        fixed = next(iter(by_key.values()))
        return fixed, f"a character of {text!r} was lost in the source; read as {fixed!r} (a name the document or gazetteer gives)"
    words = text.split()
    for i, word in enumerate(words):
        for ending, replacement in endings:
            if word.endswith(ending) and not damaged(word[:-len(ending)]):
                words[i] = word[:-len(ending)] + replacement
                break
    fixed = " ".join(words)
    if not damaged(fixed):
        return fixed, f"a character of {text!r} was lost in the source; read as {fixed!r} (by its ending)"
    return text, f"a character of {text!r} was lost in the source; the name is kept as written"
