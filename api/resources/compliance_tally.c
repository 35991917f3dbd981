/* compliance_tally.c — findings counted per rule and status. Rules are few (PE_MAX_RULES per policy), so
 * a linear lookup by id is the simple and fast choice. */
#include "compliance_tally.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct rule_tally *find(const struct tally *t, const char *rule)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->items[i].rule, rule) == 0)
            return &t->items[i];
    return NULL;
}

static struct rule_tally *find_or_add(struct tally *t, const char *rule, pe_rule_type type)
{
    struct rule_tally *r = find(t, rule);
    if (r)
        return r;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        struct rule_tally *items = realloc(t->items, cap * sizeof(*items));
        if (!items)
            return NULL;
        t->items = items;
        t->cap = cap;
    }
    r = &t->items[t->n];
    memset(r, 0, sizeof(*r));
    if (!(r->rule = strdup(rule)))
        return NULL;
    r->type = type;
    t->n++;
    return r;
}

int tally_add(struct tally *t, const pe_findings *f)
{
    for (size_t i = 0; i < f->n; i++) {
        struct rule_tally *r = find_or_add(t, f->items[i].rule_id, f->items[i].type);
        if (!r)
            return -1;
        if ((unsigned)f->items[i].status < TALLY_STATUSES)
            r->counts[f->items[i].status]++;
    }
    return 0;
}

int tally_merge(struct tally *into, const struct tally *from)
{
    for (size_t i = 0; i < from->n; i++) {
        struct rule_tally *r = find_or_add(into, from->items[i].rule, from->items[i].type);
        if (!r)
            return -1;
        for (int s = 0; s < TALLY_STATUSES; s++)
            r->counts[s] += from->items[i].counts[s];
    }
    return 0;
}

void tally_free(struct tally *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        free(t->items[i].rule);
    free(t->items);
    memset(t, 0, sizeof(*t));
}

json_t *tally_counts_json(const long counts[TALLY_STATUSES])
{
    json_t *o = json_object();
    for (int s = 0; o && s < TALLY_STATUSES; s++)
        json_object_set_new(o, pe_status_name((pe_status)s), json_integer(counts[s]));
    return o;
}

json_t *tally_to_json(const struct tally *t)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < t->n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:o}", "rule", t->items[i].rule, "type",
                                             pe_rule_type_name(t->items[i].type), "counts",
                                             tally_counts_json(t->items[i].counts)));
    return arr;
}

/* Appends the comparison row of rule `r` (its counts in `a` and `b`, zeros where absent). */
static void compare_row(json_t *arr, const struct rule_tally *r, const struct tally *a, const struct tally *b)
{
    static const long zero[TALLY_STATUSES];
    const struct rule_tally *x = find(a, r->rule), *y = find(b, r->rule);
    json_array_append_new(arr, json_pack("{s:s, s:s, s:o, s:o}", "rule", r->rule, "type", pe_rule_type_name(r->type),
                                         "current", tally_counts_json(x ? x->counts : zero), "draft",
                                         tally_counts_json(y ? y->counts : zero)));
}

json_t *tally_compare_json(const struct tally *current, const struct tally *draft)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < current->n; i++)
        compare_row(arr, &current->items[i], current, draft);
    for (size_t i = 0; arr && i < draft->n; i++)
        if (!find(current, draft->items[i].rule))
            compare_row(arr, &draft->items[i], current, draft);
    return arr;
}

void student_page_init(struct student_page *p, const char *after, int limit)
{
    memset(p, 0, sizeof(*p));
    p->items = json_array();
    p->after = after;
    p->limit = limit;
}

int student_page_wants(const struct student_page *p, const char *number)
{
    return !p->more && (!p->after || strcmp(number, p->after) > 0);
}

void student_page_offer(struct student_page *p, const char *number, json_t *item)
{
    if (!item)
        return;
    if (!student_page_wants(p, number) || json_array_size(p->items) == (size_t)p->limit) {
        p->more = p->more || student_page_wants(p, number);
        json_decref(item);
        return;
    }
    json_array_append_new(p->items, item);
    snprintf(p->last, sizeof(p->last), "%s", number);
}

void student_page_take(struct student_page *into, struct student_page *from)
{
    size_t i;
    json_t *item;
    json_array_foreach(from->items, i, item)
    {
        json_incref(item);
        student_page_offer(into, json_string_value(json_object_get(item, "student")), item);
    }
    into->more = into->more || from->more;
    json_array_clear(from->items);
    from->more = 0;
    from->last[0] = '\0';
}

const char *student_page_next_key(const struct student_page *p)
{
    return p->more ? p->last : NULL;
}
