"""``kfor_ruler``: spaCy's EntityRuler with the patterns of data/entity_patterns.jsonl and the gazetteer's names.

Every multi-word name and all-capitals acronym of the gazetteer becomes a
pattern whose id is "Type/key". The patterns are the ruler's own, so
`nlp.to_disk` saves them (as EntityRuler does).
"""

from __future__ import annotations

import json
from typing import Any

from spacy.language import Language
from spacy.pipeline import EntityRuler

from kfor_kg.errors import ConfigError
from kfor_kg.lexicon.gazetteer import AliasTable, parse_alias_table
from kfor_kg.rdf.iris import ascii_fold
from kfor_kg.nlp.rules import EntityRules, is_acronym_surface, parse_entity_rules, read_text


def file_patterns(text: str, origin: str = "entity_patterns.jsonl") -> list[dict[str, Any]]:
    """The patterns of an entity_patterns.jsonl text (lines starting with // are comments).

    Raises:
        ConfigError: when a line is not JSON.
    """
    try:
        return [json.loads(line) for line in text.splitlines()
                if line.strip() and not line.lstrip().startswith("//")]
    except json.JSONDecodeError as e:
        raise ConfigError(f"{origin}: cannot read the entity patterns ({e})") from e


def gazetteer_patterns(nlp: Language, table: AliasTable, rules: EntityRules) -> list[dict[str, Any]]:
    """A pattern for every multi-word name and acronym of the gazetteer, with and without diacritics."""
    patterns: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for thing in sorted(table.by_key.values(), key=lambda c: (c.type, c.key)):
        if not rules.type_labels.get(thing.type):
            continue
        for surface in sorted(table.surfaces(thing)):
            for variant in sorted({surface, ascii_fold(surface)}):
                toks = [t.text for t in nlp.make_doc(variant) if not t.is_space]
                if (variant, thing.key) in seen or not toks:
                    continue
                seen.add((variant, thing.key))
                if is_acronym_surface(variant, len(toks)):
                    pattern: list[dict[str, Any]] = [{"ORTH": toks[0]}]
                elif len(toks) >= 2:
                    # Capitalized words of a name must not be lowercase in the text
                    # ("Kosovo Assembly", not "Kosovo assembly elections").
                    pattern = [{"LOWER": t.lower(), "IS_LOWER": False} if t[:1].isupper() else {"LOWER": t.lower()}
                               for t in toks]
                else:
                    continue
                patterns.append({"label": rules.label_of(thing.type, variant), "pattern": pattern,
                                 "id": f"{thing.type}/{thing.key}"})
    return patterns


@Language.factory("kfor_ruler", default_config={
    "patterns_file": "entity_patterns.jsonl", "gazetteer_file": "aliases.tsv places.tsv", "rules_file": "entity_rules.toml"},
    assigns=["doc.ents", "token.ent_type", "token.ent_iob"])
def make_ruler(nlp: Language, name: str, patterns_file: str, gazetteer_file: str, rules_file: str) -> EntityRuler:
    """An EntityRuler that keeps the model's entities and adds the shipped patterns."""
    ruler = EntityRuler(nlp, name, overwrite_ents=False, validate=True)
    rules = parse_entity_rules(read_text(rules_file), "")
    patterns = file_patterns(read_text(patterns_file), patterns_file)
    patterns += gazetteer_patterns(nlp, parse_alias_table(read_text(gazetteer_file)), rules)
    with nlp.select_pipes(enable=[]):
        ruler.add_patterns(patterns)
    return ruler
