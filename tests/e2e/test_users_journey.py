"""The counselors' daily work in Chromium: find a user by kana, log an incident with two
Art. 7 items, comment; a supervisor assigns and closes it. Every step is in the audit trail."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlmodel import select

from console.incidents.models import Incident
from console.online_services import OnlineService
from console.permissions import Role
from console.timeutil import to_jst, utcnow
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import make_user, reading


def _seed(app) -> None:
    for reference, kanji, kana in (
        ("HW-2024-000123", "山田 太郎", "ヤマダ タロウ"),
        ("HW-2024-000456", "鈴木 花子", "スズキ ハナコ"),
    ):
        make_user(
            app,
            kanji,
            kana,
            reference_no=reference,
            services=[OnlineService.SEMINAR, OnlineService.INDIVIDUAL_COUNSELING],
        )


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_text("ログアウトしました。")).to_be_visible()


def _counselor_logs_and_comments(page: Page, live_server) -> str:
    sign_in(page, live_server, "yamamoto")
    screenshot(page, "users-01-counselor-dashboard")
    page.get_by_role("link", name="利用者", exact=True).click()
    page.get_by_label("利用者番号・氏名・フリガナ").fill("やまだ")
    page.get_by_role("button", name="検索").click()
    expect(page.get_by_test_id("users-table")).to_contain_text("山田 太郎")
    expect(page.get_by_test_id("users-table")).not_to_contain_text("鈴木 花子")
    screenshot(page, "users-02-search-by-kana")
    page.get_by_role("link", name="HW-2024-000123").click()
    expect(page.get_by_role("heading", name="山田 太郎")).to_be_visible()
    screenshot(page, "users-03-user-page")
    page.get_by_role("link", name="事案を記録").click()
    expect(page.get_by_label("利用者番号", exact=True)).to_have_value("HW-2024-000123")
    earlier = to_jst(utcnow() - timedelta(hours=2))
    page.get_by_label("サービス", exact=True).select_option("seminar")
    page.get_by_label("実施日（日本時間）").fill(earlier.strftime("%Y-%m-%d"))
    page.get_by_label("行為の時刻（日本時間）").fill(earlier.strftime("%H:%M"))
    page.get_by_label("第7条(2)").check()
    page.get_by_label("第7条(4)").check()
    page.get_by_label("重大度", exact=True).select_option("medium")
    page.get_by_label("事実の内容", exact=True).fill(
        "セミナー中、チャットに他の参加者を揶揄する書き込みを繰り返し、講師の注意後も続けた。"
    )
    screenshot(page, "users-04-incident-form")
    page.get_by_role("button", name="事案を記録する").click()
    expect(page.get_by_text("を記録しました。")).to_be_visible()
    expect(page.get_by_test_id("incident-status")).to_have_text("未対応")
    page.get_by_role("textbox", name="コメント").fill("講師から当日の状況を聞き取りました。")
    page.get_by_role("button", name="コメントを追加").click()
    expect(page.get_by_test_id("comment")).to_contain_text("講師から当日の状況を聞き取りました。")
    screenshot(page, "users-05-incident-with-comment")
    url = page.url.split("#")[0]
    _sign_out(page)
    return url


def _supervisor_assigns_and_closes(page: Page, live_server, incident_url: str) -> None:
    sign_in(page, live_server, "sato")
    expect(page.get_by_test_id("panel-unassigned")).to_contain_text("山田 太郎")
    screenshot(page, "users-06-supervisor-dashboard")
    page.get_by_role("link", name="事案", exact=True).click()
    expect(page.get_by_test_id("incident-queue")).to_contain_text("山田 太郎")
    screenshot(page, "users-07-incident-queue")
    page.goto(incident_url)
    page.get_by_label("担当審査者").select_option(label="統括 佐藤 健一")
    page.get_by_role("button", name="割り当てる").click()
    expect(page.get_by_test_id("incident-reviewer")).to_have_text("統括 佐藤 健一")
    page.get_by_role("button", name="審査を開始").click()
    expect(page.get_by_test_id("incident-status")).to_have_text("審査中")
    page.get_by_label("結果", exact=True).select_option("warning")
    page.get_by_label("結果の理由").fill("本人に第7条の禁止事項を説明し、注意しました。")
    page.get_by_label("終結した事案は再開できないことを理解しました。").check()
    screenshot(page, "users-08-before-closing")
    page.get_by_role("button", name="事案を終結する").click()
    expect(page.get_by_test_id("incident-status")).to_have_text("終結")
    expect(page.get_by_test_id("incident-outcome")).to_contain_text("注意・警告")
    screenshot(page, "users-09-closed")
    page.get_by_role("link", name="山田 太郎").click()
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("事案の終結")
    expect(timeline).to_contain_text("コメントの追加")
    screenshot(page, "users-10-user-timeline")
    page.get_by_role("link", name="登録内容を編集").click()
    page.get_by_label("担当相談員").select_option(label="相談員 山本 美咲")
    screenshot(page, "users-11-edit-form")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("登録内容を保存しました。")).to_be_visible()


def test_counselor_and_supervisor_journey(page: Page, live_server, live_staff, trail):
    counselor = live_staff(Role.COUNSELOR, "yamamoto", "相談員 山本 美咲")
    supervisor = live_staff(Role.SUPERVISOR, "sato", "統括 佐藤 健一")
    _seed(live_server.app)
    incident_url = _counselor_logs_and_comments(page, live_server)
    _supervisor_assigns_and_closes(page, live_server, incident_url)
    with reading(live_server.app) as session:
        incident = session.exec(select(Incident)).one()
    entries = trail()
    about = [
        (entry.action, entry.actor_id)
        for entry in entries
        if entry.action.startswith(("incident.", "service_user.viewed", "service_user.updated"))
    ]
    assert about == [
        ("service_user.viewed", counselor.id),
        ("incident.logged", counselor.id),
        ("incident.commented", counselor.id),
        ("incident.assigned", supervisor.id),
        ("incident.status_changed", supervisor.id),
        ("incident.closed", supervisor.id),
        ("service_user.viewed", supervisor.id),
        ("service_user.updated", supervisor.id),
        ("service_user.viewed", supervisor.id),
    ]
    assert {entry.subject_id for entry in entries if entry.action.startswith("incident.")} == {
        str(incident.id)
    }
    assert (incident.status, incident.outcome) == ("closed", "warning")
