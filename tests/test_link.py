"""Wikidata linking (issue 5): alignment table, reconciler, review file, polite HTTP client.

The reconciler runs against a real Oxigraph server loaded with Wikidata-shaped
fixture triples (tests/data/wikidata/wikidata-fixture.ttl, fake QIDs Q9000001…),
reached through a small recording proxy on 127.0.0.1 that can also answer 429/503.
"""

from __future__ import annotations

import csv
import json
import shutil
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pyoxigraph
import pyshacl
import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery

from kfor_kg.rdf import export
from kfor_kg.cli import cli
from kfor_kg.errors import ConfigError, LinkError
from kfor_kg.linking.link import LinkOptions, link_file, link_graph
from kfor_kg.linking.reconcile import reconcile_query
from kfor_kg.stores.sparql import term_n3
from kfor_kg.linking.review import read_review_file
from kfor_kg.linking.tables import TypeRule, load_alignments, load_type_rules
from kfor_kg.rdf.vocab import DEFAULT_BASE, KFOR, OWL, PROV, RDF, RDFS, SCHEMA, SKOS, WD
from kfor_kg.linking.wikidata import SparqlClient
from kfor_kg.stores.http import USER_AGENT, RequestFailed

from servers import OxigraphServer, free_port

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "wikidata"
FIXTURE = DATA / "wikidata-fixture.ttl"
GRAPH = DATA / "graph.trig"
HOSTILE = 'Evil "Quote" \\ } ; DROP ALL { <urn:x> } # \\u0022\n{braces}'
RECONCILED = {"person/alda-vermeer": ("Q9000001", "1.00"), "person/bo-kestrel": ("Q9000002", "0.90"),
              "person/evil-quote": ("Q9000008", "1.00"), "place/fixtureville": ("Q9000020", "1.00"),
              "organization/fra": ("Q9000030", "1.00"),
              "resolution/1244-1999": ("Q9000040", "1.00")}
TABLED = {"person/jens-stoltenberg": "Q57665", "organization/nato": "Q7184",
          "post/united-nations/secretary-general": "Q81066", "place/pristina": "Q25270"}


def iri(key: str) -> URIRef:
    return URIRef(DEFAULT_BASE + key)


# --- a recording proxy in front of the Oxigraph server -----------------------------

