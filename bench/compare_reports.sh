#!/usr/bin/env bash
# bench/compare_reports.sh — do two tutord binaries answer the reports byte for byte alike?
#
#   bench/compare_reports.sh OLD_TUTORD NEW_TUTORD DATABASE_URL
#
# Starts both binaries (`serve`, rate limits off, one JWT secret) on free loopback ports against the same
# database (migrated already: run `NEW_TUTORD migrate` first when the new binary brings a migration), and
# asks each, one request after the other, for:
#   /reports/kpis        the institution (the current year; year=<the latest year's label> alone, with
#                        as_of inside the year and before it, and with breach_threshold) and each school (with
#                        and without as_of), every one as JSON and as CSV (Accept: text/csv);
#   /reports/engagement  the institution and each school, with and without as_of (and one grace_days),
#                        JSON, and CSV for the institution;
#   /reports/workload    the institution and each school, with and without as_of, JSON, and CSV for the
#                        institution;
#   /schools/{code}/compliance  each school as_of the year's middle: its first page of students (the default
#                        50) and its first 1,000.
# The as_of dates are taken from the database's latest academic year (its first teaching term's middle,
# and the day before the year starts). Compares status line, Content-Type and body byte for byte; prints
# the number of exchanges compared and each one that differs; exits 1 on any difference, 2 when a server
# does not start. Both servers are stopped on exit. REPORT_SCHOOLS="A B" limits the per-school requests.
set -euo pipefail
old=$(realpath "${1:?usage: bench/compare_reports.sh OLD_TUTORD NEW_TUTORD DATABASE_URL}")
new=$(realpath "${2:?usage: bench/compare_reports.sh OLD_TUTORD NEW_TUTORD DATABASE_URL}")
url=${3:?usage: bench/compare_reports.sh OLD_TUTORD NEW_TUTORD DATABASE_URL}
# shellcheck source=bench/lib/side_by_side.sh
. "$(dirname "$0")/lib/side_by_side.sh"
side_by_side compare_reports 2 "$old" "$new" "$url"
token=$("$new" token --sub COMPARE-REPORTS --roles admin --ttl 3600)

sql() { psql -X -At -c "$1" "$url"; }
year=$(sql "SELECT label FROM academic_years ORDER BY starts_on DESC LIMIT 1")
mid=$(sql "SELECT (starts_on + (ends_on - starts_on) / 2)::text FROM terms WHERE year_label = '$year' AND teaching
           ORDER BY starts_on LIMIT 1")
before=$(sql "SELECT (starts_on - 1)::text FROM academic_years WHERE label = '$year'")
schools=${REPORT_SCHOOLS:-$(sql "SELECT code FROM schools ORDER BY code")}
y=$year

# The exchanges: "json|csv PATH" per line.
requests() {
  local s
  for a in "" "?year=$y" "?year=$y&as_of=$mid" "?year=$y&as_of=$before" "?year=$y&breach_threshold=10"; do
    echo "json /reports/kpis$a"
    echo "csv /reports/kpis$a"
  done
  echo "json /reports/engagement"
  echo "json /reports/engagement?as_of=$mid"
  echo "json /reports/engagement?as_of=$mid&grace_days=3"
  echo "csv /reports/engagement?as_of=$mid"
  echo "json /reports/workload"
  echo "json /reports/workload?as_of=$mid"
  echo "csv /reports/workload?as_of=$mid"
  for s in $schools; do
    echo "json /reports/kpis?school=$s&year=$y"
    echo "csv /reports/kpis?school=$s&year=$y&as_of=$mid"
    echo "json /reports/engagement?school=$s"
    echo "json /reports/engagement?school=$s&as_of=$mid"
    echo "json /reports/workload?school=$s"
    echo "json /reports/workload?school=$s&as_of=$mid"
    echo "json /schools/$s/compliance?as_of=$mid"
    echo "json /schools/$s/compliance?as_of=$mid&limit=1000"
  done
}

# fetch NAME FORMAT PATH OUT: the status, Content-Type and body of one exchange, into OUT.
fetch() {
  local port_var=$1_port accept=application/json
  [ "$2" = csv ] && accept=text/csv
  curl -s -o "$4.body" -w '%{http_code} %{content_type}\n' -H "Authorization: Bearer $token" \
    -H "Accept: $accept" "http://127.0.0.1:${!port_var}$3" >"$4"
  cat "$4.body" >>"$4"
  rm -f "$4.body"
}

n=0
bad=0
while read -r format path; do
  n=$((n + 1))
  fetch old "$format" "$path" "$work/old.$n"
  fetch new "$format" "$path" "$work/new.$n"
  if ! cmp -s "$work/old.$n" "$work/new.$n"; then
    bad=$((bad + 1))
    echo "DIFFERENT: $format $path (old $(head -c 40 "$work/old.$n" | head -n 1), new $(head -c 40 "$work/new.$n" | head -n 1))"
  fi
  rm -f "$work/old.$n" "$work/new.$n"
done < <(requests)
echo "exchanges compared: $n, different: $bad; year $year, as_of $mid and $before; schools: $(echo $schools | wc -w)"
[ "$bad" -eq 0 ]
