/* test_facts_cache.c — the students' facts tutord keeps between requests (api/store/facts_cache.h) against the
 * real database, without HTTP: a second load of unchanged students takes their facts from the cache and gets what
 * the database holds; after a change to any table the facts come from (made in SQL, as an import or an operator
 * would: sql/032's triggers give the student a new revision), the very next load gets the database's facts, not
 * the kept ones; and the cache itself keeps to its bound, evicts the least recently used and never frees an entry
 * a request holds. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts_cache.h"
#include "facts_packed.h"
#include "fixtures.h"
#include "harness.h"
#include "repo_facts.h"

#define N_STUDENTS 3

static struct db_pool *pool;
static char school[24], tutor[24], other_tutor[24];
static char students[N_STUDENTS][24];
static char meeting[24]; /* student 0's meeting with the tutor */
static char time_zone[64];

static void run(const char *sql, int n, const char *const *p)
{
    free(harness_sql(sql, n, p));
}

static void make_rows(void)
{
    tt_new_school(school, sizeof(school), "FC", NULL);
    harness_unique("CT", tutor, sizeof(tutor));
    harness_unique("CO", other_tutor, sizeof(other_tutor));
    tt_staff(tutor, school, "{tutor}");
    tt_staff(other_tutor, school, "{tutor}");
    for (int i = 0; i < N_STUDENTS; i++) {
        harness_unique("CS", students[i], sizeof(students[i]));
        tt_student_full(students[i], school, NULL, NULL, "2026-09-21");
        tt_allocate(students[i], tutor, "2026-09-21");
        tt_contact(students[i], tutor, "message", "from_student", "2026-10-12T09:00:00Z", NULL, NULL);
    }
    tt_contact(students[0], tutor, "meeting", "to_student", "2026-10-14T10:00:00Z", NULL, meeting);
    char *tz = harness_sql("SELECT time_zone FROM calendar_settings", 0, NULL);
    snprintf(time_zone, sizeof(time_zone), "%s", tz);
    free(tz);
}

static void start(void)
{
    harness_start();
    make_rows();
    pool = db_pool_new(harness_database_url(), "none", 1, 5000, NULL);
}

static void stop(void)
{
    facts_cache_configure(0);
    run("UPDATE calendar_settings SET time_zone = $1", 1, (const char *const[]){time_zone});
    db_pool_free(pool);
    harness_stop();
}

/* ---- loading as evaluation.c does: in a read-only snapshot the load's head begins ---- */

struct snapshot {
    const char *on;
};

static size_t head(void *arg, struct db_step *steps)
{
    (void)arg;
    steps[0] = (struct db_step){NULL, DB_SNAPSHOT_BEGIN, 0, NULL};
    return 1;
}

static enum app_status opened(void *arg, PGresult *const *results, const char **on)
{
    (void)results;
    *on = ((struct snapshot *)arg)->on;
    return APP_OK;
}

static size_t build(void *arg, const struct facts_set *set, struct db_step *steps)
{
    (void)arg, (void)set;
    steps[0] = (struct db_step){NULL, "ROLLBACK", 0, NULL};
    return 1;
}

/* Loads the query's set as of `on` in a snapshot of its own; returns the statements the set ran. */
static int load_query(struct facts_query *q, const char *on, struct facts_set *set)
{
    struct snapshot snap = {on};
    struct facts_tail tail = {.head = head, .opened = opened, .build = build, .arg = &snap};
    q->on = on;
    struct db_conn *conn = NULL;
    ck_assert_int_eq(db_acquire(pool, &conn), APP_OK);
    ck_assert_int_eq(repo_facts_load_with(conn, q, set, &tail), APP_OK);
    for (size_t i = 0; i < tail.n; i++)
        PQclear(tail.results[i]);
    db_release(pool, conn);
    return set->queries;
}

/* The facts of the three students, as of `on`. */
static int load(const char *on, struct facts_set *set)
{
    const char *keys[N_STUDENTS] = {students[0], students[1], students[2]};
    struct facts_query q = {.by = FACTS_BY_STUDENTS, .students = keys, .n_students = N_STUDENTS};
    int queries = load_query(&q, on, set);
    ck_assert_int_eq(set->n_students, N_STUDENTS);
    return queries;
}

