#!/usr/bin/env bash
# bench/report_timings.sh — the reports' time, memory and database cost, old binary vs new, on one cluster.
#
#   bench/report_timings.sh OLD_TUTORD NEW_TUTORD CLUSTER_DIR [RUNS]
#
# CLUSTER_DIR is a running scripts/pg-cluster folder whose `tutord` database holds bench/gen's data (migrated
# by the new binary) and loads pg_stat_statements. For each report (institution KPIs of the latest year,
# engagement, workload) and each binary in turn, it starts a fresh tutord (rate limits off), times RUNS (5)
# GETs after one warm-up with `hyperfine -N` (curl), and reads the process's peak RSS (VmHWM), its CPU per
# request (utime+stime from /proc) and the database's time per request (pg_stat_statements: plan + exec,
# reset before each binary's runs). The old binary runs without sql/021's index (as before the migration);
# the new one with it (the script drops it for the old runs and builds it again). Prints a Markdown table.
set -euo pipefail
old=$(realpath "${1:?usage: bench/report_timings.sh OLD_TUTORD NEW_TUTORD CLUSTER_DIR [RUNS]}")
new=$(realpath "${2:?usage}")
dir=$(realpath "${3:?usage}")
runs=${4:-5}
url="postgresql:///tutord?host=$dir/sock&port=$(cat "$dir/port")&user=postgres"
work=$(mktemp -d)
pid=
export TUTORD_DATABASE_URL=$url TUTORD_JWT_SECRET=report-timings-0123456789abcdef0123456789abcdef
for q in READS WRITES HEAVY; do export "TUTORD_RATE_${q}_PER_SUB=0" "TUTORD_RATE_${q}_PER_ADDRESS=0"; done
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
sql() { psql -X -q -At -c "$1" "$url"; }
year=$(sql "SELECT label FROM academic_years ORDER BY starts_on DESC LIMIT 1")
students=$(sql "SELECT count(*) FROM students")
index="CREATE INDEX IF NOT EXISTS contacts_window_idx ON contacts (sort_at)
       INCLUDE (student_number, kind, direction, attendance, occurred_at, id)"

# The CPU ticks (utime + stime) of process $1.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# measure WHICH BINARY PATH: one fresh tutord, RUNS timed GETs; prints a table row.
measure() {
  local which=$1 bin=$2 path=$3 port
  port=$(for p in $(shuf -i 20000-29999 -n 50); do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; break; }; done)
  TUTORD_PORT=$port "$bin" serve >"$work/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 300); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
  local token cpu0 cpu1 db
  token=$("$bin" token --sub TIMINGS --roles admin --ttl 3600)
  sql "SELECT pg_stat_statements_reset()" >/dev/null
  cpu0=$(ticks "$pid")
  hyperfine -N -w 1 -r "$runs" --export-json "$work/h.json" \
    "curl -sf -o /dev/null -H 'Authorization: Bearer $token' http://127.0.0.1:$port$path" >/dev/null
  cpu1=$(ticks "$pid")
  db=$(sql "SELECT round((sum(total_plan_time + total_exec_time) / $((runs + 1)))::numeric) FROM pg_stat_statements
            WHERE query NOT LIKE '%pg_stat_statements%'")
  printf '| %s | %s | %s | %s | %s | %s MB | %s |\n' "$students" "$path" "$which" \
    "$(python3 -c "import json; r = json.load(open('$work/h.json'))['results'][0]; print('%.3f ± %.3f s' % (r['mean'], r['stddev'] or 0))")" \
    "$(( (cpu1 - cpu0) * 1000 / $(getconf CLK_TCK) / (runs + 1) )) ms" \
    "$(( $(awk '/VmHWM/ {print $2}' "/proc/$pid/status") / 1024 ))" "$db ms"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  pid=
}

echo "| students | report | binary | time (mean ± sd, $runs runs) | tutord CPU/request | peak RSS | database time/request |"
echo "|---|---|---|---|---|---|---|"
for path in "/reports/kpis?year=$year" /reports/engagement /reports/workload; do
  sql "DROP INDEX IF EXISTS contacts_window_idx"
  measure old "$old" "$path"
  sql "$index"
  sql "VACUUM ANALYZE contacts"
  measure new "$new" "$path"
done
