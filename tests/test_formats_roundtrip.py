"""Each example report made into a PDF, an HTML page and a Word file gives the facts,
entities and evidence of its plain text (issue 12).

The files are made once per module (tests/report_files.py): UN-style A4 PDFs with
an embedded TrueType font, page headers, job numbers and hyphenated line ends;
web pages with navigation and site chrome; DOCX files. Each format is built once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from kfor_kg.build import BuildOptions, BuildResult, build, example_reports
from kfor_kg.cli import cli
from kfor_kg.rdf.vocab import KFOR, OA, RDF
from kfor_kg.stores import query
from kfor_kg.text import ingest
from report_files import PdfLayout, make_docx, make_html, make_pdf
from seed_build import seeds

pytest.importorskip("reportlab")

EXAMPLES = sorted(example_reports().glob("*.txt"))
FORMATS = ("pdf", "html", "docx")


@dataclass
class Made:
    folder: Path
    layouts: dict[str, PdfLayout]  # PDF file name -> what was drawn on each page
    result: BuildResult


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Made]:
    root = tmp_path_factory.mktemp("formats")
    out: dict[str, Made] = {}
    for kind in FORMATS:
        folder = root / kind
        folder.mkdir()
        layouts: dict[str, PdfLayout] = {}
        for example in EXAMPLES:
            target = folder / f"{example.stem}.{kind}"
            if kind == "pdf":
                layouts[target.name] = make_pdf(example, target)
            elif kind == "html":
                make_html(example, target)
            else:
                make_docx(example, target)
        result = build([folder], BuildOptions())
        assert not result.errors, result.errors
        out[kind] = Made(folder, layouts, result)
    return out


def rows(result: BuildResult, name: str) -> list[list[str]]:
    return query.run(name, data=result.dataset).rows


@pytest.mark.parametrize("kind", FORMATS)
@pytest.mark.parametrize("name", ["signatories", "reports", "troop_strength", "entities", "incidents"])
def test_each_format_gives_the_rows_of_the_plain_text(made: dict[str, Made], kind: str, name: str) -> None:
    expected = rows(seeds(), name)
    assert expected, f"the plain-text build has no {name} rows"
    assert rows(made[kind].result, name) == expected


@pytest.mark.parametrize("kind", FORMATS)
def test_each_format_gives_the_documents_of_the_plain_text(made: dict[str, Made], kind: str) -> None:
    # All columns but the source file's name.
    def documents(result: BuildResult) -> list[list[str]]:
        return [r[:1] + r[2:] for r in rows(result, "documents")]

    assert documents(made[kind].result) == documents(seeds())
    assert len(made[kind].result.records) == len(EXAMPLES)


def _union(result: BuildResult) -> Graph:
    g = Graph()
    for s, p, o, _ in result.dataset.quads():
        g.add((s, p, o))
    return g


@dataclass
class Span:
    file: str
    start: int
    end: int
    exact: str
    page: int | None


def spans(result: BuildResult) -> list[Span]:
    g = _union(result)
    found = []
    for span in g.subjects(RDF.type, KFOR.TextSpan):
        source = g.value(span, OA.hasSource)
        selectors = list(g.objects(span, OA.hasSelector))
        position = next(s for s in selectors if (s, RDF.type, OA.TextPositionSelector) in g)
        quote = next(s for s in selectors if (s, RDF.type, OA.TextQuoteSelector) in g)
        page = g.value(span, KFOR.page)
        found.append(Span(str(g.value(source, KFOR.fileName)), int(g.value(position, OA.start)),
                          int(g.value(position, OA.end)), str(g.value(quote, OA.exact)),
                          int(page) if page is not None else None))
    return found


def printed_text(path: Path) -> str:
    """What `kfor-kg text FILE` prints."""
    result = CliRunner().invoke(cli, ["text", str(path)])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes.decode("utf-8")


@pytest.mark.parametrize("kind", FORMATS)
def test_every_span_quotes_the_text_that_kfor_kg_text_prints(made: dict[str, Made], kind: str) -> None:
    texts = {p.name: printed_text(p) for p in made[kind].folder.iterdir()}
    found = spans(made[kind].result)
    mentions = [s for s in found if s.exact.strip()]
    assert len(mentions) > 100
    for s in found:
        assert texts[s.file][s.start:s.end] == s.exact, s


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def test_pdf_spans_name_the_page_their_words_are_printed_on(made: dict[str, Made]) -> None:
    pdf = made["pdf"]
    found = spans(pdf.result)
    assert all(s.page is not None for s in found)
    assert {s.page for s in found} >= {1, 2}
    for s in found:
        printed = pdf.layouts[s.file].pages[s.page - 1]  # type: ignore[operator]
        first = _words(s.exact)[0]
        page_words = _words(re.sub(r"(\w)-\n(?=[a-z])", r"\1", "\n".join(printed)))
        assert first in page_words, (s, printed[:2])


def test_html_and_docx_spans_have_no_page(made: dict[str, Made]) -> None:
    for kind in ("html", "docx"):
        assert all(s.page is None for s in spans(made[kind].result))


def test_the_pdfs_look_like_un_documents(made: dict[str, Made]) -> None:
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    for name, layout in made["pdf"].layouts.items():
        path = made["pdf"].folder / name
        assert len(layout.pages) >= 2
        data = path.read_bytes()
        assert b"/FontFile2" in data  # an embedded TrueType font
        pdf = pdfium.PdfDocument(data)
        width, height = pdf[0].get_size()
        assert (round(width), round(height)) == (595, 842)  # A4
        source = ingest.read_source(path)
        assert len(source.pages) == len(layout.pages)
        page2 = source.original[source.pages[1]:]
        assert layout.job_number in page2
        if layout.symbol:
            assert layout.symbol in page2
        assert re.search(r"\w-\n\w", source.original)  # a word hyphenated at a line end
        pdf.close()


def test_non_latin1_names_come_through_the_pdf_font(made: dict[str, Made]) -> None:
    text = ingest.read_source(made["pdf"].folder / "kfor_2025-Q1_guterres.pdf").original
    assert "António Guterres" in text
    assert "Dečani" in text


def test_site_chrome_never_becomes_text(made: dict[str, Made]) -> None:
    for path in made["html"].folder.iterdir():
        text = printed_text(path)
        for chrome in ("Home", "Related documents", "Vladimir Putin", "cookies", "dataLayer", "Privacy",
                       "<", "&amp;"):
            assert chrome not in text, (path.name, chrome)


def test_the_entities_of_a_web_page_are_those_of_its_report(made: dict[str, Made]) -> None:
    labels = {r[2] for r in rows(made["html"].result, "entities")}
    assert "Vladimir Putin" not in labels and "Documents & Archives" not in labels
    assert not any("<" in label or "DOCTYPE" in label for label in labels)


def test_a_document_iri_does_not_depend_on_the_format(made: dict[str, Made]) -> None:
    keys = {kind: sorted(r.key for r in m.result.records) for kind, m in made.items()}
    text_keys = sorted(r.key for r in seeds().records)
    assert all(k == text_keys for k in keys.values())


def test_a_mixed_folder_builds_every_supported_file_and_names_the_rest(
        made: dict[str, Made], tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    stems = [e.stem for e in EXAMPLES]
    for kind, stem in zip(FORMATS, stems):
        name = f"{stem}.{kind}"
        (folder / name).write_bytes((made[kind].folder / name).read_bytes())
    (folder / f"{stems[3]}.txt").write_bytes(EXAMPLES[3].read_bytes())
    (folder / "table.xlsx").write_bytes(b"PK\x03\x04 not really")
    (folder / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    found = ingest.discover([folder])
    assert [p.suffix for p in found.files] == [".pdf", ".html", ".docx", ".txt"]
    assert found.summary() == "skipped 2 files of unsupported type: .png, .xlsx"
    result = build([folder], BuildOptions(entities=False))
    assert not result.errors
    expected = {r.key for r in seeds().records if r.clean.source.path.stem in stems[:4]}
    assert {r.key for r in result.records} == expected



def test_the_un_masthead_of_a_pdf_gives_the_symbol(tmp_path: Path) -> None:
    from kfor_kg.extract import facts

    example = example_reports() / "kfor_2017-Q3_guterres.txt"
    path = tmp_path / "S_2017_911.pdf"
    make_pdf(example, path, masthead_symbol="S/2017/911")
    record = facts.extract(ingest.load(path))
    plain = facts.extract(ingest.load(example))
    assert plain.symbol is None and record.symbol == "S/2017/911"
    assert "\nUnited Nations S/2017/911\n" in record.clean.source.original  # one baseline, one line
    assert (record.issued, record.original_language) == (plain.issued, plain.original_language)
    def letters(r: facts.DocumentRecord) -> list[tuple[object, ...]]:
        return [(x.kind, x.date, x.signatory and (x.signatory.name, x.signatory.office)) for x in r.letters]

    assert letters(record) == letters(plain)


def test_build_names_the_unsupported_files_and_keeps_the_output_when_nothing_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "table.xlsx").write_bytes(b"PK\x03\x04")
    (folder / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    out = tmp_path / "kfor.ttl"
    out.write_text("# the previous graph\n", encoding="utf-8")
    run = CliRunner().invoke(cli, ["build", str(folder), "-o", str(out), "--no-entities", "-q"])
    assert run.exit_code == 3
    assert "skipped 2 files of unsupported type: .png, .xlsx" in run.stderr
    assert out.read_text(encoding="utf-8") == "# the previous graph\n"
    (folder / EXAMPLES[0].name).write_bytes(EXAMPLES[0].read_bytes())
    run = CliRunner().invoke(cli, ["build", str(folder), "-o", str(out), "--no-entities", "-q", "--no-cache"])
    assert run.exit_code == 0, run.stderr
    assert run.stderr.count("skipped 2 files of unsupported type") == 1


def _header_facts(record: object) -> tuple[object, ...]:
    r = record  # a DocumentRecord
    report = r.report  # type: ignore[attr-defined]
    return (r.key, r.symbol, r.issued, r.original_language,  # type: ignore[attr-defined]
            [(x.kind, x.date, x.signatory and x.signatory.name) for x in r.letters],  # type: ignore[attr-defined]
            report and (report.period and (report.period.start, report.period.end),
                        report.troop_strength and report.troop_strength.troops,
                        [(i.category, i.count) for i in report.incidents]))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_a_pdf_without_paragraph_spacing_gives_the_same_header_facts(example: Path, tmp_path: Path) -> None:
    from kfor_kg.extract import facts

    path = tmp_path / f"{example.stem}.pdf"
    make_pdf(example, path, paragraph_gap=0)  # paragraphs told apart by their words only
    assert _header_facts(facts.extract(ingest.load(path))) == _header_facts(facts.extract(ingest.load(example)))
