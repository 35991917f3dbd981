/* repo_policies.h — schools' tutoring policies in SQL (sql/007): the document GET /schools/{code}/policy
 * shows, appending a version, and who may act for a school. (The versions the engine judges by are read
 * with each evaluation, api/store/evaluation.c, and cached by row.) */
#ifndef TUTORD_REPO_POLICIES_H
#define TUTORD_REPO_POLICIES_H

#include <jansson.h>

#include "db.h"
#include "principal.h"

/* The school's policy document: the version in force today (else the earliest) with its id, name,
 * effective_from, preset, set_by, set_at and policy, plus "versions" (every version in use, by
 * effective_from). *json and *version (the ETag: the school's latest policy id) are malloc'd.
 * APP_NOT_FOUND when the school has no policy. */
enum app_status repo_policy_get(struct db_conn *conn, const char *school, char **json, char **version);

/* Within a transaction: locks the school's row; *version is the latest policy id (malloc'd) or NULL
 * when it has none. APP_NOT_FOUND when there is no such school. */
enum app_status repo_policy_lock(struct db_conn *conn, const char *school, char **version);

/* Within a transaction: appends a version of the school's policy (a validated policy object; `preset`
 * names the preset it came from, or NULL; `office_hours` the school's arrangement, or NULL), adopted at
 * once: recorded as approved by `who` (sql/016). With a policy.set event and audit row. */
enum app_status repo_policy_insert(struct db_conn *conn, const struct principal *who, const char *school,
                                   const char *preset, const json_t *policy, const char *office_hours,
                                   struct db_error *err);

/* May `who` act for the school (its policy, its compliance)? APP_OK for an admin or a senior tutor of
 * it (the token's schools, else their staff record's school); APP_FORBIDDEN otherwise; APP_NOT_FOUND
 * when there is no such school. */
enum app_status repo_school_authority(struct db_conn *conn, const struct principal *who, const char *school);

/* The school's approved version in force today (none before the first takes effect) as JSON (malloc'd):
 * {"school", "school_name", "policy": {id, name, effective_from, approved_by, approved_at}, "office_hours",
 * "document": the policy}. APP_NOT_FOUND when the school does not exist or has no version in force. */
enum app_status repo_policy_in_force(struct db_conn *conn, const char *school, char **json);

/* Is `who` a member of the school: a student of it (or of it as partner school), a staff member of it, a
 * senior tutor acting for it, an admin or the Dean? APP_OK, APP_FORBIDDEN, or APP_NOT_FOUND when there is
 * no such school. */
enum app_status repo_school_member(struct db_conn *conn, const struct principal *who, const char *school);

/* ---- policy drafts (sql/016): proposed by a senior tutor, approved by the Dean ---------------------------- */

/* A draft's identity and state, read under a row lock. */
struct draft_head {
    char id[24], school[20], status[12], version[24];
};

/* Within a transaction: locks draft `id` (decimal text) and fills *out. APP_NOT_FOUND when there is none. */
enum app_status repo_draft_lock(struct db_conn *conn, const char *id, struct draft_head *out);

/* Draft `id` as JSON (tutord_policy_draft_json, malloc'd) with its school; APP_NOT_FOUND when absent. */
enum app_status repo_draft_get(struct db_conn *conn, const char *id, char **json, char school[20]);

/* The school's drafts, newest first, as {"items": [...], "next_cursor": null} (malloc'd); `status` filters
 * (NULL: all). */
enum app_status repo_draft_list(struct db_conn *conn, const char *school, const char *status, char **json);

/* Within a transaction: a new draft of the school's policy proposed by `who`; *id receives its id (malloc'd). */
enum app_status repo_draft_insert(struct db_conn *conn, const struct principal *who, const char *school,
                                  const char *preset, const json_t *policy, const char *office_hours, char **id,
                                  struct db_error *err);

/* Within a transaction: replaces draft `id`'s policy (it is back to `draft`, its decision cleared). */
enum app_status repo_draft_revise(struct db_conn *conn, const char *id, const char *preset, const json_t *policy,
                                  const char *office_hours, struct db_error *err);

/* Within a transaction: moves draft `id` to `to` ("submitted" or "returned", with the decider and comment
 * when returned). */
enum app_status repo_draft_move(struct db_conn *conn, const char *id, const char *to, const struct principal *who,
                                const char *comment);

/* Within a transaction: approves submitted draft `id`: appends it to school_policies as a version set by its
 * proposer and approved by `who` (so it binds from its effective_from), with the policy.set event and
 * audit row PUT writes. */
enum app_status repo_draft_approve(struct db_conn *conn, const char *id, const struct principal *who,
                                   const char *comment);

/* Where a policy adoption stopped: the school's lock (404), If-Match, the insert (the database's refusal
 * in `err`). */
enum policy_stage { POLICY_LOCK = 0, POLICY_IF_MATCH, POLICY_WRITE };

/* An adoption by `who` of `policy` (validated; from `preset` or NULL, with `office_hours` or NULL) for
 * school `code`. On APP_OK `json` and `version` (malloc'd) are the school's policy; otherwise `stage`
 * says where it stopped and `locked_version` is what If-Match was compared with. The caller frees the
 * three strings. */
struct policy_write {
    const struct principal *who;
    const char *code, *preset, *office_hours;
    const json_t *policy;
    const char *if_match;
    enum policy_stage stage;
    char *locked_version, *json, *version;
    struct db_error err;
};

/* uow_work: repo_policy_lock, If-Match (APP_PRECONDITION_FAILED), repo_policy_insert, the policy read
 * back. Safe to run again. */
enum app_status repo_policy_put_work(struct db_conn *conn, void *work);

#endif
