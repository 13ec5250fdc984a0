"""Walks over the dependency tree that several parts of the event reader share."""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Token

__all__ = ["governing_verb", "other_phrases", "path_up", "side_clauses", "temporal_link", "temporal_tokens"]

# Clauses whose time is their own: their dates do not date the clause they hang from.
SIDE_CLAUSES = ("advcl", "ccomp", "parataxis", "csubj")


def path_up(x: Token, top: Token) -> list[Token] | None:
    """Tokens from `x` up to (not including) `top`, or None when `top` is not above `x`."""
    path = []
    while x.i != top.i:
        path.append(x)
        if x.head.i == x.i:
            return None
        x = x.head
    return path


def temporal_link(node: Token, links: frozenset[str]) -> bool:
    """`node` heads a phrase placed before or after the time of its clause ("after X", "following X")."""
    if node.dep_ in ("advcl", "pcomp", "acl", "ccomp") and any(
            ch.dep_ == "mark" and ch.lower_ in links for ch in node.children):
        return True
    if node.dep_ in ("pobj", "pcomp") and node.head.lower_ in links:
        return True
    return node.dep_ == "prep" and node.lower_ in links


def temporal_tokens(root: Token, keep: Token, links: frozenset[str]) -> set[int]:
    """Tokens under `root` in phrases with another time ("after the Chambers confirmed..."), except `keep`'s."""
    out: set[int] = set()
    for x in root.subtree:
        if x.i != root.i and temporal_link(x, links) and not (x.i == keep.i or x.is_ancestor(keep)):
            out.update(y.i for y in x.subtree)
    return out


def side_clauses(node: Token, keep: Token) -> set[int]:
    """Tokens of clauses beside `node`'s own ("Although incidents decreased in the past month, ..."), except `keep`'s."""
    out: set[int] = set()
    for ch in node.children:
        if ch.dep_ in SIDE_CLAUSES and not (ch.i == keep.i or ch.is_ancestor(keep)):
            out.update(x.i for x in ch.subtree)
    return out


def other_phrases(t: Token, others: Iterable[Token]) -> set[int]:
    """Tokens of the phrases of other triggers `others`, except those containing `t`."""
    out: set[int] = set()
    for o in others:
        if o.i == t.i or o.is_ancestor(t):
            continue
        out.update(x.i for x in o.subtree)
    return out


def governing_verb(t: Token) -> Token | None:
    """The verb a noun trigger is an argument of: "submitted his resignation", "held the first round of talks"."""
    if t.pos_ not in ("NOUN", "PROPN"):
        return None
    node = t
    if node.dep_ == "pobj" and node.head.lower_ == "of" and node.head.head.pos_ in ("NOUN", "PROPN"):
        node = node.head.head          # "round of talks"
    if node.dep_ in ("dobj", "nsubj", "nsubjpass", "attr") and node.head.pos_ in ("VERB", "AUX"):
        return node.head
    return None
