/* fuzz_jwks.c — a JWKS document from the identity provider, which tutord fetches over the network, on any
 * bytes (jwks_parse): never crashes, leaks or overflows; a set it returns holds 1..JWKS_MAX_KEYS keys, each
 * with a PEM and one of the algorithms a JWKS key may carry, and merging it with itself keeps it equal. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jwks.h"

/* Aborts unless the set keeps jwks.h's promises. */
static void check_set(struct jwks_set *set)
{
    if (set->n == 0 || set->n > JWKS_MAX_KEYS)
        abort();
    for (size_t i = 0; i < set->n; i++) {
        const struct jwk_key *k = &set->keys[i];
        if (!k->pem || k->pem_len <= 0 || strlen(k->kid) > JWKS_MAX_KID ||
            jwks_alg_of_name(jwt_alg_str(k->alg)) != k->alg)
            abort();
    }
    struct jwks_set *merged = jwks_merge(set, NULL);
    if (!merged || !jwks_equal(merged, set))
        abort();
    jwks_set_release(merged);
}

/* libFuzzer's entry point. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[256];
    why[0] = '\0';
    struct jwks_set *set = jwks_parse((const char *)data, size, why, sizeof(why));
    if (set)
        check_set(set);
    else if (!why[0])
        abort();
    jwks_set_release(set);
    return 0;
}
