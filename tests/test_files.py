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


# --- issue 13, case 2: symlinks are written through, special files refused ----------------

def test_symlink_is_written_through_to_its_target(tmp_path: Path) -> None:
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    target = real_dir / "kfor.ttl"
    target.write_text("stale")
    target.chmod(0o640)
    link = tmp_path / "kfor.ttl"
    link.symlink_to(target)
    write_atomic(link, "fresh")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "fresh"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # a replaced file keeps its mode
    assert sorted(p.name for p in real_dir.iterdir()) == ["kfor.ttl"]  # the temp file was there


def test_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "out.ttl"
    link.symlink_to(tmp_path / "made.ttl")
    write_atomic(link, "x")
    assert link.is_symlink() and (tmp_path / "made.ttl").read_text() == "x"


def _device(tmp_path: Path) -> Path:
    """A character device like /dev/null: made in tmp_path as root (never risk the real one)."""
    if os.geteuid() != 0:
        return Path("/dev/null")  # not replaceable without root anyway
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return device


@pytest.mark.parametrize("kind", ["directory", "fifo", "device", "symlink to device"])
def test_special_files_are_refused_and_left_alone(tmp_path: Path, kind: str) -> None:
    if kind == "directory":
        path = tmp_path / "out.ttl"
        path.mkdir()
    elif kind == "fifo":
        path = tmp_path / "out.ttl"
        os.mkfifo(path)
    else:
        path = tmp_path / "out.ttl"
        device = _device(tmp_path)
        if kind == "device":
            path = device
        else:
            path.symlink_to(device)
    before = os.lstat(path)
    with pytest.raises(files.NotARegularFile, match="not a regular file"):
        write_atomic(path, "x")
    after = os.lstat(path)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_refusal_comes_before_any_work(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(files.NotARegularFile, match="FIFO"):
        files.writable_target(tmp_path / "pipe")
    assert files.writable_target(tmp_path / "new.ttl") == tmp_path / "new.ttl"


def test_open_atomic_follows_the_same_rules(tmp_path: Path) -> None:
    target = tmp_path / "real.nq"
    target.write_text("stale")
    link = tmp_path / "out.nq"
    link.symlink_to(target)
    with files.open_atomic(link) as handle:
        handle.write(b"fresh")
    assert link.is_symlink() and target.read_text() == "fresh"
    os.mkfifo(tmp_path / "pipe.nq")
    with pytest.raises(files.NotARegularFile):
        with files.open_atomic(tmp_path / "pipe.nq") as handle:
            handle.write(b"x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.nq", "pipe.nq", "real.nq"]
