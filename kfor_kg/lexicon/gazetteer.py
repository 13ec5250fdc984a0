"""The gazetteer (alias table): one canonical key and preferred label per real-world thing.

Data lives in kfor_kg/data/aliases.tsv (people, organizations) and
kfor_kg/data/places.tsv (places, each row with its class and source), read
as one table (`GAZETTEER_FILES`); matching ignores case, diacritics,
honorifics ("Mr.", "H.E.") and a leading "the". `label_for` gives the one
preferred label of any entity key, known to the table or not, so every
writer of a node gives it the same `skos:prefLabel`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from kfor_kg.errors import ConfigError
from kfor_kg.rdf.iris import ascii_fold, slug
from kfor_kg.resources import data_file

# "M." (Monsieur) only with its full stop: a bare "M" is an initial.
_HONORIFIC = re.compile(r"^(?:(?:(?:Mr|Mrs|Ms|Dr|H\.\s?E|Sir|Lord|Madam|Mme)\.?|M\.)\s+)+", re.I)
TYPES = ("Person", "Organization", "Place", "Resolution")
GAZETTEER_FILES = ("aliases.tsv", "places.tsv")
"""The shipped files of the gazetteer, read as one table (same columns; places.tsv adds class and source)."""
# Words a display label keeps in lower case unless they start it.
_SMALL_WORDS = frozenset({"of", "in", "the", "and", "for", "on", "de", "to", "at", "by", "a", "an", "with"})


def match_key(surface: str) -> str:
    """Normalize a surface form for matching: no case, diacritics, honorific or leading 'the'.

    >>> match_key("the Kosovo  Force")
    'kosovo force'
    >>> match_key("Mr. Hashim Thaçi"), match_key("Đakovica")
    ('hashim thaci', 'dakovica')
    """
    text = ascii_fold(surface)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"^the\s+", "", text, flags=re.I)
    text = _HONORIFIC.sub("", text)
    return text.casefold()


@dataclass(frozen=True)
class Canonical:
    type: str       # "Person", "Organization", "Place", ...
    key: str        # IRI key: "jens-stoltenberg", "nato"
    label: str      # preferred label


_DERIVATIONS = ("n", "an", "ian", "ese", "i", "ic", "ish", "ar", "r")


def _derived(a: str, b: str) -> bool:
    """Whether one single-word name is the other with a derivational ending ("serbia"/"serbian")."""
    short, long_ = sorted((a, b), key=len)
    return " " not in long_ and long_.startswith(short) and long_[len(short):] in _DERIVATIONS


@dataclass(frozen=True)
class AliasTable:
    entries: dict[tuple[str, str], Canonical]
    by_key: dict[tuple[str, str], Canonical]
    names: dict[tuple[str, str], tuple[str, ...]]
    _fuzzy_cache: dict[str, list[str]] = field(default_factory=dict, compare=False, repr=False)
    _fuzzy_found: dict[tuple[str, str], Canonical | None] = field(default_factory=dict, compare=False, repr=False)

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

    def fuzzy(self, type_: str, surface: str) -> Canonical | None:
        """The one thing of `type_` a misspelled name stands for ("United Nation", "Prizern"), if any.

        One edit (or swap of neighbours) away for names of 5-9 letters, two for longer ones, the same
        first letter, and not a derived word ("Serbian" is not "Serbia").
        """
        key = match_key(surface)
        if len(key) < 5:
            return None
        if (type_, key) not in self._fuzzy_found:       # asked once per name, not per mention
            limit = 1 if len(key) < 10 else 2
            hits = process.extract(key, self._choices(type_), scorer=OSA.distance, score_cutoff=limit, limit=3)
            found = {self.entries[(type_, name)] for name, _score, _i in hits
                     if name[:1] == key[:1] and not _derived(key, name)}
            self._fuzzy_found[(type_, key)] = found.pop() if len(found) == 1 else None
        return self._fuzzy_found[(type_, key)]

    def _choices(self, type_: str) -> list[str]:
        cached = self._fuzzy_cache.get(type_)
        if cached is None:
            cached = sorted(k for t, k in self.entries if t == type_)
            self._fuzzy_cache[type_] = cached
        return cached

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
    """The shipped gazetteer (data/aliases.tsv and data/places.tsv), loaded once.

    Raises:
        ConfigError: when a file cannot be read or a line is malformed.
    """
    texts = []
    for name in GAZETTEER_FILES:
        path = data_file(name)
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except OSError as e:
            raise ConfigError(f"{path}: cannot read the gazetteer ({e})") from e
    return parse_alias_table("\n".join(texts), " + ".join(GAZETTEER_FILES))


def read_alias_table(path: Path) -> AliasTable:
    """An alias table read from a file in the format of data/aliases.tsv.

    Raises:
        ConfigError: when the file cannot be read or a line is malformed.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the gazetteer ({e})") from e
    return parse_alias_table(text, str(path))


