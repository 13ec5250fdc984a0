"""``kfor_filter``: drop what is no entity (stop-listed words, document symbols, lowercase phrases) and relabel
demonyms (NORP), facilities (FAC), all-capital "people" (ORG) and people after "in"/"near" (GPE)."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kfor_kg.nlp.components.base import Candidate, RuleComponent, read_candidates, write_candidates
from kfor_kg.nlp.rules import EntityRules


class Filter(RuleComponent):
    """Keep, relabel or drop each candidate by the stop-list and the label rules."""

    def __call__(self, doc: Doc) -> Doc:
        kept = [x for x in (keep(doc, x, self.rules) for x in read_candidates(doc)) if x is not None]
        return write_candidates(doc, kept)


def keep(doc: Doc, x: Candidate, rules: EntityRules) -> Candidate | None:
    """`x`, maybe relabelled, or None when it is no entity."""
    span = doc[x.start:x.end]
    text = span.text
    if x.label == "RESOLUTION" or (x.known and x.label in rules.labels):
        return x
    if not any(c.isalpha() for c in text) and x.label in rules.labels:
        return None
    if rules.stopped(text, x.label) or rules.is_symbol(text):
        return None
    words = [t.text for t in span if not t.is_punct and not t.is_space]
    if words and all(w in rules.demonyms or w in rules.demonym_prefixes for w in words) and any(
            w in rules.demonyms for w in words):
        x.label = "NORP"
        return x
    if x.label not in rules.labels:
        return x
    last = span[-1].text
    if x.label == "ORG" and last in rules.non_organization_heads:
        return None
    if x.label == "PERSON" and all(w.isupper() and len(w) >= 2 for w in words if w.isalpha()) and any(
            w.isalpha() for w in words):
        x.label = "ORG"          # "MNB", "KFOR" taken for a person
    if x.label in ("PERSON", "ORG", "GPE", "LOC") and last in rules.facility_heads and len(span) > 1:
        x.label = "FAC"
    if x.label == "PERSON" and after_cue(doc, x.start, rules.person_place_cues):
        x.label = "GPE"
    if all(t.is_lower or t.is_punct or t.is_space for t in span):
        return None
    return x


def after_cue(doc: Doc, start: int, cues: tuple[tuple[str, ...], ...]) -> bool:
    """Whether one of the word sequences `cues` (lowercase) ends right before token `start`."""
    for cue in cues:
        k = len(cue)
        if start - k >= 0 and tuple(t.lower_ for t in doc[start - k:start]) == cue:
            return True
    return False


@Language.factory("kfor_filter", default_config={
    "rules_file": "entity_rules.toml", "stoplist_file": "entity_stoplist.tsv"}, assigns=["doc.ents", "doc.spans"])
def make_filter(nlp: Language, name: str, rules_file: str, stoplist_file: str) -> Filter:
    return Filter(nlp, name, {"rules": rules_file, "stoplist": stoplist_file})
