#!/usr/bin/env bash
# tests/scripts/dev-run-port-taken.sh BUILD_DIR — `scripts/dev run` (the tutord in BUILD_DIR, state in
# BUILD_DIR/dev-run-port-taken) on a port already taken: (1) something listens there: it refuses before
# starting anything, naming the port; (2) a socket holds the port without listening (so the early check
# passes): the cluster starts, tutord cannot bind, and the script still fails and stops what it started.
# Each time: non-zero exit, no process of its group, no cluster. Bounded: 60 s per run.
set -euo pipefail
build=$(realpath "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/scripts/common.sh"
state=$build/dev-run-port-taken
log=$state.log
holder_pid="" dev_pid=""

# On any exit: the port holder, the dev script's group and its cluster are gone.
cleanup() {
  [ -z "$holder_pid" ] || kill -KILL "$holder_pid" 2>/dev/null || true
  [ -z "$dev_pid" ] || kill -KILL -- "-$dev_pid" 2>/dev/null || true
  "$root/scripts/pg-cluster" stop "$state/pg" 2>/dev/null || true
}
trap cleanup EXIT

# Holds a loopback port (MODE listen|bind) in the background; sets holder_pid and port.
hold_port() {
  rm -f "$state.port"
  python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
if sys.argv[1] == "listen":
    s.listen()
print(s.getsockname()[1], flush=True)
time.sleep(300)' "$1" >"$state.port" &
  holder_pid=$!
  await 10 test -s "$state.port" || fail "could not hold a port"
  port=$(cat "$state.port")
}

# One run on the held port: expect a non-zero exit, MESSAGE in its output and nothing left.
run_expect_failure() { # run_expect_failure MESSAGE
  local rc=0
  set -m
  TUTORD_BUILD_DIR=$build TUTORD_STATE_DIR=$state TUTORD_PORT=$port timeout 60 "$root/scripts/dev" run >"$log" 2>&1 &
  dev_pid=$!
  set +m
  wait "$dev_pid" || rc=$?
  [ "$rc" != 0 ] || { cat "$log" >&2; fail "scripts/dev run exited 0 with port $port taken"; }
  [ "$rc" != 124 ] || { cat "$log" >&2; fail "scripts/dev run did not give up within 60 s"; }
  grep -q "$1" "$log" || { cat "$log" >&2; fail "no message '$1'"; }
  assert_nothing_left "$dev_pid" "$state" "$port"
  dev_pid=""
  kill -KILL "$holder_pid" 2>/dev/null || true
  wait "$holder_pid" 2>/dev/null || true
  holder_pid=""
}

"$root/scripts/pg-cluster" stop "$state/pg" 2>/dev/null || true
rm -rf "$state"
mkdir -p "$state"
hold_port listen
run_expect_failure "port $port is already in use"
[ ! -d "$state/pg" ] || fail "a cluster was created although the port was taken"
echo "port listened on: refused before starting anything"
hold_port bind
run_expect_failure "tutord stopped before serving on port $port"
[ -d "$state/pg" ] || fail "the late path was not taken (no cluster was started)"
echo "port bound, not listened on: tutord could not serve, the cluster was stopped"
