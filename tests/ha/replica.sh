#!/usr/bin/env bash
# tests/ha/replica.sh — heavy reads on a PostgreSQL streaming replica (TUTORD_DATABASE_READ_URL).
# Starts its own primary (scripts/pg-cluster) and a replica (pg_basebackup -R as a replication role) on
# loopback, and one tutord with both URLs. Passes when:
#   - a tutor written and at once read back in GET /reports/workload is always there (read-your-writes),
#     and the replica served those reports (Tutord-Served-By: replica) once caught up;
#   - with the replica's replay paused, the report still includes a new write, served by the primary;
#   - with the replica stopped, reports still answer 200, from the primary.
# Prints the replica lag seen (bytes and ms, from pg_stat_replication).
# Environment (set by CTest): TUTORD_BIN, TUTORD_HA_WORK, TUTORD_PG_CLUSTER.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${TUTORD_HA_WORK:?}
# shellcheck source=lib.sh
source "$here/lib.sh"
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

[ -d "$work" ] && { "$TUTORD_PG_CLUSTER" stop "$work/primary" || true; as_pg "$pgbin/pg_ctl" -D "$work/replica/data" -m immediate stop >/dev/null 2>&1 || true; }
rm -rf "$work" && mkdir -p "$work"
cleanups+=("'$TUTORD_PG_CLUSTER' stop '$work/primary'")
primary_url=$("$TUTORD_PG_CLUSTER" start "$work/primary")
primary_port=$(cat "$work/primary/port")
psql_primary() { "$pgbin/psql" -X -Atq "$primary_url" "$@"; }
psql_primary -c "CREATE ROLE replicator WITH REPLICATION LOGIN"

# The replica: a base backup of the primary that follows it (-R writes primary_conninfo and standby.signal).
replica_port=$(free_port)
mkdir -p "$work/replica/sock"
[ "$(id -u)" != 0 ] || chown -R postgres:postgres "$work/replica"
as_pg "$pgbin/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U replicator -D "$work/replica/data" -R -X stream \
  -c fast >"$work/replica/basebackup.log" 2>&1 || fail "pg_basebackup: $(cat "$work/replica/basebackup.log")"
printf "port = %s\nunix_socket_directories = '%s'\nhot_standby = on\n" "$replica_port" "$work/replica/sock" |
  as_pg tee -a "$work/replica/data/postgresql.conf" >/dev/null
cleanups+=("runuser -u postgres -- '$pgbin/pg_ctl' -D '$work/replica/data' -m immediate stop || '$pgbin/pg_ctl' -D '$work/replica/data' -m immediate stop")
as_pg "$pgbin/pg_ctl" -D "$work/replica/data" -l "$work/replica/server.log" -w -t 60 start >/dev/null ||
  fail "the replica did not start: $(tail -n 20 "$work/replica/server.log")"
replica_url="postgresql:///tutord?host=$work/replica/sock&port=$replica_port&user=postgres"
psql_replica() { "$pgbin/psql" -X -Atq "$replica_url" "$@"; }
[ "$(psql_replica -c 'SELECT pg_is_in_recovery()')" = t ] || fail "the replica is not in recovery"

TUTORD_DATABASE_URL=$primary_url "$TUTORD_BIN" migrate >"$work/migrate.log" 2>&1 || fail "migrate: $(cat "$work/migrate.log")"
port=$(free_port)
start_tutord r "$port" TUTORD_DATABASE_URL="$primary_url" TUTORD_DATABASE_READ_URL="$replica_url" \
  TUTORD_READ_MAX_WAIT_MS=500
