"""The one atomic file writer."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kfor_kg import files
from kfor_kg.files import write_atomic


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_writes_bytes_and_text_with_the_usual_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    assert write_atomic(target, b"\x00\x01") == target
    assert target.read_bytes() == b"\x00\x01"
    write_atomic(target, "Thaçi\n")
    assert target.read_bytes() == "Thaçi\n".encode("utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~_umask()
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_failure_keeps_the_old_file_and_removes_the_temp_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "review.csv"
    target.write_text("old")

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["review.csv"]


def test_missing_directory_raises_unless_asked_to_make_it(tmp_path: Path) -> None:
    target = tmp_path / "cache" / "deep" / "q.json"
    with pytest.raises(FileNotFoundError):
        write_atomic(target, "{}")
    write_atomic(target, "{}", make_parents=True)
    assert target.read_text() == "{}"


def test_relative_path_in_the_current_directory(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_atomic("plain.txt", "x")
    assert (tmp_path / "plain.txt").read_text() == "x"
