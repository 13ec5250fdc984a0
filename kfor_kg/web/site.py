"""What the web view shows, read from a build by SPARQL: documents with their header facts,
a document's text with its mentions, an entity's mentions and posts, the events.

Every page's data comes from queries run through `kfor_kg.stats.Corpus`: the shipped
queries and the few of this package (`kfor_kg/web/queries/*.rq`). The texts themselves
are not in the graph: they are read from the report files (`--reports`), found by the
SHA-256 the graph records for each document, so the offsets of the mentions fit.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from kfor_kg.errors import IngestError
from kfor_kg.rdf.iris import entity_path, parse_document
from kfor_kg.stats import SERIES, Corpus, own_query
from kfor_kg.stores import query
from kfor_kg.stores.query import QueryResult

__all__ = ["Site", "Mention", "SourceIndex", "highlight", "WEB_QUERIES"]

WEB_QUERIES = Path(__file__).parent / "queries"


def doc_url(iri: str) -> str | None:
    """The page of a document IRI, or None for another IRI."""
    parsed = parse_document(iri)
    return f"/doc/{parsed[1]}" if parsed else None


def entity_url(iri: str) -> str | None:
    """The page of an entity IRI, or None for another IRI."""
    path = entity_path(iri)
    return f"/entity/{path}" if path and not path.startswith("post/") else None


@dataclass(frozen=True)
class Mention:
    """A stretch of a document's text that names an entity."""

    start: int
    end: int
    entity: str
    type: str
    label: str


def highlight(text: str, mentions: Iterable[Mention]) -> Markup:
    """`text` as HTML with each mention a link to its entity's page.

    Mentions are taken in text order; one that starts inside an earlier one
    (a nested or overlapping mention) is left out, so the markup stays flat.

    >>> str(highlight("Ban Ki-moon <b>", [Mention(0, 11, "https://w3id.org/kfor-kg/id/person/ban-ki-moon",
    ...                                            "Person", "Ban Ki-moon")]))
    '<a class="mention person" id="m0-11" href="/entity/person/ban-ki-moon" title="Ban Ki-moon (Person)">Ban Ki-moon</a> &lt;b&gt;'
    """
    parts: list[str] = []
    at = 0
    for mention in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if mention.start < at or not 0 <= mention.start < mention.end <= len(text):
            continue
        url = entity_url(mention.entity)
        if url is None:
            continue
        parts.append(html.escape(text[at:mention.start], quote=False))
        parts.append(
            f'<a class="mention {html.escape(mention.type.lower())}" id="m{mention.start}-{mention.end}"'
            f' href="{html.escape(url)}" title="{html.escape(mention.label)} ({html.escape(mention.type)})">'
            f'{html.escape(text[mention.start:mention.end], quote=False)}</a>')
        at = mention.end
    parts.append(html.escape(text[at:], quote=False))
    return Markup("".join(parts))


class SourceIndex:
    """The report files under some folders, by the SHA-256 of their bytes (read on first use)."""

    def __init__(self, folders: Iterable[Path]) -> None:
        self.folders = list(folders)
        self._by_hash: dict[str, Path] | None = None
        self._lock = threading.Lock()

    def _index(self) -> dict[str, Path]:
        import hashlib

        from kfor_kg.text.ingest import iter_report_files

        with self._lock:
            if self._by_hash is None:
                found: dict[str, Path] = {}
                for path in iter_report_files(self.folders):
                    try:
                        found.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), path)
                    except OSError:
                        continue  # unreadable: as if absent
                self._by_hash = found
            return self._by_hash

    def text(self, sha256: str) -> tuple[Path, str] | None:
        """The file with these bytes and its text as the build read it; None when not found."""
        from kfor_kg.text.ingest import read_source

        path = self._index().get(sha256)
        if path is None:
            return None
        try:
            return path, read_source(path).original
        except IngestError:
            return None


def _in_context(row: Mapping[str, str]) -> Markup:
    """The sentence of a mention with the mention's words marked (the sentence alone when
    the offsets do not fit it)."""
    sentence = row.get("sentence", "")
    try:
        at = int(row["start"]) - int(row["sentenceStart"])
        end = int(row["end"]) - int(row["sentenceStart"])
    except (KeyError, ValueError):
        return Markup(html.escape(sentence, quote=False))
    if not 0 <= at < end <= len(sentence):
        return Markup(html.escape(sentence, quote=False))
    return Markup(html.escape(sentence[:at], quote=False) + "<mark>"
                  + html.escape(sentence[at:end], quote=False) + "</mark>"
                  + html.escape(sentence[end:], quote=False))


def _rows(result: QueryResult) -> list[dict[str, str]]:
    return [{column: str(cell) for column, cell in zip(result.columns, row)} for row in result.rows]


