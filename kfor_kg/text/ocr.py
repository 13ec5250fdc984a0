"""OCR of scanned PDFs with the Tesseract command (an option: `kfor-kg text FILE --ocr`).

Each page is rendered by pdfium to a greyscale image and read by `tesseract`
(installed separately: `apt-get install tesseract-ocr`, `brew install tesseract`);
pages are joined by a form feed, like a PDF's text layer.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from kfor_kg.errors import IngestError

DPI = 300
TIMEOUT = 300.0
"""Seconds one page may take."""


def tesseract_command() -> str | None:
    return shutil.which("tesseract")


def ocr_pages(path: Path, pdf: Any, language: str = "eng") -> list[str]:
    """The OCR text of each page of an open pypdfium2 document.

    Raises:
        IngestError: no `tesseract` command, or it failed on a page.
    """
    command = tesseract_command()
    if command is None:
        raise IngestError(f"{path}: OCR needs the `tesseract` command; install it "
                          "(Debian/Ubuntu: apt-get install tesseract-ocr; macOS: brew install tesseract)")
    texts = []
    for index in range(len(pdf)):
        page = pdf[index]
        try:
            image = _pgm(page.render(scale=DPI / 72, grayscale=True))
        finally:
            page.close()
        try:
            run = subprocess.run([command, "stdin", "stdout", "-l", language], input=image,
                                 capture_output=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired as e:
            raise IngestError(f"{path}: OCR of page {index + 1} took over {TIMEOUT:.0f} s") from e
        if run.returncode != 0:
            reason = run.stderr.decode("utf-8", "replace").strip().splitlines()
            raise IngestError(f"{path}: OCR of page {index + 1} failed ({reason[-1] if reason else run.returncode})")
        texts.append(run.stdout.decode("utf-8", "replace").rstrip("\f\n "))
    return texts


def _pgm(bitmap: Any) -> bytes:
    """A rendered page as a binary PGM (greyscale) image, whatever pdfium's pixel format."""
    width, height, stride, channels = bitmap.width, bitmap.height, bitmap.stride, bitmap.n_channels
    raw = bytes(bitmap.buffer)
    rows = []
    for y in range(height):
        row = raw[y * stride:y * stride + width * channels]
        rows.append(row if channels == 1 else row[1::channels])  # BGR(A): the green byte is grey enough
    return f"P5 {width} {height} 255\n".encode("ascii") + b"".join(rows)
