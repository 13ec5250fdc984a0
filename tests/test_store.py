"""kfor_kg.stores.triplestore against a real Oxigraph server (issue 4): load, reload, unload, failures.

Server tests start `oxigraph serve` on a free 127.0.0.1 port (tests/servers.py);
fault tests put a small HTTP proxy (below) between the client and the server to
drop connections, delay answers, return errors or demand basic authentication.
Store content is compared as sets of quads parsed by pyoxigraph, never as text.
"""

from __future__ import annotations

import base64
import http.client
import http.server
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF

from kfor_kg.rdf import export
from kfor_kg.stores import layout, triplestore as store
from kfor_kg.rdf.validate import load_ontology
from kfor_kg.cli import cli
from kfor_kg.errors import ConfigError, IngestError
from kfor_kg.rdf.vocab import DEFAULT_BASE, KFOR, SEM
from kfor_kg.resources import resource_dir
from kfor_kg.stores.client import Target, password_from_env
from kfor_kg.stores.http import RetryPolicy
from servers import LocalHTTPServer, OxigraphServer, free_port

FIXTURE = Path(__file__).parent / "data" / "store" / "three-docs.trig"
ID = DEFAULT_BASE
DOCS = [ID + "doc/S-2007-1", ID + "doc/S-2017-1", ID + "doc/S-2017-2"]
SHARED = ID + "graph/shared"
ONTOLOGY = ID + "graph/ontology"
ALL_QUADS = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"

Quad = tuple[Any, Any, Any, Any]


def fast_retry(**options: Any) -> RetryPolicy:
    """Retries with millisecond backoff, so that fault tests stay quick."""
    return RetryPolicy(**{"attempts": 3, "initial_delay": 0.001, "max_delay": 0.01, **options})


class Sleeps(list[float]):
    """A RetryPolicy.sleep that records the waits instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


# --- data ------------------------------------------------------------------------

def fixture_dataset() -> Dataset:
    return layout.read_graph([FIXTURE])


def changed_dataset(*documents: str) -> Dataset:
    """The fixture with the given documents edited (one triple changed, one added)."""
    data = fixture_dataset()
    for doc in documents:
        graph = data.graph(URIRef(doc + "/graph"))
        graph.set((URIRef(doc), KFOR.sourceFile, Literal(doc.rsplit("/", 1)[1] + "-v2.txt")))
        graph.add((URIRef(doc + "/event/election-99"), RDF.type, KFOR.Event))
    return data


def expected_quads(data: Graph, ontology: bool = True) -> set[Quad]:
    """The quads a load of `data` must leave in an empty store, via a local pyoxigraph store."""
    split = layout.split_dataset(data)
    local = ox.Store()

    def put(triples: set[Any], name: str) -> None:
        graph = Graph()
        for triple in triples:
            graph.add(triple)
        if len(graph):  # serialized by rdflib, independently of kfor_kg.stores.triplestore
            local.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES,
                       to_graph=ox.NamedNode(name))

    for doc, graph in split.documents.items():
        put(graph, f"{doc}/graph")
    put(split.shared, SHARED)
    if ontology:
        put(split.ontology | set(load_ontology()), ONTOLOGY)
    solutions = local.query(ALL_QUADS)
    assert isinstance(solutions, ox.QuerySolutions)
    return {(row["s"], row["p"], row["o"], row["g"]) for row in solutions}


def in_graph(quads: set[Quad], name: str) -> set[Quad]:
    return {q for q in quads if q[3].value == name}


def graph_names(quads: set[Quad]) -> set[str]:
    return {q[3].value for q in quads}


# --- talking to the server directly ---------------------------------------------------

def remote_select(url: str, query: str, default_graphs: list[str] | None = None) -> ox.QuerySolutions:
    params = [("query", query)] + [("default-graph-uri", g) for g in default_graphs or []]
    request = urllib.request.Request(url, data=urllib.parse.urlencode(params).encode(),
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        solutions = ox.parse_query_results(response.read(), format=ox.QueryResultsFormat.JSON)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


def store_quads(server: OxigraphServer) -> set[Quad]:
    return {(row["s"], row["p"], row["o"], row["g"])
            for row in remote_select(server.query_url, ALL_QUADS)}


def graph_store(server: OxigraphServer | Proxy, **options: Any) -> Target:
    """Oxigraph's three endpoints: documents go through the Graph Store Protocol."""
    base = server.url if isinstance(server, Proxy) else server.base_url
    return Target.for_server("oxigraph", base, **{"timeout": 10, **options})


def sparql_update(server: OxigraphServer | Proxy, **options: Any) -> Target:
    """Only query and update endpoints: documents go through SPARQL Update."""
    base = server.url if isinstance(server, Proxy) else server.base_url
    return Target(base + "/query", base + "/update", **{"timeout": 10, **options})


@pytest.fixture
def server(tmp_path: Path) -> Iterator[OxigraphServer]:
    with OxigraphServer(tmp_path / "db") as running:
        yield running


# --- a fault-injecting proxy ---------------------------------------------------------

