"""Check an export of the audit trail away from the console: no database, no Flask.

    python -m console.audit.verify_export FILE [--fingerprint HEX ...]

Recomputes every entry's hash from its canonical bytes, checks the links between the
entries, that the readable columns agree with the hashed bytes, the signatures of the
checkpoints in a JSON Lines export, and that the file is exactly what the console
writes (so a change of any byte fails).

``--fingerprint`` (or ``--key``, the C2SP verifier key) pins the checkpoint key(s) you
hold (printed by ``flask audit key show``): then at least one checkpoint signed by a
pinned key must be in the file, or nothing is proven. Without it the checkpoints are
checked with the public key they carry, which proves nothing about who wrote the file,
and its fingerprint is printed for you to compare. The output says what was proven and
what was not.

``--selection`` checks a CSV downloaded from a search with filters other than the time
range: each entry's hash and columns, not the links between entries.

Exit status: 0 intact, 1 damaged or unproven, 2 bad usage or unreadable file.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from console.audit.canonical import GENESIS_PREV_HASH, key_fingerprint
from console.audit.export import CHECKPOINT_FIELDS, CSV_HEADER, csv_end_row, render
from console.audit.signed_note import NoteError, parse_vkey
from console.audit.verify import (
    COLUMNS,
    KEY_ACTIONS,
    Checkpoint,
    Problem,
    Report,
    Row,
    column_text,
    parse,
    trusted_keys,
    verify,
)

FORMAT_PROBLEM = "format"
UNPROVEN = "unproven"  # a pinned key was given, but no checkpoint it signed is in the file


@dataclass
class ExportReport:
    report: Report
    export_format: str
    first_seq: int | None = None
    fingerprints: list[str] = field(default_factory=list)
    pinned: bool = False
    selection: bool = False

    @property
    def ok(self) -> bool:
        return self.report.ok


class ExportFormatError(ValueError):
    """The file is not an export the console wrote."""


def _parse_csv(text: str) -> list[Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or tuple(header) != CSV_HEADER:
        raise ExportFormatError("the first line is not the header of an audit export")
    rows: list[Row] = []
    ended = False
    for number, cells in enumerate(reader, start=2):
        if ended:
            raise ExportFormatError(f"line {number} comes after the end row")
        if len(cells) != len(CSV_HEADER):
            raise ExportFormatError(f"line {number} has {len(cells)} cells, not {len(CSV_HEADER)}")
        values = dict(zip(CSV_HEADER, cells, strict=True))
        if values["seq"] == "end":
            expected = [column_text(value) for value in csv_end_row(len(rows), _head(rows))]
            if cells != expected:
                raise ExportFormatError("the end row does not match the entries above it")
            ended = True
            continue
        try:
            seq = int(values["seq"])
        except ValueError as error:
            raise ExportFormatError(f"line {number}: seq is not a number") from error
        columns = {name: values[name] for name in COLUMNS}
        rows.append(Row(seq, values["canonical"], values["prev_hash"], values["hash"], columns))
    if not ended:
        raise ExportFormatError("the end row is missing: the file was cut short")
    return rows


def _head(rows: list[Row]) -> str | None:
    return rows[-1].hash if rows else None


def _parse_jsonl(text: str) -> tuple[list[Row], list[Checkpoint]]:
    rows: list[Row] = []
    checkpoints: list[Checkpoint] = []
    lines = text.splitlines()
    saw_end = False
    for number, line in enumerate(lines, start=1):
        try:
            document = json.loads(line)
            kind = document["type"]
            if kind == "end":
                if number != len(lines):
                    raise ExportFormatError(f"line {number}: the end line is not the last one")
                if document["entries"] != len(rows) or document["head_hash"] != (
                    rows[-1].hash if rows else None
                ):
                    raise ExportFormatError("the end line does not match the entries above it")
                saw_end = True
            elif kind == "entry":
                rows.append(
                    Row(
                        int(document["seq"]),
                        str(document["canonical"]),
                        str(document["prev_hash"]),
                        str(document["hash"]),
                    )
                )
            elif kind == "checkpoint":
                values = {name: document[name] for name in CHECKPOINT_FIELDS}
                checkpoints.append(Checkpoint(**values))
            else:
                raise ExportFormatError(f"line {number}: unknown record type {kind!r}")
        except (ValueError, KeyError, TypeError) as error:
            if isinstance(error, ExportFormatError):
                raise
            raise ExportFormatError(f"line {number} is not a record of an audit export") from error
    if not saw_end:
        raise ExportFormatError("the end line is missing: the file was cut short")
    return rows, checkpoints


def check_text(
    text: str,
    *,
    fingerprints: Sequence[str] = (),
    keys: Sequence[str] = (),
    selection: bool = False,
) -> ExportReport:
    """Check the text of an export; a malformed file is reported as damage at its first line.

    ``fingerprints`` (hex) and ``keys`` (C2SP verifier keys) pin the checkpoint keys the
    reader holds; with any pinned, at least one checkpoint signed by a pinned key (or one
    it handed the trail over to) must be in the file, or nothing is proven.
    """
    export_format = "csv" if text.startswith(CSV_HEADER[0] + ",") else "jsonl"
    try:
        pinned = pinned_keys(fingerprints, keys)
        if export_format == "csv":
            rows, checkpoints = _parse_csv(text), []
        else:
            rows, checkpoints = _parse_jsonl(text)
    except ExportFormatError as error:
        report = Report(problem=Problem(0, FORMAT_PROBLEM, str(error)))
        return ExportReport(report, export_format)
    first_seq = rows[0].seq if rows else None
    offered = _carried_keys(checkpoints)
    trusted: dict[str, str | None] = (
        trusted_keys(pinned, _announcements(rows)) if pinned else dict(offered)
    )
    report = verify(
        rows,
        checkpoints,
        start_seq=first_seq or 1,
        start_prev_hash=GENESIS_PREV_HASH if first_seq in (None, 1) else None,
        trusted_keys=trusted,
        learn_keys=not pinned,
        linked=not selection,
    )
    result = ExportReport(
        report, export_format, first_seq, list(offered), pinned=bool(pinned), selection=selection
    )
    if report.ok and "".join(render(export_format, rows, checkpoints)) != text:
        report.problem = Problem(
            0, FORMAT_PROBLEM, "the file differs from the export the console wrote"
        )
    if report.ok and pinned and report.checkpoints == 0:
        report.problem = Problem(0, UNPROVEN, _nothing_signed(export_format))
    return result


def pinned_keys(fingerprints: Sequence[str], keys: Sequence[str]) -> dict[str, str | None]:
    """The keys the reader pinned on the command line: fingerprint -> public key or None."""
    pinned: dict[str, str | None] = {}
    for value in fingerprints:
        cleaned = value.strip().lower()
        if len(cleaned) != 64 or any(char not in "0123456789abcdef" for char in cleaned):
            raise ExportFormatError(f"--fingerprint {value!r} is not 64 hex digits")
        pinned.setdefault(cleaned, None)
    for value in keys:
        try:
            key = parse_vkey(value)
        except NoteError as error:
            raise ExportFormatError(f"--key {value!r}: {error}") from error
        pinned[key.fingerprint] = key.public_key.hex()
    return pinned


def _carried_keys(checkpoints: Sequence[Checkpoint]) -> dict[str, str]:
    """The keys the file's checkpoints carry (when key and fingerprint agree)."""
    carried: dict[str, str] = {}
    for point in checkpoints:
        try:
            actual = key_fingerprint(bytes.fromhex(point.public_key))
        except ValueError:
            continue
        if actual == point.key_fingerprint:
            carried.setdefault(actual, point.public_key)
    return carried


