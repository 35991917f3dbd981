/* policy_presets.h — the shipped policy presets outside the HTTP routes (routes_policies.c). */
#ifndef TUTORD_POLICY_PRESETS_H
#define TUTORD_POLICY_PRESETS_H

#include "app.h"

/* `tutord seed-demo`, after sql/demo/seed_demo.sql: each demo school that has no policy yet adopts its
 * preset, stored as PUT /schools/{code}/policy {"preset": ...} stores it (one transaction per school).
 * Returns 0, or 1 after writing which school failed to stderr. Run once, before serving. */
int policies_seed_demo(struct app *app);

#endif
