"""Triggers: the words that tell of an event, by lemma and syntactic conditions (data/event_patterns.toml)."""

from __future__ import annotations

from spacy.tokens import Span, Token

from kfor_kg.nlp.events.context import Candidate
from kfor_kg.nlp.events.rules import EventRules, TriggerRule

__all__ = ["candidates", "fits", "trigger_at"]


def candidates(sent: Span, date_tokens: frozenset[int], rules: EventRules) -> list[Candidate]:
    """The triggers of a sentence, in text order, outside its date expressions."""
    found = (trigger_at(t, rules) for t in sent if t.i not in date_tokens)
    return [c for c in found if c is not None]


def trigger_at(t: Token, rules: EventRules) -> Candidate | None:
    """`t` as a trigger, under the first rule of its lemma it fits."""
    keys = [t.lemma_.lower(), t.lower_]
    if t.tag_ in ("NNS", "NNPS") and t.lower_.endswith("s"):
        # Capitalized plurals ("Roadblocks were set up") are often left unlemmatized.
        keys += [t.lower_[:-1], t.lower_[:-2]]
    for key in dict.fromkeys(keys):
        for rule in rules.by_lemma.get(key, ()):
            if fits(t, rule):
                return Candidate(t, rule)
    return None


def fits(t: Token, rule: TriggerRule) -> bool:
    """`t` meets the rule's part of speech, number, object and head conditions."""
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
