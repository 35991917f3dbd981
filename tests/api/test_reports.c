/* test_reports.c — GET /reports/kpis, /reports/engagement, /reports/workload: every KPI's exact value
 * on a hand-built school (an even count for the median, the 3-year boundary, late allocation), the
 * empty school (null, never NaN), the rule-based count with its threshold (the request's, else the
 * policy's in force), the engagement reasons with their evidence, the workload and its senior tutor
 * hours from the school's policy in force (null without), CSV parsed back against the JSON, and access
 * per role. Data lives in the academic year 2011/12 (inserted if missing) with fresh school codes, so
 * nothing here depends on other suites or on order. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "fixtures.h"
#include "harness.h"

/* ---- data helpers ---------------------------------------------------------------------------------- */

/* Runs SQL with up to four text parameters (the first NULL ends them) and returns the first value (malloc'd). */
static char *sqlv(const char *sql, const char *a, const char *b, const char *c, const char *d)
{
    const char *params[4] = {a, b, c, d};
    int n = !a ? 0 : !b ? 1 : !c ? 2 : !d ? 3 : 4;
    return harness_sql(sql, n, params);
}

static void sql4(const char *sql, const char *a, const char *b, const char *c, const char *d)
{
    free(sqlv(sql, a, b, c, d));
}

static void the_year(void)
{
    sql4("INSERT INTO academic_years (label, starts_on, ends_on) VALUES ('2011/12', '2011-09-12', '2012-06-29')"
         " ON CONFLICT DO NOTHING",
         NULL, NULL, NULL, NULL);
    sql4("INSERT INTO terms (year_label, name, starts_on, ends_on) VALUES"
         " ('2011/12', 'Autumn', '2011-09-26', '2011-12-09'), ('2011/12', 'Spring', '2012-01-09', '2012-03-23')"
         " ON CONFLICT DO NOTHING",
         NULL, NULL, NULL, NULL);
}

static void new_tutor(const char *school, const char *capacity, char *number, size_t size)
{
    harness_unique("T", number, size);
    tt_tutor(number, school, "{tutor}", atoi(capacity), 1);
}

static void new_student(const char *school, const char *registered, const char *status, char *number, size_t size)
{
    harness_unique("S", number, size);
    sql4("INSERT INTO students (student_number, name, email, school, level, cohort, status, registered_on)"
         " VALUES ($1, 'Student, \"' || $1 || '\"', lower($1) || '@uni.example', $2, '4', 'UG', $3, $4::date)",
         number, school, status, registered);
}

/* score NULL: a training session (no score). */
static void training(const char *tutor, const char *kind, const char *on, const char *score)
{
    const char *params[4] = {tutor, kind, on, score};
    free(harness_sql("INSERT INTO training_records (staff_number, kind, completed_on, score, created_by)"
                     " VALUES ($1, $2, $3::date, $4::int, 'test')",
                     4, params));
}

/* A contact; returns its id (malloc'd). */
/* kind_dir is "kind:direction[:attendance]" (attendance defaults to attended). */
static char *contact(const char *student, const char *staff, const char *kind_dir, const char *at)
{
    return sqlv("INSERT INTO contacts (student_number, staff_number, kind, direction, occurred_at, attendance,"
                " created_by) VALUES ($1, $2, split_part($3, ':', 1), split_part($3, ':', 2), $4::timestamptz,"
                " COALESCE(NULLIF(split_part($3, ':', 3), ''), 'attended'), 'test') RETURNING id",
                student, staff, kind_dir, at);
}

static void policy(const char *school, const char *rules)
{
    sql4("INSERT INTO school_policies (school, effective_from, name, policy, set_by)"
         " VALUES ($1, '2011-09-01', 'Test policy', json_build_object('name', 'Test policy',"
         " 'effective_from', '2011-09-01', 'rules', $2::json)::jsonb, 'test')",
         school, rules, NULL, NULL);
}

/* A policy version of `school` taking effect `from`: `extra` (a JSON object of policy-level settings such
 * as not_fulfilling_pct or senior_tutor_hours) with `rules`. */
static void policy_version(const char *school, const char *from, const char *extra, const char *rules)
{
    sql4("INSERT INTO school_policies (school, effective_from, name, policy, set_by)"
         " VALUES ($1, $2::date, 'Test policy', $3::jsonb || jsonb_build_object('name', 'Test policy',"
         " 'effective_from', $2, 'rules', $4::jsonb), 'test')",
         school, from, extra, rules);
}

/* ---- request helpers ------------------------------------------------------------------------------- */

static json_t *get_json(const char *path, const char *token, long want)
{
    struct tt_response r;
    ck_assert_int_eq(harness_request("GET", path, token, NULL, NULL, NULL, &r), 0);
    if (r.status != want)
        ck_abort_msg("GET %s: want %ld, got %ld %s", path, want, r.status, r.body);
    json_t *doc = json_incref(r.json);
    harness_response_free(&r);
    return doc;
}

static long status_of(const char *path, const char *token)
{
    struct tt_response r;
    ck_assert_int_eq(harness_request("GET", path, token, NULL, NULL, NULL, &r), 0);
    long status = r.status;
    if (status >= 400)
        ck_assert_str_eq(r.content_type, "application/problem+json");
    harness_response_free(&r);
    return status;
}

/* The CSV answer to GET path, parsed: rows[0] is the header. Returns the number of rows. */
static size_t get_csv(const char *path, const char *token, struct csv_row *rows, size_t max)
{
    static const char *const accept[] = {"Accept: text/csv", NULL};
    struct tt_response r;
    ck_assert_int_eq(harness_request("GET", path, token, NULL, NULL, accept, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.content_type, "text/csv; charset=utf-8");
    ck_assert_ptr_nonnull(strstr(r.body, "\r\n"));
    struct csv_reader reader;
    ck_assert_int_eq(csv_init(&reader, r.body, strlen(r.body)), 0);
    size_t n = 0;
    while (n < max) {
        memset(&rows[n], 0, sizeof(rows[n]));
        int rc = csv_next(&reader, &rows[n]);
        ck_assert_int_ge(rc, 0);
        if (rc == 0) {
            csv_row_free(&rows[n]);
            free(rows[n].fields);
            break;
        }
        n++;
    }
    harness_response_free(&r);
    return n;
}

static void free_rows(struct csv_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        csv_row_free(&rows[i]);
        free(rows[i].fields); /* csv_row_free keeps the array for reuse */
    }
}

static double num(const json_t *doc, const char *key)
{
    const json_t *v = json_object_get(doc, key);
    if (!json_is_number(v))
        ck_abort_msg("%s is not a number", key);
    return json_number_value(v);
}

static void assert_null(const json_t *doc, const char *key)
{
    if (!json_is_null(json_object_get(doc, key)))
        ck_abort_msg("%s should be null", key);
}

