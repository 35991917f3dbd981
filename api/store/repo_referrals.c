/* repo_referrals.c — referrals: list, make, move on; audit alongside. */
#include "repo_referrals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "page_query.h"
#include "repo_pastoral.h"
#include "repo_row.h"
#include "wire.h"

static const char LIST_SQL[] =
    "SELECT tutord_referral_json(r)::text, r.id::text FROM referrals r WHERE r.student_number = $1"
    " AND ($2::text IS NULL OR r.status = $2) AND ($3::text IS NULL OR r.service = $3)"
    " AND ($4::bigint IS NULL OR r.id > $4::bigint) ORDER BY r.id LIMIT $5";

static const char INSERT_SQL[] =
    "INSERT INTO referrals AS r (student_number, service, detail, status, referred_by, updated_by)"
    " VALUES ($1, $2, COALESCE($3, ''), COALESCE($4, 'suggested'), $5, $5)"
    " RETURNING tutord_referral_json(r)::text, r.version::text, r.id::text";

static const char LOCK_SQL[] = "SELECT student_number, version::text FROM referrals WHERE id = $1::bigint FOR UPDATE";

static const char UPDATE_SQL[] =
    "UPDATE referrals r SET detail = COALESCE($2, r.detail), status = COALESCE($3, r.status),"
    " updated_by = $4, updated_at = now(), version = r.version + 1"
    " WHERE r.id = $1::bigint RETURNING tutord_referral_json(r)::text, r.version::text";

enum app_status repo_referral_list(struct db_conn *conn, const struct principal *who, const struct referral_filter *f,
                                   struct page_rows *out)
{
    const char *params[5] = {f->student, f->status, f->service, f->after, NULL};
    struct student_reach reach;
    enum app_status st = repo_reach_of(conn, f->student, who, &reach);
    return st == APP_OK ? page_query(conn, LIST_SQL, 5, params, f->limit, NULL, NULL, out) : st;
}

/* Forgets an earlier attempt's outputs (rolled back) before a fresh one. */
static void reset(struct referral_write *w)
{
    free(w->json), free(w->version), free(w->locked_version);
    w->json = w->version = w->locked_version = NULL;
    w->stage = REFERRAL_REACH;
    memset(&w->err, 0, sizeof(w->err));
}

/* The caller's right on `student`: one of their tutors or senior tutors. */
static enum app_status staff_reach(struct db_conn *conn, const struct principal *who, const char *student)
{
    struct student_reach reach;
    enum app_status st = repo_reach_of(conn, student, who, &reach);
    return st == APP_OK && !repo_reach_staff(&reach) ? APP_FORBIDDEN : st;
}

/* Runs the insert or update `sql` (rows: json, version[, id]) and audits `action` on referral `id`. */
static enum app_status write_audited(struct db_conn *conn, struct referral_write *w, const char *sql, int n,
                                     const char *const *params, const char *action, const char *student)
{
    char *id = NULL;
    w->stage = REFERRAL_WRITE;
    enum app_status st =
        repo_row(conn, sql, n, params, &w->err, (char **const[]){&w->json, &w->version, &id}, w->id ? 2 : 3);
    if (st == APP_OK)
        st = audit_record(conn, w->who, action, "referral", w->id ? w->id : id, student, NULL);
    free(id);
    return st;
}

enum app_status repo_referral_create_work(struct db_conn *conn, void *work)
{
    struct referral_write *w = work;
    reset(w);
    enum app_status st = staff_reach(conn, w->who, w->student);
    if (st == APP_OK && w->body_invalid)
        w->stage = REFERRAL_BODY, st = APP_INVALID;
    const char *params[5] = {w->student, w->service, w->detail, w->status, w->who->sub};
    if (st == APP_OK)
        st = write_audited(conn, w, INSERT_SQL, 5, params, "referral.create", w->student);
    return st;
}

enum app_status repo_referral_update_work(struct db_conn *conn, void *work)
{
    struct referral_write *w = work;
    reset(w);
    char *student = NULL;
    const char *lock[1] = {w->id};
    enum app_status st = page_is_row_id(w->id) ? APP_OK : APP_NOT_FOUND;
    if (st == APP_OK)
        st = repo_row(conn, LOCK_SQL, 1, lock, NULL, (char **const[]){&student, &w->locked_version}, 2);
    if (st == APP_OK)
        st = staff_reach(conn, w->who, student);
    if (st == APP_OK && wire_if_match(w->if_match, w->locked_version) != 1)
        w->stage = REFERRAL_IF_MATCH, st = APP_PRECONDITION_FAILED;
    if (st == APP_OK && w->body_invalid)
        w->stage = REFERRAL_BODY, st = APP_INVALID;
    const char *params[4] = {w->id, w->detail, w->status, w->who->sub};
    if (st == APP_OK)
        st = write_audited(conn, w, UPDATE_SQL, 4, params, "referral.update", student);
    free(student);
    return st;
}
