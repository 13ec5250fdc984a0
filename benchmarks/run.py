"""kfor-kg's benchmark (issue 11): build speed against bare spaCy, memory, cache, queries.

    python benchmarks/run.py --small 200 --large 2000 --incremental 250 \
        --stores 1000,10000 --workdir /tmp/kfor-bench

Not a test: it takes minutes and its figures depend on the machine. Every
step runs in one invocation, so the ratios compare runs made side by side:

1. N distinct reports made from the examples (benchmarks/corpus.py).
2. Bare spaCy: the full en_core_web_sm pipeline (`nlp.pipe`, 1 process) on the
   texts the build gives spaCy, model load included, in its own process.
3. `kfor-kg build` (entities, events, SHACL, Turtle; no cache) with 1 and 2
   worker processes on the small corpus; peak memory of the small and the
   large corpus (2 processes: the build process and its largest worker).
4. Incremental: a cached build of the `--incremental` corpus, one report
   changed, built again.
5. Every shipped query on an on-disk Oxigraph store of each `--stores` size,
   and from a Turtle file of 100 documents (load included). The large stores
   are synthesised: the built small corpus's N-Quads are re-minted
   (`/doc/KEY` → `/doc/cN-KEY`) until the size is reached, instead of running
   the NLP 10,000 times; shared nodes are the same in every copy.

Prints a Markdown table (paste it into docs/performance.md) and writes
`results.json` in the work folder.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHIPPED = ("kfor_kg", "ontology", "shapes", "queries", "examples")
REUSE = False


def snapshot(work: Path) -> Path:
    """A copy of the package and its data, so that edits made meanwhile cannot change the runs
    (the document cache is keyed by every file of the package)."""
    src = work / "src"
    for name in SHIPPED:
        shutil.copytree(REPO / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    return src


def measured(work: Path, name: str, *args: str) -> dict[str, Any]:
    """Run measure.py with `args` in a new process; its figures plus the wall time."""
    result = work / f"{name}.json"
    if REUSE and result.exists():  # --reuse: a step that already ran well is not run again
        earlier: dict[str, Any] = json.loads(result.read_text())
        if not earlier.get("exit") and "wall_s" in earlier:
            print(f"  {name}: reused", file=sys.stderr)
            return earlier
    env = dict(os.environ, PYTHONPATH=str(work / "src"))
    started = time.perf_counter()
    run = subprocess.run([sys.executable, str(HERE / "measure.py"), str(result), *args],
                         capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    if run.returncode != 0 or not result.exists():
        raise SystemExit(f"{name} failed ({run.returncode}):\n{run.stderr[-2000:]}")
    figures: dict[str, Any] = json.loads(result.read_text())
    if figures.get("exit"):
        raise SystemExit(f"{name}: kfor-kg exited {figures['exit']}:\n{run.stderr[-2000:]}")
    figures["wall_s"] = wall
    result.write_text(json.dumps(figures))
    print(f"  {name}: {wall:.1f} s", file=sys.stderr)
    return figures


def build(work: Path, name: str, folder: Path, output: Path, *options: str) -> dict[str, Any]:
    return measured(work, name, "build", str(folder), "-o", str(output), "-q", *options)


def query_params(store: Any) -> dict[str, dict[str, str]]:
    """Values for the required parameters of the shipped queries, taken from the data."""
    rows = list(store.query("PREFIX kfor: <https://w3id.org/kfor-kg/ontology#> "
                            "SELECT ?p WHERE { ?p a kfor:Person } ORDER BY ?p LIMIT 1",
                            use_default_graph_as_union=True))
    person = rows[0][0].value if rows else "https://w3id.org/kfor-kg/id/person/none"
    return {"evidence": {"node": person}, "signed_in_year": {"year": "2018"}}


def shipped_queries(store: Any) -> Iterator[tuple[str, Any, Any]]:
    """Each shipped query's name, spec and bindings (parameters taken from `store`)."""
    from kfor_kg.stores import query

    params = query_params(store)
    for name in query.shipped_queries():
        spec = query.load_query(name)
        yield name, spec, query.bind_params(spec, params.get(name, {}))


