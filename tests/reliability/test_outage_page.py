"""Fix 1: when the database cannot be reached, signed-in staff get a Japanese 503 page with
``Retry-After`` that needed no database to render (not gunicorn's bare error)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from console.auth.models import Role
from tests.conftest import make_app

UNREACHABLE_POSTGRES = "postgresql://postgres@127.0.0.1:1/console"


def _unreachable_url(tmp_path: Path, kind: str) -> str:
    if kind == "postgresql":
        return UNREACHABLE_POSTGRES
    folder = tmp_path / "gone"
    folder.mkdir()
    return f"sqlite:///{folder / 'console.sqlite3'}"


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_signed_in_staff_get_a_japanese_503_without_the_database(
    app, client, login_as, tmp_path, kind, method
):
    login_as(Role.COUNSELOR)
    url = _unreachable_url(tmp_path, kind)
    down = make_app(url, SECRET_KEY=app.config["SECRET_KEY"])
    if kind == "sqlite":
        shutil.rmtree(tmp_path / "gone")  # the file's folder vanished under a running app
    cookie = client.get_cookie("console_session")
    assert cookie is not None
    outage = down.test_client()
    outage.set_cookie("console_session", cookie.value)
    response = outage.open("/dashboard" if method == "GET" else "/auth/logout", method=method)
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "一時的に利用できません" in page
    assert response.headers["X-Request-ID"] in page
    assert "Traceback" not in page
    assert "psycopg" not in page
    assert "sqlite3" not in page
    assert ('http-equiv="refresh"' in page) == (method == "GET")
    down.extensions["console.engine"].dispose()


def test_an_error_page_during_an_outage_is_the_outage_page(app, client, login_as):
    login_as(Role.COUNSELOR)
    down = make_app(UNREACHABLE_POSTGRES, SECRET_KEY=app.config["SECRET_KEY"])
    outage = down.test_client()
    outage.set_cookie("console_session", client.get_cookie("console_session").value)
    response = outage.post("/dashboard")  # a 405, whose page shows the menu
    assert response.status_code == 503
    assert "一時的に利用できません" in response.get_data(as_text=True)


def test_the_outage_page_follows_the_chosen_language(app, client, login_as):
    login_as(Role.COUNSELOR)
    client.post("/auth/language", data={"lang": "en"})
    down = make_app(UNREACHABLE_POSTGRES, SECRET_KEY=app.config["SECRET_KEY"])
    outage = down.test_client()
    outage.set_cookie("console_session", client.get_cookie("console_session").value)
    response = outage.get("/dashboard")
    assert response.status_code == 503
    assert "temporarily unavailable" in response.get_data(as_text=True)


def test_a_bug_that_is_no_outage_stays_a_500(app, client, login_as, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    login_as(Role.COUNSELOR)

    def broken(*_args, **_kwargs):
        raise IntegrityError("INSERT …", {}, Exception("duplicate key"))

    monkeypatch.setattr("console.dashboard.views.panels", broken)
    response = client.get("/dashboard")
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
