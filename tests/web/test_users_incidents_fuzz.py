"""Random input to every form of service users and incidents: a 4xx or a redirect, never a 500."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.permissions import Role
from tests.factories import make_incident, make_user

EDGES = ["", "HW-2024-000123", "art7.2", "2026-01-01", "0001-01-01", "9999-12-31", "23:59"]
EDGES += ["99999999999999999999", "２", "-1", "0", "1", "seminar", "high", "warning", "y"]
EDGES += ["\x00", "HW-2024\x00", "やまだ\x07"]
TEXT = st.text(max_size=300) | st.sampled_from(EDGES)
FIELDS = {
    "/users/new": [
        "reference_no",
        "name_kanji",
        "name_kana",
        "birth_date",
        "registration_route",
        "services",
        "counseling_eligible",
        "terms_version_id",
        "terms_agreed_on",
        "assigned_counselor_id",
    ],
    "/incidents/new": [
        "reference_no",
        "service",
        "session_date",
        "session_time",
        "meeting_id",
        "categories",
        "severity",
        "description",
        "damage",
    ],
    "/incidents/{incident}/comments": ["body", "corrects_id"],
    "/incidents/{incident}/assign": ["reviewer_id"],
    "/incidents/{incident}/close": ["outcome", "reason", "confirm"],
    "/incidents/assign": ["incident_ids", "reviewer_id"],
    "/users/{user}/edit": ["reference_no", "name_kana", "services", "assigned_counselor_id"],
}
QUERIES = {
    "/users/": ["q", "after"],
    "/incidents/": [
        "status",
        "category",
        "severity",
        "service",
        "reviewer",
        "date_from",
        "date_to",
        "sort",
        "after",
    ],
}
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(data=st.data())
def test_random_posts_never_fail(app, client, login_as, data):
    if not hasattr(client, "_fuzz_setup"):
        staff = login_as(Role.SUPERVISOR)
        user = make_user(app, reference_no="HW-2024-000123")
        client._fuzz_setup = {"user": user.id, "incident": make_incident(app, user, staff).id}
    path = data.draw(st.sampled_from(sorted(FIELDS)))
    form = {name: data.draw(TEXT) for name in FIELDS[path] if data.draw(st.booleans())}
    response = client.post(path.format(**client._fuzz_setup), data=form)
    assert response.status_code in (200, 302, 400, 404, 413, 422), response.status_code


@FUZZ
@given(data=st.data())
def test_random_queries_never_fail(client, login_as, data):
    if not hasattr(client, "_fuzz_setup"):
        login_as(Role.AUDITOR)
        client._fuzz_setup = True
    path = data.draw(st.sampled_from(sorted(QUERIES)))
    query = {name: data.draw(TEXT) for name in QUERIES[path] if data.draw(st.booleans())}
    response = client.get(path, query_string=query)
    assert response.status_code in (200, 400, 422), response.status_code  # 400: a NUL character


@FUZZ
@given(number=st.integers(min_value=0, max_value=10**30))
def test_ids_in_the_address_are_404_not_500(client, login_as, number):
    if not hasattr(client, "_fuzz_setup"):
        login_as(Role.SUPERVISOR)
        client._fuzz_setup = True
    for path in (f"/users/{number}", f"/incidents/{number}", f"/incidents/new?user={number}"):
        response = client.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
    assert response.status_code in (200, 400, 422), response.status_code  # 400: a NUL character
