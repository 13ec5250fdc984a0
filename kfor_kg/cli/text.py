"""`kfor-kg text FILE`: the text kfor-kg reads from a report file (kfor_kg.text.ingest)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("text")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--clean", "cleaned", is_flag=True,
              help="Print the cleaned text (furniture, markup and line wrapping removed) instead.")
@click.option("--page", type=click.IntRange(min=1), help="Only this page of a PDF.")
@click.option("--ocr", is_flag=True,
              help="Read a scanned PDF (no text layer) with OCR; needs the `tesseract` command.")
def text_cli(file: Path, cleaned: bool, page: int | None, ocr: bool) -> None:
    """Print the text read from FILE (PDF, HTML, Word .docx or plain text).

    This is exactly the text the offsets of the graph's text spans count in
    (oa:start, oa:end): for every span, text[start:end] is its oa:exact. PDF
    pages are separated by a form feed; a span's kfor:page is the page it
    starts on.

    Example:

        kfor-kg text S_2017_911.pdf | less

        kfor-kg text scanned.pdf --ocr > scanned.txt
    """
    from kfor_kg.errors import IngestError
    from kfor_kg.text import ingest

    from kfor_kg.cli.streams import is_stdio, stdin_file, write_stdout

    if is_stdio(file):  # `-`: the file on standard input (its kind told by its contents)
        with stdin_file("", "stdin") as piped:
            source = ingest.read_source(piped, ocr=ocr)
        file = Path("<stdin>")
    else:
        source = ingest.read_source(file, ocr=ocr)
    if cleaned:
        text = ingest.clean(source).text + "\n"
    elif page is not None:
        if not source.pages:
            raise IngestError(f"{file}: --page is for PDF files; this is a {source.kind} file")
        if page > len(source.pages):
            raise IngestError(f"{file}: there is no page {page}; the PDF has {len(source.pages)}")
        end = source.pages[page] - 1 if page < len(source.pages) else len(source.original)
        text = source.original[source.pages[page - 1]:end]
    else:
        text = source.original
    write_stdout(text)  # not click.echo: no newline added or translated, UTF-8 whatever the locale