def _announcements(rows: Sequence[Row]) -> list[dict[str, Any]]:
    """The details of the key entries in the file (genesis, rotations)."""
    found = []
    for row in rows:
        if any(f'"action":"{action}"' in row.canonical for action in KEY_ACTIONS):
            document = parse(row.canonical)
            if document is not None and document.get("action") in KEY_ACTIONS:
                found.append(document.get("details") or {})
    return found


def _nothing_signed(export_format: str) -> str:
    if export_format == "csv":
        return (
            "a CSV export carries no checkpoints, so nothing shows that the console signed "
            "these entries: export JSON Lines (flask audit export --format jsonl)"
        )
    return (
        "no checkpoint signed by the pinned key is in the file: the entries agree with each "
        "other, but nothing shows that the console wrote them (a file recomputed from start "
        "to end looks the same); export a range that includes a checkpoint"
    )


def proven_and_not(result: ExportReport) -> tuple[list[str], list[str]]:
    """In words: what the check proved, and what it did not."""
    report = result.report
    first = result.first_seq
    proven: list[str] = []
    unproven: list[str] = []
    if not report.count or first is None:
        return proven, ["nothing: the file holds no entries"]
    signed = report.newest_checkpoint
    if result.selection:
        proven.append(f"each of the {report.count} entries has the hash recorded beside it")
        unproven.append("that the entries are consecutive or complete (a selection)")
    elif signed is None:
        proven.append(f"entries {first}-{report.head_seq} link to each other without a gap")
    elif result.pinned:
        proven.append(
            f"entries {first}-{signed.seq} are exactly as the key {signed.key_fingerprint} "
            f"signed them at {signed.at} (checkpoint of seq {signed.seq})"
        )
    else:
        proven.append(
            f"entries {first}-{signed.seq} match a checkpoint signed at {signed.at} by the key "
            "the file itself carries"
        )
    if not result.selection and signed is not None and signed.seq < report.head_seq:
        unproven.append(
            f"entries {signed.seq + 1}-{report.head_seq} come after the last checkpoint in the "
            "file: nothing signed them (export again after the next checkpoint)"
        )
    if not result.pinned:
        unproven.append(
            "who wrote the file: no key was pinned; compare the fingerprint below with the one "
            "the console's operator gives you, then run again with --fingerprint"
        )
    if first > 1 and not result.selection:
        unproven.append(f"anything about the entries before seq {first} (not in the file)")
    return proven, unproven


