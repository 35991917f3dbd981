/* test_facts_queries.c — repo_facts_load against the real database, without HTTP: every fact the engine
 * needs arrives (course start, status history, exemptions with their rules, the tutee's and the
 * tutor's feedback invitations as local days, each contact's summary_at from its first shared note, who
 * raised each concern, tutor roles, permanence and a recorded exception, the school's own facts), and
 * the number of statements is fixed whatever the size of the set. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "fixtures.h"
#include "harness.h"
#include "repo_facts.h"

static struct db_pool *pool;
static char school[24], tutor[24], senior[24], temp[24];
static char students[5][24];
static char meeting[24];
static char others[5][24]; /* a contact of each of students 1-4 */

/* Runs `sql` with the parameters and discards the result. */
static void run(const char *sql, int n, const char *const *p)
{
    free(harness_sql(sql, n, p));
}

/* Five students of a fresh school: the first with everything, the others with an allocation each. */
static void make_rows(void)
{
    tt_new_school(school, sizeof(school), "FQ", NULL);
    harness_unique("FT", tutor, sizeof(tutor));
    harness_unique("FS", senior, sizeof(senior));
    harness_unique("FX", temp, sizeof(temp));
    tt_staff(tutor, school, "{tutor}");
    tt_staff(senior, school, "{tutor,senior_tutor}");
    tt_staff(temp, school, "{tutor}");
    run("UPDATE staff SET permanent = false, permanent_exception_agreed_by = 'Dean' WHERE staff_number = $1", 1,
        (const char *const[]){temp});
    for (int i = 0; i < 5; i++) {
        harness_unique("FA", students[i], sizeof(students[i]));
        tt_student_full(students[i], school, NULL, NULL, "2026-09-21");
        tt_allocate(students[i], i == 4 ? temp : tutor, "2026-09-21");
    }
    for (int i = 1; i < 5; i++)
        tt_contact(students[i], i == 4 ? temp : tutor, "meeting", "to_student", "2026-10-20T10:00:00Z", NULL,
                   others[i]);
    run("INSERT INTO notes (student_number, author, visibility, created_at, contact_id) VALUES"
        " ($1, $2, 'shared', '2026-10-21T09:00:00Z', $3::bigint)",
        3, (const char *const[]){students[3], tutor, others[3]});
    const char *s = students[0];
    run("UPDATE students SET course_start = '2025-09-22' WHERE student_number = $1", 1, (const char *const[]){s});
    run("INSERT INTO student_exemptions (student_number, starts_on, ends_on, reason, rules, created_by)"
        " VALUES ($1, '2026-10-01', '2026-10-31', 'illness', '{meetings,monthly_contact}', 'x')",
        1, (const char *const[]){s});
    tt_contact(s, tutor, "meeting", "to_student", "2026-10-16T10:00:00+01:00", NULL, meeting);
    run("INSERT INTO notes (student_number, author, visibility, created_at, contact_id) VALUES"
        " ($1, $2, 'confidential', '2026-10-16T11:00:00Z', $3::bigint),"
        " ($1, $2, 'shared', '2026-10-18T12:00:00Z', $3::bigint), ($1, $2, 'shared', '2026-10-17T12:00:00Z', "
        "$3::bigint)",
        3, (const char *const[]){s, tutor, meeting});
    run("INSERT INTO concerns (student_number, school, kind, detail, raised_by, raised_by_role) VALUES"
        " ($1, $2, 'tutoring_issue', 'd', $1, 'student'), ($1, $2, 'non_engaged', 'd', $3, 'senior_tutor')",
        3, (const char *const[]){s, school, senior});
    run("WITH i AS (INSERT INTO feedback_invitations (school, year, audience, invited_by, invited_at)"
        " VALUES ($1, '2026/27', '{tutees,tutors}', 'x', '2026-10-05T23:30:00Z') RETURNING id)"
        " INSERT INTO feedback_invitees (invitation_id, role, person) SELECT id, 'tutee', $2 FROM i"
        " UNION ALL SELECT id, 'tutor', $3 FROM i",
        3, (const char *const[]){school, s, tutor});
}

static void start(void)
{
    harness_start();
    make_rows();
    pool = db_pool_new(harness_database_url(), "none", 1, 5000, NULL);
}

static void stop(void)
{
    db_pool_free(pool);
    harness_stop();
}

