/* repo_audit.h — the audit trail in SQL, read: a keyset page of audit rows. */
#ifndef TUTORD_REPO_AUDIT_H
#define TUTORD_REPO_AUDIT_H

#include "db.h"
#include "page_query.h"
#include "strbuf.h"

/* GET /audit's filters (NULL: none): actor, entity, student, and from/to (a date or an RFC 3339
 * instant; `to` exclusive). */
struct audit_filter {
    const char *actor, *entity, *student, *from, *to;
};

/* A page of the audit rows matching `f`, by id after `after` (NULL: from the start): a JSON array
 * in *out with the next key when another page follows (page_query). */
enum app_status repo_audit_list(struct db_conn *conn, const struct audit_filter *f, const char *after, int limit,
                                struct page_rows *out);

#endif
