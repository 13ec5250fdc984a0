"""Events the reports tell of: elections, arrests, meetings, attacks... with date, place and people.

`extract_events` reads the sentences of each document's cleaned text. A
trigger word (kfor_kg/data/event_patterns.toml: lemmas per event type, with
a few syntactic conditions) starts a candidate; general filters then drop
what is not a single real occurrence:

* summary sentences of counted incidents ("drugs (23), smuggling (8)") and
  counted plurals ("two firearms attacks", "several demonstrations");
* negated mentions ("no major changes in deployment", "No breakthrough ... in
  the negotiations");
* hypothetical, planned and generic ones ("prepared to react to any attack",
  "would respond", "KFOR conducts exercises");
* nouns used as modifiers ("election period", "exercise area"),
  participles describing a state ("troops deployed in theatre") and undated
  bare plurals outside a clause's subject ("incidents, including shootings").

A definite mention without a complement ("The exercise successfully tested")
refers back to the last event of its type; a trigger inside another of the
same type ("met ... for a donors' conference") is the same event, and so is
the same kind of event happening to the same thing in the next sentence
("UNMIK police were attacked ... The police were attacked by a crowd").

Dates come from `dates.py`: the date in the trigger's own phrase, else the
nearest one its clauses carry (not through "after"/"before" clauses, whose
time differs, nor from side clauses); "the day after <event>" is counted
back from the clause's event; the reporting period itself ("from 1 to 30
September 2007") dates nothing. Undated events keep no date: none is
inferred from the period. Places are place mentions reached through a locative preposition;
participants are people and organizations in the trigger's phrase and its
clause's arguments.

`add_events` writes the events into the document graphs, with their
sentence and trigger spans (docs/model.md, "Event").
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rdflib import Dataset, Graph, Literal, URIRef
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from kfor_kg.lexicon.gazetteer import alias_table
from kfor_kg.lexicon.dates import DateMention, DateValue, find_dates, resolve
from kfor_kg.nlp.entities import EntityLayer, mentions_in
from kfor_kg.errors import ConfigError
from kfor_kg.rdf.graph import add_span, document_graph, shared_graph
from kfor_kg.rdf.vocab import FOAF, KFOR, ORG, RDF, RDFS, SCHEMA, SEM, SKOS, XSD
from kfor_kg.rdf.iris import Minter
from kfor_kg.extract.records import DocumentRecord, Evidence
from kfor_kg.resources import data_file

__all__ = ["EntityRef", "EventRecord", "EventRules", "event_rules", "extract_events", "add_events",
           "event_iri", "parser_pipeline"]

ENTITY_KINDS = ("person", "organization", "place")
# A day range covering this share of the reporting period is the period itself
# ("from 1 to 30 September"), not the days of an event; without a period, a
# range longer than a month is.
_PERIOD_SHARE = 0.8
_LONGEST_EVENT_DAYS = 31
# Clauses whose time is their own: their dates do not date the clause they hang from.
_SIDE_CLAUSES = ("advcl", "ccomp", "parataxis", "csubj")


@dataclass(frozen=True)
class EntityRef:
    """A canonical person, organization or place: IRI `{base}{kind}/{key}`."""

    kind: str            # "person" | "organization" | "place"
    key: str
    label: str
    from_layer: bool = True   # False: read by the fallback (spaCy NER), so the graph has no node for it yet


@dataclass(frozen=True)
class EventRecord:
    """One event read from one sentence of a document."""

    type: str                                  # notation of the event type: "arrest", "meeting"...
    label: str                                 # short human label: "Arrest of Jakup Krasniqi"
    trigger: Evidence                          # the word that tells of it
    sentence: Evidence                         # the sentence it comes from
    date: DateValue | None = None
    date_evidence: Evidence | None = None
    place: EntityRef | None = None
    participants: tuple[EntityRef, ...] = ()

    @property
    def start(self) -> int:
        """Original-file offset of the trigger (part of the event IRI)."""
        return self.trigger.start


# --- rules ----------------------------------------------------------------------


@dataclass(frozen=True)
class TriggerRule:
    type: str
    lemmas: frozenset[str]
    pos: frozenset[str]
    plural: bool = False
    transitive: bool | None = None
    reject_objects: frozenset[str] = frozenset()
    child: tuple[frozenset[str], frozenset[str]] | None = None
    head: frozenset[str] | None = None
    grandhead: frozenset[str] | None = None
    needs_date: bool = False
    instrument: bool = False
    name_head: bool = False


@dataclass(frozen=True)
class EventType:
    notation: str
    concept: str
    label: str
    agent: str


@dataclass(frozen=True)
class EventRules:
    """The triggers and filters of data/event_patterns.toml."""

    types: dict[str, EventType]
    by_lemma: dict[str, tuple[TriggerRule, ...]]
    negators: frozenset[str]
    modals: frozenset[str]
    irrealis_heads: frozenset[str]
    generic_modifiers: frozenset[str]
    quantifiers: frozenset[str]
    summary_sentences: tuple[re.Pattern[str], ...]
    temporal_links: frozenset[str]
    locative: frozenset[str]
    office_nouns: frozenset[str]
    container_nouns: frozenset[str]


def _words(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.lower() for v in values)


@lru_cache(maxsize=1)
def event_rules() -> EventRules:
    """The event rules shipped in kfor_kg/data/event_patterns.toml, loaded once.

    Raises:
        ConfigError: when the file is missing or malformed.
    """
    path = data_file("event_patterns.toml")
    try:
        with path.open("rb") as f:
            raw: dict[str, Any] = tomllib.load(f)
        types = {n: EventType(n, t["concept"], t["label"], t.get("agent", "by"))
                 for n, t in raw["types"].items()}
        by_lemma: dict[str, list[TriggerRule]] = {}
        for t in raw["trigger"]:
            if t["type"] not in types:
                raise ValueError(f"trigger of unknown type {t['type']!r}")
            child = t.get("child")
            rule = TriggerRule(
                type=t["type"], lemmas=_words(t["lemmas"]), pos=frozenset(t["pos"]),
                plural=bool(t.get("plural", False)), transitive=t.get("transitive"),
                reject_objects=_words(t.get("reject_objects", [])),
                child=(frozenset(child["deps"]), _words(child["lemmas"])) if child else None,
                head=_words(t["head"]) if "head" in t else None,
                grandhead=_words(t["grandhead"]) if "grandhead" in t else None,
                needs_date=bool(t.get("needs_date", False)), instrument=bool(t.get("instrument", False)),
                name_head=bool(t.get("name_head", False)))
            for lemma in rule.lemmas:
                by_lemma.setdefault(lemma, []).append(rule)
        f_ = raw["filters"]
        return EventRules(
            types=types,
            by_lemma={k: tuple(v) for k, v in by_lemma.items()},
            negators=_words(f_["negators"]), modals=_words(f_["modals"]),
            irrealis_heads=_words(f_["irrealis_heads"]), generic_modifiers=_words(f_["generic_modifiers"]),
            quantifiers=_words(f_["quantifiers"]),
            summary_sentences=tuple(re.compile(p) for p in f_["summary_sentences"]),
            temporal_links=_words(f_["temporal_links"]), locative=_words(f_["locative"]),
            office_nouns=_words(f_["office_nouns"]),
            container_nouns=_words(raw["labels"]["container_nouns"]))
    except (OSError, KeyError, TypeError, ValueError, re.error, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"cannot load the event rules {path} ({e}); reinstall kfor-kg") from e


# --- the parser -----------------------------------------------------------------


@lru_cache(maxsize=4)
def parser_pipeline(model: str | None = None) -> Language:
    """A spaCy pipeline with tagger, parser and lemmatizer, and kfor-kg's sentence rules.

    The entity pipeline (`nlp.load_pipeline`) leaves the parser out; events
    need it. Entities come from the entity pipeline, so this one has no NER.

    Raises:
        ConfigError: when no English model is installed.
    """
    import spacy

    from kfor_kg.nlp import pipeline as kfor_nlp   # registers the kfor_sentences component

    name = kfor_nlp.resolve_model(model)
    try:
        pipeline = spacy.load(name, exclude=["ner"])
    except OSError as e:
        raise ConfigError(f"spaCy model {name!r} cannot be loaded ({e.__class__.__name__})") from e
    missing = {"parser", "lemmatizer"} - set(pipeline.pipe_names)
    if missing:
        raise ConfigError(f"spaCy model {name!r} lacks {', '.join(sorted(missing))}; events need them")
    pipeline.add_pipe("kfor_sentences", first=True)
    return pipeline


def _parsed(records: Sequence[DocumentRecord], docs: Sequence[Doc] | None, model: str | None = None,
            batch_size: int = 64, n_process: int = 1) -> list[Doc]:
    """Docs with a dependency parse over each record's cleaned text."""
    if docs is not None and len(docs) != len(records):
        raise ValueError(f"{len(docs)} docs for {len(records)} records")
    out: list[Doc | None] = []
    for i, record in enumerate(records):
        doc = docs[i] if docs is not None else None
        usable = (doc is not None and doc.text == record.clean.text
                  and doc.has_annotation("DEP") and doc.has_annotation("LEMMA"))
        out.append(doc if usable else None)
    todo = [i for i, d in enumerate(out) if d is None]
    if todo:
        pipeline = parser_pipeline(model)
        texts = (records[i].clean.text for i in todo)
        for i, doc in zip(todo, pipeline.pipe(texts, batch_size=batch_size, n_process=n_process)):
            out[i] = doc
    return [d for d in out if d is not None]


