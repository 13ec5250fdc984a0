"""Run SPARQL queries — shipped (`queries/NAME.rq`) or from a file — locally or remotely.

Header convention of a `.rq` file: it starts with `#` comment lines. The first
says what the query answers (shown by `kfor-kg queries`); the others describe
the result columns and give an example. A parameter is declared on a line of
its own:

    # @param NAME TYPE [optional] [{A, B, …}] [description]

TYPE is one of `string`, `integer`, `decimal`, `boolean`, `date` (YYYY-MM-DD),
`gYear` (YYYY) or `iri` (an absolute IRI, or a prefixed name with one of the
project's prefixes, `id:` being the base IRI given, by default DEFAULT_BASE);
an `xsd:` prefix is allowed, so `xsd:integer` = `integer`. `{A, B, …}` lists
the only values allowed. The query uses the parameter as the variable
`?NAME`. A value is parsed into an RDF term of that type and bound to the
variable — never pasted into the query text as a string: through a `VALUES`
block, written with each term's N3 form, at the start of the outermost group
pattern (the same for a local store and a remote endpoint). Required
parameters must be given; an `optional` one left out stays unbound.

Local queries run on pyoxigraph (an in-memory store loaded from a file, or the
on-disk store of `build --store`); rdflib only checks the syntax.
For a dataset, queries see the union of all its graphs as the default graph;
a remote endpoint should do the same (Oxigraph: `--union-default-graph`).
Cells are normalized by one function for both paths (kfor_kg.stores.output.cell_text),
so a local file and an endpoint holding the same data give identical rows; the
output formats live in kfor_kg.stores.output too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, cast

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier, Node

from kfor_kg.errors import ConfigError, IngestError, QueryError, StoreError
from kfor_kg.rdf.vocab import DEFAULT_BASE, PREFIXES
from kfor_kg.resources import resource_dir
from kfor_kg.stores import sparql
from kfor_kg.stores.http import DEFAULT_TIMEOUT, HttpClient, RequestFailed, RetryPolicy
from kfor_kg.stores.output import FORMATS, cell_text, format_result

__all__ = ["check_local", "QueryParam", "QuerySpec", "QueryResult", "FORMATS", "PARAM_TYPES",
           "shipped_queries", "load_query", "bind_params", "with_values", "run", "run_local",
           "run_remote", "parse_query", "columns_of", "cell_text", "format_result", "load", "open_store",
           "run_store", "store_of"]

if TYPE_CHECKING:
    from pyoxigraph import Store
    from rdflib.plugins.sparql.sparql import Query

# A type name -> how to read a command-line value into an RDF term.
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_GYEAR = re.compile(r"^-?[0-9]{4,}$")
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def _to_integer(value: str) -> Literal:
    if not _INTEGER.match(value.strip()):
        raise ValueError("not an integer")
    return Literal(int(value), datatype=XSD.integer)


def _to_decimal(value: str) -> Literal:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise ValueError("not a decimal number") from None
    if not number.is_finite():
        raise ValueError("not a decimal number")
    return Literal(number, datatype=XSD.decimal)


def _to_boolean(value: str) -> Literal:
    try:
        return Literal(_BOOLEANS[value.strip().lower()], datatype=XSD.boolean)
    except KeyError:
        raise ValueError("not true or false") from None


def _to_date(value: str) -> Literal:
    try:
        if not re.match(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", value.strip()):
            raise ValueError
        return Literal(dt.date.fromisoformat(value.strip()), datatype=XSD.date)
    except ValueError:
        raise ValueError("not a date YYYY-MM-DD") from None


def _to_gyear(value: str) -> Literal:
    if not _GYEAR.match(value.strip()):
        raise ValueError("not a year YYYY")
    return Literal(value.strip(), datatype=XSD.gYear)


def _to_iri(value: str, base: str = DEFAULT_BASE) -> URIRef:
    value = value.strip()
    prefix, sep, local = value.partition(":")
    namespaces = {name: str(ns) for name, ns in PREFIXES.items()} | {"id": base}
    if sep and prefix in namespaces and not local.startswith("//"):
        value = namespaces[prefix] + local
    if not _IRI.match(value):
        raise ValueError("not an absolute IRI (or a prefixed name with a known prefix)")
    return URIRef(value)


PARAM_TYPES: dict[str, Callable[[str], Identifier]] = {
    "string": Literal, "integer": _to_integer, "decimal": _to_decimal, "boolean": _to_boolean,
    "date": _to_date, "gYear": _to_gyear, "iri": _to_iri,
}


@dataclass(frozen=True)
class QueryParam:
    """A parameter declared by `# @param NAME TYPE [optional] [{A, B, …}] [description]`.

    `choices`, when given, are the only values allowed.
    """

    name: str
    type: str
    optional: bool = False
    description: str = ""
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuerySpec:
    """A query with its header: where it came from, what it answers, its parameters."""

    name: str
    source: Path
    text: str
    description: list[str] = field(default_factory=list)
    params: dict[str, QueryParam] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        """The first sentence of the description, which may span several lines (up to
        `Columns:` or `Example:`).

        >>> QuerySpec("q", Path("q.rq"), "", ["Who signed (e.g. Ban Ki-moon) in a given",
        ...                                   "year. Example: kfor-kg query q"]).summary
        'Who signed (e.g. Ban Ki-moon) in a given year.'
        """
        text = " ".join(self.description)
        text = re.split(r"\b(?:Columns|Example):", text, maxsplit=1)[0]
        # A sentence ends at . ! or ? before a capital, but not after "e.g." or "i.e.".
        return re.split(r"(?<![a-z]\.[a-z]\.)(?<=[.!?])\s+(?=[A-Z])", text.strip(), maxsplit=1)[0]


@dataclass
class QueryResult:
    """Rows of cells (strings that know their JSON type, see `output.cell_text`), in the query's order."""

    columns: list[str]
    rows: list[list[str]]


