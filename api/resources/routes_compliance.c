/* routes_compliance.c — the policy engine evaluated on demand (SPEC §3): GET /students/{n}/compliance,
 * GET /tutors/{staff}/compliance, GET /tutors/{staff}/agenda, GET /schools/{code}/compliance.
 * Each request loads its facts in a fixed number of queries (evaluation.h), releases the connection,
 * then runs the engine; a school's students are loaded and judged a page at a time instead, so that only
 * one page's facts are held. Who may see which student is tutord_student_visible() (access.h). */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "compliance_tally.h"
#include "evaluation.h"
#include "heavy_read.h"
#include "http.h"
#include "repo_policies.h"
#include "repo_tutors.h"
#include "report_rules.h"
#include "unit_of_work.h"

/* ---- shared ---------------------------------------------------------------------------------------- */

/* The registry (the SRS integration) has no part in compliance; everyone else is filtered by visibility. */
static int forbid_registry(struct _u_response *resp)
{
    if (access_has_role(http_principal(resp), ROLE_STUDENT | ROLE_TUTOR | ROLE_SENIOR_TUTOR | ROLE_ADMIN))
        return 0;
    http_problem_for(resp, APP_FORBIDDEN, "compliance is not available to this role");
    return -1;
}

/* The caller's visibility; the registry role widens nothing here. */
static void compliance_scope(const struct principal *who, struct access_scope *scope)
{
    access_scope_of(who, scope);
    if (!access_has_role(who, ROLE_ADMIN))
        scope->params[0] = "f";
}

/* Reads ?as_of=; returns 0, or -1 after a 400 naming it. */
static int read_as_of(const struct _u_request *req, struct _u_response *resp, struct as_of *out)
{
    if (evaluation_parse_as_of(http_query(req, "as_of"), out) == 0)
        return 0;
    http_problem_field(resp, 400, "as_of", "must be a date (YYYY-MM-DD) or an RFC 3339 instant");
    return -1;
}

/* Where a compliance read stopped (load_ctx.stage), for the answer to its failure. */
enum load_stage { LOAD_CONNECT, LOAD_TUTOR, LOAD_AUTHORITY, LOAD_FACTS };

/* A compliance read (uow_work context). In: the caller, the facts query, the date; `school` whose policy
 * applies (NULL: each student's own); `tutor`, a tutor to look up first (their school then applies);
 * `authority`, a school the caller must be a senior tutor of (or admin). Out: the evaluation, the tutor's
 * school, where it stopped, and why the facts could not be loaded (APP_CONFLICT). */
struct load_ctx {
    const struct principal *who;
    const struct facts_query *q;
    const struct as_of *when;
    const char *school, *tutor, *authority;
    char tutor_school[20];
    struct evaluation ev;
    enum load_stage stage;
    const char *why;
    struct school_judge *judge; /* the school judged page by page instead of `ev` (GET /schools/{c}/compliance) */
    struct db_pool *pool;       /* the connection's pool, when a second one may be taken beside it (the school) */
};

static int judge_school_part(const struct evaluation *ev, size_t slot, void *arg);
static int take_school_part(const struct evaluation *ev, int first, size_t slot, void *arg);

/* uow_work: the gates asked for (tutor, authority), then the facts into the evaluation. */
static enum app_status load_work(struct db_conn *conn, void *ctx)
{
    struct load_ctx *l = ctx;
    enum app_status st;
    l->stage = LOAD_TUTOR;
    if (l->tutor) {
        if ((st = repo_tutor_school(conn, l->who, l->tutor, l->tutor_school, sizeof(l->tutor_school))) != APP_OK)
            return st;
        l->school = l->tutor_school;
    }
    l->stage = LOAD_AUTHORITY;
    if (l->authority && (st = repo_school_authority(conn, l->who, l->authority)) != APP_OK)
        return st;
    l->stage = LOAD_FACTS;
    if (l->judge) {                    /* two pages read at once when the pool has a connection to spare */
        struct db_conn *second = NULL; /* stays NULL when there is none to spare */
        if (l->pool)
            (void)db_acquire_spare(l->pool, &second);
        const struct page_judge judge = {judge_school_part, take_school_part, l->judge};
        st = evaluation_school_pages(conn, second, l->q, l->when, l->school, report_rules_batch(), &judge, &l->why);
        db_release(l->pool, second);
        return st;
    }
    return evaluation_load(conn, l->q, l->when, l->school, &l->ev, &l->why);
}