DROP = "drop"  # close the connection without answering


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    method: str
    path: str
    body: bytes


Rule = Callable[[Seen], "Reply | str | None"]


class Proxy(LocalHTTPServer):
    """An HTTP proxy on 127.0.0.1 in front of `upstream`.

    `rule` sees every request and may answer it (Reply), drop it (DROP) or let it
    through (None). With `credentials`, requests without that basic-auth user and
    password get a 401, as a store behind authentication would answer.
    """

    def __init__(self, upstream: str, rule: Rule | None = None,
                 credentials: tuple[str, str] | None = None) -> None:
        self.upstream = urllib.parse.urlsplit(upstream)
        self.rule = rule
        self.seen: list[Seen] = []
        expected = None
        if credentials:
            expected = "Basic " + base64.b64encode(":".join(credentials).encode()).decode()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                seen = Seen(self.command, self.path, body)
                proxy.seen.append(seen)
                if expected and self.headers.get("Authorization") != expected:
                    return self._reply(Reply(401, b"Unauthorized",
                                             {"WWW-Authenticate": 'Basic realm="kfor"'}))
                action = proxy.rule(seen) if proxy.rule else None
                if action == DROP:
                    self.close_connection = True
                    return
                if isinstance(action, Reply):
                    return self._reply(action)
                upstream = http.client.HTTPConnection(proxy.upstream.netloc, timeout=30)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "connection", "authorization")}
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                answer = upstream.getresponse()
                self._reply(Reply(answer.status, answer.read(),
                                  {k: v for k, v in answer.getheaders()
                                   if k.lower() not in ("transfer-encoding", "connection",
                                                        "content-length")}))
                upstream.close()

            def _reply(self, reply: Reply) -> None:
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        super().__init__(Handler)

    def __enter__(self) -> Proxy:
        super().__enter__()
        return self


def nth(predicate: Callable[[Seen], bool], action: Reply | str, first: int,
        last: int | None = None) -> Rule:
    """A rule applying `action` to the first..last (1-based) requests matching `predicate`."""
    count = 0

    def rule(seen: Seen) -> Reply | str | None:
        nonlocal count
        if not predicate(seen):
            return None
        count += 1
        return action if count >= first and (last is None or count <= last) else None
    return rule


def put_of(doc: str) -> Callable[[Seen], bool]:
    graph = urllib.parse.quote(doc + "/graph", safe="")
    return lambda seen: seen.method == "PUT" and seen.path.endswith("graph=" + graph)


def batch_into(doc: str) -> Callable[[Seen], bool]:
    marker = f"INSERT DATA {{ GRAPH <{doc}/graph/loading>".encode()
    return lambda seen: seen.path.split("?")[0] == "/update" and seen.body.startswith(marker)


# --- splitting a build ------------------------------------------------------------------

def test_split_puts_each_triple_in_the_graph_of_its_subject() -> None:
    data = fixture_dataset()
    split = layout.split_dataset(data)
    assert split.base == ID
    assert sorted(map(str, split.documents)) == DOCS
    for doc, graph in split.documents.items():
        assert set(graph) == set(data.graph(URIRef(doc + "/graph")))
    assert set(split.shared) == set(data.graph(URIRef(SHARED)))
    assert len(split.ontology) == 0


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld", "nq"])
def test_every_format_of_a_build_splits_like_its_trig(tmp_path: Path, fmt: str) -> None:
    data = fixture_dataset()
    path = export.write(data, tmp_path / f"three-docs.{fmt}")
    reference, other = layout.split_dataset(data), layout.split_dataset(layout.read_graph([path]))
    assert {d: set(g) for d, g in other.documents.items()} == \
        {d: set(g) for d, g in reference.documents.items()}
    assert set(other.shared) == set(reference.shared)