/* Every fact of every student of the set the engine reads, as text (malloc'd). */
static char *dump(const struct facts_set *set)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    for (size_t i = 0; i < set->n_students; i++) {
        const struct facts_student *s = &set->students[i];
        const pe_student *st = &s->student;
        fprintf(f, "student %s\n", s->number);
        for (size_t k = 0; k < st->n_statuses; k++)
            fprintf(f, " status %d from %d\n", (int)st->statuses[k].status, (int)st->statuses[k].from);
        for (size_t k = 0; k < s->n_allocations; k++) {
            const pe_allocation *a = &set->allocations[s->first_allocation + k];
            fprintf(f, " allocation %s %d %d-%d\n", a->tutor, (int)a->kind, (int)a->starts_on, (int)a->ends_on);
        }
        for (size_t k = 0; k < s->n_contacts; k++) {
            const pe_contact *c = &set->contacts[s->first_contact + k];
            fprintf(f, " contact %lld %d %d '%s' %lld %d %lld %d %d %lld\n", (long long)c->id, (int)c->kind,
                    (int)c->direction, c->staff, (long long)c->at, (int)c->attendance, (long long)c->reply_to,
                    (int)c->wellbeing_check, (int)c->senior_tutor, (long long)c->summary_at);
        }
        for (size_t k = 0; k < s->n_concerns; k++) {
            const pe_concern *c = &set->concerns[s->first_concern + k];
            fprintf(f, " concern %d-%d by %d\n", (int)c->opened_on, (int)c->closed_on, (int)c->raised_by);
        }
        for (size_t k = 0; k < st->n_exemptions; k++) {
            const pe_exemption *x = &st->exemptions[k];
            fprintf(f, " exemption %lld %d-%d %s %d", (long long)x->id, (int)x->from, (int)x->to, x->reason,
                    x->n_rules);
            for (int r = 0; r < x->n_rules; r++)
                fprintf(f, " %s", x->rules[r]);
            fputc('\n', f);
        }
        for (size_t k = 0; k < st->n_feedback_invited; k++)
            fprintf(f, " invited %d\n", (int)st->feedback_invited[k]);
    }
    fclose(f);
    return text;
}

/* The facts as of `on`, as the cache gives them (malloc'd dump). */
static char *through_cache(const char *on)
{
    struct facts_set set;
    load(on, &set);
    char *text = dump(&set);
    repo_facts_free(&set);
    return text;
}

/* The facts as of `on` from the database alone: the cache emptied first (malloc'd dump). */
static char *from_database(const char *on)
{
    facts_cache_clear();
    return through_cache(on);
}

START_TEST(test_unchanged_facts_come_from_the_cache)
{
    facts_cache_configure(16u << 20);
    struct facts_set first, second;
    int loaded = load("2026-11-02", &first);
    struct facts_cache_stats s1 = facts_cache_stats();
    ck_assert_uint_eq(s1.entries, N_STUDENTS);
    ck_assert_uint_eq(s1.hits, 0);
    int kept = load("2026-11-02", &second);
    struct facts_cache_stats s2 = facts_cache_stats();
    ck_assert_uint_eq(s2.hits, N_STUDENTS);
    ck_assert_uint_eq(s2.misses, s1.misses);
    /* the students' seven statements are not run: the selection and the tutors' four are */
    ck_assert_int_eq(kept, loaded - 7);
    char *a = dump(&first), *b = dump(&second);
    ck_assert_str_eq(a, b);
    ck_assert_ptr_nonnull(strstr(a, " contact ")); /* the dump holds the facts */
    free(a);
    free(b);
    repo_facts_free(&first);
    repo_facts_free(&second);
}
END_TEST

START_TEST(test_a_tutors_tutees_come_from_the_cache)
{
    facts_cache_configure(16u << 20);
    struct facts_query q = {.by = FACTS_BY_TUTOR, .key = tutor};
    struct facts_set first, second;
    load_query(&q, "2026-11-02", &first);
    load_query(&q, "2026-11-02", &second);
    ck_assert_uint_eq(facts_cache_stats().hits, N_STUDENTS);
    ck_assert_uint_eq(second.n_students, N_STUDENTS);
    ck_assert_uint_eq(second.n_tutors, 1); /* the tutors' facts are loaded afresh */
    char *a = dump(&first), *b = dump(&second);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    repo_facts_free(&first);
    repo_facts_free(&second);
}
END_TEST

