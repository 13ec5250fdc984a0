"""Score the header facts of a built graph against gold: precision and recall per field.

The gold of a document is the ``facts`` object of its gold file (or
``facts/<stem>.json`` in the gold folder), in the shapes of
tests/gold/README.md. The predictions are read back from the graph (what a
user gets), not from the extractor. A field the gold does not list is not
scored (the seed gold has no letter ``form``, for example).

Per field and document: gold and prediction equal → a true positive; both
stated but different → a false positive and a false negative; only the gold
states it → a false negative; only the prediction → a false positive; neither
→ nothing. Letters are matched by kind (covering, annex); incident counts are
a set of (category, count) pairs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rdflib import Dataset, Graph, URIRef
from rdflib.term import Node

from kfor_kg.lexicon.gazetteer import alias_table, match_key
from kfor_kg.rdf.iris import entity_kind_and_key, slug
from kfor_kg.rdf.vocab import DCTERMS, KFOR, ORG, RDF, SCHEMA, SKOS

__all__ = ["FIELDS", "predicted_facts", "compare"]

# The scored fields, in table order.
FIELDS = ("symbol", "issued", "originalLanguage", "letter.form", "letter.date", "letter.sender",
          "letter.recipient", "signatory", "signatory.post", "letter.originalLanguage", "period",
          "frequency", "troops", "asAt", "approximate", "nonNatoTroops", "natoNations",
          "nonNatoNations", "incidents", "totalIncidents", "force", "mission_area")

# The troop-strength fields: the gold's keys, also the local names of their kfor: properties.
_STRENGTH = ("troops", "asAt", "approximate", "nonNatoTroops", "natoNations", "nonNatoNations")


def _union(graph: Graph) -> Graph:
    return Dataset(store=graph.store, default_union=True) if graph.context_aware else graph


def _one(g: Graph, s: Node | None, p: URIRef) -> Node | None:
    if s is None:
        return None
    return min(g.objects(s, p), key=str, default=None)


def _text(node: Node | None) -> str | None:
    return None if node is None else str(node)


def _lang(node: Node | None) -> str | None:
    return None if node is None else str(node).rsplit("/", 1)[-1]


def _office(g: Graph, post: Node | None) -> dict[str, str] | None:
    if post is None:
        return None
    role = _text(_one(g, _one(g, post, ORG.role), SKOS.prefLabel))
    org = _one(g, post, ORG.postIn)
    parsed = entity_kind_and_key(str(org)) if org is not None else None
    if role is None or parsed is None:
        return None
    return {"role": role, "organization": parsed[1]}


def _force_names(g: Graph, force: Node | None) -> list[str] | None:
    """The names of a force: its labels and the gazetteer's names for its key."""
    if force is None:
        return None
    names = [str(x) for p in (SKOS.prefLabel, SKOS.altLabel, KFOR.acronym) for x in g.objects(force, p)]
    parsed = entity_kind_and_key(str(force))
    thing = alias_table().get("Organization", parsed[1]) if parsed else None
    if thing is not None:
        names += list(alias_table().surfaces(thing))
    return sorted(set(names))


def _letter(g: Graph, node: Node, kind: str) -> dict[str, Any]:
    person = _one(g, node, KFOR.signatory)
    signed_as = _office(g, _one(g, node, KFOR.signedAs))
    return {
        "kind": kind,
        "form": "note verbale" if (node, RDF.type, KFOR.NoteVerbale) in g else "letter",
        "date": _text(_one(g, node, SCHEMA.dateSent)),
        "sender": _office(g, _one(g, node, SCHEMA.sender)),
        "recipient": _office(g, _one(g, node, SCHEMA.recipient)),
        "signatory": _text(_one(g, person, SKOS.prefLabel)),
        "role": signed_as["role"] if signed_as else None,
        "organization": signed_as["organization"] if signed_as else None,
        "originalLanguage": _lang(_one(g, node, KFOR.originalLanguage)),
    }


