/* cors.h — cross-origin requests from the origins the configuration allows (TUTORD_CORS_ORIGINS), and
 * from no other: a browser page elsewhere gets no CORS header, so it can neither send a preflighted
 * request nor read an answer. */
#ifndef TUTORD_CORS_H
#define TUTORD_CORS_H

#include <ulfius.h>

struct config;

/* True when `origin` is one of the comma-separated origins in `allowed` (exact, case-sensitive match
 * after trimming spaces; "null" and empty never match). Pure. */
int cors_origin_allowed(const char *allowed, const char *origin);

/* Answers a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method) from an allowed
 * origin for a path that exists (`allow`: the methods it has, non-empty): 204 with the allowed origin,
 * methods and request headers. Returns 1 when it answered, 0 otherwise (not a preflight, an origin not
 * allowed, or no such path: the request goes on and gets no CORS header). */
int cors_preflight(const struct config *cfg, const struct _u_request *req, struct _u_response *resp, const char *allow);

/* On a request from an allowed origin, adds Access-Control-Allow-Origin (that origin), Vary: Origin and
 * Access-Control-Expose-Headers to the response, whatever its status. Does nothing otherwise. */
void cors_headers(const struct config *cfg, const struct _u_request *req, struct _u_response *resp);

#endif
