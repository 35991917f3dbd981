/* jsonutil.c — JSON field readers that report every problem with its JSON path. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void pe_errors_add(json_t *errs, const char *field, const char *fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  json_array_append_new(errs, json_pack("{s:s, s:s}", "field", field, "message", msg));
}

void pe_json_unknown_keys(const json_t *obj, const char *path, const char *const *allowed,
                          json_t *errs) {
  const char *key;
  json_t *v;
  char field[512];
  json_object_foreach((json_t *)obj, key, v) {
    bool ok = false;
    for (size_t i = 0; allowed[i] && !ok; i++) ok = strcmp(allowed[i], key) == 0;
    if (!ok) {
      snprintf(field, sizeof field, "%s.%s", path, key);
      pe_errors_add(errs, field, "unknown field");
    }
  }
}

/* Fetches obj[key]; reports a missing required field. */
static const json_t *field_get(const json_t *obj, const char *key, const char *path, bool required,
                               json_t *errs, char *field, size_t cap) {
  snprintf(field, cap, "%s.%s", path, key);
  const json_t *v = json_object_get(obj, key);
  if (!v && required) pe_errors_add(errs, field, "is required");
  return v;
}

bool pe_json_date(const json_t *obj, const char *key, const char *path, bool required, pe_date *out,
                  json_t *errs) {
  char field[512];
  const json_t *v = field_get(obj, key, path, required, errs, field, sizeof field);
  if (!v) return false;
  if (!json_is_string(v) || pe_date_parse(json_string_value(v), out) != PE_OK) {
    pe_errors_add(errs, field, "must be a date YYYY-MM-DD");
    return false;
  }
  return true;
}

bool pe_json_string(const json_t *obj, const char *key, const char *path, bool required, char *buf,
                    size_t cap, json_t *errs) {
  char field[512];
  const json_t *v = field_get(obj, key, path, required, errs, field, sizeof field);
  if (!v) return false;
  if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) >= cap) {
    pe_errors_add(errs, field, "must be a non-empty string of at most %zu bytes", cap - 1);
    return false;
  }
  memcpy(buf, json_string_value(v), json_string_length(v) + 1);
  return true;
}

const json_t *pe_json_array(const json_t *obj, const char *key, const char *path, bool required,
                            json_t *errs) {
  char field[512];
  const json_t *v = field_get(obj, key, path, required, errs, field, sizeof field);
  if (v && !json_is_array(v)) {
    pe_errors_add(errs, field, "must be an array");
    return NULL;
  }
  return v;
}
