"""Supervisors' notice pages: draft, edit, publish, extend, end, cancel; audited; never a 500."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import time_machine

from console import scheduler
from console.notices.models import Notice, NoticeState
from console.notices.state import state_of
from console.permissions import Role
from tests.factories import jst, load, make_notice
from tests.trail import details

T0 = jst(2026, 12, 1, 10)  # Tuesday morning


def form(**overrides):
    data = {
        "kind": "planned",
        "services": ["seminar"],
        "cause": "maintenance",
        "starts_at": "2026-12-01T22:00",
        "ends_at": "2026-12-02T06:00",
        "terms_version_id": "",
        "title_ja": "セミナー配信システムの保守",
        "body_ja": "保守作業のため停止します。",
        "impact": "オンラインセミナーに参加できません。",
        "contact": "03-0000-0000",
        "extension_possible": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def supervisor(make_staff):
    return make_staff(Role.SUPERVISOR)


@pytest.fixture
def at(auth):
    """Travel to a moment and sign in again there (sessions expire across hours)."""
    state = {"login": None}

    @contextmanager
    def moment(when, login=None):
        with time_machine.travel(when, tick=False):
            state["login"] = login or state["login"]
            if state["login"]:
                assert auth.login(state["login"]).status_code == 302
            yield

    return moment


def test_draft_publish_and_audit(app, client, supervisor, at, trail):
    with at(T0, supervisor.login):
        response = client.post("/manage/notices/new", data=form())
        assert response.status_code == 302
        notice_id = int(response.headers["Location"].rsplit("/", 1)[1])
        notice = load(app, Notice, notice_id)
        assert notice.starts_at == jst(2026, 12, 1, 22)  # typed in JST, stored in UTC
        assert notice.services == "seminar"
        assert not notice.all_services
        assert state_of(notice) is NoticeState.DRAFT
        assert "セミナー配信システムの保守" not in client.get("/notices").get_data(as_text=True)
        page = client.get(f"/manage/notices/{notice_id}/publish")
        assert "上記の内容を確認しました" in page.get_data(as_text=True)
        unconfirmed = client.post(f"/manage/notices/{notice_id}/publish", data={})
        assert unconfirmed.status_code == 422
        assert "確認のチェックを入れてください" in unconfirmed.get_data(as_text=True)
        published = client.post(f"/manage/notices/{notice_id}/publish", data={"confirm": "y"})
        assert published.status_code == 302
        assert state_of(load(app, Notice, notice_id)) is NoticeState.UPCOMING
        assert "セミナー配信システムの保守" in client.get("/notices").get_data(as_text=True)
    entries = trail("notice.")
    assert [e.action for e in entries] == ["notice.drafted", "notice.published"]
    assert entries[0].actor_login == supervisor.login
    assert details(entries[0])["after"]["title_ja"] == "セミナー配信システムの保守"


def test_edit_after_publication_is_audited_and_shown_as_updated(app, client, supervisor, at, trail):
    with at(T0, supervisor.login):
        notice = make_notice(app, starts_at=jst(2026, 12, 1, 22), ends_at=jst(2026, 12, 2, 6))
    with at(jst(2026, 12, 1, 12)):
        edit_page = client.get(f"/manage/notices/{notice.id}/edit").get_data(as_text=True)
        assert 'value="2026-12-01T22:00"' in edit_page
        response = client.post(
            f"/manage/notices/{notice.id}/edit", data=form(ends_at="2026-12-02T07:00")
        )
        assert response.status_code == 302
        page = client.get("/notices").get_data(as_text=True)
    assert "更新 2026年12月1日(火) 12:00" in page
    updated = next(e for e in trail("notice.") if e.action == "notice.updated")
    change = details(updated)["changes"]["ends_at"]
    assert change == {
        "before": "2026-12-01T21:00:00.000000Z",
        "after": "2026-12-01T22:00:00.000000Z",
    }
    with at(jst(2026, 12, 1, 22, 5)):
        response = client.post(
            f"/manage/notices/{notice.id}/edit", data=form(title_ja="開始後の変更")
        )
        assert response.status_code == 302
    assert load(app, Notice, notice.id).title_ja != "開始後の変更"


def test_extend_end_now_and_cancel(app, client, supervisor, at, trail):
    with at(T0, supervisor.login):
        running = make_notice(app, starts_at=jst(2026, 12, 1, 11), ends_at=jst(2026, 12, 1, 13))
        later = make_notice(app, starts_at=jst(2026, 12, 3, 22), ends_at=jst(2026, 12, 4, 1))
    with at(jst(2026, 12, 1, 12)):
        too_early = client.post(
            f"/manage/notices/{running.id}/extend",
            data={"new_end": "2026-12-01T12:30", "reason": "遅延", "confirm": "y"},
        )
        assert too_early.status_code == 422
        assert "現在の終了日時より後" in too_early.get_data(as_text=True)
        extended = client.post(
            f"/manage/notices/{running.id}/extend",
            data={"new_end": "2026-12-01T14:00", "reason": "遅延", "confirm": "y"},
        )
        assert extended.status_code == 302
        assert load(app, Notice, running.id).actual_end_at == jst(2026, 12, 1, 14)
        assert "予定 13:00 → 延長 14:00" in client.get("/notices").get_data(as_text=True)
    with at(jst(2026, 12, 1, 13, 20)):
        refused = client.post(f"/manage/notices/{later.id}/end", data={"confirm": "y"})
        assert refused.status_code == 422
        assert (
            client.post(f"/manage/notices/{running.id}/end", data={"confirm": "y"}).status_code
            == 302
        )
        assert "予定 13:00 → 実際 13:20" in client.get("/notices").get_data(as_text=True)
        no_reason = client.post(f"/manage/notices/{later.id}/cancel", data={"confirm": "y"})
        assert no_reason.status_code == 422
        cancelled = client.post(
            f"/manage/notices/{later.id}/cancel", data={"confirm": "y", "reason": "業者の都合"}
        )
        assert cancelled.status_code == 302
        assert state_of(load(app, Notice, later.id)) is NoticeState.CANCELLED
        again = client.post(
            f"/manage/notices/{later.id}/cancel", data={"confirm": "y", "reason": "再度"}
        )
        assert again.status_code == 422
    actions = [(e.action, details(e).get("reason")) for e in trail("notice.")][-3:]
    assert actions == [
        ("notice.extended", "遅延"),
        ("notice.ended", ""),
        ("notice.cancelled", "業者の都合"),
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_at": "2026-12-01T21:00"}, "終了日時は開始日時より後にしてください"),
        ({"starts_at": "2026-11-30T22:00", "ends_at": "2026-11-30T23:00"}, "予告なしの停止"),
        (
            {"kind": "unplanned", "starts_at": "2026-12-02T22:00", "ends_at": None},
            "未来の日時は指定できません",
        ),
        ({"ends_at": ""}, "終了予定日時を入力してください"),
        ({"starts_at": "tomorrow evening"}, ""),
        ({"services": [], "all_services": None}, "停止するサービスを選ぶか"),
        ({"services": ["nonsense"]}, ""),
        ({"kind": "terms_change"}, "新しい規約の版を選んでください"),
        ({"kind": "bogus"}, ""),
        ({"title_ja": "あ" * 201}, ""),
        ({"title_ja": ""}, ""),
        ({"terms_version_id": "abc", "kind": "terms_change"}, ""),
    ],
)
def test_bad_input_is_a_form_error_never_a_500(client, supervisor, at, overrides, message):
    with at(T0, supervisor.login):
        response = client.post("/manage/notices/new", data=form(**overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_an_unannounced_stop_with_an_open_end(app, client, supervisor, at):
    with at(T0, supervisor.login):
        response = client.post(
            "/manage/notices/new",
            data=form(
                kind="unplanned", cause="network_failure", starts_at="2026-12-01T09:10", ends_at=""
            ),
        )
        assert response.status_code == 302
        notice_id = int(response.headers["Location"].rsplit("/", 1)[1])
        client.post(f"/manage/notices/{notice_id}/publish", data={"confirm": "y"})
        page = client.get("/notices").get_data(as_text=True)
    assert "2026年12月1日(火) 9:10 〜 終了時刻未定" in page
    assert state_of(load(app, Notice, notice_id), jst(2026, 12, 5)) is NoticeState.IN_PROGRESS


def test_list_filters_and_bad_filters(app, client, supervisor, at):
    with at(T0, supervisor.login):
        make_notice(app, title_ja="予約ページの保守", starts_at=jst(2026, 12, 1, 22))
        make_notice(app, title_ja="下書きの保守", publish=False, starts_at=jst(2026, 12, 2, 22))
        upcoming = client.get("/manage/notices/?state=upcoming").get_data(as_text=True)
        assert "予約ページの保守" in upcoming
        assert "下書きの保守" not in upcoming
        drafts = client.get("/manage/notices/?state=draft&q=下書き").get_data(as_text=True)
        assert "下書きの保守" in drafts
        assert "予約ページの保守" not in drafts
        assert client.get("/manage/notices/?state=nonsense").status_code == 400
        assert client.get("/manage/notices/?page=-1").status_code == 400
        assert client.get("/manage/notices/?page=abc").status_code == 400
        assert client.get("/manage/notices/999999").status_code == 404


def test_auditors_read_but_see_no_actions(app, client, make_staff, at):
    auditor = make_staff(Role.AUDITOR)
    with at(T0, auditor.login):
        notice = make_notice(app, starts_at=jst(2026, 12, 1, 22))
        page = client.get(f"/manage/notices/{notice.id}").get_data(as_text=True)
        cancel = client.post(
            f"/manage/notices/{notice.id}/cancel", data={"confirm": "y", "reason": "x"}
        )
    assert cancel.status_code == 403
    assert "セミナー配信システムの保守作業" in page
    assert "notice-actions" not in page


def test_dashboard_warns_in_red_when_the_scheduler_is_stale(app, client, supervisor, at):
    with at(T0, supervisor.login):
        make_notice(
            app,
            title_ja="今夜のセミナー停止",
            starts_at=jst(2026, 12, 1, 10, 30),
            ends_at=jst(2026, 12, 1, 12),
        )
        page = client.get("/dashboard").get_data(as_text=True)
        assert 'data-testid="scheduler-stale"' in page
        assert "一度も実行されていません" in page
        scheduler.run_sweeps(app)
    with at(jst(2026, 12, 1, 10, 4)):
        page = client.get("/dashboard").get_data(as_text=True)
        assert 'data-testid="scheduler-ok"' in page
        assert "今夜のセミナー停止" in page
    with at(jst(2026, 12, 1, 10, 6)):
        page = client.get("/dashboard").get_data(as_text=True)
        assert 'data-testid="scheduler-stale"' in page
        assert "5分以上前" in page


def test_control_characters_are_a_form_error(client, supervisor, at):
    with at(T0, supervisor.login):
        response = client.post("/manage/notices/new", data=form(title_ja="保守\x07作業"))
    assert response.status_code == 422
    assert "制御文字が含まれています" in response.get_data(as_text=True)
