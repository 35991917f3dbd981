#!/bin/bash
# deploy/replica-entrypoint.sh — the read replica's entrypoint in the postgres:15 image (started as root):
# on an empty data volume, clones the primary ($PRIMARY_HOST) with pg_basebackup -R as the replication role,
# then runs PostgreSQL as a hot standby that follows it. The password comes from the replication_password
# secret; pg_basebackup -R keeps it in the replica's own (0600) postgresql.auto.conf to reconnect.
set -euo pipefail
export PGDATA=${PGDATA:-/var/lib/postgresql/data}
primary=${PRIMARY_HOST:?set PRIMARY_HOST to the primary's host name}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA" && chown postgres:postgres "$PGDATA" && chmod 700 "$PGDATA"
  until gosu postgres pg_isready -q -h "$primary" -p 5432; do sleep 1; done
  PGPASSWORD=$(head -n 1 /run/secrets/replication_password) gosu postgres \
    pg_basebackup -h "$primary" -p 5432 -U replicator -D "$PGDATA" -R -X stream -c fast
fi
# hot_standby_feedback: a long report on the replica is not cancelled by the primary vacuuming rows it reads
exec gosu postgres postgres -D "$PGDATA" -c hot_standby=on -c hot_standby_feedback=on
