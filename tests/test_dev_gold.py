"""The hand-made dev gold itself: well-formed, one file per dev text, every entity and fact found in its text.

This checks the gold, not the extractor: nothing here runs the pipeline.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph
from rdflib.namespace import SKOS

from kfor_kg.evaluate import ENTITY_TYPES, load_gold

ROOT = Path(__file__).resolve().parent.parent
DEV_TEXTS = ROOT / "tests" / "data" / "dev"
DEV_GOLD = ROOT / "tests" / "gold" / "dev"
TEXTS = {p.stem: p for p in sorted(DEV_TEXTS.rglob("*.txt"))}
GOLD = sorted(p.stem for p in DEV_GOLD.glob("*.json") if p.name != "thresholds.json")

TOP_KEYS = {"source", "notes", *ENTITY_TYPES, "Event", "facts"}
FACT_KEYS = {"symbol", "issued", "originalLanguage", "letters", "period", "frequency", "troopStrength",
             "incidents", "totalIncidents", "force", "mission_area"}
LETTER_KEYS = {"kind", "form", "date", "sender", "recipient", "signatory", "role", "organization",
               "originalLanguage"}
STRENGTH_KEYS = {"troops", "asAt", "approximate", "nonNatoTroops", "natoNations", "nonNatoNations"}
EVENT_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def fold(text: str) -> str:
    """Text without case, diacritics or runs of whitespace, for finding a name in a text."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text).strip().casefold()


def names(entry: Any) -> list[str]:
    if isinstance(entry, str):
        return [entry]
    if isinstance(entry, dict):
        return [entry["name"], *entry.get("aliases", [])]
    return list(entry)


def gold(stem: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DEV_GOLD / f"{stem}.json").read_text(encoding="utf-8"))
    return data


def text_of(stem: str) -> str:
    return (ROOT / gold(stem)["source"]).read_text(encoding="utf-8")


def is_day(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return dt.date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def event_types() -> set[str]:
    graph = Graph().parse(ROOT / "ontology" / "kfor-events.ttl", format="turtle")
    return {str(n) for n in graph.objects(None, SKOS.notation)}


def test_every_dev_text_has_gold_and_every_gold_its_text() -> None:
    assert len(TEXTS) == 10
    assert sorted(TEXTS) == GOLD


@pytest.mark.parametrize("stem", GOLD)
def test_gold_file_shape(stem: str) -> None:
    data = gold(stem)
    assert set(data) == TOP_KEYS
    source = Path(data["source"])
    assert source.stem == stem and (ROOT / source).resolve() == TEXTS[stem].resolve()
    for type_ in ENTITY_TYPES:
        entries = data[type_]
        assert isinstance(entries, list)
        for entry in entries:
            assert names(entry) and all(isinstance(n, str) and n.strip() == n and n for n in names(entry))
        keys = [k for entry in entries for k in {fold(n) for n in names(entry)}]
        assert len(keys) == len(set(keys)), f"{stem}: two {type_} entries share a name"
    types = event_types()
    for event in data["Event"]:
        assert set(event) == {"type", "date", "place", "label"}
        assert event["type"] in types
        assert event["date"] is None or EVENT_DATE.fullmatch(event["date"])
        if event["date"] and len(event["date"]) == 10:
            assert is_day(event["date"])


@pytest.mark.parametrize("stem", GOLD)
def test_facts_shape(stem: str) -> None:
    facts = gold(stem)["facts"]
    assert set(facts) == FACT_KEYS
    assert facts["force"] and facts["mission_area"]
    for key in ("issued",):
        assert facts[key] is None or is_day(facts[key])
    assert facts["originalLanguage"] in (None, "en", "fr", "es", "ru", "zh", "ar")
    assert facts["frequency"] in (None, "monthly", "quarterly")
    for letter in facts["letters"]:
        assert set(letter) == LETTER_KEYS
        assert letter["kind"] in ("covering", "annex") and letter["form"] in ("letter", "note verbale")
        assert letter["date"] is None or is_day(letter["date"])
        for office in (letter["sender"], letter["recipient"]):
            assert office is None or set(office) == {"role", "organization"}
        if letter["form"] == "note verbale":
            assert letter["signatory"] is None and letter["sender"] is not None
    if facts["period"] is not None:
        assert is_day(facts["period"]["start"]) and is_day(facts["period"]["end"])
        assert facts["period"]["start"] <= facts["period"]["end"]
    strength = facts["troopStrength"]
    if strength is not None:
        assert set(strength) == STRENGTH_KEYS
        assert isinstance(strength["troops"], int) and isinstance(strength["approximate"], bool)
        assert strength["asAt"] is None or is_day(strength["asAt"])
    assert isinstance(facts["incidents"], dict)


@pytest.mark.parametrize("stem", GOLD)
def test_every_entity_is_named_in_its_text(stem: str) -> None:
    """At least one name of every entry is written in the text; the others are canonical forms or aliases."""
    data, text = gold(stem), fold(text_of(stem))
    for type_ in ENTITY_TYPES:
        for entry in data[type_]:
            assert any(fold(n) in text for n in names(entry)), f"{stem}: {type_} {names(entry)} not in the text"


@pytest.mark.parametrize("stem", GOLD)
def test_stated_facts_are_written_in_the_text(stem: str) -> None:
    """The symbol, the troop figure and every signatory's surname are in the text as written."""
    facts, text = gold(stem)["facts"], fold(text_of(stem))
    if facts["symbol"]:
        assert fold(facts["symbol"]) in text
    if facts["troopStrength"]:
        assert f"{facts['troopStrength']['troops']:,}" in text
    for letter in facts["letters"]:
        if letter["signatory"]:
            assert fold(letter["signatory"].split()[-1]) in text


def test_the_scorer_reads_the_dev_gold() -> None:
    """`kfor-kg evaluate tests/gold/dev` sees every dev document with its entities and events."""
    loaded = load_gold(DEV_GOLD)
    assert sorted(loaded) == GOLD
    for stem, doc in loaded.items():
        data = gold(stem)
        assert doc.events == data["Event"]
        assert {t: len(v) for t, v in doc.entities.items()} == {t: len(data[t]) for t in ENTITY_TYPES}