START_TEST(test_another_day_is_loaded_for_itself)
{
    facts_cache_configure(16u << 20);
    char *early = through_cache("2026-10-10"); /* the meeting of the 14th is not loaded (contacts_until) */
    char *later = through_cache("2026-11-02");
    ck_assert_uint_eq(facts_cache_stats().hits, 0);
    ck_assert_str_ne(early, later);
    char *truth = from_database("2026-11-02");
    ck_assert_str_eq(later, truth);
    free(early);
    free(later);
    free(truth);
}
END_TEST

/* A change made in SQL to student 0's facts: `sql` with $1 student 0, $2 the tutor, $3 the meeting. */
struct change {
    const char *what;
    const char *sql;
};

static const struct change CHANGES[] = {
    {"a status", "INSERT INTO student_status_history (student_number, from_date, status)"
                 " VALUES ($1, '2026-10-20', 'suspended') RETURNING $2::text, $3::text"},
    {"a status changed on the students row", "UPDATE students SET status = 'placement', status_from = '2026-10-25'"
                                             " WHERE student_number = $1 RETURNING $2::text, $3::text"},
    {"an allocation", "INSERT INTO allocations (student_number, staff_number, kind, starts_on, created_by)"
                      " VALUES ($1, $2, 'secondary', '2026-10-10', $2) RETURNING $3::text"},
    {"a contact", "INSERT INTO contacts (student_number, staff_number, kind, direction, occurred_at, attendance,"
                  " created_by) VALUES ($1, $2, 'meeting', 'to_student', '2026-10-28T10:00:00Z', 'attended', $2)"
                  " RETURNING $3::text"},
    {"a contact's attendance", "UPDATE contacts SET attendance = 'missed' WHERE id = $3::bigint"
                               " AND student_number = $1 AND staff_number = $2"},
    {"a shared note on a contact", "INSERT INTO notes (student_number, author, visibility, created_at, contact_id)"
                                   " VALUES ($1, $2, 'shared', '2026-10-15T09:00:00Z', $3::bigint)"},
    {"an earlier shared note", "INSERT INTO notes (student_number, author, visibility, created_at, contact_id)"
                               " VALUES ($1, $2, 'shared', '2026-10-14T12:00:00Z', $3::bigint)"},
    {"a concern", "INSERT INTO concerns (student_number, school, kind, detail, raised_by, raised_by_role, raised_at)"
                  " SELECT $1, school, 'wellbeing', 'd', $2, 'tutor', '2026-10-20T10:00:00Z' FROM students"
                  " WHERE student_number = $1 RETURNING $3::text"},
    {"a concern closed", "UPDATE concerns SET status = 'closed', outcome = 'o', closed_by = $2,"
                         " closed_at = '2026-10-30T10:00:00Z', raiser_notified_at = now()"
                         " WHERE student_number = $1 RETURNING $3::text"},
    {"an exemption", "INSERT INTO student_exemptions (student_number, starts_on, ends_on, reason, rules, created_by)"
                     " VALUES ($1, '2026-10-01', '2026-10-31', 'illness', '{meetings}', $2) RETURNING $3::text"},
    {"the exemption deleted", "DELETE FROM student_exemptions WHERE student_number = $1 RETURNING $2::text, $3::text"},
    {"a feedback invitation",
     "WITH i AS (INSERT INTO feedback_invitations (school, year, audience, invited_by, invited_at)"
     " SELECT school, '2026/27', '{tutees}', $2, '2026-10-05T23:30:00Z' FROM students WHERE student_number = $1"
     " RETURNING id) INSERT INTO feedback_invitees (invitation_id, role, person) SELECT id, 'tutee', $1 FROM i"
     " RETURNING $3::text"},
    {"the invitation's day", "UPDATE feedback_invitations SET invited_at = invited_at - interval '2 days'"
                             " WHERE id IN (SELECT invitation_id FROM feedback_invitees WHERE person = $1)"
                             " RETURNING $2::text, $3::text"},
    /* 2026-10-03T23:30Z: the 4th in London, the 3rd in UTC */
    {"the calendar's time zone", "UPDATE calendar_settings SET time_zone = CASE time_zone WHEN 'UTC'"
                                 " THEN 'Europe/London' ELSE 'UTC' END RETURNING $1::text, $2::text, $3::text"},
    {"the tutor made a senior tutor", "UPDATE staff SET roles = '{tutor,senior_tutor}' WHERE staff_number = $2"
                                      " RETURNING $1::text, $3::text"},
};