# --- entity mentions ------------------------------------------------------------------


@dataclass(frozen=True)
class _Mention:
    ref: EntityRef
    start: int      # cleaned-text offsets
    end: int


_SPACY_KINDS = {"PERSON": "person", "ORG": "organization", "GPE": "place", "LOC": "place", "FAC": "place"}
_ALIAS_TYPES = {"person": "Person", "organization": "Organization", "place": "Place"}


def _mentions(record: DocumentRecord, doc: Doc, entity_doc: Doc | None, layer: EntityLayer | None) -> list[_Mention]:
    """People, organizations and places mentioned in a document.

    From the entity layer when there is one; else from the entities of
    `entity_doc` (the entity pipeline's) or `doc`, named canonically through
    the alias table.
    """
    if layer is not None:
        return [_Mention(EntityRef(m.type.lower(), m.key, m.label or m.key), m.start, m.end)
                for m in mentions_in(layer, record) if m.type.lower() in ENTITY_KINDS]
    table = alias_table()
    out = []
    for ent in (entity_doc or doc).ents:
        kind = _SPACY_KINDS.get(ent.label_)
        if kind is None:
            continue
        surface = re.sub(r"^the\s+", "", ent.text.strip())
        surface = re.sub(r"(?:'s|’s)$", "", surface).strip()
        if not surface or not any(c.isupper() for c in surface):
            continue
        thing = table.canonical(_ALIAS_TYPES[kind], surface)
        if thing.type != _ALIAS_TYPES[kind]:
            continue
        out.append(_Mention(EntityRef(kind, thing.key, thing.label, from_layer=False),
                            ent.start_char, ent.end_char))
    return out


# --- extraction -----------------------------------------------------------------------


