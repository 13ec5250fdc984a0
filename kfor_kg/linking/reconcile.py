"""The reconciler: names looked up on a Wikidata SPARQL endpoint, and candidates checked.

`reconcile_query` builds the SELECT query for a batch of names (any name stays
one literal), `lookup` answers names from the per-name cache or from batched
queries, and `candidates` gathers the answers for one entity into type- and
date-checked `Candidate`s, best first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from rdflib import Literal, URIRef
from rdflib.term import Node

from kfor_kg.errors import ConfigError, LinkError
from kfor_kg.linking.tables import TypeRule, is_qid
from kfor_kg.linking.wikidata import SparqlClient
from kfor_kg.stores.http import RequestFailed
from kfor_kg.stores.sparql import Row, is_language_tag, term_n3

__all__ = ["Candidate", "is_language_tag", "reconcile_query", "lookup",
           "candidates"]

_WIKIDATA_DATE = re.compile(r"^(-?)(\d+)-(\d\d)-(\d\d)")
# How a name matched on Wikidata; times the weight of the name of ours = candidate score.
_VIA_WEIGHTS = {"label": 1.0, "alias": 0.9, "symbol": 1.0}


@dataclass(frozen=True)
class Candidate:
    """A Wikidata item found for an entity, with what the checks said."""

    qid: str
    label: str
    description: str
    score: float
    matched: str            # the name of ours that matched
    via: str                # "label", "alias" or "symbol"
    typed: bool             # passes the type check
    dates_ok: bool          # passes the date check (True when not checked)
    birth: date | None = None
    death: date | None = None

    def summary(self) -> str:
        """One line for the review file: QID, label, description, dates, score."""
        text = f"{self.qid}: {self.label or '(no label)'}"
        if self.description:
            text += f" — {self.description}"
        life = [f"born {self.birth.isoformat()}" if self.birth else "",
                f"died {self.death.isoformat()}" if self.death else ""]
        if any(life):
            text += " (" + ", ".join(part for part in life if part) + ")"
        return text + f" [score {self.score:.2f}]"


_PREFIXES = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
"""


def _type_test(rule: TypeRule) -> str:
    path = "wdt:P31/wdt:P279*" if rule.subclasses else "wdt:P31"
    tests = []
    if rule.instance_of:
        classes = " ".join(f"wd:{qid}" for qid in rule.instance_of)  # validated QIDs
        tests.append(f"EXISTS {{ ?item {path} ?class . VALUES ?class {{ {classes} }} }}")
    if rule.class_labels:
        labels = " ".join(term_n3(Literal(label, lang="en")) for label in rule.class_labels)
        tests.append(f"EXISTS {{ ?item {path} ?class . ?class rdfs:label ?classLabel . "
                     f"VALUES ?classLabel {{ {labels} }} }}")
    return " || ".join(tests) or "true"


def reconcile_query(names: Sequence[Literal], rule: TypeRule, language: str = "en") -> str:
    r"""The SELECT query looking up `names` for entities of `rule.kind`.

    Names enter the query only as literals serialized by `term_n3` (quotes,
    backslashes and newlines escaped) inside a VALUES block, so no name can end
    the literal or change the query. People and the like are matched on
    rdfs:label and skos:altLabel in the name's language; resolutions on their UN
    symbol (wdt:P3069). Each row says whether the item passes the type check.

    >>> q = reconcile_query([Literal('Robert "Bob" } DROP ALL {', lang="en")],
    ...                     TypeRule("Person", ("Q5",)))
    >>> '"Robert \\"Bob\\" } DROP ALL {"@en' in q
    True

    Raises:
        ConfigError: `language` is not a language tag.
    """
    if not is_language_tag(language):
        raise ConfigError(f"{language!r} is not a language tag such as 'en'")
    lang = term_n3(Literal(language))
    values = "\n    ".join(term_n3(name) for name in names)
    if rule.kind == "Resolution":
        match = "?item wdt:P3069 ?name . BIND(\"symbol\" AS ?via)"
    else:
        match = ("{ ?item rdfs:label ?name . BIND(\"label\" AS ?via) }\n  UNION\n"
                 "  { ?item skos:altLabel ?name . BIND(\"alias\" AS ?via) }")
    dates = ""
    variables = "?name ?item ?via ?label ?description ?typed"
    if rule.dates:
        dates = ("  OPTIONAL { ?item wdt:P569 ?birth }\n"
                 "  OPTIONAL { ?item wdt:P570 ?death }\n")
        variables += " ?birth ?death"
    return (f"{_PREFIXES}SELECT {variables} WHERE {{\n"
            f"  VALUES ?name {{\n    {values}\n  }}\n"
            f"  {match}\n"
            f"  FILTER(STRSTARTS(STR(?item), \"http://www.wikidata.org/entity/Q\"))\n"
            f"  OPTIONAL {{ ?item rdfs:label ?label . FILTER(LANG(?label) = {lang}) }}\n"
            f"  OPTIONAL {{ ?item schema:description ?description . "
            f"FILTER(LANG(?description) = {lang}) }}\n"
            f"{dates}"
            f"  BIND({_type_test(rule)} AS ?typed)\n"
            f"}}\n")


