"""The readers of text.formats and the file discovery of text.ingest: each kind of file,
each way a file can be unreadable, and what a folder holds (issues 12 and 13)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from click.testing import CliRunner

from kfor_kg.cli import cli
from kfor_kg.errors import IngestError
from kfor_kg.text import formats, ingest, webpage

REPORT = "Letter dated 5 March 2021 from the Secretary-General\n\n(Signed) António Guterres\n"


# --- plain text in any Unicode encoding with a byte-order mark -----------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_with_a_byte_order_mark_are_decoded(tmp_path: Path, encoding: str) -> None:
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff",
           "utf-32-le": b"\xff\xfe\x00\x00", "utf-32-be": b"\x00\x00\xfe\xff"}.get(encoding, b"")
    path = tmp_path / "notepad.txt"
    path.write_bytes(bom + REPORT.encode(encoding))
    source = ingest.read_source(path)
    assert source.original == REPORT
    assert source.kind == "text" and source.pages == ()


def test_utf8_with_a_byte_order_mark_keeps_its_offsets(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + REPORT.encode())
    source = ingest.read_source(path)
    assert source.original == "\ufeff" + REPORT
    assert ingest.clean(source).text.startswith("Letter dated")


def test_utf16_without_a_byte_order_mark_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "nobom.txt"
    path.write_bytes(REPORT.encode("utf-16-le"))
    with pytest.raises(IngestError, match="byte-order mark"):
        ingest.read_source(path)


def test_damaged_utf16_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "odd.txt"
    path.write_bytes(b"\xff\xfe" + "ab".encode("utf-16-le") + b"\x00\xd8")  # a lone surrogate
    with pytest.raises(IngestError, match="damaged UTF-16"):
        ingest.read_source(path)


@pytest.mark.parametrize(("head", "what"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Word .doc"), (b"{\\rtf1\\ansi Kosovo", "RTF file"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"), (b"\xff\xd8\xff\xe0", "JPEG image"), (b"%!PS-Adobe", "PostScript"),
])
def test_other_files_users_have_are_named(tmp_path: Path, head: bytes, what: str) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(head + b"\x00" * 40)
    with pytest.raises(IngestError, match=f"report.txt: an? {what}"):
        ingest.read_source(path)


def test_binary_without_nul_pattern_of_utf16_gets_no_utf16_hint(tmp_path: Path) -> None:
    path = tmp_path / "blob.bin"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(IngestError) as error:
        ingest.read_source(path)
    assert error.value.args[0] == f"{path}: binary file, not a report text"


# --- HTML -------------------------------------------------------------------------------


def html_text(markup: str, name: str = "page.html") -> str:
    return webpage.read_html(Path(name), markup.encode("utf-8")).text


def test_html_main_content_without_site_chrome() -> None:
    text = html_text("""<!DOCTYPE html><html><head><title>Archive</title>
        <script>var x = "Kosovo Force";</script><style>p { color: red }</style></head>
        <body><header><a href="/">UN Archive Home</a></header>
        <nav><a href="/x">NATO news</a></nav>
        <div class="cookie-banner">We use cookies</div>
        <div id="content"><p>Letter dated 5 March 2021</p>
        <!-- a comment about Belgrade -->
        <p>I have the honour to &amp; transmit&nbsp;the report.</p></div>
        <aside>Related: Afghanistan</aside><footer>Contact us</footer></body></html>""")
    assert text == "Letter dated 5 March 2021\n\nI have the honour to & transmit\u00a0the report."


def test_html_main_element_wins_and_keeps_its_own_header() -> None:
    text = html_text("""<body><div class="menu">Menu</div><main><header><h1>Security Council</h1></header>
        <p>Distr.: General</p><nav>Page 1 of 2</nav></main><p>Outside</p></body>""")
    assert text == "Security Council\n\nDistr.: General"


def test_html_line_breaks_bold_and_tables() -> None:
    text = html_text("""<article><p>Distr.: General<br>8 March 2021</p>
        <p>(Signed) António <b>Guterres</b></p><p>Enclosure<strong>Report to the United Nations</strong></p>
        <table><tr><td>Murder</td><td>3</td></tr><tr><td>Arson</td><td>1</td></tr></table></article>""")
    assert text.split("\n\n") == ["Distr.: General\n8 March 2021", "(Signed) António **Guterres**",
                                  "Enclosure**Report to the United Nations**", "Murder 3", "Arson 1"]
    cleaned = ingest.clean(ingest.SourceText(Path("p.html"), text, "", "html")).text
    assert cleaned.split("\n") == ["Distr.: General", "8 March 2021", "(Signed) António Guterres",
                                   "Enclosure", "Report to the United Nations", "Murder 3", "Arson 1"]


def test_html_preformatted_text_keeps_its_lines_and_lists_their_items() -> None:
    text = html_text("<body><pre>Letter dated 5 March 2021\n  from the Secretary-General</pre>"
                     "<ul><li>Murder: 3</li><li>Arson: 1</li></ul></body>")
    assert text == "Letter dated 5 March 2021\n  from the Secretary-General\n\nMurder: 3\n\nArson: 1"


def test_html_hidden_elements_are_no_text() -> None:
    assert html_text('<body><p>Kosovo</p><div style="display: none">Serbia</div>'
                     '<p hidden>Belgrade</p><span aria-hidden="true">x</span></body>') == "Kosovo"


def test_html_in_a_txt_file_is_read_as_html(tmp_path: Path) -> None:
    path = tmp_path / "saved.txt"
    path.write_text("<!DOCTYPE html><html><body><p>Security Council.</p><p>(Signed) Ban Ki-moon</p></body></html>",
                    encoding="utf-8")
    source = ingest.read_source(path)
    assert source.kind == "html"
    assert source.original == "Security Council.\n\n(Signed) Ban Ki-moon"


@pytest.mark.parametrize("name", ["saved.txt", "saved.html"])
def test_a_utf16_web_page_is_read_as_html(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    page = '<!DOCTYPE html><html><head><meta charset="utf-16"></head><body><p>(Signed) António Guterres</p></body></html>'
    path.write_bytes(page.encode("utf-16"))
    source = ingest.read_source(path)
    assert (source.kind, source.original) == ("html", "(Signed) António Guterres")


def test_a_utf16_declaration_without_a_byte_order_mark_is_read_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "mislabelled.html"
    path.write_bytes('<meta charset="utf-16"><p>António</p>'.encode("utf-8"))
    assert ingest.read_source(path).original == "António"


def test_html_charset_from_the_page(tmp_path: Path) -> None:
    path = tmp_path / "latin.htm"
    path.write_bytes('<html><head><meta charset="windows-1252"></head><body><p>António</p></body></html>'
                     .encode("cp1252"))
    assert ingest.read_source(path).original == "António"


def test_html_without_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><body><nav>Home</nav><script>x()</script></body></html>", encoding="utf-8")
    with pytest.raises(IngestError, match="no text"):
        ingest.read_source(path)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/&;!- \n\"'=abpdivmn#x1\u00e9")), max_size=200))
def test_odd_html_gives_text_or_one_clear_error(markup: str) -> None:
    try:
        text = html_text(markup)
    except IngestError as e:
        assert e.args[0].startswith("page.html: ")
    else:
        assert "<p>" not in text and "<div" not in text


# --- Word --------------------------------------------------------------------------------


def docx_bytes(paragraphs: list[list[tuple[str, bool]]], table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    for runs in paragraphs:
        p = document.add_paragraph()
        for text, bold in runs:
            p.add_run(text).bold = bold
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                t.cell(r, c).text = cell
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_paragraphs_in_order_with_bold_names_and_tables(tmp_path: Path) -> None:
    path = tmp_path / "letter.docx"
    path.write_bytes(docx_bytes([[("Security Council", True)], [("Distr.: General", False)],
                                 [("(Signed) António ", False), ("Gut", True), ("erres", True)]],
                                table=[["Murder", "3"]]))
    source = ingest.read_source(path)
    assert source.kind == "docx"
    assert source.original == ("**Security Council**\n\nDistr.: General\n\n(Signed) António **Guterres**"
                               "\n\nMurder 3")


def test_docx_text_inside_hyperlinks_and_tracked_insertions_is_read(tmp_path: Path) -> None:
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    p = document.add_paragraph("In accordance with Security Council resolution ")
    p._p.append(parse_xml(f'<w:hyperlink {nsdecls("w")}><w:r><w:t>1244 (1999)</w:t></w:r></w:hyperlink>'))
    p._p.append(parse_xml(f'<w:del {nsdecls("w")} w:id="1" w:author="x"><w:r><w:delText>, deleted</w:delText>'
                          '</w:r></w:del>'))
    p._p.append(parse_xml(f'<w:ins {nsdecls("w")} w:id="2" w:author="x"><w:r><w:t xml:space="preserve">, I have'
                          '</w:t></w:r></w:ins>'))
    path = tmp_path / "links.docx"
    document.save(str(path))
    assert ingest.read_source(path).original == "In accordance with Security Council resolution 1244 (1999), I have"


def test_a_zip_that_is_no_word_file_is_refused(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("sheet.xml", "<x/>")
    path = tmp_path / "report.zip"
    path.write_bytes(out.getvalue())
    with pytest.raises(IngestError, match="ZIP archive"):
        ingest.read_source(path)


def test_a_damaged_docx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    with pytest.raises(IngestError, match="broken.docx: not a readable Word"):
        ingest.read_source(path)


# --- PDF ----------------------------------------------------------------------------------


def pdf_bytes(pages: list[list[str]] | None = None, image_only: bool = False) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, invariant=True)
    if image_only:
        c.rect(100, 100, 300, 400, fill=1)  # what a scan's text layer holds: nothing
        c.showPage()
    for lines in pages or []:
        y = 760.0
        for line in lines:
            if line:
                c.drawString(72, y, line)
            y -= 30 if not line else 14
        c.showPage()
    c.save()
    return out.getvalue()


def test_pdf_pages_paragraph_gaps_and_page_starts(tmp_path: Path) -> None:
    pytest.importorskip("reportlab")
    path = tmp_path / "two.pdf"
    path.write_bytes(pdf_bytes([["First paragraph line one", "line two", "", "Second paragraph"],
                                ["Page two text"]]))
    source = ingest.read_source(path)
    assert source.kind == "pdf"
    assert source.original == "First paragraph line one\nline two\n\nSecond paragraph\fPage two text"
    assert source.pages == (0, source.original.index("Page two"))
    assert source.page_at(0) == 1 and source.page_at(source.pages[1]) == 2
    assert source.page_at(source.pages[1] - 1) == 1  # the form feed belongs to the page before


def test_pdf_ligatures_are_letters(tmp_path: Path) -> None:
    pytest.importorskip("reportlab")
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not font.exists():
        pytest.skip("no DejaVu font with ligature glyphs")
    pdfmetrics.registerFont(TTFont("Lig", str(font)))
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, invariant=True)
    c.setFont("Lig", 12)
    c.drawString(72, 700, "the \ufb01rst o\ufb03cial")
    c.showPage()
    c.save()
    path = tmp_path / "lig.pdf"
    path.write_bytes(out.getvalue())
    assert ingest.read_source(path).original == "the first official"


def test_a_paragraph_running_on_to_the_next_page_joins_up() -> None:
    text = "the European Union-facilitated dia-\n\n17-19063\n2/4\n\fS/2017/911\n\nlogue between Belgrade and Pristina"
    cleaned = ingest.clean(ingest.SourceText(Path("t.pdf"), text, "", "pdf", (0, text.index("\f") + 1))).text
    assert cleaned == "the European Union-facilitated dialogue between Belgrade and Pristina"


def test_a_scanned_pdf_without_text_layer_says_so(tmp_path: Path) -> None:
    pytest.importorskip("reportlab")
    path = tmp_path / "scan.pdf"
    path.write_bytes(pdf_bytes(image_only=True))
    with pytest.raises(IngestError, match="scan.pdf: the PDF has no text layer .*OCR"):
        ingest.read_source(path)


def test_a_password_protected_pdf_says_so(tmp_path: Path) -> None:
    pytest.importorskip("reportlab")
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, encrypt=StandardEncryption("secret", ownerPassword="owner"))
    c.drawString(72, 700, "Kosovo Force")
    c.showPage()
    c.save()
    path = tmp_path / "locked.pdf"
    path.write_bytes(out.getvalue())
    with pytest.raises(IngestError, match="locked.pdf: the PDF is password-protected"):
        ingest.read_source(path)


def scanned_pdf(lines: list[str]) -> bytes:
    """A PDF whose page is an image of `lines` (what a scanner makes): no text layer."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    printed = pdfium.PdfDocument(pdf_bytes([lines]))
    image = printed[0].render(scale=2).to_pil()
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, invariant=True)
    c.drawImage(ImageReader(image), 0, 0, *A4)
    c.showPage()
    c.save()
    return out.getvalue()


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="no tesseract command (apt-get install tesseract-ocr)")
def test_a_scanned_pdf_is_read_with_ocr_when_asked(tmp_path: Path) -> None:
    pytest.importorskip("reportlab")
    path = tmp_path / "scan.pdf"
    path.write_bytes(scanned_pdf(["Letter dated 16 June 2025 from the Secretary-General", "",
                                  "(Signed) Kosovo Force"]))
    with pytest.raises(IngestError, match="no text layer"):
        ingest.read_source(path)
    run = CliRunner().invoke(cli, ["text", str(path), "--ocr"])
    assert run.exit_code == 0, run.output
    assert "Letter dated 16 June 2025 from the Secretary-General" in run.stdout
    assert "(Signed) Kosovo Force" in run.stdout


