/* report_rules.c — the reports' rule-based figures, judged by the policy engine (see report_rules.h). */
#include "report_rules.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batches.h"
#include "evaluation.h"
#include "text_set.h"

/* The student rules that say whether a tutee is being met. */
#define MEETING_RULES                                                                                                  \
    ((1u << PE_R_FIRST_MEETING_WITHIN) | (1u << PE_R_MEETINGS_PER_YEAR) | (1u << PE_R_MEETING_EACH_TERM))

int report_is_year_label(const char *s)
{
    if (!s || strlen(s) != 7 || s[4] != '/')
        return 0;
    for (int i = 0; i < 7; i++)
        if (i != 4 && !isdigit((unsigned char)s[i]))
            return 0;
    return (strtol(s, NULL, 10) + 1) % 100 == strtol(s + 5, NULL, 10);
}

char *report_format_instant(long long t, char buf[21])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

/* Students per batch of facts (report_rules_set_batch). */
static size_t batch_students = REPORT_BATCH_STUDENTS;

void report_rules_set_batch(size_t students)
{
    batch_students = students > 0 ? students : REPORT_BATCH_STUDENTS;
}

size_t report_rules_batch(void)
{
    return batch_students;
}

/* Loads the facts of the n students `numbers` (sorted, distinct: a contiguous range of student numbers),
 * judged at the end of as_of, with only the contacts of `contact_kinds` (NULL: all), and the tutors' facts
 * borrowed from `tutors` (repo_facts_load_tutors: as_of is a date, the day their caseloads are counted on in
 * every batch's evaluation). APP_CONFLICT when the calendar cannot be evaluated (nothing can be judged then:
 * batch_judged makes it not an error). */
static enum app_status load_facts(struct db_conn *conn, const char *const *numbers, size_t n, const char *as_of,
                                  const char *school, const char *contact_kinds, const struct facts_set *tutors,
                                  struct evaluation *ev)
{
    struct facts_query q = {.by = FACTS_BY_STUDENTS,
                            .students = numbers,
                            .n_students = n,
                            .contact_kinds = contact_kinds,
                            .tutors_from = tutors};
    struct as_of when;
    const char *why = NULL;
    evaluation_parse_as_of(as_of, &when);
    return evaluation_load(conn, &q, &when, school, ev, &why);
}

/* batches_run's status for a report: APP_OK with *judged 0 when the calendar could not be evaluated (the
 * report says so instead of failing), else the status with *judged 1. */
static enum app_status batch_judged(enum app_status st, int *judged)
{
    *judged = st != APP_CONFLICT;
    return st == APP_CONFLICT ? APP_OK : st;
}

/* The students per batch of a report's n students: batch_students at most, in as many batches as that takes
 * but an even number when there are several, all of this size but the last, so that the two connections of
 * batches.h (one loads the even batches, the other the odd) get equal shares. In batches of 4,000, 4,000 and
 * 2,000, a report of 10,000 students gave one connection 6,000 of them and the other 4,000. */
static size_t batch_stride(size_t n)
{
    size_t count = n / batch_students + (n % batch_students != 0);
    count += count > 1 && count % 2;
    return count ? n / count + (n % count != 0) : batch_students;
}

/* Where batch b of n students starts. */
static size_t batch_start(size_t b, size_t n)
{
    return b * batch_stride(n);
}

/* The number of batches for n students. */
static size_t batches_of(size_t n)
{
    size_t stride = batch_stride(n);
    return n / stride + (n % stride != 0);
}

/* The size of batch b of n students. */
static size_t batch_size(size_t b, size_t n)
{
    size_t stride = batch_stride(n), start = b * stride;
    return n - start < stride ? n - start : stride;
}

/* The tutors' facts of the n sorted student numbers `keys`, and of the n_staff tutors `staff` whatever their
 * tutees, loaded once for all of a report's batches: repo_facts_load_tutors over the range from the first key
 * to the last (n == 0: nobody). */
static enum app_status load_tutors_of(struct db_conn *conn, const char *const *keys, size_t n, const char *const *staff,
                                      size_t n_staff, const char *on, struct facts_set *out)
{
    return repo_facts_load_tutors(conn, n ? keys[0] : NULL, n ? keys[n - 1] : NULL, staff, n_staff, on, out);
}

