/* rules_periodic.c — "at least min matching contacts in each period" (terms, months).
 *
 * Semantics shared by meeting_each_term, contact_monthly, individual_checkin_per_term and
 * away_contact_per_term:
 * - a period is judged only on the days the student is judged in it (spans: e.g. studying
 *   and registered, or away); a period with no such days is skipped;
 * - a period whose calendar end falls after the student's withdrawal/completion is not
 *   judged (findings after withdrawal are not_applicable);
 * - a period that has ended (end < as_of) with fewer than min matching contacts breaches
 *   the rule: the finding is breached, its due the period's end, its evidence the gap
 *   (the first short period) rather than contact ids;
 * - otherwise, the current period (as_of within it) still short is pending / due_soon by
 *   its end; if no period has started yet the first one is pending;
 * - otherwise met, with the ids of every matching contact as evidence;
 * - when no period can be judged the finding is not_applicable;
 * - days on which an exemption suspends the rule are not judged: they are dropped from every
 *   period's spans (contacts on them do not count), so a wholly exempt period is skipped.
 */
#include "eval.h"

#include <stdio.h>

/* Appends the spans of b to a (b starts after a ends). */
static void spans_append(pe_spanset *a, const pe_spanset *b) {
  for (int i = 0; i < b->n && a->n < PE_MAX_SPANS; i++) a->s[a->n++] = b->s[i];
}

/* Terms or semesters. With `period: semester` (PE_P_PERIOD == 1) a semester — the union of
 * the consecutive teaching terms the calendar gives the same semester number — is one period
 * from its first term's start to its last term's end; a calendar that does not group terms
 * into semesters (semester 0) makes each teaching term its own semester. */
size_t pe_term_periods(const pe_ctx *ctx, const pe_rule *r, const pe_spanset *presence,
                       pe_period *out, size_t max) {
  bool semesters = r && r->param[PE_P_PERIOD] == 1;
  int last_sem = 0;
  size_t n = 0;
  for (size_t i = 0; i < ctx->year->n_terms; i++) {
    const pe_term *t = &ctx->cal->terms[ctx->year->first_term + i];
    if (!t->teaching) continue;
    pe_spanset part;
    pe_spans_clip(presence, t->start, t->end, &part);
    if (semesters && n && t->semester && t->semester == last_sem) {
      spans_append(&out[n - 1].spans, &part);
      out[n - 1].natural.end = t->end;
    } else if (n < max) {
      out[n].natural = (pe_span){t->start, t->end};
      out[n++].spans = part;
    }
    last_sem = t->semester;
  }
  return n;
}

static pe_date spans_first(const pe_spanset *s) {
  return s->s[0].start;
}
static pe_date spans_last(const pe_spanset *s) {
  return s->s[s->n - 1].end;
}

typedef struct {
  const pe_period *breach, *open, *first;
  int breaches, judged;
} tally;

static void set_window(pe_finding *f, const pe_period *p) {
  if (f->window_start == PE_NO_DATE || spans_first(&p->spans) < f->window_start)
    f->window_start = spans_first(&p->spans);
  if (f->window_end == PE_NO_DATE || spans_last(&p->spans) > f->window_end)
    f->window_end = spans_last(&p->spans);
}

/* Counts each judged period, recording the first breach and the open period. */
static pe_err tally_periods(pe_ctx *ctx, const pe_rule *r, pe_finding *f, pe_period *periods,
                            size_t n, int min, pe_pred pred, tally *t) {
  pe_err err = PE_OK;
  for (size_t i = 0; i < n; i++) {
    const pe_period *p = &periods[i];
    if (p->spans.n == 0 || p->natural.end > ctx->active_end) continue;
    if (!t->first) t->first = p;
    t->judged++;
    set_window(f, p);
    if (spans_first(&p->spans) > ctx->as_of) continue;
    int got = pe_count_in_spans(ctx, &p->spans, pred, r, f, &err);
    if (got >= min) continue;
    if (spans_last(&p->spans) < ctx->as_of) {
      t->breaches++;
      if (!t->breach) t->breach = p;
    } else if (!t->open) {
      t->open = p;
    }
  }
  return err;
}

static void describe_span(char *buf, size_t cap, const pe_spanset *s) {
  char a[11], b[11];
  snprintf(buf, cap, "%s..%s", pe_date_format(spans_first(s), a), pe_date_format(spans_last(s), b));
}

pe_err pe_judge_periods(pe_ctx *ctx, const pe_rule *r, pe_finding *f, pe_period *periods, size_t n,
                        int min, pe_pred pred, const char *what) {
  tally t = {0};
  char span[32];
  for (size_t i = 0; i < n; i++) pe_exempt_spans(ctx, r, &periods[i].spans);
  pe_err err = tally_periods(ctx, r, f, periods, n, min, pred, &t);
  if (t.judged == 0) {
    pe_not_applicable(f, "no period in which the student is judged by this rule");
    return err;
  }
  if (t.breach) {
    describe_span(span, sizeof span, &t.breach->spans);
    ctx->out->n_ids = f->ev_off; /* evidence: the gap, not the contacts elsewhere */
    f->ev_n = 0;
    f->status = PE_BREACHED;
    f->due = spans_last(&t.breach->spans);
    f->gap_start = spans_first(&t.breach->spans);
    f->gap_end = f->due;
    snprintf(f->detail, sizeof f->detail, "fewer than %d %s in %s (%d period%s short)", min, what,
             span, t.breaches, t.breaches == 1 ? "" : "s");
    return err;
  }
  const pe_period *due =
      t.open ? t.open : (spans_first(&t.first->spans) > ctx->as_of ? t.first : NULL);
  if (due) {
    describe_span(span, sizeof span, &due->spans);
    f->due = spans_last(&due->spans);
    f->status = pe_due_status(ctx, false, f->due);
    snprintf(f->detail, sizeof f->detail, "%d %s needed in %s", min, what, span);
    return err;
  }
  f->status = PE_MET;
  snprintf(f->detail, sizeof f->detail, "at least %d %s in every period so far", min, what);
  return err;
}
