#!/bin/bash
# deploy/db-init.sh — /docker-entrypoint-initdb.d script of the postgres:15 container (runs once, on an empty
# data volume, as the postgres user): creates the roles and database of db-roles.sql with the passwords taken
# from the Docker secrets, and lets the replication role stream WAL to the replica.
set -euo pipefail
# The password inside a postgresql://user:password@host/db URL file.
password_of() { sed -n 's|^postgresql://[^:/@]*:\([^@]*\)@.*|\1|p' "$1"; }
owner_pw=$(password_of /run/secrets/owner_db_url)
app_pw=$(password_of /run/secrets/app_db_url)
repl_pw=$(head -n 1 /run/secrets/replication_password)
[ -n "$owner_pw" ] && [ -n "$app_pw" ] && [ -n "$repl_pw" ] || {
  echo "db-init: owner_db_url and app_db_url must hold postgresql://user:password@host/db, replication_password a password" >&2
  exit 1
}
psql --username "$POSTGRES_USER" --dbname postgres -v owner_pw="$owner_pw" -v app_pw="$app_pw" \
  -v repl_pw="$repl_pw" -f /docker-entrypoint-initdb.d/db-roles.sql
echo "host replication replicator all scram-sha-256" >>"$PGDATA/pg_hba.conf"
