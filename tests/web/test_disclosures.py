"""Legal disclosure (Art. 4-2): request, approval by another supervisor with a fresh
password, unmasked view and ZIP export for the scope only, for 7 days, to the named staff."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from console.audit import Actor
from console.disclosures import export, service
from console.disclosures.models import DisclosureRequest
from console.permissions import Role
from console.sweeps import registered_sweeps
from tests.factories import PASSWORD, make_incident, make_user, reading, writing
from tests.uploads import ACCESS_LOG_CSV, evidence_id_from, tiny_png, upload

DAY = datetime(2026, 11, 2, 13, 0, tzinfo=UTC)  # 22:00 in Japan, the day the request covers
NOW = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


def _client(app, staff):
    client = app.test_client()
    response = client.post("/auth/login", data={"login": staff.login, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _request_form(reference_no, **overrides):
    form = {
        "authority": "警視庁渋谷警察署",
        "legal_basis": "刑事訴訟法第197条第2項",
        "document_ref": "渋署刑第1234号",
        "document_date": "2026-11-03",
        "reference_numbers": reference_no,
        "period_from": "2026-11-02",
        "period_to": "2026-11-02",
        "data_kinds": ["incidents", "notes", "access_logs", "files"],
        "purpose": "不正アクセスの捜査のため",
    }
    form.update(overrides)
    return form


@pytest.fixture
def case(app, make_staff):
    """A service user with an incident on 2 Nov holding a CSV log, a note and an image,
    another user's incident, and the same user's incident outside the period."""
    counselor = make_staff(Role.COUNSELOR)
    requester = make_staff(Role.SUPERVISOR)
    approver = make_staff(Role.SUPERVISOR)
    other_supervisor = make_staff(Role.SUPERVISOR)
    user = make_user(app, reference_no="13010-777777")
    other_user = make_user(app, reference_no="13010-888888")
    incident = make_incident(
        app, user, counselor, description="接続元 203.0.113.45 から参加", occurred_at=DAY
    )
    later = make_incident(
        app, user, counselor, description="別の日 198.51.100.9", occurred_at=DAY + timedelta(days=8)
    )
    unrelated = make_incident(app, other_user, counselor, description="他の利用者", occurred_at=DAY)
    writer = _client(app, counselor)
    items = {
        "csv": evidence_id_from(upload(writer, incident.id, ACCESS_LOG_CSV.encode(), "access.csv")),
        "image": evidence_id_from(upload(writer, incident.id, tiny_png(), "画面.png")),
        "later": evidence_id_from(upload(writer, later.id, ACCESS_LOG_CSV.encode(), "later.csv")),
        "unrelated": evidence_id_from(
            upload(writer, unrelated.id, ACCESS_LOG_CSV.encode(), "other.csv")
        ),
    }
    note = writer.post(
        f"/incidents/{incident.id}/evidence/note",
        data={"title": "聞き取り", "body": "IMEI 352099001761481"},
    )
    items["note"] = evidence_id_from(note)
    return {
        "counselor": counselor,
        "requester": requester,
        "approver": approver,
        "other": other_supervisor,
        "user": user,
        "incident": incident,
        "items": items,
    }


def _file_request(app, staff, reference_no, **overrides):
    client = _client(app, staff)
    response = client.post("/disclosures/new", data=_request_form(reference_no, **overrides))
    assert response.status_code == 302, response.get_data(as_text=True)
    return client, int(response.headers["Location"].rsplit("/", 1)[-1])


def _approve(app, approver, request_id, decision="approve"):
    client = _client(app, approver)
    response = client.post(
        f"/disclosures/{request_id}/decide",
        data={"decision": decision, "reason": "令状の写しを確認した"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def test_a_request_is_recorded_and_audited(app, case, trail):
    client, request_id = _file_request(app, case["counselor"], "13010-777777")
    page = client.get(f"/disclosures/{request_id}").get_data(as_text=True)
    assert "警視庁渋谷警察署" in page
    assert "決裁待ち" in page
    entries = trail("disclosure.requested")
    assert len(entries) == 1
    assert "13010-777777" in entries[0].canonical
    assert "刑事訴訟法第197条第2項" in entries[0].canonical


def test_bad_request_input_is_a_form_error_not_a_500(app, case):
    client = _client(app, case["counselor"])
    unknown = client.post("/disclosures/new", data=_request_form("99999-000000"))
    assert unknown.status_code == 422
    assert "99999-000000" in unknown.get_data(as_text=True)
    backwards = client.post(
        "/disclosures/new", data=_request_form("13010-777777", period_to="2026-11-01")
    )
    assert backwards.status_code == 422
    assert "開始日より前" in backwards.get_data(as_text=True)
    nothing = client.post("/disclosures/new", data=_request_form("13010-777777", data_kinds=[]))
    assert nothing.status_code == 422
    bad_kind = client.post(
        "/disclosures/new", data=_request_form("13010-777777", data_kinds=["everything"])
    )
    assert bad_kind.status_code == 422
    assert client.post("/disclosures/new", data={}).status_code == 422


def test_a_requester_cannot_approve_their_own_request(app, case, trail):
    client, request_id = _file_request(app, case["requester"], "13010-777777")
    show = client.get(f"/disclosures/{request_id}").get_data(as_text=True)
    assert f"/disclosures/{request_id}/decide" not in show
    index = client.get("/disclosures/").get_data(as_text=True)
    assert "決裁待ちの請求はありません" in index
    assert client.get(f"/disclosures/{request_id}/decide").status_code == 403
    direct = client.post(
        f"/disclosures/{request_id}/decide", data={"decision": "approve", "reason": "自分で"}
    )
    assert direct.status_code == 403
    with writing(app) as session:
        found = session.get(DisclosureRequest, request_id)
        with pytest.raises(service.DisclosureForbiddenError):
            service.decide(
                session,
                actor=Actor.of_staff(case["requester"]),
                request=found,
                approve=True,
                reason="bypass",
            )
        assert found.status == "requested"
    assert trail("disclosure.approved") == []


def test_deciding_needs_a_password_typed_in_the_last_10_minutes(app, case):
    _, request_id = _file_request(app, case["counselor"], "13010-777777")
    with time_machine.travel(datetime.now(UTC), tick=False) as traveller:
        client = _client(app, case["approver"])
        traveller.shift(11 * 60)
        response = client.get(f"/disclosures/{request_id}/decide")
        assert response.status_code == 302
        assert "/auth/reauthenticate" in response.headers["Location"]
        post = client.post(
            f"/disclosures/{request_id}/decide", data={"decision": "approve", "reason": "x"}
        )
        assert post.status_code == 302
        assert "/auth/reauthenticate" in post.headers["Location"]
    with reading(app) as session:
        assert session.get(DisclosureRequest, request_id).status == "requested"


def test_approval_opens_the_scope_unmasked_to_the_named_staff_only(app, case, trail):
    requester_client, request_id = _file_request(app, case["counselor"], "13010-777777")
    approver_client = _approve(app, case["approver"], request_id)
    items = case["items"]
    for client in (requester_client, approver_client):
        page = client.get(f"/disclosures/{request_id}/records")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "203.0.113.45" in text  # the incident description, unmasked
        assert "198.51.100.9" not in text  # outside the period
        item = client.get(f"/disclosures/{request_id}/evidence/{items['csv']}")
        assert item.status_code == 200
        assert "00:1A:2B:3C:4D:5E" in item.get_data(as_text=True)
        note = client.get(f"/disclosures/{request_id}/evidence/{items['note']}")
        assert "352099001761481" in note.get_data(as_text=True)
    # Outside the scope: another user's evidence, the same user outside the period.
    for outside in (items["unrelated"], items["later"]):
        assert (
            requester_client.get(f"/disclosures/{request_id}/evidence/{outside}").status_code == 403
        )
    # Not named: another supervisor.
    other = _client(app, case["other"])
    assert other.get(f"/disclosures/{request_id}/records").status_code == 403
    assert other.get(f"/disclosures/{request_id}/evidence/{items['csv']}").status_code == 403
    assert other.post(f"/disclosures/{request_id}/export").status_code == 403
    # The ordinary evidence pages stay masked even for the named staff.
    masked = requester_client.get(f"/evidence/{items['csv']}").get_data(as_text=True)
    assert "00:1A:2B:3C:4D:5E" not in masked
    views = trail("disclosure.unmasked_viewed")
    assert len(views) == 6


def test_kinds_not_requested_stay_closed(app, case):
    client, request_id = _file_request(
        app, case["counselor"], "13010-777777", data_kinds=["access_logs"]
    )
    _approve(app, case["approver"], request_id)
    items = case["items"]
    assert client.get(f"/disclosures/{request_id}/evidence/{items['csv']}").status_code == 200
    assert client.get(f"/disclosures/{request_id}/evidence/{items['note']}").status_code == 403
    assert client.get(f"/disclosures/{request_id}/evidence/{items['image']}").status_code == 403
    records = client.get(f"/disclosures/{request_id}/records").get_data(as_text=True)
    assert "203.0.113.45" not in records  # incident descriptions were not requested


def test_a_refused_request_opens_nothing(app, case, trail):
    client, request_id = _file_request(app, case["counselor"], "13010-777777")
    _approve(app, case["approver"], request_id, decision="refuse")
    assert client.get(f"/disclosures/{request_id}/records").status_code == 403
    assert len(trail("disclosure.refused")) == 1
    again = _client(app, case["other"]).post(
        f"/disclosures/{request_id}/decide", data={"decision": "approve", "reason": "再度"}
    )
    assert again.status_code == 200  # the page says it is already decided; nothing changes
    with reading(app) as session:
        assert session.get(DisclosureRequest, request_id).status == "refused"


def test_after_seven_days_access_ends_and_the_sweep_records_it_once(app, case, trail):
    with time_machine.travel(NOW, tick=False) as traveller:
        client, request_id = _file_request(app, case["counselor"], "13010-777777")
        _approve(app, case["approver"], request_id)
        assert client.get(f"/disclosures/{request_id}/records").status_code == 200
        traveller.shift(timedelta(days=7, minutes=1))
        client = _client(app, case["counselor"])
        assert client.get(f"/disclosures/{request_id}/records").status_code == 403
        item = case["items"]["csv"]
        assert client.get(f"/disclosures/{request_id}/evidence/{item}").status_code == 403
        assert client.post(f"/disclosures/{request_id}/export").status_code == 403
        assert "期限切れ" in client.get(f"/disclosures/{request_id}").get_data(as_text=True)
        sweep = next(s for s in registered_sweeps(app) if s.name == "disclosures.expire")
        with writing(app) as session:
            assert sweep.run(session, NOW + timedelta(days=8)) == 1
        with writing(app) as session:
            assert sweep.run(session, NOW + timedelta(days=9)) == 0
    assert len(trail("disclosure.expired")) == 1


def test_the_export_is_an_unmasked_zip_with_manifest_and_hashes(app, case, trail):
    client, request_id = _file_request(app, case["counselor"], "13010-777777")
    _approve(app, case["approver"], request_id)
    response = client.post(f"/disclosures/{request_id}/export")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    body = response.data
    archive = zipfile.ZipFile(io.BytesIO(body))
    names = archive.namelist()
    assert "manifest.json" in names
    assert "SHA256SUMS.txt" in names
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["why"]["legal_basis"] == "刑事訴訟法第197条第2項"
    assert manifest["approved_by"]["login"] == case["approver"].login
    assert manifest["what"]["service_users"] == ["13010-777777"]
    for entry in manifest["files"]:
        assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"]
    csv_entry = next(e for e in manifest["files"] if e["path"].endswith("access.csv"))
    assert archive.read(csv_entry["path"]) == ACCESS_LOG_CSV.encode()
    assert csv_entry["sha256"] == csv_entry["recorded_sha256"]
    assert "203.0.113.45" in archive.read("incidents.csv").decode("utf-8-sig")
    assert not any("later.csv" in name or "other.csv" in name for name in names)
    sums = archive.read("SHA256SUMS.txt").decode()
    assert hashlib.sha256(archive.read("manifest.json")).hexdigest() in sums
    exported = trail("disclosure.exported")
    assert len(exported) == 1
    assert hashlib.sha256(body).hexdigest() in exported[0].canonical


def test_auditors_see_every_request_and_its_steps(app, case, make_staff):
    _, request_id = _file_request(app, case["counselor"], "13010-777777")
    _approve(app, case["approver"], request_id)
    _file_request(app, case["requester"], "13010-777777", authority="東京地方裁判所")
    auditor = _client(app, make_staff(Role.AUDITOR))
    listing = auditor.get("/disclosures/review").get_data(as_text=True)
    assert "警視庁渋谷警察署" in listing
    assert "東京地方裁判所" in listing
    assert "承認済み" in listing
    assert "決裁待ち" in listing
    only_pending = auditor.get("/disclosures/review?status=requested").get_data(as_text=True)
    assert "警視庁渋谷警察署" not in only_pending
    steps = auditor.get(f"/disclosures/review/{request_id}").get_data(as_text=True)
    assert "開示請求を登録" in steps
    assert "開示請求を承認" in steps
    assert auditor.get("/disclosures/review?status=nonsense&before=abc").status_code == 200


def test_counselors_see_only_their_own_requests(app, case, make_staff):
    _, request_id = _file_request(app, case["requester"], "13010-777777")
    another_counselor = _client(app, make_staff(Role.COUNSELOR))
    assert another_counselor.get(f"/disclosures/{request_id}").status_code == 403
    assert "警視庁渋谷警察署" not in another_counselor.get("/disclosures/").get_data(as_text=True)


def test_supervisors_see_pending_requests_on_the_dashboard(app, case):
    _file_request(app, case["requester"], "13010-777777")
    own = _client(app, case["requester"]).get("/dashboard").get_data(as_text=True)
    assert "決裁待ちの開示請求" in own
    assert "警視庁渋谷警察署" not in own  # one's own request is not for oneself to decide
    other = _client(app, case["approver"]).get("/dashboard").get_data(as_text=True)
    assert "警視庁渋谷警察署" in other
    counselor = _client(app, case["counselor"]).get("/dashboard").get_data(as_text=True)
    assert "決裁待ちの開示請求" not in counselor


def test_the_validity_period_can_be_configured(app, case):
    app.config["DISCLOSURE_VALIDITY_DAYS"] = 2
    client, request_id = _file_request(app, case["counselor"], "13010-777777")
    _approve(app, case["approver"], request_id)
    with reading(app) as session:
        found = session.get(DisclosureRequest, request_id)
        assert found.expires_at - found.decided_at == timedelta(days=2)
    assert "2 日間" in client.get("/disclosures/").get_data(as_text=True)


def test_a_full_disk_while_building_the_zip_is_a_clear_page_and_records_nothing(
    app, case, monkeypatch, trail
):
    client, request_id = _file_request(app, case["counselor"], "13010-777777")
    _approve(app, case["approver"], request_id)

    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "_zip_write", disk_full)
    response = client.post(f"/disclosures/{request_id}/export")
    assert response.status_code == 507
    assert "ファイルを保存できませんでした" in response.get_data(as_text=True)
    assert trail("disclosure.exported") == []