START_TEST(test_every_change_is_seen_by_the_next_load)
{
    facts_cache_configure(16u << 20);
    for (size_t i = 0; i < sizeof(CHANGES) / sizeof(CHANGES[0]); i++) {
        char *before = through_cache("2026-11-02");
        char *kept = through_cache("2026-11-02"); /* the entries are in use */
        ck_assert_str_eq(kept, before);
        unsigned long long hits = facts_cache_stats().hits;
        run(CHANGES[i].sql, 3, (const char *const[]){students[0], tutor, meeting});
        char *after = through_cache("2026-11-02");
        /* nothing was taken from the cache: one student's facts changed, so the set was loaded */
        ck_assert_uint_eq(facts_cache_stats().hits, hits);
        char *truth = from_database("2026-11-02");
        if (strcmp(after, truth) != 0 || strcmp(after, before) == 0)
            ck_abort_msg("after %s:\nbefore\n%s\nafter\n%s\nthe database\n%s", CHANGES[i].what, before, after, truth);
        free(before);
        free(kept);
        free(after);
        free(truth);
    }
    run("UPDATE staff SET roles = '{tutor}' WHERE staff_number = $1", 1, (const char *const[]){tutor});
    run("UPDATE calendar_settings SET time_zone = $1", 1, (const char *const[]){time_zone});
}
END_TEST

START_TEST(test_a_rolled_back_change_keeps_the_entries)
{
    facts_cache_configure(16u << 20);
    char *before = through_cache("2026-11-02");
    unsigned long long hits = facts_cache_stats().hits;
    char sql[256];
    snprintf(sql, sizeof(sql),
             "DO $$ BEGIN UPDATE contacts SET attendance = 'missed' WHERE student_number = '%s';"
             " RAISE EXCEPTION 'rolled back'; EXCEPTION WHEN raise_exception THEN NULL; END $$",
             students[0]);
    run(sql, 0, NULL);
    char *after = through_cache("2026-11-02");
    ck_assert_uint_eq(facts_cache_stats().hits, hits + N_STUDENTS);
    ck_assert_str_eq(after, before);
    free(before);
    free(after);
}
END_TEST

/* ---- the cache alone ---- */

static const pe_contact CONTACTS[4] = {
    {.id = 1,
     .kind = PE_C_MEETING,
     .direction = PE_DIR_TO_STUDENT,
     .staff = "T1",
     .at = 1790000000,
     .attendance = PE_ATT_ATTENDED,
     .senior_tutor = true,
     .summary_at = 1790003600},
    {.id = 2,
     .kind = PE_C_MESSAGE,
     .direction = PE_DIR_FROM_STUDENT,
     .staff = "",
     .at = 1790100000,
     .attendance = PE_ATT_ATTENDED,
     .wellbeing_check = true},
    {.id = 3,
     .kind = (pe_contact_kind)-1,
     .direction = PE_DIR_TO_STUDENT,
     .staff = "T2",
     .at = -5,
     .attendance = (pe_attendance)-1,
     .reply_to = 2},
    {.id = INT64_MAX,
     .kind = PE_C_EMAIL,
     .direction = PE_DIR_TO_STUDENT,
     .staff = "T1",
     .at = INT64_MIN,
     .attendance = PE_ATT_MISSED,
     .reply_to = INT64_MAX,
     .summary_at = INT64_MAX},
};

