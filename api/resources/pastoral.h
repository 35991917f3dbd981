/* pastoral.h — HTTP helpers the pastoral routes (contacts, notes, referrals, concerns) share: query
 * filters checked strictly, role refusals, validation problems and written records. */
#ifndef TUTORD_PASTORAL_H
#define TUTORD_PASTORAL_H

#include <jansson.h>
#include <ulfius.h>

#include "app.h"
#include "strbuf.h"

/* Reads query parameter `name` into *out (NULL when absent); when present it must be one of `values`
 * (NULL-terminated), else {name, message} is appended to errors. */
void pastoral_query_enum(const struct _u_request *req, const char *name, const char *const *values, json_t *errors,
                         const char **out);

/* As pastoral_query_enum for a YYYY-MM-DD date. */
void pastoral_query_date(const struct _u_request *req, const char *name, json_t *errors, const char **out);
/* The optional `from` and `to` dates of a list, each as pastoral_query_date; `to` before `from` is an error
 * naming `to`. */
void pastoral_query_date_range(const struct _u_request *req, json_t *errors, const char **from, const char **to);

/* As pastoral_query_enum for "true"/"false"; *out is 1 for true, 0 otherwise. */
void pastoral_query_bool(const struct _u_request *req, const char *name, json_t *errors, int *out);

/* 0 when `errors` is empty, else answers 422 "<what> is not valid" with the errors and returns -1.
 * Never steals `errors`. */
int pastoral_body_checked(struct _u_response *resp, json_t *errors, const char *what);

/* Answers 403 with `detail`; returns U_CALLBACK_COMPLETE. */
int pastoral_forbid(struct _u_response *resp, const char *detail);

struct principal;

/* 0 when the caller is a tutor or a senior tutor (who may write staff records); otherwise answers 403
 * with `detail` and returns -1. */
int pastoral_staff_only(struct _u_response *resp, const struct principal *who, const char *detail);

/* Answers a written record: `status` with `json` (taken) and, when `version` is non-NULL, its ETag. */
int pastoral_respond_json(struct _u_response *resp, long status, char *json, const char *version);

struct db_conn;

/* True when `s` is one of `values` (NULL-terminated). Pure. */
int pastoral_in(const char *const *values, const char *s);

#endif
