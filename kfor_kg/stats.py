"""Figures about a built series: documents per year and force, signatories, entities,
events and the troop-strength range (`kfor-kg stats`).

Every figure comes from SPARQL run through `kfor_kg.stores.query` — the shipped
queries (`signatories`, `entities`, `events`, `troop_strength`) and one query of
this module (`SERIES`, a document's year and force) — so a graph file and a
triplestore holding the same build give the same figures. `Corpus` is the one
place that opens a graph file (once) or an endpoint; `kfor_kg.plot` and the web
view ask it too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kfor_kg.errors import ConfigError
from kfor_kg.rdf.vocab import DEFAULT_BASE
from kfor_kg.stores import query
from kfor_kg.stores.http import RetryPolicy
from kfor_kg.stores.output import Cell, cell_value, format_rows

__all__ = ["SERIES", "Corpus", "Stats", "compute", "stats_json", "format_stats"]

SERIES = """\
# Series: each document with the year it belongs to and the force its report is about.
# Columns: doc, year (of the date of issue, else of the covering letter, else of the end
# of the reporting period), force (the acronym, else the preferred label, of the force the
# report is about, kfor:aboutForce: "KFOR").
PREFIX kfor:    <https://w3id.org/kfor-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema:  <https://schema.org/>
PREFIX skos:    <http://www.w3.org/2004/02/skos/core#>

