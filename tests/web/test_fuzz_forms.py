"""Bad input is a 4xx or a form error, never a 500: every form, fuzzed.

For each route that accepts POST, the test signs in as a role allowed to use it, reads
the field names from the page's form (when the route has a GET page), and posts random
values: long, empty, non-ASCII, control characters, numbers where text is expected and
text where numbers are. With the demo data loaded, sample ids (1) point at real records.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.permissions import (
    UNDECLARED_ENDPOINTS,
    Permission,
    Role,
    declared_permission,
    role_may,
)
from tests.conftest import PASSWORD, make_app

FIELD_NAME = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"')
SKIPPED_FIELDS = {"csrf_token"}
SAMPLE_ID = "1"
# Where a signed-in staff member would be refused for reasons other than input (logout ends it).
NOT_FUZZED = {"auth.logout", "auth.switch_language"}

VALUES = st.one_of(
    st.text(max_size=40),
    st.text(min_size=300, max_size=3000),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "99999999999999999999",
            "2026-13-45",
            "2026-12-01T25:61",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\x00",
            "ＨＷ－２０２４",
            "🙂" * 50,
            "1.5",
            "true",
            "on",
            "nan",
            "1e309",
        ]
    ),
    st.integers().map(str),
)


def post_endpoints(app: Flask) -> list[str]:
    return sorted(
        {
            rule.endpoint
            for rule in app.url_map.iter_rules()
            if "POST" in (rule.methods or ())
            and rule.endpoint not in UNDECLARED_ENDPOINTS
            and rule.endpoint not in NOT_FUZZED
        }
    )


def path_of(app: Flask, endpoint: str) -> tuple[str, bool]:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    path = re.sub(r"<(?:int:)?([^<>]+)>", SAMPLE_ID, rule.rule)
    path = re.sub(r"<[^<>]+>", "HW-2024-000123", path)
    return path, "GET" in (rule.methods or ())


def role_for(app: Flask, endpoint: str) -> Role | None:
    with app.test_request_context():
        permission = declared_permission(endpoint)
    if permission is Permission.PUBLIC:
        return None
    for role in (Role.SUPERVISOR, Role.COUNSELOR, Role.AUDITOR, Role.ADMIN):
        if role_may(role, permission):
            return role
    pytest.fail(f"no role may use {endpoint}")
    return None


@pytest.fixture
def demo_app(app, runner, tmp_path):
    result = runner.invoke(args=["demo", "load", "--logins-file", str(tmp_path / "logins.txt")])
    assert result.exit_code == 0, result.output
    return app


def _endpoints() -> list[str]:
    app = make_app("sqlite://")
    return post_endpoints(app)


@pytest.mark.parametrize("endpoint", _endpoints())
def test_random_form_input_never_causes_a_server_error(demo_app, make_staff, endpoint):
    app = demo_app
    path, has_page = path_of(app, endpoint)
    client = app.test_client()
    role = role_for(app, endpoint)
    if role is not None:
        staff = make_staff(role)
        client.post("/auth/login", data={"login": staff.login, "password": PASSWORD})
    names = ["value", "reason"]
    if has_page:
        page = client.get(path)
        names = [
            n for n in FIELD_NAME.findall(page.get_data(as_text=True)) if n not in SKIPPED_FIELDS
        ] or names

    @settings(
        max_examples=12,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.fixed_dictionaries(dict.fromkeys(sorted(set(names)), VALUES)))
    def post_random(data: dict[str, str]) -> None:
        response = client.post(path, data=data)
        assert response.status_code < 500, f"{endpoint} answered {response.status_code} to {data!r}"

    post_random()
