"""Tests for kfor_kg.stores.query: headers, typed parameters, local and remote runs, output formats."""

from __future__ import annotations

import http.server
import json
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD

from kfor_kg.rdf import export
from kfor_kg.stores import query, sparql
from kfor_kg.cli import cli
from kfor_kg.errors import ConfigError, QueryError, StoreError
from kfor_kg.rdf.vocab import DEFAULT_BASE, KFOR
from servers import OxigraphServer, free_port

DATA = Path(__file__).parent / "data" / "io"
SAMPLE = DATA / "sample.trig"
ID = DEFAULT_BASE
HOSTILE = "(Signed) \"Jens\" } Stoltenberg\n\\ '''x\"\"\""  # the quote in sample.trig


@pytest.fixture(scope="module")
def sample() -> Dataset:
    return export.read(SAMPLE)


@pytest.fixture()
def fixture_queries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the .rq files in tests/data/io the installation's shipped queries."""
    monkeypatch.setattr(query, "resource_dir", lambda name: DATA)


def spec(name: str) -> query.QuerySpec:
    return query.load_query(DATA / f"{name}.rq")


def write_query(tmp_path: Path, text: str, name: str = "q.rq") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- finding queries and reading their headers ------------------------------------

def test_shipped_name_and_header(fixture_queries: None) -> None:
    loaded = query.load_query("signed-by")
    assert loaded.name == "signed-by"
    assert loaded.source == DATA / "signed-by.rq"
    assert loaded.summary == "The letters a person signed. (Header braces { like these } are not a group.)"
    assert loaded.description[1] == "Columns: letter, date, label"
    assert loaded.params == {
        "person": query.QueryParam("person", "iri", False, "the person, e.g. id:person/ban-ki-moon"),
        "after": query.QueryParam("after", "date", True, "only letters sent on or after this day"),
    }


def test_unknown_name_lists_the_available_ones(fixture_queries: None) -> None:
    with pytest.raises(QueryError) as info:
        query.load_query("troops")
    assert str(info.value) == (
        "[K006] unknown query 'troops'; available: documents, has-symbol, incidents-by-category, "
        "quote, signed-by, troops-in-year (or give the path of a .rq file)")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(QueryError, match=r"query file .*nothere\.rq does not exist"):
        query.load_query(str(tmp_path / "nothere.rq"))


@pytest.mark.parametrize(("text", "message"), [
    ("SELECT ?x WHERE { ?x ?y }", r"q\.rq is not valid SPARQL"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "only SELECT and ASK queries are supported, not CONSTRUCT"),
    ("# @param year integr\nSELECT ?year WHERE { ?s ?p ?year }", "parameter year has unknown type 'integr'"),
    ("# @param year\nSELECT ?year WHERE { ?s ?p ?year }", "should read '@param NAME TYPE"),
    ("# @param yaer integer\nSELECT ?year WHERE { ?s ?p ?year }", "declares parameter yaer but never uses ?yaer"),
    ("# @param a-b integer\nSELECT ?year WHERE { ?s ?p ?year }", "'a-b' cannot be a parameter name"),
])
def test_bad_query_files_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(QueryError, match=re.escape(message) if "?" in message else message) as info:
        query.load_query(write_query(tmp_path, text))
    assert "\n" not in str(info.value)
    assert "q.rq" in str(info.value)


def test_xsd_prefixed_types_are_accepted(tmp_path: Path) -> None:
    loaded = query.load_query(write_query(tmp_path, "# @param ?y xsd:gYear\nSELECT ?y { ?s ?p ?y }"))
    assert loaded.params["y"].type == "gYear"


# --- parameters ----------------------------------------------------------------------

