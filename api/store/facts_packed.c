/* facts_packed.c — contacts packed into bytes (facts_packed.h). */
#include "facts_packed.h"

#include <stdint.h>
#include <string.h>

#define HAS_SUMMARY 0x80u /* in the first byte, beside kind + 1 */
#define HAS_REPLY 0x80u   /* in the second byte */
#define WELLBEING 0x40u
#define SENIOR 0x20u

/* value - base modulo 2^64, zigzagged (small magnitudes of either sign: small numbers). */
static uint64_t zigzag(int64_t value, int64_t base)
{
    uint64_t d = (uint64_t)value - (uint64_t)base;
    return (d << 1) ^ (0 - (d >> 63));
}

static int64_t unzigzag(uint64_t z, int64_t base)
{
    uint64_t d = (z >> 1) ^ (0 - (z & 1));
    return (int64_t)((uint64_t)base + d);
}

static unsigned char *put_varint(unsigned char *p, uint64_t v)
{
    for (; v >= 0x80; v >>= 7)
        *p++ = (unsigned char)(v | 0x80);
    *p++ = (unsigned char)v;
    return p;
}

static const unsigned char *get_varint(const unsigned char *p, uint64_t *v)
{
    uint64_t x = 0;
    unsigned shift = 0;
    for (; *p & 0x80; p++, shift += 7)
        x |= (uint64_t)(*p & 0x7f) << shift;
    *v = x | (uint64_t)*p << shift;
    return p + 1;
}

/* The index of `staff` in the table (added when absent), or -1 when it would be the 257th. */
static int staff_index(char (*table)[PE_ID_LEN], size_t *n, const char *staff)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(table[i], staff) == 0)
            return (int)i;
    if (*n > UINT8_MAX)
        return -1;
    pe_copy_text(table[*n], PE_ID_LEN, staff);
    return (int)(*n)++;
}

/* An enum's value plus one in `bits` bits: -1 and above, below the field's limit; else -1. */
static int field(int value, unsigned bits)
{
    return value >= -1 && value + 1 < (1 << bits) ? value + 1 : -1;
}

int facts_pack_contacts(const pe_contact *c, size_t n, unsigned char *out, size_t *bytes, char (*table)[PE_ID_LEN],
                        size_t *n_staff)
{
    unsigned char *p = out;
    int64_t id = 0;
    pe_instant at = 0;
    for (size_t i = 0; i < n; i++) {
        int kind = field((int)c[i].kind, 7), direction = field((int)c[i].direction, 2),
            attendance = field((int)c[i].attendance, 3), staff = staff_index(table, n_staff, c[i].staff);
        if (kind < 0 || direction < 0 || attendance < 0 || staff < 0)
            return 0;
        *p++ = (unsigned char)((unsigned)kind | (c[i].summary_at ? HAS_SUMMARY : 0));
        *p++ = (unsigned char)((unsigned)direction | (unsigned)attendance << 2 | (c[i].reply_to ? HAS_REPLY : 0) |
                               (c[i].wellbeing_check ? WELLBEING : 0) | (c[i].senior_tutor ? SENIOR : 0));
        *p++ = (unsigned char)staff;
        p = put_varint(p, zigzag(c[i].id, id));
        p = put_varint(p, zigzag(c[i].at, at));
        if (c[i].summary_at)
            p = put_varint(p, zigzag(c[i].summary_at, c[i].at));
        if (c[i].reply_to)
            p = put_varint(p, zigzag(c[i].reply_to, c[i].id));
        id = c[i].id;
        at = c[i].at;
    }
    *bytes = (size_t)(p - out);
    return 1;
}

void facts_unpack_contacts(const unsigned char *in, size_t n, const char (*table)[PE_ID_LEN], pe_contact *out)
{
    const unsigned char *p = in;
    int64_t id = 0;
    pe_instant at = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned first = *p++, second = *p++, staff = *p++;
        uint64_t v;
        pe_contact *c = &out[i];
        memset(c, 0, sizeof(*c));
        c->kind = (pe_contact_kind)((int)(first & 0x7f) - 1);
        c->direction = (pe_direction)((int)(second & 3) - 1);
        c->attendance = (pe_attendance)((int)(second >> 2 & 7) - 1);
        c->wellbeing_check = (second & WELLBEING) != 0;
        c->senior_tutor = (second & SENIOR) != 0;
        pe_copy_text(c->staff, PE_ID_LEN, table[staff]);
        p = get_varint(p, &v);
        c->id = id = unzigzag(v, id);
        p = get_varint(p, &v);
        c->at = at = unzigzag(v, at);
        if (first & HAS_SUMMARY) {
            p = get_varint(p, &v);
            c->summary_at = unzigzag(v, c->at);
        }
        if (second & HAS_REPLY) {
            p = get_varint(p, &v);
            c->reply_to = unzigzag(v, c->id);
        }
    }
}
