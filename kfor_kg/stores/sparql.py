"""The SPARQL 1.1 Protocol over the HTTP layer, and the one reader of SPARQL JSON results.

`select` sends a SELECT or ASK query, `update` a SPARQL Update; `read_results`
and `read_bindings` turn SPARQL 1.1 Query Results JSON into rdflib terms for
every caller (`query --endpoint`, the triplestore loader, the Wikidata
reconciler and its cache); `rows_json` writes rows back in that format.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kfor_kg.errors import ConfigError
from kfor_kg.stores.http import HttpClient

__all__ = ["RESULTS_JSON", "Row", "Results", "NotResults", "select", "update", "read_results",
           "read_bindings", "term", "term_n3", "is_language_tag", "outside_access", "binding_json",
           "rows_json"]

RESULTS_JSON = "application/sparql-results+json"

Row = dict[str, Node]
"""One solution: variable name → term (unbound variables are absent)."""


@dataclass(frozen=True)
class Results:
    """A SELECT answer (`columns`, `rows`) or an ASK answer (`boolean`)."""

    columns: list[str]
    rows: list[Row]
    boolean: bool | None = None


class NotResults(ValueError):
    """An answer that is not SPARQL JSON results."""


def select(client: HttpClient, endpoint: str, text: str,
           default_graphs: Iterable[str] = ()) -> Results:
    """Run a SELECT or ASK query (POST, form-encoded) and read its JSON results.

    `default_graphs` are sent as the protocol's `default-graph-uri`.

    Raises:
        RequestFailed: the endpoint cannot be reached or answers with an error.
        NotResults: the answer is not SPARQL JSON results.
    """
    form = [("query", text)] + [("default-graph-uri", graph) for graph in default_graphs]
    return read_results(client.request("POST", endpoint, data=form,
                                       headers={"Accept": RESULTS_JSON}))


def update(client: HttpClient, endpoint: str, text: str) -> None:
    """Send a SPARQL Update request (POST directly, UTF-8).

    Raises:
        RequestFailed: the endpoint cannot be reached or answers with an error.
    """
    client.request("POST", endpoint, data=text.encode("utf-8"),
                   headers={"Content-Type": "application/sparql-update"})


def read_results(body: bytes | str) -> Results:
    """SPARQL 1.1 Query Results JSON as terms.

    >>> r = read_results('{"head": {"vars": ["x"]}, "results": {"bindings": '
    ...                  '[{"x": {"type": "literal", "value": "4", "datatype": '
    ...                  '"http://www.w3.org/2001/XMLSchema#integer"}}]}}')
    >>> r.columns, r.rows[0]["x"].toPython()
    (['x'], 4)

    Raises:
        NotResults: the body is not JSON, or not shaped like SPARQL results.
    """
    try:
        payload = json.loads(body)
    except ValueError:
        raise NotResults("the answer is not JSON") from None
    if not isinstance(payload, dict):
        raise NotResults("the answer is not a JSON object")
    if "boolean" in payload:
        return Results([], [], bool(payload["boolean"]))
    try:
        columns = [str(name) for name in payload["head"]["vars"]]
        rows = read_bindings(payload["results"]["bindings"])
    except (KeyError, TypeError) as exc:
        raise NotResults(f"the answer lacks {exc}") from None
    return Results(columns, rows)


def read_bindings(bindings: Sequence[Mapping[str, Mapping[str, str]]]) -> list[Row]:
    """The `results.bindings` array of SPARQL JSON results as rows of terms.

    Raises:
        NotResults: a row or cell is not shaped like SPARQL JSON results.
    """
    if not isinstance(bindings, list):
        raise NotResults("the bindings are not a list")
    try:
        return [{name: term(cell) for name, cell in row.items()} for row in bindings]
    except (AttributeError, KeyError, TypeError) as exc:
        raise NotResults(f"a result cell is malformed ({exc})") from None


def term(cell: Mapping[str, str]) -> Node:
    """The rdflib term of one SPARQL JSON cell; an xsd:string literal is a plain literal.

    Raises:
        NotResults: an unknown cell type.
        KeyError: the cell lacks its type or value.
    """
    kind, value = cell["type"], cell["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        language = cell.get("xml:lang")
        datatype = None if language else cell.get("datatype")
        return Literal(value, lang=language,
                       datatype=None if datatype == str(XSD.string) else datatype)
    raise NotResults(f"unknown result cell type {kind!r}")


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t",
            "\b": "\\b", "\f": "\\f"}
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|\\^`\x7f]*$")
_LANGUAGE = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")


def is_language_tag(text: str) -> bool:
    """Whether `text` is a language tag such as 'en' or 'fr-BE'."""
    return _LANGUAGE.match(text) is not None


def term_n3(term: Node) -> str:
    r"""An IRI or literal in SPARQL syntax, for every query kfor-kg writes with a term in it.

    An IRI is written `<…>` once checked to be an absolute IRI. A literal is a
    one-line "…" string, escaped by hand for every parser — never `Literal.n3()`:
    it writes text with line breaks as a long string, which a trailing escaped
    quote can end early. Here `\`, `"`, line feed, carriage return, tab,
    backspace and form feed are escaped (rdflib mangles a raw tab). Some SPARQL
    parsers (rdflib's among them) expand `\uXXXX` codepoint escapes in the whole
    query text before parsing, so an escaped backslash followed by `u` would turn
    into another escape: that `u` (or `U`) is written as an eight-digit codepoint
    escape, which every parser reads as the same letter.

    >>> print(term_n3(Literal('C:\\users "x"', lang="en")))
    "C:\\\U00000075sers \"x\""@en
    >>> print(term_n3(Literal('two\nlines \\"', lang="en")))
    "two\nlines \\\""@en

    Raises:
        ConfigError: an IRI or a datatype is not an absolute IRI, a language tag is
            malformed, or the term is a blank node.
    """
    if isinstance(term, URIRef):
        if not _IRI.match(str(term)):
            raise ConfigError(f"{str(term)!r} is not an absolute IRI")
        return f"<{term}>"
    if not isinstance(term, Literal):
        raise ConfigError(f"cannot write a {type(term).__name__} into a query")
    literal = term
    text = str(literal)
    out: list[str] = []
    for index, char in enumerate(text):
        if char in "uU" and index and text[index - 1] == "\\":
            out.append("\\U00000075" if char == "u" else "\\U00000055")
        else:
            out.append(_ESCAPES.get(char, char))
    quoted = '"' + "".join(out) + '"'
    if literal.language:
        if not is_language_tag(literal.language):
            raise ConfigError(f"{literal.language!r} is not a language tag")
        return f"{quoted}@{literal.language}"
    if literal.datatype is not None:
        if not _IRI.match(str(literal.datatype)):
            raise ConfigError(f"{str(literal.datatype)!r} is not an absolute IRI")
        return f"{quoted}^^<{literal.datatype}>"
    return quoted


# SPARQL tokens, enough to tell the keywords FROM and SERVICE from the same letters in a
# comment, a string, an IRI, a variable or a prefixed name.
_TOKENS = re.compile(r'''
    (?P<skip>\#[^\n]*
      | """(?:[^"\\]|\\.|"(?!""))*"""
      | \'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
      | "(?:[^"\\\n]|\\.)*"
      | '(?:[^'\\\n]|\\.)*')
  | (?P<term><[^<>"{}|^`\\\x00-\x20]*> | [?$]\w+ | [\w:][\w.:-]*)
  | (?P<other>.)
''', re.X | re.S)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_REACH = ("FROM", "SERVICE")
_MODIFIERS = ("NAMED", "SILENT")


def outside_access(text: str) -> list[str]:
    r"""The clauses of a query that reach outside the data it is run on: `FROM <…>` and
    `FROM NAMED <…>` (which may read a local file) and `SERVICE <…>` (a request to a server).

    Codepoint escapes (`\u0046ROM`) are expanded first, as some parsers do.

    >>> outside_access('SELECT * FROM <file:///etc/passwd> { SERVICE <http://h/q> { ?s ?p ?o } }')
    ['FROM <file:///etc/passwd>', 'SERVICE <http://h/q>']
    >>> outside_access('SELECT ?from { ?service ex:from "FROM <x>" } # SERVICE <y>')
    []
    """
    expanded = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    terms = [m.group("term") for m in _TOKENS.finditer(expanded) if m.group("term")]
    found = []
    for index, word in enumerate(terms):
        if word.upper() not in _REACH:
            continue
        clause = [word.upper()]
        for following in terms[index + 1:index + 3]:
            modifier = following.upper() in _MODIFIERS
            clause.append(following.upper() if modifier else following)
            if not modifier:
                break
        found.append(" ".join(clause))
    return found


def binding_json(value: Node) -> dict[str, str]:
    """A term as a SPARQL JSON cell, the inverse of `term` (for caches of results).

    >>> binding_json(Literal("Pristina", lang="en"))
    {'type': 'literal', 'value': 'Pristina', 'xml:lang': 'en'}
    """
    if isinstance(value, URIRef):
        return {"type": "uri", "value": str(value)}
    if isinstance(value, BNode):
        return {"type": "bnode", "value": str(value)}
    if isinstance(value, Literal):
        cell = {"type": "literal", "value": str(value)}
        if value.language:
            cell["xml:lang"] = value.language
        elif value.datatype is not None:
            cell["datatype"] = str(value.datatype)
        return cell
    raise TypeError(f"not an RDF term: {value!r}")


def rows_json(rows: Iterable[Row]) -> list[dict[str, Any]]:
    """Rows of terms as a SPARQL JSON `bindings` array."""
    return [{name: binding_json(value) for name, value in row.items()} for row in rows]
