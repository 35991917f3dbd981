/* fuzz_calendar.c — the calendar parsers on any bytes: the calendar document (pe_calendar_parse) and
 * the date, instant and time-zone texts the query parameters and documents carry. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pe.h"

/* The date, instant and zone parsers on the input as text; a parsed date is formatted back. */
static void parse_texts(const char *text)
{
    pe_date d;
    pe_instant t;
    pe_tz tz;
    char back[16];
    (void)pe_instant_parse(text, &t);
    (void)pe_tz_parse(text, &tz);
    if (pe_date_parse(text, &d) == PE_OK && !pe_date_format(d, back))
        abort();
}

/* libFuzzer's entry point: the input as text and as a calendar document. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    parse_texts(text);
    free(text);
    json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    pe_calendar *cal = NULL;
    json_t *errors = NULL;
    if (doc && pe_calendar_parse(doc, &cal, &errors) == PE_OK && !cal)
        abort();
    pe_calendar_free(cal);
    json_decref(errors);
    json_decref(doc);
    return 0;
}
