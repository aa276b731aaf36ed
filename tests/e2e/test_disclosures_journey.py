"""A counselor records a police request; a supervisor approves it; the counselor opens the
unmasked records; an auditor sees every step."""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.sync_api import Page, expect

from console.permissions import Role
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import make_incident, make_user


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="ログアウト").click()


def test_request_approve_open_and_review(page: Page, live_server, live_staff):
    counselor = live_staff(Role.COUNSELOR, "yamamoto", "相談員 山本 美咲")
    live_staff(Role.SUPERVISOR, "sato", "統括 佐藤 健一")
    live_staff(Role.AUDITOR, "ito", "監査 伊藤 誠")
    user = make_user(live_server.app, reference_no="13010-123456")
    make_incident(
        live_server.app,
        user,
        counselor,
        description="接続元 203.0.113.45 から不正に参加",
        occurred_at=datetime(2026, 11, 2, 13, 0, tzinfo=UTC),  # 22:00 in Japan
    )

    sign_in(page, live_server, "yamamoto")
    page.locator("#mainnav").get_by_role("link", name="開示請求").click()
    page.get_by_role("link", name="新しい請求を登録").click()
    page.get_by_label("請求元").fill("警視庁渋谷警察署")
    page.get_by_label("根拠法令").fill("刑事訴訟法第197条第2項")
    page.get_by_label("文書番号").fill("渋署刑第1234号")
    page.get_by_label("文書の日付").fill("2026-11-03")
    page.get_by_label("対象の利用者（利用者番号）").fill("13010-123456")
    page.get_by_label("対象期間（開始日）").fill("2026-11-02")
    page.get_by_label("対象期間（終了日）").fill("2026-11-02")
    page.get_by_label("事案の記録（内容）").check()
    page.get_by_label("アクセスログ・チャットログ（CSV、テキスト）").check()
    screenshot(page, "disclosures-form")
    page.get_by_role("button", name="請求を登録する").click()
    expect(page.get_by_text("請求を登録しました。")).to_be_visible()
    expect(page.get_by_test_id("state")).to_have_text("決裁待ち")
    screenshot(page, "disclosures-requested")
    _sign_out(page)

    sign_in(page, live_server, "sato")
    page.locator("#mainnav").get_by_role("link", name="開示請求").click()
    screenshot(page, "disclosures-index-supervisor")
    page.goto(live_server.path("/dashboard"))
    expect(page.get_by_test_id("disclosures-panel")).to_contain_text("警視庁渋谷警察署")
    screenshot(page, "disclosures-dashboard-panel")
    page.get_by_role("link", name="請求の一覧を開く").click()
    page.locator("table a").first.click()
    page.get_by_role("link", name="承認・却下").click()
    page.get_by_label("承認する").check()
    page.get_by_label("理由").fill("令状の写しを確認しました。")
    screenshot(page, "disclosures-decide")
    page.get_by_role("button", name="決裁を記録する").click()
    expect(page.get_by_test_id("state")).to_have_text("承認済み")
    _sign_out(page)

    sign_in(page, live_server, "yamamoto")
    page.locator("#mainnav").get_by_role("link", name="開示請求").click()
    page.locator("table a").first.click()
    page.get_by_role("link", name="マスクなしの記録を開く").click()
    expect(page.get_by_text("203.0.113.45")).to_be_visible()
    screenshot(page, "disclosures-records")
    _sign_out(page)

    sign_in(page, live_server, "ito")
    page.get_by_role("link", name="開示請求の監査").click()
    expect(page.locator("table .badge")).to_have_text("承認済み")
    screenshot(page, "disclosures-review")
    page.locator("table a").first.click()
    expect(page.get_by_test_id("steps")).to_contain_text("マスクなしの記録を閲覧")
    screenshot(page, "disclosures-review-steps")
