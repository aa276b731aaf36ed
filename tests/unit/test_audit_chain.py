"""The trail in the database (SQLite and PostgreSQL alike): one entry per committed action,
none for a rolled-back one, no fork under concurrent writers, the database refusing
changes, and every kind of damage named by ``verify`` after the refusal is taken away."""

from __future__ import annotations

import json
import logging
import os
import stat
import uuid
from datetime import timedelta

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from console import db
from console.audit import COMMAND_LINE, SCHEDULER, Actor, Subject, changes, record
from console.audit import checkpoints as audit_checkpoints
from console.audit.canonical import canonical_bytes, chain_hash
from console.audit.keys import pem_bytes, signing_key
from console.audit.models import AuditCheckpoint, AuditEntry
from console.audit.verify import (
    BAD_SIGNATURE,
    DELETED,
    INSERTED,
    MODIFIED,
    REORDERED,
    TRUNCATED,
)
from console.auth import service as staff_service
from console.auth.models import Staff
from console.config import ConfigurationError
from console.permissions import Role
from console.sweeps import registered_sweeps
from console.timeutil import utcnow
from tests.concurrency import at_once
from tests.conftest import ON_POSTGRES, make_app
from tests.factories import reading, writing
from tests.trail import checkpoint, details, drop_triggers, fill, raw, size, stored, verify

# --- one entry per committed action --------------------------------------------------------


def test_a_rolled_back_action_leaves_no_entry(app, make_staff):
    staff = make_staff(Role.ADMIN)
    before = size(app)

    def change_then_fail() -> None:
        with db.transaction() as session:
            record(session, Actor.of_staff(staff), "staff.disabled", Subject.of("staff", 9), {})
            raise RuntimeError("changed my mind")

    with app.app_context(), pytest.raises(RuntimeError, match="changed my mind"):
        change_then_fail()
    assert size(app) == before
    assert verify(app).ok


def test_a_committed_action_leaves_exactly_one_entry_with_before_and_after(app, make_staff, trail):
    admin = make_staff(Role.ADMIN)
    counselor = make_staff(Role.COUNSELOR)
    before = size(app)
    with writing(app) as session:
        person = session.get(Staff, counselor.id)
        staff_service.change_role(
            session, actor=Actor.of_staff(admin), staff=person, role=Role.SUPERVISOR
        )
    added = trail()[before:]
    assert [entry.action for entry in added] == ["staff.role_changed"]
    document = json.loads(added[0].canonical)
    assert document["details"]["changes"] == {
        "role": {"before": "counselor", "after": "supervisor"}
    }
    assert (added[0].actor_login, added[0].actor_id) == (admin.login, admin.id)
    assert (added[0].subject_type, added[0].subject_id) == ("staff", str(counselor.id))


def test_changes_lists_only_what_differs():
    assert changes({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}) == {
        "b": {"before": 2, "after": 3}
    }


def test_staff_account_changes_are_recorded(app, make_staff, trail):
    admin = make_staff(Role.ADMIN)
    person = make_staff(Role.COUNSELOR)
    with writing(app) as session:
        target = session.get(Staff, person.id)
        staff_service.set_active(
            session, actor=Actor.of_staff(admin), staff=target, active=False, reason="退職"
        )
        staff_service.set_active(session, actor=Actor.of_staff(admin), staff=target, active=True)
        staff_service.set_password(
            session, actor=Actor.of_staff(admin), staff=target, new="another long passphrase 42"
        )
    actions = trail.actions()
    assert actions.count("staff.created") == 2
    assert actions[-3:] == ["staff.disabled", "staff.enabled", "staff.password_changed"]
    disabled = details(trail()[-3])
    assert disabled == {"changes": {"active": {"before": True, "after": False}}, "reason": "退職"}
    assert "another long passphrase" not in trail()[-1].canonical


def test_the_genesis_entry_names_the_log_and_the_key(app, make_staff, trail):
    make_staff(Role.ADMIN)
    genesis = json.loads(trail()[0].canonical)
    with app.app_context():
        key = signing_key(app)
    assert genesis["action"] == "audit.genesis"
    assert uuid.UUID(genesis["details"]["log_id"])
    assert genesis["details"]["key_fingerprint"] == key.fingerprint
    assert genesis["details"]["public_key"] == key.public_key


