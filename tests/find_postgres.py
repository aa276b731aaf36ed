"""Print the PostgreSQL URL the suite should use, or nothing when none answers."""

from __future__ import annotations

import os

import psycopg

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def find() -> str:
    url = os.environ.get("CONSOLE_TEST_POSTGRES_URL") or DEFAULT_URL
    try:
        with psycopg.connect(url, connect_timeout=3):
            return url
    except psycopg.Error:
        return ""


if __name__ == "__main__":
    print(find())
