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
    return of_names(doc, sorted(ents, key=lambda x: (x.start, x.end)), rules)


_NAMED = ("ORG", "GPE", "LOC")


def of_names(doc: Doc, ents: list[Candidate], rules: EntityRules) -> list[Candidate]:
    """Join "Head of [the] Name" into one organization: "Permanent Mission of France to the United Nations".

    The left part is an organization the model found, or capitalized words, ending
    in a word of ``of_heads``; the right part a name found right after "of",
    "in", "to" or "for" (and "the"). A name so joined may take another ("... of
    France" + "to the United Nations").
    """
    heads = rules.of_heads
    by_start = {x.start: x for x in ents if x.label in _NAMED}
    out = list(ents)
    for x in sorted(ents, key=lambda x: x.start):
        if x not in out:
            continue
        if x.label != "ORG" or not any(tok.text in heads for tok in doc[x.start:x.end]):
            continue
        start = x.start
        joined = False
        while True:
            k = x.end
            if k + 1 >= len(doc) or doc[k].lower_ not in rules.of_connectors or doc[k - 1].whitespace_ != " ":
                break
            j = k + 1 + (doc[k + 1].lower_ == "the")
            right = by_start.get(j)
            # "in"/"for" only right after the head ("Mission in the Central African Republic",
            # not "Government of Kosovo in Pristina"); "of"/"to" after any name with a head.
            if right is None or right not in out or (doc[k].lower_ in ("in", "for")
                                                     and doc[x.end - 1].text not in heads):
                break
            out.remove(right)
            x.end, x.id, x.known, x.label, joined = right.end, "", False, "ORG", True
            if doc[k].lower_ in ("in", "for"):
                break
        x.start = start
    # Bare head words before "of" + a name: "Government of the French Republic".
    for y in sorted(out, key=lambda y: y.start):
        if y.label not in ("GPE", "LOC") or y.start < 2:
            continue
        k = y.start - 1 - (doc[y.start - 1].lower_ == "the")
        if k < 1 or doc[k].lower_ != "of" or doc[k - 1].text not in heads:
            continue
        if any(z.start <= k - 1 < z.end for z in out):
            continue
        s = k - 1
        while s > 0 and doc[s - 1].text[:1].isupper() and doc[s - 1].is_alpha and not doc[s].is_sent_start \
                and doc[s - 1].lower_ not in ("the", "a", "an") \
                and not any(z.start <= s - 1 < z.end for z in out) and k - s < 4:
            s -= 1
        out.remove(y)
        out.append(Candidate(s, y.end, "ORG"))
    return sorted(out, key=lambda x: (x.start, x.end))


@Language.factory("kfor_extend_organizations", default_config={"rules_file": "entity_rules.toml"},
                  assigns=["doc.ents", "doc.spans"])
def make_extend_organizations(nlp: Language, name: str, rules_file: str) -> ExtendOrganizations:
    return ExtendOrganizations(nlp, name, {"rules": rules_file})