@dataclass
class Site:
    """The data behind the pages. For a graph file, answers are kept (the file does not
    change while the server runs); an endpoint is asked each time."""

    corpus: Corpus
    sources: SourceIndex
    base: str
    label: str = ""
    _cache: dict[tuple[str, tuple[tuple[str, str], ...]], QueryResult] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, name: str | Path | query.QuerySpec,
            params: Mapping[str, str] | None = None) -> QueryResult:
        """A query's result (shipped name, web query path or spec), cached for a file."""
        key_name = name.name if isinstance(name, query.QuerySpec) else str(name)
        key = (key_name, tuple(sorted((params or {}).items())))
        if self.corpus.endpoint is None:
            with self._lock:
                if key in self._cache:
                    return self._cache[key]
        result = self.corpus.run(name, params)
        if self.corpus.endpoint is None:
            with self._lock:
                self._cache[key] = result
        return result

    def web(self, name: str, **params: str) -> list[dict[str, str]]:
        """Rows of a web query (`kfor_kg/web/queries/NAME.rq`) as dicts."""
        return _rows(self.run(WEB_QUERIES / f"{name}.rq", params))

    def shipped(self, name: str, **params: str) -> list[dict[str, str]]:
        """Rows of a shipped query as dicts."""
        return _rows(self.run(name, params))

    # --- pages -----------------------------------------------------------------

    def documents(self) -> list[dict[str, Any]]:
        """One dict per document with its header facts, in date order."""
        series = {row["doc"]: row for row in _rows(self.run(own_query("series", SERIES)))}
        reports = {row["doc"]: row for row in self.shipped("reports")}
        troops = {row["report"]: row for row in self.shipped("troop_strength")}
        signers: dict[str, list[dict[str, str]]] = {}
        for row in self.shipped("signatories"):
            signers.setdefault(row["doc"], []).append(row)
        documents = []
        for row in self.shipped("documents"):
            doc = row["doc"]
            report = reports.get(doc, {})
            documents.append({
                **row, "url": doc_url(doc), "key": (parse_document(doc) or ("", doc))[1],
                "year": series.get(doc, {}).get("year", ""),
                "force": series.get(doc, {}).get("force", ""),
                "periodStart": report.get("periodStart", ""), "periodEnd": report.get("periodEnd", ""),
                "frequency": report.get("frequency", ""),
                "troops": troops.get(report.get("report", ""), {}),
                "signatories": signers.get(doc, []),
            })
        return documents

    def document(self, key: str) -> dict[str, Any] | None:
        """A document's header facts, text (HTML with highlighted mentions) and entities;
        None when the build has no such document."""
        doc = f"{self.base}doc/{key}"
        facts = self.web("document", doc=doc)
        if not facts:
            return None
        header = facts[0]
        listed = next((d for d in self.documents() if d["doc"] == doc), {})
        mentions = [Mention(int(r["start"]), int(r["end"]), r["entity"], r["type"], r["label"])
                    for r in self.web("document_mentions", doc=doc)]
        incidents = [row for row in self.shipped("incidents") if row["report"] == header["report"]]
        found = self.sources.text(header["sha256"]) if header["sha256"] else None
        entities: dict[str, dict[str, Any]] = {}
        for m in mentions:
            entry = entities.setdefault(m.entity, {"label": m.label, "type": m.type,
                                                   "url": entity_url(m.entity), "count": 0})
            entry["count"] += 1
        return {
            "doc": doc, "key": key, "header": header, "listed": listed, "incidents": incidents,
            "text": highlight(found[1], mentions) if found else None,
            "path": str(found[0]) if found else None,
            "mentions": len(mentions),
            "entities": sorted(entities.values(), key=lambda e: (e["type"], e["label"])),
            "events": [row for row in self.shipped("events") if row["doc"] == doc],
        }

    def entity(self, path: str) -> dict[str, Any] | None:
        """An entity's labels, Wikidata item, mentions (with their sentences) and posts;
        None when the build has no such entity."""
        iri = f"{self.base}{path}"
        facts = self.web("entity", entity=iri)
        if not facts:
            return None
        mentions = self.web("entity_mentions", entity=iri)
        for row in mentions:
            row["url"] = doc_url(row["doc"]) or ""
            row["context"] = _in_context(row)
            row["key"] = (parse_document(row["doc"]) or ("", row["doc"]))[1]
        wikidata = sorted({row["wikidata"] for row in facts if row["wikidata"]})
        return {
            "iri": iri, "label": facts[0]["label"], "type": facts[0]["type"],
            "altLabels": sorted({row["altLabel"] for row in facts if row["altLabel"]}),
            "wikidata": wikidata,
            "mentions": mentions,
            "documents": sorted({row["key"] for row in mentions}),
            "posts": [{**row, "url": doc_url(row["doc"]),
                       "key": (parse_document(row["doc"]) or ("", row["doc"]))[1]}
                      for row in self.web("entity_posts", entity=iri)],
        }

    def events(self) -> list[tuple[str, list[dict[str, str]]]]:
        """Events grouped by year, in date order; undated ones last under ''."""
        rows = self.shipped("events")
        for row in rows:
            row["url"] = doc_url(row["doc"]) or ""
            row["key"] = (parse_document(row["doc"]) or ("", row["doc"]))[1]
        rows.sort(key=lambda r: (r["date"] == "", r["date"], r["doc"], r["event"]))
        years: dict[str, list[dict[str, str]]] = {}
        for row in rows:
            years.setdefault(row["date"][:4], []).append(row)
        return list(years.items())