@pytest.mark.parametrize(("type_name", "raw", "term"), [
    ("integer", "2017", Literal(2017, datatype=XSD.integer)),
    ("integer", " -3 ", Literal(-3, datatype=XSD.integer)),
    ("decimal", "2.5", Literal("2.5", datatype=XSD.decimal)),
    ("boolean", "TRUE", Literal(True)),
    ("boolean", "0", Literal(False)),
    ("date", "2008-07-31", Literal("2008-07-31", datatype=XSD.date)),
    ("gYear", "2017", Literal("2017", datatype=XSD.gYear)),
    ("string", 'a "b" {c}', Literal('a "b" {c}')),
    ("iri", "https://example.org/x", URIRef("https://example.org/x")),
    ("iri", "id:doc/S-2008-638", URIRef(ID + "doc/S-2008-638")),
    ("iri", "kfor:Monthly", KFOR.Monthly),
    ("iri", "urn:uuid:1234", URIRef("urn:uuid:1234")),
])
def test_values_become_typed_terms(type_name: str, raw: str, term: object) -> None:
    declared = query.QuerySpec("q", Path("q.rq"), "SELECT ?v { ?s ?p ?v }",
                               params={"v": query.QueryParam("v", type_name)})
    bound = query.bind_params(declared, {"v": raw})["v"]
    assert bound == term
    assert type(bound) is type(term)


@pytest.mark.parametrize(("type_name", "raw", "problem"), [
    ("integer", "2017.0", "not an integer"),
    ("integer", "twenty", "not an integer"),
    ("decimal", "NaN", "not a decimal number"),
    ("boolean", "yes", "not true or false"),
    ("date", "31/07/2008", "not a date YYYY-MM-DD"),
    ("date", "2008-02-30", "not a date YYYY-MM-DD"),
    ("gYear", "17", "not a year YYYY"),
    ("iri", "not an iri", "not an absolute IRI"),
    ("iri", "https://example.org/a>b", "not an absolute IRI"),
    ("iri", "nope:thing with space", "not an absolute IRI"),
])
def test_values_that_do_not_fit_their_type(type_name: str, raw: str, problem: str) -> None:
    declared = query.QuerySpec("q", Path("q.rq"), "SELECT ?v { ?s ?p ?v }",
                               params={"v": query.QueryParam("v", type_name)})
    with pytest.raises(QueryError, match=f"query q: v={raw!r} is {problem}".replace("(", r"\(")
                       .replace(")", r"\)").replace(".", r"\.")):
        query.bind_params(declared, {"v": raw})


def test_unknown_and_missing_parameters() -> None:
    signed_by = spec("signed-by")
    with pytest.raises(QueryError) as unknown:
        query.bind_params(signed_by, {"person": "id:person/x", "year": "2017"})
    assert str(unknown.value) == ("[K006] query signed-by has no parameter year; its parameters: "
                                  "person (iri), after (date, optional)")
    with pytest.raises(QueryError, match="query signed-by needs person=VALUE"):
        query.bind_params(signed_by, {"after": "2010-01-01"})
    assert query.bind_params(signed_by, {"person": "id:person/x"}) == {
        "person": URIRef(ID + "person/x")}
    with pytest.raises(QueryError, match="query documents has no parameter x; its parameters: none"):
        query.bind_params(spec("documents"), {"x": "1"})


# --- VALUES for remote endpoints ---------------------------------------------------------

def test_values_go_into_the_outer_group_not_into_comments_strings_or_exists() -> None:
    text = ('# a comment { with braces }\nPREFIX ex: <http://example.org/a#b>\n'
            'SELECT ?s (EXISTS { ?s ?p 1 } AS ?e) (CONCAT("{", ?s) AS ?c) WHERE {\n  ?s ?p ?o\n}')
    bound = query.with_values(text, {"o": Literal(1), "s": URIRef("http://example.org/s")})
    head, _, tail = text.rpartition("WHERE {")
    assert bound == (head + 'WHERE { VALUES (?o ?s) { ("1"^^<http://www.w3.org/2001/XMLSchema#integer> '
                     '<http://example.org/s>) }\n' + tail)
    assert query.with_values(text, {}) == text


