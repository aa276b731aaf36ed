"""Incidents of conduct under Art. 7 (and Art. 3, 4-3, 6-2)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing to register yet: the tables exist so other features can refer to them."""
