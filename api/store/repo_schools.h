/* repo_schools.h — schools in SQL: read one, and create or rename one under If-Match (a uow_work). */
#ifndef TUTORD_REPO_SCHOOLS_H
#define TUTORD_REPO_SCHOOLS_H

#include "db.h"

/* School `code`: its JSON and version (malloc'd; the caller frees them). APP_NOT_FOUND when absent. */
enum app_status repo_school_get(struct db_conn *conn, const char *code, char **json, char **version);

/* Where a school write stopped: the lock, If-Match, the upsert (the database's refusal in `err`). */
enum school_stage { SCHOOL_LOCK = 0, SCHOOL_IF_MATCH, SCHOOL_WRITE };

/* One PUT /schools/{code}. Inputs borrowed (validated by the caller). On APP_OK `json` and `version`
 * (malloc'd; the caller frees them) are the school and `created` whether it is new; otherwise `stage`
 * says where it stopped and `locked_version` (malloc'd, NULL when there was no school) is what If-Match
 * was compared with. */
struct school_write {
    const char *code, *name;
    const char *if_match; /* the If-Match header, or NULL */
    enum school_stage stage;
    char *locked_version;
    int created;
    char *json, *version;
    struct db_error err;
};

/* uow_work: locks the school, checks If-Match (APP_PRECONDITION_FAILED, also when malformed), then
 * inserts it or renames it (a PUT of the same name changes nothing, not even the version). Safe to run
 * again. */
enum app_status repo_school_put_work(struct db_conn *conn, void *work);

#endif
