"""Property: for any decided stops and lifts, the status API agrees with a plain computation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from console.online_services import USER_SERVICES
from console.permissions import Role
from console.suspensions.models import Suspension, SuspensionService
from tests.factories import REASON, jst, make_api_token, make_user, writing

BASE = jst(2026, 12, 1, 0, 0)
SERVICES = [s.value for s in USER_SERVICES]


@dataclass(frozen=True)
class Case:
    start: int  # minutes from BASE
    length: int | None  # None: a termination
    lift: int | None  # minutes from BASE of an early end, if any
    services: frozenset[str]


cases = st.builds(
    Case,
    start=st.integers(-3000, 6000),
    length=st.one_of(st.none(), st.integers(1, 6000)),
    lift=st.one_of(st.none(), st.integers(-3000, 12000)),
    services=st.frozensets(st.sampled_from(SERVICES), min_size=1),
)


def _at(minutes: int) -> datetime:
    return BASE + timedelta(minutes=minutes)


def reference(cases_: list[Case], now: datetime) -> dict[str, tuple[bool, datetime | None]]:
    """Blocked at t if some stop covers t; free again at the first end after which none does."""

    def end_of(case: Case) -> datetime | None:
        ends = [
            m
            for m in (
                _at(case.start + case.length) if case.length is not None else None,
                _at(case.lift) if case.lift is not None else None,
            )
            if m is not None
        ]
        return min(ends) if ends else None

    def blocked(value: str, moment: datetime) -> bool:
        return any(
            value in case.services
            and _at(case.start) <= moment
            and (end_of(case) is None or moment < end_of(case))
            for case in cases_
        )

    answer: dict[str, tuple[bool, datetime | None]] = {}
    for value in SERVICES:
        if not blocked(value, now):
            answer[value] = (True, None)
            continue
        ends = sorted({e for case in cases_ if (e := end_of(case)) is not None and e >= now})
        free = next((e for e in ends if not blocked(value, e)), None)
        answer[value] = (False, free)
    return answer


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(cases, max_size=5), st.integers(-3500, 13000))
def test_status_api_agrees_with_a_plain_computation(app, make_staff, token_user, stops, now_at):
    token, user_id, reference_no, staff_id = token_user
    with writing(app) as session:
        session.exec(delete(SuspensionService))  # type: ignore[call-overload]
        session.exec(delete(Suspension))  # type: ignore[call-overload]
        for case in stops:
            item = Suspension(
                service_user_id=user_id,
                kind="termination" if case.length is None else "stop",
                all_services=len(case.services) == len(SERVICES),
                starts_at=_at(case.start),
                ends_at=None if case.length is None else _at(case.start + case.length),
                reason=REASON,
                decision="approved",
                proposed_by_id=staff_id,
                decided_by_id=staff_id,
                cut_short_at=None if case.lift is None else _at(case.lift),
                cut_short_kind=None if case.lift is None else "lifted",
            )
            session.add(item)
            session.flush()
            session.add_all(
                SuspensionService(suspension_id=item.id, service=value) for value in case.services
            )
    now = _at(now_at)
    client = app.test_client()
    with time_machine.travel(now, tick=False):
        response = client.get(
            f"/api/v1/service-users/{reference_no}/status",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200
    got = response.get_json()["services"]
    expected = reference(stops, now)
    for value in SERVICES:
        allowed, until = expected[value]
        assert got[value]["allowed"] is allowed, (value, stops, now)
        wanted = None if until is None else until.isoformat().replace("+00:00", "Z")
        assert got[value]["until"] == wanted, (value, stops, now)


@pytest.fixture
def token_user(app, make_staff):
    """A counselor's API token and a service user: ``(token, user id, reference, staff id)``."""
    counselor = make_staff(Role.COUNSELOR)
    user = make_user(app)
    token = make_api_token(app, counselor)
    return token, user.id, user.reference_no, counselor.id