def test_the_ontology_goes_to_its_own_graph() -> None:
    data = fixture_dataset()
    data.add((KFOR.Document, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")))
    data.add((URIRef(str(KFOR).rstrip("#")), RDF.type, URIRef("http://www.w3.org/2002/07/owl#Ontology")))
    split = layout.split_dataset(data)
    assert len(split.ontology) == 2
    assert set(split.shared) == set(data.graph(URIRef(SHARED)))


def test_split_refuses_data_it_cannot_load_idempotently() -> None:
    from rdflib import BNode

    data = fixture_dataset()
    data.add((URIRef(ID + "person/x"), SEM.hasPlace, BNode()))
    with pytest.raises(IngestError, match="blank nodes"):
        layout.split_dataset(data)
    with pytest.raises(IngestError, match="no document"):
        layout.split_dataset(Graph())
    data = fixture_dataset()
    data.add((URIRef("https://example.org/doc/X"), RDF.type, KFOR.Document))
    with pytest.raises(IngestError, match="several bases"):
        layout.split_dataset(data)
    with pytest.raises(IngestError, match="docs/model.md"):
        layout.split_dataset(Graph().add((URIRef("https://example.org/x"), RDF.type, KFOR.Document)))
    data = fixture_dataset()
    data.add((URIRef(DOCS[0]), KFOR.sourceFile, URIRef("urn:x> } } ; DROP ALL ; #")))
    with pytest.raises(IngestError, match="IRI with a space"):
        layout.split_dataset(data)


@settings(max_examples=200, deadline=None)
@given(text=st.text(), lang=st.sampled_from([None, "en", "fr-BE"]))
def test_literals_survive_n_triples_and_sparql_update(text: str, lang: str | None) -> None:
    literal = Literal(text, lang=lang)
    [line] = store._nt_lines([(URIRef(ID + "person/x"), URIRef(ID + "p"), literal)])
    [quad] = list(ox.parse(line.encode(), format=ox.RdfFormat.N_TRIPLES))
    assert (quad.object.value, quad.object.language) == (text, lang and lang.lower())
    local = ox.Store()
    local.update(f"INSERT DATA {{ {line} }}")
    [stored] = list(local)
    assert stored.object == quad.object


def test_typed_literals_keep_their_datatype() -> None:
    from rdflib.namespace import XSD

    triples = [(URIRef(ID + "x"), URIRef(ID + "p"), Literal("2017-10-25", datatype=XSD.date)),
               (URIRef(ID + "x"), URIRef(ID + "p"), Literal(4100)),
               (URIRef(ID + "x"), URIRef(ID + "p"), Literal("plain", datatype=XSD.string))]
    parsed = ox.parse("\n".join(store._nt_lines(triples)).encode(), format=ox.RdfFormat.N_TRIPLES)
    assert sorted((q.object.value, q.object.datatype.value) for q in parsed) == [
        ("2017-10-25", str(XSD.date)), ("4100", str(XSD.integer)), ("plain", str(XSD.string))]


# --- targets, credentials, retry policy -------------------------------------------------

@pytest.mark.parametrize("kind, query, update, graph_store", [
    ("oxigraph", "http://h:7878/query", "http://h:7878/update", "http://h:7878/store"),
    ("fuseki", "http://h:7878/query", "http://h:7878/update", "http://h:7878/data"),
    ("graphdb", "http://h:7878", "http://h:7878/statements", "http://h:7878/rdf-graphs/service"),
    ("virtuoso", "http://h:7878/sparql", "http://h:7878/sparql", "http://h:7878/sparql-graph-crud"),
    ("blazegraph", "http://h:7878/sparql", "http://h:7878/sparql", None),
])
def test_server_presets(kind: str, query: str, update: str, graph_store: str | None) -> None:
    target = Target.for_server(kind, "http://h:7878/")
    assert (target.endpoint, target.update_url, target.graph_store) == (query, update, graph_store)
    assert target.method == ("graph-store" if graph_store else "update")


def test_bad_targets_are_config_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="not an http"):
        Target("ftp://h/query")
    with pytest.raises(ConfigError, match="unknown server type 'stardog'"):
        Target.for_server("stardog", "http://h")
    with pytest.raises(ConfigError, match="both a user and a password"):
        Target("http://h/query", user="me")
    monkeypatch.delenv("KFOR_TEST_PASSWORD", raising=False)
    with pytest.raises(ConfigError, match="KFOR_TEST_PASSWORD .* not set"):
        password_from_env("KFOR_TEST_PASSWORD")
    monkeypatch.setenv("KFOR_TEST_PASSWORD", "s3cret")
    assert password_from_env("KFOR_TEST_PASSWORD") == "s3cret"
    assert "s3cret" not in repr(Target("http://h/q", user="me", password="s3cret"))


@pytest.mark.server
def test_backoff_is_capped_and_a_too_long_retry_after_is_not_waited_for(
        server: OxigraphServer) -> None:
    sleeps = Sleeps()
    with Proxy(server.base_url, nth(put_of(DOCS[0]), Reply(502, b"bad gateway"), 1, 4)) as proxy:
        report = store.load_dataset(fixture_dataset(), graph_store(proxy), retry=RetryPolicy(
            attempts=5, initial_delay=1, max_delay=3, sleep=sleeps))
    assert report.ok and sleeps == [1.0, 2.0, 3.0, 3.0]

    sleeps.clear()
    busy = Reply(503, b"maintenance", {"Retry-After": "600"})
    with Proxy(server.base_url, nth(put_of(DOCS[1]), busy, 1)) as proxy:
        report = store.load_dataset(fixture_dataset(), graph_store(proxy), retry=RetryPolicy(
            max_retry_after=60, sleep=sleeps))
        assert len([s for s in proxy.seen if put_of(DOCS[1])(s)]) == 1
    assert sleeps == []
    assert report.failed[DOCS[1]] == (
        f"replacing the graph of document {DOCS[1]}: {proxy.url}/store answered HTTP 503 Service "
        f"Unavailable and asked to wait 600 s, more than the 60 s allowed; try again later; "
        f"the server said: maintenance")


def test_document_references() -> None:
    assert layout.document_iri("S/2007/652") == URIRef(ID + "doc/S-2007-652")
    assert layout.document_iri("S-2007-652", "https://example.org/") == \
        URIRef("https://example.org/doc/S-2007-652")
    assert layout.document_iri(ID + "doc/S-2007-652/graph") == URIRef(ID + "doc/S-2007-652")
    for bad in ("https://example.org/person/x", "", "x> } ; DROP ALL ; #", "S 2007 1"):
        with pytest.raises(ConfigError, match="not a document key"):
            layout.document_iri(bad)


# --- loading ------------------------------------------------------------------------

@pytest.mark.server
@pytest.mark.parametrize("protocol", ["graph-store", "update", "update-batched"])
def test_load_puts_each_document_in_its_own_graph(server: OxigraphServer, protocol: str) -> None:
    target = graph_store(server) if protocol == "graph-store" else sparql_update(server)
    batch = 7 if protocol == "update-batched" else store.DEFAULT_BATCH_SIZE
    data = fixture_dataset()
    report = store.load_dataset(data, target, batch_size=batch, retry=fast_retry())
    assert report.ok and report.warnings == []
    assert report.method == ("graph-store" if protocol == "graph-store" else "update")
    assert report.stored == DOCS
    assert report.in_store == {doc: len(data.graph(URIRef(doc + "/graph"))) for doc in DOCS}
    assert report.shared_triples == len(data.graph(URIRef(SHARED)))
    assert store_quads(server) == expected_quads(data)  # and no */loading graph left over
    assert store.stored_documents(target) == report.in_store
    assert store.stored_graphs(target) == sorted(DOCS_GRAPHS + [SHARED, ONTOLOGY])


DOCS_GRAPHS = [doc + "/graph" for doc in DOCS]


@pytest.mark.server
@pytest.mark.parametrize("first, second", [("graph-store", "graph-store"), ("update", "update"),
                                           ("graph-store", "update")])
def test_loading_twice_changes_nothing(server: OxigraphServer, first: str, second: str) -> None:
    targets = {"graph-store": graph_store(server), "update": sparql_update(server)}
    assert store.load([FIXTURE], targets[first]).ok
    before = store_quads(server)
    report = store.load([FIXTURE], targets[second], batch_size=7)
    assert report.ok and report.orphans_removed == 0
    assert store_quads(server) == before


@pytest.mark.server
def test_turtle_and_trig_of_a_build_load_the_same(server: OxigraphServer, tmp_path: Path) -> None:
    target = graph_store(server)
    data = fixture_dataset()
    contents = {}
    for fmt in ("trig", "ttl", "jsonld"):
        path = export.write(data, tmp_path / f"build.{fmt}")
        assert store.load([path], target).ok
        contents[fmt] = store_quads(server)
        urllib.request.urlopen(urllib.request.Request(
            server.update_url, data=b"DROP ALL", headers={"Content-Type": "application/sparql-update"}))
    assert contents["trig"] == contents["ttl"] == contents["jsonld"] == expected_quads(data)


@pytest.mark.server
@pytest.mark.parametrize("protocol", ["graph-store", "update"])
def test_a_changed_report_replaces_only_its_graph(server: OxigraphServer, protocol: str) -> None:
    target = graph_store(server) if protocol == "graph-store" else sparql_update(server)
    assert store.load_dataset(fixture_dataset(), target).ok
    before = store_quads(server)
    # S-2017-2 no longer counts drug incidents (the only use of that category)
    # and now mentions Pristina; the other two documents are as before.
    changed = fixture_dataset()
    doc = URIRef(DOCS[2])
    graph = changed.graph(URIRef(DOCS[2] + "/graph"))
    incident = URIRef(DOCS[2] + "/report/incidents/drugs")
    graph.remove((incident, None, None))
    graph.remove((None, None, incident))
    graph.set((URIRef(DOCS[2] + "/report/troop-strength"), KFOR.troops, Literal(4200)))
    graph.add((URIRef(DOCS[2] + "/event/arrest-10"), SEM.hasPlace, URIRef(ID + "place/pristina")))
    shared = changed.graph(URIRef(SHARED))
    shared.add((URIRef(ID + "place/pristina"), RDF.type, KFOR.Place))
    only_this_document = Dataset()
    for triple in graph:
        only_this_document.graph(graph.identifier).add(triple)
    for triple in shared:
        only_this_document.graph(shared.identifier).add(triple)

    report = store.load_dataset(only_this_document, target)

    assert report.ok and report.stored == [str(doc)]
    assert report.orphans_removed == 1  # incident-category/drugs
    after = store_quads(server)
    for other in DOCS_GRAPHS[:2] + [ONTOLOGY]:
        assert in_graph(after, other) == in_graph(before, other)
    assert in_graph(after, DOCS_GRAPHS[2]) == in_graph(expected_quads(changed), DOCS_GRAPHS[2])
    shared_subjects = {q[0].value for q in in_graph(after, SHARED)}
    assert ID + "incident-category/drugs" not in shared_subjects
    assert ID + "place/pristina" in shared_subjects
    assert in_graph(after, SHARED) - in_graph(before, SHARED) == \
        {(ox.NamedNode(ID + "place/pristina"), ox.NamedNode(str(RDF.type)),
          ox.NamedNode(str(KFOR.Place)), ox.NamedNode(SHARED))}


@pytest.mark.server
def test_replace_shared_rewrites_the_shared_graph(server: OxigraphServer) -> None:
    target = graph_store(server)
    store.load_dataset(fixture_dataset(), target)
    stale = (URIRef(ID + "person/antonio-guterres"), URIRef("http://www.w3.org/2004/02/skos/core#altLabel"),
             Literal("Gutteres"))
    data = fixture_dataset()
    data.graph(URIRef(SHARED)).add(stale)
    store.load_dataset(data, target)
    assert len(in_graph(store_quads(server), SHARED)) == len(data.graph(URIRef(SHARED)))
    report = store.load_dataset(fixture_dataset(), target, replace_shared=True)
    assert report.ok and report.warnings == []
    assert store_quads(server) == expected_quads(fixture_dataset())

    only_one = Dataset()
    for graph in (DOCS_GRAPHS[0], SHARED):
        for triple in fixture_dataset().graph(URIRef(graph)):
            only_one.graph(URIRef(graph)).add(triple)
    report = store.load_dataset(only_one, target, replace_shared=True)
    assert report.ok
    assert report.warnings == [
        "the shared graph was replaced, but the store also holds 2 other document(s) "
        "(S-2017-1, S-2017-2) whose shared nodes may now be missing; load them again"]


# --- unloading ----------------------------------------------------------------------

@pytest.mark.server
def test_unload_removes_a_document_and_the_entities_only_it_used(server: OxigraphServer) -> None:
    target = sparql_update(server)
    store.load_dataset(fixture_dataset(), graph_store(server))
    before = store_quads(server)

    report = store.unload(target, ["S/2007/1", "S-1999-99"], retry=fast_retry())

    assert report.removed == [DOCS[0]]
    assert report.missing == [ID + "doc/S-1999-99"]
    assert report.orphans_removed == 2
    after = store_quads(server)
    assert graph_names(after) == {DOCS_GRAPHS[1], DOCS_GRAPHS[2], SHARED, ONTOLOGY}
    gone = {q[0].value for q in in_graph(before, SHARED) - in_graph(after, SHARED)}
    assert gone == {ID + "person/ban-ki-moon", ID + "place/mitrovica"}
    for graph in (DOCS_GRAPHS[1], DOCS_GRAPHS[2], ONTOLOGY):
        assert in_graph(after, graph) == in_graph(before, graph)

    store.unload(target, [DOCS[1], DOCS[2]])
    assert graph_names(store_quads(server)) == {ONTOLOGY}  # every shared node was reachable

    store.load_dataset(fixture_dataset(), graph_store(server))
    assert store_quads(server) == before


# --- failures -----------------------------------------------------------------------

@pytest.mark.server
def test_server_stopped_in_the_middle_of_a_load(server: OxigraphServer) -> None:
    target = graph_store(server)
    assert store.load_dataset(fixture_dataset(), target).ok
    old = store_quads(server)
    changed = changed_dataset(*DOCS)
    sleeps = Sleeps()

    def kill_after_first(outcome: store.DocumentOutcome) -> None:
        if outcome.stored and server.process is not None:
            server.process.kill()
            server.process.wait()

    report = store.load_dataset(changed, target, retry=fast_retry(sleep=sleeps),
                                on_document=kill_after_first)

    assert report.stored == [DOCS[0]]
    failure = report.failed[DOCS[1]]
    assert server.store_url in failure and DOCS[1] in failure
    assert "connection refused" in failure and "gave up after 3 attempts" in failure
    assert len(sleeps) == 2
    assert report.failed[DOCS[2]].startswith("not attempted after an earlier failure")
    assert report.in_store is None

    server.stop()
    with OxigraphServer(server.location) as restarted:
        now = store_quads(restarted)
    new = expected_quads(changed)
    assert in_graph(now, DOCS_GRAPHS[0]) == in_graph(new, DOCS_GRAPHS[0])
    for graph in DOCS_GRAPHS[1:]:
        assert in_graph(now, graph) == in_graph(old, graph)  # the old version, whole


@pytest.mark.server
def test_connection_lost_between_batches_leaves_the_old_graph(server: OxigraphServer) -> None:
    store.load_dataset(fixture_dataset(), graph_store(server))
    old = store_quads(server)
    changed = changed_dataset(*DOCS)
    cut = nth(batch_into(DOCS[1]), DROP, first=2)  # from the 2nd batch of S-2017-1 on
    lost = {"on": False}

    def rule(seen: Seen) -> Reply | str | None:
        lost["on"] = lost["on"] or cut(seen) == DROP
        return DROP if lost["on"] else None

    with Proxy(server.base_url, rule) as proxy:
        target = Target(proxy.url + "/query", proxy.url + "/update", timeout=10)
        report = store.load_dataset(changed, target, batch_size=10, retry=fast_retry())

    assert report.stored == [DOCS[0]]
    failure = report.failed[DOCS[1]]
    assert failure.startswith(f"replacing the graph of document {DOCS[1]} (batch 2 of 2): "
                              f"{proxy.url}/update closed the connection")
    assert report.failed[DOCS[2]].startswith("not attempted")
    now = store_quads(server)
    assert in_graph(now, DOCS_GRAPHS[0]) == in_graph(expected_quads(changed), DOCS_GRAPHS[0])
    assert in_graph(now, DOCS_GRAPHS[1]) == in_graph(old, DOCS_GRAPHS[1])
    assert in_graph(now, DOCS_GRAPHS[2]) == in_graph(old, DOCS_GRAPHS[2])
    # The clean-up request was lost too; the next load of the document drops the rest.
    assert DOCS_GRAPHS[1] + "/loading" in graph_names(now)
    assert store.load_dataset(changed, sparql_update(server)).ok
    assert store_quads(server) == expected_quads(changed)


@pytest.mark.server
def test_a_batch_rejected_halfway(server: OxigraphServer) -> None:
    store.load_dataset(fixture_dataset(), graph_store(server))
    old = store_quads(server)
    changed = changed_dataset(*DOCS)
    rule = nth(batch_into(DOCS[1]), Reply(400, b"Parse error: unexpected '}' at line 3"), first=2,
               last=2)
    with Proxy(server.base_url, rule) as proxy:
        target = Target(proxy.url + "/query", proxy.url + "/update", timeout=10)
        report = store.load_dataset(changed, target, batch_size=10, retry=fast_retry())
        assert sum(batch_into(DOCS[1])(s) for s in proxy.seen) == 2  # the rejected one: not retried

    assert report.stored == [DOCS[0], DOCS[2]]  # a bad request does not stop the others
    assert report.failed == {DOCS[1]: (
        f"replacing the graph of document {DOCS[1]} (batch 2 of 2): {proxy.url}/update rejected "
        f"the request as malformed (HTTP 400 Bad Request); the server said: Parse error: "
        f"unexpected '}}' at line 3")}
    now = store_quads(server)
    assert in_graph(now, DOCS_GRAPHS[1]) == in_graph(old, DOCS_GRAPHS[1])
    assert in_graph(now, DOCS_GRAPHS[2]) == in_graph(expected_quads(changed), DOCS_GRAPHS[2])
    assert DOCS_GRAPHS[1] + "/loading" not in graph_names(now)  # discarded


@pytest.mark.server
@pytest.mark.parametrize("reply, waits", [
    (Reply(503, b"busy", {"Retry-After": "7"}), [7.0, 7.0]),
    (Reply(502, b"bad gateway"), [0.5, 1.0]),
    (Reply(429, b"slow down", {"Retry-After": "2"}), [2.0, 2.0]),
])
def test_transient_errors_are_retried_with_backoff(server: OxigraphServer, reply: Reply,
                                                   waits: list[float]) -> None:
    sleeps = Sleeps()
    with Proxy(server.base_url, nth(put_of(DOCS[1]), reply, first=1, last=2)) as proxy:
        report = store.load_dataset(fixture_dataset(), graph_store(proxy),
                                    retry=RetryPolicy(attempts=4, initial_delay=0.5, sleep=sleeps))
        assert len([s for s in proxy.seen if put_of(DOCS[1])(s)]) == 3
    assert report.ok
    assert sleeps == waits
    assert store_quads(server) == expected_quads(fixture_dataset())


@pytest.mark.server
def test_a_server_that_stays_unavailable(server: OxigraphServer) -> None:
    with Proxy(server.base_url, nth(put_of(DOCS[0]), Reply(503, b"maintenance"), first=1)) as proxy:
        report = store.load_dataset(fixture_dataset(), graph_store(proxy),
                                    retry=fast_retry(attempts=4))
        assert len([s for s in proxy.seen if s.method == "PUT"]) == 1 + 4  # the ontology, 4 tries
    assert report.stored == []
    assert report.failed[DOCS[0]] == (
        f"replacing the graph of document {DOCS[0]}: {proxy.url}/store answered HTTP 503 "
        f"Service Unavailable; the server said: maintenance (gave up after 4 attempts)")
    assert all(report.failed[d].startswith("not attempted") for d in DOCS[1:])


@pytest.mark.server
def test_timeouts_are_retried_then_reported(server: OxigraphServer) -> None:
    import time

    def slow(seen: Seen) -> str | None:
        if put_of(DOCS[2])(seen):
            time.sleep(1.0)  # longer than the client waits; then never forwarded
            return DROP
        return None

    with Proxy(server.base_url, slow) as proxy:
        target = Target.for_server("oxigraph", proxy.url, timeout=0.2)
        report = store.load_dataset(fixture_dataset(), target, retry=fast_retry(attempts=2))
    assert report.stored == DOCS[:2]
    assert report.failed == {DOCS[2]: f"replacing the graph of document {DOCS[2]}: {proxy.url}"
                                      f"/store did not answer within 0.2 s (gave up after 2 attempts)"}
    assert DOCS_GRAPHS[2] not in graph_names(store_quads(server))


@pytest.mark.server
def test_a_server_error_on_one_document_is_not_retried(server: OxigraphServer) -> None:
    with Proxy(server.base_url, nth(put_of(DOCS[1]), Reply(500, b"<h1>disk full</h1>"), 1)) as proxy:
        report = store.load_dataset(fixture_dataset(), graph_store(proxy),
                                    retry=fast_retry())
        assert len([s for s in proxy.seen if put_of(DOCS[1])(s)]) == 1
    assert report.stored == [DOCS[0], DOCS[2]]
    assert "answered HTTP 500 Internal Server Error; the server said: disk full" in report.failed[DOCS[1]]


def test_no_server_listening() -> None:
    sleeps = Sleeps()
    url = f"http://127.0.0.1:{free_port()}"
    report = store.load_dataset(fixture_dataset(), Target.for_server("oxigraph", url),
                                retry=RetryPolicy(attempts=3, sleep=sleeps))
    assert report.stored == [] and sleeps == [0.5, 1.0]
    for doc in DOCS:
        assert report.failed[doc] == (
            f"not loaded: checking what the store holds of these documents: "
            f"{url}/query is unreachable (connection refused); is the server running? "
            f"(gave up after 3 attempts)")
    unloaded = store.unload(Target.for_server("oxigraph", url), DOCS[:2], retry=fast_retry())
    assert unloaded.failed[DOCS[0]].startswith(f"removing document {DOCS[0]}: {url}/query is "
                                               f"unreachable")
    assert unloaded.failed[DOCS[1]].startswith("not attempted")
    assert not unloaded.ok and unloaded.removed == []


@pytest.mark.server
def test_wrong_password(server: OxigraphServer) -> None:
    with Proxy(server.base_url, credentials=("loader", "s3cret")) as proxy:
        wrong = Target.for_server("oxigraph", proxy.url, user="loader", password="guess")
        report = store.load_dataset(fixture_dataset(), wrong, retry=fast_retry())
        assert len(proxy.seen) == 1  # refused credentials are not retried
        assert report.stored == []
        assert report.failed[DOCS[0]] == (
            f"not loaded: checking what the store holds of these documents: "
            f"{proxy.url}/query refused the credentials (HTTP 401 Unauthorized); check the user "
            f"name and the password (--user, --password-env); the server said: Unauthorized")
        refused = store.unload(wrong, ["S-2007-1"])
        assert "/query refused the credentials (HTTP 401" in refused.failed[DOCS[0]]
        # Graph Store, query and update requests all carry the credentials
        assert store.load_dataset(fixture_dataset(), graph_store(
            proxy, user="loader", password="s3cret")).ok
        assert store.load_dataset(changed_dataset(DOCS[0]), sparql_update(
            proxy, user="loader", password="s3cret")).ok
        assert store.unload(sparql_update(proxy, user="loader", password="s3cret"),
                            ["S-2007-1"]).removed == [DOCS[0]]
        assert {s.path.split("?")[0] for s in proxy.seen} == {"/query", "/store", "/update"}
    assert store.load_dataset(fixture_dataset(), graph_store(server)).ok
    assert store_quads(server) == expected_quads(fixture_dataset())


# --- command line -------------------------------------------------------------------

@pytest.mark.server
def test_load_and_unload_commands(server: OxigraphServer) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["load", str(FIXTURE), "--server", "oxigraph", server.base_url])
    assert result.exit_code == 0, result.output
    assert "stored  S-2017-2  (22 triples)" in result.output
    assert f"Stored 3 of 3 documents at {server.store_url} (Graph Store Protocol)" in result.output

    assert result.stdout == ""  # progress and summary go to stderr
    result = runner.invoke(cli, ["load", str(FIXTURE), "--endpoint", server.query_url,
                                 "--update-endpoint", server.update_url, "--batch-size", "10"])
    assert result.exit_code == 0, result.output
    assert "(SPARQL Update)" in result.output
    assert "Shared graph: 34 triples merged, 0 unused nodes removed." in result.output
    result = runner.invoke(cli, ["load", str(FIXTURE), "--server", "oxigraph", server.base_url,
                                 "--replace-shared", "--no-ontology"])
    assert result.exit_code == 0, result.output
    assert "Shared graph: replaced (34 triples)" in result.output
    assert "Ontology graph: 0 triples." in result.output
    result = runner.invoke(cli, ["load", str(FIXTURE), "--server", "oxigraph", server.base_url,
                                 "--replace-shared", "--no-ontology", "-q"])
    assert (result.exit_code, result.output) == (0, "")  # -q: errors only
    assert store_quads(server) == expected_quads(fixture_dataset())

    result = runner.invoke(cli, ["unload", "S/2007/1", "--server", "oxigraph", server.base_url])
    assert result.exit_code == 0, result.output
    assert "Removed 1 documents and 2 unused shared nodes" in result.output
    assert result.stdout == ""
    result = runner.invoke(cli, ["unload", "S/2007/1", "--server", "oxigraph", server.base_url])
    assert result.exit_code == 3
    assert f"not in the store at {server.update_url}: S-2007-1" in result.output