/* Loads the set q selects on a connection of the suite's pool, asserting that it loads. */
static void load_query(const struct facts_query *q, struct facts_set *set)
{
    struct db_conn *conn = NULL;
    ck_assert_int_eq(db_acquire(pool, &conn), APP_OK);
    ck_assert_int_eq(repo_facts_load(conn, q, set), APP_OK);
    db_release(pool, conn);
}

/* Loads the facts of the first n students (by number) into *set; returns the statements run. */
static int load(size_t n, struct facts_set *set)
{
    const char *keys[5];
    for (size_t i = 0; i < n; i++)
        keys[i] = students[i];
    struct facts_query q = {.by = FACTS_BY_STUDENTS, .students = keys, .n_students = n, .on = "2026-11-01"};
    load_query(&q, set);
    ck_assert_int_eq(set->n_students, n);
    return set->queries;
}

static pe_date day(const char *s)
{
    pe_date d;
    ck_assert_int_eq(pe_date_parse(s, &d), PE_OK);
    return d;
}

START_TEST(test_student_facts)
{
    struct facts_set set;
    load(1, &set);
    const pe_student *st = &set.students[0].student;
    ck_assert_int_eq(st->course_start, day("2025-09-22"));
    ck_assert_int_eq(st->n_statuses, 1);
    ck_assert_int_eq(st->n_exemptions, 1);
    ck_assert_int_eq(st->exemptions[0].from, day("2026-10-01"));
    ck_assert_int_eq(st->exemptions[0].to, day("2026-10-31"));
    ck_assert_str_eq(st->exemptions[0].reason, "illness");
    ck_assert_int_eq(st->exemptions[0].n_rules, 2);
    ck_assert_str_eq(st->exemptions[0].rules[0], "meetings");
    ck_assert_str_eq(st->exemptions[0].rules[1], "monthly_contact");
    ck_assert_int_eq(st->n_feedback_invited, 1);
    ck_assert_int_eq(st->feedback_invited[0], day("2026-10-06")); /* 00:30 in London */
    /* the meeting's summary: the first shared note (17th), not the confidential one (16th) */
    ck_assert_int_eq(set.students[0].n_contacts, 1);
    const pe_contact *c = &set.contacts[set.students[0].first_contact];
    pe_instant expected;
    ck_assert_int_eq(pe_instant_parse("2026-10-17T12:00:00Z", &expected), PE_OK);
    ck_assert_int_eq(c->summary_at, expected);
    /* concerns in raising order: the student's own, then the senior tutor's */
    ck_assert_int_eq(set.students[0].n_concerns, 2);
    ck_assert_int_eq(set.concerns[set.students[0].first_concern].raised_by, PE_RAISED_BY_STUDENT);
    ck_assert_int_eq(set.concerns[set.students[0].first_concern + 1].raised_by, PE_RAISED_BY_SENIOR_TUTOR);
    repo_facts_free(&set);
}
END_TEST

/* Dates come back as ISO text whatever DateStyle the connection asked for (db.c pins it): a pool whose
 * URL asks for 'SQL, DMY' ("17/10/2026") loads the same dates. */
START_TEST(test_facts_whatever_the_date_style)
{
    char url[1200];
    const char *base = harness_database_url();
    snprintf(url, sizeof(url), "%s%soptions=-c%%20DateStyle%%3DSQL%%2CDMY", base, strchr(base, '?') ? "&" : "?");
    struct db_pool *other = db_pool_new(url, "none", 1, 5000, NULL);
    ck_assert_ptr_nonnull(other);
    struct db_conn *conn = NULL;
    ck_assert_int_eq(db_acquire(other, &conn), APP_OK);
    PGresult *res = NULL;
    ck_assert_int_eq(
        db_query(conn, "SELECT current_setting('DateStyle'), '2026-10-17'::date::text", 0, NULL, &res, NULL), APP_OK);
    ck_assert_str_eq(PQgetvalue(res, 0, 0), "ISO, DMY"); /* the URL's order, ISO text */
    ck_assert_str_eq(PQgetvalue(res, 0, 1), "2026-10-17");
    PQclear(res);
    const char *keys[1] = {students[0]};
    struct facts_query q = {.by = FACTS_BY_STUDENTS, .students = keys, .n_students = 1, .on = "2026-11-01"};
    struct facts_set set;
    ck_assert_int_eq(repo_facts_load(conn, &q, &set), APP_OK);
    db_release(other, conn);
    ck_assert_int_eq(set.n_students, 1);
    const pe_student *st = &set.students[0].student;
    ck_assert_int_eq(st->course_start, day("2025-09-22"));
    ck_assert_int_eq(st->exemptions[0].from, day("2026-10-01"));
    ck_assert_int_eq(st->feedback_invited[0], day("2026-10-06"));
    repo_facts_free(&set);
    db_pool_free(other);
}
END_TEST

