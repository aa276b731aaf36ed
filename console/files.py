"""Every file the console writes goes through here, so none is ever left half-written.

A file is written under a temporary name beside its target, flushed and synced to disk,
then renamed over the target in one step (rename is atomic within a directory). If
anything fails (a full disk, a quota, an interrupted export) the temporary file is
removed and the target is untouched: the reader finds the old file or none, never a
truncated one. Files are created readable by their owner only (they hold personal data).
"""

from __future__ import annotations

import errno
import io
import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

OWNER_ONLY = 0o600
REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exhausted",
    errno.EFBIG: "the file is larger than the system allows",
    errno.EACCES: "permission denied",
    errno.EROFS: "the file system is read-only",
    errno.ENOENT: "the folder does not exist",
}


class FileWriteError(OSError):
    """A file could not be written; its message is one line that says what and why."""

    def __init__(self, target: str, cause: OSError) -> None:
        reason = REASONS.get(cause.errno or 0) or cause.strerror or type(cause).__name__
        super().__init__(cause.errno, f"cannot write {target}: {reason}; nothing was written")
        self.target = target

    def __str__(self) -> str:
        return str(self.strerror)


def _temporary_beside(target: Path, mode: int) -> tuple[Path, int]:
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
    return temporary, descriptor


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (a crash right after keeps the new name)."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _publish(temporary: Path, target: Path, *, replace: bool) -> None:
    if replace:
        os.replace(temporary, target)
    else:
        os.link(temporary, target)  # refuses an existing target (another process was first)
        temporary.unlink()
    _sync_folder(target.parent)


@contextmanager
def atomic_write(
    target: str | os.PathLike[str], *, replace: bool = True, mode: int = OWNER_ONLY
) -> Iterator[IO[bytes]]:
    """Write ``target`` all at once or not at all (see the module's docstring).

    ``replace=False`` refuses to overwrite an existing file (``FileExistsError``). Any OS
    error while writing is raised as ``FileWriteError``; other exceptions pass through,
    after the cleanup.
    """
    path = Path(target)
    with write_errors(str(path)):
        temporary, descriptor = _temporary_beside(path, mode)
    try:
        with write_errors(str(path)):
            with os.fdopen(descriptor, "wb") as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            _publish(temporary, path, replace=replace)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_write_text(
    target: str | os.PathLike[str], *, replace: bool = True, mode: int = OWNER_ONLY
) -> Iterator[IO[str]]:
    """``atomic_write`` with a UTF-8 text handle; newlines are written as given."""
    with atomic_write(target, replace=replace, mode=mode) as raw:
        handle = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        yield handle
        handle.flush()
        handle.detach()  # atomic_write syncs and closes the file itself


@contextmanager
def write_errors(target: str) -> Iterator[None]:
    """Turn an OS error while writing ``target`` into a one-line ``FileWriteError``."""
    try:
        yield
    except FileWriteError:
        raise
    except FileExistsError:
        raise
    except OSError as error:
        raise FileWriteError(target, error) from error


def scratch_file(label: str) -> IO[bytes]:
    """An unnamed temporary file (gone when closed, even after a crash) for a download
    being built; an OS error while writing it should be wrapped in ``write_errors(label)``."""
    with write_errors(label):
        return tempfile.TemporaryFile()