/* 1 when f holds a breached finding of one of the rule types in `mask`, else 0. */
static int any_breached(const pe_findings *f, unsigned mask)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->items[i].status == PE_BREACHED && (mask & (1u << f->items[i].type)))
            return 1;
    return 0;
}

/* A counted tutor's state while the batches are judged. */
enum tutor_state {
    TUTOR_UNSEEN = -1,   /* in no batch's facts yet */
    TUTOR_FULFILS = 0,   /* no tutor-level rule of their school's policy is breached */
    TUTOR_BREACHES = 1,  /* a tutor-level rule is breached */
    TUTOR_NO_POLICY = 2, /* their school has no policy versions: cannot be judged */
};

/* The KPI judgement over every counted tutee, in batches of contiguous student numbers: `keys` every
 * counted tutee (sorted, distinct, borrowed from `tutors`), breach[k] whether keys[k] has a breached
 * meeting rule (-1: not in the facts), state[t] the tutor-level judgement of tutors[t]. */
struct kpi_judge {
    const json_t *tutors;
    const char **keys;
    size_t n_keys;
    signed char *breach, *state;
    struct facts_set tutor_facts; /* every counted tutee's tutors, lent to each batch */
    pe_findings findings;
    int nomem;
};

/* Fills j->keys with the distinct tutees of every counted tutor, sorted; 0, or -1 on OOM. */
static int collect_tutees(struct kpi_judge *j)
{
    size_t n = 0, i, k;
    const json_t *t, *v;
    json_array_foreach(j->tutors, i, t) n += json_array_size(json_object_get(t, "tutees"));
    if (!(j->keys = malloc((n ? n : 1) * sizeof(*j->keys))))
        return -1;
    json_array_foreach(j->tutors, i, t) json_array_foreach(json_object_get(t, "tutees"), k, v) j->keys[j->n_keys++] =
        json_string_value(v);
    j->n_keys = text_set_sort_distinct(j->keys, j->n_keys);
    return 0;
}

/* Judges the tutees keys[start..start+n) of one batch's facts `ev` (their meeting rules), and each counted
 * tutor not judged yet whose facts the batch holds (the tutor rules of their school's policy). The engine
 * judges the meeting rules alone (evaluation_student_rules): tutord's CPU per KPI report, 40,000-student
 * bench/gen, 323-336 -> 266-296 ms, the same report. */
static void judge_loaded(struct kpi_judge *j, const struct evaluation *ev, size_t start, size_t n)
{
    size_t i;
    const json_t *t;
    for (size_t k = start; k < start + n; k++) {
        long at = repo_facts_find(&ev->facts, j->keys[k]);
        if (at < 0)
            continue;
        pe_findings_clear(&j->findings);
        j->nomem |= evaluation_student_rules(ev, (size_t)at, NULL, MEETING_RULES, &j->findings) == PE_NOMEM;
        j->breach[k] = (signed char)any_breached(&j->findings, MEETING_RULES);
    }
    json_array_foreach(j->tutors, i, t)
    {
        const char *staff = json_string_value(json_object_get(t, "tutor"));
        if (j->state[i] != TUTOR_UNSEEN || !repo_facts_tutor(&ev->facts, staff))
            continue;
        const struct school_versions *sv = evaluation_school(ev, json_string_value(json_object_get(t, "school")));
        pe_findings_clear(&j->findings);
        j->nomem |= sv && evaluation_tutor(ev, staff, sv, &j->findings) == PE_NOMEM;
        enum tutor_state state = !sv                               ? TUTOR_NO_POLICY
                                 : any_breached(&j->findings, ~0u) ? TUTOR_BREACHES
                                                                   : TUTOR_FULFILS;
        j->state[i] = (signed char)state;
    }
}

/* 1 when counted tutor t (index i of j->tutors) does not fulfil the role at `threshold` percent of their
 * tutees with a breached meeting rule. */
