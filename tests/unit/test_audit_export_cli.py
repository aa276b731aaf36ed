"""``flask audit export`` then ``python -m console.audit.verify_export``: a copy checked away
from the console, with neither the database nor Flask, fails on any one-byte change."""

from __future__ import annotations

import json
import subprocess
import sys
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from console import PROJECT_ROOT
from console.audit import COMMAND_LINE, Subject, record
from console.audit.canonical import GENESIS_PREV_HASH, canonical_bytes, chain_hash
from console.audit.verify import Row, verify
from tests.factories import writing
from tests.trail import checkpoint, fill, size

# Run the standalone verifier with Flask, SQLAlchemy and SQLModel made unimportable.
BLOCKED_RUNNER = """
import runpy, sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("flask", "sqlalchemy", "sqlmodel", "flask_babel", "werkzeug"):
            raise ImportError(f"{name} is blocked: the verifier must not need it")
sys.meta_path.insert(0, Block())
sys.argv = ["verify_export", *sys.argv[1:]]
runpy.run_module("console.audit.verify_export", run_name="__main__")
"""


def standalone(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCKED_RUNNER, *arguments],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def many(app, count: int) -> None:
    """``count`` entries in one unit of work (enough to cross the streaming batches)."""
    with writing(app) as session:
        for number in range(count):
            record(session, COMMAND_LINE, "auth.login", Subject.of("staff", number), {"n": number})


@pytest.mark.parametrize("file_format", ["csv", "jsonl"])
def test_export_then_standalone_verify_passes_and_one_changed_byte_fails(
    app, runner, tmp_path, file_format
):
    many(app, 4500)
    checkpoint(app)
    fill(app, 2)
    output = tmp_path / f"trail.{file_format}"
    result = runner.invoke(
        args=["audit", "export", "--format", file_format, "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    checked = standalone(str(output))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"OK: {size(app) - 1} entries" in checked.stdout  # the export itself is recorded last
    if file_format == "jsonl":  # the export signs the head first: all of it is proven
        assert "2 checkpoints verified" in checked.stdout

    data = bytearray(output.read_bytes())
    position = len(data) // 2
    data[position] = ord("0") if data[position] != ord("0") else ord("1")
    output.write_bytes(bytes(data))
    damaged = standalone(str(output), "--json")
    assert damaged.returncode == 1, damaged.stdout
    assert json.loads(damaged.stdout)["ok"] is False


def test_export_of_a_time_range_in_japan_time(app, runner):
    fill(app, 3)
    result = runner.invoke(args=["audit", "export", "--format", "jsonl", "--since", "2000-01-01"])
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["type"] for line in lines] == ["entry"] * 4 + ["checkpoint", "end"]
    result = runner.invoke(args=["audit", "export", "--format", "csv", "--until", "2000-01-01"])
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "end,,,,,,,,,,,,0"


@pytest.mark.parametrize(
    "arguments",
    [
        ["--format", "xml"],
        [],
        ["--format", "csv", "--since", "yesterday"],
        ["--format", "csv", "--until", "2026-13-40"],
        ["--format", "csv", "--since", "0001-01-01"],
        ["--format", "csv", "--until", "9999-12-31"],
        ["--format", "csv", "--since", "2026-12-02", "--until", "2026-12-01"],
    ],
)
def test_bad_export_arguments_are_usage_errors_not_tracebacks(app, runner, arguments):
    result = runner.invoke(args=["audit", "export", *arguments])
    assert result.exit_code == 2
    assert "Usage:" in result.output
    assert "Traceback" not in result.output


def test_the_standalone_verifier_explains_bad_usage_and_unreadable_files(tmp_path):
    assert standalone().returncode == 2
    missing = standalone(str(tmp_path / "nothing.csv"))
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00")
    assert standalone(str(binary)).returncode == 1


def test_verification_memory_stays_flat_however_long_the_chain(tmp_path: Path):
    def rows(count: int):
        prev = GENESIS_PREV_HASH
        for seq in range(1, count + 1):
            canonical = canonical_bytes({"seq": seq, "action": "auth.login", "n": seq})
            digest = chain_hash(prev, canonical)
            yield Row(seq, canonical.decode(), prev, digest)
            prev = digest

    peaks = []
    for count in (2_000, 20_000):
        tracemalloc.start()
        report = verify(rows(count))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert report.ok
        assert report.count == count
    assert peaks[1] < peaks[0] * 2 + 50_000  # ten times the entries, not ten times the memory


def test_an_export_of_a_later_range_leaves_out_earlier_checkpoints(app, runner, tmp_path):
    with time_machine.travel(datetime(2026, 12, 1, 0, 0, tzinfo=UTC), tick=False):
        fill(app, 3)
        checkpoint(app)  # signs seq 4
    with time_machine.travel(datetime(2026, 12, 2, 0, 0, tzinfo=UTC), tick=False):
        fill(app, 3)
        checkpoint(app)  # signs seq 7
    output = tmp_path / "later.jsonl"
    result = runner.invoke(
        args=[
            "audit",
            "export",
            "--format",
            "jsonl",
            "--since",
            "2026-12-02",
            "--output",
            str(output),
        ]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in output.read_text().splitlines()]
    assert [line["seq"] for line in lines if line["type"] == "entry"] == [5, 6, 7]
    assert [line["seq"] for line in lines if line["type"] == "checkpoint"] == [7]
    checked = standalone(str(output))
    assert checked.returncode == 0, checked.stdout
    assert "seq 5-7" in checked.stdout


def test_an_output_file_that_cannot_be_written_is_a_usage_error(app, runner, tmp_path):
    result = runner.invoke(
        args=["audit", "export", "--format", "csv", "--output", str(tmp_path / "no" / "x.csv")]
    )
    assert result.exit_code == 2
    assert "cannot write" in result.output