START_TEST(test_tutor_facts)
{
    struct facts_set set;
    load(5, &set);
    const pe_tutor *t = repo_facts_tutor(&set, tutor), *x = repo_facts_tutor(&set, temp);
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(x);
    ck_assert_uint_eq(t->roles, PE_ROLE_TUTOR);
    ck_assert(t->permanent);
    ck_assert(!t->permanent_exception);
    ck_assert_int_eq(t->n_feedback_invited, 1);
    ck_assert_int_eq(t->feedback_invited[0], day("2026-10-06"));
    ck_assert(!x->permanent);
    ck_assert(x->permanent_exception);
    ck_assert_int_eq(x->n_feedback_invited, 0);
    /* the students without records have none */
    for (size_t i = 1; i < 5; i++) {
        ck_assert_int_eq(set.students[i].student.n_exemptions, 0);
        ck_assert_int_eq(set.students[i].student.n_feedback_invited, 0);
        ck_assert_int_eq(set.students[i].student.course_start, PE_NO_DATE);
    }
    repo_facts_free(&set);
}
END_TEST

/* Contacts come in the database's order and are filed by binary search: each student gets their own, and a
 * note's summary reaches the contact it is on (student 3's), no other. */
START_TEST(test_contacts_filed_under_their_students)
{
    struct facts_set set;
    load(5, &set);
    pe_instant summary;
    ck_assert_int_eq(pe_instant_parse("2026-10-21T09:00:00Z", &summary), PE_OK);
    for (int i = 1; i < 5; i++) {
        const struct facts_student *st = &set.students[i];
        ck_assert_str_eq(st->number, students[i]);
        ck_assert_int_eq(st->n_contacts, 1);
        const pe_contact *c = &set.contacts[st->first_contact];
        ck_assert_int_eq(c->id, atoll(others[i]));
        ck_assert_int_eq(c->summary_at, i == 3 ? summary : 0);
    }
    ck_assert_int_eq(set.students[0].n_contacts, 1);
    repo_facts_free(&set);
}
END_TEST

/* The contacts come up to the day `on` (the as_of day: the engine reads none after it), not those days after it;
 * without `on`, every one. A student with a contact late on 1 November, one on the 6th and one in December, read
 * as one student, as a school and with no day. */
START_TEST(test_contacts_after_the_day_not_loaded)
{
    char code[24], staff[24], who[24], ids[3][24];
    tt_new_school(code, sizeof(code), "FC", NULL);
    harness_unique("FC", staff, sizeof(staff));
    harness_unique("FC", who, sizeof(who));
    tt_staff(staff, code, "{tutor}");
    tt_student_full(who, code, NULL, NULL, "2026-09-21");
    tt_allocate(who, staff, "2026-09-21");
    static const char *const at[] = {"2026-11-01T23:30:00Z", "2026-11-06T09:00:00Z", "2026-12-02T10:00:00Z"};
    for (int i = 0; i < 3; i++)
        tt_contact(who, staff, "meeting", "to_student", at[i], NULL, ids[i]);
    const char *keys[1] = {who};
    struct facts_query queries[] = {
        {.by = FACTS_BY_STUDENTS, .students = keys, .n_students = 1, .on = "2026-11-01"},
        {.by = FACTS_BY_SCHOOL, .key = code, .on = "2026-11-01"},
        {.by = FACTS_BY_STUDENTS, .students = keys, .n_students = 1, .on = "2026-11-06"},
        {.by = FACTS_BY_STUDENTS, .students = keys, .n_students = 1, .on = NULL},
    };
    static const size_t expected[] = {1, 1, 2, 3};
    for (size_t k = 0; k < sizeof(queries) / sizeof(queries[0]); k++) {
        struct facts_set set;
        load_query(&queries[k], &set);
        ck_assert_uint_eq(set.n_students, 1);
        const struct facts_student *st = &set.students[0];
        ck_assert_msg(st->n_contacts == expected[k], "query %zu: %zu contacts, expected %zu", k, st->n_contacts,
                      expected[k]);
        for (size_t c = 0; c < st->n_contacts; c++) /* the earliest, in order */
            ck_assert_int_eq(set.contacts[st->first_contact + c].id, atoll(ids[c]));
        repo_facts_free(&set);
    }
}
END_TEST

