"""Issue 13, "Done when": `kfor-kg build` over a folder of hostile inputs, as a user runs it.

The folder holds the five example reports and, next to them, an empty file,
binary bytes, a Latin-1 and a UTF-16 report, a report with NUL bytes, a 1.2 MB
single report, an HTML page, a PDF and a plain-text news article, a FIFO and a
subfolder the process cannot read; the output is a symlink. The build must
print no traceback, name each bad file on exactly one line, build the good
reports (through the symlink), exit 3 — and a second run over nothing but bad
files must leave the existing output untouched.

The build runs in a subprocess (the real command line, signals and all) with a
generous timeout, so a FIFO that blocks fails the test instead of hanging it.
As root, the unreadable folder is made real by dropping the capabilities that
let root read anything (setpriv); without setpriv that one input is left out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset, Literal
from rdflib.namespace import RDF

from kfor_kg.rdf.vocab import KFOR

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "reports"
DATA = Path(__file__).resolve().parent / "data"
DROP_ROOT_READ = ["setpriv", "--bounding-set=-dac_override,-dac_read_search",
                  "--inh-caps=-dac_override,-dac_read_search"]

# Inputs that are no report: each must be refused on one line of its own, never built.
REFUSED = ["empty.txt", "binary.txt", "page.html", "news.pdf", "news.txt", "pipe.txt", "locked"]
# Inputs a reader may either build or refuse (a report in an odd encoding or form):
# whichever it does, it says so (a document, or one line).
EITHER = ["latin1.txt", "utf16.txt", "nul.txt", "big.txt"]


def _pdf(text: str, target: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(target), pagesize=A4)
    y = 800.0
    for line in text.splitlines():
        page.drawString(72, y, line[:90])
        y -= 14
        if y < 72:
            page.showPage()
            y = 800.0
    page.save()


def _unreadable_folder_possible() -> bool:
    return os.geteuid() != 0 or shutil.which("setpriv") is not None


def hostile_folder(root: Path) -> Path:
    folder = root / "reports"
    shutil.copytree(EXAMPLES, folder)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    latin = (DATA / "dev" / "09_kfor_2008-07_S2008-638.txt").read_text(encoding="utf-8")
    (folder / "latin1.txt").write_bytes(latin.encode("latin-1", errors="replace"))
    annan = (DATA / "dev" / "02_kfor_2000-08_annan.txt").read_text(encoding="utf-8")
    (folder / "utf16.txt").write_bytes(
        (DATA / "dev" / "11_kfor_2016-Q2_stoltenberg.txt").read_text(encoding="utf-8")
        .encode("utf-16"))
    (folder / "nul.txt").write_bytes(latin.encode("utf-8").replace(b". ", b".\x00 "))
    # One report over spaCy's 1,000,000 characters: its last paragraph, again and again.
    tail = annan.strip().split("\n\n")[-1] + "\n\n"
    big = annan + tail * (1_200_000 // len(tail) + 1)
    assert len(big) > 1_200_000
    (folder / "big.txt").write_text(big, encoding="utf-8")
    (folder / "page.html").write_text(
        "<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head><body>"
        "<h1>Welcome to nginx!</h1><p>If you see this page, the nginx web server is "
        "successfully installed and working.</p></body></html>\n", encoding="utf-8")
    news = (DATA / "odd" / "news_article_kosovo.txt").read_text(encoding="utf-8")
    (folder / "news.txt").write_text(news, encoding="utf-8")
    _pdf(news, folder / "news.pdf")
    os.mkfifo(folder / "pipe.txt")
    if _unreadable_folder_possible():
        locked = folder / "locked"
        locked.mkdir()
        shutil.copy(DATA / "dev" / "02_kfor_2000-08_annan.txt", locked / "inside.txt")
        locked.chmod(0)
    return folder


def build(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "kfor_kg", "build", "-q", "--no-cache", *args]
    if os.geteuid() == 0 and shutil.which("setpriv"):
        command = DROP_ROOT_READ + command
    return subprocess.run(command, capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)


def source_files(graph: Path) -> set[str]:
    data = Dataset()
    data.parse(graph, format="turtle")
    view = Dataset(store=data.store, default_union=True)
    return {Path(str(name)).name for doc in view.subjects(RDF.type, KFOR.Document)
            for name in view.objects(doc, KFOR.sourceFile) if isinstance(name, Literal)}


def lines_naming(stderr: str, path: Path) -> list[str]:
    """The stderr lines about `path`: its full name followed by `:` (or ending the line)."""
    return [line for line in stderr.splitlines()
            if f"{path}:" in line or line.rstrip().endswith(str(path))]


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    made = hostile_folder(tmp_path)
    yield made
    if (made / "locked").exists():
        (made / "locked").chmod(0o755)


def test_hostile_folder_builds_the_good_reports_and_names_each_bad_file(
        tmp_path: Path, folder: Path) -> None:
    real = tmp_path / "out" / "kfor.ttl"
    real.parent.mkdir()
    real.write_text("# the previous build\n")
    link = tmp_path / "kfor.ttl"
    link.symlink_to(real)
    for place in (tmp_path, real.parent):  # an unprivileged build can write there
        place.chmod(0o777)

    done = build(str(folder), "-o", str(link))

    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 3, done.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    built = source_files(real)
    assert {p.name for p in EXAMPLES.iterdir()} <= built, done.stderr
    present = [name for name in REFUSED if (folder / name).exists() or name == "pipe.txt"]
    for name in present:
        assert name not in built, name
        assert len(lines_naming(done.stderr, folder / name)) == 1, (name, done.stderr)
    for name in EITHER:
        named = len(lines_naming(done.stderr, folder / name))
        assert (name in built) != (named == 1) and named <= 1, (name, named, done.stderr)
    # Every stderr line is about a file or says how many were skipped: nothing else leaks.
    for line in done.stderr.splitlines():
        assert line.startswith(("Error: ", "Warning: ", "Skipped", "skipped")), line
    assert sorted(p.name for p in real.parent.iterdir()) == ["kfor.ttl"]  # no temp file left


def test_hostile_folder_without_a_good_report_leaves_the_output_untouched(
        tmp_path: Path, folder: Path) -> None:
    for example in EXAMPLES.iterdir():
        (folder / example.name).unlink()
    for name in EITHER:
        (folder / name).unlink()
    real = tmp_path / "out" / "kfor.ttl"
    real.parent.mkdir()
    real.write_text("# the previous build\n")
    before = real.stat()
    link = tmp_path / "kfor.ttl"
    link.symlink_to(real)
    for place in (tmp_path, real.parent):
        place.chmod(0o777)

    done = build(str(folder), "-o", str(link))

    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 3
    assert "nothing was built" in done.stderr
    assert real.read_text() == "# the previous build\n"
    assert (real.stat().st_mtime_ns, real.stat().st_ino) == (before.st_mtime_ns, before.st_ino)
    assert link.is_symlink()
    assert sorted(p.name for p in real.parent.iterdir()) == ["kfor.ttl"]