@dataclass
class _Candidate:
    token: Token
    rule: TriggerRule
    own_date: tuple[DateMention, Token] | None = None
    alias_of: _Candidate | None = None
    date: DateValue | None = None
    date_mention: DateMention | None = None
    dropped: str | None = None     # why a filter dropped it (for debugging)

    @property
    def type(self) -> str:
        return self.rule.type

    def resolved(self) -> _Candidate:
        c = self
        while c.alias_of is not None:
            c = c.alias_of
        return c


@dataclass
class _DateSpan:
    """A date expression of a sentence, with its tokens and syntactic head."""

    mention: DateMention         # offsets into the document text
    tokens: frozenset[int]
    head: Token


def extract_events(records: Sequence[DocumentRecord], docs: Sequence[Doc] | None = None,
                   layer: EntityLayer | None = None, *, model: str | None = None, batch_size: int = 64,
                   n_process: int = 1) -> dict[str, list[EventRecord]]:
    """The events of each document, keyed by `record.key`, in text order.

    `docs` are spaCy docs over each record's cleaned text; those without a
    dependency parse (the entity pipeline's) are parsed again with spaCy
    `model` (default: as `nlp.load_pipeline`), `batch_size` and `n_process`. `layer` is the entity layer
    (`entities.annotate`); without it, people, organizations and places come
    from the entities of `docs`, else of the entity pipeline run here.

    >>> from kfor_kg.text.ingest import clean, SourceText
    >>> from pathlib import Path
    >>> text = "On 4 November 2020, the police arrested Jakup Krasniqi in Pristina."
    >>> record = DocumentRecord("x", clean(SourceText(Path("x.txt"), text, "")))
    >>> [(e.type, e.date.iso, e.label) for e in extract_events([record])["x"]]
    [('arrest', '2020-11-04', 'Arrest of Jakup Krasniqi in Pristina')]

    Raises:
        ConfigError: when the event rules or the spaCy model cannot be loaded.
    """
    parsed = _parsed(records, docs, model, batch_size, n_process)
    rules = event_rules()
    entity_docs: list[Doc | None] = [None] * len(records)
    if layer is None:
        if docs is not None:
            entity_docs = [d if d.text == r.clean.text else None for d, r in zip(docs, records)]
        else:
            from kfor_kg.nlp.pipeline import load_pipeline

            entity_docs = list(load_pipeline(model).pipe((r.clean.text for r in records), batch_size=batch_size,
                                                    n_process=n_process))
    out: dict[str, list[EventRecord]] = {}
    for record, doc, entity_doc in zip(records, parsed, entity_docs):
        mentions = _mentions(record, doc, entity_doc, layer)
        out[record.key] = _Reader(record, doc, mentions, rules).events()
    return out