# --- finding and reading queries ----------------------------------------------

def shipped_queries() -> dict[str, Path]:
    """The shipped queries by name (file stem), in name order.

    Raises:
        ConfigError: the installation lacks its queries folder.
    """
    return {path.stem: path for path in sorted(resource_dir("queries").glob("*.rq"))}


def load_query(name_or_file: str | Path) -> QuerySpec:
    """Read a shipped query by name, or a `.rq` file by path (anything with a `/` or `.rq`).

    >>> load_query("no-such-query")
    Traceback (most recent call last):
    ...
    kfor_kg.errors.QueryError: [K006] unknown query 'no-such-query'; ...

    Raises:
        QueryError: the name is unknown, the file is missing or unreadable, its header is
            malformed, or it is not a valid SPARQL SELECT or ASK query.
    """
    text_form = str(name_or_file)
    if isinstance(name_or_file, Path) or text_form.endswith(".rq") or "/" in text_form \
            or "\\" in text_form:
        source = Path(name_or_file)
        if not source.is_file():
            raise QueryError(f"query file {source} does not exist")
    else:
        shipped = shipped_queries()
        if text_form not in shipped:
            names = ", ".join(shipped) or "(none installed)"
            raise QueryError(f"unknown query {text_form!r}; available: {names} "
                             f"(or give the path of a .rq file)")
        source = shipped[text_form]
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"cannot read query file {source}: {exc}") from exc
    return parse_query(text, source)


def parse_query(text: str, source: Path = Path("<query>")) -> QuerySpec:
    """A query given as text (inline or from stdin), header included; `source` names it in errors.

    Raises:
        QueryError: the header is malformed, or it is not a valid SPARQL SELECT or ASK query.
    """
    description, params = _parse_header(source, text)
    spec = QuerySpec(name=source.stem, source=source, text=text, description=description,
                     params=params)
    _prepare(spec)  # fail early, with the file's name, on a syntax error
    return spec


def columns_of(spec: QuerySpec) -> list[str]:
    """The result columns of a SELECT query (`["ask"]` for ASK), without running it.

    >>> columns_of(parse_query("SELECT ?a (1 AS ?b) WHERE { ?a ?p ?o }"))
    ['a', 'b']
    """
    algebra = _prepare(spec).algebra
    if algebra.name == "AskQuery":
        return ["ask"]
    return [str(v) for v in algebra["PV"]]


