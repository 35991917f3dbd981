/* fuzz_jwt.c — the JWT claim checks on any bytes: the input is a token's claims JSON as a verified
 * token would carry it (auth_check_claims: times with the leeway, issuer, audience, sub, roles,
 * schools), checked at two clocks, and also an Authorization header value (auth_verify: framing,
 * base64url, signature). Never crashes, overflows or accepts claims without a subject and a role. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "config.h"

static struct auth_verifier *verifier;

/* libFuzzer's start-up: one HS256 verifier with an issuer, an audience and a leeway. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    struct config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.jwt_alg = "HS256";
    cfg.jwt_secret = "fuzz-secret-0123456789abcdef0123456789";
    cfg.jwt_issuer = "https://idp.example";
    cfg.jwt_audience = "tutord";
    cfg.jwt_leeway_seconds = 600;
    char why[128];
    verifier = auth_verifier_new(&cfg, why, sizeof(why));
    return verifier ? 0 : 1;
}

/* Checks a principal auth_check_claims or auth_verify accepted. */
static void accepted(const struct principal *p)
{
    if (!p->sub[0] || !p->roles || p->n_schools < 0 || p->n_schools > AUTH_MAX_SCHOOLS)
        abort();
}

/* libFuzzer's entry point. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const time_t CLOCKS[] = {1800000000, 0};
    struct principal p;
    const char *why = NULL;
    for (size_t i = 0; i < sizeof(CLOCKS) / sizeof(CLOCKS[0]); i++)
        if (auth_check_claims(verifier, (const char *)data, size, CLOCKS[i], &p, &why) == 0)
            accepted(&p);
        else if (!why)
            abort();
    char *header = malloc(size + 8);
    if (!header)
        return 0;
    memcpy(header, "Bearer ", 7);
    memcpy(header + 7, data, size);
    header[size + 7] = '\0';
    if (auth_verify(verifier, header, CLOCKS[0], &p, &why) == 0)
        accepted(&p);
    free(header);
    return 0;
}
