"""What the repair components share: the candidate entities they pass on, and rule files kept on disk.

The repairs run one after another after the statistical NER. Each reads the
candidates the previous one left in ``doc.spans["kfor_candidates"]`` (or the
model's ``doc.ents`` when it is the first), changes them, and writes them back
there and, without overlaps, to ``doc.ents``; so any of them can run alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from kfor_kg.lexicon.gazetteer import parse_alias_table
from kfor_kg.nlp.rules import EntityRules, KnownNames, parse_entity_rules, read_text

__all__ = ["CANDIDATES", "Candidate", "RuleComponent", "read_candidates", "write_candidates"]

CANDIDATES = "kfor_candidates"


@dataclass
class Candidate:
    """An entity being repaired: token offsets, spaCy label, and the gazetteer/resolution id if known."""

    start: int
    end: int
    label: str
    id: str = ""            # "Type/key" of a known name or resolution
    known: bool = False


def read_candidates(doc: Doc) -> list[Candidate]:
    """The candidates the previous repair left, else the entities the model found."""
    if CANDIDATES in doc.spans:
        spans: Iterable[Span] = doc.spans[CANDIDATES]
        return [Candidate(s.start, s.end, s.label_, s.id_, bool(s.id_)) for s in spans]
    return [Candidate(e.start, e.end, e.label_, e.ent_id_, bool(e.ent_id_)) for e in doc.ents]


def write_candidates(doc: Doc, ents: list[Candidate]) -> Doc:
    """Keep `ents` for the next repair and set `doc.ents` from them (longest first where they overlap)."""
    spans = [Span(doc, x.start, x.end, label=x.label, span_id=x.id)
             for x in sorted(ents, key=lambda x: (x.start, x.end)) if x.end > x.start]
    doc.spans[CANDIDATES] = spans
    for tok in doc:          # ids the ruler set on tokens of entities that changed
        tok.ent_id_ = ""
    doc.ents = filter_spans(spans)
    return doc


class RuleComponent:
    """A component whose rules come from files named in its config.

    `files` maps a role ("rules", "stoplist", "gazetteer") to a file name;
    `to_disk` saves the texts read and `from_disk` rebuilds from them, so a
    saved pipeline keeps the rules it was assembled with.
    """

    def __init__(self, nlp: Language, name: str, files: dict[str, str]) -> None:
        self.name = name
        self.nlp = nlp
        self.sources = {role: read_text(file) for role, file in files.items()}
        self._build()

    def _build(self) -> None:
        """Compile the rules from `self.sources`."""
        self.rules: EntityRules = parse_entity_rules(self.sources["rules"], self.sources.get("stoplist", ""))
        if "gazetteer" in self.sources:
            self.known = KnownNames(parse_alias_table(self.sources["gazetteer"]), self.nlp.tokenizer)

    def to_disk(self, path: str | Path, *, exclude: Any = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for role, text in sorted(self.sources.items()):
            (path / f"{role}.txt").write_text(text, encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: Any = ()) -> RuleComponent:
        path = Path(path)
        self.sources = {p.stem: p.read_text(encoding="utf-8") for p in sorted(path.glob("*.txt"))}
        self._build()
        return self