def test_values_need_a_group() -> None:
    with pytest.raises(QueryError, match="no group pattern"):
        query.with_values("ASK # {\n", {"x": Literal(1)})


@settings(max_examples=300, deadline=None)
@given(value=st.text(), lang=st.sampled_from([None, "en", "fr-be"]))
def test_any_string_survives_the_values_block(value: str, lang: str | None) -> None:
    """Quotes, backslashes, newlines and braces never break out of the literal."""
    text = query.with_values("SELECT ?x WHERE { }", {"x": Literal(value, lang=lang)})
    rows = list(pyoxigraph.Store().query(text))
    assert len(rows) == 1
    assert rows[0][0].value == value
    assert (rows[0][0].language or None) == lang


# --- local runs -------------------------------------------------------------------------------

def test_typed_cells_are_normalized(sample: Dataset) -> None:
    result = query.run(spec("troops-in-year"), data=sample, params={"year": "2008"})
    assert result.columns == ["doc", "symbol", "periodStart", "troops", "approximate", "nonNatoTroops"]
    assert result.rows == [[ID + "doc/S-2008-638", "S/2008/638", "2008-07-01", "14409", "false", "2173"]]
    result = query.run(spec("troops-in-year"), data=sample, params={"year": "2016"})
    assert result.rows == [[ID + "doc/S-2016-666", "S/2016/666", "2016-04-01", "4600", "true", ""]]


def test_unbound_cells_are_empty_and_rows_follow_order_by(sample: Dataset) -> None:
    result = query.run(spec("documents"), data=sample)
    assert result.rows == [
        [ID + "doc/S-2008-638", "S/2008/638", "2008-10-02", "2017", str(KFOR.Monthly)],
        [ID + "doc/S-2016-666", "S/2016/666", "2016-08-01", "2044", str(KFOR.Quarterly)],
        [ID + "doc/letter-2000-08-04", "", "", "2003", str(KFOR.Monthly)],
    ]


def test_aggregates_with_and_without_an_optional_parameter(sample: Dataset) -> None:
    everything = query.run(spec("incidents-by-category"), data=sample)
    assert everything.rows == [["drugs", "5", "2", "2.5"], ["weapons", "4", "1", "4.0"]]
    one = query.run(spec("incidents-by-category"), data=sample, params={"doc": "id:doc/S-2008-638"})
    assert one.rows == [["weapons", "4", "1", "4.0"], ["drugs", "3", "1", "3.0"]]


def test_hostile_string_parameter_matches_exactly(sample: Dataset) -> None:
    result = query.run(spec("quote"), data=sample, params={"exact": HOSTILE})
    assert result.rows == [[ID + "doc/S-2016-666/span/1500-1532", ID + "doc/S-2016-666", HOSTILE]]
    assert query.run(spec("quote"), data=sample, params={"exact": HOSTILE[:-1]}).rows == []


def test_ask_queries(sample: Dataset) -> None:
    assert query.run(spec("has-symbol"), data=sample, params={"symbol": "S/2008/638"}).rows == [["true"]]
    assert query.run(spec("has-symbol"), data=sample, params={"symbol": "S/2008/63"}) == \
        query.QueryResult(["ask"], [["false"]])


def test_union_graph_file_and_dataset_give_the_same_rows(sample: Dataset, tmp_path: Path) -> None:
    ttl = export.write(sample, tmp_path / "kfor.ttl")
    union = Graph()
    union.parse(ttl)
    for data in (sample, union, ttl, str(ttl)):
        result = query.run(spec("signed-by"), data=data, params={"person": "id:person/ban-ki-moon"})
        assert [row[0] for row in result.rows] == [ID + "doc/S-2008-638/letter", ID + "doc/S-2016-666/letter"]
        assert result.rows[0][2] == "Ban Ki-moon {signed} (2008-10-02)"


def test_run_needs_exactly_one_target(sample: Dataset) -> None:
    with pytest.raises(ConfigError, match="either data"):
        query.run(spec("documents"))
    with pytest.raises(ConfigError, match="either data"):
        query.run(spec("documents"), data=sample, endpoint="http://127.0.0.1:1/query")


