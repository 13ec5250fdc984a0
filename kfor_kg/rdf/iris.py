"""Every IRI kfor-kg mints or reads back, in one place (the scheme of docs/model.md)."""

from __future__ import annotations

import re
import unicodedata

from rdflib import Namespace, URIRef

from kfor_kg.rdf.vocab import DEFAULT_BASE

__all__ = ["slug", "Minter"]

# The path segment of each kind of entity.
_ENTITY_PATHS = {"Person": "person", "Organization": "organization", "Place": "place",
                 "Resolution": "resolution"}


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

    def entity(self, kind: str, key: str) -> URIRef:
        """The canonical entity of `kind` (Person, Organization, Place, Resolution) with key `key`."""
        return self.iri(f"{_ENTITY_PATHS[kind]}/{key}")

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
