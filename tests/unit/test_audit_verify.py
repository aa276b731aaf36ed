"""The verifier as pure functions: every kind of damage named at the right seq, and exports."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from console.audit.canonical import (
    GENESIS_PREV_HASH,
    canonical_bytes,
    chain_hash,
    checkpoint_message,
    key_fingerprint,
)
from console.audit.export import render
from console.audit.keys import identity
from console.audit.verify import (
    BAD_SIGNATURE,
    DELETED,
    FORKED,
    INSERTED,
    MODIFIED,
    REORDERED,
    TRUNCATED,
    Checkpoint,
    Row,
    document_columns,
    verify,
)
from console.audit.verify_export import check_text

KEY = identity(Ed25519PrivateKey.generate(), Path("test-key.pem"))
LOG_ID = "6f1c2f8e-3c1e-4f55-9d59-0c1c7a4e2b10"


def document(seq: int, **details: object) -> dict:
    action = "audit.genesis" if seq == 1 else "auth.login"
    if seq == 1:
        details = {
            "log_id": LOG_ID,
            "key_fingerprint": KEY.fingerprint,
            "public_key": KEY.public_key,
        }
    return {
        "v": 1,
        "seq": seq,
        "at": f"2026-12-01T13:00:{seq:02d}.000000Z",
        "actor": {"kind": "staff", "login": "yamamoto", "id": 7},
        "action": action,
        "subject": {"type": "service_user", "id": str(seq)},
        "details": details,
        "request_id": "",
        "client_address": "192.0.2.1",
    }


def link(doc: dict, prev_hash: str) -> Row:
    canonical = canonical_bytes(doc).decode()
    return Row(
        doc["seq"],
        canonical,
        prev_hash,
        chain_hash(prev_hash, canonical.encode()),
        document_columns(doc),
    )


def chain(count: int) -> list[Row]:
    rows, prev = [], GENESIS_PREV_HASH
    for seq in range(1, count + 1):
        row = link(document(seq, note=f"第{seq}件"), prev)
        rows.append(row)
        prev = row.hash
    return rows


def signed(
    row: Row, *, key=KEY, log_id: str = LOG_ID, previous: Checkpoint | None = None
) -> Checkpoint:
    at = f"2026-12-01T13:{row.seq:02d}:30.000000Z"
    link = None if previous is None else (previous.seq, previous.at)
    message = checkpoint_message(
        log_id=log_id,
        seq=row.seq,
        head_hash=row.hash,
        at=at,
        key_fingerprint=key.fingerprint,
        previous=link,
    )
    return Checkpoint(
        log_id,
        row.seq,
        row.hash,
        at,
        key.sign(message),
        key.fingerprint,
        key.public_key,
        previous_seq=None if link is None else link[0],
        previous_at=None if link is None else link[1],
    )


PINNED = {KEY.fingerprint: KEY.public_key}


def check(rows, checkpoints=(), **options):
    """Verify with the test key pinned, as the console does with its pinned-keys file."""
    return verify(rows, checkpoints, trusted_keys=PINNED, **options)


def renumber(row: Row, seq: int) -> Row:
    return dataclasses.replace(row, seq=seq)


def test_an_intact_chain_verifies_with_count_and_head():
    rows = chain(20)
    first = signed(rows[9])
    report = check(rows, [first, signed(rows[19], previous=first)])
    assert report.ok
    assert (report.count, report.head_seq, report.head_hash) == (20, 20, rows[-1].hash)
    assert report.checkpoints == 2
    assert report.log_id == LOG_ID


def test_a_changed_byte_of_the_canonical_bytes_is_modified():
    rows = chain(10)
    rows[4] = dataclasses.replace(rows[4], canonical=rows[4].canonical.replace("第5件", "第6件"))
    assert (check(rows).problem.seq, check(rows).problem.kind) == (5, MODIFIED)


def test_a_column_that_disagrees_with_the_hashed_bytes_is_modified():
    rows = chain(10)
    columns = {**rows[6].columns, "actor_login": "someone-else"}
    rows[6] = dataclasses.replace(rows[6], columns=columns)
    problem = check(rows).problem
    assert (problem.seq, problem.kind) == (7, MODIFIED)
    assert "actor_login" in problem.detail


def test_a_gap_is_deleted_at_the_first_missing_seq():
    rows = chain(10)
    del rows[3:5]
    problem = check(rows).problem
    assert (problem.seq, problem.kind) == (4, DELETED)


def test_a_deletion_hidden_by_renumbering_is_still_deleted():
    rows = chain(10)
    rows = rows[:3] + [renumber(row, row.seq - 1) for row in rows[4:]]
    problem = check(rows).problem
    assert (problem.seq, problem.kind) == (4, DELETED)


def test_a_forged_entry_that_does_not_link_is_inserted():
    rows = chain(10)
    forged = link(document(5, note="偽"), "f" * 64)
    rows = rows[:4] + [forged] + [renumber(row, row.seq + 1) for row in rows[4:]]
    problem = check(rows).problem
    assert (problem.seq, problem.kind) == (5, INSERTED)


def test_a_forged_entry_that_links_is_found_by_the_entry_after_it():
    rows = chain(10)
    forged = link(document(5, note="偽"), rows[3].hash)
    rows = rows[:4] + [forged] + [renumber(row, row.seq + 1) for row in rows[4:]]
    problem = check(rows).problem
    assert (problem.seq, problem.kind) == (5, INSERTED)


@pytest.mark.parametrize(("first", "second"), [(3, 7), (5, 6), (9, 10)])
def test_swapped_entries_are_reordered(first, second):
    rows = chain(10)
    a, b = rows[first - 1], rows[second - 1]
    rows[first - 1], rows[second - 1] = renumber(b, first), renumber(a, second)
    problem = check(rows).problem
    assert (problem.seq, problem.kind) == (first, REORDERED)


def test_an_entry_linking_to_an_entry_that_already_has_a_successor_is_forked():
    rows = chain(10)
    rival = link(document(6, note="別の書き手"), rows[3].hash)  # links to 4, as 5 already does
    rows[5] = rival
    problem = check(rows).problem
    assert (problem.seq, problem.kind) == (6, FORKED)


def test_a_tail_cut_after_a_checkpoint_is_truncated():
    rows = chain(10)
    point = signed(rows[9])
    problem = check(rows[:7], [point]).problem
    assert (problem.seq, problem.kind) == (8, TRUNCATED)
    assert "10" in problem.detail


def test_a_rewritten_chain_that_differs_from_a_checkpoint_is_truncated():
    rows = chain(10)
    point = signed(rows[5])
    rewritten, prev = rows[:3], rows[2].hash
    for seq in range(4, 11):
        row = link(document(seq, note="書き換え"), prev)
        rewritten.append(row)
        prev = row.hash
    problem = check(rewritten, [point]).problem
    assert (problem.seq, problem.kind) == (6, TRUNCATED)


def test_a_bad_signature_is_named_at_its_checkpoint():
    rows = chain(10)
    point = signed(rows[7])
    flipped = ("0" if point.signature[0] != "0" else "1") + point.signature[1:]
    problem = check(rows, [dataclasses.replace(point, signature=flipped)]).problem
    assert (problem.seq, problem.kind) == (8, BAD_SIGNATURE)


def test_a_checkpoint_by_a_key_the_chain_never_announced_is_refused():
    rows = chain(10)
    stranger = identity(Ed25519PrivateKey.generate(), Path("other.pem"))
    problem = check(rows, [signed(rows[7], key=stranger)]).problem
    assert (problem.seq, problem.kind) == (8, BAD_SIGNATURE)


def test_progress_is_reported_for_every_entry():
    seen: list[int] = []
    check(chain(2500), progress=seen.append)
    assert sum(seen) == 2500


def test_the_signed_message_is_the_documented_one():
    common = {
        "log_id": LOG_ID,
        "seq": 3,
        "head_hash": "a" * 64,
        "at": "2026-12-01T13:05:00.000000Z",
        "key_fingerprint": "b" * 64,
    }
    statement = (
        b'{"at":"2026-12-01T13:05:00.000000Z","head_hash":"' + b"a" * 64 + b'",'
        b'"key_fingerprint":"' + b"b" * 64 + b'","log_id":"' + LOG_ID.encode() + b'",'
    )
    assert checkpoint_message(**common, version=1) == (
        b"hw-shibuya-console/audit-checkpoint/v1\n" + statement + b'"seq":3}'
    )
    assert checkpoint_message(**common, previous=(2, "2026-12-01T13:00:00.000000Z")) == (
        b"hw-shibuya-console/audit-checkpoint/v2\n"
        + statement
        + b'"previous":{"at":"2026-12-01T13:00:00.000000Z","seq":2},"seq":3}'
    )
    assert checkpoint_message(**common).endswith(b'"previous":null,"seq":3}')
    assert key_fingerprint(bytes(32)) == (
        "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925"
    )


# --- exports ---------------------------------------------------------------------------


@pytest.mark.parametrize("export_format", ["csv", "jsonl"])
def test_an_export_verifies_and_every_single_byte_change_fails(export_format):
    rows = chain(4)
    text = "".join(render(export_format, rows, [signed(rows[3])]))
    assert check_text(text).ok
    data = text.encode()
    for position in range(len(data)):
        changed = bytearray(data)
        changed[position] = ord("x") if changed[position] != ord("x") else ord("y")
        try:
            damaged = changed.decode()
        except UnicodeDecodeError:
            continue  # the command-line verifier refuses a file that is not UTF-8
        assert not check_text(damaged).ok, f"a change at byte {position} went unnoticed"


@pytest.mark.parametrize("export_format", ["csv", "jsonl"])
def test_an_export_cut_short_fails(export_format):
    rows = chain(6)
    text = "".join(render(export_format, rows, [signed(rows[5])]))
    lines = text.splitlines(keepends=True)
    assert not check_text("".join(lines[:-1])).ok
    assert not check_text("").ok


def test_an_export_from_the_middle_of_the_chain_verifies():
    rows = chain(10)
    text = "".join(render("jsonl", rows[4:], [signed(rows[7])]))
    result = check_text(text)
    assert result.ok, result.report.problem
    assert result.first_seq == 5
    assert result.fingerprints == [KEY.fingerprint]


def test_a_pinned_fingerprint_refuses_checkpoints_of_another_key():
    rows = chain(6)
    text = "".join(render("jsonl", rows, [signed(rows[5])]))
    assert check_text(text, fingerprints=[KEY.fingerprint]).ok
    result = check_text(text, fingerprints=["0" * 64])
    assert result.report.problem.kind == BAD_SIGNATURE


def test_a_selection_checks_each_entry_but_not_the_links():
    rows = chain(10)
    picked = [rows[1], rows[4], rows[8]]
    text = "".join(render("csv", picked))
    assert not check_text(text).ok  # as a whole export, entries are missing
    assert check_text(text, selection=True).ok
    tampered = text.replace("第5件", "第7件")
    assert not check_text(tampered, selection=True).ok


def test_the_worked_example_in_the_format_document_is_what_the_code_computes():
    doc = {
        "v": 1,
        "seq": 2,
        "at": "2026-12-01T13:00:00.000000Z",
        "actor": {"kind": "staff", "login": "sato", "id": 3},
        "action": "staff.role_changed",
        "subject": {"type": "staff", "id": "5"},
        "details": {
            "changes": {"role": {"before": "counselor", "after": "supervisor"}},
            "reason": "4月の異動",
        },
        "request_id": "7c1e0a9b2f3d4e5f",
        "client_address": "192.0.2.10",
    }
    prev_hash = "3b5d5c3712955042212316173ccf37be8016d9ea3e0a6d8b9e4c1f1b7d3c2a10"
    canonical = canonical_bytes(doc)
    digest = chain_hash(prev_hash, canonical)
    text = (Path(__file__).resolve().parents[2] / "docs" / "audit-format.md").read_text()
    assert canonical.decode() in text
    assert digest in text
    assert re.search(rf"prev_hash\W+{prev_hash}", text)
