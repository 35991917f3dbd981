/* test_claims_map.c — the claims mapping alone (api/http/claims_map.c): which claim is the subject, the domain
 * rule and the case, roles from a nested path or a namespaced name through TUTORD_JWT_ROLE_MAP (unmapped
 * values ignored, our own names only without a map), schools as an array or one code, and the
 * configuration refusing what it cannot mean. No signature is involved. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "claims_map.h"
#include "config.h"

/* A map from the settings given (NULL: default); asserts it is accepted. */
static void map_of(struct claims_map *map, const char *subject, const char *strip, const char *subject_case,
                   const char *roles, const char *role_map, const char *schools)
{
    struct config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.jwt_subject_claim = (char *)subject;
    cfg.jwt_subject_strip_domain = (char *)strip;
    cfg.jwt_subject_case = (char *)subject_case;
    cfg.jwt_roles_claim = (char *)roles;
    cfg.jwt_role_map = (char *)role_map;
    cfg.jwt_schools_claim = (char *)schools;
    char why[256] = "";
    ck_assert_msg(claims_map_init(map, &cfg, why, sizeof(why)) == 0, "refused: %s", why);
}

/* Maps `json` claims; returns 0 or -1, the reason in *why. */
static int identity(const struct claims_map *map, const char *json, struct principal *p, const char **why)
{
    json_t *claims = json_loads(json, 0, NULL);
    ck_assert_ptr_nonnull(claims);
    *why = NULL;
    int rc = claims_map_identity(map, claims, p, why);
    json_decref(claims);
    return rc;
}

START_TEST(test_defaults_read_our_own_claims)
{
    struct claims_map map;
    map_of(&map, NULL, NULL, NULL, NULL, NULL, NULL);
    struct principal p;
    const char *why;
    ck_assert_int_eq(identity(&map, "{\"sub\":\"T1005\",\"roles\":[\"tutor\",\"x\",7],\"schools\":[\"CS\"]}", &p, &why),
                     0);
    ck_assert_str_eq(p.sub, "T1005");
    ck_assert_uint_eq(p.roles, ROLE_TUTOR);
    ck_assert_int_eq(p.n_schools, 1);
    ck_assert_str_eq(p.schools[0], "CS");
    ck_assert_int_eq(identity(&map, "{\"sub\":\"T1\",\"roles\":[\"Tutor\"]}", &p, &why), -1);
    ck_assert_str_eq(why, "the token carries no role this service knows");
    ck_assert_int_eq(identity(&map, "{\"sub\":\"T1\"}", &p, &why), -1);
    ck_assert_ptr_nonnull(strstr(why, "no roles claim"));
    ck_assert_int_eq(identity(&map, "{\"sub\":\"\",\"roles\":[\"tutor\"]}", &p, &why), -1);
    ck_assert_ptr_nonnull(strstr(why, "subject"));
    ck_assert_int_eq(identity(&map, "{\"sub\":\"T1\",\"roles\":[\"tutor\"],\"schools\":[\"not a code!\"]}", &p, &why),
                     -1);
    ck_assert_ptr_nonnull(strstr(why, "schools"));
    ck_assert_str_eq(p.sub, ""); /* nothing half-filled is left behind */
    claims_map_free(&map);
}
END_TEST

START_TEST(test_subject_claim_domain_and_case)
{
    struct claims_map map;
    map_of(&map, "preferred_username", "@uni.example", "upper", NULL, NULL, NULL);
    struct principal p;
    const char *why;
    ck_assert_int_eq(identity(&map, "{\"preferred_username\":\"t1005@UNI.example\",\"roles\":\"tutor\"}", &p, &why), 0);
    ck_assert_str_eq(p.sub, "T1005");
    ck_assert_int_eq(identity(&map, "{\"preferred_username\":\"t1005@evil.example\",\"roles\":\"tutor\"}", &p, &why),
                     -1);
    ck_assert_ptr_nonnull(strstr(why, "domain"));
    ck_assert_int_eq(identity(&map, "{\"preferred_username\":\"t1005@sub.uni.example\",\"roles\":\"tutor\"}", &p, &why),
                     -1);
    ck_assert_int_eq(identity(&map, "{\"preferred_username\":\"t1005\",\"roles\":\"tutor\"}", &p, &why), -1);
    ck_assert_int_eq(identity(&map, "{\"preferred_username\":\"@uni.example\",\"roles\":\"tutor\"}", &p, &why), -1);
    ck_assert_int_eq(identity(&map, "{\"sub\":\"t1005@uni.example\",\"roles\":\"tutor\"}", &p, &why), -1);
    claims_map_free(&map);
    map_of(&map, "oid", NULL, "lower", NULL, NULL, NULL);
    ck_assert_int_eq(identity(&map, "{\"oid\":\"0B8F3C2E-1A2B\",\"roles\":[\"admin\"]}", &p, &why), 0);
    ck_assert_str_eq(p.sub, "0b8f3c2e-1a2b");
    ck_assert_int_eq(identity(&map, "{\"oid\":12345,\"roles\":[\"admin\"]}", &p, &why), -1);
    claims_map_free(&map);
    map_of(&map, "extension_staffNumber", NULL, "keep", NULL, NULL, NULL);
    ck_assert_int_eq(identity(&map, "{\"extension_staffNumber\":\"t1005\",\"roles\":[\"tutor\"]}", &p, &why), 0);
    ck_assert_str_eq(p.sub, "t1005");
    claims_map_free(&map);
}
END_TEST

