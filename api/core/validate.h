/* validate.h — strict validation of request bodies against a table of field specs.
 * Every problem is collected as {field, message} so the caller can report them all at once. */
#ifndef TUTORD_VALIDATE_H
#define TUTORD_VALIDATE_H

#include <jansson.h>

enum field_type {
    FT_STRING,     /* text of min..max characters */
    FT_ID,         /* a natural key: 1..max of [A-Za-z0-9] */
    FT_CODE,       /* a school code: [A-Z][A-Z0-9_-]{0,15} */
    FT_EMAIL,      /* something@somewhere, no spaces */
    FT_DATE,       /* YYYY-MM-DD, a real date */
    FT_INSTANT,    /* RFC 3339 with an offset */
    FT_ENUM,       /* one of values[] */
    FT_ENUM_ARRAY, /* an array of distinct values from values[] */
    FT_INT,        /* a whole number min..max */
    FT_BOOL,
};

enum {
    F_REQUIRED = 1u << 0, /* must be present (ignored when validating a patch) */
    F_NULLABLE = 1u << 1, /* null is accepted */
    F_READONLY = 1u << 2, /* set by the service: refused with "read-only" */
};

struct field_spec {
    const char *name;
    enum field_type type;
    unsigned flags;
    long min, max;             /* lengths for strings, bounds for integers */
    const char *const *values; /* NULL-terminated, for enums */
};

/* Validates `obj` against `specs` (terminated by a spec with name NULL): unknown and read-only fields,
 * wrong types, bad formats, missing required fields (unless `patch`). Appends {field, message} objects
 * to `errors` (a JSON array the caller owns). Returns the number of errors added. Pure, thread-safe. */
int validate_object(const json_t *obj, const struct field_spec *specs, int patch, json_t *errors);

/* Appends {field, message} to errors. */
void validate_error(json_t *errors, const char *field, const char *message);

/* True when `s` is a real calendar date written YYYY-MM-DD. */
int validate_is_date(const char *s);

/* True when `s` is an RFC 3339 instant with an explicit offset (Z or ±hh:mm). */
int validate_is_instant(const char *s);

/* True when `s` is a natural key (1..max of [A-Za-z0-9]). */
int validate_is_id(const char *s, long max);

/* True when `s` is a school code. */
int validate_is_code(const char *s);

#endif
