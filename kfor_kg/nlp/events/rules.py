"""The event rules of kfor_kg/data/event_patterns.toml: event types, triggers, filter words."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kfor_kg.errors import ConfigError
from kfor_kg.resources import data_file

__all__ = ["EventRules", "EventType", "TriggerRule", "event_rules"]


@dataclass(frozen=True)
class TriggerRule:
    """A word that tells of an event of `type`, with the syntactic conditions it must meet."""

    type: str
    lemmas: frozenset[str]
    pos: frozenset[str]
    plural: bool = False
    transitive: bool | None = None
    reject_objects: frozenset[str] = frozenset()
    child: tuple[frozenset[str], frozenset[str]] | None = None   # (dependency labels, lemmas) of a required child
    head: frozenset[str] | None = None
    grandhead: frozenset[str] | None = None
    needs_date: bool = False
    instrument: bool = False
    name_head: bool = False


@dataclass(frozen=True)
class EventType:
    """An event type: its notation, the concept of the type scheme, its label and agent preposition."""

    notation: str
    concept: str
    label: str
    agent: str
    patient: str = "of"       # the word before whom it was done to, in labels ("Attack on ...")


@dataclass(frozen=True)
class EventRules:
    """The triggers and filters of data/event_patterns.toml."""

    types: dict[str, EventType]
    by_lemma: dict[str, tuple[TriggerRule, ...]]
    negators: frozenset[str]
    modals: frozenset[str]
    irrealis_heads: frozenset[str]
    generic_modifiers: frozenset[str]
    quantifiers: frozenset[str]
    summary_sentences: tuple[re.Pattern[str], ...]
    temporal_links: frozenset[str]
    locative: frozenset[str]
    office_nouns: frozenset[str]
    container_nouns: frozenset[str]
    sequel_words: frozenset[str] = frozenset()
    prior_heads: frozenset[str] = frozenset()


def _words(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.lower() for v in values)


def _trigger(t: dict[str, Any]) -> TriggerRule:
    child = t.get("child")
    return TriggerRule(
        type=t["type"], lemmas=_words(t["lemmas"]), pos=frozenset(t["pos"]),
        plural=bool(t.get("plural", False)), transitive=t.get("transitive"),
        reject_objects=_words(t.get("reject_objects", [])),
        child=(frozenset(child["deps"]), _words(child["lemmas"])) if child else None,
        head=_words(t["head"]) if "head" in t else None,
        grandhead=_words(t["grandhead"]) if "grandhead" in t else None,
        needs_date=bool(t.get("needs_date", False)), instrument=bool(t.get("instrument", False)),
        name_head=bool(t.get("name_head", False)))


@lru_cache(maxsize=1)
def event_rules() -> EventRules:
    """The event rules shipped in kfor_kg/data/event_patterns.toml, loaded once.

    Raises:
        ConfigError: when the file is missing or malformed.
    """
    path = data_file("event_patterns.toml")
    try:
        with path.open("rb") as f:
            raw: dict[str, Any] = tomllib.load(f)
        types = {n: EventType(n, t["concept"], t["label"], t.get("agent", "by"), t.get("patient", "of"))
                 for n, t in raw["types"].items()}
        by_lemma: dict[str, list[TriggerRule]] = {}
        for t in raw["trigger"]:
            if t["type"] not in types:
                raise ValueError(f"trigger of unknown type {t['type']!r}")
            rule = _trigger(t)
            for lemma in rule.lemmas:
                by_lemma.setdefault(lemma, []).append(rule)
        f_ = raw["filters"]
        return EventRules(
            types=types,
            by_lemma={k: tuple(v) for k, v in by_lemma.items()},
            negators=_words(f_["negators"]), modals=_words(f_["modals"]),
            irrealis_heads=_words(f_["irrealis_heads"]), generic_modifiers=_words(f_["generic_modifiers"]),
            quantifiers=_words(f_["quantifiers"]),
            summary_sentences=tuple(re.compile(p) for p in f_["summary_sentences"]),
            temporal_links=_words(f_["temporal_links"]), locative=_words(f_["locative"]),
            office_nouns=_words(f_["office_nouns"]),
            container_nouns=_words(raw["labels"]["container_nouns"]),
            sequel_words=_words(f_.get("sequel_words", [])),
            prior_heads=_words(f_.get("prior_heads", [])))
    except (OSError, KeyError, TypeError, ValueError, re.error, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"cannot load the event rules {path} ({e}); reinstall kfor-kg") from e