def predicted_facts(graph: Graph) -> dict[str, dict[str, Any]]:
    """The header facts of every document of `graph`, by document IRI, in the gold's shapes."""
    g = _union(graph)
    out: dict[str, dict[str, Any]] = {}
    for doc in sorted(set(g.subjects(RDF.type, KFOR.Document)), key=str):
        letters = []
        for prop, kind in ((KFOR.coveringLetter, "covering"), (KFOR.annexLetter, "annex")):
            node = _one(g, doc, prop)
            if node is not None:
                letters.append(_letter(g, node, kind))
        report = _one(g, doc, KFOR.enclosedReport)
        start, end = _text(_one(g, report, KFOR.periodStart)), _text(_one(g, report, KFOR.periodEnd))
        frequency = _one(g, report, KFOR.frequency)
        ts = _one(g, report, KFOR.troopStrength)
        strength = None
        if ts is not None and _one(g, ts, KFOR.troops) is not None:
            def value(prop: URIRef) -> Any:
                node = _one(g, ts, prop)
                return None if node is None else node.toPython()  # type: ignore[attr-defined]
            strength = {key: value(KFOR[key]) for key in _STRENGTH}
            if strength["asAt"] is not None:
                strength["asAt"] = str(strength["asAt"])
        incidents: dict[str, int] = {}
        for inc in g.objects(report, KFOR.incidentCount) if report is not None else ():
            category = _one(g, inc, KFOR.incidentCategory)
            label = _one(g, category, SKOS.altLabel) or _one(g, category, SKOS.prefLabel)
            count = _one(g, inc, KFOR["count"])
            if label is not None and count is not None:
                incidents[str(label)] = int(count)  # type: ignore[call-overload]
        total = _one(g, report, KFOR.totalIncidents)
        force = _one(g, report, KFOR.aboutForce)
        area = _one(g, report, KFOR.missionArea)
        out[str(doc)] = {
            "symbol": _text(_one(g, doc, DCTERMS.identifier)),
            "issued": _text(_one(g, doc, DCTERMS.issued)),
            "originalLanguage": _lang(_one(g, doc, KFOR.originalLanguage)),
            "letters": letters,
            "period": {"start": start, "end": end} if start and end else None,
            "frequency": str(frequency).rsplit("#", 1)[-1].lower() if frequency is not None else None,
            "troopStrength": strength,
            "incidents": incidents,
            "totalIncidents": int(total) if total is not None else None,  # type: ignore[call-overload]
            "force": _force_names(g, force),
            "mission_area": _text(_one(g, area, SKOS.prefLabel)),
        }
    return out


# --- comparison ---------------------------------------------------------------------------


def _same(field: str, gold: Any, predicted: Any) -> bool:
    if field == "force":
        return match_key(str(gold)) in {match_key(n) for n in predicted}
    if field in ("signatory", "mission_area"):
        return match_key(str(gold)) == match_key(str(predicted))
    return bool(gold == predicted)


def _pairs(gold: dict[str, Any], predicted: dict[str, Any]) -> Iterator[tuple[str, Any, Any]]:
    """(field, gold value, predicted value) of every scored field of one document."""
    for key in ("symbol", "issued", "originalLanguage", "period", "frequency", "totalIncidents",
                "force", "mission_area"):
        if key in gold:
            yield key, gold[key], predicted.get(key)
    if "troopStrength" in gold:
        g_ts, p_ts = gold["troopStrength"] or {}, predicted.get("troopStrength") or {}
        for key in _STRENGTH:
            if gold["troopStrength"] is None or key in g_ts:
                yield key, g_ts.get(key), p_ts.get(key)
    if "letters" in gold:
        g_letters = {x["kind"]: x for x in gold["letters"]}
        p_letters = {x["kind"]: x for x in predicted.get("letters", [])}
        for kind in sorted(set(g_letters) | set(p_letters)):
            g_l, p_l = g_letters.get(kind), p_letters.get(kind, {})
            keys = ("form", "date", "sender", "recipient", "signatory", "originalLanguage")
            for key in keys:
                if g_l is None or key in g_l:
                    name = key if key == "signatory" else f"letter.{key}"
                    yield name, (g_l or {}).get(key), p_l.get(key)
            if g_l is None or "role" in g_l:
                g_post = (g_l["role"], g_l.get("organization")) if g_l and g_l.get("role") else None
                p_post = (p_l["role"], p_l.get("organization")) if p_l.get("role") else None
                yield "signatory.post", g_post, p_post


def compare(gold: dict[str, Any], predicted: dict[str, Any] | None) -> Iterator[tuple[str, str, str]]:
    """(field, outcome, detail) of one document; outcome "tp", "fp" or "fn"."""
    predicted = predicted or {}
    for field, g, p in _pairs(gold, predicted):
        if g is None and p is None:
            continue
        if g is not None and p is not None and _same(field, g, p):
            yield field, "tp", repr(g)
            continue
        if p is not None:
            yield field, "fp", repr(p) + (f" (gold {g!r})" if g is not None else "")
        if g is not None:
            yield field, "fn", repr(g)
    if "incidents" in gold:
        g_inc = {(slug(k), v) for k, v in gold["incidents"].items()}
        p_inc = {(slug(k), v) for k, v in predicted.get("incidents", {}).items()}
        for item in sorted(g_inc & p_inc):
            yield "incidents", "tp", repr(item)
        for item in sorted(p_inc - g_inc):
            yield "incidents", "fp", repr(item)
        for item in sorted(g_inc - p_inc):
            yield "incidents", "fn", repr(item)
