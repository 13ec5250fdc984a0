"""The parts, paragraphs, headings and labels of a document, as other stages use them."""

from __future__ import annotations

from pathlib import Path

from kfor_kg.text.ingest import SourceText, clean, load
from kfor_kg.text.structure import split

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "reports"


def test_paragraph_at_an_offset_of_a_seed() -> None:
    clean = load(EXAMPLES / "kfor_2020-Q4_guterres.txt")
    structure = split(clean)
    at = clean.text.index("As at 31 December 2020")
    paragraph = structure.paragraph_at(at)
    assert paragraph is not None and paragraph.number == 2
    assert paragraph.section == "Report to the United Nations on Kosovo Force operations"
    assert clean.text[paragraph.start:paragraph.end].startswith("2. As at 31 December 2020")
    assert structure.paragraph_at(paragraph.start) == paragraph
    # The end of a paragraph, the covering letter and a heading are in no numbered paragraph.
    assert structure.paragraph_at(paragraph.end) is None
    assert structure.paragraph_at(clean.text.index("I have the honour")) is None
    assert structure.paragraph_at(clean.text.index("Security situation update")) is None
    numbers = [structure.paragraph_at(p.start).number for p in structure.paragraphs if p.number]  # type: ignore[union-attr]
    assert numbers == list(range(1, 10))


def test_headings_masthead_and_labels_of_a_seed() -> None:
    clean = load(EXAMPLES / "kfor_2020-Q4_guterres.txt")
    structure = split(clean)
    headings = [clean.text[a:b] for a, b in structure.heading_spans()]
    assert headings == ["Report to the United Nations on Kosovo Force operations",
                        "Security situation update and operations", "Summary"]
    masthead = structure.masthead_span()
    assert masthead is not None and clean.text[slice(*masthead)].startswith("Security Council\nDistr.: General")
    spans = structure.non_prose_spans()
    assert [clean.text[a:b] for a, b in spans[1:3]] == ["Annex", "Enclosure"]
    assert spans[0] == masthead          # "Original: English" is inside the masthead
    assert all(a < b <= c for (a, b), (c, _) in zip(spans, spans[1:]))


def test_a_text_without_report_has_no_paragraphs() -> None:
    structure = split(clean(SourceText(Path("t.txt"), "Letter dated 1 May 2019 from the Secretary-General", "0" * 64)))
    assert structure.paragraph_at(5) is None and structure.heading_spans() == []
