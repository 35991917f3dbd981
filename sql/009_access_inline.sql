-- 009: "may this caller see this student" is now written once in C (ACCESS_VISIBLE in api/access.h) as
-- an inline SQL condition: as a SQL function with EXISTS inside it could not be inlined by the planner,
-- and every student read paid a function call (3.4x slower on GET /students/{n}, measured with pgbench).
DROP FUNCTION tutord_student_visible(text, text, text, boolean, text, text[], text);
