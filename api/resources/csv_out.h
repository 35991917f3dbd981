/* csv_out.h — RFC 4180 output for reports: a header row, CRLF line ends, a field quoted when it holds a
 * comma, a double quote, CR or LF (quotes doubled inside). Rows come from the same JSON documents the
 * JSON responses are made of, so the CSV carries the same numbers. Parsing CSV is csv.h's job. */
#ifndef TUTORD_CSV_OUT_H
#define TUTORD_CSV_OUT_H

#include <jansson.h>
#include <stddef.h>
#include <ulfius.h>

#include "strbuf.h"

/* The flags every report renders JSON with, so JSON and CSV show reals alike (33.3, not 33.29999...). */
#define CSV_OUT_JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

/* A column: its header and where its value is in a row object. The path is keys separated by '.'; a key
 * ending in "[]" is an array whose elements' values (the rest of the path) are joined with ';'. A missing
 * value or JSON null is an empty field; numbers and booleans are written as JSON writes them. */
struct csv_column {
    const char *header;
    const char *path;
};

/* Appends one field to sb, quoted when RFC 4180 requires it. A field a spreadsheet would run as a
 * formula (it starts with =, +, -, @, a tab or a CR and is not a plain number) is neutralised as OWASP
 * advises: a single quote before it, the field quoted. */
void csv_out_field(struct strbuf *sb, const char *text);

/* Appends the header row of cols[0..n) to sb. */
void csv_out_header(struct strbuf *sb, const struct csv_column *cols, size_t n);

/* Appends one row (an object) of cols[0..n) to sb: for a table written a row at a time, never held whole
 * as JSON values. */
void csv_out_row(struct strbuf *sb, const struct csv_column *cols, size_t n, const json_t *row);

/* The table: a header row from cols[0..n), then one row per element of `rows` (an array of objects).
 * Returns malloc'd text (caller frees), or NULL when out of memory. */
char *csv_out_table(const struct csv_column *cols, size_t n, const json_t *rows);

/* True when the request's Accept header asks for text/csv. */
int csv_out_wanted(const char *accept);

/* Sends `text` (taken; NULL answers 500) as "text/csv; charset=utf-8" with `status` and
 * Content-Disposition: attachment; filename="<the route's last segment>.csv". Returns
 * U_CALLBACK_COMPLETE. */
int csv_out_send(struct _u_response *resp, long status, char *text);

#endif
