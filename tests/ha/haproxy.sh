#!/usr/bin/env bash
# tests/ha/haproxy.sh — tutord is stateless: two `tutord serve` on one database behind HAProxy (health check
# GET /healthz every 200 ms, fall 2). wrk loads GET /schools/{code} through HAProxy; one tutord is killed
# with SIGKILL mid-run. Passes when only requests in flight at the kill failed (errors <= 2 x wrk's connections,
# see below),
# HAProxy marks the dead server DOWN, a second wrk run afterwards has no error at all, and a write made
# through one instance reads back through the other. Prints the figures.
# Environment (set by CTest): TUTORD_BIN, TUTORD_TEST_DB_URL_FILE, TUTORD_HA_WORK, HAPROXY, WRK.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${TUTORD_HA_WORK:?}
rm -rf "$work" && mkdir -p "$work"
# shellcheck source=lib.sh
source "$here/lib.sh"

connections=8
url=$(cat "${TUTORD_TEST_DB_URL_FILE:?}")
port_a=$(free_port) port_b=$(free_port) port_lb=$(free_port) port_stats=$(free_port)
start_tutord a "$port_a" TUTORD_DATABASE_URL="$url"
start_tutord b "$port_b" TUTORD_DATABASE_URL="$url"
admin=$(token HA1 admin)
auth=(-H "Authorization: Bearer $admin")

# A write through one instance is read back through the other.
school="HA$(date +%s%N | tail -c 9)"
status=$(curl -sS -o /dev/null -w '%{http_code}' -X PUT "${auth[@]}" -H 'Content-Type: application/json' \
  --data '{"name":"Stateless School"}' "http://127.0.0.1:$port_a/schools/$school")
[ "$status" = 201 ] || fail "PUT /schools/$school through tutord a answered $status"
name=$(curl -fsS "${auth[@]}" "http://127.0.0.1:$port_b/schools/$school" | python3 -c 'import json,sys; print(json.load(sys.stdin)["name"])')
[ "$name" = "Stateless School" ] || fail "tutord b read '$name' for the school tutord a wrote"
echo "write through a (port $port_a), read back through b (port $port_b): ok"

sed -e "s/@LB@/$port_lb/; s/@STATS@/$port_stats/; s/@A@/$port_a/; s/@B@/$port_b/" \
  "$here/haproxy.cfg.in" >"$work/haproxy.cfg"
"$HAPROXY" -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 &
pids+=($!)

# The status ("UP", "DOWN", ...) and sessions served of server $1 in HAProxy's CSV statistics.
server_field() { # server_field NAME COLUMN
  curl -fsS --max-time 2 "http://127.0.0.1:$port_stats/stats;csv" |
    awk -F, -v s="$1" -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col || $i == "# " col) c = i }
                                    $1 == "tutord" && $2 == s { print $c }'
}
both_up() { [ "$(server_field a status)" = UP ] && [ "$(server_field b status)" = UP ]; }
a_served_some() { [ "$(server_field a stot)" -ge 200 ]; }
a_down() { [ "$(server_field a status)" = DOWN ]; }
await 30 "HAProxy to see both servers UP" both_up

# wrk_run SECONDS OUT: GET /schools/{code} through HAProxy with the admin token; the script's summary
# line ("FIGURES requests=N status=N connect=N read=N write=N timeout=N") goes to OUT.
wrk_run() {
  TOKEN=$admin "$WRK" -t2 -c"$connections" -d"$1"s --timeout 5s -s "$here/wrk_auth.lua" \
    "http://127.0.0.1:$port_lb/schools/$school" >"$2" 2>&1
}
figure() { sed -n 's/.*FIGURES.* '"$2"'=\([0-9]*\).*/\1/p' "$1"; }
errors_of() { echo $(($(figure "$1" status) + $(figure "$1" connect) + $(figure "$1" read) + $(figure "$1" write) + $(figure "$1" timeout))); }

wrk_run 8 "$work/wrk-kill.txt" &
wrk_pid=$!
pids+=("$wrk_pid")
await 20 "tutord a to serve 200 requests under load" a_served_some
kill -KILL "$pid_a"
echo "tutord a (pid $pid_a) killed with SIGKILL after $(server_field a stot) requests"
await 10 "HAProxy to mark the killed server DOWN" a_down
echo "HAProxy: server a $(server_field a status) (check: $(server_field a check_status)), server b $(server_field b status)"
wait "$wrk_pid" || fail "wrk (first run) failed: $(cat "$work/wrk-kill.txt")"
grep -q FIGURES "$work/wrk-kill.txt" || fail "no figures from wrk: $(cat "$work/wrk-kill.txt")"
grep -q "Server tutord/a is DOWN" "$work/haproxy.log" || fail "HAProxy's log does not say a is DOWN"

wrk_run 3 "$work/wrk-after.txt" || fail "wrk (second run) failed: $(cat "$work/wrk-after.txt")"
kill_requests=$(figure "$work/wrk-kill.txt" requests) kill_errors=$(errors_of "$work/wrk-kill.txt")
after_requests=$(figure "$work/wrk-after.txt" requests) after_errors=$(errors_of "$work/wrk-after.txt")
echo "run with the kill: $kill_requests requests, $kill_errors errors ($(grep FIGURES "$work/wrk-kill.txt"))"
echo "run after DOWN:    $after_requests requests, $after_errors errors ($(grep FIGURES "$work/wrk-after.txt"))"
for s in a b; do
  echo "HAProxy server $s: $(for c in status stot eresp cli_abrt srv_abrt wretr wredis hrsp_5xx; do printf '%s=%s ' "$c" "$(server_field "$s" "$c")"; done)"
done
# In flight at the kill: each of wrk's connections has one request outstanding, and a SIGKILLed process's
# listening socket lives on until the kernel has torn the process down (ms), so a connection whose request
# failed may have its next one accepted into that backlog and reset too: at most two per connection. Every
# failure is on the killed server: HAProxy counts none on the survivor.
[ "$kill_errors" -le $((2 * connections)) ] ||
  fail "$kill_errors requests failed, more than the 2 x $connections that can be in flight at the kill"
[ "$(server_field b eresp)" = 0 ] && [ "$(server_field b srv_abrt)" = 0 ] || fail "requests failed on server b"
[ "$after_requests" -gt 0 ] || fail "the second run made no request"
[ "$after_errors" -eq 0 ] || fail "$after_errors requests failed after the dead server was taken out"
echo "PASS"
