"""A supervisor schedules tonight's stop of the seminars; the public page follows the clock."""

from __future__ import annotations

import time_machine
from playwright.sync_api import Page, expect

from console.notices.sweep import sweep_notices
from console.permissions import Role
from console.scheduler import run_sweeps
from console.timeutil import utcnow
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import jst, writing


def test_a_seminar_stop_tonight_from_draft_to_ended(page: Page, live_server, live_staff, trail):
    live_staff(Role.SUPERVISOR, "sato", "統括 佐藤 健一")
    with time_machine.travel(jst(2026, 12, 1, 14), tick=True) as traveller:
        sign_in(page, live_server, "sato")
        page.get_by_role("link", name="お知らせ").first.click()
        page.get_by_role("link", name="新しいお知らせ").click()
        page.get_by_label("種別").select_option(label="計画停止")
        page.get_by_label("すべてのオンラインサービス").uncheck()
        page.get_by_label("セミナー", exact=True).check()
        page.get_by_label("開始").fill("2026-12-01T22:00")
        page.get_by_label("終了予定日時（予告なしの停止では空欄可）").fill("2026-12-02T06:00")
        page.get_by_label("件名（日本語）").fill("オンラインセミナー配信システムの保守作業")
        page.get_by_label("本文（日本語）").fill("保守作業のため、オンラインセミナーを停止します。")
        page.get_by_label("影響範囲", exact=True).fill(
            "この時間帯のオンラインセミナーは実施しません。"
        )
        page.get_by_label("問い合わせ先", exact=True).fill("ハローワーク渋谷 03-0000-0000")
        page.get_by_label("延長の可能性がある").check()
        screenshot(page, "notices-01-draft-form")
        page.get_by_role("button", name="下書きを保存").click()
        expect(page.get_by_test_id("staff-notice-state")).to_have_text("下書き")
        page.get_by_role("link", name="公開…").click()
        page.get_by_role("button", name="公開する").click()
        expect(page.get_by_text("確認のチェックを入れてください。")).to_be_visible()
        page.get_by_label("上記の内容を確認しました。").check()
        screenshot(page, "notices-02-publish-confirm")
        page.get_by_role("button", name="公開する").click()
        expect(page.get_by_text("お知らせを公開しました。")).to_be_visible()
        expect(page.get_by_test_id("staff-notice-state")).to_have_text("停止予定")
        screenshot(page, "notices-03-published")
        page.get_by_role("link", name="お知らせ", exact=True).first.click()
        expect(
            page.get_by_role("row", name="オンラインセミナー配信システムの保守作業")
        ).to_contain_text("停止予定")
        screenshot(page, "notices-03b-staff-list")

        page.goto(live_server.path("/notices"))
        card = page.locator("article.notice-card").first
        expect(card.get_by_test_id("notice-state")).to_have_text("停止予定")
        expect(card.get_by_test_id("notice-period")).to_have_text(
            "2026年12月1日(火) 22:00 〜 12月2日(水) 6:00"
        )
        expect(card).to_contain_text("セミナー")
        expect(page.locator("body")).not_to_contain_text("佐藤")
        screenshot(page, "notices-04-public-upcoming")

        traveller.move_to(jst(2026, 12, 1, 22, 5))
        assert run_sweeps(live_server.app)["notices"] == 1
        page.reload()
        expect(card.get_by_test_id("notice-state")).to_have_text("停止中")
        banner = page.request.get(live_server.path("/notices/banner"))
        assert "オンラインセミナー配信システムの保守作業" in banner.text()
        screenshot(page, "notices-05-public-in-progress")

        traveller.move_to(jst(2026, 12, 1, 23, 15))
        with writing(live_server.app) as session:
            assert sweep_notices(session, utcnow()) == 0  # the sweep may be called directly too
        sign_in(page, live_server, "sato")  # the earlier session timed out while idle
        expect(page.get_by_test_id("notices-panel")).to_contain_text("現在停止中")
        expect(page.get_by_test_id("scheduler-stale")).to_be_visible()  # last tick 70 min ago
        screenshot(page, "notices-06-dashboard")
        page.get_by_test_id("notices-panel").get_by_role(
            "link", name="オンラインセミナー配信システムの保守作業"
        ).click()
        page.get_by_role("link", name="今すぐ終了…").click()
        page.get_by_label("上記の内容を確認しました。").check()
        page.get_by_role("button", name="停止を今すぐ終了する").click()
        expect(page.get_by_text("停止を終了しました。")).to_be_visible()

        traveller.move_to(jst(2026, 12, 1, 23, 16))
        assert run_sweeps(live_server.app)["notices"] == 1
        page.goto(live_server.path("/notices"))
        expect(card.get_by_test_id("notice-state")).to_have_text("終了")
        expect(card.get_by_test_id("notice-end-change")).to_have_text(
            "予定 12月2日(水) 6:00 → 実際 12月1日(火) 23:15"
        )
        expect(page.get_by_test_id("no-current")).to_be_visible()
        screenshot(page, "notices-07-public-ended")
        page.get_by_role("button", name="English").click()
        expect(
            page.get_by_role("heading", name="Notices about the online services")
        ).to_be_visible()
        screenshot(page, "notices-08-public-ended-en")
    actions = [entry.action for entry in trail("notice.")]
    assert actions == [
        "notice.drafted",
        "notice.published",
        "notice.went_live",
        "notice.ended",
        "notice.finished",
    ]
