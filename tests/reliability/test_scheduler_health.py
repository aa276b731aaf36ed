"""Fix 8: each sweep's last run is tracked; ``flask scheduler status`` exits 1 and the
dashboard turns red when any sweep failed on its last run (an unreadable signing key)."""

from __future__ import annotations

import pytest

from console import scheduler
from console.auth.models import Role
from tests.conftest import make_app
from tests.trail import fill

CHECKPOINT_SWEEP = "audit.checkpoint"


@pytest.fixture
def broken_key_app(database_url, tmp_path):
    """The console with a signing key file it cannot read as a key (as after a bad copy)."""
    key = tmp_path / "signing-key.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    application = make_app(database_url, AUDIT_SIGNING_KEY=str(key))
    yield application
    application.extensions["console.engine"].dispose()


def test_status_exits_1_and_names_the_failing_sweep(broken_key_app):
    fill(broken_key_app, 3)  # something to sign
    for _tick in range(2):
        results = scheduler.run_sweeps(broken_key_app)
    assert results[CHECKPOINT_SWEEP] == "error"
    assert results["notices"] == 0  # the other sweeps still ran
    result = broken_key_app.test_cli_runner().invoke(args=["scheduler", "status"])
    assert result.exit_code == 1, result.output
    assert f"{CHECKPOINT_SWEEP}: FAILED at" in result.output
    assert "SigningKeyError" in result.output
    assert "(last success: never)" in result.output
    assert "notices: ok, last success" in result.output


def test_status_is_0_once_the_sweep_succeeds_again(broken_key_app, app):
    fill(app, 3)
    scheduler.run_sweeps(broken_key_app)
    scheduler.run_sweeps(app)  # the key fixed: the same database, a readable key
    result = app.test_cli_runner().invoke(args=["scheduler", "status"])
    assert result.exit_code == 0, result.output
    assert "FAILED" not in result.output


def test_the_dashboard_turns_red_for_the_administrator(broken_key_app, make_staff):
    fill(broken_key_app, 3)
    scheduler.run_sweeps(broken_key_app)
    client = broken_key_app.test_client()
    for role in (Role.ADMIN, Role.SUPERVISOR):
        staff = make_staff(role)
        client.post(
            "/auth/login", data={"login": staff.login, "password": "correct horse battery staple"}
        )
        page = client.get("/dashboard").get_data(as_text=True)
        assert 'data-testid="scheduler-failing"' in page, role
        assert CHECKPOINT_SWEEP in page
        assert 'data-testid="scheduler-ok"' not in page
        client.post("/auth/logout")


def test_a_healthy_scheduler_is_quiet(app, make_staff, auth):
    scheduler.run_sweeps(app)
    staff = make_staff(Role.ADMIN)
    auth.login(staff.login)
    page = auth.client.get("/dashboard").get_data(as_text=True)
    assert 'data-testid="scheduler-ok"' in page
    assert 'data-testid="scheduler-failing"' not in page
