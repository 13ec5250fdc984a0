"""The `kfor-kg` command line: thin click wrappers over the library.

Each command calls one library function and formats what it returns. Library
errors (kfor_kg.errors.KforError) become one line `Error: ...` on stderr and the
error's exit code, in one place (`KforGroup`): 0 ok, 1 the graph does not
conform, 2 usage error, 3 input, runtime, I/O or store error.

Commands by module: `build` (build), `store` (load, unload), `query` (query,
queries), `checks` (validate, evaluate), `link` (link).
"""

from __future__ import annotations

from typing import Any

import click

from kfor_kg import __version__
from kfor_kg.errors import KforError


class KforGroup(click.Group):
    """A command group that turns a library error into `Error: ...` and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KforError as error:
            click.echo(f"Error: {error}", err=True)
            ctx.exit(error.exit_code)


@click.group(cls=KforGroup)
@click.version_option(__version__, prog_name="kfor-kg")
def cli() -> None:
    """Build knowledge graphs from UN Security Council letters transmitting NATO's KFOR reports."""


# Imported after `cli` exists; each module holds the commands of one library area.
from kfor_kg.cli import build, checks, link, query, store  # noqa: E402

for _command in (build.build_cli, store.load_cli, store.unload_cli, query.query_cli,
                 query.queries_cli, checks.validate_cli, checks.evaluate_cli, link.link_cli):
    cli.add_command(_command)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
