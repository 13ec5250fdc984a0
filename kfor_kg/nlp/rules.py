"""The rules of the NER repairs, read from data files, and the values the components share.

`EntityRules` holds data/entity_rules.toml and data/entity_stoplist.tsv;
`KnownNames` the gazetteer's names as token sequences. Components read them
from the files their config names (kfor_kg/nlp/config.cfg); `shipped_rules`
is the shipped set, for code outside the pipeline (the entity reader).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Doc
from spacy.tokenizer import Tokenizer

from kfor_kg.errors import ConfigError
from kfor_kg.lexicon.gazetteer import AliasTable, match_key
from kfor_kg.resources import data_file
from kfor_kg.text.normalize import fold

__all__ = [
    "ACRONYMS_KEY", "AcronymPair", "EntityRules", "KnownName", "KnownNames", "TokenView",
    "acronym_pairs", "data_path", "parse_entity_rules", "read_text", "shipped_rules",
]

ACRONYMS_KEY = "kfor_acronyms"


def data_path(name: str) -> Path:
    """A rule file named in a pipeline config: a path, or the name of a file shipped in kfor_kg/data."""
    path = Path(name)
    return path if path.is_absolute() or len(path.parts) > 1 else data_file(name)


def read_text(name: str) -> str:
    """The text of the rule file `name` (see `data_path`); several names separated by spaces are read as one text.

    Raises:
        ConfigError: when a file cannot be read.
    """
    texts = []
    for one in name.split():
        path = data_path(one)
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except OSError as e:
            raise ConfigError(f"{path}: cannot read the NLP rules ({e})") from e
    return "\n".join(texts)


@dataclass(frozen=True)
class EntityRules:
    """The rules of data/entity_rules.toml and data/entity_stoplist.tsv."""

    labels: dict[str, str]
    type_labels: dict[str, str]
    leading_words: frozenset[str]
    honorifics: frozenset[str]
    person_titles: tuple[tuple[str, ...], ...]
    title_qualifiers: tuple[tuple[str, ...], ...]
    trailing_tokens: frozenset[str]
    facility_heads: frozenset[str]
    non_organization_heads: frozenset[str]
    organization_heads: frozenset[str]
    place_cues: tuple[tuple[str, ...], ...]
    person_place_cues: tuple[tuple[str, ...], ...]
    person_cues: tuple[tuple[str, ...], ...]
    demonyms: frozenset[str]
    demonym_prefixes: frozenset[str]
    symbol_patterns: tuple[re.Pattern[str], ...]
    resolution_pattern: re.Pattern[str]
    resolution_separator: re.Pattern[str]
    resolution_years: dict[int, int]
    acronym_connectors: frozenset[str]
    max_long_form_words: int
    stoplist: dict[str, frozenset[str]]
    damaged_endings: tuple[tuple[str, str], ...] = ()
    of_heads: frozenset[str] = frozenset()
    of_connectors: frozenset[str] = frozenset()
    non_entity_leads: frozenset[str] = frozenset()
    organization_cues: tuple[tuple[str, ...], ...] = ()
    ranks: frozenset[str] = frozenset()

    def stopped(self, text: str, label: str) -> bool:
        labels = self.stoplist.get(match_key(text))
        return labels is not None and ("*" in labels or label in labels)

    def is_symbol(self, text: str) -> bool:
        return any(p.fullmatch(text.strip()) for p in self.symbol_patterns)

    def entity_type(self, label: str) -> str | None:
        """kfor-kg type of a spaCy entity label, or None when it is no entity of ours."""
        return self.labels.get(label)

    def label_of(self, type_: str, surface: str) -> str:
        """The spaCy label a known name of `type_` gets (a place named like a facility is FAC)."""
        if type_ == "Place" and surface.split()[-1] in self.facility_heads:
            return "FAC"
        return self.type_labels[type_]


def _sequences(items: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    seqs = {tuple(item.split()) for item in items}
    return tuple(sorted(seqs, key=lambda s: (-len(s), s)))


def parse_entity_rules(rules_text: str, stoplist_text: str, origin: str = "entity_rules.toml") -> EntityRules:
    """The rules from the texts of an entity_rules.toml and an entity_stoplist.tsv.

    Raises:
        ConfigError: when a rule is missing or malformed.
    """
    try:
        raw = tomllib.loads(rules_text)
        stoplist: dict[str, set[str]] = {}
        for line in stoplist_text.splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            surface, labels, *_ = line.split("\t")
            stoplist.setdefault(match_key(surface), set()).update(x.strip() for x in labels.split(","))
        spans, rep, res, acr = raw["spans"], raw["repair"], raw["resolutions"], raw["acronyms"]
        return EntityRules(
            labels=dict(raw["labels"]),
            type_labels=dict(raw["type_labels"]),
            leading_words=frozenset(w.lower() for w in spans["leading_words"]),
            honorifics=frozenset(spans["honorifics"]),
            person_titles=_sequences(spans["person_titles"]),
            title_qualifiers=_sequences(spans["title_qualifiers"]),
            trailing_tokens=frozenset(spans["trailing_tokens"]),
            facility_heads=frozenset(rep["facility_heads"]),
            non_organization_heads=frozenset(rep["non_organization_heads"]),
            organization_heads=frozenset(rep["organization_heads"]),
            place_cues=tuple(tuple(c) for c in rep["place_cues"]),
            person_place_cues=tuple(tuple(c) for c in rep["person_place_cues"]),
            person_cues=_sequences(" ".join(c) for c in rep["person_cues"]),
            demonyms=frozenset(rep["demonyms"]),
            demonym_prefixes=frozenset(rep["demonym_prefixes"]),
            symbol_patterns=tuple(re.compile(p) for p in rep["symbol_patterns"]),
            resolution_pattern=re.compile(res["pattern"]),
            resolution_separator=re.compile(res["list_separator"]),
            resolution_years={int(k): int(v) for k, v in res["years"].items()},
            acronym_connectors=frozenset(acr["connectors"]),
            max_long_form_words=int(acr["max_long_form_words"]),
            stoplist={k: frozenset(v) for k, v in stoplist.items()},
            damaged_endings=tuple((str(a), str(b)) for a, b in raw.get("damaged", {}).get("endings", [])),
            of_heads=frozenset(rep.get("of_heads", [])),
            of_connectors=frozenset(rep.get("of_connectors", [])),
            non_entity_leads=frozenset(rep.get("non_entity_leads", [])),
            organization_cues=tuple(tuple(c) for c in rep.get("organization_cues", [])),
            ranks=frozenset(spans.get("ranks", [])),
        )
    except (KeyError, ValueError, TypeError, re.error, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"cannot read the NLP rules in {origin} ({e})") from e


@lru_cache(maxsize=1)
def shipped_rules() -> EntityRules:
    """The rules shipped in kfor_kg/data, for readers outside the pipeline.

    Raises:
        ConfigError: when a rules file is missing or malformed; reinstall kfor-kg.
    """
    return parse_entity_rules(read_text("entity_rules.toml"), read_text("entity_stoplist.tsv"))


# --- a document's tokens, once --------------------------------------------------


@dataclass(frozen=True)
class TokenView:
    """A document's token strings, computed once per component call for the many lookups."""

    words: list[str]
    lower: list[str]
    folded: list[str]
    is_lower: list[bool]

    @classmethod
    def of(cls, doc: Doc) -> TokenView:
        words = [t.text for t in doc]
        return cls(words, [t.lower_ for t in doc], [fold(w) for w in words], [t.is_lower for t in doc])


