/* tz.c — POSIX TZ rule strings and a few built-in IANA names; no zoneinfo files. */
#include "pe.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  const char *iana, *posix;
} tz_alias;

static const tz_alias TZ_ALIASES[] = {
    {"Europe/London", "GMT0BST,M3.5.0/1,M10.5.0"},
    {"Europe/Dublin", "GMT0IST,M3.5.0/1,M10.5.0"},
    {"UTC", "UTC0"},
    {"Etc/UTC", "UTC0"},
};

/* Skips a zone abbreviation: letters, or <...> quoted. NULL if too short/invalid. */
static const char *skip_name(const char *s) {
  const char *p = s;
  if (*p == '<') {
    while (*p && *p != '>') p++;
    return *p == '>' && p - s > 1 ? p + 1 : NULL;
  }
  while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) p++;
  return p - s >= 3 ? p : NULL;
}

/* Parses [+-]hh[:mm[:ss]] into seconds; NULL on error. */
static const char *parse_hms(const char *s, int32_t *out, int max_h) {
  int sign = 1;
  if (*s == '+' || *s == '-') sign = (*s++ == '-') ? -1 : 1;
  if (*s < '0' || *s > '9') return NULL;
  char *end;
  long h = strtol(s, &end, 10);
  if (h > max_h) return NULL;
  long v = h * 3600;
  for (int i = 0; i < 2 && *end == ':'; i++) {
    long part = strtol(end + 1, &end, 10);
    if (part < 0 || part > 59) return NULL;
    v += i == 0 ? part * 60 : part;
  }
  *out = (int32_t)(sign * v);
  return end;
}

/* Parses ",Mm.w.d[/time]". */
static const char *parse_when(const char *s, pe_tz_when *w) {
  char *end;
  if (s[0] != ',' || s[1] != 'M') return NULL;
  w->month = (int)strtol(s + 2, &end, 10);
  if (*end != '.' || w->month < 1 || w->month > 12) return NULL;
  w->week = (int)strtol(end + 1, &end, 10);
  if (*end != '.' || w->week < 1 || w->week > 5) return NULL;
  w->wday = (int)strtol(end + 1, &end, 10);
  if (w->wday < 0 || w->wday > 6) return NULL;
  w->secs = 7200;
  if (*end == '/') return parse_hms(end + 1, &w->secs, 167);
  return end;
}

static pe_err parse_posix(const char *s, pe_tz *out) {
  pe_tz tz = {0};
  int32_t west;
  if (!(s = skip_name(s)) || !(s = parse_hms(s, &west, 24))) return PE_INVALID;
  tz.std_off = -west;
  tz.dst_off = tz.std_off;
  if (*s) {
    if (!(s = skip_name(s))) return PE_INVALID;
    tz.has_dst = true;
    tz.dst_off = tz.std_off + 3600;
    if (*s && *s != ',') {
      if (!(s = parse_hms(s, &west, 24))) return PE_INVALID;
      tz.dst_off = -west;
    }
    if (!(s = parse_when(s, &tz.start)) || !(s = parse_when(s, &tz.end)) || *s) return PE_INVALID;
  }
  *out = tz;
  return PE_OK;
}

pe_err pe_tz_parse(const char *spec, pe_tz *out) {
  if (!spec) return PE_INVALID;
  for (size_t i = 0; i < sizeof TZ_ALIASES / sizeof TZ_ALIASES[0]; i++)
    if (strcmp(spec, TZ_ALIASES[i].iana) == 0) return parse_posix(TZ_ALIASES[i].posix, out);
  return parse_posix(spec, out);
}

/* Local date in `year` of a "Mm.w.d" rule: the w-th d-day of the month; week 5 means the last,
 * so a candidate past the month's end (a month without a fifth one) steps back a week. The
 * candidate is at most 34 days after the 1st and a month has at least 28 days, so one step back
 * always lands inside the month. */
