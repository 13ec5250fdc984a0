"""Validate a kfor-kg graph against the project's SHACL shapes, with pySHACL
(behind a Rust pre-check, `fast_conforms`).

The shapes are every `*.ttl` in the shipped `shapes/` folder and the ontology
every `*.ttl` in `ontology/`; both are read once per process (and again if a
file changes). The ontology is mixed into the data graph so that
`sh:targetClass kfor:Letter` also finds `kfor:CoveringLetter` nodes and
`sh:class` follows `rdfs:subClassOf`: SHACL reads the class hierarchy from the
data graph only. Inference stays off: RDFS/OWL-RL expansion multiplies the cost
and the shapes do not need it.

Results of severity sh:Warning or sh:Info are reported but do not make a graph
non-conforming (pySHACL's `allow_warnings`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from typing import Any, cast

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, RDF, SH
from rdflib.term import Node

from kfor_kg.errors import ConfigError, ShapeLoadError
from kfor_kg.rdf.iris import document_of
from kfor_kg.rdf.vocab import DEFAULT_BASE, KFOR, PREFIXES
from kfor_kg.resources import resource_dir

__all__ = ["ViolationResult", "ValidationOutcome", "validate", "fast_conforms", "load_shapes",
           "load_ontology", "format_report"]

_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class ViolationResult:
    """One SHACL validation result: which document, which node, what is wrong."""

    document: URIRef | None
    """The document the focus node belongs to (`{base}doc/{key}`), or None for shared nodes."""
    focus_node: Node
    path: str | None
    """The property path, in SPARQL syntax with the project's prefixes (`kfor:troops`)."""
    message: str
    severity: str
    """"Violation", "Warning" or "Info"."""
    value: Node | None
    component: str | None = None
    """The SHACL constraint component, e.g. "sh:MinCountConstraintComponent"."""


@dataclass
class ValidationOutcome:
    """What `validate` found. `results` are sorted by document, node and path."""

    conforms: bool
    results: list[ViolationResult] = field(default_factory=list)
    report_graph: Graph = field(default_factory=Graph)


def validate(data: Graph, shapes: Graph | None = None, ontology: Graph | None = None, *,
             nquads: bytes | None = None) -> ValidationOutcome:
    """Validate `data` (a Graph, or a Dataset whose graphs are taken together).

    `shapes` defaults to the shipped shapes and `ontology` to the shipped
    ontology; pass an empty Graph as `ontology` to validate without it. With
    the shipped ones, the Rust validator answers first (`fast_conforms`, given
    `nquads`, the N-Quads of `data`, when the caller has them); only a graph it
    finds anything in goes through pySHACL, for the report.

    Raises:
        ShapeLoadError: the shipped shapes or ontology are missing or unreadable, or
            pySHACL rejects the shapes.
    """
    if shapes is None and ontology is None and fast_conforms(data if nquads is None else nquads):
        return ValidationOutcome(conforms=True)
    import pyshacl  # imported here: it costs 0.3 s and only validation needs it

    shapes_graph = load_shapes() if shapes is None else shapes
    ontology_graph = load_ontology() if ontology is None else ontology
    # One plain graph with the union of all named graphs plus the ontology:
    # pySHACL then runs in place, without cloning it again.
    target = Graph(bind_namespaces="none")
    target.addN((s, p, o, target) for s, p, o in _triples(data))
    target.addN((s, p, o, target) for s, p, o in ontology_graph)
    try:
        conforms, report, _text = pyshacl.validate(
            target, shacl_graph=shapes_graph, inference="none", advanced=False,
            allow_warnings=True, inplace=True, abort_on_first=False)
    except (pyshacl.errors.ShapeLoadError, pyshacl.errors.ConstraintLoadError,
            pyshacl.errors.ReportableRuntimeError) as exc:
        reason = " ".join(str(getattr(exc, "message", exc)).split())
        raise ShapeLoadError(f"pySHACL cannot use the shapes: {reason[:300]}") from exc
    results = _results(report, target)
    return ValidationOutcome(conforms=bool(conforms), results=results, report_graph=report)


