"""Re-run the ```console blocks of README.md and docs/*.md and compare, or rewrite, their output.

    python tests/docs_console.py            # check: exit 1 and a diff when a transcript drifted
    python tests/docs_console.py --update   # rewrite every transcript from real output
    python tests/docs_console.py --update README.md   # one file

A console block holds commands, each a line `$ COMMAND` (continued on the next
line after a trailing `\\`), followed by what it prints: stdout and stderr as a
terminal shows them (a progress bar in its final state). A last line
`(exit code N)` says the command exits N; without it the command must exit 0.
A line `…` ends a shortened transcript: only the lines before it are compared
(the updater keeps the same number of lines). A block whose first line is
`# not re-run: REASON` is left alone, and says why. A ```python block runs
too (as `python -` in the same folder) and must not fail; its output is not
compared.

The blocks of one file run in order, in one fresh temporary folder holding links
to the repository's `examples/` and `tests/`, with the `kfor-kg` of this Python
environment first on PATH. A block that talks to `http://127.0.0.1:7878` gets a
real Oxigraph server, empty when the file first needs it, on a free port (the
port is written back as 7878). Comparisons ignore only timings (progress-bar
times and rates, `N.N s`) and paths: the temporary folder's, and the
installation's (shown as in a source checkout at `~/kfor-kg`, whether kfor-kg
is installed from it in editable mode or as a wheel).
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SERVER = "http://127.0.0.1:7878"
ROOT_SHOWN = "~/kfor-kg"
TIMEOUT = 600  # seconds per command: a command that never ends (a server) fails, not hangs

_FENCE = re.compile(r"^```(console|python)\s*$")
_EXIT = re.compile(r"^\(exit code (\d+)\)$")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# Timings: tqdm's `[00:08<00:00,  1.66s/doc]`, click's `00:00:03`, and `1.2 s` / `340 ms`.
_TIMINGS = [
    (re.compile(r"\[[\d:?]+<[\d:?]+,\s*[\d.?]+\s*\S*/\S*\]"), "[TIME]"),
    (re.compile(r"\[[\d:?]+<[\d:?]+\]"), "[TIME]"),
    (re.compile(r"\b\d+(?:\.\d+)?\s?(?:ms|s)\b(?!/)"), "N s"),
    (re.compile(r"\b\d+(?:\.\d+)?\s?(?:s/doc|doc/s|it/s|s/it)\b"), "N/s"),
]


@dataclass
class Command:
    text: str
    expected: list[str] = field(default_factory=list)
    exit_code: int = 0
    truncated: bool = False


@dataclass
class Block:
    path: Path
    start: int                 # index of the ```console line
    end: int                   # index of the closing ``` line
    commands: list[Command]
    skip: str | None = None    # the reason it is not re-run
    python: bool = False       # a ```python block: run, must not fail; its output is not shown

    @property
    def where(self) -> str:
        return f"{_shown(self.path)}:{self.start + 1}"

    @property
    def needs_server(self) -> bool:
        return any(SERVER in c.text for c in self.commands)


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def read_blocks(path: Path) -> list[Block]:
    """The console blocks of a Markdown file, in order.

    Raises:
        ValueError: a block is not closed, or has output before its first command.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        fence = _FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i].rstrip() != "```":
            body.append(lines[i])
            i += 1
        if i == len(lines):
            raise ValueError(f"{path}:{start + 1}: the console block is not closed")
        block = Block(path, start, i, [], python=fence.group(1) == "python")
        if body and body[0].startswith("# not re-run:"):
            block.skip = body[0].removeprefix("# not re-run:").strip() or "no reason given"
        elif block.python:
            block.commands = [Command("python - <<'KFOR_DOCS_EOF'\n" + "\n".join(body)
                                      + "\nKFOR_DOCS_EOF")]
        else:
            block.commands = _commands(path, start, body)
        blocks.append(block)
        i += 1
    return blocks


def _commands(path: Path, start: int, body: list[str]) -> list[Command]:
    commands: list[Command] = []
    j = 0
    while j < len(body):
        line = body[j]
        if line.startswith("$ "):
            text = line[2:]
            while text.endswith("\\") and j + 1 < len(body):
                j += 1
                text = text + "\n" + body[j]
            commands.append(Command(text))
        elif not commands:
            raise ValueError(f"{path}:{start + 2 + j}: output before the first `$ command`")
        elif (match := _EXIT.match(line)) and (j == len(body) - 1 or body[j + 1].startswith("$ ")):
            commands[-1].exit_code = int(match.group(1))
        elif line == "…":
            commands[-1].truncated = True
        elif not commands[-1].truncated:
            commands[-1].expected.append(line)
        j += 1
    return commands


def render(block: Block) -> list[str]:
    """The lines of `block`, fences included, as the file should hold them."""
    out = ["```console"]
    for command in block.commands:
        out += ("$ " + command.text).split("\n")
        out += command.expected
        if command.truncated:
            out.append("…")
        if command.exit_code:
            out.append(f"(exit code {command.exit_code})")
    return out + ["```"]


