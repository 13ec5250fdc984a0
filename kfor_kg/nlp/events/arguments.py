"""Arguments: the place and participants of an event, from the entity mentions of its phrase and clause.

Places are place mentions reached through a locative preposition (or
modifying the trigger: "Pristina bombing"); participants are people and
organizations in the trigger's phrase and its clause's arguments, except
asides in brackets and the office someone holds ("the Speaker of the Kosovo
Assembly").
"""

from __future__ import annotations

from spacy.tokens import Token

from kfor_kg.nlp.events.context import Candidate, DocumentContext, EntityMention, SentenceContext
from kfor_kg.nlp.events.model import EntityRef
from kfor_kg.nlp.events.tree import governing_verb, other_phrases, path_up, temporal_tokens

__all__ = ["Scope", "participants", "place", "scope"]

Scope = list[tuple[Token, Token]]
"""(token, top) pairs of an event's phrase and clause, nearest first; `top` is where the token was reached."""


def scope(c: Candidate, events: list[Candidate], ctx: SentenceContext) -> Scope:
    """The tokens of the trigger's phrase, then of the clause it is an argument of, then the noun it describes."""
    links = ctx.rules.temporal_links
    t = c.token
    excluded = other_phrases(t, (o.token for o in events))
    seen: set[int] = set()
    out: Scope = []

    def take(root: Token, top: Token, blocked: set[int]) -> None:
        for x in root.subtree:
            if x.i not in seen and x.i not in blocked:
                seen.add(x.i)
                out.append((x, top))

    take(t, t, excluded | temporal_tokens(t, t, links))
    verb = governing_verb(t)
    if verb is not None:
        take(verb, verb, excluded | temporal_tokens(verb, t, links))
    if t.dep_ in ("relcl", "acl") and t.head.i != t.i:
        head = t.head
        for x in [head, *[ch for ch in head.children if ch.dep_ in ("compound", "flat", "appos")]]:
            if x.i not in seen:
                seen.add(x.i)
                out.append((x, head))
    return out


def _mentions_in(where: Scope, kinds: tuple[str, ...], trigger: Token,
                 document: DocumentContext) -> list[tuple[EntityMention, Token]]:
    """Mentions of `kinds` whose head token lies in scope, with the top it was reached from."""
    tops = {x.i: top for x, top in where}
    return [(m, tops[m.head.i]) for m in document.mentions
            if m.ref.kind in kinds and not m.start <= trigger.idx < m.end and m.head.i in tops]


def place(c: Candidate, where: Scope, document: DocumentContext) -> tuple[EntityRef | None, str]:
    """The place of the event and the words naming it, if a place is reached through a locative."""
    t = c.token
    best: tuple[int, EntityMention] | None = None
    for m, top in _mentions_in(where, ("Place",), t, document):
        head = m.head
        path = path_up(head, top if top.i != t.i else t)
        if path is None:
            continue
        locative = any(x.dep_ == "prep" and x.lower_ in document.rules.locative for x in path)
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
    return m.ref, document.text[m.start:m.end]


def participants(c: Candidate, where: Scope, where_place: EntityRef | None,
                 document: DocumentContext) -> tuple[EntityRef, ...]:
    """The people and organizations of the event, in text order, without its place."""
    offices = document.rules.office_nouns
    found: list[tuple[int, EntityRef]] = []
    for m, top in _mentions_in(where, ("Person", "Organization"), c.token, document):
        if _bracketed(m, document.text):
            continue   # "(Multinational Brigade (MNB) (Centre))": an aside, not a participant
        path = path_up(m.head, top) or []
        # "the former Speaker of the Kosovo Assembly": where someone holds office, not a participant.
        if any(x.dep_ == "pobj" and x.head.lower_ == "of" and x.head.head.lemma_.lower() in offices for x in path):
            continue
        found.append((m.head.i, m.ref))
    out: list[EntityRef] = []
    for _, ref in sorted(found, key=lambda f: f[0]):
        if ref not in out and ref != where_place:
            out.append(ref)
    return tuple(out)


def _bracketed(m: EntityMention, text: str) -> bool:
    """The mention stands inside brackets opened earlier on its line."""
    line = text.rfind("\n", 0, m.start) + 1
    before = text[line:m.start]
    return before.count("(") > before.count(")")
