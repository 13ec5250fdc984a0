"""RDF namespaces and the IRI scheme of docs/model.md."""

from __future__ import annotations

import re
import unicodedata

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

KFOR = Namespace("https://w3id.org/kfor-kg/ontology#")
DEFAULT_BASE = "https://w3id.org/kfor-kg/id/"
SCHEMA = Namespace("https://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
UNDO = Namespace("https://w3id.org/un/ontology/undo/")
WD = Namespace("http://www.wikidata.org/entity/")
LANG = Namespace("http://id.loc.gov/vocabulary/iso639-1/")

PREFIXES: dict[str, Namespace | type[DefinedNamespace]] = {
    "kfor": KFOR,
    "schema": SCHEMA,
    "org": ORG,
    "prov": PROV,
    "oa": OA,
    "dcterms": DCTERMS,
    "skos": SKOS,
    "foaf": FOAF,
    "sem": SEM,
    "time": TIME,
    "undo": UNDO,
    "wd": WD,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
}

__all__ = ["KFOR", "SCHEMA", "OA", "SEM", "UNDO", "WD", "LANG", "PREFIXES", "DEFAULT_BASE",
           "DCTERMS", "FOAF", "ORG", "OWL", "PROV", "RDF", "RDFS", "SKOS", "TIME", "XSD",
           "slug", "Minter"]


def slug(text: str) -> str:
    """Lowercase ASCII slug: diacritics stripped, other characters to hyphens.

    >>> slug("Hashim Thaçi")
    'hashim-thaci'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


class Minter:
    """Mints the stable IRIs of docs/model.md under one base.

    >>> Minter("https://example.org/").person("Jens Stoltenberg")
    rdflib.term.URIRef('https://example.org/person/jens-stoltenberg')
    """

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        self.base = base if base.endswith(("/", "#")) else base + "/"
        self.ns = Namespace(self.base)

    def iri(self, path: str) -> URIRef:
        return URIRef(self.base + path)

    def document(self, key: str) -> URIRef:
        return self.iri(f"doc/{key}")

    def person(self, name: str) -> URIRef:
        return self.iri(f"person/{slug(name)}")

    def organization(self, key: str) -> URIRef:
        return self.iri(f"organization/{slug(key)}")

    def place(self, name: str) -> URIRef:
        return self.iri(f"place/{slug(name)}")

    def resolution(self, number: int, year: int) -> URIRef:
        return self.iri(f"resolution/{number}-{year}")

    def post(self, organization_key: str, role: str) -> URIRef:
        return self.iri(f"post/{slug(organization_key)}/{slug(role)}")

    def role(self, role: str) -> URIRef:
        return self.iri(f"role/{slug(role)}")

    def incident_category(self, label: str) -> URIRef:
        return self.iri(f"incident-category/{slug(label)}")

    def shared_graph(self) -> URIRef:
        return self.iri("graph/shared")

    @staticmethod
    def span(doc: URIRef, start: int, end: int) -> URIRef:
        return URIRef(f"{doc}/span/{start}-{end}")

    @staticmethod
    def document_graph(doc: URIRef) -> URIRef:
        return URIRef(f"{doc}/graph")