def parse_alias_table(text: str, origin: str = "aliases.tsv") -> AliasTable:
    """An alias table from the text of a data/aliases.tsv-style file.

    Raises:
        ConfigError: when a line is malformed.
    """
    entries: dict[tuple[str, str], Canonical] = {}
    by_key: dict[tuple[str, str], Canonical] = {}
    names: dict[tuple[str, str], tuple[str, ...]] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 3 or not all(f.strip() for f in fields[:3]):
            raise ConfigError(f"{origin}:{n}: expected 'type<TAB>key<TAB>label[<TAB>aliases]', got {line!r}")
        type_, key, label, *rest = fields
        thing = Canonical(type_, key, label)
        by_key[(type_, key)] = thing
        aliases = [a for a in (rest[0].split("|") if rest and rest[0] else []) if a.strip()]
        names[(type_, key)] = tuple(dict.fromkeys([label, *aliases]))
        for name in [label, key.replace("-", " "), *aliases]:
            entries.setdefault((type_, match_key(name)), thing)
    return AliasTable(entries, by_key, names)


def resolution_label(key: str) -> str:
    """The label of a Security Council resolution keyed "1244-1999" or "1244".

    >>> resolution_label("1244-1999")
    'Security Council resolution 1244 (1999)'
    """
    number, _, year = key.partition("-")
    return f"Security Council resolution {number} ({year})" if year else f"Security Council resolution {number}"


def label_for(kind: str, key: str) -> str:
    """The preferred label of the entity of `kind` with `key`: a pure function of both and the shipped data.

    The gazetteer's label when it knows the key; a resolution's designation;
    else the key's words title-cased, small words ("of", "the"...) lower-case.

    >>> label_for("Person", "hashim-thaci"), label_for("Organization", "joint-council-of-the-north")
    ('Hashim Thaçi', 'Joint Council of the North')
    """
    thing = alias_table().get(kind, key)
    if thing is not None:
        return thing.label
    if kind == "Resolution":
        return resolution_label(key)
    words = [w for w in key.split("-") if w]
    return " ".join(w if i and w in _SMALL_WORDS else w[:1].upper() + w[1:] for i, w in enumerate(words)) or key


def looks_like_acronym(text: str) -> bool:
    """An acronym as written: 2-10 letters, mostly capitals, no space ("KFOR", "EULEX", "UNMIK").

    >>> looks_like_acronym("KFOR"), looks_like_acronym("Kosovo"), looks_like_acronym("UN SC")
    (True, False, False)
    """
    letters = [c for c in text if c.isalpha()]
    return 2 <= len(letters) <= 10 and sum(c.isupper() for c in letters) >= 2 and " " not in text \
        and not any(c.islower() for c in text[:2])


def acronym_for(kind: str, key: str) -> str | None:
    """The gazetteer's acronym of a thing: its first name that looks like one ("KFOR" for kfor)."""
    thing = alias_table().get(kind, key)
    if thing is None:
        return None
    return next((s for s in alias_table().surfaces(thing) if looks_like_acronym(s)), None)
