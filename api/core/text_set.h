/* text_set.h — arrays of C strings in strcmp order (the "C" collation the facts are sorted in): each once,
 * sorted, and looked up by binary search. */
#ifndef TUTORD_TEXT_SET_H
#define TUTORD_TEXT_SET_H

#include <stddef.h>

/* strcmp order of two (const char *) elements: a comparator for qsort and bsearch. */
int text_set_cmp(const void *a, const void *b);

/* Sorts v[0..n) and keeps each string once, at the front; returns how many are kept. The strings are not
 * copied or freed. */
size_t text_set_sort_distinct(const char **v, size_t n);

#endif
