"""Normal forms of words for matching: the one case- and diacritics-folding."""

from __future__ import annotations

from kfor_kg.rdf.iris import ascii_fold    # the one transliteration (IRI keys use it too)


def fold(text: str) -> str:
    """Case- and diacritics-free form of a word or name, every script transliterated (no letter dropped).

    >>> fold("Dečani"), fold("Đurić"), fold("Ђурић")
    ('decani', 'duric', 'duric')
    """
    return ascii_fold(text).casefold()
