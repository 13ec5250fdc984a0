"""One error hierarchy for the library; the CLI turns these into messages and exit codes.

Exit codes: 0 ok, 1 the graph does not conform to the shapes, 2 usage error,
3 input, runtime, I/O or store error.
"""

from __future__ import annotations

import re

# scheme://user:password@ in a URL; the password is what must never be printed.
_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^\s/?#@:]*):([^\s/?#@]*)@")


def redact(text: str) -> str:
    """`text` with the password of every URL in it replaced by `***`.

    >>> redact("http://ann:s3cret@127.0.0.1:7878/query refused; see http://h/x")
    'http://ann:***@127.0.0.1:7878/query refused; see http://h/x'
    """
    return _CREDENTIALS.sub(r"\1\2:***@", text)


class KforError(Exception):
    """Base class of every error kfor-kg raises on purpose; its text never shows a password."""

    code = "K000"
    exit_code = 3

    def __str__(self) -> str:
        return redact(f"[{self.code}] {super().__str__()}")


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


class InternalError(KforError):
    """An exception kfor-kg did not expect: a bug, reported as one line (traceback with -v)."""

    code = "K099"


class Interrupted(KforError):
    """The run was stopped by SIGINT (Ctrl-C, exit 130) or SIGTERM (exit 143)."""

    code = "K098"

    def __init__(self, signal_name: str, exit_code: int) -> None:
        super().__init__(f"interrupted by {signal_name}; no output was left half-written")
        self.exit_code = exit_code