def time_queries(store: Any, repeat: int = 3) -> dict[str, dict[str, float]]:
    """Median seconds (and rows) of each shipped query on an open store (runs of over 1 s: once)."""
    from kfor_kg.stores import query

    timings: dict[str, dict[str, float]] = {}
    for name, spec, bindings in shipped_queries(store):
        started = time.perf_counter()
        rows = len(query.run_store(spec, store, bindings).rows)
        runs = [time.perf_counter() - started]
        for _ in range(repeat if runs[0] < 1 else 0):  # a slow query is timed once
            started = time.perf_counter()
            query.run_store(spec, store, bindings)
            runs.append(time.perf_counter() - started)
        timings[name] = {"s": statistics.median(runs), "rows": rows}
    return timings


def synthesise_store(nquads: Path, documents_built: int, size: int, directory: Path) -> float:
    """An on-disk store of `size` documents made by re-minting the built ones; returns seconds."""
    import pyoxigraph as ox

    payload = nquads.read_bytes()
    started = time.perf_counter()
    store = ox.Store(str(directory))
    copies = max(1, size // documents_built)
    for copy in range(copies):
        minted = payload.replace(b"/id/doc/", b"/id/doc/c%d-" % copy)
        store.bulk_load(input=minted, format=ox.RdfFormat.N_QUADS)
    store.flush()
    store.optimize()
    del store
    return time.perf_counter() - started


def file_queries(turtle: Path) -> dict[str, dict[str, float]]:
    """Each shipped query from a Turtle file, loading it every time (in this process)."""
    from kfor_kg.stores import query

    timings: dict[str, dict[str, float]] = {}
    for name, spec, bindings in shipped_queries(query.load(turtle)):
        started = time.perf_counter()
        rows = len(query.run_store(spec, query.load(turtle), bindings).rows)
        timings[name] = {"s": time.perf_counter() - started, "rows": rows}
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--large", type=int, default=2000, help="0: skip the large build")
    parser.add_argument("--incremental", type=int, default=250, help="0: skip")
    parser.add_argument("--stores", default="1000,10000", help="store sizes, comma-separated; '' skips")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kfor-bench"))
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the work folder of an interrupted run and skip the steps it finished")
    args = parser.parse_args()
    work: Path = args.workdir
    global REUSE
    REUSE = args.reuse and (work / "src").is_dir()
    if not REUSE:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        snapshot(work)
    sys.path.insert(0, str(work / "src"))
    sys.path.insert(0, str(HERE))
    from corpus import generate
    results: dict[str, Any] = {"machine": f"{platform.machine()}, {platform.python_version()}, "
                                          f"{os.cpu_count()} cores"}

    print(f"corpus of {args.small}", file=sys.stderr)
    small = work / "small"
    if not (REUSE and small.is_dir()):
        generate(args.small, small)
    results["bare"] = measured(work, "bare", "bare", str(small))
    results["build1"] = build(work, "build-1-process", small, work / "small-1.ttl", "--no-cache")
    small_cache = work / "small-cache"  # empty: the same work as --no-cache, kept for the queries
    results["build2"] = build(work, "build-2-processes", small, work / "small-2.ttl",
                              "--cache-dir", str(small_cache), "--n-process", "2")
    same = (work / "small-1.ttl").read_bytes() == (work / "small-2.ttl").read_bytes()
    results["identical_1_2"] = same
    if args.large:
        print(f"corpus of {args.large}", file=sys.stderr)
        large = work / "large"
        generate(args.large, large)
        results["large"] = build(work, "build-large-2-processes", large, work / "large.ttl",
                                 "--no-cache", "--n-process", "2")
        shutil.rmtree(large)
        (work / "large.ttl").unlink()
    if args.incremental:
        print(f"incremental, {args.incremental}", file=sys.stderr)
        folder = work / "incremental"
        generate(args.incremental, folder)
        cache = work / "cache"
        shutil.rmtree(work / "cache", ignore_errors=True)
        results["full"] = build(work, "cached-full", folder, work / "inc.ttl", "--cache-dir", str(cache),
                                "--n-process", "2")
        changed = sorted(folder.iterdir())[args.incremental // 2]
        changed.write_text(changed.read_text(encoding="utf-8") + "\nAnnex II\n", encoding="utf-8")
        (work / "rebuild-one-changed.json").unlink(missing_ok=True)
        results["rebuild"] = build(work, "rebuild-one-changed", folder, work / "inc.ttl",
                                   "--cache-dir", str(cache), "--n-process", "2")
    sizes = [int(s) for s in args.stores.split(",") if s.strip()]
    if sizes:
        print("queries", file=sys.stderr)
        build(work, "small-nq", small, work / "small.nq", "--cache-dir", str(small_cache))
        hundred = work / "hundred"
        hundred.mkdir(exist_ok=True)
        for path in sorted(small.iterdir())[:100]:
            shutil.copy(path, hundred / path.name)
        build(work, "hundred-ttl", hundred, work / "hundred.ttl", "--cache-dir", str(small_cache))
        results["file100"] = file_queries(work / "hundred.ttl")
        import pyoxigraph as ox

        results["stores"] = {}
        for size in sizes:
            directory = work / f"store-{size}"
            shutil.rmtree(directory, ignore_errors=True)
            seconds = synthesise_store(work / "small.nq", args.small, size, directory)
            store = ox.Store.read_only(str(directory))
            results["stores"][str(size)] = {"load_s": seconds, "quads": len(store),
                                            "queries": time_queries(store)}
            del store
            shutil.rmtree(directory)
    (work / "results.json").write_text(json.dumps(results, indent=2))
    print(table(results, args))
    if not args.keep:
        for path in work.iterdir():
            if path.name not in ("results.json",):
                shutil.rmtree(path) if path.is_dir() else path.unlink()


def table(r: dict[str, Any], args: argparse.Namespace) -> str:
    """The results as Markdown."""
    n = args.small
    bare = r["bare"]["load_s"] + r["bare"]["pipe_s"]
    b1, b2 = r["build1"]["wall_s"], r["build2"]["wall_s"]
    lines = [f"Machine: {r['machine']}.", "",
             "| measure | figure |", "|---|---|",
             f"| bare spaCy, full en_core_web_sm ({r['bare']['pipes']} pipes), {n} reports, "
             f"1 process | {bare:.1f} s (load {r['bare']['load_s']:.1f} s + pipe "
             f"{r['bare']['pipe_s']:.1f} s; {r['bare']['tokens'] / r['bare']['pipe_s']:,.0f} tokens/s) |",
             f"| `kfor-kg build`, {n} reports, 1 process (entities, events, SHACL, Turtle) | {b1:.1f} s "
             f"→ bare spaCy / build = **{bare / b1:.2f}** |",
             f"| `kfor-kg build --n-process 2`, {n} reports | {b2:.1f} s → speed-up **{b1 / b2:.2f}×**; "
             f"same bytes as 1 process: {r['identical_1_2']} |",
             f"| peak memory, {n} reports, 1 process | {r['build1']['self_mb']:.0f} MB |",
             f"| peak memory, {n} reports, 2 processes (main + largest worker) | "
             f"{r['build2']['self_mb']:.0f} + {r['build2']['children_mb']:.0f} MB |"]
    if "large" in r:
        large = r["large"]
        ratio = (large["self_mb"] + large["children_mb"]) / (r["build2"]["self_mb"] + r["build2"]["children_mb"])
        lines.append(f"| peak memory, {args.large} reports, 2 processes (main + largest worker) | "
                     f"{large['self_mb']:.0f} + {large['children_mb']:.0f} MB → "
                     f"{args.large} / {n} = **{ratio:.2f}×**; build {large['wall_s']:.0f} s |")
    if "rebuild" in r:
        full, again = r["full"]["wall_s"], r["rebuild"]["wall_s"]
        lines.append(f"| {args.incremental} reports, cached build, 2 processes | {full:.1f} s |")
        lines.append(f"| the same after changing one report | {again:.1f} s = **{100 * again / full:.1f} %** "
                     "of the full build |")
    if "file100" in r:
        hundred = min(100, n)
        lines += ["", f"| query | rows ({hundred} docs) | Turtle file of {hundred} docs, load included |"
                  + "".join(f" store of {s} docs (rows) |" for s in r["stores"]),
                  "|---|---|---|" + "---|" * len(r["stores"])]
        for name, timing in r["file100"].items():
            cells = "".join(f" {1000 * st['queries'][name]['s']:.0f} ms ({st['queries'][name]['rows']:.0f}) |"
                            for st in r["stores"].values())
            lines.append(f"| {name} | {timing['rows']:.0f} | {1000 * timing['s']:.0f} ms |{cells}")
        lines.append("")
        lines += [f"Store of {s} docs: {st['quads']:,} quads, made in {st['load_s']:.0f} s."
                  for s, st in r["stores"].items()]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