/* Answers the failure `st` of a compliance read by where it stopped. */
static int load_refused(struct _u_response *resp, const struct load_ctx *l, enum app_status st)
{
    switch (l->stage) {
    case LOAD_TUTOR:
        return http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such tutor" : NULL);
    case LOAD_AUTHORITY:
        return http_problem_for(resp, st,
                                st == APP_NOT_FOUND
                                    ? "no such school"
                                    : "only a senior tutor of the school or an admin may see its compliance");
    case LOAD_FACTS:
        if (st == APP_CONFLICT)
            return http_problem_for(resp, APP_CONFLICT, l->why);
        /* fall through */
    default:
        return http_problem_for(resp, st, NULL);
    }
}

static json_t *date_json(pe_date d)
{
    char buf[11];
    return d == PE_NO_DATE ? json_null() : json_string(pe_date_format(d, buf));
}

/* {name, effective_from} of the policy, or null. */
static json_t *policy_json(const pe_policy *p)
{
    return p ? json_pack("{s:s?, s:o}", "name", p->name, "effective_from", date_json(p->effective_from)) : json_null();
}

static int engine_failed(struct _u_response *resp, json_t *partial)
{
    json_decref(partial);
    return http_problem_for(resp, APP_NOMEM, NULL);
}

/* ---- GET /students/{student_number}/compliance -------------------------------------------------------- */

static int callback_compliance_student(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    struct as_of when;
    if (forbid_registry(resp) != 0 || read_as_of(req, resp, &when) != 0)
        return U_CALLBACK_COMPLETE;
    const char *number = http_path_param(req, "student_number");
    struct access_scope scope;
    compliance_scope(http_principal(resp), &scope);
    struct facts_query q = {.by = FACTS_BY_STUDENTS, .students = &number, .n_students = 1, .scope = &scope};
    struct load_ctx l = {.who = http_principal(resp), .q = &q, .when = &when};
    enum app_status st = uow_read(app->pool, load_work, &l);
    struct evaluation ev = l.ev;
    if (st != APP_OK)
        return evaluation_free(&ev), load_refused(resp, &l, st);
    if (ev.facts.n_students == 0) {
        evaluation_free(&ev);
        return http_problem_for(resp, APP_NOT_FOUND, "no such student");
    }
    pe_findings f;
    pe_findings_init(&f);
    json_t *body = NULL;
    if (evaluation_student(&ev, 0, NULL, &f) == PE_OK)
        body = pe_compliance_to_json(number, ev.as_of_date,
                                     evaluation_policy(&ev, evaluation_school(&ev, ev.facts.students[0].school)), &f);
    pe_findings_free(&f);
    evaluation_free(&ev);
    return body ? http_json(resp, 200, body) : engine_failed(resp, NULL);
}

/* ---- tutors: compliance and agenda -------------------------------------------------------------------- */

/* Checks access and loads the tutor's tutees (personal and cover allocations in force on as_of), their
 * school into school[size]. Returns 0, or -1 after answering (400 as_of, 403 students and registry, 404
 * not visible). */
