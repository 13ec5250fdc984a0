"""Score a graph against hand-made gold annotations: precision, recall and F1 per type.

Gold (tests/gold/README.md): one JSON file per document, named after the input
file's stem, listing per type the things the document mentions. An entry is a
name or a list of names (the first the usual one, the others accepted
aliases):

    {"source": "examples/reports/kfor_2020-Q4_guterres.txt",
     "Person": ["Jakup Krasniqi", ["Hashim Thaçi", "Hasim Thaci"]],
     "Organization": [...], "Place": [...], "Resolution": [...],
     "Event": [{"type": "arrest", "date": "2020-11-04", "label": "..."}]}

Events may also sit in ``events/<stem>.json`` under the key ``"events"``.
``thresholds.json`` in the folder holds recorded minimum figures, not a document.

Predictions are read from the graph with the shipped ``entities`` and
``events`` queries; documents are matched to gold files by the stem of
``kfor:sourceFile``. Scoring is entity-level, per document: a thing counts
once per document that mentions it. A predicted entity is right when its
preferred label matches one of a gold entry's names (ignoring case,
diacritics and a leading "the"); each gold entry is matched at most once, so
one thing under two IRIs costs a false positive. Events match on document,
type and date (a gold month "2007-08" accepts any day of that month; a gold
date null accepts only an undated event). Scores are micro-averaged over the
documents; a gold document the graph lacks (refused by the build, or not
built) counts as everything missed, so refusing a hard report never raises a
score. Header facts: see `kfor_kg.evaluate_facts`.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from rdflib import Graph

from kfor_kg.lexicon.gazetteer import match_key
from kfor_kg.errors import ConfigError, QueryError
from kfor_kg.evaluate_facts import FIELDS as FACT_FIELDS, compare, predicted_facts
from kfor_kg.rdf.vocab import KFOR

__all__ = ["ENTITY_TYPES", "EVENT", "Score", "EvaluationReport", "GoldDocument", "load_gold",
           "evaluate", "format_table", "below_thresholds", "load_thresholds"]

ENTITY_TYPES = ("Person", "Organization", "Place", "Resolution")
EVENT = "Event"
FACTS = "facts"                     # header facts: a "facts" object, or facts/<stem>.json
THRESHOLDS = "thresholds.json"      # in a gold folder: the recorded figures, not a document


@dataclass
class Score:
    """Counts and P/R/F1 of one type (micro-averaged)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if not self.fn else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn


@dataclass(frozen=True)
class Error:
    """A false positive (predicted, not in gold) or false negative (gold, not predicted)."""

    document: str
    type: str
    kind: str       # "fp" | "fn"
    item: str


@dataclass
class EvaluationReport:
    """Scores per type, per document and type, and every error."""

    scores: dict[str, Score] = field(default_factory=dict)
    documents: dict[str, dict[str, Score]] = field(default_factory=dict)
    errors: list[Error] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)     # gold documents not in the graph
    # Header facts: "facts.<field>" over the folder and "<group>/facts.<field>" per source folder.
    facts: dict[str, Score] = field(default_factory=dict)
    groups: dict[str, int] = field(default_factory=dict)  # source folder -> documents with fact gold

    def score(self, type_: str) -> Score:
        return self.scores.get(type_) or self.facts.get(type_, Score())


@dataclass
class GoldDocument:
    stem: str
    entities: dict[str, list[tuple[str, ...]]]           # type -> entries (names)
    events: list[dict[str, Any]] | None = None           # None: no event gold for this document
    facts: dict[str, Any] | None = None                  # None: no header-fact gold
    group: str = ""                                      # the folder of its source ("dev", "siblings")


# --- gold -----------------------------------------------------------------------------


def _entry(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str) and value.strip():
        return (value,)
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return (value["name"], *[a for a in value.get("aliases", []) if isinstance(a, str)])
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(value)
    raise ConfigError(f"{where}: a gold entry is a name or a list of names, got {value!r}")


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ConfigError(f"{path}: cannot read the gold file ({e})") from e
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a gold file holds a JSON object")
    return data


