#!/usr/bin/env bash
# tests/ha/roles.sh — the least-privilege database roles of the Docker deployment (deploy/db-roles.sql) work:
# on a fresh cluster, `tutord migrate` as the owner (no superuser, no CREATEROLE), `tutord serve` as
# tutord_web acting as tutord_app (a write and its audit row, a read, /readyz), and tutord_web on its own
# (without the role) reads nothing, tutord_app cannot rewrite the audit trail, and the replication role
# cannot read the data.
# Environment (set by CTest): TUTORD_BIN, TUTORD_HA_WORK, TUTORD_PG_CLUSTER.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${TUTORD_HA_WORK:?}
# shellcheck source=lib.sh
source "$here/lib.sh"
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

[ -d "$work" ] && { "$TUTORD_PG_CLUSTER" stop "$work/pg" || true; }
rm -rf "$work" && mkdir -p "$work"
cleanups+=("'$TUTORD_PG_CLUSTER' stop '$work/pg'")
super_url=$("$TUTORD_PG_CLUSTER" start "$work/pg" | sed 's|/tutord?|/postgres?|')
url_as() { echo "$super_url" | sed "s|/postgres?|/tutord?|; s|user=postgres|user=$1|"; }
psql_as() { local who=$1; shift; "$pgbin/psql" -X -Atq "$(url_as "$who")" "$@"; }
"$pgbin/psql" -X -q "$super_url" -c "DROP DATABASE tutord" >/dev/null
"$pgbin/psql" -X -q "$super_url" -v owner_pw=o -v app_pw=a -v repl_pw=r -f "$here/../../deploy/db-roles.sql" >/dev/null ||
  fail "deploy/db-roles.sql failed"

TUTORD_DATABASE_URL=$(url_as tutord_owner) "$TUTORD_BIN" migrate >"$work/migrate.log" 2>&1 ||
  fail "migrate as tutord_owner: $(tail -n 5 "$work/migrate.log")"
echo "migrated as tutord_owner (not a superuser)"

port=$(free_port)
start_tutord web "$port" TUTORD_DATABASE_URL="$(url_as tutord_web)" TUTORD_DB_ROLE=tutord_app
admin=$(token RL1 admin)
ready=$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")
[ "$ready" = 200 ] || fail "/readyz answered $ready as tutord_web"
status=$(curl -sS -o "$work/put.json" -w '%{http_code}' -X PUT -H "Authorization: Bearer $admin" \
  -H 'Content-Type: application/json' --data '{"name":"Least Privilege School"}' "http://127.0.0.1:$port/schools/LPS")
[ "$status" = 201 ] || fail "PUT /schools/LPS as tutord_web answered $status: $(cat "$work/put.json")"
status=$(curl -sS -o "$work/put.json" -w '%{http_code}' -X PUT -H "Authorization: Bearer $admin" \
  -H 'Content-Type: application/json' --data '{"name":"Ada Least","email":"ada@uni.example","school":"LPS"}' \
  "http://127.0.0.1:$port/tutors/LP1")
[ "$status" = 201 ] || fail "PUT /tutors/LP1 as tutord_web answered $status: $(cat "$work/put.json")"
status=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/tutors/LP1")
[ "$status" = 200 ] || fail "GET /tutors/LP1 as tutord_web answered $status"
[ "$(psql_as tutord_owner -c "SELECT count(*) FROM audit WHERE entity_id = 'LP1' AND action = 'staff.upsert'")" = 1 ] ||
  fail "the tutor's write left no audit row"
echo "served as tutord_web acting as tutord_app: readyz 200, a school and a tutor written (audited) and read"

# refused ROLE SQL: the statement must fail with "permission denied" when run as ROLE.
refused() {
  if psql_as "$1" -c "$2" >"$work/refused.txt" 2>&1; then fail "$1 was allowed: $2"; fi
  grep -q "permission denied\|is append-only" "$work/refused.txt" || fail "$1: $2 failed otherwise: $(cat "$work/refused.txt")"
}
refused tutord_web "SELECT count(*) FROM schools"
refused tutord_web "SET ROLE tutord_app; UPDATE audit SET actor = 'x'"
refused tutord_web "SET ROLE tutord_app; DELETE FROM audit"
refused replicator "SELECT count(*) FROM schools"
psql_as tutord_web -c "SET ROLE tutord_app; CREATE TEMP TABLE staging (i int)" >/dev/null ||
  fail "tutord_app cannot create the imports' temporary table"
echo "tutord_web alone reads nothing; tutord_app cannot rewrite the audit trail; replicator reads no data"
echo "PASS"
