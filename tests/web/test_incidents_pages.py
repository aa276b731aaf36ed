"""Incident pages: logging with Japanese form errors, comments, triage, the queue, dashboards."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from console.incidents.models import Incident, IncidentCategory, IncidentComment
from console.permissions import Role
from console.timeutil import to_jst, utcnow
from tests.factories import make_incident, make_user, reading
from tests.trail import details


def _form(reference_no: str, **overrides) -> dict:
    earlier = to_jst(utcnow() - timedelta(hours=2))
    return {
        "reference_no": reference_no,
        "service": "seminar",
        "session_date": earlier.strftime("%Y-%m-%d"),
        "session_time": earlier.strftime("%H:%M"),
        "meeting_id": "812 3456 7890",
        "categories": ["art7.2", "art7.4"],
        "severity": "medium",
        "description": "セミナー中、チャットに他の参加者を揶揄する書き込みを繰り返した。",
        "damage": "",
        **overrides,
    }


def _incidents(app) -> list[Incident]:
    with reading(app) as session:
        return list(session.exec(select(Incident)).all())


def test_a_counselor_logs_an_incident_with_two_items(app, client, login_as, trail):
    user = make_user(app, reference_no="HW-2024-000123")
    login_as(Role.COUNSELOR)
    assert "HW-2024-000123" in client.get(f"/incidents/new?user={user.id}").get_data(as_text=True)
    response = client.post("/incidents/new", data=_form("ｈｗ－２０２４－０００１２３"))
    assert response.status_code == 302, response.get_data(as_text=True)
    [incident] = _incidents(app)
    with reading(app) as session:
        codes = session.exec(
            select(IncidentCategory.code).where(IncidentCategory.incident_id == incident.id)
        ).all()
    assert sorted(codes) == ["art7.2", "art7.4"]
    assert incident.terms_version_id is not None
    [entry] = trail("incident.logged")
    assert details(entry)["after"]["categories"] == ["art7.2", "art7.4"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "第7条(2)" in page
    assert "第7条(4)" in page
    assert "未対応" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"categories": ["art99.9"]}, "一覧の中から選んでください"),
        ({"categories": []}, "条項を1つ以上選んでください"),
        ({"session_date": "2999-01-01"}, "未来の日時は入力できません"),
        ({"session_date": "2019-01-01"}, "施行されていた規約の版がありません"),
        ({"description": "あ" * 4001}, "4000"),
        ({"reference_no": ""}, "必須"),
        ({"reference_no": "HW-0000-000000"}, "この利用者番号の利用者はいません"),
        ({"severity": "apocalyptic"}, "選択肢が正しくありません"),
        ({"session_time": "25:99"}, "時刻"),
        ({"meeting_id": "x" * 101}, "100"),
    ],
)
def test_bad_input_is_a_japanese_form_error_never_a_500(app, client, login_as, overrides, message):
    make_user(app, reference_no="HW-2024-000123")
    login_as(Role.COUNSELOR)
    response = client.post("/incidents/new", data={**_form("HW-2024-000123"), **overrides})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _incidents(app) == []


def test_comments_and_corrections(app, client, login_as, trail):
    staff = login_as(Role.COUNSELOR)
    incident = make_incident(app, make_user(app), staff)
    url = f"/incidents/{incident.id}/comments"
    assert client.post(url, data={"body": "本人に確認しました。"}).status_code == 302
    with reading(app) as session:
        [first] = session.exec(select(IncidentComment)).all()
    response = client.post(url, data={"body": "訂正：電話で確認。", "corrects_id": str(first.id)})
    assert response.status_code == 302
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert "コメント 1 の訂正" in page
    assert client.post(url, data={"body": ""}).status_code == 422
    assert client.post(url, data={"body": "x", "corrects_id": "999999"}).status_code == 422
    assert client.post(url, data={"body": "x", "corrects_id": "abc"}).status_code == 422
    assert client.post(url, data={"body": "x", "corrects_id": " "}).status_code == 422
    assert len(trail("incident.commented")) == 2


def test_supervisor_assigns_reviews_and_closes(app, client, login_as, make_staff, trail):
    counselor = make_staff(Role.COUNSELOR)
    incident = make_incident(app, make_user(app), counselor)
    boss = login_as(Role.SUPERVISOR)
    base = f"/incidents/{incident.id}"
    assert client.post(f"{base}/assign", data={"reviewer_id": str(counselor.id)}).status_code == 422
    assert client.post(f"{base}/assign", data={"reviewer_id": str(boss.id)}).status_code == 302
    assert client.post(f"{base}/review").status_code == 302
    assert client.post(f"{base}/review").status_code == 422  # already under review
    no_reason = {"outcome": "logged_in_error", "reason": "", "confirm": "y"}
    assert client.post(f"{base}/close", data=no_reason).status_code == 422
    unconfirmed = {"outcome": "logged_in_error", "reason": "別人の事案"}
    assert "確認のチェックを入れてください" in client.post(
        f"{base}/close", data=unconfirmed
    ).get_data(as_text=True)
    closing = {**unconfirmed, "confirm": "y"}
    assert client.post(f"{base}/close", data=closing).status_code == 302
    [closed] = _incidents(app)
    assert (closed.status, closed.outcome) == ("closed", "logged_in_error")
    page = client.get(base).get_data(as_text=True)
    assert "誤登録" in page
    assert 'data-testid="triage"' not in page
    assert client.post(f"{base}/close", data=closing).status_code == 422
    actions = [entry.action for entry in trail() if entry.subject_type == "incident"]
    assert actions == [
        "incident.logged",
        "incident.assigned",
        "incident.status_changed",
        "incident.closed",
    ]


def test_queue_filters_sorting_and_bulk_assign(app, client, login_as, make_staff, trail):
    counselor = make_staff(Role.COUNSELOR)
    user = make_user(app, "山田 太郎", "ヤマダ")
    made = [make_incident(app, user, counselor, severity="high") for _ in range(3)]
    boss = login_as(Role.SUPERVISOR)
    page = client.get("/incidents/", query_string={"reviewer": "none", "sort": "severity"})
    assert page.status_code == 200
    assert page.get_data(as_text=True).count('name="incident_ids"') == 3
    ids = [str(incident.id) for incident in made]
    response = client.post(
        "/incidents/assign?reviewer=none",
        data={"incident_ids": ids, "reviewer_id": str(boss.id)},
    )
    assert response.status_code == 302
    assert len(trail("incident.assigned")) == 3
    too_many = {"incident_ids": [str(n) for n in range(1, 102)], "reviewer_id": str(boss.id)}
    response = client.post("/incidents/assign", data=too_many)
    assert response.status_code == 422
    assert "100件まで" in response.get_data(as_text=True)
    missing = {"incident_ids": ["999999"], "reviewer_id": str(boss.id)}
    assert client.post("/incidents/assign", data=missing).status_code == 422
    assert client.get("/incidents/", query_string={"severity": "huge"}).status_code == 422
    bad_range = {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    assert client.get("/incidents/", query_string=bad_range).status_code == 422
    assert client.get("/incidents/", query_string={"after": "x"}).status_code == 422


def test_dashboards(app, client, login_as, make_staff, auth):
    counselor = make_staff(Role.COUNSELOR)
    colleague = make_staff(Role.COUNSELOR)
    mine = make_user(app, "山田 太郎", "ヤマダ", counselor=counselor)
    make_incident(app, mine, colleague)
    make_incident(app, mine, counselor)
    auth.login(counselor.login)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "自分が記録した未終結の事案" in page
    assert "対応待ちの事案" in page
    assert "最近閲覧した利用者" in page
    assert "担当未割当の事案" not in page
    auth.logout()
    login_as(Role.SUPERVISOR)
    page = client.get("/dashboard").get_data(as_text=True)
    unassigned = page.split('data-testid="panel-unassigned"')[1]
    assert unassigned.count("/incidents/") >= 2


def test_auditors_read_without_forms(app, client, login_as, make_staff):
    incident = make_incident(app, make_user(app), make_staff(Role.COUNSELOR))
    login_as(Role.AUDITOR)
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert "/comments" not in page
    assert 'data-testid="triage"' not in page
    assert 'name="incident_ids"' not in client.get("/incidents/").get_data(as_text=True)
    assert client.get("/incidents/999999").status_code == 404


def test_dashboard_links_lead_to_working_lists(app, client, login_as, make_staff):
    other = make_staff(Role.COUNSELOR)
    staff = login_as(Role.COUNSELOR)
    user = make_user(app)
    mine = make_incident(app, user, staff, description="自分の記録")
    theirs = make_incident(app, user, other, description="他の人の記録")
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "/incidents/?mine=y" in dashboard
    response = client.get("/incidents/", query_string={"mine": "y"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'href="/incidents/{mine.id}"' in page
    assert f'href="/incidents/{theirs.id}"' not in page


def test_the_incident_page_offers_a_suspension_proposal_citing_it(app, client, login_as):
    incident = make_incident(app, make_user(app), login_as(Role.COUNSELOR))
    response = client.get(f"/incidents/{incident.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    link = f"/suspensions/users/{incident.service_user_id}/propose?incident={incident.id}"
    assert link in page.replace("&amp;", "&")
    proposal = client.get(link).get_data(as_text=True)
    checked = re.findall(r'<input checked[^>]*name="incidents"[^>]*value="(\d+)"', proposal)
    assert checked == [str(incident.id)]