def load_gold(gold_dir: Path) -> dict[str, GoldDocument]:
    """The gold documents of a folder, by input-file stem.

    Raises:
        ConfigError: the folder has no gold file, or a file is malformed.
    """
    if not gold_dir.is_dir():
        raise ConfigError(f"gold folder {gold_dir} does not exist")
    gold: dict[str, GoldDocument] = {}
    for path in sorted(gold_dir.glob("*.json")):
        if path.name == THRESHOLDS:
            continue
        data = _read_json(path)
        stem = PurePosixPath(str(data.get("source", path.stem))).stem if data.get("source") else path.stem
        if stem != path.stem:
            raise ConfigError(f"{path}: the file is named after {path.stem!r} but its source is {stem!r}")
        entities = {t: [_entry(v, f"{path} {t}") for v in data.get(t, [])] for t in ENTITY_TYPES}
        events = data.get(EVENT)
        facts = data.get(FACTS)
        group = PurePosixPath(str(data["source"])).parent.name if data.get("source") else ""
        gold[path.stem] = GoldDocument(path.stem, entities, list(events) if events is not None else None,
                                       dict(facts) if isinstance(facts, dict) else None, group)
    events_dir = gold_dir / "events"
    if events_dir.is_dir():
        for path in sorted(events_dir.glob("*.json")):
            data = _read_json(path)
            events = data.get("events", data.get(EVENT))
            if events is None:
                continue
            doc = gold.setdefault(path.stem, GoldDocument(path.stem, {t: [] for t in ENTITY_TYPES}))
            doc.events = [*(doc.events or []), *events]
    facts_dir = gold_dir / FACTS
    if facts_dir.is_dir():
        for path in sorted(facts_dir.glob("*.json")):
            doc = gold.setdefault(path.stem, GoldDocument(path.stem, {t: [] for t in ENTITY_TYPES}))
            doc.facts = doc.facts or _read_json(path)
    if not gold:
        raise ConfigError(f"no gold files (*.json) in {gold_dir}")
    for doc in gold.values():
        for ev in doc.events or []:
            if not isinstance(ev, dict) or not isinstance(ev.get("type"), str):
                raise ConfigError(f"gold {doc.stem}: an event needs a type, got {ev!r}")
    return gold


# --- predictions ------------------------------------------------------------------------


def _rows(name: str, graph: Graph) -> list[dict[str, str]]:
    from kfor_kg.stores import query

    result = query.run(name, data=graph)
    return [dict(zip(result.columns, row)) for row in result.rows]


def _documents(graph: Graph) -> dict[str, str]:
    """Document IRI -> stem of its source file."""
    from rdflib import Dataset

    data = Dataset(store=graph.store, default_union=True) if graph.context_aware else graph
    out: dict[str, str] = {}
    for doc, file_name in data.subject_objects(KFOR.sourceFile):
        out[str(doc)] = PurePosixPath(str(file_name)).stem
    return out


def _norm_type(value: str) -> str:
    local = re.split(r"[#/]", value)[-1]
    return re.sub(r"[^a-z0-9]", "", local.lower())


G = TypeVar("G")
P = TypeVar("P")


def _match(gold: Sequence[G], predicted: Sequence[P],
           fits: Callable[[G, P], bool]) -> tuple[Score, list[P], list[G]]:
    """Match predictions, in their order, one-to-one to the first unused gold entry they fit.

    Returns the score, the unmatched predictions (false positives) and the unmatched
    gold entries (false negatives).
    """
    used: set[int] = set()
    fps: list[P] = []
    for item in predicted:
        hit = next((i for i, entry in enumerate(gold) if i not in used and fits(entry, item)), None)
        if hit is None:
            fps.append(item)
        else:
            used.add(hit)
    fns = [entry for i, entry in enumerate(gold) if i not in used]
    return Score(len(predicted) - len(fps), len(fps), len(fns)), fps, fns


