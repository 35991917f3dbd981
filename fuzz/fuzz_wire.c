/* fuzz_wire.c — the small parsers of values from outside (wire.h) on any bytes: the first byte picks
 * whole-number parsing (query limits, row ids in paths and cursors) or If-Match parsing, the rest is the
 * text (an If-Match header and a record version, split at the first newline). Checks what each answer
 * promises: a number read is within its bounds and is what the digits say; an If-Match answer is -1, 0
 * or 1, and a header that is exactly the record's strong tag (or "*") always matches. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

/* Whole numbers under three pairs of bounds; a number read must lie within them and equal strtol's
 * reading of the same (at most 18-digit, so safe) text. */
static void numbers(const char *text)
{
    static const long BOUNDS[][2] = {{1, 1000}, {0, 999999999999999999L}, {-100, 100}};
    for (size_t i = 0; i < sizeof(BOUNDS) / sizeof(BOUNDS[0]); i++) {
        long v = 12345;
        if (wire_whole_number(text, BOUNDS[i][0], BOUNDS[i][1], &v) != 0) {
            if (v != 12345)
                abort(); /* a refusal leaves *out alone */
            continue;
        }
        if (v < BOUNDS[i][0] || v > BOUNDS[i][1] || strtol(text, NULL, 10) != v)
            abort();
    }
}

/* If-Match `header` against `version` (and against no record). */
static void if_match(const char *header, const char *version)
{
    int with = wire_if_match(header, version), without = wire_if_match(header, NULL);
    if (with < -1 || with > 1 || without < -1 || without > 1 || (without == 1))
        abort(); /* nothing but an absent header lets a write through to a record that does not exist */
    char exact[160];
    if (strlen(version) < 60 && strpbrk(version, "\" ,") == NULL) {
        int printable = 1;
        for (const char *p = version; *p; p++)
            printable &= *p > 0x20 && *p < 0x7f;
        snprintf(exact, sizeof(exact), "\"%s\"", version);
        if (printable && wire_if_match(exact, version) != 1)
            abort();
    }
    if (wire_if_match("*", version) != 1 || wire_if_match(NULL, version) != 1)
        abort();
}

/* libFuzzer's entry point. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    if (data[0] & 1) {
        numbers(text);
    } else {
        char *newline = strchr(text, '\n');
        if (newline)
            *newline = '\0';
        if_match(text, newline ? newline + 1 : "1");
    }
    free(text);
    return 0;
}