static int tutor_failing(const struct kpi_judge *j, size_t i, const json_t *t, double threshold)
{
    if (j->state[i] == TUTOR_BREACHES)
        return 1;
    const json_t *tutees = json_object_get(t, "tutees"), *v;
    size_t k, bad = 0, n = json_array_size(tutees);
    json_array_foreach(tutees, k, v)
    {
        const char *number = json_string_value(v);
        const char **at = bsearch(&number, j->keys, j->n_keys, sizeof(*j->keys), text_set_cmp);
        bad += at && j->breach[at - j->keys] == 1;
    }
    return n > 0 && 100.0 * (double)bad / (double)n >= threshold;
}

/* Counts the failing tutors per school into `counts` ({school: n}), each school at its threshold in
 * `thresholds` ({school: percent}); a school with counted tutors but no policy goes into `unjudged`. */
static void tally(const struct kpi_judge *j, const json_t *thresholds, json_t *counts, json_t *unjudged)
{
    size_t i;
    const json_t *t;
    json_array_foreach(j->tutors, i, t)
    {
        const char *school = json_string_value(json_object_get(t, "school"));
        const json_t *threshold = json_object_get(thresholds, school);
        if (j->state[i] == TUTOR_NO_POLICY || !json_is_number(threshold)) {
            json_object_set_new(unjudged, school, json_true());
            continue;
        }
        json_int_t n = json_integer_value(json_object_get(counts, school));
        json_object_set_new(counts, school, json_integer(n + tutor_failing(j, i, t, json_number_value(threshold))));
    }
}

/* Writes the tallies into the rows: a school's count (0 without counted tutors), null when unjudged; the
 * total row (school null) the sum of the judged schools, null when none was judged. breach_threshold is
 * the school's from `thresholds` (null: no policy); on the total row the override, else null (each school
 * is judged at its own). */
static void fill_rows(json_t *rows, const json_t *counts, const json_t *unjudged, int judged, const json_t *thresholds,
                      double override)
{
    size_t i;
    json_t *row;
    json_int_t sum = 0;
    int any = 0;
    json_array_foreach(rows, i, row)
    {
        const char *school = json_string_value(json_object_get(row, "school"));
        int ok = judged && (!school || !json_object_get(unjudged, school));
        json_int_t n = school ? json_integer_value(json_object_get(counts, school)) : sum;
        if (school && ok)
            sum += n, any = 1;
        json_t *threshold = school ? json_object_get(thresholds, school) : NULL;
        json_object_set_new(row, "tutors_not_fulfilling_role", ok && (school || any) ? json_integer(n) : json_null());
        json_object_set_new(row, "breach_threshold",
                            threshold      ? json_incref(threshold)
                            : override > 0 ? json_real(override)
                                           : json_null());
    }
}

/* What the KPI batches read: the counted tutees j->keys, the year's as_of, the school and contact kinds. */
struct kpi_batches {
    struct kpi_judge *j;
    const struct report_year *year;
    const char *school, *kinds;
};

/* batches.load: the facts of batch b of the counted tutees (only the contacts of `kinds`). */
static enum app_status load_kpi_batch(struct db_conn *conn, size_t b, void *ctx, struct evaluation *ev)
{
    const struct kpi_batches *kb = ctx;
    const struct kpi_judge *j = kb->j;
    return load_facts(conn, j->keys + batch_start(b, j->n_keys), batch_size(b, j->n_keys), kb->year->as_of, kb->school,
                      kb->kinds, &j->tutor_facts, ev);
}

/* batches.judge: the tutees and tutors of batch b judged into j. */
static enum app_status judge_kpi_batch(size_t b, const struct evaluation *ev, void *ctx)
{
    struct kpi_judge *j = ((const struct kpi_batches *)ctx)->j;
    judge_loaded(j, ev, batch_start(b, j->n_keys), batch_size(b, j->n_keys));
    return j->nomem ? APP_NOMEM : APP_OK;
}

/* Judges every counted tutee and tutor of j (j->tutors set) batch by batch, on conn and, when not NULL, on
 * `second` at the same time (batches_run); *judged 0 when the calendar cannot be evaluated. */
