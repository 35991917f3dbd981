/* test_auth.c — every bad-token case gets 401 problem+json before any database work; a good token
 * with the configured issuer and audience passes. The server runs with TUTORD_JWT_ISSUER/AUDIENCE. */
#include <check.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixtures.h"
#include "harness.h"

#define ISSUER "https://idp.uni.example"
#define AUDIENCE "tutord"

static const char *const SERVER_ENV[] = {"TUTORD_JWT_ISSUER=" ISSUER, "TUTORD_JWT_AUDIENCE=" AUDIENCE, NULL};

static void start(void)
{
    harness_start_with(SERVER_ENV);
}

/* Signs `claims` (JSON text) with alg and key; returns a malloc'd token. */
static char *sign(jwt_alg_t alg, const char *key, const char *claims)
{
    jwt_t *jwt = NULL;
    ck_assert_int_eq(jwt_new(&jwt), 0);
    ck_assert_int_eq(jwt_add_grants_json(jwt, claims), 0);
    ck_assert_int_eq(jwt_set_alg(jwt, alg, (const unsigned char *)key, key ? (int)strlen(key) : 0), 0);
    char *token = jwt_encode_str(jwt);
    jwt_free(jwt);
    ck_assert_ptr_nonnull(token);
    return token;
}

/* Claims with exp/nbf/iat offsets from now (a field is omitted when its offset is 9999). */
static void claims(char *buf, size_t size, long exp, long nbf, long iat, const char *iss, const char *aud)
{
    long now = (long)time(NULL);
    int n = snprintf(buf, size, "{\"sub\":\"A1\",\"roles\":[\"admin\"]");
    if (exp != 9999)
        n += snprintf(buf + n, size - (size_t)n, ",\"exp\":%ld", now + exp);
    if (nbf != 9999)
        n += snprintf(buf + n, size - (size_t)n, ",\"nbf\":%ld", now + nbf);
    if (iat != 9999)
        n += snprintf(buf + n, size - (size_t)n, ",\"iat\":%ld", now + iat);
    if (iss)
        n += snprintf(buf + n, size - (size_t)n, ",\"iss\":\"%s\"", iss);
    if (aud)
        n += snprintf(buf + n, size - (size_t)n, ",\"aud\":\"%s\"", aud);
    snprintf(buf + n, size - (size_t)n, "}");
}

/* Sends GET /students with the raw Authorization header and asserts a 401 problem. */
static void expect_401(const char *authorization)
{
    char header[9000];
    const char *headers[2] = {header, NULL};
    snprintf(header, sizeof(header), "Authorization: %s", authorization);
    struct tt_response r;
    ck_assert_int_eq(harness_request("GET", "/students", NULL, NULL, NULL, authorization ? headers : NULL, &r), 0);
    ck_assert_int_eq(r.status, 401);
    ck_assert_str_eq(r.content_type, "application/problem+json");
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "type")), "/problems/unauthorized");
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "status")), 401);
    ck_assert_ptr_nonnull(json_string_value(json_object_get(r.json, "detail")));
    ck_assert_ptr_nonnull(strstr(r.www_authenticate, "Bearer"));
    harness_response_free(&r);
}

static void expect_401_token(const char *token)
{
    char header[9000];
    snprintf(header, sizeof(header), "Bearer %s", token);
    expect_401(header);
}