SELECT ?doc ?year ?force
WHERE {
  ?doc a kfor:Document .
  OPTIONAL { ?doc dcterms:issued ?issued }
  OPTIONAL { ?doc kfor:coveringLetter/schema:dateSent ?letterDate }
  OPTIONAL { ?doc kfor:enclosedReport ?report . ?report kfor:periodEnd ?periodEnd }
  OPTIONAL {
    ?doc kfor:enclosedReport/kfor:aboutForce ?about .
    OPTIONAL { ?about kfor:acronym ?acronym }
    OPTIONAL { ?about skos:prefLabel ?aboutLabel }
  }
  BIND (YEAR(COALESCE(?issued, ?letterDate, ?periodEnd)) AS ?year)
  BIND (COALESCE(?acronym, ?aboutLabel) AS ?force)
}
ORDER BY ?doc
"""


class Corpus:
    """A built series to ask: a graph file (read once, on first use), a loaded graph or
    Oxigraph store, or a SPARQL endpoint.

    `default_graphs` (endpoint only) are the graphs whose union the queries see,
    as `kfor-kg query --endpoint` finds them; `retry` how often a failed request is
    tried again.
    """

    def __init__(self, data: Path | str | Any | None = None, endpoint: str | None = None, *,
                 default_graphs: Sequence[str] | None = None, timeout: float | None = None,
                 retry: RetryPolicy | None = None, base: str = DEFAULT_BASE,
                 data_format: str | None = None) -> None:
        if (data is None) == (endpoint is None):
            raise ConfigError("give either a graph file or a SPARQL endpoint URL")
        self.endpoint = endpoint
        self.default_graphs = default_graphs
        self.timeout = timeout
        self.retry = retry
        self.base = base
        self.data_format = data_format
        self._graph: Any = None
        self._path: Path | None = None
        if isinstance(data, (str, Path)):
            self._path = Path(data)
        else:
            self._graph = data

    @property
    def graph(self) -> Any:
        """The loaded graph (None for an endpoint); a file is read on first use.

        Raises:
            ConfigError, IngestError: as `kfor_kg.stores.query.load`.
        """
        if self._graph is None and self._path is not None:
            self._graph = query.load(self._path, self.data_format)
        return self._graph

    def run(self, name_or_spec: str | Path | query.QuerySpec,
            params: Mapping[str, Any] | None = None) -> query.QueryResult:
        """Rows of a query (shipped name, .rq path or spec) on this corpus.

        Raises:
            QueryError, IngestError, StoreError: as `kfor_kg.stores.query.run`.
        """
        if self.endpoint is not None:
            extra: dict[str, Any] = {} if self.timeout is None else {"timeout": self.timeout}
            return query.run(name_or_spec, endpoint=self.endpoint, params=params,
                             default_graphs=self.default_graphs, base=self.base,
                             retry=self.retry, **extra)
        return query.run(name_or_spec, data=self.graph, params=params, base=self.base)


def own_query(name: str, text: str) -> query.QuerySpec:
    """A query of kfor-kg's own given as text (not a shipped file), header read as a file's."""
    return query.parse_query(text, Path(f"<{name}>"))


@dataclass
class Table:
    """One section of the figures: a title and typed rows."""

    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


@dataclass
class Stats:
    """The figures of a series, section by section (see `compute`)."""

    documents: int
    sections: dict[str, Table]


def _int(value: int | None) -> Cell:
    return Cell("", "null") if value is None else Cell(str(value), "integer")


def _text(value: str) -> Cell:
    return Cell(value, "string") if value else Cell("", "null")


def compute(corpus: Corpus) -> Stats:
    """The figures of `corpus`.

    Sections: `years` (documents per year), `forces` (documents per force),
    `signatories` (letters per person and post, first and last letter date),
    `entities` (distinct entities per type and the documents that mention them),
    `events` (events per type, how many dated), `troops` (the troop-strength range:
    lowest and highest figure with their dates, and how many reports give one).

    Raises:
        QueryError, IngestError, StoreError: the data cannot be read or queried.
    """
    series = corpus.run(own_query("series", SERIES)).rows
    years = Counter(str(row[1]) for row in series)
    forces = Counter(str(row[2]) for row in series)
    sections: dict[str, Table] = {}
    sections["years"] = Table("Documents per year", ["year", "documents"], [
        [_int(int(year)) if year else _text(""), _int(n)]
        for year, n in sorted(years.items(), key=lambda item: (item[0] == "", item[0]))])
    sections["forces"] = Table("Documents per force", ["force", "documents"], [
        [_text(force), _int(n)]
        for force, n in sorted(forces.items(), key=lambda item: (-item[1], item[0]))])

    letters: dict[tuple[str, str, str], list[str]] = {}
    for row in corpus.run("signatories").rows:
        _doc, date, name, role, organization = (str(cell) for cell in row)
        letters.setdefault((name, role, organization), []).append(date)
    sections["signatories"] = Table(
        "Signatories", ["name", "role", "organization", "letters", "first", "last"],
        [[_text(name), _text(role), _text(organization), _int(len(dates)),
          _text(min((d for d in dates if d), default="")),
          _text(max((d for d in dates if d), default=""))]
         for (name, role, organization), dates in sorted(
             letters.items(), key=lambda item: (min((d for d in item[1] if d), default="9999"),
                                                item[0]))])

    entities: dict[str, set[str]] = {}
    mentioned_in: dict[str, set[str]] = {}
    for row in corpus.run("entities").rows:
        entity, kind, _label, doc = (str(cell) for cell in row[:4])
        entities.setdefault(kind, set()).add(entity)
        mentioned_in.setdefault(kind, set()).add(doc)
    sections["entities"] = Table("Entities by type", ["type", "entities", "documents"], [
        [_text(kind), _int(len(entities[kind])), _int(len(mentioned_in[kind]))]
        for kind in sorted(entities)])

    events: Counter[str] = Counter()
    dated: Counter[str] = Counter()
    for row in corpus.run("events").rows:
        kind, date = str(row[1]), str(row[2])
        events[kind] += 1
        dated[kind] += bool(date)
    sections["events"] = Table("Events by type", ["type", "events", "dated"], [
        [_text(kind), _int(n), _int(dated[kind])]
        for kind, n in sorted(events.items(), key=lambda item: (-item[1], item[0]))])

    figures = [(int(row[2]), str(row[1]), str(row[3]) == "true")
               for row in corpus.run("troop_strength").rows if str(row[2])]
    troops = Table("Troop strength", ["measure", "troops", "asAt", "approximate"])
    if figures:
        chosen = [("lowest", min(figures, key=lambda f: (f[0], f[1]))),
                  ("highest", max(figures, key=lambda f: (f[0], f[1])))]
        dated_figures = sorted((f for f in figures if f[1]), key=lambda f: f[1])
        if dated_figures:
            chosen += [("first", dated_figures[0]), ("latest", dated_figures[-1])]
        for measure, (number, as_at, approximate) in chosen:
            troops.rows.append([_text(measure), _int(number), _text(as_at),
                                Cell("true" if approximate else "false", "boolean")])
    sections["troops"] = troops
    return Stats(documents=len(series), sections=sections)


def stats_json(stats: Stats) -> dict[str, Any]:
    """The figures as JSON-ready data: numbers as numbers, missing values as null."""
    payload: dict[str, Any] = {"documents": stats.documents}
    for key, table in stats.sections.items():
        payload[key] = [{column: cell_value(cell) for column, cell in zip(table.columns, row)}
                        for row in table.rows]
    return payload


def format_stats(stats: Stats, fmt: str = "table") -> str:
    """The figures as text: `table` (one titled table per section) or `json`.

    Raises:
        ConfigError: another format.
    """
    if fmt == "json":
        import json

        return json.dumps(stats_json(stats), indent=2, ensure_ascii=False) + "\n"
    if fmt != "table":
        raise ConfigError(f"unknown stats format {fmt!r}; use table or json")
    parts = [f"Documents: {stats.documents}\n"]
    for table in stats.sections.values():
        body = format_rows(table.columns, table.rows, "table") if table.rows else "(none)\n"
        parts.append(f"{table.title}\n{body}")
    return "\n".join(parts)