@pytest.mark.server
def test_commands_report_failures_with_exit_code_3(server: OxigraphServer) -> None:
    runner = CliRunner()
    with Proxy(server.base_url, credentials=("loader", "s3cret")) as proxy:
        args = ["load", str(FIXTURE), "--server", "oxigraph", proxy.url, "--user", "loader",
                "--password-env", "KFOR_STORE_PASSWORD", "--retries", "0"]
        result = runner.invoke(cli, args, env={"KFOR_STORE_PASSWORD": "guess"})
        assert result.exit_code == 3
        assert "refused the credentials (HTTP 401 Unauthorized)" in result.output
        assert f"Error: [K007] 3 of 3 documents were not stored at {proxy.url}/store" in result.output
        assert "guess" not in result.output
        result = runner.invoke(cli, args, env={"KFOR_STORE_PASSWORD": "s3cret"})
        assert result.exit_code == 0, result.output
        result = runner.invoke(cli, args, env={"KFOR_STORE_PASSWORD": None})
        assert result.exit_code == 3
        assert "environment variable KFOR_STORE_PASSWORD holding the store password is not set" \
            in result.output


def test_command_usage_errors() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["load", str(FIXTURE)])
    assert result.exit_code == 2 and "--endpoint URL" in result.output
    result = runner.invoke(cli, ["load", str(FIXTURE), "--endpoint", "http://h/q", "--user", "me"])
    assert result.exit_code == 2 and "--password-env" in result.output
    result = runner.invoke(cli, ["unload", "S-2007-1", "--server", "stardog", "http://h"])
    assert result.exit_code == 2


