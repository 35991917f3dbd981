#!/usr/bin/env bash
# tests/scripts/install-docs.sh BUILD_DIR DB_URL_FILE — `cmake --install` of BUILD_DIR into a temporary prefix,
# then the installed tutord (TUTORD_DOCS_DIR unset) serves GET /docs and the installed Redoc bundle from
# <prefix>/share/tutord/docs, against the db fixture's database. Bounded: 60 s to answer /healthz.
set -euo pipefail
build=$(realpath "$1")
# shellcheck source=tests/scripts/common.sh
. "$(cd "$(dirname "$0")" && pwd)/common.sh"
prefix=$(mktemp -d "$build/install-docs.XXXXXX")
serve_pid=""

# On any exit: the installed tutord is stopped and the prefix removed.
cleanup() {
  if [ -n "$serve_pid" ]; then
    kill -TERM "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
  fi
  rm -rf "$prefix"
}
trap cleanup EXIT

# True once the installed tutord answers /healthz on $port.
healthy() {
  curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$port/healthz"
}

cmake --install "$build" --prefix "$prefix" >/dev/null
[ -f "$prefix/share/tutord/docs/redoc.standalone.js" ] || fail "cmake --install put no Redoc bundle in share/tutord/docs"
port=$(free_port)
env -u TUTORD_DOCS_DIR TUTORD_DATABASE_URL="$(cat "$2")" TUTORD_PORT="$port" TUTORD_LOG_LEVEL=warn \
  TUTORD_JWT_SECRET=install-test-secret-0123456789abcdef "$prefix/bin/tutord" serve &
serve_pid=$!
await 60 healthy || fail "the installed tutord did not answer /healthz within 60 s"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/docs")" = 200 ] || fail "GET /docs is not 200"
size=$(curl -s "http://127.0.0.1:$port/docs/redoc.standalone.js" | wc -c)
[ "$size" = "$(stat -c %s "$prefix/share/tutord/docs/redoc.standalone.js")" ] ||
  fail "GET /docs/redoc.standalone.js served $size bytes, not the installed bundle"
echo "the installed tutord serves /docs from $prefix/share/tutord/docs"
