"""Labels: a short human name for an event ("Arrest of Jakup Krasniqi", "Explosion in a bar in Pristina")."""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.tokens import Token

from kfor_kg.nlp.events.context import Candidate, SentenceContext
from kfor_kg.nlp.events.filters import names
from kfor_kg.nlp.events.model import EntityRef

__all__ = ["event_label"]

_MAX_LABEL_TOKENS = 16
_LABEL_PREPOSITIONS = ("of", "between", "against", "in", "at", "with", "on", "near", "to", "by", "for")
# Types whose label names the people they happened to: "Arrest of Jakup Krasniqi".
_OF_PERSONS = ("arrest", "indictment", "transfer", "resignation", "election")


def event_label(c: Candidate, place: EntityRef | None, surface: str, participants: tuple[EntityRef, ...],
                ctx: SentenceContext) -> str:
    """The label of an event: its type and people, its named or noun phrase, or its theme or agent; then its place."""
    t = c.token
    dates = ctx.date_tokens
    kind = ctx.rules.types[c.type]
    persons = [p.label for p in participants if p.kind == "Person"]
    if persons and c.type in _OF_PERSONS:
        text = f"{kind.label} of {_join(persons)}"
    elif c.rule.instrument:
        text = f"{kind.label} with {_phrase(t, dates)}"
    elif names(c):
        text = _phrase(t.head, dates)
    elif t.pos_ in ("NOUN", "PROPN"):
        container = t.head.head if t.dep_ == "pobj" and t.head.lower_ == "of" else None
        if container is not None and container.lemma_.lower() in ctx.rules.container_nouns:
            text = _phrase(container, dates)
        else:
            text = _phrase(t, dates)
    else:
        theme = [ch for ch in t.children if ch.dep_ in ("dobj", "nsubjpass")]
        if not theme and t.dep_ in ("relcl", "acl"):
            theme = [t.head]
        agent = [ch for ch in t.children if ch.dep_ == "nsubj"]
        if not agent and t.dep_ == "conj":   # "visited KFOR ... and met with the Commander"
            agent = [ch for ch in t.head.children if ch.dep_ == "nsubj"]
        if theme and theme[0].pos_ != "PRON":
            text = f"{kind.label} {kind.patient} {_noun_phrase(theme[0], dates)}"
        elif agent and agent[0].pos_ != "PRON":
            text = f"{kind.label} {kind.agent} {_noun_phrase(agent[0], dates)}"
        else:
            text = kind.label
    if len(text.split()) == 1 and c.date_mention is not None and c.date_mention.kind in ("day", "month", "year"):
        text = f"{text} of {c.date_mention.text}"      # "Elections of 6 October 2019"
    if place is not None and place.label.lower() not in text.lower() and (
            not surface or surface.lower() not in text.lower()):
        link = "to" if c.type == "transfer" else "in"
        text = f"{text} {link} {place.label}"
    return text[:1].upper() + text[1:]


def _join(names_: list[str]) -> str:
    return names_[0] if len(names_) == 1 else ", ".join(names_[:-1]) + " and " + names_[-1]


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
