"""The build queries over the bundled examples return the expected rows (columns are a contract)."""

from __future__ import annotations

import pytest
from rdflib import Dataset

from kfor_kg.stores import query
from kfor_kg.build import BuildOptions, build

ID = "https://w3id.org/kfor-kg/id/doc/"
COLUMNS = {
    "documents": ["doc", "source", "symbol", "date", "originalLanguage"],
    "signatories": ["doc", "letterDate", "name", "role", "organization"],
    "signed_in_year": ["name", "role", "organization", "doc", "letterDate"],
    "reports": ["report", "doc", "periodStart", "periodEnd", "frequency", "force"],
    "troop_strength": ["report", "asAt", "troops", "approximate", "nonNatoTroops", "natoNations",
                       "nonNatoNations"],
    "incidents": ["report", "category", "count"],
    "paragraphs": ["doc", "paragraph", "node", "relation", "start", "end", "text"],
}
UN, NATO, SG = "United Nations", "North Atlantic Treaty Organization", "Secretary-General"


@pytest.fixture(scope="module")
def examples() -> Dataset:
    result = build(None, BuildOptions(entities=False))
    assert not result.errors
    return result.dataset


def rows(data: Dataset, name: str, **params: str) -> list[list[str]]:
    result = query.run(name, data=data, params=params)
    assert result.columns == COLUMNS[name]
    return result.rows


def test_documents(examples: Dataset) -> None:
    assert rows(examples, "documents") == [
        [ID + "S-2007-652", "kfor_2007-09_ban-ki-moon.txt", "S/2007/652", "", ""],
        [ID + "letter-2017-10-25", "kfor_2017-Q3_guterres.txt", "", "2017-10-31", "fr"],
        [ID + "letter-2020-06-25", "kfor_2020-Q1_guterres.txt", "", "2020-06-26", "fr"],
        [ID + "letter-2021-03-05", "kfor_2020-Q4_guterres.txt", "", "2021-03-08", "en"],
        [ID + "letter-2025-06-16", "kfor_2025-Q1_guterres.txt", "", "2025-06-19", "en"],
    ]


def test_signatories(examples: Dataset) -> None:
    assert rows(examples, "signatories") == [
        [ID + "S-2007-652", "2007-10-30", "Jaap de Hoop Scheffer", SG, NATO],
        [ID + "S-2007-652", "2007-11-05", "Ban Ki-moon", SG, UN],
        [ID + "letter-2017-10-25", "2017-10-18", "Jens Stoltenberg", SG, NATO],
        [ID + "letter-2017-10-25", "2017-10-25", "António Guterres", SG, UN],
        [ID + "letter-2020-06-25", "2020-05-13", "Jens Stoltenberg", SG, NATO],
        [ID + "letter-2020-06-25", "2020-06-25", "António Guterres", SG, UN],
        [ID + "letter-2021-03-05", "2021-02-17", "Jens Stoltenberg", SG, NATO],
        [ID + "letter-2021-03-05", "2021-03-05", "António Guterres", SG, UN],
        [ID + "letter-2025-06-16", "2025-05-30", "Mark Rutte", SG, NATO],
        [ID + "letter-2025-06-16", "2025-06-16", "António Guterres", SG, UN],
    ]


def test_signed_in_year(examples: Dataset) -> None:
    assert rows(examples, "signed_in_year", year="2017") == [
        ["António Guterres", SG, UN, ID + "letter-2017-10-25", "2017-10-25"],
        ["Jens Stoltenberg", SG, NATO, ID + "letter-2017-10-25", "2017-10-18"],
    ]
    assert rows(examples, "signed_in_year", year="1999") == []


def test_reports(examples: Dataset) -> None:
    assert rows(examples, "reports") == [
        [ID + "S-2007-652/report", ID + "S-2007-652", "2007-09-01", "2007-09-30", "monthly", "Kosovo Force"],
        [ID + "letter-2017-10-25/report", ID + "letter-2017-10-25", "2017-07-01", "2017-09-30", "quarterly", "Kosovo Force"],
        [ID + "letter-2020-06-25/report", ID + "letter-2020-06-25", "2020-01-01", "2020-03-31", "quarterly", "Kosovo Force"],
        [ID + "letter-2021-03-05/report", ID + "letter-2021-03-05", "2020-10-01", "2020-12-31", "quarterly", "Kosovo Force"],
        [ID + "letter-2025-06-16/report", ID + "letter-2025-06-16", "2025-01-01", "2025-03-31", "quarterly", "Kosovo Force"],
    ]


def test_troop_strength(examples: Dataset) -> None:
    assert rows(examples, "troop_strength") == [
        [ID + "S-2007-652/report", "2007-09-30", "15314", "false", "2389", "", ""],
        [ID + "letter-2017-10-25/report", "2017-09-15", "4100", "true", "", "21", "8"],
        [ID + "letter-2020-06-25/report", "2020-03-31", "3600", "true", "", "19", "8"],
        [ID + "letter-2021-03-05/report", "2020-12-31", "3500", "true", "", "19", "8"],
        [ID + "letter-2025-06-16/report", "2025-03-31", "5500", "true", "", "24", "5"],
    ]


def test_incidents(examples: Dataset) -> None:
    report = ID + "S-2007-652/report"
    assert rows(examples, "incidents") == [
        [report, "miscellaneous criminal acts", "105"],
        [report, "illegal weapons possession", "69"],
        [report, "unexploded ordnance", "52"],
        [report, "counterfeit currency", "25"],
        [report, "drugs", "23"],
        [report, "weapons and ammunitions seizure", "23"],
        [report, "smuggling", "8"],
        [report, "explosions", "3"],
    ]


def test_paragraphs(examples: Dataset) -> None:
    doc = ID + "S-2007-652"
    found = rows(examples, "paragraphs", doc="id:doc/S-2007-652")
    assert [row[:4] for row in found[:3]] == [
        [doc, "1", doc + "/report", "evidence"],
        [doc, "2", doc + "/report/troop-strength", "evidence"],
        [doc, "2", doc + "/report/troop-strength", "evidence"],
    ]
    assert found[1][4:] == ["1078", "1152", "As at 30 September 2007, the total number of troops "
                                            "in theatre was 15,314."]
    incidents = [row for row in found if "/incidents/" in row[2]]
    assert len(incidents) == 8 and {row[1] for row in incidents} == {"6"}
    # Every document's report paragraphs, in document and paragraph order.
    everything = rows(examples, "paragraphs")
    assert {row[0] for row in everything} == {row[0] for row in rows(examples, "documents")}
    assert everything == sorted(everything, key=lambda r: (r[0], int(r[1]), int(r[4]), int(r[5])))


def test_json_keeps_the_datatypes_of_the_shipped_queries(examples: Dataset) -> None:
    """troops and counts are JSON numbers, approximate a boolean, a missing figure null."""
    import json

    from kfor_kg.stores.output import format_result

    troops = json.loads(format_result(query.run("troop_strength", data=examples), "json"))
    first = troops[0]
    assert (first["troops"], first["approximate"], first["natoNations"]) == (15314, False, None)
    assert all(isinstance(row["troops"], int) and isinstance(row["approximate"], bool) for row in troops)
    incidents = json.loads(format_result(query.run("incidents", data=examples), "ndjson").splitlines()[0])
    assert isinstance(incidents["count"], int)
    documents = json.loads(format_result(query.run("documents", data=examples), "json"))
    assert documents[0]["date"] is None and documents[0]["symbol"] == "S/2007/652"
