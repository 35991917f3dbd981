/* repo_export.c — the subject access export of a student: one JSON document and its audit row. An admin
 * gets every record (confidential notes without their text); the student themself gets what they may read
 * elsewhere: no confidential note, no concern raised by someone else, and no audit row naming either. */
#include "repo_export.h"

#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "repo_exemptions.h"

/* $1 the student, $2 true when the caller is the student (only what the student may read; their messages'
 * subjects and bodies, which an admin never reads, included). */
#define LIST_OF(expr, table, alias, extra)                                                                             \
    "'" table "', COALESCE((SELECT json_agg(" expr " ORDER BY " alias ".id) FROM " table " " alias " WHERE " alias     \
    ".student_number = s.student_number" extra "), '[]'::json)"

/* Audit row x is about a record /concerns or /notes hides from the student: a confidential note, or a
 * concern someone else raised (a tutor's wellbeing concern about them). Its id alone says such a record
 * exists, so the student's export leaves the row out, as it leaves out the records. */
#define HIDDEN_FROM_STUDENT                                                                                            \
    "(x.entity = 'note' AND EXISTS (SELECT 1 FROM notes n WHERE n.id::text = x.entity_id"                              \
    " AND n.visibility <> 'shared')) OR (x.entity = 'concern' AND NOT EXISTS (SELECT 1 FROM concerns c"                \
    " WHERE c.id::text = x.entity_id AND c.raised_by = s.student_number))"

/* One list per line reads better than any layout clang-format gives these macro-built strings. */
/* clang-format off */
static const char EXPORT_SQL[] =
    "SELECT json_build_object('exported_at', now(), 'student', tutord_student_json(s),"
    LIST_OF("tutord_allocation_json(x)", "allocations", "x", "") ","
    LIST_OF("tutord_change_request_json(x)", "change_requests", "x", "") ","
    LIST_OF("tutord_contact_full_json(x, $2::boolean)", "contacts", "x", "") ","
    LIST_OF("tutord_note_json(x, x.visibility = 'shared', true)", "notes", "x",
            " AND (NOT $2::boolean OR x.visibility = 'shared')") ","
    LIST_OF("tutord_referral_json(x)", "referrals", "x", "") ","
    LIST_OF("tutord_concern_json(x)", "concerns", "x", " AND (NOT $2::boolean OR x.raised_by = s.student_number)") ","
    LIST_OF("json_build_object('at', x.at, 'actor', x.actor, 'action', x.action, 'entity', x.entity,"
            " 'entity_id', x.entity_id)", "audit", "x", " AND (NOT $2::boolean OR NOT (" HIDDEN_FROM_STUDENT "))") ","
    " 'status_history', COALESCE((SELECT json_agg(json_build_object('status', h.status, 'from', h.from_date)"
    "   ORDER BY h.from_date) FROM student_status_history h WHERE h.student_number = s.student_number), '[]'),"
    " 'exemptions', COALESCE((SELECT json_agg(" EXEMPTION_JSON_OBJECT " ORDER BY e.id) FROM student_exemptions e"
    "   WHERE e.student_number = s.student_number), '[]'),"
    " 'feedback_invitations', COALESCE((SELECT json_agg(json_build_object('id', i.id, 'school', i.school, 'year',"
    "   i.year, 'invited_at', i.invited_at) ORDER BY i.id) FROM feedback_invitees fi JOIN feedback_invitations i"
    "   ON i.id = fi.invitation_id WHERE fi.role = 'tutee' AND fi.person = s.student_number), '[]')"
    ")::text FROM students s WHERE s.student_number = $1";
/* clang-format on */

/* uow_work: the document, then the audit row of the export (one transaction). */
enum app_status repo_export_work(struct db_conn *conn, void *ctx)
{
    struct repo_export *x = ctx;
    const char *params[2] = {x->number, x->as_student ? "t" : "f"};
    PGresult *res = NULL;
    free(x->json); /* an earlier attempt's */
    x->json = NULL;
    enum app_status st = db_query(conn, EXPORT_SQL, 2, params, &res, NULL);
    if (st == APP_OK && PQntuples(res) == 0)
        st = APP_NOT_FOUND;
    if (st == APP_OK)
        st = audit_record(conn, x->who, "student.export", "student", x->number, x->number, NULL);
    if (st == APP_OK && !(x->json = strdup(PQgetvalue(res, 0, 0))))
        st = APP_NOMEM;
    PQclear(res);
    return st;
}