def _parse_header(source: Path, text: str) -> tuple[list[str], dict[str, QueryParam]]:
    description: list[str] = []
    params: dict[str, QueryParam] = {}
    body = _strip_comments(text)
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        comment = stripped.lstrip("#").strip()
        if not comment.startswith("@param"):
            if comment:
                description.append(comment)
            continue
        parts = comment.split(None, 3)
        if len(parts) < 3:
            raise QueryError(f"{source}: '{comment}' should read '@param NAME TYPE [optional] [description]'")
        _tag, name, type_name, *rest = parts
        name = name.lstrip("?$")
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
            raise QueryError(f"{source}: {name!r} cannot be a parameter name (letters, digits, _)")
        type_name = type_name.removeprefix("xsd:")
        if type_name not in PARAM_TYPES:
            raise QueryError(f"{source}: parameter {name} has unknown type {type_name!r}; "
                             f"use one of: {', '.join(PARAM_TYPES)}")
        remainder = rest[0] if rest else ""
        optional = remainder == "optional" or remainder.startswith("optional ")
        if optional:
            remainder = remainder[len("optional"):].strip()
        choices: tuple[str, ...] = ()
        if remainder.startswith("{"):
            listed, brace, remainder = remainder[1:].partition("}")
            choices = tuple(c.strip() for c in listed.split(",") if c.strip())
            if not brace or not choices:
                raise QueryError(f"{source}: parameter {name} lists its values as {{A, B, …}}")
            remainder = remainder.strip()
        if not re.search(rf"[?$]{name}\b", body):
            raise QueryError(f"{source}: declares parameter {name} but never uses ?{name}")
        params[name] = QueryParam(name, type_name, optional, remainder, choices)
    return description, params


@lru_cache(maxsize=64)
def _parse(text: str) -> Query:
    # Imported here: rdflib's SPARQL parser takes a quarter of a second to import, and the
    # command line imports this module for FORMATS alone.
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(text)


def _prepare(spec: QuerySpec) -> Query:
    """Parse (once per text) with rdflib; only SELECT and ASK are supported."""
    try:
        prepared = _parse(spec.text)
    except Exception as exc:  # pyparsing's ParseException and rdflib's own errors
        reason = " ".join(str(exc).split())
        raise QueryError(f"{spec.source} is not valid SPARQL: {reason[:200]}") from exc
    form = prepared.algebra.name
    if form not in ("SelectQuery", "AskQuery"):
        raise QueryError(f"{spec.source}: only SELECT and ASK queries are supported, "
                         f"not {form.removesuffix('Query').upper()}")
    return prepared


# --- parameters ------------------------------------------------------------------

def bind_params(spec: QuerySpec, values: Mapping[str, str | Node] | None = None, *,
                base: str = DEFAULT_BASE) -> dict[str, Node]:
    """RDF terms for `values` (strings parsed by each parameter's declared type and
    checked against its allowed values); `id:` in an `iri` value stands for `base`.

    >>> spec = QuerySpec("q", Path("q.rq"), "SELECT * { ?s ?p ?year }",
    ...                  params={"year": QueryParam("year", "integer")})
    >>> bind_params(spec, {"year": "2017"})["year"].n3()
    '"2017"^^<http://www.w3.org/2001/XMLSchema#integer>'

    Raises:
        QueryError: a parameter is unknown, a required one is missing, or a value does not
            fit its type or is not one of its allowed values.
    """
    values = dict(values or {})
    declared = ", ".join(f"{p.name} ({p.type}{', optional' if p.optional else ''})"
                         for p in spec.params.values()) or "none"
    unknown = sorted(set(values) - set(spec.params))
    if unknown:
        raise QueryError(f"query {spec.name} has no parameter {', '.join(unknown)}; "
                         f"its parameters: {declared}")
    missing = [p.name for p in spec.params.values() if not p.optional and p.name not in values]
    if missing:
        raise QueryError(f"query {spec.name} needs {', '.join(f'{m}=VALUE' for m in missing)}; "
                         f"its parameters: {declared}")
    bound: dict[str, Node] = {}
    for name, value in values.items():
        if isinstance(value, Node):
            bound[name] = value
            continue
        param = spec.params[name]
        if param.choices and value.strip() not in param.choices:
            raise QueryError(f"query {spec.name}: {name}={value!r} is not one of "
                             f"{', '.join(param.choices)}")
        try:
            if param.type == "iri":
                bound[name] = _to_iri(value, base)
            else:
                bound[name] = PARAM_TYPES[param.type](value.strip() if param.choices else value)
        except ValueError as exc:
            raise QueryError(f"query {spec.name}: {name}={value!r} is {exc}") from None
    return bound


def with_values(text: str, bindings: Mapping[str, Node]) -> str:
    """`text` with a VALUES block binding `bindings` at the start of its outermost group.

    >>> with_values("SELECT ?s WHERE { ?s ?p ?o }", {"o": Literal('say "hi" }')})
    'SELECT ?s WHERE { VALUES (?o) { ("say \\\\"hi\\\\" }") }\\n ?s ?p ?o }'

    Raises:
        QueryError: the query has no group pattern `{ … }`.
    """
    if not bindings:
        return text
    names = list(bindings)
    block = (" VALUES (" + " ".join(f"?{n}" for n in names) + ") { ("
             + " ".join(_values_term(bindings[n]) for n in names) + ") }\n")
    position = _outer_group_start(text)
    return text[:position] + block + text[position:]


