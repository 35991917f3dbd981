/* html_out.c — HTML pages for people: negotiation, escaping, the page frame. */
#include "html_out.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

int html_out_wanted(const char *accept)
{
    for (const char *p = accept; p && *p;) {
        p += strspn(p, " \t,");
        size_t len = strcspn(p, ";,");
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == 9 && strncasecmp(p, "text/html", 9) == 0)
            return 1;
        p += strcspn(p, ",");
    }
    return 0;
}

void html_out_text(struct strbuf *sb, const char *text)
{
    for (const char *p = text; p && *p;) {
        size_t plain = strcspn(p, "&<>\"'");
        strbuf_append(sb, p, plain);
        p += plain;
        if (!*p)
            break;
        strbuf_puts(sb, *p == '&' ? "&amp;" : *p == '<' ? "&lt;" : *p == '>' ? "&gt;" : *p == '"' ? "&quot;" : "&#39;");
        p++;
    }
}

void html_out_element(struct strbuf *sb, const char *tag, const char *text)
{
    strbuf_puts(sb, "<");
    strbuf_puts(sb, tag);
    strbuf_puts(sb, ">");
    html_out_text(sb, text);
    strbuf_puts(sb, "</");
    strbuf_puts(sb, tag);
    strbuf_puts(sb, ">\n");
}

void html_out_begin(struct strbuf *sb, const char *title)
{
    strbuf_puts(sb, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    html_out_text(sb, title);
    strbuf_puts(sb, "</title>\n<style>\n"
                    "body{font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;background:#fff;margin:0}\n"
                    "main{max-width:46rem;margin:0 auto;padding:1.5rem}\n"
                    "h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}\n"
                    "li{margin-bottom:1rem}.source{font-size:.9rem;color:#444;margin:.25rem 0 0}\n"
                    "table{border-collapse:collapse}th,td{border:1px solid #999;padding:.3rem .6rem;text-align:left}\n"
                    "@media print{main{max-width:none}a{color:inherit}}\n"
                    "</style>\n</head>\n<body>\n<main>\n");
    html_out_element(sb, "h1", title);
}

void html_out_end(struct strbuf *sb)
{
    strbuf_puts(sb, "</main>\n</body>\n</html>\n");
}

int html_out_send(struct _u_response *resp, long status, struct strbuf *sb)
{
    char *text = strbuf_take(sb);
    if (!text)
        return http_problem_for(resp, APP_NOMEM, NULL);
    ulfius_set_binary_body_response(resp, (unsigned int)status, text, strlen(text));
    u_map_put(resp->map_header, "Content-Type", "text/html; charset=utf-8");
    struct request_ctx *ctx = http_ctx(resp);
    if (ctx)
        ctx->status = status;
    free(text);
    return U_CALLBACK_COMPLETE;
}