static pe_date when_date(const pe_tz_when *w, int year) {
  pe_date first = pe_date_from_ymd(year, w->month, 1);
  pe_date next =
      w->month == 12 ? pe_date_from_ymd(year + 1, 1, 1) : pe_date_from_ymd(year, w->month + 1, 1);
  pe_date d = first + (w->wday - pe_weekday(first) + 7) % 7 + (w->week - 1) * 7;
  return d >= next ? d - 7 : d;
}

/* UTC instant of a transition whose wall time is measured against offset `off`. */
static pe_instant when_instant(const pe_tz_when *w, int year, int32_t off) {
  return (pe_instant)when_date(w, year) * 86400 + w->secs - off;
}

/* A zone's two transitions in one UTC calendar year [lo, hi): the offset of any instant in
 * that year follows from comparing it with `on` and `off`, as computed for that year. */
typedef struct {
  pe_tz rule;
  pe_instant lo, hi, on, off;
} tz_year;

/* The last few years looked up, per thread. pe_tz values are shared read-only across threads, so
 * the cache cannot live in them; reports ask for the offset of every contact instant and every
 * day bound, and recomputing the year's transitions each time (five civil-date conversions) was
 * the engine's largest cost under a profile. Two entries cover a sequence of instants that
 * crosses New Year back and forth (an academic year's contacts and term bounds). */
#define TZ_CACHE_N 2
static _Thread_local tz_year tz_cache[TZ_CACHE_N];
static _Thread_local unsigned tz_cache_next;

/* True when a and b are the same "Mm.w.d/time" transition rule. */
static bool same_when(const pe_tz_when *a, const pe_tz_when *b) {
  return a->month == b->month && a->week == b->week && a->wday == b->wday && a->secs == b->secs;
}

/* True when a and b give every instant the same offset (same offsets and transition rules). */
static bool same_rule(const pe_tz *a, const pe_tz *b) {
  return a->has_dst == b->has_dst && a->std_off == b->std_off && a->dst_off == b->dst_off &&
         same_when(&a->start, &b->start) && same_when(&a->end, &b->end);
}

/* The cached year of tz holding t, computing and caching it on a miss. */
static const tz_year *year_of(const pe_tz *tz, pe_instant t) {
  for (int i = 0; i < TZ_CACHE_N; i++) {
    const tz_year *c = &tz_cache[i];
    if (t >= c->lo && t < c->hi && same_rule(&c->rule, tz)) return c;
  }
  int year;
  pe_date_to_ymd((pe_date)((t - (t % 86400 + 86400) % 86400) / 86400), &year, NULL, NULL);
  tz_year *c = &tz_cache[tz_cache_next++ % TZ_CACHE_N];
  c->rule = *tz;
  c->lo = (pe_instant)pe_date_from_ymd(year, 1, 1) * 86400;
  c->hi = (pe_instant)pe_date_from_ymd(year + 1, 1, 1) * 86400;
  c->on = when_instant(&tz->start, year, tz->std_off);
  c->off = when_instant(&tz->end, year, tz->dst_off);
  return c;
}

int32_t pe_tz_offset(const pe_tz *tz, pe_instant t) {
  if (!tz->has_dst) return tz->std_off;
  const tz_year *y = year_of(tz, t);
  bool dst = y->on < y->off ? (t >= y->on && t < y->off) : !(t >= y->off && t < y->on);
  return dst ? tz->dst_off : tz->std_off;
}

pe_date pe_local_date(const pe_tz *tz, pe_instant t) {
  pe_instant local = t + pe_tz_offset(tz, t);
  pe_instant q = local / 86400;
  if (local % 86400 < 0) q--;
  return (pe_date)q;
}

pe_instant pe_local_day_start(const pe_tz *tz, pe_date d) {
  pe_instant naive = (pe_instant)d * 86400;
  pe_instant t = naive - tz->std_off;
  if (pe_tz_offset(tz, t) == tz->std_off) return t;
  pe_instant t2 = naive - tz->dst_off;
  return pe_tz_offset(tz, t2) == tz->dst_off ? t2 : t;
}

pe_instant pe_local_day_end(const pe_tz *tz, pe_date d) {
  return pe_local_day_start(tz, d + 1) - 1;
}
