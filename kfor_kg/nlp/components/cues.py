"""``kfor_person_cues``: people after a title, a signature mark or in apposition to a role; places after place words."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kfor_kg.nlp.components.base import Candidate, RuleComponent, read_candidates, write_candidates
from kfor_kg.lexicon.offices import Role, roles
from kfor_kg.nlp.rules import EntityRules, Sequences, TokenView
from kfor_kg.text.normalize import fold

_PARTICLES = frozenset({"de", "van", "von", "der", "den", "al", "bin", "da", "di", "la", "le", "del"})


class PersonCues(RuleComponent):
    """"Major General Özkan Ulutaş", "(Signed) BAN Ki-moon", "the Head of ..., Tomáš Szunyog," are people."""

    def _build(self) -> None:
        super()._build()
        self.titles = Sequences(self.rules.person_titles)
        self.signature = Sequences(self.rules.person_cues)
        self.roles = roles()

    def __call__(self, doc: Doc) -> Doc:
        return write_candidates(doc, self.apply(doc, TokenView.of(doc), read_candidates(doc)))

    def apply(self, doc: Doc, tv: TokenView, ents: list[Candidate]) -> list[Candidate]:
        rules = self.rules
        n = len(doc)
        candidates: list[tuple[int, int, int]] = []      # start, end, minimum length
        places: list[tuple[int, int]] = []
        organizations: list[tuple[int, int]] = []     # "the French force Sangaris"
        i = 0
        while i < n:
            org = next((len(c) for c in rules.organization_cues if tuple(tv.words[i:i + len(c)]) == c), 0)
            if org and i + org < n and doc[i + org].text[:1].isupper():
                e = name_run(doc, i + org, rules)
                if e > i + org:
                    organizations.append((i + org, e))
            place = next((len(c) for c in rules.place_cues if tuple(tv.lower[i:i + len(c)]) == c), 0)
            if place:
                k = i + place
                e = name_run(doc, k, rules)
                if e > k:
                    places.append((k, e))
                i += place
                continue
            cue = self.signature.match(tv.words, i, n)
            if cue:
                k = i + cue
                while k < n and (doc[k].text in rules.honorifics or doc[k].is_space and "\n" not in doc[k].text):
                    k += 1
                e = name_run(doc, k, rules, capitals=True)
                if e > k:
                    candidates.append((k, e, 1))
                i += cue
                continue
            t = self.titles.match(tv.words, i, n)
            if t and doc[i].text[:1].isupper():
                k = i + t
                while k < n:              # "Commander Major General Özkan Ulutaş", "President Mr. X"
                    more = self.titles.match(tv.words, k, n)
                    if doc[k].text in rules.honorifics:
                        k += 1
                    elif more:
                        k += more
                    else:
                        break
                e = name_run(doc, k, rules)
                if e > k:
                    candidates.append((k, e, 1))
                    if doc[i + t - 1].text.endswith("s"):
                        # A plural title names each of the names it lists: "Ministers Jeremić and Šutanovac".
                        e = self.listed(doc, e, rules, candidates)
                i = max(i + t, e if e > k else i + t)
                continue
            if doc[i].text == "," and i > 2:
                k = i + 1
                while k < n and doc[k].text in rules.honorifics:
                    k += 1
                e = name_run(doc, k, rules)
                if e - k >= 2 and (e >= n or doc[e].text in (",", ".", ";", ")") or doc[e].is_space) \
                        and after_role(doc, i, rules, self.roles):
                    candidates.append((k, e, 2))
            i += 1
        for k, e, minimum in candidates:
            if e - k < minimum or self.known.lookup(tv, k, e) is not None:
                continue
            over = [x for x in ents if x.start < e and k < x.end]
            if any(x.known or x.label == "RESOLUTION" or x.start < k or x.end > e for x in over):
                continue
            if any(x.label == "PERSON" and x.start == k and x.end == e for x in over):
                continue
            for x in over:
                ents.remove(x)
            ents.append(Candidate(k, e, "PERSON"))
        for k, e in organizations:
            over = [x for x in ents if x.start < e and k < x.end]
            if self.known.lookup(tv, k, e) is not None or any(
                    x.known or x.label != "PERSON" or (x.start, x.end) != (k, e) for x in over):
                continue
            for x in over:
                ents.remove(x)
            ents.append(Candidate(k, e, "ORG"))
        for k, e in places:
            if self.known.lookup(tv, k, e) is not None:
                continue
            over = [x for x in ents if x.start < e and k < x.end]
            if any(x.known or x.label in ("RESOLUTION", "GPE", "LOC", "FAC") or x.start < k or x.end > e
                   for x in over):
                continue
            for x in over:
                ents.remove(x)
            ents.append(Candidate(k, e, "GPE"))
        return sorted(ents, key=lambda x: (x.start, x.end))


    @staticmethod
    def listed(doc: Doc, e: int, rules: EntityRules, candidates: list[tuple[int, int, int]]) -> int:
        """Add the names listed after the first one a plural title names; the end of the last."""
        n = len(doc)
        while True:
            j = e
            while j < n and doc[j].text in ("?", "\ufffd") and not doc[j - 1].whitespace_:
                j += 1          # a lost character ends the name before
            if j >= n or doc[j].lower_ not in ("and", ","):
                return e
            k = j + 1 if doc[j].lower_ == "and" or j + 1 >= n or doc[j + 1].lower_ != "and" else j + 2
            end = name_run(doc, k, rules)
            if end <= k:
                return e
            candidates.append((k, end, 1))
            e = end


def name_run(doc: Doc, k: int, rules: EntityRules, capitals: bool = False) -> int:
    """End of a run of capitalized name words starting at token k ("Özkan Ulutaş", "Osmani-Sadriu").

    All-capital words count only with `capitals` ("BAN Ki-moon" on a signature line).
    """
    n, e = len(doc), k
    while e < n and e - k < 6:
        t = doc[e]
        word = t.is_alpha and t.text[:1].isupper() and (capitals or not (t.is_upper and len(t) > 1))
        if word and (e == k or (t.text not in rules.organization_heads
                                and t.text not in rules.facility_heads and not t.is_sent_start)):
            e += 1
        elif (e > k and e + 1 < n and doc[e + 1].text[:1].isupper()
              and (t.text == "-" and not doc[e - 1].whitespace_ or t.lower_ in _PARTICLES)):
            e += 1
        else:
            break
    while e > k and not doc[e - 1].is_alpha:
        e -= 1
    return e


def after_role(doc: Doc, comma: int, rules: EntityRules, known_roles: tuple[Role, ...]) -> bool:
    """Whether "[the] ROLE of [the] Name Words" ends at token `comma`."""
    start = doc[comma].sent.start
    for j in range(comma - 1, max(start, comma - 14) - 1, -1):
        t = doc[j]
        if t.lower_ == "of":
            folded = [fold(x.text) for x in doc[max(start, j - 6):j]]
            return any(tuple(folded[-len(w):]) == w for r in known_roles for w in r.words if len(w) <= len(folded))
        if not (t.text[:1].isupper() or t.lower_ in rules.acronym_connectors
                or t.text in ("-", "(", ")", "'s", "’s") or t.like_num):
            return False
    return False


@Language.factory("kfor_person_cues", default_config={
    "rules_file": "entity_rules.toml", "gazetteer_file": "aliases.tsv places.tsv"}, assigns=["doc.ents", "doc.spans"])
def make_person_cues(nlp: Language, name: str, rules_file: str, gazetteer_file: str) -> PersonCues:
    return PersonCues(nlp, name, {"rules": rules_file, "gazetteer": gazetteer_file})