/* Asserts that the n contacts `got` are `want`, field by field. */
static void expect_same_contacts(const pe_contact *got, const pe_contact *want, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const pe_contact *a = &got[i], *b = &want[i];
        ck_assert(a->id == b->id && a->kind == b->kind && a->direction == b->direction && a->at == b->at &&
                  a->attendance == b->attendance && a->reply_to == b->reply_to &&
                  a->wellbeing_check == b->wellbeing_check && a->senior_tutor == b->senior_tutor &&
                  a->summary_at == b->summary_at);
        ck_assert_str_eq(a->staff, b->staff);
    }
}

/* Asserts that the entry's contacts, written out, are the first n of CONTACTS. */
static void expect_contacts(const struct student_facts *held, size_t n)
{
    pe_contact out[4];
    ck_assert_uint_eq(held->n_contacts, n);
    facts_cache_contacts(held, out);
    expect_same_contacts(out, CONTACTS, n);
}

/* An entry of n contacts under `student` at revision rev. */
static void put(const char *student, long long rev, size_t n)
{
    struct facts_cache_key key = {.rev = rev, .until = "2026-11-05", .seniors_hash = 7};
    struct student_facts f = {.contacts = CONTACTS, .n_contacts = n};
    facts_cache_put(student, &key, &f);
}

static const struct student_facts *get(const char *student, long long rev)
{
    struct facts_cache_key key = {.rev = rev, .until = "2026-11-05", .seniors_hash = 7};
    return facts_cache_get(student, &key);
}

START_TEST(test_the_cache_keys_bounds_and_pins)
{
    facts_cache_configure(0);
    put("A", 1, 4);
    ck_assert_ptr_null(get("A", 1)); /* off: nothing kept */
    facts_cache_configure(1u << 20);
    put("A", 1, 4);
    size_t one = facts_cache_stats().bytes;
    ck_assert_uint_lt(one, 4 * sizeof(pe_contact) + 512); /* contacts kept compact */
    ck_assert_ptr_null(get("A", 2));                      /* another revision */
    struct facts_cache_key other_day = {.rev = 1, .until = "2026-11-06", .seniors_hash = 7};
    ck_assert_ptr_null(facts_cache_get("A", &other_day));
    struct facts_cache_key other_seniors = {.rev = 1, .until = "2026-11-05", .seniors_hash = 8};
    ck_assert_ptr_null(facts_cache_get("A", &other_seniors));
    const struct student_facts *held = get("A", 1);
    ck_assert_ptr_nonnull(held);
    expect_contacts(held, 4);
    put("A", 2, 1); /* replaces A's entry; the one held stays readable */
    ck_assert_uint_eq(facts_cache_stats().entries, 1);
    expect_contacts(held, 4);
    facts_cache_release(held);
    ck_assert_ptr_null(get("A", 1));
    const struct student_facts *now = get("A", 2);
    expect_contacts(now, 1);
    facts_cache_release(now);

    /* room for three entries of four contacts: the least recently used goes first */
    facts_cache_configure(3 * one + one / 2);
    put("A", 1, 4);
    put("B", 1, 4);
    put("C", 1, 4);
    facts_cache_release(get("A", 1)); /* A is now the most recently used */
    put("D", 1, 4);
    struct facts_cache_stats s = facts_cache_stats();
    ck_assert_uint_eq(s.entries, 3);
    ck_assert_uint_le(s.bytes, 3 * one + one / 2);
    ck_assert_ptr_null(get("B", 1));
    const struct student_facts *a = get("A", 1), *c = get("C", 1), *d = get("D", 1);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_nonnull(d);
    facts_cache_clear(); /* held entries outlive the clear until released */
    ck_assert_uint_eq(facts_cache_stats().entries, 0);
    expect_contacts(a, 4);
    facts_cache_release(a);
    facts_cache_release(c);
    facts_cache_release(d);
    put("E", 1, 4); /* larger than the bound: not kept */
    facts_cache_configure(one - 1);
    put("E", 1, 4);
    ck_assert_uint_eq(facts_cache_stats().entries, 0);
    /* contacts with more staff numbers than an index holds: not kept */
    facts_cache_configure(64u << 20);
    static pe_contact many[300];
    for (int i = 0; i < 300; i++)
        snprintf(many[i].staff, PE_ID_LEN, "T%d", i);
    struct facts_cache_key key = {.rev = 1, .until = "2026-11-05", .seniors_hash = 7};
    struct student_facts crowded = {.contacts = many, .n_contacts = 300};
    facts_cache_put("F", &key, &crowded);
    ck_assert_uint_eq(facts_cache_stats().entries, 0);
    crowded.n_contacts = 256; /* 256 staff numbers: indexes 0-255 */
    facts_cache_put("F", &key, &crowded);
    ck_assert_uint_eq(facts_cache_stats().entries, 1);
    /* many students: the table grows */
    facts_cache_configure(64u << 20);
    char name[16];
    for (int i = 0; i < 5000; i++) {
        snprintf(name, sizeof(name), "S%05d", i);
        put(name, i, 1);
    }
    ck_assert_uint_eq(facts_cache_stats().entries, 5000);
    for (int i = 0; i < 5000; i += 499) {
        snprintf(name, sizeof(name), "S%05d", i);
        const struct student_facts *f = get(name, i);
        ck_assert_ptr_nonnull(f);
        facts_cache_release(f);
    }
    facts_cache_configure(0);
}
END_TEST

