"""The auditor's pages: search with keyset pages, an entry's diff, timelines, verify, export."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import time_machine

from console.audit import Actor, Subject, changes, record
from console.audit import service as audit_service
from console.audit.queries import entries_for_subject
from console.audit.verify_export import check_text
from console.permissions import Role
from tests.factories import reading, writing
from tests.trail import checkpoint, drop_triggers, fill, raw, size


def seqs_on(page: str) -> list[int]:
    return [int(value) for value in re.findall(r'href="/audit/entries/(\d+)" aria-label', page)]


def test_search_pages_backwards_by_seq_without_gaps_or_repeats(app, client, login_as):
    fill(app, 120)
    login_as(Role.AUDITOR)
    total = size(app)
    seen: list[int] = []
    url = "/audit/"
    for _ in range(10):
        response = client.get(url)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        seen += seqs_on(page)
        more = re.search(r'href="(/audit/\?before=\d+[^"]*)"', page)
        if more is None:
            break
        url = more.group(1).replace("&amp;", "&")
    assert seen == list(range(total, 0, -1))
    assert len(seqs_on(client.get("/audit/").get_data(as_text=True))) == 50


def test_search_filters_by_action_actor_subject_and_text(app, client, login_as, make_staff, trail):
    admin = make_staff(Role.ADMIN, login="nakamura")
    with writing(app) as session:
        record(
            session,
            Actor.of_staff(admin),
            "staff.role_changed",
            Subject.of("staff", 42),
            {
                "changes": changes({"role": "counselor"}, {"role": "supervisor"}),
                "reason": "4月の異動",
            },
        )
    fill(app, 5)
    login_as(Role.AUDITOR)

    def found(**query) -> list[int]:
        response = client.get("/audit/", query_string=query)
        assert response.status_code == 200
        return seqs_on(response.get_data(as_text=True))

    target = trail.actions().index("staff.role_changed") + 1
    assert found(action="staff.role_changed") == [target]
    assert found(actor="nakamura") == [target]
    assert found(subject_type="staff", subject_id="42") == [target]
    assert found(text="異動") == [target]
    assert found(text="異動", action="auth.login") == []
    assert len(found(actor="system:cli")) >= 5


def test_search_by_japan_time_range(app, client, login_as):
    with time_machine.travel(datetime(2026, 12, 1, 0, 30, tzinfo=UTC), tick=False):  # 9:30 JST
        fill(app, 2)
    with time_machine.travel(datetime(2026, 12, 1, 3, 0, tzinfo=UTC), tick=False):  # 12:00 JST
        fill(app, 3)
    login_as(Role.AUDITOR)
    response = client.get(
        "/audit/", query_string={"since": "2026-12-01T09:00", "until": "2026-12-01T10:00"}
    )
    assert seqs_on(response.get_data(as_text=True)) == [3, 2, 1]
    response = client.get("/audit/", query_string={"since": "2026-12-01T11:00"})
    assert seqs_on(response.get_data(as_text=True))[:3] == [6, 5, 4]


def test_bad_search_input_is_a_422_with_a_message(app, client, login_as):
    login_as(Role.AUDITOR)
    for query in (
        {"since": "yesterday"},
        {"since": "2026-12-02T09:00", "until": "2026-12-01T09:00"},
        {"action": "nothing.real"},
        {"before": "-4"},
        {"before": "abc"},
        {"text": "x" * 500},
        {"since": "0001-01-01T00:00"},
        {"until": "9999-12-31T23:59"},
    ):
        response = client.get("/audit/", query_string=query)
        assert response.status_code == 422, query
        assert "alert-danger" in response.get_data(as_text=True)
    response = client.get(
        "/audit/", query_string={"since": "2026-12-02T09:00", "until": "2026-12-01T09:00"}
    )
    assert "終了日時は開始日時より後にしてください。" in response.get_data(as_text=True)
    assert client.get("/audit/subjects/staff/1?before=zz").status_code == 200
    assert client.get("/audit/export.csv?since=nonsense").status_code == 422


def test_an_entry_shows_before_and_after_in_japanese_and_links_to_the_timeline(
    app, client, login_as, make_staff
):
    admin = make_staff(Role.ADMIN)
    with writing(app) as session:
        record(
            session,
            Actor.of_staff(admin),
            "staff.disabled",
            Subject.of("staff", 7),
            {"changes": changes({"active": True}, {"active": False}), "reason": "退職のため"},
        )
    seq = size(app)
    login_as(Role.AUDITOR)
    page = client.get(f"/audit/entries/{seq}").get_data(as_text=True)
    assert "職員アカウントを無効化" in page
    assert "変更前" in page
    assert "変更後" in page
    assert re.search(
        r"<th scope=\"row\">有効</th><td class=\"audit-before\">はい</td>"
        r"<td class=\"audit-after\">いいえ</td>",
        page,
    )
    assert "退職のため" in page
    assert 'href="/audit/subjects/staff/7"' in page
    assert client.get("/audit/entries/999999").status_code == 404


def test_a_subject_timeline_shows_only_that_subject(app, client, login_as):
    for number in (1, 2, 1, 3, 1):
        with writing(app) as session:
            record(
                session,
                Actor("system", "system:cli"),
                "service_user.updated",
                Subject.of("service_user", number),
                {"note": str(number)},
            )
    login_as(Role.AUDITOR)
    page = client.get("/audit/subjects/service_user/1").get_data(as_text=True)
    assert "利用者 1 の履歴" in page
    assert len(seqs_on(page)) == 3
    with reading(app) as session:
        timeline = entries_for_subject(session, "service_user", 1, 2)
    assert [entry.subject_id for entry in timeline] == ["1", "1"]
    assert timeline[0].seq > timeline[1].seq


def test_verify_now_records_and_shows_the_result(app, client, login_as, trail):
    fill(app, 4)
    checkpoint(app)
    login_as(Role.AUDITOR)
    response = client.post("/audit/verify")
    assert response.status_code == 302
    page = client.get("/audit/verify").get_data(as_text=True)
    assert "監査証跡は正常です" in page
    assert "正常です：通番" in page
    assert trail.actions()[-1] == "audit.verified"

    drop_triggers(app)
    raw(
        app,
        [
            "UPDATE audit_entry SET canonical = replace(canonical, 'entry 1', 'entry 7') WHERE seq = 3"
        ],
    )
    client.post("/audit/verify")
    page = client.get("/audit/verify").get_data(as_text=True)
    assert "通番 3 で改ざんを検出しました：改変" in page


def test_the_verify_page_names_the_pinned_keys_and_flags_an_overdue_checkpoint(
    app, client, login_as, tmp_path
):
    from console.audit.keys import signing_key

    with time_machine.travel(datetime.now(UTC) - timedelta(minutes=90), tick=False):
        fill(app, 2)
        checkpoint(app)
    login_as(Role.AUDITOR)
    page = client.get("/audit/verify").get_data(as_text=True)
    assert "開発環境では署名鍵そのものを信頼しています" in page
    pins = tmp_path / "pins.txt"
    with app.app_context():
        pins.write_text(signing_key(app).fingerprint + "\n")
    app.config["AUDIT_PINNED_KEYS"] = str(pins)
    page = client.get("/audit/verify").get_data(as_text=True)
    assert f"固定鍵ファイル {pins} に記載されたものだけを信頼します" in page
    client.post("/audit/verify")  # the only checkpoint is 90 minutes old
    page = client.get("/audit/verify").get_data(as_text=True)
    assert "チェックポイント遅延" in page
    assert 'data-testid="checkpoint-overdue"' in page


def test_export_downloads_a_verifiable_csv_and_is_recorded(app, client, login_as, trail):
    fill(app, 6)
    login_as(Role.AUDITOR)
    response = client.get("/audit/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert check_text(text).ok
    assert trail.actions()[-1] == "audit.exported"

    selection = client.get("/audit/export.csv", query_string={"action": "auth.login"})
    assert "selection" in selection.headers["Content-Disposition"]
    picked = selection.get_data(as_text=True)
    assert check_text(picked, selection=True).ok
    assert "audit.genesis" not in picked


def test_export_needs_a_fresh_password(app, client, login_as):
    login_as(Role.AUDITOR)
    later = datetime.now(UTC) + timedelta(minutes=11)
    with time_machine.travel(later, tick=False):
        response = client.get("/audit/export.csv")
    assert response.status_code == 302
    assert "/auth/reauthenticate" in response.headers["Location"]


def test_the_auditor_dashboard_has_the_trail_panel_and_others_do_not(app, client, login_as):
    fill(app, 2)
    checkpoint(app)
    login_as(Role.AUDITOR)
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'data-testid="audit-panel"' in page
    assert "記録件数" in page
    assert "最新のチェックポイント" in page
    assert 'href="/audit/"' in page  # the menu entry
    client.post("/auth/logout")
    login_as(Role.SUPERVISOR)
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'data-testid="audit-panel"' not in page
    assert 'href="/audit/"' not in page


def test_the_dashboard_warns_when_new_entries_wait_too_long_for_a_checkpoint(app, client, login_as):
    fill(app, 2)
    checkpoint(app)
    login_as(Role.AUDITOR)  # its own sign-in entry is not yet signed
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'data-testid="checkpoint-overdue"' not in page
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=20), tick=False):
        page = client.get("/dashboard").get_data(as_text=True)
    assert 'data-testid="checkpoint-overdue"' in page
    assert "最新の署名付きチェックポイントが、スケジューラの間隔から見て古すぎます" in page
    checkpoint(app)
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=20), tick=False):
        page = client.get("/dashboard").get_data(as_text=True)
    assert 'data-testid="checkpoint-overdue"' not in page


def test_verify_now_does_not_hold_the_write_lock_while_it_reads(
    app, client, login_as, monkeypatch, trail
):
    """Other staff keep working while a long trail is verified (SQLite's single writer)."""
    fill(app, 3)
    login_as(Role.AUDITOR)
    real = audit_service.run_verification
    written: list[int] = []

    def verify_while_someone_writes(reader, progress=None, **options):
        fill(app, 1)  # another request committing meanwhile: must not wait for this one
        written.append(size(app))
        return real(reader, progress, **options)

    monkeypatch.setattr(audit_service, "run_verification", verify_while_someone_writes)
    assert client.post("/audit/verify").status_code == 302
    assert written
    assert trail.actions()[-1] == "audit.verified"


def test_hostile_input_never_reaches_the_database_as_a_500(app, client, login_as):
    fill(app, 2)
    login_as(Role.AUDITOR)
    assert client.get("/audit/entries/99999999999999999999999999").status_code == 404
    assert client.get("/audit/subjects/staff/1?before=99999999999999999999999").status_code == 200
    assert client.get("/audit/subjects/staff/a%00b").status_code == 404
    for field in ("text", "actor", "subject_id"):
        response = client.get("/audit/", query_string={field: "a\x00b"})
        assert response.status_code == 400, field  # console/security.py refuses NUL everywhere
    assert (
        client.get("/audit/", query_string={"before": "99999999999999999999999"}).status_code == 422
    )
    assert client.get("/audit/export.csv", query_string={"text": "\x00"}).status_code == 400
