"""A counselor attaches a Japanese-named screenshot and a CSV access log to an incident,
previews and downloads them; an .exe in disguise is refused; identifiers stay masked."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from console.permissions import Role
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import make_incident, make_user
from tests.uploads import ACCESS_LOG_CSV, fake_exe, tiny_png

JAPANESE_NAME = "録画_山田様_1201.png"


def test_attach_a_japanese_named_file_and_download_it(page: Page, live_server, live_staff):
    counselor = live_staff(Role.COUNSELOR, "yamamoto", "相談員 山本 美咲")
    user = make_user(live_server.app, reference_no="13010-123456")
    incident = make_incident(
        live_server.app,
        user,
        counselor,
        description="面談中に画面を録画していた。接続元 203.0.113.45、端末 00:1A:2B:3C:4D:5E。",
    )
    sign_in(page, live_server, "yamamoto")
    page.goto(live_server.path(f"/incidents/{incident.id}/evidence"))
    expect(page.get_by_role("heading", name=f"事案 #{incident.id} の証拠")).to_be_visible()
    expect(page.get_by_text("203.0.113.xxx")).to_be_visible()
    expect(page.get_by_text("203.0.113.45")).to_have_count(0)
    screenshot(page, "evidence-empty-list")

    page.get_by_role("link", name="ファイルを添付").click()
    page.locator("input[type=file]").set_input_files(
        {"name": "screenshot.png", "mimeType": "image/png", "buffer": fake_exe()}
    )
    page.get_by_role("button", name="添付する").click()
    expect(page.get_by_text("この種類のファイル (exe) は添付できません")).to_be_visible()
    screenshot(page, "evidence-exe-refused")

    page.locator("input[type=file]").set_input_files(
        {"name": JAPANESE_NAME, "mimeType": "image/png", "buffer": tiny_png()}
    )
    page.get_by_label("説明（任意）").fill("22:05 のチャット画面")
    page.get_by_role("button", name="添付する").click()
    expect(page.get_by_text("ファイルを添付しました。")).to_be_visible()
    expect(page.get_by_role("heading", name=JAPANESE_NAME)).to_be_visible()
    expect(page.get_by_test_id("sha256")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    expect(page.get_by_test_id("custody")).to_contain_text("証拠を追加")
    screenshot(page, "evidence-item")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="ダウンロード").click()
    download = download_info.value
    assert download.suggested_filename == JAPANESE_NAME
    with open(download.path(), "rb") as handle:
        assert handle.read() == tiny_png()

    page.get_by_role("link", name="プレビュー").first.click()
    expect(page.locator(".evidence-preview img")).to_be_visible()
    assert page.locator(".evidence-preview img").evaluate("img => img.naturalWidth") == 1
    screenshot(page, "evidence-preview")

    page.goto(live_server.path(f"/incidents/{incident.id}/evidence/file"))
    page.locator("input[type=file]").set_input_files(
        {"name": "アクセスログ.csv", "mimeType": "text/csv", "buffer": ACCESS_LOG_CSV.encode()}
    )
    page.get_by_role("button", name="添付する").click()
    content = page.get_by_test_id("content")
    expect(content).to_contain_text("203.0.113.xxx")
    expect(content).to_contain_text("device ****-4d5e")
    expect(content).not_to_contain_text("00:1A:2B:3C:4D:5E")
    screenshot(page, "evidence-csv-masked")

    page.goto(live_server.path(f"/incidents/{incident.id}/evidence"))
    expect(page.get_by_role("link", name=JAPANESE_NAME)).to_be_visible()
    screenshot(page, "evidence-list")
