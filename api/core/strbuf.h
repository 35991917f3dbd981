/* strbuf.h — a growable byte buffer for building response bodies without re-parsing JSON. */
#ifndef TUTORD_STRBUF_H
#define TUTORD_STRBUF_H

#include <stddef.h>

struct strbuf {
    char *data; /* NUL-terminated; NULL until the first append */
    size_t len, cap;
    int failed; /* an allocation failed: the content is incomplete */
};

/* Appends n bytes / a C string. On allocation failure sets sb->failed and leaves the buffer as it was. */
void strbuf_append(struct strbuf *sb, const char *s, size_t n);
void strbuf_puts(struct strbuf *sb, const char *s);

/* Hands the string to the caller (free()), or NULL when anything failed; the buffer is emptied. */
char *strbuf_take(struct strbuf *sb);

/* Frees the content; NULL-safe. */
void strbuf_free(struct strbuf *sb);

#endif
