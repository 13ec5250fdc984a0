"""Tests for kfor_kg.stores.output: typed cells and the result formats."""

from __future__ import annotations

import csv
import io
import json
import pickle

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from kfor_kg.errors import ConfigError
from kfor_kg.stores.output import FORMATS, Cell, cell_text, cell_value, format_rows
from kfor_kg.stores.query import QueryResult, format_result

COLUMNS = ["name", "note", "troops", "mean", "approximate", "gone"]
ROWS: list[list[str]] = [
    ["Ban Ki-moon", 'said "yes",\tthen\nleft', cell_text(Literal(15314)),
     cell_text(Literal("2.50", datatype=XSD.decimal)), cell_text(Literal(False)), cell_text(None)],
    ["X", "", cell_text(Literal("0042", datatype=XSD.integer)),
     cell_text(Literal("1.5E0", datatype=XSD.double)), cell_text(Literal(True)), cell_text(None)],
]
RESULT = QueryResult(COLUMNS, ROWS)


@pytest.mark.parametrize(("term", "text", "value"), [
    (None, "", None),
    (URIRef("https://example.org/a"), "https://example.org/a", "https://example.org/a"),
    (Literal("0042", datatype=XSD.integer), "42", 42),
    (Literal("7", datatype=XSD.nonNegativeInteger), "7", 7),
    (Literal("1", datatype=XSD.boolean), "true", True),
    (Literal("2.50", datatype=XSD.decimal), "2.5", 2.5),
    (Literal("NaN", datatype=XSD.double), "NaN", "NaN"),
    (Literal("2008-07-01", datatype=XSD.date), "2008-07-01", "2008-07-01"),
    (Literal("2017", datatype=XSD.gYear), "2017", "2017"),
    (Literal("15314"), "15314", "15314"),  # a plain string stays a string
    (Literal("not a number", datatype=XSD.integer), "not a number", "not a number"),
])
def test_cells_are_typed_from_the_datatype(term: object, text: str, value: object) -> None:
    cell = cell_text(term)
    assert cell == text
    assert cell_value(cell) == value
    assert type(cell_value(cell)) is type(value)


@pytest.mark.parametrize("term", [
    Literal("0042", datatype=XSD.integer), Literal("2.50", datatype=XSD.decimal), Literal(True),
    Literal("moon", lang="en"), Literal("x"), URIRef("https://example.org/a"),
])
def test_pyoxigraph_terms_give_the_same_cells(term: Literal | URIRef) -> None:
    if isinstance(term, URIRef):
        oxterm: object = ox.NamedNode(str(term))
    elif term.language:
        oxterm = ox.Literal(str(term), language=term.language)
    else:
        oxterm = ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))
    assert (cell_text(oxterm), cell_text(oxterm).kind) == (cell_text(term), cell_text(term).kind)
    assert cell_text(ox.BlankNode("b0")) == cell_text(BNode("b0"))


def test_cells_survive_pickling() -> None:
    cell = pickle.loads(pickle.dumps(Cell("4", "integer")))
    assert (cell, cell.kind) == ("4", "integer")


def test_json_has_numbers_booleans_and_nulls() -> None:
    assert json.loads(format_result(RESULT, "json")) == [
        {"name": "Ban Ki-moon", "note": 'said "yes",\tthen\nleft', "troops": 15314, "mean": 2.5,
         "approximate": False, "gone": None},
        {"name": "X", "note": "", "troops": 42, "mean": 1.5, "approximate": True, "gone": None}]


def test_ndjson_is_one_object_per_line() -> None:
    lines = format_result(RESULT, "ndjson").split("\n")
    assert lines[-1] == ""
    assert [json.loads(line) for line in lines[:-1]] == json.loads(format_result(RESULT, "json"))


def test_csv_is_rfc_4180_with_lf() -> None:
    text = format_result(RESULT, "csv")
    assert text.startswith("name,note,troops,mean,approximate,gone\nBan Ki-moon,\"said \"\"yes\"\",")
    assert "\r" not in text
    assert list(csv.reader(io.StringIO(text, newline=""))) == [COLUMNS, *ROWS]


def test_tsv_escapes_tabs_and_newlines() -> None:
    assert format_result(RESULT, "tsv") == (
        "name\tnote\ttroops\tmean\tapproximate\tgone\n"
        'Ban Ki-moon\tsaid "yes",\\tthen\\nleft\t15314\t2.5\tfalse\t\n'
        "X\t\t42\t1.5\ttrue\t\n")


def test_table_is_aligned_on_one_line_per_row() -> None:
    assert format_rows(["name", "note"], [["Ban Ki-moon", "a\nb"], ["X", ""]]) == (
        "name         note\n"
        "-----------  ----\n"
        "Ban Ki-moon  a b\n"
        "X\n")


def test_table_counts_wide_characters_by_display_width() -> None:
    text = format_rows(["name", "n"], [["潘基文", "1"], ["Ban", "2"], ["Zoë", "3"]])
    assert text.splitlines() == ["name    n", "------  -", "潘基文  1", "Ban     2", "Zoë     3"]


def test_empty_result() -> None:
    assert format_rows(["a", "b"], [], "table") == "a  b\n-  -\n"
    assert format_rows(["a", "b"], [], "json") == "[]\n"
    assert format_rows(["a", "b"], [], "ndjson") == ""


def test_unknown_format() -> None:
    with pytest.raises(ConfigError, match="unknown result format 'xml'; use one of: "
                                          "table, csv, tsv, json, ndjson"):
        format_result(RESULT, "xml")


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.lists(st.text(), min_size=2, max_size=2), max_size=4))
def test_csv_tsv_and_json_round_trip_any_text(rows: list[list[str]]) -> None:
    columns = ["a", "b"]
    assert list(csv.reader(io.StringIO(format_rows(columns, rows, "csv"), newline=""))) == \
        [columns, *rows]
    assert json.loads(format_rows(columns, rows, "json")) == [dict(zip(columns, r)) for r in rows]
    tsv = format_rows(columns, rows, "tsv")
    assert tsv.count("\n") == len(rows) + 1
    for fmt in FORMATS:
        assert format_rows(columns, rows, fmt).endswith("\n") or (fmt == "ndjson" and not rows)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.lists(st.text(), min_size=3, max_size=3), max_size=5))
def test_a_table_has_one_line_per_row_and_no_control_characters(rows: list[list[str]]) -> None:
    text = format_rows(["a", "b", "c"], rows, "table")
    lines = text.split("\n")
    assert lines[-1] == "" and len(lines) == len(rows) + 3
    assert not any(ord(c) < 0x20 or c in "\x7f\x85\u2028\u2029" for line in lines for c in line)
