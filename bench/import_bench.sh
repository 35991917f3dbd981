#!/usr/bin/env bash
# bench/import_bench.sh — times POST /students:import of a generated 50,000-student CSV and
# POST /schools/{code}/allocations:auto over 10,000 unallocated students, against a running tutord.
#
#   TUTORD_URL=http://127.0.0.1:8080 TUTORD_JWT_SECRET=... bench/import_bench.sh
#
# Without TUTORD_URL it starts its own: a private PostgreSQL cluster (scripts/pg-cluster) in a temporary
# folder, `tutord migrate`, and `tutord serve` on a free port, and stops them afterwards. TUTORD_BIN
# names the binary (default build/api/tutord); tokens are minted with `tutord token` and the secret.
# Each run uses fresh school codes and numbers, so it can be repeated against the same database.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${TUTORD_BIN:-$here/build/api/tutord}
students=${BENCH_STUDENTS:-50000}
cohort=${BENCH_AUTO_STUDENTS:-10000}
tmp=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [ -d "$tmp/pg" ] && "$here/scripts/pg-cluster" stop "$tmp/pg" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

if [ -z "${TUTORD_URL:-}" ]; then
  chmod 755 "$tmp"
  export TUTORD_DATABASE_URL
  TUTORD_DATABASE_URL=$("$here/scripts/pg-cluster" start "$tmp/pg")
  export TUTORD_JWT_SECRET=${TUTORD_JWT_SECRET:-bench-secret-0123456789abcdef0123456789}
  "$bin" migrate >/dev/null
  port=$(shuf -i 40000-49999 -n 1)
  TUTORD_PORT=$port TUTORD_LOG_LEVEL=warn "$bin" serve &
  server_pid=$!
  TUTORD_URL=http://127.0.0.1:$port
  for _ in $(seq 100); do curl -sf "$TUTORD_URL/healthz" >/dev/null && break; sleep 0.1; done
fi
: "${TUTORD_JWT_SECRET:?set TUTORD_JWT_SECRET to the secret tutord verifies tokens with}"
admin=$("$bin" token --sub BENCH --roles admin,registry)
run=$(date +%s | tail -c 7)
school="BI$run" auto_school="BA$run"

call() { # method path content-type body-file → prints "status seconds"
  curl -s -o "$tmp/out" -w '%{http_code} %{time_total}' -X "$1" "$TUTORD_URL$2" \
    -H "Authorization: Bearer $admin" -H "Content-Type: $3" --data-binary "@$4"
}
check() { # expected-status "status seconds" label
  set -- "$1" $2 "$3"
  [ "$2" = "$1" ] || { echo "$4 failed with HTTP $2: $(head -c 400 "$tmp/out")" >&2; exit 1; }
}

for code in "$school" "$auto_school"; do
  echo '{"name":"Bench School"}' >"$tmp/school.json"
  check 201 "$(call PUT "/schools/$code" application/json "$tmp/school.json")" "PUT /schools/$code"
done

# students: a header, then rows with a quoted comma and non-ASCII names, like a real SRS extract
gen_students() { # school prefix count
  awk -v school="$1" -v prefix="$2" -v n="$3" 'BEGIN {
    print "student_number,name,email,school,programme,level,cohort,status,registered_on,date_of_birth";
    for (i = 1; i <= n; i++)
      printf "%s%07d,\"Student %d, Zoë\",s%d@uni.example,%s,BSc Computing,%d,UG,studying,2026-09-21,2006-01-%02d\r\n",
             prefix, i, i, i, school, 4 + i % 3, 1 + i % 28;
  }'
}
gen_students "$school" "I$run" "$students" >"$tmp/students.csv"
result=$(call POST /students:import text/csv "$tmp/students.csv")
check 200 "$result" "POST /students:import"
echo "import of $students students ($(du -h "$tmp/students.csv" | cut -f1) CSV): ${result#* } s — $(cat "$tmp/out" | head -c 120)"
result=$(call POST /students:import text/csv "$tmp/students.csv")
check 200 "$result" "POST /students:import (again)"
echo "re-import of the same file (nothing changes): ${result#* } s"

# automatic allocation: 10,000 unallocated students, 40 tutors of capacity 300
gen_students "$auto_school" "A$run" "$cohort" >"$tmp/cohort.csv"
check 200 "$(call POST /students:import text/csv "$tmp/cohort.csv")" "cohort import"
awk -v school="$auto_school" -v prefix="T$run" 'BEGIN {
  print "staff_number,name,email,school,roles,capacity";
  for (i = 1; i <= 40; i++) printf "%s%03d,Tutor %d,t%d@uni.example,%s,tutor,300\n", prefix, i, i, i, school;
}' >"$tmp/tutors.csv"
check 200 "$(call POST /tutors:import text/csv "$tmp/tutors.csv")" "POST /tutors:import"
echo '{"starts_on":"2026-09-22"}' >"$tmp/auto.json"
result=$(call POST "/schools/$auto_school/allocations:auto?dry_run=true" application/json "$tmp/auto.json")
check 200 "$result" "allocations:auto dry run"
echo "allocations:auto dry run over $cohort students: ${result#* } s"
result=$(call POST "/schools/$auto_school/allocations:auto" application/json "$tmp/auto.json")
check 200 "$result" "allocations:auto"
echo "allocations:auto over $cohort students: ${result#* } s — $(head -c 80 "$tmp/out")"