class _Reader:
    """Reads the events of one document."""

    def __init__(self, record: DocumentRecord, doc: Doc, mentions: list[_Mention], rules: EventRules) -> None:
        self.record, self.doc, self.rules = record, doc, rules
        self.text = record.clean.text          # == doc.text, which spaCy rebuilds on every access
        report = record.report
        self.period = (report.period.start, report.period.end) if report and report.period else None
        self.reference = record.reference_date
        self.mentions = mentions
        self.mention_heads: list[tuple[_Mention, Token]] = []
        for m in mentions:
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is not None and len(span):
                self.mention_heads.append((m, span.root))
        self.accepted: list[_Candidate] = []      # in text order, for coreference and anchors
        self.date_tokens: frozenset[int] = frozenset()   # of the sentence being read
        self.sentence: Span | None = None
        self.previous_sentence: Span | None = None

    # -- driver

    def events(self) -> list[EventRecord]:
        events: list[EventRecord] = []
        for sent in self.doc.sents:
            self.previous_sentence, self.sentence = self.sentence, sent
            if any(p.search(sent.text) for p in self.rules.summary_sentences):
                continue
            events.extend(self._sentence(sent))
        return sorted(events, key=lambda e: e.start)

    def _sentence(self, sent: Span) -> list[EventRecord]:
        every_date = self._dates(sent)
        date_tokens = frozenset().union(*(d.tokens for d in every_date)) if every_date else frozenset()
        # "from 1 to 30 September 2007" is the reporting period, not an event's days.
        dates = [d for d in every_date if not self._is_period(resolve(d.mention, self.period, self.reference))]
        self.date_tokens = date_tokens
        cands = [c for c in (self._trigger(t) for t in sent if t.i not in date_tokens) if c is not None]
        if not cands:
            return []
        for c in cands:
            c.own_date = self._own_date(c, cands, dates)
        live = [c for c in cands if not self._dropped(c, date_tokens)]
        self._alias(live)
        events = [c for c in live if c.alias_of is None]
        # Dates: plain ones first, then those counted from another event ("the day after the meeting").
        for c in events:
            self._date(c, events, live, dates, relative=False)
        for c in events:
            if c.date is None:
                self._date(c, events, live, dates, relative=True)
        out: list[EventRecord] = []
        for c in events:
            if c.date is None and (c.rule.needs_date or self._generic_plural(c.token)):
                continue
            self.accepted.append(c)
            out.append(self._record(c, events, sent))
        return out

    # -- dates in the sentence

    def _dates(self, sent: Span) -> list[_DateSpan]:
        out = []
        for m in find_dates(sent.text):
            a, b = sent.start_char + m.start, sent.start_char + m.end
            span = self.doc.char_span(a, b, alignment_mode="expand")
            if span is None or not len(span):
                continue
            toks = frozenset(t.i for t in span)
            head = span.root
            shifted = DateMention(**{**m.__dict__, "start": a, "end": b})
            out.append(_DateSpan(shifted, toks, head))
        return out

    def _is_period(self, value: DateValue | None) -> bool:
        """A range of days that is (most of) the reporting period, or longer than a month without one."""
        if value is None or value.precision != "day" or value.end == value.start:
            return False
        if self.period is None:
            return (value.end - value.start).days > _LONGEST_EVENT_DAYS
        lo, hi = max(value.start, self.period[0]), min(value.end, self.period[1])
        overlap = (hi - lo).days + 1 if hi >= lo else 0
        return overlap >= _PERIOD_SHARE * ((self.period[1] - self.period[0]).days + 1)

    # -- triggers

    def _trigger(self, t: Token) -> _Candidate | None:
        keys = [t.lemma_.lower(), t.lower_]
        if t.tag_ in ("NNS", "NNPS") and t.lower_.endswith("s"):
            # Capitalized plurals ("Roadblocks were set up") are often left unlemmatized.
            keys += [t.lower_[:-1], t.lower_[:-2]]
        for key in dict.fromkeys(keys):
            for rule in self.rules.by_lemma.get(key, ()):
                if self._fits(t, rule):
                    return _Candidate(t, rule)
        return None

    def _fits(self, t: Token, rule: TriggerRule) -> bool:
        # A capitalized common noun is often tagged as a proper noun ("Demonstrations took place").
        if t.pos_ not in rule.pos and not (t.pos_ == "PROPN" and "NOUN" in rule.pos):
            return False
        if rule.plural and t.tag_ not in ("NNS", "NNPS"):
            return False
        objects = [c for c in t.children if c.dep_ in ("dobj", "obj")]
        if rule.transitive is False and objects:
            return False
        complements = objects + [g for c in t.children if c.dep_ == "prep" and c.lower_ == "of"
                                 for g in c.children if g.dep_ == "pobj"]
        if any(o.lemma_.lower() in rule.reject_objects for o in complements):
            return False
        if rule.child and not any(c.dep_ in rule.child[0] and c.lemma_.lower() in rule.child[1]
                                  for c in t.children):
            return False
        if rule.head is not None and t.head.lemma_.lower() not in rule.head:
            return False
        if rule.grandhead is not None and t.head.head.lemma_.lower() not in rule.grandhead:
            return False
        return True

    # -- filters

    def _dropped(self, c: _Candidate, date_tokens: frozenset[int]) -> bool:
        t, rules = c.token, self.rules
        dated = c.own_date is not None
        reason = None
        if t.dep_ in ("compound", "amod", "nmod", "poss") and t.pos_ != "VERB" and not self._names(c):
            reason = "modifier"
        elif not c.rule.instrument and self._counted(t, date_tokens):
            reason = "counted"
        elif any(ch.lemma_.lower() in rules.generic_modifiers and ch.dep_ in ("det", "amod", "predet")
                 for ch in t.children):
            reason = "generic"
        elif self._negated(t, dated):
            reason = "negated"
        elif not dated and self._irrealis(t):
            reason = "irrealis"
        elif t.pos_ == "VERB" and t.dep_ in ("acl", "amod") and t.tag_ in ("VBN", "VBD") and not dated:
            reason = "state"
        c.dropped = reason
        return reason is not None

    @staticmethod
    def _generic_plural(t: Token) -> bool:
        """An undated bare plural that is not what a clause reports: "incidents, including shootings"."""
        if t.pos_ == "VERB" or t.tag_ not in ("NNS", "NNPS") or any(
                ch.dep_ in ("det", "poss", "nummod") for ch in t.children):
            return False
        first = t
        while first.dep_ == "conj" and first.head.i != first.i:
            first = first.head
        if first.dep_ in ("nsubj", "nsubjpass"):
            return False       # "Indictments against ... were also confirmed"
        existential = first.dep_ == "attr" and any(ch.dep_ == "expl" for ch in first.head.children)
        return not existential  # "there were violent attacks against ..." is a report

    @staticmethod
    def _names(c: _Candidate) -> bool:
        """The trigger starts a proper name it is the kind of: "Exercise Silver Sabre"."""
        t = c.token
        return (c.rule.name_head and t.dep_ == "compound" and t.text[:1].isupper()
                and t.head.pos_ == "PROPN" and t.i < t.head.i)

    def _counted(self, t: Token, date_tokens: frozenset[int]) -> bool:
        """A plural with a number or quantifier: "two firearms attacks", "several demonstrations"."""
        if t.pos_ == "VERB" or t.tag_ not in ("NNS", "NNPS"):
            return False
        rules = self.rules
        kids = [k for k in [*t.children, *(g for c in t.children if c.dep_ in ("compound", "amod") for g in c.children)]
                if k.i not in date_tokens]
        if any(k.dep_ == "nummod" or (k.like_num and k.dep_ in ("appos", "npadvmod", "dep", "quantmod"))
               for k in kids):
            return True
        if any(k.lemma_.lower() in rules.quantifiers for k in t.children if k.dep_ in ("amod", "det", "nmod")):
            return True
        return t.head.lower_ == "of" and (t.head.head.lemma_.lower() in rules.quantifiers
                                          or any(k.dep_ == "nummod" for k in t.head.head.children)
                                          or t.head.head.like_num)

    def _negated(self, t: Token, dated: bool) -> bool:
        """Negated by the trigger's own words or, unless it carries its own date, by its clause."""
        neg = self.rules.negators
        node = t
        while True:
            if node is not t and node.lower_ in neg:
                return True
            for ch in node.children:
                if ch.dep_ == "neg" or (ch.dep_ in ("det", "advmod", "preconj", "quantmod") and ch.lower_ in neg):
                    return True
            if node.pos_ in ("VERB", "AUX") or node.head.i == node.i or self._temporal_link(node):
                break
            node = node.head
        if dated or node is t or node.pos_ not in ("VERB", "AUX"):
            return False
        # "No major breakthrough has been achieved ... in the negotiations"
        return any(ch.dep_ in ("nsubj", "nsubjpass", "expl", "attr", "dobj")
                   and any(d.dep_ == "det" and d.lower_ in neg for d in ch.children)
                   for ch in node.children if not ch.is_ancestor(t) and ch.i != t.i)

    def _irrealis(self, t: Token) -> bool:
        """Hypothetical, planned, habitual or purpose: not a reported occurrence."""
        rules = self.rules
        node = t
        while True:
            if node is not t and node.lemma_.lower() in rules.irrealis_heads:
                return True
            if node.pos_ in ("VERB", "AUX"):
                auxes = [ch for ch in node.children if ch.dep_ in ("aux", "auxpass")]
                if any(a.lemma_.lower() in rules.modals or a.tag_ == "MD" for a in auxes):
                    return True
                finite = node.tag_ in ("VBD", "VBZ", "VBP") or any(a.tag_ in ("VBD", "VBZ", "VBP") for a in auxes)
                if finite:
                    # Present simple, no perfect or progressive, with a verb or a bare noun
                    # ("KFOR conducts exercises"): what is usually so, not what happened.
                    present = node.tag_ in ("VBZ", "VBP") and not auxes and node.lemma_.lower() != "be"
                    return present and (t.pos_ == "VERB" or not any(
                        ch.dep_ in ("det", "poss", "nummod") for ch in t.children))
            if node.head.i == node.i or self._temporal_link(node):
                return False
            node = node.head

    def _temporal_link(self, node: Token) -> bool:
        """`node` heads a phrase placed before or after the time of its clause ("after X", "following X")."""
        links = self.rules.temporal_links
        if node.dep_ in ("advcl", "pcomp", "acl", "ccomp") and any(
                ch.dep_ == "mark" and ch.lower_ in links for ch in node.children):
            return True
        if node.dep_ in ("pobj", "pcomp") and node.head.lower_ in links:
            return True
        return node.dep_ == "prep" and node.lower_ in links

    # -- coreference

    def _alias(self, live: list[_Candidate]) -> None:
        for c in live:
            t = c.token
            # Inside another trigger of the same type, with no date of its own: the same event.
            outer = [o for o in live if o is not c and o.type == c.type and o.token.is_ancestor(t)
                     and o.alias_of is None]
            if outer and c.own_date is None:
                c.alias_of = outer[-1]
                continue
            if self._definite_bare(t) and c.own_date is None:
                before = [a for a in self.accepted if a.type == c.type]
                same = [o for o in live if o is not c and o.type == c.type and o.token.i < t.i and o.alias_of is None]
                antecedent = same[-1] if same else (before[-1] if before else None)
                if antecedent is not None:
                    c.alias_of = antecedent
                    continue
            # "UNMIK police were attacked on the road ... The police were attacked by a crowd":
            # the same kind of event happening to the same thing, told again in the next sentence.
            previous = self.accepted[-1] if self.accepted else None
            theme = _theme(t)
            if (c.own_date is None and previous is not None and previous.type == c.type and theme is not None
                    and self._follows(previous.token)):
                earlier = _theme(previous.token)
                if earlier is not None and theme.lemma_.lower() in {x.lemma_.lower() for x in earlier.subtree}:
                    c.alias_of = previous

    def _follows(self, a: Token) -> bool:
        """`a` is in the sentence right before the one being read, in the same paragraph."""
        before, now = self.previous_sentence, self.sentence
        return (before is not None and now is not None and before.start <= a.i < before.end
                and "\n" not in self.text[before.end_char:now.start_char])

    @staticmethod
    def _definite_bare(t: Token) -> bool:
        """ "The exercise", "the direct negotiations": definite, no complement naming anything new."""
        if t.pos_ not in ("NOUN", "PROPN"):
            return False
        definite = any(ch.dep_ == "det" and ch.lower_ in ("the", "this", "that", "these", "those")
                       for ch in t.children) or any(ch.lower_ in ("latter", "former", "said") for ch in t.children)
        complements = any(ch.dep_ in ("prep", "acl", "relcl", "appos", "compound", "nmod", "nummod")
                          for ch in t.children)
        return definite and not complements

    # -- dates of an event

    def _excluded(self, c: _Candidate, others: Iterable[_Candidate]) -> set[int]:
        """Tokens that belong to other events' phrases (not those containing this trigger)."""
        out: set[int] = set()
        for o in others:
            if o is c or o.token.i == c.token.i or o.token.is_ancestor(c.token):
                continue
            out.update(x.i for x in o.token.subtree)
        return out

    def _own_date(self, c: _Candidate, cands: list[_Candidate],
                  dates: list[_DateSpan]) -> tuple[DateMention, Token] | None:
        excluded = self._excluded(c, cands) | self._temporal_tokens(c.token, c.token)
        if c.token.pos_ in ("VERB", "AUX"):
            excluded |= self._side_clauses(c.token, c.token)
        found = [d for d in dates if d.head.i not in excluded and (d.head.i == c.token.i or c.token.is_ancestor(d.head))
                 and d.mention.kind != "relative-day"]
        if not found:
            return None
        best = min(found, key=lambda d: abs(d.head.i - c.token.i))
        return best.mention, best.head

    def _temporal_tokens(self, root: Token, keep: Token) -> set[int]:
        """Tokens under `root` in phrases with another time ("after the Chambers confirmed..."), except `keep`'s."""
        out: set[int] = set()
        for x in root.subtree:
            if x.i != root.i and self._temporal_link(x) and not (x.i == keep.i or x.is_ancestor(keep)):
                out.update(y.i for y in x.subtree)
        return out

    @staticmethod
    def _side_clauses(node: Token, keep: Token) -> set[int]:
        """Tokens of clauses beside `node`'s own ("Although incidents decreased in the past month, ..."), except `keep`'s."""
        out: set[int] = set()
        for ch in node.children:
            if ch.dep_ in _SIDE_CLAUSES and not (ch.i == keep.i or ch.is_ancestor(keep)):
                out.update(x.i for x in ch.subtree)
        return out

    def _date(self, c: _Candidate, events: list[_Candidate], live: list[_Candidate], dates: list[_DateSpan],
              relative: bool) -> None:
        if not relative:
            if c.own_date is not None:
                self._set_date(c, c.own_date[0])
                return
            for d in self._clause_dates(c, events, dates):
                if d.mention.kind != "relative-day":
                    self._set_date(c, d.mention)
                    return
            return
        # "took place the day after the meeting": the meeting is a day before the clause's event.
        for d in dates:
            if d.mention.kind == "relative-day" and c.token.head.i in d.tokens:
                anchor = self._clause_event_date(c.token.head.head, c, live)
                value = anchor.shifted(-d.mention.offset) if anchor is not None else None
                if value is not None:
                    c.date, c.date_mention = value, d.mention
                return
        # "The next day, ...": counted from the last dated event.
        for d in self._clause_dates(c, events, dates):
            if d.mention.kind == "relative-day" and not any(
                    x.dep_ == "pobj" for i in d.tokens for x in self.doc[i].children):
                anchor = next((a.date for a in reversed(self.accepted) if a.date is not None), None)
                value = resolve(d.mention, self.period, self.reference, anchor)
                if value is not None:
                    c.date, c.date_mention = value, d.mention
                return

    @staticmethod
    def _clause_event_date(clause: Token, c: _Candidate, live: list[_Candidate]) -> DateValue | None:
        """The date of the event a clause tells of: its verb's, or its subject's or object's."""
        for o in live:
            ot = o.token
            if o is not c and (ot.i == clause.i or (ot.head.i == clause.i
                                                    and ot.dep_ in ("nsubj", "nsubjpass", "dobj"))):
                target = o.resolved()
                if target.date is not None:
                    return target.date
        return None

    def _clause_dates(self, c: _Candidate, events: list[_Candidate], dates: list[_DateSpan]) -> list[_DateSpan]:
        """Dates carried by the clauses above the trigger, nearest clause first."""
        excluded = self._excluded(c, events)
        prev, node = c.token, c.token.head
        out: list[_DateSpan] = []
        while node.i != prev.i:
            if self._temporal_link(prev):
                break
            blocked = (excluded | {x.i for x in prev.subtree} | self._temporal_tokens(node, c.token)
                       | self._side_clauses(node, c.token))
            level = [d for d in dates if d.head.i not in blocked
                     and (d.head.i == node.i or node.is_ancestor(d.head))]
            out.extend(sorted(level, key=lambda d: abs(d.head.i - c.token.i)))
            prev, node = node, node.head
        return out

    def _set_date(self, c: _Candidate, mention: DateMention) -> None:
        value = resolve(mention, self.period, self.reference)
        if value is not None:
            c.date, c.date_mention = value, mention

    # -- places, participants, labels

    def _record(self, c: _Candidate, events: list[_Candidate], sent: Span) -> EventRecord:
        t = c.token
        clean = self.record.clean
        scope = self._scope(c, events, sent)
        place, surface = self._place(c, scope)
        participants = self._participants(c, scope, place)
        label = self._label(c, place, surface, participants)
        date_evidence = None
        if c.date_mention is not None:
            date_evidence = Evidence.of(clean, c.date_mention.start, c.date_mention.end)
        a, b = self._sentence_bounds(sent, t)
        return EventRecord(
            type=c.type, label=label,
            trigger=Evidence.of(clean, t.idx, t.idx + len(t.text)),
            sentence=Evidence.of(clean, a, b),
            date=c.date, date_evidence=date_evidence, place=place, participants=participants)

    def _sentence_bounds(self, sent: Span, t: Token) -> tuple[int, int]:
        text = self.text
        a = text.rfind("\n", sent.start_char, t.idx) + 1 or sent.start_char
        a = max(a, sent.start_char)
        b = text.find("\n", t.idx, sent.end_char)
        b = sent.end_char if b < 0 else b
        m = re.match(r"\s*(?:\d{1,3}\.\s+)?", text[a:b])
        if m:
            a += m.end()
        while b > a and text[b - 1].isspace():
            b -= 1
        return a, b

    def _scope(self, c: _Candidate, events: list[_Candidate], sent: Span) -> list[tuple[Token, Token]]:
        """(token, top) pairs of the trigger's phrase and its clause, nearest first; `top` is where it was reached."""
        excluded = self._excluded(c, events)
        t = c.token
        seen: set[int] = set()
        out: list[tuple[Token, Token]] = []

        def take(root: Token, top: Token, blocked: set[int]) -> None:
            for x in root.subtree:
                if x.i not in seen and x.i not in blocked:
                    seen.add(x.i)
                    out.append((x, top))

        take(t, t, excluded | self._temporal_tokens(t, t))
        verb = self._governing_verb(t)
        if verb is not None:
            take(verb, verb, excluded | self._temporal_tokens(verb, t))
        if t.dep_ in ("relcl", "acl") and t.head.i != t.i:
            head = t.head
            for x in [head, *[ch for ch in head.children if ch.dep_ in ("compound", "flat", "appos")]]:
                if x.i not in seen:
                    seen.add(x.i)
                    out.append((x, head))
        return out

    @staticmethod
    def _governing_verb(t: Token) -> Token | None:
        """The verb a noun trigger is an argument of: "submitted his resignation", "held the first round of talks"."""
        if t.pos_ not in ("NOUN", "PROPN"):
            return None
        node = t
        if node.dep_ == "pobj" and node.head.lower_ == "of" and node.head.head.pos_ in ("NOUN", "PROPN"):
            node = node.head.head          # "round of talks"
        if node.dep_ in ("dobj", "nsubj", "nsubjpass", "attr") and node.head.pos_ in ("VERB", "AUX"):
            return node.head
        return None

    def _mentions_in(self, scope: list[tuple[Token, Token]], kinds: tuple[str, ...],
                     trigger: Token) -> list[tuple[_Mention, Token, Token]]:
        """Mentions whose head token lies in scope: (mention, head token, top)."""
        where = {x.i: top for x, top in scope}
        out = []
        for m, head in self.mention_heads:
            if m.ref.kind not in kinds or m.start <= trigger.idx < m.end:
                continue
            if head.i in where:
                out.append((m, head, where[head.i]))
        return out

    def _place(self, c: _Candidate, scope: list[tuple[Token, Token]]) -> tuple[EntityRef | None, str]:
        """The place of the event and the words naming it, if a place is reached through a locative."""
        t = c.token
        best: tuple[int, _Mention] | None = None
        for m, head, top in self._mentions_in(scope, ("place",), t):
            path = self._path(head, top if top.i != t.i else t)
            if path is None:
                continue
            locative = any(x.dep_ == "prep" and x.lower_ in self.rules.locative for x in path)
            modifier = top.i == t.i and all(x.dep_ in ("compound", "amod", "nmod") for x in path[:-1]) \
                and path and path[0].i == head.i
            if not (locative or modifier):
                continue
            rank = abs(head.i - t.i) + (0 if top.i == t.i else 1000)
            if best is None or rank < best[0]:
                best = (rank, m)
        if best is None:
            return None, ""
        m = best[1]
        return m.ref, self.text[m.start:m.end]

    def _bracketed(self, m: _Mention) -> bool:
        """The mention stands inside brackets opened earlier on its line."""
        text = self.text
        line = text.rfind("\n", 0, m.start) + 1
        before = text[line:m.start]
        return before.count("(") > before.count(")")

    @staticmethod
    def _path(x: Token, top: Token) -> list[Token] | None:
        """Tokens from `x` up to (not including) `top`, or None when `top` is not above `x`."""
        path = []
        while x.i != top.i:
            path.append(x)
            if x.head.i == x.i:
                return None
            x = x.head
        return path

    def _participants(self, c: _Candidate, scope: list[tuple[Token, Token]],
                      place: EntityRef | None) -> tuple[EntityRef, ...]:
        t = c.token
        offices = self.rules.office_nouns
        found: list[tuple[int, EntityRef]] = []
        for m, head, top in self._mentions_in(scope, ("person", "organization"), t):
            if self._bracketed(m):
                continue   # "(Multinational Brigade (MNB) (Centre))": an aside, not a participant
            path = self._path(head, top) or []
            # "the former Speaker of the Kosovo Assembly": where someone holds office, not a participant.
            if any(x.dep_ == "pobj" and x.head.lower_ == "of" and x.head.head.lemma_.lower() in offices
                   for x in path):
                continue
            found.append((head.i, m.ref))
        out: list[EntityRef] = []
        for _, ref in sorted(found, key=lambda f: f[0]):
            if ref not in out and ref != place:
                out.append(ref)
        return tuple(out)

    def _label(self, c: _Candidate, place: EntityRef | None, surface: str,
               participants: tuple[EntityRef, ...]) -> str:
        t = c.token
        kind = self.rules.types[c.type]
        persons = [p.label for p in participants if p.kind == "person"]
        if persons and c.type in ("arrest", "indictment", "transfer", "resignation", "election"):
            text = f"{kind.label} of {_join(persons)}"
        elif c.rule.instrument:
            text = f"{kind.label} with {_phrase(t, self.date_tokens)}"
        elif self._names(c):
            text = _phrase(t.head, self.date_tokens)
        elif t.pos_ in ("NOUN", "PROPN"):
            container = t.head.head if t.dep_ == "pobj" and t.head.lower_ == "of" else None
            if container is not None and container.lemma_.lower() in self.rules.container_nouns:
                text = _phrase(container, self.date_tokens)
            else:
                text = _phrase(t, self.date_tokens)
        else:
            theme = [ch for ch in t.children if ch.dep_ in ("dobj", "nsubjpass")]
            if not theme and t.dep_ in ("relcl", "acl"):
                theme = [t.head]
            agent = [ch for ch in t.children if ch.dep_ == "nsubj"]
            if not agent and t.dep_ == "conj":   # "visited KFOR ... and met with the Commander"
                agent = [ch for ch in t.head.children if ch.dep_ == "nsubj"]
            if theme and theme[0].pos_ != "PRON":
                text = f"{kind.label} of {_noun_phrase(theme[0], self.date_tokens)}"
            elif agent and agent[0].pos_ != "PRON":
                text = f"{kind.label} {kind.agent} {_noun_phrase(agent[0], self.date_tokens)}"
            else:
                text = kind.label
        if len(text.split()) == 1 and c.date_mention is not None and c.date_mention.kind in ("day", "month", "year"):
            text = f"{text} of {c.date_mention.text}"      # "Elections of 6 October 2019"
        if place is not None and place.label.lower() not in text.lower() and (
                not surface or surface.lower() not in text.lower()):
            link = "to" if c.type == "transfer" else "in"
            text = f"{text} {link} {place.label}"
        return text[:1].upper() + text[1:]


