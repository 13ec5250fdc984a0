"""Tests for kfor_kg.rdf.export: formats, determinism, atomic writes, reading back."""

from __future__ import annotations

import json
import os
import random
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kfor_kg.rdf import export
from kfor_kg.rdf.oxi import line_key
from kfor_kg.errors import ConfigError, IngestError
from kfor_kg.rdf.vocab import DEFAULT_BASE, KFOR

DATA = Path(__file__).parent / "data" / "io"
SAMPLE = DATA / "sample.trig"
SHARED = URIRef(DEFAULT_BASE + "graph/shared")
DOC_GRAPH = URIRef(DEFAULT_BASE + "doc/S-2008-638/graph")


def quads(ds: Dataset) -> set[tuple]:
    return {(s, p, o, g) for s, p, o, g in ds.quads((None, None, None, None))}


def triples(ds: Dataset) -> set[tuple]:
    return {(s, p, o) for s, p, o, _g in ds.quads((None, None, None, None))}


@pytest.fixture(scope="module")
def sample() -> Dataset:
    return export.read(SAMPLE)


def shuffled_copy(ds: Dataset, seed: int) -> Dataset:
    """The same quads added in another order, into a dataset with other prefix bindings."""
    items = sorted(quads(ds), key=repr)
    random.Random(seed).shuffle(items)
    out = Dataset()
    out.bind("ex", "http://example.org/")
    for s, p, o, g in items:
        out.graph(g).add((s, p, o))
    return out


# --- format_for_path -----------------------------------------------------------

@pytest.mark.parametrize(("name", "fmt"), [
    ("kfor.ttl", "ttl"), ("kfor.turtle", "ttl"), ("KFOR.TTL", "ttl"), ("a/b.nt", "nt"),
    ("x.jsonld", "jsonld"), ("x.json", "jsonld"), ("x.trig", "trig"), ("x.nq", "nq"),
])
def test_format_for_path_by_extension(name: str, fmt: str) -> None:
    assert export.format_for_path(name) == fmt


def test_format_for_path_explicit_wins() -> None:
    assert export.format_for_path("out.txt", "nq") == "nq"


@pytest.mark.parametrize(("name", "explicit"), [("out.rdf", None), ("out", None), ("out.ttl", "xml")])
def test_format_for_path_rejects_unknown(name: str, explicit: str | None) -> None:
    with pytest.raises(ConfigError) as info:
        export.format_for_path(name, explicit)
    message = str(info.value)
    assert name in message
    assert "ttl, nt, jsonld, trig, nq" in message
    assert "\n" not in message


# --- round trips --------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["trig", "nq"])
def test_named_graph_formats_keep_graphs(sample: Dataset, fmt: str, tmp_path: Path) -> None:
    path = export.write(sample, tmp_path / f"out.{fmt}")
    back = export.read(path)
    assert quads(back) == quads(sample)
    names = {g.identifier for g in back.graphs() if len(g)}
    assert SHARED in names and DOC_GRAPH in names


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld"])
def test_union_formats_hold_every_triple_in_the_default_graph(sample: Dataset, fmt: str,
                                                               tmp_path: Path) -> None:
    path = export.write(sample, tmp_path / f"out.{fmt}")
    back = export.read(path)
    assert triples(back) == triples(sample)
    assert {g for *_t, g in back.quads((None, None, None, None))} == {DATASET_DEFAULT_GRAPH_ID}


def test_plain_graph_goes_to_the_default_graph_of_trig(tmp_path: Path) -> None:
    g = Graph()
    g.add((URIRef(DEFAULT_BASE + "doc/x"), URIRef(KFOR.sourceFile), Literal("x.txt")))
    back = export.read(export.write(g, tmp_path / "g.trig"))
    assert quads(back) == {(URIRef(DEFAULT_BASE + "doc/x"), URIRef(KFOR.sourceFile),
                            Literal("x.txt"), DATASET_DEFAULT_GRAPH_ID)}