def _values_term(term: Node) -> str:
    """A bound value in SPARQL syntax (sparql.term_n3, the one escaper of kfor-kg)."""
    try:
        return sparql.term_n3(term)
    except ConfigError as error:
        raise QueryError(f"cannot bind a query parameter: {error}") from None


# Tokens that may contain braces or parentheses without opening a group.
_SKIP = re.compile(r'''
    \#[^\n]*
  | """(?:[^"\\]|\\.|"(?!""))*"""
  | \'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
  | "(?:[^"\\\n]|\\.)*"
  | '(?:[^'\\\n]|\\.)*'
  | <[^<>"{}|^`\\\s]*>
''', re.X | re.S)


def _outer_group_start(text: str) -> int:
    """Offset just after the `{` that opens the query's WHERE group.

    That is the first `{` outside comments, strings, IRIs and parentheses:
    braces inside parentheses belong to EXISTS in a projection expression.
    """
    depth = 0
    i = 0
    while i < len(text):
        skipped = _SKIP.match(text, i)
        if skipped and skipped.end() > i:
            i = skipped.end()
            continue
        char = text[i]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "{" and depth == 0:
            return i + 1
        i += 1
    raise QueryError("the query has no group pattern { … } to bind parameters in")


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


# --- running ----------------------------------------------------------------------

def run(name_or_file: str | Path | QuerySpec, *, data: Graph | str | Path | Store | None = None,
        endpoint: str | None = None, params: Mapping[str, str | Node] | None = None,
        timeout: float = DEFAULT_TIMEOUT, default_graphs: Sequence[str] | None = None,
        retry: RetryPolicy | None = None,
        base: str = DEFAULT_BASE, data_format: str | None = None,
        allow_external: bool = False) -> QueryResult:
    """Run a query on a graph, an RDF file (loaded by `load`), an Oxigraph store or an endpoint URL.

    `id:` in `iri` parameters stands for `base`; `data_format` is the file's RDF
    format when its extension does not tell.

    `default_graphs` (endpoints only) are sent as the protocol's
    `default-graph-uri`: their union is then the default graph the query sees,
    whether or not the server unites its named graphs by itself.

    On local data a query may not reach outside it — `FROM` may read any local
    file, `SERVICE` calls any server — unless `allow_external` (see check_local).

    Raises:
        QueryError: the query or its parameters are wrong.
        ConfigError: both or neither of `data` and `endpoint` are given, or the file's
            format is unknown.
        IngestError: the data file cannot be read.
        StoreError: the endpoint fails.
    """
    if (data is None) == (endpoint is None):
        raise ConfigError("give either data (a graph or an RDF file) or a SPARQL endpoint URL")
    spec = name_or_file if isinstance(name_or_file, QuerySpec) else load_query(name_or_file)
    bindings = bind_params(spec, params, base=base)
    if endpoint is not None:
        return run_remote(spec, endpoint, bindings, timeout=timeout, default_graphs=default_graphs,
                          retry=retry)
    if not allow_external:
        check_local(spec)  # before any data is read
    if isinstance(data, Graph):
        return run_local(spec, data, bindings, allow_external)
    if data is not None and not isinstance(data, (str, Path)):  # an Oxigraph store
        return run_store(spec, data, bindings, allow_external)
    return run_store(spec, load(cast(Path, data), data_format), bindings, allow_external)


def check_local(spec: QuerySpec) -> None:
    """Refuse a query on local data that reaches outside it: `FROM <file:…>` reads any
    local file, `SERVICE` sends requests to any server (sparql.outside_access).

    Raises:
        QueryError: the query has such a clause.
    """
    reach = sparql.outside_access(spec.text)
    if reach:
        raise QueryError(f"query {spec.name} reaches outside the data with {', '.join(reach)}; "
                         f"a query on a local file may not read other sources or call servers "
                         f"unless allowed (kfor-kg query --allow-external)")


def run_local(spec: QuerySpec, data: Graph, bindings: Mapping[str, Node] | None = None,
              allow_external: bool = False) -> QueryResult:
    """Run `spec` on an rdflib Graph or Dataset (copied into Oxigraph, see `run_store`).

    Raises:
        QueryError: the query is not valid SPARQL, or its evaluation fails.
    """
    return run_store(spec, store_of(data), bindings, allow_external)


