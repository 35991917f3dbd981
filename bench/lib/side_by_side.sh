# shellcheck shell=bash
# bench/lib/side_by_side.sh — sourced by the bench/compare_*.sh scripts: two tutord binaries served side by
# side against one database, each on a free loopback port, rate limits off, one JWT secret; both stopped and
# the work folder removed when the script exits, however it exits.
#
#   side_by_side NAME FAIL_STATUS OLD_TUTORD NEW_TUTORD DATABASE_URL
#
# With NEW_DATABASE_URL set, the new binary serves that database instead: a copy of DATABASE_URL to which
# the new binary's migrations were applied (`CREATE DATABASE copy TEMPLATE original`, then `tutord migrate`),
# for a change that comes with a migration the old binary's database must not get.
#
# Sets `work` (a new temporary folder), `old_port` and `new_port` once both answer GET /healthz (60 s at
# most each); when one does not, prints its log as NAME's complaint and exits FAIL_STATUS. Tokens:
# "$new" token … (the JWT secret is exported).

side_by_side_pids=()

# Stops the servers (by the pids it started) and removes the work folder.
side_by_side_cleanup() {
  local p
  for p in "${side_by_side_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${side_by_side_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}

# Prints a loopback port nobody listens on.
side_by_side_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Serves binary $3 for NAME $1 (exit status $2 on failure) on a free port; prints nothing, sets `port`.
# Not run in a subshell, so that the pid stays in side_by_side_pids for the cleanup.
side_by_side_serve() {
  port=$(side_by_side_free_port)
  TUTORD_PORT=$port setsid "$3" serve >"$work/server-$port.log" 2>&1 &
  side_by_side_pids+=($!)
  for _ in $(seq 600); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && return 0
    kill -0 "${side_by_side_pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "$1: $3 did not start:" >&2
  cat "$work/server-$port.log" >&2
  exit "$2"
}

# shellcheck disable=SC2034 # old_port, new_port and work are for the sourcing script
side_by_side() {
  work=$(mktemp -d)
  trap side_by_side_cleanup EXIT
  export TUTORD_DATABASE_URL=$5 TUTORD_JWT_SECRET=bench-secret-0123456789abcdef0123456789abcdef
  local limit
  for limit in READS WRITES HEAVY; do
    export "TUTORD_RATE_${limit}_PER_SUB=0" "TUTORD_RATE_${limit}_PER_ADDRESS=0"
  done
  side_by_side_serve "$1" "$2" "$3"
  old_port=$port
  TUTORD_DATABASE_URL=${NEW_DATABASE_URL:-$5} side_by_side_serve "$1" "$2" "$4"
  new_port=$port
}