/* Each contact says whether its staff member holds the senior_tutor role, whichever way it went: a meeting held by
 * a senior tutor and a message the student sent to one are, a meeting with a plain tutor is not. Read as one
 * student (named statements) and as a school (planned for its keys). */
START_TEST(test_contacts_know_their_senior_tutors)
{
    char code[24], plain[24], head[24], who[24], ids[3][24];
    tt_new_school(code, sizeof(code), "FN", NULL);
    harness_unique("FN", plain, sizeof(plain));
    harness_unique("FN", head, sizeof(head));
    harness_unique("FN", who, sizeof(who));
    tt_staff(plain, code, "{tutor}");
    tt_staff(head, code, "{tutor,senior_tutor}");
    tt_student_full(who, code, NULL, NULL, "2026-09-21");
    tt_allocate(who, plain, "2026-09-21");
    tt_contact(who, head, "meeting", "to_student", "2026-10-05T10:00:00Z", NULL, ids[0]);
    tt_contact(who, head, "message", "from_student", "2026-10-06T10:00:00Z", NULL, ids[1]);
    tt_contact(who, plain, "meeting", "to_student", "2026-10-07T10:00:00Z", NULL, ids[2]);
    static const int senior[] = {1, 1, 0};
    const char *keys[1] = {who};
    struct facts_query queries[] = {
        {.by = FACTS_BY_STUDENTS, .students = keys, .n_students = 1, .on = "2026-11-01"},
        {.by = FACTS_BY_SCHOOL, .key = code, .on = "2026-11-01"},
    };
    for (size_t k = 0; k < sizeof(queries) / sizeof(queries[0]); k++) {
        struct facts_set set;
        load_query(&queries[k], &set);
        ck_assert_uint_eq(set.n_students, 1);
        const struct facts_student *st = &set.students[0];
        ck_assert_uint_eq(st->n_contacts, 3);
        for (size_t c = 0; c < 3; c++) {
            const pe_contact *contact = &set.contacts[st->first_contact + c];
            ck_assert_int_eq(contact->id, atoll(ids[c]));
            ck_assert_msg(contact->senior_tutor == senior[c], "query %zu, contact %zu: senior_tutor %d", k, c,
                          (int)contact->senior_tutor);
        }
        repo_facts_free(&set);
    }
}
END_TEST

START_TEST(test_school_facts_and_fixed_query_count)
{
    struct facts_set one, five;
    int q1 = load(1, &one), q5 = load(5, &five);
    ck_assert_int_eq(q1, q5); /* whatever the size of the set */
    ck_assert_int_eq(q1, 13); /* the selection, the senior tutors, six student tables, note summaries, four tutor
                               * tables */
    repo_facts_free(&one);
    repo_facts_free(&five);
    struct facts_query q = {.by = FACTS_BY_SCHOOL, .key = school, .on = "2026-11-01"};
    struct facts_set set;
    struct db_conn *conn = NULL;
    ck_assert_int_eq(db_acquire(pool, &conn), APP_OK);
    ck_assert_int_eq(repo_facts_load(conn, &q, &set), APP_OK);
    ck_assert_int_eq(set.school.senior_tutors, 1);
    ck_assert_int_eq(set.school.tutees, 5);
    ck_assert_int_eq(set.queries, q1 + 1); /* plus the school's own facts */
    repo_facts_free(&set);
    /* the day before the allocations began nobody had a personal tutor; an inactive senior tutor
     * does not count */
    q.on = "2026-09-20";
    run("UPDATE staff SET active = false WHERE staff_number = $1", 1, (const char *const[]){senior});
    ck_assert_int_eq(repo_facts_load(conn, &q, &set), APP_OK);
    ck_assert_int_eq(set.school.senior_tutors, 0);
    ck_assert_int_eq(set.school.tutees, 0);
    repo_facts_free(&set);
    run("UPDATE staff SET active = true WHERE staff_number = $1", 1, (const char *const[]){senior});
    db_release(pool, conn);
}
END_TEST

