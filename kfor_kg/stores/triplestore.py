"""Load kfor-kg graphs into a SPARQL 1.1 triplestore, and remove them again.

Layout in the store (docs/model.md, docs/triplestores.md):

- one named graph per document, ``{document IRI}/graph``, replaced as a whole
  on every load;
- ``{base}graph/shared``: the canonical persons, organizations, places, posts,
  roles and concepts the documents share, merged (added to) on every load;
- ``{base}graph/ontology``: the ontology (the data's kfor: terms and
  ``ontology/*.ttl``), replaced on every load.

Protocols: the SPARQL 1.1 Graph Store HTTP Protocol when the target has a graph
store URL (one PUT per document replaces its graph atomically), otherwise
SPARQL 1.1 Update (one ``DROP SILENT GRAPH; INSERT DATA`` request per document,
or batches into a temporary graph followed by one ``MOVE``). Every request goes
through the one HTTP layer (kfor_kg.stores.http, with its retries); nothing else
is assumed of the server, so Oxigraph, Fuseki, GraphDB, Virtuoso and Blazegraph
all work.

Shared graph rule: a load adds the shared triples of its documents. Afterwards,
and when a document is unloaded, every shared node that the replaced or removed
document graph reached (directly or through other shared nodes) and that no
remaining document graph reaches any more loses all its triples in the shared
graph. Triples of a shared node that is still in use are never removed; load
with ``replace_shared=True`` to rewrite the shared graph from scratch.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from kfor_kg.rdf import export
from kfor_kg.rdf.validate import load_ontology
from kfor_kg.errors import ConfigError, IngestError, StoreError
from kfor_kg.stores import sparql
from kfor_kg.stores.http import DEFAULT_TIMEOUT, HttpClient, RequestFailed, RetryPolicy
from kfor_kg.rdf.iris import (
    DOCUMENT_GRAPH_SUFFIX, Minter, document_of_graph, parse_document, symbol_key,
)
from kfor_kg.rdf.vocab import DEFAULT_BASE, KFOR

__all__ = [
    "SERVER_PRESETS", "DEFAULT_BATCH_SIZE", "Target", "RetryPolicy", "StoreRequestError",
    "SplitDataset", "DocumentOutcome", "LoadReport", "UnloadReport",
    "password_from_env", "read_graph", "split_dataset", "document_iri",
    "document_key", "load", "load_dataset", "unload", "stored_documents", "stored_graphs",
]

T = TypeVar("T")
Triple = tuple[Node, Node, Node]

DEFAULT_BATCH_SIZE = 5000
"""Triples per SPARQL Update request (about 1 MB of N-Triples)."""

SERVER_PRESETS: dict[str, tuple[str, str, str | None]] = {
    # name: (query, update, graph store), relative to the base URL the user gives.
    "oxigraph": ("{base}/query", "{base}/update", "{base}/store"),          # http://host:7878
    "fuseki": ("{base}/query", "{base}/update", "{base}/data"),             # http://host:3030/DATASET
    "graphdb": ("{base}", "{base}/statements", "{base}/rdf-graphs/service"),  # …/repositories/REPO
    "virtuoso": ("{base}/sparql", "{base}/sparql", "{base}/sparql-graph-crud"),  # http://host:8890
    "blazegraph": ("{base}/sparql", "{base}/sparql", None),                 # …/blazegraph/namespace/NS
}

# Any predicate, zero or more times: reachability through the shared graph.
_ANY_PATH = "(<urn:x-kfor-kg:none>|!<urn:x-kfor-kg:none>)*"
_ONTOLOGY_TERMS = str(KFOR)
_ONTOLOGY = _ONTOLOGY_TERMS.rstrip("#")  # the ontology's own IRI
# Characters an IRI may not contain (RDF 1.1 IRIREF); they would also break the SPARQL we send.
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


# --- targets, credentials, retries -------------------------------------------

@dataclass(frozen=True)
class Target:
    """Where to load: a SPARQL query endpoint, an update endpoint, maybe a graph store.

    Without ``update_endpoint`` updates go to ``endpoint`` (Virtuoso, Blazegraph
    and many others serve both at one URL). Without ``graph_store`` documents are
    loaded with SPARQL Update.

    >>> t = Target.for_server("oxigraph", "http://127.0.0.1:7878/")
    >>> t.endpoint, t.update_url, t.graph_store
    ('http://127.0.0.1:7878/query', 'http://127.0.0.1:7878/update', 'http://127.0.0.1:7878/store')

    Raises:
        ConfigError: a URL is not http(s), or a user is given without a password.
    """

    endpoint: str
    update_endpoint: str | None = None
    graph_store: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        for name in ("endpoint", "update_endpoint", "graph_store"):
            url = getattr(self, name)
            if url is None:
                continue
            parts = urllib.parse.urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ConfigError(f"{name.replace('_', ' ')} {url!r} is not an http(s) URL")
        if (self.user is None) != (self.password is None):
            raise ConfigError("give both a user and a password for HTTP basic authentication")
        if self.timeout <= 0:
            raise ConfigError(f"timeout must be positive, not {self.timeout}")

    @classmethod
    def for_server(cls, kind: str, base_url: str, **options: Any) -> Target:
        """The URLs of a known server type under `base_url`; `options` override them.

        Raises:
            ConfigError: `kind` is not one of SERVER_PRESETS.
        """
        try:
            query, update, store = SERVER_PRESETS[kind]
        except KeyError:
            raise ConfigError(f"unknown server type {kind!r}; use one of: "
                              f"{', '.join(SERVER_PRESETS)}") from None
        base = base_url.rstrip("/")
        urls: dict[str, Any] = {
            "endpoint": query.format(base=base),
            "update_endpoint": update.format(base=base),
            "graph_store": store.format(base=base) if store else None,
        }
        urls.update({k: v for k, v in options.items() if v is not None})
        return cls(**urls)

    @property
    def update_url(self) -> str:
        return self.update_endpoint or self.endpoint

    @property
    def method(self) -> str:
        """'graph-store' or 'update': how documents are written."""
        return "graph-store" if self.graph_store else "update"


def password_from_env(variable: str) -> str:
    """The password stored in environment variable `variable`.

    Raises:
        ConfigError: the variable is unset or empty.
    """
    value = os.environ.get(variable)
    if not value:
        raise ConfigError(f"environment variable {variable} holding the store password is "
                          f"not set; export it first (passwords are never taken from the "
                          f"command line)")
    return value


class StoreRequestError(StoreError):
    """A request to the store failed; `fatal` means later requests would fail too."""

    def __init__(self, message: str, fatal: bool) -> None:
        super().__init__(message)
        self.message = message
        self.fatal = fatal


class _Client:
    """The target's query, update and Graph Store endpoints over the HTTP layer.

    Every method names what it was doing (`context`) in the StoreRequestError it raises.
    """

    def __init__(self, target: Target, retry: RetryPolicy | None) -> None:
        self.target = target
        self.retry = retry or RetryPolicy()
        auth = (target.user, target.password) \
            if target.user is not None and target.password is not None else None
        self.http = HttpClient(timeout=target.timeout, retry=self.retry, auth=auth)

    def _run(self, context: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except RequestFailed as failure:
            raise StoreRequestError(f"{context}: {failure}", failure.fatal) from failure
        except sparql.NotResults as exc:
            raise StoreRequestError(f"{context}: {self.target.endpoint} did not answer with "
                                    f"SPARQL JSON results ({exc})", True) from exc

    def update(self, text: str, context: str) -> None:
        self._run(context, lambda: sparql.update(self.http, self.target.update_url, text))

    def select(self, text: str, context: str) -> list[dict[str, str]]:
        """The rows of a SELECT query, each term as its string."""
        results = self._run(context, lambda: sparql.select(self.http, self.target.endpoint, text))
        return [{name: str(value) for name, value in row.items()} for row in results.rows]

    def ask(self, text: str, context: str) -> bool:
        results = self._run(context, lambda: sparql.select(self.http, self.target.endpoint, text))
        return bool(results.boolean)

    def graph_store(self, method: str, graph: str, body: bytes, context: str) -> None:
        """PUT (replace) or POST (merge) `body`, N-Triples lines, into `graph`."""
        store = self.target.graph_store
        if store is None:
            raise ConfigError("no graph store URL given")
        # N-Triples lines, sent as Turtle: every graph store reads that.
        self._run(context, lambda: self.http.request(
            method, store, params={"graph": graph}, data=body,
            headers={"Content-Type": "text/turtle"}))


# --- reading and splitting ---------------------------------------------------

def read_graph(paths: Sequence[str | os.PathLike[str]]) -> Dataset:
    """Every quad of the RDF files `paths` (any format `build` writes) in one Dataset.

    Raises:
        ConfigError: no paths, or an extension that names no RDF format.
        IngestError: a file is missing or is not valid RDF.
    """
    if not paths:
        raise ConfigError("no graph file given")
    dataset = export.read(paths[0])
    for path in paths[1:]:
        dataset.addN(export.read(path).quads((None, None, None, None)))  # type: ignore[arg-type]
    return dataset


@dataclass
class SplitDataset:
    """A build cut along the IRI scheme: document graphs, the shared graph, the ontology.

    Graphs are plain sets of rdflib triples: at corpus scale, filling rdflib
    Graphs costs ten times more than the rest of the split.
    """

    base: str
    documents: dict[URIRef, set[Triple]]
    shared: set[Triple]
    ontology: set[Triple]

    @property
    def shared_graph(self) -> URIRef:
        return Minter(self.base).shared_graph()

    @property
    def ontology_graph(self) -> URIRef:
        return Minter(self.base).ontology_graph()

    @staticmethod
    def graph_of(document: URIRef) -> URIRef:
        return Minter.document_graph(document)


def split_dataset(data: Graph, base: str | None = None) -> SplitDataset:
    """Split a build (a Dataset or a plain union Graph) into document graphs and the shared graph.

    Graph names in the input are ignored, so a TriG and a Turtle file of the
    same build split identically: a triple belongs to document D's graph when
    its subject is D or starts with D + "/" (documents are the subjects typed
    kfor:Document), to the ontology when its subject is the ontology or a kfor:
    term, and to the shared graph otherwise.

    >>> g = Graph()
    >>> doc = URIRef("https://w3id.org/kfor-kg/id/doc/S-2017-1")
    >>> _ = g.add((doc, RDF.type, KFOR.Document))
    >>> _ = g.add((URIRef(doc + "/letter"), KFOR.signatory,
    ...            URIRef("https://w3id.org/kfor-kg/id/person/x")))
    >>> _ = g.add((URIRef("https://w3id.org/kfor-kg/id/person/x"), RDF.type, KFOR.Person))
    >>> split = split_dataset(g)
    >>> split.base, len(split.documents[doc]), len(split.shared), len(split.ontology)
    ('https://w3id.org/kfor-kg/id/', 2, 1, 0)

    Raises:
        IngestError: no kfor:Document, document IRIs outside docs/model.md's
            scheme or under several bases, or blank nodes.
    """
    if isinstance(data, Dataset):
        triples: Iterable[Triple] = (
            (s, p, o) for s, p, o, _g in data.quads((None, None, None, None)))
    else:  # a plain Graph, or a ConjunctiveGraph, which iterates over all its graphs
        triples = iter(data)
    union: set[Triple] = set(triples)
    _check_terms(union)
    documents = sorted({s for s, p, o in union
                        if p == RDF.type and o == KFOR.Document and isinstance(s, URIRef)})
    if not documents:
        raise IngestError(f"the graph has no document (no subject typed {KFOR.Document})")
    bases = set()
    for doc in documents:
        parsed = parse_document(doc)
        if parsed is None:
            raise IngestError(f"document IRI {doc} does not follow docs/model.md "
                              f"({{base}}doc/{{key}})")
        bases.add(parsed[0])
    if base is not None and bases != {base}:
        raise IngestError(f"documents are not under base {base}: {', '.join(sorted(bases))}")
    if len(bases) > 1:
        raise IngestError(f"documents are under several bases: {', '.join(sorted(bases))}")
    found_base = bases.pop()
    prefix = Minter(found_base).documents_prefix
    graphs: dict[URIRef, set[Triple]] = {doc: set() for doc in documents}
    shared: set[Triple] = set()
    ontology: set[Triple] = set()
    for s, p, o in union:
        target = shared
        text = str(s)
        if text.startswith(prefix):
            target = graphs.get(URIRef(prefix + text[len(prefix):].split("/", 1)[0]), shared)
        elif text == _ONTOLOGY or text.startswith(_ONTOLOGY_TERMS):
            target = ontology
        target.add((s, p, o))
    return SplitDataset(found_base, graphs, shared, ontology)


def _check_terms(triples: Iterable[Triple]) -> None:
    """Refuse blank nodes and IRIs that N-Triples and SPARQL cannot carry.

    Raises:
        IngestError: naming how many triples have blank nodes, or a bad IRI.
    """
    blank = 0
    seen: set[URIRef] = set()
    for triple in triples:
        if any(isinstance(term, BNode) for term in triple):
            blank += 1
        for term in triple:
            iri = term.datatype if isinstance(term, Literal) else term
            if isinstance(iri, URIRef) and iri not in seen:
                seen.add(iri)
                if _NOT_IN_IRI.search(iri):
                    raise IngestError(f"the graph has an IRI with a space or one of "
                                      f"<>\"{{}}|^`\\ in it: {iri!r}")
    if blank:
        raise IngestError(f"the graph has {blank} triple(s) with blank nodes; docs/model.md "
                          f"gives every node an IRI, and blank nodes would be duplicated on "
                          f"every reload")


def document_iri(reference: str, base: str = DEFAULT_BASE) -> URIRef:
    """The document IRI for a key (``S-2007-652``), a symbol (``S/2007/652``) or an IRI.

    >>> document_iri("S/2007/652")
    rdflib.term.URIRef('https://w3id.org/kfor-kg/id/doc/S-2007-652')

    Raises:
        ConfigError: the reference is empty or an IRI outside docs/model.md's scheme.
    """
    reference = reference.strip()
    if reference.startswith(("http://", "https://")):
        iri = str(document_of_graph(reference) or reference)
    else:
        key = reference[len("doc/"):] if reference.startswith("doc/") else reference
        iri = str(Minter(base).document(symbol_key(key)))
    if parse_document(iri) is None or _NOT_IN_IRI.search(iri):
        raise ConfigError(f"{reference!r} is not a document key, symbol or IRI "
                          f"({{base}}doc/{{key}}, see docs/model.md)")
    return URIRef(iri)


def _base_of(document: URIRef) -> str:
    parsed = parse_document(document)
    if parsed is None:
        raise ConfigError(f"{document} is not a document IRI ({{base}}doc/{{key}})")
    return parsed[0]


def document_key(document: str) -> str:
    """The key of a document IRI (the IRI itself if it is not one).

    >>> document_key("https://w3id.org/kfor-kg/id/doc/S-2007-652")
    'S-2007-652'
    """
    parsed = parse_document(document)
    return parsed[1] if parsed else document


# --- writing graphs ----------------------------------------------------------

_NT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _nt_term(term: Node) -> str:
    """A term in N-Triples syntax, which is also valid Turtle and SPARQL."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        text = '"' + str(term).translate(_NT_ESCAPES) + '"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None and term.datatype != XSD.string:
            return f"{text}^^<{term.datatype}>"
        return text
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(f"not an RDF term: {term!r}")


