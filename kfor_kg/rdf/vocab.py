"""RDF namespaces and the classes of each kind of entity (docs/model.md)."""

from __future__ import annotations

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
           "ENTITY_CLASSES"]


# The RDF classes of each kind of entity: the one map from an entity kind to its classes.
ENTITY_CLASSES: dict[str, tuple[URIRef, ...]] = {
    "Person": (KFOR.Person, FOAF.Person, SCHEMA.Person),
    "Organization": (KFOR.Organization, ORG.Organization, SCHEMA.Organization),
    "Place": (KFOR.Place, SCHEMA.Place, SEM.Place),
    "Resolution": (KFOR.Resolution, SCHEMA.Legislation),
}
