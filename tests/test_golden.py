"""The facts of each seed report, compared field by field with hand-made golden files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kfor_kg.extract import facts
from kfor_kg.text import ingest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "reports"
GOLDEN = Path(__file__).resolve().parent / "gold" / "facts"
SEEDS = sorted(p.stem for p in EXAMPLES.glob("*.txt"))


def iso(value: object) -> object:
    return value.isoformat() if hasattr(value, "isoformat") else value


def actual_facts(stem: str) -> dict[str, object]:
    return actual_facts_of(EXAMPLES / f"{stem}.txt")


def actual_facts_of(path: Path) -> dict[str, object]:
    """The header facts the extractor reads from a file, in the golden files' shapes."""
    record = facts.extract(ingest.load(path))
    report = record.report
    strength = report.troop_strength if report else None
    return {
        "symbol": record.symbol,
        "issued": iso(record.issued),
        "originalLanguage": record.original_language,
        "letters": [
            {
                "kind": letter.kind,
                "date": iso(letter.date),
                "signatory": letter.signatory.name if letter.signatory else None,
                "role": letter.signatory.office.role if letter.signatory and letter.signatory.office else None,
                "organization": letter.signatory.office.organization
                if letter.signatory and letter.signatory.office else None,
            }
            for letter in record.letters
        ],
        "period": {"start": iso(report.period.start), "end": iso(report.period.end)}
        if report and report.period else None,
        "frequency": report.frequency if report else None,
        "troopStrength": {
            "troops": strength.troops, "asAt": iso(strength.as_at), "approximate": strength.approximate,
            "nonNatoTroops": strength.non_nato_troops, "natoNations": strength.nato_nations,
            "nonNatoNations": strength.non_nato_nations,
        } if strength else None,
        "incidents": {i.category: i.count for i in report.incidents} if report else {},
        "totalIncidents": report.total_incidents if report else None,
    }


def test_every_seed_has_a_golden_file() -> None:
    assert SEEDS and all((GOLDEN / f"{stem}.json").exists() for stem in SEEDS)


@pytest.mark.parametrize("stem", SEEDS)
def test_seed_facts_match_golden(stem: str) -> None:
    expected = json.loads((GOLDEN / f"{stem}.json").read_text(encoding="utf-8"))
    actual = actual_facts(stem)
    for field, value in expected.items():
        if isinstance(value, dict) and field != "incidents":
            for sub, sub_value in value.items():
                assert actual[field][sub] == sub_value, f"{stem}: {field}.{sub}"  # type: ignore[index]
        elif field == "letters":
            assert len(actual["letters"]) == len(value), f"{stem}: number of letters"  # type: ignore[arg-type]
            for got, want in zip(actual["letters"], value):  # type: ignore[call-overload]
                for key in want:
                    assert got[key] == want[key], f"{stem}: {want['kind']} letter {key}"
        else:
            assert actual[field] == value, f"{stem}: {field}"


@pytest.mark.parametrize("stem", SEEDS)
def test_evidence_quotes_the_original(stem: str) -> None:
    """Every span a fact was read from cuts the original file at the quoted words."""
    record = facts.extract(ingest.load(EXAMPLES / f"{stem}.txt"))
    original = record.clean.source.original
    spans = [e for letter in record.letters for e in letter.evidence]
    spans += [letter.signatory.evidence for letter in record.letters if letter.signatory]
    if record.report:
        spans += record.report.evidence
        spans += [record.report.period.evidence] if record.report.period else []
        spans += record.report.troop_strength.evidence if record.report.troop_strength else []
        spans += [i.evidence for i in record.report.incidents]
    assert spans
    for evidence in spans:
        assert original[evidence.start:evidence.end] == evidence.text
        assert evidence.text.strip() == evidence.text
