"""rdflib against pyoxigraph, and pySHACL against the Rust `shacl` package, on the examples:
the figures docs/performance.md gives for parsing, three shipped queries and validation.

    kfor-kg build -q --no-cache -o /tmp/examples.ttl
    python benchmarks/engines.py /tmp/examples.ttl [--skip-rdflib-mentions]

Each step is timed once (seconds, wall clock); `mentions` on rdflib takes ~20 s.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def seconds(step: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = step()
    return time.perf_counter() - started, value


def parsing_and_queries(turtle: Path, skip: set[str]) -> None:
    """Parse `turtle` with each library, then run `documents`, `entities`, `mentions` on each."""
    from rdflib import Dataset

    from kfor_kg.stores import query

    took, graph = seconds(lambda: Dataset(default_union=True).parse(turtle, format="turtle"))
    print(f"parse rdflib      {took:.3f} s ({len(graph):,} triples)")
    took, store = seconds(lambda: query.load(turtle))
    print(f"parse pyoxigraph  {took:.3f} s ({len(store):,} quads)")
    for name in ("documents", "entities", "mentions"):
        text = query.with_values(query.load_query(name).text, {})
        oxi, rows = seconds(lambda: list(store.query(text, use_default_graph_as_union=True)))
        if name in skip:
            print(f"{name:<17} rdflib skipped, pyoxigraph {oxi:.3f} s ({len(rows)} rows)")
            continue
        lib, same = seconds(lambda: list(graph.query(text)))
        print(f"{name:<17} rdflib {lib:.3f} s ({len(same)} rows), pyoxigraph {oxi:.3f} s "
              f"({len(rows)} rows)")


def validators() -> None:
    """Each example report's graph through pySHACL and through `shacl`."""
    from rdflib import Dataset

    from kfor_kg.build import BuildOptions, build_document, example_reports
    from kfor_kg.rdf import validate

    validate.fast_conforms(b"")  # compiles the shapes once, outside the timings
    for report in sorted(example_reports().glob("*.txt")):
        built = build_document(report, BuildOptions())
        lines = built.own + built.other
        data = Dataset()
        data.parse(data=lines, format="nquads")
        slow, _ = seconds(lambda: validate.validate(data, validate.load_shapes(),
                                                    validate.load_ontology()))
        fast, _ = seconds(lambda: validate.fast_conforms(lines))
        print(f"{report.name:<22} pySHACL {slow:.3f} s, shacl {fast:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("turtle", type=Path, help="the Turtle output of the example build")
    parser.add_argument("--skip-rdflib-mentions", action="store_true")
    args = parser.parse_args()
    parsing_and_queries(args.turtle, {"mentions"} if args.skip_rdflib_mentions else set())
    validators()


if __name__ == "__main__":
    main()
