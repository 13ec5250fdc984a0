"""Dependency patterns of the event reader, matched once per parse with spaCy's DependencyMatcher.

`state_tokens(doc)` gives the participles that describe how things are rather
than something that happened: "troops deployed in theatre" (a reduced
relative), "troops are currently deployed" (a present passive), "with all
forces deployed" (an absolute construction). The matches are computed once
per Doc and kept in its user data (plain lists, so a Doc still crosses
processes).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from spacy.matcher import DependencyMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

__all__ = ["STATE_PATTERNS", "state_tokens"]

_KEY = "kfor_state_tokens"
_PARTICIPLE = {"POS": "VERB", "TAG": {"IN": ["VBN", "VBD"]}}

STATE_PATTERNS: dict[str, list[dict[str, Any]]] = {
    # "troops deployed in the theatre"
    "reduced_relative": [{"RIGHT_ID": "state", "RIGHT_ATTRS": {**_PARTICIPLE, "DEP": {"IN": ["acl", "amod"]}}}],
    # "troops are currently deployed" (not "were deployed", not "have been deployed")
    "present_passive": [
        {"RIGHT_ID": "state", "RIGHT_ATTRS": {"POS": "VERB", "TAG": "VBN"}},
        {"LEFT_ID": "state", "REL_OP": ">", "RIGHT_ID": "be",
         "RIGHT_ATTRS": {"DEP": "auxpass", "TAG": {"IN": ["VBP", "VBZ"]}}}],
    # "with all forces deployed": "with" marks the participle ...
    "absolute_mark": [
        {"RIGHT_ID": "state", "RIGHT_ATTRS": _PARTICIPLE},
        {"LEFT_ID": "state", "REL_OP": ">", "RIGHT_ID": "with", "RIGHT_ATTRS": {"DEP": "mark", "LOWER": "with"}}],
    # ... or takes it as its complement
    "absolute_pcomp": [
        {"RIGHT_ID": "with", "RIGHT_ATTRS": {"LOWER": "with"}},
        {"LEFT_ID": "with", "REL_OP": ">", "RIGHT_ID": "state", "RIGHT_ATTRS": {**_PARTICIPLE, "DEP": "pcomp"}}],
}


@lru_cache(maxsize=4)
def _matcher(vocab: Vocab) -> DependencyMatcher:
    matcher = DependencyMatcher(vocab)
    for name, pattern in STATE_PATTERNS.items():
        matcher.add(name, [pattern])
    return matcher


def state_tokens(doc: Doc) -> frozenset[int]:
    """Indices of the participles of `doc` that describe a state (see the module docstring)."""
    cached = doc.user_data.get(_KEY)
    if cached is None:
        found: set[int] = set()
        for match_id, tokens in _matcher(doc.vocab)(doc):
            pattern = STATE_PATTERNS[doc.vocab.strings[match_id]]
            found.add(tokens[[node["RIGHT_ID"] for node in pattern].index("state")])
        cached = sorted(found)
        doc.user_data[_KEY] = cached
    return frozenset(cached)