static int load_tutor(const struct _u_request *req, struct _u_response *resp, const struct app *app,
                      struct evaluation *ev, char *school, size_t size)
{
    struct as_of when;
    memset(ev, 0, sizeof(*ev));
    if (read_as_of(req, resp, &when) != 0)
        return -1;
    const struct principal *who = http_principal(resp);
    if (!access_has_role(who, ROLE_TUTOR | ROLE_SENIOR_TUTOR | ROLE_ADMIN)) {
        http_problem_for(resp, APP_FORBIDDEN, "only tutors, senior tutors and admins see tutors' compliance");
        return -1;
    }
    const char *number = http_path_param(req, "staff_number");
    struct access_scope scope;
    compliance_scope(who, &scope);
    struct facts_query q = {.by = FACTS_BY_TUTOR, .key = number, .scope = &scope};
    struct load_ctx l = {.who = who, .q = &q, .when = &when, .tutor = number};
    enum app_status st = uow_read(app->pool, load_work, &l);
    *ev = l.ev;
    snprintf(school, size, "%s", l.tutor_school);
    if (st == APP_OK)
        return 0;
    load_refused(resp, &l, st);
    return -1;
}

/* Tutor-level findings and the per-rule tally over the tutees. */
static json_t *tutor_compliance(const struct evaluation *ev, const char *number, const char *school)
{
    const struct school_versions *sv = evaluation_school(ev, school);
    pe_findings f;
    pe_findings_init(&f);
    struct tally t = {0};
    int ok = evaluation_tutor(ev, number, sv, &f) == PE_OK;
    json_t *tutor_findings = ok ? pe_findings_to_json(&f) : NULL;
    for (size_t i = 0; ok && i < ev->facts.n_students; i++) {
        pe_findings_clear(&f);
        ok = evaluation_student(ev, i, NULL, &f) == PE_OK && tally_add(&t, &f) == 0;
    }
    json_t *body =
        ok && tutor_findings
            ? json_pack("{s:s, s:s, s:o, s:o, s:O, s:I, s:o}", "tutor", number, "school", school, "as_of",
                        date_json(ev->as_of_date), "policy", policy_json(evaluation_policy(ev, sv)), "findings",
                        tutor_findings, "tutees", (json_int_t)ev->facts.n_students, "rules", tally_to_json(&t))
            : NULL;
    json_decref(tutor_findings);
    tally_free(&t);
    pe_findings_free(&f);
    return body;
}

static int callback_compliance_tutor(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    struct evaluation ev;
    char school[20];
    if (load_tutor(req, resp, user_data, &ev, school, sizeof(school)) != 0)
        return evaluation_free(&ev), U_CALLBACK_COMPLETE;
    json_t *body = tutor_compliance(&ev, http_path_param(req, "staff_number"), school);
    evaluation_free(&ev);
    return body ? http_json(resp, 200, body) : engine_failed(resp, NULL);
}

struct agenda_item {
    char *text; /* the item as compact JSON: the finding, then "student" and "name" */
    pe_date due;
    int breached;
    const char *student;
};

/* Soonest first; on the same day breached first; then by student. */
static int cmp_agenda(const void *a, const void *b)
{
    const struct agenda_item *x = a, *y = b;
    if (x->due != y->due)
        return x->due < y->due ? -1 : 1;
    if (x->breached != y->breached)
        return y->breached - x->breached;
    return strcmp(x->student, y->student);
}

/* The rule types a personal tutor cannot act on, left off their agenda: allocating a tutor (and naming
 * one), arranging cover during an absence, the under-18 meeting with the senior tutor, inviting feedback
 * and the number of senior tutors are the senior tutor's or the school's to do. Everything else — the
 * meetings, contacts, replies, summaries and escalations with their own tutees — stays. */
static const pe_rule_type NOT_THE_TUTORS[] = {
    PE_R_ALLOCATION_WITHIN,      PE_R_PERSONAL_TUTOR_NAMED, PE_R_COVER_DURING_ABSENCE,
    PE_R_UNDER18_SENIOR_MEETING, PE_R_FEEDBACK_INVITED,     PE_R_SENIOR_TUTORS,
};

/* True when a finding of rule type `t` belongs on a tutor's agenda. */
static int on_tutors_agenda(pe_rule_type t)
{
    for (size_t i = 0; i < sizeof(NOT_THE_TUTORS) / sizeof(NOT_THE_TUTORS[0]); i++)
        if (NOT_THE_TUTORS[i] == t)
            return 0;
    return 1;
}

