/* repo_referrals.h — referrals in SQL: a student's page, making one and moving one on, each write with
 * its audit row (referral.create / referral.update). The write functions are uow_work functions: run
 * them through uow_run. */
#ifndef TUTORD_REPO_REFERRALS_H
#define TUTORD_REPO_REFERRALS_H

#include "db.h"
#include "page_query.h"
#include "principal.h"
#include "strbuf.h"

/* A student's referrals to read: filters (NULL: none), keyset position and page size. */
struct referral_filter {
    const char *student, *status, *service;
    const char *after; /* ids greater than this; NULL for the first page */
    int limit;
};

/* One page of the student's referrals, oldest first, in *out (page_query);
 * APP_NOT_FOUND when the student does not exist or `who` may not see them. */
enum app_status repo_referral_list(struct db_conn *conn, const struct principal *who, const struct referral_filter *f,
                                   struct page_rows *out);

/* Where a referral write stopped: finding the student or referral and the caller's right on it (404,
 * 403), If-Match against its version, the body's own faults (checked by the caller, answered only
 * after the two before), the write itself (the database's refusal in `err`). */
enum referral_stage { REFERRAL_REACH = 0, REFERRAL_IF_MATCH, REFERRAL_BODY, REFERRAL_WRITE };

/* One referral write for repo_referral_create_work / repo_referral_update_work. Inputs borrowed. On
 * APP_OK `json` and `version` are the referral and its new version (malloc'd; the caller frees them);
 * otherwise `stage` says where it stopped and, for an update, `locked_version` (malloc'd or NULL) is the
 * version If-Match was compared with. */
struct referral_write {
    const struct principal *who;
    const char *student;                   /* create: the path's student number */
    const char *id;                        /* update: the referral */
    const char *service, *detail, *status; /* the body's fields, NULL when absent */
    const char *if_match;                  /* update: the If-Match header, or NULL */
    int body_invalid;                      /* the caller found the body invalid */
    enum referral_stage stage;
    char *json, *version, *locked_version;
    struct db_error err;
};

/* uow_work: the caller must be one of the student's tutors or senior tutors (APP_NOT_FOUND for a
 * student not there for them, APP_FORBIDDEN), then APP_INVALID when body_invalid, then the insert
 * (status "suggested" unless given) and its audit row. Safe to run again. */
enum app_status repo_referral_create_work(struct db_conn *conn, void *work);

/* uow_work: locks the referral (APP_NOT_FOUND when absent or its student hidden; APP_FORBIDDEN unless
 * one of the student's tutors or senior tutors), APP_PRECONDITION_FAILED when If-Match does not match
 * (or is malformed), APP_INVALID when body_invalid, then updates detail and status and audits it. Safe
 * to run again. */
enum app_status repo_referral_update_work(struct db_conn *conn, void *work);

#endif
