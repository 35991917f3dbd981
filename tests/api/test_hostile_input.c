/* test_hostile_input.c — integers, bytes and claims from outside that once reached undefined behaviour
 * or were misread: validly signed tokens with extreme time claims, agenda cursors decoding to huge
 * positions, %00 and bytes that are not UTF-8 in a path or query, claims named twice in a token. The
 * server under test is built with UBSan set to abort, so an overflow there fails the request rather
 * than passing silently. */
#include <check.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "http.h"
#include "sha256.h"
#include "worlds.h"

/* A token signed with the harness secret over `claims` (JSON text); malloc'd. */
static char *sign_claims(const char *claims)
{
    jwt_t *jwt = NULL;
    ck_assert_int_eq(jwt_new(&jwt), 0);
    ck_assert_int_eq(jwt_add_grants_json(jwt, claims), 0);
    ck_assert_int_eq(
        jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)HARNESS_JWT_SECRET, (int)strlen(HARNESS_JWT_SECRET)), 0);
    char *token = jwt_encode_str(jwt);
    jwt_free(jwt);
    ck_assert_ptr_nonnull(token);
    return token;
}

/* SHA-256 of a then b, as 32 bytes into out. */
static void sha256_two(const void *a, size_t na, const void *b, size_t nb, unsigned char out[32])
{
    struct sha256 h;
    char hex[65];
    sha256_init(&h);
    sha256_update(&h, a, na);
    sha256_update(&h, b, nb);
    sha256_hex(&h, hex);
    for (int i = 0; i < 32; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (unsigned char)v;
    }
}

/* base64url without padding of n bytes, appended to out at *o. */
static void b64url(const unsigned char *in, size_t n, char *out, size_t *o)
{
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
        out[(*o)++] = A[v >> 18 & 63];
        out[(*o)++] = A[v >> 12 & 63];
        if (i + 1 < n)
            out[(*o)++] = A[v >> 6 & 63];
        if (i + 2 < n)
            out[(*o)++] = A[v & 63];
    }
    out[*o] = '\0';
}

/* An HS256 token over the exact header and claims text given (duplicate names survive, as no JWT
 * library would let them): HMAC-SHA256 (RFC 2104) with the harness secret. Returns a malloc'd token. */
static char *hand_signed(const char *header, const char *claims)
{
    size_t cap = 4 * (strlen(header) + strlen(claims)) / 3 + 80, o = 0;
    char *token = malloc(cap);
    b64url((const unsigned char *)header, strlen(header), token, &o);
    token[o++] = '.';
    b64url((const unsigned char *)claims, strlen(claims), token, &o);
    unsigned char ipad[64], opad[64], inner[32], mac[32];
    memset(ipad, 0x36, sizeof(ipad));
    memset(opad, 0x5c, sizeof(opad));
    for (size_t i = 0; i < strlen(HARNESS_JWT_SECRET); i++) {
        ipad[i] ^= (unsigned char)HARNESS_JWT_SECRET[i];
        opad[i] ^= (unsigned char)HARNESS_JWT_SECRET[i];
    }
    sha256_two(ipad, sizeof(ipad), token, o, inner);
    sha256_two(opad, sizeof(opad), inner, sizeof(inner), mac);
    token[o++] = '.';
    b64url(mac, sizeof(mac), token, &o);
    return token;
}

/* The status of GET /students?limit=1 with `token`. */
static long students_status(const char *token)
{
    struct tt_response r;
    ck_assert_int_eq(harness_request("GET", "/students?limit=1", token, NULL, NULL, NULL, &r), 0);
    long status = r.status;
    harness_response_free(&r);
    return status;
}

/* Extreme but well-formed time claims are compared, not overflowed: a far future exp and a far past
 * nbf or iat pass; a far past exp and a far future nbf or iat are refused. */
START_TEST(test_extreme_time_claims)
{
    static const struct {
        const char *times;
        long status;
    } CASES[] = {
        {"\"exp\":9223372036854775807", 200},
        {"\"exp\":9223372036854775807,\"nbf\":-9223372036854775808", 200},
        {"\"exp\":9223372036854775807,\"nbf\":-9223372036854775800,\"iat\":-9223372036854775800", 200},
        {"\"exp\":-9223372036854775808", 401},
        {"\"exp\":9223372036854775807,\"nbf\":9223372036854775807", 401},
        {"\"exp\":9223372036854775807,\"iat\":9223372036854775807", 401},
    };
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        char claims[256];
        snprintf(claims, sizeof(claims), "{\"sub\":\"ADM-X%zu\",\"roles\":[\"admin\"],%s}", i, CASES[i].times);
        char *token = sign_claims(claims);
        ck_assert_msg(students_status(token) == CASES[i].status, "case %zu (%s)", i, CASES[i].times);
        ck_assert_msg(students_status(token) == CASES[i].status, "case %zu again (cached)", i);
        free(token);
    }
}
END_TEST

