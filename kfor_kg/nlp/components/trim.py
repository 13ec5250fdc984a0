"""``kfor_trim``: entities end at line breaks and unbalanced brackets; determiners, honorifics and titles are cut."""

from __future__ import annotations

from collections.abc import Iterator

from spacy.language import Language
from spacy.tokens import Doc

from kfor_kg.nlp.components.base import Candidate, RuleComponent, read_candidates, write_candidates
from kfor_kg.nlp.rules import EntityRules, KnownNames, Sequences, TokenView

_DETERMINERS = frozenset({"the", "a", "an"})
_CONNECTORS = frozenset({"of", "for", "in", "on", "and", "to", "at", "with", "by", "-", "&"})
# Marks that start an item of a list flattened into one line: no name runs across one.
_BULLETS = frozenset({"•", "·", "▪", "◦", "‣", "●", "|"})


def pieces(doc: Doc, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Split tokens start..end at line breaks and list bullets, and cut at an unbalanced bracket."""
    s = start
    for i in range(start, end + 1):
        if i == end or (doc[i].is_space and "\n" in doc[i].text) or doc[i].text in _BULLETS:
            if i > s:
                yield from balanced(doc, s, i)
            s = i + 1


def balanced(doc: Doc, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The part of start..end that has no unbalanced bracket."""
    depth = 0
    for i in range(start, end):
        if doc[i].text in "([":
            depth += 1
        elif doc[i].text in ")]":
            if depth == 0:     # "MNB) (Centre": keep what precedes
                if i > start:
                    yield start, i
                return
            depth -= 1
    if depth == 0:
        yield start, end
        return
    # "Stimlje (Multinational Brigade": keep the part before the open bracket.
    for i in range(start, end):
        if doc[i].text in "([":
            if i > start:
                yield start, i
            return


class Trim(RuleComponent):
    """Cut what does not belong to a name from the model's entities."""

    def _build(self) -> None:
        super()._build()
        self.titles = Sequences(self.rules.person_titles)
        self.qualifiers = Sequences(self.rules.title_qualifiers)

    def __call__(self, doc: Doc) -> Doc:
        tv = TokenView.of(doc)
        out: list[Candidate] = []
        for x in read_candidates(doc):
            for s, e in pieces(doc, x.start, x.end):
                trimmed = trim(doc, tv, Candidate(s, e, x.label, x.id, x.known), self.rules, self.known,
                               self.titles, self.qualifiers)
                if trimmed is not None:
                    out.append(trimmed)
        return write_candidates(doc, out)


def trim(doc: Doc, tv: TokenView, x: Candidate, rules: EntityRules, known: KnownNames,
         titles: Sequences, qualifiers: Sequences) -> Candidate | None:
    """`x` without leading determiners, trailing punctuation and, for people, titles; None if nothing is left."""
    s, e = x.start, x.end
    if known.lookup(tv, s, e) is None:
        # "the", "former" are cut; "New" in "New York" is not (capitalized, not a determiner).
        while s < e and (doc[s].is_space or doc[s].text in "\"“'‘([" or doc[s].text in rules.trailing_tokens
                         or (doc[s].lower_ in rules.leading_words
                             and (doc[s].is_lower or doc[s].lower_ in _DETERMINERS))):
            s += 1
        # "Annex the Permanent Mission": a word before a determiner inside the name
        # is another line's (a heading flattened into the text), unless a connector
        # leads to the determiner ("Office of the Secretary-General").
        for k in range(s + 1, min(e - 1, s + 3)):
            if doc[k].lower_ == "the" and doc[k - 1].lower_ not in _CONNECTORS \
                    and doc[k - 1].text[:1].isupper():
                s = k + 1
                break
        # "non-NATO", "anti-KFOR": a prefix glued with a hyphen.
        if e - s >= 3 and doc[s].is_lower and doc[s + 1].text == "-" and not doc[s].whitespace_:
            s += 2
    while e > s and (doc[e - 1].is_space or doc[e - 1].text in rules.trailing_tokens
                     or doc[e - 1].text in "\"”'’"):
        e -= 1
    # "NATO-led", "European Union-facilitated": a lowercase word glued with a hyphen
    # (not "Ban Ki-moon").
    if (e - s >= 3 and doc[e - 2].text == "-" and doc[e - 1].is_lower and not doc[e - 3].whitespace_
            and x.label != "PERSON" and known.lookup(tv, s, e) is None):
        e -= 2
    # Names do not end in a lowercase function word ("Pursuant to").
    while e - s >= 2 and doc[e - 1].is_lower and doc[e - 1].is_stop and known.lookup(tv, s, e) is None:
        e -= 1
    if x.label == "PERSON" and not x.known:
        s = strip_titles(tv, s, e, rules, titles, qualifiers)
    if e <= s:
        return None
    return Candidate(s, e, x.label, x.id, x.known)


def strip_titles(tv: TokenView, s: int, e: int, rules: EntityRules, titles: Sequences,
                 qualifiers: Sequences) -> int:
    """Start of a person's name after honorifics and a (qualified) title ("Kosovo President Mr. X")."""
    words = tv.words
    while s < e and words[s] in rules.honorifics:
        s += 1
    start = s
    q = qualifiers.match(words, s, e)
    t = titles.match(words, s + q, e)
    if t and s + q + t < e:
        s = s + q + t
        while s < e and words[s] in rules.honorifics:
            s += 1
    return s if s < e else start


@Language.factory("kfor_trim", default_config={
    "rules_file": "entity_rules.toml", "gazetteer_file": "aliases.tsv places.tsv"}, assigns=["doc.ents", "doc.spans"])
def make_trim(nlp: Language, name: str, rules_file: str, gazetteer_file: str) -> Trim:
    return Trim(nlp, name, {"rules": rules_file, "gazetteer": gazetteer_file})
