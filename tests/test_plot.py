"""`kfor-kg plot`: the troop and event charts of the examples, deterministic PNG and SVG."""

from __future__ import annotations

import datetime as dt
import re
import struct
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("matplotlib")

from kfor_kg.cli import cli  # noqa: E402
from kfor_kg.errors import ConfigError  # noqa: E402
from kfor_kg.plot import event_months, render, troop_figures  # noqa: E402
from kfor_kg.stats import Corpus  # noqa: E402
from kfor_kg.stores.query import QueryResult  # noqa: E402
from seed_build import seed_file  # noqa: E402


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_file(tmp_path_factory.mktemp("plot"))


@pytest.fixture(scope="module")
def corpus(graph_file: Path) -> Corpus:
    return Corpus(graph_file)


def _png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = [], 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        chunks.append(kind)
        at += 12 + length
    return chunks


def test_the_five_troop_figures_with_their_periods(corpus: Corpus) -> None:
    figures = troop_figures(corpus)
    assert [(f.troops, f.when, f.approximate) for f in figures] == [
        (15314, dt.date(2007, 9, 30), False), (4100, dt.date(2017, 9, 15), True),
        (3600, dt.date(2020, 3, 31), True), (3500, dt.date(2020, 12, 31), True),
        (5500, dt.date(2025, 3, 31), True)]
    assert figures[1].period_start == dt.date(2017, 7, 1)
    assert figures[1].period_end == dt.date(2017, 9, 30)


def test_troop_chart_draws_five_marks_on_a_time_axis(corpus: Corpus) -> None:
    svg = render("troops", corpus, "svg").decode("utf-8")
    marks = re.findall(r'<g id="troops-(\d{4}-\d{2}-\d{2})(-approximate)?"', svg)
    assert [(date, bool(approx)) for date, approx in marks] == [
        ("2007-09-30", False), ("2017-09-15", True), ("2020-03-31", True), ("2020-12-31", True),
        ("2025-03-31", True)]
    # The marks are placed left to right in date order (a time axis).
    xs = [float(x) for x in re.findall(r'<g id="troops-\d[^"]*">\s*<path d="M ([0-9.]+) ', svg)]
    assert len(xs) == 5 and xs == sorted(xs)


@pytest.mark.parametrize("chart", ["troops", "events"])
@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_same_build_same_bytes_and_no_dates(corpus: Corpus, chart: str, fmt: str) -> None:
    first = render(chart, corpus, fmt)
    assert render(chart, corpus, fmt) == first
    if fmt == "png":
        chunks = _png_chunks(first)
        assert not {b"tIME", b"tEXt", b"iTXt", b"zTXt"} & set(chunks)
    else:
        text = first.decode("utf-8")
        assert "<dc:date>" not in text and "Matplotlib v" not in text
        assert str(dt.date.today().year) + "-" not in text


def test_events_per_month_by_type(corpus: Corpus) -> None:
    months, without = event_months(corpus)
    assert months["2007-09"]["meeting"] == 4
    assert months["2020-11"] == {"arrest": 1, "transfer": 1, "resignation": 1}
    assert without == 5  # undated or a year only
    svg = render("events", corpus, "svg").decode("utf-8")
    assert 'id="events-meeting"' in svg and 'id="events-arrest"' in svg


def test_unknown_chart_or_format(corpus: Corpus) -> None:
    with pytest.raises(ConfigError, match="unknown chart"):
        render("incidents", corpus)
    with pytest.raises(ConfigError, match="png or svg"):
        render("troops", corpus, "gif")


def test_cli_writes_png_and_svg_by_extension(graph_file: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    png, svg = tmp_path / "troops.png", tmp_path / "events.svg"
    result = runner.invoke(cli, ["plot", "troops", "--data", str(graph_file), "-o", str(png)])
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:4] == b"\x89PNG" and "Wrote" in result.stderr
    result = runner.invoke(cli, ["plot", "events", "--data", str(graph_file), "-o", str(svg), "-q"])
    assert result.exit_code == 0 and result.stderr == ""
    assert svg.read_bytes().startswith(b"<?xml")


def test_cli_stdout(graph_file: Path) -> None:
    result = CliRunner().invoke(cli, ["plot", "troops", "--data", str(graph_file), "-o", "-",
                                      "--format", "svg"])
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"<?xml")


def test_cli_bad_output_fails_before_reading(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["plot", "troops", "--data", str(tmp_path / "absent.ttl"),
                                 "-o", str(tmp_path / "chart.gif")])
    assert result.exit_code == 3 and "chart.gif" in result.stderr and "--format" in result.stderr
    result = runner.invoke(cli, ["plot", "troops", "--data", str(tmp_path / "absent.ttl"),
                                 "-o", str(tmp_path / "no" / "chart.png")])
    assert result.exit_code == 3 and "does not exist" in result.stderr
    assert not (tmp_path / "chart.gif").exists()
    # A device is never replaced by a file (issue 13 case 2); a symlink is written through.
    result = runner.invoke(cli, ["plot", "troops", "--data", str(tmp_path / "absent.ttl"),
                                 "-o", "/dev/null", "--format", "png"])
    assert result.exit_code == 3 and "not a regular file" in result.stderr


def test_cli_writes_through_a_symlink(graph_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "real.svg"
    target.write_text("old")
    link = tmp_path / "link.svg"
    link.symlink_to(target)
    result = CliRunner().invoke(cli, ["plot", "events", "--data", str(graph_file), "-o", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and target.read_bytes().startswith(b"<?xml")


class _TwoForces:
    """A corpus stand-in answering the two queries the troop chart asks: two forces."""

    def run(self, name: str, params: object = None) -> QueryResult:
        if name == "reports":
            return QueryResult(["report", "doc", "periodStart", "periodEnd", "frequency", "force"], [
                ["r1", "d1", "1997-01-01", "1997-03-31", "quarterly", "Stabilization Force"],
                ["r2", "d2", "2000-01-01", "2000-03-31", "quarterly", "Kosovo Force"],
                ["r3", "d3", "2001-01-01", "2001-03-31", "quarterly", "Stabilization Force"]])
        assert name == "troop_strength"
        return QueryResult(["report", "asAt", "troops", "approximate"], [
            ["r1", "1997-03-31", "31000", "true"], ["r2", "", "45000", "false"],
            ["r3", "2001-03-31", "20000", "false"]])


def test_one_line_per_force() -> None:
    figures = troop_figures(_TwoForces())  # type: ignore[arg-type]
    assert [(f.force, f.when) for f in figures] == [
        ("Stabilization Force", dt.date(1997, 3, 31)), ("Kosovo Force", dt.date(2000, 3, 31)),
        ("Stabilization Force", dt.date(2001, 3, 31))]  # no date: the end of the period
    svg = render("troops", _TwoForces(), "svg").decode("utf-8")  # type: ignore[arg-type]
    assert svg.count('<g id="troops-line-') == 2
    assert svg.count('<g id="troops-') - 2 == 3