/* The agenda's cursor is a position: 9 digits at most. A cursor decoding to a position past the end
 * gives an empty page; one decoding to a 10-digit, int64-sized or larger number is refused. */
START_TEST(test_agenda_cursor_huge_position)
{
    cworld_setup();
    static const struct {
        const char *position;
        long status;
    } CASES[] = {
        {"0", 200},
        {"999999999", 200},
        {"1000000000", 400},
        {"9223372036854775807", 400},
        {"99999999999999999999999999", 400},
    };
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        json_t *cursor = http_cursor_encode(CASES[i].position);
        char path[256];
        snprintf(path, sizeof(path), "/tutors/%s/agenda?as_of=2026-10-27&limit=1000&cursor=%s", cw.tutor_a,
                 json_string_value(cursor));
        json_decref(cursor);
        struct tt_response r;
        ck_assert_int_eq(harness_request("GET", path, cw.tok_tutor_a, NULL, NULL, NULL, &r), 0);
        ck_assert_msg(r.status == CASES[i].status, "%s: %ld %.200s", CASES[i].position, r.status, r.body);
        if (r.status == 200 && i > 0)
            ck_assert_uint_eq(json_array_size(json_object_get(r.json, "items")), 0);
        if (r.status == 400)
            ck_assert(tt_names_field(&r, "cursor"));
        harness_response_free(&r);
    }
    cworld_teardown();
}
END_TEST

/* A claim named twice is refused before any claim is trusted, whichever copy would have won; the same
 * claims once each, signed the same way, pass. */
START_TEST(test_duplicate_claims_refused)
{
    static const char *const HS256 = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    char *token = hand_signed(HS256, "{\"sub\":\"A1\",\"roles\":[\"admin\"],\"exp\":4102444800}");
    ck_assert_int_eq(students_status(token), 200); /* signed by hand, each name once: accepted */
    free(token);
    token = hand_signed(HS256, "{\"sub\":\"A1\",\"roles\":[\"student\"],\"roles\":[\"admin\"],\"exp\":4102444800}");
    ck_assert_int_eq(students_status(token), 401);
    free(token);
    token = hand_signed(HS256, "{\"sub\":\"A1\",\"roles\":[\"admin\"],\"roles\":[\"student\"],\"exp\":4102444800}");
    ck_assert_int_eq(students_status(token), 401);
    free(token);
    token = hand_signed(HS256, "{\"sub\":\"A1\",\"sub\":\"A2\",\"roles\":[\"admin\"],\"exp\":4102444800}");
    ck_assert_int_eq(students_status(token), 401);
    free(token);
    token = hand_signed(HS256, "{\"sub\":\"A1\",\"roles\":[\"admin\"],\"exp\":1,\"exp\":4102444800}");
    ck_assert_int_eq(students_status(token), 401);
    free(token);
    token = hand_signed("{\"alg\":\"none\",\"alg\":\"HS256\"}",
                        "{\"sub\":\"A1\",\"roles\":[\"admin\"],\"exp\":4102444800}");
    ck_assert_int_eq(students_status(token), 401);
    free(token);
}
END_TEST

/* The status of GET `path` as admin, asserting a problem+json body when it is 400. */
static long admin_get(const char *path)
{
    struct tt_response r;
    ck_assert_int_eq(harness_request("GET", path, w.tok_admin, NULL, NULL, NULL, &r), 0);
    long status = r.status;
    if (status == 400)
        ck_assert_str_eq(r.content_type, "application/problem+json");
    harness_response_free(&r);
    return status;
}

/* A path or query that does not percent-decode to UTF-8 text without NUL is refused with 400: %00 no
 * longer cuts a student number short, and a byte that is not text no longer drops a filter. Valid
 * multi-byte text still reaches the route. */
