"""Any input to the evidence and disclosure forms gets a page or a 4xx, never a 500."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.permissions import Role
from tests.factories import make_incident

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
text = st.text(max_size=300)
values = st.one_of(text, st.lists(text, max_size=3))


@pytest.fixture
def signed_in(client, login_as):
    login_as(Role.SUPERVISOR)
    return client


@pytest.fixture
def incident(app):
    return make_incident(app)


@FUZZ
@given(title=text, body=text)
def test_note_form_never_fails(signed_in, incident, title, body):
    response = signed_in.post(
        f"/incidents/{incident.id}/evidence/note", data={"title": title, "body": body}
    )
    assert response.status_code in (302, 400, 422)


@FUZZ
@given(
    fields=st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(
            (
                "authority",
                "legal_basis",
                "document_ref",
                "document_date",
                "reference_numbers",
                "period_from",
                "period_to",
                "data_kinds",
                "purpose",
            ),
            values,
        ),
    )
)
def test_disclosure_form_never_fails(signed_in, fields):
    response = signed_in.post("/disclosures/new", data=fields)
    assert response.status_code in (302, 400, 422)


@FUZZ
@given(decision=values, reason=values, before=text, status=text)
def test_decision_and_review_inputs_never_fail(signed_in, decision, reason, before, status):
    response = signed_in.post(
        "/disclosures/1/decide", data={"decision": decision, "reason": reason}
    )
    assert response.status_code in (200, 302, 400, 403, 404, 422)
    listing = signed_in.get("/disclosures/", query_string={"before": before, "status": status})
    assert listing.status_code in (200, 400)  # 400: a NUL character (console/security.py)
