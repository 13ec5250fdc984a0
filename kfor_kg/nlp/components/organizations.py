"""``kfor_extend_organizations``: a known organization that only starts a longer name gives way to it."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kfor_kg.nlp.components.base import Candidate, RuleComponent, read_candidates, write_candidates
from kfor_kg.nlp.rules import EntityRules

_INNER = frozenset({"-", "of", "for", "and", "on", "the"})
_NOT_AFTER = frozenset({"of", "for", "and", "on", "the"})


class ExtendOrganizations(RuleComponent):
    """"United Nations" + "Development Programme" is one organization, not the known one."""

    def __call__(self, doc: Doc) -> Doc:
        return write_candidates(doc, extend_organizations(doc, read_candidates(doc), self.rules))


def extend_organizations(doc: Doc, ents: list[Candidate], rules: EntityRules) -> list[Candidate]:
    """Join a known organization with the capitalized words around it that make a longer name.

    "United Nations" + "Development Programme", "European Union" +
    "-United States-Russian Federation Troika": capitalized words (and
    hyphens, "of", "and") right after it, on the same line, ending in an
    organization head word; "Joint" + "Security Council": a name the model
    found right before it.
    """
    heads = rules.organization_heads
    for x in [x for x in ents if x.label == "ORG" and x.known]:
        left = next((y for y in ents if y.end == x.start and y.label == "ORG" and not y.known
                     and doc[y.end - 1].whitespace_ == " "), None)
        if left is not None:
            ents.remove(left)
            x.start, x.id, x.known = left.start, "", False
    for x in [x for x in ents if x.label == "ORG" and x.known]:
        if x.end >= len(doc) or doc[x.end - 1].whitespace_ not in ("", " "):
            continue
        k, last_head = x.end, None
        starts = {y.start for y in ents if y is not x}
        while k < len(doc) and k - x.end < 10 and not doc[k].is_space and k not in starts:
            t = doc[k]
            if t.text[:1].isupper() and t.is_alpha:
                if t.text in heads:
                    last_head = k + 1
                    break
            elif t.text not in _INNER:
                break
            if t.whitespace_ not in ("", " "):
                break
            k += 1
        if last_head is None or doc[x.end].text in _NOT_AFTER:
            continue
        if any(y is not x and y.start < last_head and x.start < y.end and y.known and y.label != "ORG"
               for y in ents):
            continue
        for y in [y for y in ents if y is not x and y.start < last_head and x.start < y.end]:
            ents.remove(y)
        x.end, x.id, x.known = last_head, "", False
    return sorted(ents, key=lambda x: (x.start, x.end))


@Language.factory("kfor_extend_organizations", default_config={"rules_file": "entity_rules.toml"},
                  assigns=["doc.ents", "doc.spans"])
def make_extend_organizations(nlp: Language, name: str, rules_file: str) -> ExtendOrganizations:
    return ExtendOrganizations(nlp, name, {"rules": rules_file})
