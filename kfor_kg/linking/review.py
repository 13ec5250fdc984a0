"""The review file: ambiguous entities written out for a person, decisions read back.

A CSV with the columns REVIEW_COLUMNS, one row per entity key; a person puts a
QID (or `none`) in its `decision` column and the next run applies it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kfor_kg.errors import ConfigError
from kfor_kg.files import write_atomic
from kfor_kg.linking.reconcile import Candidate
from kfor_kg.linking.tables import is_qid

__all__ = ["REVIEW_COLUMNS", "ReviewItem", "read_review_file", "write_review_file"]

REVIEW_COLUMNS = ("entity", "type", "label", "first_report_date", "candidates", "decision")
_DECLINE = {"none", "no", "reject", "rejected", "no-match"}


@dataclass(frozen=True)
class ReviewItem:
    """An entity with several plausible candidates, left for a person to decide."""

    key: str
    kind: str
    label: str
    first_date: date | None
    candidates: tuple[Candidate, ...]


def read_review_file(path: Path) -> dict[str, str | None]:
    """Decisions in a review file, by entity key: a QID, or None for "no link".

    Rows without a decision are left out.

    Raises:
        ConfigError: the file cannot be read, lacks the entity/decision columns, or a
            decision is neither a QID nor 'none'.
    """
    decisions: dict[str, str | None] = {}
    for number, row in _review_rows(path):
        decision = (row.get("decision") or "").strip()
        if not decision:
            continue
        qid = decision.rsplit("/", 1)[-1].removeprefix("wd:")
        if is_qid(qid):
            decisions[row["entity"]] = qid
        elif decision.lower() in _DECLINE:
            decisions[row["entity"]] = None
        else:
            raise ConfigError(f"{path}:{number}: decision {decision!r} for {row['entity']} is "
                              "neither a Wikidata ID (Q123) nor 'none'")
    return decisions


def _review_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    if not path.is_file():
        return
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the review file {path}: {exc}") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames is None or not {"entity", "decision"} <= set(reader.fieldnames):
        raise ConfigError(f"{path} is not a kfor-kg review file: it needs the columns "
                          f"{', '.join(REVIEW_COLUMNS)}")
    for row in reader:
        if row.get("entity"):
            yield reader.line_num, {k: v or "" for k, v in row.items() if k is not None}


def write_review_file(path: Path, review: list[ReviewItem], settled: set[str]) -> None:
    """Rewrite the review file: decided rows and rows of entities not looked at now stay,
    undecided rows of entities that no longer need review go, this run's items are added."""
    rows: dict[str, dict[str, str]] = {}
    for _number, row in _review_rows(path):
        if row.get("decision", "").strip() or row["entity"] not in settled:
            rows[row["entity"]] = {column: row.get(column, "") for column in REVIEW_COLUMNS}
    for item in review:
        decision = rows.get(item.key, {}).get("decision", "")
        rows[item.key] = {
            "entity": item.key, "type": item.kind, "label": item.label,
            "first_report_date": item.first_date.isoformat() if item.first_date else "",
            "candidates": "\n".join(c.summary() for c in item.candidates),
            "decision": decision,
        }
    if not rows and not path.exists():
        return
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=REVIEW_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for key in sorted(rows):
        writer.writerow(rows[key])
    try:
        write_atomic(path, buffer.getvalue(), make_parents=True)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from exc
