#!/usr/bin/env bash
# Start the web console and the scheduler in the foreground; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT=${PORT:-5000}
export FLASK_APP=wsgi

logins=$($BIN/flask demo load)
trap 'trap - INT TERM EXIT; kill 0 2>/dev/null; wait 2>/dev/null' INT TERM EXIT

if $BIN/flask scheduler --help >/dev/null 2>&1; then
  $BIN/flask scheduler run &
fi
$BIN/flask run --host 127.0.0.1 --port "$PORT" &
sleep 1
cat <<MSG

  Hello Work Shibuya online services console (ハローワーク渋谷 オンラインサービス管理コンソール)
  Open:  http://127.0.0.1:${PORT}
  Public notices: http://127.0.0.1:${PORT}/notices

${logins}

  Ctrl-C stops the web console and the scheduler.
MSG
wait
