/* cursor.c — base64url cursors (see cursor.h). */
#include "cursor.h"

#include <stdlib.h>
#include <string.h>

static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *cursor_encode(const char *key)
{
    size_t n = strlen(key), o = 0;
    char *out = malloc(n * 4 / 3 + 4);
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)(unsigned char)key[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)(unsigned char)key[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)key[i + 2];
        out[o++] = B64URL[(v >> 18) & 63];
        out[o++] = B64URL[(v >> 12) & 63];
        if (i + 1 < n)
            out[o++] = B64URL[(v >> 6) & 63];
        if (i + 2 < n)
            out[o++] = B64URL[v & 63];
    }
    out[o] = '\0';
    return out;
}

char *cursor_decode(const char *text)
{
    size_t n = strlen(text), o = 0;
    if (n == 0 || n > 1024 || n % 4 == 1)
        return NULL;
    char *out = malloc(n * 3 / 4 + 2);
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; out && i < n; i++) {
        const char *p = strchr(B64URL, text[i]);
        if (!p || !*p) {
            free(out);
            return NULL;
        }
        acc = ((acc << 6) | (unsigned)(p - B64URL)) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            char c = (char)((acc >> bits) & 0xff);
            if (c == '\0') {
                free(out);
                return NULL;
            }
            out[o++] = c;
        }
    }
    if (out)
        out[o] = '\0';
    return out;
}

int cursor_position(const char *key, long *out)
{
    size_t n = strlen(key);
    if (n == 0 || n > 9 || strspn(key, "0123456789") != n)
        return -1;
    *out = strtol(key, NULL, 10);
    return 0;
}
