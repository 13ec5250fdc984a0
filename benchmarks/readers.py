"""Benchmark of the report readers (kfor_kg.text.formats): time per file and whether the
cleaned text equals the plain text's, on the five examples made into PDF, HTML and DOCX.

    python benchmarks/readers.py [--rounds 20]

With pdfminer.six installed it is measured as the alternative PDF reader (the
measurement that chose pypdfium2: same cleaned text, ten times slower).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from report_files import make_docx, make_html, make_pdf  # noqa: E402

from kfor_kg.build import example_reports  # noqa: E402
from kfor_kg.text import formats, ingest  # noqa: E402

Reader = Callable[[Path, bytes], formats.Extracted]


def pdfminer_reader(path: Path, data: bytes) -> formats.Extracted:
    import io

    from pdfminer.high_level import extract_text  # type: ignore[import-not-found]

    starts: list[int] = []
    text = ""
    for page in extract_text(io.BytesIO(data)).split("\f"):
        if starts:
            text += "\f"
        starts.append(len(text))
        text += page
    return formats.Extracted(text, "pdf", tuple(starts))


def measure(name: str, reader: Reader, files: list[tuple[Path, Path]], rounds: int) -> None:
    data = [(made, made.read_bytes()) for made, _ in files]
    start = time.perf_counter()
    pages = 0
    for _ in range(rounds):
        for path, raw in data:
            pages += max(1, len(reader(path, raw).pages))
    elapsed = time.perf_counter() - start
    same = 0
    for (path, raw), (_, plain) in zip(data, files):
        got = reader(path, raw)
        source = ingest.SourceText(path, got.text, "", got.kind, got.pages)
        same += ingest.clean(source).text == ingest.load(plain).text
    print(f"{name:>14}: {elapsed / (rounds * len(data)) * 1000:6.2f} ms/file, "
          f"{elapsed / pages * 1000:6.2f} ms/page; cleaned text = plain text's: {same}/{len(data)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    examples = sorted(example_reports().glob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        made: dict[str, list[tuple[Path, Path]]] = {"pdf": [], "html": [], "docx": []}
        for example in examples:
            for kind, maker in (("pdf", make_pdf), ("html", make_html), ("docx", make_docx)):
                target = Path(tmp) / f"{example.stem}.{kind}"
                maker(example, target)
                made[kind].append((target, example))
        measure("text", formats.read_text, [(e, e) for e in examples], rounds)
        measure("pdf pypdfium2", formats.read_pdf, made["pdf"], rounds)
        try:
            import pdfminer  # type: ignore[import-not-found]  # noqa: F401
        except ImportError:
            print("  pdfminer.six: not installed (pip install pdfminer.six to compare)")
        else:
            measure("pdf pdfminer", pdfminer_reader, made["pdf"], rounds)
        measure("html", formats.extract, made["html"], rounds)
        measure("docx", formats.read_docx, made["docx"], rounds)


if __name__ == "__main__":
    main()
