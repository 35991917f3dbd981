/* governance.h — the approval lifecycle a school's policy drafts and annual report analyses share
 * (sql/016): draft → submitted → approved | returned, a returned document revised back to draft.
 * The Leicester Code of Practice has each school's approach "documented and shared with the Dean of
 * Personal Tutoring for approval" and its annual report "approved" before it is considered; the Dean
 * (role `dean`, institution-wide; an admin may act as Dean) decides. */
#ifndef TUTORD_GOVERNANCE_H
#define TUTORD_GOVERNANCE_H

#include <jansson.h>

#include "db.h"
#include "principal.h"

/* True when `who` may approve or return a submitted document: the Dean of Personal Tutoring or an admin. */
int governance_is_dean(const struct principal *who);

/* The principal institution-wide reads are made as: the Dean reads every school as an admin does (reports,
 * simulations); anyone else as themselves. */
struct principal governance_reader(const struct principal *who);

/* Reads a decision body {"decision": "approved"|"returned", "comment": text}: a comment (1..2000
 * characters) is required to return, optional to approve; nothing else is allowed. Returns 0 with
 * *to_status ("approved"/"returned", static) and *comment (borrowed from body, may be NULL), or -1
 * after adding every problem to `errors`. */
int governance_read_decision(const json_t *body, const char **to_status, const char **comment, json_t *errors);

/* One transition of document `id` of kind `entity` ("policy_draft" or "annual_report") from `from`
 * (NULL for its creation) to `to`, in the caller's transaction: the transitions row, an audit row
 * "<entity>.<to>" and the event of the same kind about `subject` (the school), both carrying `json` (the
 * document, borrowed JSON text). Returns APP_OK or the database failure (APP_NOMEM when json is bad). */
enum app_status governance_record(struct db_conn *conn, const struct principal *who, const char *entity, const char *id,
                                  const char *from, const char *to, const char *comment, const char *subject,
                                  const char *json);

#endif
