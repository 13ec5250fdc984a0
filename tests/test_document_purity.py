"""A document's graph depends only on that document and the shipped data.

The five example reports are built one at a time and loaded one by one into a
real Oxigraph server, and built together and loaded at once into another; the
two stores must hold exactly the same quads, and their union must pass the
shapes. Entities and events are included: they are where identity used to
depend on the other documents of a build.
"""

from __future__ import annotations

import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset

from kfor_kg.build import BuildOptions, build, example_reports
from kfor_kg.rdf.validate import format_report, validate
from kfor_kg.stores import triplestore
from servers import OxigraphServer

pytestmark = pytest.mark.server


def _load(server: OxigraphServer, data: Dataset) -> None:
    report = triplestore.load_dataset(data, triplestore.Target.for_server("oxigraph", server.base_url))
    assert report.ok, report.failed


def _store_lines(server: OxigraphServer) -> set[str]:
    """Every quad in the store, as N-Quads lines (Oxigraph writes each term canonically)."""
    request = urllib.request.Request(server.store_url, headers={"Accept": "application/n-quads"})
    with urllib.request.urlopen(request, timeout=60) as response:
        text: str = response.read().decode("utf-8")
    return {line for line in text.splitlines() if line.strip()}


def _graph_of(line: str) -> str:
    """The graph IRI of an N-Quads line (its last term), shortened to the path under the base."""
    graph = line.rstrip(" .").rsplit(" ", 1)[-1]
    return graph.strip("<>").split("/id/", 1)[-1]


def _differences(one_by_one: set[str], together: set[str]) -> str:
    lines = []
    for name, extra in (("only when loaded one by one", one_by_one - together),
                        ("only when built together", together - one_by_one)):
        by_graph = Counter(_graph_of(line) for line in extra)
        lines.append(f"{len(extra)} quads {name}: {dict(sorted(by_graph.items()))}")
        lines.extend(f"  {line}" for line in sorted(extra)[:15])
    return "\n".join(lines)


@pytest.fixture(scope="module")
def reports() -> list[Path]:
    paths = sorted(example_reports().glob("*.txt"))
    assert len(paths) == 5
    return paths


@pytest.fixture(scope="module")
def stores(reports: list[Path], tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[set[str], set[str]]]:
    """(quads after loading the single-document builds one by one, quads after loading the joint build)."""
    location = tmp_path_factory.mktemp("purity")
    with OxigraphServer(location / "single") as single, OxigraphServer(location / "joint") as joint:
        for path in reports:
            result = build([path], BuildOptions())
            assert not result.errors and result.documents == 1, result.errors
            _load(single, result.dataset)
        together = build(reports, BuildOptions())
        assert not together.errors and together.documents == 5, together.errors
        _load(joint, together.dataset)
        yield _store_lines(single), _store_lines(joint)


def test_one_by_one_gives_the_store_of_one_build(stores: tuple[set[str], set[str]]) -> None:
    one_by_one, together = stores
    assert len(together) > 5000  # the examples with entities and events, not an empty store
    assert one_by_one == together, _differences(one_by_one, together)


def test_the_union_of_the_documents_passes_the_shapes(stores: tuple[set[str], set[str]]) -> None:
    one_by_one, _together = stores
    data = Dataset()
    data.parse(data="\n".join(sorted(one_by_one)) + "\n", format="nquads")
    outcome = validate(data)
    assert outcome.conforms, format_report(outcome)
