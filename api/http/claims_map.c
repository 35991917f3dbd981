/* claims_map.c — a verified token's claims into a principal through the configured mapping. */
#include "claims_map.h"

#include "validate.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A copy of `text`, or of `fallback` when text is NULL or empty; NULL when memory runs out. */
static char *setting_or(const char *text, const char *fallback)
{
    return strdup(text && *text ? text : fallback);
}

/* Copies the n bytes at `s` without surrounding blanks into a new string (NULL when out of memory). */
static char *trimmed(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s))
        s++, n--;
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return strndup(s, n);
}

/* Adds one "value=role" entry of n bytes to the map; 0, or -1 with why[size]. */
static int add_rule(struct claims_map *map, const char *entry, size_t n, char *why, size_t size)
{
    const char *eq = memchr(entry, '=', n);
    if (!eq)
        return snprintf(why, size, "TUTORD_JWT_ROLE_MAP: \"%.*s\" is not value=role", (int)n, entry), -1;
    char *value = trimmed(entry, (size_t)(eq - entry)), *role = trimmed(eq + 1, n - (size_t)(eq - entry) - 1);
    unsigned bit = role ? auth_role_of_name(role) : 0;
    int rc = -1;
    if (!value || !role || !*value)
        snprintf(why, size, "TUTORD_JWT_ROLE_MAP: an entry has an empty value");
    else if (!bit)
        snprintf(why, size,
                 "TUTORD_JWT_ROLE_MAP: \"%s\" is not a tutord role (student, tutor, senior_tutor, registry, admin, "
                 "dean)",
                 role);
    else if (map->n_rules == CLAIMS_MAP_MAX_RULES)
        snprintf(why, size, "TUTORD_JWT_ROLE_MAP: more than %d entries", CLAIMS_MAP_MAX_RULES);
    else {
        map->rules[map->n_rules++] = (struct role_rule){.value = value, .role = bit};
        value = NULL;
        rc = 0;
    }
    free(value);
    free(role);
    return rc;
}

int claims_map_parse_roles(struct claims_map *map, const char *text, char *why, size_t size)
{
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, ",");
        if (add_rule(map, p, n, why, size) != 0)
            return -1;
        p += n + (p[n] == ',');
    }
    if (map->n_rules == 0)
        return snprintf(why, size, "TUTORD_JWT_ROLE_MAP holds no value=role entry"), -1;
    return 0;
}

/* Reads TUTORD_JWT_SUBJECT_CASE (keep, upper or lower); 0, or -1 with why[size]. */
static int parse_case(struct claims_map *map, const char *text, char *why, size_t size)
{
    static const char *const names[] = {"keep", "upper", "lower"};
    for (int i = 0; i < 3; i++)
        if (!text || !*text || strcmp(text, names[i]) == 0) {
            map->subject_case = text && *text ? (enum subject_case)i : SUBJECT_CASE_KEEP;
            return 0;
        }
    return snprintf(why, size, "TUTORD_JWT_SUBJECT_CASE must be keep, upper or lower (got \"%s\")", text), -1;
}

int claims_map_init(struct claims_map *map, const struct config *cfg, char *why, size_t size)
{
    memset(map, 0, sizeof(*map));
    map->subject_claim = setting_or(cfg->jwt_subject_claim, "sub");
    map->roles_claim = setting_or(cfg->jwt_roles_claim, "roles");
    map->schools_claim = setting_or(cfg->jwt_schools_claim, "schools");
    const char *domain = cfg->jwt_subject_strip_domain;
    map->strip_domain = domain && *domain ? strdup(domain[0] == '@' ? domain + 1 : domain) : NULL;
    int rc = -1;
    if (!map->subject_claim || !map->roles_claim || !map->schools_claim || (domain && *domain && !map->strip_domain))
        snprintf(why, size, "out of memory");
    else if (map->strip_domain && (!*map->strip_domain || strchr(map->strip_domain, '@')))
        snprintf(why, size, "TUTORD_JWT_SUBJECT_STRIP_DOMAIN must be a domain such as uni.example");
    else if (parse_case(map, cfg->jwt_subject_case, why, size) == 0 &&
             (!cfg->jwt_role_map || !*cfg->jwt_role_map ||
              claims_map_parse_roles(map, cfg->jwt_role_map, why, size) == 0))
        rc = 0;
    if (rc != 0)
        claims_map_free(map);
    return rc;
}