def _nt_lines(triples: Iterable[Triple]) -> list[str]:
    """N-Triples lines, sorted so that requests are the same for the same data."""
    return sorted(f"{_nt_term(s)} {_nt_term(p)} {_nt_term(o)} ." for s, p, o in triples)


def _insert_data(graph: str, lines: Sequence[str]) -> str:
    return f"INSERT DATA {{ GRAPH <{graph}> {{\n" + "\n".join(lines) + "\n} }"


class _GraphStoreWriter:
    """Writes graphs with the Graph Store Protocol: PUT replaces, POST merges."""

    def __init__(self, client: _Client) -> None:
        self.client = client

    def replace(self, graph: str, data: set[Triple], context: str, single: bool = False) -> None:
        body = "\n".join(_nt_lines(data)).encode("utf-8") + b"\n"
        self.client.graph_store("PUT", graph, body, context)

    def merge(self, graph: str, data: set[Triple], context: str) -> None:
        body = "\n".join(_nt_lines(data)).encode("utf-8") + b"\n"
        self.client.graph_store("POST", graph, body, context)


class _UpdateWriter:
    """Writes graphs with SPARQL Update, never leaving a replaced graph half-written.

    A graph of at most `batch_size` triples is replaced by one request; a larger
    one is inserted in batches into a temporary graph, which one MOVE request
    then puts in place.
    """

    def __init__(self, client: _Client, batch_size: int) -> None:
        self.client = client
        self.batch_size = batch_size

    def replace(self, graph: str, data: set[Triple], context: str, single: bool = False) -> None:
        lines = _nt_lines(data)
        temporary = f"{graph}/loading"  # also dropped below: a crashed load may have left it
        if single or len(lines) <= self.batch_size:
            self.client.update(f"DROP SILENT GRAPH <{temporary}> ;\nDROP SILENT GRAPH <{graph}> ;\n"
                               + _insert_data(graph, lines), context)
            return
        batches = [lines[i:i + self.batch_size] for i in range(0, len(lines), self.batch_size)]
        try:
            self.client.update(f"DROP SILENT GRAPH <{temporary}>", context)
            for number, batch in enumerate(batches, 1):
                self.client.update(_insert_data(temporary, batch),
                                   f"{context} (batch {number} of {len(batches)})")
            self.client.update(f"MOVE SILENT GRAPH <{temporary}> TO <{graph}>", context)
        except StoreRequestError:
            self._discard(temporary)
            raise

    def merge(self, graph: str, data: set[Triple], context: str) -> None:
        lines = _nt_lines(data)
        batches = [lines[i:i + self.batch_size] for i in range(0, len(lines), self.batch_size)]
        for number, batch in enumerate(batches, 1):
            suffix = f" (batch {number} of {len(batches)})" if len(batches) > 1 else ""
            self.client.update(_insert_data(graph, batch), context + suffix)

    def _discard(self, temporary: str) -> None:
        cleanup = _Client(self.client.target, RetryPolicy(attempts=1))
        try:
            cleanup.update(f"DROP SILENT GRAPH <{temporary}>", "discarding a partial load")
        except StoreRequestError:
            pass  # the server is gone; the next load of this document drops it first


