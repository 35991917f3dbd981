/* cursor.h — the opaque list cursors: a keyset position written as base64url without padding. Pure
 * (no I/O, no globals), so the fuzz harness can drive it alone. */
#ifndef TUTORD_CURSOR_H
#define TUTORD_CURSOR_H

/* Encodes `key` (NUL-terminated) as base64url without padding. Returns malloc'd text, or NULL when out
 * of memory. */
char *cursor_encode(const char *key);

/* Decodes a cursor cursor_encode made: the key (malloc'd), or NULL when `text` is empty, longer than
 * 1024 characters, not base64url, or decodes to a NUL byte. */
char *cursor_decode(const char *text);

/* Reads a decoded key that is a position in a list: 1 to 9 decimal digits, so position + any page
 * limit stays far inside a long. Returns 0 and sets *out, or -1. */
int cursor_position(const char *key, long *out);

#endif
