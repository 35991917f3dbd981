/* allocator.h — the memory allocator `tutord serve` runs on, and its settings for serving.
 *
 * Builds without sanitizers link tcmalloc (gperftools' libtcmalloc_minimal, CMake option TUTORD_TCMALLOC):
 * each request thread allocates from its own cache, where glibc's malloc had 64 request threads share two
 * arenas (a futex wait whenever two meet) and consolidated its small blocks whenever libpq asked for a
 * result block. Sanitizer builds keep glibc's malloc, which AddressSanitizer replaces. */
#ifndef TUTORD_ALLOCATOR_H
#define TUTORD_ALLOCATOR_H

/* Sets the allocator up for a long-running server: with tcmalloc, freed pages go back to the system at
 * once (a report's batches do not stay resident after it); with glibc, two arenas and a fixed 1 MiB mmap
 * threshold. Call once, before any thread starts. */
void allocator_tune_for_serving(void);

/* What allocator_tune_for_serving set, for the startup log: a static string such as
 * "tcmalloc (freed pages returned at once)". */
const char *allocator_describe(void);

#endif
