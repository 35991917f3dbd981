#!/usr/bin/env bash
# bench/student_get_identity.sh — is the new student_get byte-identical to the old one?
#
#   bench/student_get_identity.sh DATABASE_URL [OLD_SQL_FILE] [CASES]
#
# Runs the old single-student statement (OLD_SQL_FILE, default bench/results/student_get_before.sql: the
# six-parameter statement as it was before the plan fix) and tutord's current ones, routed as
# repo_student_get routes them (sees-all → student_get_all, everyone else → student_get), for CASES
# (default 200) students with a personal tutor in force (every third given three more statuses, inserted
# newest first, in a transaction rolled back at the end), each read by six scopes: an admin, the personal
# tutor, the student themself, a senior tutor of the student's school (by the token's schools claim, and
# by their staff record), and a tutor who is not theirs (no row). The old statement runs with the old
# tutord_senior_schools, the new with the new (student_get_function.sh; the new one stays installed).
# Every statement runs as a named prepared statement more than five times, so both the custom and the
# generic plans answer. Prints the number of rows compared and the diff (empty when identical);
# exits 1 on any difference. Needs a loaded database (bench/gen/gen) and bench_statement_sql, built in
# build-bench/ (or STATEMENT_SQL=path).
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
url=${1:?usage: bench/student_get_identity.sh DATABASE_URL [OLD_SQL_FILE] [CASES]}
old_sql=${2:-$bench/results/student_get_before.sql}
cases=${3:-200}
statement_sql=${STATEMENT_SQL:-$(dirname "$bench")/build-bench/bench/bench_statement_sql}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Prints a psql script that prepares the statements and runs every (student, scope) case; $1 is "old" or
# "new": which statements answer.
cases_script() {
  cat <<SQL
\\set ON_ERROR_STOP on
\\pset format unaligned
\\pset tuples_only on
PREPARE old_get(text, text, text, text, text, text) AS $(cat "$old_sql");
PREPARE new_get(text, text, text, text, text, text) AS $("$statement_sql" student_get);
PREPARE new_all(text) AS $("$statement_sql" student_get_all);
CREATE TEMP TABLE cases AS
  SELECT row_number() OVER (ORDER BY a.student_number) AS n, a.student_number AS student, a.staff_number AS tutor,
         st.school, (SELECT min(staff_number) FROM staff WHERE school = st.school) AS senior
    FROM allocations a JOIN students st USING (student_number)
   WHERE a.kind = 'personal' AND a.period @> current_date
     AND substr(a.student_number, 2)::int % greatest((SELECT count(*) FROM students) / $cases, 1) = 7
   ORDER BY a.student_number LIMIT $cases;
CREATE TEMP TABLE scoped AS
  SELECT n, student, 'admin' AS scope, 't' AS all_, NULL AS self, '{}' AS schools, NULL AS senior_, NULL AS tutor_
    FROM cases
  UNION ALL SELECT n, student, 'tutor', 'f', NULL, '{}', NULL, tutor FROM cases
  UNION ALL SELECT n, student, 'student', 'f', student, '{}', NULL, NULL FROM cases
  UNION ALL SELECT n, student, 'senior', 'f', NULL, '{' || school || '}', senior, senior FROM cases
  UNION ALL SELECT n, student, 'senior_by_staff_record', 'f', NULL, '{}', senior, senior FROM cases
  UNION ALL SELECT n, student, 'stranger', 'f', NULL, '{}', NULL, 'T-NOBODY' FROM cases;
BEGIN;
-- every third student gets three more statuses, written newest first (rolled back at the end)
INSERT INTO student_status_history (student_number, from_date, status)
SELECT c.student, st.registered_on + d.k * 100, d.status
  FROM cases c JOIN students st ON st.student_number = c.student,
       (VALUES (3, 'completed'), (2, 'suspended'), (1, 'placement')) d (k, status)
 WHERE c.n % 3 = 0 ORDER BY c.n, d.k DESC
    ON CONFLICT DO NOTHING;
-- written to the history table directly, so its copy on the student's row is rewritten too (sql/024)
UPDATE students s SET status_history = tutord_status_history_text(s.student_number)
 WHERE s.student_number IN (SELECT student FROM cases WHERE n % 3 = 0);
SELECT format('SELECT %L', 'case ' || student || ' ' || scope),
       CASE WHEN '$1' = 'new' AND all_ = 't' THEN format('EXECUTE new_all(%L)', student)
            ELSE format('EXECUTE %s_get(%L, %L, %L, %L, %L, %L)', '$1', student, all_, self, schools, senior_, tutor_)
       END
  FROM scoped ORDER BY n, scope \\gexec
ROLLBACK;
SQL
}

for which in old new; do
  "$bench/student_get_function.sh" "$which" | psql -X -q -v ON_ERROR_STOP=1 "$url"
  cases_script "$which" >"$work/$which.sql"
  psql -X -q -f "$work/$which.sql" "$url" >"$work/$which.out"
done
echo "cases: $(grep -c '^case ' "$work/old.out") (students × scopes), rows returned: $(grep -vc '^case ' "$work/old.out")"
if diff "$work/old.out" "$work/new.out"; then
  echo "identical: $(sha256sum <"$work/new.out" | cut -c1-16)"
else
  echo "DIFFERENT" >&2
  exit 1
fi
