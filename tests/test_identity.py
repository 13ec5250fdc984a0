"""Document identity and what is a report (issue 9 items 4, 6, 7; issue 13 cases 3 and 15)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kfor_kg.build import BuildOptions, build
from kfor_kg.errors import ExtractionError
from kfor_kg.extract import facts
from kfor_kg.stores import query
from kfor_kg.text import ingest

DATA = Path(__file__).resolve().parent / "data"
NEWS = DATA / "odd" / "news_article_kosovo.txt"

UNDATED = """Monthly report to the United Nations on the operations of the Kosovo Force

1. There were approximately {troops} KFOR troops deployed in the theatre.

2. The situation in Kosovo remained calm.
"""

REPORT = """United Nations S/2004/{number}
Security Council Distr.: General 5 May 2004
Original: English

Letter dated 4 May 2004 from the Secretary-General addressed to the President of the Security Council

Further to my letter of 2 March 2004 (S/2004/179), I have the honour to transmit the report on the
international security presence in Kosovo covering the period from 1 to 31 March 2004 (see annex).

(Signed) Kofi A. Annan

Annex

Monthly report to the United Nations on Kosovo Force operations

1. Over the reporting period, there were some {troops} KFOR troops deployed in the theatre.
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def rows(result_dataset: object, name: str) -> list[dict[str, str]]:
    result = query.run(name, data=result_dataset)
    return [dict(zip(result.columns, row)) for row in result.rows]