class Session:
    """A temporary folder to run one file's blocks in, and a server when they need one."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="kfor-docs-"))
        for name in ("examples", "tests"):
            (self.folder / name).symlink_to(ROOT / name)
        bin_dir = str(Path(sys.executable).parent)
        self.env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
                    "PYTHONUNBUFFERED": "1", "PYTHONHASHSEED": "0", "NO_COLOR": "1",
                    "TERM": "dumb", "COLUMNS": "100", "LC_ALL": "C.UTF-8",
                    "KFOR_KG_CACHE_DIR": str(self.folder / ".cache")}
        self.server: object | None = None
        self.server_url = SERVER
        self.installed = self._installed_paths()

    def _installed_paths(self) -> list[tuple[str, str]]:
        """Where the `kfor-kg` being run keeps its package and data, and where a source
        checkout keeps them: an installed wheel prints the first, the docs show the second."""
        script = ("from kfor_kg.resources import resource_dir, _PACKAGE\n"
                  "print(_PACKAGE)\n"
                  "for name in ('ontology', 'shapes', 'queries', 'examples/reports'):\n"
                  "    print(resource_dir(name))\n")
        found = subprocess.run([sys.executable, "-c", script], cwd=self.folder, env=self.env,
                               capture_output=True, text=True, timeout=TIMEOUT).stdout.split()
        if len(found) != 5:
            return []
        wanted = [ROOT / "kfor_kg", ROOT / "ontology", ROOT / "shapes", ROOT / "queries",
                  ROOT / "examples" / "reports"]
        pairs = [(actual, str(checkout)) for actual, checkout in zip(found, wanted)
                 if actual != str(checkout)]
        return sorted(pairs, key=lambda pair: -len(pair[0]))

    def start_server(self) -> None:
        if self.server is not None:
            return
        sys.path.insert(0, str(ROOT / "tests"))
        from servers import OxigraphServer

        server = OxigraphServer(self.folder / ".oxigraph").start()
        self.server, self.server_url = server, server.base_url

    def run(self, command: str) -> tuple[list[str], int]:
        """Run one command; its output as a terminal shows it, paths and port written back."""
        text = command if command.startswith("python - <<") else command.replace("\\\n", " ")
        if self.server is not None:
            text = text.replace(SERVER, self.server_url)
        try:
            done = subprocess.run(["bash", "-o", "pipefail", "-c", text], cwd=self.folder,
                                  env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return [f"(did not end within {TIMEOUT} s; mark the block `# not re-run: REASON`)"], -1
        return self.clean(done.stdout.decode("utf-8", "replace")), done.returncode

    def clean(self, output: str) -> list[str]:
        lines = []
        for raw in output.split("\n"):
            shown = [part for part in raw.split("\r") if part.strip()]
            line = _ANSI.sub("", shown[-1] if shown else "")
            line = line.replace(str(self.folder) + "/", "").replace(str(self.folder), ".")
            for actual, checkout in self.installed:
                line = line.replace(actual, checkout)
            line = line.replace(str(ROOT), ROOT_SHOWN)
            if self.server is not None:
                line = line.replace(self.server_url, SERVER)
            lines.append(line.rstrip())
        while lines and not lines[-1]:
            lines.pop()
        return lines

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()  # type: ignore[attr-defined]
        shutil.rmtree(self.folder, ignore_errors=True)


def masked(lines: list[str]) -> list[str]:
    """Lines with every timing replaced by a placeholder."""
    out = []
    for line in lines:
        for pattern, placeholder in _TIMINGS:
            line = pattern.sub(placeholder, line)
        out.append(line.rstrip())
    return out


@dataclass
class Drift:
    where: str
    command: str
    diff: str


def run_file(path: Path, update: bool = False) -> list[Drift]:
    """Run every block of `path`; with `update`, rewrite the file from the real output."""
    original = path.read_text(encoding="utf-8").splitlines()
    blocks = read_blocks(path)
    if not any(b.commands for b in blocks):
        return []
    drifts: list[Drift] = []
    session = Session()
    try:
        for block in blocks:
            if block.skip:
                continue
            if block.needs_server:
                session.start_server()
            for command in block.commands:
                actual, code = session.run(command.text)
                if block.python:
                    if code:
                        drifts.append(Drift(block.where, "(the python block)", "\n".join(actual)))
                    continue
                shown = actual[:len(command.expected)] if command.truncated else actual
                if masked(shown) != masked(command.expected) or code != command.exit_code:
                    expected = command.expected + ([] if not command.exit_code
                                                   else [f"(exit code {command.exit_code})"])
                    got = shown + ([] if not code else [f"(exit code {code})"])
                    # Timings masked here too, so the diff shows only what counts.
                    diff = "\n".join(difflib.unified_diff(masked(expected), masked(got), "documented",
                                                          "actual", lineterm="", n=2))
                    drifts.append(Drift(block.where, command.text, diff))
                    if update and code >= 0:  # a command that timed out is never written down
                        command.expected, command.exit_code = shown, code
    finally:
        session.close()
    if update and drifts:
        _rewrite(path, original, [b for b in blocks if not b.skip and not b.python])
    return drifts


def _rewrite(path: Path, original: list[str], blocks: list[Block]) -> None:
    """Put the blocks' new text into `path` as it is now: the file may have been edited while
    the commands ran, so each block is found again by its old text (and skipped, with a
    warning, if that text is no longer there exactly once)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for block in reversed(blocks):
        old = original[block.start:block.end + 1]
        found = [i for i in range(len(lines) - len(old) + 1) if lines[i:i + len(old)] == old]
        if len(found) != 1:
            print(f"{block.where}: the block changed while it ran; not rewritten", file=sys.stderr)
            continue
        lines[found[0]:found[0] + len(old)] = render(block)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="Markdown files (default: README.md, docs/*.md)")
    parser.add_argument("--update", action="store_true", help="rewrite the transcripts from real output")
    args = parser.parse_args(argv)
    files = [f.resolve() for f in args.files] or DOCS
    total = 0
    for path in files:
        drifts = run_file(path, update=args.update)
        total += len(drifts)
        for drift in drifts:
            print(f"{drift.where}: $ {drift.command}\n{drift.diff}\n", file=sys.stderr)
        verb = "rewrote" if args.update else "drifted"
        print(f"{_shown(path)}: {len(drifts)} transcript(s) {verb}", file=sys.stderr)
    return 0 if args.update or not total else 1


if __name__ == "__main__":
    sys.exit(main())
