#!/bin/bash
# deploy/make-secrets.sh [DIR] — writes the secret files docker-compose.yml reads (default ./secrets), each
# with a fresh random value (hex, so safe inside a URL). Existing files are kept. Keep DIR out of git.
set -euo pipefail
dir=${1:-secrets}
mkdir -p "$dir"
rand() { od -An -N24 -tx1 /dev/urandom | tr -d ' \n'; }
# put NAME VALUE: writes $dir/NAME unless it exists. The files are world-readable because Compose mounts
# file secrets as they are and the containers' users (tutord, postgres) are not the owner; the folder
# itself is the owner's only (0700), which is what keeps them private on the host.
put() { [ -e "$dir/$1" ] || printf '%s\n' "$2" >"$dir/$1"; chmod 644 "$dir/$1"; }
put postgres_password "$(rand)"
put replication_password "$(rand)"
put owner_db_url "postgresql://tutord_owner:$(rand)@db:5432/tutord"
put app_db_url "postgresql://tutord_web:$(rand)@db:5432/tutord"
put read_db_url "$(sed 's|@db:|@replica:|' "$dir/app_db_url")" # the same role, on the replica
put jwt_secret "$(rand)$(rand)"
chmod 700 "$dir"
echo "secrets in $dir: $(ls "$dir" | tr '\n' ' ')"
