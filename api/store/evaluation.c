/* evaluation.c — load the calendar, the facts and the policies of one request, then run the engine. */
#include "evaluation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "repo_calendar.h"
#include "repo_policies.h"
#include "strbuf.h"
#include "tzdata.h"

/* Enough for a student's personal tutors over the years, covers and secondary tutors. */
#define EVALUATION_MAX_TUTORS 32

int evaluation_parse_as_of(const char *text, struct as_of *out)
{
    memset(out, 0, sizeof(*out));
    if (!text) {
        out->instant = (pe_instant)time(NULL);
        return 0;
    }
    if (strlen(text) == 10 && pe_date_parse(text, &out->date) == PE_OK) {
        out->is_date = 1;
        return 0;
    }
    return pe_instant_parse(text, &out->instant) == PE_OK ? 0 : -1;
}

/* The calendar document, stripped of its bookkeeping fields, as a pe_calendar. */
static enum app_status load_calendar(struct db_conn *conn, struct evaluation *ev, const char **why)
{
    char *text = NULL, *version = NULL;
    enum app_status st = repo_calendar_get(conn, &text, &version);
    ev->queries++;
    json_t *doc = st == APP_OK ? json_loads(text, 0, NULL) : NULL, *errors = NULL;
    if (st == APP_OK && !doc)
        st = APP_NOMEM;
    if (st == APP_OK) {
        json_object_del(doc, "version");
        json_object_del(doc, "updated_at");
        tzdata_resolve(doc); /* an IANA zone's rule from the system's tzdata */
        pe_err pe = pe_calendar_parse(doc, &ev->cal, &errors);
        if (pe == PE_NOMEM)
            st = APP_NOMEM;
        else if (pe != PE_OK)
            st = APP_CONFLICT, *why = "the calendar cannot be evaluated (is its time zone one the engine knows?)";
        else if (ev->cal->n_years == 0)
            st = APP_CONFLICT, *why = "the calendar has no academic years: PUT /calendar first";
    }
    json_decref(errors);
    json_decref(doc);
    free(text);
    free(version);
    return st;
}

/* Appends a parsed version to the school's entry (rows come grouped by school). */
static int collect_version(void *arg, const char *school, const char *text)
{
    struct evaluation *ev = arg;
    pe_policy *p = NULL;
    json_t *errors = NULL;
    pe_err pe = pe_policy_parse_string(text, strlen(text), &p, &errors);
    json_decref(errors);
    if (pe == PE_NOMEM)
        return -1;
    if (pe != PE_OK) { /* stored before a stricter engine: skipped, never fatal */
        log_msg(LOG_WARN, "a stored policy version of school %s no longer validates; skipped", school);
        return 0;
    }
    struct school_versions *sv = ev->n_schools ? &ev->schools[ev->n_schools - 1] : NULL;
    if (!sv || strcmp(sv->school, school) != 0) {
        struct school_versions *grown = realloc(ev->schools, (ev->n_schools + 1) * sizeof(*grown));
        if (!grown)
            return pe_policy_free(p), -1;
        ev->schools = grown;
        sv = &ev->schools[ev->n_schools++];
        memset(sv, 0, sizeof(*sv));
        snprintf(sv->school, sizeof(sv->school), "%s", school);
    }
    pe_policy **versions = realloc(sv->versions, (sv->n + 1) * sizeof(*versions));
    if (!versions)
        return pe_policy_free(p), -1;
    sv->versions = versions;
    sv->versions[sv->n++] = p;
    return 0;
}

/* The distinct schools of the loaded students and `extra`, as a PostgreSQL array literal. */
static char *schools_literal(const struct facts_set *set, const char *extra)
{
    struct strbuf sb = {0};
    strbuf_puts(&sb, "{");
    for (size_t i = 0; i <= set->n_students; i++) {
        const char *code = i < set->n_students ? set->students[i].school : extra;
        if (!code)
            continue;
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(set->students[j].school, code) == 0;
        if (seen)
            continue;
        strbuf_puts(&sb, sb.len > 1 ? ",\"" : "\"");
        strbuf_puts(&sb, code); /* school codes are [A-Z0-9_-]: nothing to escape */
        strbuf_puts(&sb, "\"");
    }
    strbuf_puts(&sb, "}");
    return strbuf_take(&sb);
}

static int cmp_school(const void *a, const void *b)
{
    return strcmp(((const struct school_versions *)a)->school, ((const struct school_versions *)b)->school);
}

