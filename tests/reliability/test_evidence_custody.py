"""Fix 4: ``flask evidence verify`` compares each item with the SHA-256 in its
``evidence.added`` audit entry (protected by the chain), not only its editable column."""

from __future__ import annotations

import hashlib

from sqlmodel import update

from console import db
from console.auth.models import Role
from console.evidence.models import Evidence, EvidenceChunk
from tests.factories import make_incident
from tests.uploads import ACCESS_LOG_CSV, evidence_id_from, tiny_png, upload

FORGED = ACCESS_LOG_CSV.replace("203.0.113.45", "203.0.113.99").encode()


def _forge(app, evidence_id: int, *, column_too: bool) -> None:
    """Change the stored file behind the console's back (and its sha256 column, if asked)."""
    with app.app_context(), db.transaction() as session:
        session.exec(
            update(EvidenceChunk)
            .where(EvidenceChunk.evidence_id == evidence_id)
            .values(data=FORGED)
        )
        if column_too:
            session.exec(
                update(Evidence)
                .where(Evidence.id == evidence_id)
                .values(sha256=hashlib.sha256(FORGED).hexdigest(), size=len(FORGED))
            )


def test_a_chunk_and_its_sha256_column_changed_together_are_found(app, client, runner, login_as):
    login_as(Role.COUNSELOR)
    incident = make_incident(app)
    good_id = evidence_id_from(upload(client, incident.id, tiny_png(), "ok.png"))
    bad_id = evidence_id_from(upload(client, incident.id, ACCESS_LOG_CSV.encode(), "access.csv"))
    _forge(app, bad_id, column_too=True)
    result = runner.invoke(args=["evidence", "verify"])
    assert result.exit_code == 1, result.output
    assert f"MISMATCH evidence {bad_id}" in result.output
    assert "differs from the trail's record" in result.output
    assert f"MISMATCH evidence {good_id}" not in result.output
    assert "checked 2 items: 1 mismatched" in result.output


def test_an_item_without_its_added_entry_fails(app, client, runner, login_as):
    login_as(Role.COUNSELOR)
    incident = make_incident(app)
    evidence_id = evidence_id_from(upload(client, incident.id, tiny_png(), "ok.png"))
    with app.app_context(), db.transaction() as session:
        item = session.get(Evidence, evidence_id)
        copy = Evidence(**{**item.model_dump(), "id": None, "storage_id": "x" * 32})
        session.add(copy)
        session.flush()
        session.exec(
            update(EvidenceChunk)
            .where(EvidenceChunk.evidence_id == evidence_id)
            .values(evidence_id=copy.id)
        )
    result = runner.invoke(args=["evidence", "verify"])
    assert result.exit_code == 1
    assert "no intact evidence.added entry" in result.output


def test_the_auditor_page_shows_the_trails_hash(app, client, login_as, make_staff):
    login_as(Role.COUNSELOR)
    incident = make_incident(app)
    evidence_id = evidence_id_from(
        upload(client, incident.id, ACCESS_LOG_CSV.encode(), "access.csv")
    )
    _forge(app, evidence_id, column_too=True)
    auditor = app.test_client()
    staff = make_staff(Role.AUDITOR)
    auditor.post(
        "/auth/login", data={"login": staff.login, "password": "correct horse battery staple"}
    )
    page = auditor.get(f"/incidents/{incident.id}/evidence/custody").get_data(as_text=True)
    assert hashlib.sha256(ACCESS_LOG_CSV.encode()).hexdigest() in page
    assert "不一致" in page or "Mismatch" in page
