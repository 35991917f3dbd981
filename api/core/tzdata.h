/* tzdata.h — any IANA time zone for the policy engine: the POSIX TZ rule a zone follows today is the
 * footer of its TZif file in the system's tzdata (RFC 8536 §3.3), which the engine's parser reads. The
 * engine itself reads no files; the service looks the rule up and hands it over. */
#ifndef TUTORD_TZDATA_H
#define TUTORD_TZDATA_H

#include <jansson.h>
#include <stddef.h>

/* Where the tzdata package installs the TZif files. */
#define TZDATA_DIR "/usr/share/zoneinfo"

/* The footer of a TZif file held in `data` (n bytes): a version 2 or later file ends with "\n<rule>\n".
 * Copies the rule (printable ASCII, non-empty) into out (size bytes). Returns 0, or -1 when `data` is
 * not such a file, has no rule (a zone no POSIX rule describes) or the rule does not fit. Pure. */
int tzdata_footer(const char *data, size_t n, char *out, size_t size);

/* True when `name` may name a zone file: segments of letters, digits, '_', '+' and '-' joined by '/',
 * at most 64 bytes — never "..", a leading '/' or anything else that would leave the tzdata folder. */
int tzdata_name_ok(const char *name);

/* The POSIX rule of IANA zone `name` ("America/New_York" → "EST5EDT,M3.2.0,M11.1.0") from
 * TZDATA_DIR/<name>. Returns 0, or -1 when the name is not a zone file or its file has no rule. */
int tzdata_rule(const char *name, char *out, size_t size);

/* In a calendar document about to go to the engine, replaces a `time_zone` the engine does not read
 * itself (a rule, or one of its few built-in names) by the POSIX rule of the IANA zone it names; one
 * that names no zone is left for the engine to refuse. */
void tzdata_resolve(json_t *calendar);

#endif