# --- shared-graph garbage collection ------------------------------------------

def _document_graph_filter(base: str, variable: str = "?g", exclude: str | None = None) -> str:
    condition = (f'STRSTARTS(STR({variable}), "{Minter(base).documents_prefix}") && '
                 f'STRENDS(STR({variable}), "{DOCUMENT_GRAPH_SUFFIX}")')
    if exclude is not None:
        condition += f" && {variable} != <{exclude}>"
    return f"FILTER({condition})"


def _unreachable(shared: str, base: str, exclude: str | None) -> str:
    """A filter keeping ?m only if no document graph (but `exclude`) reaches it."""
    return f"""FILTER NOT EXISTS {{
    GRAPH <{shared}> {{ ?n {_ANY_PATH} ?m }}
    GRAPH ?g {{ ?x ?q ?n }}
    {_document_graph_filter(base, exclude=exclude)}
  }}"""


def _reached_query(graphs: Sequence[str], shared: str) -> str:
    """Shared-graph subjects reached from the given document graphs."""
    values = " ".join(f"<{g}>" for g in graphs)
    return f"""SELECT DISTINCT ?m WHERE {{
  {{ SELECT DISTINCT ?n WHERE {{
      VALUES ?g {{ {values} }}
      GRAPH ?g {{ ?x ?q ?n }}
      FILTER(isIRI(?n))
  }} }}
  GRAPH <{shared}> {{ ?n {_ANY_PATH} ?m  FILTER EXISTS {{ ?m ?p ?o }} }}
}}"""


