/* civil.c — proleptic Gregorian dates as days since 1970-01-01, and RFC 3339 instants. */
#include "pe.h"

#include <string.h>

static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Algorithm from H. Hinnant, "chrono-Compatible Low-Level Date Algorithms". */
pe_date pe_date_from_ymd(int y, int m, int d) {
  int64_t yy = (int64_t)y - (m <= 2);
  int64_t era = floor_div(yy, 400);
  int64_t yoe = yy - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (pe_date)(era * 146097 + doe - 719468);
}

void pe_date_to_ymd(pe_date dd, int *y, int *m, int *day) {
  int64_t z = (int64_t)dd + 719468;
  int64_t era = floor_div(z, 146097);
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int dv = (int)(doy - (153 * mp + 2) / 5 + 1);
  int mv = (int)(mp < 10 ? mp + 3 : mp - 9);
  if (y) *y = (int)(yoe + era * 400 + (mv <= 2));
  if (m) *m = mv;
  if (day) *day = dv;
}

static int days_in_month(int y, int m) {
  static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return (m == 2 && leap) ? 29 : dim[m - 1];
}

static bool digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

static int num(const char *s, size_t n) {
  int v = 0;
  for (size_t i = 0; i < n; i++) v = v * 10 + (s[i] - '0');
  return v;
}

/* Parses the "YYYY-MM-DD" prefix of s; does not look past 10 characters. */
static pe_err parse_ymd(const char *s, pe_date *out) {
  if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
    return PE_INVALID;
  int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
  if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return PE_INVALID;
  *out = pe_date_from_ymd(y, m, d);
  return PE_OK;
}

pe_err pe_date_parse(const char *s, pe_date *out) {
  if (!s || strlen(s) != 10) return PE_INVALID;
  return parse_ymd(s, out);
}

/* Writes v as exactly n decimal digits (zero-padded; v < 10^n) at p. */
static void put_digits(char *p, unsigned v, int n) {
  for (int i = n - 1; i >= 0; i--) {
    p[i] = (char)('0' + v % 10u);
    v /= 10u;
  }
}

/* The digits of "%04u-%02u-%02u" written directly: every finding's window, due date and detail
 * formats dates, and the formatter's own overhead dominated this function. */
char *pe_date_format(pe_date d, char buf[11]) {
  int y, m, day;
  pe_date_to_ymd(d, &y, &m, &day);
  put_digits(buf, (unsigned)y % 10000u, 4);
  buf[4] = '-';
  put_digits(buf + 5, (unsigned)m % 100u, 2);
  buf[7] = '-';
  put_digits(buf + 8, (unsigned)day % 100u, 2);
  buf[10] = '\0';
  return buf;
}

int pe_weekday(pe_date d) {
  return (int)((((int64_t)d % 7) + 7 + 4) % 7);
}

pe_date pe_date_add_years(pe_date d, int n) {
  int y, m, day;
  pe_date_to_ymd(d, &y, &m, &day);
  y += n;
  if (day > days_in_month(y, m)) day = days_in_month(y, m);
  return pe_date_from_ymd(y, m, day);
}

/* Parses "HH:MM:SS[.frac]" then "Z" or "+HH:MM"/"-HH:MM"; seconds of day and offset. */
static pe_err parse_time_offset(const char *s, int32_t *secs, int32_t *off) {
  if (!digits(s, 2) || s[2] != ':' || !digits(s + 3, 2) || s[5] != ':' || !digits(s + 6, 2))
    return PE_INVALID;
  int h = num(s, 2), mi = num(s + 3, 2), se = num(s + 6, 2);
  if (h > 23 || mi > 59 || se > 60) return PE_INVALID;
  *secs = h * 3600 + mi * 60 + (se == 60 ? 59 : se);
  s += 8;
  if (*s == '.') {
    s++;
    while (*s >= '0' && *s <= '9') s++;
  }
  if ((*s == 'Z' || *s == 'z') && s[1] == '\0') {
    *off = 0;
    return PE_OK;
  }
  if ((*s != '+' && *s != '-') || !digits(s + 1, 2) || s[3] != ':' || !digits(s + 4, 2) || s[6])
    return PE_INVALID;
  int oh = num(s + 1, 2), om = num(s + 4, 2);
  if (oh > 23 || om > 59) return PE_INVALID;
  *off = (oh * 3600 + om * 60) * (*s == '-' ? -1 : 1);
  return PE_OK;
}

pe_err pe_instant_parse(const char *s, pe_instant *out) {
  pe_date d;
  int32_t secs, off;
  if (!s || strlen(s) < 20 || parse_ymd(s, &d) != PE_OK) return PE_INVALID;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return PE_INVALID;
  if (parse_time_offset(s + 11, &secs, &off) != PE_OK) return PE_INVALID;
  *out = (pe_instant)d * 86400 + secs - off;
  return PE_OK;
}

pe_date pe_birthday(pe_date born, int years) {
  int y, m, d;
  pe_date_to_ymd(born, &y, &m, &d);
  int ty = y + years;
  bool leap = (ty % 4 == 0 && ty % 100 != 0) || ty % 400 == 0;
  if (m == 2 && d == 29 && !leap) return pe_date_from_ymd(ty, 3, 1);
  return pe_date_from_ymd(ty, m, d);
}
