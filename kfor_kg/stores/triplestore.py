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
all work. Where the store is and how requests are sent: kfor_kg.stores.client;
how a build is cut into those graphs: kfor_kg.stores.layout.

Shared graph rule: a load adds the shared triples of its documents. Afterwards,
and when a document is unloaded, every shared node that the replaced or removed
document graph reached (directly or through other shared nodes) and that no
remaining document graph reaches any more loses all its triples in the shared
graph. Triples of a shared node that is still in use are never removed; load
with ``replace_shared=True`` to rewrite the shared graph from scratch.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kfor_kg.errors import ConfigError, redact
from kfor_kg.rdf.iris import DOCUMENT_GRAPH_SUFFIX, Minter
from kfor_kg.rdf.validate import load_ontology
from kfor_kg.rdf.vocab import DEFAULT_BASE
from kfor_kg.stores import sparql
from kfor_kg.stores.client import StoreClient, StoreRequestError, Target
from kfor_kg.stores.http import RetryPolicy
from kfor_kg.stores.layout import (
    SplitDataset,
    Triple,
    document_base,
    document_iri,
    document_key,
    read_graph,
    split_dataset,
)

__all__ = ["DEFAULT_BATCH_SIZE", "DocumentOutcome", "LoadReport", "UnloadReport", "load",
           "load_dataset", "unload", "stored_documents", "stored_graphs"]

DEFAULT_BATCH_SIZE = 5000
"""Triples per SPARQL Update request (about 1 MB of N-Triples)."""

# Any predicate, zero or more times: reachability through the shared graph.
_ANY_PATH = "(<urn:x-kfor-kg:none>|!<urn:x-kfor-kg:none>)*"


# --- writing graphs ----------------------------------------------------------

def _nt_term(term: Node) -> str:
    """A term in N-Triples syntax, which is also valid Turtle and SPARQL (sparql.term_n3's
    escaping; a blank node, which only the shipped ontology may hold, as `_:id`)."""
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal) and term.datatype == XSD.string:
        term = Literal(str(term))  # a plain string, as N-Triples writes it
    return sparql.term_n3(term)


def _nt_lines(triples: Iterable[Triple]) -> list[str]:
    """N-Triples lines, sorted so that requests are the same for the same data."""
    return sorted(f"{_nt_term(s)} {_nt_term(p)} {_nt_term(o)} ." for s, p, o in triples)


def _insert_data(graph: str, lines: Sequence[str]) -> str:
    return f"INSERT DATA {{ GRAPH <{graph}> {{\n" + "\n".join(lines) + "\n} }"


class _GraphStoreWriter:
    """Writes graphs with the Graph Store Protocol: PUT replaces, POST merges."""

    def __init__(self, client: StoreClient) -> None:
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

    def __init__(self, client: StoreClient, batch_size: int) -> None:
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
        cleanup = StoreClient(self.client.target, RetryPolicy(attempts=1))
        try:
            cleanup.update(f"DROP SILENT GRAPH <{temporary}>", "discarding a partial load")
        except StoreRequestError:
            pass  # the server is gone; the next load of this document drops it first


# --- shared-graph garbage collection ------------------------------------------

def _document_graph_condition(base: str, variable: str = "?g", exclude: str | None = None) -> str:
    """`variable` is a document graph under `base` (but `exclude`)."""
    # Minter checks the base; its terms enter the query written by sparql.term_n3.
    prefix = sparql.term_n3(Literal(Minter(base).documents_prefix))
    suffix = sparql.term_n3(Literal(DOCUMENT_GRAPH_SUFFIX))
    condition = f"STRSTARTS(STR({variable}), {prefix}) && STRENDS(STR({variable}), {suffix})"
    if exclude is not None:
        condition += f" && {variable} != {sparql.term_n3(URIRef(exclude))}"
    return condition


def _unreachable(shared: str, base: str, exclude: str | None) -> str:
    """A filter keeping ?m only if no document graph (but `exclude`) reaches it."""
    return f"""FILTER NOT EXISTS {{
    GRAPH <{shared}> {{ ?n {_ANY_PATH} ?m }}
    GRAPH ?g {{ ?x ?q ?n }}
    FILTER({_document_graph_condition(base, exclude=exclude)})
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
        self.client = StoreClient(target, retry)
        self.writer: _GraphStoreWriter | _UpdateWriter = (
            _GraphStoreWriter(self.client) if target.graph_store else
            _UpdateWriter(self.client, batch_size))
        self.on_document = on_document
        self.report = LoadReport(redact(target.graph_store or target.update_url), target.method, [])

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


def _counts(client: StoreClient, graphs: Sequence[str], context: str) -> dict[str, int]:
    """Triple count of each document graph among `graphs` that the store holds, by document."""
    if not graphs:
        return {}
    values = " ".join(f"<{g}>" for g in graphs)
    rows = client.select(f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} "
                         f"GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g", context)
    return {row["g"][:-len(DOCUMENT_GRAPH_SUFFIX)]: _count(row["n"], context) for row in rows}


def _count(value: str, context: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise StoreRequestError(f"{context}: the store answered {value!r} for a count", True) \
            from None


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
    client = StoreClient(target, retry)
    report = UnloadReport(redact(target.update_url))
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


def _unload_one(client: StoreClient, doc: URIRef) -> tuple[bool, int]:
    """Remove one document: (whether the store held it, how many shared nodes went with it)."""
    base = document_base(doc)
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
    rows = StoreClient(target, retry).select(
        f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
        f"FILTER({_document_graph_condition(base)}) }} GROUP BY ?g", "listing the stored documents")
    return {row["g"][:-len(DOCUMENT_GRAPH_SUFFIX)]: _count(row["n"], "listing the stored documents")
            for row in rows}


def stored_graphs(target: Target, base: str = DEFAULT_BASE,
                  retry: RetryPolicy | None = None) -> list[str]:
    """The kfor-kg named graphs the store holds under `base`: documents, shared, ontology.

    A client of a store without a union default graph can pass them as the
    SPARQL protocol's `default-graph-uri` (or as FROM clauses) so that queries
    written for the union of all graphs work unchanged.

    Raises:
        StoreRequestError: the store cannot be reached or refuses the query.
    """
    minter = Minter(base)  # checks the base: an absolute IRI
    # The base enters the query only as terms written by sparql.term_n3.
    named = ", ".join(sparql.term_n3(graph) for graph in (minter.shared_graph(), minter.ontology_graph()))
    rows = StoreClient(target, retry).select(
        f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
        f"FILTER(?g IN ({named}) || ({_document_graph_condition(base)})) }} ORDER BY ?g",
        "listing the stored graphs")
    return [row["g"] for row in rows]
