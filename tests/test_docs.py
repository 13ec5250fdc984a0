"""The README documents every command, and the CI script runs the README's commands."""

from __future__ import annotations

import re
from pathlib import Path

from kfor_kg.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_has_help_and_a_readme_section() -> None:
    for name, command in cli.commands.items():
        assert command.help, f"kfor-kg {name} has no help text"
        assert re.search(rf"^### `kfor-kg {name}\b", README, re.M), f"README has no section for {name}"


def test_ci_runs_the_readme_install_and_test_commands() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install . && kfor-kg build" in README and "pip install --quiet ." in ci
    assert "python -m pytest" in README and "python -m pytest" in ci