/* The school's students with a personal tutor on the day, at the edges of their allocations: one ended on
 * 31 October (its last day counts) with the next starting on 5 November, one starting on 1 November, one with
 * a cover tutor alone, one with none. */
START_TEST(test_school_tutees_at_the_edges_of_allocations)
{
    char code[24], staff[24], who[4][24];
    tt_new_school(code, sizeof(code), "FE", NULL);
    harness_unique("FE", staff, sizeof(staff));
    tt_staff(staff, code, "{tutor}");
    for (int i = 0; i < 4; i++) {
        harness_unique("FE", who[i], sizeof(who[i]));
        tt_student_full(who[i], code, NULL, NULL, "2026-09-01");
    }
    run("INSERT INTO allocations (student_number, staff_number, kind, starts_on, ends_on, created_by) VALUES"
        " ($1, $4, 'personal', '2026-09-01', '2026-10-31', 'test'), ($1, $4, 'personal', '2026-11-05', NULL, 'test'),"
        " ($2, $4, 'personal', '2026-11-01', NULL, 'test'), ($3, $4, 'cover', '2026-09-01', NULL, 'test')",
        4, (const char *const[]){who[0], who[1], who[2], staff});
    static const struct {
        const char *on;
        int tutees;
    } days[] = {{"2026-08-31", 0}, {"2026-10-31", 1}, {"2026-11-01", 1}, {"2026-11-04", 1}, {"2026-11-05", 2}};
    struct db_conn *conn = NULL;
    ck_assert_int_eq(db_acquire(pool, &conn), APP_OK);
    for (size_t d = 0; d < sizeof(days) / sizeof(days[0]); d++) {
        struct facts_query q = {.by = FACTS_BY_SCHOOL, .key = code, .on = days[d].on};
        struct facts_set set;
        ck_assert_int_eq(repo_facts_load(conn, &q, &set), APP_OK);
        ck_assert_msg(set.school.tutees == days[d].tutees, "on %s: %d tutees, expected %d", days[d].on,
                      set.school.tutees, days[d].tutees);
        repo_facts_free(&set);
    }
    db_release(pool, conn);
}
END_TEST

/* A set beyond FACTS_NAMED_MAX students is read by other statements (unnamed, the keys within their range):
 * a report's batch of students (FACTS_BY_STUDENTS), a school and a tutor (their students spread over the
 * numbers) each load every student's allocation, contact and status, and the tutor with all their tutees. */
START_TEST(test_large_sets_in_every_form)
{
    enum { N = FACTS_NAMED_MAX + 6 };
    char code[24], staff[24], numbers[N][24], contacts[N][24];
    const char *keys[N];
    tt_new_school(code, sizeof(code), "FL", NULL);
    harness_unique("FL", staff, sizeof(staff));
    tt_staff(staff, code, "{tutor}");
    for (int i = 0; i < N; i++) {
        harness_unique("FL", numbers[i], sizeof(numbers[i]));
        tt_student_full(numbers[i], code, NULL, NULL, "2026-09-21");
        tt_allocate(numbers[i], staff, "2026-09-21");
        tt_contact(numbers[i], staff, i % 2 ? "meeting" : "email", "to_student", "2026-10-20T10:00:00Z", NULL,
                   contacts[i]);
        keys[i] = numbers[i];
    }
    struct facts_query queries[] = {
        {.by = FACTS_BY_STUDENTS, .students = keys, .n_students = N, .on = "2026-11-01"},
        {.by = FACTS_BY_SCHOOL, .key = code, .on = "2026-11-01"},
        {.by = FACTS_BY_TUTOR, .key = staff, .on = "2026-11-01"},
    };
    for (size_t k = 0; k < sizeof(queries) / sizeof(queries[0]); k++) {
        struct facts_set set;
        load_query(&queries[k], &set);
        ck_assert_uint_eq(set.n_students, N);
        for (size_t i = 0; i < N; i++) {
            const struct facts_student *st = &set.students[i];
            long at = -1;
            for (int j = 0; j < N && at < 0; j++)
                at = strcmp(numbers[j], st->number) == 0 ? j : -1;
            ck_assert_int_ge(at, 0);
            ck_assert_uint_eq(st->n_allocations, 1);
            ck_assert_str_eq(set.allocations[st->first_allocation].tutor, staff);
            ck_assert_uint_eq(st->n_contacts, 1);
            const pe_contact *c = &set.contacts[st->first_contact];
            ck_assert_int_eq(c->id, atoll(contacts[at]));
            ck_assert_int_eq(c->kind, at % 2 ? PE_C_MEETING : PE_C_EMAIL);
            ck_assert_int_eq(c->attendance, PE_ATT_ATTENDED);
            ck_assert_uint_eq(st->student.n_statuses, 1);
        }
        const pe_tutor *t = repo_facts_tutor(&set, staff);
        ck_assert_ptr_nonnull(t);
        ck_assert_int_eq(t->tutees, N);
        repo_facts_free(&set);
    }
}
END_TEST

