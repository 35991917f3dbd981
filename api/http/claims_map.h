/* claims_map.h — which claims of a verified token say who the caller is, for identity providers whose
 * claims are not tutord's own: the subject (TUTORD_JWT_SUBJECT_CLAIM, with an optional domain stripped and
 * the case set), the roles (TUTORD_JWT_ROLES_CLAIM, values mapped by TUTORD_JWT_ROLE_MAP) and the schools
 * (TUTORD_JWT_SCHOOLS_CLAIM). With none of them set, the claims are read exactly as before: `sub`, `roles`
 * (tutord's role names), `schools`.
 *
 * A claim name is looked up whole first, then as a dotted path through nested objects
 * (`realm_access.roles`), so a namespaced name such as "https://uni.example/roles" works too. */
#ifndef TUTORD_CLAIMS_MAP_H
#define TUTORD_CLAIMS_MAP_H

#include <jansson.h>
#include <stddef.h>

#include "auth.h"
#include "config.h"

#define CLAIMS_MAP_MAX_RULES 64

enum subject_case { SUBJECT_CASE_KEEP = 0, SUBJECT_CASE_UPPER, SUBJECT_CASE_LOWER };

/* One TUTORD_JWT_ROLE_MAP entry: a claim value (exact, case-sensitive) and the role bit it grants. */
struct role_rule {
    char *value;
    unsigned role;
};

struct claims_map {
    char *subject_claim; /* default "sub" */
    char *strip_domain;  /* "uni.example": the subject must end "@uni.example" (any case), which is removed */
    enum subject_case subject_case;
    char *roles_claim;   /* default "roles" */
    char *schools_claim; /* default "schools" */
    size_t n_rules;      /* 0: the values are tutord's role names */
    struct role_rule rules[CLAIMS_MAP_MAX_RULES];
};

/* Fills *map from the configuration's TUTORD_JWT_SUBJECT_CLAIM, _SUBJECT_STRIP_DOMAIN, _SUBJECT_CASE,
 * _ROLES_CLAIM, _ROLE_MAP and _SCHOOLS_CLAIM (NULL fields take the defaults). Returns 0, or -1 with the
 * reason in why[size] (an unknown role in the map, an unknown case, an empty name). Free with
 * claims_map_free. */
int claims_map_init(struct claims_map *map, const struct config *cfg, char *why, size_t size);

/* Frees what claims_map_init allocated; NULL-safe, idempotent. */
void claims_map_free(struct claims_map *map);

/* The claim `name` of `claims`: the member of that whole name, else the dotted path's. Borrowed; NULL when
 * absent. */
json_t *claims_get(json_t *claims, const char *name);

/* Parses a TUTORD_JWT_ROLE_MAP text ("Value=role,Other=role2") into map->rules. Returns 0, or -1 with
 * why[size]. */
int claims_map_parse_roles(struct claims_map *map, const char *text, char *why, size_t size);

/* Reads the principal's sub, roles and schools from verified claims through the map. Returns 0 and fills
 * *out (zeroed first), or -1 with *why (static text). Thread-safe. */
int claims_map_identity(const struct claims_map *map, json_t *claims, struct principal *out, const char **why);

#endif