def _orphans_query(candidates: Sequence[str], shared: str, base: str,
                   exclude: str | None) -> str:
    values = " ".join(f"<{m}>" for m in candidates)
    return f"""SELECT ?m WHERE {{
  VALUES ?m {{ {values} }}
  {_unreachable(shared, base, exclude)}
}}"""


def _delete_orphans(orphans: Sequence[str], shared: str, base: str,
                    exclude: str | None) -> str:
    # The reachability test is repeated here so that the deletion stays right even
    # if another client added a reference since the orphans were selected.
    return f"""DELETE {{ GRAPH <{shared}> {{ ?m ?p ?o }} }}
WHERE {{
  {{ {_orphans_query(orphans, shared, base, exclude)} }}
  GRAPH <{shared}> {{ ?m ?p ?o }}
}}"""


# --- load --------------------------------------------------------------------

@dataclass(frozen=True)
class DocumentOutcome:
    """What happened to one document of a load."""

    document: str
    triples: int
    stored: bool
    error: str | None = None

    @property
    def key(self) -> str:
        return document_key(self.document)


@dataclass
class LoadReport:
    """The result of a load: which documents are stored, which failed, and why."""

    endpoint: str
    method: str
    documents: list[DocumentOutcome]
    shared_triples: int = 0
    ontology_triples: int = 0
    orphans_removed: int = 0
    in_store: dict[str, int] | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def stored(self) -> list[str]:
        return [d.document for d in self.documents if d.stored]

    @property
    def failed(self) -> dict[str, str]:
        return {d.document: d.error or "failed" for d in self.documents if not d.stored}

    @property
    def ok(self) -> bool:
        return not self.failed


