#!/usr/bin/env bash
# bench/compare_students.sh OLD_TUTORD NEW_TUTORD DATABASE_URL — GET /students/{n} answered by two tutord builds
# on one database (bench/gen data), compared byte for byte (status line, headers but Date and request ids, body):
# 500 students, each read by an admin and by their personal tutor (the two hot statements). Exits 1 on a difference.
set -euo pipefail
old=$1 new=$2 url=$3
export TUTORD_DATABASE_URL=$url TUTORD_JWT_SECRET=bench-secret-0123456789abcdef0123456789abcdef
for q in READS WRITES HEAVY; do export "TUTORD_RATE_${q}_PER_SUB=0" "TUTORD_RATE_${q}_PER_ADDRESS=0"; done
po=$(shuf -i 46000-46499 -n1); pn=$(shuf -i 46500-46999 -n1)
TUTORD_PORT=$po $old serve 2>/dev/null & a=$!
TUTORD_PORT=$pn $new serve 2>/dev/null & b=$!
trap 'kill $a $b 2>/dev/null' EXIT
for i in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:$po/healthz && curl -sf -o /dev/null http://127.0.0.1:$pn/healthz && break; sleep 0.1; done
admin=$($new token --sub BENCH --roles admin --ttl 3600)
n=0 diff=0
while read -r st sf; do
  tut=$($new token --sub "$sf" --roles tutor --ttl 3600)
  for tok in "$admin" "$tut"; do
    o=$(curl -s -D- -H "Authorization: Bearer $tok" http://127.0.0.1:$po/students/$st | grep -iv '^date:\|^tutord-request-id\|^x-request-id')
    w=$(curl -s -D- -H "Authorization: Bearer $tok" http://127.0.0.1:$pn/students/$st | grep -iv '^date:\|^tutord-request-id\|^x-request-id')
    n=$((n+1)); [ "$o" = "$w" ] || { diff=$((diff+1)); echo "DIFF $st"; diff <(echo "$o") <(echo "$w") | head -5; }
  done
done < <(psql -X -At -F' ' "$url" -c "SELECT student_number, staff_number FROM allocations WHERE kind = 'personal' AND period @> current_date AND id % 78 = 3 ORDER BY id LIMIT 500")
echo "$n responses compared, $diff differ"
[ $diff = 0 ]
