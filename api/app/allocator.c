/* allocator.c — the memory allocator's settings for serving (allocator.h). */
#include "allocator.h"

#ifdef TUTORD_TCMALLOC
#include <gperftools/malloc_extension_c.h>
#else
#include <malloc.h>
#endif

#ifdef TUTORD_TCMALLOC

/* tcmalloc keeps freed pages in its page heap and returns them slowly by default: engagement at 160,000
 * students peaked at 133 MB of RSS against glibc's 74 MB. Returned at once, it peaked at 93 MB, and GET
 * /students/{n} and the agenda cost no more CPU than with the default (bench/README.md, Tuning knobs chosen). */
void allocator_tune_for_serving(void)
{
    MallocExtension_SetNumericProperty("tcmalloc.aggressive_memory_decommit", 1);
}

const char *allocator_describe(void)
{
    size_t on = 0;
    if (!MallocExtension_GetNumericProperty("tcmalloc.aggressive_memory_decommit", &on))
        return "tcmalloc";
    return on ? "tcmalloc (freed pages returned at once)" : "tcmalloc (freed pages kept)";
}

#else

void allocator_tune_for_serving(void)
{
    /* Two malloc arenas rather than glibc's 8 per core: a large report's memory, freed, is reused by the
     * next one instead of staying resident in another thread's arena (institution KPIs at 40,000 students:
     * peak RSS 278 → 198 MB over six runs). The cost is that request threads share them. */
    mallopt(M_ARENA_MAX, 2);
    /* Blocks of 1 MiB and more mapped on their own, and unmapped when freed. glibc's default threshold
     * rises to the largest block freed (up to 32 MiB), after which a report's big buffers (its body, its
     * batches' results) stay in the arenas: engagement at 160,000 students, four runs in one process, peak
     * RSS 77 → 143 MB; with the fixed threshold 77 → 82 MB, RSS after each run 23 MB, and KPIs and school
     * compliance at 40,000 students no slower (alternating runs). */
    mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
}

const char *allocator_describe(void)
{
    return "glibc malloc (2 arenas, 1 MiB mmap threshold)";
}

#endif