/* Asserts a CSV cell equals the JSON value: "" for null, numbers equal as numbers, strings equal. */
static void assert_cell(const char *cell, const json_t *v, const char *what)
{
    if (!v || json_is_null(v))
        ck_assert_msg(cell[0] == '\0', "%s: want empty, got %s", what, cell);
    else if (json_is_number(v))
        ck_assert_msg(cell[0] && strtod(cell, NULL) == json_number_value(v), "%s: %s vs %g", what, cell,
                      json_number_value(v));
    else if (json_is_string(v))
        ck_assert_msg(strcmp(cell, json_string_value(v)) == 0, "%s: %s vs %s", what, cell, json_string_value(v));
    else if (json_is_boolean(v))
        ck_assert_str_eq(cell, json_is_true(v) ? "true" : "false");
}

/* The JSON value a KPI CSV column stands for ("tutees_per_tutor_median" → tutees_per_tutor.median). */
static const json_t *kpi_value(const json_t *row, const char *header)
{
    if (strncmp(header, "tutees_per_tutor_", 17) == 0)
        return json_object_get(json_object_get(row, "tutees_per_tutor"), header + 17);
    return json_object_get(row, header);
}

static void assert_kpi_csv_row(const struct csv_row *header, const struct csv_row *row, const json_t *json)
{
    ck_assert_uint_eq(row->n, header->n);
    for (size_t c = 0; c < header->n; c++) {
        const json_t *v = kpi_value(json, header->fields[c]);
        ck_assert_msg(v != NULL, "column %s has no JSON field", header->fields[c]);
        assert_cell(row->fields[c], v, header->fields[c]);
    }
}

/* ---- the KPI school ---------------------------------------------------------------------------------- */

struct kpi_school {
    char code[24];
    char tutor[5][24];
    char student[11][24];
};

/* Four counted tutors with 3, 1, 2 and 4 tutees (median 2.5, max 4); a fifth with none. Eleven students
 * registered on 2011-09-19: ten allocated (one of them late, on 2011-10-10), one never. One change
 * request in the year, one before it. Training and quizzes around the 3-year boundary (as_of 2012-06-29). */
static void make_kpi_school(struct kpi_school *k)
{
    static const int tutor_of[10] = {0, 0, 0, 1, 2, 2, 3, 3, 3, 3};
    the_year();
    tt_new_school(k->code, sizeof(k->code), "K", NULL);
    for (int t = 0; t < 5; t++)
        new_tutor(k->code, "30", k->tutor[t], sizeof(k->tutor[t]));
    for (int s = 0; s < 11; s++)
        new_student(k->code, "2011-09-19", "studying", k->student[s], sizeof(k->student[s]));
    for (int s = 0; s < 10; s++)
        tt_allocate(k->student[s], k->tutor[tutor_of[s]], s == 9 ? "2011-10-10" : "2011-09-20");
    sql4("INSERT INTO change_requests (student_number, requested_at) VALUES ($1, '2011-11-01 10:00+00')", k->student[1],
         NULL, NULL, NULL);
    sql4("INSERT INTO change_requests (student_number, requested_at, status, decided_by, decided_at)"
         " VALUES ($1, '2010-11-01 10:00+00', 'declined', 'test', '2010-11-02 10:00+00')",
         k->student[4], NULL, NULL, NULL);
    training(k->tutor[0], "training", "2009-06-29", NULL); /* exactly 3 years: counts */
    training(k->tutor[0], "quiz", "2012-01-10", "80");
    training(k->tutor[1], "training", "2009-06-28", NULL); /* a day too old */
    training(k->tutor[1], "quiz", "2010-05-01", "60");
    training(k->tutor[1], "quiz", "2011-10-01", "70"); /* the latest: 70 */
    training(k->tutor[2], "quiz", "2012-07-15", "99"); /* after as_of: ignored */
    training(k->tutor[3], "training", "2012-06-01", NULL);
    training(k->tutor[3], "quiz", "2009-06-01", "90");     /* too old for the 3-year %, still the latest score */
    training(k->tutor[4], "training", "2012-01-01", NULL); /* no tutees: not counted */
}

static void assert_kpi_values(const json_t *doc, const char *code)
{
    ck_assert_str_eq(json_string_value(json_object_get(doc, "school")), code);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "year")), "2011/12");
    ck_assert_str_eq(json_string_value(json_object_get(doc, "as_of")), "2012-06-29");
    ck_assert_int_eq((int)num(doc, "tutors"), 4);
    const json_t *per = json_object_get(doc, "tutees_per_tutor");
    ck_assert(num(per, "median") == 2.5);
    ck_assert(num(per, "max") == 4);
    ck_assert(num(doc, "pct_not_allocated_within_week") == 18.2); /* 2 of 11 */
    ck_assert(num(doc, "pct_tutors_trained_3y") == 50.0);         /* tutors 0 and 3 */
    ck_assert(num(doc, "pct_tutors_quiz_3y") == 50.0);            /* tutors 0 and 1 */
    ck_assert(num(doc, "median_quiz_score") == 80);               /* 80, 70, 90 */
    ck_assert(num(doc, "pct_tutees_requesting_change") == 10.0);  /* 1 of 10 */
    ck_assert_int_eq((int)num(doc, "tutees"), 10);
    ck_assert_int_eq((int)num(doc, "registered"), 11);
    ck_assert_int_eq((int)num(doc, "not_allocated_within_week"), 2);
}

START_TEST(test_kpis_exact_values)
{
    struct kpi_school k;
    make_kpi_school(&k);
    char *admin = harness_token("ADM1", "admin", NULL), path[128];
    snprintf(path, sizeof(path), "/reports/kpis?school=%s&year=2011/12", k.code);
    json_t *doc = get_json(path, admin, 200);
    assert_kpi_values(doc, k.code);
    assert_null(doc, "tutors_not_fulfilling_role"); /* no policy: cannot be judged */
    json_decref(doc);
    /* as_of moves the training window: on 2012-06-28 tutor 1's training (2009-06-28) is exactly 3 years old */
    snprintf(path, sizeof(path), "/reports/kpis?school=%s&year=2011/12&as_of=2012-06-28", k.code);
    doc = get_json(path, admin, 200);
    ck_assert(num(doc, "pct_tutors_trained_3y") == 75.0);
    json_decref(doc);
    free(admin);
}
END_TEST