void claims_map_free(struct claims_map *map)
{
    if (!map)
        return;
    free(map->subject_claim);
    free(map->strip_domain);
    free(map->roles_claim);
    free(map->schools_claim);
    for (size_t i = 0; i < map->n_rules; i++)
        free(map->rules[i].value);
    memset(map, 0, sizeof(*map));
}

json_t *claims_get(json_t *claims, const char *name)
{
    json_t *whole = json_object_get(claims, name);
    if (whole || !strchr(name, '.'))
        return whole;
    json_t *node = claims;
    for (const char *p = name; node && *p;) {
        size_t n = strcspn(p, ".");
        node = json_is_object(node) ? json_object_getn(node, p, n) : NULL;
        p += n + (p[n] == '.');
    }
    return node == claims ? NULL : node;
}

/* The subject: the claim's string, the domain stripped when configured, the case set. 0, or -1 with *why. */
static int read_subject(const struct claims_map *map, json_t *claims, struct principal *out, const char **why)
{
    json_t *claim = claims_get(claims, map->subject_claim);
    const char *text = json_string_value(claim);
    size_t n = text ? json_string_length(claim) : 0;
    if (text && map->strip_domain) {
        size_t d = strlen(map->strip_domain);
        if (n <= d + 1 || text[n - d - 1] != '@' || strcasecmp(text + n - d, map->strip_domain) != 0)
            return *why = "the token's subject is not in the university's domain (TUTORD_JWT_SUBJECT_STRIP_DOMAIN)", -1;
        n -= d + 1;
    }
    if (n == 0 || n >= sizeof(out->sub) || memchr(text, '\0', n))
        return *why = "the token has no usable subject claim (a string of 1 to 63 characters)", -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        out->sub[i] = (char)(map->subject_case == SUBJECT_CASE_UPPER   ? toupper(c)
                             : map->subject_case == SUBJECT_CASE_LOWER ? tolower(c)
                                                                       : c);
    }
    out->sub[n] = '\0';
    return 0;
}

/* The role bits one claim value grants through the map (or as a tutord role name when there is none). */
static unsigned roles_of_value(const struct claims_map *map, const char *value)
{
    if (map->n_rules == 0)
        return auth_role_of_name(value);
    unsigned bits = 0;
    for (size_t i = 0; i < map->n_rules; i++)
        if (strcmp(map->rules[i].value, value) == 0)
            bits |= map->rules[i].role;
    return bits;
}

/* The roles: an array of strings (others ignored) or one string, mapped. 0, or -1 with *why. */
static int read_roles(const struct claims_map *map, json_t *claims, struct principal *out, const char **why)
{
    json_t *claim = claims_get(claims, map->roles_claim), *item;
    size_t i;
    if (!json_is_string(claim) && !json_is_array(claim))
        return *why = "the token has no roles claim (an array of strings, or one string)", -1;
    if (json_is_string(claim))
        out->roles = roles_of_value(map, json_string_value(claim));
    json_array_foreach(claim, i, item)
    {
        if (json_is_string(item))
            out->roles |= roles_of_value(map, json_string_value(item));
    }
    if (!out->roles)
        return *why = "the token carries no role this service knows", -1;
    return 0;
}

/* Adds one school code; 0, or -1 when it is not a code or there are too many. */
static int add_school(struct principal *out, json_t *item)
{
    if (!json_is_string(item) || !validate_is_code(json_string_value(item)) || out->n_schools == AUTH_MAX_SCHOOLS)
        return -1;
    snprintf(out->schools[out->n_schools++], sizeof(out->schools[0]), "%s", json_string_value(item));
    return 0;
}

/* The optional schools: an array of school codes or one code. 0, or -1 with *why. */
static int read_schools(const struct claims_map *map, json_t *claims, struct principal *out, const char **why)
{
    json_t *claim = claims_get(claims, map->schools_claim), *item;
    size_t i;
    int rc = 0;
    if (!claim)
        return 0;
    json_array_foreach(claim, i, item) rc |= add_school(out, item);
    if (!json_is_array(claim))
        rc = add_school(out, claim);
    if (rc != 0)
        return *why = "the token's schools claim is malformed (school codes, at most 16)", -1;
    return 0;
}

int claims_map_identity(const struct claims_map *map, json_t *claims, struct principal *out, const char **why)
{
    memset(out, 0, sizeof(*out));
    if (read_subject(map, claims, out, why) == 0 && read_roles(map, claims, out, why) == 0 &&
        read_schools(map, claims, out, why) == 0)
        return 0;
    memset(out, 0, sizeof(*out));
    return -1;
}
