#!/usr/bin/env bash
# bench/student_get_plan.sh — the database's cost of one GET /students/{n} read, old statement vs new,
# next to a primary-key lookup (pgbench -S), in one run on one private cluster.
#
#   bench/student_get_plan.sh CLUSTER_DIR [OLD_SQL_FILE]
#
# CLUSTER_DIR is a running scripts/pg-cluster folder whose `tutord` database holds bench/gen's data,
# whose `pgbench` database is pgbench -i'd, and whose server loads pg_stat_statements with
# pg_stat_statements.track_planning = on (CREATE EXTENSION pg_stat_statements in `tutord`). For each of
# pgbench -S, then the old (OLD_SQL_FILE, default bench/results/student_get_before.sql) and the new
# statement (bench_statement_sql, from build-bench/ or STATEMENT_SQL=path) with an admin's and with a
# tutor's scope (64 pairs of a student and their personal tutor), it runs `pgbench -n -M prepared -c 1
# -T BENCH_DURATION` (10 s) over the Unix socket and reports transactions per second, the backend's CPU
# per transaction (the postmaster's reaped-children CPU in /proc before and after: robust to other load
# on the machine) and pg_stat_statements' mean planning and execution time per call. BENCH_ROUNDS (2)
# repeats the whole sequence. Prints a Markdown table. "old" runs with tutord_senior_schools as sql/002
# defines it, "new" with sql/019's: the script switches the function before each run (CREATE OR REPLACE;
# sessions are new each run) and leaves sql/019's in place.
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
dir=$(realpath "${1:?usage: bench/student_get_plan.sh CLUSTER_DIR [OLD_SQL_FILE]}")
old_sql=${2:-$bench/results/student_get_before.sql}
root=$(dirname "$bench")
statement_sql=${STATEMENT_SQL:-$root/build-bench/bench/bench_statement_sql}
duration=${BENCH_DURATION:-10}
warmup=${BENCH_WARMUP:-2}
rounds=${BENCH_ROUNDS:-2}
conn=(-h "$dir/sock" -p "$(cat "$dir/port")" -U postgres)
postmaster=$(head -n 1 "$dir/data/postmaster.pid")
work=$(mktemp -d)

sql() { psql -X -At "${conn[@]}" -c "$1" tutord; }

# Installs tutord_senior_schools as it was before (old: sql/002) or after (new: sql/019).
use_function() {
  "$bench/student_get_function.sh" "$1" | psql -X -q -v ON_ERROR_STOP=1 "${conn[@]}" tutord
}
trap 'use_function new; rm -rf "$work"' EXIT

# The postmaster's CPU of reaped children (cutime + cstime), in clock ticks.
reaped_ticks() { awk '{ print $16 + $17 }' "/proc/$postmaster/stat"; }

# Waits (up to 10 s) until no pgbench backend is left, so its CPU has been reaped.
await_reaped() {
  for _ in $(seq 100); do
    [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgbench'")" = 0 ] && return 0
    sleep 0.1
  done
  echo "student_get_plan: a pgbench backend did not exit" >&2; exit 1
}

# Writes a pgbench script running the statement in file $1 for a random one of 64 (student, personal
# tutor) pairs, with the scope $2: admin, tutor, or mixed (either, at random, on the one prepared
# statement: a pooled connection serves every role). Parameters as in bench/run: $1 the student, $2 sees
# all, $4 :schools, $6 the tutor or NULL, $3 and $5 NULL.
pgbench_script() {
  local pairs
  pairs=$(sql "SELECT substr(student_number, 2)::int || ' ' || substr(staff_number, 2)::int FROM allocations
                WHERE kind = 'personal' AND period @> current_date ORDER BY md5(student_number) LIMIT 64")
  echo '\set k random(1, 64)'
  echo "$pairs" | awk '{ i = i sprintf(" WHEN :k = %d THEN %d", NR, $1); t = t sprintf(" WHEN :k = %d THEN %d", NR, $2) }
                       END { print "\\set i CASE" i " END"; print "\\set t CASE" t " END" }'
  case $2 in admin) echo '\set adm 1' ;; tutor) echo '\set adm 0' ;; mixed) echo '\set adm random(0, 1)' ;; esac
  sed -e "s/\\\$1\\b/('S' || lpad(:i::text, 7, '0'))/g" -e 's/\$2\b/(:adm = 1)/g' -e 's/\$4\b/:schools/g' \
      -e "s/\\\$6\\b/CASE WHEN :adm = 0 THEN 'T' || lpad(:t::text, 5, '0') END/g" \
      -e "s/\\\$[35]\\b/NULLIF(:none, '-')/g" "$1"
}

