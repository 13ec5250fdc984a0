"""Tests for kfor_kg.rdf.validate: pySHACL results attributed to documents, and the report."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyshacl
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from kfor_kg.rdf import export
from kfor_kg.rdf import validate as validation
from kfor_kg.errors import ConfigError, ShapeLoadError
from kfor_kg.rdf.vocab import DEFAULT_BASE, KFOR, OA
from kfor_kg.resources import resource_dir

DATA = Path(__file__).parent / "data" / "io"
ID = DEFAULT_BASE
DOC = URIRef(ID + "doc/S-2008-638")
DOC_2016 = URIRef(ID + "doc/S-2016-666")


def node(path: str) -> URIRef:
    return URIRef(ID + path)


@pytest.fixture()
def sample() -> Dataset:
    return export.read(DATA / "sample.trig")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(DATA / "shapes-mini.ttl")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(DATA / "ontology-mini.ttl")


def break_sample(ds: Dataset) -> None:
    """Four violations in two documents and one in the shared graph, plus a warning."""
    g2008 = ds.graph(node("doc/S-2008-638/graph"))
    g2008.remove((node("doc/S-2008-638/report/troop-strength"), KFOR.troops, None))
    g2008.set((DOC, DCTERMS.identifier, Literal("S/2008/638 bis")))
    g2008.add((node("doc/S-2008-638/span/410-430/position"), OA.start, Literal(5)))
    ds.graph(node("doc/S-2016-666/graph")).add(
        (node("doc/S-2016-666/letter"), KFOR.signatory, node("person/nobody")))
    ds.graph(node("graph/shared")).add((node("person/ban-ki-moon"), SKOS.prefLabel, Literal("Ban")))


def test_sample_conforms(sample: Dataset, shapes: Graph, ontology: Graph) -> None:
    outcome = validation.validate(sample, shapes, ontology)
    assert outcome.conforms
    assert outcome.results == []
    assert validation.format_report(outcome) == "The graph conforms to the shapes."


def test_results_name_document_node_path_and_problem(sample: Dataset, shapes: Graph,
                                                     ontology: Graph) -> None:
    break_sample(sample)
    outcome = validation.validate(sample, shapes, ontology)
    assert not outcome.conforms
    found = {(r.document, r.focus_node, r.path, r.severity, r.component, r.value)
             for r in outcome.results}
    assert found == {
        (DOC, DOC, "dcterms:identifier", "Violation", "sh:PatternConstraintComponent",
         Literal("S/2008/638 bis")),
        (DOC, node("doc/S-2008-638/report/troop-strength"), "kfor:troops", "Violation",
         "sh:MinCountConstraintComponent", None),
        (DOC, node("doc/S-2008-638/span/410-430"), "(oa:hasSelector/oa:start)", "Warning",
         "sh:MaxCountConstraintComponent", None),
        (DOC_2016, node("doc/S-2016-666/letter"), "kfor:signatory", "Violation",
         "sh:MaxCountConstraintComponent", None),
        (DOC_2016, node("doc/S-2016-666/letter"), "kfor:signatory", "Violation",
         "sh:ClassConstraintComponent", node("person/nobody")),
        (None, node("person/ban-ki-moon"), "skos:prefLabel", "Violation",
         "sh:MaxCountConstraintComponent", None),
    }
    pattern = next(r for r in outcome.results if r.component == "sh:PatternConstraintComponent")
    assert pattern.message == "the UN symbol must look like S/YYYY/N"
    # sorted: documents in IRI order, shared nodes last
    assert [r.document for r in outcome.results] == [DOC] * 3 + [DOC_2016] * 2 + [None]


def test_report_groups_by_document_then_node(sample: Dataset, shapes: Graph, ontology: Graph) -> None:
    break_sample(sample)
    report = validation.format_report(validation.validate(sample, shapes, ontology))
    lines = report.splitlines()
    assert lines[0] == ("The graph does not conform to the shapes: 5 violations, 1 warning "
                        "in 2 documents and the shared nodes.")
    assert lines.index("Document id:doc/S-2008-638") < lines.index("Document id:doc/S-2016-666") \
        < lines.index("Shared nodes (no document)")
    block = lines[lines.index("  id:doc/S-2008-638/report/troop-strength"):]
    assert block[1] == "    Violation: kfor:troops: Less than 1 values"
    assert "    Violation: kfor:signatory: Value does not have class kfor:Person" in lines
    assert "      value: id:person/nobody" in lines
    assert "    Warning: (oa:hasSelector/oa:start): More than 1 values" in lines


def test_subclass_targets_need_the_ontology(sample: Dataset, shapes: Graph, ontology: Graph) -> None:
    """model.md promises only the kfor: class; the shape targets its superclass kfor:Letter."""
    g2008 = sample.graph(node("doc/S-2008-638/graph"))
    g2008.remove((node("doc/S-2008-638/letter"), DCTERMS.isPartOf, None))
    g2008.remove((node("doc/S-2008-638/letter"), RDF.type, KFOR.Letter))
    without = validation.validate(sample, shapes, Graph())
    with_ontology = validation.validate(sample, shapes, ontology)
    assert without.conforms
    assert [(r.focus_node, r.path) for r in with_ontology.results] == [
        (node("doc/S-2008-638/letter"), "dcterms:isPartOf")]


def test_warnings_alone_conform(sample: Dataset, shapes: Graph, ontology: Graph) -> None:
    sample.graph(node("doc/S-2008-638/graph")).add(
        (node("doc/S-2008-638/span/410-430/position"), OA.start, Literal(5)))
    outcome = validation.validate(sample, shapes, ontology)
    assert outcome.conforms
    assert [r.severity for r in outcome.results] == ["Warning"]
    assert validation.format_report(outcome).startswith(
        "The graph conforms to the shapes. (1 warning in 1 document)")


def test_plain_graph_and_document_found_by_link_or_iri(shapes: Graph) -> None:
    data = Graph().parse(data="""
        @prefix kfor: <https://w3id.org/kfor-kg/ontology#> .
        @prefix dcterms: <http://purl.org/dc/terms/> .
        <https://example.org/kg/doc/A> a kfor:Document ; kfor:sourceFile "a.txt" .
        <https://example.org/elsewhere/ts1> a kfor:TroopStrength ;
            kfor:inDocument <https://example.org/kg/doc/A> .
        <https://example.org/kg/doc/B/report/troop-strength> a kfor:TroopStrength .
        <https://example.org/kg/person/x> a kfor:TroopStrength .
    """, format="turtle")
    outcome = validation.validate(data, shapes, Graph())
    documents = {str(r.focus_node): r.document for r in outcome.results}
    assert documents == {
        "https://example.org/elsewhere/ts1": URIRef("https://example.org/kg/doc/A"),
        "https://example.org/kg/doc/B/report/troop-strength": URIRef("https://example.org/kg/doc/B"),
        "https://example.org/kg/person/x": None,
    }


def test_inverse_and_alternative_paths_are_rendered() -> None:
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix kfor: <https://w3id.org/kfor-kg/ontology#> .
        @prefix dcterms: <http://purl.org/dc/terms/> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <urn:s> a sh:NodeShape ; sh:targetClass kfor:Document ;
            sh:property [ sh:path [ sh:inversePath dcterms:isPartOf ] ; sh:minCount 9 ] ;
            sh:property [ sh:path [ sh:alternativePath ( skos:prefLabel [ sh:oneOrMorePath skos:altLabel ] ) ] ;
                          sh:minCount 1 ] .
    """, format="turtle")
    data = Graph().parse(data="""<https://w3id.org/kfor-kg/id/doc/X>
        a <https://w3id.org/kfor-kg/ontology#Document> .""", format="turtle")
    outcome = validation.validate(data, shapes, Graph())
    assert sorted(r.path for r in outcome.results) == ["(skos:prefLabel|skos:altLabel+)",
                                                       "^dcterms:isPartOf"]


