"""`kfor-kg stats`: the figures of the five example reports, as tables and typed JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kfor_kg.cli import cli
from kfor_kg.stats import Corpus, compute, format_stats, stats_json
from seed_build import seed_file


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_file(tmp_path_factory.mktemp("stats"))


@pytest.fixture(scope="module")
def figures(graph_file: Path) -> dict[str, object]:
    return stats_json(compute(Corpus(graph_file)))


def test_documents_per_year_and_force(figures: dict[str, object]) -> None:
    assert figures["documents"] == 5
    # S/2007/652 has no date of issue: its covering letter's year counts.
    assert figures["years"] == [{"year": y, "documents": 1} for y in (2007, 2017, 2020, 2021, 2025)]
    assert figures["forces"] == [{"force": "KFOR", "documents": 5}]


def test_signatories(figures: dict[str, object]) -> None:
    by_name = {row["name"]: row for row in figures["signatories"]}  # type: ignore[attr-defined]
    assert by_name["António Guterres"] == {
        "name": "António Guterres", "role": "Secretary-General", "organization": "United Nations",
        "letters": 4, "first": "2017-10-25", "last": "2025-06-16"}
    assert by_name["Jens Stoltenberg"]["letters"] == 3
    assert set(by_name) == {"Jaap de Hoop Scheffer", "Ban Ki-moon", "Jens Stoltenberg",
                            "António Guterres", "Mark Rutte"}


def test_entities_and_events_by_type(figures: dict[str, object]) -> None:
    entities = {row["type"]: row["entities"] for row in figures["entities"]}  # type: ignore[attr-defined]
    assert set(entities) == {"Person", "Organization", "Place", "Resolution"}
    assert entities["Person"] == 9 and entities["Resolution"] == 1
    events = {row["type"]: row for row in figures["events"]}  # type: ignore[attr-defined]
    assert events["meeting"] == {"type": "meeting", "events": 4, "dated": 4}
    assert sum(row["events"] for row in events.values()) == 16


def test_troop_strength_range(figures: dict[str, object]) -> None:
    troops = {row["measure"]: row for row in figures["troops"]}  # type: ignore[attr-defined]
    assert troops["highest"] == {"measure": "highest", "troops": 15314, "asAt": "2007-09-30",
                                 "approximate": False}
    assert troops["lowest"] == {"measure": "lowest", "troops": 3500, "asAt": "2020-12-31",
                                "approximate": True}
    assert troops["latest"]["troops"] == 5500


def test_table_has_a_titled_section_each(graph_file: Path) -> None:
    text = format_stats(compute(Corpus(graph_file)))
    for title in ("Documents per year", "Documents per force", "Signatories", "Entities by type",
                  "Events by type", "Troop strength"):
        assert f"\n{title}\n" in text
    assert "Mark Rutte" in text and text.endswith("\n")


def test_cli_json_is_typed_and_equals_the_library(graph_file: Path, figures: dict[str, object]) -> None:
    result = CliRunner().invoke(cli, ["stats", "--data", str(graph_file), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == figures


def test_cli_missing_file_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["stats", "--data", str(tmp_path / "none.ttl")])
    assert result.exit_code == 3
    assert result.stderr.strip().startswith("Error: [K002]") and "none.ttl" in result.stderr
    assert "Traceback" not in result.output


def test_trig_and_turtle_give_the_same_figures(tmp_path: Path, figures: dict[str, object]) -> None:
    trig = seed_file(tmp_path, "kfor.trig")
    assert stats_json(compute(Corpus(trig))) == figures


def test_cli_reads_stdin_and_an_oxigraph_store(graph_file: Path, tmp_path: Path,
                                               figures: dict[str, object]) -> None:
    import pyoxigraph as ox

    runner = CliRunner()
    piped = runner.invoke(cli, ["stats", "--data", "-", "--data-format", "ttl", "--format", "json"],
                          input=graph_file.read_bytes())
    assert piped.exit_code == 0, piped.output
    assert json.loads(piped.stdout) == figures
    folder = tmp_path / "kfor.db"
    store = ox.Store(str(folder))
    store.bulk_load(path=str(graph_file), format=ox.RdfFormat.TURTLE)
    store.flush()
    del store
    stored = runner.invoke(cli, ["stats", "--store", str(folder), "--format", "json"])
    assert stored.exit_code == 0, stored.output
    assert json.loads(stored.stdout) == figures
    both = runner.invoke(cli, ["stats", "--store", str(folder), "--data", str(graph_file)])
    assert both.exit_code == 2 and "one of --data, --store and --endpoint" in both.stderr


def test_cli_a_graph_without_documents_is_an_error(tmp_path: Path) -> None:
    ontology_only = tmp_path / "other.ttl"
    ontology_only.write_text("<https://x.org/a> <https://x.org/b> <https://x.org/c> .\n")
    result = CliRunner().invoke(cli, ["stats", "--data", str(ontology_only)])
    assert result.exit_code == 3 and result.stdout == ""
    assert "other.ttl holds no kfor-kg document" in result.stderr
