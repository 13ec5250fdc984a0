"""Issue 13, the reliability audit: errors end as one line, signals, deadlines, hygiene.

Each test names its audit case. Servers are local (127.0.0.1) and timeouts tiny;
no test asserts a wall-clock duration.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from kfor_kg.cli import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "reports"


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner(env=env).invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def one_error_line(stderr: str) -> str:
    """The stderr of a failed command: exactly one `Error: [K…]` line and no traceback."""
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, stderr
    assert errors[0].startswith("Error: [K"), errors[0]
    return errors[0]


# --- case 11: any uncaught exception is one line, exit 3; -v adds the traceback ---------------

def test_case11_unexpected_exception_is_one_line_and_exit_3(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kfor_kg.rdf import validate

    def broken(*_args: object, **_kwargs: object) -> None:
        raise TypeError("'NoneType' object is not subscriptable")

    monkeypatch.setattr(validate, "validate", broken)
    graph = tmp_path / "g.ttl"
    graph.write_text("<http://x.org/a> <http://x.org/b> <http://x.org/c> .\n")
    code, _out, err = run("validate", str(graph))
    assert code == 3
    line = one_error_line(err)
    assert "[K099]" in line and "TypeError" in line and "-v" in line

    code, _out, err = run("-v", "validate", str(graph))
    assert code == 3
    assert "Traceback (most recent call last)" in err
    assert "in broken" in err


def test_case11_help_is_h_too() -> None:
    code, out, _err = run("-h")
    assert code == 0 and "--verbose" in out and "-h, --help" in out
    code, out, _err = run("validate", "-h")
    assert code == 0 and "Usage:" in out


def test_case11_global_quiet_reaches_the_command(tmp_path: Path) -> None:
    out = tmp_path / "k.ttl"
    code, _out, err = run("-q", "build", "--no-entities", "-o", str(out), str(EXAMPLES))
    assert code == 0 and out.exists()
    assert "Wrote" not in err


# --- case 4: signals during the write clean up and exit 130 / 143 ------------------------------

SIGNAL_DURING_WRITE = textwrap.dedent("""
    import os, signal, sys
    from kfor_kg import files
    from kfor_kg.cli import main

    real_fsync = files.os.fsync
    def interrupted_fsync(fd):
        os.kill(os.getpid(), getattr(signal, sys.argv[1]))
        real_fsync(fd)
    files.os.fsync = interrupted_fsync
    main(sys.argv[2:])
""")


@pytest.mark.parametrize("name,code", [("SIGINT", 130), ("SIGTERM", 143)])
def test_case4_signal_during_the_write_leaves_no_tmp_and_the_old_output(
        tmp_path: Path, name: str, code: int) -> None:
    out = tmp_path / "kfor.ttl"
    out.write_text("# the previous good build\n")
    done = subprocess.run(
        [sys.executable, "-c", SIGNAL_DURING_WRITE, name, "build", "--no-entities", "-q",
         "-o", str(out), str(EXAMPLES)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == code, done.stderr
    assert one_error_line(done.stderr).startswith("Error: [K098] interrupted by " + name)
    assert out.read_text() == "# the previous good build\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kfor.ttl"]
