"""Every page of service users and incidents is Japanese by default and English on request;
personal data is never cached."""

from __future__ import annotations

import re

import pytest

from console.permissions import Role
from tests.factories import make_incident, make_user
from tests.web.test_pages import untranslated_words

PAGES = [
    "/users/",
    "/users/?q=やまだ",
    "/users/new",
    "/users/{user}",
    "/users/{user}/edit",
    "/incidents/",
    "/incidents/new",
    "/incidents/{incident}",
    "/dashboard",
]
# Sample data and codes that are Latin on purpose.
SAMPLE_WORDS = {"HW", "ID", "JST", "NUL", "Share", "Winny", "OS"}
# The notices panel on the dashboard names the command to start: `flask scheduler run`.
SAMPLE_WORDS |= {"flask", "scheduler", "run"}


@pytest.fixture
def sample(app, client, login_as):
    staff = login_as(Role.SUPERVISOR)
    user = make_user(app, "山田 太郎", "ヤマダ タロウ", reference_no="HW-2024-000123")
    incident = make_incident(app, user, staff, categories=["art7.2", "art3.5"])
    client.post(f"/incidents/{incident.id}/comments", data={"body": "確認しました。"})
    return {"user": user.id, "incident": incident.id, "login": staff.login}


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_japanese_and_not_cached(client, sample, path):
    response = client.get(path.format(**sample))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="ja">' in html
    ignore = SAMPLE_WORDS | set(re.findall(r"[A-Za-z]+", sample["login"]))
    assert untranslated_words(html, ignore) == set()
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", PAGES)
def test_pages_switch_to_english(client, sample, path):
    client.post("/auth/language", data={"lang": "en"})
    html = client.get(path.format(**sample)).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert ">Service users</a>" in html
    assert ">Incidents</a>" in html
    assert "利用者番号・氏名・フリガナ" not in html
