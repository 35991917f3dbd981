/* wire.c — whole numbers and If-Match lists (wire.h). */
#include "wire.h"

#include <string.h>

#define MAX_DIGITS 18
#define MAX_TAGS 64
#define MAX_TAG 64

int wire_whole_number(const char *text, long min, long max, long *out)
{
    if (!text)
        return -1;
    int negative = text[0] == '-' && min < 0;
    const char *p = text + negative;
    size_t n = strspn(p, "0123456789");
    if (n == 0 || n > MAX_DIGITS || p[n] != '\0')
        return -1;
    long v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (p[i] - '0'); /* at most 18 digits: below 10^18, within long */
    v = negative ? -v : v;
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Skips optional whitespace (spaces and tabs). */
static const char *skip_ows(const char *p)
{
    return p + strspn(p, " \t");
}

/* Reads one entity tag at p: sets *weak, *tag (its opaque part, without quotes) and *len; returns the
 * position after it, or NULL when there is none. */
static const char *entity_tag(const char *p, int *weak, const char **tag, size_t *len)
{
    *weak = strncmp(p, "W/", 2) == 0;
    p += *weak ? 2 : 0;
    if (*p != '"')
        return NULL;
    const char *start = ++p;
    while (*p > 0x20 && *p < 0x7f && *p != '"')
        p++;
    if (*p != '"' || p - start > MAX_TAG)
        return NULL;
    *tag = start;
    *len = (size_t)(p - start);
    return p + 1;
}

int wire_if_match(const char *header, const char *version)
{
    if (!header)
        return 1;
    const char *p = skip_ows(header);
    if (*p == '*' && *skip_ows(p + 1) == '\0')
        return version != NULL;
    int matched = 0, tags = 0;
    for (;;) {
        int weak;
        const char *tag;
        size_t len;
        if (!(p = entity_tag(p, &weak, &tag, &len)) || ++tags > MAX_TAGS)
            return -1;
        if (!weak && version && len == strlen(version) && strncmp(tag, version, len) == 0)
            matched = 1;
        p = skip_ows(p);
        if (*p == '\0')
            return matched;
        if (*p != ',')
            return -1;
        p = skip_ows(p + 1);
    }
}
