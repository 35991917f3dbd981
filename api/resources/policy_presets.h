/* policy_presets.h — the shipped policy presets outside the HTTP routes (routes_policies.c). */
#ifndef TUTORD_POLICY_PRESETS_H
#define TUTORD_POLICY_PRESETS_H

#include <jansson.h>
#include <ulfius.h>

#include "app.h"
#include "db.h"
#include "http.h"
#include "pe.h"

/* A policy body as PUT /schools/{code}/policy, policy:simulate and policy drafts take it: a preset
 * ({"preset": name[, "effective_from"]}) or a full policy, either with an optional "office_hours" text
 * (the school's office-hours arrangement, kept beside the policy: the engine's document has no place for it). */
struct policy_input {
    json_t *policy;     /* the policy document the engine read (owned) */
    pe_policy *parsed;  /* owned */
    const char *preset; /* the preset's name (static), or NULL for a full policy */
    char *office_hours; /* malloc'd, or NULL */
};

/* Reads and validates `body` (borrowed) with the engine's parser. Returns 0 with *in filled (free with
 * policy_input_free), or -1 after answering 422 naming every problem (the JSON path of engine errors). */
int policy_input_read(struct _u_response *resp, const json_t *body, struct policy_input *in);

/* Frees what policy_input_read filled; idempotent. */
void policy_input_free(struct policy_input *in);

/* Evaluates school `code`'s students (those `reader` may see) under its adopted versions and under `draft` (borrowed)
 * as if adopted, as of the request's `as_of`: the simulation document (new reference), or NULL after answering. Writes
 * nothing; the facts are read on a connection of app's pool (uow_read) before the engine runs. The caller has
 * checked the caller may see the school. */
json_t *policy_simulate(const struct _u_request *req, struct _u_response *resp, const struct app *app,
                        const struct principal *reader, const char *code, pe_policy *draft, const struct page *page);

/* `tutord seed-demo`, after sql/demo/seed_demo.sql: each demo school that has no policy yet adopts its
 * preset, stored as PUT /schools/{code}/policy {"preset": ...} stores it (one transaction per school).
 * Returns 0, or 1 after writing which school failed to stderr. Run once, before serving. */
int policies_seed_demo(struct app *app);

#endif
