"""Two files that claim one document: a quiet duplicate, or a conflict to refuse.

A document's key (rdf/iris.document_key) is its UN symbol, else its letters'
dates. Two files with one key are the same document when their texts are
identical (a copy: skipped without an error); otherwise the second is refused
with an error that names both files, never merged or silently replaced.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["same_text", "conflict_message"]


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def same_text(path: Path, first: Path) -> bool:
    """Whether `path` holds byte for byte the text of `first`."""
    a, b = _digest(path), _digest(first)
    return a is not None and a == b


def conflict_message(key: str, path: Path, first: Path) -> str:
    """The one-line error for `path`, a different text that claims the document `key` of `first`."""
    return (f"{path}: claims the same document ({key}) as {first}, but the texts differ; "
            f"refused (the first file wins; is one another language version, or is a symbol or "
            f"letter date wrong?)")