/* A school's tutors loaded once (repo_facts_load_school_tutors: everyone allocated to one of its students) and
 * lent to its pages: a page borrows them while they hold the tutor of each of its allocations and were
 * counted on its day; a tutor allocated since, or another day, and the page loads its own. */
START_TEST(test_school_tutors_lent_to_pages)
{
    char code[24], first[24], second[24], late[24], who[3][24];
    tt_new_school(code, sizeof(code), "FB", NULL);
    harness_unique("FB", first, sizeof(first));
    harness_unique("FB", second, sizeof(second));
    harness_unique("FB", late, sizeof(late));
    tt_staff(first, code, "{tutor}");
    tt_staff(second, code, "{tutor}");
    tt_staff(late, code, "{tutor}");
    for (int i = 0; i < 3; i++) {
        harness_unique("FB", who[i], sizeof(who[i]));
        tt_student_full(who[i], code, NULL, NULL, "2026-09-21");
        tt_allocate(who[i], i == 2 ? second : first, "2026-09-21");
    }
    run("INSERT INTO tutor_absences (staff_number, starts_on, ends_on, cover_staff_number, created_by)"
        " VALUES ($1, '2026-10-05', '2026-10-09', $2, 'test')",
        2, (const char *const[]){first, second});
    struct db_conn *conn = NULL;
    ck_assert_int_eq(db_acquire(pool, &conn), APP_OK);
    struct facts_set lender, page;
    ck_assert_int_eq(repo_facts_load_school_tutors(conn, code, "2026-11-01", &lender), APP_OK);
    ck_assert_uint_eq(lender.n_tutors, 2); /* not `late`, allocated to nobody */
    ck_assert_str_eq(lender.on, "2026-11-01");
    ck_assert_int_eq(repo_facts_tutor(&lender, first)->tutees, 2);
    ck_assert_int_eq(repo_facts_tutor(&lender, second)->tutees, 1);
    ck_assert_uint_eq(lender.n_absences, 1);

    struct facts_query q = {.by = FACTS_BY_SCHOOL, .key = code, .on = "2026-11-01", .tutors_from = &lender};
    ck_assert_int_eq(repo_facts_load(conn, &q, &page), APP_OK);
    ck_assert_uint_eq(page.n_students, 3);
    ck_assert_int_eq(page.tutors_borrowed, 1);
    ck_assert_ptr_eq(page.tutors, lender.tutors);
    ck_assert_uint_eq(page.n_absences, 1);
    repo_facts_free(&page);

    q.on = "2026-11-02"; /* caseloads counted on another day: its own */
    ck_assert_int_eq(repo_facts_load(conn, &q, &page), APP_OK);
    ck_assert_int_eq(page.tutors_borrowed, 0);
    ck_assert_int_eq(repo_facts_tutor(&page, first)->tutees, 2);
    repo_facts_free(&page);

    /* a tutor allocated after the lender was loaded: the page loads its own tutors, `late` among them */
    run("INSERT INTO allocations (student_number, staff_number, kind, starts_on, created_by)"
        " VALUES ($1, $2, 'secondary', '2026-10-01', 'test')",
        2, (const char *const[]){who[1], late});
    q.on = "2026-11-01";
    ck_assert_int_eq(repo_facts_load(conn, &q, &page), APP_OK);
    ck_assert_int_eq(page.tutors_borrowed, 0);
    ck_assert_uint_eq(page.n_tutors, 3);
    ck_assert_ptr_nonnull(repo_facts_tutor(&page, late));
    ck_assert_uint_eq(page.n_absences, 1);
    repo_facts_free(&page);
    repo_facts_free(&lender);
    db_release(pool, conn);
}
END_TEST

