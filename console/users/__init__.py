"""Service users (利用者, Art. 1) and terms versions (Art. 10)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing to register yet: the tables are used by incidents and the demo data."""