def _match_entities(gold: list[tuple[str, ...]], predicted: list[tuple[str, str]]) -> tuple[Score, list[str], list[str]]:
    """Match predicted (entity, label) pairs to gold entries (names) one-to-one."""
    entries = [(names, {match_key(n) for n in names}) for names in gold]
    labels = [label for _, label in sorted(predicted, key=lambda p: (p[1], p[0]))]
    score, fps, fns = _match(entries, labels, lambda entry, label: match_key(label) in entry[1])
    return score, fps, [names[0] for names, _keys in fns]


def _date_ok(gold: str | None, predicted: str) -> bool:
    if not gold:
        return not predicted
    if len(gold) < 10:          # a month or a year: any date within it
        return predicted.startswith(gold)
    return predicted == gold


def _match_events(gold: list[dict[str, Any]], predicted: list[dict[str, str]]) -> tuple[Score, list[str], list[str]]:
    """Match predicted event rows to gold events on type and date, one-to-one."""
    rows = sorted(predicted, key=lambda r: (r.get("date", ""), r.get("type", ""), r.get("event", "")))
    score, fps, fns = _match(gold, rows, lambda g, row: (
        _norm_type(g["type"]) == _norm_type(row.get("type", ""))
        and _date_ok(g.get("date"), row.get("date", ""))))
    return (score,
            [f"{r.get('type', '')} {r.get('date', '')} {r.get('label', '')}".strip() for r in fps],
            [f"{g['type']} {g.get('date') or ''} {g.get('label', '')}".strip() for g in fns])


def evaluate(gold_dir: Path, graph: Graph) -> EvaluationReport:
    """Score `graph` (a Graph or Dataset) against the gold annotations in `gold_dir`.

    Raises:
        ConfigError: the gold folder or a gold file is malformed.
        QueryError: the predictions cannot be read from the graph.
    """
    gold = load_gold(gold_dir)
    stems = _documents(graph)
    by_doc: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
    for row in _rows("entities", graph):
        stem = stems.get(row["doc"])
        if stem is not None and row["type"] in ENTITY_TYPES:
            pair = (row["entity"], row["label"])
            if pair not in by_doc[stem][row["type"]]:
                by_doc[stem][row["type"]].append(pair)
    events_by_doc: dict[str, list[dict[str, str]]] = defaultdict(list)
    wants_events = any(g.events is not None for g in gold.values())
    if wants_events:
        try:
            rows = _rows("events", graph)
        except QueryError:
            rows = []           # no events query installed: every gold event is missed
        for row in rows:
            stem = stems.get(row.get("doc", ""))
            if stem is not None:
                events_by_doc[stem].append(row)
    report = EvaluationReport()
    types = [*ENTITY_TYPES, *([EVENT] if wants_events else [])]
    for t in types:
        report.scores[t] = Score()
    present = set(stems.values())
    for stem, doc in sorted(gold.items()):
        if stem not in present:
            # Not built (refused, or not given): everything its gold lists is missed.
            report.missing.append(stem)
        per: dict[str, Score] = {}
        for t in ENTITY_TYPES:
            score, fps, fns = _match_entities(doc.entities.get(t, []), by_doc[stem][t])
            per[t] = score
            report.errors += [Error(stem, t, "fp", x) for x in fps] + [Error(stem, t, "fn", x) for x in fns]
        if doc.events is not None:
            score, fps, fns = _match_events(doc.events, events_by_doc[stem])
            per[EVENT] = score
            report.errors += [Error(stem, EVENT, "fp", x) for x in fps] + [Error(stem, EVENT, "fn", x) for x in fns]
        for t, s in per.items():
            report.scores[t].add(s)
        report.documents[stem] = per
    _score_facts(report, gold, stems, graph)
    return report


