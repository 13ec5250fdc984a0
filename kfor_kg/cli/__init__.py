"""The `kfor-kg` command line: thin click wrappers over the library.

Each command calls one library function and formats what it returns. Every
failure ends in one place (`KforGroup`) as one line `Error: [Knnn] ...` on
stderr and an exit code: 0 ok, 1 the graph does not conform, 2 usage error,
3 input, runtime, I/O or store error (an unexpected exception included: the
line names it, `-v` adds the traceback), 130 interrupted by SIGINT (Ctrl-C),
143 by SIGTERM. A password in a URL never reaches the terminal or the log.

Global options: -v/--verbose (log details and tracebacks on stderr, with the
standard logging module), -q/--quiet (no progress or summaries: the same as
each command's -q), -h/--help.

Commands by module: `build` (build), `store` (load, unload), `query` (query,
queries), `checks` (validate, evaluate), `link` (link), `text` (text), `stats` (stats),
`plot` (plot), `info` (info), `serve` (serve).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Sequence
from types import FrameType
from typing import Any

import click

from kfor_kg import __version__
from kfor_kg.errors import InternalError, Interrupted, KforError, redact

log = logging.getLogger("kfor_kg")


class Terminated(BaseException):
    """Raised by the SIGTERM handler; a BaseException so no `except Exception` swallows it."""


def _on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise Terminated()


class _RedactingFormatter(logging.Formatter):
    """Log lines (tracebacks included) with every URL password replaced by ***."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup_logging(verbose: int) -> None:
    """Log to stderr: warnings by default, kfor-kg's details with -v, urllib3's too with -vv."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_RedactingFormatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "kfor_kg", False)]:
        root.removeHandler(old)
    handler.kfor_kg = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose > 1 else logging.WARNING)
    log.setLevel(logging.DEBUG if verbose else logging.WARNING)
    # urllib3 warns of each retry in its own words; the HTTP layer already says it in ours.
    logging.getLogger("urllib3").setLevel(logging.DEBUG if verbose > 1 else logging.ERROR)


def _fail(ctx: click.Context, error: KforError, cause: BaseException | None) -> None:
    click.echo(redact(f"Error: {error}"), err=True)
    if cause is not None:
        log.debug("traceback:", exc_info=cause)
    ctx.exit(error.exit_code)


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """`--version`: what a build here records (rdf.provenance), on one line."""
    if not value or ctx.resilient_parsing:
        return
    from kfor_kg.rdf.provenance import BuildInfo, installed_info, rules_version

    try:
        info = installed_info()
    except KforError:  # no model installed: still say what can be said
        info = BuildInfo(rules=rules_version())
    click.echo(info.describe())
    ctx.exit()


class KforGroup(click.Group):
    """A command group that turns every exception into `Error: [Knnn] ...` and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KforError as error:
            _fail(ctx, error, error)
        except KeyboardInterrupt as stop:
            _fail(ctx, Interrupted("SIGINT (Ctrl-C)", 130), stop)
        except Terminated as stop:
            _fail(ctx, Interrupted("SIGTERM", 143), stop)
        except BrokenPipeError:
            # The reader went away (`kfor-kg query … | head`): nothing more to say to it.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(141)
        except Exception as exc:  # noqa: BLE001 - the one place where any bug becomes one line
            what = " ".join(str(exc).split())[:300] or "(no message)"
            _fail(ctx, InternalError(f"unexpected {type(exc).__name__}: {what} (a bug in kfor-kg; "
                                     f"run with -v for the traceback)"), exc)


@click.group(cls=KforGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_show_version,
              help="Show kfor-kg's, the rules' and the spaCy pipeline's versions and exit.")
@click.option("-v", "--verbose", count=True,
              help="Log what happens, and tracebacks of errors, on stderr (-vv: HTTP too).")
@click.option("-q", "--quiet", is_flag=True,
              help="No progress or summaries (the same as each command's -q).")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Build knowledge graphs from UN Security Council letters transmitting NATO's KFOR reports."""
    setup_logging(verbose)
    if quiet:
        ctx.default_map = {name: {"quiet": True} for name, command in cli.commands.items()
                           if any(param.name == "quiet" for param in command.params)}


# Imported after `cli` exists; each module holds the commands of one library area.
from kfor_kg.cli import build, checks, info, link, plot, query, serve, stats, store, text  # noqa: E402

for _command in (build.build_cli, store.load_cli, store.unload_cli, query.query_cli,
                 query.queries_cli, checks.validate_cli, checks.evaluate_cli, link.link_cli,
                 stats.stats_cli, plot.plot_cli, info.info_cli, serve.serve_cli, text.text_cli):
    cli.add_command(_command)


def main(args: Sequence[str] | None = None) -> None:
    """The console script: SIGTERM ends the run like Ctrl-C does (temporary files removed)."""
    try:
        signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread
        pass
    try:
        cli.main(args=list(args) if args is not None else None, prog_name="kfor-kg")
    except Terminated:  # before or after a command ran (KforGroup handles it during one)
        sys.exit(143)


if __name__ == "__main__":
    main()