START_TEST(test_path_and_query_must_be_text)
{
    char path[160];
    snprintf(path, sizeof(path), "/students/%s", w.student_a);
    ck_assert_int_eq(admin_get(path), 200);
    snprintf(path, sizeof(path), "/students/%s%%00x", w.student_a);
    ck_assert_int_eq(admin_get(path), 400);
    snprintf(path, sizeof(path), "/students/%s%%00", w.student_a);
    ck_assert_int_eq(admin_get(path), 400);
    ck_assert_int_eq(admin_get("/students/%C3%A9"), 404);    /* é: text, no such student */
    ck_assert_int_eq(admin_get("/students/%C3"), 400);       /* a sequence cut short */
    ck_assert_int_eq(admin_get("/students/%C0%AF"), 400);    /* overlong '/' */
    ck_assert_int_eq(admin_get("/students/%ED%A0%80"), 400); /* a UTF-16 surrogate */
    snprintf(path, sizeof(path), "/students?school=%s", w.school_x);
    ck_assert_int_eq(admin_get(path), 200);
    snprintf(path, sizeof(path), "/students?school=%s%%FF", w.school_x);
    ck_assert_int_eq(admin_get(path), 400);
    snprintf(path, sizeof(path), "/students?school=%s%%00", w.school_x);
    ck_assert_int_eq(admin_get(path), 400);
    ck_assert_int_eq(admin_get("/students?q=%E2%82%AC"), 200); /* €: text, a search matching no one */
    ck_assert_int_eq(admin_get("/students?%FF=1"), 400);       /* a parameter name too */
}
END_TEST

/* The feed's cursor holds two numbers of at most 18 digits (always a bigint): 19 digits, an int64 and
 * beyond are refused with 400 naming `after`, never passed to the database to overflow there. */
START_TEST(test_feed_cursor_huge_numbers)
{
    static const struct {
        const char *position;
        long status;
    } CASES[] = {
        {"999999999999999999:1", 200},  {"1:999999999999999999", 200},      {"9999999999999999999:1", 400},
        {"1:9223372036854775808", 400}, {"99999999999999999999999:1", 400},
    };
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        json_t *cursor = http_cursor_encode(CASES[i].position);
        char path[256];
        snprintf(path, sizeof(path), "/events?after=%s", json_string_value(cursor));
        json_decref(cursor);
        struct tt_response r;
        ck_assert_int_eq(harness_request("GET", path, w.tok_registry, NULL, NULL, NULL, &r), 0);
        ck_assert_msg(r.status == CASES[i].status, "%s: %ld %.200s", CASES[i].position, r.status, r.body);
        if (r.status == 400)
            ck_assert(tt_names_field(&r, "after"));
        harness_response_free(&r);
    }
}
END_TEST

/* PATCH /students/{a} as admin with `if_match` as the If-Match header; returns the status. */
static long patch_if_match(const char *if_match, struct tt_response *r)
{
    char path[96], header[160];
    snprintf(path, sizeof(path), "/students/%s", w.student_a);
    snprintf(header, sizeof(header), "If-Match: %s", if_match);
    const char *headers[] = {header, NULL};
    ck_assert_int_eq(harness_request("PATCH", path, w.tok_admin, "application/merge-patch+json",
                                     "{\"programme\":\"BSc\"}", headers, r),
                     0);
    return r->status;
}

/* If-Match is read as RFC 9110's list of entity tags: the record's tag anywhere in a list matches, a
 * weak tag or another one is 412, and a header that is no list of tags is 400 naming If-Match (it used
 * to be compared as one string, so a valid list was a 412). Whole-number queries take digits only. */
START_TEST(test_if_match_lists_and_query_numbers)
{
    char path[96], list[96], weak[96];
    struct tt_response r;
    snprintf(path, sizeof(path), "/students/%s", w.student_a);
    ck_assert_int_eq(tt_call("GET", path, w.tok_admin, NULL, &r), 200);
    snprintf(list, sizeof(list), "\"999\", %s", r.etag);
    snprintf(weak, sizeof(weak), "W/%s", r.etag);
    harness_response_free(&r);
    ck_assert_int_eq(patch_if_match(weak, &r), 412);
    harness_response_free(&r);
    ck_assert_int_eq(patch_if_match("not-a-tag", &r), 400);
    ck_assert(tt_names_field(&r, "If-Match"));
    harness_response_free(&r);
    ck_assert_int_eq(patch_if_match(list, &r), 200);
    harness_response_free(&r);
    ck_assert_int_eq(admin_get("/students?limit=0005"), 200);
    ck_assert_int_eq(admin_get("/students?limit=+5"), 400);
    ck_assert_int_eq(admin_get("/students?limit=%205"), 400);
    ck_assert_int_eq(admin_get("/students?limit=99999999999999999999"), 400);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_extreme_time_claims,
        test_agenda_cursor_huge_position,
        test_duplicate_claims_refused,
        test_path_and_query_must_be_text,
        test_feed_cursor_huge_numbers,
        test_if_match_lists_and_query_numbers,
        NULL,
    };
    const struct harness_suite suite = {
        .name = "hostile_input", .tests = tests, .start = world_start, .stop = world_stop, .timeout = 120};
    return harness_run(&suite);
}