def _text(row: Row, name: str) -> str:
    """The string of a result cell; empty when unbound."""
    value = row.get(name)
    return "" if value is None else str(value)


def _wikidata_date(value: Node | None) -> date | None:
    """A Wikidata time value as a date; year-precision values have month and day 01."""
    if not isinstance(value, Literal):
        return None
    match = _WIKIDATA_DATE.match(str(value))
    if not match:
        return None
    sign, year, month, day = match.groups()
    if sign or int(year) < 1:
        return date.min
    if int(year) > 9999:
        return date.max
    try:
        return date(int(year), max(1, int(month)), max(1, int(day)))
    except ValueError:
        return None


def lookup(names: list[Literal], rule: TypeRule, client: SparqlClient, language: str,
           batch_size: int, rejected: dict[Literal, str] | None = None
           ) -> dict[Literal, list[Row] | None]:
    """Rows per name: from the per-name cache, else from batched queries (None offline).

    A batch the endpoint rejects (an HTTP error that is not about the server as
    a whole, such as 400 or 500) is split in halves until the names it rejects
    are alone: those get no rows, are not cached, and are put in `rejected`
    with the endpoint's reason; every other name is still looked up.

    Raises:
        LinkError: the endpoint cannot be reached or failed for good, or the cache
            cannot be written.
    """
    answers: dict[Literal, list[Row] | None] = {}
    missing: list[Literal] = []
    for name in names:
        rows = client.cached(reconcile_query([name], rule, language))
        answers[name] = rows
        if rows is None:
            missing.append(name)
    if client.offline:
        return answers
    for start in range(0, len(missing), batch_size):
        _fetch(missing[start:start + batch_size], rule, client, language, answers,
               {} if rejected is None else rejected)
    return answers


def _fetch(batch: list[Literal], rule: TypeRule, client: SparqlClient, language: str,
           answers: dict[Literal, list[Row] | None], rejected: dict[Literal, str]) -> None:
    try:
        fetched = client.fetch(reconcile_query(batch, rule, language))
    except LinkError as error:
        failure = error.__cause__
        if not isinstance(failure, RequestFailed) or failure.status is None or failure.fatal:
            raise
        if len(batch) == 1:
            answers[batch[0]] = []
            rejected[batch[0]] = failure.text
            return
        half = len(batch) // 2
        _fetch(batch[:half], rule, client, language, answers, rejected)
        _fetch(batch[half:], rule, client, language, answers, rejected)
        return
    by_name: dict[Literal, list[Row]] = {name: [] for name in batch}
    for row in fetched:
        term = row.get("name")
        if isinstance(term, Literal):  # as sent: language-tagged or plain, no datatype
            sent = Literal(str(term), lang=term.language) if term.language else Literal(str(term))
            if sent in by_name:
                by_name[sent].append(row)
    for name in batch:
        # Cached under the one-name query, so a later run with other batches reuses it.
        client.store(reconcile_query([name], rule, language), by_name[name])
        answers[name] = by_name[name]


@dataclass
class _Found:
    """What the rows say about one item, gathered over all names of an entity."""

    score: float = -1.0
    matched: str = ""
    via: str = ""
    label: str = ""
    description: str = ""
    typed: bool = False
    births: list[date] = field(default_factory=list)
    deaths: list[date] = field(default_factory=list)


def candidates(names: Sequence[tuple[Literal, float]], first_date: date | None, rule: TypeRule,
               answers: dict[Literal, list[Row] | None], grace_years: float) -> list[Candidate]:
    """The items found for an entity's (name, weight) pairs, type- and date-checked, best first.

    A person's dates fit when the item was born before `first_date` (the earliest
    report mentioning them) and did not die more than `grace_years` before it.
    """
    found: dict[str, _Found] = {}
    for name, weight in names:
        for row in answers.get(name) or ():
            item = row.get("item")
            qid = str(item).rsplit("/", 1)[-1]
            if not isinstance(item, URIRef) or not is_qid(qid):
                continue
            via = _text(row, "via")
            score = round(weight * _VIA_WEIGHTS.get(via, 0.0), 4)
            entry = found.setdefault(qid, _Found())
            if score > entry.score:
                entry.score, entry.matched, entry.via = score, str(name), via
            entry.label = entry.label or _text(row, "label")
            entry.description = entry.description or _text(row, "description")
            entry.typed = entry.typed or _text(row, "typed") in ("true", "1")
            for when, bucket in ((_wikidata_date(row.get("birth")), entry.births),
                                 (_wikidata_date(row.get("death")), entry.deaths)):
                if when is not None:
                    bucket.append(when)
    result = []
    for qid, entry in found.items():
        # Several values: take the most lenient (earliest birth, latest death).
        birth = min(entry.births, default=None)
        death = max(entry.deaths, default=None)
        dates_ok = True
        if rule.dates and first_date is not None:
            earliest_death = first_date - timedelta(days=round(365.25 * grace_years))
            dates_ok = ((birth is None or birth < first_date)
                        and (death is None or death >= earliest_death))
        result.append(Candidate(qid, entry.label, entry.description, entry.score,
                                entry.matched, entry.via, entry.typed, dates_ok, birth, death))
    return sorted(result, key=lambda c: (-c.score, int(c.qid[1:])))