static enum app_status judge_all(struct db_conn *conn, struct db_conn *second, struct kpi_judge *j,
                                 const struct report_year *year, const char *school, const char *kinds, int *judged)
{
    size_t n_tutors = json_array_size(j->tutors);
    if (collect_tutees(j) != 0 || !(j->breach = malloc(j->n_keys + 1)) || !(j->state = malloc(n_tutors + 1)))
        return APP_NOMEM;
    memset(j->breach, -1, j->n_keys + 1);
    memset(j->state, TUTOR_UNSEEN, n_tutors + 1);
    /* every counted tutor's facts, also of one without tutees on as_of (judged on the tutor rules alone) */
    const char **staff = malloc((n_tutors + 1) * sizeof(*staff));
    if (!staff)
        return APP_NOMEM;
    for (size_t i = 0; i < n_tutors; i++)
        staff[i] = json_string_value(json_object_get(json_array_get(j->tutors, i), "tutor"));
    enum app_status st = load_tutors_of(conn, j->keys, j->n_keys, staff, n_tutors, year->as_of, &j->tutor_facts);
    free(staff);
    if (st != APP_OK)
        return st;
    struct kpi_batches kb = {j, year, school, kinds};
    /* at least one load, even of nobody: whether the calendar can be judged */
    size_t n = j->n_keys ? batches_of(j->n_keys) : 1;
    const struct batches b = {n, load_kpi_batch, judge_kpi_batch, &kb, NULL};
    return batch_judged(batches_run(conn, second, &b), judged);
}

/* The policy `text` of a school (a JSON object stored valid) parsed: a new policy (pe_policy_free), or NULL
 * when it does not parse. */
static pe_policy *parse_policy(const json_t *text)
{
    pe_policy *p = NULL;
    json_t *errors = NULL;
    if (pe_policy_parse(text, &p, &errors) != PE_OK)
        p = NULL;
    json_decref(errors);
    return p;
}

/* {school: percent} for every school of `policies` ({school: policy in force}): `override` when it is
 * positive, else the policy's not_fulfilling_pct (default 25). New reference; NULL on OOM. */
static json_t *thresholds_of(const json_t *policies, double override)
{
    json_t *out = json_object();
    const char *school;
    const json_t *text;
    json_object_foreach((json_t *)policies, school, text)
    {
        if (override > 0) {
            json_object_set_new(out, school, json_real(override));
            continue;
        }
        pe_policy *p = parse_policy(text);
        if (p)
            json_object_set_new(out, school, json_integer(p->not_fulfilling_pct));
        pe_policy_free(p);
    }
    return out;
}

/* The rule-based KPI figures (report_kpi_rows), judged and not yet written into the rows: fill_rows' inputs
 * (owned). */
struct kpi_verdicts {
    json_t *counts, *unjudged, *thresholds;
    int judged;
};

static void kpi_verdicts_free(struct kpi_verdicts *v)
{
    json_decref(v->counts);
    json_decref(v->unjudged);
    json_decref(v->thresholds);
}

/* Judges every counted tutee and tutor for report_kpi_rows into *v (zeroed by the caller; free it with
 * kpi_verdicts_free whatever the outcome): on conn, and on `second` too when not NULL. */
static enum app_status judge_kpis(struct db_conn *conn, struct db_conn *second, const struct principal *who,
                                  const char *school, const struct report_year *year, double override,
                                  const json_t *policies, struct kpi_verdicts *v)
{
    json_t *tutors = NULL;
    char *kinds = NULL; /* only meeting rules and tutor-level rules are judged here: load only their contacts */
    struct kpi_judge j = {0};
    pe_findings_init(&j.findings);
    v->judged = 1;
    v->counts = json_object(), v->unjudged = json_object();
    enum app_status st = v->counts && v->unjudged && (v->thresholds = thresholds_of(policies, override))
                             ? repo_report_kpi_tutors(conn, who, school, year, &tutors)
                             : APP_NOMEM;
    if (st == APP_OK)
        st = repo_report_meeting_kinds(conn, &kinds);
    j.tutors = tutors;
    if (st == APP_OK)
        st = judge_all(conn, second, &j, year, school, kinds, &v->judged);
    if (st == APP_OK && v->judged)
        tally(&j, v->thresholds, v->counts, v->unjudged);
    pe_findings_free(&j.findings);
    repo_facts_free(&j.tutor_facts);
    free(j.keys);
    free(j.breach);
    free(j.state);
    free(kinds);
    json_decref(tutors);
    return st;
}

