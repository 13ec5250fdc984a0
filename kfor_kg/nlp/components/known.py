"""``kfor_known_names``: names of the gazetteer, in any case and with or without diacritics, with their key."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kfor_kg.nlp.components.base import Candidate, RuleComponent, read_candidates, write_candidates
from kfor_kg.nlp.rules import EntityRules, KnownNames, TokenView

_JOINS = frozenset({"and", ",", "&", "-", "/", "to", "of", "the"})


class KnownNamesComponent(RuleComponent):
    """Mark every known name; it wins over what the model found unless that is itself known."""

    def __call__(self, doc: Doc) -> Doc:
        return write_candidates(doc, mark_known(doc, TokenView.of(doc), read_candidates(doc), self.rules,
                                                self.known))


def mark_known(doc: Doc, tv: TokenView, ents: list[Candidate], rules: EntityRules,
               known: KnownNames) -> list[Candidate]:
    """`ents` with the known names of the text marked (label, "Type/key" id)."""
    typed = set(rules.labels)
    for s, e, name in known.scan(tv):
        label = rules.label_of(name.type, " ".join(tv.words[s:e]))
        kid = f"{name.type}/{name.key}"
        over = [x for x in ents if x.start < e and s < x.end]
        if not over:
            ents.append(Candidate(s, e, label, kid, True))
            continue
        same = [x for x in over if x.start == s and x.end == e]
        if same:
            for x in same:
                if x.label != "RESOLUTION":
                    x.label, x.id, x.known = label, kid, True
            continue
        inside = [x for x in over if x.start <= s and e <= x.end]
        if inside:
            outer = inside[0]
            if outer.known or outer.label in ("NORP", "RESOLUTION"):
                continue
            if outer.label not in typed or splittable(doc, tv, outer, rules, known):
                ents.remove(outer)
                ents.append(Candidate(s, e, label, kid, True))
            continue
        # The known name covers or crosses what the model found: the name wins,
        # unless it would cut into another known name.
        if any(x.known for x in over):
            continue
        for x in over:
            ents.remove(x)
        ents.append(Candidate(s, e, label, kid, True))
    return sorted(ents, key=lambda x: (x.start, x.end))


def splittable(doc: Doc, tv: TokenView, outer: Candidate, rules: EntityRules, known: KnownNames) -> bool:
    """An entity made of two or more known names (or a known name and demonyms) and joining words."""
    inner = [(s, e) for s, e, _ in known.scan(tv, outer.start, outer.end)]
    if not inner:
        return False
    covered: set[int] = set()
    for s, e in inner:
        covered.update(range(s, e))
    words = [doc[i] for i in range(outer.start, outer.end) if i not in covered and not doc[i].is_space]
    if len(inner) >= 2 and all(t.lower_ in _JOINS or t.text in rules.demonyms or t.is_title for t in words):
        return True
    # "Decane and Bosniacs": a known name coordinated with demonyms.
    return any(t.lower_ == "and" for t in words) and all(
        t.lower_ in _JOINS or t.text in rules.demonyms for t in words)


@Language.factory("kfor_known_names", default_config={
    "rules_file": "entity_rules.toml", "gazetteer_file": "aliases.tsv places.tsv"}, assigns=["doc.ents", "doc.spans"])
def make_known_names(nlp: Language, name: str, rules_file: str, gazetteer_file: str) -> KnownNamesComponent:
    return KnownNamesComponent(nlp, name, {"rules": rules_file, "gazetteer": gazetteer_file})