def load(paths: Sequence[str | os.PathLike[str]], target: Target, **options: Any) -> LoadReport:
    """Read the graph files `paths` that `build` wrote and load them into `target`.

    `options` are those of load_dataset.

    Raises:
        ConfigError, IngestError: see read_graph and split_dataset.
    """
    return load_dataset(read_graph(paths), target, **options)


def load_dataset(data: Graph, target: Target, *, ontology: bool = True,
                 replace_shared: bool = False, batch_size: int = DEFAULT_BATCH_SIZE,
                 retry: RetryPolicy | None = None, verify: bool = True,
                 on_document: Callable[[DocumentOutcome], None] | None = None) -> LoadReport:
    """Load a build (Dataset or union Graph) into `target`, one named graph per document.

    Each document's graph is replaced atomically; the shared graph is merged
    (or replaced with `replace_shared`); the ontology graph is replaced by the
    data's ontology triples plus ontology/*.ttl, unless `ontology` is false.
    Loading the same data twice leaves the store unchanged. Failures do not raise: they are in the report, per document. After a failure
    that later requests would repeat (server down, authentication refused) the
    remaining documents are not attempted. `on_document` is called as each
    document is stored or fails. With `verify`, the report's `in_store` holds
    the triple count of each of these documents' graphs as the store has them.

    Raises:
        ConfigError: bad options, or the ontology is missing.
        IngestError: the data does not follow docs/model.md (see split_dataset).
    """
    if batch_size < 1:
        raise ConfigError(f"batch size must be at least 1, not {batch_size}")
    split = split_dataset(data)
    onto = (split.ontology | set(load_ontology())) if ontology else set()
    return _Loader(split, onto, target, replace_shared, batch_size, retry, on_document).run(verify)


