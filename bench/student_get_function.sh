#!/usr/bin/env bash
# bench/student_get_function.sh — prints tutord_senior_schools as it was before the student_get plan fix
# (`old`: sql/002's definition) or after it (`new`: sql/019's), as CREATE OR REPLACE statements that can be
# applied to a loaded bench database again and again. Used by student_get_identity.sh and
# student_get_plan.sh to run the old and the new statement each with its own function.
#
#   bench/student_get_function.sh old|new | psql URL
set -euo pipefail
root=$(dirname "$(cd "$(dirname "$0")" && pwd)")
case ${1:?usage: bench/student_get_function.sh old|new} in
  old) sed -n '/^CREATE FUNCTION tutord_senior_schools/,/^\$\$;/p' "$root/sql/002_allocations_events.sql" ;;
  new) cat "$root/sql/019_student_get_plan.sql" ;;
  *) echo "usage: bench/student_get_function.sh old|new" >&2; exit 2 ;;
esac | sed 's/^CREATE FUNCTION/CREATE OR REPLACE FUNCTION/'
