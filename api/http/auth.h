/* auth.h — bearer-token (JWT) verification and, for development and tests, minting.
 *
 * libjwt 1.10 verifies with whatever `alg` the token names and has no claim validation, so this module
 * pins the algorithm (to the configured one, or to the chosen JWKS key's), requires `exp`, and checks `nbf`,
 * `iat`, `iss` and `aud` itself (CONVENTIONS). */
#ifndef TUTORD_AUTH_H
#define TUTORD_AUTH_H

#include <stddef.h>
#include <time.h>

#include "config.h"
#include "principal.h"

struct auth_verifier;

/* Builds a verifier from the configuration: the identity provider's key set when TUTORD_JWT_JWKS_FILE or
 * TUTORD_JWT_JWKS_URL is set (loaded and refreshed by api/http/jwks_source.h: each key pinned to its own alg, the
 * token's kid choosing), else the HS256 secret or the public key file of TUTORD_JWT_ALG; and the claims
 * mapping (api/http/claims_map.h). Returns NULL after writing the reason to `why` (size bytes). Caller frees with
 * auth_verifier_free (which stops the key refresher). */
struct auth_verifier *auth_verifier_new(const struct config *cfg, char *why, size_t size);

/* NULL-safe. */
void auth_verifier_free(struct auth_verifier *verifier);

/* The claim checks of auth_verify alone, on `len` bytes of claims JSON as a verified token would carry
 * them (duplicate names refused): times against `now` with the leeway, issuer, audience, sub, roles and
 * schools. Returns 0 and fills *out, or -1 with *why (static). No signature is involved: for tests and
 * the fuzz harness. Thread-safe. */
int auth_check_claims(const struct auth_verifier *verifier, const char *json, size_t len, time_t now,
                      struct principal *out, const char **why);

/* Verifies an `Authorization` header value ("Bearer <jwt>") at time `now`. Returns 0 and fills *out,
 * or -1 with *why pointing at a static, caller-safe reason. Pure CPU work, thread-safe: the verifier
 * remembers the tokens it verified (exact text, under the key set of the time; api/http/token_cache.h)
 * and for those re-checks only the time claims against `now`. */
int auth_verify(const struct auth_verifier *verifier, const char *authorization, time_t now, struct principal *out,
                const char **why);

/* Parses a role name ("student", "tutor", "senior_tutor", "registry", "admin", "dean"); 0 if unknown. */
unsigned auth_role_of_name(const char *name);

/* First role name of a principal, for logs ("admin" wins over others); never NULL. */
const char *auth_primary_role(const struct principal *p);

/* True when the principal may act for `school` (admin: any; senior tutor: the token's schools). */
int auth_has_school(const struct principal *p, const char *school);

/* Mints a token signed with the configured key (HS256 secret, or the private key file for RS256/ES256).
 * roles_csv/schools_csv are comma-separated (schools may be NULL). Returns a malloc'd token or NULL after
 * printing why to stderr. For `tutord token`: development and tests only. */
char *auth_mint(const struct config *cfg, const char *sub, const char *roles_csv, const char *schools_csv,
                long ttl_seconds);

#endif