def test_unusable_shapes_raise_shape_load_error(sample: Dataset) -> None:
    sample.add((URIRef("urn:x"), RDF.type, URIRef("urn:c")))  # pySHACL checks constraints it uses
    bad = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:s> a sh:NodeShape ; sh:targetClass <urn:c> ;
            sh:property [ sh:path <urn:p> ; sh:minCount "x" ] .""", format="turtle")
    with pytest.raises(ShapeLoadError, match="pySHACL cannot use the shapes: .*minCount") as info:
        validation.validate(sample, bad, Graph())
    assert "\n" not in str(info.value)


# --- the shipped shapes and ontology -------------------------------------------

@pytest.fixture()
def resources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point resource_dir at a temporary installation holding the fixture shapes."""
    (tmp_path / "shapes").mkdir()
    (tmp_path / "ontology").mkdir()
    shutil.copy(DATA / "shapes-mini.ttl", tmp_path / "shapes" / "kfor-shapes.ttl")
    shutil.copy(DATA / "ontology-mini.ttl", tmp_path / "ontology" / "kfor.ttl")

    def fake_resource_dir(name: str) -> Path:
        if not (tmp_path / name).is_dir():
            raise ConfigError(f"kfor-kg's {name!r} folder is missing from the installation")
        return tmp_path / name

    monkeypatch.setattr(validation, "resource_dir", fake_resource_dir)
    return tmp_path


