"""The role × route matrix: each feature lists who may use each endpoint.

A feature's ``tests/web/test_<feature>_access.py`` defines ``ACCESS = {endpoint: roles}``
(or ``PUBLIC``); ``tests/web/test_access_matrix.py`` runs ``check_access`` on every entry
of every table, and fails when any endpoint of the app appears in no table.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterable

from flask import Flask
from flask.testing import FlaskClient

import tests.web
from console.permissions import Role
from tests.factories import PASSWORD

ALL_ROLES = frozenset(Role)
CASEWORK = frozenset({Role.COUNSELOR, Role.SUPERVISOR})  # who works on cases
CASEWORK_AND_AUDIT = CASEWORK | {Role.AUDITOR}  # ... and who reads them
SUPERVISORS = frozenset({Role.SUPERVISOR})
AUDITORS = frozenset({Role.AUDITOR})
PUBLIC = "public"  # marker: reachable without signing in
SAMPLE_ARGUMENT = "999999"


def sample_path(app: Flask, endpoint: str) -> tuple[str, str]:
    """A concrete path and method for ``endpoint``, with sample values for its arguments."""
    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
    path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", SAMPLE_ARGUMENT, rule.rule)
    method = "GET" if "GET" in (rule.methods or ()) else "POST"
    return path, method


def request_as(app: Flask, role: Role | None, path: str, method: str, make_staff) -> int:
    """The status ``role`` (None: nobody signed in) gets for ``method path``."""
    client: FlaskClient = app.test_client()
    if role is not None:
        staff = make_staff(role)
        signed_in = client.post("/auth/login", data={"login": staff.login, "password": PASSWORD})
        assert signed_in.status_code == 302
    return client.open(path, method=method).status_code


def check_access(app: Flask, make_staff, endpoint: str, allowed: Iterable[Role] | str) -> None:
    """Allowed roles get neither 403 nor a server error; every other role gets 403; nobody
    signed in is sent to log in."""
    path, method = sample_path(app, endpoint)
    if allowed == PUBLIC:
        status = request_as(app, None, path, method, make_staff)
        assert status not in (401, 403), f"{endpoint} should be public, got {status}"
        assert status < 500, f"{endpoint} got {status}"
        return
    allowed_roles = frozenset(allowed)
    for role in Role:
        status = request_as(app, role, path, method, make_staff)
        if role in allowed_roles:
            assert status != 403, f"{role} should reach {endpoint} ({method} {path})"
            assert status < 500, f"{role} got {status} on {endpoint} ({method} {path})"
        else:
            assert status == 403, f"{role} should get 403 on {endpoint}, got {status}"
    assert request_as(app, None, path, method, make_staff) in (302, 401)


def declared_tables() -> dict[str, object]:
    """Every feature's ``ACCESS`` table merged: ``{endpoint: roles or PUBLIC}``; an endpoint
    declared by two tables is an error (one of them would silently win)."""
    merged: dict[str, object] = {}
    for module in pkgutil.iter_modules(tests.web.__path__):
        if module.name.endswith("_access"):
            table = importlib.import_module(f"tests.web.{module.name}").ACCESS
            twice = sorted(set(merged) & set(table))
            assert not twice, f"tests/web/{module.name}.py declares again: {twice}"
            merged.update(table)
    return merged
