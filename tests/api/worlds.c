/* worlds.c — the pastoral and compliance worlds (see worlds.h). */
#include "worlds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct world w;
struct cworld cw;

/* ---- the pastoral world -------------------------------------------------------------------------- */

static void world_people(struct world *into)
{
    harness_unique("TA", into->tutor_a, sizeof(into->tutor_a));
    harness_unique("TB", into->tutor_b, sizeof(into->tutor_b));
    harness_unique("SX", into->senior_x, sizeof(into->senior_x));
    harness_unique("SY", into->senior_y, sizeof(into->senior_y));
    tt_staff(into->tutor_a, into->school_x, "{tutor}");
    tt_staff(into->tutor_b, into->school_x, "{tutor}");
    tt_staff(into->senior_x, into->school_x, "{tutor,senior_tutor}");
    tt_staff(into->senior_y, into->school_y, "{tutor,senior_tutor}");
    harness_unique("A", into->student_a, sizeof(into->student_a));
    harness_unique("B", into->student_b, sizeof(into->student_b));
    harness_unique("C", into->student_c, sizeof(into->student_c));
    tt_student(into->student_a, into->school_x);
    tt_student(into->student_b, into->school_x);
    tt_student(into->student_c, into->school_y);
    tt_allocate(into->student_a, into->tutor_a, NULL);
    tt_allocate(into->student_b, into->tutor_b, NULL);
}

void world_make(struct world *into)
{
    char n[16];
    memset(into, 0, sizeof(*into));
    harness_unique("", n, sizeof(n));
    snprintf(into->school_x, sizeof(into->school_x), "X%s", n);
    snprintf(into->school_y, sizeof(into->school_y), "Y%s", n);
    tt_school(into->school_x, NULL);
    tt_school(into->school_y, NULL);
    world_people(into);
    into->tok_tutor_a = tt_tutor_token(into->tutor_a);
    into->tok_tutor_b = tt_tutor_token(into->tutor_b);
    into->tok_senior_x = tt_senior_token(into->senior_x, into->school_x);
    into->tok_senior_y = tt_senior_token(into->senior_y, into->school_y);
    into->tok_student_a = tt_student_token(into->student_a);
    into->tok_student_b = tt_student_token(into->student_b);
    into->tok_admin = tt_admin_token();
    into->tok_registry = tt_registry_token("REG1");
}

void world_free(struct world *from)
{
    free(from->tok_tutor_a), free(from->tok_tutor_b), free(from->tok_senior_x), free(from->tok_senior_y);
    free(from->tok_student_a), free(from->tok_student_b), free(from->tok_admin), free(from->tok_registry);
}

void world_setup(void)
{
    world_make(&w);
}

void world_teardown(void)
{
    world_free(&w);
}

void world_start(void)
{
    harness_start();
    world_make(&w);
}

void world_stop(void)
{
    world_free(&w);
    harness_stop();
}

/* ---- the compliance world ------------------------------------------------------------------------ */

static const char CWORLD_CALENDAR[] =
    "{\"time_zone\":\"Europe/London\",\"years\":[{\"label\":\"2026/27\",\"start\":\"2026-09-14\","
    "\"end\":\"2027-09-12\",\"terms\":[{\"name\":\"Autumn\",\"start\":\"2026-09-21\",\"end\":\"2026-12-11\"},"
    "{\"name\":\"Spring\",\"start\":\"2027-01-11\",\"end\":\"2027-03-26\"},"
    "{\"name\":\"Summer\",\"start\":\"2027-04-26\",\"end\":\"2027-06-11\"}]}],"
    "\"closures\":[{\"date\":\"2026-12-25\",\"reason\":\"Christmas Day\"}]}";

void cworld_student(const char *number, const char *school, const char *tutor)
{
    tt_student_full(number, school, NULL, NULL, "2026-09-21");
    tt_allocate(number, tutor, "2026-09-21");
}

/* Numbers sharing one fresh suffix; schools, staff and students. */
static void cworld_people(struct cworld *into)
{
    char n[16];
    harness_unique("", n, sizeof(n));
    snprintf(into->school_p, sizeof(into->school_p), "P%s", n);
    snprintf(into->school_q, sizeof(into->school_q), "Q%s", n);
    snprintf(into->tutor_a, sizeof(into->tutor_a), "TA%s", n);
    snprintf(into->tutor_b, sizeof(into->tutor_b), "TB%s", n);
    snprintf(into->senior_p, sizeof(into->senior_p), "SP%s", n);
    snprintf(into->senior_q, sizeof(into->senior_q), "SQ%s", n);
    snprintf(into->student_a, sizeof(into->student_a), "A%s", n);
    snprintf(into->student_b, sizeof(into->student_b), "B%s", n);
    tt_school(into->school_p, "School P");
    tt_school(into->school_q, "School Q");
    tt_staff(into->tutor_a, into->school_p, "{tutor}");
    tt_staff(into->tutor_b, into->school_p, "{tutor}");
    tt_staff(into->senior_p, into->school_p, "{tutor,senior_tutor}");
    tt_staff(into->senior_q, into->school_q, "{tutor,senior_tutor}");
    cworld_student(into->student_a, into->school_p, into->tutor_a);
    cworld_student(into->student_b, into->school_p, into->tutor_b);
}

