"""Evidence: content-checked uploads, streamed storage, downloads, custody, withdrawal,
verification, and masking on pages and downloads (Art. 4-1, 4-2)."""

from __future__ import annotations

import hashlib
import io
from urllib.parse import quote

import pytest
from flask import render_template
from sqlmodel import delete, select, update

from console import db
from console.evidence import evidence_summary
from console.evidence.models import Evidence, EvidenceChunk
from console.masking import mask_text
from console.permissions import Role
from tests.conftest import make_app
from tests.factories import PASSWORD, load, make_incident, reading, writing
from tests.uploads import ACCESS_LOG_CSV, evidence_id_from, fake_exe, tiny_png, upload

JAPANESE_NAME = "録画_山田様_1201.png"


def test_a_japanese_named_image_is_stored_and_comes_back_intact(app, client, login_as, trail):
    staff = login_as(Role.COUNSELOR)
    incident = make_incident(app)
    data = tiny_png()
    response = upload(client, incident.id, data, JAPANESE_NAME, title="チャット画面")
    assert response.status_code == 302
    evidence_id = evidence_id_from(response)
    stored = load(app, Evidence, evidence_id)
    assert stored.original_name == JAPANESE_NAME
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.media_type == "image/png"
    assert stored.storage_id != JAPANESE_NAME
    assert len(stored.storage_id) == 32
    assert stored.added_by_id == staff.id

    download = client.get(f"/evidence/{evidence_id}/download")
    assert download.status_code == 200
    assert download.data == data
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(JAPANESE_NAME)}" in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"] == "sandbox"
    assert download.headers["Content-Type"] == "image/png"
    assert len(trail("evidence.downloaded", subject_id=evidence_id)) == 1
    added = trail("evidence.added", subject_id=evidence_id)
    assert len(added) == 1
    assert added[0].actor_login == staff.login


def test_an_exe_renamed_png_is_refused_with_a_clear_message(app, client, login_as, trail):
    login_as(Role.COUNSELOR)
    incident = make_incident(app)
    response = upload(client, incident.id, fake_exe(), "screenshot.png")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "この種類のファイル (exe) は添付できません" in page
    with reading(app) as session:
        assert session.exec(select(Evidence)).all() == []
        assert session.exec(select(EvidenceChunk)).all() == []
    assert trail("evidence.added") == []


def test_binary_with_no_known_type_and_empty_files_are_refused(app, client, login_as):
    login_as(Role.COUNSELOR)
    incident = make_incident(app)
    # Text for the first chunk, a NUL byte much later: stored chunks must be undone.
    sneaky = b"a,b,c\n" * 200_000 + b"\x00tail"
    response = upload(client, incident.id, sneaky, "log.csv")
    assert response.status_code == 422
    assert "添付できません" in response.get_data(as_text=True)
    assert upload(client, incident.id, b"", "empty.txt").status_code == 422
    with reading(app) as session:
        assert session.exec(select(EvidenceChunk)).all() == []
        assert session.exec(select(Evidence)).all() == []


def test_shift_jis_chat_log_is_accepted_and_shown_masked(app, client, login_as):
    login_as(Role.COUNSELOR)
    incident = make_incident(app)
    log = "22:01 相談者: 接続元 198.51.100.23 から入りました\n".encode("cp932")
    response = upload(client, incident.id, log, "chat.txt")
    assert response.status_code == 302
    evidence_id = evidence_id_from(response)
    assert load(app, Evidence, evidence_id).text_encoding == "cp932"
    page = client.get(f"/evidence/{evidence_id}").get_data(as_text=True)
    assert "相談者" in page
    assert "198.51.100.23" not in page
    assert "198.51.100.xxx [#" in page


def test_an_excel_csv_with_a_byte_order_mark_shows_clean_headers(app, client, login_as):
    login_as(Role.COUNSELOR)
    incident = make_incident(app)
    data = "\ufeff時刻,IPアドレス\n2026-12-01 22:00,203.0.113.45\n".encode()
    evidence_id = evidence_id_from(upload(client, incident.id, data, "excel.csv"))
    page = client.get(f"/evidence/{evidence_id}").get_data(as_text=True)
    assert "<td>時刻</td>" in page
    assert "\ufeff" not in page
    assert load(app, Evidence, evidence_id).sha256 == hashlib.sha256(data).hexdigest()


