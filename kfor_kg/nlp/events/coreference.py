"""Coreference: a trigger that tells again of an event already read is no new event.

A trigger inside another of the same type ("met ... for a donors'
conference") is the same event; a definite mention without a complement
("The exercise successfully tested") refers back to the last event of its
type; and so does the same kind of event happening to the same thing in the
next sentence ("UNMIK police were attacked ... The police were attacked by a
crowd").
"""

from __future__ import annotations

from spacy.tokens import Token

from kfor_kg.nlp.events.context import Candidate, SentenceContext

__all__ = ["definite_bare", "link_aliases", "theme"]


def link_aliases(live: list[Candidate], ctx: SentenceContext) -> None:
    """Set `alias_of` of the sentence's candidates that tell of an event already read."""
    for c in live:
        t = c.token
        # Inside another trigger of the same type, with no date of its own: the same event.
        outer = [o for o in live if o is not c and o.type == c.type and o.token.is_ancestor(t)
                 and o.alias_of is None]
        if outer and c.own_date is None:
            c.alias_of = outer[-1]
            continue
        if definite_bare(t) and c.own_date is None:
            before = [a for a in ctx.earlier if a.type == c.type]
            same = [o for o in live if o is not c and o.type == c.type and o.token.i < t.i and o.alias_of is None]
            antecedent = same[-1] if same else (before[-1] if before else None)
            if antecedent is not None:
                c.alias_of = antecedent
                continue
        # "UNMIK police were attacked on the road ... The police were attacked by a crowd":
        # the same kind of event happening to the same thing, told again in the next sentence.
        previous = ctx.earlier[-1] if ctx.earlier else None
        subject = theme(t)
        if (c.own_date is None and previous is not None and previous.type == c.type and subject is not None
                and _in_previous_sentence(previous.token, ctx)):
            earlier = theme(previous.token)
            if earlier is not None and subject.lemma_.lower() in {x.lemma_.lower() for x in earlier.subtree}:
                c.alias_of = previous


def _in_previous_sentence(a: Token, ctx: SentenceContext) -> bool:
    """`a` is in the sentence right before the one being read, in the same paragraph."""
    before, now = ctx.previous, ctx.sent
    return (before is not None and before.start <= a.i < before.end
            and "\n" not in ctx.document.text[before.end_char:now.start_char])


def theme(t: Token) -> Token | None:
    """What an event happened to: "police" in "the police were attacked"."""
    if t.pos_ in ("VERB", "AUX"):
        heads = [ch for ch in t.children if ch.dep_ in ("dobj", "nsubjpass")]
    else:
        heads = [g for ch in t.children if ch.dep_ == "prep" and ch.lower_ in ("of", "against", "on")
                 for g in ch.children if g.dep_ == "pobj"]
    return heads[0] if heads and heads[0].pos_ in ("NOUN", "PROPN") else None


def definite_bare(t: Token) -> bool:
    """ "The exercise", "the direct negotiations": definite, no complement naming anything new."""
    if t.pos_ not in ("NOUN", "PROPN"):
        return False
    definite = any(ch.dep_ == "det" and ch.lower_ in ("the", "this", "that", "these", "those")
                   for ch in t.children) or any(ch.lower_ in ("latter", "former", "said") for ch in t.children)
    complements = any(ch.dep_ in ("prep", "acl", "relcl", "appos", "compound", "nmod", "nummod")
                      for ch in t.children)
    return definite and not complements