def fast_conforms(data: Graph | bytes) -> bool:
    """Whether the Rust `shacl` validator finds no result at all (not even a warning) in `data`.

    `data` is a Graph/Dataset or N-Quads bytes; it is checked with the shipped
    shapes and ontology. False also when the `shacl` package is missing or fails:
    the caller then asks pySHACL. Measured (docs/performance.md): the same
    results as pySHACL on the example reports and on 15 mutated ones (1,461
    results), 30-70x faster (benchmarks/engines.py), so it decides only the common
    case, "conforms".
    """
    try:
        import shacl
    except ImportError:
        return False
    if not isinstance(data, bytes):
        from kfor_kg.rdf.oxi import nquad_line, ox_quads

        data = b"".join(nquad_line(quad) for quad in ox_quads(data))
    try:
        compiled, ontology = _compiled(_signature(_resource("shapes")),
                                       _signature(_resource("ontology")))
        report = compiled.validate_text((data + ontology).decode("utf-8"), "nq")
        return bool(report.conforms) and not report.results
    except Exception:  # a validator bug must not decide: pySHACL answers instead
        return False


@lru_cache(maxsize=2)
def _compiled(shapes_signature: tuple[tuple[str, int, int], ...],
              ontology_signature: tuple[tuple[str, int, int], ...]) -> tuple[Any, bytes]:
    """The shipped shapes compiled by `shacl`, and the ontology as N-Triples (once per change)."""
    import shacl

    compiled = shacl.Shapes.from_turtle(load_shapes().serialize(format="turtle"))
    return compiled, load_ontology().serialize(format="nt", encoding="utf-8")


def load_shapes() -> Graph:
    """The shipped SHACL shapes: every `*.ttl` in resource_dir("shapes").

    Raises:
        ShapeLoadError: the folder is missing or empty, or a file is not valid Turtle.
    """
    directory = _resource("shapes")
    graph = _load_dir(directory, _signature(directory))
    if not len(graph):
        raise ShapeLoadError(f"no SHACL shapes (*.ttl) in {directory}")
    return graph


def load_ontology() -> Graph:
    """The shipped ontology: every `*.ttl` in resource_dir("ontology") (may be empty).

    Raises:
        ShapeLoadError: the folder is missing, or a file is not valid Turtle.
    """
    directory = _resource("ontology")
    return _load_dir(directory, _signature(directory))


def format_report(outcome: ValidationOutcome) -> str:
    """A plain-text report grouped by document, then node: what is wrong where.

    Raises:
        Nothing.
    """
    counts = {name: sum(r.severity == name for r in outcome.results) for name in _SEVERITY_ORDER}
    tally = ", ".join(f"{n} {name.lower()}{'s' if n != 1 else ''}"
                      for name, n in counts.items() if n)
    documents = {r.document for r in outcome.results}
    places = []
    if documents - {None}:
        n = len(documents - {None})
        places.append(f"{n} document{'s' if n != 1 else ''}")
    if None in documents:
        places.append("the shared nodes")
    where = f" in {' and '.join(places)}" if places else ""
    if outcome.conforms:
        head = "The graph conforms to the shapes." + (f" ({tally}{where})" if tally else "")
    else:
        head = f"The graph does not conform to the shapes: {tally}{where}."
    lines = [head]
    # results are sorted by document (shared nodes last), then focus node
    for document, group in groupby(outcome.results, key=lambda r: r.document):
        lines.append("")
        lines.append(f"Document {_short(document)}" if document is not None
                     else "Shared nodes (no document)")
        for focus, by_node in groupby(group, key=lambda r: r.focus_node):
            lines.append(f"  {_short(focus)}")
            for result in by_node:
                where_path = f"{result.path}: " if result.path else ""
                lines.append(f"    {result.severity}: {where_path}{_concise(result.message)}")
                if result.value is not None and result.value != result.focus_node:
                    lines.append(f"      value: {_short(result.value)}")
    return "\n".join(lines)


# --- helpers -----------------------------------------------------------------

_FOCUS_SUFFIX = re.compile(r" on (?:<[^>]*>|\S+)->.+$")


def _concise(message: str) -> str:
    """Drop pySHACL's " on <focus>->path" tail: the report already shows node and path."""
    return _FOCUS_SUFFIX.sub("", message)