START_TEST(test_kpis_rule_based_count_and_threshold)
{
    struct kpi_school k;
    make_kpi_school(&k);
    /* Tutor 1's training is a day too old: a breached tutor rule. First meetings within 14 days: tutor 0
     * none of 3 met (100 %), tutor 2 one of 2 (50 %), tutor 3 three of 4 (25 % breached), tutor 1 met. */
    policy(k.code, "[{\"id\":\"training\",\"type\":\"tutor_training_within\",\"years\":3,\"source\":\"t\"},"
                   "{\"id\":\"first\",\"type\":\"first_meeting_within\",\"days\":14,\"from\":\"registration\","
                   "\"applies_to\":\"all\",\"source\":\"t\"}]");
    const int met[] = {3, 4, 6, 7, 8};
    for (size_t i = 0; i < sizeof(met) / sizeof(met[0]); i++)
        free(contact(k.student[met[i]],
                     k.tutor[met[i] == 3  ? 1
                             : met[i] < 6 ? 2
                                          : 3],
                     "meeting:to_student", "2011-09-25 10:00+01"));
    char *admin = harness_token("ADM1", "admin", NULL), path[160];
    const struct {
        const char *threshold;
        int want;
    } cases[] = {{"", 4},
                 {"&breach_threshold=25", 4},
                 {"&breach_threshold=26", 3},
                 {"&breach_threshold=50", 3},
                 {"&breach_threshold=51", 2},
                 {"&breach_threshold=100", 2}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(path, sizeof(path), "/reports/kpis?school=%s&year=2011/12%s", k.code, cases[i].threshold);
        json_t *doc = get_json(path, admin, 200);
        ck_assert_msg((int)num(doc, "tutors_not_fulfilling_role") == cases[i].want, "threshold %s: got %d",
                      cases[i].threshold, (int)num(doc, "tutors_not_fulfilling_role"));
        assert_kpi_values(doc, k.code);
        json_decref(doc);
    }
    free(admin);
}
END_TEST

/* Without breach_threshold a school is judged at its policy's not_fulfilling_pct, the version in force on
 * as_of: 50 up to the leap day 2012-02-29, 25 from 2012-03-01. (Tutor 1's training is within 3 years on both
 * days.) First meetings as above: tutor 0 100 %, tutor 2 50 %, tutor 3 25 % of tutees breached. */
START_TEST(test_kpis_threshold_is_the_policy_in_force)
{
    static const char RULES[] = "[{\"id\":\"training\",\"type\":\"tutor_training_within\",\"years\":3,"
                                "\"source\":\"t\"},{\"id\":\"first\",\"type\":\"first_meeting_within\","
                                "\"days\":14,\"from\":\"registration\",\"applies_to\":\"all\",\"source\":\"t\"}]";
    struct kpi_school k;
    make_kpi_school(&k);
    policy_version(k.code, "2011-09-01", "{\"not_fulfilling_pct\":50}", RULES);
    policy_version(k.code, "2012-03-01", "{}", RULES); /* default 25 */
    const int met[] = {3, 4, 6, 7, 8};
    for (size_t i = 0; i < sizeof(met) / sizeof(met[0]); i++)
        free(contact(k.student[met[i]],
                     k.tutor[met[i] == 3  ? 1
                             : met[i] < 6 ? 2
                                          : 3],
                     "meeting:to_student", "2011-09-25 10:00+01"));
    char *admin = harness_token("ADM1", "admin", NULL), path[192];
    const struct {
        const char *query;
        int want;
        double threshold;
    } cases[] = {{"&as_of=2012-02-28", 2, 50},
                 {"&as_of=2012-02-29", 2, 50},
                 {"&as_of=2012-03-01", 3, 25},
                 {"&as_of=2012-02-29&breach_threshold=25", 3, 25},
                 {"&as_of=2012-03-01&breach_threshold=100", 1, 100}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(path, sizeof(path), "/reports/kpis?school=%s&year=2011/12%s", k.code, cases[i].query);
        json_t *doc = get_json(path, admin, 200);
        ck_assert_msg((int)num(doc, "tutors_not_fulfilling_role") == cases[i].want, "%s: got %d", cases[i].query,
                      (int)num(doc, "tutors_not_fulfilling_role"));
        ck_assert_msg(num(doc, "breach_threshold") == cases[i].threshold, "%s: threshold %g", cases[i].query,
                      num(doc, "breach_threshold"));
        json_decref(doc);
    }
    free(admin);
}
END_TEST

/* A policy whose meeting rule counts teaching events: the report loads only the contact kinds the meeting
 * rules count, and must take them from the stored policies (not assume meetings). */
START_TEST(test_kpis_count_the_contact_kinds_the_policy_names)
{
    char code[24], tutor_a[24], tutor_b[24], s1[24], s2[24], path[128];
    the_year();
    tt_new_school(code, sizeof(code), "K", NULL);
    new_tutor(code, "30", tutor_a, sizeof(tutor_a));
    new_tutor(code, "30", tutor_b, sizeof(tutor_b));
    new_student(code, "2011-09-19", "studying", s1, sizeof(s1));
    new_student(code, "2011-09-19", "studying", s2, sizeof(s2));
    tt_allocate(s1, tutor_a, "2011-09-20");
    tt_allocate(s2, tutor_b, "2011-09-20");
    policy(code, "[{\"id\":\"year\",\"type\":\"meetings_per_year\",\"min\":1,\"count\":\"attended\","
                 "\"kinds\":[\"teaching_event\"],\"source\":\"t\"}]");
    free(contact(s1, tutor_a, "teaching_event:to_student", "2011-10-05 10:00+01")); /* counts */
    free(contact(s2, tutor_b, "meeting:to_student", "2011-10-05 10:00+01"));        /* does not */
    char *admin = harness_token("ADM1", "admin", NULL);
    snprintf(path, sizeof(path), "/reports/kpis?school=%s&year=2011/12", code);
    json_t *doc = get_json(path, admin, 200);
    ck_assert_int_eq((int)num(doc, "tutors"), 2);
    ck_assert_int_eq((int)num(doc, "tutors_not_fulfilling_role"), 1); /* tutor b only */
    json_decref(doc);
    free(admin);
}
END_TEST

/* The tutors the rule-based count judges, and their tutees, at the edges of the days (KPI_TUTORS_SQL): a
 * tutor is counted when a personal allocation overlaps the year up to as_of, the year's first day included
 * (U's ended on it; V's the day before: not counted), and their tutees are those allocated on as_of, the
 * allocation ending on as_of included (T's s1). Policy: a tutor's training within 3 years (T has it; U has
 * none, and started in 2010: due a year after, breached) and a first meeting within 14 days of registration
 * (s1 none, s2 met). At breach_threshold 50: T fails
 * with s1 and s2 (50 %), not with s2 alone (0 %); U fails by the training rule (their facts come with
 * the batch: sU lies between s1 and s2) only if counted. */