class _Loader:
    """One load: ontology, shared graph, then the documents one by one, then clean-up."""

    def __init__(self, split: SplitDataset, onto: set[Triple], target: Target, replace_shared: bool,
                 batch_size: int, retry: RetryPolicy | None,
                 on_document: Callable[[DocumentOutcome], None] | None) -> None:
        self.split = split
        self.onto = onto
        self.target = target
        self.replace_shared = replace_shared
        self.client = _Client(target, retry)
        self.writer: _GraphStoreWriter | _UpdateWriter = (
            _GraphStoreWriter(self.client) if target.graph_store else
            _UpdateWriter(self.client, batch_size))
        self.on_document = on_document
        self.report = LoadReport(target.graph_store or target.update_url, target.method, [])

    def _record(self, outcome: DocumentOutcome) -> None:
        self.report.documents.append(outcome)
        if self.on_document is not None:
            self.on_document(outcome)

    def run(self, verify: bool) -> LoadReport:
        split, report = self.split, self.report
        documents = list(split.documents)
        shared = str(split.shared_graph)
        try:
            reached = [row["m"] for row in self.client.select(
                _reached_query([split.graph_of(d) for d in documents], shared),
                "checking what the store holds of these documents")]
            if len(self.onto):
                self.writer.replace(str(split.ontology_graph), self.onto,
                                    f"replacing the ontology graph {split.ontology_graph}",
                                    single=True)
                report.ontology_triples = len(self.onto)
            verb = "replacing" if self.replace_shared else "merging into"
            if self.replace_shared:
                self.writer.replace(shared, split.shared, f"{verb} the shared graph {shared}")
            elif len(split.shared):
                self.writer.merge(shared, split.shared, f"{verb} the shared graph {shared}")
            report.shared_triples = len(split.shared)
        except StoreRequestError as error:
            for doc in documents:
                self._record(DocumentOutcome(str(doc), len(split.documents[doc]), False,
                                             f"not loaded: {error.message}"))
            return report
        aborted: StoreRequestError | None = None
        for doc in documents:
            graph = split.documents[doc]
            if aborted is not None:
                self._record(DocumentOutcome(str(doc), len(graph), False,
                                             f"not attempted after an earlier failure: "
                                             f"{aborted.message}"))
                continue
            try:
                self.writer.replace(str(split.graph_of(doc)), graph,
                                    f"replacing the graph of document {doc}")
            except StoreRequestError as error:
                self._record(DocumentOutcome(str(doc), len(graph), False, error.message))
                if error.fatal:
                    aborted = error
                continue
            self._record(DocumentOutcome(str(doc), len(graph), True))
        if aborted is None and reached:
            self._collect(reached)
        if aborted is None and self.replace_shared:
            self._check_others()
        if verify and aborted is None:
            try:
                report.in_store = _counts(self.client, [split.graph_of(d) for d in documents],
                                          "counting the stored triples")
            except StoreRequestError as error:
                report.warnings.append(f"could not check what the store holds: {error.message}")
        if report.in_store is not None:
            for outcome in report.documents:
                held = report.in_store.get(outcome.document, 0)
                if outcome.stored and held != outcome.triples:
                    report.warnings.append(f"document {outcome.document}: the store holds "
                                           f"{held} triples, the data {outcome.triples}")
        return report

    def _check_others(self) -> None:
        """Warn when the replaced shared graph may lack nodes of documents not in this load."""
        try:
            others = sorted(set(stored_documents(self.target, self.split.base, self.client.retry))
                            - {str(d) for d in self.split.documents})
        except StoreRequestError as error:
            self.report.warnings.append(f"could not check for other documents: {error.message}")
            return
        if others:
            keys = ", ".join(document_key(d) for d in others[:5]) + (", …" if len(others) > 5 else "")
            self.report.warnings.append(
                f"the shared graph was replaced, but the store also holds {len(others)} other "
                f"document(s) ({keys}) whose shared nodes may now be missing; load them again")

    def _collect(self, reached: list[str]) -> None:
        """Remove shared nodes the replaced document graphs used and nothing uses now."""
        shared, base = str(self.split.shared_graph), self.split.base
        try:
            orphans = [row["m"] for row in self.client.select(
                _orphans_query(reached, shared, base, None), "finding unused shared nodes")]
            if orphans:
                self.client.update(_delete_orphans(orphans, shared, base, None),
                                   f"removing {len(orphans)} unused nodes from {shared}")
            self.report.orphans_removed = len(orphans)
        except StoreRequestError as error:
            self.report.warnings.append(f"unused shared nodes were not removed: {error.message}")