def _theme(t: Token) -> Token | None:
    """What an event happened to: "police" in "the police were attacked"."""
    if t.pos_ in ("VERB", "AUX"):
        heads = [ch for ch in t.children if ch.dep_ in ("dobj", "nsubjpass")]
    else:
        heads = [g for ch in t.children if ch.dep_ == "prep" and ch.lower_ in ("of", "against", "on")
                 for g in ch.children if g.dep_ == "pobj"]
    return heads[0] if heads and heads[0].pos_ in ("NOUN", "PROPN") else None


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


_MAX_LABEL_TOKENS = 16
_LABEL_PREPOSITIONS = ("of", "between", "against", "in", "at", "with", "on", "near", "to", "by", "for")


def _compact(t: Token, dates: frozenset[int] = frozenset()) -> list[Token]:
    """`t`'s subtree without clauses, appositions, brackets and dates hanging off it."""
    if t.dep_ == "prep" and any(ch.i in dates for ch in t.children):
        return []
    out = []
    for x in t.subtree:
        cut = x.i in dates
        node = x
        while node.i != t.i and not cut:
            if node.dep_ in ("relcl", "appos", "advcl") or (node.dep_ == "acl" and node.head.i != t.i) \
                    or node.text in ("(", ")", "[", "]", ",", ";") \
                    or (node.dep_ == "prep" and any(ch.i in dates for ch in node.children)):
                cut = True
                break
            node = node.head
        if not cut:
            out.append(x)
    return out


