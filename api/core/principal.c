/* principal.c — the names of the roles (principal.h). */
#include "principal.h"

#include <stddef.h>

const struct role_name ROLE_NAMES[ROLE_COUNT] = {
    {"admin", ROLE_ADMIN}, {"senior_tutor", ROLE_SENIOR_TUTOR}, {"registry", ROLE_REGISTRY},
    {"tutor", ROLE_TUTOR}, {"student", ROLE_STUDENT},           {"dean", ROLE_DEAN},
};

const char *role_name(unsigned bit)
{
    for (size_t i = 0; i < ROLE_COUNT; i++)
        if (ROLE_NAMES[i].bit == bit)
            return ROLE_NAMES[i].name;
    return NULL;
}