# --- cells and output formats ------------------------------------------------------------

@pytest.mark.parametrize(("term", "text"), [
    (None, ""),
    (URIRef("https://example.org/a"), "https://example.org/a"),
    (Literal("0042", datatype=XSD.integer), "42"),
    (Literal("7", datatype=XSD.nonNegativeInteger), "7"),
    (Literal("1", datatype=XSD.boolean), "true"),
    (Literal("false", datatype=XSD.boolean), "false"),
    (Literal("2008-07-01", datatype=XSD.date), "2008-07-01"),
    (Literal("2.50", datatype=XSD.decimal), "2.5"),
    (Literal("3", datatype=XSD.decimal), "3.0"),
    (Literal("1.5E0", datatype=XSD.double), "1.5"),
    (Literal("2017", datatype=XSD.gYear), "2017"),
    (Literal("Kosovo", lang="en"), "Kosovo"),
    (Literal("not a number", datatype=XSD.integer), "not a number"),
])
def test_cell_text(term: object, text: str) -> None:
    assert query.cell_text(term) == text  # type: ignore[arg-type]


# --- remote: a fake endpoint for the HTTP details ------------------------------------------------

class _FakeEndpoint(http.server.BaseHTTPRequestHandler):
    seen: list[dict[str, str]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        _FakeEndpoint.seen.append(dict(self.headers))
        if self.path == "/html":
            body, kind = b"<html>not sparql</html>", "text/html"
        else:
            body = json.dumps({"head": {"vars": ["n", "flag", "day", "mean", "label", "gone"]},
                               "results": {"bindings": [{
                                   "n": {"type": "literal", "value": "0042",
                                         "datatype": str(XSD.integer)},
                                   "flag": {"type": "literal", "value": "1", "datatype": str(XSD.boolean)},
                                   "day": {"type": "literal", "value": "2008-07-31",
                                           "datatype": str(XSD.date)},
                                   "mean": {"type": "literal", "value": "2.50",
                                            "datatype": str(XSD.decimal)},
                                   "label": {"type": "literal", "value": "Kosovo", "xml:lang": "en"},
                               }]}}).encode()
            kind = "application/sparql-results+json"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def fake_endpoint() -> Iterator[str]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _FakeEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _FakeEndpoint.seen.clear()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_remote_json_is_normalized_like_local_terms(fake_endpoint: str) -> None:
    result = query.run(spec("documents"), endpoint=fake_endpoint + "/query")
    assert result == query.QueryResult(["n", "flag", "day", "mean", "label", "gone"],
                                       [["42", "true", "2008-07-31", "2.5", "Kosovo", ""]])
    assert _FakeEndpoint.seen[0]["User-Agent"].startswith("kfor-kg/")


@settings(max_examples=100, deadline=None)
@given(value=st.text(), kind=st.sampled_from(["plain", "lang", "typed", "iri"]))
def test_sparql_json_cells_round_trip(value: str, kind: str) -> None:
    term = {"plain": Literal(value), "lang": Literal(value, lang="en-GB"),
            "typed": Literal(value, datatype=XSD.date), "iri": URIRef("urn:x:" + value)}[kind]
    assert sparql.term(sparql.binding_json(term)) == term
    body = json.dumps({"head": {"vars": ["x", "unbound"]},
                       "results": {"bindings": sparql.rows_json([{"x": term}])}})
    assert sparql.read_results(body) == sparql.Results(["x", "unbound"], [{"x": term}])


def test_sparql_json_reader_details() -> None:
    assert sparql.term({"type": "literal", "value": "a", "datatype": str(XSD.string)}) == Literal("a")
    assert sparql.term({"type": "typed-literal", "value": "4", "datatype": str(XSD.integer)}) == \
        Literal(4)
    assert sparql.read_results(b'{"head": {}, "boolean": true}').boolean is True
    for junk in (b"<html/>", b"[]", b'{"head": {"vars": ["x"]}}',
                 b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "triple"}}]}}',
                 b'{"head": {"vars": ["x"]}, "results": {"bindings": '
                 b'[{"x": {"type": "quoted", "value": "v"}}]}}'):
        with pytest.raises(sparql.NotResults):
            sparql.read_results(junk)