/* Drops the findings the tutor cannot act on, keeping the others in order (evidence stays in place). */
static void keep_tutors_findings(pe_findings *f)
{
    size_t kept = 0;
    for (size_t k = 0; k < f->n; k++)
        if (on_tutors_agenda(f->items[k].type))
            f->items[kept++] = f->items[k];
    f->n = kept;
}

/* The agenda item of finding k of f for student s, as JSON text (NULL when out of memory): written, not built
 * with jansson and dumped (lib/finding_text.c says why), byte for byte as pe_finding_to_json's object with the
 * members "student" and "name" added. */
static char *agenda_item_text(const pe_findings *f, size_t k, const struct facts_student *s)
{
    pe_text t = {0};
    pe_finding_write_open(f, k, &t);
    pe_text_puts(&t, ",\"student\":");
    pe_text_string(&t, s->number);
    if (s->name) { /* as json_object_set_new, which adds no member for a NULL string */
        pe_text_puts(&t, ",\"name\":");
        pe_text_string(&t, s->name);
    }
    pe_text_puts(&t, "}");
    return pe_text_take(&t);
}

/* For each tutee, the next thing due that the tutor can act on (pe_findings_next_due over the findings
 * keep_tutors_findings leaves), as an item; returns the count, or -1 (the items made so far freed). */
static long agenda_items(const struct evaluation *ev, struct agenda_item *items)
{
    pe_findings f;
    pe_findings_init(&f);
    long n = 0;
    int ok = 1;
    for (size_t i = 0; ok && i < ev->facts.n_students; i++) {
        pe_findings_clear(&f);
        if (!(ok = evaluation_student(ev, i, NULL, &f) == PE_OK))
            break;
        keep_tutors_findings(&f);
        long k = pe_findings_next_due(&f);
        if (k < 0)
            continue;
        const struct facts_student *s = &ev->facts.students[i];
        char *text = agenda_item_text(&f, (size_t)k, s);
        if ((ok = text != NULL))
            items[n++] = (struct agenda_item){text, f.items[k].due, f.items[k].status == PE_BREACHED, s->number};
    }
    pe_findings_free(&f);
    while (!ok && n > 0)
        free(items[--n].text);
    return ok ? n : -1;
}

/* The page of agenda items from position `from` (the cursor is a position in the sorted agenda), as JSON text:
 * {tutor, as_of, tutees, items, next_cursor}, as jansson would write it. NULL when out of memory. */
static char *agenda_page(const struct evaluation *ev, const char *number, const struct agenda_item *items, long n,
                         const struct page *page)
{
    long from = page->after ? strtol(page->after, NULL, 10) : 0;
    char next[24];
    snprintf(next, sizeof(next), "%ld", from + page->limit);
    char *cursor_text = http_cursor_text(from + page->limit < n ? next : NULL);
    pe_text t = {.failed = cursor_text == NULL};
    pe_text_puts(&t, "{\"tutor\":");
    pe_text_string(&t, number);
    pe_text_puts(&t, ",\"as_of\":");
    pe_text_date(&t, ev->as_of_date);
    pe_text_puts(&t, ",\"tutees\":");
    pe_text_int(&t, (int64_t)ev->facts.n_students);
    pe_text_puts(&t, ",\"items\":[");
    for (long i = from; i < n && i < from + page->limit; i++) {
        if (i > from)
            pe_text_puts(&t, ",");
        pe_text_puts(&t, items[i].text);
    }
    pe_text_puts(&t, "],\"next_cursor\":");
    pe_text_puts(&t, cursor_text ? cursor_text : "null");
    pe_text_puts(&t, "}");
    free(cursor_text);
    return pe_text_take(&t);
}

