/* principal.h — who is calling: the roles and schools a verified token grants (auth.h verifies the token;
 * every layer reads the result). */
#ifndef TUTORD_PRINCIPAL_H
#define TUTORD_PRINCIPAL_H

enum role {
    ROLE_STUDENT = 1u << 0,
    ROLE_TUTOR = 1u << 1,
    ROLE_SENIOR_TUTOR = 1u << 2,
    ROLE_REGISTRY = 1u << 3,
    ROLE_ADMIN = 1u << 4,
    ROLE_DEAN = 1u << 5, /* the Dean of Personal Tutoring: approves schools' policies and annual reports */
};

/* Every role with its token and audit spelling, in the order a principal's "primary" role is chosen
 * (admin first); ROLE_COUNT entries (principal.c). The one list of role names. */
struct role_name {
    const char *name;
    unsigned bit;
};
#define ROLE_COUNT 6
extern const struct role_name ROLE_NAMES[ROLE_COUNT];

/* The spelling of one role bit ("student", "senior_tutor", ...), or NULL for anything else. */
const char *role_name(unsigned bit);

#define AUTH_MAX_SCHOOLS 16

/* Who is calling: taken from a verified token only. */
struct principal {
    char sub[64];   /* staff number or student number */
    unsigned roles; /* enum role bits */
    int n_schools;  /* from the optional `schools` claim (or the mapped one) */
    char schools[AUTH_MAX_SCHOOLS][17];
};

#endif