START_TEST(test_kpis_judge_the_tutors_and_tutees_at_the_edges)
{
    char code[24], t[24], u[24], v[24], s1[24], su[24], sv[24], s2[24], path[192];
    the_year();
    tt_new_school(code, sizeof(code), "E", NULL);
    new_tutor(code, "30", t, sizeof(t));
    new_tutor(code, "30", u, sizeof(u));
    new_tutor(code, "30", v, sizeof(v));
    new_student(code, "2011-09-19", "studying", s1, sizeof(s1)); /* numbered in this order */
    new_student(code, "2010-07-01", "studying", su, sizeof(su));
    new_student(code, "2010-07-01", "studying", sv, sizeof(sv));
    new_student(code, "2011-09-19", "studying", s2, sizeof(s2));
    const char *const rows[4][4] = {{s1, t, "2011-09-20", "2011-11-15"},
                                    {s2, t, "2011-09-20", ""},
                                    {su, u, "2010-08-01", "2011-09-12"},
                                    {sv, v, "2010-08-01", "2011-09-11"}};
    for (int i = 0; i < 4; i++)
        sql4("INSERT INTO allocations (student_number, staff_number, kind, starts_on, ends_on, created_by)"
             " VALUES ($1, $2, 'personal', $3::date, NULLIF($4, '')::date, 'test')",
             rows[i][0], rows[i][1], rows[i][2], rows[i][3]);
    training(t, "training", "2011-01-10", NULL);
    policy(code, "[{\"id\":\"training\",\"type\":\"tutor_training_within\",\"years\":3,\"source\":\"t\"},"
                 "{\"id\":\"first\",\"type\":\"first_meeting_within\",\"days\":14,\"from\":\"registration\","
                 "\"applies_to\":\"all\",\"source\":\"t\"}]");
    free(contact(s2, t, "meeting:to_student", "2011-09-25 10:00+01"));
    char *admin = harness_token("ADM1", "admin", NULL);
    snprintf(path, sizeof(path), "/reports/kpis?school=%s&year=2011/12&as_of=2011-11-15&breach_threshold=50", code);
    json_t *doc = get_json(path, admin, 200);
    ck_assert_int_eq((int)num(doc, "tutors"), 2); /* T and U */
    ck_assert_int_eq((int)num(doc, "tutors_not_fulfilling_role"), 2);
    json_decref(doc);
    /* the day after: s1 is no longer T's (0 % of s2 alone), U still counted */
    snprintf(path, sizeof(path), "/reports/kpis?school=%s&year=2011/12&as_of=2011-11-16&breach_threshold=50", code);
    doc = get_json(path, admin, 200);
    ck_assert_int_eq((int)num(doc, "tutors_not_fulfilling_role"), 1);
    json_decref(doc);
    free(admin);
}
END_TEST

START_TEST(test_kpis_empty_school_is_null_not_nan)
{
    char code[24], path[128];
    the_year();
    tt_new_school(code, sizeof(code), "E", NULL);
    char *admin = harness_token("ADM1", "admin", NULL);
    snprintf(path, sizeof(path), "/reports/kpis?school=%s&year=2011/12", code);
    json_t *doc = get_json(path, admin, 200);
    ck_assert_int_eq((int)num(doc, "tutors"), 0);
    const json_t *per = json_object_get(doc, "tutees_per_tutor");
    assert_null(per, "median");
    assert_null(per, "max");
    static const char *const nulls[] = {"pct_not_allocated_within_week", "pct_tutors_trained_3y", "pct_tutors_quiz_3y",
                                        "median_quiz_score", "pct_tutees_requesting_change"};
    for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
        assert_null(doc, nulls[i]);
    ck_assert_int_eq((int)num(doc, "tutors_not_fulfilling_role"), 0);
    struct csv_row rows[4];
    ck_assert_uint_eq(get_csv(path, admin, rows, 4), 2);
    assert_kpi_csv_row(&rows[0], &rows[1], doc);
    ck_assert_ptr_null(strstr(rows[1].fields[4], "NaN"));
    free_rows(rows, 2);
    json_decref(doc);
    free(admin);
}
END_TEST

START_TEST(test_kpis_csv_matches_json_and_institution_total)
{
    struct kpi_school k;
    make_kpi_school(&k);
    char *admin = harness_token("ADM1", "admin", NULL), path[128];
    snprintf(path, sizeof(path), "/reports/kpis?school=%s&year=2011/12", k.code);
    json_t *doc = get_json(path, admin, 200);
    struct csv_row rows[3];
    ck_assert_uint_eq(get_csv(path, admin, rows, 3), 2);
    ck_assert_str_eq(rows[0].fields[0], "school");
    assert_kpi_csv_row(&rows[0], &rows[1], doc);
    free_rows(rows, 2);
    json_decref(doc);
    /* every school, then the total: the CSV has one line per school plus the total (school empty) */
    json_t *all = get_json("/reports/kpis?year=2011/12", admin, 200);
    const json_t *schools = json_object_get(all, "schools"), *total = json_object_get(all, "total"), *row;
    size_t n = json_array_size(schools), i, found = 0;
    assert_null(total, "school");
    ck_assert_int_ge((int)num(total, "tutors"), 4);
    struct csv_row *lines = calloc(n + 3, sizeof(*lines));
    ck_assert_uint_eq(get_csv("/reports/kpis?year=2011/12", admin, lines, n + 3), n + 2);
    json_array_foreach(schools, i, row)
    {
        assert_kpi_csv_row(&lines[0], &lines[i + 1], row);
        if (strcmp(json_string_value(json_object_get(row, "school")), k.code) == 0)
            assert_kpi_values(row, k.code), found++;
    }
    assert_kpi_csv_row(&lines[0], &lines[n + 1], total);
    ck_assert_uint_eq(found, 1);
    free_rows(lines, n + 2);
    free(lines);
    json_decref(all);
    free(admin);
}
END_TEST

/* ---- engagement ------------------------------------------------------------------------------------ */

static const json_t *find_item(const json_t *items, const char *student, const char *reason)
{
    size_t i;
    const json_t *it;
    json_array_foreach(items, i,
                       it) if (strcmp(json_string_value(json_object_get(it, "student")), student) == 0 &&
                               strcmp(json_string_value(json_object_get(it, "reason")), reason) == 0) return it;
    return NULL;
}

static void assert_evidence(const json_t *item, const char *a, const char *b)
{
    ck_assert_ptr_nonnull(item);
    const json_t *ev = json_object_get(item, "evidence");
    ck_assert_uint_eq(json_array_size(ev), b ? 2 : a ? 1 : 0);
    if (a)
        ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(ev, 0), "id")), atol(a));
    if (b)
        ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(ev, 1), "id")), atol(b));
}