def test_default_graph_triples_survive_named_graph_formats(sample: Dataset) -> None:
    ds = shuffled_copy(sample, 1)
    extra = (URIRef(DEFAULT_BASE + "doc/extra"), URIRef(KFOR.sourceFile), Literal("e.txt"))
    ds.add(extra)
    for fmt in ("trig", "nq"):
        back = Dataset()
        back.parse(data=export.serialize(ds, fmt), format={"trig": "trig", "nq": "nquads"}[fmt])
        assert extra + (DATASET_DEFAULT_GRAPH_ID,) in quads(back)
        assert quads(back) == quads(ds)


# --- readable output -------------------------------------------------------------

def test_turtle_uses_project_prefixes_and_iri_order(sample: Dataset) -> None:
    text = export.serialize(sample, "ttl").decode()
    assert "@prefix kfor: <https://w3id.org/kfor-kg/ontology#> ." in text
    assert "kfor:Document" in text
    assert "ns1:" not in text and "\\/" not in text   # minted IRIs in full, no escaped slashes
    doc = text.index("<https://w3id.org/kfor-kg/id/doc/S-2008-638> ")
    letter = text.index("<https://w3id.org/kfor-kg/id/doc/S-2008-638/letter> ")
    assert doc < letter
    starts = [line for line in text.splitlines()
              if line.startswith("<https://w3id.org/kfor-kg/id/doc/S-2008-638> ")]
    assert len(starts) == 1  # one subject group


def test_trig_writes_graphs_in_iri_order(sample: Dataset) -> None:
    text = export.serialize(sample, "trig").decode()
    positions = [text.index(f"<{DEFAULT_BASE}{name}> {{") for name in
                 ("doc/S-2008-638/graph", "doc/S-2016-666/graph",
                  "doc/letter-2000-08-04/graph", "graph/shared")]
    assert positions == sorted(positions)


def test_jsonld_has_a_context_with_the_base(sample: Dataset) -> None:
    doc = json.loads(export.serialize(sample, "jsonld"))
    assert doc["@context"]["id"] == DEFAULT_BASE
    assert doc["@context"]["kfor"] == str(KFOR)
    ids = [node["@id"] for node in doc["@graph"]]
    assert ids == sorted(ids)


def test_base_comes_from_the_data_or_the_argument() -> None:
    g = Graph()
    g.bind("id", "https://example.org/kg/")
    g.add((URIRef("https://example.org/kg/doc/a"), URIRef(KFOR.sourceFile), Literal("a")))
    assert json.loads(export.serialize(g, "jsonld"))["@context"]["id"] == "https://example.org/kg/"
    other = json.loads(export.serialize(g, "jsonld", base="https://other.example/"))
    assert other["@context"]["id"] == "https://other.example/"


def test_line_formats_are_sorted_within_each_graph_and_unique(sample: Dataset) -> None:
    nq = export.serialize(sample, "nq").splitlines()
    assert len(nq) == len(set(nq)) == len(quads(sample))
    by_graph: dict[bytes, list[bytes]] = {}
    for line in nq:
        by_graph.setdefault(line.rsplit(b" ", 2)[-2], []).append(line)
    assert list(by_graph) == sorted(by_graph)             # graphs in IRI order, each in one run
    assert all(lines == sorted(lines, key=line_key) for lines in by_graph.values())
    nt = export.serialize(sample, "nt").splitlines()
    assert len(nt) == len(set(nt)) == len(triples(sample))


def test_serialize_rejects_unknown_format(sample: Dataset) -> None:
    with pytest.raises(ConfigError, match="'rdfxml'"):
        export.serialize(sample, "rdfxml")


# --- determinism ------------------------------------------------------------------

@pytest.mark.parametrize("fmt", export.FORMATS)
def test_insertion_order_does_not_matter(sample: Dataset, fmt: str) -> None:
    outputs = {export.serialize(shuffled_copy(sample, seed), fmt) for seed in range(4)}
    assert len(outputs) == 1


