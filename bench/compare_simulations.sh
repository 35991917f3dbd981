#!/usr/bin/env bash
# bench/compare_simulations.sh — do two tutord binaries simulate draft policies byte for byte alike?
#
#   bench/compare_simulations.sh OLD_TUTORD NEW_TUTORD DATABASE_URL
#
# Serves both binaries side by side against one database (migrated already: run `NEW_TUTORD migrate` first
# when the new binary brings a migration) and, for every school and every preset policy of sql/presets as the
# draft, asks each for POST /schools/{code}/policy:simulate as of now, with ?as_of=2026-11-15 and with
# ?limit=5. Compares the bodies byte for byte; prints the number of simulations compared and each one that
# differs; exits 1 on any difference, 2 when a server does not start. Settings in the environment reach both
# servers (e.g. TUTORD_REPORT_BATCH_STUDENTS=500, to compare one school in pages against the old whole).
set -euo pipefail
old=$(realpath "${1:?usage: bench/compare_simulations.sh OLD_TUTORD NEW_TUTORD DATABASE_URL}")
new=$(realpath "${2:?usage: bench/compare_simulations.sh OLD_TUTORD NEW_TUTORD DATABASE_URL}")
url=${3:?usage: bench/compare_simulations.sh OLD_TUTORD NEW_TUTORD DATABASE_URL}
presets=$(cd "$(dirname "$0")/../sql/presets" && pwd)
# shellcheck source=bench/lib/side_by_side.sh
. "$(dirname "$0")/lib/side_by_side.sh"
side_by_side compare_simulations 2 "$old" "$new" "$url"
token=$("$new" token --sub COMPARE-SIMULATIONS --roles admin --ttl 3600)
compared=0 different=0
for school in $(psql -X -At -c "SELECT code FROM schools ORDER BY code" "$url"); do
  for preset in "$presets"/*.json; do
    case $preset in *.notes.json) continue ;; esac
    for query in "" "?as_of=2026-11-15" "?limit=5"; do
      for port in "$old_port" "$new_port"; do
        curl -sS -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
          --data "@$preset" -o "$work/body.$port" -w '%{http_code}\n' \
          "http://127.0.0.1:$port/schools/$school/policy:simulate$query" >"$work/status.$port"
      done
      compared=$((compared + 1))
      if ! cmp -s "$work/body.$old_port" "$work/body.$new_port" || ! cmp -s "$work/status.$old_port" "$work/status.$new_port"; then
        different=$((different + 1))
        echo "differs: $school $(basename "$preset") $query"
      fi
    done
  done
done
echo "simulations compared: $compared, different: $different"
[ "$different" -eq 0 ]