def test_documents_without_any_date_sort_last_by_iri(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    write(folder, "zeta.txt", UNDATED.format(troops="17,000"))
    write(folder, "alpha.txt", UNDATED.format(troops="18,000"))
    write(folder, "dated.txt", REPORT.format(number="300", troops="18,500"))
    result = build([folder], BuildOptions(entities=False))
    assert not result.errors
    docs = rows(result.dataset, "documents")
    assert [d["doc"].rsplit("/", 1)[-1] for d in docs] == ["S-2004-300", "alpha", "zeta"]
    assert len(rows(result.dataset, "reports")) == 3
    assert len(rows(result.dataset, "troop_strength")) == 3


def test_the_own_symbol_comes_from_the_masthead_a_cited_one_is_a_reference(tmp_path: Path) -> None:
    record = facts.extract(ingest.load(write(tmp_path, "r.txt", REPORT.format(number="300", troops="18,500"))))
    assert record.symbol == "S/2004/300" and record.key == "S-2004-300"
    assert record.references == ["S/2004/179"]


def test_a_cited_symbol_never_becomes_the_identity(tmp_path: Path) -> None:
    text = REPORT.format(number="300", troops="18,500").replace("United Nations S/2004/300\n", "")
    record = facts.extract(ingest.load(write(tmp_path, "r.txt", text)))
    assert record.symbol is None and record.references == ["S/2004/179"]
    assert record.key == "letter-2004-05-04"


def test_two_texts_claiming_one_symbol_the_second_is_refused_naming_both(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    first = write(folder, "a.txt", REPORT.format(number="300", troops="18,500"))
    second = write(folder, "b.txt", REPORT.format(number="300", troops="19,000"))
    result = build([folder], BuildOptions(entities=False))
    assert result.documents == 1
    assert len(result.errors) == 1
    message = result.errors[0].message
    assert str(second) in message and str(first) in message and "S-2004-300" in message
    troops = rows(result.dataset, "troop_strength")
    assert [r["troops"] for r in troops] == ["18500"]        # the first file's facts, not merged


def test_an_identical_copy_is_a_quiet_duplicate(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    write(folder, "a.txt", REPORT.format(number="300", troops="18,500"))
    write(folder, "copy.txt", REPORT.format(number="300", troops="18,500"))
    result = build([folder], BuildOptions(entities=False))
    assert result.documents == 1 and result.errors == []


def test_a_news_article_mentioning_kosovo_is_not_a_report() -> None:
    with pytest.raises(ExtractionError, match="news_article_kosovo.txt: not a report"):
        facts.extract(ingest.load(NEWS))


def test_a_cut_off_report_is_still_a_report(tmp_path: Path) -> None:
    text = REPORT.format(number="301", troops="18,500")
    cut = text[:text.index("(Signed)")]          # the letter only, cut before its signature
    record = facts.extract(ingest.load(write(tmp_path, "cut.txt", cut)))
    assert record.symbol == "S/2004/301" and record.letter("covering") is not None


# The genre a sibling excerpt's file name gives ("02_sfor_...", "16_other-frcar_..."): its force and area.
SIBLING_FORCES = {"sfor": ("sfor", "bosnia-and-herzegovina"),
                  "other-sangaris": ("sangaris", "central-african-republic"),
                  "other-frcar": ("french-forces", "central-african-republic")}


@pytest.mark.parametrize("path", sorted((DATA / "dev" / "siblings").glob("*.txt")), ids=lambda p: p.stem)
def test_sibling_reports_build_with_their_force(path: Path) -> None:
    record = facts.extract(ingest.load(path))
    assert record.report is not None and record.report.force is not None
    genre = path.stem.split("_")[1]
    assert (record.report.force.key, record.report.force.area) == SIBLING_FORCES[genre]


def test_the_build_command_refuses_the_second_text_and_is_quiet_on_a_copy(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kfor_kg.cli import cli

    folder = tmp_path / "reports"
    first = write(folder, "a.txt", REPORT.format(number="300", troops="18,500"))
    write(folder, "c-copy.txt", REPORT.format(number="300", troops="18,500"))
    second = write(folder, "b.txt", REPORT.format(number="300", troops="19,000"))
    out = tmp_path / "kfor.ttl"
    result = CliRunner().invoke(cli, ["build", str(folder), "--no-entities", "--no-cache", "-q", "-o", str(out)])
    assert result.exit_code == 3, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and str(second) in errors[0] and str(first) in errors[0]
    assert out.read_text(encoding="utf-8").count("kfor:troops 18500") == 1


SIBLING = """Letter dated 5 May 2004 from the Secretary-General addressed to the President of the Security Council

I have the honour to transmit the report on the operations of the {force} (see annex).

(Signed) Kofi A. Annan

Annex

Report to the United Nations on the operations of the {force}

1. Over the reporting period, some 6,500 troops were deployed in {area}, with contributions from 26 NATO
and 10 non-NATO troop-contributing nations.

2. The situation in {area} remained calm.
"""


@pytest.mark.parametrize("force,area,key,area_key", [
    ("International Security Assistance Force (ISAF)", "Afghanistan", "isaf", "afghanistan"),
    ("European Union Force (EUFOR)", "Bosnia and Herzegovina", "eufor", "bosnia-and-herzegovina"),
    ("Implementation Force (IFOR)", "Bosnia and Herzegovina", "ifor", "bosnia-and-herzegovina"),
])
def test_other_forces_are_read_with_the_same_rules(tmp_path: Path, force: str, area: str, key: str,
                                                   area_key: str) -> None:
    record = facts.extract(ingest.load(write(tmp_path, "s.txt", SIBLING.format(force=force, area=area))))
    assert record.report.force.key == key and record.report.force.area == area_key
    strength = record.report.troop_strength
    assert (strength.troops, strength.approximate, strength.nato_nations, strength.non_nato_nations) == \
        (6500, True, 26, 10)
    assert "Kosovo" not in SIBLING and record.key == "letter-2004-05-05"


@pytest.mark.parametrize("body,key,area_key", [
    ("the French force Licorne deployed in Côte d'Ivoire", "licorne", "cote-d-ivoire"),
    ("Operation Barkhane in Mali and in the Niger, chiefly in Mali", "barkhane", "mali"),
    ("the multinational force in Haiti", "multinational-force", "haiti"),
])
def test_national_and_multinational_forces_by_note_verbale(tmp_path: Path, body: str, key: str,
                                                          area_key: str) -> None:
    text = ("Letter dated 5 May 2004 from the Secretary-General addressed to the President of the Security "
            "Council\n\nI have the honour to transmit herewith a note verbale dated 3 May 2004 from the Permanent "
            "Mission of France to the United Nations (see annex).\n\n(Signed) Kofi A. Annan\n\nAnnex\n\n"
            "The Permanent Mission of France to the United Nations presents its compliments to the Secretary-"
            f"General and has the honour to transmit the report on {body}.\n\nEnclosure\n\nReport on {body}\n\n"
            "1. Calm.\n\n2. Calm.\n")
    record = facts.extract(ingest.load(write(tmp_path, "nv.txt", text)))
    assert (record.report.force.key, record.report.force.area) == (key, area_key)
    annex = record.letter("annex")
    assert annex.form == "note verbale" and annex.sender == facts.Office("Permanent Mission", "france")
    assert annex.signatory is None and annex.date == dt.date(2004, 5, 3)


def test_a_text_only_pdf_of_a_news_article_is_not_a_report(tmp_path: Path) -> None:
    """Issue 13 case 15: the rule holds whatever the file format (here a PDF with a text layer)."""
    pytest.importorskip("reportlab")
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "news.pdf"
    page = canvas.Canvas(str(pdf), pagesize=A4)
    y = 780.0
    for line in NEWS.read_text(encoding="utf-8").splitlines():
        page.drawString(72, y, line)
        y -= 16
    page.save()
    with pytest.raises(ExtractionError, match="news.pdf: not a report"):
        facts.extract(ingest.load(pdf))
