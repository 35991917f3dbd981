/* strbuf.c — growable string, doubling capacity. */
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

void strbuf_append(struct strbuf *sb, const char *s, size_t n)
{
    if (sb->failed)
        return;
    if (sb->len + n + 1 > sb->cap) {
        size_t cap = sb->cap ? sb->cap : 256;
        while (cap < sb->len + n + 1)
            cap *= 2;
        char *grown = realloc(sb->data, cap);
        if (!grown) {
            sb->failed = 1;
            return;
        }
        sb->data = grown;
        sb->cap = cap;
    }
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void strbuf_puts(struct strbuf *sb, const char *s)
{
    strbuf_append(sb, s, strlen(s));
}

char *strbuf_take(struct strbuf *sb)
{
    char *out = sb->failed ? NULL : sb->data;
    if (!out && !sb->failed)
        out = calloc(1, 1);
    if (sb->failed)
        free(sb->data);
    sb->data = NULL;
    sb->len = sb->cap = 0;
    sb->failed = 0;
    return out;
}

void strbuf_free(struct strbuf *sb)
{
    if (!sb)
        return;
    free(sb->data);
    sb->data = NULL;
    sb->len = sb->cap = 0;
}
