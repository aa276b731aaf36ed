"""A counselor proposes, another supervisor decides with the password re-entered, the user
shows as suspended, the decision notice is printed to PDF, and the trail holds the chain."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from playwright.sync_api import Page, expect

from console.audit.canonical import chain_hash
from console.permissions import Role
from console.timeutil import to_jst, utcnow
from tests.e2e.conftest import SCREENSHOTS, screenshot, sign_in
from tests.factories import PASSWORD, make_incident, make_user
from tests.trail import details

REASON = "セミナーのチャットで他の参加者への中傷を繰り返し、二度の注意後も改めなかったため。"


def _local(moment: datetime) -> str:
    return to_jst(moment).strftime("%Y-%m-%dT%H:%M")


def test_propose_decide_suspended_notice_and_trail(page: Page, live_server, live_staff, trail):
    app = live_server.app
    counselor = live_staff(Role.COUNSELOR, "yamamoto", "相談員 山本 美咲")
    live_staff(Role.SUPERVISOR, "sato", "統括 佐藤 健一")
    live_staff(Role.SUPERVISOR, "takahashi", "上席 高橋 直子")
    user = make_user(app, "山田 太郎", reference_no="HW-2024-000123")
    make_incident(app, user, counselor, categories=["art7.2", "art7.4"])
    start = utcnow() - timedelta(minutes=1)
    end = (utcnow() + timedelta(days=7)).replace(second=0, microsecond=0)

    # 1. The counselor proposes; the articles come prefilled from the incident.
    sign_in(page, live_server, "yamamoto")
    page.goto(live_server.path(f"/suspensions/users/{user.id}/propose"))
    expect(page.get_by_label("第7条(2) 他の利用者に不快感を与える行為")).to_be_checked()
    page.get_by_label("開始日時（日本時間）").fill(_local(start))
    page.get_by_label("終了日時（日本時間）").fill(_local(end))
    page.get_by_role("checkbox", name="セミナー", exact=True).check()
    page.get_by_role("checkbox", name="面接会", exact=True).check()
    page.get_by_label("理由", exact=True).fill(REASON)
    screenshot(page, "suspensions-1-proposal")
    page.get_by_role("button", name="提案を提出する").click()
    expect(page.get_by_text("提案を提出しました。")).to_be_visible()
    expect(page.get_by_test_id("suspension-state")).to_have_text("決定待ち")
    page.get_by_role("button", name="ログアウト").click()

    # 2. Another supervisor decides; the password must be typed again first.
    app.config["FRESH_LOGIN_WINDOW"] = timedelta(seconds=6)
    sign_in(page, live_server, "sato")
    expect(page.get_by_text("決定待ちの利用停止の提案")).to_be_visible()
    screenshot(page, "suspensions-2-dashboard")
    page.wait_for_timeout(6500)
    page.get_by_role("link", name="決定する").first.click()
    expect(page.get_by_label("パスワード")).to_be_visible()
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_role("heading", name="の決定")).to_be_visible()
    page.get_by_label("提案どおり承認する").check()
    screenshot(page, "suspensions-3-decide")
    page.get_by_role("button", name="決定を記録する").click()
    expect(page.get_by_text("決定を記録しました。")).to_be_visible()
    expect(page.get_by_test_id("suspension-state")).to_have_text("停止中")
    screenshot(page, "suspensions-3b-decided")

    # 3. The user shows as suspended, with what and until when.
    page.goto(live_server.path(f"/suspensions/users/{user.id}"))
    badge = page.get_by_test_id("suspension-badge")
    expect(badge).to_contain_text("利用停止中: セミナー ほか 〜")
    expect(page.get_by_test_id("status-seminar")).to_contain_text("利用不可")
    expect(page.get_by_test_id("status-individual_counseling")).to_contain_text("利用可")
    screenshot(page, "suspensions-4-user")

    # 4. The decision notice, printed to PDF by Chromium, then the print is recorded.
    page.goto(live_server.path("/suspensions/?state=active"))
    expect(page.get_by_role("link", name="山田 太郎")).to_be_visible()
    screenshot(page, "suspensions-6-list")
    (proposed,) = trail("suspension.proposed")
    suspension_id = int(proposed.subject_id)
    page.goto(live_server.path(f"/suspensions/{suspension_id}/notice"))
    notice = page.get_by_test_id("notice")
    expect(notice).to_contain_text("山田 太郎 様")
    expect(notice).to_contain_text("他の利用者に不快感を与える行為")
    expect(notice).to_contain_text("第9条第2項")
    screenshot(page, "suspensions-5-notice")
    SCREENSHOTS.mkdir(exist_ok=True)
    pdf = SCREENSHOTS / "suspensions-notice.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
    page.emulate_media(media="screen")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_size > 10_000
    page.get_by_role("button", name="印刷したことを記録").click()
    expect(page.get_by_text("印刷を記録しました")).to_be_visible()

    # 5. The trail: proposed, re-authenticated, approved, printed, chained by hash.
    entries = trail()
    for previous, entry in itertools.pairwise(entries):
        assert entry.prev_hash == previous.hash
        assert entry.hash == chain_hash(entry.prev_hash, entry.canonical.encode("utf-8"))
    chain = [
        (e.action, e.actor_login)
        for e in entries
        if e.action.startswith("suspension.") or e.action == "auth.reauthenticated"
    ]
    assert chain == [
        ("suspension.proposed", "yamamoto"),
        ("auth.reauthenticated", "sato"),
        ("suspension.approved", "sato"),
        ("suspension.notice_printed", "sato"),
    ]
    approved = next(e for e in entries if e.action == "suspension.approved")
    assert details(approved)["changes"]["decision"] == {"before": "pending", "after": "approved"}
