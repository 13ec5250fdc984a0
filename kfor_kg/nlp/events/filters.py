"""Filters: what a trigger tells of that is not one real occurrence.

* summary sentences of counted incidents ("drugs (23), smuggling (8)") and
  counted plurals ("two firearms attacks", "several demonstrations");
* negated mentions, where the negation governs the trigger itself ("no major
  changes in deployment", "the meeting did not take place"; not "No one was
  injured in the attack");
* hypothetical, planned and generic ones ("prepared to react to any attack",
  "would respond", "KFOR conducts exercises");
* nouns used as modifiers ("election period", "exercise area"),
  participles describing a state ("troops deployed in theatre", "troops are
  deployed", "with all forces deployed") and undated
  bare plurals outside a clause's subject ("incidents, including shootings").
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from kfor_kg.nlp.events.context import Candidate
from kfor_kg.nlp.events.patterns import state_tokens
from kfor_kg.nlp.events.rules import EventRules
from kfor_kg.nlp.events.tree import temporal_link

__all__ = ["counted", "drop_reason", "generic_plural", "irrealis", "is_summary", "names", "negated"]


def is_summary(sent: Span, rules: EventRules) -> bool:
    """A sentence that sums up counted incidents: none of its triggers is one event."""
    return any(p.search(sent.text) for p in rules.summary_sentences)


def drop_reason(c: Candidate, date_tokens: frozenset[int], rules: EventRules) -> str | None:
    """Why the candidate is no single real occurrence, or None when it may be one."""
    t = c.token
    dated = c.own_date is not None
    if t.dep_ in ("compound", "amod", "nmod", "poss") and t.pos_ != "VERB" and not names(c):
        return "modifier"
    if not c.rule.instrument and counted(t, date_tokens, rules):
        return "counted"
    if any(ch.lemma_.lower() in rules.generic_modifiers and ch.dep_ in ("det", "amod", "predet")
           for ch in t.children):
        return "generic"
    if negated(t, dated, rules):
        return "negated"
    if not dated and irrealis(t, rules):
        return "irrealis"
    if not dated and state(t):
        return "state"
    return None


def state(t: Token) -> bool:
    """A participle describing how things are, not something that happened.

    "troops deployed in theatre" (a reduced relative), "troops are currently
    deployed" (a present passive), "with all forces deployed" (an absolute
    construction).
    """
    if t.pos_ != "VERB" or t.tag_ not in ("VBN", "VBD"):
        return False
    kids = list(t.children)
    if t.i in state_tokens(t.doc):        # the dependency patterns of nlp/events/patterns.py
        # A present perfect passive ("has been deployed") tells of an occurrence.
        return not any(k.dep_ == "aux" for k in kids)
    # A relative clause without a relative word or auxiliary is a reduced relative
    # (an absence the DependencyMatcher cannot express).
    return t.dep_ == "relcl" and not any(k.tag_ in ("WDT", "WP", "WP$") or k.dep_ in ("aux", "auxpass") for k in kids)


def generic_plural(t: Token) -> bool:
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


def names(c: Candidate) -> bool:
    """The trigger starts a proper name it is the kind of: "Exercise Silver Sabre"."""
    t = c.token
    return (c.rule.name_head and t.dep_ == "compound" and t.text[:1].isupper()
            and t.head.pos_ == "PROPN" and t.i < t.head.i)


def counted(t: Token, date_tokens: frozenset[int], rules: EventRules) -> bool:
    """A plural with a number or quantifier: "two firearms attacks", "several demonstrations"."""
    if t.pos_ == "VERB" or t.tag_ not in ("NNS", "NNPS"):
        return False
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


def negated(t: Token, dated: bool, rules: EventRules) -> bool:
    """Negated by the trigger's own words or, unless it carries its own date, by its clause."""
    neg = rules.negators
    node = t
    while True:
        if node is not t and node.lower_ in neg:
            return True
        for ch in node.children:
            if ch.dep_ == "neg" or (ch.dep_ in ("det", "advmod", "preconj", "quantmod") and ch.lower_ in neg):
                return True
        if node.pos_ in ("VERB", "AUX") or node.head.i == node.i or temporal_link(node, rules.temporal_links):
            break
        node = node.head
    # A negative word elsewhere in the clause does not govern the trigger: "No one
    # was injured in the attack" reports the attack.
    return False


def irrealis(t: Token, rules: EventRules) -> bool:
    """Hypothetical, planned, habitual or purpose: not a reported occurrence."""
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
        if node.head.i == node.i or temporal_link(node, rules.temporal_links):
            return False
        node = node.head