class Sequences:
    """Word sequences indexed by their first word, for longest-match lookups."""

    def __init__(self, seqs: tuple[tuple[str, ...], ...]) -> None:
        self.index: dict[str, list[tuple[str, ...]]] = {}
        for seq in sorted(seqs, key=len, reverse=True):
            self.index.setdefault(seq[0], []).append(seq)

    def match(self, words: list[str], s: int, e: int) -> int:
        """Length of the longest sequence at word s, ending by e; 0 if none."""
        if s >= e:
            return 0
        for seq in self.index.get(words[s], ()):
            if s + len(seq) <= e and tuple(words[s:s + len(seq)]) == seq:
                return len(seq)
        return 0


# --- known names ------------------------------------------------------------------


@dataclass(frozen=True)
class KnownName:
    """A name of the gazetteer as a token sequence."""

    type: str
    key: str
    tokens: tuple[str, ...]    # folded tokens
    caps: tuple[bool, ...]     # per token: capitalized in the name, so not lowercase in the text
    acronym: bool              # an all-caps single word: matches its exact case only
    surface: str


def is_acronym_surface(surface: str, tokens: int) -> bool:
    """A one-token, all-capitals name ("KFOR", "U.N." is not one token)."""
    return tokens == 1 and sum(c.isupper() for c in surface) >= 2 and not any(c.islower() for c in surface)


