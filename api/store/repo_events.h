/* repo_events.h — the change feed in SQL: a page of events in commit order (sql/008). */
#ifndef TUTORD_REPO_EVENTS_H
#define TUTORD_REPO_EVENTS_H

#include "db.h"
#include "strbuf.h"

/* The events after position (seq, id) (both NULL: from the start), at most `limit`, ordered by (commit
 * number, id), with only what every feed reader may see of their payloads: appends the items array to
 * *body and sets *last (malloc'd) to the last row's position "seq:id" when there was a row. */
enum app_status repo_event_page(struct db_conn *conn, const char *seq, const char *id, int limit, struct strbuf *body,
                                char **last);

#endif