_DIGEST_SCRIPT = """
import hashlib, random, sys
from rdflib import BNode, Dataset, Literal, URIRef
from kfor_kg.rdf import export
ds = export.read(sys.argv[1])
# blank nodes too: their labels are random in every process
b1, b2 = BNode(), BNode()
p = URIRef("http://example.org/p")
ds.graph(URIRef("http://example.org/g1")).add((b1, p, Literal("one")))
ds.graph(URIRef("http://example.org/g1")).add((b1, p, b2))
ds.graph(URIRef("http://example.org/g2")).add((b2, p, Literal("two")))
for fmt in export.FORMATS:
    print(fmt, hashlib.sha256(export.serialize(ds, fmt)).hexdigest())
"""


def test_output_is_identical_across_hash_seeds() -> None:
    digests = []
    for seed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        run = subprocess.run([sys.executable, "-c", _DIGEST_SCRIPT, str(SAMPLE)], env=env,
                             capture_output=True, text=True, check=True)
        digests.append(run.stdout)
    assert len(digests[0].splitlines()) == len(export.FORMATS)
    assert digests[0] == digests[1] == digests[2]


def test_blank_nodes_get_content_labels_shared_across_graphs() -> None:
    def build(order: int) -> Dataset:
        ds = Dataset()
        a, b = BNode(), BNode()
        p = URIRef("http://example.org/p")
        items = [(a, p, b, URIRef("http://example.org/g1")),
                 (b, p, Literal("x"), URIRef("http://example.org/g2")),
                 (a, p, Literal("y"), URIRef("http://example.org/g1"))]
        for s, pp, o, g in items[::order]:
            ds.graph(g).add((s, pp, o))
        return ds

    first, second = export.serialize(build(1), "nq"), export.serialize(build(-1), "nq")
    assert first == second
    labels = {tok for line in first.decode().splitlines() for tok in line.split() if tok.startswith("_:")}
    assert len(labels) == 2  # the node shared by g1 and g2 keeps one label
    back = Dataset()
    back.parse(data=first, format="nquads")
    assert len(quads(back)) == 3


# --- atomic writes ------------------------------------------------------------------

def test_write_replaces_an_existing_file_with_the_usual_mode(sample: Dataset, tmp_path: Path) -> None:
    target = tmp_path / "kfor.ttl"
    target.write_text("old")
    assert export.write(sample, target) == target
    assert target.read_bytes() == export.serialize(sample, "ttl")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kfor.ttl"]


def test_failed_write_leaves_the_old_file_and_no_temp_file(sample: Dataset, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "kfor.nq"
    target.write_text("old")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export.os, "replace", broken_replace)
    with pytest.raises(ConfigError, match="kfor.nq: No space left on device"):
        export.write(sample, target)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kfor.nq"]


def test_unknown_format_never_touches_the_file(sample: Dataset, tmp_path: Path) -> None:
    target = tmp_path / "kfor.rdf"
    target.write_text("old")
    with pytest.raises(ConfigError):
        export.write(sample, target)
    assert target.read_text() == "old"


def test_write_into_a_missing_directory_names_the_file(sample: Dataset, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "kfor.ttl"
    with pytest.raises(ConfigError, match="missing/kfor.ttl"):
        export.write(sample, target)


# --- reading errors ---------------------------------------------------------------------

def test_read_missing_file(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=r"nothere\.ttl: no such file"):
        export.read(tmp_path / "nothere.ttl")


@pytest.mark.parametrize(("name", "content"), [
    ("bad.ttl", "@prefix ex: <http://example.org/> .\nex:a ex:b \"unterminated .\n"),
    ("bad.nt", "<http://example.org/a> <http://example.org/b> .\n"),
    ("bad.jsonld", "{not json"),
    ("bad.trig", "<http://example.org/g> { <http://example.org/a> <http://example.org/b> "),
    ("bad.nq", "this is not n-quads\n"),
])
def test_read_invalid_file_is_one_line_naming_it(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(IngestError) as info:
        export.read(path)
    message = str(info.value)
    assert str(path) in message and "is not valid" in message
    assert "\n" not in message


def test_read_with_explicit_format(tmp_path: Path, sample: Dataset) -> None:
    path = tmp_path / "data.txt"
    path.write_bytes(export.serialize(sample, "nq"))
    assert quads(export.read(path, "nq")) == quads(sample)
