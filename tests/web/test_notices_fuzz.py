"""Any input to the notice forms is a form error or a success, never a 500."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.permissions import Role
from tests.factories import make_notice

TEXT = st.text(max_size=300)
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "kind": st.sampled_from(["planned", "unplanned", "terms_change", "", "x" * 40]) | TEXT,
        "services": st.lists(st.sampled_from(["seminar", "booking_page", "bogus", ""]), max_size=5),
        "all_services": st.sampled_from(["y", "", "false"]),
        "cause": st.sampled_from(["maintenance", "attack", "??"]) | TEXT,
        "starts_at": st.sampled_from(
            ["2026-12-01T22:00", "2099-01-01T00:00", "0000-00-00T99:99", ""]
        )
        | TEXT,
        "ends_at": st.sampled_from(["2026-12-02T06:00", "1900-01-01T00:00", ""]) | TEXT,
        "terms_version_id": st.sampled_from(["", "1", "-1", "99999999999999999999"]) | TEXT,
        "title_ja": TEXT,
        "body_ja": TEXT,
        "impact": TEXT,
        "contact": TEXT,
        "new_end": TEXT,
        "publish_from": st.sampled_from(["2026-12-01T22:00", ""]) | TEXT,
        "reason": TEXT,
        "confirm": st.sampled_from(["y", ""]),
        "state": TEXT,
        "page": TEXT,
    },
)


@pytest.fixture
def signed_in(app, client, login_as):
    login_as(Role.SUPERVISOR)
    return make_notice(app)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=FIELDS,
    target=st.sampled_from(["new", "edit", "publish", "extend", "end", "cancel", "list"]),
)
def test_notice_forms_never_fail_with_a_500(client, signed_in, data, target):
    if target == "list":
        response = client.get("/manage/notices/", query_string=data)
    elif target == "new":
        response = client.post("/manage/notices/new", data=data)
    else:
        response = client.post(f"/manage/notices/{signed_in.id}/{target}", data=data)
    assert response.status_code < 500