/* A tutor's set holds the tutors of its tutees' allocations, past ones too, with their records, and the tutor,
 * and no one else (the tutor tables select by the staff the selection lists); a tutor without tutees holds only
 * themself; a caller who sees some of the tutees only (a senior tutor of one of their schools) holds only
 * those tutees' tutors. */
START_TEST(test_tutor_set_holds_its_tutees_tutors)
{
    char code[2][24], staff[4][24], who[3][24];
    tt_new_school(code[0], sizeof(code[0]), "FT", NULL);
    tt_new_school(code[1], sizeof(code[1]), "FU", NULL);
    for (int i = 0; i < 4; i++) { /* the tutor, a past tutor, another student's tutor, a tutor of nobody */
        harness_unique("FT", staff[i], sizeof(staff[i]));
        tt_staff(staff[i], code[0], "{tutor}");
    }
    for (int i = 0; i < 3; i++) {
        harness_unique("FT", who[i], sizeof(who[i]));
        tt_student_full(who[i], code[i == 1], NULL, NULL, "2026-09-01");
    }
    run("INSERT INTO allocations (student_number, staff_number, kind, starts_on, ends_on, created_by) VALUES"
        " ($1, $4, 'personal', '2026-09-01', '2026-09-30', 'test'), ($1, $3, 'personal', '2026-10-01', NULL, 'test'),"
        " ($2, $3, 'personal', '2026-09-01', NULL, 'test')",
        4, (const char *const[]){who[0], who[1], staff[0], staff[1]});
    tt_allocate(who[2], staff[2], "2026-09-01");
    run("INSERT INTO tutor_absences (staff_number, starts_on, ends_on, created_by)"
        " VALUES ($1, '2026-09-14', '2026-09-18', 'test')",
        1, (const char *const[]){staff[1]});
    run("INSERT INTO training_records (staff_number, kind, completed_on, created_by)"
        " VALUES ($1, 'training', '2026-08-20', 'test'), ($2, 'training', '2026-08-21', 'test')",
        2, (const char *const[]){staff[1], staff[2]});

    struct facts_set set;
    struct facts_query q = {.by = FACTS_BY_TUTOR, .key = staff[0], .on = "2026-11-01"};
    load_query(&q, &set);
    ck_assert_uint_eq(set.n_students, 2);
    ck_assert_uint_eq(set.n_tutors, 2);
    ck_assert_int_eq(repo_facts_tutor(&set, staff[0])->tutees, 2);
    const pe_tutor *past = repo_facts_tutor(&set, staff[1]);
    ck_assert_ptr_nonnull(past);
    ck_assert_int_eq(past->tutees, 0);
    ck_assert_int_eq(past->n_absences, 1);
    ck_assert_int_eq(past->n_training, 1);
    ck_assert_ptr_null(repo_facts_tutor(&set, staff[2]));
    ck_assert_uint_eq(set.n_training, 1);
    repo_facts_free(&set);

    q.key = staff[3];
    load_query(&q, &set);
    ck_assert_uint_eq(set.n_students, 0);
    ck_assert_uint_eq(set.n_tutors, 1);
    ck_assert_ptr_nonnull(repo_facts_tutor(&set, staff[3]));
    repo_facts_free(&set);

    /* a senior tutor of the second school sees the second tutee alone, whose only tutor is the tutor */
    struct principal senior = {.roles = ROLE_SENIOR_TUTOR, .n_schools = 1};
    snprintf(senior.sub, sizeof(senior.sub), "%s", staff[3]);
    snprintf(senior.schools[0], sizeof(senior.schools[0]), "%.16s", code[1]);
    struct access_scope scope;
    access_scope_of(&senior, &scope);
    q = (struct facts_query){.by = FACTS_BY_TUTOR, .key = staff[0], .on = "2026-11-01", .scope = &scope};
    load_query(&q, &set);
    ck_assert_uint_eq(set.n_students, 1);
    ck_assert_str_eq(set.students[0].number, who[1]);
    ck_assert_uint_eq(set.n_tutors, 1);
    ck_assert_ptr_null(repo_facts_tutor(&set, staff[1]));
    ck_assert_uint_eq(set.n_absences, 0);
    repo_facts_free(&set);
}
END_TEST