START_TEST(test_engagement_reasons_and_evidence)
{
    char code[24], tutor[24], s[7][24], path[160];
    the_year();
    tt_new_school(code, sizeof(code), "G", NULL);
    new_tutor(code, "30", tutor, sizeof(tutor));
    for (int i = 0; i < 7; i++) {
        new_student(code, "2011-09-19", i == 5 ? "suspended" : "studying", s[i], sizeof(s[i]));
        tt_allocate(s[i], tutor, "2011-09-19");
    }
    policy(code, "[{\"id\":\"esc\",\"type\":\"missed_meetings_escalation\",\"missed\":2,\"days\":5,\"source\":\"t\"}]");
    free(contact(s[0], tutor, "meeting:to_student", "2011-10-05 10:00+01")); /* fine */
    char *m1 = contact(s[1], tutor, "meeting:to_student:missed", "2011-10-12 10:00+01");
    char *m2 = contact(s[1], tutor, "meeting:to_student:missed", "2011-10-19 10:00+01");
    free(contact(s[2], tutor, "meeting:to_student", "2011-10-03 10:00+01"));
    char *mail = contact(s[2], tutor, "email:to_student", "2011-10-20 09:00+01"); /* never answered */
    free(contact(s[3], tutor, "meeting:to_student", "2011-10-03 10:00+01"));
    free(contact(s[3], tutor, "email:to_student", "2011-10-20 09:00+01"));
    free(contact(s[3], tutor, "message:from_student", "2011-10-22 09:00+01")); /* answered */
    free(contact(s[4], tutor, "meeting:to_student", "2011-10-03 10:00+01"));
    char *recent = contact(s[4], tutor, "email:to_student", "2011-11-12 09:00+00"); /* within grace */
    free(contact(s[5], tutor, "meeting:to_student:missed", "2011-10-12 10:00+01")); /* away: skipped */
    free(contact(s[6], tutor, "meeting:to_student:missed", "2011-10-12 10:00+01"));
    free(contact(s[6], tutor, "meeting:to_student:missed", "2011-10-19 10:00+01"));
    sql4("INSERT INTO concerns (student_number, school, kind, detail, raised_by, raised_by_role, raised_at)"
         " VALUES ($1, $2, 'non_engaged', 'two missed', $3, 'tutor', '2011-10-25 10:00+01')",
         s[6], code, tutor, NULL);
    /* the student's own complaint about their tutoring is not the escalation: s[1] stays listed */
    sql4("INSERT INTO concerns (student_number, school, kind, detail, raised_by, raised_by_role, raised_at)"
         " VALUES ($1, $2, 'tutoring_issue', 'my tutor', $1, 'student', '2011-10-26 10:00+01')",
         s[1], code, NULL, NULL);
    char *admin = harness_token("ADM1", "admin", NULL);
    snprintf(path, sizeof(path), "/reports/engagement?school=%s&as_of=2011-11-15", code);
    json_t *doc = get_json(path, admin, 200);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(doc, "term"), "name")), "Autumn");
    const json_t *items = json_object_get(doc, "items");
    ck_assert_uint_eq(json_array_size(items), 4);
    assert_evidence(find_item(items, s[1], "no_attended_meeting_this_term"), m1, m2);
    assert_evidence(find_item(items, s[1], "missed_meetings_escalation"), m1, m2);
    assert_evidence(find_item(items, s[2], "unanswered_outreach"), mail, NULL);
    ck_assert_ptr_nonnull(find_item(items, s[6], "no_attended_meeting_this_term"));
    ck_assert_ptr_null(find_item(items, s[6], "missed_meetings_escalation")); /* a concern was raised */
    const json_t *it = find_item(items, s[2], "unanswered_outreach");
    ck_assert_str_eq(json_string_value(json_object_get(it, "tutor")), tutor);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(it, "evidence"), 0), "at")),
                     "2011-10-20T08:00:00Z");
    /* CSV: the same rows, evidence ids joined with ';', names with commas and quotes quoted */
    struct csv_row rows[8];
    ck_assert_uint_eq(get_csv(path, admin, rows, 8), 5);
    ck_assert_str_eq(rows[0].fields[6], "evidence_ids");
    for (size_t i = 0; i < 4; i++) {
        const json_t *item = json_array_get(items, i);
        ck_assert_str_eq(rows[i + 1].fields[1], json_string_value(json_object_get(item, "student")));
        ck_assert_str_eq(rows[i + 1].fields[2], json_string_value(json_object_get(item, "student_name")));
        ck_assert_str_eq(rows[i + 1].fields[5], json_string_value(json_object_get(item, "reason")));
    }
    free_rows(rows, 5);
    json_decref(doc);
    /* a shorter grace period lists the recent email too */
    snprintf(path, sizeof(path), "/reports/engagement?school=%s&as_of=2011-11-15&grace_days=2", code);
    doc = get_json(path, admin, 200);
    assert_evidence(find_item(json_object_get(doc, "items"), s[4], "unanswered_outreach"), recent, NULL);
    json_decref(doc);
    free(m1), free(m2), free(mail), free(recent), free(admin);
}
END_TEST

/* The engagement report covers the tutees of the day: a personal allocation that ended the day before as_of, or
 * starts the day after, does not make its student a tutee; one that ends on the day does. */
START_TEST(test_engagement_tutees_of_the_day)
{
    char code[24], tutor[24], s[3][24], path[160];
    the_year();
    tt_new_school(code, sizeof(code), "G", NULL);
    new_tutor(code, "30", tutor, sizeof(tutor));
    static const char *const spans[3][2] = {
        {"2011-09-19", "2011-11-14"}, {"2011-09-19", "2011-11-15"}, {"2011-11-16", ""}};
    for (int i = 0; i < 3; i++) {
        new_student(code, "2011-09-19", "studying", s[i], sizeof(s[i]));
        sql4("INSERT INTO allocations (student_number, staff_number, kind, starts_on, ends_on, created_by)"
             " VALUES ($1, $2, 'personal', $3::date, NULLIF($4, '')::date, 'test')", /* "": open-ended */
             s[i], tutor, spans[i][0], spans[i][1]);
    }
    char *admin = harness_token("ADM1", "admin", NULL);
    snprintf(path, sizeof(path), "/reports/engagement?school=%s&as_of=2011-11-15", code);
    json_t *doc = get_json(path, admin, 200);
    const json_t *items = json_object_get(doc, "items");
    ck_assert_uint_eq(json_array_size(items), 1); /* no meeting this term: only s1 is a tutee on the day */
    const json_t *it = find_item(items, s[1], "no_attended_meeting_this_term");
    ck_assert_ptr_nonnull(it);
    ck_assert_str_eq(json_string_value(json_object_get(it, "tutor")), tutor);
    json_decref(doc);
    free(admin);
}
END_TEST

/* ---- workload -------------------------------------------------------------------------------------- */

/* The school's workload figures; senior tutor hours are null while the school has no policy. */
/* The engagement items the SQL writes are sent as their text (ENGAGEMENT_SQL's ITEM_TEXT): the document must
 * be the compact text jansson writes for it, byte for byte, with a student's and a tutor's names holding
 * quotes, a backslash, a slash, control characters (0x1f: PostgreSQL writes \u001f, jansson \u001F) and
 * non-ASCII letters, both reasons, evidence of one and of two contacts, and of none (a term without
 * meetings); and the names must come back as they were stored. */
