"""People of one document: full names joined across spellings, lone surnames joined to a full name.

Middle initials are ignored and first names that differ by one letter with
the same surname join ("Hasim"/"Hashim"). A lone surname ("Prime Minister
Thaci") joins the one full name with that surname in the document, else the
one person of the gazetteer with that surname, else it stays its own node
(linking it across documents is the corpus step's job, kfor_kg.linking.corpus).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from kfor_kg.extract.records import DocumentRecord
from kfor_kg.lexicon.gazetteer import alias_table
from kfor_kg.nlp.entity_model import Entity, Raw, entity, entity_key
from kfor_kg.nlp.rules import EntityRules
from kfor_kg.text.normalize import fold

__all__ = ["full_name_surnames", "name_tokens", "people", "person_shaped", "same_person"]


def name_tokens(text: str) -> list[str]:
    """Folded name words without initials ("Kofi A. Annan" -> ["kofi", "annan"])."""
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*\.?", text)]
    return [fold(w.rstrip(".")) for w in words if not re.fullmatch(r"[^\W\d_]\.?", w)]


@lru_cache(maxsize=1)
def _gazetteer_people() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The shipped gazetteer's people as (key, name tokens of the label), by key; tokenized once."""
    table = alias_table()
    return tuple((k, tuple(name_tokens(thing.label))) for (t, k), thing in sorted(table.by_key.items())
                 if t == "Person")


@lru_cache(maxsize=1)
def _gazetteer_surnames() -> dict[str, tuple[str, ...]]:
    """Surname (last name token) -> keys of the gazetteer's people with it, sorted."""
    out: dict[str, list[str]] = defaultdict(list)
    for k, toks in _gazetteer_people():
        if toks:
            out[toks[-1]].append(k)
    return {s: tuple(keys) for s, keys in out.items()}


