"""Art. 9-2 suspensions through the pages: four eyes, fresh password, exact ends, the trail."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from flask import render_template_string
from flask_login import login_user
from sqlmodel import select

from console import db
from console.audit import Actor
from console.auth.sessions import FRESH_KEY
from console.auth.tokens import ApiToken
from console.online_services import OnlineService
from console.permissions import Role
from console.suspensions.decisions import decide
from console.suspensions.models import Objection, Suspension
from console.suspensions.rules import SuspensionError
from console.suspensions.status import is_suspended
from console.suspensions.sweep import sweep_transitions
from tests.factories import (
    PASSWORD,
    approve_suspension,
    jst,
    load,
    make_incident,
    make_user,
    propose_suspension,
    reading,
    writing,
)
from tests.trail import details

START, END = jst(2026, 12, 1, 0, 0), jst(2026, 12, 8, 0, 0)


def _propose(app, proposer, user, incident, **fields):
    """A pending proposal for 1-8 December unless ``fields`` say otherwise."""
    return propose_suspension(
        app, proposer, user, incident, **{"starts_at": START, "ends_at": END, **fields}
    )


def _setup(app, make_staff):
    counselor = make_staff(Role.COUNSELOR)
    user = make_user(app)
    incident = make_incident(app, user, counselor, categories=["art7.2", "art7.4"])
    return counselor, user, incident


def test_counselor_proposes_through_the_form_prefilled_from_incidents(app, client, login_as, trail):
    counselor = login_as(Role.COUNSELOR)
    user = make_user(app)
    incident = make_incident(app, user, counselor, categories=["art7.2", "art7.4"])
    page = client.get(f"/suspensions/users/{user.id}/propose").get_data(as_text=True)
    checked = set(re.findall(r'<input checked[^>]*name="articles"[^>]*value="([^"]+)"', page))
    assert checked == {"art7.2", "art7.4"}  # prefilled from the incident's categories
    response = client.post(
        f"/suspensions/users/{user.id}/propose",
        data={
            "incidents": [str(incident.id)],
            "kind": "stop",
            "starts_at": "2026-12-01T00:00",
            "ends_at": "2026-12-08T00:00",
            "services": ["seminar", "interview_fair"],
            "reason": "セミナー中の中傷が繰り返され、注意しても改善されなかったため。",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    (entry,) = trail("suspension.")
    assert entry.action == "suspension.proposed"
    assert '"articles":["art7.2","art7.4"]' in entry.canonical  # prefilled from the incident
    item = load(app, Suspension, int(entry.subject_id))
    assert item.starts_at == START
    assert item.ends_at == END
    assert item.decision == "pending"


def test_proposal_input_errors_are_422_with_messages_and_keep_the_input(
    app, client, login_as, trail
):
    counselor = login_as(Role.COUNSELOR)
    user = make_user(app)
    other = make_user(app, "鈴木 花子")
    foreign = make_incident(app, other, counselor)
    mine = make_incident(app, user, counselor)
    base = {
        "incidents": [str(mine.id)],
        "kind": "stop",
        "starts_at": "2026-12-08T00:00",
        "ends_at": "2026-12-01T00:00",
        "services": ["seminar"],
        "reason": "短すぎる理由",
    }
    response = client.post(f"/suspensions/users/{user.id}/propose", data=base)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "終了日時は開始日時より後" in page
    assert "短すぎる理由" in page
    no_end = dict(base, ends_at="", reason="x" * 30)
    page = client.post(f"/suspensions/users/{user.id}/propose", data=no_end)
    assert page.status_code == 422
    assert "終了日時" in page.get_data(as_text=True)
    # An incident of another user is not a valid choice, even typed by hand.
    stolen = dict(base, incidents=[str(foreign.id)], ends_at="2026-12-09T00:00", reason="x" * 30)
    assert client.post(f"/suspensions/users/{user.id}/propose", data=stolen).status_code == 422
    assert (
        client.post(
            f"/suspensions/users/{user.id}/propose", data={"starts_at": "nonsense"}
        ).status_code
        == 422
    )
    assert client.get("/suspensions/users/999999/propose").status_code == 404
    assert trail("suspension.") == []


def test_proposer_cannot_decide_page_hidden_and_post_refused(app, client, auth, make_staff):
    supervisor = make_staff(Role.SUPERVISOR)
    user = make_user(app)
    incident = make_incident(app, user, supervisor)
    item = _propose(app, supervisor, user, incident)
    auth.login(supervisor.login)
    show = client.get(f"/suspensions/{item.id}").get_data(as_text=True)
    assert f"/suspensions/{item.id}/decide" not in show
    assert "別の統括" in show or "another supervisor" in show or "決定" in show
    assert client.get(f"/suspensions/{item.id}/decide").status_code == 403
    response = client.post(
        f"/suspensions/{item.id}/decide",
        data={"decision": "approve", "kind": "stop", "starts_at": "2026-12-01T00:00"},
    )
    assert response.status_code == 403
    assert load(app, Suspension, item.id).decision == "pending"
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert f"/suspensions/{item.id}/decide" not in dashboard


@pytest.mark.parametrize(
    ("decider_role", "message"),
    [(None, "あなたが提案したもの"), (Role.COUNSELOR, "決定できるのは統括職員だけ")],
)
def test_the_service_keeps_four_eyes_even_without_the_page(app, make_staff, decider_role, message):
    """Art. 9-2: neither the proposer nor a counselor decides, whoever calls the service."""
    supervisor = make_staff(Role.SUPERVISOR)
    decider = supervisor if decider_role is None else make_staff(decider_role)
    user = make_user(app)
    incident = make_incident(app, user, supervisor)
    item = _propose(app, supervisor, user, incident)
    with app.test_request_context(), db.transaction() as session:
        fresh = session.get(Suspension, item.id)
        with pytest.raises(SuspensionError, match=message):
            decide(
                session,
                actor=Actor.of_staff(decider),
                item=fresh,
                decision="approve",
                reason="",
            )
    assert load(app, Suspension, item.id).decision == "pending"


def test_decision_without_a_fresh_password_goes_to_reauthentication(
    app, client, auth, make_staff, trail
):
    counselor, user, incident = _setup(app, make_staff)
    item = _propose(app, counselor, user, incident)
    decider = make_staff(Role.SUPERVISOR)
    auth.login(decider.login)
    with client.session_transaction() as cookie:
        cookie[FRESH_KEY] = cookie[FRESH_KEY] - 11 * 60  # typed 11 minutes ago
    for response in (
        client.get(f"/suspensions/{item.id}/decide"),
        client.post(f"/suspensions/{item.id}/decide", data={"decision": "approve"}),
    ):
        assert response.status_code == 302
        assert "/auth/reauthenticate" in response.headers["Location"]
    assert load(app, Suspension, item.id).decision == "pending"
    client.post("/auth/reauthenticate", data={"password": PASSWORD})
    response = client.post(
        f"/suspensions/{item.id}/decide",
        data={
            "decision": "approve",
            "kind": "stop",
            "starts_at": "2026-12-01T00:00",
            "ends_at": "2026-12-08T00:00",
            "services": ["seminar"],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert load(app, Suspension, item.id).decision == "approved"
    assert trail.actions("suspension.") == ["suspension.proposed", "suspension.approved"]


def test_amend_only_shorter_or_narrower_with_reason(app, client, auth, make_staff, trail):
    counselor, user, incident = _setup(app, make_staff)
    item = _propose(app, counselor, user, incident, services=("seminar", "interview_fair"))
    auth.login(make_staff(Role.SUPERVISOR).login)
    url = f"/suspensions/{item.id}/decide"
    base = {
        "decision": "amend",
        "kind": "stop",
        "starts_at": "2026-12-01T00:00",
        "ends_at": "2026-12-10T00:00",
        "services": ["seminar"],
        "reason": "期間を短くして様子を見るため。",
    }
    longer = client.post(url, data=base)
    assert longer.status_code == 422
    assert "後ろには" in longer.get_data(as_text=True) or "遅く" in longer.get_data(as_text=True)
    wider = client.post(
        url,
        data=dict(base, ends_at="2026-12-05T00:00", services=["seminar", "individual_counseling"]),
    )
    assert wider.status_code == 422
    no_reason = client.post(url, data=dict(base, ends_at="2026-12-05T00:00", reason=""))
    assert no_reason.status_code == 422
    ok = client.post(url, data=dict(base, ends_at="2026-12-05T00:00"))
    assert ok.status_code == 302
    item = load(app, Suspension, item.id)
    assert item.ends_at == jst(2026, 12, 5, 0, 0)
    assert item.amended
    amended = trail("suspension.")[-1]
    assert amended.action == "suspension.amended"
    assert "期間を短く" in amended.canonical
    assert '"before"' in amended.canonical


def test_reject_and_withdraw(app, client, auth, make_staff, trail):
    counselor, user, incident = _setup(app, make_staff)
    first = _propose(app, counselor, user, incident)
    second = _propose(app, counselor, user, incident)
    other = make_staff(Role.COUNSELOR)
    auth.login(other.login)
    assert (
        client.post(f"/suspensions/{second.id}/withdraw", data={"confirm": "y"}).status_code == 422
    )
    auth.logout()
    auth.login(counselor.login)
    assert (
        client.post(
            f"/suspensions/{second.id}/withdraw", data={"reason": "重複", "confirm": "y"}
        ).status_code
        == 302
    )
    assert load(app, Suspension, second.id).decision == "withdrawn"
    auth.logout()
    auth.login(make_staff(Role.SUPERVISOR).login)
    response = client.post(
        f"/suspensions/{first.id}/decide",
        data={
            "decision": "reject",
            "kind": "stop",
            "starts_at": "2026-12-01T00:00",
            "reason": "注意で足りると判断したため。",
        },
    )
    assert response.status_code == 302
    assert load(app, Suspension, first.id).decision == "rejected"
    actions = trail.actions("suspension.")
    assert actions == [
        "suspension.proposed",
        "suspension.proposed",
        "suspension.withdrawn",
        "suspension.rejected",
    ]


def test_status_right_one_second_around_the_end_without_any_sweep(app, client, auth, make_staff):
    counselor, user, incident = _setup(app, make_staff)
    item = _propose(app, counselor, user, incident)
    approve_suspension(app, make_staff(Role.SUPERVISOR), item)
    url = f"/api/v1/service-users/{user.reference_no}/status"
    with time_machine.travel(END.timestamp() - 1, tick=False):
        auth.login(counselor.login)
        seminar = client.get(url).get_json()["services"]["seminar"]
        assert seminar == {
            "allowed": False,
            "until": "2026-12-07T15:00:00Z",
            "termination": False,
            "suspension_ids": [item.id],
        }
        page = client.get(f"/suspensions/users/{user.id}").get_data(as_text=True)
        assert "利用停止中: セミナー 〜12月8日(火) 0:00" in page
    with time_machine.travel(END.timestamp() + 1, tick=False):
        auth.login(counselor.login)
        assert client.get(url).get_json()["services"]["seminar"]["allowed"] is True
        page = client.get(f"/suspensions/users/{user.id}").get_data(as_text=True)
        assert "利用停止中" not in page
    with reading(app) as session:
        row = session.get(Suspension, item.id)
        assert row.started_logged_at is None
        assert row.ended_logged_at is None


def test_lift_early_and_reinstate(app, client, auth, make_staff, trail):
    counselor, user, incident = _setup(app, make_staff)
    stop = _propose(app, counselor, user, incident)
    termination = propose_suspension(
        app,
        counselor,
        user,
        incident,
        starts_at=START,
        ends_at=None,
        kind="termination",
        all_services=True,
    )
    supervisor = make_staff(Role.SUPERVISOR)
    approve_suspension(app, supervisor, stop)
    approve_suspension(app, supervisor, termination)
    with time_machine.travel(jst(2026, 12, 3, 10, 0).timestamp(), tick=False):
        auth.login(supervisor.login)
        bad = client.post(f"/suspensions/{stop.id}/lift", data={"reason": "短い"})
        assert bad.status_code == 422
        ok = client.post(
            f"/suspensions/{stop.id}/lift",
            data={"reason": "本人から反省文が提出されたため。", "confirm": "y"},
        )
        assert ok.status_code == 302
        client.post(
            f"/suspensions/{termination.id}/lift",
            data={"reason": "本人と面談し再発防止を確認したため。", "confirm": "y"},
        )
        status = client.get(f"/api/v1/service-users/{user.reference_no}/status").get_json()
        assert all(value["allowed"] for value in status["services"].values())
        again = client.post(
            f"/suspensions/{stop.id}/lift",
            data={"reason": "本人から反省文が提出されたため。", "confirm": "y"},
        )
        assert again.status_code == 422
    actions = trail.actions("suspension.")
    assert "suspension.lifted" in actions
    assert "suspension.reinstated" in actions


def test_objection_reconsidered_only_by_someone_who_took_no_part(
    app, client, auth, make_staff, trail
):
    counselor, user, incident = _setup(app, make_staff)
    proposer = make_staff(Role.SUPERVISOR)
    decider = make_staff(Role.SUPERVISOR)
    third = make_staff(Role.SUPERVISOR)
    item = _propose(app, proposer, user, incident)
    approve_suspension(app, decider, item)
    with time_machine.travel(jst(2026, 12, 2, 10, 0).timestamp(), tick=False):
        auth.login(counselor.login)
        future = client.post(
            f"/suspensions/{item.id}/objections",
            data={"received_on": "2026-12-20", "channel": "post", "text": "納得できません。"},
        )
        assert future.status_code == 422
        ok = client.post(
            f"/suspensions/{item.id}/objections",
            data={
                "received_on": "2026-12-02",
                "channel": "counter",
                "text": "発言は誤解によるものです。",
            },
        )
        assert ok.status_code == 302
        auth.logout()
        with reading(app) as session:
            objection = session.exec(select(Objection)).one()
        url = f"/suspensions/objections/{objection.id}/reconsider"
        for person in (proposer, decider):
            auth.login(person.login)
            assert client.get(url).status_code == 403
            assert (
                client.post(url, data={"outcome": "revoke", "reason": "x" * 20}).status_code == 403
            )
            auth.logout()
        auth.login(third.login)
        assert client.get(url).status_code == 200
        shorter = client.post(
            url,
            data={
                "outcome": "shorten",
                "new_end": "2026-12-04T00:00",
                "reason": "誤解の余地があり期間を短縮する。",
            },
        )
        assert shorter.status_code == 302
    assert load(app, Suspension, item.id).ends_at == jst(2026, 12, 4, 0, 0)
    actions = trail.actions("suspension.")
    assert actions[-2:] == ["suspension.objection_recorded", "suspension.reconsidered"]


def test_notice_shows_articles_and_print_records_its_hash(app, client, auth, make_staff, trail):
    counselor, user, incident = _setup(app, make_staff)
    item = _propose(app, counselor, user, incident)
    approve_suspension(app, make_staff(Role.SUPERVISOR), item)
    auth.login(counselor.login)
    page = client.get(f"/suspensions/{item.id}/notice").get_data(as_text=True)
    assert "他の利用者に不快感を与える行為" in page  # Art. 7 (2) text
    assert "ハローワークは通知等をおこなうことなく" in page  # Art. 9-2 text
    assert "2026年12月8日(火) 0:00 まで" in page
    digest = re.search(r"<code>([0-9a-f]{64})</code>", page).group(1)
    body = re.search(r'(<article class="decision-notice".*?</article>)', page, re.S).group(1)
    assert hashlib.sha256(body.encode()).hexdigest() == digest
    stale = client.post(f"/suspensions/{item.id}/notice/printed", data={"digest": "0" * 64})
    assert stale.status_code == 302
    assert trail("suspension.")[-1].action != "suspension.notice_printed"
    response = client.post(f"/suspensions/{item.id}/notice/printed", data={"digest": digest})
    assert response.status_code == 302
    printed = trail("suspension.")[-1]
    assert printed.action == "suspension.notice_printed"
    assert digest in printed.canonical
    assert (
        client.post(f"/suspensions/{item.id}/notice/printed", data={"digest": "z"}).status_code
        == 400
    )


def test_status_api_with_a_token_and_audited(app, client, runner, make_staff, trail):
    counselor, user, _incident = _setup(app, make_staff)
    result = runner.invoke(args=["staff", "token", "create", counselor.login])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    url = f"/api/v1/service-users/{user.reference_no}/status"
    assert client.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401
    response = client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.get_json()["services"]["seminar"]["allowed"] is True
    assert (
        client.get(
            "/api/v1/service-users/NOPE-1/status", headers={"Authorization": f"Bearer {token}"}
        ).status_code
        == 404
    )
    checked = trail("suspension.")[-1]
    assert checked.action == "suspension.status_checked"
    assert checked.actor_login == counselor.login
    admin = make_staff(Role.ADMIN)
    refused = runner.invoke(args=["staff", "token", "create", admin.login])
    assert refused.exit_code != 0
    with reading(app) as session:
        stored = session.exec(select(ApiToken)).one()
        assert stored.token_hash != token
        assert len(stored.token_hash) == 64
    assert runner.invoke(args=["staff", "token", "revoke", str(stored.id)]).exit_code == 0
    assert client.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_list_filters_and_bad_input(app, client, login_as, make_staff):
    counselor, user, incident = _setup(app, make_staff)
    item = _propose(app, counselor, user, incident)
    login_as(Role.AUDITOR)
    assert f"#{item.id}" not in client.get("/suspensions/").get_data(as_text=True)
    pending = client.get("/suspensions/?state=pending").get_data(as_text=True)
    assert f"#{item.id}" in pending
    assert "山田 太郎" in pending
    assert client.get("/suspensions/?state=bogus").status_code == 400
    assert client.get("/suspensions/?page=abc&state=all").status_code == 200
    assert (
        client.get("/suspensions/?service=interview_fair&state=all")
        .get_data(as_text=True)
        .count(f"#{item.id}")
        == 0
    )


def test_every_step_is_in_the_trail_with_before_and_after(app, client, auth, make_staff, trail):
    counselor, user, incident = _setup(app, make_staff)
    decider = make_staff(Role.SUPERVISOR)
    third = make_staff(Role.SUPERVISOR)
    item = _propose(app, counselor, user, incident, services=("seminar", "interview_fair"))
    auth.login(decider.login)
    client.post(
        f"/suspensions/{item.id}/decide",
        data={
            "decision": "amend",
            "kind": "stop",
            "starts_at": "2026-12-01T00:00",
            "ends_at": "2026-12-06T00:00",
            "services": ["seminar"],
            "reason": "面接会は対象外とし期間も短縮する。",
        },
    )
    with writing(app) as session:
        sweep_transitions(session, START + timedelta(seconds=20))
    with time_machine.travel(jst(2026, 12, 2, 9, 0).timestamp(), tick=False):
        auth.login(counselor.login)
        client.post(
            f"/suspensions/{item.id}/objections",
            data={"received_on": "2026-12-02", "channel": "email", "text": "期間が長すぎます。"},
        )
        auth.logout()
        with reading(app) as session:
            objection = session.exec(select(Objection)).one()
        auth.login(third.login)
        client.post(
            f"/suspensions/objections/{objection.id}/reconsider",
            data={"outcome": "uphold", "reason": "事実関係に誤りはなく維持する。"},
        )
        client.post(
            f"/suspensions/{item.id}/lift",
            data={"reason": "本人の反省が確認できたため解除する。", "confirm": "y"},
        )
    with writing(app) as session:
        sweep_transitions(session, jst(2026, 12, 2, 9, 1))
    entries = trail("suspension.")
    assert [(e.action, e.actor_login) for e in entries] == [
        ("suspension.proposed", counselor.login),
        ("suspension.amended", decider.login),
        ("suspension.started", "system:scheduler"),
        ("suspension.objection_recorded", counselor.login),
        ("suspension.reconsidered", third.login),
        ("suspension.lifted", third.login),
        ("suspension.ended", "system:scheduler"),
    ]
    recorded = {e.action: details(e) for e in entries}
    amended = recorded["suspension.amended"]["changes"]
    assert amended["services"] == {"before": ["seminar", "interview_fair"], "after": ["seminar"]}
    assert amended["ends_at"]["after"] == "2026-12-05T15:00:00.000000Z"
    lifted = recorded["suspension.lifted"]["changes"]
    assert lifted["cut_short_at"]["before"] is None
    assert lifted["cut_short_kind"] == {"before": None, "after": "lifted"}
    assert recorded["suspension.ended"]["happened_at"] == "2026-12-02T00:00:00.000000Z"
    assert recorded["suspension.reconsidered"]["outcome"] == "uphold"
    for action in ("suspension.proposed", "suspension.amended", "suspension.lifted"):
        assert recorded[action]["reason"]


def test_reference_lookup_on_the_list_leads_to_the_proposal(app, client, login_as):
    login_as(Role.COUNSELOR)
    user = make_user(app, reference_no="HW-2025-000789")
    page = client.get("/suspensions/?reference=ｈｗ－２０２５－０００７８９&state=all")
    text = page.get_data(as_text=True)
    assert f"/suspensions/users/{user.id}/propose" in text
    missing = client.get("/suspensions/?reference=HW-0000-000000").get_data(as_text=True)
    assert "利用者番号 HW-0000-000000 の利用者はいません" in missing


@pytest.mark.parametrize(
    ("start", "end", "last_minute"),
    [
        (START, END, jst(2026, 12, 7, 23, 59)),
        (jst(2026, 11, 25, 0, 0), jst(2026, 12, 1, 0, 0), jst(2026, 11, 30, 23, 59)),
        (jst(2026, 12, 28, 0, 0), jst(2027, 1, 1, 0, 0), jst(2026, 12, 31, 23, 59)),
    ],
)
def test_stored_stop_boundaries_month_and_year_end(app, make_staff, start, end, last_minute):
    counselor, user, incident = _setup(app, make_staff)
    with time_machine.travel(start - timedelta(days=1), tick=False):
        item = propose_suspension(app, counselor, user, incident, starts_at=start, ends_at=end)
        approve_suspension(app, make_staff(Role.SUPERVISOR), item)
    with reading(app) as session:
        seminar = OnlineService.SEMINAR
        assert not is_suspended(session, user.id, seminar, start - timedelta(seconds=1))
        assert is_suspended(session, user.id, seminar, start)
        assert is_suspended(session, user.id, seminar, last_minute)
        assert not is_suspended(session, user.id, seminar, end)


def test_badge_and_panel_render_on_any_page_about_the_user(app, make_staff):
    counselor, user, incident = _setup(app, make_staff)
    item = _propose(app, counselor, user, incident, services=("seminar", "interview_fair"))
    approve_suspension(app, make_staff(Role.SUPERVISOR), item)
    both = '{% include "suspensions/_badge.html" %}{% include "suspensions/_user_panel.html" %}'
    with (
        time_machine.travel(jst(2026, 12, 3, 12, 0), tick=False),
        app.test_request_context("/anything"),
    ):
        app.preprocess_request()
        login_user(counselor)
        html = render_template_string(both, service_user=user)
    assert "利用停止中: セミナー ほか 〜12月8日(火) 0:00" in html
    assert "利用不可" in html
    assert f"#{item.id}" in html


def test_cli_sweep_command(app, runner, make_staff):
    result = runner.invoke(args=["suspensions", "sweep"])
    assert result.exit_code == 0
    assert "recorded 0 transitions" in result.output


def test_pages_in_english(app, client, auth, make_staff):
    counselor, user, incident = _setup(app, make_staff)
    item = _propose(app, counselor, user, incident)
    approve_suspension(app, make_staff(Role.SUPERVISOR), item)
    auth.login(counselor.login)
    client.post("/auth/language", data={"lang": "en"})
    pages = {
        f"/suspensions/{item.id}": "Temporary stop",
        f"/suspensions/users/{user.id}": "Scheduled",
        f"/suspensions/users/{user.id}/propose": "Submit the proposal",
        "/suspensions/?state=all": "Suspensions (Art. 9-2)",
        f"/suspensions/{item.id}/notice": "オンラインサービスの利用停止について",  # always Japanese
    }
    for path, text in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert text in response.get_data(as_text=True), path
