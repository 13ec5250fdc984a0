"""Posts as a document states them: "the President of Kosovo, Hasim Thaci", "NATO Secretary General Jens
Stoltenberg", "Vjosa Osmani, the President of Kosovo", read around the people mentioned, with the roles of
`kfor_kg.lexicon.offices`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from spacy.tokens import Doc, Span

from kfor_kg.extract.records import DocumentRecord, Evidence
from kfor_kg.lexicon.gazetteer import alias_table
from kfor_kg.lexicon.offices import Role, roles
from kfor_kg.nlp.rules import EntityRules
from kfor_kg.text.normalize import fold

__all__ = ["PostHolding", "read_posts"]


@dataclass(frozen=True)
class PostHolding:
    """A post held by a person as a document states it ("the former Speaker of the Kosovo Assembly, Jakup Krasniqi")."""

    person: str                    # person key
    role: str                      # role label ("Speaker")
    organization: tuple[str, str]  # (type, key) of the organization or place the post is in
    date: dt.date | None           # the document's reference date
    former: bool
    evidence: Evidence


class ResolvedMention(Protocol):
    """A mention with its span in the Doc and the (type, key) of its entity."""

    @property
    def span(self) -> Span: ...

    @property
    def resolved(self) -> tuple[str, str] | None: ...

_MODIFIERS = {"former", "then", "new", "newly", "acting", "outgoing", "incoming", "interim", "late",
              "current", "elected", "newly-elected"}
_LEADING = {"the", "a", "an", "its", "his", "her", "their"}


def role_ending(doc: Doc, end: int) -> tuple[Role, int] | None:
    """The role whose wording ends at token `end` (exclusive), the longest: (role, start token).

    "Special Representative of the Secretary-General", not its last words "Secretary-General".
    """
    best: tuple[Role, int] | None = None
    for role in roles():
        for words in role.words:
            s = end - len(words)
            if s >= 0 and (best is None or s < best[1]) and tuple(fold(t.text) for t in doc[s:end]) == words:
                best = (role, s)
    return best


def role_starting(doc: Doc, start: int) -> tuple[Role, int] | None:
    """The role whose wording starts at token `start`: (role, end token)."""
    for role in roles():
        for words in sorted(role.words, key=len, reverse=True):
            e = start + len(words)
            if e <= len(doc) and tuple(fold(t.text) for t in doc[start:e]) == words:
                return role, e
    return None


def _skip_forward(doc: Doc, i: int, words: set[str]) -> int:
    while i < len(doc) and doc[i].lower_ in words:
        i += 1
    return i


_DEMONYM_ENDINGS = ("ian", "an", "n", "i", "ese")


def _polity(doc: Doc, i: int) -> tuple[str, str] | None:
    """The country or territory an adjective at token `i` names ("Serbian" → Serbia, "Kosovan" → Kosovo)."""
    if i < 0 or i >= len(doc) or not doc[i].text[:1].isupper() or not doc[i].is_alpha:
        return None
    word = doc[i].text
    table = alias_table()
    for ending in _DEMONYM_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            base = word[:-len(ending)]
            for candidate in (base, base + "a", base + "o"):
                thing = table.lookup("Place", candidate)
                if thing is not None:
                    return thing.type, thing.key
    return None


def _skip_back(doc: Doc, i: int, words: set[str]) -> int:
    while i > 0 and doc[i - 1].lower_ in words:
        i -= 1
    return i


def read_posts(record: DocumentRecord, doc: Doc, raws: Sequence[ResolvedMention],
               rules: EntityRules) -> list[PostHolding]:
    """The posts the document states for the people it mentions (`raws`: its resolved mentions).

    A post may be in an organization the role implies ("Special
    Representative of the Secretary-General": the United Nations) that the
    document does not name.
    """
    places = ("Organization", "Place")
    by_end = {r.span.end: r for r in raws if r.resolved and r.resolved[0] in places}
    by_start = {r.span.start: r for r in raws if r.resolved and r.resolved[0] in places}
    out: dict[tuple[str, str, tuple[str, str]], PostHolding] = {}

    def add(person: ResolvedMention, role: Role, org: tuple[str, str] | None, start: int, end: int, former: bool) -> None:
        if org is None:
            if not role.organization or alias_table().get("Organization", role.organization) is None:
                return
            org = ("Organization", role.organization)
        assert person.resolved is not None
        span = doc[start:end]
        ev = Evidence.of(record.clean, span.start_char, span.end_char)
        key = (person.resolved[1], role.label, org)
        out.setdefault(key, PostHolding(person.resolved[1], role.label, org, record.reference_date, former, ev))

    for person in raws:
        if person.resolved is None or person.resolved[0] != "Person":
            continue
        i = person.span.start
        while i > 0 and doc[i - 1].text in rules.honorifics:
            i -= 1
        if role_ending(doc, i) is None:
            # "Commander Lieutenant General X": the rank is no part of the post
            # (but "Secretary General X" ends in a role).
            while i > 0 and (doc[i - 1].text in rules.honorifics or doc[i - 1].text in rules.ranks):
                i -= 1
        # "the [former] ROLE of [the] ORG[ (ALT)], PERSON" and "ORG ROLE PERSON"
        j = i - 1 if i > 0 and doc[i - 1].text == "," else i
        if j > 0 and doc[j - 1].text == ")":
            k = j - 1
            while k > 0 and doc[k].text != "(":
                k -= 1
            j = k if k > 0 and j - k <= 6 else j
        org_raw = by_end.get(j)
        if org_raw is not None:
            o = org_raw.span.start
            o2 = o - 1 if o > 0 and doc[o - 1].lower_ == "the" else o
            if o2 > 0 and doc[o2 - 1].lower_ == "of":
                found = role_ending(doc, o2 - 1)
                if found:
                    role, rs = found
                    ms = _skip_back(doc, rs, _MODIFIERS)
                    former = any(t.lower_ == "former" for t in doc[ms:rs])
                    add(person, role, org_raw.resolved, _skip_back(doc, ms, _LEADING), person.span.end, former)
                    continue
        # "[the] ORG ROLE PERSON", "the ORG ROLE, PERSON," (a role in apposition before the name)
        found = role_ending(doc, i)
        if found is None and j < i and (person.span.end >= len(doc) or doc[person.span.end].text in (",", ".", ";")):
            found = role_ending(doc, j)
        if found:
            role, rs = found
            ms = _skip_back(doc, rs, _MODIFIERS)
            former = any(t.lower_ == "former" for t in doc[ms:rs])
            org_raw = by_end.get(ms)
            polity = _polity(doc, ms - 1) if org_raw is None and ms > 0 else None
            if org_raw is not None:        # "NATO Secretary General Jens Stoltenberg"
                add(person, role, org_raw.resolved, org_raw.span.start, person.span.end, former)
                continue
            if polity is not None:         # "Serbian Foreign Minister Vuk Jeremić"
                add(person, role, polity, ms - 1, person.span.end, former)
                continue
            if role.organization:          # "Special Representative of the Secretary-General X"
                add(person, role, None, _skip_back(doc, ms, _LEADING), person.span.end, former)
                continue
        # "PERSON, [the] [former] ROLE of [the] ORG"
        e = person.span.end
        if e < len(doc) and doc[e].text == ",":
            k = e + 1
            while k < len(doc) and doc[k].lower_ in _LEADING | _MODIFIERS:
                k += 1
            former = any(t.lower_ == "former" for t in doc[e + 1:k])
            # "PERSON, the [former] ORG ROLE," ("Hashim Thaci, the Kosovo Prime Minister")
            org_first = by_start.get(k)
            polity = _polity(doc, k) if org_first is None else None
            after = org_first.span.end if org_first is not None else (k + 1 if polity else None)
            if after is not None:
                found3 = role_starting(doc, _skip_forward(doc, after, _MODIFIERS))
                if found3:
                    role, end = found3
                    org = org_first.resolved if org_first is not None else polity
                    add(person, role, org, person.span.start, end, former)
                    continue
            found2 = role_starting(doc, k)
            if found2:
                role, k = found2
                if k < len(doc) and doc[k].lower_ == "of":
                    k += 1
                    if k < len(doc) and doc[k].lower_ == "the":
                        k += 1
                    org_raw = by_start.get(k)
                    if org_raw is not None:
                        add(person, role, org_raw.resolved, person.span.start, org_raw.span.end, former)
    return sorted(out.values(), key=lambda h: (h.evidence.start, h.person, h.role))