class Proxy:
    """An HTTP server on 127.0.0.1 that records requests and forwards them upstream.

    `script` holds canned answers (status, headers) sent before forwarding resumes;
    without an upstream every request gets 503.
    """

    def __init__(self, upstream: str | None) -> None:
        self.upstream = upstream
        self.requests: list[dict[str, str]] = []
        self.script: list[tuple[int, dict[str, str]]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                params = urllib.parse.parse_qs(body.decode("ascii"))
                proxy.requests.append({
                    "path": self.path, "user_agent": self.headers.get("User-Agent", ""),
                    "content_type": self.headers.get("Content-Type", ""),
                    "query": params.get("query", [""])[0], "update": params.get("update", [""])[0]})
                if proxy.script:
                    status, headers = proxy.script.pop(0)
                    self._answer(status, headers, b"")
                elif proxy.upstream is None:
                    self._answer(503, {}, b"")
                else:
                    request = urllib.request.Request(proxy.upstream, data=body, headers={
                        "Content-Type": self.headers["Content-Type"],
                        "Accept": self.headers.get("Accept", "*/*")})
                    try:
                        with urllib.request.urlopen(request) as response:
                            self._answer(response.status,
                                         {"Content-Type": response.headers["Content-Type"]},
                                         response.read())
                    except urllib.error.HTTPError as exc:
                        self._answer(exc.code, {}, exc.read())

            def _answer(self, status: int, headers: dict[str, str], payload: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/query"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def wikidata(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    with OxigraphServer(tmp_path_factory.mktemp("wikidata") / "db", preload=(FIXTURE,)) as server:
        yield server


@pytest.fixture
def proxy(wikidata: OxigraphServer) -> Iterator[Proxy]:
    p = Proxy(wikidata.query_url)
    yield p
    p.close()


@pytest.fixture
def dead_proxy() -> Iterator[Proxy]:
    """A listener that records any attempt to reach it (and never forwards)."""
    p = Proxy(None)
    yield p
    p.close()


def options(tmp_path: Path, endpoint: str, **changes: object) -> LinkOptions:
    settings_ = dict(endpoint=endpoint, cache_dir=tmp_path / "cache",
                     review_file=tmp_path / "review.csv", min_interval=0.0)
    settings_.update(changes)
    return LinkOptions(**settings_)  # type: ignore[arg-type]


def links_of(data: Graph) -> dict[str, tuple[str, str, str]]:
    """key → (QID, method, score) as written in the graph."""
    view = Dataset(store=data.store, default_union=True) if data.context_aware else data
    found = {}
    for entity, node in view.subject_objects(KFOR.wikidataLink):
        item = view.value(node, KFOR.wikidataItem)
        found[str(entity)[len(DEFAULT_BASE):]] = (
            str(item).rsplit("/", 1)[-1], str(view.value(node, KFOR.linkMethod)),
            str(view.value(node, KFOR.linkScore)))
    return found


# --- shipped data -----------------------------------------------------------------

def test_alignment_table_is_well_formed_and_has_the_verified_ids() -> None:
    table = load_alignments()
    assert table["person/jens-stoltenberg"].qid == "Q57665"  # not Q57287 (Harald V)
    assert table["organization/united-nations"].qid == "Q1065"
    assert table["post/united-nations/secretary-general"].qid == "Q81066"
    assert all(row.verified.startswith("shared/wikidata/verified-ids.tsv:") for row in table.values())
    # Ids with no verified source stay out, for the reconciler to find.
    for key in ("organization/kfor", "organization/eulex", "place/mitrovica",
                "person/hashim-thaci", "resolution/1244-1999"):
        assert key not in table


def test_bad_alignment_rows_are_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "table.tsv"
    bad.write_text("key\tqid\tlabel\tverified\nperson/x\tQ57287x\tX\tmemory\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"table.tsv:2: 'Q57287x' is not a Wikidata item ID"):
        load_alignments(bad)
    bad.write_text("person/x\tQ1\tX\tsrc\nperson/x\tQ2\tX\tsrc\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="appears twice"):
        load_alignments(bad)


def test_type_rules_load() -> None:
    rules = load_type_rules()
    assert rules["Person"].instance_of == ("Q5",) and rules["Person"].dates
    assert "human settlement" in rules["Place"].class_labels and rules["Place"].subclasses
    assert rules["Resolution"].instance_of == ("Q877358",)


def test_ontology_terms_have_labels_and_comments() -> None:
    onto = Graph().parse(ROOT / "ontology" / "kfor-linking.ttl")
    terms = {s for s in onto.subjects() if str(s).startswith(str(KFOR))}
    assert {KFOR.WikidataLink, KFOR.wikidataLink, KFOR.wikidataItem, KFOR.linkMethod,
            KFOR.linkScore, KFOR.linkNote, KFOR.matchedLabel} <= terms
    for term in terms:
        assert onto.value(term, RDFS.label) and onto.value(term, RDFS.comment), term


# --- query safety ---------------------------------------------------------------

PERSON = TypeRule("Person", ("Q5",), dates=True)


def _values_roundtrip(names: list[str]) -> set[str]:
    """Run the reconciler query over a store where item i has label names[i]; return ?name."""
    literals = [Literal(name, lang="en") for name in names]
    query = reconcile_query(literals, PERSON)
    prepareQuery(query)  # rdflib's parser accepts it too
    store = pyoxigraph.Store()
    for number, name in enumerate(names):
        store.add(pyoxigraph.Quad(pyoxigraph.NamedNode(f"http://www.wikidata.org/entity/Q{number + 1}"),
                                  pyoxigraph.NamedNode(str(RDFS.label)),
                                  pyoxigraph.Literal(name, language="en")))
    return {solution["name"].value for solution in store.query(query)}


@pytest.mark.parametrize("name", [
    HOSTILE, 'a"b', "back\\slash\\", "new\nline\r\n", "{ braces }", '"""', "'''",
    '"} ; DROP ALL { ?s ?p ?o } #', "\\u0022 } UNION { ?item ?p ?o }", "tab\tend\\",
])
def test_hostile_names_stay_one_literal(name: str) -> None:
    assert _values_roundtrip([name, "Plain Name"]) == {name, "Plain Name"}


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=4, unique=True))
@example(["\\", '"', "\n", "\\u0041"])
@example(["a\nb\\\"", "tab\tx\\"])
def test_any_names_stay_literals(names: list[str]) -> None:
    assert _values_roundtrip(names) == set(names)


# --- the reconciler against a real server ------------------------------------------

@pytest.mark.server
def test_links_from_table_and_reconciler(tmp_path: Path, proxy: Proxy) -> None:
    data = export.read(GRAPH)
    report = link_graph(data, options(tmp_path, proxy.url))

    written = links_of(data)
    for key, qid in TABLED.items():
        assert written[key] == (qid, "alignment-table", "1.00")
    for key, (qid, score) in RECONCILED.items():
        assert written[key] == (qid, "reconciler", score), key
    assert set(written) == set(TABLED) | set(RECONCILED)
    assert report.count("alignment-table") == 4 and report.count("reconciler") == 6

    # owl:sameAs and schema:sameAs, in the shared graph that holds the entity
    shared = data.graph(iri("graph/shared"))
    alda = iri("person/alda-vermeer")
    assert (alda, OWL.sameAs, WD.Q9000001) in shared
    assert (alda, SCHEMA.sameAs, WD.Q9000001) in shared
    node = URIRef(f"{alda}/wikidata-link")
    assert (node, RDF.type, KFOR.WikidataLink) in shared
    assert (node, PROV.wasDerivedFrom, URIRef(proxy.url)) in shared
    assert shared.value(node, KFOR.linkScore) == Literal(Decimal("1.00"))
    assert (iri("person/jens-stoltenberg") + "/wikidata-link", PROV.wasDerivedFrom,
            URIRef("https://github.com/kfor-kg/kfor-kg/blob/main/kfor_kg/data/"
                   "wikidata-alignments.tsv")) in shared
    # The hostile name matched its own item only, not the decoys.
    assert (iri("person/evil-quote"), OWL.sameAs, WD.Q9000008) in shared
    assert not any((None, OWL.sameAs, WD[q]) in shared for q in ("Q9000009", "Q9000010"))

    # ambiguous → review; wrong type, wrong dates, no match → unmatched with reasons
    assert [item.key for item in report.review] == ["person/mira-sandoval"]
    reasons = {item.key: item.reason for item in report.unmatched}
    assert reasons["person/orla-brightwater"].startswith("candidates of the wrong type: Q9000005")
    assert reasons["person/tomas-greyling"].startswith("candidates' dates do not fit")
    assert reasons["person/zyx-nonesuch"] == "no Wikidata item has this label or alias"
    assert (iri("person/orla-brightwater"), OWL.sameAs, None) not in shared

    with (tmp_path / "review.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["entity"] for row in rows] == ["person/mira-sandoval"]
    assert rows[0]["first_report_date"] == "2007-11-05"  # S/2007/652 has only letter dates
    assert "Q9000003: Mira Sandoval — fictional judge" in rows[0]["candidates"]
    assert "Q9000004: Mira Sandoval — fictional politician" in rows[0]["candidates"]
    assert rows[0]["decision"] == ""

    # Requests: one batched query per entity kind, polite and well-formed.
    assert len(proxy.requests) == 4
    for request in proxy.requests:
        assert request["user_agent"] == USER_AGENT
        assert request["user_agent"].startswith(
            "kfor-kg/0.1.0 (https://github.com/kfor-kg/kfor-kg; kfor-kg bot) python-requests/")
        assert request["update"] == "" and request["query"].lstrip().startswith("PREFIX")
        prepareQuery(request["query"])
        # table entities are never sent to the reconciler
        assert "Jens Stoltenberg" not in request["query"] and "Pristina" not in request["query"]
    assert any(term_n3(Literal(HOSTILE, lang="en")) in r["query"] for r in proxy.requests)


@pytest.mark.server
def test_output_conforms_to_the_linking_shapes(tmp_path: Path, proxy: Proxy) -> None:
    data = export.read(GRAPH)
    link_graph(data, options(tmp_path, proxy.url))
    union = Graph()
    for triple in Dataset(store=data.store, default_union=True).triples((None, None, None)):
        union.add(triple)
    shapes = Graph().parse(ROOT / "shapes" / "kfor-linking-shapes.ttl")
    conforms, _graph, text = pyshacl.validate(union, shacl_graph=shapes, inference="none")
    assert conforms, text

    node = URIRef(f"{iri('person/alda-vermeer')}/wikidata-link")
    union.set((node, KFOR.linkScore, Literal(Decimal("1.5"))))
    union.set((node, KFOR.linkMethod, Literal("guess")))
    union.remove((URIRef(f"{iri('person/bo-kestrel')}/wikidata-link"), PROV.wasDerivedFrom, None))
    union.add((iri("person/alda-vermeer"), OWL.sameAs, WD.Q9000002))
    conforms, report, _text = pyshacl.validate(union, shacl_graph=shapes, inference="none")
    assert not conforms
    messages = {str(m) for m in report.objects(None, URIRef("http://www.w3.org/ns/shacl#resultMessage"))}
    assert any("score" in m for m in messages) and any("method" in m for m in messages)
    assert any("prov:wasDerivedFrom" in m for m in messages)
    assert any("no other Wikidata item" in m for m in messages)
    union.remove((iri("place/fixtureville"), SCHEMA.sameAs, None))
    _conforms, report, _text = pyshacl.validate(union, shacl_graph=shapes, inference="none")
    focus = set(report.objects(None, URIRef("http://www.w3.org/ns/shacl#focusNode")))
    assert iri("place/fixtureville") in focus


@pytest.mark.server
def test_second_run_is_served_from_the_cache(tmp_path: Path, proxy: Proxy) -> None:
    first = export.read(GRAPH)
    link_graph(first, options(tmp_path, proxy.url))
    sent = len(proxy.requests)
    assert sent > 0

    second = export.read(GRAPH)
    report = link_graph(second, options(tmp_path, proxy.url))
    assert len(proxy.requests) == sent          # nothing reached the server
    assert report.requests == 0 and report.cache_hits > 0
    assert export.serialize(first, "nq") == export.serialize(second, "nq")

    # A new name costs one request for that name only: answers are cached per name.
    third = export.read(GRAPH)
    newcomer = iri("person/new-comer")
    third.graph(iri("graph/shared")).add((newcomer, RDF.type, KFOR.Person))
    third.graph(iri("graph/shared")).add((newcomer, SKOS.prefLabel, Literal("New Comer", lang="en")))
    link_graph(third, options(tmp_path, proxy.url))
    assert len(proxy.requests) == sent + 1
    assert '"New Comer"@en' in proxy.requests[-1]["query"]
    assert "Alda Vermeer" not in proxy.requests[-1]["query"]


@pytest.mark.server
def test_offline_uses_only_the_table_and_the_cache(tmp_path: Path, proxy: Proxy,
                                                   dead_proxy: Proxy) -> None:
    # Empty cache: table links only, and not one connection attempt.
    data = export.read(GRAPH)
    report = link_graph(data, options(tmp_path, dead_proxy.url, offline=True))
    assert dead_proxy.requests == []
    assert links_of(data) == {key: (qid, "alignment-table", "1.00") for key, qid in TABLED.items()}
    assert set(report.not_looked_up) >= set(RECONCILED) and report.requests == 0
    assert not (tmp_path / "review.csv").exists()

    # After an online run, offline gives the same graph from the cache.
    online = export.read(GRAPH)
    link_graph(online, options(tmp_path, proxy.url))
    offline = export.read(GRAPH)
    report = link_graph(offline, options(tmp_path, proxy.url, offline=True))
    assert report.requests == 0 and report.not_looked_up == []
    assert export.serialize(online, "nq") == export.serialize(offline, "nq")


@pytest.mark.server
def test_review_decisions_are_honoured(tmp_path: Path, proxy: Proxy) -> None:
    link_graph(export.read(GRAPH), options(tmp_path, proxy.url))
    review = tmp_path / "review.csv"
    with review.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["decision"] = "Q9000004"
    rows.append({"entity": "person/orla-brightwater", "type": "Person", "label": "Orla Brightwater",
                 "first_report_date": "", "candidates": "", "decision": "none"})
    with review.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    for offline in (False, True):  # honoured online and offline, on every run
        data = export.read(GRAPH)
        report = link_graph(data, options(tmp_path, proxy.url, offline=offline))
        assert links_of(data)["person/mira-sandoval"] == ("Q9000004", "review-decision", "1.00")
        assert report.review == []
        assert {u.key: u.reason for u in report.unmatched}["person/orla-brightwater"] == \
            "declined in the review file"
        assert read_review_file(review) == {"person/mira-sandoval": "Q9000004",
                                            "person/orla-brightwater": None}

    review.write_text("entity,decision\nperson/mira-sandoval,maybe\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"review.csv:2: decision 'maybe'"):
        link_graph(export.read(GRAPH), options(tmp_path, proxy.url))


@pytest.mark.server
def test_linking_twice_replaces_the_earlier_links(tmp_path: Path, proxy: Proxy) -> None:
    data = export.read(GRAPH)
    link_graph(data, options(tmp_path, proxy.url))
    once = export.serialize(data, "nq")
    link_graph(data, options(tmp_path, proxy.url))
    assert export.serialize(data, "nq") == once

    table = tmp_path / "table.tsv"
    table.write_text("key\tqid\tlabel\tverified\nperson/alda-vermeer\tQ9000002\tAlda\ttest\n",
                     encoding="utf-8")
    link_graph(data, options(tmp_path, proxy.url, table=table))
    shared = data.graph(iri("graph/shared"))
    assert set(shared.objects(iri("person/alda-vermeer"), OWL.sameAs)) == {WD.Q9000002}
    assert (iri("person/jens-stoltenberg"), OWL.sameAs, None) not in shared


# --- the HTTP client ------------------------------------------------------------------

SIMPLE = "SELECT ?item WHERE { ?item <http://www.w3.org/2000/01/rdf-schema#label> \"Alda Vermeer\"@en }"


@pytest.mark.server
def test_retry_after_is_honoured_on_429(tmp_path: Path, proxy: Proxy) -> None:
    waits: list[float] = []
    proxy.script = [(429, {"Retry-After": "7"})]
    client = SparqlClient(proxy.url, cache_dir=tmp_path, min_interval=0, sleep=waits.append)
    rows = client.select(SIMPLE)
    assert rows == [{"item": URIRef("http://www.wikidata.org/entity/Q9000001")}]
    assert waits == [7.0] and len(proxy.requests) == 2 and client.stats.retries == 1


@pytest.mark.server
def test_backoff_on_server_errors(proxy: Proxy) -> None:
    waits: list[float] = []
    proxy.script = [(503, {}), (502, {})]
    client = SparqlClient(proxy.url, min_interval=0, backoff=1.5, sleep=waits.append)
    assert client.fetch(SIMPLE)
    assert waits == [1.5, 3.0] and len(proxy.requests) == 3


def test_connection_errors_are_retried_then_reported() -> None:
    waits: list[float] = []
    endpoint = f"http://127.0.0.1:{free_port()}/query"  # nothing listens there
    client = SparqlClient(endpoint, min_interval=0, max_retries=2, backoff=1, sleep=waits.append)
    with pytest.raises(LinkError, match=rf"{endpoint} is unreachable \(connection refused\); "
                                        rf"is the server running\? \(gave up after 3 attempts\)"):
        client.fetch(SIMPLE)
    assert waits == [1.0, 2.0] and client.stats.requests == 3


def test_too_long_retry_after_is_an_error(dead_proxy: Proxy) -> None:
    dead_proxy.script = [(429, {"Retry-After": "86400"})]
    client = SparqlClient(dead_proxy.url, min_interval=0, max_wait=600, sleep=pytest.fail)
    with pytest.raises(LinkError, match="answered HTTP 429 Too Many Requests and asked to wait "
                                        "86400 s, more than the 600 s allowed"):
        client.fetch(SIMPLE)
    assert len(dead_proxy.requests) == 1


@pytest.mark.server
def test_malformed_query_is_not_retried(proxy: Proxy) -> None:
    client = SparqlClient(proxy.url, min_interval=0, sleep=pytest.fail)
    with pytest.raises(LinkError, match=r"rejected the request as malformed \(HTTP 400 Bad "
                                        r"Request\); the server said: error at 1:1"):
        client.fetch("SELEC nothing")
    assert len(proxy.requests) == 1


def test_requests_are_spaced_by_the_minimum_interval(dead_proxy: Proxy) -> None:
    now = [100.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    client = SparqlClient(dead_proxy.url, min_interval=5, max_retries=0, sleep=sleep,
                          clock=lambda: now[0])
    for _ in range(2):
        with pytest.raises(LinkError):
            client.fetch(SIMPLE)  # the dead proxy answers 503
        now[0] += 1.5
    assert waits == [3.5] and len(dead_proxy.requests) == 2


@pytest.mark.server
def test_retry_after_as_a_date_or_garbage(proxy: Proxy) -> None:
    waits: list[float] = []
    proxy.script = [(503, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}),  # in the past
                    (503, {"Retry-After": "soon"})]  # unreadable: the backoff applies
    client = SparqlClient(proxy.url, min_interval=0, backoff=1.5, sleep=waits.append)
    assert client.fetch(SIMPLE)
    assert waits == [0.0, 3.0] and len(proxy.requests) == 3


def test_the_cache_holds_terms_as_sparql_json(tmp_path: Path) -> None:
    client = SparqlClient("http://127.0.0.1:1/query", cache_dir=tmp_path, offline=True)
    rows = [{"item": WD.Q1, "label": Literal("Pristina", lang="en"),
             "birth": Literal("1950-01-01T00:00:00Z",
                              datatype=URIRef("http://www.w3.org/2001/XMLSchema#dateTime")),
             "via": Literal("label")}]
    client.store(SIMPLE, rows)
    assert client.cached(SIMPLE) == rows
    path = client.cache_path(SIMPLE)
    assert path is not None
    assert json.loads(path.read_text(encoding="utf-8"))["bindings"][0]["label"] == \
        {"type": "literal", "value": "Pristina", "xml:lang": "en"}


def test_offline_client_never_sends(dead_proxy: Proxy, tmp_path: Path) -> None:
    client = SparqlClient(dead_proxy.url, cache_dir=tmp_path, offline=True)
    assert client.select(SIMPLE) is None
    with pytest.raises(LinkError, match="offline"):
        client.fetch(SIMPLE)
    assert dead_proxy.requests == []


def test_bad_endpoint_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="ftp://example.org"):
        SparqlClient("ftp://example.org/sparql")


# --- files and the command line ---------------------------------------------------------

@pytest.mark.server
def test_link_file_and_cli(tmp_path: Path, proxy: Proxy) -> None:
    graph = tmp_path / "kfor.trig"
    shutil.copy(GRAPH, graph)
    out = tmp_path / "linked.ttl"
    report = link_file(graph, out, options(tmp_path, proxy.url))
    assert report.count("reconciler") == 6
    linked = Graph().parse(out)
    assert (iri("place/fixtureville"), OWL.sameAs, WD.Q9000020) in linked

    runner = CliRunner()
    args = ["link", str(graph), "--endpoint", proxy.url, "--cache-dir", str(tmp_path / "cli-cache"),
            "--min-interval", "0"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "linked 10 (table 4, reconciler 6, review decisions 0); 1 sent to review" in result.output
    assert (tmp_path / "kfor.wikidata-review.csv").is_file()
    relinked = export.read(graph)  # GRAPH was overwritten in place, named graphs kept
    assert (iri("place/fixtureville"), OWL.sameAs, WD.Q9000020) in relinked.graph(iri("graph/shared"))

    result = runner.invoke(cli, [*args, "--offline", "--quiet", "-o", str(tmp_path / "o.nt")])
    assert result.exit_code == 0 and result.output == ""

    result = runner.invoke(cli, ["link", str(graph), "--endpoint", "ftp://nowhere"])
    assert result.exit_code == 3 and "ftp://nowhere" in result.output
    result = runner.invoke(cli, ["link", str(tmp_path / "missing.ttl")])
    assert result.exit_code == 2


def test_cli_offline_without_network(tmp_path: Path, dead_proxy: Proxy) -> None:
    graph = tmp_path / "kfor.trig"
    shutil.copy(GRAPH, graph)
    result = CliRunner().invoke(cli, ["link", str(graph), "--offline", "--endpoint", dead_proxy.url,
                                      "--cache-dir", str(tmp_path / "empty")])
    assert result.exit_code == 0, result.output
    assert "linked 4 (table 4, reconciler 0" in result.output
    assert "not looked up (offline, not in the cache)" in result.output
    assert dead_proxy.requests == []


# --- the shipped reports and the entities query ------------------------------------------

# Recurring actors of the seed reports with a verified Wikidata ID (shared/wikidata/verified-ids.tsv).
SEED_ACTORS = {"person/antonio-guterres": "Q311440", "person/ban-ki-moon": "Q1253",
               "person/jens-stoltenberg": "Q57665", "person/mark-rutte": "Q57792",
               "organization/nato": "Q7184", "organization/united-nations": "Q1065",
               "organization/united-nations-security-council": "Q37470",
               "post/united-nations/secretary-general": "Q81066"}


def test_seed_actors_with_verified_ids_are_linked_offline(tmp_path: Path, dead_proxy: Proxy) -> None:
    from kfor_kg import build as pipeline

    data = pipeline.build().dataset  # the bundled examples are the five seed reports
    report = link_graph(data, options(tmp_path, dead_proxy.url, offline=True))
    written = links_of(data)
    for key, qid in SEED_ACTORS.items():
        assert written[key] == (qid, "alignment-table", "1.00"), key
    table = load_alignments()
    # Whatever else the entity layer mints, a key in the table gets the table's QID.
    assert all(written[key][0] == table[key].qid for key in written if key in table)
    assert dead_proxy.requests == [] and report.requests == 0


@pytest.mark.server
def test_entities_query_shows_the_links(tmp_path: Path, proxy: Proxy) -> None:
    from kfor_kg.stores import query

    data = export.read(GRAPH)
    link_graph(data, options(tmp_path, proxy.url))
    result = query.run("entities", data=data)
    wikidata = {(row[result.columns.index("entity")], row[result.columns.index("wikidata")])
                for row in result.rows}
    assert (str(iri("person/alda-vermeer")), str(WD.Q9000001)) in wikidata
    assert (str(iri("person/mira-sandoval")), "") in wikidata  # in review: no link yet


# --- issue 13, case 18: escaped labels; one rejected entity never stops the others -------------

@pytest.mark.parametrize("label", ['Line one\nline two \\"', 'x\n"', 'tab\there\\'])
def test_case18_label_with_newline_and_escaped_quote_is_one_literal(label: str) -> None:
    literal = term_n3(Literal(label, lang="en"))
    assert "\n" not in literal and literal.startswith('"')  # one line, never a long string
    assert _values_roundtrip([label, "Plain Name"]) == {label, "Plain Name"}


class _RejectingClient(SparqlClient):
    """A client whose endpoint answers 400 to any query holding `marker`, as WDQS does to a
    query it cannot parse."""

    marker = "Unparseable Name"
    rejected_queries = 0

    def fetch(self, query: str) -> list:  # type: ignore[type-arg]
        if self.marker in query:
            self.rejected_queries += 1
            failure = RequestFailed(self.endpoint, "rejected the request as malformed "
                                    "(HTTP 400 Bad Request); the server said: Lexical error",
                                    status=400, fatal=False, attempts=1)
            raise LinkError(str(failure)) from failure
        return super().fetch(query)


@pytest.mark.server
def test_case18_one_rejected_entity_never_stops_the_others(tmp_path: Path, proxy: Proxy) -> None:
    data = export.read(GRAPH)
    bad = iri("person/unparseable-name")
    data.graph(iri("graph/shared")).add((bad, RDF.type, KFOR.Person))
    data.graph(iri("graph/shared")).add((bad, SKOS.prefLabel,
                                         Literal("Unparseable Name\n\\\"", lang="en")))
    settings_ = options(tmp_path, proxy.url)
    client = _RejectingClient(proxy.url, cache_dir=tmp_path / "cache", min_interval=0.0)
    report = link_graph(data, settings_, client)
    written = links_of(data)
    for key, (qid, score) in RECONCILED.items():  # every other entity still linked
        assert written[key] == (qid, "reconciler", score), key
    reasons = {item.key: item.reason for item in report.unmatched}
    assert reasons["person/unparseable-name"].startswith(
        "the endpoint rejected the lookup of 'Unparseable Name\\n\\\\\"': rejected the request "
        "as malformed (HTTP 400 Bad Request)")
    assert client.rejected_queries >= 2  # the whole batch, then the name alone
