/* calendar_json.c — the SPEC §4a calendar JSON into a pe_calendar, every error collected. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const CAL_KEYS[] = {"time_zone", "years", "closures", NULL};
static const char *const YEAR_KEYS[] = {"label", "start", "end", "terms", NULL};
static const char *const TERM_KEYS[] = {"name", "start", "end", "teaching", "semester", NULL};
static const char *const CLOSURE_KEYS[] = {"date", "reason", NULL};

static int cmp_date(const void *a, const void *b) {
  pe_date x = *(const pe_date *)a, y = *(const pe_date *)b;
  return (x > y) - (x < y);
}

static int cmp_term(const void *a, const void *b) {
  return cmp_date(&((const pe_term *)a)->start, &((const pe_term *)b)->start);
}

static int cmp_year(const void *a, const void *b) {
  return cmp_date(&((const pe_year *)a)->start, &((const pe_year *)b)->start);
}

/* Reports start > end for a span read from path. */
static void check_order(pe_date start, pe_date end, const char *path, json_t *errs) {
  char field[512];
  if (snprintf(field, sizeof field, "%s.end", path) >= (int)sizeof field) return;
  if (start != PE_NO_DATE && end != PE_NO_DATE && end < start)
    pe_errors_add(errs, field, "must not be before start");
}

/* Reads a term's optional "semester" (integer 1..4; 0 when absent). A calendar gives every
 * teaching term a semester or none: `grouped` says whether any teaching term has one. */
static void parse_semester(const json_t *j, const char *path, bool grouped, pe_term *t,
                           json_t *errs) {
  char field[512];
  const json_t *sem = json_object_get(j, "semester");
  if (snprintf(field, sizeof field, "%s.semester", path) >= (int)sizeof field) field[0] = '\0';
  t->semester = 0;
  if (!sem) {
    if (grouped && t->teaching)
      pe_errors_add(errs, field, "required: every teaching term needs a semester when any has one");
    return;
  }
  if (!json_is_integer(sem) || json_integer_value(sem) < 1 || json_integer_value(sem) > 4)
    pe_errors_add(errs, field, "must be an integer from 1 to 4");
  else
    t->semester = (int)json_integer_value(sem);
}

/* Reads one term of year y (name, start, end, teaching, semester) into t. */
static void parse_term(const json_t *j, const char *path, const pe_year *y, bool grouped,
                       pe_term *t, json_t *errs) {
  char field[512];
  t->start = t->end = PE_NO_DATE;
  t->teaching = true;
  if (!json_is_object(j)) {
    pe_errors_add(errs, path, "must be an object");
    return;
  }
  pe_json_unknown_keys(j, path, TERM_KEYS, errs);
  pe_json_string(j, "name", path, true, t->name, sizeof t->name, errs);
  pe_json_date(j, "start", path, true, &t->start, errs);
  pe_json_date(j, "end", path, true, &t->end, errs);
  check_order(t->start, t->end, path, errs);
  const json_t *teach = json_object_get(j, "teaching");
  if (snprintf(field, sizeof field, "%s.teaching", path) >= (int)sizeof field) field[0] = '\0';
  if (teach && !json_is_boolean(teach)) pe_errors_add(errs, field, "must be a boolean");
  if (teach) t->teaching = json_is_true(teach);
  parse_semester(j, path, grouped, t, errs);
  if (t->start != PE_NO_DATE && y->start != PE_NO_DATE &&
      (t->start < y->start || (t->end != PE_NO_DATE && y->end != PE_NO_DATE && t->end > y->end)))
    pe_errors_add(errs, path, "term must lie within its academic year");
}

/* Teaching terms of one year must not return to an earlier semester (a semester is a run of
 * consecutive teaching terms). */
static void check_semester_order(const pe_calendar *cal, const pe_year *y, const char *path,
                                 json_t *errs) {
  char field[512];
  int last = 0;
  for (size_t i = 0; i < y->n_terms; i++) {
    const pe_term *t = &cal->terms[y->first_term + i];
    if (!t->teaching || t->semester == 0) continue;
    if (t->semester < last) {
      snprintf(field, sizeof field, "%s.terms", path);
      pe_errors_add(errs, field, "semesters must follow the order of the teaching terms");
      return;
    }
    last = t->semester;
  }
}

/* Reads one academic year and its terms (appended to cal->terms, sorted by start). */
static void parse_year(const json_t *j, const char *path, pe_calendar *cal, pe_year *y,
                       bool grouped, json_t *errs) {
  char field[512];
  y->start = y->end = PE_NO_DATE;
  y->first_term = cal->n_terms;
  if (!json_is_object(j)) {
    pe_errors_add(errs, path, "must be an object");
    return;
  }
  pe_json_unknown_keys(j, path, YEAR_KEYS, errs);
  pe_json_string(j, "label", path, true, y->label, sizeof y->label, errs);
  pe_json_date(j, "start", path, true, &y->start, errs);
  pe_json_date(j, "end", path, true, &y->end, errs);
  check_order(y->start, y->end, path, errs);
  const json_t *terms = pe_json_array(j, "terms", path, true, errs);
  size_t i;
  const json_t *t;
  json_array_foreach(terms, i, t) {
    snprintf(field, sizeof field, "%s.terms[%zu]", path, i);
    parse_term(t, field, y, grouped, &cal->terms[cal->n_terms++], errs);
  }
  y->n_terms = cal->n_terms - y->first_term;
  qsort(cal->terms + y->first_term, y->n_terms, sizeof(pe_term), cmp_term);
  check_semester_order(cal, y, path, errs);
}

