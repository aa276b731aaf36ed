"""Fix 3: every file the console writes is written beside its target, synced and renamed,
so a full disk leaves the old file (or none) and one line, never a truncated file."""

from __future__ import annotations

import errno
import resource
import signal

import pytest

from console import files
from tests.reliability.processes import flask
from tests.trail import fill

LIMIT = 64 * 1024  # bytes any file of the export process may grow to


def _limit_file_size() -> None:
    """In the child: writes past LIMIT fail with EFBIG, as on a disk that just filled up."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def leftovers(folder):
    return sorted(path.name for path in folder.iterdir() if path.name.startswith("."))


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path):
    target = tmp_path / "trail.csv"
    target.write_text("the previous export")

    def write_half_then_fill_the_disk() -> None:
        with files.atomic_write_text(target) as handle:
            handle.write("half of a new export")
            raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(files.FileWriteError) as refused:
        write_half_then_fill_the_disk()
    assert str(refused.value) == f"cannot write {target}: the disk is full; nothing was written"
    assert target.read_text() == "the previous export"
    assert leftovers(tmp_path) == []


def test_a_good_write_replaces_the_file_readable_by_its_owner_only(tmp_path):
    target = tmp_path / "copy.bin"
    with files.atomic_write(target) as handle:
        handle.write(b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert target.stat().st_mode & 0o777 == 0o600
    with pytest.raises(FileExistsError), files.atomic_write(target, replace=False) as handle:
        handle.write(b"other")
    assert target.read_bytes() == b"\x00\x01"
    assert leftovers(tmp_path) == []


def test_an_export_that_hits_a_full_disk_leaves_nothing_and_says_so(app, database_url, tmp_path):
    fill(app, 300)
    output = tmp_path / "out" / "trail.csv"
    output.parent.mkdir()
    result = flask(
        database_url,
        "audit", "export", "--format", "csv", "--output", str(output),
        preexec_fn=_limit_file_size,
    )  # fmt: skip
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert result.returncode == 1, result.stderr
    assert lines == [
        f"Error: cannot write {output}: the file is larger than the system allows; "
        "nothing was written"
    ]
    assert list(output.parent.iterdir()) == []
    complete = flask(database_url, "audit", "export", "--format", "csv", "--output", str(output))
    assert complete.returncode == 0, complete.stderr
    assert output.stat().st_size > LIMIT
    assert leftovers(output.parent) == []
