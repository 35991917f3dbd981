/* repo_policies.h — schools' tutoring policies in SQL (sql/007): versions for the engine, the document
 * GET /schools/{code}/policy shows, appending a version, and who may act for a school. */
#ifndef TUTORD_REPO_POLICIES_H
#define TUTORD_REPO_POLICIES_H

#include <jansson.h>

#include "auth.h"
#include "db.h"

/* Called once per policy version, by school then effective_from ascending: `text` is the policy JSON.
 * Returns 0 to go on, non-zero to stop with APP_NOMEM. */
typedef int (*policy_version_fn)(void *arg, const char *school, const char *text);

/* The versions in force (one per effective_from, the last set) of every school in `schools` (a
 * PostgreSQL text array literal), in one query. */
enum app_status repo_policy_versions(struct db_conn *conn, const char *schools, policy_version_fn fn, void *arg);

/* The school's policy document: the version in force today (else the earliest) with its id, name,
 * effective_from, preset, set_by, set_at and policy, plus "versions" (every version in use, by
 * effective_from). *json and *version (the ETag: the school's latest policy id) are malloc'd.
 * APP_NOT_FOUND when the school has no policy. */
enum app_status repo_policy_get(struct db_conn *conn, const char *school, char **json, char **version);

/* Within a transaction: locks the school's row; *version is the latest policy id (malloc'd) or NULL
 * when it has none. APP_NOT_FOUND when there is no such school. */
enum app_status repo_policy_lock(struct db_conn *conn, const char *school, char **version);

/* Within a transaction: appends a version of the school's policy (a validated policy object; `preset`
 * names the preset it came from, or NULL), with a policy.set event and audit row. */
enum app_status repo_policy_insert(struct db_conn *conn, const struct principal *who, const char *school,
                                   const char *preset, const json_t *policy, struct db_error *err);

/* May `who` act for the school (its policy, its compliance)? APP_OK for an admin or a senior tutor of
 * it (the token's schools, else their staff record's school); APP_FORBIDDEN otherwise; APP_NOT_FOUND
 * when there is no such school. */
enum app_status repo_school_authority(struct db_conn *conn, const struct principal *who, const char *school);

#endif
