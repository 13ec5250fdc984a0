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
from kfor_kg.extract.records import Evidence
from kfor_kg.nlp.events.model import EntityRef, Participant
from kfor_kg.nlp.events.tree import governing_verb, other_phrases, path_up, temporal_tokens

__all__ = ["Scope", "other_places", "participants", "place", "role", "scope"]

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
                 document: DocumentContext) -> tuple[Participant, ...]:
    """The people and organizations of the event with their roles and words, in text order, without its place."""
    offices = document.rules.office_nouns
    found: list[tuple[int, EntityMention, str]] = []
    for m, top in _mentions_in(where, ("Person", "Organization"), c.token, document):
        if _bracketed(m, document.text):
            continue   # "(Multinational Brigade (MNB) (Centre))": an aside, not a participant
        path = path_up(m.head, top) or []
        # "the former Speaker of the Kosovo Assembly": where someone holds office, not a participant.
        if any(x.dep_ == "pobj" and x.head.lower_ == "of" and x.head.head.lemma_.lower() in offices for x in path):
            continue
        found.append((m.head.i, m, role(c, m.head, top, path, document)))
    out: list[Participant] = []
    clean = document.record.clean
    for _, m, r in sorted(found, key=lambda f: f[0]):
        if m.ref != where_place and all(p.ref != m.ref for p in out):
            out.append(Participant(r, m.ref, Evidence.of(clean, m.start, m.end)))
    return tuple(out)


# Prepositions whose object an event is done to ("an attack on the patrol").
_PATIENT_PREPS = frozenset({"against", "on", "upon", "at"})


def role(c: Candidate, head: Token, top: Token, path: list[Token], document: DocumentContext) -> str:
    """What a mention (its head token, reached from `top` along `path`) did in the event of candidate `c`.

    The grammatical link nearest the event decides: the subject of an active
    verb, "by", a possessor or a modifier of the noun ("KFOR exercise") is the
    agent; a passive subject, a direct object, "against"/"on" is the patient;
    "of" after the noun is the agent of types whose label says "Meeting of",
    else the patient ("arrest of Jakup Krasniqi"). When the trigger is itself an
    argument of a verb, the verb's subject is the agent only of an event that is
    the verb's object ("KFOR conducted an exercise"), and its passive subject is
    the patient ("three Romas were injured in the attack").
    """
    t = c.token
    kind = document.rules.types[c.type]
    if not path:
        if top.i == head.i and t.dep_ in ("relcl", "acl") and t.head.i == head.i:
            # The noun a clause describes: "Krasniqi, who was then transferred", "the persons detained".
            passive = any(k.dep_ in ("nsubjpass", "auxpass") for k in t.children) or (
                t.dep_ == "acl" and t.tag_ == "VBN")
            return "patient" if passive else "agent"
        return "participant"
    # Conjoined names share the role of the first: "arrested A and B".
    path = [x for x in path if x.dep_ not in ("conj", "appos")] or path
    link = path[-1]
    if top.i == t.i:
        if link.dep_ == "agent" or (link.dep_ == "prep" and link.lower_ == "by"):
            return "agent"
        if link.dep_ in ("nsubjpass", "dobj") or (link.dep_ == "prep" and link.lower_ in _PATIENT_PREPS):
            return "patient"
        if link.dep_ == "nsubj":
            return "agent"
        if link.dep_ == "prep" and link.lower_ == "of":
            return "agent" if kind.agent == "of" else "patient"
        if link.dep_ == "poss":
            return "agent" if kind.agent == "of" or c.type not in _DONE_TO else "patient"
        if link.dep_ in ("compound", "amod", "nmod") and t.pos_ in ("NOUN", "PROPN"):
            return "patient" if c.type in _DONE_TO else "agent"
        return "participant"
    # The trigger is an argument of the verb `top`.
    trigger_link = (path_up(t, top) or [t])[-1]
    if link.dep_ == "nsubjpass":
        return "patient"
    if link.dep_ == "nsubj" and trigger_link.dep_ in ("dobj", "attr"):
        return "agent"
    if link.dep_ == "dobj" and trigger_link.dep_ == "nsubj":
        return "patient"     # "the attack injured nine police officers"
    return "participant"


# Types whose possessor or noun modifier is whom it was done to ("Krasniqi's arrest").
_DONE_TO = frozenset({"arrest", "transfer", "indictment"})


def other_places(c: Candidate, where: Scope, main: EntityRef | None, document: DocumentContext) -> tuple[EntityRef, ...]:
    """The further places a listing gives with the event's place: "in Kosovo Polje, Obilic and Stimlje"."""
    if main is None:
        return ()
    t = c.token
    out: list[EntityRef] = []
    mentions = _mentions_in(where, ("Place",), t, document)
    roots = {_coordination_root(m.head).i for m, _top in mentions if m.ref == main}
    for m, _top in sorted(mentions, key=lambda mt: mt[0].start):
        if m.ref == main or m.ref in out or _bracketed(m, document.text):
            continue
        # Coordinated with the main place: "A, B and C", whichever of them is the main one.
        if _coordination_root(m.head).i in roots:
            out.append(m.ref)
    return tuple(out)


def _coordination_root(x: Token) -> Token:
    """The first conjunct of the coordination `x` is part of (itself when it is none)."""
    while x.dep_ == "conj" and x.head.i != x.i:
        x = x.head
    return x


def _bracketed(m: EntityMention, text: str) -> bool:
    """The mention stands inside brackets opened earlier on its line."""
    line = text.rfind("\n", 0, m.start) + 1
    before = text[line:m.start]
    return before.count("(") > before.count(")")