# --- the seeds and the shipped queries ------------------------------------------------

@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled example reports, built as `kfor-kg build -o seeds.trig` would."""
    from kfor_kg import build as pipeline

    result = pipeline.build()
    assert not result.errors
    return export.write(result.dataset, tmp_path_factory.mktemp("seeds") / "seeds.trig")


SHIPPED = sorted(p.stem for p in resource_dir("queries").glob("*.rq"))
# Values for the required parameters of shipped queries (see their `# @param` lines).
EXAMPLE_VALUES = {"year": "2017", "node": "id:person/antonio-guterres"}


def example_params(spec: Any) -> dict[str, str]:
    missing = [p for p in spec.params.values() if not p.optional and p.name not in EXAMPLE_VALUES]
    assert not missing, f"add an example value for {missing} of query {spec.name} to EXAMPLE_VALUES"
    return {p.name: EXAMPLE_VALUES[p.name] for p in spec.params.values() if not p.optional}


@pytest.mark.server
@pytest.mark.parametrize("union", [True, False], ids=["union-default-graph", "named-graphs"])
def test_seeds_load_and_answer_every_shipped_query_as_the_file_does(
        tmp_path: Path, seeds: Path, union: bool) -> None:
    query = pytest.importorskip("kfor_kg.stores.query")
    with OxigraphServer(tmp_path / "db", union_default_graph=union) as server:
        target = graph_store(server)
        report = store.load([seeds], target)
        assert report.ok and len(report.stored) == 5
        quads = store_quads(server)
        assert quads == expected_quads(layout.read_graph([seeds]))
        assert store.load([seeds], target).ok
        assert store_quads(server) == quads  # a second load changes nothing

        graphs = store.stored_graphs(target)
        for name in SHIPPED:
            spec = query.load_query(name)
            params = example_params(spec)
            expected = query.run(spec, data=seeds, params=params)
            assert name not in ("documents", "signatories") or expected.rows
            if union:
                remote = query.run(spec, endpoint=server.query_url, params=params)
                assert (remote.columns, remote.rows) == (expected.columns, expected.rows), name
            else:
                # No union default graph: name the graphs to merge into the default graph.
                text = query.with_values(spec.text, query.bind_params(spec, params))
                solutions = remote_select(server.query_url, text, default_graphs=graphs)
                rows = [[_cell(s[v]) for v in expected.columns] for s in solutions]
                assert rows == expected.rows, name
        who = query.run("signed_in_year", endpoint=server.query_url if union else None,
                        data=None if union else seeds, params={"year": "2017"})
        assert {row[0] for row in who.rows} == {"António Guterres", "Jens Stoltenberg"}


def _cell(term: Any) -> str:
    from kfor_kg.stores.query import cell_text

    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return cell_text(Literal(term.value, lang=term.language,
                                 datatype=None if term.language else URIRef(term.datatype.value)))
    return str(term.value)


@pytest.mark.server
def test_unloading_the_2007_report_removes_ban_ki_moon(tmp_path: Path, seeds: Path) -> None:
    with OxigraphServer(tmp_path / "db") as server:
        target = graph_store(server)
        assert store.load([seeds], target).ok
        assert store.unload(target, ["S/2007/652"]).removed == [ID + "doc/S-2007-652"]
        subjects = {q[0].value for q in in_graph(store_quads(server), SHARED)}
    assert ID + "person/ban-ki-moon" not in subjects