# --- concurrency -------------------------------------------------------------------------


def test_eight_concurrent_writers_make_one_unbroken_chain(app, trail):
    per_writer, writers = 12, 8

    def write(number: int) -> None:
        for item in range(per_writer):
            with writing(app) as session:
                record(
                    session,
                    COMMAND_LINE,
                    "auth.login",
                    Subject.of("staff", number),
                    {"note": f"writer {number} item {item}"},
                )

    at_once(write, writers, timeout=120)
    seqs = [entry.seq for entry in trail()]
    assert seqs == list(range(1, writers * per_writer + 2))  # and the genesis entry
    report = verify(app)
    assert report.ok, report.problem
    assert report.count == writers * per_writer + 1


# --- the database refuses changes ---------------------------------------------------------


def test_update_and_delete_through_sqlalchemy_are_refused(app):
    fill(app, 3)
    for statement in (
        update(AuditEntry).where(AuditEntry.seq == 2).values(action="auth.logout"),
        delete(AuditEntry).where(AuditEntry.seq == 3),
    ):
        with pytest.raises(DBAPIError, match="append-only"), writing(app) as session:
            session.execute(statement)
    with writing(app) as session:
        entry = session.get(AuditEntry, 1)
        entry.actor_login = "someone"
        with pytest.raises(DBAPIError, match="append-only"):
            session.flush()
        session.rollback()
    assert size(app) == 4
    assert verify(app).ok


def test_checkpoints_cannot_be_changed_either(app):
    fill(app, 2)
    checkpoint(app)
    for statement in (update(AuditCheckpoint).values(signature="00"), delete(AuditCheckpoint)):
        with pytest.raises(DBAPIError, match="append-only"), writing(app) as session:
            session.execute(statement)


@pytest.mark.skipif(not ON_POSTGRES, reason="TRUNCATE exists on PostgreSQL only")
def test_truncate_is_refused_on_postgres(app):
    fill(app, 2)
    for table in ("audit_entry", "audit_checkpoint"):
        with pytest.raises(DBAPIError, match="TRUNCATE refused"), writing(app) as session:
            session.execute(text(f"TRUNCATE {table}"))
    assert size(app) == 3


@pytest.mark.skipif(not ON_POSTGRES, reason="roles and privileges exist on PostgreSQL only")
def test_an_app_role_with_select_and_insert_only_cannot_update(app):
    """docs/postgres-roles.md: the app's role may read and append, and nothing more."""
    fill(app, 2)
    role = f"console_app_{uuid.uuid4().hex[:8]}"
    raw(
        app,
        [
            f"CREATE ROLE {role} NOLOGIN",
            f"GRANT USAGE ON SCHEMA public TO {role}",
            f"GRANT SELECT, INSERT ON audit_entry TO {role}",
        ],
    )
    drop_triggers(app)  # so that only the privilege stands in the way
    forged = {"seq": 4, "prev": "a" * 64, "hash": "b" * 64}
    try:
        with app.app_context(), db.engine().connect() as connection:
            connection.execute(text(f"SET ROLE {role}"))
            with pytest.raises(DBAPIError, match="permission denied"):
                connection.execute(text("UPDATE audit_entry SET action = 'x' WHERE seq = 1"))
            connection.rollback()
            connection.execute(text(f"SET ROLE {role}"))
            with pytest.raises(DBAPIError, match="permission denied"):
                connection.execute(text("DELETE FROM audit_entry WHERE seq = 1"))
            connection.rollback()
            connection.execute(text(f"SET ROLE {role}"))
            connection.execute(
                text(
                    "INSERT INTO audit_entry (seq, at, actor_kind, actor_login, action, "
                    "subject_type, subject_id, request_id, client_address, canonical, "
                    "prev_hash, hash) VALUES (:seq, now(), 'system', 'x', 'auth.login', "
                    "'staff', '1', '', '', '{}', :prev, :hash)"
                ),
                forged,
            )
            assert connection.execute(text("SELECT count(*) FROM audit_entry")).scalar() == 4
            connection.rollback()
    finally:
        raw(app, [f"DROP OWNED BY {role}", f"DROP ROLE {role}"])


