"""Exports of the trail as CSV or JSON Lines, with the hashes (docs/audit-format.md).

The layout is fixed so that ``python -m console.audit.verify_export`` can render a
parsed file again and demand the very same bytes: any change, down to one byte, fails.
This module is pure (no database, no Flask) so the standalone verifier can share it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from console.audit.verify import COLUMNS, Checkpoint, Row, column_text

FORMATS = ("csv", "jsonl")
CSV_HEADER = ("seq", *COLUMNS, "prev_hash", "hash", "canonical")
CHECKPOINT_FIELDS = (
    "log_id",
    "seq",
    "head_hash",
    "at",
    "signature",
    "key_fingerprint",
    "public_key",
    "version",
    "previous_seq",
    "previous_at",
)


def csv_line(values: Iterable[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([column_text(value) for value in values])
    return buffer.getvalue()


def csv_row(row: Row) -> tuple[Any, ...]:
    columns = row.columns or {}
    return (
        row.seq,
        *(columns.get(name) for name in COLUMNS),
        row.prev_hash,
        row.hash,
        row.canonical,
    )


def csv_end_row(count: int, head_hash: str | None) -> tuple[Any, ...]:
    """The last row: ``end`` in the seq column, the last hash, and the number of entries."""
    return ("end", *([""] * len(COLUMNS)), "", head_hash, count)


def json_line(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def entry_line(row: Row) -> str:
    return json_line(
        {
            "type": "entry",
            "seq": row.seq,
            "prev_hash": row.prev_hash,
            "hash": row.hash,
            "canonical": row.canonical,
        }
    )


def checkpoint_line(point: Checkpoint) -> str:
    document: dict[str, Any] = {"type": "checkpoint"}
    document.update({name: getattr(point, name) for name in CHECKPOINT_FIELDS})
    return json_line(document)


def render(
    export_format: str, rows: Iterable[Row], checkpoints: Iterable[Checkpoint] = ()
) -> Iterator[str]:
    """The export as text: CSV (entries, an end row) or JSON Lines (entries, checkpoints, an end line)."""
    if export_format == "csv":
        yield csv_line(CSV_HEADER)
        count, head_hash = 0, None
        for row in rows:
            count, head_hash = count + 1, row.hash
            yield csv_line(csv_row(row))
        yield csv_line(csv_end_row(count, head_hash))
        return
    if export_format != "jsonl":
        raise ValueError(f"unknown export format {export_format!r}")
    count, head_hash = 0, None
    for row in rows:
        count, head_hash = count + 1, row.hash
        yield entry_line(row)
    for point in checkpoints:
        yield checkpoint_line(point)
    yield json_line({"type": "end", "entries": count, "head_hash": head_hash})