void report_rules_senior_hours(const json_t *policies, json_t *schools)
{
    size_t i;
    json_t *row;
    json_array_foreach(schools, i, row)
    {
        pe_policy *p = parse_policy(json_object_get(policies, json_string_value(json_object_get(row, "school"))));
        int hours =
            p ? pe_senior_hours_for(&p->senior_tutor_hours, (int)json_integer_value(json_object_get(row, "tutees")))
              : -1;
        json_object_set_new(row, "senior_tutor_hours", hours < 0 ? json_null() : json_integer(hours));
        pe_policy_free(p);
    }
}

/* The evidence of finding k: each contact id with its kind, instant and attendance. */
static json_t *evidence_of(const struct evaluation *ev, const struct facts_student *s, const pe_findings *f, size_t k)
{
    json_t *out = json_array();
    char at[21];
    for (size_t e = 0; out && e < f->items[k].ev_n; e++) {
        int64_t id = f->ids[f->items[k].ev_off + e];
        for (size_t c = s->first_contact; c < s->first_contact + s->n_contacts; c++) {
            const pe_contact *x = &ev->facts.contacts[c];
            if (x->id == id)
                json_array_append_new(out,
                                      json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)id, "kind",
                                                PE_CONTACT_KIND_NAMES[x->kind], "at", report_format_instant(x->at, at),
                                                "attendance", PE_ATTENDANCE_NAMES[x->attendance]));
        }
    }
    return out;
}

/* True when a concern raised by staff (a tutor's or senior tutor's referral: the escalation the rule asks
 * for, not the student's own complaint about their tutoring) is open for the student. */
static int has_open_concern(const struct evaluation *ev, const struct facts_student *s)
{
    for (size_t c = s->first_concern; c < s->first_concern + s->n_concerns; c++)
        if (ev->facts.concerns[c].closed_on == PE_NO_DATE && ev->facts.concerns[c].raised_by != PE_RAISED_BY_STUDENT)
            return 1;
    return 0;
}

/* Appends the escalation row of tutee r of `t` (repo_report_tutees: {student, student_name, school, tutor,
 * tutor_name, reason, evidence, detail}) to items when its missed_meetings_escalation finding is breached
 * and no concern is open. The engine judges that rule alone: tutord's CPU per engagement report,
 * 40,000-student bench/gen, 288-331 -> 205-243 ms, the same report. */
static pe_err escalation_row(const struct evaluation *ev, const struct report_table *t, size_t r, pe_findings *f,
                             json_t *items)
{
    const char *const *cell = t->cells + r * t->cols;
    long i = repo_facts_find(&ev->facts, cell[REPORT_TUTEE_STUDENT]);
    if (i < 0 || has_open_concern(ev, &ev->facts.students[i]))
        return PE_OK;
    pe_findings_clear(f);
    pe_err err = evaluation_student_rules(ev, (size_t)i, NULL, 1u << PE_R_MISSED_MEETINGS_ESCALATION, f);
    for (size_t k = 0; err == PE_OK && k < f->n; k++) {
        if (f->items[k].type != PE_R_MISSED_MEETINGS_ESCALATION || f->items[k].status != PE_BREACHED)
            continue;
        json_t *row = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s, s:o, s:s}", "student", cell[REPORT_TUTEE_STUDENT],
                                "student_name", cell[REPORT_TUTEE_STUDENT_NAME], "school", cell[REPORT_TUTEE_SCHOOL],
                                "tutor", cell[REPORT_TUTEE_TUTOR], "tutor_name", cell[REPORT_TUTEE_TUTOR_NAME],
                                "reason", "missed_meetings_escalation", "evidence",
                                evidence_of(ev, &ev->facts.students[i], f, k), "detail", f->items[k].detail);
        if (!row || json_array_append_new(items, row) != 0)
            err = PE_NOMEM;
    }
    return err;
}

/* The sort keys of the engagement items, in order (repo_report_engagement_finish's REPORT_ITEM_* columns). */
static const char *const ITEM_KEYS[] = {"school", "tutor", "student", "reason"};

