/* routes.h — the resource modules. Each routes_<resource>.c defines routes_<resource>_register(instance,
 * app), declared here (the compiler checks each definition against its declaration); the build generates
 * routes_all.c, which calls one for every routes_*.c file (api/CMakeLists.txt) and fails to compile when a
 * module is missing from this list. Each returns 0, or non-zero when a route could not be added. */
#ifndef TUTORD_ROUTES_H
#define TUTORD_ROUTES_H

#include <ulfius.h>

#include "app.h"

/* Registers every resource module's routes. Returns 0, or non-zero when any failed (logged). */
int routes_register_all(struct _u_instance *instance, const struct app *app);

int routes_allocations_register(struct _u_instance *instance, const struct app *app);
int routes_annual_register(struct _u_instance *instance, const struct app *app);
int routes_audit_register(struct _u_instance *instance, const struct app *app);
int routes_bulk_allocations_register(struct _u_instance *instance, const struct app *app);
int routes_calendar_register(struct _u_instance *instance, const struct app *app);
int routes_change_requests_register(struct _u_instance *instance, const struct app *app);
int routes_compliance_register(struct _u_instance *instance, const struct app *app);
int routes_concerns_register(struct _u_instance *instance, const struct app *app);
int routes_contacts_register(struct _u_instance *instance, const struct app *app);
int routes_docs_register(struct _u_instance *instance, const struct app *app);
int routes_erasure_register(struct _u_instance *instance, const struct app *app);
int routes_events_register(struct _u_instance *instance, const struct app *app);
int routes_exemptions_register(struct _u_instance *instance, const struct app *app);
int routes_expectations_register(struct _u_instance *instance, const struct app *app);
int routes_export_register(struct _u_instance *instance, const struct app *app);
int routes_feedback_register(struct _u_instance *instance, const struct app *app);
int routes_health_register(struct _u_instance *instance, const struct app *app);
int routes_ics_register(struct _u_instance *instance, const struct app *app);
int routes_imports_register(struct _u_instance *instance, const struct app *app);
int routes_messages_register(struct _u_instance *instance, const struct app *app);
int routes_my_tutors_register(struct _u_instance *instance, const struct app *app);
int routes_notes_register(struct _u_instance *instance, const struct app *app);
int routes_notifications_register(struct _u_instance *instance, const struct app *app);
int routes_office_hours_register(struct _u_instance *instance, const struct app *app);
int routes_policies_register(struct _u_instance *instance, const struct app *app);
int routes_policy_drafts_register(struct _u_instance *instance, const struct app *app);
int routes_referrals_register(struct _u_instance *instance, const struct app *app);
int routes_reports_register(struct _u_instance *instance, const struct app *app);
int routes_schools_register(struct _u_instance *instance, const struct app *app);
int routes_slots_register(struct _u_instance *instance, const struct app *app);
int routes_students_register(struct _u_instance *instance, const struct app *app);
int routes_tutor_records_register(struct _u_instance *instance, const struct app *app);
int routes_tutors_register(struct _u_instance *instance, const struct app *app);
int routes_webhooks_register(struct _u_instance *instance, const struct app *app);

#endif
