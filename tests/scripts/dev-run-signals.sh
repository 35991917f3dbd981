#!/usr/bin/env bash
# tests/scripts/dev-run-signals.sh BUILD_DIR — `scripts/dev run` with the tutord built in BUILD_DIR (no install,
# no build), its state in BUILD_DIR/dev-run-signals: waits for "serving on", checks /healthz, an authenticated
# demo route with a token it printed and the state folder's modes, then stops it with SIGINT to its whole
# process group (as Ctrl-C does); again with SIGTERM to the script alone. Each time: exit 130/143, no process
# of its group, no cluster, nothing on the port. Each run is bounded (60 s to serve, 60 s to stop).
set -euo pipefail
build=$(realpath "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/scripts/common.sh"
state=$build/dev-run-signals
log=$state.log
dev_pid=""

# On any exit: nothing the test started survives (the dev script's group, its cluster).
cleanup() {
  if [ -n "$dev_pid" ]; then
    kill -KILL -- "-$dev_pid" 2>/dev/null || true
  fi
  "$root/scripts/pg-cluster" stop "$state/pg" 2>/dev/null || true
}
trap cleanup EXIT

# True once the dev script has printed its "serving on" line for port $1.
serving() {
  grep -q "serving on http://127.0.0.1:$1" "$log"
}

# True once process $1 has exited.
gone() {
  ! kill -0 "$1" 2>/dev/null
}

# The demo is served: /healthz, /docs (the build's renderer), and tutor T1005's agenda with the token from the printed curl line.
check_served() { # check_served PORT
  local token status
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/healthz")" = 200 ] || fail "/healthz is not 200"
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/docs")" = 200 ] || fail "/docs is not 200"
  token=$(grep -m 1 '/tutors/T1005/agenda' "$log" | sed -E 's/.*Bearer ([^"]+)".*/\1/')
  [ -n "$token" ] || fail "no curl line for the agenda was printed"
  status=$(curl -s -o "$state.body" -w '%{http_code}' -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$1/tutors/T1005/agenda?limit=5")
  [ "$status" = 200 ] || fail "GET /tutors/T1005/agenda answered $status: $(cat "$state.body")"
  grep -q '"items":\[{' "$state.body" || fail "the demo tutor's agenda is empty: $(head -c 300 "$state.body")"
}

# The state folder is private and the JWT secret readable by its owner only.
check_private() {
  case "$(stat -c %a "$state")" in 700 | 710) ;; *) fail "$state has mode $(stat -c %a "$state")" ;; esac
  [ "$(stat -c %a "$state/jwt-secret")" = 600 ] || fail "jwt-secret has mode $(stat -c %a "$state/jwt-secret")"
}

# One run: start, check, stop with SIGNAL sent to TARGET (group|script), expect STATUS and nothing left.
run_and_stop() { # run_and_stop SIGNAL TARGET STATUS
  local port rc=0
  port=$(free_port)
  set -m # its own process group, where SIGINT is not ignored (as in a terminal)
  TUTORD_BUILD_DIR=$build TUTORD_STATE_DIR=$state TUTORD_PORT=$port "$root/scripts/dev" run >"$log" 2>&1 &
  dev_pid=$!
  set +m
  await 60 serving "$port" || { cat "$log" >&2; fail "no 'serving on' within 60 s"; }
  check_served "$port"
  check_private
  if [ "$2" = group ]; then kill "-$1" -- "-$dev_pid"; else kill "-$1" "$dev_pid"; fi
  await 60 gone "$dev_pid" || fail "scripts/dev run did not stop within 60 s of SIG$1"
  wait "$dev_pid" || rc=$?
  [ "$rc" = "$3" ] || { cat "$log" >&2; fail "scripts/dev run exited $rc after SIG$1 (expected $3)"; }
  assert_nothing_left "$dev_pid" "$state" "$port"
  dev_pid=""
  echo "SIG$1 to the $2: exit $rc, nothing left running"
}

"$root/scripts/pg-cluster" stop "$state/pg" 2>/dev/null || true
rm -rf "$state"
run_and_stop INT group 130
run_and_stop TERM script 143
