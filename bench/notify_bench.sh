#!/usr/bin/env bash
# bench/notify_bench.sh — how fast one tutord delivers email, and how far the outbox lags behind a
# 10,000-student automatic allocation.
#
#   TUTORD_BIN=build/api/tutord bench/notify_bench.sh
#
# Starts a private PostgreSQL cluster (scripts/pg-cluster) in a temporary folder, `tutord migrate`, the
# bundled SMTP sink (tests/support/smtp_sink.py, aiosmtpd) on a free loopback port and one `tutord serve`
# delivering to it, and stops them all afterwards.
#   1. throughput: BENCH_MESSAGES notifications are queued at once (allocation.created events written
#      by SQL in one transaction, two recipients each) and timed from the first to the last sent;
#   2. lag: POST /schools/{code}/allocations:auto over BENCH_AUTO_STUDENTS unallocated students (40
#      tutors), timed, then the time until the outbox is empty and the largest oldest-queued age seen;
#   3. the same allocation of another school with the outbox trigger disabled, for the trigger's cost.
# The sink is Python: past a few hundred messages a second it, not tutord, may be the limit.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${TUTORD_BIN:-$here/build/api/tutord}
messages=${BENCH_MESSAGES:-5000}
cohort=${BENCH_AUTO_STUDENTS:-10000}
tmp=$(mktemp -d)
server_pid= sink_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null && wait "$sink_pid" 2>/dev/null || true
  [ -d "$tmp/pg" ] && "$here/scripts/pg-cluster" stop "$tmp/pg" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
chmod 755 "$tmp"
export TUTORD_DATABASE_URL
TUTORD_DATABASE_URL=$("$here/scripts/pg-cluster" start "$tmp/pg")
export TUTORD_JWT_SECRET=bench-secret-0123456789abcdef0123456789
"$bin" migrate >/dev/null
sql() { psql -qAtX "$TUTORD_DATABASE_URL" -c "$1"; }
now() { date +%s.%N; }

smtp_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
/usr/bin/python3 "$here/tests/support/smtp_sink.py" "$smtp_port" "$tmp/mail" >/dev/null &
sink_pid=$!
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
TUTORD_PORT=$port TUTORD_LOG_LEVEL=warn TUTORD_SMTP_URL=smtp://127.0.0.1:$smtp_port TUTORD_SMTP_STARTTLS=off \
  TUTORD_DELIVERY_INTERVAL_MS=100 "$bin" serve &
server_pid=$!
url=http://127.0.0.1:$port
for _ in $(seq 100); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done
admin=$("$bin" token --sub BENCH --roles admin)

# 1. throughput
sql "INSERT INTO schools (code, name) VALUES ('BN', 'Bench'), ('BA', 'Bench auto');
     INSERT INTO staff (staff_number, name, email, school) VALUES ('BT1', 'Tutor', 'bt1@uni.example', 'BN');
     INSERT INTO students (student_number, name, email, school, level, cohort, status, registered_on)
     SELECT 'BS' || g, 'Student ' || g, 'bs' || g || '@uni.example', 'BN', '4', 'UG', 'studying', current_date
       FROM generate_series(1, $messages / 2) g;"
start=$(now)
sql "INSERT INTO events (kind, subject, actor, payload)
     SELECT 'allocation.created', student_number, 'bench',
            jsonb_build_object('student', student_number, 'tutor', 'BT1', 'kind', 'personal')
       FROM students WHERE school = 'BN';"
queued=$(now)
while [ "$(sql "SELECT count(*) FROM notifications WHERE status = 'queued'")" != 0 ]; do sleep 0.05; done
done_at=$(now)
sent=$(sql "SELECT count(*) FROM notifications WHERE status = 'sent'")
first_last=$(sql "SELECT extract(epoch FROM max(sent_at) - min(sent_at)) FROM notifications")
echo "queueing $sent notifications (one transaction): $(echo "$queued - $start" | bc) s"
echo "delivered $sent messages in $first_last s (first to last sent): $(echo "$sent / $first_last" | bc) messages/s; queue empty $(echo "$done_at - $queued" | bc) s after commit"

# 2. lag under a 10,000-student automatic allocation
sql "INSERT INTO staff (staff_number, name, email, school, capacity)
     SELECT 'BAT' || g, 'Tutor ' || g, 'bat' || g || '@uni.example', 'BA', 300 FROM generate_series(1, 40) g;
     INSERT INTO students (student_number, name, email, school, level, cohort, status, registered_on)
     SELECT 'BAS' || g, 'Student ' || g, 'bas' || g || '@uni.example', 'BA', '4', 'UG', 'studying', current_date
       FROM generate_series(1, $cohort) g;"
before=$(sql "SELECT count(*) FROM notifications")
t=$(curl -s -o "$tmp/out" -w '%{time_total}' -X POST "$url/schools/BA/allocations:auto" \
      -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' --data '{}')
committed=$(now)
echo "allocations:auto over $cohort students: $t s — $(head -c 80 "$tmp/out")"
worst=0
while :; do
  row=$(sql "SELECT count(*) FILTER (WHERE status = 'queued'),
                    coalesce(floor(extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'queued'))), 0)
               FROM notifications")
  left=${row%|*} age=${row#*|}
  [ "$age" -gt "$worst" ] && worst=$age
  [ "$left" = 0 ] && break
  sleep 0.2
done
echo "outbox: $(( $(sql "SELECT count(*) FROM notifications") - before )) notifications written with the allocation;" \
     "empty $(echo "$(now) - $committed" | bc) s after the response; oldest queued age peaked at $worst s"

# 3. the same allocation with the outbox trigger switched off, for the trigger's share of the time
sql "INSERT INTO schools (code, name) VALUES ('BB', 'Bench without outbox');
     INSERT INTO staff (staff_number, name, email, school, capacity)
     SELECT 'BBT' || g, 'Tutor ' || g, 'bbt' || g || '@uni.example', 'BB', 300 FROM generate_series(1, 40) g;
     INSERT INTO students (student_number, name, email, school, level, cohort, status, registered_on)
     SELECT 'BBS' || g, 'Student ' || g, 'bbs' || g || '@uni.example', 'BB', '4', 'UG', 'studying', current_date
       FROM generate_series(1, $cohort) g;
     ALTER TABLE events DISABLE TRIGGER events_outbox;"
t=$(curl -s -o "$tmp/out" -w '%{time_total}' -X POST "$url/schools/BB/allocations:auto" \
      -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' --data '{}')
sql "ALTER TABLE events ENABLE TRIGGER events_outbox;"
echo "allocations:auto over $cohort students without the outbox trigger: $t s"