def test_defaults_use_the_installed_shapes_and_ontology(resources: Path, sample: Dataset) -> None:
    sample.graph(node("doc/S-2008-638/graph")).remove(
        (node("doc/S-2008-638/letter"), DCTERMS.isPartOf, None))
    outcome = validation.validate(sample)
    assert [(r.focus_node, r.path) for r in outcome.results] == [
        (node("doc/S-2008-638/letter"), "dcterms:isPartOf")]


def test_edited_shapes_are_reloaded(resources: Path) -> None:
    before = len(validation.load_shapes())
    with open(resources / "shapes" / "extra.ttl", "w") as f:
        f.write("<urn:s> a <http://www.w3.org/ns/shacl#NodeShape> .\n")
    assert len(validation.load_shapes()) == before + 1


def test_missing_or_empty_shapes_folder(resources: Path) -> None:
    for path in (resources / "shapes").iterdir():
        path.unlink()
    with pytest.raises(ShapeLoadError, match="no SHACL shapes"):
        validation.load_shapes()
    (resources / "shapes").rmdir()
    with pytest.raises(ShapeLoadError, match="'shapes' folder is missing"):
        validation.validate(Graph())


def test_broken_shapes_file_is_named(resources: Path) -> None:
    (resources / "ontology" / "broken.ttl").write_text("kfor:Letter a owl:Class .\n")
    with pytest.raises(ShapeLoadError, match=r"ontology/broken\.ttl is not valid Turtle"):
        validation.load_ontology()


def _meta_shacl_params() -> list:
    files = [DATA / "shapes-mini.ttl"]
    try:
        files += sorted(resource_dir("shapes").glob("*.ttl"))
    except ConfigError:
        pass
    return [pytest.param(path, id=path.name) for path in files]


@pytest.mark.parametrize("path", _meta_shacl_params())
def test_shapes_files_are_valid_shacl(path: Path) -> None:
    """Each shapes file conforms to SHACL-SHACL; the project's own files are checked once they exist."""
    shapes = Graph().parse(path, format="turtle")
    try:
        conforms, _report, text = pyshacl.validate(Graph(), shacl_graph=shapes, meta_shacl=True)
    except pyshacl.errors.ReportableRuntimeError as exc:
        pytest.fail(f"{path} does not conform to SHACL-SHACL:\n{exc.message}")
    assert conforms, text


def test_sample_conforms_to_the_shipped_shapes() -> None:
    """The fixture follows docs/model.md, so the project's real shapes must accept it."""
    try:
        shapes = validation.load_shapes()
    except ShapeLoadError as exc:
        pytest.skip(f"no shipped shapes yet: {exc}")
    outcome = validation.validate(export.read(DATA / "sample.trig"), shapes)
    assert outcome.conforms, validation.format_report(outcome)


# --- the command line -----------------------------------------------------------

