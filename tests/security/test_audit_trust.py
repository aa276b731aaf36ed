"""Issue 11, findings 2 and 3: verification trusts only checkpoint keys pinned outside the
trail, follows key rotations only when a trusted key signed them, notices removed and
overdue checkpoints; the off-line checker says what a pinned key proved, and what not."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from console import db
from console.audit import COMMAND_LINE
from console.audit import checkpoints as audit_checkpoints
from console.audit.keys import SigningKey, identity, pem_bytes, signing_key
from console.audit.signed_note import ED25519, VerifierKey, parse_vkey
from console.audit.verify import BAD_SIGNATURE, DELETED, STALE, TRUNCATED
from console.audit.verify_export import UNPROVEN, check_text
from console.config import ConfigurationError
from console.timeutil import utcnow
from tests.conftest import make_app
from tests.trail import (
    checkpoint,
    documents,
    drop_triggers,
    fill,
    raw,
    rewrite_trail,
    verify,
)


def new_key(folder: Path, name: str) -> tuple[SigningKey, Path]:
    path = folder / f"{name}.pem"
    private = Ed25519PrivateKey.generate()
    path.write_bytes(pem_bytes(private))
    return identity(private, path), path


def pin_file(folder: Path, *lines: str) -> Path:
    path = folder / "pinned-keys.txt"
    path.write_text("# keys the operator keeps\n" + "\n".join(lines) + "\n")
    return path


def vkey(key: SigningKey) -> str:
    return VerifierKey(
        "hellowork-shibuya.example/console-audit", ED25519, bytes.fromhex(key.public_key)
    ).vkey()


def real_key(app) -> SigningKey:
    with app.app_context():
        return signing_key(app)


def problem(report) -> tuple[int, str]:
    assert report.problem is not None, "verification passed where it must fail"
    return report.problem.seq, report.problem.kind


# --- finding 2: pinned keys ---------------------------------------------------------------


def test_finding_2_a_trail_rewritten_under_a_key_of_its_own_is_refused(app, tmp_path):
    fill(app, 6)
    checkpoint(app)
    assert verify(app).ok
    attacker, _path = new_key(tmp_path, "attacker")
    docs = documents(app)
    docs[0]["details"].update(key_fingerprint=attacker.fingerprint, public_key=attacker.public_key)
    docs[3]["details"] = {"note": "書き換え"}
    rewrite_trail(app, docs, key=attacker, signed_seqs=[7])
    assert problem(verify(app)) == (7, BAD_SIGNATURE)
    assert "neither pinned" in verify(app).problem.detail


def test_finding_2_an_announced_rotation_not_signed_by_a_trusted_key_is_not_followed(app, tmp_path):
    fill(app, 3)
    checkpoint(app)
    attacker, _path = new_key(tmp_path, "attacker")
    docs = documents(app)
    real = real_key(app)
    rotation = {
        **docs[-1],
        "seq": len(docs) + 1,
        "action": "audit.key_rotated",
        "details": {
            "log_id": docs[0]["details"]["log_id"],
            "previous_fingerprint": real.fingerprint,
            "previous_public_key": real.public_key,
            "key_fingerprint": attacker.fingerprint,
            "public_key": attacker.public_key,
            "previous_key_signature": "00" * 64,
        },
    }
    rewrite_trail(app, [*docs, rotation], key=attacker, signed_seqs=[len(docs) + 1])
    assert problem(verify(app)) == (len(docs) + 1, BAD_SIGNATURE)


def test_finding_2_a_pinned_keys_file_naming_another_key_refuses_the_checkpoints(
    app, runner, tmp_path
):
    fill(app, 3)
    checkpoint(app)
    other, _path = new_key(tmp_path, "other")
    app.config["AUDIT_PINNED_KEYS"] = str(pin_file(tmp_path, vkey(other)))
    assert problem(verify(app)) == (4, BAD_SIGNATURE)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "DAMAGED at seq 4: bad signature" in result.output
    app.config["AUDIT_PINNED_KEYS"] = str(pin_file(tmp_path, vkey(real_key(app))))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"checkpoint keys trusted from: {tmp_path / 'pinned-keys.txt'}" in result.output


def test_finding_2_a_fingerprint_alone_pins_a_key_too(app, tmp_path):
    fill(app, 2)
    checkpoint(app)
    app.config["AUDIT_PINNED_KEYS"] = str(pin_file(tmp_path, real_key(app).fingerprint))
    assert verify(app).ok


def test_finding_2_a_checkpoint_removed_from_the_middle_is_named(app):
    fill(app, 2)
    checkpoint(app)
    fill(app, 2)
    middle = checkpoint(app)
    fill(app, 2)
    checkpoint(app)
    assert verify(app).ok
    drop_triggers(app)
    raw(app, ["DELETE FROM audit_checkpoint WHERE seq = :seq"], seq=middle.seq)
    seq, kind = problem(verify(app))
    assert (seq, kind) == (middle.seq, DELETED)
    assert "checkpoint" in verify(app).problem.detail


def test_finding_2_the_newest_entries_removed_with_their_checkpoint_are_noticed(app, runner):
    fill(app, 4)
    checkpoint(app)
    fill(app, 3)
    last = checkpoint(app)
    drop_triggers(app)
    raw(
        app,
        [
            "DELETE FROM audit_checkpoint WHERE seq = :seq",
            "DELETE FROM audit_entry WHERE seq > 5",
        ],
        seq=last.seq,
    )
    assert verify(app).ok  # at once, the cut looks like a quiet trail…
    later = utcnow() + audit_checkpoints.CHECKPOINT_HEARTBEAT + audit_checkpoints.STALE_GRACE
    with time_machine.travel(later + timedelta(minutes=1), tick=False):
        report = verify(app)  # …but a running scheduler re-signs at least every hour
        assert problem(report) == (6, STALE)
        assert "may have been removed" in report.problem.detail
        result = runner.invoke(args=["audit", "verify"])
        assert result.exit_code == 1
        assert "DAMAGED at seq 6: stale" in result.output
        assert runner.invoke(args=["audit", "verify", "--allow-stale"]).exit_code == 0


def test_finding_2_entries_left_unsigned_longer_than_the_interval_are_reported(app):
    fill(app, 2)
    checkpoint(app)
    fill(app, 2)
    limit = audit_checkpoints.CHECKPOINT_INTERVAL + audit_checkpoints.STALE_GRACE
    with time_machine.travel(utcnow() + limit - timedelta(minutes=1), tick=False):
        assert verify(app).ok
    with time_machine.travel(utcnow() + limit + timedelta(minutes=1), tick=False):
        assert problem(verify(app)) == (4, STALE)


def test_finding_2_the_sweep_signs_a_quiet_trail_again_every_hour(app):
    sweep = audit_checkpoints.checkpoint_sweep
    fill(app, 2)
    start = utcnow()

    def run(minutes: int) -> int:
        moment = start + timedelta(minutes=minutes)
        with (
            time_machine.travel(moment, tick=False),
            app.app_context(),
            db.transaction() as session,
        ):
            return sweep(session, utcnow())

    assert [run(0), run(30), run(59), run(61), run(100), run(122)] == [1, 0, 0, 1, 0, 1]
    with time_machine.travel(start + timedelta(minutes=130), tick=False):
        report = verify(app)
    assert report.ok, report.problem
    assert report.checkpoints == 3


# --- finding 2: key rotation ----------------------------------------------------------------


def rotate(app, runner, tmp_path) -> tuple[SigningKey, SigningKey]:
    old = real_key(app)
    new, path = new_key(tmp_path, "next")
    result = runner.invoke(args=["audit", "key", "rotate", str(path)])
    assert result.exit_code == 0, result.output
    assert vkey(new) in result.output
    app.config["AUDIT_SIGNING_KEY"] = str(path)
    return old, new


@pytest.mark.parametrize("pinned", ["old", "new", "both"])
def test_a_rotation_signed_by_both_keys_verifies_with_either_key_pinned(
    app, runner, tmp_path, pinned
):
    fill(app, 3)
    checkpoint(app)
    old, new = rotate(app, runner, tmp_path)
    fill(app, 2)
    checkpoint(app)
    keys = {"old": [old], "new": [new], "both": [old, new]}[pinned]
    app.config["AUDIT_PINNED_KEYS"] = str(pin_file(tmp_path, *(vkey(key) for key in keys)))
    report = verify(app)
    assert report.ok, report.problem
    assert report.checkpoints == 4  # before, sealing the old key, the handover, after


def test_a_key_switched_without_the_old_key_needs_the_new_key_pinned(app, tmp_path):
    fill(app, 2)
    checkpoint(app)
    old = real_key(app)
    new, path = new_key(tmp_path, "replacement")
    app.config["AUDIT_SIGNING_KEY"] = str(path)
    checkpoint(app)  # announces the new key, signed by the new key only
    app.config["AUDIT_PINNED_KEYS"] = str(pin_file(tmp_path, vkey(old)))
    assert problem(verify(app))[1] == BAD_SIGNATURE
    app.config["AUDIT_PINNED_KEYS"] = str(pin_file(tmp_path, vkey(new)))
    assert verify(app).ok  # the new key vouches for the old one it replaced


def test_a_replaced_key_cannot_sign_again(app, runner, tmp_path):
    fill(app, 2)
    checkpoint(app)
    old, _new = rotate(app, runner, tmp_path)
    app.config["AUDIT_SIGNING_KEY"] = str(old.path)
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 1
    assert "was replaced after seq" in result.output


def test_a_checkpoint_by_a_replaced_key_is_refused(app, runner, tmp_path):
    fill(app, 2)
    checkpoint(app)
    old, new = rotate(app, runner, tmp_path)
    fill(app, 2)
    docs = documents(app)
    rotation_seq = next(doc["seq"] for doc in docs if doc["action"] == "audit.key_rotated")
    rewrite_trail(app, docs, key=old, signed_seqs=[len(docs)])
    app.config["AUDIT_PINNED_KEYS"] = str(pin_file(tmp_path, vkey(old), vkey(new)))
    report = verify(app)
    assert problem(report) == (len(docs), BAD_SIGNATURE)
    assert f"replaced at seq {rotation_seq}" in report.problem.detail


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["same"], "already in use"),
        (["missing"], "does not exist"),
    ],
)
def test_rotation_refuses_what_it_cannot_do(app, runner, tmp_path, arguments, message):
    fill(app, 1)
    path = real_key(app).path if arguments == ["same"] else tmp_path / "missing.pem"
    result = runner.invoke(args=["audit", "key", "rotate", str(path)])
    assert result.exit_code != 0
    assert message in result.output


def test_key_show_prints_a_line_the_pinned_keys_file_accepts(app, runner, tmp_path):
    result = runner.invoke(args=["audit", "key", "show"])
    assert result.exit_code == 0, result.output
    line = result.output.strip().splitlines()[-1]
    assert parse_vkey(line).fingerprint == real_key(app).fingerprint
    app.config["AUDIT_PINNED_KEYS"] = str(pin_file(tmp_path, line))
    fill(app, 1)
    checkpoint(app)
    assert verify(app).ok


# --- finding 2: configuration ---------------------------------------------------------------


def test_production_refuses_to_start_without_pinned_keys(database_url, tmp_path):
    _key, path = new_key(tmp_path, "signing")
    with pytest.raises(ConfigurationError, match="CONSOLE_AUDIT_PINNED_KEYS"):
        make_app(database_url, CONSOLE_ENV="production", AUDIT_SIGNING_KEY=str(path))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not a key\n", "line 1: neither a verifier key"),
        ("# only a comment\n", "names no key"),
        ("name+00000000+AQ==\n", "line 1:"),
    ],
)
def test_a_bad_pinned_keys_file_is_refused_at_start_with_its_line(
    database_url, tmp_path, content, message
):
    path = tmp_path / "pins.txt"
    path.write_text(content)
    with pytest.raises(ConfigurationError, match=message):
        make_app(database_url, AUDIT_PINNED_KEYS=str(path))


def test_an_unreadable_pinned_keys_file_is_a_one_line_error(app, runner, tmp_path):
    app.config["AUDIT_PINNED_KEYS"] = str(tmp_path / "gone.txt")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "cannot read the pinned-keys file" in result.output
    assert "Traceback" not in result.output


# --- finding 3: the off-line checker ------------------------------------------------------


TOMORROW = (utcnow() + timedelta(days=2)).date().isoformat()  # a range that ends "later"


def export(app, runner, tmp_path, *arguments: str) -> str:
    output = tmp_path / "trail.jsonl"
    result = runner.invoke(
        args=["audit", "export", "--format", "jsonl", "--output", str(output), *arguments]
    )
    assert result.exit_code == 0, result.output
    return output.read_text()


def test_finding_3_a_recomputed_export_without_checkpoints_proves_nothing(app, runner, tmp_path):
    fill(app, 5)
    text = export(app, runner, tmp_path, "--until", TOMORROW)  # no checkpoint
    fingerprint = real_key(app).fingerprint
    result = check_text(text, fingerprints=[fingerprint])
    assert result.report.problem.kind == UNPROVEN
    assert "nothing shows that the console wrote them" in result.report.problem.detail
    assert check_text(text).ok  # without a pinned key it is only internally consistent…
    assert "NOT PROVEN: who wrote the file" in describe_text(text)


def describe_text(text: str, **options) -> str:
    from console.audit.verify_export import describe

    return describe(check_text(text, **options))


def test_finding_3_a_pinned_key_proves_the_entries_up_to_its_checkpoint(app, runner, tmp_path):
    fill(app, 4)
    point = checkpoint(app)
    fill(app, 2)
    text = export(app, runner, tmp_path, "--until", TOMORROW)  # the head is not signed
    key = real_key(app)
    described = describe_text(text, keys=[vkey(key)])
    assert f"PROVEN: entries 1-{point.seq} are exactly as the key {key.fingerprint}" in described
    assert f"NOT PROVEN: entries {point.seq + 1}-{point.seq + 2} come after" in described
    assert "who wrote the file" not in described
    other, _path = new_key(tmp_path, "other")
    assert check_text(text, fingerprints=[other.fingerprint]).report.problem.kind == BAD_SIGNATURE


def test_an_export_up_to_now_signs_the_head_first_so_all_of_it_is_proven(app, runner, tmp_path):
    fill(app, 4)
    checkpoint(app)
    fill(app, 2)
    text = export(app, runner, tmp_path)
    result = check_text(text, fingerprints=[real_key(app).fingerprint])
    assert result.ok, result.report.problem
    assert result.report.covered_seq == result.report.head_seq == 7
    assert "NOT PROVEN" not in describe_text(text, fingerprints=[real_key(app).fingerprint])


def test_finding_3_a_csv_export_cannot_prove_its_origin(app, runner, tmp_path):
    fill(app, 2)
    checkpoint(app)
    output = tmp_path / "trail.csv"
    result = runner.invoke(args=["audit", "export", "--format", "csv", "--output", str(output)])
    assert result.exit_code == 0, result.output
    text = output.read_bytes().decode()
    assert check_text(text).ok
    checked = check_text(text, fingerprints=[real_key(app).fingerprint])
    assert checked.report.problem.kind == UNPROVEN
    assert "JSON Lines" in checked.report.problem.detail


def test_finding_3_an_export_after_a_rotation_is_proven_by_the_old_pinned_key(
    app, runner, tmp_path
):
    fill(app, 2)
    old, _new = rotate(app, runner, tmp_path)
    fill(app, 2)
    checkpoint(app)
    text = export(app, runner, tmp_path)
    result = check_text(text, fingerprints=[old.fingerprint])
    assert result.ok, result.report.problem
    assert result.report.covered_seq == result.report.head_seq


def test_finding_3_the_command_line_prints_what_was_proven_and_refuses_bad_pins(
    app, runner, tmp_path
):
    from tests.unit.test_audit_export_cli import standalone

    fill(app, 2)
    checkpoint(app)
    export(app, runner, tmp_path)
    path = str(tmp_path / "trail.jsonl")
    checked = standalone(path, "--fingerprint", real_key(app).fingerprint, "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    outcome = json.loads(checked.stdout)
    assert outcome["proven"]
    assert outcome["covered_seq"] == outcome["head_seq"]
    unpinned = standalone(path)
    assert "NOT PROVEN: who wrote the file" in unpinned.stdout
    bad = standalone(path, "--fingerprint", "abc")
    assert bad.returncode == 2
    assert "not 64 hex digits" in bad.stderr


def test_a_tail_cut_in_the_database_is_still_truncated_with_pinned_keys(app, tmp_path):
    fill(app, 5)
    checkpoint(app)
    app.config["AUDIT_PINNED_KEYS"] = str(pin_file(tmp_path, vkey(real_key(app))))
    drop_triggers(app)
    raw(app, ["DELETE FROM audit_entry WHERE seq > 4"])
    assert problem(verify(app)) == (5, TRUNCATED)


def test_the_rotation_entry_is_written_by_the_command_line(app, runner, tmp_path):
    fill(app, 1)
    old, new = rotate(app, runner, tmp_path)
    rotation = [doc for doc in documents(app) if doc["action"] == "audit.key_rotated"][-1]
    assert rotation["actor"]["login"] == COMMAND_LINE.login
    details = rotation["details"]
    assert details["previous_fingerprint"] == old.fingerprint
    assert details["key_fingerprint"] == new.fingerprint
    assert len(details["previous_key_signature"]) == len(details["key_signature"]) == 128
