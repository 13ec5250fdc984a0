"""``kfor_resolutions``: Security Council resolutions ("resolutions 1160 (1998) and 1244 (1999)"), not dates."""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from kfor_kg.nlp.components.base import Candidate, RuleComponent, read_candidates, write_candidates
from kfor_kg.nlp.rules import EntityRules

_HEAD = re.compile(r"\b(?:[Rr]esolutions?\s+|S/RES/)")


class Resolutions(RuleComponent):
    """Read resolution designations and let them replace what the model found there."""

    def __call__(self, doc: Doc) -> Doc:
        return write_candidates(doc, resolutions(doc, read_candidates(doc), self.rules))


def resolutions(doc: Doc, ents: list[Candidate], rules: EntityRules) -> list[Candidate]:
    """`ents` with every resolution of the text as a known RESOLUTION ("Resolution/1244-1999")."""
    text = doc.text
    for m in _HEAD.finditer(text):
        pos = m.start()
        first = True
        while True:
            r = rules.resolution_pattern.match(text, pos)
            if not r or (not first and not r.group("year")):
                break
            if first and not r.group("word"):
                break
            a = r.start() if (first and not r.group("word").lower().startswith("resolutions")) else r.start("number")
            b = r.end()
            number = int(r.group("number"))
            year = int(r.group("year")) if r.group("year") else rules.resolution_years.get(number)
            span = doc.char_span(a, b, alignment_mode="expand")
            if span is not None:
                ents = [x for x in ents if not (x.start < span.end and span.start < x.end)]
                rid = f"Resolution/{number}-{year}" if year else f"Resolution/{number}"
                ents.append(Candidate(span.start, span.end, "RESOLUTION", rid, True))
            sep = rules.resolution_separator.match(text, b)
            if not sep:
                break
            pos, first = sep.end(), False
    return sorted(ents, key=lambda x: (x.start, x.end))


@Language.factory("kfor_resolutions", default_config={"rules_file": "entity_rules.toml"},
                  assigns=["doc.ents", "doc.spans"])
def make_resolutions(nlp: Language, name: str, rules_file: str) -> Resolutions:
    return Resolutions(nlp, name, {"rules": rules_file})