class KnownNames:
    """The gazetteer's names, tokenized by the pipeline's tokenizer, matched without case or diacritics."""

    def __init__(self, table: AliasTable, tokenizer: Tokenizer) -> None:
        names: dict[tuple[str, tuple[str, ...]], KnownName] = {}
        for thing in sorted(table.by_key.values(), key=lambda c: (c.type, c.key)):
            for surface in table.surfaces(thing):
                words = [t.text for t in tokenizer(surface) if not t.is_space]
                toks = tuple(fold(w) for w in words)
                if toks:
                    names.setdefault((thing.type, toks), KnownName(
                        thing.type, thing.key, toks, tuple(w[:1].isupper() for w in words),
                        is_acronym_surface(surface, len(toks)), surface))
        self.index: dict[tuple[str, ...], list[KnownName]] = {}
        for name in sorted(names.values(), key=lambda n: (n.type, n.key, n.tokens)):
            self.index.setdefault(name.tokens, []).append(name)
        self.max_len = max((len(t) for t in self.index), default=1)
        self.first_words = frozenset(k[0] for k in self.index)

    def lookup(self, tv: TokenView, s: int, e: int) -> KnownName | None:
        """The known name that tokens s..e spell, if any."""
        if s >= e or tv.folded[s] not in self.first_words:
            return None
        names = self.index.get(tuple(tv.folded[s:e]))
        if not names:
            return None
        first = tv.words[s]
        for name in names:
            if name.acronym and (e - s != 1 or first != name.surface):
                continue
            if any(cap and tv.is_lower[s + k] for k, cap in enumerate(name.caps)):
                continue
            if len(name.tokens) == 1 and not name.acronym and not first[:1].isupper():
                continue
            return name
        return None

    def scan(self, tv: TokenView, start: int = 0, end: int | None = None) -> list[tuple[int, int, KnownName]]:
        """Known names in tokens start..end, longest first, left to right."""
        found: list[tuple[int, int, KnownName]] = []
        n = len(tv.words) if end is None else end
        i = start
        while i < n:
            if tv.folded[i] not in self.first_words or not tv.words[i][:1].isalnum():
                i += 1
                continue
            for length in range(min(self.max_len, n - i), 0, -1):
                name = self.lookup(tv, i, i + length)
                if name:
                    found.append((i, i + length, name))
                    i += length
                    break
            else:
                i += 1
        return found


# --- acronym pairs -------------------------------------------------------------------


@dataclass(frozen=True)
class AcronymPair:
    """A "Long Form (ACRONYM)" found in a text: cleaned-text character offsets."""

    long_form: str
    acronym: str
    label: str
    long_start: int
    long_end: int
    acronym_start: int
    acronym_end: int
    is_acronym: bool = True     # False: "Long Form (Other Name)", an alternative name


def acronym_pairs(doc: Doc) -> list[AcronymPair]:
    """The acronym pairs `kfor_acronyms` learned from a document.

    They travel in `doc.user_data` as plain lists, which survive the msgpack
    round trip of `nlp.pipe(..., n_process=2)`.
    """
    return [AcronymPair(str(a), str(b), str(c), int(d), int(e), int(f), int(g), bool(h))
            for a, b, c, d, e, f, g, h in doc.user_data.get(ACRONYMS_KEY, [])]


def store_acronym_pairs(doc: Doc, pairs: list[AcronymPair]) -> None:
    doc.user_data[ACRONYMS_KEY] = [
        [p.long_form, p.acronym, p.label, p.long_start, p.long_end, p.acronym_start, p.acronym_end,
         p.is_acronym] for p in pairs]
