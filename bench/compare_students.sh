#!/usr/bin/env bash
# bench/compare_students.sh OLD_TUTORD NEW_TUTORD DATABASE_URL — GET /students/{n} answered by two tutord builds
# on one database (bench/gen data), compared byte for byte (status line, headers but Date and request ids, body):
# 500 students, each read by an admin and by their personal tutor (the two hot statements). Exits 1 on a difference.
set -euo pipefail
old=$1 new=$2 url=$3
# shellcheck source=bench/lib/side_by_side.sh
. "$(dirname "$0")/lib/side_by_side.sh"
side_by_side compare_students 2 "$old" "$new" "$url"
admin=$("$new" token --sub BENCH --roles admin --ttl 3600)
n=0 diff=0
while read -r st sf; do
  tut=$("$new" token --sub "$sf" --roles tutor --ttl 3600)
  for tok in "$admin" "$tut"; do
    o=$(curl -s -D- -H "Authorization: Bearer $tok" "http://127.0.0.1:$old_port/students/$st" | grep -iv '^date:\|^tutord-request-id\|^x-request-id')
    w=$(curl -s -D- -H "Authorization: Bearer $tok" "http://127.0.0.1:$new_port/students/$st" | grep -iv '^date:\|^tutord-request-id\|^x-request-id')
    n=$((n+1)); [ "$o" = "$w" ] || { diff=$((diff+1)); echo "DIFF $st"; diff <(echo "$o") <(echo "$w") | head -5; }
  done
done < <(psql -X -At -F' ' "$url" -c "SELECT student_number, staff_number FROM allocations WHERE kind = 'personal' AND period @> current_date AND id % 78 = 3 ORDER BY id LIMIT 500")
echo "$n responses compared, $diff differ"
[ $diff = 0 ]