static void parse_closures(const json_t *arr, pe_calendar *cal, json_t *errs) {
  char path[64];
  size_t i;
  const json_t *c;
  json_array_foreach(arr, i, c) {
    snprintf(path, sizeof path, "$.closures[%zu]", i);
    if (!json_is_object(c)) {
      pe_errors_add(errs, path, "must be an object");
      continue;
    }
    pe_json_unknown_keys(c, path, CLOSURE_KEYS, errs);
    pe_date d;
    if (pe_json_date(c, "date", path, true, &d, errs)) cal->closures[cal->n_closures++] = d;
  }
  qsort(cal->closures, cal->n_closures, sizeof(pe_date), cmp_date);
  size_t w = 0;
  for (size_t r = 0; r < cal->n_closures; r++)
    if (w == 0 || cal->closures[w - 1] != cal->closures[r]) cal->closures[w++] = cal->closures[r];
  cal->n_closures = w;
}

/* Counts terms over all years (for one allocation). */
static size_t count_terms(const json_t *years) {
  size_t n = 0, i;
  const json_t *y;
  json_array_foreach(years, i, y) n += json_array_size(json_object_get(y, "terms"));
  return n;
}

static pe_err alloc_calendar(const json_t *years, const json_t *closures, pe_calendar **out) {
  pe_calendar *cal = calloc(1, sizeof *cal);
  if (!cal) return PE_NOMEM;
  cal->years = calloc(json_array_size(years) + 1, sizeof(pe_year));
  cal->terms = calloc(count_terms(years) + 1, sizeof(pe_term));
  cal->closures = calloc(json_array_size(closures) + 1, sizeof(pe_date));
  *out = cal;
  return cal->years && cal->terms && cal->closures ? PE_OK : PE_NOMEM;
}

/* True when any teaching term of the calendar JSON names a semester. */
static bool any_semester(const json_t *years) {
  size_t i, k;
  const json_t *y, *t;
  json_array_foreach(years, i, y) {
    json_array_foreach(json_object_get(y, "terms"), k, t) {
      const json_t *teach = json_object_get(t, "teaching");
      if (json_object_get(t, "semester") && !json_is_false(teach)) return true;
    }
  }
  return false;
}

/* Reads the time zone and every year (sorted), reporting overlapping years. */
static void parse_body(const json_t *j, pe_calendar *cal, const json_t *years, json_t *errs) {
  char path[64];
  const json_t *tz = json_object_get(j, "time_zone");
  if (pe_tz_parse(tz ? (json_is_string(tz) ? json_string_value(tz) : "") : "Europe/London",
                  &cal->tz) != PE_OK)
    pe_errors_add(errs, "$.time_zone", "must be a POSIX TZ rule or a known zone name");
  size_t i;
  const json_t *y;
  json_array_foreach(years, i, y) {
    snprintf(path, sizeof path, "$.years[%zu]", i);
    parse_year(y, path, cal, &cal->years[cal->n_years++], any_semester(years), errs);
  }
  qsort(cal->years, cal->n_years, sizeof(pe_year), cmp_year);
  for (i = 1; i < cal->n_years; i++)
    if (cal->years[i].start != PE_NO_DATE && cal->years[i].start <= cal->years[i - 1].end)
      pe_errors_add(errs, "$.years", "academic years must not overlap");
}

pe_err pe_calendar_parse(const json_t *j, pe_calendar **out, json_t **errors) {
  pe_err rc = PE_NOMEM;
  pe_calendar *cal = NULL;
  json_t *errs = json_array();
  *out = NULL;
  *errors = NULL;
  if (!errs) goto cleanup;
  if (!json_is_object(j)) {
    pe_errors_add(errs, "$", "must be an object");
    rc = PE_INVALID;
    goto cleanup;
  }
  pe_json_unknown_keys(j, "$", CAL_KEYS, errs);
  const json_t *years = pe_json_array(j, "years", "$", true, errs);
  const json_t *closures = pe_json_array(j, "closures", "$", false, errs);
  if ((rc = alloc_calendar(years, closures, &cal)) != PE_OK) goto cleanup;
  parse_body(j, cal, years, errs);
  parse_closures(closures, cal, errs);
  rc = json_array_size(errs) ? PE_INVALID : PE_OK;
cleanup:
  if (rc == PE_OK) {
    *out = cal;
    json_decref(errs);
  } else {
    pe_calendar_free(cal);
    *errors = errs;
  }
  return rc;
}

void pe_calendar_free(pe_calendar *cal) {
  if (!cal) return;
  free(cal->years);
  free(cal->terms);
  free(cal->closures);
  free(cal);
}
