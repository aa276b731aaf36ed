"""Deny by default: every route declares a permission and appears in a feature's access table."""

from __future__ import annotations

import pytest

from console.permissions import UNDECLARED_ENDPOINTS, declared_permission
from tests.access import check_access, declared_tables

TABLES = declared_tables()


@pytest.mark.parametrize("endpoint", sorted(TABLES))
def test_each_role_gets_what_the_access_tables_declare(app, make_staff, endpoint):
    check_access(app, make_staff, endpoint, TABLES[endpoint])


def test_every_route_declares_a_permission(app):
    with app.test_request_context():
        missing = [
            rule.endpoint
            for rule in app.url_map.iter_rules()
            if rule.endpoint not in UNDECLARED_ENDPOINTS
            and declared_permission(rule.endpoint) is None
        ]
    assert missing == []


def test_every_route_is_in_an_access_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - UNDECLARED_ENDPOINTS
    assert sorted(endpoints - set(TABLES)) == []


def test_a_route_without_a_declaration_is_refused(app, client):
    @app.route("/forgotten")
    def forgotten() -> str:
        return "should never be served"

    assert client.get("/forgotten").status_code == 403
