# shellcheck shell=bash
# tests/scripts/common.sh — shared helpers of the script tests (sourced, not run).

# fail MESSAGE: prints why the test failed and exits 1 (the caller's EXIT trap cleans up).
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# free_port: a TCP port nothing listens on at the moment, on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# await SECONDS COMMAND...: runs COMMAND every 0.2 s until it succeeds (0) or SECONDS pass (1).
await() {
  local bound=$1 i
  shift
  for ((i = 0; i < bound * 5; i++)); do
    "$@" && return 0
    sleep 0.2
  done
  return 1
}

# group_pids PGID: the processes still in process group PGID, one per line.
group_pids() {
  ps -eo pid=,pgid= | awk -v g="$1" '$2 == g { print $1 }'
}

# cluster_running DIR: true while the PostgreSQL cluster of a pg-cluster DIR runs (its postmaster.pid
# names a live process).
cluster_running() {
  local pidfile=$1/data/postmaster.pid
  [ -f "$pidfile" ] && kill -0 "$(head -n 1 "$pidfile")" 2>/dev/null
}

# assert_nothing_left PGID STATE PORT: no process of the group, no cluster in STATE/pg, nothing on PORT.
assert_nothing_left() {
  local left
  left=$(group_pids "$1")
  [ -z "$left" ] || fail "processes left running: $(ps -o pid=,args= -p "$(paste -sd, <<<"$left")")"
  ! cluster_running "$2/pg" || fail "the PostgreSQL cluster in $2/pg is still running"
  ! curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$3/healthz" || fail "something still answers on port $3"
}