static void cworld_make(struct cworld *into)
{
    char path[64];
    memset(into, 0, sizeof(*into));
    cworld_people(into);
    tt_contact(into->student_a, into->tutor_a, "message", "from_student", "2026-10-23T17:00:00+01:00", NULL,
               into->message_a);
    tt_contact(into->student_b, into->tutor_b, "message", "from_student", "2026-10-23T17:00:00+01:00", NULL,
               into->message_b);
    tt_contact(into->student_a, into->tutor_a, "email", "to_student", "2026-10-29T10:00:00+00:00", into->message_a,
               into->reply_a);
    tt_contact(into->student_b, into->tutor_b, "email", "to_student", "2026-10-27T10:00:00+00:00", into->message_b,
               into->reply_b);
    into->tok_tutor_a = tt_tutor_token(into->tutor_a);
    into->tok_tutor_b = tt_tutor_token(into->tutor_b);
    into->tok_senior_p = tt_senior_token(into->senior_p, into->school_p);
    into->tok_senior_q = tt_senior_token(into->senior_q, into->school_q);
    into->tok_student_a = tt_student_token(into->student_a);
    into->tok_admin = tt_admin_token();
    into->tok_registry = tt_registry_token("SRS1");
    tt_expect_status("PUT", "/calendar", into->tok_admin, CWORLD_CALENDAR, 200);
    snprintf(path, sizeof(path), "/schools/%s/policy", into->school_p);
    tt_expect_status("PUT", path, into->tok_admin, "{\"preset\":\"leicester\"}", 200);
}

void cworld_setup(void)
{
    cworld_make(&cw);
}

void cworld_teardown(void)
{
    free(cw.tok_tutor_a), free(cw.tok_tutor_b), free(cw.tok_senior_p), free(cw.tok_senior_q);
    free(cw.tok_student_a), free(cw.tok_admin), free(cw.tok_registry);
}

/* ---- the working-week world ------------------------------------------------------------------------ */

#include <time.h>

struct week_dates wd;

/* The calendar day `days` after y-m-d, as YYYY-MM-DD into out[11] (UTC arithmetic, no clock changes). */
static void day_after(int y, int m, int d, int days, char out[11])
{
    struct tm t = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + days, .tm_hour = 12};
    time_t at = timegm(&t);
    strftime(out, 11, "%Y-%m-%d", gmtime(&at));
}

void week_day(char out[11], int offset)
{
    int y, m, d;
    sscanf(wd.d, "%d-%d-%d", &y, &m, &d);
    day_after(y, m, d, offset, out);
}

void week_setup(void)
{
    world_setup();
    time_t now = time(NULL);
    struct tm today;
    gmtime_r(&now, &today);
    wd.year = today.tm_year + 1900 + 1;
    struct tm last = {.tm_year = wd.year - 1900, .tm_mon = 2, .tm_mday = 31, .tm_hour = 12};
    timegm(&last); /* fills tm_wday */
    day_after(wd.year, 3, 31, -last.tm_wday, wd.d);
    snprintf(wd.year_end, sizeof(wd.year_end), "%d-09-12", wd.year);
    char closure[11], body[640];
    week_day(closure, 1);
    snprintf(body, sizeof(body),
             "{\"time_zone\":\"Europe/London\",\"years\":[{\"label\":\"%d/%02d\",\"start\":\"%d-09-14\","
             "\"end\":\"%s\",\"terms\":[{\"name\":\"Spring\",\"start\":\"%d-01-04\",\"end\":\"%d-04-30\"}]}],"
             "\"closures\":[{\"date\":\"%s\",\"reason\":\"Easter Monday\"}]}",
             wd.year - 1, wd.year % 100, wd.year - 1, wd.year_end, wd.year, wd.year, closure);
    tt_expect_status("PUT", "/calendar", w.tok_admin, body, 200);
}

void week_teardown(void)
{
    world_teardown();
}

char *week_slot(const char *tutor, const char *token, int offset, int hh, int capacity)
{
    char day[11], path[96], body[256];
    week_day(day, offset);
    /* local wall-clock time: the offset of Europe/London on that day (summer time after D) */
    const char *zone = offset > 0 ? "+01:00" : "+00:00";
    snprintf(path, sizeof(path), "/tutors/%s/slots", tutor);
    snprintf(body, sizeof(body),
             "{\"starts_at\":\"%sT%02d:00:00%s\",\"ends_at\":\"%sT%02d:30:00%s\",\"capacity\":%d,"
             "\"location\":\"Room 1\",\"book_by_minutes\":60}",
             day, hh, zone, day, hh, zone, capacity);
    struct tt_response r;
    long status = tt_call("POST", path, token, body, &r);
    ck_assert_msg(status == 201, "POST %s: %ld %s", path, status, r.body);
    json_t *first = json_array_get(json_object_get(r.json, "items"), 0);
    char buf[24];
    snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(first, "id")));
    harness_response_free(&r);
    return strdup(buf);
}

long week_book(const char *slot, const char *token, char id[24])
{
    char path[96];
    struct tt_response r;
    snprintf(path, sizeof(path), "/slots/%s/bookings", slot);
    ck_assert_int_eq(harness_request("POST", path, token, NULL, NULL, NULL, &r), 0);
    if (r.status == 201 && id)
        snprintf(id, 24, "%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(r.json, "id")));
    long status = r.status;
    harness_response_free(&r);
    return status;
}
