"""Service-user pages: search, register, edit (audited before/after), viewing audited (Art. 6)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from console.navigation import UserPanel, add_user_panel
from console.online_services import OnlineService
from console.permissions import Permission, Role
from console.users.models import ServiceUser
from tests.factories import (
    jst,
    make_incident,
    make_terms,
    make_user,
    propose_suspension,
    reading,
)
from tests.trail import details

FORM = {
    "reference_no": "ＨＷ－２０２６－０００９９９",
    "name_kanji": "佐藤 次郎",
    "name_kana": "さとう じろう",
    "birth_date": "1990-01-02",
    "registration_route": "office",
    "services": ["seminar", "interview_fair"],
    "terms_version_id": "",
    "terms_agreed_on": "",
    "assigned_counselor_id": "",
}


@pytest.mark.parametrize("typed", ["やまだ", "ヤマダ", "ﾔﾏﾀﾞ", "山田", "ＨＷ－２０２４"])
def test_the_list_finds_yamada_however_typed(app, client, login_as, typed):
    make_user(app, "山田 太郎", "ヤマダ タロウ", reference_no="HW-2024-000123")
    make_user(app, "鈴木 花子", "スズキ ハナコ", reference_no="HW-2025-000456")
    login_as(Role.COUNSELOR)
    page = client.get("/users/", query_string={"q": typed}).get_data(as_text=True)
    assert "山田 太郎" in page
    assert "鈴木 花子" not in page


def test_no_match_and_bad_cursor_are_explained(app, client, login_as):
    make_user(app)
    login_as(Role.AUDITOR)
    page = client.get("/users/", query_string={"q": "存在しない"}).get_data(as_text=True)
    assert "該当する利用者はいません" in page
    response = client.get("/users/", query_string={"after": "abc"})
    assert response.status_code == 422
    assert "もう一度検索してください" in response.get_data(as_text=True)
    assert client.get("/users/", query_string={"q": "x" * 101}).status_code == 422


def test_register_normalises_and_audits(app, client, login_as, trail):
    make_terms(app)
    login_as(Role.COUNSELOR)
    response = client.post("/users/new", data=FORM)
    assert response.status_code == 302, response.get_data(as_text=True)
    with reading(app) as session:
        user = session.exec(select(ServiceUser)).one()
    assert user.reference_no == "HW-2026-000999"
    assert user.name_kana == "サトウ ジロウ"
    [entry] = trail("service_user.created")
    assert details(entry)["after"]["services"] == ["interview_fair", "seminar"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name_kana", "Sato", "カタカナまたはひらがな"),
        ("reference_no", "番号", "英字・数字・ハイフン"),
        ("birth_date", "2999-01-01", "過去の日付"),
        ("registration_route", "pigeon", "選択肢が正しくありません"),
        ("name_kanji", "", "必須"),
        ("services", "yoga", "一覧の中から選んでください"),
        ("birth_date", "昭和", "日付"),
        ("terms_agreed_on", "2024-01-01", "規約の版を選んで"),
    ],
)
def test_bad_input_is_a_japanese_form_error(app, client, login_as, field, value, message):
    make_terms(app)
    login_as(Role.SUPERVISOR)
    response = client.post("/users/new", data={**FORM, field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_a_duplicate_reference_number_is_refused(app, client, login_as):
    make_user(app, reference_no="HW-2026-000999")
    login_as(Role.COUNSELOR)
    response = client.post("/users/new", data=FORM)
    assert response.status_code == 422
    assert "すでに登録されています" in response.get_data(as_text=True)


def test_edit_writes_one_entry_with_before_and_after(app, client, login_as, trail):
    user = make_user(
        app,
        "山田 太郎",
        "ヤマダ タロウ",
        reference_no="HW-2024-000123",
        services=[OnlineService.SEMINAR],
    )
    staff = login_as(Role.COUNSELOR)
    data = {
        **FORM,
        "reference_no": "HW-2024-000123",
        "name_kanji": "山田 太郎",
        "name_kana": "ヤマダ タロウ",
        "birth_date": "",
        "registration_route": "online",
        "services": ["seminar", "individual_counseling"],
        "counseling_eligible": "y",
        "assigned_counselor_id": str(staff.id),
    }
    assert client.post(f"/users/{user.id}/edit", data=data).status_code == 302
    [entry] = trail("service_user.updated")
    changed = details(entry)
    assert changed["services"] == {
        "before": ["seminar"],
        "after": ["individual_counseling", "seminar"],
    }
    assert changed["counseling_eligible"] == {"before": False, "after": True}
    assert changed["assigned_counselor_id"] == {"before": None, "after": staff.id}
    assert "name_kanji" not in changed
    client.post(f"/users/{user.id}/edit", data=data)  # the same again: nothing changed
    assert len(trail("service_user.updated")) == 1
    assert client.get(f"/users/{user.id}/edit").status_code == 200


def test_viewing_is_audited_and_feeds_recently_viewed(app, client, login_as, trail):
    first, second = make_user(app, "山田 太郎", "ヤマダ"), make_user(app, "鈴木 花子", "スズキ")
    staff = login_as(Role.COUNSELOR)
    make_incident(app, first, staff, categories=["art7.1", "art7.3"])
    page = client.get(f"/users/{first.id}").get_data(as_text=True)
    assert "監査ログに記録されました" in page
    timeline = page.split('data-testid="timeline"')[1]
    assert "事案の記録" in timeline
    assert "第7条(1)" in timeline
    assert "利用者の登録" in timeline
    client.get(f"/users/{second.id}")
    client.get(f"/users/{first.id}")
    views = trail("service_user.viewed")
    assert [(entry.actor_id, entry.subject_id) for entry in views] == [
        (staff.id, str(first.id)),
        (staff.id, str(second.id)),
        (staff.id, str(first.id)),
    ]
    dashboard = client.get("/dashboard").get_data(as_text=True)
    recent = dashboard.split('data-testid="panel-recent-users"')[1]
    assert recent.index("山田 太郎") < recent.index("鈴木 花子")
    assert client.get("/users/999999").status_code == 404


def test_auditors_read_without_edit_buttons(app, client, login_as):
    user = make_user(app)
    login_as(Role.AUDITOR)
    page = client.get(f"/users/{user.id}").get_data(as_text=True)
    assert user.name_kanji in page
    assert f"/users/{user.id}/edit" not in page
    assert "/incidents/new" not in page


def test_other_features_plug_sections_into_the_users_page(app, client, login_as):
    user = make_user(app)
    seen = []

    def context(session, service_user, staff):
        seen.append((service_user.id, staff.role))
        return {"note": f"panel for {service_user.reference_no}"}

    add_user_panel(app, UserPanel("users/_panel_recent.html", Permission.USERS_VIEW, context))
    add_user_panel(
        app,
        UserPanel("users/_panel_recent.html", Permission.SUSPENSIONS_DECIDE, context),
    )
    login_as(Role.COUNSELOR)
    page = client.get(f"/users/{user.id}").get_data(as_text=True)
    assert page.count('data-testid="panel-recent-users"') == 1
    assert seen == [(user.id, "counselor")]


def test_control_characters_are_a_form_error(app, client, login_as):
    make_terms(app)
    login_as(Role.COUNSELOR)
    response = client.post("/users/new", data={**FORM, "name_kanji": "山田\x07太郎"})
    assert response.status_code == 422
    assert "制御文字" in response.get_data(as_text=True)
    assert client.get("/users/", query_string={"q": "やまだ\x07"}).status_code == 422


def test_suspensions_and_evidence_sections_are_plugged_in(app, client, login_as):
    user = make_user(app)
    staff = login_as(Role.COUNSELOR)
    incident = make_incident(app, user, staff)
    page = client.get(f"/users/{user.id}").get_data(as_text=True)
    assert 'id="suspensions-heading"' in page
    assert 'data-testid="evidence-user-panel"' in page
    incident_page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert 'data-testid="evidence-panel"' in incident_page


def test_the_timeline_includes_the_users_suspensions(app, client, auth, make_staff):
    counselor = make_staff(Role.COUNSELOR)
    user = make_user(app)
    incident = make_incident(app, user, counselor)
    propose_suspension(
        app, counselor, user, incident, starts_at=jst(2030, 1, 1), ends_at=jst(2030, 1, 8)
    )
    auth.login(counselor.login)
    page = client.get(f"/users/{user.id}").get_data(as_text=True)
    assert "利用停止を提案" in page
