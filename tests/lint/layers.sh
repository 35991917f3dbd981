#!/usr/bin/env bash
# tests/lint/layers.sh — the layers of api/ (CTest: lint_layers): a file speaks HTTP or SQL, never both.
#   layers.sh SOURCE_DIR
# HTTP side: api/http/ and api/resources/ (the routes and what serves them): no libpq call
#   (PQ...), no db_query, and no SQL text (SELECT/INSERT INTO/UPDATE .. SET/DELETE FROM/WITH .. AS in a
#   string literal); they reach the database through the store (repo_*.c) and the unit of work.
# Store side: api/store/ and every other file that calls libpq: no
#   #include <ulfius.h> or "http.h", directly or through an api/ header that includes them.
# (The build checks the same boundary on symbols: cmake/layers.cmake; this check reads the text.)
# Known exceptions are listed below, each with its reason; a finding anywhere else fails the test.
set -euo pipefail
src=${1:?usage: layers.sh SOURCE_DIR}
cd "$src/api"

# file -> why it may break the rule (keep this list empty when you can)
declare -A EXCEPT=() # none

http_files=$(ls http/*.c resources/*.c)
store_files=$( (ls store/*.c; grep -lE '\bPQ[a-zA-Z]+[[:space:]]*\(' ./*/*.c | sed 's|^\./||') | sort -u)

# The api/ headers that bring in ulfius.h or http.h, to a fixed point (by file name: headers are included
# by their short names).
reach="http.h"
while :; do
  pattern=$(printf '%s\n' $reach | sed 's/\./\\./g' | paste -sd'|')
  next=$( (printf '%s\n' $reach; grep -lE "#include (<ulfius\.h>|\"($pattern)\")" ./*/*.h | xargs -n1 basename) |
    sort -u)
  [ "$next" = "$(printf '%s\n' $reach | sort -u)" ] && break
  reach=$next
done
http_headers=$(printf '%s\n' $reach | sed 's/\./\\./g' | paste -sd'|')

failures=0
fail() { # file, finding
  if [ -n "${EXCEPT[$1]:-}" ]; then
    echo "lint_layers: known exception $1 ($2): ${EXCEPT[$1]}"
  else
    echo "lint_layers: $1: $2" >&2
    failures=$((failures + 1))
  fi
}

for f in $http_files; do
  if grep -nE '\bPQ[a-zA-Z]+[[:space:]]*\(|\bdb_query[[:space:]]*\(' "$f" >&2; then
    fail "$f" "an HTTP file calls the database directly"
  fi
  if grep -nE '"[^"]*\b(SELECT|INSERT INTO|UPDATE [a-z_]+ SET|DELETE FROM|WITH [a-z_]+ AS)\b' "$f" >&2; then
    fail "$f" "an HTTP file holds SQL text"
  fi
done
for f in $store_files; do
  if grep -nE "#include (<ulfius\.h>|\"($http_headers)\")" "$f" >&2; then
    fail "$f" "a store file includes the HTTP layer"
  fi
done
[ "$failures" -eq 0 ] || { echo "lint_layers: $failures finding(s)" >&2; exit 1; }
echo "lint_layers: $(echo "$http_files" | wc -w) HTTP files hold no SQL; $(echo "$store_files" | wc -w) store files include no HTTP"