static int cmp_items(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int d = 0;
    for (size_t k = 0; d == 0 && k < sizeof(ITEM_KEYS) / sizeof(ITEM_KEYS[0]); k++)
        d = strcmp(json_string_value(json_object_get(x, ITEM_KEYS[k])),
                   json_string_value(json_object_get(y, ITEM_KEYS[k])));
    return d;
}

/* Sorts the items of the engagement report in place (by school, tutor, student, reason). */
static enum app_status sort_items(json_t *items)
{
    size_t n = json_array_size(items);
    json_t **all = malloc((n ? n : 1) * sizeof(*all));
    if (!all)
        return APP_NOMEM;
    for (size_t i = 0; i < n; i++)
        all[i] = json_incref(json_array_get(items, i));
    qsort(all, n, sizeof(*all), cmp_items);
    json_array_clear(items);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, all[i]);
    free(all);
    return APP_OK;
}

/* The contacts the missed_meetings_escalation rule counts (meetings and group meetings missed): the
 * escalation pass loads no other kind. */
static const char ESCALATION_KINDS[] = "{meeting,group_meeting}";

/* What the engagement's batches read: the tutees (rows of `t`, in student-number order) and their numbers,
 * their tutors' facts, the school and as_of; and where the escalations go. */
struct escalation_batches {
    const struct report_table *t;
    const char *const *numbers;
    const struct facts_set *tutors;
    const char *school, *as_of;
    json_t *items;
};

/* batches.load: the facts of batch b of the tutees, their meetings alone. */
static enum app_status load_escalation_batch(struct db_conn *conn, size_t b, void *ctx, struct evaluation *ev)
{
    const struct escalation_batches *e = ctx;
    return load_facts(conn, e->numbers + batch_start(b, e->t->n), batch_size(b, e->t->n), e->as_of, e->school,
                      ESCALATION_KINDS, e->tutors, ev);
}

/* batches.judge: the missed-meeting escalations of batch b's tutees, appended to items. */
static enum app_status judge_escalation_batch(size_t b, const struct evaluation *ev, void *ctx)
{
    const struct escalation_batches *e = ctx;
    pe_findings f;
    pe_findings_init(&f);
    enum app_status st = APP_OK;
    size_t start = batch_start(b, e->t->n), n = batch_size(b, e->t->n);
    for (size_t i = 0; st == APP_OK && i < n; i++)
        if (escalation_row(ev, e->t, start + i, &f, e->items) == PE_NOMEM)
            st = APP_NOMEM;
    pe_findings_free(&f);
    return st;
}

/* The student numbers of the rows of `t` (borrowed), in its order; NULL on OOM. */
static const char **tutee_numbers(const struct report_table *t)
{
    const char **numbers = malloc((t->n ? t->n : 1) * sizeof(*numbers));
    for (size_t i = 0; numbers && i < t->n; i++)
        numbers[i] = t->cells[i * t->cols + REPORT_TUTEE_STUDENT];
    return numbers;
}

enum app_status report_rules_engagement(struct db_conn *conn, struct db_conn *second, const struct principal *who,
                                        const char *school, const char *as_of, json_t *items)
{
    struct report_table tutees;
    struct facts_set tutors = {0};
    const char **numbers = NULL;
    int judged = 1;
    enum app_status st = repo_report_tutees(conn, who, school, as_of, &tutees); /* in student-number order */
    if (st == APP_OK)
        st = (numbers = tutee_numbers(&tutees)) ? load_tutors_of(conn, numbers, tutees.n, NULL, 0, as_of, &tutors)
                                                : APP_NOMEM;
    struct escalation_batches e = {&tutees, numbers, &tutors, school, as_of, items};
    const struct batches b = {batches_of(tutees.n), load_escalation_batch, judge_escalation_batch, &e, NULL};
    if (st == APP_OK)
        st = batch_judged(batches_run(conn, second, &b), &judged);
    repo_facts_free(&tutors);
    free(numbers);
    repo_report_table_free(&tutees);
    return st == APP_OK ? sort_items(items) : st;
}

/* strcmp order of SQL item r of `sql` against the rule item `item`, by school, tutor, student, reason. */
static int cmp_row_item(const struct report_table *sql, size_t r, const json_t *item)
{
    int d = 0;
    for (size_t k = 0; d == 0 && k < sizeof(ITEM_KEYS) / sizeof(ITEM_KEYS[0]); k++)
        d = strcmp(sql->cells[r * sql->cols + k], json_string_value(json_object_get(item, ITEM_KEYS[k])));
    return d;
}