def _score_facts(report: EvaluationReport, gold: dict[str, GoldDocument], stems: dict[str, str],
                 graph: Graph) -> None:
    """Score the header facts; a gold document missing from the graph misses all its facts."""
    if not any(doc.facts is not None for doc in gold.values()):
        return
    predicted = predicted_facts(graph)
    by_stem = {stem: predicted[doc] for doc, stem in sorted(stems.items()) if doc in predicted}
    for stem, doc in sorted(gold.items()):
        if doc.facts is None:
            continue
        report.groups[doc.group] = report.groups.get(doc.group, 0) + 1
        for name in FACT_FIELDS:
            for key in (f"facts.{name}", f"{doc.group}/facts.{name}"):
                report.facts.setdefault(key, Score())
        for name, outcome, detail in compare(doc.facts, by_stem.get(stem)):
            for key in (f"facts.{name}", f"{doc.group}/facts.{name}"):
                setattr(report.facts[key], outcome, getattr(report.facts[key], outcome) + 1)
            if outcome != "tp":
                report.errors.append(Error(stem, f"facts.{name}", outcome, detail))


# --- output and thresholds ------------------------------------------------------------------


def format_table(report: EvaluationReport, *, errors: bool = False) -> str:
    """The scores as a text table: type, P, R, F1, tp, fp, fn (and the errors, if asked)."""
    lines = [f"{'type':<14}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>6}{'fn':>6}"]
    for t, s in report.scores.items():
        lines.append(f"{t:<14}{s.precision:>7.3f}{s.recall:>7.3f}{s.f1:>7.3f}{s.tp:>6}{s.fp:>6}{s.fn:>6}")
    if report.missing:
        lines.append(f"documents with gold but not in the graph: {', '.join(report.missing)}")
    if report.facts:
        groups = sorted(report.groups)
        lines.append("")
        lines.append("header facts, P/R per field (" + ", ".join(
            f"{g or 'gold'}: {report.groups[g]} documents" for g in groups) + ")")
        lines.append(f"{'field':<24}" + "".join(f"{(g or 'gold')[:16]:>18}" for g in groups)
                     + f"{'all':>18}{'tp':>5}{'fp':>4}{'fn':>4}")
        for name in FACT_FIELDS:
            total = report.facts[f"facts.{name}"]
            cells = [report.facts[f"{g}/facts.{name}"] for g in groups]
            lines.append(f"{name:<24}" + "".join(f"{_pr(c):>18}" for c in cells)
                         + f"{_pr(total):>18}{total.tp:>5}{total.fp:>4}{total.fn:>4}")
    if errors:
        for e in sorted(report.errors, key=lambda e: (e.document, e.type, e.kind, e.item)):
            lines.append(f"{e.kind}  {e.document}  {e.type}: {e.item}")
    return "\n".join(lines)


def _pr(score: Score) -> str:
    """ "P/R" of a score, or "-" when nothing was expected or found."""
    if not (score.tp or score.fp or score.fn):
        return "-"
    return f"{score.precision:.2f}/{score.recall:.2f}"


def split_name(gold_dir: Path) -> str | None:
    """The name of the split a gold folder is ("tune", "dev"): `_split` in its thresholds.json."""
    path = gold_dir / THRESHOLDS
    if not path.exists():
        return None
    name = _read_json(path).get("_split")
    return name if isinstance(name, str) else None


def load_thresholds(path: Path) -> dict[str, dict[str, float]]:
    """Recorded minimum figures: {"Person": {"f1": 0.95, ...}, ...}.

    Raises:
        ConfigError: the file is missing or malformed.
    """
    data = _read_json(path)
    out: dict[str, dict[str, float]] = {}
    for t, figures in data.items():
        if t.startswith("_"):
            continue
        if not isinstance(figures, Mapping):
            raise ConfigError(f"{path}: {t!r} needs an object of figures")
        out[t] = {k: float(v) for k, v in figures.items() if k in ("precision", "recall", "f1")}
    return out


def below_thresholds(report: EvaluationReport, thresholds: Mapping[str, Mapping[str, float]]) -> list[str]:
    """What falls below the recorded figures, one line each (empty when all hold)."""
    failures: list[str] = []
    for t, figures in thresholds.items():
        s = report.score(t)
        for name, minimum in figures.items():
            value = getattr(s, name)
            if value + 1e-9 < minimum:
                failures.append(f"{t} {name} {value:.3f} < {minimum:.3f}")
    return failures
