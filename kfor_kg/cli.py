"""The `kfor-kg` command line: thin click wrappers over the library.

Each command calls one library function and formats what it returns. Library
errors (kfor_kg.errors.KforError) become one-line messages and exit codes:
0 ok, 1 graph does not conform, 2 usage error, 3 input/runtime/store error.
"""

from __future__ import annotations

import sys

import click

from . import __version__
from .errors import KforError


def fail(error: KforError) -> None:
    """Print a library error as one line on stderr and exit with its code."""
    click.echo(f"Error: {error}", err=True)
    sys.exit(error.exit_code)


@click.group()
@click.version_option(__version__, prog_name="kfor-kg")
def cli() -> None:
    """Build knowledge graphs from UN Security Council letters transmitting NATO's KFOR reports."""


# --- commands -------------------------------------------------------------
# Each command lives in its own block below; keep them thin.


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
