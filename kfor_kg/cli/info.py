"""`kfor-kg info`: what a build here would record (versions), where the shipped data lives,
and which builds made a graph file (kfor_kg.rdf.provenance)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kfor_kg.cli.streams import is_stdio, read_rdf, require_data_format
from kfor_kg.rdf.export import FORMATS as RDF_FORMATS

_FOLDERS = ("ontology", "shapes", "queries", "examples/reports")


@click.command("info")
@click.option("--model", help="The spaCy pipeline to report on (default: the pinned one).")
@click.option("--data", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="Also list the builds recorded in this graph file (`-`: standard input).")
@click.option("--data-format", type=click.Choice(RDF_FORMATS),
              help="RDF format of --data (default: from its extension; needed with `--data -`).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
def info_cli(model: str | None, data: Path | None, data_format: str | None, fmt: str) -> None:
    """Print the versions a build records (kfor-kg, rules, spaCy pipeline and library),
    the data folders, and with --data the builds recorded in a graph.

    Example:

        kfor-kg info --data kfor.ttl
    """
    from kfor_kg.rdf import provenance
    from kfor_kg.resources import data_file, resource_dir

    require_data_format(data, data_format)
    here = provenance.installed_info(model)
    facts: dict[str, object] = {
        "kfor-kg": here.kfor_kg,
        "spacy": here.spacy,
        "pipeline": f"{here.pipeline} {here.pipeline_version}",
        "rules": here.rules,
        "data": str(data_file("")).rstrip("/"),
    }
    for name in _FOLDERS:
        facts[name] = str(resource_dir(name))
    builds: list[dict[str, str]] | None = None
    if data is not None:
        from kfor_kg.rdf.export import read

        builds = provenance.recorded(read_rdf(read, data, data_format))
    if fmt == "json":
        out = dict(facts)
        if builds is not None:
            out["builds"] = builds
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    width = max(len(key) for key in facts)
    for key, value in facts.items():
        click.echo(f"{key + ':':<{width + 1}}  {value}")
    if builds is None:
        return
    click.echo(f"\nBuilds recorded in {'<stdin>' if is_stdio(data) else data}: {len(builds) or 'none'}")
    for build in builds:
        click.echo(f"  {build['activity']}")
        shown = {key: value for key, value in build.items() if key not in ("activity", "label")}
        inner = max((len(key) for key in shown), default=0)
        for key, value in shown.items():
            click.echo(f"    {key + ':':<{inner + 1}}  {value}")
