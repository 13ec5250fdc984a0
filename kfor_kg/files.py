"""Writing files so that a failure never leaves a half-written or clobbered file."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["write_atomic", "writable_target", "special_kind", "NotARegularFile"]

_KINDS = {stat.S_ISDIR: "a directory", stat.S_ISCHR: "a character device",
          stat.S_ISBLK: "a block device", stat.S_ISFIFO: "a FIFO (named pipe)",
          stat.S_ISSOCK: "a socket"}


def special_kind(mode: int) -> str | None:
    """What a file of `st_mode` `mode` is when it is not a regular file ("a socket"...), else None."""
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in _KINDS.items() if test(mode)), "a special file")


class NotARegularFile(OSError):
    """The output path names a directory, device, FIFO or socket: it is never replaced."""


def writable_target(path: str | os.PathLike[str]) -> Path:
    """The file a write to `path` lands in: symlinks followed to their (maybe absent) target.

    Call it before long work, to refuse a bad output path up front.

    >>> writable_target("/dev/null")
    Traceback (most recent call last):
    ...
    kfor_kg.files.NotARegularFile: [Errno 17] /dev/null is a character device, not a regular file; it is never replaced: '/dev/null'

    Raises:
        NotARegularFile: the path (or the symlink's target) exists and is not a regular file.
        OSError: the symlinks loop.
    """
    given = Path(path)
    target = Path(os.path.realpath(given, strict=False)) if given.is_symlink() else given
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OSError(exc.errno, "the symbolic links loop", str(given)) from None
        raise
    kind = special_kind(mode)
    if kind is not None:
        shown = f"{given} ({target})" if target != given else str(given)
        raise NotARegularFile(errno.EEXIST, f"{shown} is {kind}, not a regular file; "
                                            f"it is never replaced", str(given))
    return target


def write_atomic(path: str | os.PathLike[str], data: bytes | str, *,
                 make_parents: bool = False) -> Path:
    """Write `data` (str as UTF-8) to `path` atomically; returns the path.

    The bytes go to a temporary file in the target's directory, are flushed to
    disk, and then replace the target in one rename; on any failure (an
    interrupt included) the temporary file is removed and the target is left as
    it was. A symlink is written through: its target is replaced and the link
    stays. Directories, devices, FIFOs and sockets are refused. A new file gets
    the mode a plain `open(path, "w")` would give (0666 less the umask), not
    mkstemp's 0600; a replaced file keeps its mode. `make_parents` creates
    missing parent directories first.

    Raises:
        NotARegularFile: the path exists and is not a regular file.
        OSError: the directory is missing (without `make_parents`) or the file
            cannot be written; callers turn it into their own error.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with open_atomic(path, make_parents=make_parents) as handle:
        handle.write(payload)
    return writable_target(path)


def _umask() -> int:
    mask = os.umask(0)  # the only portable way to read it is to set it and put it back
    os.umask(mask)
    return mask


@contextmanager
def open_atomic(path: str | os.PathLike[str], *, make_parents: bool = False) -> Iterator[BinaryIO]:
    """A binary file whose bytes replace `path` atomically when the block ends without error.

    The streaming form of `write_atomic` (same temporary file, fsync, mode,
    rename, symlinks written through, special files refused): for outputs too
    large to hold in memory. On any exception, an interrupt included, the
    temporary file is removed and `path` is left as it was.

    Raises:
        NotARegularFile: the path exists and is not a regular file.
        OSError: as `write_atomic`.
    """
    target = writable_target(path)
    directory = target.parent if str(target.parent) else Path(".")
    if make_parents:
        directory.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mode = 0o666 & ~_umask()
    tmp_name = ""
    try:
        fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as tmp:
            yield tmp
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
    except BaseException:
        # BaseException: an interrupt between mkstemp and replace must not leave the temp file.
        if tmp_name and os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
