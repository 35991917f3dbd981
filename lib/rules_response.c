/* rules_response.c — replies to students' messages within N working days. */
#include "eval.h"

#include <stdio.h>

/* A message needing a reply: an email or message from the student. */
static bool is_message(const pe_contact *c) {
  return c->direction == PE_DIR_FROM_STUDENT && (c->kind == PE_C_EMAIL || c->kind == PE_C_MESSAGE);
}

/* The reply to contacts[m] sent no later than `until`, or -1: a to_student contact by the
 * personal tutor or the cover tutor at the time of the reply, with reply_to = the message;
 * failing that, the first such contact after the message with no reply_to. Only contacts
 * up to `until` are scanned (replies after the deadline are late anyway). */
static long find_reply(const pe_ctx *ctx, size_t m, pe_instant until) {
  const pe_contact *msg = &ctx->in->contacts[m];
  long first_plain = -1;
  for (size_t i = m + 1; i < ctx->in->n_contacts && ctx->in->contacts[i].at <= until; i++) {
    const pe_contact *c = &ctx->in->contacts[i];
    if (c->direction != PE_DIR_TO_STUDENT || c->attendance == PE_ATT_CANCELLED) continue;
    if (c->reply_to != msg->id && (c->reply_to != 0 || first_plain >= 0)) continue;
    if (!pe_staff_eligible(ctx, c->staff, pe_local_date(&ctx->cal->tz, c->at))) continue;
    if (c->reply_to == msg->id) return (long)i;
    first_plain = (long)i;
  }
  return first_plain;
}

typedef struct {
  int messages;
  pe_deadlines due;
} resp_tally;

/* Judges one message (index m); updates the tally, adds reply ids as evidence. */
static pe_err judge_message(pe_ctx *ctx, const pe_rule *r, pe_finding *f, size_t m, resp_tally *t) {
  const pe_contact *msg = &ctx->in->contacts[m];
  pe_date due = pe_working_days_after(ctx->cal, msg->at, r->param[PE_P_WORKING_DAYS]);
  if (due > ctx->active_end) return PE_OK;        /* after withdrawal: not judged */
  if (pe_exempt(ctx, r, due, NULL)) return PE_OK; /* deadline inside an exemption: not judged */
  pe_instant until = pe_local_day_end(&ctx->cal->tz, due);
  long reply = find_reply(ctx, m, until < ctx->in->as_of ? until : ctx->in->as_of);
  t->messages++;
  if (reply >= 0) {
    const pe_contact *c = &ctx->in->contacts[reply];
    return t->due.breaches ? PE_OK : pe_evidence_by(ctx, f, c->id, c->staff);
  }
  pe_deadlines_unmet(ctx, &t->due, m, due);
  return PE_OK;
}

/* Sets status, due, evidence and detail from the tally. */
static pe_err conclude(pe_ctx *ctx, const pe_rule *r, pe_finding *f, const resp_tally *t) {
  char a[11], b[11];
  int n = r->param[PE_P_WORKING_DAYS];
  long m = pe_deadlines_conclude(ctx, &t->due, f);
  if (m >= 0) {
    const pe_contact *c = &ctx->in->contacts[m];
    pe_date_format(pe_local_date(&ctx->cal->tz, c->at), a);
    if (t->due.breaches)
      snprintf(f->detail, sizeof f->detail, "message of %s not answered within %d working days%s",
               a, n, t->due.breaches > 1 ? " (and others)" : "");
    else
      snprintf(f->detail, sizeof f->detail, "message of %s awaiting a reply by %s", a,
               pe_date_format(f->due, b));
    return pe_evidence_by(ctx, f, c->id, c->staff);
  }
  f->status = PE_MET;
  snprintf(f->detail, sizeof f->detail,
           t->messages ? "all %d messages answered within %d working days"
                       : "no messages from the student (%d; %d working days)",
           t->messages, n);
  return PE_OK;
}

/* response_within: every email/message from the student received in the academic year
 * (since registration, up to as_of) must be answered by the end of the `working_days`-th
 * working day after the local day of receipt (the day of receipt never counts; weekends and
 * closure days never count; see pe_working_days_after). A reply is a to_student contact by
 * the personal tutor or the cover tutor at that time (cover allocation, or the cover named
 * on the tutor's absence) whose reply_to is the message, or — when none does — the first
 * such contact after the message without reply_to. Breached when any deadline passed
 * unanswered (evidence: the first such message); pending/due_soon while the oldest open
 * message is not yet due; met otherwise (evidence: the replies). Messages whose deadline
 * falls after withdrawal, or inside an exemption period naming the rule, are not judged. */
pe_err pe_rule_response_within(pe_ctx *ctx, const pe_rule *r, pe_finding *f) {
  const pe_tz *tz = &ctx->cal->tz;
  pe_date start = ctx->year->start > ctx->reg ? ctx->year->start : ctx->reg;
  pe_instant hi = pe_local_day_end(tz, ctx->year->end);
  resp_tally t = {0, {0}};
  pe_deadlines_init(&t.due);
  f->window_start = start;
  f->window_end = ctx->year->end;
  if (hi > ctx->in->as_of) hi = ctx->in->as_of;
  for (size_t i = pe_first_at(ctx->in, pe_local_day_start(tz, start));
       i < ctx->in->n_contacts && ctx->in->contacts[i].at <= hi; i++) {
    if (!is_message(&ctx->in->contacts[i])) continue;
    pe_err err = judge_message(ctx, r, f, i, &t);
    if (err != PE_OK) return err;
  }
  return conclude(ctx, r, f, &t);
}