/* A pseudo-random 64-bit number (xorshift64*), from *state. */
static uint64_t next_random(uint64_t *state)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 2685821657736338717ULL;
}

START_TEST(test_contacts_packed_round_trip)
{
    enum { N = 4000 };
    static pe_contact in[N], out[N];
    static unsigned char packed[FACTS_PACKED_MAX(N)];
    static char table[N][PE_ID_LEN];
    uint64_t state = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < N; i++) {
        uint64_t r = next_random(&state);
        pe_contact *c = &in[i];
        /* small steps mostly, as a student's contacts are; any value now and then */
        c->id = r % 7 == 0 ? (int64_t)next_random(&state) : (int64_t)(i * 3 + (int)(r % 5));
        c->at = r % 11 == 0 ? (int64_t)next_random(&state) : 1790000000 + (int64_t)(r % 100000) * 60;
        c->summary_at = r % 3 == 0 ? 0 : c->at + (int64_t)(r >> 40) - (1 << 23);
        c->reply_to = r % 4 == 0 ? (int64_t)next_random(&state) : 0;
        c->kind = (pe_contact_kind)((int)(r >> 8 & 7) % (PE_C__N + 1) - 1);
        c->direction = (pe_direction)((int)(r >> 12 & 1));
        c->attendance = (pe_attendance)((int)(r >> 16 & 7) % (PE_ATT__N + 1) - 1);
        c->wellbeing_check = r >> 20 & 1;
        c->senior_tutor = r >> 21 & 1;
        snprintf(c->staff, PE_ID_LEN, r >> 22 & 1 ? "T%05d" : "", (int)(r >> 24 & 0x3f));
    }
    size_t bytes = 0, n_staff = 0;
    ck_assert(facts_pack_contacts(in, N, packed, &bytes, table, &n_staff));
    ck_assert_uint_le(bytes, FACTS_PACKED_MAX(N));
    ck_assert_uint_le(n_staff, 65);
    facts_unpack_contacts(packed, N, (const char(*)[PE_ID_LEN])table, out);
    expect_same_contacts(out, in, N);
    /* an enum beyond what the bytes hold is not packed */
    in[5].kind = (pe_contact_kind)200;
    n_staff = 0;
    ck_assert(!facts_pack_contacts(in, N, packed, &bytes, table, &n_staff));
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {test_unchanged_facts_come_from_the_cache,
                                  test_a_tutors_tutees_come_from_the_cache,
                                  test_another_day_is_loaded_for_itself,
                                  test_every_change_is_seen_by_the_next_load,
                                  test_a_rolled_back_change_keeps_the_entries,
                                  test_the_cache_keys_bounds_and_pins,
                                  test_contacts_packed_round_trip,
                                  NULL};
    const struct harness_suite suite = {
        .name = "facts_cache", .tests = tests, .start = start, .stop = stop, .timeout = 60, .in_process = 1};
    return harness_run(&suite);
}