def _counts(client: _Client, graphs: Sequence[str], context: str) -> dict[str, int]:
    """Triple count of each document graph among `graphs` that the store holds, by document."""
    if not graphs:
        return {}
    values = " ".join(f"<{g}>" for g in graphs)
    rows = client.select(f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} "
                         f"GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g", context)
    return {row["g"][:-len(DOCUMENT_GRAPH_SUFFIX)]: int(row["n"]) for row in rows}


# --- unload and inspection -----------------------------------------------------

@dataclass
class UnloadReport:
    """The result of an unload: documents removed, not in the store, or failed (with why)."""

    endpoint: str
    removed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    orphans_removed: int = 0

    @property
    def ok(self) -> bool:
        return not self.missing and not self.failed


def unload(target: Target, documents: Sequence[str], *, base: str = DEFAULT_BASE,
           retry: RetryPolicy | None = None) -> UnloadReport:
    """Remove documents (keys, symbols or IRIs) and the shared nodes only they used.

    Each document goes in one update request that first deletes its orphaned
    shared nodes and then drops its graph, so it is removed completely or not
    at all. Failures do not raise: they are in the report; after one that later
    requests would repeat, the remaining documents are not attempted.

    Raises:
        ConfigError: a reference is not a document.
    """
    client = _Client(target, retry)
    report = UnloadReport(target.update_url)
    references = [document_iri(reference, base) for reference in documents]
    aborted: StoreRequestError | None = None
    for doc in references:
        if aborted is not None:
            report.failed[str(doc)] = f"not attempted after an earlier failure: {aborted.message}"
            continue
        try:
            removed, orphans = _unload_one(client, doc)
        except StoreRequestError as error:
            report.failed[str(doc)] = error.message
            aborted = error if error.fatal else None
            continue
        (report.removed if removed else report.missing).append(str(doc))
        report.orphans_removed += orphans
    return report


