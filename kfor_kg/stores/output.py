"""Query results as text: one cell rule for every engine, and the output formats.

A result cell is a `Cell`: the string a user sees (the same for rdflib terms,
pyoxigraph terms and SPARQL JSON, so a local file and an endpoint holding the
same data give identical rows) plus its `kind`, read from the RDF datatype, so
that JSON can carry numbers, booleans and nulls.

Formats (`FORMATS`): `table` (aligned plain text, wide characters counted by
their display width), `csv` (RFC 4180 quoting, LF line ends), `tsv` (tab
separated; tab, newline, carriage return and backslash escaped as `\\t`, `\\n`,
`\\r`, `\\\\`), `json` (an array of objects) and `ndjson` (one object per line).
Every format ends with a newline.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Literal as Kind, Protocol

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kfor_kg.errors import ConfigError

__all__ = ["FORMATS", "Cell", "CellKind", "cell_text", "cell_value", "format_result", "format_rows"]

FORMATS = ("table", "csv", "tsv", "json", "ndjson")

CellKind = Kind["string", "integer", "number", "boolean", "null"]


class Cell(str):
    """A result cell: its text, and what JSON type it has (`kind`).

    >>> Cell("42", "integer") == "42", cell_value(Cell("42", "integer"))
    (True, 42)
    """

    kind: CellKind

    def __new__(cls, text: str, kind: CellKind = "string") -> Cell:
        cell = super().__new__(cls, text)
        cell.kind = kind
        return cell

    def __reduce__(self) -> tuple[type[Cell], tuple[str, CellKind]]:
        return (Cell, (str(self), self.kind))


class _Table(Protocol):
    columns: list[str]
    rows: list[list[str]]


_INTEGER_TYPES = {XSD[name] for name in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
    "unsignedByte")}


def cell_text(term: object | None) -> Cell:
    """The cell of a result term: an rdflib term, a pyoxigraph term, or None (unbound).

    >>> [cell_text(t) for t in (None, URIRef("https://x.org/a"), Literal("0042", datatype=XSD.integer),
    ...                         Literal("1", datatype=XSD.boolean), Literal("2.50", datatype=XSD.decimal),
    ...                         Literal("2008-07-01", datatype=XSD.date), Literal("moon", lang="en"))]
    ['', 'https://x.org/a', '42', 'true', '2.5', '2008-07-01', 'moon']
    >>> [cell_text(t).kind for t in (None, Literal("0042", datatype=XSD.integer), Literal(True))]
    ['null', 'integer', 'boolean']

    Lexical forms that do not fit their datatype are returned as written, as strings.
    """
    if term is None:
        return Cell("", "null")
    if not isinstance(term, Node):
        term = _from_oxigraph(term)
    if not isinstance(term, Literal):
        return Cell(str(term))
    datatype = term.datatype
    value = term.value
    if datatype is None or value is None:
        return Cell(str(term))
    if datatype in _INTEGER_TYPES and isinstance(value, int) and not isinstance(value, bool):
        return Cell(str(int(value)), "integer")
    if datatype == XSD.boolean and isinstance(value, bool):
        return Cell("true" if value else "false", "boolean")
    if datatype == XSD.date and isinstance(value, dt.date):
        return Cell(value.isoformat())
    if datatype == XSD.decimal and isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return Cell(text if "." in text else text + ".0", "number")
    if datatype in (XSD.double, XSD.float) and isinstance(value, float):
        if value != value:
            return Cell("NaN")
        if value in (float("inf"), float("-inf")):
            return Cell("INF" if value > 0 else "-INF")
        return Cell(repr(value), "number")
    return Cell(str(term))


def _from_oxigraph(term: object) -> Node:
    """The rdflib term of a pyoxigraph result term (rdf.oxi.from_ox)."""
    import pyoxigraph as ox

    from kfor_kg.rdf.oxi import from_ox

    if isinstance(term, (ox.Literal, ox.NamedNode, ox.BlankNode)):
        node = from_ox(term)
        if node is not None:
            return node
    raise TypeError(f"cannot show a {type(term).__name__} in a result cell")


def cell_value(cell: str) -> str | int | float | bool | None:
    """The JSON value of a cell: its kind's type; a plain `str` stays a string.

    >>> [cell_value(c) for c in (Cell("", "null"), Cell("2.5", "number"), Cell("true", "boolean"), "7")]
    [None, 2.5, True, '7']
    """
    kind = getattr(cell, "kind", "string")
    if kind == "null":
        return None
    if kind == "integer":
        return int(cell)
    if kind == "number":
        return float(cell)
    if kind == "boolean":
        return cell == "true"
    return str(cell)


def format_result(result: _Table, fmt: str = "table") -> str:
    """`result` (columns and rows of cells) in one of FORMATS, ending with a newline.

    >>> print(format_result(_Result(["name", "n"], [["Ban Ki-moon", Cell("2", "integer")]])), end="")
    name         n
    -----------  -
    Ban Ki-moon  2
    >>> print(format_result(_Result(["name", "n"], [["Ban Ki-moon", Cell("2", "integer")]]), "json"), end="")
    [
      {
        "name": "Ban Ki-moon",
        "n": 2
      }
    ]

    Raises:
        ConfigError: `fmt` is not one of FORMATS.
    """
    return format_rows(result.columns, result.rows, fmt)


def format_rows(columns: Sequence[str], rows: Sequence[Sequence[str]], fmt: str = "table") -> str:
    """As `format_result`, for columns and rows given apart."""
    if fmt == "table":
        return _table(columns, rows)
    if fmt == "csv":
        return "".join(_csv_line(line) for line in [list(columns), *rows])
    if fmt == "tsv":
        return "".join("\t".join(_tsv_field(cell) for cell in line) + "\n"
                       for line in [list(columns), *rows])
    if fmt == "json":
        objects = [_object(columns, row) for row in rows]
        return json.dumps(objects, indent=2, ensure_ascii=False) + "\n"
    if fmt == "ndjson":
        return "".join(json.dumps(_object(columns, row), ensure_ascii=False) + "\n" for row in rows)
    raise ConfigError(f"unknown result format {fmt!r}; use one of: {', '.join(FORMATS)}")


def _object(columns: Sequence[str], row: Sequence[str]) -> dict[str, object]:
    return {column: cell_value(cell) for column, cell in zip(columns, row)}


def _csv_line(cells: Sequence[str]) -> str:
    """One RFC 4180 record ending in LF. (The csv module leaves a lone CR unquoted
    once the line end is LF, which a reader would then split on.)"""
    if len(cells) == 1 and not cells[0]:
        return '""\n'  # an empty line would read as no field at all
    return ",".join('"' + c.replace('"', '""') + '"' if any(x in c for x in ',"\n\r') else c
                    for c in cells) + "\n"


def _tsv_field(cell: str) -> str:
    return (cell.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


def _table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell, counting display width (CJK = 2, combining = 0)."""
    from rich.cells import cell_len  # rich comes with spaCy (through typer)

    lines = [[_one_line(c) for c in columns], *([_one_line(c) for c in row] for row in rows)]
    widths = [max(cell_len(line[i]) for line in lines) for i in range(len(columns))]
    lines.insert(1, ["-" * w for w in widths])
    return "".join("  ".join(cell + " " * (w - cell_len(cell)) for cell, w in zip(line, widths))
                   .rstrip() + "\n" for line in lines)


# Line breaks, tabs and other control characters (an escape sequence would drive the
# terminal) become spaces in a table: one row, one line.
_ONE_LINE = {code: " " for code in [*range(0x20), 0x7F, 0x85, 0x2028, 0x2029]}


def _one_line(cell: str) -> str:
    return cell.translate(_ONE_LINE)


class _Result:
    """A minimal result for the doctests (query.QueryResult in real use)."""

    def __init__(self, columns: list[str], rows: list[list[str]]) -> None:
        self.columns, self.rows = columns, rows