START_TEST(test_engagement_text_is_compact_json)
{
    static const char NAME[] = "E'Zo\u00eb \"Q\" back\\\\slash / \\n\\t\\x01\\x1f \u540d'";
    static const char WANT[] = "Zo\u00eb \"Q\" back\\slash / \n\t\x01\x1f \u540d";
    char code[24], tutor[24], s[3][24], path[160];
    the_year();
    tt_new_school(code, sizeof(code), "J", NULL);
    new_tutor(code, "30", tutor, sizeof(tutor));
    for (int i = 0; i < 3; i++) {
        new_student(code, "2011-09-19", "studying", s[i], sizeof(s[i]));
        tt_allocate(s[i], tutor, "2011-09-19");
    }
    char sql[256];
    snprintf(sql, sizeof(sql), "UPDATE staff SET name = %s WHERE staff_number = $1", NAME);
    sql4(sql, tutor, NULL, NULL, NULL);
    snprintf(sql, sizeof(sql), "UPDATE students SET name = %s WHERE student_number = $1", NAME);
    sql4(sql, s[0], NULL, NULL, NULL);
    free(contact(s[0], tutor, "meeting:to_student:missed", "2011-10-12 10:00+01"));
    free(contact(s[0], tutor, "meeting:to_student:cancelled", "2011-10-19 10:00+01"));
    free(contact(s[0], tutor, "email:to_student", "2011-10-20 09:00+01"));
    free(contact(s[1], tutor, "phone:to_student", "2011-10-21 09:00+01")); /* s[1]: no meeting at all */
    free(contact(s[2], tutor, "meeting:to_student", "2011-10-03 10:00+01"));
    char *admin = harness_token("ADM1", "admin", NULL);
    snprintf(path, sizeof(path), "/reports/engagement?school=%s&as_of=2011-11-15", code);
    struct tt_response r;
    ck_assert_int_eq(harness_request("GET", path, admin, NULL, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(r.json);
    char *again = json_dumps(r.json, JSON_COMPACT | JSON_REAL_PRECISION(15));
    ck_assert_str_eq(r.body, again);
    free(again);
    const json_t *items = json_object_get(r.json, "items");
    ck_assert_uint_eq(json_array_size(items), 4); /* s[0] and s[1]: no meeting, unanswered outreach each */
    const json_t *it = find_item(items, s[0], "no_attended_meeting_this_term");
    ck_assert_str_eq(json_string_value(json_object_get(it, "student_name")), WANT);
    ck_assert_str_eq(json_string_value(json_object_get(it, "tutor_name")), WANT);
    ck_assert_uint_eq(json_array_size(json_object_get(it, "evidence")), 2);
    ck_assert_uint_eq(
        json_array_size(json_object_get(find_item(items, s[1], "no_attended_meeting_this_term"), "evidence")), 0);
    harness_response_free(&r);
    free(admin);
}
END_TEST

START_TEST(test_workload_figures)
{
    char code[24], t[3][24], s[9][24], path[128];
    tt_new_school(code, sizeof(code), "W", NULL);
    new_tutor(code, "4", t[0], sizeof(t[0]));
    new_tutor(code, "0", t[1], sizeof(t[1]));
    new_tutor(code, "2", t[2], sizeof(t[2]));
    for (int i = 0; i < 9; i++)
        new_student(code, "2011-09-19", i == 8 ? "withdrawn" : "studying", s[i], sizeof(s[i]));
    for (int i = 0; i < 6; i++)
        tt_allocate(s[i], t[i < 3 ? 0 : 2], "2011-09-20");
    char *admin = harness_token("ADM1", "admin", NULL);
    snprintf(path, sizeof(path), "/reports/workload?school=%s", code);
    json_t *doc = get_json(path, admin, 200);
    ck_assert_int_eq((int)num(doc, "tutees"), 8);
    ck_assert_int_eq((int)num(doc, "allocated"), 6);
    assert_null(doc, "senior_tutor_hours"); /* no policy */
    const json_t *tutors = json_object_get(doc, "tutors");
    ck_assert_uint_eq(json_array_size(tutors), 3);
    const json_t *a = json_array_get(tutors, 0), *b = json_array_get(tutors, 1), *c = json_array_get(tutors, 2);
    ck_assert_int_eq((int)num(a, "tutees"), 3);
    ck_assert(num(a, "pct_of_capacity") == 75.0);
    ck_assert_int_eq((int)num(b, "tutees"), 0);
    assert_null(b, "pct_of_capacity"); /* capacity 0 */
    ck_assert(num(c, "pct_of_capacity") == 150.0);
    ck_assert(json_is_true(json_object_get(c, "over_capacity")));
    struct csv_row rows[5];
    ck_assert_uint_eq(get_csv(path, admin, rows, 5), 4);
    ck_assert_str_eq(rows[0].fields[5], "tutor");
    for (int i = 0; i < 3; i++) {
        const json_t *tt = json_array_get(tutors, (size_t)i);
        assert_cell(rows[i + 1].fields[0], json_object_get(doc, "school"), "school");
        assert_cell(rows[i + 1].fields[4], json_object_get(doc, "senior_tutor_hours"), "hours");
        assert_cell(rows[i + 1].fields[5], json_object_get(tt, "tutor"), "tutor");
        assert_cell(rows[i + 1].fields[8], json_object_get(tt, "tutees"), "tutees");
        assert_cell(rows[i + 1].fields[11], json_object_get(tt, "pct_of_capacity"), "pct");
    }
    free_rows(rows, 4);
    json_decref(doc);
    free(admin);
}
END_TEST

/* The workload counts the allocations in force on as_of, both ends of each included: one that ended the day
 * before, or starts the day after, is not counted; one that ends or starts on the day is. Cover and secondary
 * allocations likewise, each (tutor, kind, student) once. */
START_TEST(test_workload_counts_what_is_in_force_on_the_day)
{
    char code[24], t[2][24], s[6][24], path[160];
    tt_new_school(code, sizeof(code), "W", NULL);
    new_tutor(code, "10", t[0], sizeof(t[0]));
    new_tutor(code, "10", t[1], sizeof(t[1]));
    for (int i = 0; i < 6; i++)
        new_student(code, "2011-09-19", "studying", s[i], sizeof(s[i]));
    /* personal, t0: s0 ended the day before, s1 ends on the day, s2 starts on the day, s3 starts the day after */
    static const char *const spans[4][2] = {
        {"2011-09-20", "2011-11-14"}, {"2011-09-20", "2011-11-15"}, {"2011-11-15", ""}, {"2011-11-16", ""}};
    for (int i = 0; i < 4; i++)
        sql4("INSERT INTO allocations (student_number, staff_number, kind, starts_on, ends_on, created_by)"
             " VALUES ($1, $2, 'personal', $3::date, NULLIF($4, '')::date, 'test')", /* "": open-ended */
             s[i], t[0], spans[i][0], spans[i][1]);
    /* t1: cover of s4 twice, both ending on the day (one student); secondary of s5 from the day after */
    sql4(
        "INSERT INTO allocations (student_number, staff_number, kind, starts_on, ends_on, created_by) VALUES"
        " ($1, $3, 'cover', '2011-09-20', '2011-11-15', 'test'), ($1, $3, 'cover', '2011-11-15', '2011-11-15', 'test'),"
        " ($2, $3, 'secondary', '2011-11-16', NULL, 'test')",
        s[4], s[5], t[1], NULL);
    char *admin = harness_token("ADM1", "admin", NULL);
    snprintf(path, sizeof(path), "/reports/workload?school=%s&as_of=2011-11-15", code);
    json_t *doc = get_json(path, admin, 200);
    ck_assert_int_eq((int)num(doc, "tutees"), 6);
    ck_assert_int_eq((int)num(doc, "allocated"), 2); /* s1 and s2 */
    const json_t *tutors = json_object_get(doc, "tutors");
    ck_assert_uint_eq(json_array_size(tutors), 2);
    const json_t *a = json_array_get(tutors, 0), *b = json_array_get(tutors, 1);
    if (strcmp(json_string_value(json_object_get(a, "tutor")), t[0]) != 0) {
        const json_t *swap = a;
        a = b, b = swap;
    }
    ck_assert_int_eq((int)num(a, "tutees"), 2);
    ck_assert_int_eq((int)num(a, "cover_tutees"), 0);
    ck_assert_int_eq((int)num(b, "tutees"), 0);
    ck_assert_int_eq((int)num(b, "cover_tutees"), 1);
    ck_assert_int_eq((int)num(b, "secondary_tutees"), 0);
    json_decref(doc);
    /* the day after: s2 and s3 personal, s5 secondary, no cover */
    snprintf(path, sizeof(path), "/reports/workload?school=%s&as_of=2011-11-16", code);
    doc = get_json(path, admin, 200);
    ck_assert_int_eq((int)num(doc, "allocated"), 2);
    tutors = json_object_get(doc, "tutors");
    for (size_t i = 0; i < json_array_size(tutors); i++) {
        const json_t *x = json_array_get(tutors, i);
        int first = strcmp(json_string_value(json_object_get(x, "tutor")), t[0]) == 0;
        ck_assert_int_eq((int)num(x, "tutees"), first ? 2 : 0);
        ck_assert_int_eq((int)num(x, "cover_tutees"), 0);
        ck_assert_int_eq((int)num(x, "secondary_tutees"), first ? 0 : 1);
    }
    json_decref(doc);
    free(admin);
}
END_TEST

/* The workload's JSON is written from the tutors' text the database composes (repo_reports.c): it must be
 * the compact text jansson writes for the same document, byte for byte — a name with quotes, a backslash,
 * a slash, control characters (0x1f: PostgreSQL writes \u001f, jansson \u001F) and non-ASCII letters, a share of
 * capacity with a fraction (2 of 3: 66.7) and a whole one (100.0) — for one school and for the institution. */
START_TEST(test_workload_text_is_compact_json)
{
    char code[24], t[2][24], s[3][24], path[128];
    tt_new_school(code, sizeof(code), "W", NULL);
    new_tutor(code, "3", t[0], sizeof(t[0]));
    new_tutor(code, "1", t[1], sizeof(t[1]));
    const char *p[1] = {t[0]};
    free(harness_sql("UPDATE staff SET name = E'Zo\u00eb \"Q\" back\\\\slash / \\n\\t\\x01\\x1f \u540d'"
                     " WHERE staff_number = $1",
                     1, p));
    for (int i = 0; i < 3; i++) {
        new_student(code, "2011-09-19", "studying", s[i], sizeof(s[i]));
        tt_allocate(s[i], t[i < 2 ? 0 : 1], "2011-09-20");
    }
    char *admin = harness_token("ADM1", "admin", NULL);
    snprintf(path, sizeof(path), "/reports/workload?school=%s", code);
    const char *paths[] = {path, "/reports/workload"};
    for (size_t k = 0; k < 2; k++) {
        struct tt_response r;
        ck_assert_int_eq(harness_request("GET", paths[k], admin, NULL, NULL, NULL, &r), 0);
        ck_assert_int_eq(r.status, 200);
        ck_assert_ptr_nonnull(r.json);
        char *again = json_dumps(r.json, JSON_COMPACT | JSON_REAL_PRECISION(15));
        ck_assert_str_eq(r.body, again);
        free(again);
        if (k == 0) {
            const json_t *tutors = json_object_get(r.json, "tutors");
            ck_assert_str_eq(json_string_value(json_object_get(json_array_get(tutors, 0), "name")),
                             "Zo\u00eb \"Q\" back\\slash / \n\t\x01\x1f \u540d");
            ck_assert_ptr_nonnull(strstr(r.body, "\"pct_of_capacity\":66.7,"));
            ck_assert_ptr_nonnull(strstr(r.body, "\"pct_of_capacity\":100.0,"));
        }
        harness_response_free(&r);
    }
    free(admin);
}
END_TEST

/* The senior tutor hours of school `code` in the workload report as of `as_of` (null: -1). */
static int hours_on(const char *code, const char *as_of, const char *token)
{
    char path[128];
    snprintf(path, sizeof(path), "/reports/workload?school=%s&as_of=%s", code, as_of);
    json_t *doc = get_json(path, token, 200);
    const json_t *h = json_object_get(doc, "senior_tutor_hours");
    int hours = json_is_null(h) ? -1 : (int)json_integer_value(h);
    json_decref(doc);
    return hours;
}

/* Senior tutor hours follow the school policy's senior_tutor_hours in force on as_of (pe_senior_hours_for):
 * the Westminster scale (200 h up to 1,000 tutees) from 2011-09-01; {base 1, up_to 4, per 2, max 10} from
 * the leap day 2012-02-29 (8 tutees: 1 + 4 / 2 = 3 h); from 2012-03-01 a policy with no hours (null); from
 * 2012-03-02 max 2 caps it. A second school with no policy at all stays null. */
START_TEST(test_workload_senior_hours_from_the_policy)
{
    static const char RULES[] = "[{\"id\":\"alloc\",\"type\":\"allocation_within\",\"days\":7,\"source\":\"t\"}]";
    char code[24], bare[24], s[24];
    tt_new_school(code, sizeof(code), "W", NULL);
    tt_new_school(bare, sizeof(bare), "W", NULL);
    for (int i = 0; i < 8; i++)
        new_student(code, "2011-09-19", "studying", s, sizeof(s));
    new_student(bare, "2011-09-19", "studying", s, sizeof(s));
    policy_version(code, "2011-09-01", "{\"senior_tutor_hours\":{\"base\":200,\"up_to\":1000,\"per\":10,\"max\":300}}",
                   RULES);
    policy_version(code, "2012-02-29", "{\"senior_tutor_hours\":{\"base\":1,\"up_to\":4,\"per\":2,\"max\":10}}", RULES);
    policy_version(code, "2012-03-01", "{}", RULES);
    policy_version(code, "2012-03-02", "{\"senior_tutor_hours\":{\"base\":1,\"up_to\":4,\"per\":2,\"max\":2}}", RULES);
    char *admin = harness_token("ADM1", "admin", NULL);
    ck_assert_int_eq(hours_on(code, "2011-09-18", admin), 200); /* nobody registered yet */
    ck_assert_int_eq(hours_on(code, "2012-02-28", admin), 200);
    ck_assert_int_eq(hours_on(code, "2012-02-29", admin), 3);
    ck_assert_int_eq(hours_on(code, "2012-03-01", admin), -1);
    ck_assert_int_eq(hours_on(code, "2012-03-02", admin), 2);
    ck_assert_int_eq(hours_on(bare, "2012-03-02", admin), -1);
    json_t *doc = get_json("/reports/workload?as_of=2012-02-29", admin, 200);
    size_t i, seen = 0;
    const json_t *row;
    json_array_foreach(json_object_get(doc, "schools"), i, row)
    {
        const char *school = json_string_value(json_object_get(row, "school"));
        if (strcmp(school, code) == 0) {
            ck_assert_int_eq((int)num(row, "senior_tutor_hours"), 3);
            seen++;
        }
        if (strcmp(school, bare) == 0) {
            assert_null(row, "senior_tutor_hours");
            seen++;
        }
    }
    ck_assert_uint_eq(seen, 2);
    json_decref(doc);
    free(admin);
}
END_TEST

/* ---- access and parameters ------------------------------------------------------------------------- */

START_TEST(test_access_per_role)
{
    char mine[24], other[24], senior[24], tutor[24], student[24], path[160];
    the_year();
    tt_new_school(mine, sizeof(mine), "A", NULL);
    tt_new_school(other, sizeof(other), "B", NULL);
    new_tutor(mine, "30", tutor, sizeof(tutor));
    harness_unique("ST", senior, sizeof(senior));
    sql4("INSERT INTO staff (staff_number, name, email, school, roles) VALUES ($1, 'Senior', 's@uni.example', $2,"
         " '{tutor,senior_tutor}')",
         senior, mine, NULL, NULL);
    new_student(mine, "2011-09-19", "studying", student, sizeof(student));
    tt_allocate(student, tutor, "2011-09-19");
    char *sen = harness_token(senior, "tutor,senior_tutor", mine);
    char *sen_noclaim = harness_token(senior, "tutor,senior_tutor", NULL); /* falls back to staff school */
    char *tut = harness_token(tutor, "tutor", NULL), *stu = harness_token(student, "student", NULL);
    char *reg = harness_token("REG1", "registry", NULL), *adm = harness_token("ADM1", "admin", NULL);
    static const char *const reports[] = {"kpis", "engagement", "workload"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "/reports/%s?school=%s&year=2011/12", reports[i], mine);
        ck_assert_int_eq(status_of(path, sen), 200);
        ck_assert_int_eq(status_of(path, sen_noclaim), 200);
        ck_assert_int_eq(status_of(path, adm), 200);
        ck_assert_int_eq(status_of(path, tut), 403);
        ck_assert_int_eq(status_of(path, stu), 403);
        ck_assert_int_eq(status_of(path, reg), 403);
        ck_assert_int_eq(status_of(path, NULL), 401);
        snprintf(path, sizeof(path), "/reports/%s?school=%s&year=2011/12", reports[i], other);
        ck_assert_int_eq(status_of(path, sen), 403);
        ck_assert_int_eq(status_of(path, adm), 200);
        snprintf(path, sizeof(path), "/reports/%s?school=NOSUCH%s&year=2011/12", reports[i], mine + 1);
        ck_assert_int_eq(status_of(path, sen), 403); /* never says whether another school exists */
        ck_assert_int_eq(status_of(path, adm), 404);
    }
    ck_assert_int_eq(status_of("/reports/kpis?year=2011/12", sen), 403); /* the institution: admin only */
    ck_assert_int_eq(status_of("/reports/kpis?year=2011/12", adm), 200);
    /* without a school, a senior tutor's engagement and workload cover their schools only */
    json_t *w = get_json("/reports/workload", sen, 200);
    ck_assert_uint_eq(json_array_size(json_object_get(w, "schools")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(w, "schools"), 0), "school")),
                     mine);
    json_decref(w);
    free(sen), free(sen_noclaim), free(tut), free(stu), free(reg), free(adm);
}
END_TEST

