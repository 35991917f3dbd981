#!/usr/bin/env bash
# bench/facts_measure.sh — the compliance routes of two tutord binaries measured side by side.
#
#   bench/facts_measure.sh OLD_TUTORD NEW_TUTORD CLUSTER_DIR [ROUNDS]
#
# CLUSTER_DIR is a running scripts/pg-cluster folder whose `tutord` database holds bench/gen's data (migrated
# by the newer binary) and whose server loads pg_stat_statements with track_planning on. For each route —
# GET /students/{n}/compliance and GET /tutors/{staff}/agenda with random numbers (bench/lua/random_get.lua)
# — and each of ROUNDS (default 2) rounds, it serves the database with the old binary, then the new one
# (rate limits off, an admin's token), runs `wrk -t2 -c32 -d${BENCH_DURATION:-10}s` and prints one row:
# requests per second, tutord's CPU per request (utime + stime of the process over the run), the
# database's CPU per request (the postmaster's reaped children: the server's sessions end with tutord, so
# other load on the machine does not count) and pg_stat_statements' planning + execution time per request
# (wall time: it grows with the machine's load) with the planning share and statements per request.
# Then GET /schools/{CODE}/compliance (BENCH_SCHOOL, default CMS) ten times in a row with each binary: the
# median time. Ratios are old ÷ new of the same round.
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
old=$(realpath "${1:?usage: bench/facts_measure.sh OLD_TUTORD NEW_TUTORD CLUSTER_DIR [ROUNDS]}")
new=$(realpath "${2:?usage: bench/facts_measure.sh OLD_TUTORD NEW_TUTORD CLUSTER_DIR [ROUNDS]}")
dir=$(realpath "${3:?usage: bench/facts_measure.sh OLD_TUTORD NEW_TUTORD CLUSTER_DIR [ROUNDS]}")
rounds=${4:-2}
duration=${BENCH_DURATION:-10}
school=${BENCH_SCHOOL:-CMS}
url="postgresql:///tutord?host=$dir/sock&port=$(cat "$dir/port")&user=postgres"
postmaster=$(head -n 1 "$dir/data/postmaster.pid")
tck=$(getconf CLK_TCK)
export TUTORD_DATABASE_URL=$url TUTORD_JWT_SECRET=bench-secret-0123456789abcdef0123456789abcdef TUTORD_LOG_LEVEL=warn
for limit in READS WRITES HEAVY; do
  export "TUTORD_RATE_${limit}_PER_SUB=0" "TUTORD_RATE_${limit}_PER_ADDRESS=0"
done
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true' EXIT

sql() { psql -X -qAt "$url" -c "$1"; }
reaped() { awk '{ print $16 + $17 }' "/proc/$postmaster/stat"; }
cpu_of() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# Starts binary $1 on a free port (sets pid and port).
serve() {
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  TUTORD_PORT=$port setsid "$1" serve >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 300); do curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && return 0; sleep 0.1; done
  echo "facts_measure: $1 did not start" >&2
  exit 1
}

# Stops the served binary and waits (up to 10 s) until its sessions have ended and been reaped.
stop() {
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=
  for _ in $(seq 100); do
    [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tutord'")" = 0 ] && return 0
    sleep 0.1
  done
}

# One row: label binary path kind count.
wrk_row() {
  local label=$1 bin=$2 r0 t0 t1 out reqs
  r0=$(reaped)
  serve "$bin"
  export BENCH_TOKEN BENCH_PATH=$3 BENCH_KIND=$4 BENCH_COUNT=$5
  BENCH_TOKEN=$("$bin" token --sub bench --roles admin)
  sql "SELECT pg_stat_statements_reset()" >/dev/null
  t0=$(cpu_of "$pid")
  out=$(wrk -t2 -c32 -d"${duration}s" -s "$bench/lua/random_get.lua" "http://127.0.0.1:$port")
  t1=$(cpu_of "$pid")
  reqs=$(echo "$out" | awk '/requests in/ { print $1 }')
  local pss
  pss=$(sql "SELECT round(sum(total_plan_time + total_exec_time)::numeric * 1000 / $reqs) || ' µs (plan ' ||
                    round(sum(total_plan_time)::numeric * 1000 / $reqs) || ', ' || round(sum(calls)::numeric / $reqs, 1)
                    || ' statements)' FROM pg_stat_statements
              WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'tutord') AND query NOT LIKE '%pg_stat%'")
  stop
  printf '| %s | %s | %s | %s | %s | %s |\n' "$label" "$(echo "$out" | awk '/Requests\/sec/ { print $2 }')" \
    "$(((t1 - t0) * 1000000 / tck / reqs))" "$((($(reaped) - r0) * 1000000 / tck / reqs))" "$pss" \
    "$(echo "$out" | awk '/Non-2xx/ { print $NF }')"
}

# The median of ten GET /schools/{school}/compliance with binary $1 (after one to warm up), in seconds.
school_median() {
  serve "$1"
  local token times
  token=$("$1" token --sub bench --roles admin)
  curl -fsS -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$port/schools/$school/compliance"
  times=$(for _ in $(seq 10); do
    curl -fsS -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" \
      "http://127.0.0.1:$port/schools/$school/compliance"
  done | sort -n)
  stop
  echo "$times" | sed -n 5p
}

echo "| run | req/s | tutord µs CPU/req | database µs CPU/req | pg_stat_statements per req | non-2xx |"
echo "|---|---|---|---|---|---|"
for round in $(seq "$rounds"); do
  for which in old new; do
    bin=$old
    [ "$which" = new ] && bin=$new
    wrk_row "$which student compliance (round $round)" "$bin" /students/%s/compliance student 40000
    wrk_row "$which tutor agenda (round $round)" "$bin" /tutors/%s/agenda staff 2000
  done
done
for round in $(seq "$rounds"); do
  echo "school $school compliance, round $round: old $(school_median "$old") s, new $(school_median "$new") s (median of 10)"
done