# One measurement: label, database, pgbench arguments → a table row. A label starting "old" runs with
# the old tutord_senior_schools, any other with the new.
measure() {
  local label=$1 db=$2; shift 2
  case $label in *old*) use_function old ;; *) use_function new ;; esac
  local t0 t1 out
  local role=; [ "$db" = tutord ] && role='-c role=tutord_app' # as tutord runs it (bench/run does the same)
  PGOPTIONS=$role pgbench "${conn[@]}" -n -M prepared -c 1 -T "$warmup" -D 'schools={}' -D none=- "$@" "$db" \
    >/dev/null 2>&1 || true
  await_reaped
  sql 'SELECT pg_stat_statements_reset()' >/dev/null
  t0=$(reaped_ticks)
  out=$(PGOPTIONS=$role pgbench "${conn[@]}" -n -M prepared -c 1 -T "$duration" -D 'schools={}' -D none=- "$@" "$db" 2>&1) ||
    { echo "student_get_plan: pgbench failed: $out" >&2; exit 1; }
  await_reaped
  t1=$(reaped_ticks)
  local n tps
  n=$(awk '/number of transactions actually processed/ { print $NF }' <<<"$out")
  tps=$(awk '/^tps = / { printf "%.0f", $3 }' <<<"$out")
  local stats
  stats=$(sql "SELECT to_char(sum(calls), 'FM999999999') || ' ' || round((sum(total_plan_time) / sum(calls) * 1000)::numeric, 1)
                || ' ' || round((sum(total_exec_time) / sum(calls) * 1000)::numeric, 1)
                FROM pg_stat_statements WHERE query ~ '^(SELECT left|SELECT abalance)'")
  read -r calls plan exec <<<"$stats"
  awk -v l="$label" -v n="$n" -v tps="$tps" -v t="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" -v p="$plan" -v e="$exec" \
    'BEGIN { printf "| %s | %d | %s | %.1f | %s | %s | %.1f |\n", l, n, tps, t / hz * 1e6 / n, p, e, p + e }'
}

cp "$old_sql" "$work/old.sql"
"$statement_sql" student_get >"$work/get.sql"
"$statement_sql" student_get_all >"$work/all.sql"
for scope in admin tutor mixed; do pgbench_script "$work/old.sql" $scope >"$work/old-$scope.pgbench"; done
pgbench_script "$work/all.sql" admin >"$work/all-admin.pgbench"
pgbench_script "$work/get.sql" tutor >"$work/get-tutor.pgbench"

echo "| run | transactions | tps (c=1) | backend CPU µs/tx | plan µs/call | exec µs/call | plan+exec µs/call |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for r in $(seq "$rounds"); do
  measure "$r: pgbench -S" pgbench -S
  measure "$r: old student_get, admin" tutord -f "$work/old-admin.pgbench"
  measure "$r: new student_get_all, admin" tutord -f "$work/all-admin.pgbench"
  measure "$r: old student_get, tutor" tutord -f "$work/old-tutor.pgbench"
  measure "$r: new student_get, tutor" tutord -f "$work/get-tutor.pgbench"
  measure "$r: old student_get, admin+tutor on one connection" tutord -f "$work/old-mixed.pgbench"
  measure "$r: new, admin+tutor on one connection" tutord -f "$work/all-admin.pgbench" -f "$work/get-tutor.pgbench"
done