def test_csv_access_log_is_masked_on_the_page_and_in_the_download(app, client, login_as):
    login_as(Role.COUNSELOR)
    incident = make_incident(app)
    response = upload(client, incident.id, ACCESS_LOG_CSV.encode("utf-8"), "access.csv")
    evidence_id = evidence_id_from(response)
    page = client.get(f"/evidence/{evidence_id}").get_data(as_text=True)
    download = client.get(f"/evidence/{evidence_id}/download")
    body = download.get_data(as_text=True)
    for secret in (
        "203.0.113.45",
        "2001:db8::42",
        "00:1A:2B:3C:4D:5E",
        "426614174000",
        "352099001761481",
        "AB12CD",
    ):
        assert secret not in page
        assert secret not in body
    assert "<td>" in page
    assert "203.0.113.xxx [#" in page
    assert "device ****-4d5e [#" in body
    assert download.headers["X-Evidence-Masked"] == "1"
    assert "attachment" in download.headers["Content-Disposition"]
    # The stored original is untouched.
    with reading(app) as session:
        stored = session.exec(select(EvidenceChunk.data)).one()
    assert bytes(stored) == ACCESS_LOG_CSV.encode("utf-8")


def test_notes_and_descriptions_are_masked_and_the_same_device_has_the_same_hash(
    app, client, login_as
):
    login_as(Role.COUNSELOR)
    first = make_incident(app, description="端末 00:1A:2B:3C:4D:5E から参加")
    second = make_incident(app, description="別の日。端末 00-1a-2b-3c-4d-5e で再度参加")
    response = client.post(
        f"/incidents/{first.id}/evidence/note",
        data={"title": "電話での聞き取り", "body": "IMEI 352099001761481、IP 203.0.113.45"},
    )
    assert response.status_code == 302
    note_id = evidence_id_from(response)
    note_page = client.get(f"/evidence/{note_id}").get_data(as_text=True)
    assert "352099001761481" not in note_page
    assert "203.0.113.45" not in note_page
    assert "device ****-1481 [#" in note_page
    first_page = client.get(f"/incidents/{first.id}/evidence").get_data(as_text=True)
    second_page = client.get(f"/incidents/{second.id}/evidence").get_data(as_text=True)
    with app.app_context():
        tag = mask_text("00:1A:2B:3C:4D:5E")
    assert "00:1A:2B:3C:4D:5E" not in first_page
    assert "00-1a-2b-3c-4d-5e" not in second_page
    assert tag in first_page
    assert tag in second_page
    note_download = client.get(f"/evidence/{note_id}/download").get_data(as_text=True)
    assert "352099001761481" not in note_download
    assert "device ****-1481" in note_download


def test_the_mask_filter_is_registered_for_other_templates(app):
    with app.test_request_context():
        rendered = app.jinja_env.from_string("{{ text|mask }}").render(text="<i>203.0.113.5</i>")
    assert '&lt;i&gt;<span class="masked-id">203.0.113.xxx [#' in rendered


def test_item_page_shows_the_chain_of_custody(app, client, login_as, trail):
    counselor = login_as(Role.COUNSELOR)
    incident = make_incident(app)
    evidence_id = evidence_id_from(upload(client, incident.id, tiny_png(), JAPANESE_NAME))
    client.get(f"/evidence/{evidence_id}/download")
    client.get(f"/evidence/{evidence_id}/preview")
    client.get(f"/evidence/{evidence_id}/image")
    page = client.get(f"/evidence/{evidence_id}").get_data(as_text=True)
    for label in ("証拠を追加", "証拠をダウンロード", "証拠を閲覧"):
        assert label in page
    assert counselor.display_name in page
    assert load(app, Evidence, evidence_id).sha256 in page
    views = trail("evidence.viewed", subject_id=evidence_id)
    assert len(views) == 3  # preview page, image, item page