START_TEST(test_bad_parameters_are_400_naming_them)
{
    char *adm = harness_token("ADM1", "admin", NULL);
    static const struct {
        const char *path, *field;
    } cases[] = {{"/reports/kpis?year=2011-12", "year"},
                 {"/reports/kpis?year=2011/13", "year"},
                 {"/reports/kpis?school=bad%20code", "school"},
                 {"/reports/kpis?as_of=2011-02-30", "as_of"},
                 {"/reports/kpis?breach_threshold=abc", "breach_threshold"},
                 {"/reports/kpis?breach_threshold=0", "breach_threshold"},
                 {"/reports/kpis?breach_threshold=101", "breach_threshold"},
                 {"/reports/engagement?grace_days=1.5", "grace_days"},
                 {"/reports/engagement?as_of=tomorrow", "as_of"},
                 {"/reports/workload?as_of=2011-13-01", "as_of"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tt_response r;
        ck_assert_int_eq(harness_request("GET", cases[i].path, adm, NULL, NULL, NULL, &r), 0);
        ck_assert_msg(r.status == 400 && strstr(r.body, cases[i].field), "%s: %ld %s", cases[i].path, r.status, r.body);
        harness_response_free(&r);
    }
    ck_assert_int_eq(status_of("/reports/kpis?year=1901/02", adm), 404);
    free(adm);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_kpis_exact_values,
        test_kpis_rule_based_count_and_threshold,
        test_kpis_threshold_is_the_policy_in_force,
        test_kpis_count_the_contact_kinds_the_policy_names,
        test_kpis_judge_the_tutors_and_tutees_at_the_edges,
        test_kpis_empty_school_is_null_not_nan,
        test_kpis_csv_matches_json_and_institution_total,
        test_engagement_reasons_and_evidence,
        test_engagement_tutees_of_the_day,
        test_engagement_text_is_compact_json,
        test_workload_figures,
        test_workload_counts_what_is_in_force_on_the_day,
        test_workload_text_is_compact_json,
        test_workload_senior_hours_from_the_policy,
        test_access_per_role,
        test_bad_parameters_are_400_naming_them,
        NULL,
    };
    const struct harness_suite suite = {.name = "reports", .tests = tests, .timeout = 120};
    return harness_run(&suite);
}