/* The snapshot's loads, in order: calendar, facts, policies. */
static enum app_status load_all(struct db_conn *conn, const struct facts_query *q, const struct as_of *when,
                                const char *school, struct evaluation *ev, const char **why)
{
    enum app_status st = load_calendar(conn, ev, why);
    if (st != APP_OK)
        return st;
    ev->as_of = when->is_date ? pe_local_day_end(&ev->cal->tz, when->date) : when->instant;
    ev->as_of_date = pe_local_date(&ev->cal->tz, ev->as_of);
    char on[11];
    struct facts_query fq = *q;
    fq.on = pe_date_format(ev->as_of_date, on);
    st = repo_facts_load(conn, &fq, &ev->facts);
    ev->queries += ev->facts.queries;
    char *schools = st == APP_OK ? schools_literal(&ev->facts, school) : NULL;
    if (st == APP_OK && !schools)
        st = APP_NOMEM;
    if (st == APP_OK) {
        st = repo_policy_versions(conn, schools, collect_version, ev);
        ev->queries++;
    }
    free(schools);
    if (st == APP_OK && ev->n_schools > 1)
        qsort(ev->schools, ev->n_schools, sizeof(*ev->schools), cmp_school);
    return st;
}

enum app_status evaluation_load(struct db_conn *conn, const struct facts_query *q, const struct as_of *when,
                                const char *school, struct evaluation *out, const char **why)
{
    memset(out, 0, sizeof(*out));
    *why = NULL;
    enum app_status st = db_begin(conn);
    if (st == APP_OK)
        st = db_query(conn, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", 0, NULL, NULL, NULL);
    if (st == APP_OK) /* the contacts of a few thousand students sort in memory, not on disk (4 MB default) */
        st = db_query(conn, "SET LOCAL work_mem = '64MB'", 0, NULL, NULL, NULL);
    if (st == APP_OK)
        st = load_all(conn, q, when, school, out, why);
    db_rollback(conn);
    log_msg(LOG_DEBUG, "evaluation: %zu students loaded in %d queries", out->facts.n_students, out->queries);
    return st;
}

void evaluation_free(struct evaluation *ev)
{
    if (!ev)
        return;
    pe_calendar_free(ev->cal);
    repo_facts_free(&ev->facts);
    for (size_t i = 0; i < ev->n_schools; i++) {
        for (size_t v = 0; v < ev->schools[i].n; v++)
            pe_policy_free(ev->schools[i].versions[v]);
        free(ev->schools[i].versions);
    }
    free(ev->schools);
    memset(ev, 0, sizeof(*ev));
}

const struct school_versions *evaluation_school(const struct evaluation *ev, const char *school)
{
    struct school_versions key = {0};
    snprintf(key.school, sizeof(key.school), "%s", school);
    return ev->n_schools ? bsearch(&key, ev->schools, ev->n_schools, sizeof(*ev->schools), cmp_school) : NULL;
}

const pe_policy *evaluation_policy(const struct evaluation *ev, const struct school_versions *sv)
{
    return sv ? pe_policy_in_force((const pe_policy *const *)sv->versions, sv->n, ev->as_of_date) : NULL;
}

pe_err evaluation_student(const struct evaluation *ev, size_t i, const struct school_versions *sv, pe_findings *out)
{
    if (!sv)
        sv = evaluation_school(ev, ev->facts.students[i].school);
    if (!sv || sv->n == 0)
        return PE_OK;
    pe_tutor tutors[EVALUATION_MAX_TUTORS];
    pe_input in;
    memset(&in, 0, sizeof(in));
    repo_facts_input(&ev->facts, i, tutors, EVALUATION_MAX_TUTORS, &in);
    in.cal = ev->cal;
    in.versions = (const pe_policy *const *)sv->versions;
    in.n_versions = sv->n;
    in.as_of = ev->as_of;
    return pe_evaluate_student(&in, out);
}

/* The tutor's facts from the set, judged by the tutor rules of sv. */
pe_err evaluation_tutor(const struct evaluation *ev, const char *staff, const struct school_versions *sv,
                        pe_findings *out)
{
    const pe_tutor *t = repo_facts_tutor(&ev->facts, staff);
    if (!t || !sv || sv->n == 0)
        return PE_OK;
    return pe_evaluate_tutor(ev->cal, (const pe_policy *const *)sv->versions, sv->n, t, ev->as_of, out);
}

pe_err evaluation_school_findings(const struct evaluation *ev, const struct school_versions *sv, pe_findings *out)
{
    if (!sv || sv->n == 0)
        return PE_OK;
    return pe_evaluate_school(ev->cal, (const pe_policy *const *)sv->versions, sv->n, &ev->facts.school, ev->as_of,
                              out);
}

int evaluation_with_draft(const struct school_versions *sv, const char *school, pe_policy *draft,
                          struct school_versions *out)
{
    size_t n = sv ? sv->n : 0, k = 0;
    memset(out, 0, sizeof(*out));
    snprintf(out->school, sizeof(out->school), "%s", school);
    if (!(out->versions = malloc((n + 1) * sizeof(*out->versions))))
        return -1;
    for (size_t i = 0; i < n && sv->versions[i]->effective_from < draft->effective_from; i++)
        out->versions[k++] = sv->versions[i];
    out->versions[k++] = draft;
    for (size_t i = 0; i < n; i++)
        if (sv->versions[i]->effective_from > draft->effective_from)
            out->versions[k++] = sv->versions[i];
    out->n = k;
    return 0;
}
