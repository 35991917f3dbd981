/* fuzz_policy.c — the policy parser on any bytes: pe_policy_parse_string must either give a policy or
 * refuse it with errors, never crash, leak or overflow. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "pe.h"

/* libFuzzer's entry point: the input as policy JSON text. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pe_policy *policy = NULL;
    json_t *errors = NULL;
    pe_err err = pe_policy_parse_string((const char *)data, size, &policy, &errors);
    if (err == PE_OK && !policy)
        abort();
    pe_policy_free(policy);
    json_decref(errors);
    return 0;
}
