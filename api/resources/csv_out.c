/* csv_out.c — RFC 4180 writer for the reports (see csv_out.h). */
#include "csv_out.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

/* True when a spreadsheet could take the field for a formula: it starts with =, +, -, @, a tab or a CR
 * (OWASP "CSV injection") and is not simply a number (a negative count stays a number). */
static int looks_like_formula(const char *text)
{
    if (!*text || !strchr("=+-@\t\r", *text))
        return 0;
    char *end = NULL;
    strtod(text, &end);
    int number = end != text && *end == '\0' && strspn(text, "+-0123456789.eE") == strlen(text);
    return !(number && (*text == '+' || *text == '-'));
}

void csv_out_field(struct strbuf *sb, const char *text)
{
    if (!text)
        return;
    int neutralise = looks_like_formula(text);
    if (!neutralise && !strpbrk(text, ",\"\r\n")) {
        strbuf_puts(sb, text);
        return;
    }
    strbuf_puts(sb, neutralise ? "\"'" : "\"");
    for (const char *p = text; *p;) {
        size_t run = strcspn(p, "\"");
        strbuf_append(sb, p, run);
        p += run;
        if (*p == '"') {
            strbuf_puts(sb, "\"\"");
            p++;
        }
    }
    strbuf_puts(sb, "\"");
}

/* Appends the text of a scalar (strings raw, numbers and booleans as JSON writes them). */
static void scalar_text(struct strbuf *out, const json_t *v)
{
    if (!v || json_is_null(v))
        return;
    if (json_is_string(v)) {
        strbuf_puts(out, json_string_value(v));
        return;
    }
    char *text = json_dumps(v, JSON_ENCODE_ANY | CSV_OUT_JSON_FLAGS);
    if (!text) {
        out->failed = 1;
        return;
    }
    strbuf_puts(out, text);
    free(text);
}

/* Appends the value at `path` below `v` (see struct csv_column) to out. */
static void value_text(struct strbuf *out, const json_t *v, const char *path)
{
    while (path && *path && json_is_object(v)) {
        const char *dot = strchr(path, '.');
        size_t len = dot ? (size_t)(dot - path) : strlen(path);
        int each = len > 2 && strncmp(path + len - 2, "[]", 2) == 0;
        char key[64];
        if (len >= sizeof(key))
            return;
        memcpy(key, path, len - (each ? 2 : 0));
        key[len - (each ? 2 : 0)] = '\0';
        v = json_object_get(v, key);
        path = dot ? dot + 1 : NULL;
        if (each) {
            size_t i;
            const json_t *item;
            json_array_foreach(v, i, item)
            {
                if (i)
                    strbuf_puts(out, ";");
                value_text(out, item, path);
            }
            return;
        }
    }
    if (!path || !*path)
        scalar_text(out, v);
}

void csv_out_header(struct strbuf *sb, const struct csv_column *cols, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        if (c)
            strbuf_puts(sb, ",");
        csv_out_field(sb, cols[c].header);
    }
    strbuf_puts(sb, "\r\n");
}

void csv_out_row(struct strbuf *sb, const struct csv_column *cols, size_t n, const json_t *row)
{
    for (size_t c = 0; c < n; c++) {
        struct strbuf cell = {0};
        value_text(&cell, row, cols[c].path);
        if (c)
            strbuf_puts(sb, ",");
        csv_out_field(sb, cell.data ? cell.data : "");
        sb->failed |= cell.failed;
        strbuf_free(&cell);
    }
    strbuf_puts(sb, "\r\n");
}

char *csv_out_table(const struct csv_column *cols, size_t n, const json_t *rows)
{
    struct strbuf sb = {0};
    csv_out_header(&sb, cols, n);
    size_t i;
    const json_t *row;
    json_array_foreach(rows, i, row)
    {
        csv_out_row(&sb, cols, n, row);
    }
    return strbuf_take(&sb);
}

int csv_out_wanted(const char *accept)
{
    for (const char *p = accept; p && *p;) {
        p += strspn(p, " \t,");
        size_t len = strcspn(p, ";,");
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == 8 && strncasecmp(p, "text/csv", 8) == 0)
            return 1;
        p += strcspn(p, ",");
    }
    return 0;
}

/* Sets Content-Disposition: attachment with a file name from the route's last segment ("/reports/kpis"
 * → "kpis.csv"), letters, digits, '-' and '_' only, so a browser saves the report rather than shows it. */
static void set_attachment(struct _u_response *resp)
{
    const struct request_ctx *ctx = http_ctx(resp);
    const char *route = ctx && ctx->route ? ctx->route : "", *last = strrchr(route, '/');
    char name[64];
    size_t n = 0;
    for (const char *p = last ? last + 1 : route; *p && n + 5 < sizeof(name); p++)
        if (isalnum((unsigned char)*p) || *p == '-' || *p == '_')
            name[n++] = *p;
    snprintf(name + n, sizeof(name) - n, "%s.csv", n ? "" : "report");
    char header[96];
    snprintf(header, sizeof(header), "attachment; filename=\"%s\"", name);
    u_map_put(resp->map_header, "Content-Disposition", header);
}

int csv_out_send(struct _u_response *resp, long status, char *text)
{
    if (!text)
        return http_problem_for(resp, APP_NOMEM, NULL);
    ulfius_set_binary_body_response(resp, (unsigned int)status, text, strlen(text));
    u_map_put(resp->map_header, "Content-Type", "text/csv; charset=utf-8");
    set_attachment(resp);
    struct request_ctx *ctx = http_ctx(resp);
    if (ctx)
        ctx->status = status;
    free(text);
    return U_CALLBACK_COMPLETE;
}
