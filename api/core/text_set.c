/* text_set.c — arrays of C strings in strcmp order (text_set.h). */
#include "text_set.h"

#include <stdlib.h>
#include <string.h>

int text_set_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t text_set_sort_distinct(const char **v, size_t n)
{
    qsort(v, n, sizeof(*v), text_set_cmp);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (kept == 0 || strcmp(v[kept - 1], v[i]) != 0)
            v[kept++] = v[i];
    return kept;
}