/* Student and staff numbers compare byte by byte (sql/031): every column of this schema's tables holding one —
 * named for it, a person addressed, or a foreign key to students or staff — is in the "C" collation, so that an
 * index descent compares with memcmp and no comparison of two of them meets two collations. A table added with
 * such a column in the database's collation fails here. */
START_TEST(test_numbers_compare_bytewise)
{
    char *other = harness_sql(
        "SELECT coalesce(string_agg(format('%s.%s', a.attrelid::regclass, a.attname), ' ' ORDER BY 1), '')"
        "  FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid"
        " WHERE r.relnamespace = current_schema()::regnamespace AND r.relkind = 'r' AND a.attnum > 0"
        "   AND NOT a.attisdropped AND a.atttypid = 'text'::regtype"
        "   AND a.attcollation <> 'pg_catalog.\"C\"'::regcollation"
        "   AND (a.attname ~ '(student_number|staff_number)$' OR a.attname = 'person'"
        "        OR EXISTS (SELECT 1 FROM pg_constraint k WHERE k.contype = 'f' AND k.conrelid = a.attrelid"
        "                     AND a.attnum = ANY (k.conkey) AND k.confrelid IN ('students'::regclass, 'staff'::regclass)))",
        0, NULL);
    ck_assert_msg(other[0] == '\0', "not in \"C\": %s", other);
    free(other);
    char *count = harness_sql("SELECT count(*) FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid"
                              " WHERE r.relnamespace = current_schema()::regnamespace AND r.relkind = 'r'"
                              "   AND a.attname IN ('student_number', 'staff_number')"
                              "   AND a.attcollation = 'pg_catalog.\"C\"'::regcollation",
                              0, NULL);
    ck_assert_int_ge(atoi(count), 18); /* the check above looked at the real columns */
    free(count);
}
END_TEST

/* A school's pages (repo_facts_school_bounds): as many as pages of at most `half` take, at least two, their
 * number rounded up to an even one, then all of one size but the last; each bound the last student of its page in
 * "C" order; one page for nobody and for one student. Checked against every count up to eleven students. */
START_TEST(test_school_page_bounds)
{
    char code[24], who[11][32];
    tt_new_school(code, sizeof(code), "PB", NULL);
    struct db_conn *conn = NULL;
    ck_assert_int_eq(db_acquire(pool, &conn), APP_OK);
    for (size_t n = 0; n <= 11; n++) {
        for (size_t half = 1; half <= 7; half++) {
            char(*bounds)[PE_ID_LEN] = NULL;
            size_t pages = 0;
            ck_assert_int_eq(repo_facts_school_bounds(conn, code, half, &bounds, &pages), APP_OK);
            size_t count = n / half + (n % half != 0);
            count = count < 2 ? 2 : count;
            count += count % 2;
            size_t stride = n ? n / count + (n % count != 0) : 0;
            size_t want = n < 2 ? 1 : n / stride + (n % stride != 0);
            ck_assert_msg(pages == want, "%zu students, pages of %zu: %zu pages, not %zu", n, half, pages, want);
            ck_assert_uint_le(stride, half);
            for (size_t i = 0; i + 1 < pages; i++) /* the students in "C" order: who[] was made so */
                ck_assert_str_eq(bounds[i], who[(i + 1) * stride - 1]);
            ck_assert(pages > 1 || bounds == NULL);
            free(bounds);
        }
        if (n < 11) { /* the next student, numbered after the others */
            snprintf(who[n], sizeof(who[n]), "%s%02zu", code, n);
            tt_student_full(who[n], code, NULL, NULL, "2026-09-21");
        }
    }
    db_release(pool, conn);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {test_student_facts,
                                  test_facts_whatever_the_date_style,
                                  test_contacts_filed_under_their_students,
                                  test_contacts_after_the_day_not_loaded,
                                  test_contacts_know_their_senior_tutors,
                                  test_tutor_facts,
                                  test_school_facts_and_fixed_query_count,
                                  test_school_tutees_at_the_edges_of_allocations,
                                  test_large_sets_in_every_form,
                                  test_school_tutors_lent_to_pages,
                                  test_school_page_bounds,
                                  test_tutor_set_holds_its_tutees_tutors,
                                  test_numbers_compare_bytewise,
                                  NULL};
    const struct harness_suite suite = {
        .name = "facts_queries", .tests = tests, .start = start, .stop = stop, .timeout = 60, .in_process = 1};
    return harness_run(&suite);
}
