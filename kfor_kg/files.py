"""Writing files so that a failure never leaves a half-written or clobbered file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_atomic"]


def write_atomic(path: str | os.PathLike[str], data: bytes | str, *,
                 make_parents: bool = False) -> Path:
    """Write `data` (str as UTF-8) to `path` atomically; returns the path.

    The bytes go to a temporary file in the target's directory, are flushed to
    disk, and then replace `path` in one rename; on any failure the temporary
    file is removed and `path` is left as it was. The file gets the mode a
    plain `open(path, "w")` would give (0666 less the umask), not mkstemp's 0600.
    `make_parents` creates missing parent directories first.

    Raises:
        OSError: the directory is missing (without `make_parents`) or the file
            cannot be written; callers turn it into their own error.
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    directory = target.parent if str(target.parent) else Path(".")
    if make_parents:
        directory.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(payload)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp_name, 0o666 & ~_umask())
        os.replace(tmp_name, target)
    except BaseException:
        # BaseException: an interrupt between mkstemp and replace must not leave the temp file.
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
    return target


def _umask() -> int:
    mask = os.umask(0)  # the only portable way to read it is to set it and put it back
    os.umask(mask)
    return mask
