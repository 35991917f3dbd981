/* fuzz_body.c — request bodies on any bytes, as the service reads them: parsed as JSON with duplicate
 * keys refused (http_body_object), then, when an object, validated against a field table holding every
 * field type and flag the resources' tables use (validate_object), as a whole body and as a patch.
 * Checks that every error is a {field, message} pair of strings and that a body with no error has every
 * required field. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "validate.h"

static const char *const KINDS[] = {"meeting", "email", "message", NULL};
static const char *const ROLES[] = {"student", "tutor", "senior_tutor", "registry", "admin", NULL};

/* One field of each type, with each flag, as the resources' tables declare them. */
static const struct field_spec SPECS[] = {
    {"name", FT_STRING, F_REQUIRED, 1, 200, NULL},
    {"note", FT_STRING, F_NULLABLE, 0, 4000, NULL},
    {"student_number", FT_ID, F_REQUIRED, 0, 20, NULL},
    {"school", FT_CODE, 0, 0, 0, NULL},
    {"email", FT_EMAIL, F_NULLABLE, 0, 0, NULL},
    {"starts_on", FT_DATE, 0, 0, 0, NULL},
    {"occurred_at", FT_INSTANT, F_NULLABLE, 0, 0, NULL},
    {"kind", FT_ENUM, F_REQUIRED, 0, 0, KINDS},
    {"roles", FT_ENUM_ARRAY, 0, 0, 0, ROLES},
    {"capacity", FT_INT, 0, 0, 1000, NULL},
    {"contact", FT_INT, F_NULLABLE, 1, 9223372036854775807L, NULL},
    {"active", FT_BOOL, 0, 0, 0, NULL},
    {"version", FT_INT, F_READONLY, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

/* Every error is an object with string field and message. */
static void check_errors(const json_t *errors)
{
    size_t i;
    const json_t *e;
    json_array_foreach(errors, i, e)
    {
        if (!json_is_string(json_object_get(e, "field")) || !json_is_string(json_object_get(e, "message")))
            abort();
    }
}

/* libFuzzer's entry point. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t err;
    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &err);
    if (!json_is_object(body)) {
        json_decref(body);
        return 0;
    }
    for (int patch = 0; patch < 2; patch++) {
        json_t *errors = json_array();
        int n = validate_object(body, SPECS, patch, errors);
        if (n < 0 || (size_t)n != json_array_size(errors))
            abort();
        check_errors(errors);
        if (n == 0 && !patch)
            for (const struct field_spec *s = SPECS; s->name; s++)
                if ((s->flags & F_REQUIRED) && !json_object_get(body, s->name))
                    abort(); /* accepted without a required field */
        json_decref(errors);
    }
    json_decref(body);
    return 0;
}
