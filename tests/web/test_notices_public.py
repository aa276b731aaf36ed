"""The public pages: no login, the same notices in HTML, JSON and Atom, nothing internal."""

from __future__ import annotations

from datetime import timedelta

import feedparser
import pytest
import time_machine

from console.audit import Actor
from console.notices import service
from console.notices.models import NoticeCause, NoticeKind
from console.online_services import OnlineService
from console.permissions import Role
from tests.factories import jst, make_notice, make_terms, notice_input, writing

T0 = jst(2026, 11, 20, 10)
STAFF_NAME = "統括 佐藤 健一"
SECRET_REASON = "委託業者の内部事情XYZ"
EXTEND_REASON = "作業遅延の内部メモABC"


@pytest.fixture
def notices(app, make_staff):
    """Live, upcoming, extended-then-ended, cancelled, a draft, one too old, a terms change."""
    supervisor = make_staff(Role.SUPERVISOR, name=STAFF_NAME)
    actor = Actor.of_staff(supervisor)
    made = {}

    def notice(title, starts_at, ends_at, **fields):
        return make_notice(
            app, actor=actor, title_ja=title, starts_at=starts_at, ends_at=ends_at, **fields
        )

    with time_machine.travel(jst(2026, 8, 1), tick=False):
        made["old"] = notice("古いお知らせ", jst(2026, 8, 2), jst(2026, 8, 2, 3))
    with time_machine.travel(T0, tick=False):
        made["live"] = notice(
            "セミナー停止",
            jst(2026, 12, 1, 22),
            jst(2026, 12, 2, 6),
            services=[OnlineService.SEMINAR],
        )
        made["upcoming"] = notice(
            "予約ページ停止",
            jst(2026, 12, 5, 9),
            jst(2026, 12, 5, 12),
            services=[OnlineService.BOOKING_PAGE],
        )
        made["extended"] = notice(
            "面接会システム保守",
            jst(2026, 11, 25, 22),
            jst(2026, 11, 25, 23),
            services=[OnlineService.INTERVIEW_FAIR],
        )
        made["cancelled"] = notice("中止された保守", jst(2026, 11, 28, 22), jst(2026, 11, 28, 23))
        made["draft"] = notice(
            "下書きの保守", jst(2026, 12, 3, 22), jst(2026, 12, 4, 0), publish=False
        )
        made["later"] = notice(
            "来月の保守", jst(2027, 1, 10, 22), jst(2027, 1, 11, 2), publish_from=jst(2027, 1, 3)
        )
        version = make_terms(
            app,
            label="令和9年4月1日改定版",
            effective_from=jst(2027, 4, 1),
            text="第1条 新しい規約の本文",
        )
        made["terms"] = make_notice(
            app,
            actor=actor,
            kind=NoticeKind.TERMS_CHANGE,
            terms_version_id=version.id,
            title_ja="利用規約の改定",
            services=[],
            ends_at=None,
        )
    with writing(app) as session, time_machine.travel(jst(2026, 11, 21), tick=False):
        service.cancel_notice(
            session,
            actor=actor,
            notice=session.get(service.Notice, made["cancelled"].id),
            reason=SECRET_REASON,
        )
    with writing(app) as session, time_machine.travel(jst(2026, 11, 25, 22, 30), tick=False):
        service.extend_notice(
            session,
            actor=actor,
            notice=session.get(service.Notice, made["extended"].id),
            new_end=jst(2026, 11, 25, 23, 15),
            reason=EXTEND_REASON,
        )
    return made


NOW = jst(2026, 12, 1, 23)  # Tuesday night: the seminar stop is in progress


def _get(client, path):
    with time_machine.travel(NOW, tick=False):
        return client.get(path)


