#!/usr/bin/env bash
# Translation catalogues: one for the shared layout (console/translations) and one per
# feature (console/<feature>/translations), so each feature owns its own wording.
#   scripts/i18n.sh compile          build every .mo (make does this)
#   scripts/i18n.sh extract [NAME]   refresh the .po of "core" or a feature from the sources
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL=${PYBABEL:-.venv/bin/pybabel}

sources() {
  if [ "$1" = core ]; then
    ls console/*.py; echo console/auth console/dashboard
    find templates -maxdepth 1 -name '*.html'; echo templates/auth templates/admin templates/dashboard templates/errors templates/macros
  else
    echo "console/$1"; [ -d "templates/$1" ] && echo "templates/$1"
  fi
  return 0
}

catalog_dir() { [ "$1" = core ] && echo console/translations || echo "console/$1/translations"; }

extract() {
  local name=$1 dir pot
  dir=$(catalog_dir "$name"); pot=$(mktemp --suffix=.pot)
  # shellcheck disable=SC2046
  "$PYBABEL" -q extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o "$pot" $(sources "$name")
  if [ -f "$dir/ja/LC_MESSAGES/messages.po" ]; then
    "$PYBABEL" -q update -i "$pot" -d "$dir" -l ja --no-fuzzy-matching --ignore-obsolete
  else
    "$PYBABEL" -q init -i "$pot" -d "$dir" -l ja
  fi
  rm -f "$pot"
}

case "${1:-compile}" in
  compile)
    for dir in console/translations console/*/translations; do
      if [ -d "$dir" ]; then "$PYBABEL" -q compile -d "$dir" --use-fuzzy; fi
    done ;;
  extract)
    if [ $# -ge 2 ]; then extract "$2"; else
      extract core
      for dir in console/*/translations; do
        if [ -d "$dir" ]; then extract "$(basename "$(dirname "$dir")")"; fi
      done
    fi ;;
  *) echo "usage: $0 compile | extract [core|FEATURE]" >&2; exit 2 ;;
esac
