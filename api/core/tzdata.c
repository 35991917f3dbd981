/* tzdata.c — IANA zone names to POSIX TZ rules through the TZif files' footers (tzdata.h). */
#include "tzdata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pe.h"

#define TZIF_HEADER 44                /* "TZif", version, 15 reserved bytes, six counts */
#define TZIF_MAX ((size_t)512 * 1024) /* the largest zone file is a few KB */

int tzdata_footer(const char *data, size_t n, char *out, size_t size)
{
    if (!data || n < TZIF_HEADER + 2 || memcmp(data, "TZif", 4) != 0 || data[4] < '2' || data[n - 1] != '\n')
        return -1;
    size_t end = n - 1, start = end;
    while (start > TZIF_HEADER && data[start - 1] != '\n')
        start--;
    if (start <= TZIF_HEADER || start == end || end - start >= size)
        return -1;
    for (size_t i = start; i < end; i++)
        if (data[i] < 0x21 || data[i] > 0x7e)
            return -1; /* a rule is printable ASCII without spaces */
    memcpy(out, data + start, end - start);
    out[end - start] = '\0';
    return 0;
}

int tzdata_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0, segment = 0;
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i <= n; i++) {
        char c = name[i];
        if (c == '/' || c == '\0') {
            if (segment == 0)
                return 0; /* empty segment: leading, trailing or doubled '/' */
            segment = 0;
            continue;
        }
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '+' ||
              c == '-'))
            return 0; /* no '.', so no ".." */
        segment++;
    }
    return 1;
}

int tzdata_rule(const char *name, char *out, size_t size)
{
    char path[128];
    if (!tzdata_name_ok(name))
        return -1;
    snprintf(path, sizeof(path), "%s/%s", TZDATA_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char *data = malloc(TZIF_MAX);
    size_t n = data ? fread(data, 1, TZIF_MAX, f) : 0;
    int whole = data && feof(f) && !ferror(f); /* a directory, or a file over TZIF_MAX, is not a zone */
    fclose(f);
    int rc = whole ? tzdata_footer(data, n, out, size) : -1;
    free(data);
    return rc;
}

void tzdata_resolve(json_t *calendar)
{
    const char *zone = json_string_value(json_object_get(calendar, "time_zone"));
    char rule[128];
    pe_tz known;
    if (zone && pe_tz_parse(zone, &known) != PE_OK && tzdata_rule(zone, rule, sizeof(rule)) == 0)
        json_object_set_new(calendar, "time_zone", json_string(rule));
}