def describe(result: ExportReport) -> str:
    report = result.report
    if not report.ok:
        assert report.problem is not None
        where = f"seq {report.problem.seq}" if report.problem.seq else "file"
        return f"DAMAGED: {where}: {report.problem.kind}: {report.problem.detail}"
    span = f"seq {result.first_seq}-{report.head_seq}" if report.count else "no entries"
    lines = [
        f"OK: {report.count} entries ({span}), head hash {report.head_hash}, "
        f"{report.checkpoints} checkpoints verified ({result.export_format})"
    ]
    proven, unproven = proven_and_not(result)
    lines += [f"PROVEN: {item}" for item in proven]
    lines += [f"NOT PROVEN: {item}" for item in unproven]
    lines += [f"checkpoint key fingerprint: {value}" for value in result.fingerprints]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m console.audit.verify_export",
        description="Check an export of the audit trail (CSV or JSON Lines) without the database.",
    )
    parser.add_argument("file", help="the exported file")
    parser.add_argument(
        "--fingerprint",
        action="append",
        default=[],
        help="accept checkpoints only from this key fingerprint (may repeat)",
    )
    parser.add_argument(
        "--key",
        action="append",
        default=[],
        help="accept checkpoints only from this verifier key, name+keyid+base64 (may repeat)",
    )
    parser.add_argument(
        "--selection",
        action="store_true",
        help="the file holds entries picked by a search filter: check each entry, not the links",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    arguments = parser.parse_args(argv)
    try:
        pinned_keys(arguments.fingerprint, arguments.key)
    except ExportFormatError as error:
        print(error, file=sys.stderr)
        return 2
    try:
        with open(arguments.file, "rb") as handle:
            data = handle.read()
    except OSError as error:
        print(f"cannot read {arguments.file}: {error.strerror}", file=sys.stderr)
        return 2
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        print(f"DAMAGED: file: not UTF-8 at byte {error.start}")
        return 1
    result = check_text(
        text,
        fingerprints=arguments.fingerprint,
        keys=arguments.key,
        selection=arguments.selection,
    )
    if arguments.json:
        proven, unproven = proven_and_not(result) if result.ok else ([], [])
        summary = {"fingerprints": result.fingerprints, "proven": proven, "not_proven": unproven}
        print(json.dumps({**result.report.as_dict(), **summary}))
    else:
        print(describe(result))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