def _unload_one(client: _Client, doc: URIRef) -> tuple[bool, int]:
    """Remove one document: (whether the store held it, how many shared nodes went with it)."""
    base = _base_of(doc)
    graph = SplitDataset.graph_of(doc)
    shared = str(Minter(base).shared_graph())
    context = f"removing document {doc}"
    if not client.ask(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", context):
        return False, 0
    reached = [row["m"] for row in client.select(_reached_query([graph], shared), context)]
    orphans = [row["m"] for row in client.select(
        _orphans_query(reached, shared, base, str(graph)), context)] if reached else []
    request = f"DROP SILENT GRAPH <{graph}>"
    if orphans:
        request = _delete_orphans(orphans, shared, base, str(graph)) + " ;\n" + request
    client.update(request, context)
    return True, len(orphans)


def stored_documents(target: Target, base: str = DEFAULT_BASE,
                     retry: RetryPolicy | None = None) -> dict[str, int]:
    """Every document whose graph the store holds, with its triple count.

    Raises:
        StoreRequestError: the store cannot be reached or refuses the query.
    """
    rows = _Client(target, retry).select(
        f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
        f"{_document_graph_filter(base)} }} GROUP BY ?g", "listing the stored documents")
    return {row["g"][:-len(DOCUMENT_GRAPH_SUFFIX)]: int(row["n"]) for row in rows}


def stored_graphs(target: Target, base: str = DEFAULT_BASE,
                  retry: RetryPolicy | None = None) -> list[str]:
    """The kfor-kg named graphs the store holds under `base`: documents, shared, ontology.

    A client of a store without a union default graph can pass them as the
    SPARQL protocol's `default-graph-uri` (or as FROM clauses) so that queries
    written for the union of all graphs work unchanged.

    Raises:
        StoreRequestError: the store cannot be reached or refuses the query.
    """
    minter = Minter(base)
    rows = _Client(target, retry).select(
        f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
        f"FILTER(?g IN (<{minter.shared_graph()}>, <{minter.ontology_graph()}>) || "
        f'(STRSTARTS(STR(?g), "{minter.documents_prefix}") && '
        f'STRENDS(STR(?g), "{DOCUMENT_GRAPH_SUFFIX}"))) }} ORDER BY ?g',
        "listing the stored graphs")
    return [row["g"] for row in rows]

