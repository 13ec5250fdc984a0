"""The alias table: one canonical key and preferred label per real-world thing.

Data lives in kfor_kg/data/aliases.tsv; matching ignores case, diacritics,
honorifics ("Mr.", "H.E.") and a leading "the".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from kfor_kg.errors import ConfigError
from kfor_kg.rdf.iris import slug
from kfor_kg.resources import data_file

_HONORIFIC = re.compile(r"^(?:(?:Mr|Mrs|Ms|Dr|H\.\s?E|Sir|Lord|Madam|Mme|M)\.?\s+)+", re.I)
TYPES = ("Person", "Organization", "Place", "Resolution")


def match_key(surface: str) -> str:
    """Normalize a surface form for matching: no case, diacritics, honorific or leading 'the'.

    >>> match_key("the Kosovo  Force")
    'kosovo force'
    >>> match_key("Mr. Hashim Thaçi")
    'hashim thaci'
    """
    text = unicodedata.normalize("NFKD", surface).encode("ascii", "ignore").decode()
    text = text.replace("\u2019", "'")
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"^the\s+", "", text, flags=re.I)
    text = _HONORIFIC.sub("", text)
    return text.casefold()


@dataclass(frozen=True)
class Canonical:
    type: str       # "Person", "Organization", "Place", ...
    key: str        # IRI key: "jens-stoltenberg", "nato"
    label: str      # preferred label


@dataclass(frozen=True)
class AliasTable:
    entries: dict[tuple[str, str], Canonical]
    by_key: dict[tuple[str, str], Canonical]
    names: dict[tuple[str, str], tuple[str, ...]]

    def lookup(self, type_: str, surface: str) -> Canonical | None:
        """The canonical thing a surface form names, if the table knows it."""
        return self.entries.get((type_, match_key(surface)))

    def lookup_any(self, surface: str) -> Canonical | None:
        """The canonical thing of any type a surface form names (types tried in TYPES order)."""
        key = match_key(surface)
        for type_ in TYPES:
            found = self.entries.get((type_, key))
            if found:
                return found
        return None

    def canonical(self, type_: str, surface: str) -> Canonical:
        """The table's entry, or a new canonical thing named as written."""
        found = self.lookup(type_, surface)
        if found:
            return found
        label = re.sub(r"\s+", " ", _HONORIFIC.sub("", surface.strip()))
        return Canonical(type_, slug(label), label)

    def get(self, type_: str, key: str) -> Canonical | None:
        return self.by_key.get((type_, key))

    def surfaces(self, thing: Canonical) -> tuple[str, ...]:
        """The preferred label and every alias the table lists for a thing."""
        return self.names.get((thing.type, thing.key), (thing.label,))


@lru_cache(maxsize=1)
def alias_table() -> AliasTable:
    """The shipped alias table, loaded once.

    Raises:
        ConfigError: when a line of aliases.tsv is malformed.
    """
    entries: dict[tuple[str, str], Canonical] = {}
    by_key: dict[tuple[str, str], Canonical] = {}
    names: dict[tuple[str, str], tuple[str, ...]] = {}
    path = data_file("aliases.tsv")
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 3 or not all(f.strip() for f in fields[:3]):
            raise ConfigError(f"{path}:{n}: expected 'type<TAB>key<TAB>label[<TAB>aliases]', got {line!r}")
        type_, key, label, *rest = fields
        thing = Canonical(type_, key, label)
        by_key[(type_, key)] = thing
        aliases = [a for a in (rest[0].split("|") if rest and rest[0] else []) if a.strip()]
        names[(type_, key)] = tuple(dict.fromkeys([label, *aliases]))
        for name in [label, key.replace("-", " "), *aliases]:
            entries.setdefault((type_, match_key(name)), thing)
    return AliasTable(entries, by_key, names)