START_TEST(test_valid_token_passes)
{
    char c[512];
    claims(c, sizeof(c), 600, 0, 0, ISSUER, AUDIENCE);
    char *token = sign(JWT_ALG_HS256, HARNESS_JWT_SECRET, c);
    struct tt_response r;
    ck_assert_int_eq(harness_json("GET", "/students?limit=1", token, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    harness_response_free(&r);
    free(token);
}
END_TEST

START_TEST(test_missing_token)
{
    expect_401(NULL);
}
END_TEST

START_TEST(test_alg_none)
{
    /* header {"alg":"none","typ":"JWT"}, claims otherwise valid, empty signature */
    char c[512], token[2048];
    claims(c, sizeof(c), 600, 0, 0, ISSUER, AUDIENCE);
    char *signed_token = sign(JWT_ALG_HS256, HARNESS_JWT_SECRET, c);
    const char *payload = strchr(signed_token, '.') + 1;
    int payload_len = (int)(strrchr(signed_token, '.') - payload);
    snprintf(token, sizeof(token), "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.%.*s.", payload_len, payload);
    expect_401_token(token);
    free(signed_token);
}
END_TEST

START_TEST(test_wrong_alg)
{
    char c[512];
    claims(c, sizeof(c), 600, 0, 0, ISSUER, AUDIENCE);
    char *token = sign(JWT_ALG_HS512, HARNESS_JWT_SECRET, c);
    expect_401_token(token);
    free(token);
}
END_TEST

START_TEST(test_wrong_key)
{
    char c[512];
    claims(c, sizeof(c), 600, 0, 0, ISSUER, AUDIENCE);
    char *token = sign(JWT_ALG_HS256, "some-other-secret-0123456789abcdef0123", c);
    expect_401_token(token);
    free(token);
}
END_TEST

START_TEST(test_expired)
{
    char c[512];
    claims(c, sizeof(c), -3600, -7200, -7200, ISSUER, AUDIENCE);
    char *token = sign(JWT_ALG_HS256, HARNESS_JWT_SECRET, c);
    expect_401_token(token);
    free(token);
}
END_TEST

START_TEST(test_missing_exp)
{
    char c[512];
    claims(c, sizeof(c), 9999, 0, 0, ISSUER, AUDIENCE);
    char *token = sign(JWT_ALG_HS256, HARNESS_JWT_SECRET, c);
    expect_401_token(token);
    free(token);
}
END_TEST

START_TEST(test_future_nbf)
{
    char c[512];
    claims(c, sizeof(c), 7200, 3600, 0, ISSUER, AUDIENCE);
    char *token = sign(JWT_ALG_HS256, HARNESS_JWT_SECRET, c);
    expect_401_token(token);
    free(token);
}
END_TEST

START_TEST(test_future_iat)
{
    char c[512];
    claims(c, sizeof(c), 7200, 9999, 3600, ISSUER, AUDIENCE);
    char *token = sign(JWT_ALG_HS256, HARNESS_JWT_SECRET, c);
    expect_401_token(token);
    free(token);
}
END_TEST

START_TEST(test_wrong_issuer)
{
    char c[512];
    claims(c, sizeof(c), 600, 0, 0, "https://evil.example", AUDIENCE);
    char *token = sign(JWT_ALG_HS256, HARNESS_JWT_SECRET, c);
    expect_401_token(token);
    free(token);
}
END_TEST

START_TEST(test_wrong_audience)
{
    char c[512];
    claims(c, sizeof(c), 600, 0, 0, ISSUER, "another-service");
    char *token = sign(JWT_ALG_HS256, HARNESS_JWT_SECRET, c);
    expect_401_token(token);
    free(token);
}
END_TEST

START_TEST(test_malformed_headers)
{
    expect_401("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    expect_401("Bearer");
    expect_401("Bearer not-a-jwt");
    expect_401("Bearer a.b.c");
    expect_401("Bearer eyJhbGciOiJIUzI1NiJ9.e30.<script>");
}
END_TEST

START_TEST(test_no_known_role)
{
    char c[512];
    long now = (long)time(NULL);
    snprintf(c, sizeof(c), "{\"sub\":\"A1\",\"roles\":[\"wizard\"],\"exp\":%ld,\"iss\":\"%s\",\"aud\":\"%s\"}",
             now + 600, ISSUER, AUDIENCE);
    char *token = sign(JWT_ALG_HS256, HARNESS_JWT_SECRET, c);
    expect_401_token(token);
    free(token);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_valid_token_passes, test_missing_token,
        test_alg_none,           test_wrong_alg,
        test_wrong_key,          test_expired,
        test_missing_exp,        test_future_nbf,
        test_future_iat,         test_wrong_issuer,
        test_wrong_audience,     test_malformed_headers,
        test_no_known_role,      NULL,
    };
    const struct harness_suite suite = {.name = "auth", .tests = tests, .start = start};
    return harness_run(&suite);
}
