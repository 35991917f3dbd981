/* wire.h — small parsers of values from outside that the service reads in several places: whole
 * numbers in queries and paths, and If-Match headers. Pure (no I/O, no allocation), thread-safe, and
 * fuzzed (fuzz/fuzz_wire.c). */
#ifndef TUTORD_WIRE_H
#define TUTORD_WIRE_H

/* Reads `text` as a whole number from min to max: ASCII digits only, a '-' in front only when min is
 * negative, at most 18 digits (so no overflow whatever the text), no sign, space or anything else. Sets
 * *out and returns 0, or returns -1 with *out untouched. */
int wire_whole_number(const char *text, long min, long max, long *out);

/* Whether an If-Match header (RFC 9110 §13.1.1) lets a write go ahead on a record whose ETag is
 * "<version>" (`version` NULL: no such record): 1 for no header, "*" on an existing record, or a list
 * of entity tags ("3", W/"3", separated by commas and optional spaces) holding the strong tag "version"
 * (a weak tag never matches); 0 when it does not match; -1 when the header is not a list of entity tags
 * (at most 64 of them, each at most 64 characters of visible ASCII but '"'). */
int wire_if_match(const char *header, const char *version);

#endif