# --- damage and verification --------------------------------------------------------------


def _forge(app, seq: int) -> None:
    """Slip a well-formed entry in at ``seq`` that does not link, renumbering the rest."""
    document = json.loads(stored(app, seq)["canonical"])
    document["details"] = {"note": "forged"}
    canonical = canonical_bytes(document)
    prev_hash = "f" * 64
    raw(
        app,
        [
            "UPDATE audit_entry SET seq = -(seq + 1) WHERE seq >= :seq",
            "UPDATE audit_entry SET seq = -seq WHERE seq < 0",
            "INSERT INTO audit_entry (seq, at, actor_kind, actor_id, actor_login, action, "
            "subject_type, subject_id, request_id, client_address, canonical, prev_hash, hash) "
            "SELECT :seq, at, actor_kind, actor_id, actor_login, action, subject_type, "
            "subject_id, request_id, client_address, :canonical, :prev_hash, :hash "
            "FROM audit_entry WHERE seq = :seq + 1",
        ],
        seq=seq,
        canonical=canonical.decode(),
        prev_hash=prev_hash,
        hash=chain_hash(prev_hash, canonical),
    )


def _swap(app, first: int, second: int) -> None:
    raw(
        app,
        [
            "UPDATE audit_entry SET seq = -1 WHERE seq = :first",
            "UPDATE audit_entry SET seq = :first WHERE seq = :second",
            "UPDATE audit_entry SET seq = :second WHERE seq = -1",
        ],
        first=first,
        second=second,
    )


def _flip_signature(app) -> None:
    with app.app_context(), db.engine().connect() as connection:
        signature = connection.execute(text("SELECT signature FROM audit_checkpoint")).scalar()
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    raw(app, ["UPDATE audit_checkpoint SET signature = :signature"], signature=flipped)


