/* csv.h — an RFC 4180 reader: comma-separated fields, optional double quotes around a field, "" for a
 * quote inside one, commas and line breaks inside quotes, records ended by CRLF or LF, UTF-8 text (a
 * leading byte-order mark is skipped). Blank lines are skipped. Pure: no I/O, no globals. */
#ifndef TUTORD_CSV_H
#define TUTORD_CSV_H

#include <stddef.h>

struct csv_reader {
    const char *p, *end;
    long line;       /* line number (1-based) where the next record starts */
    char error[160]; /* why csv_next returned -1 */
};

/* One record: n fields, each a malloc'd NUL-terminated string (a field never contains NUL). */
struct csv_row {
    char **fields;
    size_t n, cap;
};

/* The first line (from 1) of `len` bytes of `text` that is not UTF-8 text (a malformed, overlong or
 * surrogate sequence, or a NUL byte), or 0 when all of it is. Pure. */
long csv_text_error_line(const char *text, size_t len);

/* Starts reading `len` bytes of `text` (borrowed: keep it alive while reading). Returns 0, or -1 with
 * r->error set when the text is not valid UTF-8 or contains a NUL byte. */
int csv_init(struct csv_reader *r, const char *text, size_t len);

/* Reads the next record into *row (its previous fields are freed). Returns 1 when a record was read,
 * 0 at the end of the text, -1 when the record is malformed (r->error says why, r->line where) or out
 * of memory; after -1 stop reading. */
int csv_next(struct csv_reader *r, struct csv_row *row);

/* Frees the fields; NULL-safe, and the row may be reused. */
void csv_row_free(struct csv_row *row);

#endif