def _edit_distance_at_most_one(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = j = diffs = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            i += 1
            j += 1
            continue
        diffs += 1
        if diffs > 1:
            return False
        if len(a) == len(b):
            i += 1
        j += 1
    return diffs + (len(b) - j) + (len(a) - i) <= 1


def same_person(a: list[str], b: list[str]) -> bool:
    """Full names that name the same person: same surname, first names alike."""
    if len(a) < 2 or len(b) < 2 or a[-1] != b[-1]:
        return False
    fa, fb = a[0], b[0]
    return fa == fb or (min(len(fa), len(fb)) >= 4 and _edit_distance_at_most_one(fa, fb))


def _fullest(surfaces: Iterable[str]) -> str:
    """The fullest form of a name: most words, then diacritics, then length."""
    return max((re.sub(r"\s+", " ", s).strip() for s in surfaces),
               key=lambda s: (len(name_tokens(s)), sum(ord(c) > 127 for c in s), len(s), s))


def full_name_surnames(persons: Iterable[Raw]) -> frozenset[str]:
    """The surnames (last folded name word) of the names of two words or more among `persons`."""
    return frozenset(toks[-1] for toks in (name_tokens(p.text) for p in persons) if len(toks) > 1)


def person_shaped(raw: Raw, surnames: frozenset[str], rules: EntityRules) -> bool:
    """Whether a mention the model calls a person is shaped like a person's name.

    Two or more capitalized name words ("Radovan Karadžić"); or one word of
    three letters or more that the document or the gazetteer gives as the
    surname of a full name, or that follows a title or honorific ("Minister
    Šutanovac", "Mr. Annan"). A lone word at the head of a line, a truncated
    word or an abbreviation ("Monthly", "Peac", "Rt") is none. `surnames` are
    `full_name_surnames` of the document's persons.
    """
    doc = raw.span.doc
    # Abbreviations ("Rt.", "Hon.", "Gen.") are no name words; initials are skipped as in name_tokens.
    words = [t.text for t in raw.span if t.is_alpha and not (
        1 < len(t.text.rstrip(".")) <= 3 and (
            t.text.endswith(".") or t.i + 1 < len(doc) and doc[t.i + 1].text == "." and not t.whitespace_))]
    names = [w for w in words if w.lower() not in _PARTICLES and len(w) > 1]
    if len(names) >= 2:
        return all(w[:1].isupper() for w in names)
    if len(names) != 1 or len(names[0].strip("?\ufffd")) < 3 or not names[0][:1].isupper():
        return False
    surname = name_tokens(names[0])
    if len(surname) == 1 and (surname[0] in surnames or surname[0] in _gazetteer_surnames()):
        return True
    return _after_title(raw, rules)


_PARTICLES = frozenset({"de", "van", "von", "der", "den", "al", "bin", "da", "di", "la", "le", "del", "ki", "moon"})


def _after_title(raw: Raw, rules: EntityRules) -> bool:
    """Whether a title or honorific stands right before the mention, or before the name it is coordinated with."""
    doc, i = raw.span.doc, raw.span.start - 1
    title_words = {seq[-1] for seq in rules.person_titles} | {h.rstrip(".") for h in rules.honorifics}
    hops = 0
    while i >= 0 and hops < 2:
        t = doc[i]
        if t.is_space or t.text == ".":
            i -= 1
            continue
        if t.text.rstrip(".") in title_words:
            return True
        if t.lower_ in ("and", ",") and hops == 0:
            # "Ministers Jeremić and Šutanovac": the title of the name before "and".
            i -= 1
            while i >= 0 and (doc[i].text[:1].isupper() or doc[i].text in "?\ufffd") and doc[i].text not in title_words:
                i -= 1
            hops += 1
            continue
        return False
    return False


def people(persons: list[Raw], record: DocumentRecord, entities: dict[tuple[str, str], Entity]) -> None:
    """Resolve the document's people: full names to clusters, then lone surnames."""
    table = alias_table()
    # The document's signatories are named as the header reader keyed them, so
    # both layers give a signatory the same node.
    signatories = [table.canonical("Person", letter.signatory.name)
                   for letter in record.letters if letter.signatory]
    clusters: list[tuple[list[str], tuple[str, str]]] = []
    for ent in sorted((e for e in entities.values() if e.type == "Person"), key=lambda e: e.key):
        clusters.append((name_tokens(ent.label), ent.id))
    for k, toks in _gazetteer_people():
        if ("Person", k) not in entities:
            clusters.append((list(toks), ("Person", k)))
    for sig in signatories:
        clusters.append((name_tokens(sig.label), ("Person", sig.key)))

    def find(tokens: list[str]) -> tuple[str, str] | None:
        return next((eid for ctoks, eid in clusters if same_person(tokens, ctoks)), None)

    # New people (not in the gazetteer, not signatories): one cluster per person,
    # keyed by its fullest form in the document.
    singles: list[Raw] = []
    fresh: dict[int, list[Raw]] = defaultdict(list)
    fresh_tokens: list[list[str]] = []
    for raw in sorted(persons, key=lambda r: r.span.start):
        tokens = name_tokens(raw.text)
        if not tokens:
            continue
        if len(tokens) < 2:
            singles.append(raw)
            continue
        found = find(tokens)
        if found is not None:
            ent = entity(entities, *found)
            ent.surfaces.add(raw.text)
            raw.resolved = ent.id
            continue
        i = next((i for i, toks in enumerate(fresh_tokens) if same_person(tokens, toks)), None)
        if i is None:
            i = len(fresh_tokens)
            fresh_tokens.append(tokens)
        fresh[i].append(raw)
    for i in sorted(fresh):
        members = fresh[i]
        ent = entity(entities, "Person", entity_key(_fullest(m.text for m in members)))
        for m in members:
            ent.surfaces.add(m.text)
            m.resolved = ent.id
    # Lone surnames: the document's one full name with that surname, else the
    # gazetteer's one person with it, else their own node.
    full = sorted(eid for eid in entities if eid[0] == "Person")
    for raw in singles:
        surname = name_tokens(raw.text)[-1]
        local = [eid for eid in full if name_tokens(entities[eid].label)[-1:] == [surname]
                 or any(name_tokens(s)[-1:] == [surname] and len(name_tokens(s)) > 1 for s in entities[eid].surfaces)]
        known = [("Person", k) for k in _gazetteer_surnames().get(surname, ())]
        target = local[0] if len(local) == 1 else (known[0] if not local and len(known) == 1 else None)
        ent = entity(entities, *(target or ("Person", entity_key(raw.text))))
        ent.surfaces.add(raw.text)
        raw.resolved = ent.id
