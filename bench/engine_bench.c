/* engine_bench.c — students evaluated per second by the policy engine.
 *
 * Generates a cohort in memory (default 40,000 students, each with a year of about 35
 * contacts with realistic gaps: meetings, emails, student messages and replies, group
 * sessions), evaluates every student against the Leicester preset as of the end of the
 * academic year, and prints students/second (wall clock) for several repetitions.
 * Usage: bench_engine [students] [repetitions] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pe.h"

#define PER_STUDENT 35

static const char *const CALENDAR =
    "{\"time_zone\": \"Europe/London\", \"years\": [{\"label\": \"2026/27\", \"start\": "
    "\"2026-09-01\", \"end\": \"2027-08-31\", \"terms\": ["
    "{\"name\": \"Autumn\", \"start\": \"2026-09-28\", \"end\": \"2026-12-11\"},"
    "{\"name\": \"Spring\", \"start\": \"2027-01-11\", \"end\": \"2027-03-26\"},"
    "{\"name\": \"Summer\", \"start\": \"2027-04-26\", \"end\": \"2027-06-11\"}]}],"
    "\"closures\": [{\"date\": \"2026-12-25\"}, {\"date\": \"2026-12-28\"}, {\"date\": \"2027-01-01\"},"
    "{\"date\": \"2027-03-26\"}, {\"date\": \"2027-03-29\"}, {\"date\": \"2027-05-03\"},"
    "{\"date\": \"2027-05-31\"}]}";

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = calloc(1, 1 << 16);
    size_t n = buf ? fread(buf, 1, (1 << 16) - 1, fp) : 0;
    fclose(fp);
    if (buf)
        buf[n] = '\0';
    return buf;
}

/* A year of contacts: every ~10 days (2–18 day gaps) from registration. */
static void gen_student(pe_contact *c, uint64_t *rng, int64_t base_id, pe_instant start)
{
    pe_instant t = start;
    for (int k = 0; k < PER_STUDENT; k++) {
        memset(&c[k], 0, sizeof c[k]);
        t += (pe_instant)(2 + rng_next(rng) % 17) * 86400 + (pe_instant)(rng_next(rng) % 28800);
        c[k].id = base_id + k;
        c[k].at = t;
        c[k].kind = (pe_contact_kind)(rng_next(rng) % 4);
        c[k].direction = c[k].kind == PE_C_MESSAGE ? PE_DIR_FROM_STUDENT : PE_DIR_TO_STUDENT;
        c[k].attendance = rng_next(rng) % 10 == 0 ? PE_ATT_MISSED : PE_ATT_ATTENDED;
        c[k].wellbeing_check = rng_next(rng) % 4 == 0;
        if (c[k].direction == PE_DIR_TO_STUDENT)
            strcpy(c[k].staff, "T1");
        if (k > 0 && c[k - 1].kind == PE_C_MESSAGE)
            c[k].reply_to = c[k - 1].id;
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 40000;
    int reps = argc > 2 ? atoi(argv[2]) : 5;
    pe_calendar *cal = NULL;
    pe_policy *pol = NULL;
    json_t *errs = NULL, *cj = json_loads(CALENDAR, 0, NULL);
    char *preset = slurp(PRESET_PATH);
    if (!cj || !preset || pe_calendar_parse(cj, &cal, &errs) != PE_OK ||
        pe_policy_parse_string(preset, strlen(preset), &pol, &errs) != PE_OK) {
        fprintf(stderr, "setup failed\n");
        return 1;
    }
    pe_contact *contacts = malloc(n * PER_STUDENT * sizeof *contacts);
    pe_student *students = calloc(n, sizeof *students);
    uint64_t rng = 0x9e3779b97f4a7c15ULL;
    pe_instant reg0 = (pe_instant)pe_date_from_ymd(2026, 9, 21) * 86400;
    for (size_t i = 0; i < n; i++) {
        students[i] = (pe_student){.registered_on = pe_date_from_ymd(2026, 9, 21) + (int)(i % 10),
                                   .date_of_birth = pe_date_from_ymd(2007, 1, 1),
                                   .level = PE_LEVEL_4};
        gen_student(&contacts[i * PER_STUDENT], &rng, (int64_t)i * 100, reg0 + (pe_instant)(i % 10) * 86400);
    }
    pe_allocation alloc = {"T1", PE_ALLOC_PERSONAL, pe_date_from_ymd(2026, 9, 22), PE_NO_DATE};
    pe_tutor tutor = {.staff = "T1", .started_on = pe_date_from_ymd(2020, 1, 1)};
    const pe_policy *versions[1] = {pol};
    pe_findings f;
    pe_findings_init(&f);
    size_t findings = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = now_s();
        for (size_t i = 0; i < n; i++) {
            pe_input in = {.cal = cal,
                           .versions = versions,
                           .n_versions = 1,
                           .student = &students[i],
                           .allocations = &alloc,
                           .n_allocations = 1,
                           .contacts = &contacts[i * PER_STUDENT],
                           .n_contacts = PER_STUDENT,
                           .tutors = &tutor,
                           .n_tutors = 1,
                           .as_of = (pe_instant)pe_date_from_ymd(2027, 7, 1) * 86400};
            pe_findings_clear(&f);
            if (pe_evaluate_student(&in, &f) != PE_OK)
                return 1;
            findings += f.n;
        }
        double dt = now_s() - t0;
        printf("rep %d: %zu students in %.3f s = %.0f students/s (%.2f us/student)\n", r + 1, n, dt, (double)n / dt,
               dt * 1e6 / (double)n);
    }
    printf("findings per student: %zu\n", findings / (n * (size_t)reps));
    pe_findings_free(&f);
    free(contacts);
    free(students);
    free(preset);
    pe_policy_free(pol);
    pe_calendar_free(cal);
    json_decref(cj);
    return 0;
}