DAMAGE = {
    "canonical changed": (
        lambda app: raw(
            app,
            [
                "UPDATE audit_entry SET canonical = replace(canonical, 'entry 3', 'entry 9') "
                "WHERE seq = 5"
            ],
        ),
        5,
        MODIFIED,
    ),
    "column changed": (
        lambda app: raw(app, ["UPDATE audit_entry SET action = 'auth.logout' WHERE seq = 6"]),
        6,
        MODIFIED,
    ),
    "entry deleted": (
        lambda app: raw(app, ["DELETE FROM audit_entry WHERE seq = 4"]),
        4,
        DELETED,
    ),
    "forged entry inserted": (lambda app: _forge(app, 5), 5, INSERTED),
    "entries swapped": (lambda app: _swap(app, 3, 7), 3, REORDERED),
    "tail cut after a checkpoint": (
        lambda app: raw(app, ["DELETE FROM audit_entry WHERE seq > 8"]),
        9,
        TRUNCATED,
    ),
    "bad signature": (_flip_signature, 10, BAD_SIGNATURE),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_verify_names_the_first_bad_seq_and_the_kind(app, runner, damage):
    fill(app, 9)  # with the genesis entry: seq 1..10
    checkpoint(app)  # signs seq 10 (the genesis entry announced the key)
    assert verify(app).ok
    do_damage, seq, kind = DAMAGE[damage]
    drop_triggers(app)
    do_damage(app)
    report = verify(app)
    assert report.problem is not None
    assert (report.problem.seq, report.problem.kind) == (seq, kind)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"DAMAGED at seq {seq}: {kind}" in result.output
    as_json = json.loads(runner.invoke(args=["audit", "verify", "--json"]).output)
    assert as_json["problem"]["seq"] == seq
    assert as_json["problem"]["kind"] == kind


# --- checkpoints ---------------------------------------------------------------------------


def test_verify_command_reports_count_and_head(app, runner):
    fill(app, 4)
    checkpoint(app)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    head = stored(app, 5)["hash"]
    assert f"OK: 5 entries, head seq 5, head hash {head}, 1 checkpoints verified" in result.output
    report = json.loads(runner.invoke(args=["audit", "verify", "--json"]).output)
    assert report["ok"] is True
    assert report["head_hash"] == head


def test_checkpoint_command_writes_and_exports(app, runner):
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 1
    assert "nothing to sign" in result.output
    assert "no checkpoint yet" in runner.invoke(args=["audit", "checkpoint", "--export"]).output
    fill(app, 2)
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0
    assert "checkpoint at seq 3" in result.output
    exported = json.loads(runner.invoke(args=["audit", "checkpoint", "--export"]).output)
    assert exported["seq"] == 3
    assert exported["head_hash"] == stored(app, 3)["hash"]
    assert exported["algorithm"] == "Ed25519"
    assert len(exported["signature"]) == 128


def test_the_sweep_writes_at_most_one_checkpoint_every_five_minutes(app, trail):
    assert "audit.checkpoint" in [sweep.name for sweep in registered_sweeps(app)]
    sweep = next(item for item in registered_sweeps(app) if item.name == "audit.checkpoint")
    fill(app, 2)
    start = utcnow()

    def run(at):
        with time_machine.travel(at, tick=False), writing(app) as session:
            return sweep.run(session, utcnow())

    assert run(start) == 1
    fill(app, 1)
    assert run(start + timedelta(minutes=4)) == 0
    assert run(start + timedelta(minutes=6)) == 1
    assert run(start + timedelta(minutes=12)) == 0  # nothing new to sign
    with reading(app) as session:
        assert session.execute(select(AuditCheckpoint)).scalars().all().__len__() == 2
    announced = [entry for entry in trail() if entry.action == "audit.key_rotated"]
    assert announced == []  # the genesis entry already named the key
    assert verify(app).ok


def test_a_new_key_is_announced_in_the_chain_before_it_signs(app, tmp_path, trail):
    fill(app, 2)
    checkpoint(app)
    new_key = tmp_path / "rotated.pem"
    new_key.write_bytes(pem_bytes(Ed25519PrivateKey.generate()))
    app.config["AUDIT_SIGNING_KEY"] = str(new_key)
    point = checkpoint(app)
    rotation = trail()[-1]
    assert rotation.action == "audit.key_rotated"
    announced = details(rotation)
    with app.app_context():
        assert announced["key_fingerprint"] == signing_key(app).fingerprint == point.key_fingerprint
    assert announced["previous_fingerprint"] != announced["key_fingerprint"]
    assert point.seq == rotation.seq
    report = verify(app)
    assert report.ok
    assert report.checkpoints == 2


def test_a_scheduler_checkpoint_uses_the_scheduler_as_actor_when_announcing(app, tmp_path, trail):
    fill(app, 1)
    other = tmp_path / "k.pem"
    other.write_bytes(pem_bytes(Ed25519PrivateKey.generate()))
    app.config["AUDIT_SIGNING_KEY"] = str(other)
    with writing(app) as session:
        audit_checkpoints.write_checkpoint(session, utcnow())
    assert trail()[-1].actor_login == SCHEDULER.login


def test_development_generates_a_private_key_file_once(app, tmp_path, caplog):
    app.instance_path = str(tmp_path)
    app.config["AUDIT_SIGNING_KEY"] = None
    app.extensions.pop("console.audit.signing_keys", None)
    with caplog.at_level(logging.WARNING), app.app_context():
        first = signing_key(app)
    path = tmp_path / "audit-signing-key.pem"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "generated a development key" in caplog.text
    app.extensions.pop("console.audit.signing_keys")
    with app.app_context():
        assert signing_key(app).fingerprint == first.fingerprint


def test_production_refuses_to_start_without_a_signing_key(database_url):
    with pytest.raises(ConfigurationError, match="CONSOLE_AUDIT_SIGNING_KEY"):
        make_app(database_url, CONSOLE_ENV="production", AUDIT_SIGNING_KEY=None)


def test_an_unreadable_key_is_a_clear_error_not_a_traceback(app, runner, tmp_path):
    fill(app, 1)
    app.config["AUDIT_SIGNING_KEY"] = str(tmp_path / "missing.pem")
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 1
    assert "cannot read the audit signing key" in result.output
    (tmp_path / "bad.pem").write_text("not a key")
    app.config["AUDIT_SIGNING_KEY"] = str(tmp_path / "bad.pem")
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 1
    assert "not an unencrypted PEM private key" in result.output
