/* pg_array.h — PostgreSQL array literals of text keys, for statements that take a text[] parameter. */
#ifndef TUTORD_PG_ARRAY_H
#define TUTORD_PG_ARRAY_H

#include <stddef.h>

/* The literal {"k0","k1",...} of the n keys key(arg, 0..n-1), each quoted (" and \ escaped), so any text
 * (commas, braces, spaces, the word NULL) is one element as written; malloc'd, or NULL on OOM. */
char *pg_array_literal(size_t n, const char *(*key)(const void *arg, size_t i), const void *arg);

/* pg_array_literal's key i of an array of C strings (arg: const char *const *). */
const char *pg_array_string_key(const void *arg, size_t i);

#endif