def test_public_pages_need_no_login_and_staff_pages_do(client, notices):
    for path in ("/notices", "/notices.json", "/notices.atom", "/notices/banner"):
        assert _get(client, path).status_code == 200, path
    for path in (
        "/manage/notices/",
        f"/manage/notices/{notices['live'].id}",
        "/manage/notices/new",
    ):
        response = _get(client, path)
        assert response.status_code == 302
        assert "/auth/login" in response.headers["Location"]


def test_the_page_lists_current_first_then_the_last_90_days(client, notices):
    page = _get(client, "/notices").get_data(as_text=True)
    order = [
        page.index(title)
        for title in (
            "セミナー停止",
            "予約ページ停止",
            "利用規約の改定",
            "過去90日間",
            "面接会システム保守",
        )
    ]
    assert order == sorted(order)
    assert "2026年12月1日(火) 22:00 〜 12月2日(水) 6:00" in page
    assert "予定 23:00 → 実際 23:15" in page
    assert "2027年4月1日(木) 0:00 施行" in page
    assert "中止された保守" in page  # shown as cancelled, since it had been public
    for hidden in ("古いお知らせ", "下書きの保守", "来月の保守"):
        assert hidden not in page
    assert "停止中" in page
    assert "停止予定" in page


def test_json_and_atom_list_the_same_notices(client, notices):
    data = _get(client, "/notices.json").get_json()
    feed = feedparser.parse(_get(client, "/notices.atom").get_data())
    assert feed.bozo is False, feed.get("bozo_exception")
    json_ids = {item["id"] for item in data["notices"]}
    feed_ids = {int(entry.id.rsplit("-", 1)[1]) for entry in feed.entries}
    assert (
        json_ids
        == feed_ids
        == {notices[k].id for k in ("live", "upcoming", "extended", "cancelled", "terms")}
    )
    live = next(item for item in data["notices"] if item["id"] == notices["live"].id)
    assert live["state"] == "in_progress"
    assert live["starts_at"] == "2026-12-01T22:00:00+09:00"
    assert live["services"] == ["seminar"]
    terms = next(item for item in data["notices"] if item["id"] == notices["terms"].id)
    assert terms["terms_version"] == {
        "label": "令和9年4月1日改定版",
        "effective_from": "2027-04-01T00:00:00+09:00",
    }
    assert feed.feed.title.startswith("ハローワーク渋谷")


def test_atom_updated_moves_with_each_change(app, client, notices):
    def updated_of(notice_id, when):
        with time_machine.travel(when, tick=False):
            feed = feedparser.parse(client.get("/notices.atom").get_data())
        entry = next(e for e in feed.entries if e.id.endswith(f"-{notice_id}"))
        return entry.updated

    upcoming = notices["upcoming"].id
    before = updated_of(upcoming, jst(2026, 12, 1, 23))
    edit_time = jst(2026, 12, 2, 10)
    with writing(app) as session, time_machine.travel(edit_time, tick=False):
        notice = session.get(service.Notice, upcoming)
        data = notice_input(
            starts_at=jst(2026, 12, 5, 9),
            ends_at=jst(2026, 12, 5, 13),
            title_ja="予約ページ停止（時間変更）",
            services=[OnlineService.BOOKING_PAGE],
        )
        service.update_notice(
            session, actor=Actor("system", "system:cli"), notice=notice, data=data
        )
    after = updated_of(upcoming, jst(2026, 12, 2, 11))
    assert before == "2026-11-20T10:00:00+09:00"
    assert after == "2026-12-02T10:00:00+09:00"
    assert updated_of(upcoming, jst(2026, 12, 5, 9, 1)) == "2026-12-05T09:00:00+09:00"  # it began
    with time_machine.travel(jst(2026, 12, 2, 11), tick=False):
        page = client.get("/notices").get_data(as_text=True)
    assert "更新 2026年12月2日(水) 10:00" in page


