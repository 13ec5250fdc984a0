"""``kfor_acronyms``: "Long Form (ACRONYM)" pairs label both parts and every later use of the acronym.

The pairs found are kept in ``doc.user_data`` (see `kfor_kg.nlp.rules.acronym_pairs`)
for the entity reader, which joins them within the document.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from kfor_kg.nlp.components.base import Candidate, RuleComponent, read_candidates, write_candidates
from kfor_kg.nlp.rules import AcronymPair, EntityRules, KnownNames, TokenView, store_acronym_pairs
from kfor_kg.text.normalize import fold

_SMALL = ("of", "for", "the", "and", "in", "on")


class Acronyms(RuleComponent):
    """Learn the document's acronyms and alternative names from brackets after a name."""

    def __call__(self, doc: Doc) -> Doc:
        pairs: list[AcronymPair] = []
        ents = acronyms(doc, TokenView.of(doc), read_candidates(doc), pairs, self.rules, self.known)
        store_acronym_pairs(doc, pairs)
        return write_candidates(doc, ents)


def acronyms(doc: Doc, tv: TokenView, ents: list[Candidate], pairs: list[AcronymPair], rules: EntityRules,
             known: KnownNames) -> list[Candidate]:
    """`ents` with the pairs of the text marked; the pairs found are appended to `pairs`."""
    n = len(doc)
    learned: dict[str, tuple[str, str]] = {}
    for i, tok in enumerate(doc):
        if tok.text != "(" or i == 0:
            continue
        j = i + 1
        while j < n and doc[j].text != ")" and j - i <= 4 and not doc[j].is_space:
            j += 1
        if j >= n or doc[j].text != ")" or j == i + 1:
            continue
        inner = doc[i + 1:j]
        if any(t.whitespace_ for t in inner[:-1]):
            continue
        if any(x.start < i and j < x.end for x in ents):
            # Brackets inside a name already found ("Multinational Brigade (MNB) (Centre)").
            continue
        short = inner.text
        letters = [c for c in short if c.isalpha()]
        upper = sum(c.isupper() for c in letters)
        is_acr = upper >= 2 and short[:1].isupper() and len(letters) <= 10
        end_long = i
        owner = next((x for x in ents if x.end == end_long and x.label in rules.labels
                      and x.label != "RESOLUTION"), None)
        if not is_acr:
            # "Movement for Self-Determination (Vetëvendosje)": another name of an organization.
            if (owner is not None and owner.label == "ORG" and owner.end - owner.start >= 2
                    and len(inner) == 1 and short[:1].isupper() and short.isalpha()
                    and not rules.stopped(short, "ORG")
                    and not any(x.start == i + 1 for x in ents if x.label != "ORG")):
                mark(ents, i + 1, j, "ORG", owner.id if owner.known else "")
                pairs.append(AcronymPair(doc[owner.start:owner.end].text, short, "ORG",
                                         doc[owner.start].idx, doc[owner.end - 1].idx + len(doc[owner.end - 1]),
                                         inner.start_char, inner.end_char, False))
            continue
        long_start = long_form_start(doc, end_long, short, owner, rules)
        if long_start is None:
            continue
        long_span = doc[long_start:end_long]
        if owner is not None and owner.start == long_start:
            label = owner.label
        elif long_span[-1].text in rules.organization_heads:
            label = "ORG"
        else:
            continue
        name = known.lookup(tv, long_start, end_long) or known.lookup(tv, i + 1, j)
        kid = f"{name.type}/{name.key}" if name else (owner.id if owner is not None and owner.known else "")
        mark(ents, long_start, end_long, label, kid)
        mark(ents, i + 1, j, label, kid)
        pairs.append(AcronymPair(long_span.text, short, label, long_span.start_char, long_span.end_char,
                                 inner.start_char, inner.end_char, True))
        learned[short] = (label, kid)
    # Every other use of a learned acronym in the document gets the same label.
    if learned:
        for i, tok in enumerate(doc):
            if tok.text in learned and not any(x.start <= i < x.end and x.label == learned[tok.text][0]
                                               for x in ents):
                label, kid = learned[tok.text]
                mark(ents, i, i + 1, label, kid)
    return sorted(ents, key=lambda x: (x.start, x.end))


def long_form_start(doc: Doc, end: int, short: str, owner: Candidate | None, rules: EntityRules) -> int | None:
    """Token index where the long form of `short` ending at `end` starts, if the letters agree."""
    letters = "".join(c for c in short if c.isalpha()).lower()
    if owner is not None and letters_fit(doc[owner.start:end].text, letters, strict=False):
        return owner.start
    s = end
    words = 0
    while s > 0 and words < rules.max_long_form_words:
        t = doc[s - 1]
        if t.is_sent_start and not (t.text[:1].isupper()):
            break
        if t.text[:1].isupper() or t.text in rules.acronym_connectors or t.text in ("-", "'s", "’s"):
            s -= 1
            words += 1
            if t.is_sent_start:
                break
            continue
        break
    for k in range(end - 1, s - 1, -1):          # shortest first
        if doc[k].text[:1].isupper() and (end - k >= 2 or len(letters) <= 2) \
                and letters_fit(doc[k:end].text, letters, strict=True):
            return k
    return None


def letters_fit(long_form: str, letters: str, strict: bool) -> bool:
    """Whether `letters` (an acronym's, lowercase) can abbreviate `long_form`."""
    text = fold(long_form)
    if not text or not letters or text[0] != letters[0]:
        return False
    if not strict:
        return True
    pos = 0
    for c in letters:
        pos = text.find(c, pos)
        if pos < 0:
            return False
        pos += 1
    # The long form's capitalized words should mostly be used.
    initials = [w[0] for w in re.findall(r"[A-Za-z]+", text) if w not in _SMALL]
    return len(initials) <= len(letters) + 2


def mark(ents: list[Candidate], s: int, e: int, label: str, kid: str) -> None:
    """Make tokens s..e one entity with `label` (keeping a known name it is part of)."""
    for x in [x for x in ents if x.start < e and s < x.end]:
        if x.start == s and x.end == e:
            x.label = label
            x.id = x.id or kid
            x.known = x.known or bool(kid)
            return
        if x.known and not (s <= x.start and x.end <= e):
            return
        ents.remove(x)
    ents.append(Candidate(s, e, label, kid, bool(kid)))


@Language.factory("kfor_acronyms", default_config={
    "rules_file": "entity_rules.toml", "stoplist_file": "entity_stoplist.tsv", "gazetteer_file": "aliases.tsv places.tsv"},
    assigns=["doc.ents", "doc.spans", "doc.user_data"])
def make_acronyms(nlp: Language, name: str, rules_file: str, stoplist_file: str, gazetteer_file: str) -> Acronyms:
    return Acronyms(nlp, name, {"rules": rules_file, "stoplist": stoplist_file, "gazetteer": gazetteer_file})
