#!/usr/bin/env bash
# tests/scripts/readme-config.sh SOURCE_DIR — the README's configuration table names every variable tutord
# reads (the settings tables of api/app/config.c) and no variable tutord does not read.
set -euo pipefail
src=${1:?source directory}
read_by_tutord=$(grep -o '{"TUTORD_[A-Z0-9_]*"' "$src/api/app/config.c" | tr -d '{"' | sort -u)
table=$(sed -n '/^## Configuration/,/^## /p' "$src/README.md")
missing=0
for v in $read_by_tutord; do
  # a row names it whole, or as a family ("TUTORD_RATE_READS_PER_SUB / _WRITES_ / _HEAVY_")
  family=$(sed -E 's/_(READS|WRITES|HEAVY)_/_READS_/' <<<"$v")
  if ! grep -q "\`$v\`" <<<"$table" && ! grep -q "\`$family\` / \`_WRITES_\` / \`_HEAVY_\`" <<<"$table"; then
    echo "README: the configuration table does not name $v" >&2
    missing=1
  fi
done
for v in $(grep -o '^| `TUTORD_[A-Z0-9_]*`' <<<"$table" | tr -d '|` ' | sort -u); do
  if ! grep -qx "$v" <<<"$read_by_tutord" && ! grep -q "\"$v\"\|$v" "$src/scripts/dev"; then
    echo "README: the configuration table names $v, which neither tutord nor scripts/dev reads" >&2
    missing=1
  fi
done
[ "$missing" = 0 ] && echo "readme-config: $(wc -w <<<"$read_by_tutord") variables, all in the README's table"
exit "$missing"