def test_images_are_previewed_only_through_a_sandboxed_image_route(app, client, login_as):
    login_as(Role.COUNSELOR)
    incident = make_incident(app)
    evidence_id = evidence_id_from(upload(client, incident.id, tiny_png(), JAPANESE_NAME))
    page = client.get(f"/evidence/{evidence_id}/preview")
    assert page.status_code == 200
    assert f'src="/evidence/{evidence_id}/image"' in page.get_data(as_text=True)
    image = client.get(f"/evidence/{evidence_id}/image")
    assert image.headers["Content-Type"] == "image/png"
    assert image.headers["Content-Security-Policy"] == "sandbox"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert image.headers["Content-Disposition"].startswith("inline;")
    assert image.data == tiny_png()
    csv_id = evidence_id_from(upload(client, incident.id, ACCESS_LOG_CSV.encode(), "a.csv"))
    assert client.get(f"/evidence/{csv_id}/image").status_code == 404
    assert client.get(f"/evidence/{csv_id}/preview").status_code == 404


def test_withdrawn_items_are_kept_hidden_by_default_and_audited(app, client, login_as, trail):
    login_as(Role.COUNSELOR)
    incident = make_incident(app)
    evidence_id = evidence_id_from(upload(client, incident.id, tiny_png(), "間違い.png"))
    confirm = client.get(f"/evidence/{evidence_id}/withdraw")
    assert "削除されません" in confirm.get_data(as_text=True)
    assert client.post(f"/evidence/{evidence_id}/withdraw", data={"reason": ""}).status_code == 422
    response = client.post(
        f"/evidence/{evidence_id}/withdraw", data={"reason": "別の事案の画像でした"}
    )
    assert response.status_code == 302
    listing = client.get(f"/incidents/{incident.id}/evidence").get_data(as_text=True)
    assert "間違い.png" not in listing
    assert "取り下げた証拠を表示（1件）" in listing
    toggled = client.get(f"/incidents/{incident.id}/evidence?withdrawn=1").get_data(as_text=True)
    assert "間違い.png" in toggled
    assert load(app, Evidence, evidence_id).withdrawal_reason == "別の事案の画像でした"
    entries = trail("evidence.withdrawn", subject_id=evidence_id)
    assert len(entries) == 1
    assert "別の事案の画像でした" in entries[0].canonical
    again = client.post(f"/evidence/{evidence_id}/withdraw", data={"reason": "もう一度"})
    assert again.status_code == 422
    assert client.get(f"/evidence/{evidence_id}/download").status_code == 200  # still kept


def test_a_chunk_changed_behind_the_consoles_back_is_found_by_verify(
    app, client, runner, login_as, trail
):
    login_as(Role.COUNSELOR)
    incident = make_incident(app)
    good_id = evidence_id_from(upload(client, incident.id, tiny_png(), "ok.png"))
    bad_id = evidence_id_from(upload(client, incident.id, ACCESS_LOG_CSV.encode(), "access.csv"))
    clean = runner.invoke(args=["evidence", "verify"])
    assert clean.exit_code == 0, clean.output
    assert "checked 2 items: 0 mismatched" in clean.output
    with writing(app) as session:
        session.exec(
            update(EvidenceChunk)
            .where(EvidenceChunk.evidence_id == bad_id)
            .values(data=ACCESS_LOG_CSV.replace("203.0.113.45", "203.0.113.99").encode())
        )
    result = runner.invoke(args=["evidence", "verify"])
    assert result.exit_code == 1
    assert f"MISMATCH evidence {bad_id}" in result.output
    assert f"MISMATCH evidence {good_id}" not in result.output
    assert len(trail("evidence.verified")) == 2


def test_the_auditor_custody_page_rehashes_one_incident(app, client, login_as, make_staff, trail):
    login_as(Role.COUNSELOR)
    incident = make_incident(app)
    evidence_id = evidence_id_from(upload(client, incident.id, tiny_png(), "ok.png"))
    auditor_client = app.test_client()
    auditor = make_staff(Role.AUDITOR)
    auditor_client.post("/auth/login", data={"login": auditor.login, "password": PASSWORD})
    page = auditor_client.get(f"/incidents/{incident.id}/evidence/custody").get_data(as_text=True)
    assert "1件すべて" in page
    with writing(app) as session:
        session.exec(delete(EvidenceChunk).where(EvidenceChunk.evidence_id == evidence_id))
    page = auditor_client.get(f"/incidents/{incident.id}/evidence/custody").get_data(as_text=True)
    assert "一致しません" in page
    assert len(trail("evidence.verified", subject_id=incident.id)) == 2


