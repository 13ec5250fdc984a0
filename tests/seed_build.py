"""The five example reports built once per test session (entities and events included).

Shared by the entity-layer test modules (test_nlp, test_entities, test_evaluate)
so the spaCy build runs once, not once per module.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from kfor_kg.build import BuildOptions, BuildResult, build, example_reports
from kfor_kg.rdf import export

GOLD = Path(__file__).parent / "gold"
EXCERPTS = Path(__file__).parent / "data" / "excerpts"


@lru_cache(maxsize=1)
def seeds() -> BuildResult:
    """The build of examples/reports; fails the caller if a file could not be built."""
    result = build([example_reports()], BuildOptions())
    assert not result.errors, result.errors
    return result


def seed_file(folder: Path, name: str = "kfor.ttl") -> Path:
    """The examples build written to `folder/name`, in the format its extension names."""
    path = folder / name
    export.write(seeds().dataset, path)
    return path


@lru_cache(maxsize=1)
def excerpts() -> BuildResult:
    """The build of the three dev excerpts (tests/data/excerpts)."""
    return build([EXCERPTS], BuildOptions())
