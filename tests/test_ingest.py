"""Ingestion: each quirk of report texts as they come, and the offset map back to the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kfor_kg.errors import IngestError
from kfor_kg.text.ingest import SourceText, clean, load, read_source


def cleaned(text: str) -> str:
    return clean(SourceText(Path("t.txt"), text, "0" * 64)).text


def test_markdown_bold_and_emphasis_are_removed() -> None:
    assert cleaned("*(Signed)* António **Guterres**") == "(Signed) António Guterres"


def test_bold_run_glued_to_a_word_starts_a_new_line() -> None:
    assert cleaned("**Enclosure****Report to the United Nations**").split("\n") == [
        "Enclosure", "Report to the United Nations"]


def test_escaped_markdown_links_keep_their_text() -> None:
    assert cleaned("resolution [1244 \\(1999\\)](#), I have") == "resolution 1244 (1999), I have"


def test_headings_markers_are_removed() -> None:
    assert cleaned("## **Annex**\n\n#### Summary") == "Annex\nSummary"


def test_page_headers_job_numbers_and_page_numbers_are_removed_but_kept_aside() -> None:
    text = "the first part of a\nsentence\n\nS/2007/652\n\n07-58315 4\n\n3\n\ncontinues here."
    result = clean(SourceText(Path("t.txt"), text, "0" * 64))
    assert "S/2007/652" not in result.text and "07-58315" not in result.text
    assert [f.kind for f in result.furniture] == ["symbol", "job-number", "page-number"]
    symbol = result.furniture[0]
    assert text[symbol.start:symbol.end] == "S/2007/652"


def test_hyphenated_line_breaks_are_joined() -> None:
    assert cleaned("the opera-\ntions of the non-\nNATO forces") == "the operations of the non-NATO forces"


def test_hyphen_of_a_prefix_is_kept_across_lines() -> None:
    assert cleaned("non-\nmember states") == "non-member states"


def test_hard_wrapped_lines_are_unwrapped_but_paragraphs_kept() -> None:
    text = "1. This report covers the period from 1 to\n30 September 2007.\n\n2. As at 30 September 2007, the total"
    assert cleaned(text).split("\n") == [
        "1. This report covers the period from 1 to 30 September 2007.",
        "2. As at 30 September 2007, the total"]


def test_numbered_paragraphs_and_signatures_start_new_lines() -> None:
    text = "could bring this report to the members.\n(Signed) Kofi A. Annan\n1. Over the period"
    assert cleaned(text).split("\n") == [
        "could bring this report to the members.", "(Signed) Kofi A. Annan", "1. Over the period"]


def test_runs_of_spaces_collapse() -> None:
    assert cleaned("  Pursuant  to \t Security   Council  ") == "Pursuant to Security Council"


def test_mojibake_is_repaired() -> None:
    assert cleaned("AntÃ³nio Guterres") == "António Guterres"


def test_crlf_line_endings() -> None:
    assert cleaned("Security Council\r\n\r\nDistr.: General") == "Security Council\nDistr.: General"


def test_offsets_map_back_to_the_original() -> None:
    original = "*(Signed)* António **Guterres**\n\n   Jaap de Hoop\nScheffer"
    result = clean(SourceText(Path("t.txt"), original, "0" * 64))
    start = result.text.index("António Guterres")
    a, b = result.original_span(start, start + len("António Guterres"))
    assert original[a:b] == "António **Guterres"
    start = result.text.index("Jaap de Hoop Scheffer")
    a, b = result.original_span(start, start + len("Jaap de Hoop Scheffer"))
    assert original[a:b] == "Jaap de Hoop\nScheffer"
    # And back: an original offset to the cleaned character that holds it.
    assert result.clean_offset(a) == start and result.clean_offset(original.index("Scheffer")) == \
        result.text.index("Scheffer")
    # Removed markup maps to the cleaned character before it (here the space).
    assert result.clean_offset(original.index("**Guterres") + 1) == result.text.index("Guterres") - 1


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab Z9*#\\[]()-\n\r\t\f.S/0ÃƒÂ³é")), max_size=200))
def test_cleaning_odd_text_never_breaks_the_offset_map(text: str) -> None:
    result = clean(SourceText(Path("t.txt"), text, "0" * 64))
    assert len(result.starts) == len(result.ends) == len(result.text)
    for i, char in enumerate(result.text):
        a, b = result.original_span(i, i + 1)
        assert 0 <= a < b <= len(text)
        if char not in " \n":
            assert char in text[a:b] or len(text[a:b]) > 1


@pytest.mark.parametrize("footer", ["17-19063 3/4", "2/4 17-19063", "17-19063 (E) 011117 *1719063*"])
def test_un_page_footers_are_furniture(footer: str) -> None:
    result = clean(SourceText(Path("t.pdf"), f"the security\n\f{footer}\n\nsituation", "0" * 64, "pdf"))
    assert result.text == "the security situation"
    assert [f.text for f in result.furniture] == [footer]


def test_a_page_break_joins_a_paragraph_but_keeps_the_next_numbered_one() -> None:
    assert cleaned("the situation in the\n\n07-58315\n\fS/2007/652\n\nnorth remained calm.") == \
        "the situation in the north remained calm."
    assert cleaned("remained calm.\n\n3\n\f\n5. KFOR continued").split("\n") == ["remained calm.", "5. KFOR continued"]


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("  \n")
    with pytest.raises(IngestError, match="empty.txt: the file is empty"):
        read_source(path)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(IngestError, match="image.txt: a PNG image, not a report text"):
        read_source(path)
    path.write_bytes(b"\x01\x02\x00\x00\x07" * 20)
    with pytest.raises(IngestError, match="image.txt: binary file, not a report text"):
        read_source(path)


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Letter dated 5 November 2007 — Thaçi".encode("cp1252"))
    with pytest.raises(IngestError, match="latin1.txt: not UTF-8 text"):
        read_source(path)


def test_original_is_read_without_newline_translation(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"Kosovo\r\nForce")
    assert load(path).source.original == "Kosovo\r\nForce"
