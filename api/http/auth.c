/* auth.c — JWT verification with the algorithm pinned and every time and audience claim checked here,
 * because libjwt 1.10 checks none of them. */
#include "auth.h"

#include "claims_map.h"
#include "jwks_source.h"
#include "token_cache.h"

#include <errno.h>
#include <jansson.h>
#include <jwt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One of two kinds: a single key pinned to `alg` (TUTORD_JWT_SECRET or TUTORD_JWT_PUBLIC_KEY_FILE), or the
 * identity provider's key set (`jwks`, when TUTORD_JWT_JWKS_FILE or _URL is set), each key pinned to its own
 * algorithm. Either way the claims go through `map`, and what a token's verification established is
 * remembered in `cache` (token_cache.h) for the next request carrying the same token. */
struct auth_verifier {
    jwt_alg_t alg;
    unsigned char *key;
    int key_len;
    struct jwks_source *jwks;
    struct claims_map map;
    char *issuer;
    char *audience;
    long leeway;
    struct token_cache *cache; /* the tokens this verifier has verified, shared by the HTTP threads */
};

/* How many verified tokens a verifier remembers: every caller active within a token's lifetime on a
 * large portal, for a few MB at most (a set-associative table, filled as tokens arrive). */
#define TOKEN_CACHE_ENTRIES 4096

unsigned auth_role_of_name(const char *name)
{
    for (size_t i = 0; i < sizeof(ROLE_NAMES) / sizeof(ROLE_NAMES[0]); i++)
        if (strcmp(ROLE_NAMES[i].name, name) == 0)
            return ROLE_NAMES[i].bit;
    return 0;
}

const char *auth_primary_role(const struct principal *p)
{
    for (size_t i = 0; i < sizeof(ROLE_NAMES) / sizeof(ROLE_NAMES[0]); i++)
        if (p->roles & ROLE_NAMES[i].bit)
            return ROLE_NAMES[i].name;
    return "none";
}

int auth_has_school(const struct principal *p, const char *school)
{
    if (p->roles & ROLE_ADMIN)
        return 1;
    for (int i = 0; i < p->n_schools; i++)
        if (strcmp(p->schools[i], school) == 0)
            return 1;
    return 0;
}

