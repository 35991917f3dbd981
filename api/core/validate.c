/* validate.c — field-spec validation shared by every write route. */
#include "validate.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

void validate_error(json_t *errors, const char *field, const char *message)
{
    json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field, "message", message));
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

static int digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* The value of n decimal digits (checked by digits()). */
static int number(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static int parse_date_prefix(const char *s)
{
    if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
        return 0;
    int y = number(s, 4), m = number(s + 5, 2), d = number(s + 8, 2);
    return y >= 1900 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

int validate_is_date(const char *s)
{
    return strlen(s) == 10 && parse_date_prefix(s);
}

int validate_is_instant(const char *s)
{
    size_t n = strlen(s);
    if (n < 20 || !parse_date_prefix(s) || (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2) || s[13] != ':' ||
        !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
        return 0;
    int hh = (s[11] - '0') * 10 + (s[12] - '0'), mm = (s[14] - '0') * 10 + (s[15] - '0'),
        ss = (s[17] - '0') * 10 + (s[18] - '0');
    if (hh > 23 || mm > 59 || ss > 60)
        return 0;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        size_t f = strspn(p, "0123456789");
        if (f == 0 || f > 9)
            return 0;
        p += f;
    }
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
        return 1;
    return (*p == '+' || *p == '-') && digits(p + 1, 2) && p[3] == ':' && digits(p + 4, 2) && p[6] == '\0' &&
           (p[1] - '0') * 10 + (p[2] - '0') <= 23 && (p[4] - '0') * 10 + (p[5] - '0') <= 59;
}

int validate_is_id(const char *s, long max)
{
    size_t n = strlen(s);
    if (n == 0 || (long)n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]))
            return 0;
    return 1;
}

int validate_is_code(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 16 || !isupper((unsigned char)s[0]))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!isupper((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
            return 0;
    return 1;
}

static int in_values(const char *const *values, const char *s)
{
    for (; values && *values; values++)
        if (strcmp(*values, s) == 0)
            return 1;
    return 0;
}

/* Describes the allowed values, e.g. "one of: F, 4, 5". */
static void describe_values(char *buf, size_t size, const char *prefix, const char *const *values)
{
    size_t used = (size_t)snprintf(buf, size, "%s", prefix);
    for (int i = 0; values && values[i] && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", values[i]);
}

/* Checks a string value's format; returns NULL when fine or the message. Writes long messages to buf. */
static const char *check_string(const struct field_spec *spec, const char *s, char *buf, size_t size)
{
    size_t len = strlen(s);
    switch (spec->type) {
    case FT_STRING:
        if ((long)len < spec->min || (long)len > spec->max) {
            snprintf(buf, size, "must be %ld to %ld characters long", spec->min, spec->max);
            return buf;
        }
        return NULL;
    case FT_ID:
        return validate_is_id(s, spec->max) ? NULL : "must be letters and digits only, at most 20 of them";
    case FT_CODE:
        return validate_is_code(s) ? NULL : "must be a school code: capital letters, digits, '_' or '-', at most 16";
    case FT_EMAIL: {
        const char *at = strchr(s, '@');
        int ok = at && at != s && at[1] && !strchr(at + 1, '@') && !strpbrk(s, " \t\r\n") && len <= 254;
        return ok ? NULL : "must be an email address";
    }
    case FT_DATE:
        return validate_is_date(s) ? NULL : "must be a real date written YYYY-MM-DD";
    case FT_INSTANT:
        return validate_is_instant(s) ? NULL : "must be an RFC 3339 date-time with an offset";
    case FT_ENUM:
        if (in_values(spec->values, s))
            return NULL;
        describe_values(buf, size, "must be one of: ", spec->values);
        return buf;
    default:
        return "has the wrong type";
    }
}

static const char *check_enum_array(const struct field_spec *spec, const json_t *value, char *buf, size_t size)
{
    if (!json_is_array(value))
        return "must be an array of strings";
    size_t i, j;
    const json_t *item;
    json_array_foreach(value, i, item)
    {
        if (!json_is_string(item) || !in_values(spec->values, json_string_value(item))) {
            describe_values(buf, size, "every item must be one of: ", spec->values);
            return buf;
        }
        for (j = 0; j < i; j++)
            if (json_equal(json_array_get(value, j), item))
                return "must not repeat a value";
    }
    return NULL;
}

static const char *check_value(const struct field_spec *spec, const json_t *value, char *buf, size_t size)
{
    if (json_is_null(value))
        return (spec->flags & F_NULLABLE) ? NULL : "must not be null";
    switch (spec->type) {
    case FT_BOOL:
        return json_is_boolean(value) ? NULL : "must be true or false";
    case FT_INT:
        if (!json_is_integer(value))
            return "must be a whole number";
        if (json_integer_value(value) < spec->min || json_integer_value(value) > spec->max) {
            snprintf(buf, size, "must be from %ld to %ld", spec->min, spec->max);
            return buf;
        }
        return NULL;
    case FT_ENUM_ARRAY:
        return check_enum_array(spec, value, buf, size);
    default:
        return json_is_string(value) ? check_string(spec, json_string_value(value), buf, size) : "must be a string";
    }
}

static const struct field_spec *find_spec(const struct field_spec *specs, const char *name)
{
    for (; specs->name; specs++)
        if (strcmp(specs->name, name) == 0)
            return specs;
    return NULL;
}

int validate_object(const json_t *obj, const struct field_spec *specs, int patch, json_t *errors)
{
    size_t before = json_array_size(errors);
    const char *key;
    const json_t *value;
    char buf[256];
    json_object_foreach((json_t *)obj, key, value)
    {
        const struct field_spec *spec = find_spec(specs, key);
        const char *problem = !spec                        ? "is not a field of this resource"
                              : (spec->flags & F_READONLY) ? "is set by the service and cannot be written"
                                                           : check_value(spec, value, buf, sizeof(buf));
        if (problem)
            validate_error(errors, key, problem);
    }
    for (const struct field_spec *s = specs; !patch && s->name; s++)
        if ((s->flags & F_REQUIRED) && !json_object_get(obj, s->name))
            validate_error(errors, s->name, "is required");
    return (int)(json_array_size(errors) - before);
}
