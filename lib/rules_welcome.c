/* rules_welcome.c — Welcome Week: new students invited to meet their tutor, returning students
 * contacted by their tutor. */
#include "eval.h"

#include <stdio.h>

/* An invitation to a new student to meet the tutor: a meeting or group meeting scheduled or
 * held (anything but cancelled), or an email, message, phone call or check-in sent to the
 * student (not cancelled). */
static bool is_invitation(const pe_contact *c) {
  if (c->attendance == PE_ATT_CANCELLED) return false;
  if (c->kind == PE_C_MEETING || c->kind == PE_C_GROUP_MEETING) return true;
  return c->direction == PE_DIR_TO_STUDENT && c->kind != PE_C_TEACHING_EVENT;
}

/* Contact with a returning student that took place (not missed, not cancelled): a meeting or
 * group meeting whatever its recorded direction, or any other contact sent to the student.
 * A teaching event is not the tutor contacting this student. */
static bool is_contact(const pe_contact *c) {
  if (c->attendance == PE_ATT_CANCELLED || c->attendance == PE_ATT_MISSED) return false;
  if (c->kind == PE_C_TEACHING_EVENT) return false;
  return c->direction == PE_DIR_TO_STUDENT || c->kind == PE_C_MEETING ||
         c->kind == PE_C_GROUP_MEETING;
}

/* What counts in the window: an invitation for a new student, a contact for a returning one,
 * by whom the rule's `by` allows (the personal tutor or cover, unless any_staff). */
static bool counts_for_welcome(const pe_ctx *ctx, const pe_contact *c, const pe_rule *r) {
  bool ok = pe_is_new_student(ctx) ? is_invitation(c) : is_contact(c);
  return ok && pe_counts_by(ctx, c, r);
}

/* Why the rule does not apply to this student (NULL when it does): the audience, a
 * registration after the window [ws, we], or being away or gone on the window's first day
 * (or on registration, if later). */
static const char *welcome_excluded(const pe_ctx *ctx, const pe_rule *r, bool new_student,
                                    pe_date ws, pe_date we) {
  int audience = r->param[PE_P_AUDIENCE];
  pe_date first = ctx->reg > ws ? ctx->reg : ws;
  if (audience == 1 && !new_student) return "rule applies to new students only";
  if (audience == 2 && new_student) return "rule applies to returning students only";
  if (ctx->reg > we) return "registered after the Welcome Week window";
  if (first > ctx->active_end || pe_status_on(ctx, first) != PE_ST_STUDYING)
    return "away, withdrawn or completed at the start of Welcome Week";
  return NULL;
}

/* welcome_week_contact: Leicester CoP "Welcome Week": "Schools must (re)introduce Tutees to
 * Personal Tutoring during the first two weeks of the first term of each year of study. This
 * must include ... An invitation to all new students to meet their Personal Tutor. Returning
 * students must be contacted by their Personal Tutor."
 * Reading: the window is the first `days` (default 14) days of the academic year's first term,
 * counting its first day (the first term the calendar lists, teaching or not: a listed
 * non-teaching Welcome Week is part of it); due at the window's last day. A new student
 * (pe_is_new_student: first year of the course) needs an invitation in the window: a meeting
 * scheduled or held there, or a message of any kind sent there. A returning student needs a
 * contact that took place in the window. Only the personal tutor's (or cover's) contacts count
 * unless `by: any_staff`. `audience` (all, new, returning) restricts whom it judges. A student
 * registering after the window is not_applicable ("Students that do not register in time ...
 * must receive access to information": not checkable), as is one away (year abroad, placement,
 * suspended), withdrawn or completed on the window's first day (or on registration, if later).
 * An exemption over the due date suspends it (applied by evaluate.c). */
pe_err pe_rule_welcome_week_contact(pe_ctx *ctx, const pe_rule *r, pe_finding *f) {
  const pe_year *y = ctx->year;
  bool new_student = pe_is_new_student(ctx);
  pe_err err = PE_OK;
  pe_spanset window;
  char a[11], b[11];
  if (y->n_terms == 0) {
    pe_not_applicable(f, "no terms in this academic year");
    return PE_OK;
  }
  f->window_start = ctx->cal->terms[y->first_term].start;
  f->window_end = f->due = f->window_start + r->param[PE_P_DAYS] - 1;
  const char *why = welcome_excluded(ctx, r, new_student, f->window_start, f->window_end);
  if (why) {
    pe_not_applicable(f, why);
    return PE_OK;
  }
  pe_spans_one(&window, f->window_start, f->window_end);
  int n = pe_count_in_spans(ctx, &window, counts_for_welcome, r, f, &err);
  f->status = pe_due_status(ctx, n > 0, f->due);
  snprintf(f->detail, sizeof f->detail, "%d %s in Welcome Week (%s to %s)", n,
           new_student ? "invitation(s) to meet the tutor" : "contact(s) by the tutor",
           pe_date_format(f->window_start, a), pe_date_format(f->window_end, b));
  return err;
}
