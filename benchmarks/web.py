"""Benchmark of `kfor-kg stats`, `plot` and `serve` on a build: seconds per figure set,
per chart and per page (the first answer, then the median of the cached ones), and the
process's peak memory.

    python benchmarks/web.py [--data kfor.ttl] [--rounds 20]

Without --data the five example reports are built first (not timed).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

from kfor_kg import plot, stats
from kfor_kg.build import BuildOptions, build, example_reports
from kfor_kg.rdf import export
from kfor_kg.web import make_site
from kfor_kg.web.app import create_app

PAGES = ["/", "/doc/letter-2021-03-05", "/entity/person/jens-stoltenberg",
         "/entity/organization/kfor", "/events", "/troops", "/troops.svg",
         "/queries/signed_in_year?year=2017", "/queries/mentions.csv"]


def timed(action: object) -> float:
    start = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data = args.data
        if data is None:
            data = Path(folder) / "kfor.ttl"
            export.write(build([example_reports()], BuildOptions()).dataset, data)
        load = timed(lambda: stats.Corpus(data).graph)
        corpus = stats.Corpus(data)
        _ = corpus.graph
        print(f"{data}: {data.stat().st_size:,} bytes, loaded in {load:.3f} s")
        figures = [timed(lambda: stats.compute(corpus)) for _ in range(args.rounds)]
        print(f"stats.compute: median {statistics.median(figures):.3f} s")
        for chart in plot.CHARTS:
            for fmt in plot.PLOT_FORMATS:
                runs = [timed(lambda: plot.render(chart, corpus, fmt)) for _ in range(5)]
                print(f"plot {chart} {fmt}: first {runs[0]:.3f} s, median {statistics.median(runs):.3f} s")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from starlette.testclient import TestClient
        client = TestClient(create_app(make_site(corpus)))
        for page in PAGES:
            first = timed(lambda: client.get(page).raise_for_status())
            again = [timed(lambda: client.get(page)) for _ in range(args.rounds)]
            print(f"page {page:<40} first {first:.3f} s, then median {statistics.median(again):.4f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS, this process incl. the build): {peak:.0f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
