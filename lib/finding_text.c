/* finding_text.c — a finding written as compact JSON text, byte for byte what
 * json_dumps(pe_finding_to_json(...), JSON_COMPACT) writes, without building jansson's tree.
 *
 * A tutor's agenda is a list of findings, one per tutee. Building each as a jansson object (a
 * malloc per member and per string, each string checked as UTF-8) and dumping the list (each
 * string decoded again to be escaped) took a fifth of tutord's CPU per agenda: served without
 * the items' JSON, the same agendas cost tutord 370-398 µs each against 478-491 µs (40,000-student
 * bench/gen, 32 connections, wrk, three alternating rounds). The text is checked against jansson's
 * for every kind of member in tests/unit/test_finding_text.c. */
#include "eval.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pe_text_free(pe_text *t) {
  free(t->data);
  memset(t, 0, sizeof *t);
}

char *pe_text_take(pe_text *t) {
  char *data = t->failed ? NULL : t->data;
  if (t->failed) free(t->data);
  memset(t, 0, sizeof *t);
  return data;
}

void pe_text_put(pe_text *t, const char *s, size_t n) {
  if (t->failed) return;
  if (t->len + n + 1 > t->cap) {
    size_t cap = t->cap ? t->cap : 256;
    while (cap < t->len + n + 1) cap *= 2;
    char *data = realloc(t->data, cap);
    if (!data) {
      t->failed = true;
      return;
    }
    t->data = data;
    t->cap = cap;
  }
  memcpy(t->data + t->len, s, n);
  t->len += n;
  t->data[t->len] = '\0';
}

void pe_text_puts(pe_text *t, const char *s) {
  pe_text_put(t, s, strlen(s));
}

/* The JSON escape of byte c, or NULL when c goes as it is (pe_json_string_write); seq holds the \u
 * form. */
static const char *json_escape(unsigned char c, bool lower_hex, char seq[8]) {
  switch (c) {
  case '"':
    return "\\\"";
  case '\\':
    return "\\\\";
  case '\b':
    return "\\b";
  case '\f':
    return "\\f";
  case '\n':
    return "\\n";
  case '\r':
    return "\\r";
  case '\t':
    return "\\t";
  default:
    if (c >= 0x20) return NULL;
    snprintf(seq, 8, lower_hex ? "\\u%04x" : "\\u%04X", c);
    return seq;
  }
}

void pe_json_string_write(const char *s, bool lower_hex, pe_put_fn put, void *ctx) {
  put(ctx, "\"", 1);
  const char *run = s;
  for (const char *p = s; *p; p++) {
    char seq[8];
    const char *esc = json_escape((unsigned char)*p, lower_hex, seq);
    if (!esc) continue;
    put(ctx, run, (size_t)(p - run));
    put(ctx, esc, strlen(esc));
    run = p + 1;
  }
  put(ctx, run, strlen(run));
  put(ctx, "\"", 1);
}

/* pe_put_fn onto a pe_text. */
static void put_text(void *t, const char *s, size_t n) {
  pe_text_put(t, s, n);
}

void pe_text_string(pe_text *t, const char *s) {
  pe_json_string_write(s, false, put_text, t);
}

void pe_text_int(pe_text *t, int64_t v) {
  char buf[24];
  int n = snprintf(buf, sizeof buf, "%" PRId64, v);
  pe_text_put(t, buf, (size_t)n);
}

void pe_text_date(pe_text *t, pe_date d) {
  char buf[11];
  if (d == PE_NO_DATE)
    pe_text_puts(t, "null");
  else
    pe_text_string(t, pe_date_format(d, buf));
}

/* "key": */
static void put_key(pe_text *t, const char *key) {
  pe_text_string(t, key);
  pe_text_put(t, ":", 1);
}

static void put_span(pe_text *t, pe_date start, pe_date end) {
  pe_text_puts(t, "{\"start\":");
  pe_text_date(t, start);
  pe_text_puts(t, ",\"end\":");
  pe_text_date(t, end);
  pe_text_put(t, "}", 1);
}

void pe_finding_write_open(const pe_findings *fs, size_t i, pe_text *out) {
  const pe_finding *f = &fs->items[i];
  pe_text_put(out, "{", 1);
  put_key(out, "rule");
  pe_text_string(out, f->rule_id);
  pe_text_put(out, ",", 1);
  put_key(out, "type");
  pe_text_string(out, pe_rule_type_name(f->type));
  pe_text_put(out, ",", 1);
  put_key(out, "status");
  pe_text_string(out, pe_status_name(f->status));
  pe_text_puts(out, ",\"due\":");
  pe_text_date(out, f->due);
  pe_text_puts(out, ",\"window\":");
  if (f->window_start == PE_NO_DATE)
    pe_text_puts(out, "null");
  else
    put_span(out, f->window_start, f->window_end);
  pe_text_puts(out, ",\"evidence\":[");
  for (size_t k = 0; k < f->ev_n; k++) {
    if (k) pe_text_put(out, ",", 1);
    pe_text_int(out, fs->ids[f->ev_off + k]);
  }
  if (f->gap_start != PE_NO_DATE) {
    pe_text_puts(out, f->ev_n ? ",{\"gap\":" : "{\"gap\":");
    put_span(out, f->gap_start, f->gap_end);
    pe_text_put(out, "}", 1);
  }
  pe_text_puts(out, "],\"detail\":");
  pe_text_string(out, f->detail);
  pe_text_puts(out, ",\"source\":");
  if (f->source)
    pe_text_string(out, f->source);
  else
    pe_text_puts(out, "null");
  if (f->tutor[0]) {
    pe_text_puts(out, ",\"tutor\":");
    pe_text_string(out, f->tutor);
  }
  if (f->ev_n) {
    pe_text_puts(out, ",\"evidence_staff\":[");
    for (size_t k = 0; k < f->ev_n; k++) {
      const char *s = fs->staff[f->ev_off + k];
      if (k) pe_text_put(out, ",", 1);
      if (s[0])
        pe_text_string(out, s);
      else
        pe_text_puts(out, "null");
    }
    pe_text_put(out, "]", 1);
  }
  if (f->exemption) {
    pe_text_puts(out, ",\"exemption\":");
    pe_text_int(out, f->exemption);
  }
}
