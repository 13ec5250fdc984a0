"""Find the data shipped with kfor-kg: ontology, shapes, queries, example reports.

In a wheel they sit inside the package (see pyproject's force-include); in a
source checkout or an editable install they sit at the repository's top level.
"""

from __future__ import annotations

from pathlib import Path

from kfor_kg.errors import ConfigError

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Directory of shipped data: 'ontology', 'shapes', 'queries' or 'examples/reports'.

    Raises:
        ConfigError: when the installation lacks it.
    """
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise ConfigError(f"kfor-kg's {name!r} folder is missing from the installation ({_PACKAGE})")


def data_file(name: str) -> Path:
    """A data file under kfor_kg/data (patterns, aliases, alignments)."""
    return _PACKAGE / "data" / name
