#!/usr/bin/env bash
# bench/compare_facts.sh — do two tutord binaries answer the compliance routes byte for byte alike?
#
#   bench/compare_facts.sh OLD_TUTORD NEW_TUTORD DATABASE_URL
#
# Serves DATABASE_URL (a database loaded by bench/gen/gen, read only here) with both binaries side by
# side on free loopback ports, rate limits off, and asks each the same requests with curl:
#   GET /students/{n}/compliance for STUDENTS (default 320) students spread over the numbers, each as of
#       now, ?as_of=2026-11-15 and ?as_of=2027-03-01;
#   GET /tutors/{s}/agenda and /tutors/{s}/compliance for TUTORS (default 110) tutors, as an admin and as
#       the tutor themself (the tutor's scope), the agenda also ?as_of=2027-03-01&limit=5;
#   GET /schools/{c}/compliance for every school, as of now and ?as_of=2027-03-01.
# Each answer is saved with its status code; the two sets are diffed. Prints the number of exchanges and
# the diff (empty when identical); exits 1 on any difference or when a server does not start.
set -euo pipefail
old=$(realpath "${1:?usage: bench/compare_facts.sh OLD_TUTORD NEW_TUTORD DATABASE_URL}")
new=$(realpath "${2:?usage: bench/compare_facts.sh OLD_TUTORD NEW_TUTORD DATABASE_URL}")
url=${3:?usage: bench/compare_facts.sh OLD_TUTORD NEW_TUTORD DATABASE_URL}
students=${STUDENTS:-320}
tutors=${TUTORS:-110}
# shellcheck source=bench/lib/side_by_side.sh
. "$(dirname "$0")/lib/side_by_side.sh"
side_by_side compare_facts 1 "$old" "$new" "$url"
admin=$("$new" token --sub bench-admin --roles admin)

# The request list: one "token-name path" a line.
{
  psql -X -At "$url" -c "SELECT student_number FROM students ORDER BY student_number" |
    awk -v n="$students" 'NR == 1 { } { all[NR] = $0 } END { step = int(NR / n); if (step < 1) step = 1;
      for (i = 1; i <= NR; i += step) { s = all[i];
        print "admin /students/" s "/compliance";
        print "admin /students/" s "/compliance?as_of=2026-11-15";
        print "admin /students/" s "/compliance?as_of=2027-03-01" } }'
  psql -X -At "$url" -c "SELECT staff_number FROM staff WHERE 'tutor' = ANY (roles) ORDER BY staff_number" |
    awk -v n="$tutors" '{ all[NR] = $0 } END { step = int(NR / n); if (step < 1) step = 1;
      for (i = 1; i <= NR; i += step) { s = all[i];
        print "admin /tutors/" s "/agenda"; print "self:" s " /tutors/" s "/agenda";
        print "admin /tutors/" s "/agenda?as_of=2027-03-01&limit=5";
        print "admin /tutors/" s "/compliance"; print "self:" s " /tutors/" s "/compliance" } }'
  psql -X -At "$url" -c "SELECT code FROM schools ORDER BY code" |
    awk '{ print "admin /schools/" $0 "/compliance"; print "admin /schools/" $0 "/compliance?as_of=2027-03-01" }'
} >"$work/requests"

# Asks port $1 every request, writing "status body" per exchange to file $2.
ask_all() {
  local port=$1 out=$2 who path token
  : >"$out"
  while read -r who path; do
    if [ "$who" = admin ]; then
      token=$admin
    else
      token=$("$new" token --sub "${who#self:}" --roles tutor)
    fi
    printf '%s %s\n' "$who" "$path" >>"$out"
    curl -sS -H "Authorization: Bearer $token" -w '\n%{http_code}\n' "http://127.0.0.1:$port$path" >>"$out"
  done <"$work/requests"
}

ask_all "$old_port" "$work/old.out" &
asker=$!
ask_all "$new_port" "$work/new.out"
wait "$asker"
echo "exchanges: $(wc -l <"$work/requests") per server ($(grep -c '^200$' "$work/new.out") answered 200)"
if diff "$work/old.out" "$work/new.out" >"$work/diff"; then
  echo "identical: $(sha256sum <"$work/new.out" | cut -c1-16)"
else
  head -c 4000 "$work/diff"
  echo "DIFFERENT" >&2
  exit 1
fi