def _text(tokens: Iterable[Token]) -> str:
    toks = sorted(tokens, key=lambda x: x.i)
    while toks and (toks[0].dep_ in ("det", "poss") or toks[0].is_punct):
        toks = toks[1:]
    while toks and toks[-1].is_punct:
        toks = toks[:-1]
    out = []
    for a, b in zip(toks, toks[1:] + [None]):
        out.append(a.text_with_ws if b is None or b.i == a.i + 1 else a.text + " ")
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _phrase(t: Token, dates: frozenset[int] = frozenset()) -> str:
    """A noun trigger's phrase: its modifiers and complements, not its clauses ("explosion in a bar in Pristina")."""
    keep = [t]
    for ch in t.lefts:
        if ch.dep_ in ("amod", "compound", "nmod", "nummod"):
            keep.extend(_compact(ch, dates))
    for ch in t.rights:
        if (ch.dep_ == "prep" and ch.lower_ in _LABEL_PREPOSITIONS) or (ch.dep_ == "acl" and ch.tag_ == "VBN"):
            part = _compact(ch, dates)
            if ch.dep_ == "acl" and len(part) < 2:
                continue   # "elections held [on 6 October 2019]"
            if len(keep) + len(part) > _MAX_LABEL_TOKENS:
                break
            keep.extend(part)
    return _text(keep) or t.text