def _triples(data: Graph) -> Iterable[tuple[Node, Node, Node]]:
    if data.context_aware:  # Dataset: every graph, default and named
        quads = cast(Dataset, data).quads((None, None, None, None))
        return ((s, p, o) for s, p, o, _g in quads)
    return iter(data)


def _resource(name: str) -> Path:
    try:
        return resource_dir(name)
    except ConfigError as exc:
        raise ShapeLoadError(str(exc).split("] ", 1)[-1]) from exc


def _signature(directory: Path) -> tuple[tuple[str, int, int], ...]:
    return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(directory.glob("*.ttl")))


@lru_cache(maxsize=8)
def _load_dir(directory: Path, signature: tuple[tuple[str, int, int], ...]) -> Graph:
    """Parse the `*.ttl` files of `directory`; `signature` makes edits invalidate the cache."""
    graph = Graph()
    for name, _mtime, _size in signature:
        path = directory / name
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib's parsers raise many unrelated exception types
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise ShapeLoadError(f"{path} is not valid Turtle: {reason[:200]}") from exc
    return graph


def _results(report: Graph, data: Graph) -> list[ViolationResult]:
    locate = _DocumentLocator(data)
    results = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(node, SH.focusNode)
        severity = report.value(node, SH.resultSeverity)
        path = report.value(node, SH.resultPath)
        component = report.value(node, SH.sourceConstraintComponent)
        messages = sorted(str(m) for m in report.objects(node, SH.resultMessage))
        results.append(ViolationResult(
            document=locate(focus),
            focus_node=cast(Node, focus),  # SHACL gives every result a focus node
            path=_path_text(report, path) if path is not None else None,
            message="; ".join(messages) or "(no message)",
            severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
            value=report.value(node, SH.value),
            component=_short(component) if component is not None else None,
        ))
    results.sort(key=lambda r: (r.document is None, str(r.document), str(r.focus_node),
                                _SEVERITY_ORDER.get(r.severity, 3), r.path or "", r.message,
                                str(r.value)))
    return results


class _DocumentLocator:
    """Finds the document a node belongs to: by IRI, by a link, or by the IRI scheme."""

    def __init__(self, data: Graph) -> None:
        self.data = data
        known = set(data.subjects(RDF.type, KFOR.Document))
        for link in (KFOR.inDocument, DCTERMS.isPartOf):
            known.update(o for o in data.objects(None, link) if isinstance(o, URIRef))
        self.known = sorted((str(d) for d in known), key=len, reverse=True)

    def __call__(self, node: Node | None) -> URIRef | None:
        if not isinstance(node, URIRef):
            return None
        iri = str(node)
        for document in self.known:  # longest first
            if iri == document or iri.startswith((document + "/", document + "#")):
                return URIRef(document)
        for link in (KFOR.inDocument, DCTERMS.isPartOf):
            target = self.data.value(node, link)
            if isinstance(target, URIRef):
                return target
        return document_of(iri)


_PATH_OPERATORS = ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?"))


def _path_text(graph: Graph, path: Node) -> str:
    """A SHACL property path in SPARQL syntax, e.g. `^dcterms:isPartOf` or `(oa:hasSelector/oa:start)`."""
    if not isinstance(path, BNode):
        return _short(path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path_text(graph, inverse)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path_text(graph, p) for p in Collection(graph, alternatives)) + ")"
    for predicate, operator in _PATH_OPERATORS:
        inner = graph.value(path, predicate)
        if inner is not None:
            return _path_text(graph, inner) + operator
    if graph.value(path, RDF.first) is not None:
        return "(" + "/".join(_path_text(graph, p) for p in Collection(graph, path)) + ")"
    return str(path)


_DISPLAY_PREFIXES = sorted(
    [(str(ns), name) for name, ns in PREFIXES.items()] + [(DEFAULT_BASE, "id"), (str(SH), "sh")],
    key=lambda item: len(item[0]), reverse=True)


def _short(term: Node) -> str:
    """Display form of a term: prefixed where a known namespace matches, else N3."""
    if isinstance(term, URIRef):
        iri = str(term)
        for namespace, prefix in _DISPLAY_PREFIXES:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{prefix}:{iri[len(namespace):]}"
        return f"<{iri}>"
    if isinstance(term, Literal):
        return term.n3()
    return term.n3() if hasattr(term, "n3") else str(term)
