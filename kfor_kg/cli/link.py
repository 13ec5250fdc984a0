"""`kfor-kg link`: Wikidata links (kfor_kg.linking.link)."""

from __future__ import annotations

from pathlib import Path

import click

from kfor_kg.cli.store import retries_option, timeout_option
from kfor_kg.cli.streams import is_stdio, write_stdout
from kfor_kg.linking.wikidata import DEFAULT_ENDPOINT, DEFAULT_MIN_INTERVAL


def review_file_for(graph: Path) -> Path:
    """The default review file next to a graph file: NAME.wikidata-review.csv."""
    return graph.with_name(f"{graph.stem}.wikidata-review.csv")


@click.command("link")
@click.argument("graph", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="Where to write the linked graph (default: overwrite GRAPH; `-`: standard "
                   "output, in GRAPH's format).")
@click.option("--endpoint", envvar="KFOR_KG_WIKIDATA_ENDPOINT", default=DEFAULT_ENDPOINT,
              show_default=True, help="Wikidata SPARQL endpoint (env KFOR_KG_WIKIDATA_ENDPOINT).")
@click.option("--offline", is_flag=True, help="Use only the alignment table and the cache.")
@click.option("--review-file", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of ambiguous entities and your decisions "
                   "(default: OUTPUT's name + .wikidata-review.csv).")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              envvar="KFOR_KG_CACHE_DIR",
              help="Response cache (env KFOR_KG_CACHE_DIR; default $XDG_CACHE_HOME/kfor-kg/wikidata).")
@click.option("--min-interval", type=click.FloatRange(min=0), default=DEFAULT_MIN_INTERVAL,
              show_default=True, help="Seconds between two requests.")
@timeout_option()
@retries_option()
@click.option("-q", "--quiet", is_flag=True, help="No summary.")
def link_cli(graph: Path, output: Path | None, endpoint: str, offline: bool,
             review_file: Path | None, cache_dir: Path | None, min_interval: float,
             timeout: float, retries: int, quiet: bool) -> None:
    """Link people, organizations, places and resolutions to Wikidata.

    The reviewed alignment table comes first; the reconciler looks up the rest
    by label and alias, checks types and dates, and writes only confident links.
    Ambiguous entities go to the review file: put a QID (or `none`) in its
    `decision` column and the next run applies it.

    Example:

        kfor-kg link kfor.trig --offline
    """
    from kfor_kg.linking import link

    to_stdout = is_stdio(output)
    target = graph if output is None or to_stdout else output
    options = link.LinkOptions(endpoint=endpoint, offline=offline, cache_dir=cache_dir,
                               min_interval=min_interval, timeout=timeout, max_retries=retries,
                               review_file=review_file or review_file_for(target))
    if to_stdout:
        from kfor_kg.rdf import export

        data = export.read(graph)
        report = link.link_graph(data, options)
        write_stdout(export.serialize(data, export.format_for_path(graph)))
    else:
        report = link.link_file(graph, output, options)
    if not quiet:
        shown = "the graph to standard output" if to_stdout else target
        click.echo(f"Wrote {shown}: {report.summary()}.", err=True)
