"""Run one measured step in its own process and report its peak memory (used by run.py).

    python benchmarks/measure.py RESULT.json build ARGS...   # `kfor-kg build ARGS...`
    python benchmarks/measure.py RESULT.json bare FOLDER     # spaCy alone on the same texts

RESULT.json receives the peak RSS of this process and the largest of its
children (worker processes), in MB, and for `bare` the seconds spent loading
the model and in `nlp.pipe`.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def _peaks() -> dict[str, float]:
    return {"self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def bare(folder: Path) -> dict[str, float]:
    """The full en_core_web_sm pipeline, nothing else, over the texts the build gives spaCy."""
    import spacy

    from kfor_kg.nlp.pipeline import resolve_model
    from kfor_kg.text import ingest

    texts = [ingest.load(path).text for path in ingest.iter_report_files([folder])]
    started = time.perf_counter()
    nlp = spacy.load(resolve_model(None))
    loaded = time.perf_counter()
    tokens = sum(len(doc) for doc in nlp.pipe(texts))
    done = time.perf_counter()
    return {"load_s": loaded - started, "pipe_s": done - loaded, "tokens": tokens,
            "pipes": len(nlp.pipe_names)}


def main() -> None:
    result_file, step, *args = sys.argv[1:]
    outcome: dict[str, float] = {}
    try:
        if step == "bare":
            outcome = bare(Path(args[0]))
        else:
            from kfor_kg.cli import main as cli

            sys.argv = ["kfor-kg", step, *args]
            try:
                cli()
            except SystemExit as exit_:
                outcome["exit"] = float(exit_.code or 0)
    finally:
        Path(result_file).write_text(json.dumps({**outcome, **_peaks()}))


if __name__ == "__main__":
    main()