def load(path: str | Path, fmt: str | None = None) -> Store:
    """An in-memory Oxigraph store holding the RDF file `path` (any of export.FORMATS).

    Triples of `ttl`, `nt` and `jsonld` land in the default graph, `trig` and
    `nq` keep their named graphs; queries see the union either way.

    Raises:
        ConfigError: the format cannot be told from the extension.
        IngestError: the file is missing, unreadable or not valid RDF in that format.
    """
    import pyoxigraph as ox

    from kfor_kg.rdf.export import OX_FORMATS, format_for_path, reading

    source = Path(path)
    fmt = format_for_path(source, fmt)
    if not source.is_file():
        raise IngestError(f"cannot read {source}: no such file")
    store = ox.Store()
    with reading(source, fmt):
        store.bulk_load(path=str(source), format=OX_FORMATS[fmt], base_iri=source.resolve().as_uri())
    return store


def open_store(directory: str | Path) -> Store:
    """The on-disk Oxigraph store `build --store DIR` wrote, opened read-only.

    Raises:
        ConfigError: the folder is no Oxigraph store (or cannot be opened).
    """
    import pyoxigraph as ox

    folder = Path(directory)
    if not folder.is_dir() or not (folder / "CURRENT").is_file():
        raise ConfigError(f"{folder} is not an Oxigraph store; make one with "
                          "`kfor-kg build --store DIR`")
    try:
        return ox.Store.read_only(str(folder))
    except OSError as exc:
        raise ConfigError(f"cannot open the store {folder}: {exc}") from exc


def run_store(spec: QuerySpec, store: Store, bindings: Mapping[str, Node] | None = None,
              allow_external: bool = False) -> QueryResult:
    """Run `spec` with Oxigraph on `store`; its graphs are queried as one union default graph.

    Parameters are bound as for an endpoint (`with_values`: a VALUES block of
    their terms), never pasted into the query text as strings.

    Raises:
        QueryError: the query is not valid SPARQL, or its evaluation fails.
    """
    import pyoxigraph as ox

    _prepare(spec)
    if not allow_external:
        check_local(spec)
    text = with_values(spec.text, bindings or {})
    try:
        result = store.query(text, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryBoolean):
            return QueryResult(["ask"], [[cell_text(Literal(bool(result)))]])
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError(f"query {spec.name}: only SELECT and ASK queries are supported")
        columns = [variable.value for variable in result.variables]
        rows: list[list[str]] = [[cell_text(solution[i]) for i in range(len(columns))]
                                 for solution in result]
    except (SyntaxError, OSError, ValueError, RuntimeError) as exc:
        raise QueryError(f"query {spec.name} failed: {' '.join(str(exc).split())[:200]}") from exc
    return QueryResult(columns, rows)


def store_of(data: Graph) -> Store:
    """An in-memory Oxigraph store holding the quads of an rdflib Graph or Dataset."""
    import pyoxigraph as ox

    from kfor_kg.rdf.oxi import ox_quads

    store = ox.Store()
    store.bulk_extend(ox_quads(data))
    return store


def run_remote(spec: QuerySpec, endpoint: str, bindings: Mapping[str, Node] | None = None,
               timeout: float = DEFAULT_TIMEOUT, default_graphs: Sequence[str] | None = None,
               retry: RetryPolicy | None = None) -> QueryResult:
    """Run `spec` on a SPARQL 1.1 endpoint (POST, JSON results); one attempt unless `retry`.

    Raises:
        QueryError: the query is not valid SPARQL.
        StoreError: the endpoint cannot be reached, times out, refuses the query or answers
            with something other than SPARQL JSON results.
    """
    _prepare(spec)
    if not re.match(r"^https?://", endpoint):
        raise StoreError(f"SPARQL endpoint {endpoint!r} is not an http(s) URL")
    client = HttpClient(timeout=timeout, retry=retry or RetryPolicy(attempts=1))
    try:
        results = sparql.select(client, endpoint, with_values(spec.text, bindings or {}),
                                default_graphs or ())
    except RequestFailed as failure:
        how = "cannot be reached" if failure.status is None else f"refused query {spec.name}"
        raise StoreError(f"SPARQL endpoint {endpoint} {how}: {failure.detail}") from failure
    except sparql.NotResults as exc:
        raise StoreError(f"SPARQL endpoint {endpoint} did not answer with SPARQL JSON results "
                         f"({exc})") from exc
    if results.boolean is not None:
        return QueryResult(["ask"], [[cell_text(Literal(results.boolean))]])
    return QueryResult(results.columns,
                       [[cell_text(row.get(column)) for column in results.columns]
                        for row in results.rows])