START_TEST(test_roles_from_paths_through_the_map)
{
    struct claims_map map;
    map_of(&map, NULL, NULL, NULL, "realm_access.roles",
           " Tutoring.Admin = admin ,Tutoring.Tutor=tutor,0f6a-guid=senior_tutor,0f6a-guid=tutor", NULL);
    struct principal p;
    const char *why;
    ck_assert_int_eq(
        identity(&map, "{\"sub\":\"A\",\"realm_access\":{\"roles\":[\"offline_access\",\"0f6a-guid\"]}}", &p, &why), 0);
    ck_assert_uint_eq(p.roles, ROLE_SENIOR_TUTOR | ROLE_TUTOR);
    ck_assert_int_eq(identity(&map, "{\"sub\":\"A\",\"realm_access\":{\"roles\":[\"Tutoring.Admin\"]}}", &p, &why), 0);
    ck_assert_uint_eq(p.roles, ROLE_ADMIN);
    /* with a map, tutord's own names are just unmapped values */
    ck_assert_int_eq(identity(&map, "{\"sub\":\"A\",\"realm_access\":{\"roles\":[\"admin\"]}}", &p, &why), -1);
    ck_assert_int_eq(identity(&map, "{\"sub\":\"A\",\"roles\":[\"Tutoring.Admin\"]}", &p, &why), -1);
    ck_assert_int_eq(identity(&map, "{\"sub\":\"A\",\"realm_access\":[\"Tutoring.Admin\"]}", &p, &why), -1);
    claims_map_free(&map);
    /* a namespaced claim whose name holds dots is found whole */
    map_of(&map, NULL, NULL, NULL, "https://uni.example/roles", NULL, "https://uni.example/schools");
    ck_assert_int_eq(
        identity(&map,
                 "{\"sub\":\"A\",\"https://uni.example/roles\":[\"dean\"],\"https://uni.example/schools\":\"CS\"}", &p,
                 &why),
        0);
    ck_assert_uint_eq(p.roles, ROLE_DEAN);
    ck_assert_int_eq(p.n_schools, 1);
    claims_map_free(&map);
}
END_TEST

START_TEST(test_claims_get_paths)
{
    json_t *claims = json_loads("{\"a\":{\"b\":{\"c\":1}},\"a.b\":2,\"x\":3}", 0, NULL);
    ck_assert_int_eq(json_integer_value(claims_get(claims, "a.b")), 2); /* the whole name first */
    ck_assert_int_eq(json_integer_value(claims_get(claims, "a.b.c")), 1);
    ck_assert_ptr_null(claims_get(claims, "x.y"));
    ck_assert_ptr_null(claims_get(claims, "a..b"));
    ck_assert_ptr_null(claims_get(claims, "."));
    ck_assert_ptr_null(claims_get(claims, "missing"));
    json_decref(claims);
}
END_TEST

/* The configuration is refused with `needle` in the reason. */
static void refused(const char *role_map, const char *strip, const char *subject_case, const char *needle)
{
    struct config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.jwt_role_map = (char *)role_map;
    cfg.jwt_subject_strip_domain = (char *)strip;
    cfg.jwt_subject_case = (char *)subject_case;
    struct claims_map map;
    char why[256] = "";
    ck_assert_int_eq(claims_map_init(&map, &cfg, why, sizeof(why)), -1);
    ck_assert_msg(strstr(why, needle), "\"%s\" does not mention \"%s\"", why, needle);
}

START_TEST(test_bad_settings_refused)
{
    refused("Tutoring.Admin=superuser", NULL, NULL, "superuser");
    refused("Tutoring.Admin", NULL, NULL, "value=role");
    refused("=admin", NULL, NULL, "empty value");
    refused(",", NULL, NULL, "value=role");
    refused(NULL, "a@b", NULL, "domain");
    refused(NULL, "@", NULL, "domain");
    refused(NULL, NULL, "title", "keep, upper or lower");
    char many[64 * 12 + 16] = "";
    for (int i = 0; i <= CLAIMS_MAP_MAX_RULES; i++)
        snprintf(many + strlen(many), sizeof(many) - strlen(many), "%sv%d=tutor", i ? "," : "", i);
    refused(many, NULL, NULL, "more than");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("claims_map");
    TCase *tc = tcase_create("claims_map");
    tcase_add_test(tc, test_defaults_read_our_own_claims);
    tcase_add_test(tc, test_subject_claim_domain_and_case);
    tcase_add_test(tc, test_roles_from_paths_through_the_map);
    tcase_add_test(tc, test_claims_get_paths);
    tcase_add_test(tc, test_bad_settings_refused);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
