"""Incident rules: terms version by conduct time (Art. 10), triage, and one audit entry each."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from sqlmodel import select

from console import db
from console.audit import COMMAND_LINE, Actor
from console.incidents import service
from console.incidents.models import Incident, IncidentComment, IncidentStatus, Outcome
from console.permissions import Role
from console.timeutil import from_jst, utcnow
from console.users import service as users_service
from tests.factories import make_incident, make_user, reading, writing
from tests.trail import details

NOW = from_jst(datetime(2026, 11, 25, 12, 0))


def test_terms_version_is_the_one_in_force_at_the_conduct_time(app, make_staff):
    counselor = make_staff(Role.COUNSELOR)
    user = make_user(app)
    change = from_jst(datetime(2026, 10, 1))
    with writing(app) as session:
        second = users_service.add_terms_version(
            session, actor=COMMAND_LINE, label="令和8年10月1日施行", effective_from=change, text="…"
        )
    with time_machine.travel(NOW, tick=False):
        before = make_incident(app, user, counselor, occurred_at=change - timedelta(minutes=1))
        at = make_incident(app, user, counselor, occurred_at=change)
        after = make_incident(app, user, counselor, occurred_at=change + timedelta(days=3))
    with reading(app) as session:
        first = users_service.terms_in_force(session, change - timedelta(days=1))
    assert before.terms_version_id == first.id != second.id
    assert at.terms_version_id == second.id
    assert after.terms_version_id == second.id


def test_a_future_version_is_not_in_force_yet(app, make_staff):
    counselor = make_staff(Role.COUNSELOR)
    user = make_user(app)
    with writing(app) as session:
        future = users_service.add_terms_version(
            session,
            actor=COMMAND_LINE,
            label="future",
            effective_from=utcnow() + timedelta(days=30),
            text="…",
        )
    incident = make_incident(app, user, counselor)
    assert incident.terms_version_id != future.id


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"occurred_at": "future"}, "未来"),
        ({"categories": ["art99.1"]}, "条項"),
        ({"categories": []}, "条項"),
        ({"description": "x" * 4001}, "4000"),
        ({"description": "   "}, "4000"),
        ({"occurred_at": from_jst(datetime(2020, 1, 1))}, "規約"),
    ],
)
def test_the_service_refuses_bad_incidents(app, make_staff, overrides, message):
    counselor = make_staff(Role.COUNSELOR)
    user = make_user(app)
    if overrides.get("occurred_at") == "future":
        overrides["occurred_at"] = utcnow() + timedelta(minutes=5)
    values = {
        "service": "seminar",
        "occurred_at": utcnow() - timedelta(hours=1),
        "categories": ["art7.2"],
        "severity": "low",
        "description": "…",
        **overrides,
    }
    with (
        app.app_context(),
        db.transaction() as session,
        pytest.raises(service.IncidentError, match=message),
    ):
        service.log_incident(session, actor=Actor.of_staff(counselor), service_user=user, **values)
    with reading(app) as session:
        assert session.exec(select(Incident)).all() == []


def test_each_change_is_one_audit_entry_with_before_and_after(app, make_staff, trail):
    counselor = make_staff(Role.COUNSELOR)
    boss = make_staff(Role.SUPERVISOR)
    incident = make_incident(app, make_user(app), counselor, categories=["art7.2", "art7.4"])
    logged = trail("incident.logged")
    assert len(logged) == 1
    assert details(logged[0])["after"]["categories"] == ["art7.2", "art7.4"]
    with writing(app) as session:
        incident = session.get(Incident, incident.id)
        service.assign_reviewer(
            session, actor=Actor.of_staff(boss), incident=incident, reviewer=boss
        )
        service.start_review(session, actor=Actor.of_staff(boss), incident=incident)
        first = service.add_comment(
            session, actor=Actor.of_staff(counselor), incident=incident, body="本人に確認済み"
        )
        service.add_comment(
            session,
            actor=Actor.of_staff(counselor),
            incident=incident,
            body="訂正：確認は電話で行った",
            corrects=first,
        )
        service.close_incident(
            session,
            actor=Actor.of_staff(boss),
            incident=incident,
            outcome=Outcome.WARNING,
            reason="注意した",
        )
    assigned = trail("incident.assigned")
    assert [details(entry) for entry in assigned] == [
        {"reviewer_id": {"before": None, "after": boss.id}}
    ]
    status = trail("incident.status_changed")
    assert details(status[0]) == {"status": {"before": "open", "after": "under_review"}}
    comments = trail("incident.commented")
    assert len(comments) == 2
    assert (
        details(comments[1])["after"]["corrects_id"] == details(comments[0])["after"]["comment_id"]
    )
    closed = trail("incident.closed")
    assert details(closed[0])["outcome"] == {"before": None, "after": "warning"}
    assert details(closed[0])["status"] == {"before": "under_review", "after": "closed"}
    assert {entry.subject_id for entry in assigned + status + comments + closed} == {
        str(incident.id)
    }


def test_closed_incidents_cannot_be_closed_again_or_reassigned(app, make_staff):
    boss = make_staff(Role.SUPERVISOR)
    incident = make_incident(app, make_user(app), make_staff(Role.COUNSELOR))
    with writing(app) as session:
        incident = session.get(Incident, incident.id)
        service.close_incident(
            session,
            actor=Actor.of_staff(boss),
            incident=incident,
            outcome=Outcome.LOGGED_IN_ERROR,
            reason="別の利用者の事案だった",
        )
        with pytest.raises(service.IncidentError):
            service.close_incident(
                session,
                actor=Actor.of_staff(boss),
                incident=incident,
                outcome=Outcome.NO_ACTION,
                reason="again",
            )
        with pytest.raises(service.IncidentError):
            service.assign_reviewer(
                session, actor=Actor.of_staff(boss), incident=incident, reviewer=boss
            )
        assert incident.status == IncidentStatus.CLOSED.value


def test_only_supervisors_review_and_reason_is_required(app, make_staff):
    counselor = make_staff(Role.COUNSELOR)
    boss = make_staff(Role.SUPERVISOR)
    incident = make_incident(app, make_user(app), counselor)
    with writing(app) as session:
        incident = session.get(Incident, incident.id)
        with pytest.raises(service.IncidentError):
            service.assign_reviewer(
                session, actor=Actor.of_staff(boss), incident=incident, reviewer=counselor
            )
        with pytest.raises(service.IncidentError):
            service.close_incident(
                session,
                actor=Actor.of_staff(boss),
                incident=incident,
                outcome=Outcome.OTHER,
                reason="  ",
            )


def test_a_correction_must_be_of_the_same_incident(app, make_staff):
    counselor = make_staff(Role.COUNSELOR)
    user = make_user(app)
    one, other = make_incident(app, user, counselor), make_incident(app, user, counselor)
    with writing(app) as session:
        comment = service.add_comment(
            session, actor=Actor.of_staff(counselor), incident=one, body="a"
        )
        with pytest.raises(service.IncidentError):
            service.add_comment(
                session,
                actor=Actor.of_staff(counselor),
                incident=other,
                body="b",
                corrects=session.get(IncidentComment, comment.id),
            )


def test_bulk_assign_limit_and_queue_filters(app, make_staff, trail):
    counselor = make_staff(Role.COUNSELOR)
    boss = make_staff(Role.SUPERVISOR)
    user = make_user(app)
    high = make_incident(app, user, counselor, severity="high", categories=["art4.3"])
    low = make_incident(app, user, counselor, severity="low", service="interview_fair")
    with writing(app) as session:
        incidents = [session.get(Incident, high.id), session.get(Incident, low.id)]
        with pytest.raises(service.IncidentError):
            service.bulk_assign(
                session, actor=Actor.of_staff(boss), incidents=incidents * 51, reviewer=boss
            )
        assigned, skipped = service.bulk_assign(
            session, actor=Actor.of_staff(boss), incidents=incidents, reviewer=boss
        )
        assert (assigned, skipped) == (2, [])

        def ids(**filters):
            sort = filters.pop("sort", "newest")
            chosen = service.QueueFilter(**filters)
            return [i.id for i in service.queue(session, chosen=chosen, sort=sort).incidents]

        assert ids(category="art4.3") == [high.id]
        assert ids(severity="low") == [low.id]
        assert ids(service="interview_fair") == [low.id]
        assert ids(reviewer=str(boss.id), sort="severity") == [high.id, low.id]
        assert ids(reviewer="none") == []
        assert ids(status="closed") == []
    assert len(trail("incident.assigned")) == 2


def test_queue_keyset_pages_cover_everything_once(app, make_staff):
    counselor = make_staff(Role.COUNSELOR)
    user = make_user(app)
    severities = ["low", "high", "medium"] * 4
    made = [make_incident(app, user, counselor, severity=level) for level in severities]
    with reading(app) as session:
        for sort in service.SORTS:
            seen, after = [], None
            while True:
                page = service.queue(
                    session, chosen=service.QueueFilter(), sort=sort, after=after, limit=5
                )
                seen.extend(incident.id for incident in page.incidents)
                if page.next_after is None:
                    break
                after = page.next_after
            assert sorted(seen) == sorted(incident.id for incident in made), sort
            assert len(seen) == len(made)
