"""One error hierarchy for the library; the CLI turns these into messages and exit codes.

Exit codes: 0 ok, 1 the graph does not conform to the shapes, 2 usage error,
3 input, runtime, I/O or store error.
"""

from __future__ import annotations


class KforError(Exception):
    """Base class of every error kfor-kg raises on purpose."""

    code = "K000"
    exit_code = 3

    def __str__(self) -> str:
        return f"[{self.code}] {super().__str__()}"


class ConfigError(KforError):
    """A setting, option or resource is wrong or missing."""

    code = "K001"


class IngestError(KforError):
    """An input file cannot be read as a report text (empty, binary, not UTF-8)."""

    code = "K002"


class ExtractionError(KforError):
    """A text was read but is not a report this tool understands."""

    code = "K003"


class ShapeLoadError(KforError):
    """The SHACL shapes or the ontology cannot be loaded."""

    code = "K004"


class QueryError(KforError):
    """A query is unknown, malformed or was given bad parameters."""

    code = "K006"


class StoreError(KforError):
    """A triplestore could not be reached or refused a request."""

    code = "K007"


class LinkError(KforError):
    """Linking to Wikidata failed."""

    code = "K008"
