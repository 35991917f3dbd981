#!/usr/bin/env bash
# tests/scripts/release-allocator.sh SOURCE_DIR BUILD_DIR DB_URL_FILE SANITIZED_TUTORD — the tutord that
# `scripts/dev run` and the Dockerfile build (no sanitizers, so linked with tcmalloc: api/app/allocator.h)
# runs on tcmalloc with freed pages returned at once, and answers the demo university's reads and reports
# byte for byte as this (sanitizer, glibc malloc) build does. Builds the `tutord` target alone in
# BUILD_DIR/release-allocator (kept, so a second run only relinks), loads the demo into a database of its
# own on the db fixture's cluster, and drops it at the end. Bounded: 60 s for each tutord to answer.
set -euo pipefail
src=$(realpath "$1")
build=$(realpath "$2")
sanitized=$4
# shellcheck source=tests/scripts/common.sh
. "$(cd "$(dirname "$0")" && pwd)/common.sh"
release=$build/release-allocator
db=tutord_allocator_$$
url=$(sed "s|^postgresql:///[^?]*|postgresql:///$db|" "$3")
admin_url=$(sed "s|^postgresql:///[^?]*|postgresql:///postgres|" "$3")
logs=$(mktemp -d "$build/release-allocator-logs.XXXXXX")
pids=()
export TUTORD_JWT_SECRET=release-allocator-secret-0123456789abcdef
unset TUTORD_DATABASE_URL

# On any exit: both tutords stopped, the database dropped, the logs removed.
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$logs"
}
trap cleanup EXIT

# serve BINARY PORT LOG: starts BINARY serving the test database on PORT, logging to LOG.
serve() {
  TUTORD_DATABASE_URL=$url TUTORD_PORT=$2 TUTORD_LOG_LEVEL=info "$1" serve 2>"$3" &
  pids+=($!)
  await 60 curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$2/healthz" || fail "$1 did not answer /healthz within 60 s"
}

cmake -S "$src" -B "$release" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
cmake --build "$release" --target tutord -j"$(nproc)" >/dev/null
tutord=$release/api/tutord
# (ldd's whole output first: `ldd | grep -q` fails under pipefail when grep stops reading at its match)
linked=$(ldd "$tutord")
grep -q 'libtcmalloc_minimal\.so' <<<"$linked" || fail "the release tutord is not linked with tcmalloc: $linked"
linked=$(ldd "$sanitized")
! grep -q tcmalloc <<<"$linked" || fail "the sanitizer build links tcmalloc"

psql -q "$admin_url" -c "CREATE DATABASE $db" >/dev/null
TUTORD_DATABASE_URL=$url "$tutord" migrate >/dev/null
TUTORD_DATABASE_URL=$url "$tutord" seed-demo >/dev/null

release_port=$(free_port)
serve "$tutord" "$release_port" "$logs/release.log"
sanitized_port=$(free_port)
serve "$sanitized" "$sanitized_port" "$logs/sanitized.log"
grep -q '"allocator: tcmalloc (freed pages returned at once)"' "$logs/release.log" ||
  fail "the release tutord did not log its allocator as tcmalloc returning pages at once: $(grep allocator "$logs/release.log")"
grep -q '"allocator: glibc malloc' "$logs/sanitized.log" ||
  fail "the sanitizer build did not log glibc's malloc: $(grep allocator "$logs/sanitized.log")"

admin=$("$tutord" token --sub ALLOC-ADMIN --roles admin --ttl 600)
tutor=$("$tutord" token --sub T1005 --roles tutor --ttl 600)
# path token: each read twice on each server (the second from warm caches), every answer 200 and the same.
checks=(
  "/students/S2600017 $admin" "/students/S2600020 $tutor" "/students/S2600017/compliance $admin"
  "/tutors/T1005/agenda $tutor" "/schools/NUR/compliance $admin" "/reports/kpis?year=2026/27 $admin"
  "/reports/engagement $admin" "/reports/workload $admin"
)
for check in "${checks[@]}"; do
  read -r path token <<<"$check"
  for round in 1 2; do
    for port in "$release_port" "$sanitized_port"; do
      code=$(curl -s -o "$logs/$port.body" -w '%{http_code}' -H "Authorization: Bearer $token" \
               "http://127.0.0.1:$port$path")
      [ "$code" = 200 ] || fail "GET $path answered $code on port $port: $(head -c 300 "$logs/$port.body")"
    done
    cmp -s "$logs/$release_port.body" "$logs/$sanitized_port.body" ||
      fail "GET $path (round $round): the tcmalloc build's answer differs from the sanitizer build's"
  done
done
echo "the release tutord runs on tcmalloc and answered ${#checks[@]} reads and reports as the sanitizer build does"