admin=$(token RA1 admin)
api() { # api METHOD PATH [BODY]: prints "STATUS SERVED_BY" and leaves the body in $work/body.json
  local args=(-sS -o "$work/body.json" -D "$work/headers.txt" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $admin")
  [ $# -lt 3 ] || args+=(-H 'Content-Type: application/json' --data "$3")
  local status; status=$(curl "${args[@]}" "http://127.0.0.1:$port$2")
  echo "$status $(sed -n 's/^Tutord-Served-By: *\([a-z]*\).*/\1/Ip' "$work/headers.txt")"
}
has_tutor() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if any(t["tutor"]==sys.argv[2] for t in d["tutors"]) else 1)' "$work/body.json" "$1"; }

school="RP$(date +%s%N | tail -c 9)"
[ "$(api PUT "/schools/$school" '{"name":"Replica School"}')" = "201 " ] || fail "PUT school: $(cat "$work/body.json")"
tutor_body() { printf '{"name":"Tutor %s","email":"%s@uni.example","school":"%s","capacity":10}' "$1" "$1" "$school"; }

# write_then_report STAFF: writes a tutor, at once reads the school's workload; echoes who served it.
write_then_report() {
  local put got
  put=$(api PUT "/tutors/$1" "$(tutor_body "$1")")
  [ "${put%% *}" = 201 ] || { echo "PUT /tutors/$1: $put $(cat "$work/body.json")" >&2; return 1; }
  got=$(api GET "/reports/workload?school=$school")
  [ "${got%% *}" = 200 ] || { echo "workload: $got $(cat "$work/body.json")" >&2; return 1; }
  has_tutor "$1" || { echo "the report served by ${got#* } misses tutor $1 written just before" >&2; return 1; }
  echo "${got#* }"
}

# 1. Caught up: every write is in the report read straight after it, and the replica serves.
# The replica's lag as the primary sees it: "<bytes not yet replayed> <replay lag in ms>" (the lag is the
# time from a commit's flush on the primary to its replay, measured over the last few commits).
lag_now() {
  psql_primary -F ' ' -c "SELECT coalesce(max(pg_wal_lsn_diff(pg_current_wal_flush_lsn(), replay_lsn)), 0)::bigint,
                                 coalesce(max(round(extract(epoch FROM replay_lag) * 1000, 3)), 0)
                          FROM pg_stat_replication"
}
by_replica=0 max_bytes=0 max_ms=0
for i in $(seq 1 20); do
  served=$(write_then_report "RT$i$school") || fail "read-your-writes broken on round $i"
  [ "$served" != replica ] || by_replica=$((by_replica + 1))
  read -r bytes ms <<<"$(lag_now)" || fail "pg_stat_replication could not be read"
  max_bytes=$(awk -v a="$max_bytes" -v b="$bytes" 'BEGIN { print (b > a ? b : a) }')
  max_ms=$(awk -v a="$max_ms" -v b="$ms" 'BEGIN { print (b > a ? b : a) }')
done
echo "caught up: 20 write-then-report rounds consistent, $by_replica served by the replica"
echo "replica lag seen after each round: at most $max_bytes bytes behind, replay lag at most $max_ms ms"
[ "$by_replica" -gt 0 ] || fail "no report was served by the replica"

# 2. Replay paused: a new write is not on the replica, so the primary serves and the report has it.
psql_replica -c "SELECT pg_wal_replay_pause()" >/dev/null
served=$(write_then_report "RTP$school") || fail "read-your-writes broken with replay paused"
[ "$served" = primary ] || fail "with replay paused the report was served by $served"
lag=$(psql_primary -c "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) || ' bytes' FROM pg_stat_replication")
echo "replay paused: the report was consistent, served by the primary (replica $lag behind)"
psql_replica -c "SELECT pg_wal_replay_resume()" >/dev/null
replica_serves() { [ "$(api GET "/reports/workload?school=$school")" = "200 replica" ]; }
await 30 "the replica to serve again after replay resumed" replica_serves
echo "replay resumed: the replica serves again"

# 3. Replica stopped: reports still answer, from the primary (the first try finds the pooled connection dead).
as_pg "$pgbin/pg_ctl" -D "$work/replica/data" -m fast -w stop >/dev/null
for i in 1 2 3; do
  served=$(write_then_report "RTS$i$school") || fail "a report failed with the replica down (round $i)"
  [ "$served" = primary ] || fail "with the replica down the report was served by $served"
done
echo "replica stopped: 3 write-then-report rounds answered 200 by the primary"
echo "PASS"