def test_cli_validate_exit_codes(resources: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kfor_kg.cli import cli

    runner = CliRunner()
    good = runner.invoke(cli, ["validate", str(DATA / "sample.trig")])
    assert (good.exit_code, good.output) == (0, "The graph conforms to the shapes.\n")

    broken = export.read(DATA / "sample.trig")
    break_sample(broken)
    path = export.write(broken, tmp_path / "broken.nq")
    bad = runner.invoke(cli, ["validate", str(path)])
    assert bad.exit_code == 1
    assert bad.output.startswith("The graph does not conform to the shapes: 5 violations")
    assert "Document id:doc/S-2016-666\n  id:doc/S-2016-666/letter\n" in bad.output

    quiet = runner.invoke(cli, ["validate", "--quiet", str(path)])
    assert (quiet.exit_code, quiet.output) == (1, "")

    explicit = runner.invoke(cli, ["validate", "--format", "nq", str(path.rename(tmp_path / "data.txt"))])
    assert explicit.exit_code == 1

    missing = runner.invoke(cli, ["validate", str(tmp_path / "nothere.ttl")])
    assert missing.exit_code == 3
    assert missing.output == f"Error: [K002] cannot read {tmp_path / 'nothere.ttl'}: no such file\n"

    (tmp_path / "junk.ttl").write_text("this is not turtle")
    junk = runner.invoke(cli, ["validate", str(tmp_path / "junk.ttl")])
    assert junk.exit_code == 3
    assert junk.output.startswith(f"Error: [K002] {tmp_path / 'junk.ttl'} is not valid turtle: ")
    assert junk.output.count("\n") == 1


def test_report_of_shared_nodes_only(sample: Dataset, shapes: Graph, ontology: Graph) -> None:
    sample.graph(node("graph/shared")).add((node("person/ban-ki-moon"), SKOS.prefLabel, Literal("Ban")))
    report = validation.format_report(validation.validate(sample, shapes, ontology))
    assert report.splitlines()[:4] == [
        "The graph does not conform to the shapes: 1 violation in the shared nodes.",
        "",
        "Shared nodes (no document)",
        "  id:person/ban-ki-moon",
    ]


# --- the shipped shapes: paragraphs and text positions ----------------------------

SPAN = node("doc/S-2008-638/span/410-430")


def test_shipped_shapes_accept_a_span_in_a_numbered_paragraph(sample: Dataset) -> None:
    g = sample.graph(node("doc/S-2008-638/graph"))
    paragraph = node("doc/S-2008-638/paragraph/4")
    g.add((SPAN, KFOR.inParagraph, paragraph))
    g.add((paragraph, RDF.type, KFOR.Paragraph))
    g.add((paragraph, KFOR.paragraphNumber, Literal(4)))
    g.add((paragraph, KFOR.inDocument, DOC))
    outcome = validation.validate(sample)
    assert outcome.conforms, validation.format_report(outcome)


def test_shipped_shapes_refuse_a_paragraph_without_number_or_two_for_one_span(sample: Dataset) -> None:
    g = sample.graph(node("doc/S-2008-638/graph"))
    for number in (4, 5):
        paragraph = node(f"doc/S-2008-638/paragraph/{number}")
        g.add((SPAN, KFOR.inParagraph, paragraph))
        g.add((paragraph, RDF.type, KFOR.Paragraph))
        g.add((paragraph, KFOR.inDocument, DOC))
    g.add((node("doc/S-2008-638/paragraph/5"), KFOR.paragraphNumber, Literal(0)))
    outcome = validation.validate(sample)
    assert not outcome.conforms
    found = {(r.focus_node, r.path) for r in outcome.results if r.severity == "Violation"}
    assert found == {(SPAN, "kfor:inParagraph"),
                     (node("doc/S-2008-638/paragraph/4"), "kfor:paragraphNumber"),
                     (node("doc/S-2008-638/paragraph/5"), "kfor:paragraphNumber")}


_XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize("datatype, conforms", [
    (URIRef(_XSD + "nonNegativeInteger"), True), (URIRef(_XSD + "integer"), True),
    (URIRef(_XSD + "decimal"), False), (URIRef(_XSD + "string"), False),
])
def test_shipped_shapes_take_offsets_as_non_negative_or_plain_integers(
        sample: Dataset, datatype: URIRef, conforms: bool) -> None:
    """Oxigraph 0.5 gives every integer back as xsd:integer: such a graph still conforms."""
    g = sample.graph(node("doc/S-2008-638/graph"))
    position = node("doc/S-2008-638/span/410-430/position")
    g.remove((position, OA.start, None))
    g.remove((position, OA.end, None))
    g.add((position, OA.start, Literal("410", datatype=datatype)))
    g.add((position, OA.end, Literal("430", datatype=datatype)))
    assert validation.validate(sample).conforms is conforms


def test_shipped_shapes_refuse_a_negative_offset(sample: Dataset) -> None:
    g = sample.graph(node("doc/S-2008-638/graph"))
    position = node("doc/S-2008-638/span/410-430/position")
    g.remove((position, OA.start, None))
    g.add((position, OA.start, Literal(-1)))
    outcome = validation.validate(sample)
    assert [(r.focus_node, r.path) for r in outcome.results if r.severity == "Violation"] == \
        [(position, "oa:start")]


# --- the Rust pre-check (issue 11) ---------------------------------------------------------

def _result_keys(outcome: validation.ValidationOutcome) -> list[tuple[str, str, str]]:
    return sorted((str(r.focus_node), r.component or "", r.severity) for r in outcome.results)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_rust_pre_check_agrees_with_pyshacl(seed: int) -> None:
    """Only "no result at all" is taken from the `shacl` package; anything else goes to pySHACL."""
    import random

    from kfor_kg.build import BuildOptions, build_document, example_reports

    report = sorted(example_reports().glob("*.txt"))[seed]
    built = build_document(report, BuildOptions(entities=False))
    lines = (built.own + built.other).splitlines(keepends=True)
    assert validation.fast_conforms(b"".join(lines))
    rnd = random.Random(seed)
    broken = b"".join(line for line in lines if rnd.random() > 0.1)
    data = Dataset()
    data.parse(data=broken, format="nquads")
    slow = validation.validate(data)   # the pre-check fails, so pySHACL reports
    assert not slow.conforms and slow.results
    assert not validation.fast_conforms(broken)
    assert _result_keys(validation.validate(data, nquads=broken)) == _result_keys(slow)
    assert _result_keys(slow) == _result_keys(validation.validate(data, validation.load_shapes(),
                                                                  validation.load_ontology()))
