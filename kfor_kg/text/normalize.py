"""Normal forms of words for matching: the one case- and diacritics-folding."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Case- and diacritics-free form of a word or name.

    >>> fold("Dečani")
    'decani'
    """
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
