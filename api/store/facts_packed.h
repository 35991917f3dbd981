/* facts_packed.h — a student's contacts packed into bytes, as facts_cache.h keeps them: most of what the cache holds
 * is contacts, and a pe_contact takes 80 bytes where its information takes some twelve.
 *
 * Each contact: a byte of its kind and whether it has a summary, a byte of its direction, attendance, wellbeing
 * check, senior tutor and whether it replies, a byte indexing its staff number in a table of the student's (at most
 * 256), then as variable-length integers (7 bits a byte, zigzag for the sign) its id less the previous contact's,
 * its instant less the previous contact's, and when present its summary's instant less its own and the id it
 * replies to less its own. Differences are taken modulo 2^64, so every int64 comes back as it went in. */
#ifndef TUTORD_FACTS_PACKED_H
#define TUTORD_FACTS_PACKED_H

#include <stddef.h>

#include "pe.h"

/* The most bytes n contacts take packed. */
#define FACTS_PACKED_MAX(n) ((n) * (3 + 4 * 10))

/* Packs the n contacts c into out (room for FACTS_PACKED_MAX(n) bytes) and their staff numbers into table (room for
 * n of them; *n_staff in it, added to): 1 with *bytes written, or 0 when one cannot be packed (a 257th staff number,
 * an enum beyond the values a pe_contact holds). */
int facts_pack_contacts(const pe_contact *c, size_t n, unsigned char *out, size_t *bytes, char (*table)[PE_ID_LEN],
                        size_t *n_staff);

/* Unpacks n contacts packed by facts_pack_contacts with `table` into out. */
void facts_unpack_contacts(const unsigned char *in, size_t n, const char (*table)[PE_ID_LEN], pe_contact *out);

#endif