def test_the_size_limit_is_answered_with_the_japanese_413_page(app, database_url, make_staff):
    small = make_app(database_url, MAX_CONTENT_LENGTH=1024 * 1024)
    try:
        client = small.test_client()
        staff = make_staff(Role.COUNSELOR)
        client.post("/auth/login", data={"login": staff.login, "password": PASSWORD})
        incident = make_incident(app)
        response = upload(client, incident.id, b"x" * (2 * 1024 * 1024), "big.txt")
        assert response.status_code == 413
        assert "ファイルが大きすぎます" in response.get_data(as_text=True)
        form = client.get(f"/incidents/{incident.id}/evidence/file").get_data(as_text=True)
        assert "1 MB" in form
    finally:
        small.extensions["console.engine"].dispose()


def test_evidence_summary_and_the_incident_panel(app, client, login_as):
    login_as(Role.COUNSELOR)
    incident = make_incident(app)
    upload(client, incident.id, tiny_png(), JAPANESE_NAME)
    with app.test_request_context(), db.transaction(write=False) as session:
        summary = evidence_summary(session, incident.id)
        assert summary["count"] == 1
        assert summary["withdrawn"] == 0
        html = render_template("evidence/_incident_panel.html", **summary)
    assert JAPANESE_NAME in html
    assert f"/incidents/{incident.id}/evidence" in html


def test_bad_ids_and_input_get_4xx_never_500(app, client, login_as):
    login_as(Role.SUPERVISOR)
    incident = make_incident(app)
    assert client.get("/incidents/999999/evidence").status_code == 404
    assert client.get("/evidence/999999").status_code == 404
    assert client.post(f"/incidents/{incident.id}/evidence/file", data={}).status_code == 422
    long_title = "あ" * 500
    response = client.post(
        f"/incidents/{incident.id}/evidence/note", data={"title": long_title, "body": "x"}
    )
    assert response.status_code == 422
    response = upload(client, incident.id, io.BytesIO(tiny_png()), "a.png", title="t" * 300)
    assert response.status_code == 422


def test_a_log_without_line_breaks_is_still_masked_everywhere(app, client, login_as):
    login_as(Role.COUNSELOR)
    incident = make_incident(app)
    data = ("2026-12-01 22:00 198.51.100.23 joined, " * 80_000).encode()  # 3 MB, one line
    evidence_id = evidence_id_from(upload(client, incident.id, data, "one-line.txt"))
    page = client.get(f"/evidence/{evidence_id}").get_data(as_text=True)
    body = client.get(f"/evidence/{evidence_id}/download").get_data(as_text=True)
    assert "198.51.100.23" not in page
    assert "198.51.100.23" not in body
    assert body.count("198.51.100.xxx [#") == 80_000


@pytest.mark.parametrize(
    ("data", "name", "media_type", "kind"),
    [
        (b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + b"\x00" * 40, "a.gif", "image/gif", "image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40, "b.jpg", "image/jpeg", "image"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 40, "c.webp", "image/webp", "image"),
        (b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "申立書.pdf", "application/pdf", "pdf"),
    ],
)
def test_each_allowed_type_is_recognised_from_its_content(
    app, client, login_as, data, name, media_type, kind
):
    login_as(Role.COUNSELOR)
    incident = make_incident(app)
    response = upload(client, incident.id, data, name.replace(".", "_renamed."))
    assert response.status_code == 302
    stored = load(app, Evidence, evidence_id_from(response))
    assert stored.media_type == media_type
    assert stored.kind == kind
    download = client.get(f"/evidence/{stored.id}/download")
    assert download.headers["Content-Type"] == media_type
    assert download.data == data


def test_pages_work_in_english_too(app, client, login_as):
    login_as(Role.SUPERVISOR)
    incident = make_incident(app)
    evidence_id = evidence_id_from(upload(client, incident.id, ACCESS_LOG_CSV.encode(), "a.csv"))
    client.post("/auth/language", data={"lang": "en"})
    page = client.get(f"/evidence/{evidence_id}").get_data(as_text=True)
    assert "Chain of custody" in page
    assert "273 bytes" in page
    assert "203.0.113.45" not in page
    listing = client.get(f"/incidents/{incident.id}/evidence").get_data(as_text=True)
    assert "Download (masked)" in listing
    assert client.get("/disclosures/").status_code == 200