static int callback_agenda(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    struct page page;
    if (http_page(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    /* a position: 1 to 9 digits, so that position + limit cannot overflow */
    if (page.after &&
        (page.after[0] == '\0' || strlen(page.after) > 9 || strspn(page.after, "0123456789") != strlen(page.after))) {
        http_page_free(&page);
        return http_problem_field(resp, 400, "cursor", "cursor is not one this service issued");
    }
    struct evaluation ev;
    char school[20];
    char *body = NULL;
    struct agenda_item *items = NULL;
    long n = -1;
    int rc = load_tutor(req, resp, user_data, &ev, school, sizeof(school));
    if (rc == 0 && (items = calloc(ev.facts.n_students + 1, sizeof(*items))))
        n = agenda_items(&ev, items);
    if (n >= 0) {
        qsort(items, (size_t)n, sizeof(*items), cmp_agenda);
        body = agenda_page(&ev, http_path_param(req, "staff_number"), items, n, &page);
    }
    for (long i = 0; i < n; i++)
        free(items[i].text);
    free(items);
    evaluation_free(&ev);
    http_page_free(&page);
    if (rc != 0)
        return U_CALLBACK_COMPLETE;
    return body ? http_json_text(resp, 200, body) : engine_failed(resp, NULL);
}

/* ---- GET /schools/{code}/compliance ------------------------------------------------------------------- */

/* The student's item when anything is breached or due soon: {student, name, breached, due_soon,
 * findings: [those findings]}; NULL when nothing is. */
static json_t *attention_item(const struct facts_student *s, const pe_findings *f)
{
    json_t *list = json_array();
    long breached = 0, due_soon = 0;
    for (size_t k = 0; k < f->n; k++) {
        pe_status status = f->items[k].status;
        if (status != PE_BREACHED && status != PE_DUE_SOON)
            continue;
        breached += status == PE_BREACHED;
        due_soon += status == PE_DUE_SOON;
        json_array_append_new(list, pe_finding_to_json(f, k));
    }
    if (breached + due_soon == 0) {
        json_decref(list);
        return NULL;
    }
    return json_pack("{s:s, s:s, s:I, s:I, s:o}", "student", s->number, "name", s->name, "breached",
                     (json_int_t)breached, "due_soon", (json_int_t)due_soon, "findings", list);
}

/* One page of a school's students judged on its own (judge_school_part): its tally and its own page of
 * students needing attention (the caller's after and limit), taken into the school's in page order. */
struct school_part {
    pe_findings findings;
    struct tally tally;
    struct student_page page;
};

/* A school's compliance, built page by page of its students (evaluation_school_pages): the school's own
 * rules and the policy from the first page, every student into the tally (it needs them all), and the
 * page of students needing attention that the caller asked for. The students of each page are judged into
 * a part of their own, the two pages read at once each on its own thread, and the parts taken in order:
 * judged in turn, the second page's judging began only after the first's had ended. The largest school's
 * compliance, the two binaries alternating (bench/gen): 16,000 students (160k), median of 15 0.519 -> 0.465 s
 * (quartiles 0.493-0.554 -> 0.457-0.498); 4,000 (40k), median of 60 0.141 -> 0.136 s. */
struct school_judge {
    const char *code;
    pe_findings findings;
    struct tally tally;
    struct student_page page;
    json_t *school_findings, *policy, *as_of;
    size_t students;
    struct school_part parts[2];
};

/* page_judge.ahead: judges the students of one page of the school into part `slot` of j. */
static int judge_school_part(const struct evaluation *ev, size_t slot, void *arg)
{
    struct school_part *part = &((struct school_judge *)arg)->parts[slot];
    for (size_t i = 0; i < ev->facts.n_students; i++) {
        const struct facts_student *s = &ev->facts.students[i];
        pe_findings_clear(&part->findings);
        if (evaluation_student(ev, i, NULL, &part->findings) != PE_OK || tally_add(&part->tally, &part->findings) != 0)
            return -1;
        if (student_page_wants(&part->page, s->number))
            student_page_offer(&part->page, s->number, attention_item(s, &part->findings));
    }
    return 0;
}

/* page_judge.each: the school's own findings from its first page, and the page's part taken into j. */
static int take_school_part(const struct evaluation *ev, int first, size_t slot, void *arg)
{
    struct school_judge *j = arg;
    struct school_part *part = &j->parts[slot];
    if (first) {
        const struct school_versions *sv = evaluation_school(ev, j->code);
        if (evaluation_school_findings(ev, sv, &j->findings) != PE_OK ||
            !(j->school_findings = pe_findings_to_json(&j->findings)))
            return -1;
        j->policy = policy_json(evaluation_policy(ev, sv));
        j->as_of = date_json(ev->as_of_date);
    }
    int rc = tally_merge(&j->tally, &part->tally);
    tally_free(&part->tally);
    student_page_take(&j->page, &part->page);
    j->students += ev->facts.n_students;
    return rc;
}

/* The answer from a judged school (its parts are taken: call once); NULL on OOM. */
static json_t *school_compliance(struct school_judge *j)
{
    json_t *body = json_pack("{s:s, s:o, s:o, s:o, s:I, s:o, s:o, s:o}", "school", j->code, "as_of", j->as_of, "policy",
                             j->policy, "school_findings", j->school_findings, "students", (json_int_t)j->students,
                             "rules", tally_to_json(&j->tally), "items", j->page.items, "next_cursor",
                             http_cursor_encode(student_page_next_key(&j->page)));
    j->as_of = j->policy = j->school_findings = j->page.items = NULL;
    return body;
}

/* Frees what the judge still holds. */
static void school_judge_free(struct school_judge *j)
{
    json_decref(j->as_of);
    json_decref(j->policy);
    json_decref(j->school_findings);
    json_decref(j->page.items);
    tally_free(&j->tally);
    pe_findings_free(&j->findings);
    for (size_t k = 0; k < 2; k++) {
        json_decref(j->parts[k].page.items);
        tally_free(&j->parts[k].tally);
        pe_findings_free(&j->parts[k].findings);
    }
}

static int callback_compliance_school(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    struct as_of when;
    struct page page;
    if (forbid_registry(resp) != 0 || read_as_of(req, resp, &when) != 0 || http_page(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    const char *code = http_path_param(req, "code");
    struct access_scope scope;
    compliance_scope(http_principal(resp), &scope);
    struct facts_query q = {.by = FACTS_BY_SCHOOL, .key = code, .scope = &scope};
    struct school_judge judge = {.code = code};
    pe_findings_init(&judge.findings);
    student_page_init(&judge.page, page.after, page.limit);
    int ready = judge.page.items != NULL;
    for (size_t k = 0; k < 2; k++) {
        pe_findings_init(&judge.parts[k].findings);
        student_page_init(&judge.parts[k].page, page.after, page.limit);
        ready = ready && judge.parts[k].page.items;
    }
    struct load_ctx l = {
        .who = http_principal(resp), .q = &q, .when = &when, .school = code, .authority = code, .judge = &judge};
    enum app_status st = ready ? heavy_read_run_in(app, resp, load_work, &l, &l.pool) : APP_NOMEM;
    int rc = st == APP_OK ? 0 : (load_refused(resp, &l, st), -1);
    json_t *body = rc == 0 ? school_compliance(&judge) : NULL;
    school_judge_free(&judge);
    http_page_free(&page);
    if (rc != 0)
        return U_CALLBACK_COMPLETE;
    return body ? http_json(resp, 200, body) : engine_failed(resp, NULL);
}

int routes_compliance_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/students/@student_number/compliance", 0, callback_compliance_student) |
           http_route(instance, app, "GET", "/tutors/@staff_number/compliance", 0, callback_compliance_tutor) |
           http_route(instance, app, "GET", "/tutors/@staff_number/agenda", 0, callback_agenda) |
           http_route(instance, app, "GET", "/schools/@code/compliance", HTTP_HEAVY, callback_compliance_school);
}