int report_engagement_each(const struct report_table *sql, const json_t *rules,
                           int (*emit)(const json_t *item, const char *text, void *ctx), void *ctx)
{
    size_t r = 0, k = 0, n_rules = json_array_size(rules);
    int rc = 0;
    while (rc == 0 && (r < sql->n || k < n_rules)) {
        const json_t *rule = json_array_get(rules, k);
        if (r < sql->n && (k == n_rules || cmp_row_item(sql, r, rule) < 0)) {
            rc = emit(NULL, sql->cells[r++ * sql->cols + REPORT_ITEM_JSON], ctx);
        } else {
            rc = emit(rule, NULL, ctx);
            k++;
        }
    }
    return rc;
}

/* ---- the KPI list (GET /reports/kpis, the annual report) ---------------------------------------------- */

const struct csv_column REPORT_KPI_COLUMNS[] = {
    {"school", "school"},
    {"year", "year"},
    {"as_of", "as_of"},
    {"tutors", "tutors"},
    {"tutees_per_tutor_median", "tutees_per_tutor.median"},
    {"tutees_per_tutor_max", "tutees_per_tutor.max"},
    {"pct_not_allocated_within_week", "pct_not_allocated_within_week"},
    {"pct_tutors_trained_3y", "pct_tutors_trained_3y"},
    {"pct_tutors_quiz_3y", "pct_tutors_quiz_3y"},
    {"median_quiz_score", "median_quiz_score"},
    {"tutors_not_fulfilling_role", "tutors_not_fulfilling_role"},
    {"breach_threshold", "breach_threshold"},
    {"pct_tutees_requesting_change", "pct_tutees_requesting_change"},
    {"tutees", "tutees"},
    {"tutees_requesting_change", "tutees_requesting_change"},
    {"registered", "registered"},
    {"not_allocated_within_week", "not_allocated_within_week"},
    {"pct_saes_contact_approval", "pct_saes_contact_approval"},
    {"pct_saes_positive_experience", "pct_saes_positive_experience"},
};

const size_t REPORT_KPI_N_COLUMNS = sizeof(REPORT_KPI_COLUMNS) / sizeof(REPORT_KPI_COLUMNS[0]);

enum app_status report_kpi_rows(struct db_conn *conn, struct db_pool *pool, const struct principal *who,
                                const char *school, const char *year_label, const char *as_of, double threshold,
                                json_t **rows)
{
    struct report_year year;
    json_t *policies = NULL;
    struct db_conn *spare = NULL, *second = NULL;
    struct kpi_verdicts v = {0};
    *rows = NULL;
    enum app_status st = repo_report_access(conn, who, school, 0);
    if (st == APP_OK)
        st = repo_report_snapshot(conn);
    if (st == APP_OK)
        st = repo_report_year(conn, year_label, as_of, &year);
    if (st == APP_OK)
        st = repo_report_policies(conn, who, school, year.as_of, &policies);
    /* with none to spare, the rule-based count is judged after the aggregates, on conn; with two, its
     * batches are read on both */
    int beside = st == APP_OK && pool && db_acquire_spare(pool, &spare) == APP_OK;
    if (beside) /* none to spare: second stays NULL */
        (void)db_acquire_spare(pool, &second);
    if (st == APP_OK)
        st = repo_report_kpis_start(conn, who, school, &year);
    enum app_status rules =
        st == APP_OK && beside ? judge_kpis(spare, second, who, school, &year, threshold, policies, &v) : APP_OK;
    db_release(pool, second);
    db_release(pool, spare);
    if (st == APP_OK)
        st = repo_report_kpis_finish(conn, rows);
    db_rollback(conn);
    if (st == APP_OK)
        st = beside ? rules : judge_kpis(conn, NULL, who, school, &year, threshold, policies, &v);
    if (st == APP_OK)
        fill_rows(*rows, v.counts, v.unjudged, v.judged, v.thresholds, threshold);
    kpi_verdicts_free(&v);
    json_decref(policies);
    return st;
}