def test_remote_non_json_answer(fake_endpoint: str) -> None:
    with pytest.raises(StoreError, match=f"SPARQL endpoint {fake_endpoint}/html did not answer"):
        query.run(spec("documents"), endpoint=fake_endpoint + "/html")


def test_unreachable_endpoint() -> None:
    endpoint = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(StoreError, match=f"SPARQL endpoint {endpoint} cannot be reached"):
        query.run(spec("documents"), endpoint=endpoint)


def test_silent_endpoint_times_out() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        endpoint = f"http://127.0.0.1:{listener.getsockname()[1]}/query"
        with pytest.raises(StoreError, match=f"SPARQL endpoint {endpoint} cannot be reached: "
                                             f"did not answer within 1 s"):
            query.run(spec("documents"), endpoint=endpoint, timeout=1)


def test_endpoint_must_be_http() -> None:
    with pytest.raises(StoreError, match="'file:///etc/passwd' is not an http"):
        query.run(spec("documents"), endpoint="file:///etc/passwd")


# --- remote: a real Oxigraph server ---------------------------------------------------------------

CASES = [
    ("troops-in-year", {"year": "2008"}),
    ("troops-in-year", {"year": "2016"}),
    ("documents", {}),
    ("quote", {"exact": HOSTILE}),
    ("incidents-by-category", {}),
    ("incidents-by-category", {"doc": "id:doc/S-2008-638"}),
    ("signed-by", {"person": "id:person/ban-ki-moon"}),
    ("signed-by", {"person": "id:person/ban-ki-moon", "after": "2010-01-01"}),
    ("has-symbol", {"symbol": "S/2008/638"}),
]


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    with OxigraphServer(tmp_path_factory.mktemp("oxigraph") / "db", preload=(SAMPLE,),
                        union_default_graph=True) as server:
        yield server


@pytest.mark.server
@pytest.mark.parametrize(("name", "params"), CASES, ids=[f"{n}-{'-'.join(p)}" for n, p in CASES])
def test_remote_rows_equal_local_rows(oxigraph: OxigraphServer, sample: Dataset, name: str,
                                      params: dict[str, str]) -> None:
    local = query.run(spec(name), data=sample, params=params)
    remote = query.run(spec(name), endpoint=oxigraph.query_url, params=params)
    assert remote == local
    assert local.rows


@pytest.mark.server
def test_shipped_queries_agree_locally_and_remotely(oxigraph: OxigraphServer, sample: Dataset) -> None:
    try:
        shipped = query.shipped_queries()
    except ConfigError as exc:
        pytest.skip(str(exc))
    if not shipped:
        pytest.skip("no shipped queries yet")
    answered = 0
    for name in shipped:
        loaded = query.load_query(name)
        examples = {"integer": "2016", "gYear": "2016", "date": "2016-01-01", "boolean": "true",
                    "decimal": "1", "iri": "id:doc/S-2008-638/letter"}
        params = {p.name: examples.get(p.type, "x") for p in loaded.params.values() if not p.optional}
        local = query.run(loaded, data=sample, params=params)
        assert query.run(loaded, endpoint=oxigraph.query_url, params=params) == local, name
        answered += bool(local.rows)
    assert answered >= len(shipped) // 2  # the sample answers most of them, so rows were compared


@pytest.mark.server
def test_endpoint_errors_name_the_endpoint(oxigraph: OxigraphServer) -> None:
    endpoint = oxigraph.base_url + "/no-such-service"
    with pytest.raises(StoreError, match=f"SPARQL endpoint {endpoint} refused query documents"):
        query.run(spec("documents"), endpoint=endpoint)


