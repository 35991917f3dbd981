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

/* Local date in `year` of a "Mm.w.d" rule. */
static pe_date when_date(const pe_tz_when *w, int year) {
  pe_date first = pe_date_from_ymd(year, w->month, 1);
  pe_date d = first + (w->wday - pe_weekday(first) + 7) % 7 + (w->week - 1) * 7;
  int m;
  while (pe_date_to_ymd(d, NULL, &m, NULL), m != w->month) d -= 7;
  return d;
}

/* UTC instant of a transition whose wall time is measured against offset `off`. */
static pe_instant when_instant(const pe_tz_when *w, int year, int32_t off) {
  return (pe_instant)when_date(w, year) * 86400 + w->secs - off;
}

int32_t pe_tz_offset(const pe_tz *tz, pe_instant t) {
  if (!tz->has_dst) return tz->std_off;
  int year;
  pe_date_to_ymd((pe_date)((t - (t % 86400 + 86400) % 86400) / 86400), &year, NULL, NULL);
  pe_instant on = when_instant(&tz->start, year, tz->std_off);
  pe_instant off = when_instant(&tz->end, year, tz->dst_off);
  bool dst = on < off ? (t >= on && t < off) : !(t >= off && t < on);
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