/* Reads a whole file into a malloc'd buffer; NULL on failure. */
static unsigned char *read_file(const char *path, int *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *buf = malloc(65537);
    size_t n = buf ? fread(buf, 1, 65536, f) : 0;
    fclose(f);
    if (!buf || n == 0) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = (int)n;
    return buf;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Starts the identity provider's key source of the configuration; 0, or -1 with why[size]. */
static int start_jwks(struct auth_verifier *v, const struct config *cfg, char *why, size_t size)
{
    struct jwks_options opt = {.file = cfg->jwt_jwks_file,
                               .url = cfg->jwt_jwks_url,
                               .refresh_s = cfg->jwt_jwks_refresh_s > 0 ? cfg->jwt_jwks_refresh_s : 3600,
                               .min_refresh_s = cfg->jwt_jwks_min_refresh_s > 0 ? cfg->jwt_jwks_min_refresh_s : 30};
    v->jwks = jwks_source_new(&opt, why, size);
    return v->jwks ? 0 : -1;
}

struct auth_verifier *auth_verifier_new(const struct config *cfg, char *why, size_t size)
{
    struct auth_verifier *v = calloc(1, sizeof(*v));
    if (!v) {
        snprintf(why, size, "out of memory");
        return NULL;
    }
    v->alg = jwt_str_alg(cfg->jwt_alg);
    v->leeway = cfg->jwt_leeway_seconds;
    v->issuer = dup_or_null(cfg->jwt_issuer);
    v->audience = dup_or_null(cfg->jwt_audience);
    if (claims_map_init(&v->map, cfg, why, size) != 0) {
        free(v->issuer);
        free(v->audience);
        free(v);
        return NULL;
    }
    if (!(v->cache = token_cache_new(TOKEN_CACHE_ENTRIES))) {
        snprintf(why, size, "out of memory");
        auth_verifier_free(v);
        return NULL;
    }
    if (cfg->jwt_jwks_file || cfg->jwt_jwks_url) {
        if (start_jwks(v, cfg, why, size) == 0)
            return v;
        auth_verifier_free(v);
        return NULL;
    }
    if (v->alg == JWT_ALG_HS256) {
        v->key = (unsigned char *)dup_or_null(cfg->jwt_secret);
        v->key_len = v->key ? (int)strlen((char *)v->key) : 0;
    } else if (cfg->jwt_public_key_file) {
        v->key = read_file(cfg->jwt_public_key_file, &v->key_len);
    }
    if (!v->key || v->key_len == 0) {
        snprintf(why, size, "no usable JWT key for %s", cfg->jwt_alg);
        auth_verifier_free(v);
        return NULL;
    }
    return v;
}

void auth_verifier_free(struct auth_verifier *v)
{
    if (!v)
        return;
    jwks_source_free(v->jwks);
    claims_map_free(&v->map);
    token_cache_free(v->cache);
    free(v->key);
    free(v->issuer);
    free(v->audience);
    free(v);
}

static int read_times(json_t *claims, struct token_times *t, const char **why)
{
    json_t *exp = json_object_get(claims, "exp"), *nbf = json_object_get(claims, "nbf"),
           *iat = json_object_get(claims, "iat");
    if (!json_is_integer(exp))
        return *why = "the token has no numeric exp claim", -1;
    if ((nbf && !json_is_integer(nbf)) || (iat && !json_is_integer(iat)))
        return *why = "the token's nbf or iat claim is not a number", -1;
    t->exp = json_integer_value(exp);
    t->has_nbf = nbf != NULL;
    t->has_iat = iat != NULL;
    t->nbf = t->has_nbf ? json_integer_value(nbf) : 0;
    t->iat = t->has_iat ? json_integer_value(iat) : 0;
    return 0;
}

/* Checks the time claims against `now` with the leeway. The leeway is applied to `now` (a real clock
 * value, and a leeway the configuration bounds to 0..600), never to a claim: the claims are whatever an
 * issuer signed, and exp = INT64_MAX or nbf = INT64_MIN must compare, not overflow. */
static int check_times(const struct auth_verifier *v, const struct token_times *t, time_t now, const char **why)
{
    int64_t earliest = (int64_t)now - v->leeway, latest = (int64_t)now + v->leeway;
    if (t->exp < earliest)
        return *why = "the token has expired", -1;
    if (t->has_nbf && t->nbf > latest)
        return *why = "the token is not valid yet (nbf)", -1;
    if (t->has_iat && t->iat > latest)
        return *why = "the token was issued in the future (iat)", -1;
    return 0;
}

/* The generation of the verifier's keys: the JWKS source's, 0 for a single configured key (which cannot
 * change while the verifier lives: a new secret is a new verifier, with a cache of its own). */
static unsigned long key_generation(const struct auth_verifier *v)
{
    return v->jwks ? jwks_source_generation(v->jwks) : 0;
}

static int audience_contains(json_t *aud, const char *want)
{
    if (json_is_string(aud))
        return strcmp(json_string_value(aud), want) == 0;
    size_t i;
    json_t *item;
    json_array_foreach(aud, i, item) if (json_is_string(item) && strcmp(json_string_value(item), want) == 0) return 1;
    return 0;
}

static int check_issuer_audience(const struct auth_verifier *v, json_t *claims, const char **why)
{
    json_t *iss = json_object_get(claims, "iss");
    if (v->issuer && !(json_is_string(iss) && strcmp(json_string_value(iss), v->issuer) == 0))
        return *why = "the token's issuer is not accepted", -1;
    if (v->audience && !audience_contains(json_object_get(claims, "aud"), v->audience))
        return *why = "the token is not meant for this service (aud)", -1;
    return 0;
}

/* The value of one base64url character, or -1. */
static int b64url_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '-' ? 62 : c == '_' ? 63 : -1;
}

/* Decodes one base64url segment of `n` characters (no padding) and parses it as a JSON object with
 * duplicate keys refused. Returns a new reference, or NULL when it is not one. */
static json_t *segment_object(const char *seg, size_t n)
{
    char *buf = malloc(n * 3 / 4 + 1);
    size_t len = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; buf && i < n; i++) {
        int v = b64url_value(seg[i]);
        if (v < 0) {
            free(buf);
            return NULL;
        }
        acc = ((acc << 6) | (unsigned)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[len++] = (char)((acc >> bits) & 0xff);
        }
    }
    json_t *obj = buf ? json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL) : NULL;
    free(buf);
    if (!json_is_object(obj)) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

/* The header and claims of a token whose signature verified, parsed from the token's own text with
 * duplicate keys refused: libjwt keeps the last of two "roles" (or "alg") silently, and a claim named
 * twice is a token built to be read two ways. Returns the claims (new reference) or NULL with *why. */