@pytest.mark.server
def test_cli_query_an_endpoint(oxigraph: OxigraphServer) -> None:
    run = CliRunner().invoke(cli, ["query", str(DATA / "troops-in-year.rq"), "--endpoint",
                                   oxigraph.query_url, "--param", "year=2016", "--format", "json"])
    assert run.exit_code == 0, run.output
    assert json.loads(run.output) == [{"doc": ID + "doc/S-2016-666", "symbol": "S/2016/666",
                                       "periodStart": "2016-04-01", "troops": 4600,
                                       "approximate": True, "nonNatoTroops": None}]


# --- the command line ---------------------------------------------------------------------------

def test_cli_query_a_file_as_table_and_csv() -> None:
    runner = CliRunner()
    table = runner.invoke(cli, ["query", str(DATA / "incidents-by-category.rq"), "--data", str(SAMPLE)])
    assert table.exit_code == 0, table.output
    assert table.output == ("category  total  reports  mean\n"
                            "--------  -----  -------  ----\n"
                            "drugs     5      2        2.5\n"
                            "weapons   4      1        4.0\n")
    as_csv = runner.invoke(cli, ["query", str(DATA / "incidents-by-category.rq"), "--data", str(SAMPLE),
                                 "--param", "doc=id:doc/S-2008-638", "--format", "csv"])
    assert as_csv.stdout_bytes == b"category,total,reports,mean\nweapons,4,1,4.0\ndrugs,3,1,3.0\n"


def test_cli_query_defaults_to_kfor_ttl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        sample: Dataset, fixture_queries: None) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    missing = runner.invoke(cli, ["query", "documents"])
    assert missing.exit_code == 3
    assert "kfor.ttl does not exist here; run `kfor-kg build` first" in missing.output
    export.write(sample, tmp_path / "kfor.ttl")
    found = runner.invoke(cli, ["query", "documents", "--format", "json"])
    assert found.exit_code == 0, found.output
    assert [row["symbol"] for row in json.loads(found.output)] == ["S/2008/638", "S/2016/666", None]


@pytest.mark.parametrize(("args", "code", "message"), [
    (["query", "nope", "--data", str(SAMPLE)], 3, "unknown query 'nope'; available: documents,"),
    (["query", "signed-by", "--data", str(SAMPLE)], 2, "needs person=VALUE"),
    (["query", "signed-by", "--data", "missing.ttl", "--param", "person=x"], 2, "person='x' is not an absolute IRI"),
    (["query", "documents", "--data", "-"], 2, "--data - needs --data-format"),
    (["query", "-", "--data", "-", "--data-format", "ttl"], 2, "cannot both come from standard input"),
    (["query", "SELECT ?x { ?x ?p }", "--data", str(SAMPLE)], 3, "<query> is not valid SPARQL"),
    (["query", "signed-by", "--data", str(SAMPLE), "--param", "person"], 2, "'person' is not NAME=VALUE"),
    (["query", "documents", "--data", str(SAMPLE), "--endpoint", "http://x/"], 2, "give one of --data"),
    (["query", "documents", "--data", "missing.ttl"], 3, "cannot read missing.ttl: no such file"),
])
def test_cli_query_errors(fixture_queries: None, args: list[str], code: int, message: str) -> None:
    run = CliRunner().invoke(cli, args)
    assert run.exit_code == code
    assert message in run.output


def test_cli_queries_lists_names_summaries_and_parameters(fixture_queries: None) -> None:
    run = CliRunner().invoke(cli, ["queries"])
    assert run.exit_code == 0
    lines = run.output.splitlines()
    assert lines[0] == "documents              Every document, with its symbol and date when it has them."
    assert "                       parameters: person (iri), after (date, optional)" in lines


