/* finding.c — the findings store, its SPEC §4a JSON, and the agenda's "next thing due". */
#include "eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pe_findings_init(pe_findings *f) {
  memset(f, 0, sizeof *f);
}

void pe_findings_clear(pe_findings *f) {
  f->n = 0;
  f->n_ids = 0;
}

void pe_findings_free(pe_findings *f) {
  if (!f) return;
  free(f->items);
  free(f->ids);
  free(f->staff);
  pe_findings_init(f);
}

const char *pe_status_name(pe_status s) {
  return (unsigned)s < PE_STATUS__N ? PE_FINDING_STATUS_NAMES[s] : "unknown";
}

pe_finding *pe_findings_push(pe_findings *out, const pe_rule *r) {
  if (out->n == out->cap) {
    size_t cap = out->cap ? out->cap * 2 : 16;
    pe_finding *items = realloc(out->items, cap * sizeof *items);
    if (!items) return NULL;
    out->items = items;
    out->cap = cap;
  }
  pe_finding *f = &out->items[out->n++];
  memset(f, 0, sizeof *f);
  f->rule_id = r->id;
  f->source = r->source;
  f->type = r->type;
  f->status = PE_NOT_APPLICABLE;
  f->due = f->window_start = f->window_end = f->gap_start = f->gap_end = PE_NO_DATE;
  f->ev_off = out->n_ids;
  return f;
}

void pe_copy_text(char *dst, size_t cap, const char *src) {
  size_t n = strnlen(src, cap - 1);
  memcpy(dst, src, n);
  dst[n] = '\0';
}

void pe_findings_pop(pe_findings *out) {
  if (out->n == 0) return;
  out->n_ids = out->items[out->n - 1].ev_off;
  out->n--;
}

pe_err pe_evidence_by(pe_ctx *ctx, pe_finding *f, int64_t id, const char *staff) {
  pe_findings *out = ctx->out;
  if (out->n_ids == out->cap_ids) {
    size_t cap = out->cap_ids ? out->cap_ids * 2 : 64;
    int64_t *ids = realloc(out->ids, cap * sizeof *ids);
    if (!ids) return PE_NOMEM;
    out->ids = ids;
    char(*st)[PE_ID_LEN] = realloc(out->staff, cap * sizeof *st);
    if (!st) return PE_NOMEM;
    out->staff = st;
    out->cap_ids = cap;
  }
  out->ids[out->n_ids] = id;
  pe_copy_text(out->staff[out->n_ids], PE_ID_LEN, staff ? staff : "");
  out->n_ids++;
  f->ev_n++;
  return PE_OK;
}

pe_err pe_evidence(pe_ctx *ctx, pe_finding *f, int64_t id) {
  return pe_evidence_by(ctx, f, id, "");
}

/* A date as a JSON string, or null. */
static json_t *date_json(pe_date d) {
  char buf[11];
  return d == PE_NO_DATE ? json_null() : json_string(pe_date_format(d, buf));
}

static json_t *evidence_json(const pe_findings *fs, const pe_finding *f) {
  json_t *ev = json_array();
  for (size_t i = 0; ev && i < f->ev_n; i++)
    json_array_append_new(ev, json_integer(fs->ids[f->ev_off + i]));
  if (ev && f->gap_start != PE_NO_DATE)
    json_array_append_new(ev, json_pack("{s:{s:o,s:o}}", "gap", "start", date_json(f->gap_start),
                                        "end", date_json(f->gap_end)));
  return ev;
}

json_t *pe_finding_to_json(const pe_findings *fs, size_t i) {
  const pe_finding *f = &fs->items[i];
  json_t *window = f->window_start == PE_NO_DATE
                       ? json_null()
                       : json_pack("{s:o,s:o}", "start", date_json(f->window_start), "end",
                                   date_json(f->window_end));
  json_t *j = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:s?}", "rule", f->rule_id, "type",
                        pe_rule_type_name(f->type), "status", pe_status_name(f->status), "due",
                        date_json(f->due), "window", window, "evidence", evidence_json(fs, f),
                        "detail", f->detail, "source", f->source);
  if (j && f->tutor[0]) json_object_set_new(j, "tutor", json_string(f->tutor));
  if (j && f->ev_n) {
    json_t *staff = json_array();
    for (size_t k = 0; staff && k < f->ev_n; k++) {
      const char *s = fs->staff[f->ev_off + k];
      json_array_append_new(staff, s[0] ? json_string(s) : json_null());
    }
    json_object_set_new(j, "evidence_staff", staff);
  }
  if (j && f->exemption) json_object_set_new(j, "exemption", json_integer(f->exemption));
  return j;
}

json_t *pe_findings_to_json(const pe_findings *fs) {
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < fs->n; i++) {
    json_t *one = pe_finding_to_json(fs, i);
    if (!one || json_array_append_new(arr, one) != 0) {
      json_decref(arr);
      return NULL;
    }
  }
  return arr;
}

json_t *pe_compliance_to_json(const char *student, pe_date as_of, const pe_policy *policy,
                              const pe_findings *f) {
  json_t *pol = policy ? json_pack("{s:s?, s:o}", "name", policy->name, "effective_from",
                                   date_json(policy->effective_from))
                       : json_null();
  json_t *findings = pe_findings_to_json(f);
  if (!findings) {
    json_decref(pol);
    return NULL;
  }
  return json_pack("{s:s?, s:o, s:o, s:o}", "student", student, "as_of", date_json(as_of), "policy",
                   pol, "findings", findings);
}

long pe_findings_next_due(const pe_findings *f) {
  long best = -1;
  for (size_t i = 0; i < f->n; i++) {
    const pe_finding *x = &f->items[i];
    if (x->due == PE_NO_DATE ||
        (x->status != PE_PENDING && x->status != PE_DUE_SOON && x->status != PE_BREACHED))
      continue;
    if (best < 0) {
      best = (long)i;
      continue;
    }
    const pe_finding *b = &f->items[best];
    if (x->due < b->due ||
        (x->due == b->due && x->status == PE_BREACHED && b->status != PE_BREACHED))
      best = (long)i;
  }
  return best;
}