static json_t *strict_claims(const char *token, const char **why)
{
    const char *dot1 = strchr(token, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    json_t *header = dot2 ? segment_object(token, (size_t)(dot1 - token)) : NULL;
    json_t *claims = header ? segment_object(dot1 + 1, (size_t)(dot2 - dot1 - 1)) : NULL;
    json_decref(header);
    if (!claims)
        *why = "the token's header or claims are not a JSON object with each name once";
    return claims;
}

/* Verifies the signature with `key` (a secret or a PEM public key) and the algorithm pinned to `alg`,
 * then returns the claims (new reference) or NULL with *why. */
static json_t *decode_with(const unsigned char *key, int key_len, jwt_alg_t alg, const char *token, const char **why)
{
    jwt_t *jwt = NULL;
    if (jwt_decode(&jwt, token, key, key_len) != 0 || !jwt) {
        *why = "the token is malformed or its signature does not verify";
        return NULL;
    }
    json_t *claims = NULL;
    if (jwt_get_alg(jwt) != alg)
        *why = "the token is not signed with the algorithm this service accepts";
    else
        claims = strict_claims(token, why);
    jwt_free(jwt);
    return claims;
}

/* What a token's header says about its key: a supported alg and the kid when there is one. */
struct token_key_ref {
    jwt_alg_t alg;
    int has_kid;
    char kid[JWKS_MAX_KID + 1];
};

/* Reads alg and kid from the token's header; 0, or -1 with *why. */
static int read_key_ref(const char *token, struct token_key_ref *ref, const char **why)
{
    const char *dot = strchr(token, '.');
    json_t *header = dot ? segment_object(token, (size_t)(dot - token)) : NULL;
    json_t *kid = json_object_get(header, "kid");
    ref->alg = jwks_alg_of_name(json_string_value(json_object_get(header, "alg")));
    ref->has_kid = kid != NULL;
    int rc = -1;
    if (!header)
        *why = "the token's header is not a JSON object with each name once";
    else if (ref->alg == JWT_ALG_INVAL)
        *why = "the token is not signed with an algorithm this service accepts (RS256/384/512, ES256/384)";
    else if (kid && (!json_is_string(kid) || json_string_length(kid) > JWKS_MAX_KID))
        *why = "the token's kid is not a string of at most 128 characters";
    else
        rc = 0;
    if (rc == 0)
        snprintf(ref->kid, sizeof(ref->kid), "%s", kid ? json_string_value(kid) : "");
    json_decref(header);
    return rc;
}

/* Verifies with the keys of `set` that match the token's kid (every key of its alg when it names none),
 * each pinned to its own alg. Returns the claims (new reference), or NULL with *why and *kid_known telling
 * whether some key carries the token's kid. */
static json_t *decode_with_set(const struct jwks_set *set, const char *token, const struct token_key_ref *ref,
                               int *kid_known, const char **why)
{
    json_t *claims = NULL;
    int tried = 0;
    *kid_known = 0;
    for (size_t i = 0; set && i < set->n && !claims; i++) {
        const struct jwk_key *k = &set->keys[i];
        if (ref->has_kid && strcmp(k->kid, ref->kid) != 0)
            continue;
        *kid_known = 1;
        if (k->alg != ref->alg)
            continue;
        tried = 1;
        claims = decode_with(k->pem, k->pem_len, k->alg, token, why);
    }
    if (!tried && !set)
        *why = "the identity provider's signing keys are not available yet: try again shortly";
    else if (!tried && ref->has_kid && *kid_known)
        *why = "the token's alg is not the one of its signing key (kid)";
    else if (!tried)
        *why = ref->has_kid ? "the token's kid names no key the identity provider publishes"
                            : "no key the identity provider publishes is of the token's alg";
    return claims;
}

/* Verifies against the identity provider's keys: when the token names a kid the set lacks (or no key has
 * been loaded yet), once more after an on-demand refresh (rate-limited by the source). */
static json_t *decode_with_jwks(const struct auth_verifier *v, const char *token, const char **why)
{
    struct token_key_ref ref;
    if (read_key_ref(token, &ref, why) != 0)
        return NULL;
    int kid_known = 0;
    struct jwks_set *set = jwks_source_acquire(v->jwks);
    json_t *claims = decode_with_set(set, token, &ref, &kid_known, why);
    int missing = !set || (ref.has_kid && !kid_known);
    jwks_set_release(set);
    if (claims || !missing || !jwks_source_refresh_for_unknown_kid(v->jwks))
        return claims;
    set = jwks_source_acquire(v->jwks);
    claims = decode_with_set(set, token, &ref, &kid_known, why);
    jwks_set_release(set);
    return claims;
}

/* Verifies the token's signature with the verifier's key(s); the claims (new reference) or NULL with *why. */
static json_t *decode_claims(const struct auth_verifier *v, const char *token, const char **why)
{
    return v->jwks ? decode_with_jwks(v, token, why) : decode_with(v->key, v->key_len, v->alg, token, why);
}

/* Every check of a token's claims (borrowed): times against `now`, issuer and audience, identity.
 * Returns 0 with *out and *times filled, or -1 with *why. */
static int check_claims(const struct auth_verifier *v, json_t *claims, time_t now, struct principal *out,
                        struct token_times *times, const char **why)
{
    if (read_times(claims, times, why) == 0 && check_times(v, times, now, why) == 0 &&
        check_issuer_audience(v, claims, why) == 0 && claims_map_identity(&v->map, claims, out, why) == 0)
        return 0;
    memset(out, 0, sizeof(*out));
    return -1;
}

int auth_check_claims(const struct auth_verifier *v, const char *json, size_t len, time_t now, struct principal *out,
                      const char **why)
{
    memset(out, 0, sizeof(*out));
    json_t *claims = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL);
    struct token_times times;
    int rc = -1;
    if (!json_is_object(claims))
        *why = "the token's claims are not a JSON object with each name once";
    else
        rc = check_claims(v, claims, now, out, &times, why);
    json_decref(claims);
    return rc;
}

