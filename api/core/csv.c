/* csv.c — RFC 4180 records out of a byte buffer; see csv.h. */
#include "csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

/* Length of the UTF-8 sequence starting at p (at most n bytes available), or 0 when malformed. */
static size_t utf8_sequence(const unsigned char *p, size_t n)
{
    size_t len = p[0] < 0x80             ? 1
                 : (p[0] & 0xe0) == 0xc0 ? 2
                 : (p[0] & 0xf0) == 0xe0 ? 3
                 : (p[0] & 0xf8) == 0xf0 ? 4
                                         : 0;
    if (len == 0 || len > n || (len == 2 && p[0] < 0xc2) || (len == 4 && p[0] > 0xf4))
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if (len == 3 && ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0)))
        return 0; /* overlong, or a UTF-16 surrogate */
    if (len == 4 && ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90)))
        return 0;
    return len;
}

long csv_text_error_line(const char *text, size_t len)
{
    const unsigned char *p = (const unsigned char *)text;
    long line = 1;
    for (size_t i = 0; i < len;) {
        size_t n = p[i] ? utf8_sequence(p + i, len - i) : 0;
        if (n == 0)
            return line;
        line += p[i] == '\n';
        i += n;
    }
    return 0;
}

int csv_init(struct csv_reader *r, const char *text, size_t len)
{
    r->p = text;
    r->end = text + len;
    r->line = 1;
    r->error[0] = '\0';
    long bad = csv_text_error_line(text, len);
    if (bad) {
        snprintf(r->error, sizeof(r->error), "line %ld is not valid UTF-8 text", bad);
        return -1;
    }
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        r->p += 3;
    return 0;
}

void csv_row_free(struct csv_row *row)
{
    for (size_t i = 0; i < row->n; i++)
        free(row->fields[i]);
    row->n = 0;
}

static int push_field(struct csv_row *row, struct strbuf *field)
{
    if (row->n == row->cap) {
        size_t cap = row->cap ? row->cap * 2 : 16;
        char **grown = realloc(row->fields, cap * sizeof(*grown));
        if (!grown)
            return -1;
        row->fields = grown;
        row->cap = cap;
    }
    char *text = strbuf_take(field);
    if (!text)
        return -1;
    row->fields[row->n++] = text;
    return 0;
}

/* Consumes a line break at r->p if there is one (CRLF, LF or a lone CR); returns 1 when it did. */
static int eat_line_break(struct csv_reader *r)
{
    if (r->p < r->end && *r->p == '\r') {
        r->p++;
        if (r->p < r->end && *r->p == '\n')
            r->p++;
        r->line++;
        return 1;
    }
    if (r->p < r->end && *r->p == '\n') {
        r->p++;
        r->line++;
        return 1;
    }
    return 0;
}

/* Reads a quoted field (r->p just after the opening quote) into *field; -1 when unterminated. */
static int read_quoted(struct csv_reader *r, struct strbuf *field)
{
    long started = r->line;
    while (r->p < r->end) {
        const char *quote = memchr(r->p, '"', (size_t)(r->end - r->p));
        const char *stop = quote ? quote : r->end;
        for (const char *c = r->p; c < stop; c++)
            r->line += *c == '\n';
        strbuf_append(field, r->p, (size_t)(stop - r->p));
        r->p = stop;
        if (!quote)
            break;
        r->p++;
        if (r->p < r->end && *r->p == '"') { /* "" is one quote */
            strbuf_append(field, "\"", 1);
            r->p++;
            continue;
        }
        return 0;
    }
    snprintf(r->error, sizeof(r->error), "the quoted field opened on line %ld is never closed", started);
    return -1;
}

/* Reads one field at r->p into *field; -1 when malformed. */
static int read_field(struct csv_reader *r, struct strbuf *field)
{
    if (r->p < r->end && *r->p == '"') {
        r->p++;
        if (read_quoted(r, field) != 0)
            return -1;
        if (r->p < r->end && *r->p != ',' && *r->p != '\r' && *r->p != '\n') {
            snprintf(r->error, sizeof(r->error), "line %ld: text follows the closing quote of a field", r->line);
            return -1;
        }
        return 0;
    }
    const char *stop = r->p;
    while (stop < r->end && *stop != ',' && *stop != '\r' && *stop != '\n' && *stop != '"')
        stop++;
    strbuf_append(field, r->p, (size_t)(stop - r->p));
    r->p = stop;
    if (r->p < r->end && *r->p == '"') {
        snprintf(r->error, sizeof(r->error), "line %ld: a field with a quote must be enclosed in quotes", r->line);
        return -1;
    }
    return 0;
}

int csv_next(struct csv_reader *r, struct csv_row *row)
{
    csv_row_free(row);
    while (eat_line_break(r))
        ; /* blank lines */
    if (r->p >= r->end)
        return 0;
    struct strbuf field = {0};
    for (;;) {
        strbuf_puts(&field, ""); /* an empty field is "", not NULL */
        if (read_field(r, &field) != 0 || field.failed || push_field(row, &field) != 0) {
            strbuf_free(&field);
            if (!r->error[0])
                snprintf(r->error, sizeof(r->error), "out of memory");
            return -1;
        }
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        eat_line_break(r);
        return 1;
    }
}
