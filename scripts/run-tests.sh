#!/usr/bin/env bash
# The whole suite on SQLite, then again on PostgreSQL when one answers.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
status=0

echo "== tests on SQLite =="
CONSOLE_DATABASE_URL= $BIN/pytest -q -n auto "$@" || status=$?

pg_url=$($BIN/python -m tests.find_postgres)
if [ -n "$pg_url" ]; then
  echo "== tests on PostgreSQL (${pg_url##*@}) =="
  CONSOLE_DATABASE_URL="$pg_url" $BIN/pytest -q -n auto "$@" || status=$?
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is not answering on 127.0.0.1:5432, and CI requires the PostgreSQL run" >&2
  status=1
else
  echo "== PostgreSQL not found: set CONSOLE_TEST_POSTGRES_URL to run the suite on it too =="
fi
exit $status
