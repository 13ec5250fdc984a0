"""The docs cannot drift: every ```console block of README.md and docs/*.md is re-run and
compared (tests/docs_console.py; `python tests/docs_console.py --update` rewrites them), the
README documents every command and every shipped query's columns, and CI runs its commands."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from kfor_kg.cli import cli
from kfor_kg.stores import query

sys.path.insert(0, str(Path(__file__).resolve().parent))
import docs_console  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
WITH_CONSOLE = [p for p in docs_console.DOCS if any(b.commands for b in docs_console.read_blocks(p))]


def test_every_command_has_help_and_a_readme_section() -> None:
    for name, command in cli.commands.items():
        assert command.help, f"kfor-kg {name} has no help text"
        assert re.search(rf"^### `kfor-kg {name}\b", README, re.M), f"README has no section for {name}"


def test_ci_runs_the_readme_install_and_test_commands() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install . && kfor-kg build" in README and "pip install --quiet ." in ci
    assert "python -m pytest" in README and "python -m pytest" in ci


def test_readme_lists_the_columns_of_every_shipped_query() -> None:
    listed = {m.group(1): [c.strip() for c in m.group(2).split(",")]
              for m in re.finditer(r"^\| `(\w+)`[^|]*\| ([\w, ]+) \|$", README, re.M)}
    for name in query.shipped_queries():
        spec = query.load_query(name)
        columns = query.columns_of(spec)
        assert listed.get(name) == columns, f"README's column table for {name}"


@pytest.mark.server
@pytest.mark.parametrize("path", WITH_CONSOLE, ids=[p.name for p in WITH_CONSOLE])
def test_console_blocks_print_what_they_show(path: Path) -> None:
    drifts = docs_console.run_file(path)
    report = "\n\n".join(f"{d.where}: $ {d.command}\n{d.diff}" for d in drifts)
    assert not drifts, (f"{len(drifts)} transcript(s) drifted; after checking the diff, "
                        f"run `python tests/docs_console.py --update {docs_console._shown(path)}`:"
                        f"\n\n{report}")


# --- the transcript reader and writer ------------------------------------------------------

SAMPLE = """# Doc

```console
$ echo one
one
$ false
(exit code 1)
```

```console
# not re-run: needs a Wikidata endpoint
$ kfor-kg link kfor.trig
```

```console
$ printf 'a\\nb\\nc\\n' && \\
  echo d
a
…
```

```python
print("hi")
```
"""


def test_blocks_are_read_and_written_back_unchanged(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(SAMPLE, encoding="utf-8")
    first, skipped, shortened, python = docs_console.read_blocks(doc)
    assert [(c.text, c.expected, c.exit_code) for c in first.commands] == [
        ("echo one", ["one"], 0), ("false", [], 1)]
    assert skipped.skip == "needs a Wikidata endpoint" and not skipped.commands
    assert shortened.commands[0].text == "printf 'a\\nb\\nc\\n' && \\\n  echo d"
    assert shortened.commands[0].truncated and shortened.commands[0].expected == ["a"]
    assert python.python
    lines = SAMPLE.splitlines()
    for block in (first, shortened):
        assert docs_console.render(block) == lines[block.start:block.end + 1]


def test_a_drifted_transcript_is_found_and_rewritten(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(SAMPLE.replace("$ echo one\none", "$ echo one\ntwo"), encoding="utf-8")
    [drift] = docs_console.run_file(doc)
    assert drift.command == "echo one" and "-two" in drift.diff and "+one" in drift.diff
    assert docs_console.run_file(doc, update=True)
    assert doc.read_text(encoding="utf-8") == SAMPLE
    assert docs_console.run_file(doc) == []


def test_a_failing_python_block_is_reported(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("```console\n$ true\n```\n\n```python\nraise SystemExit(4)\n```\n", encoding="utf-8")
    [drift] = docs_console.run_file(doc)
    assert drift.command == "(the python block)"


def test_only_timings_and_paths_are_ignored() -> None:
    assert docs_console.masked(["Building: 100%|██| 5/5 [00:09<00:00,  1.87s/doc]", "took 1.5 s"]) == \
        docs_console.masked(["Building: 100%|██| 5/5 [00:02<00:00,  2.24doc/s]", "took 12 s"])
    assert docs_console.masked(["5 documents"]) != docs_console.masked(["6 documents"])
    session = docs_console.Session()
    try:
        shown = session.clean(f"50%\r100%\nwrote {session.folder}/kfor.ttl from {docs_console.ROOT}/x\n\n")
        assert shown == ["100%", f"wrote kfor.ttl from {docs_console.ROOT_SHOWN}/x"]
        # An installed wheel keeps the ontology in site-packages: shown as in a checkout.
        session.installed = [("/venv/site-packages/kfor_kg/ontology", str(docs_console.ROOT / "ontology"))]
        assert session.clean("ontology: /venv/site-packages/kfor_kg/ontology") == \
            [f"ontology: {docs_console.ROOT_SHOWN}/ontology"]
    finally:
        session.close()


def test_the_updater_keeps_edits_made_while_it_ran(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("```console\n$ echo one\n```\n", encoding="utf-8")
    run = docs_console.Session.run

    def edit_meanwhile(self: docs_console.Session, command: str) -> tuple[list[str], int]:
        doc.write_text("# Added meanwhile\n\n" + doc.read_text(encoding="utf-8"), encoding="utf-8")
        return run(self, command)

    monkeypatch.setattr(docs_console.Session, "run", edit_meanwhile)
    docs_console.run_file(doc, update=True)
    assert doc.read_text(encoding="utf-8") == "# Added meanwhile\n\n```console\n$ echo one\none\n```\n"
