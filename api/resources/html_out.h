/* html_out.h — printable, accessible HTML pages for people (what tutees can expect, the annual school
 * report): content negotiation, escaping and one page frame, so every page looks and behaves the same. */
#ifndef TUTORD_HTML_OUT_H
#define TUTORD_HTML_OUT_H

#include <ulfius.h>

#include "strbuf.h"

/* True when the Accept header (may be NULL) names text/html. */
int html_out_wanted(const char *accept);

/* Appends `text` (may be NULL: nothing) with &, <, >, " and ' escaped. */
void html_out_text(struct strbuf *sb, const char *text);

/* Appends "<tag>escaped text</tag>" (tag is a literal like "h2" or "p"). */
void html_out_element(struct strbuf *sb, const char *tag, const char *text);

/* Starts a page: doctype, lang="en", charset, viewport, the escaped `title`, a print-friendly style,
 * and opens <main> with the title as its <h1>. */
void html_out_begin(struct strbuf *sb, const char *title);

/* Closes <main> and the page. */
void html_out_end(struct strbuf *sb);

/* Sends the page (takes the buffer's content) as text/html; charset=utf-8 with `status`; 500 when the
 * buffer failed. Returns U_CALLBACK_COMPLETE. */
int html_out_send(struct _u_response *resp, long status, struct strbuf *sb);

#endif
