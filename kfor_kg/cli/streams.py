"""`-` for standard input and output wherever the command line takes a file.

Standard input is read whole into a temporary file (named `stdin` plus the
suffix its format needs), so every library function that takes a path works
on it unchanged; error messages name it `<stdin>`, never the temporary path.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import click

from kfor_kg.errors import ConfigError, KforError
from kfor_kg.files import writable_target
from kfor_kg.rdf.export import FORMATS as RDF_FORMATS

__all__ = ["STDIO", "is_stdio", "require_data_format", "stdin_file", "read_rdf", "read_stdin_text",
           "write_stdout", "check_output"]

T = TypeVar("T")

STDIO = "-"


def is_stdio(path: str | Path | None) -> bool:
    """Whether a file argument is `-` (standard input or output)."""
    return path is not None and str(path) == STDIO


def require_data_format(data: str | Path | None, data_format: str | None) -> None:
    """Refuse `--data -` without --data-format (standard input has no extension to go by).

    Raises:
        click.UsageError: `--data -` and no --data-format.
    """
    if is_stdio(data) and data_format is None:
        raise click.UsageError("--data - needs --data-format (one of: " + ", ".join(RDF_FORMATS) + ")")


@contextmanager
def stdin_file(suffix: str = "", name: str = "stdin") -> Iterator[Path]:
    """Standard input copied to a temporary file `{name}{suffix}`, removed afterwards.

    A library error raised inside the block that names the file names `<stdin>` instead.

    Raises:
        ConfigError: standard input is a terminal (nothing was piped in).
    """
    stream = sys.stdin.buffer
    if stream.isatty():
        raise ConfigError("`-` reads standard input, but nothing was piped in")
    with tempfile.TemporaryDirectory(prefix="kfor-kg-") as folder:
        path = Path(folder) / f"{name}{suffix}"
        with path.open("wb") as out:
            while chunk := stream.read(1 << 20):
                out.write(chunk)
        try:
            yield path
        except KforError as error:
            if error.args and isinstance(error.args[0], str):
                error.args = (error.args[0].replace(str(path), "<stdin>"), *error.args[1:])
            raise


def read_rdf(reader: Callable[[Path, str | None], T], path: Path, fmt: str | None) -> T:
    """`reader(path, fmt)`, or for `-` the same on standard input (`fmt` then names its format)."""
    if is_stdio(path):
        with stdin_file("." + str(fmt)) as piped:
            return reader(piped, fmt)
    return reader(path, fmt)


def read_stdin_text() -> str:
    """All of standard input as UTF-8 text.

    Raises:
        ConfigError: standard input is a terminal, or not UTF-8.
    """
    stream = sys.stdin.buffer
    if stream.isatty():
        raise ConfigError("`-` reads standard input, but nothing was piped in")
    try:
        return stream.read().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"<stdin> is not UTF-8 text: {exc.reason} at byte {exc.start}") from None


def write_stdout(payload: bytes | str) -> None:
    """Write data (never a summary) to standard output and flush it."""
    if sys.stdout is not None and not sys.stdout.closed:
        sys.stdout.flush()  # whatever text went before comes first
    stream = sys.stdout.buffer
    stream.write(payload.encode("utf-8") if isinstance(payload, str) else payload)
    stream.flush()


def check_output(path: Path) -> None:
    """Refuse an output file that cannot be written, before any work starts.

    Raises:
        ConfigError: the path is a directory, device or FIFO, its folder is missing,
            or the folder or the existing file is not writable.
    """
    try:
        target = writable_target(path)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from None
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ConfigError(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise ConfigError(f"cannot write {path}: permission denied")