def test_ocr_without_tesseract_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("reportlab")
    from kfor_kg.text import ocr

    monkeypatch.setattr(ocr, "tesseract_command", lambda: None)
    path = tmp_path / "scan.pdf"
    path.write_bytes(pdf_bytes(image_only=True))
    with pytest.raises(IngestError, match="scan.pdf: OCR needs the `tesseract` command"):
        ingest.read_source(path, ocr=True)


def test_a_damaged_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cut.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n")
    with pytest.raises(IngestError, match="cut.pdf: not a readable PDF"):
        ingest.read_source(path)


def test_a_missing_reader_library_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "pypdfium2", None)
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    with pytest.raises(IngestError, match="pip install pypdfium2"):
        ingest.read_source(path)


def test_page_at_without_pages_is_none() -> None:
    assert ingest.SourceText(Path("a.txt"), "abc", "").page_at(1) is None


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["a.txt", "a.pdf", "a.html", "a.docx", "a.md"]))
def test_any_bytes_give_text_or_one_clear_error(data: bytes, name: str) -> None:
    try:
        formats.extract(Path(name), data)
    except IngestError as e:
        assert e.args[0].startswith(name + ":")


# --- files and folders (issue 13 cases 12 and 14) --------------------------------------


def _in_thread(fn, *args):  # type: ignore[no-untyped-def]
    """Run fn(*args) in a thread; fail (not hang) when it takes more than 10 s."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(fn(*args))
        except BaseException as e:  # noqa: BLE001 - handed to the test
            outcome.append(e)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(10)
    assert not thread.is_alive(), "reading blocked"
    return outcome[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)
    error = _in_thread(ingest.read_source, fifo)
    assert isinstance(error, IngestError)
    assert error.args[0] == f"{fifo}: a FIFO (named pipe), not a regular file; not read"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_build_refuses_a_fifo_and_builds_the_rest(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    good = Path(__file__).parent.parent / "examples" / "reports" / "kfor_2017-Q3_guterres.txt"
    out = tmp_path / "kfor.ttl"
    run = subprocess.run([sys.executable, "-m", "kfor_kg", "build", "--no-entities", "-q", str(fifo), str(good),
                          "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 3
    assert f"{fifo}: a FIFO (named pipe), not a regular file" in run.stderr
    assert "Traceback" not in run.stderr
    assert out.exists()


def test_a_device_is_refused(tmp_path: Path) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    error = _in_thread(ingest.read_source, Path("/dev/zero"))
    assert isinstance(error, IngestError) and "a character device, not a regular file" in str(error)


def test_a_special_file_in_a_folder_is_reported(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs")
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    os.mkfifo(tmp_path / "b.txt")
    assert ingest.discover([tmp_path]).files == [tmp_path / "a.txt", tmp_path / "b.txt"]


def test_an_unreadable_subfolder_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "a.txt").write_text(REPORT, encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "b.txt").write_text(REPORT, encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path=None):  # type: ignore[no-untyped-def]
        if path is not None and Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path) if path is not None else real_scandir()

    monkeypatch.setattr(os, "scandir", scandir)  # as root, chmod 000 would not stop the walk
    files = list(ingest.iter_report_files([tmp_path]))
    assert files == [locked, tmp_path / "ok" / "a.txt"]
    with pytest.raises(IngestError) as error:
        ingest.read_source(locked)
    assert error.value.args[0] == f"{locked}: cannot read the folder (Permission denied); its reports were not read"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any folder")
def test_an_unreadable_subfolder_is_reported_for_real(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "b.txt").write_text(REPORT, encoding="utf-8")
    locked.chmod(0)
    try:
        assert list(ingest.iter_report_files([tmp_path])) == [locked]
        with pytest.raises(IngestError, match="cannot read the folder"):
            ingest.read_source(locked)
    finally:
        locked.chmod(0o755)


def test_a_folder_lists_supported_files_and_summarizes_the_rest(tmp_path: Path) -> None:
    for name in ("b.PDF", "a.txt", "c.htm", "d.docx", "e.md", "x.xlsx", "y.png", "z.png", "README", ".hidden.txt"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD.txt").write_bytes(b"x")
    found = ingest.discover([tmp_path])
    assert [p.name for p in found.files] == ["a.txt", "b.PDF", "c.htm", "d.docx", "e.md"]
    assert found.summary() == "skipped 4 files of unsupported type: (no extension), .png, .xlsx"


def test_one_unsupported_file_and_none() -> None:
    assert ingest.Discovery(unsupported=[Path("t.xlsx")]).summary() == \
        "skipped 1 file of unsupported type: .xlsx"
    assert ingest.Discovery().summary() is None


def test_a_file_named_directly_is_read_whatever_its_name(tmp_path: Path) -> None:
    path = tmp_path / "report.rtf"
    path.write_text(REPORT, encoding="utf-8")
    assert ingest.discover([path]).files == [path]
    assert ingest.read_source(path).original == REPORT