def test_nothing_internal_is_public(client, notices):
    for path in (
        "/notices",
        "/notices.json",
        "/notices.atom",
        "/notices/banner",
        "/notices/banner?lang=en",
    ):
        text = _get(client, path).get_data(as_text=True)
        for secret in (STAFF_NAME, "佐藤", SECRET_REASON, EXTEND_REASON, "supervisor"):
            assert secret not in text, (path, secret)
    data = _get(client, "/notices.json").get_json()
    assert not {"cancel_reason", "created_by_id", "live_logged_at"} & set(data["notices"][0])


def test_banner_is_a_cacheable_fragment_of_live_stops(client, notices):
    response = _get(client, "/notices/banner")
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    assert "<html" not in text
    assert "セミナー停止" in text
    assert "予約ページ停止" not in text
    english = _get(client, "/notices/banner?lang=en").get_data(as_text=True)
    assert "Maintenance of the seminar system" in english
    assert _get(client, "/notices/banner?lang=xx").status_code == 400
    with time_machine.travel(jst(2026, 12, 2, 7), tick=False):
        assert client.get("/notices/banner").get_data(as_text=True).strip() == ""
    assert _get(client, "/notices").headers["Cache-Control"] == "no-store"


def test_english_switch(client, notices):
    with time_machine.travel(NOW, tick=False):
        client.post("/auth/language", data={"lang": "en", "next": "/notices"})
        page = client.get("/notices").get_data(as_text=True)
    assert "Notices about the online services" in page
    assert "Maintenance of the seminar system" in page
    assert "Tue 1 Dec 2026 22:00 JST 〜 Wed 2 Dec 06:00" in page


def test_terms_text_is_public_only_when_announced(client, notices):
    version_id = notices["terms"].terms_version_id
    page = _get(client, f"/notices/terms/{version_id}")
    assert page.status_code == 200
    assert "新しい規約の本文" in page.get_data(as_text=True)
    assert _get(client, "/notices/terms/999").status_code == 404


def test_a_notice_older_than_90_days_drops_off(client, app):
    with time_machine.travel(jst(2026, 8, 1), tick=False):
        make_notice(
            app, title_ja="三か月前の保守", starts_at=jst(2026, 8, 2), ends_at=jst(2026, 8, 2, 3)
        )
    with time_machine.travel(jst(2026, 8, 2, 3) + timedelta(days=89), tick=False):
        assert "三か月前の保守" in client.get("/notices").get_data(as_text=True)
    with time_machine.travel(jst(2026, 8, 2, 3) + timedelta(days=91), tick=False):
        assert "三か月前の保守" not in client.get("/notices").get_data(as_text=True)


def test_an_unscheduled_stop_reads_plainly_to_the_public(app, client):
    with time_machine.travel(jst(2026, 12, 1, 10), tick=False):
        make_notice(
            app,
            kind=NoticeKind.UNPLANNED,
            cause=NoticeCause.NETWORK_FAILURE,
            starts_at=jst(2026, 12, 1, 9, 10),
            ends_at=None,
            title_ja="通信障害による停止",
        )
        page = client.get("/notices").get_data(as_text=True)
    assert "臨時停止" in page
    assert "事後登録" not in page
    assert "2026年12月1日(火) 9:10 〜 終了時刻未定" in page
    assert "通信障害" in page


def test_a_notice_cancelled_before_it_was_shown_never_appears(app, client):
    with time_machine.travel(jst(2026, 12, 1, 10), tick=False):
        notice = make_notice(
            app,
            title_ja="見せる前に中止",
            starts_at=jst(2026, 12, 20, 22),
            ends_at=jst(2026, 12, 21, 1),
            publish_from=jst(2026, 12, 13),
        )
        with writing(app) as session:
            service.cancel_notice(
                session,
                actor=Actor("system", "system:cli"),
                notice=session.get(service.Notice, notice.id),
                reason="計画変更",
            )
    with time_machine.travel(jst(2026, 12, 14), tick=False):
        assert "見せる前に中止" not in client.get("/notices").get_data(as_text=True)
        assert client.get("/notices.json").get_json()["notices"] == []