def _noun_phrase(t: Token, dates: frozenset[int] = frozenset()) -> str:
    part = _compact(t, dates)
    if len(part) > _MAX_LABEL_TOKENS:
        part = [x for x in part if x.i <= t.i or x.head.i == t.i and x.dep_ != "prep"]
    return _text(part) or t.text


# --- RDF -------------------------------------------------------------------------------


def event_iri(doc: URIRef, event: EventRecord) -> URIRef:
    """`{doc}/event/{type}-{start}`, start being the trigger's original offset."""
    return Minter.event(doc, event.type, event.start)


def _entity_iri(minter: Minter, ref: EntityRef) -> URIRef:
    return minter.entity(ref.kind.capitalize(), ref.key)


_ENTITY_TYPES = {
    "person": (KFOR.Person, FOAF.Person, SCHEMA.Person),
    "organization": (KFOR.Organization, ORG.Organization, SCHEMA.Organization),
    "place": (KFOR.Place, SCHEMA.Place, SEM.Place),
}


def add_events(dataset: Dataset, events: dict[str, list[EventRecord]], records: Sequence[DocumentRecord],
               minter: Minter) -> None:
    """Add events to the document graphs (docs/model.md, "Event").

    Each event links to its document, its type concept, its date, place and
    participants, and to the sentence (`kfor:evidence`) and trigger
    (`kfor:trigger`) spans of the original file. People, organizations and
    places read without the entity layer get a minimal node in the shared graph.
    """
    rules = event_rules()
    shared = shared_graph(dataset, minter)
    for record in records:
        doc = minter.document(record.key)
        g = document_graph(dataset, minter, record)
        for event in events.get(record.key, []):
            node = event_iri(doc, event)
            for cls in (KFOR.Event, SEM.Event, SCHEMA.Event):
                g.add((node, RDF.type, cls))
            g.add((node, SEM.eventType, KFOR[rules.types[event.type].concept]))
            g.add((node, RDFS.label, Literal(event.label)))
            g.add((node, KFOR.inDocument, doc))
            _add_date(g, node, event.date)
            if event.place is not None:
                g.add((node, SEM.hasPlace, _entity_node(shared, minter, event.place)))
            for ref in event.participants:
                g.add((node, SEM.hasActor, _entity_node(shared, minter, ref)))
            g.add((node, KFOR.evidence, add_span(g, minter, record, event.sentence)))
            g.add((node, KFOR.trigger, add_span(g, minter, record, event.trigger)))


def _add_date(g: Graph, node: URIRef, value: DateValue | None) -> None:
    if value is None:
        return
    if value.precision == "day":
        g.add((node, KFOR.date, Literal(value.start.isoformat(), datatype=XSD.date)))
        if value.end != value.start:
            g.add((node, KFOR.endDate, Literal(value.end.isoformat(), datatype=XSD.date)))
    elif value.precision == "month":
        g.add((node, KFOR.month, Literal(value.iso, datatype=XSD.gYearMonth)))
    else:
        g.add((node, KFOR.year, Literal(value.iso, datatype=XSD.gYear)))


def _entity_node(shared: Graph, minter: Minter, ref: EntityRef) -> URIRef:
    node = _entity_iri(minter, ref)
    if not ref.from_layer and shared.value(node, SKOS.prefLabel) is None:
        for cls in _ENTITY_TYPES[ref.kind]:
            shared.add((node, RDF.type, cls))
        shared.add((node, SKOS.prefLabel, Literal(ref.label)))
        if ref.kind == "person":
            shared.add((node, FOAF.name, Literal(ref.label)))
    return node