int auth_verify(const struct auth_verifier *v, const char *authorization, time_t now, struct principal *out,
                const char **why)
{
    memset(out, 0, sizeof(*out));
    if (strncasecmp(authorization, "Bearer ", 7) != 0)
        return *why = "the Authorization header must be \"Bearer <token>\"", -1;
    const char *token = authorization + 7;
    while (*token == ' ')
        token++;
    size_t n = strlen(token);
    if (n == 0 || n > 8192 || strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") != n)
        return *why = "the bearer token is malformed", -1;
    unsigned long gen = key_generation(v); /* read before verifying: keys changed meanwhile make it stale */
    struct verified_token known;
    if (token_cache_get(v->cache, token, n, gen, &known)) {
        if (check_times(v, &known.times, now, why) != 0)
            return -1;
        *out = known.principal;
        return 0;
    }
    json_t *claims = decode_claims(v, token, why);
    if (!claims)
        return -1;
    int rc = check_claims(v, claims, now, out, &known.times, why);
    json_decref(claims);
    if (rc == 0) {
        known.principal = *out;
        token_cache_put(v->cache, token, n, gen, &known);
    }
    return rc;
}

/* Splits "a,b,c" into a JSON array of strings (new reference). */
static json_t *csv_to_array(const char *csv)
{
    json_t *arr = json_array();
    char *copy = strdup(csv ? csv : ""), *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        if (*tok)
            json_array_append_new(arr, json_string(tok));
    free(copy);
    return arr;
}

static int add_claims(jwt_t *jwt, const struct config *cfg, const char *sub, const char *roles_csv,
                      const char *schools_csv, long ttl)
{
    time_t now = time(NULL);
    json_t *claims = json_pack("{s:s, s:o, s:I, s:I, s:I}", "sub", sub, "roles", csv_to_array(roles_csv), "iat",
                               (json_int_t)now, "nbf", (json_int_t)now, "exp", (json_int_t)now + (json_int_t)ttl);
    if (schools_csv)
        json_object_set_new(claims, "schools", csv_to_array(schools_csv));
    if (cfg->jwt_issuer)
        json_object_set_new(claims, "iss", json_string(cfg->jwt_issuer));
    if (cfg->jwt_audience)
        json_object_set_new(claims, "aud", json_string(cfg->jwt_audience));
    char *text = json_dumps(claims, JSON_COMPACT);
    int rc = text ? jwt_add_grants_json(jwt, text) : -1;
    free(text);
    json_decref(claims);
    return rc;
}

char *auth_mint(const struct config *cfg, const char *sub, const char *roles_csv, const char *schools_csv,
                long ttl_seconds)
{
    jwt_alg_t alg = jwt_str_alg(cfg->jwt_alg);
    unsigned char *key = NULL;
    int key_len = 0;
    if (alg == JWT_ALG_HS256) {
        key = (unsigned char *)dup_or_null(cfg->jwt_secret);
        key_len = key ? (int)strlen((char *)key) : 0;
    } else if (cfg->jwt_private_key_file) {
        key = read_file(cfg->jwt_private_key_file, &key_len);
    }
    if (!key) {
        fprintf(stderr, "tutord: no signing key: set TUTORD_JWT_SECRET (HS256) or TUTORD_JWT_PRIVATE_KEY_FILE\n");
        return NULL;
    }
    jwt_t *jwt = NULL;
    char *token = NULL;
    if (jwt_new(&jwt) == 0 && add_claims(jwt, cfg, sub, roles_csv, schools_csv, ttl_seconds) == 0 &&
        jwt_set_alg(jwt, alg, key, key_len) == 0)
        token = jwt_encode_str(jwt);
    if (!token)
        fprintf(stderr, "tutord: could not sign the token (%s)\n", strerror(errno));
    jwt_free(jwt);
    free(key);
    return token;
}
