/* sha256.h — SHA-256 (FIPS 180-4) of a byte buffer, for fingerprinting request bodies. */
#ifndef TUTORD_SHA256_H
#define TUTORD_SHA256_H

#include <stddef.h>

struct sha256 {
    unsigned int state[8];
    unsigned long long length; /* bytes hashed so far */
    unsigned char block[64];
    size_t used; /* bytes waiting in block */
};

/* Starts a hash. Pure; each struct belongs to one thread. */
void sha256_init(struct sha256 *h);
/* Feeds n bytes (data may be NULL when n is 0). */
void sha256_update(struct sha256 *h, const void *data, size_t n);
/* Finishes the hash and writes it as 64 lowercase hex digits and a NUL into hex (65 bytes). */
void sha256_hex(struct sha256 *h, char hex[65]);

#endif
