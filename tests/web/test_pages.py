"""Pages render in Japanese by default and in English after switching; errors and headers."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import session
from flask_babel import refresh

from console.i18n import jst
from console.permissions import Role
from tests.conftest import make_app

# Words that may stay in Latin letters on a Japanese page.
ALLOWED_LATIN = {"English", "JST", "ID", "CSV", "PDF", "HW", "Hello", "Work", "OS"}
JAPANESE_PAGES = [
    (None, "/auth/login"),
    (Role.COUNSELOR, "/dashboard"),
    (Role.COUNSELOR, "/auth/password"),
    (Role.COUNSELOR, "/auth/reauthenticate"),
    (Role.ADMIN, "/admin/staff/"),
    (Role.ADMIN, "/admin/staff/new"),
    (None, "/no-such-page"),
]


def visible_text(html: str) -> str:
    """The words a person sees: no tags, scripts, attribute values or entities."""
    html = re.sub(r"<(script|style|code)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"&[a-z#0-9]+;", " ", html)


def untranslated_words(html: str, ignore: set[str]) -> set[str]:
    words = set(re.findall(r"[A-Za-z]{2,}", visible_text(html)))
    return words - ALLOWED_LATIN - ignore


@pytest.mark.parametrize(("role", "path"), JAPANESE_PAGES)
def test_pages_are_japanese_by_default(client, login_as, role, path):
    ignore: set[str] = set()
    if role is not None:
        staff = login_as(role)
        ignore = set(re.findall(r"[A-Za-z]+", staff.login))
    html = client.get(path).get_data(as_text=True)
    assert '<html lang="ja">' in html
    assert untranslated_words(html, ignore) == set()


@pytest.mark.parametrize(("role", "path"), JAPANESE_PAGES)
def test_pages_switch_to_english(client, login_as, role, path):
    if role is not None:
        login_as(role)
    client.post("/auth/language", data={"lang": "en"})
    html = client.get(path).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Hello Work Shibuya" in html


def test_times_are_shown_in_japan_time_with_the_weekday(app):
    with app.test_request_context():
        assert jst(datetime(2026, 12, 1, 13, 0, tzinfo=UTC)) == "2026年12月1日(火) 22:00"
    with app.test_request_context():
        session["lang"] = "en"
        refresh()
        assert jst(datetime(2026, 12, 1, 13, 0, tzinfo=UTC)) == "Tue 1 Dec 2026 22:00 JST"


def test_security_headers_on_every_page(client, login_as):
    login_as(Role.COUNSELOR)
    response = client.get("/dashboard")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "<script>" not in response.get_data(as_text=True)
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_error_pages_are_generic_and_numbered(client):
    response = client.get("/no-such-page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "ページが見つかりません" in html
    assert re.search(r"受付番号.*<code>[0-9a-f]{32}</code>", html, flags=re.S)
    assert client.delete("/auth/login").status_code == 405


def test_an_unexpected_error_shows_no_stack_trace(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    boom.required_permission = __import__("console.permissions").permissions.Permission.PUBLIC
    response = client.get("/boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internals" not in html
    assert "Traceback" not in html
    assert "エラーが発生しました" in html


def test_too_large_a_request_gets_the_413_page(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/auth/login", data={"login": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "ファイルが大きすぎます" in response.get_data(as_text=True)


def test_forms_without_a_csrf_token_are_refused(database_url, make_staff):
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    staff = make_staff(Role.COUNSELOR)
    response = client.post("/auth/login", data={"login": staff.login, "password": "whatever"})
    assert response.status_code == 400
    assert "再読み込み" in response.get_data(as_text=True)
    app.extensions["console.engine"].dispose()


def test_a_nul_character_in_input_is_a_400_not_a_server_error(client, login_as):
    login_as(Role.COUNSELOR)
    assert client.get("/dashboard?q=a%00b").status_code == 400
    response = client.post("/auth/password", data={"current_password": "a\x00b"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "path",
    ["/users/{id}", "/incidents/{id}", "/suspensions/{id}", "/suspensions/users/{id}"],
)
def test_an_id_no_row_can_have_is_a_404(client, login_as, path):
    """``get_or_404`` bounds the id: PostgreSQL's integer ends at 2**31 - 1 (no 500)."""
    login_as(Role.SUPERVISOR)
    for ident in (2**31, 2**63):
        assert client.get(path.format(id=ident)).status_code == 404