def test_cli_query_checks_parameters_against_allowed_values(tmp_path: Path) -> None:
    q = write_query(tmp_path, "# Things of a type.\n"
                              "# @param type string {Person, Place} Only things of this type\n"
                              "SELECT ?x WHERE { ?x ?p ?type }\n")
    assert query.load_query(q).params["type"].choices == ("Person", "Place")
    run = CliRunner().invoke(cli, ["query", str(q), "--data", "missing.ttl", "--param", "type=Persn"])
    assert run.exit_code == 2
    assert "type='Persn' is not one of Person, Place" in run.output
    ok = CliRunner().invoke(cli, ["query", str(q), "--data", str(SAMPLE), "--param", "type=Place"])
    assert ok.exit_code == 0, ok.output


def test_a_bad_list_of_values_is_named(tmp_path: Path) -> None:
    q = write_query(tmp_path, "# @param type string {Person, Place Only\nSELECT ?x WHERE { ?x ?p ?type }\n")
    with pytest.raises(QueryError, match="lists its values as"):
        query.load_query(q)


def test_id_prefix_in_parameters_follows_base() -> None:
    person = query.QuerySpec("q", Path("q.rq"), "SELECT * { ?s ?p ?person }",
                             params={"person": query.QueryParam("person", "iri")})
    bound = query.bind_params(person, {"person": "id:person/x"}, base="http://example.org/kg/")
    assert bound["person"] == URIRef("http://example.org/kg/person/x")
    assert query.bind_params(person, {"person": "id:person/x"})["person"] == URIRef(ID + "person/x")


def test_cli_inline_query_and_query_on_stdin() -> None:
    inline = CliRunner().invoke(cli, ["query", "SELECT (COUNT(DISTINCT ?d) AS ?n) "
                                      f"{{ ?d a <{KFOR.Document}> }}", "--data", str(SAMPLE),
                                      "--format", "json"])
    assert inline.exit_code == 0, inline.output
    assert json.loads(inline.output) == [{"n": 3}]
    piped = CliRunner().invoke(cli, ["query", "-", "--data", str(SAMPLE), "--format", "ndjson"],
                               input=f"ASK {{ ?d a <{KFOR.Document}> }}")
    assert piped.exit_code == 0, piped.output
    assert piped.output == '{"ask": true}\n'


def test_cli_data_on_stdin(fixture_queries: None) -> None:
    run = CliRunner().invoke(cli, ["query", "documents", "--data", "-", "--data-format", "trig",
                                   "--format", "tsv"], input=SAMPLE.read_bytes())
    assert run.exit_code == 0, run.output
    assert run.output.splitlines()[1].split("\t")[1] == "S/2008/638"
    bad = CliRunner().invoke(cli, ["query", "documents", "--data", "-", "--data-format", "ttl"],
                             input=b"@prefix broken")
    assert bad.exit_code == 3
    assert "<stdin> is not valid turtle" in bad.output
    assert "kfor-kg-" not in bad.output  # never the temporary file's path


def test_cli_a_query_file_whose_path_has_a_space(tmp_path: Path) -> None:
    folder = tmp_path / "my queries"
    folder.mkdir()
    q = write_query(folder, f"SELECT (COUNT(*) AS ?n) {{ ?d a <{KFOR.Document}> }}")
    run = CliRunner().invoke(cli, ["query", str(q), "--data", str(SAMPLE), "--format", "csv"])
    assert (run.exit_code, run.output) == (0, "n\n3\n")


def test_cli_queries_as_json(fixture_queries: None) -> None:
    run = CliRunner().invoke(cli, ["queries", "--format", "json"])
    assert run.exit_code == 0, run.output
    listed = {q["name"]: q for q in json.loads(run.output)}
    assert listed["signed-by"]["parameters"][0] == {"name": "person", "type": "iri", "optional": False,
                                                   "choices": [], "description": listed["signed-by"]["parameters"][0]["description"]}
    assert listed["documents"]["columns"] == query.columns_of(spec("documents"))
    assert query.columns_of(spec("has-symbol")) == ["ask"]
