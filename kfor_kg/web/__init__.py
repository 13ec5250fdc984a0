"""`kfor-kg serve`: a local web view of a build (documents, texts with their mentions,
entities, events, troop strength, the shipped queries). See docs/web.md."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from kfor_kg.rdf.vocab import DEFAULT_BASE
from kfor_kg.stats import Corpus

if TYPE_CHECKING:
    from kfor_kg.web.site import Site

__all__ = ["make_site", "DEFAULT_HOST", "DEFAULT_PORT"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def make_site(corpus: Corpus, reports: Iterable[Path] = (), *, base: str = DEFAULT_BASE,
              label: str = "") -> Site:
    """The data of the web view: `corpus` and the report files under `reports`
    (default: the bundled examples)."""
    from kfor_kg.web.site import Site, SourceIndex

    folders = list(reports)
    if not folders:
        from kfor_kg.build import example_reports

        folders = [example_reports()]
    _ = corpus.graph  # a file is read now, in this thread: a bad file fails before serving
    return Site(corpus, SourceIndex(folders), base, label)
