/* pg_array.c — PostgreSQL array literals of text keys. */
#include "pg_array.h"

#include "strbuf.h"

char *pg_array_literal(size_t n, const char *(*key)(const void *arg, size_t i), const void *arg)
{
    struct strbuf sb = {0};
    strbuf_puts(&sb, "{");
    for (size_t i = 0; i < n; i++) {
        strbuf_puts(&sb, i ? ",\"" : "\"");
        for (const char *p = key(arg, i); *p; p++) {
            if (*p == '"' || *p == '\\')
                strbuf_puts(&sb, "\\");
            strbuf_append(&sb, p, 1);
        }
        strbuf_puts(&sb, "\"");
    }
    strbuf_puts(&sb, "}");
    return strbuf_take(&sb);
}

const char *pg_array_string_key(const void *arg, size_t i)
{
    return ((const char *const *)arg)[i];
}
